// SPDX-License-Identifier: GPL-2.0-only
/*
 * The objects a fix touches, compiled before and after it.
 *
 * The user's tree is only read.  Every file the diffs name is copied twice
 * into the work directory, to before/ and after/, and the diffs are
 * applied to after/ with patch(1) (no fuzz).  Each object is then built
 * from both copies with the command kbuild saved in its .cmd file, plus
 * -ffunction-sections -fdata-sections so that every function and datum
 * can be compared and carried on its own, and -mno-relax as kbuild
 * builds modules (the module loader takes no R_RISCV_ALIGN).  The copies are found first
 * (-I and -iquote ahead of the tree's), and -fmacro-prefix-map gives
 * __FILE__ the tree's path, so both sides differ only by the fix.
 */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "klpmake.h"

#define EXTRA_CFLAGS	\
	"-ffunction-sections -fdata-sections -mno-relax -Wa,-mno-relax"

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

static int add_file(struct fix *f, const char *diff, const char *path)
{
	size_t i;

	if (!strcmp(path, "/dev/null"))
		return 0;
	if (!strchr(path, '/')) {
		pr_err("%s: '%s' has no directory to strip: klpmake applies diffs with -p1 (a/ and b/ prefixes, as git writes them)",
		       diff, path);
		return -1;
	}
	path = strchr(path, '/') + 1;
	for (i = 0; i < f->nfiles; i++)
		if (!strcmp(f->files[i], path))
			return 0;
	if (strstr(path, "../") || *path == '/') {
		pr_err("%s: '%s' is outside the kernel tree", diff, path);
		return -1;
	}
	f->files = xrealloc(f->files, (f->nfiles + 1) * sizeof(*f->files));
	f->files[f->nfiles++] = xstrdup(path);
	return 0;
}

/* The files a unified diff names on its "--- " and "+++ " lines. */
static int read_diff(struct fix *f, const char *diff)
{
	char *line = NULL, *old = NULL;
	size_t cap = 0, files = 0;
	int ret = 0;
	FILE *in;

	in = fopen(diff, "r");
	if (!in) {
		pr_err("%s: cannot open: %m", diff);
		return -1;
	}
	while (!ret && getline(&line, &cap, in) > 0) {
		line[strcspn(line, "\t\n")] = '\0';
		if (!strncmp(line, "--- ", 4)) {
			free(old);
			old = xstrdup(line + 4);
		} else if (!strncmp(line, "+++ ", 4) && old) {
			if (!strcmp(old, "/dev/null") ||
			    !strcmp(line + 4, "/dev/null")) {
				pr_err("%s: %s '%s': a live patch replaces functions of files the kernel was built from",
				       diff, strcmp(old, "/dev/null") ?
				       "deletes" : "creates",
				       strcmp(old, "/dev/null") ? old : line + 4);
				ret = -1;
				break;
			}
			ret = add_file(f, diff, line + 4);
			files++;
			free(old);
			old = NULL;
		}
	}
	free(old);
	free(line);
	fclose(in);
	if (!ret && !files) {
		pr_err("%s: not a unified diff (no '+++ ' line)", diff);
		ret = -1;
	}
	return ret;
}

static int mkdirs(const char *path)
{
	char *p = xstrdup(path), *s;
	int ret = 0;

	for (s = strchr(p + 1, '/'); s && !ret; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdir(p, 0755) && errno != EEXIST) {
			pr_err("%s: %m", p);
			ret = -1;
		}
		*s = '/';
	}
	free(p);
	return ret;
}

static int copy_in(const struct fix *f, const char *side, const char *file)
{
	char *from = xasprintf("%s/%s", f->srctree, file);
	char *to = xasprintf("%s/%s/%s", f->work, side, file);
	char *const cp[] = { "cp", from, to, NULL };
	int ret = mkdirs(to);

	if (!ret && klp_run(cp, NULL)) {
		pr_err("%s: cannot copy (is it in the kernel tree?)", from);
		ret = -1;
	}
	free(from);
	free(to);
	return ret;
}

/* The tree the kernel was built from: KDIR, or KDIR/source for O=. */
static char *source_tree(const char *kdir)
{
	char *src = xasprintf("%s/source", kdir);
	struct stat st;

	if (!stat(src, &st) && S_ISDIR(st.st_mode))
		return src;
	free(src);
	return xstrdup(kdir);
}

int fix_prepare(struct fix *f, char *const *diffs, size_t ndiffs)
{
	const char *tmp = getenv("TMPDIR");
	char *after, *log;
	size_t i;
	int ret = 0;

	for (i = 0; i < ndiffs; i++)
		if (read_diff(f, diffs[i]))
			return -1;
	for (i = 0; i < f->nfiles; i++) {
		const char *p = f->files[i];

		if (has_suffix(p, ".S")) {
			pr_err("%s: an assembly file: klpmake compares compiled C functions; write this fix by hand",
			       p);
			return -1;
		}
		if (!has_suffix(p, ".c") && !has_suffix(p, ".h")) {
			pr_err("%s: neither C source nor a header: a live patch cannot change how the kernel is built",
			       p);
			return -1;
		}
	}
	f->srctree = source_tree(f->kdir);
	f->work = xasprintf("%s/klpmake-diff.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(f->work)) {
		pr_err("%s: cannot create work directory: %m", f->work);
		free(f->work);
		f->work = NULL;
		return -1;
	}
	for (i = 0; i < f->nfiles; i++)
		if (copy_in(f, "before", f->files[i]) ||
		    copy_in(f, "after", f->files[i]))
			return -1;
	after = xasprintf("%s/after", f->work);
	log = xasprintf("%s/patch.log", f->work);
	for (i = 0; i < ndiffs && !ret; i++) {
		char *abs = realpath(diffs[i], NULL);
		char *const patch[] = {
			"patch", "-p1", "--batch", "--forward", "--fuzz=0",
			"--no-backup-if-mismatch", "--reject-file=-", "-d",
			after, "-i", abs, NULL,
		};

		if (klp_run(patch, log)) {
			klp_print_log(log, after, f->srctree);
			pr_err("%s: does not apply to %s without fuzz (patch's output above)",
			       diffs[i], f->srctree);
			ret = -1;
		}
		free(abs);
	}
	free(log);
	free(after);
	return ret;
}

/* The saved command of a .cmd file, or NULL if it compiles no C. */
static char *saved_command(const char *cmdfile)
{
	char *line = NULL, *cmd = NULL, *p;
	size_t cap = 0;
	FILE *in;

	in = fopen(cmdfile, "r");
	if (!in)
		return NULL;
	if (getline(&line, &cap, in) > 0) {
		line[strcspn(line, "\n")] = '\0';
		p = strstr(line, " := ");
		if (p && strstr(p, " -D__KERNEL__ ") && strstr(p, " -c -o "))
			cmd = xstrdup(p + 4);
		/* kbuild leaves blanks after the source */
		for (p = cmd ? cmd + strlen(cmd) : NULL; p && p > cmd &&
		     p[-1] == ' '; p--)
			p[-1] = '\0';
	}
	free(line);
	fclose(in);
	return cmd;
}

/* Whether @list, a .mod file's objects, names @obj. */
static bool lists_object(const char *list, const char *obj)
{
	size_t cap = 0;
	char *line = NULL, *word, *save;
	bool found = false;
	FILE *in;

	in = fopen(list, "r");
	if (!in)
		return false;
	/* One object a line; older kernels put them on one line. */
	while (!found && getline(&line, &cap, in) > 0)
		for (word = strtok_r(line, " \t\n", &save); word && !found;
		     word = strtok_r(NULL, " \t\n", &save))
			found = !strcmp(word, obj);
	free(line);
	fclose(in);
	return found;
}

/*
 * The .ko that links @obj (dir/name.o), relative to the tree like it, NULL
 * if none: modules.order names each module (modules_order_stem()), and
 * dir/module.mod lists its objects.
 */
static char *module_of(const struct fix *f, const char *obj)
{
	char *order = xasprintf("%s/modules.order", f->kdir), *line = NULL;
	char *ko = NULL, *list;
	size_t cap = 0, stem;
	FILE *in;

	in = fopen(order, "r");
	free(order);
	if (!in)
		return NULL;
	while (!ko && getline(&line, &cap, in) > 0) {
		line[strcspn(line, "\n")] = '\0';
		stem = modules_order_stem(line);
		if (!stem)
			continue;
		list = xasprintf("%s/%.*smod", f->kdir, (int)stem, line);
		if (lists_object(list, obj))
			ko = xasprintf("%.*sko", (int)stem, line);
		free(list);
	}
	free(line);
	fclose(in);
	return ko;
}

static int add_object(struct fix *f, const char *cfile)
{
	char *dir = xstrdup(cfile), *slash = strrchr(dir, '/');
	const char *base = slash ? slash + 1 : dir;
	struct fix_object *o;
	char *cmdfile, *cmd, *module = NULL;
	size_t i;

	for (i = 0; i < f->nobjs; i++)
		if (!strcmp(f->objs[i].source, cfile)) {
			free(dir);
			return 0;
		}
	if (slash)
		*slash = '\0';
	cmdfile = xasprintf("%s/%s/.%.*so.cmd", f->kdir, slash ? dir : ".",
			    (int)strlen(base) - 1, base);
	cmd = saved_command(cmdfile);
	if (!cmd) {
		pr_err("%s: not compiled into this kernel (no %s): configured out?",
		       cfile, cmdfile);
		free(cmdfile);
		free(dir);
		return -1;
	}
	free(cmdfile);
	if (strstr(cmd, " -DMODULE ")) {
		char *obj = xasprintf("%.*so", (int)strlen(cfile) - 1, cfile);

		module = module_of(f, obj);
		if (!module)
			pr_err("%s: compiled for a module, but no module in %s/modules.order links %s: build the modules first",
			       cfile, f->kdir, obj);
		free(obj);
		if (!module) {
			free(cmd);
			free(dir);
			return -1;
		}
	}
	f->objs = xrealloc(f->objs, (f->nobjs + 1) * sizeof(*f->objs));
	o = &f->objs[f->nobjs++];
	memset(o, 0, sizeof(*o));
	o->module = module;
	o->source = xstrdup(cfile);
	o->dir = slash ? dir : xstrdup(".");
	o->cmd = cmd;
	if (!slash)
		free(dir);
	return 0;
}

/*
 * The objects whose dependency list names @header: kbuild writes each
 * dependency on a line of its own, "  include/linux/x.h \", relative to
 * the build directory or absolute ($(srctree) for O= builds).
 */
static const char *dep_header;
static struct fix *dep_fix;
static int dep_ret;

static bool names_header(const char *cmdfile, const char *header)
{
	size_t cap = 0, hlen = strlen(header);
	char *line = NULL, *p;
	bool found = false;
	FILE *in;

	in = fopen(cmdfile, "r");
	if (!in)
		return false;
	while (!found && getline(&line, &cap, in) > 0) {
		p = line + strspn(line, " ");
		p[strcspn(p, " \\\n")] = '\0';
		if (has_suffix(p, header)) {
			size_t plen = strlen(p);

			found = plen == hlen || p[plen - hlen - 1] == '/';
		}
	}
	free(line);
	fclose(in);
	return found;
}

static int find_dependent(const char *path, const struct stat *st, int flag,
			  struct FTW *ftw)
{
	const char *name = path + ftw->base;
	char *cmd, *src, *end;

	(void)st;
	if (flag != FTW_F || name[0] != '.' || !has_suffix(name, ".o.cmd") ||
	    klp_interrupted)
		return klp_interrupted ? 1 : 0;
	cmd = saved_command(path);
	if (!cmd)
		return 0;
	if (names_header(path, dep_header)) {
		src = strrchr(cmd, ' ');
		end = src ? src + 1 : cmd;
		if (has_suffix(end, ".c")) {
			if (!strncmp(end, "./", 2))
				end += 2;
			if (*end != '/' && add_object(dep_fix, end))
				dep_ret = -1;
		}
	}
	free(cmd);
	return 0;
}

int fix_find_objects(struct fix *f)
{
	size_t i;

	for (i = 0; i < f->nfiles; i++) {
		if (has_suffix(f->files[i], ".c")) {
			if (add_object(f, f->files[i]))
				return -1;
			continue;
		}
		dep_header = f->files[i];
		dep_fix = f;
		dep_ret = 0;
		nftw(f->kdir, find_dependent, 32, FTW_PHYS);
		if (dep_ret || klp_interrupted)
			return -1;
	}
	/* An object that includes a changed header is built from copies too. */
	for (i = 0; i < f->nobjs; i++) {
		char *copy = xasprintf("%s/after/%s", f->work, f->objs[i].source);
		int missing = access(copy, F_OK);

		free(copy);
		if (missing && (copy_in(f, "before", f->objs[i].source) ||
				copy_in(f, "after", f->objs[i].source)))
			return -1;
	}
	if (!f->nobjs) {
		pr_err("no object of the kernel or its modules includes the changed header%s",
		       f->nfiles > 1 ? "s" : "");
		return -1;
	}
	return 0;
}

/* @cmd with the first " @from " (a whole word) replaced by @to. */
static char *replace_word(const char *cmd, const char *from, const char *to)
{
	size_t flen = strlen(from);
	const char *p = cmd;

	while ((p = strstr(p, from))) {
		bool start = p == cmd || p[-1] == ' ' || p[-1] == ',';
		bool end = !p[flen] || p[flen] == ' ';

		if (start && end)
			return xasprintf("%.*s%s%s", (int)(p - cmd), cmd, to,
					 p + flen);
		p += flen;
	}
	return NULL;
}

/*
 * The saved command with its outputs in the work directory, its source
 * the @side copy, the copies' directories first in the include paths.
 */
static char *side_command(const struct fix *f, const struct fix_object *o,
			  const char *side, const char *out)
{
	char *cmd = xstrdup(o->cmd), *next, *p, *dep, *src, *inc;
	const char *dfile = strstr(cmd, "-Wp,-MMD,");

	/* Anything chained after the compiler is not ours to run. */
	p = strstr(cmd, " -c -o ");
	p = p ? strstr(p, " ; ") : NULL;
	if (p)
		*p = '\0';
	if (dfile) {
		dep = xasprintf("%.*s", (int)strcspn(dfile + 9, " "), dfile + 9);
		p = xasprintf("%s/%s.d", f->work, side);
		next = replace_word(cmd, dep, p);
		free(p);
		free(dep);
		free(cmd);
		cmd = next;
	}
	p = strstr(cmd, " -c -o ");
	if (!cmd || !p) {
		free(cmd);
		return NULL;
	}
	*p = '\0';
	/* What follows "-c -o": the object, then the source. */
	src = strrchr(p + 7, ' ');
	if (!src) {
		free(cmd);
		return NULL;
	}
	inc = xasprintf("-I%s/%s/include -I%s/%s/arch/riscv/include -nostdinc",
			f->work, side, f->work, side);
	next = replace_word(cmd, "-nostdinc", inc);
	free(inc);
	if (!next) {
		free(cmd);
		return NULL;
	}
	/* The copy's directory first for "" includes, then the tree's. */
	inc = xasprintf("-iquote %s/%s/%s -iquote %s/%s -fmacro-prefix-map=%s/%s/=",
			f->work, side, o->dir, f->srctree, o->dir, f->work,
			side);
	p = xasprintf("cd '%s' && %s %s %s -c -o %s %s/%s/%s", f->kdir, next,
		      EXTRA_CFLAGS, inc, out, f->work, side, o->source);
	free(inc);
	free(next);
	free(cmd);
	return p;
}

static int compile_side(const struct fix *f, struct fix_object *o,
			const char *side, char **obj)
{
	char *log = xasprintf("%s/%s.log", f->work, side), *cmd;
	char *name = xstrdup(o->source), *p;
	int ret = 0;

	for (p = name; *p; p++)
		if (*p == '/')
			*p = '_';
	name[strlen(name) - 1] = 'o';
	*obj = xasprintf("%s/%s-%s", f->work, side, name);
	free(name);
	cmd = side_command(f, o, side, *obj);
	if (!cmd) {
		pr_err("%s: the command in its .cmd file is not a C compile klpmake understands",
		       o->source);
		free(log);
		return -1;
	}
	{
		char *const sh[] = { "sh", "-c", cmd, NULL };

		if (f->verbose)
			fprintf(stderr, "klpmake: %s\n", cmd);
		if (klp_run(sh, log)) {
			char *copy = xasprintf("%s/%s", f->work, side);

			klp_print_log(log, copy, f->srctree);
			pr_err("%s: does not compile %s the fix (compiler output above)",
			       o->source, strcmp(side, "after") ?
			       "before" : "after");
			free(copy);
			ret = -1;
		}
	}
	free(cmd);
	free(log);
	return ret;
}

int fix_compile(struct fix *f)
{
	size_t i;

	for (i = 0; i < f->nobjs; i++) {
		struct fix_object *o = &f->objs[i];

		if (compile_side(f, o, "before", &o->before) ||
		    compile_side(f, o, "after", &o->after))
			return -1;
	}
	return 0;
}

void fix_cleanup(struct fix *f)
{
	size_t i;

	if (f->work && !f->keep)
		klp_rmtree(f->work);
	else if (f->work)
		fprintf(stderr, "klpmake: work directory kept in %s\n", f->work);
	for (i = 0; i < f->nfiles; i++)
		free(f->files[i]);
	for (i = 0; i < f->nobjs; i++) {
		free(f->objs[i].source);
		free(f->objs[i].dir);
		free(f->objs[i].cmd);
		free(f->objs[i].before);
		free(f->objs[i].after);
		free(f->objs[i].module);
	}
	free(f->files);
	free(f->objs);
	free(f->srctree);
	free(f->work);
	memset(f, 0, sizeof(*f));
}
