// SPDX-License-Identifier: GPL-2.0-only
/*
 * Which functions and data a fix changes: the object built after it
 * against the one built before, symbol by symbol.
 *
 * Two functions are the same when their bytes are and their relocations
 * are, at the same offsets with the same types and targets.  A target is
 * named so that placement does not count: a symbol by its name (a static
 * local's ".123" dropped: the number moves when locals are added), a
 * local label or section symbol by what it points at: an offset in the
 * function itself, a string by its characters, else the function or
 * datum that covers it and the offset in it, else the section's name and
 * the offset, whose bytes are compared as well (a jump table).
 *
 * Refused here, naming the symbol: a changed datum (a live patch cannot
 * change data that exists), and a changed function the kernel would
 * refuse to patch, by the rules of core/wo_ftrace_refuse.c that an object
 * shows: __init or another section the kernel keeps apart, shorter than
 * the jump, NOKPROBE, a jump label in its first 8 bytes, run by live
 * patching itself.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "klpmake.h"

#define KLP_JUMP_SIZE	8

bool fix_is_anon(const struct kelf_sym *s)
{
	int type = GELF_ST_TYPE(s->st.st_info);

	if (type == STT_SECTION)
		return true;
	return type == STT_NOTYPE && GELF_ST_BIND(s->st.st_info) == STB_LOCAL &&
	       (!*s->name || !strncmp(s->name, ".L", 2));
}

/* The function (or datum, by @type) of section @shndx that holds @off. */
const struct kelf_sym *fix_cover(const struct kelf *k, size_t shndx,
				 GElf_Addr off, int type)
{
	size_t i;

	for (i = 1; i < k->nsyms; i++) {
		const struct kelf_sym *s = &k->syms[i];

		if (s->st.st_shndx != shndx ||
		    GELF_ST_TYPE(s->st.st_info) != type)
			continue;
		if (off >= s->st.st_value &&
		    (off < s->st.st_value + s->st.st_size ||
		     off == s->st.st_value))
			return s;
	}
	return NULL;
}

size_t *fix_rela_index(const struct kelf *k)
{
	size_t *rela_of = xcalloc(k->shnum, sizeof(*rela_of)), i;

	for (i = 1; i < k->shnum; i++)
		if (k->secs[i].sh.sh_type == SHT_RELA &&
		    k->secs[i].sh.sh_info < k->shnum)
			rela_of[k->secs[i].sh.sh_info] = i;
	return rela_of;
}

size_t fix_nrela(const struct kelf *k, size_t relsec)
{
	const GElf_Shdr *sh = &k->secs[relsec].sh;

	if (!relsec || !sh->sh_entsize || !k->secs[relsec].data)
		return 0;
	return sh->sh_size / sh->sh_entsize;
}

/* "var" for a static local "var.123", else the name. */
static bool is_static_local(const struct kelf_sym *s);

static char *base_name(const struct kelf_sym *s)
{
	if (is_static_local(s))
		return xasprintf("%.*s", (int)(strrchr(s->name, '.') - s->name),
				 s->name);
	return xstrdup(s->name);
}

/* A range of a section: a function, a datum or an anonymous section. */
struct range {
	const struct kelf *k;
	const size_t *rela_of;
	size_t shndx;
	GElf_Addr start;
	GElf_Xword size;
};

/*
 * A string by its characters; but in data, "file.c:123" (__FILE__ ":"
 * __LINE__, the name a static timer gives lockdep) without its line: the
 * running kernel's datum names its own line, and a fix that moves the
 * definition does not change the datum.
 */
static char *string_key(const struct range *rg, const char *str)
{
	const char *colon = strrchr(str, ':');

	if (!(rg->k->secs[rg->shndx].sh.sh_flags & SHF_EXECINSTR) && colon &&
	    colon - str > 2 && colon[1] &&
	    strspn(colon + 1, "0123456789") == strlen(colon + 1) &&
	    (!strncmp(colon - 2, ".c", 2) || !strncmp(colon - 2, ".h", 2)) &&
	    !strpbrk(str, " \t\n"))
		return xasprintf("\"%.*s:LINE\"", (int)(colon - str), str);
	return xasprintf("\"%s\"", str);
}

/*
 * What relocation @r of @rg points at, placement aside.  *@anon is set to
 * the section when that is all that names it.
 */
static char *target_key(const struct range *rg, const GElf_Rela *r,
			size_t *anon)
{
	const struct kelf *k = rg->k;
	const struct kelf_sym *s = &k->syms[GELF_R_SYM(r->r_info)];
	const struct kelf_sec *sec;
	const struct kelf_sym *cover;
	GElf_Addr off;
	char *name, *key;

	*anon = 0;
	if (!GELF_R_SYM(r->r_info))
		return xasprintf("%+ld", (long)r->r_addend);
	if (!fix_is_anon(s) || s->st.st_shndx == SHN_UNDEF ||
	    s->st.st_shndx >= k->shnum) {
		name = base_name(s);
		key = xasprintf("%s%+ld", name, (long)r->r_addend);
		free(name);
		return key;
	}
	off = s->st.st_value + r->r_addend;
	if (s->st.st_shndx == rg->shndx)
		return xasprintf(".%+ld", (long)(off - rg->start));
	sec = &k->secs[s->st.st_shndx];
	if ((sec->sh.sh_flags & SHF_STRINGS) && sec->data &&
	    off < sec->data->d_size &&
	    memchr((char *)sec->data->d_buf + off, '\0', sec->data->d_size - off))
		return string_key(rg, (char *)sec->data->d_buf + off);
	cover = fix_cover(k, s->st.st_shndx, off, STT_FUNC);
	if (!cover)
		cover = fix_cover(k, s->st.st_shndx, off, STT_OBJECT);
	if (cover) {
		name = base_name(cover);
		key = xasprintf("%s%+ld", name, (long)(off - cover->st.st_value));
		free(name);
		return key;
	}
	*anon = s->st.st_shndx;
	return xasprintf("%s%+ld", sec->name, (long)off);
}

static void range_relas(const struct range *rg, GElf_Rela **out, size_t *n)
{
	size_t rel = rg->rela_of[rg->shndx], i, total = fix_nrela(rg->k, rel);
	Elf_Data *d = total ? rg->k->secs[rel].data : NULL;

	*out = xcalloc(total, sizeof(**out));
	*n = 0;
	for (i = 0; i < total; i++) {
		GElf_Rela r;

		if (!gelf_getrela(d, i, &r))
			continue;
		if (r.r_offset >= rg->start &&
		    r.r_offset < rg->start + rg->size)
			(*out)[(*n)++] = r;
	}
}

static bool section_range(const struct kelf *k, const size_t *rela_of,
			  const char *name, struct range *rg)
{
	size_t i;

	for (i = 1; i < k->shnum; i++) {
		if (strcmp(k->secs[i].name, name))
			continue;
		rg->k = k;
		rg->rela_of = rela_of;
		rg->shndx = i;
		rg->start = 0;
		rg->size = k->secs[i].sh.sh_size;
		return true;
	}
	return false;
}

static bool range_equal(const struct range *a, const struct range *b,
			int depth);

/* An anonymous section both sides point at, e.g. a switch's jump table. */
static bool anon_equal(const struct range *a, size_t sa, const struct range *b,
		       size_t sb)
{
	struct range ra, rb;

	if (!section_range(a->k, a->rela_of, a->k->secs[sa].name, &ra) ||
	    !section_range(b->k, b->rela_of, b->k->secs[sb].name, &rb))
		return false;
	return range_equal(&ra, &rb, 1);
}

static bool bytes_equal(const struct range *a, const struct range *b)
{
	const struct kelf_sec *sa = &a->k->secs[a->shndx];
	const struct kelf_sec *sb = &b->k->secs[b->shndx];

	if (a->size != b->size)
		return false;
	if (sa->sh.sh_type == SHT_NOBITS || sb->sh.sh_type == SHT_NOBITS)
		return sa->sh.sh_type == sb->sh.sh_type;
	if (!sa->data || !sb->data ||
	    a->start + a->size > sa->data->d_size ||
	    b->start + b->size > sb->data->d_size)
		return false;
	return !memcmp((char *)sa->data->d_buf + a->start,
		       (char *)sb->data->d_buf + b->start, a->size);
}

static bool range_equal(const struct range *a, const struct range *b,
			int depth)
{
	GElf_Rela *ra, *rb;
	size_t na, nb, i, anon_a, anon_b;
	bool equal;

	if (!bytes_equal(a, b))
		return false;
	range_relas(a, &ra, &na);
	range_relas(b, &rb, &nb);
	equal = na == nb;
	for (i = 0; equal && i < na; i++) {
		char *ka, *kb;

		if (ra[i].r_offset - a->start != rb[i].r_offset - b->start ||
		    GELF_R_TYPE(ra[i].r_info) != GELF_R_TYPE(rb[i].r_info)) {
			equal = false;
			break;
		}
		ka = target_key(a, &ra[i], &anon_a);
		kb = target_key(b, &rb[i], &anon_b);
		equal = !strcmp(ka, kb);
		if (equal && anon_a && anon_b && !depth)
			equal = anon_equal(a, anon_a, b, anon_b);
		free(ka);
		free(kb);
	}
	free(ra);
	free(rb);
	return equal;
}

static bool is_compared(const struct kelf *k, const struct kelf_sym *s)
{
	int type = GELF_ST_TYPE(s->st.st_info);
	const char *sec;

	if ((type != STT_FUNC && type != STT_OBJECT) ||
	    s->st.st_shndx == SHN_UNDEF || s->st.st_shndx >= k->shnum)
		return false;
	sec = k->secs[s->st.st_shndx].name;
	/* Kernel bookkeeping that does not reach the patch module */
	return strncmp(sec, ".discard", 8) && strcmp(sec, ".export_symbol") &&
	       strcmp(sec, ".modinfo") && strncmp(sec, "__ksymtab", 9);
}

/* The symbol of @k that @s of the other object is (the @nth of its name). */
static const struct kelf_sym *match(const struct kelf *k,
				    const struct kelf_sym *s, size_t nth)
{
	char *want = base_name(s), *name;
	const struct kelf_sym *found = NULL;
	size_t i;

	for (i = 1; i < k->nsyms && !found; i++) {
		const struct kelf_sym *c = &k->syms[i];

		if (GELF_ST_TYPE(c->st.st_info) != GELF_ST_TYPE(s->st.st_info) ||
		    !is_compared(k, c))
			continue;
		name = base_name(c);
		if (!strcmp(name, want) && !nth--)
			found = c;
		free(name);
	}
	free(want);
	return found;
}

static bool is_static_local(const struct kelf_sym *s)
{
	const char *dot = strrchr(s->name, '.');

	return GELF_ST_TYPE(s->st.st_info) == STT_OBJECT &&
	       GELF_ST_BIND(s->st.st_info) == STB_LOCAL && dot && dot[1] &&
	       strspn(dot + 1, "0123456789") == strlen(dot + 1);
}

/*
 * The static local @s belongs to the function that uses it: of those whose
 * code refers to it (by its symbol or its section and an offset in it),
 * the first by name.  NULL if no code does.
 */
static const char *owner_of(const struct kelf *k, const size_t *rela_of,
			    const struct kelf_sym *s)
{
	const char *owner = NULL;
	size_t i, j;

	for (i = 1; i < k->shnum; i++) {
		if (!(k->secs[i].sh.sh_flags & SHF_EXECINSTR))
			continue;
		for (j = 0; j < fix_nrela(k, rela_of[i]); j++) {
			const struct kelf_sym *t, *f;
			GElf_Rela r;
			GElf_Addr at;

			if (!gelf_getrela(k->secs[rela_of[i]].data, j, &r))
				continue;
			t = &k->syms[GELF_R_SYM(r.r_info)];
			at = t->st.st_value + r.r_addend;
			if (t != s && !(fix_is_anon(t) &&
					t->st.st_shndx == s->st.st_shndx &&
					at >= s->st.st_value &&
					at < s->st.st_value + s->st.st_size))
				continue;
			f = fix_cover(k, i, r.r_offset, STT_FUNC);
			if (f && (!owner || strcmp(f->name, owner) < 0))
				owner = f->name;
		}
	}
	return owner;
}

/* How many symbols before @s in its object share its base name and type. */
static size_t rank(const struct kelf *k, const struct kelf_sym *s)
{
	char *want = base_name(s), *name;
	size_t i, n = 0;

	for (i = 1; i < s->idx; i++) {
		const struct kelf_sym *c = &k->syms[i];

		if (GELF_ST_TYPE(c->st.st_info) != GELF_ST_TYPE(s->st.st_info) ||
		    !is_compared(k, c))
			continue;
		name = base_name(c);
		n += !strcmp(name, want);
		free(name);
	}
	free(want);
	return n;
}

/*
 * A static local's match: the one of its name whose owner has the name
 * of its own owner.  Their numbers say nothing, the compiler hands them
 * out anew as the file changes; a local of a function the fix adds is new.
 * One that no code uses is matched by its rank among its namesakes.
 */
static const struct kelf_sym *match_local(const struct fix_diff *d,
					  const struct kelf_sym *s)
{
	const char *owner = owner_of(&d->after, d->rela_of, s);
	const struct kelf_sym *found = NULL;
	size_t *before_rela;
	char *want, *name;
	size_t i;

	if (!owner)
		return match(&d->before, s, rank(&d->after, s));
	before_rela = fix_rela_index(&d->before);
	want = base_name(s);

	for (i = 1; i < d->before.nsyms && !found; i++) {
		const struct kelf_sym *c = &d->before.syms[i];
		const char *o;

		if (!is_static_local(c) || !is_compared(&d->before, c))
			continue;
		name = base_name(c);
		o = strcmp(name, want) ? NULL :
		    owner_of(&d->before, before_rela, c);
		if (o && !strcmp(o, owner))
			found = c;
		free(name);
	}
	free(before_rela);
	free(want);
	return found;
}

static const char * const apart_sections[][2] = {
	{ ".init.", "is __init code: it has run and is gone, a live patch cannot change it" },
	{ ".exit.", "is __exit code, not in the running kernel" },
	{ ".head.text", "is boot code (.head.text), run once" },
	{ ".sched.text", "is scheduler code (.sched.text), which the kernel refuses to patch" },
	{ ".entry.text", "is exception entry code, which the kernel refuses to patch" },
	{ ".irqentry.text", "is irq entry code, which the kernel refuses to patch" },
	{ ".noinstr.text", "is noinstr code, which the kernel refuses to patch" },
	{ ".kprobes.text", "is kprobes code (.kprobes.text), which the kernel refuses to patch" },
	{ ".cpuidle.text", "is cpuidle code, which the kernel refuses to patch" },
};

/*
 * Where a pc-relative branch or jump at @p leads, as the kernel's
 * klp_insn_branch_target() decodes it (c.jal's encoding included).
 */
static bool branch_offset(const unsigned char *p, long *off)
{
	unsigned int c = p[0] | p[1] << 8, op = c & 3, f3 = c >> 13;
	unsigned int i = c | (unsigned int)(p[2] | p[3] << 8) << 16;

	if (op == 3 && (i & 0x7f) == 0x63)		/* B-type */
		*off = ((i >> 31) ? -4096L : 0) | ((i >> 7) & 1) << 11 |
		       ((i >> 25) & 0x3f) << 5 | ((i >> 8) & 0xf) << 1;
	else if (op == 3 && (i & 0x7f) == 0x6f)		/* jal */
		*off = ((i >> 31) ? -(1L << 20) : 0) | ((i >> 12) & 0xff) << 12 |
		       ((i >> 20) & 1) << 11 | ((i >> 21) & 0x3ff) << 1;
	else if (op == 1 && (f3 == 5 || f3 == 1))	/* c.j, c.jal */
		*off = ((c >> 12) & 1 ? -2048L : 0) | ((c >> 8) & 1) << 10 |
		       ((c >> 9) & 3) << 8 | ((c >> 6) & 1) << 7 |
		       ((c >> 7) & 1) << 6 | ((c >> 2) & 1) << 5 |
		       ((c >> 11) & 1) << 4 | ((c >> 3) & 7) << 1;
	else if (op == 1 && (f3 == 6 || f3 == 7))	/* c.beqz, c.bnez */
		*off = ((c >> 12) & 1 ? -256L : 0) | ((c >> 5) & 3) << 6 |
		       ((c >> 2) & 1) << 5 | ((c >> 10) & 3) << 3 |
		       ((c >> 3) & 3) << 1;
	else
		return false;
	return true;
}

/* The ftrace kernel's nops come first: the jump goes after them. */
static GElf_Addr window_start(const struct kelf *k, const struct kelf_sym *s)
{
	size_t i, j, rel;
	const size_t *rela_of = NULL;
	GElf_Addr at = 0;

	for (i = 1; i < k->shnum && !at; i++) {
		if (strcmp(k->secs[i].name, "__patchable_function_entries"))
			continue;
		if (!rela_of)
			rela_of = fix_rela_index(k);
		rel = rela_of[i];
		for (j = 0; j < fix_nrela(k, rel) && !at; j++) {
			const struct kelf_sym *t;
			GElf_Rela r;

			if (!gelf_getrela(k->secs[rel].data, j, &r))
				continue;
			t = &k->syms[GELF_R_SYM(r.r_info)];
			if (t->st.st_shndx == s->st.st_shndx &&
			    t->st.st_value + r.r_addend == s->st.st_value)
				at = KLP_JUMP_SIZE;
		}
	}
	free((void *)rela_of);
	return at;
}

/*
 * The kernel's checks of the old function's code (@old, in the object
 * built before the fix, which is the running kernel's): no branch into
 * the bytes the jump replaces, and in the per-task model none among
 * them, since they run out of line.  Writes the reason to @why.
 */
static bool window_refused(const struct fix_diff *d, const struct kelf_sym *old,
			   char *why, size_t len)
{
	const struct kelf_sec *sec = &d->before.secs[old->st.st_shndx];
	const unsigned char *text;
	GElf_Addr start = window_start(&d->before, old), pc;
	unsigned char insn[4];
	long off;

	if (!sec->data || !sec->data->d_buf ||
	    old->st.st_value + old->st.st_size > sec->data->d_size)
		return false;
	text = (const unsigned char *)sec->data->d_buf + old->st.st_value;
	for (pc = 0; pc + 2 <= old->st.st_size; pc += (insn[0] & 3) == 3 ? 4 : 2) {
		memset(insn, 0, sizeof(insn));
		memcpy(insn, text + pc, old->st.st_size - pc < 4 ?
		       old->st.st_size - pc : 4);
		if (!branch_offset(insn, &off))
			continue;
		if ((GElf_Addr)(pc + off) > start &&
		    (GElf_Addr)(pc + off) < start + KLP_JUMP_SIZE) {
			snprintf(why, len,
				 "has a branch at +%lu to +%lu, inside the 8 bytes the jump replaces",
				 (unsigned long)pc, (unsigned long)(pc + off));
			return true;
		}
		if (d->per_task && pc >= start && pc < start + KLP_JUMP_SIZE) {
			snprintf(why, len,
				 "has a branch at +%lu, among the bytes the per-task model runs out of line",
				 (unsigned long)pc);
			return true;
		}
	}
	return false;
}

/*
 * What the kernel's klp_check_patchable() would say of a changed function:
 * it judges the running code, @old in @d->before (@rela_of: its .rela).
 */
static const char *unpatchable(const struct fix_diff *d,
			       const struct kelf_sym *old, const size_t *rela_of)
{
	const struct kelf *k = &d->before;
	const char *sec = k->secs[old->st.st_shndx].name;
	char *kbl = xasprintf("_kbl_addr_%s", old->name);
	size_t i, jt = 0;

	for (i = 0; i < ARRAY_SIZE(apart_sections); i++)
		if (!strncmp(sec, apart_sections[i][0],
			     strlen(apart_sections[i][0]))) {
			free(kbl);
			return apart_sections[i][1];
		}
	for (i = 1; i < k->nsyms; i++)
		if (!strcmp(k->syms[i].name, kbl))
			break;
	free(kbl);
	if (i < k->nsyms)
		return "is on the kprobe blacklist (NOKPROBE_SYMBOL), which the kernel refuses";
	if (old->st.st_size < KLP_JUMP_SIZE)
		return "is shorter than the 8-byte jump";
	if (!strncmp(old->name, "klp_", 4) || !strncmp(old->name, "__klp_", 6) ||
	    !strncmp(old->name, "arch_klp_", 9))
		return "is run by live patching itself";
	for (i = 1; i < k->shnum; i++)
		if (!strcmp(k->secs[i].name, "__jump_table"))
			jt = rela_of[i];
	/* A jump entry's code field: the pair's first relocation at 16n. */
	for (i = 0; i < fix_nrela(k, jt); i++) {
		const struct kelf_sym *t;
		GElf_Rela r;
		GElf_Addr at;

		if (!gelf_getrela(k->secs[jt].data, i, &r) || r.r_offset % 16 ||
		    GELF_R_TYPE(r.r_info) != R_RISCV_ADD32)
			continue;
		t = &k->syms[GELF_R_SYM(r.r_info)];
		at = t->st.st_value + r.r_addend;
		if (t->st.st_shndx == old->st.st_shndx &&
		    at >= old->st.st_value &&
		    at < old->st.st_value + KLP_JUMP_SIZE)
			return "has a jump label inside the 8 bytes the jump replaces";
	}
	return NULL;
}

static int classify(struct fix_diff *d, const struct kelf_sym *s)
{
	const struct kelf_sym *old = is_static_local(s) ? match_local(d, s) :
		match(&d->before, s, rank(&d->after, s));
	bool func = GELF_ST_TYPE(s->st.st_info) == STT_FUNC;
	struct range ra = {
		&d->after, d->rela_of, s->st.st_shndx, s->st.st_value,
		s->st.st_size,
	}, rb;
	size_t *before_rela;
	const char *why;
	char reason[160];
	bool equal;

	if (!old) {
		d->state[s->idx] = FIX_NEW;
		d->added += func;
		return 0;
	}
	d->old[s->idx] = old->idx;
	before_rela = fix_rela_index(&d->before);
	rb = (struct range){
		&d->before, before_rela, old->st.st_shndx, old->st.st_value,
		old->st.st_size,
	};
	equal = range_equal(&ra, &rb, 0);
	why = func && !equal ? unpatchable(d, old, before_rela) : NULL;
	free(before_rela);
	if (equal) {
		d->state[s->idx] = FIX_SAME;
		d->same += func;
		return 0;
	}
	d->state[s->idx] = FIX_CHANGED;
	d->changed += func;
	if (!func) {
		pr_err("%s: the fix changes data '%s' (its initial value, size or what it points to): a live patch cannot change data the kernel has; keep it and add a shadow variable (klp_shadow_get_or_alloc) or a klp_state in a patch written by hand",
		       d->source, s->name);
		return -1;
	}
	if (why) {
		pr_err("%s: changed function '%s' %s: not patched",
		       d->source, s->name, why);
		return -1;
	}
	if (window_refused(d, old, reason, sizeof(reason))) {
		pr_err("%s: changed function '%s' %s: the kernel refuses to patch it",
		       d->source, s->name, reason);
		return -1;
	}
	return 0;
}

int fix_compare(struct fix_diff *d)
{
	size_t i;
	int ret = 0;

	d->rela_of = fix_rela_index(&d->after);
	d->state = xcalloc(d->after.nsyms, sizeof(*d->state));
	d->old = xcalloc(d->after.nsyms, sizeof(*d->old));
	for (i = 1; i < d->after.nsyms; i++)
		if (is_compared(&d->after, &d->after.syms[i]) &&
		    classify(d, &d->after.syms[i]))
			ret = -1;
	return ret;
}

void fix_diff_free(struct fix_diff *d)
{
	free(d->rela_of);
	free(d->state);
	free(d->old);
	kelf_close(&d->before);
	kelf_close(&d->after);
}
