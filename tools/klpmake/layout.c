// SPDX-License-Identifier: GPL-2.0-only
/*
 * A fix that changes a struct or union refused before anything is built.
 *
 * The compiled code does not show a layout (a field added changes the
 * offsets in every function that uses the type, and nothing else), but
 * the running kernel's data has the old one: the new code would misread
 * it.  So each definition "struct NAME {...}" or "union NAME {...}" of a
 * file the diffs touch is compared before and after, comments and
 * blanks aside.  A type the fix adds is fine; one it changes or removes
 * is refused by name.  Definitions that a macro expands to are not seen.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "klpmake.h"

struct type_def {
	char *name;		/* "struct pid_entry" */
	char *body;		/* from '{' to its '}', blanks collapsed */
};

struct type_defs {
	struct type_def *d;
	size_t n;
};

static char *read_file(const char *path)
{
	FILE *in = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0, cap = 0, got;

	if (!in) {
		pr_err("%s: %m", path);
		return NULL;
	}
	do {
		if (len + 4096 + 1 > cap) {
			cap = cap ? 2 * cap : 65536;
			buf = xrealloc(buf, cap);
		}
		got = fread(buf + len, 1, cap - len - 1, in);
		len += got;
	} while (got);
	fclose(in);
	buf[len] = '\0';
	return buf;
}

/* One space at @o, unless one is there already: comments are blanks too. */
static char *blank(const char *out, char *o)
{
	if (o == out || o[-1] != ' ')
		*o++ = ' ';
	return o;
}

/*
 * @src with comments blanked and every run of blanks one space (string
 * and character literals kept): what the compiler sees of a definition.
 */
static char *code_of(const char *src)
{
	char *out = xcalloc(1, strlen(src) + 1), *o = out;
	const char *p = src;
	char quote;

	while (*p) {
		if (p[0] == '/' && p[1] == '*') {
			p = strstr(p + 2, "*/");
			p = p ? p + 2 : src + strlen(src);
			o = blank(out, o);
		} else if (p[0] == '/' && p[1] == '/') {
			p += strcspn(p, "\n");
			o = blank(out, o);
		} else if (*p == '"' || *p == '\'') {
			/* Kept: a literal in an initializer is code too. */
			quote = *p;
			*o++ = *p++;
			while (*p && *p != quote) {
				if (*p == '\\' && p[1])
					*o++ = *p++;
				*o++ = *p++;
			}
			if (*p)
				*o++ = *p++;
		} else if (isspace((unsigned char)*p)) {
			while (isspace((unsigned char)*p))
				p++;
			o = blank(out, o);
		} else {
			*o++ = *p++;
		}
	}
	*o = '\0';
	return out;
}

static bool is_ident(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* Every "struct NAME {...}" and "union NAME {...}" of @code. */
static void collect(const char *code, struct type_defs *t)
{
	static const char * const kinds[] = { "struct", "union" };
	const char *p, *name, *end;
	size_t k, len, nlen;
	int depth;

	for (p = code; *p; p++) {
		if (p > code && is_ident(p[-1]))
			continue;
		for (k = 0; k < ARRAY_SIZE(kinds); k++) {
			len = strlen(kinds[k]);
			if (!strncmp(p, kinds[k], len) && p[len] == ' ')
				break;
		}
		if (k == ARRAY_SIZE(kinds))
			continue;
		name = p + len + 1;
		for (nlen = 0; is_ident(name[nlen]); nlen++)
			;
		end = name + nlen;
		end += *end == ' ';
		if (!nlen || *end != '{')
			continue;
		for (depth = 0, p = end; *p; p++) {
			depth += (*p == '{') - (*p == '}');
			if (!depth)
				break;
		}
		t->d = xrealloc(t->d, (t->n + 1) * sizeof(*t->d));
		t->d[t->n].name = xasprintf("%s %.*s", kinds[k], (int)nlen,
					    name);
		t->d[t->n++].body = xasprintf("%.*s", (int)(p - end + !!*p),
					      end);
		if (!*p)
			break;
		/* Nested definitions are compared with their outer one. */
	}
}

/* The @nth (from 0) definition of @name: #ifdef branches may repeat it. */
static const struct type_def *find_def(const struct type_defs *t,
				       const char *name, size_t nth)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (!strcmp(t->d[i].name, name) && !nth--)
			return &t->d[i];
	return NULL;
}

/* Which definition of its name @t->d[@j] is: 0 for the first. */
static size_t occurrence(const struct type_defs *t, size_t j)
{
	size_t i, nth = 0;

	for (i = 0; i < j; i++)
		nth += !strcmp(t->d[i].name, t->d[j].name);
	return nth;
}

static void free_defs(struct type_defs *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		free(t->d[i].name);
		free(t->d[i].body);
	}
	free(t->d);
}

static int defs_of(const struct fix *f, const char *side, const char *file,
		   struct type_defs *t)
{
	char *path = xasprintf("%s/%s/%s", f->work, side, file);
	char *src = read_file(path), *code;

	free(path);
	if (!src)
		return -1;
	code = code_of(src);
	collect(code, t);
	free(code);
	free(src);
	return 0;
}

int fix_check_layouts(const struct fix *f)
{
	size_t i, j;
	int ret = 0;

	for (i = 0; i < f->nfiles; i++) {
		struct type_defs before = { 0 }, after = { 0 };

		if (defs_of(f, "before", f->files[i], &before) ||
		    defs_of(f, "after", f->files[i], &after)) {
			ret = -1;
		} else {
			for (j = 0; j < before.n; j++) {
				const struct type_def *b = &before.d[j];
				const struct type_def *a =
					find_def(&after, b->name,
						 occurrence(&before, j));

				if (a && !strcmp(a->body, b->body))
					continue;
				pr_err("%s: the fix %s %s: the running kernel's data keeps the old layout, which the new code would misread; keep the type and add a shadow variable (klp_shadow_get_or_alloc) in a patch written by hand",
				       f->files[i], a ? "changes the layout of" :
				       "removes", b->name);
				ret = -1;
			}
		}
		free_defs(&before);
		free_defs(&after);
	}
	return ret;
}
