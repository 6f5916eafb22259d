// SPDX-License-Identifier: GPL-2.0-only
/*
 * The changed and new functions of an object, as an object of their own
 * that the patch module links.
 *
 * Carried whole: the sections of changed and new functions and new data,
 * and what they point at without a name (string literals, jump tables).
 * Carried by entry: __ex_table, __jump_table, __bug_table (and on the
 * ftrace kernel the entry nops' tables), for the carried functions only,
 * with the labels inside them moved along.  Every
 * other function and datum the carried code uses stays the kernel's: its
 * symbol becomes undefined, named as the kernel names it, for klpmake to
 * resolve through .klp.sym (or the module loader, when exported); a
 * reference by section and offset is turned into one by that name.
 * A changed function is renamed __klp_new_<name> and made global, for the
 * klp_func table; calls between carried functions stay inside the patch.
 * Other tables that list a carried function are refused by name.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "klpmake.h"

enum { USE_DROP, USE_KEEP, USE_UNDEF };

/*
 * Tables carried by entry: the size of one (0: __bug_table's, which
 * depends on CONFIG_DEBUG_BUGVERBOSE, is the gap between two code
 * addresses), whose first field is the code it is about.
 */
static const struct {
	const char *name;
	size_t entsize;
} tables[] = {
	{ "__ex_table", 12 },		/* insn, fixup, type, data */
	{ "__jump_table", 16 },		/* code, target, key */
	{ "__bug_table", 0 },
	/* The ftrace kernel's nops at each function entry */
	{ "__patchable_function_entries", 8 },
	{ "__mcount_loc", 8 },
};

/* Sections whose entries for a carried function klpmake cannot carry */
static const char * const refused_tables[] = {
	".alternative", "__dyndbg", ".printk_index", ".static_call_sites",
	"_kprobe_blacklist", "__tracepoints_ptrs",
};

struct extract {
	struct fix_diff *d;
	const struct kelf *k;
	bool *kept;		/* by section: carried whole */
	size_t *entsize;	/* by section: carried by entry, or 0 */
	bool **entry;		/* by section: which entries are carried */
	unsigned char *use;	/* by symbol */
};

static bool is_text(const struct kelf *k, size_t shndx)
{
	return shndx && shndx < k->shnum &&
	       (k->secs[shndx].sh.sh_flags & SHF_EXECINSTR);
}

/* The section a relocation's target lies in, and the offset there. */
static size_t target_section(const struct kelf *k, const GElf_Rela *r,
			     GElf_Addr *off)
{
	const struct kelf_sym *s = &k->syms[GELF_R_SYM(r->r_info)];

	*off = s->st.st_value + r->r_addend;
	if (!GELF_R_SYM(r->r_info) || s->st.st_shndx >= k->shnum)
		return 0;
	return s->st.st_shndx;
}

static bool carried(const struct extract *x, size_t shndx)
{
	return shndx && shndx < x->k->shnum &&
	       (x->kept[shndx] || x->entsize[shndx]);
}

/*
 * The symbol and addend a carried relocation names in the output.
 * Returns 1 when its target's section must be carried first, -1 when it
 * points into another function's code by a label.
 */
static int resolve(struct extract *x, const GElf_Rela *r, size_t *sym,
		   GElf_Sxword *addend)
{
	const struct kelf *k = x->k;
	const struct kelf_sym *s = &k->syms[GELF_R_SYM(r->r_info)];
	const struct kelf_sym *cover;
	GElf_Addr off;
	size_t sec = target_section(k, r, &off);

	*sym = GELF_R_SYM(r->r_info);
	*addend = r->r_addend;
	if (!*sym)
		return 0;
	if (!sec || carried(x, sec)) {
		x->use[*sym] = USE_KEEP;
		return 0;
	}
	if (!fix_is_anon(s)) {
		if (x->d->state[*sym] == FIX_NEW)
			return 1;
		x->use[*sym] = USE_UNDEF;
		return 0;
	}
	if (k->secs[sec].sh.sh_flags & SHF_STRINGS)
		return 1;
	cover = fix_cover(k, sec, off, is_text(k, sec) ? STT_FUNC : STT_OBJECT);
	if (!cover)
		return is_text(k, sec) ? -1 : 1;
	if (x->d->state[cover->idx] == FIX_NEW)
		return 1;
	*sym = cover->idx;
	*addend = off - cover->st.st_value;
	x->use[*sym] = USE_UNDEF;
	return 0;
}

static bool rela_carried(const struct extract *x, size_t shndx,
			 const GElf_Rela *r)
{
	size_t e = x->entsize[shndx];

	return x->kept[shndx] || (e && x->entry[shndx][r->r_offset / e]);
}

/*
 * Carry section @sec for symbol @s: a function's holds no unchanged one,
 * and nothing __init or __exit goes into a live patch.
 */
static int carry(struct extract *x, size_t sec, const char *what)
{
	const struct kelf *k = x->k;
	const char *name = k->secs[sec].name;
	size_t j;

	if (!strncmp(name, ".init.", 6) || !strncmp(name, ".exit.", 6) ||
	    !strncmp(name, ".ref.", 5)) {
		pr_err("%s: the fix needs '%s' of %s: __init and __exit code and data are not in the running kernel's reach",
		       x->d->source, what, name);
		return -1;
	}
	for (j = 1; j < k->nsyms && is_text(k, sec); j++)
		if (k->syms[j].st.st_shndx == sec &&
		    GELF_ST_TYPE(k->syms[j].st.st_info) == STT_FUNC &&
		    x->d->state[j] == FIX_SAME) {
			pr_err("%s: section %s holds '%s' and the unchanged '%s': klpmake needs one function a section",
			       x->d->source, name, what, k->syms[j].name);
			return -1;
		}
	x->kept[sec] = true;
	return 0;
}

/* One pass over the carried relocations; *@grew when a section joined. */
static int close_over(struct extract *x, bool *grew)
{
	const struct kelf *k = x->k;
	size_t i, j, sym, rel;
	GElf_Sxword addend;
	GElf_Addr off;

	for (i = 1; i < k->shnum; i++) {
		if (!carried(x, i))
			continue;
		rel = x->d->rela_of[i];
		for (j = 0; j < fix_nrela(k, rel); j++) {
			GElf_Rela r;
			int ret;

			if (!gelf_getrela(k->secs[rel].data, j, &r) ||
			    !rela_carried(x, i, &r))
				continue;
			ret = resolve(x, &r, &sym, &addend);
			if (ret < 0) {
				pr_err("%s: %s+%#lx points into unchanged code by a local label: cannot carry it",
				       x->d->source, k->secs[i].name,
				       (unsigned long)r.r_offset);
				return -1;
			}
			if (ret > 0) {
				size_t t = target_section(k, &r, &off);

				if (carry(x, t, fix_is_anon(&k->syms[GELF_R_SYM(r.r_info)]) ?
					  k->secs[t].name :
					  k->syms[GELF_R_SYM(r.r_info)].name))
					return -1;
				*grew = true;
			}
		}
	}
	return 0;
}

/* The entry size of a table: the gap to the next code address, or all. */
static size_t table_entsize(const struct extract *x, size_t shndx)
{
	const struct kelf *k = x->k;
	size_t rel = x->d->rela_of[shndx], j, e = k->secs[shndx].sh.sh_size;
	GElf_Addr off;

	for (j = 0; j < ARRAY_SIZE(tables); j++)
		if (!strcmp(k->secs[shndx].name, tables[j].name) &&
		    tables[j].entsize)
			return tables[j].entsize;
	for (j = 0; j < fix_nrela(k, rel); j++) {
		GElf_Rela r;

		if (gelf_getrela(k->secs[rel].data, j, &r) && r.r_offset &&
		    r.r_offset < e &&
		    is_text(k, target_section(k, &r, &off)))
			e = r.r_offset;
	}
	return e;
}

static bool is_table(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(tables); i++)
		if (!strcmp(name, tables[i].name))
			return true;
	return false;
}

/* The entries of carried code in the tables above. */
static int pick_entries(struct extract *x)
{
	const struct kelf *k = x->k;
	size_t i, j, n, rel;
	GElf_Addr off;

	for (i = 1; i < k->shnum; i++) {
		const char *name = k->secs[i].name;
		bool table = is_table(name);

		rel = x->d->rela_of[i];
		if (x->kept[i] || !rel)
			continue;
		if (table) {
			x->entsize[i] = table_entsize(x, i);
			n = k->secs[i].sh.sh_size / x->entsize[i];
			x->entry[i] = xcalloc(n + 1, sizeof(bool));
		}
		for (j = 0; j < fix_nrela(k, rel); j++) {
			GElf_Rela r;
			size_t t;

			if (!gelf_getrela(k->secs[rel].data, j, &r))
				continue;
			t = target_section(k, &r, &off);
			if (!t || !x->kept[t] || !is_text(k, t))
				continue;
			if (table && !(r.r_offset % x->entsize[i])) {
				x->entry[i][r.r_offset / x->entsize[i]] = true;
				continue;
			}
			for (n = 0; !table && n < ARRAY_SIZE(refused_tables); n++)
				if (!strcmp(name, refused_tables[n])) {
					pr_err("%s: %s has an entry for the changed code at %s+%#lx: klpmake does not carry %s entries",
					       x->d->source, name, k->secs[t].name,
					       (unsigned long)off, name);
					return -1;
				}
		}
	}
	return 0;
}

/* The changed functions; new code and data join when carried code uses them. */
static int pick_sections(struct extract *x)
{
	const struct kelf *k = x->k;
	size_t i;

	for (i = 1; i < k->nsyms; i++)
		if (x->d->state[i] == FIX_CHANGED &&
		    carry(x, k->syms[i].st.st_shndx, k->syms[i].name))
			return -1;
	return 0;
}

/* Where offset @off of a table lands once only carried entries remain. */
static GElf_Addr table_offset(const struct extract *x, size_t shndx,
			      GElf_Addr off)
{
	size_t e = x->entsize[shndx], i, n = 0;

	for (i = 0; i < off / e; i++)
		n += x->entry[shndx][i];
	return n * e + off % e;
}

static bool sym_in_dropped_entry(const struct extract *x,
				 const struct kelf_sym *s)
{
	size_t sec = s->st.st_shndx, e;

	if (sec >= x->k->shnum || !x->entsize[sec])
		return false;
	e = x->entsize[sec];
	return !x->entry[sec][s->st.st_value / e];
}

static char *new_name(const char *name)
{
	char *n = xasprintf("__klp_new_%s", name), *p;

	for (p = n; *p; p++)
		if (*p == '.')
			*p = '_';
	return n;
}

/* Which symbols stay, and how each is written. */
static void pick_symbols(struct extract *x, struct kelf_symedit *ed,
			 struct fix_out *fo)
{
	const struct kelf *k = x->k;
	bool file = false;
	size_t i;

	for (i = 1; i < k->nsyms; i++) {
		const struct kelf_sym *s = &k->syms[i];
		int type = GELF_ST_TYPE(s->st.st_info);

		ed[i].st = s->st;
		ed[i].whole = true;
		if (type == STT_FILE && !file) {
			file = true;
			x->use[i] = USE_KEEP;
		}
		if (carried(x, s->st.st_shndx) && !sym_in_dropped_entry(x, s))
			x->use[i] = USE_KEEP;
		if (x->use[i] == USE_UNDEF) {
			/* The kernel's name: a static local's number may move. */
			if (x->d->old[i])
				ed[i].name = xstrdup(x->d->before.syms[x->d->old[i]].name);
			ed[i].st.st_info = GELF_ST_INFO(STB_GLOBAL, type);
			ed[i].st.st_shndx = SHN_UNDEF;
			ed[i].st.st_value = 0;
			ed[i].st.st_size = 0;
			if (GELF_ST_BIND(s->st.st_info) == STB_LOCAL) {
				fo->refs = xrealloc(fo->refs, (fo->nrefs + 1) *
						    sizeof(*fo->refs));
				fo->refs[fo->nrefs].name = xstrdup(ed[i].name ?
								   ed[i].name :
								   s->name);
				fo->refs[fo->nrefs++].source = x->d->source;
			}
		} else if (x->use[i] == USE_KEEP &&
			   carried(x, s->st.st_shndx) &&
			   x->entsize[s->st.st_shndx]) {
			ed[i].st.st_value = table_offset(x, s->st.st_shndx,
							 s->st.st_value);
		}
		if (x->d->state[i] == FIX_NEW && type == STT_FUNC &&
		    x->use[i] == USE_KEEP) {
			fo->added = xrealloc(fo->added, (fo->nadded + 1) *
					     sizeof(*fo->added));
			fo->added[fo->nadded++] = xasprintf("%s (%s)", s->name,
							    x->d->source);
		}
		if (x->d->state[i] != FIX_CHANGED || type != STT_FUNC)
			continue;
		ed[i].name = new_name(s->name);
		ed[i].st.st_info = GELF_ST_INFO(STB_GLOBAL, STT_FUNC);
		fo->replaced = xrealloc(fo->replaced, (fo->nreplaced + 1) *
					sizeof(*fo->replaced));
		fo->newnames = xrealloc(fo->newnames, (fo->nreplaced + 1) *
					sizeof(*fo->newnames));
		fo->sources = xrealloc(fo->sources, (fo->nreplaced + 1) *
				       sizeof(*fo->sources));
		fo->local = xrealloc(fo->local, (fo->nreplaced + 1) *
				     sizeof(*fo->local));
		fo->replaced[fo->nreplaced] = xstrdup(s->name);
		fo->newnames[fo->nreplaced] = xstrdup(ed[i].name);
		fo->sources[fo->nreplaced] = x->d->source;
		fo->local[fo->nreplaced++] =
			GELF_ST_BIND(s->st.st_info) == STB_LOCAL;
	}
}

/* Locals first, as ELF requires; *@newidx by input symbol. */
static size_t *order_symbols(const struct extract *x,
			     const struct kelf_symedit *ed, size_t *n,
			     size_t *nlocals, size_t *newidx)
{
	size_t *order = xcalloc(x->k->nsyms, sizeof(*order)), i, pass;

	*n = 1;
	for (pass = 0; pass < 2; pass++) {
		for (i = 1; i < x->k->nsyms; i++) {
			bool local = GELF_ST_BIND(ed[i].st.st_info) == STB_LOCAL;

			if (x->use[i] == USE_DROP || local != !pass)
				continue;
			newidx[i] = *n;
			order[(*n)++] = i;
		}
		if (!pass)
			*nlocals = *n;
	}
	return order;
}

/* The relocations of carried section @i, with output symbol indices. */
static GElf_Rela *carried_relas(struct extract *x, size_t i,
				const size_t *newidx, size_t *n)
{
	size_t rel = x->d->rela_of[i], j, total = fix_nrela(x->k, rel), sym;
	GElf_Rela *out = xcalloc(total, sizeof(*out));
	GElf_Sxword addend;

	*n = 0;
	for (j = 0; j < total; j++) {
		GElf_Rela r;

		if (!gelf_getrela(x->k->secs[rel].data, j, &r) ||
		    !rela_carried(x, i, &r))
			continue;
		resolve(x, &r, &sym, &addend);
		if (x->entsize[i])
			r.r_offset = table_offset(x, i, r.r_offset);
		r.r_info = GELF_R_INFO(newidx[sym], GELF_R_TYPE(r.r_info));
		r.r_addend = addend;
		out[(*n)++] = r;
	}
	return out;
}

static void table_bytes(const struct extract *x, size_t i,
			struct kelf_bytes *b)
{
	const struct kelf_sec *s = &x->k->secs[i];
	size_t e = x->entsize[i], j, n = s->sh.sh_size / e;

	b->buf = xcalloc(s->sh.sh_size, 1);
	b->size = 0;
	for (j = 0; j < n; j++) {
		if (!x->entry[i][j])
			continue;
		memcpy((char *)b->buf + b->size, (char *)s->data->d_buf + j * e,
		       e);
		b->size += e;
	}
}

/*
 * A table in link order (__patchable_function_entries) follows the text
 * of its first carried entry: the one it named may be left out.
 */
static size_t table_link(const struct extract *x, size_t i)
{
	size_t rel = x->d->rela_of[i], j, t;
	GElf_Addr off;

	if (!(x->k->secs[i].sh.sh_flags & SHF_LINK_ORDER))
		return 0;
	for (j = 0; j < fix_nrela(x->k, rel); j++) {
		GElf_Rela r;

		if (!gelf_getrela(x->k->secs[rel].data, j, &r) ||
		    !rela_carried(x, i, &r))
			continue;
		t = target_section(x->k, &r, &off);
		if (t && x->kept[t])
			return t;
	}
	return 0;
}

static bool table_empty(const struct extract *x, size_t i)
{
	size_t j, n = x->k->secs[i].sh.sh_size / x->entsize[i];

	for (j = 0; j < n; j++)
		if (x->entry[i][j])
			return false;
	return true;
}

static int write_object(struct extract *x, struct kelf_symedit *ed,
			const char *out)
{
	const struct kelf *k = x->k;
	size_t n = k->shnum, i, nsym, nlocals;
	size_t *newidx = xcalloc(k->nsyms, sizeof(*newidx)), *order;
	struct kelf_edit e = {
		.in = k,
		.drop = xcalloc(n, sizeof(bool)),
		.rela = xcalloc(n, sizeof(GElf_Rela *)),
		.nrela = xcalloc(n, sizeof(size_t)),
		.bytes = xcalloc(n, sizeof(struct kelf_bytes)),
		.link = xcalloc(n, sizeof(size_t)),
		.sym = ed,
	};
	int ret;

	order = order_symbols(x, ed, &nsym, &nlocals, newidx);
	e.symorder = order;
	e.nsymout = nsym;
	e.nlocals = nlocals;
	for (i = 1; i < n; i++) {
		const GElf_Shdr *sh = &k->secs[i].sh;
		size_t target = sh->sh_type == SHT_RELA ? sh->sh_info : i;
		bool table = target < n && x->entsize[target];

		if (table && table_empty(x, target))
			table = false;
		e.drop[i] = !(target < n && (x->kept[target] || table)) &&
			    i != k->symtab && i != k->shstrndx &&
			    i != k->secs[k->symtab].sh.sh_link &&
			    strcmp(k->secs[i].name, ".note.GNU-stack");
		if (e.drop[i])
			continue;
		if (sh->sh_type == SHT_RELA)
			e.rela[i] = carried_relas(x, target, newidx,
						  &e.nrela[i]);
		else if (table) {
			table_bytes(x, i, &e.bytes[i]);
			e.link[i] = table_link(x, i);
		}
	}
	ret = kelf_write(&e, out);
	for (i = 1; i < n; i++) {
		free(e.rela[i]);
		free(e.bytes[i].buf);
	}
	free(e.drop);
	free(e.rela);
	free(e.nrela);
	free(e.bytes);
	free(e.link);
	free(order);
	free(newidx);
	return ret;
}

int fix_extract(struct fix_diff *d, const char *out, struct fix_out *fo)
{
	const struct kelf *k = &d->after;
	struct kelf_symedit *ed = xcalloc(k->nsyms, sizeof(*ed));
	struct extract x = {
		.d = d,
		.k = k,
		.kept = xcalloc(k->shnum, sizeof(bool)),
		.entsize = xcalloc(k->shnum, sizeof(size_t)),
		.entry = xcalloc(k->shnum, sizeof(bool *)),
		.use = xcalloc(k->nsyms, sizeof(unsigned char)),
	};
	bool grew = true;
	size_t i;
	int ret;

	ret = pick_sections(&x) || pick_entries(&x) ? -1 : 0;
	while (!ret && grew) {
		grew = false;
		ret = close_over(&x, &grew);
	}
	if (!ret) {
		pick_symbols(&x, ed, fo);
		ret = write_object(&x, ed, out);
	}
	for (i = 0; i < k->nsyms; i++)
		free((char *)ed[i].name);
	for (i = 0; i < k->shnum; i++)
		free(x.entry[i]);
	free(ed);
	free(x.kept);
	free(x.entsize);
	free(x.entry);
	free(x.use);
	return ret;
}

void fix_out_free(struct fix_out *fo)
{
	size_t i;

	for (i = 0; i < fo->nreplaced; i++) {
		free(fo->replaced[i]);
		free(fo->newnames[i]);
	}
	free(fo->replaced);
	free(fo->newnames);
	free(fo->sources);
	free(fo->local);
	for (i = 0; i < fo->nadded; i++)
		free(fo->added[i]);
	free(fo->added);
	for (i = 0; i < fo->nrefs; i++)
		free(fo->refs[i].name);
	free(fo->refs);
	memset(fo, 0, sizeof(*fo));
}
