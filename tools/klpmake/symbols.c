// SPDX-License-Identifier: GPL-2.0-only
/*
 * Which undefined symbols of the module livepatch must resolve, and how it
 * will find each: ".klp.sym.<obj>.<name>,<sympos>".
 *
 * A symbol is livepatch's when Module.symvers does not export it.  It is
 * looked up in the target module (-m) first, then in vmlinux.  sympos is
 * what klp_find_object_symbol() counts: among the symbols of that name
 * kallsyms lists for the object, 1-based, 0 when the name is unique.
 * kallsyms lists vmlinux symbols in address order and a module's in the
 * order of its .symtab, leaving out __init symbols of modules and, without
 * CONFIG_KALLSYMS_ALL, every symbol outside executable sections.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "klpmake.h"

/* Compiler clones of a function the patch cannot reach. */
static const char *const clone_tags[] = {
	".isra.", ".constprop.", ".part.", ".cold",
};

static int export_cmp(const void *a, const void *b)
{
	const struct export *x = a, *y = b;

	return strcmp(x->name, y->name);
}

/* Read the exports of Module.symvers ("crc name owner kind ns"). */
int symvers_load(const char *path, struct exports *ex)
{
	char *line = NULL, *name, *owner, *save;
	size_t cap = 0, alloc = 0;
	FILE *f;

	memset(ex, 0, sizeof(*ex));
	f = fopen(path, "r");
	if (!f) {
		pr_err("%s: %m", path);
		return -1;
	}
	while (getline(&line, &cap, f) > 0) {
		if (!strtok_r(line, "\t\n", &save))
			continue;
		name = strtok_r(NULL, "\t\n", &save);
		owner = strtok_r(NULL, "\t\n", &save);
		if (!name || !owner) {
			pr_err("%s: malformed line for '%s'", path,
			       name ? name : line);
			free(line);
			fclose(f);
			symvers_free(ex);
			return -1;
		}
		if (ex->n == alloc) {
			alloc = alloc ? 2 * alloc : 4096;
			ex->e = xrealloc(ex->e, alloc * sizeof(*ex->e));
		}
		ex->e[ex->n].name = xstrdup(name);
		ex->e[ex->n].owner = xstrdup(owner);
		ex->n++;
	}
	free(line);
	fclose(f);
	qsort(ex->e, ex->n, sizeof(*ex->e), export_cmp);
	return 0;
}

void symvers_free(struct exports *ex)
{
	size_t i;

	for (i = 0; i < ex->n; i++) {
		free(ex->e[i].name);
		free(ex->e[i].owner);
	}
	free(ex->e);
	ex->e = NULL;
	ex->n = 0;
}

static const struct export *symvers_find(const struct exports *ex,
					 const char *name)
{
	struct export key = { .name = (char *)name };

	return bsearch(&key, ex->e, ex->n, sizeof(*ex->e), export_cmp);
}

/* Whether @owner, a module's path in Module.symvers, is the module @t. */
static bool owned_by(const char *owner, const struct target *t)
{
	const char *base = strrchr(owner, '/') ? strrchr(owner, '/') + 1 : owner;

	return same_module_name(base, strlen(base), t->objname);
}

/* Index of the first byname entry whose name is >= @name. */
static size_t lower_bound(const struct target *t, const char *name)
{
	size_t lo = 0, hi = t->nbyname, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (strcmp(t->byname[mid]->name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Number of entries named @name, starting at *first. */
static size_t find_all(const struct target *t, const char *name,
		       size_t *first)
{
	size_t i;

	*first = lower_bound(t, name);
	for (i = *first; i < t->nbyname; i++)
		if (strcmp(t->byname[i]->name, name))
			break;
	return i - *first;
}

/*
 * Every vmlinux export of Module.symvers must be a global vmlinux symbol,
 * or the two files come from different builds.
 */
int symvers_check_vmlinux(const struct exports *ex, const struct target *v)
{
	size_t i, j, n, bad = 0;
	const char *first = NULL;

	for (i = 0; i < ex->n; i++) {
		bool found = false;

		if (strcmp(ex->e[i].owner, "vmlinux"))
			continue;
		n = find_all(v, ex->e[i].name, &j);
		for (; n && !found; n--, j++)
			found = GELF_ST_BIND(v->byname[j]->st.st_info) !=
				STB_LOCAL;
		if (!found && !bad++)
			first = ex->e[i].name;
	}
	if (!bad)
		return 0;
	pr_err("kernel mismatch: Module.symvers and %s disagree: %zu exports (first '%s') are not global symbols of vmlinux",
	       v->elf->path, bad, first);
	return -1;
}

static const struct kelf_sec *sym_sec(const struct target *t,
				      const struct kelf_sym *s)
{
	return &t->elf->secs[s->st.st_shndx];
}

static bool is_init(const struct target *t, const struct kelf_sym *s)
{
	return !strncmp(sym_sec(t, s)->name, ".init", 5);
}

/* Whether kallsyms lists @s for the object (see the header comment). */
static bool kallsyms_lists(const struct target *t, const struct kelf_sym *s)
{
	const struct kelf_sec *sec = sym_sec(t, s);

	if (!t->vmlinux && (!(sec->sh.sh_flags & SHF_ALLOC) || is_init(t, s)))
		return false;
	return t->kallsyms_all || (sec->sh.sh_flags & SHF_EXECINSTR);
}

static int byname_cmp(const void *a, const void *b)
{
	const struct kelf_sym *x = *(const struct kelf_sym **)a;
	const struct kelf_sym *y = *(const struct kelf_sym **)b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	if (x->st.st_value != y->st.st_value)
		return x->st.st_value < y->st.st_value ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static int symtab_order_cmp(const void *a, const void *b)
{
	const struct kelf_sym *x = *(const struct kelf_sym **)a;
	const struct kelf_sym *y = *(const struct kelf_sym **)b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/*
 * Index the defined, named symbols of @elf by name: vmlinux's same-named
 * ones in address order, a module's in symtab order, as kallsyms has them.
 */
int target_init(struct target *t, struct kelf *elf, const char *objname,
		bool vmlinux, bool kallsyms_all)
{
	size_t i;

	memset(t, 0, sizeof(*t));
	if (strlen(objname) > KLP_OBJNAME_MAX || strchr(objname, '.')) {
		pr_err("%s: object name '%s' is not usable in .klp.sym names",
		       elf->path, objname);
		return -1;
	}
	t->objname = objname;
	t->vmlinux = vmlinux;
	t->kallsyms_all = kallsyms_all;
	t->elf = elf;
	t->byname = xcalloc(elf->nsyms, sizeof(*t->byname));
	for (i = 1; i < elf->nsyms; i++) {
		struct kelf_sym *s = &elf->syms[i];
		int type = GELF_ST_TYPE(s->st.st_info);

		if (!*s->name || type == STT_FILE || type == STT_SECTION ||
		    s->st.st_shndx == SHN_UNDEF ||
		    s->st.st_shndx >= elf->shnum)
			continue;
		t->byname[t->nbyname++] = s;
	}
	qsort(t->byname, t->nbyname, sizeof(*t->byname),
	      vmlinux ? byname_cmp : symtab_order_cmp);
	return 0;
}

void target_free(struct target *t)
{
	free(t->byname);
	t->byname = NULL;
}

static const char *base(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static const char *where(const struct kelf_sym *s)
{
	if (s->file)
		return s->file;
	return GELF_ST_BIND(s->st.st_info) == STB_LOCAL ? "(no file)" :
							 "(global)";
}

/* "a.c, b.c (global)": where the definitions of a name live. */
static char *list_files(const struct target *t, size_t first, size_t n)
{
	char *list = xstrdup(""), *tmp;
	size_t i;

	for (i = first; i < first + n; i++) {
		if (!kallsyms_lists(t, t->byname[i]))
			continue;
		tmp = xasprintf("%s%s%s", list, *list ? ", " : "",
				where(t->byname[i]));
		free(list);
		list = tmp;
	}
	return list;
}

static struct hint *find_hint(struct hint *hints, size_t nhints,
			      const char *name)
{
	size_t i;

	for (i = 0; i < nhints; i++)
		if (!strcmp(hints[i].name, name))
			return &hints[i];
	return NULL;
}

static bool hint_matches(const struct hint *h, const struct kelf_sym *s,
			 size_t pos, size_t listed)
{
	if (!h)
		return true;
	if (h->file)
		return s->file && !strcmp(s->file, base(h->file));
	return h->pos ? pos == h->pos : listed == 1;
}

/*
 * While a module loads, kallsyms lists every named symbol of its symbol
 * table, its __init ones included; once it runs, only those it keeps.
 * livepatch resolves a module's symbols when the module comes if the
 * patch was there first, else when the patch loads: @found must have the
 * same position (@sympos) both ways, or one load order binds another
 * definition.
 */
static bool loading_agrees(const struct target *t, const char *name,
			   size_t first, size_t n, const struct kelf_sym *found,
			   unsigned long sympos)
{
	unsigned long loading = 0;
	size_t i;

	if (t->vmlinux)
		return true;
	for (i = first; i < first + n; i++)
		if (t->byname[i] == found)
			loading = n > 1 ? i - first + 1 : 0;
	if (loading == sympos)
		return true;
	pr_err("symbol '%s': position %lu in %s once it runs, %lu while it loads (its __init symbols still listed): livepatch would bind another definition when the patch loads first; rename it in the fix",
	       name, sympos, t->objname, loading);
	return false;
}

/*
 * Pick the definition of @name in @t the reference means, using the hint
 * when there is one, and set its sympos.  Returns the symbol, or NULL
 * after printing why none fits.
 */
static const struct kelf_sym *pick(const struct target *t, const char *name,
				   size_t first, size_t n, struct hint *h,
				   unsigned long *sympos)
{
	const struct kelf_sym *found = NULL;
	size_t i, pos = 0, listed = 0, matches = 0;
	char *files;

	for (i = first; i < first + n; i++)
		listed += kallsyms_lists(t, t->byname[i]);
	for (i = first; i < first + n; i++) {
		const struct kelf_sym *s = t->byname[i];

		if (!kallsyms_lists(t, s))
			continue;
		pos++;
		if (hint_matches(h, s, pos, listed)) {
			found = s;
			*sympos = listed > 1 ? pos : 0;
			matches++;
		}
	}
	if (matches == 1)
		return loading_agrees(t, name, first, n, found, *sympos) ?
		       found : NULL;

	files = list_files(t, first, n);
	if (!listed)
		pr_err("symbol '%s': its definition in %s is invisible to kallsyms (%s)",
		       name, t->objname,
		       t->kallsyms_all ? "__init or not allocated" :
		       "data, and CONFIG_KALLSYMS_ALL is not set");
	else if (!h)
		pr_err("symbol '%s': ambiguous, %zu definitions in %s (in %s): name one with -s %s:<file.c>",
		       name, listed, t->objname, files, name);
	else if (h->file && !matches)
		pr_err("symbol '%s': hint '%s' matches none of its definitions in %s (in %s)",
		       name, h->file, t->objname, files);
	else if (h->file)
		pr_err("symbol '%s': hint '%s' matches %zu definitions in %s (in %s): give the position with -s %s:<N>",
		       name, h->file, matches, t->objname, files, name);
	else
		pr_err("symbol '%s': position %lu out of range, %zu definitions in %s (in %s)",
		       name, h->pos, listed, t->objname, files);
	free(files);
	return NULL;
}

/* Refuse what livepatch cannot resolve or the patch must not use. */
static int check_kind(const struct target *t, const struct kelf_sym *s)
{
	const struct kelf_sec *sec = sym_sec(t, s);
	int type = GELF_ST_TYPE(s->st.st_info);

	if (type == STT_TLS) {
		pr_err("symbol '%s': thread-local data is not supported",
		       s->name);
		return -1;
	}
	if (is_init(t, s)) {
		pr_err("symbol '%s': it is __init in %s (section %s), freed after init",
		       s->name, t->objname, sec->name);
		return -1;
	}
	/* riscv keeps vmlinux's .exit.text in the init region, freed with it. */
	if (t->vmlinux && !strncmp(sec->name, ".exit", 5)) {
		pr_err("symbol '%s': it is __exit in vmlinux (section %s), freed with the init memory after boot",
		       s->name, sec->name);
		return -1;
	}
	if (!(sec->sh.sh_flags & SHF_EXECINSTR) && !t->kallsyms_all) {
		pr_err("symbol '%s': data symbols need CONFIG_KALLSYMS_ALL, which %s lacks",
		       s->name, t->objname);
		return -1;
	}
	return 0;
}

/*
 * The object a name of the patch (a reference or a hint) means: the
 * target module if it defines the name, else vmlinux.  Sets the range of
 * the definitions in its ->byname; NULL if neither defines the name.
 */
static const struct target *lookup(const struct target *vmlinux,
				   const struct target *module,
				   const char *name, size_t *first, size_t *n)
{
	if (module) {
		*n = find_all(module, name, first);
		if (*n)
			return module;
	}
	*n = find_all(vmlinux, name, first);
	return *n ? vmlinux : NULL;
}

/* A name GCC gave a clone: "f.isra.0", "f.constprop.1", "f.cold". */
static bool is_clone_name(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(clone_tags); i++)
		if (strstr(name, clone_tags[i]))
			return true;
	return false;
}

/* Why a -s name (or the name of a function klpmake diff replaces) is not found */
static const char *const hint_not_found[] = {
	"",
	": a compiler clone the kernel's own build did not make under this name (it inlined it or numbered it otherwise); write this fix by hand",
};

static void pr_not_found(const char *name, const struct target *vmlinux,
			 const struct target *module, const char *why)
{
	pr_err("symbol '%s': not found in %s%s%s%s", name,
	       module ? module->objname : "", module ? " nor in " : "",
	       vmlinux->objname, why);
}

/*
 * Resolve the undefined symbol @name among its @n definitions in @t,
 * from ->byname[@first], and fill @ref.  Returns 0, or -1 on error.
 */
static int resolve_in(const struct target *t, const char *name, size_t first,
		      size_t n, struct hint *h, struct klp_ref *ref)
{
	const struct kelf_sym *s;

	if (h)
		h->used = true;
	s = pick(t, name, first, n, h, &ref->sympos);
	if (!s || check_kind(t, s))
		return -1;
	if (strlen(name) > KLP_SYMNAME_MAX) {
		pr_err("symbol '%s': name longer than livepatch accepts", name);
		return -1;
	}
	ref->obj = t;
	ref->klpname = xasprintf(KLP_SYM_PREFIX "%s.%s,%lu", t->objname, name,
				 ref->sympos);
	return 0;
}

/*
 * Whether the module loader should resolve @name: exported, and not a
 * name of the target module's own.  Code copied from the target that
 * calls its static gcd() means that one, not vmlinux's exported gcd();
 * and the target's own exports, resolved by livepatch, neither make the
 * patch depend on the target nor pin it.
 */
static bool left_to_loader(const struct exports *ex,
			   const struct target *module, const char *name)
{
	const struct export *e = symvers_find(ex, name);
	size_t first;

	if (!e)
		return false;
	if (!module || !find_all(module, name, &first))
		return true;
	/* The target's own export: no other definition to mistake it for */
	if (!owned_by(e->owner, module))
		pr_warn("symbol '%s': defined in %s and exported in Module.symvers: the patch uses %s's",
			name, module->objname, module->objname);
	return false;
}

/*
 * Collect the undefined symbols of @mod that the module loader does not
 * resolve and resolve each.  Reports every failure before returning -1.
 */
int resolve_refs(const struct kelf *mod, const struct exports *ex,
		 const struct target *vmlinux, const struct target *module,
		 struct hint *hints, size_t nhints,
		 struct klp_ref **refs, size_t *nrefs)
{
	size_t i, first, ndefs, n = 0;
	const struct target *t;
	int ret = 0;

	*refs = xcalloc(mod->nsyms, sizeof(**refs));
	for (i = 1; i < mod->nsyms; i++) {
		const struct kelf_sym *s = &mod->syms[i];
		struct hint *h = find_hint(hints, nhints, s->name);
		struct klp_ref *ref = &(*refs)[n];

		if (s->st.st_shndx != SHN_UNDEF || !*s->name ||
		    left_to_loader(ex, module, s->name))
			continue;
		if (!strncmp(s->name, KLP_SYM_PREFIX, strlen(KLP_SYM_PREFIX))) {
			pr_err("symbol '%s': the module already has livepatch symbols",
			       s->name);
			ret = -1;
			continue;
		}
		ref->symidx = i;
		t = lookup(vmlinux, module, s->name, &first, &ndefs);
		if (!t)
			pr_not_found(s->name, vmlinux, module,
				     ", and not exported");
		if (!t || resolve_in(t, s->name, first, ndefs, h, ref)) {
			ret = -1;
			continue;
		}
		n++;
	}
	*nrefs = n;
	return ret;
}

/*
 * Resolve every -s hint before the build, in the object resolve_refs()
 * would use: the patch may need the sympos of a name it never references,
 * the klp_func.old_sympos of a duplicated static it replaces (named only
 * by the string .old_name).  Reports every failure before returning -1.
 */
int resolve_hints(const struct target *vmlinux, const struct target *module,
		  struct hint *hints, size_t nhints)
{
	const struct target *t;
	size_t i, first, n;
	int ret = 0;

	for (i = 0; i < nhints; i++) {
		struct hint *h = &hints[i];

		t = lookup(vmlinux, module, h->name, &first, &n);
		if (!t)
			pr_not_found(h->name, vmlinux, module,
				     hint_not_found[is_clone_name(h->name)]);
		if (!t || !pick(t, h->name, first, n, h, &h->sympos))
			ret = -1;
	}
	return ret;
}

/* [A-Za-z_][A-Za-z0-9_]*: the name can end a macro name. */
static bool is_identifier(const char *s)
{
	if (!*s || isdigit((unsigned char)*s))
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return false;
	return true;
}

/*
 * "-DKLPMAKE_SYMPOS_<name>=<sympos> ..." for the hints resolve_hints()
 * resolved whose name can be part of a macro name, NULL if none.  Such a
 * hint counts as used: the source may use the macro without referencing
 * the symbol.
 */
char *sympos_defines(struct hint *hints, size_t nhints)
{
	char *defs = NULL, *tmp;
	size_t i;

	for (i = 0; i < nhints; i++) {
		if (!is_identifier(hints[i].name))
			continue;
		tmp = xasprintf("%s%s-DKLPMAKE_SYMPOS_%s=%lu", defs ? defs : "",
				defs ? " " : "", hints[i].name,
				hints[i].sympos);
		free(defs);
		defs = tmp;
		hints[i].used = true;
	}
	return defs;
}

static bool is_clone_of(const char *clone, const char *name)
{
	size_t len = strlen(name);

	return !strncmp(clone, name, len) && clone[len] == '.' &&
	       is_clone_name(clone + len);
}

/* Warn if the function @name of @t has clones the patch leaves alone. */
static void clones_in(const struct target *t, const char *name)
{
	char *prefix = xasprintf("%s.", name), *list = xstrdup(""), *tmp;
	size_t i, n, clones = 0;
	bool func = false;

	n = find_all(t, name, &i);
	for (; n; n--, i++)
		func |= GELF_ST_TYPE(t->byname[i]->st.st_info) == STT_FUNC;
	for (i = lower_bound(t, prefix); i < t->nbyname; i++) {
		const struct kelf_sym *s = t->byname[i];

		if (strncmp(s->name, prefix, strlen(prefix)))
			break;
		if (GELF_ST_TYPE(s->st.st_info) != STT_FUNC ||
		    !is_clone_of(s->name, name))
			continue;
		tmp = xasprintf("%s%s%s", list, clones++ ? ", " : "", s->name);
		free(list);
		list = tmp;
	}
	if (clones && func)
		pr_warn("'%s' has compiler clones in %s (%s): they stay unpatched, their callers keep the old code",
			name, t->objname, list);
	else if (clones)
		pr_warn("'%s' exists in %s only as compiler clones (%s): livepatch cannot find it by that name",
			name, t->objname, list);
	free(list);
	free(prefix);
}

static void clones_of(const struct target *vmlinux,
		      const struct target *module, const char *name)
{
	if (module)
		clones_in(module, name);
	clones_in(vmlinux, name);
}

/*
 * Function names the patch mentions: the names of -s hints, and every
 * string constant of the module (the .old_name of its klp_funcs) that
 * names a function.  Warn for each that has compiler clones.
 */
void warn_clones(const struct kelf *mod, const struct target *vmlinux,
		 const struct target *module, const struct hint *hints,
		 size_t nhints)
{
	size_t i, off;

	for (i = 0; i < nhints; i++)
		clones_of(vmlinux, module, hints[i].name);
	for (i = 1; i < mod->shnum; i++) {
		const struct kelf_sec *sec = &mod->secs[i];
		const char *p;

		if (!(sec->sh.sh_flags & SHF_STRINGS) || !sec->data ||
		    !sec->data->d_buf || !(sec->sh.sh_flags & SHF_ALLOC))
			continue;
		p = sec->data->d_buf;
		for (off = 0; off < sec->data->d_size;
		     off += strnlen(p + off, sec->data->d_size - off) + 1) {
			if (find_hint((struct hint *)hints, nhints, p + off))
				continue;
			if (memchr(p + off, '\0', sec->data->d_size - off))
				clones_of(vmlinux, module, p + off);
		}
	}
}

/* The address @r puts at its place, in section and offset, if local. */
static const struct kelf_sec *rela_dest(const struct kelf *mod,
					const GElf_Rela *r, size_t *off)
{
	const struct kelf_sym *s = &mod->syms[GELF_R_SYM(r->r_info)];

	if (GELF_R_TYPE(r->r_info) != R_RISCV_64 ||
	    s->st.st_shndx == SHN_UNDEF || s->st.st_shndx >= mod->shnum)
		return NULL;
	*off = s->st.st_value + r->r_addend;
	return &mod->secs[s->st.st_shndx];
}

/*
 * One klp_func of the module: at @at in @data, an old_name pointing to a
 * string and a new_func pointing to code, the next word.  Checks that
 * its old_sympos picks one definition in the object that defines the
 * name (the target module, else vmlinux), as livepatch will at load.
 */
static int check_func(const struct kelf_sec *data, size_t at,
		      const char *name, const struct target *vmlinux,
		      const struct target *module)
{
	const struct target *t;
	unsigned long sympos = 0;
	size_t first, n, i, listed = 0;
	char *files;

	if (at + 24 <= data->data->d_size && data->data->d_buf)
		memcpy(&sympos, (char *)data->data->d_buf + at + 16, 8);
	t = lookup(vmlinux, module, name, &first, &n);
	if (!t)
		return 0;	/* livepatch says it at load; sysfs names it */
	for (i = first; i < first + n; i++)
		listed += kallsyms_lists(t, t->byname[i]);
	if (listed <= 1 ? sympos <= 1 : sympos && sympos <= listed)
		return 0;
	files = list_files(t, first, n);
	if (!sympos)
		pr_err("klp_func '%s': %zu definitions in %s (in %s) and no old_sympos: livepatch refuses it at load; set .old_sympos = KLPMAKE_SYMPOS_%s and name the file with -s %s:<file.c>",
		       name, listed, t->objname, files, name, name);
	else
		pr_err("klp_func '%s': old_sympos %lu, but %s has %zu definition%s (in %s)",
		       name, sympos, t->objname, listed, listed == 1 ? "" : "s",
		       files);
	free(files);
	return -1;
}

/*
 * Find the module's klp_funcs by their first two words, relocated to a
 * string and to code, and check each old_sympos.  Reports every failure
 * before returning -1.
 */
int check_old_names(const struct kelf *mod, const struct target *vmlinux,
		    const struct target *module)
{
	size_t i, j, k, n, off, noff;
	GElf_Rela r, next;
	int ret = 0;

	for (i = 1; i < mod->shnum; i++) {
		const struct kelf_sec *rsec = &mod->secs[i], *data, *str, *code;

		if (rsec->sh.sh_type != SHT_RELA || rsec->sh.sh_link != mod->symtab)
			continue;
		data = &mod->secs[rsec->sh.sh_info];
		n = rsec->sh.sh_size / sizeof(Elf64_Rela);
		for (j = 0; j < n && gelf_getrela(rsec->data, j, &r); j++) {
			str = rela_dest(mod, &r, &off);
			if (!str || !(str->sh.sh_flags & SHF_STRINGS) ||
			    !str->data || !str->data->d_buf ||
			    off >= str->data->d_size ||
			    !memchr((char *)str->data->d_buf + off, '\0',
				    str->data->d_size - off))
				continue;
			for (k = 0; k < n && gelf_getrela(rsec->data, k, &next); k++) {
				if (next.r_offset != r.r_offset + 8)
					continue;
				code = rela_dest(mod, &next, &noff);
				if (code && (code->sh.sh_flags & SHF_EXECINSTR) &&
				    check_func(data, r.r_offset,
					       (char *)str->data->d_buf + off,
					       vmlinux, module))
					ret = -1;
				break;
			}
		}
	}
	return ret;
}
