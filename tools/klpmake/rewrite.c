// SPDX-License-Identifier: GPL-2.0-only
/*
 * Turn the built module into a livepatch module (module-elf-format.rst):
 * each relocation against a symbol livepatch resolves moves from its
 * .rela<section> to ".klp.rela.<obj><section>" (SHT_RELA, SHF_ALLOC |
 * SHF_INFO_LINK | SHF_RELA_LIVEPATCH), and the symbol is renamed
 * ".klp.sym.<obj>.<name>,<sympos>" with st_shndx SHN_LIVEPATCH.
 *
 * RISC-V pairs: a PCREL_LO12_I/S relocation names the label of its auipc,
 * not the kernel symbol, and the module loader looks for the auipc's
 * PCREL_HI20/GOT_HI20 in the same relocation section.  So a LO12 follows
 * its HI20 into the .klp.rela section, keeping its label symbol.  The
 * same holds for the ADD/SUB pair of a difference ("key - ." in a jump
 * label's __jump_table entry): the loader sums the relocations of one
 * place only within one section, so the SUB on the local label follows
 * the ADD on the kernel symbol.  The RELAX hint after a moved relocation
 * is dropped: modules are relocated without relaxation.  A .rela section
 * left empty is removed.
 *
 * kelf_write() writes the result: no symbol is added or removed, so
 * .symtab keeps its locals first and its sh_info.
 */
#include <stdlib.h>
#include <string.h>

#include "klpmake.h"

#ifndef R_RISCV_PLT32
#define R_RISCV_PLT32		59	/* not in older <elf.h> */
#endif

enum fate { KEEP, MOVE, DROP };

/* The moved relocations of one (object, patched section) pair. */
struct bucket {
	const struct target *obj;
	size_t target;		/* section index in the module */
	GElf_Rela *r;
	size_t n;
	size_t cap;
};

struct rewrite {
	const struct kelf *mod;
	bool module_got;		/* the loader can make GOT entries */
	const struct klp_ref **ref;	/* by symbol index, NULL if none */
	struct kelf_edit edit;		/* for kelf_write() */
	struct bucket *b;
	size_t nb;
};

/* One .rela section while split_section() sorts out its entries. */
struct split {
	const struct kelf_sec *rsec;
	size_t n;
	GElf_Rela *all;
	enum fate *fate;
	const struct klp_ref **mover;	/* by entry: the reference it moves for */
};

static const char *rtype_name(unsigned int type)
{
	switch (type) {
	case R_RISCV_32:		return "R_RISCV_32";
	case R_RISCV_64:		return "R_RISCV_64";
	case R_RISCV_BRANCH:		return "R_RISCV_BRANCH";
	case R_RISCV_JAL:		return "R_RISCV_JAL";
	case R_RISCV_CALL:		return "R_RISCV_CALL";
	case R_RISCV_CALL_PLT:		return "R_RISCV_CALL_PLT";
	case R_RISCV_GOT_HI20:		return "R_RISCV_GOT_HI20";
	case R_RISCV_PCREL_HI20:	return "R_RISCV_PCREL_HI20";
	case R_RISCV_HI20:		return "R_RISCV_HI20";
	case R_RISCV_LO12_I:		return "R_RISCV_LO12_I";
	case R_RISCV_LO12_S:		return "R_RISCV_LO12_S";
	case R_RISCV_TPREL_HI20:	return "R_RISCV_TPREL_HI20";
	case R_RISCV_TLS_GOT_HI20:	return "R_RISCV_TLS_GOT_HI20";
	case R_RISCV_PLT32:		return "R_RISCV_PLT32";
	case R_RISCV_32_PCREL:		return "R_RISCV_32_PCREL";
	case R_RISCV_ADD8:		return "R_RISCV_ADD8";
	case R_RISCV_ADD16:		return "R_RISCV_ADD16";
	case R_RISCV_ADD32:		return "R_RISCV_ADD32";
	case R_RISCV_ADD64:		return "R_RISCV_ADD64";
	case R_RISCV_SUB8:		return "R_RISCV_SUB8";
	case R_RISCV_SUB16:		return "R_RISCV_SUB16";
	case R_RISCV_SUB32:		return "R_RISCV_SUB32";
	case R_RISCV_SUB64:		return "R_RISCV_SUB64";
	case R_RISCV_SUB6:		return "R_RISCV_SUB6";
	case R_RISCV_SET6:		return "R_RISCV_SET6";
	case R_RISCV_SET8:		return "R_RISCV_SET8";
	case R_RISCV_SET16:		return "R_RISCV_SET16";
	case R_RISCV_SET32:		return "R_RISCV_SET32";
	case R_RISCV_PCREL_LO12_I:	return "R_RISCV_PCREL_LO12_I";
	case R_RISCV_PCREL_LO12_S:	return "R_RISCV_PCREL_LO12_S";
	case R_RISCV_RVC_BRANCH:	return "R_RISCV_RVC_BRANCH";
	case R_RISCV_RVC_JUMP:		return "R_RISCV_RVC_JUMP";
	case R_RISCV_RELAX:		return "R_RISCV_RELAX";
	case R_RISCV_ALIGN:		return "R_RISCV_ALIGN";
	case R_RISCV_TPREL_LO12_I:	return "R_RISCV_TPREL_LO12_I";
	case R_RISCV_TPREL_LO12_S:	return "R_RISCV_TPREL_LO12_S";
	case R_RISCV_TPREL_ADD:		return "R_RISCV_TPREL_ADD";
	default:			return NULL;
	}
}

/*
 * Relocation types against a livepatch symbol that the RISC-V module
 * loader can apply once livepatch has resolved it.  GOT_HI20 is fine for
 * vmlinux when the kernel has CONFIG_MODULE_SECTIONS: the loader counts
 * GOT entries over every SHT_RELA section, .klp.rela ones included, and
 * fills the entry while the patch module loads (without it, refused
 * here).  To a module it is refused by the kernel (warned about here).
 * ADD32/ADD64 are the symbol's half of a difference; its SUB follows.
 */
static bool rtype_ok(unsigned int type)
{
	switch (type) {
	case R_RISCV_ADD32:
	case R_RISCV_ADD64:
	case R_RISCV_64:
	case R_RISCV_CALL:
	case R_RISCV_CALL_PLT:
	case R_RISCV_PCREL_HI20:
	case R_RISCV_GOT_HI20:
	case R_RISCV_PLT32:
	case R_RISCV_32_PCREL:
		return true;
	default:
		return false;
	}
}

static bool is_hi20(unsigned int type)
{
	return type == R_RISCV_PCREL_HI20 || type == R_RISCV_GOT_HI20;
}

static bool is_lo12(unsigned int type)
{
	return type == R_RISCV_PCREL_LO12_I || type == R_RISCV_PCREL_LO12_S;
}

/*
 * The half of a 32- or 64-bit difference that the loader sums with the
 * other (the kernel lets a SUB of these name a label: patch 0007).
 */
static bool is_add_sub(unsigned int type)
{
	switch (type) {
	case R_RISCV_ADD32:
	case R_RISCV_ADD64:
	case R_RISCV_SUB32:
	case R_RISCV_SUB64:
		return true;
	default:
		return false;
	}
}

static struct bucket *bucket_of(struct rewrite *rw, const struct target *obj,
				size_t target)
{
	size_t i;

	for (i = 0; i < rw->nb; i++)
		if (rw->b[i].obj == obj && rw->b[i].target == target)
			return &rw->b[i];
	rw->b = xrealloc(rw->b, (rw->nb + 1) * sizeof(*rw->b));
	memset(&rw->b[rw->nb], 0, sizeof(*rw->b));
	rw->b[rw->nb].obj = obj;
	rw->b[rw->nb].target = target;
	return &rw->b[rw->nb++];
}

static void bucket_add(struct bucket *b, const GElf_Rela *r)
{
	if (b->n == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 16;
		b->r = xrealloc(b->r, b->cap * sizeof(*b->r));
	}
	b->r[b->n++] = *r;
}

/* Which livepatch relocation may stay where it is, which must move. */
static int check_rela(const struct rewrite *rw, const struct kelf_sec *rsec,
		      const GElf_Rela *r, const struct klp_ref *ref)
{
	const struct kelf *mod = rw->mod;
	const struct kelf_sec *tsec = &mod->secs[rsec->sh.sh_info];
	unsigned int type = GELF_R_TYPE(r->r_info);
	const char *name = mod->syms[ref->symidx].name;
	const char *tname = rtype_name(type);

	if (!strcmp(tsec->name, "__jump_table") && !ref->obj->vmlinux) {
		pr_err("symbol '%s': a static key of module %s, used by a jump label (a tracepoint or static branch) at %s+0x%llx: the patch's jump labels are set up when it loads, before livepatch resolves %s's symbols; leave the tracepoint or static branch out, or call a function of %s that has it",
		       name, ref->obj->objname, tsec->name,
		       (unsigned long long)r->r_offset, ref->obj->objname,
		       ref->obj->objname);
		return -1;
	}
	if (!strncmp(tsec->name, ".init", 5) ||
	    !strncmp(tsec->name, ".exit", 5)) {
		pr_err("symbol '%s': used from %s+0x%llx: livepatch relocations cannot apply to __init/__exit sections",
		       name, tsec->name, (unsigned long long)r->r_offset);
		return -1;
	}
	if (type == R_RISCV_GOT_HI20 && ref->obj->vmlinux && !rw->module_got) {
		pr_err("symbol '%s': GOT_HI20 at %s+0x%llx to vmlinux, but the kernel has no CONFIG_MODULE_SECTIONS (riscv selects it with CONFIG_RELOCATABLE), so its module loader makes no GOT entries; address it pc-relatively (no -fPIC)",
		       name, tsec->name, (unsigned long long)r->r_offset);
		return -1;
	}
	if (type == R_RISCV_GOT_HI20 && !ref->obj->vmlinux)
		pr_warn("symbol '%s': GOT_HI20 at %s+0x%llx to module %s: the kernel refuses it (each load of %s would add an entry to the patch's read-only .got); address it pc-relatively",
			name, tsec->name, (unsigned long long)r->r_offset,
			ref->obj->objname, ref->obj->objname);
	if (rtype_ok(type))
		return 0;
	if (type == R_RISCV_HI20 || type == R_RISCV_LO12_I ||
	    type == R_RISCV_LO12_S)
		pr_err("symbol '%s': relocation %s at %s+0x%llx is an absolute address, which cannot reach a symbol of another object (build with -mcmodel=medany, call it or take its address)",
		       name, tname, tsec->name, (unsigned long long)r->r_offset);
	else if (tname)
		pr_err("symbol '%s': relocation %s at %s+0x%llx cannot be applied to a symbol of another object (use it through a call, its address or \"symbol - .\")",
		       name, tname, tsec->name, (unsigned long long)r->r_offset);
	else
		pr_err("symbol '%s': relocation type %u at %s+0x%llx is unknown to klpmake",
		       name, type, tsec->name, (unsigned long long)r->r_offset);
	return -1;
}

/* The HI20 relocation the PCREL_LO12 @lo refers to (through its label). */
static long find_hi20(const struct kelf *mod, const struct kelf_sec *rsec,
		      const GElf_Rela *all, size_t n, const GElf_Rela *lo)
{
	const struct kelf_sym *label = &mod->syms[GELF_R_SYM(lo->r_info)];
	size_t i;

	if (label->st.st_shndx != rsec->sh.sh_info)
		return -1;
	for (i = 0; i < n; i++)
		if (all[i].r_offset == label->st.st_value &&
		    is_hi20(GELF_R_TYPE(all[i].r_info)))
			return i;
	return -1;
}

/* Read the entries of a .rela section, check those that must move. */
static int read_relas(const struct rewrite *rw, struct split *sp)
{
	const struct kelf *mod = rw->mod;
	const struct kelf_sec *rsec = sp->rsec;
	size_t i, sym;
	int ret = 0;

	for (i = 0; i < sp->n; i++) {
		if (!gelf_getrela(rsec->data, i, &sp->all[i])) {
			pr_err("%s: %s entry %zu: %s", mod->path, rsec->name, i,
			       elf_errmsg(-1));
			return -1;
		}
		sym = GELF_R_SYM(sp->all[i].r_info);
		if (sym >= mod->nsyms) {
			pr_err("%s: %s entry %zu: bad symbol index", mod->path,
			       rsec->name, i);
			return -1;
		}
		sp->mover[i] = rw->ref[sym];
		if (!sp->mover[i])
			continue;
		if (check_rela(rw, rsec, &sp->all[i], sp->mover[i]))
			ret = -1;
		sp->fate[i] = MOVE;
	}
	return ret;
}

/* The other half of a difference at @i's place, if it moves, takes @i. */
static void follow_difference(struct split *sp, size_t i)
{
	size_t j;

	for (j = 0; j < sp->n; j++) {
		if (j == i || sp->fate[j] != MOVE ||
		    sp->all[j].r_offset != sp->all[i].r_offset ||
		    !is_add_sub(GELF_R_TYPE(sp->all[j].r_info)))
			continue;
		sp->fate[i] = MOVE;
		sp->mover[i] = sp->mover[j];
		return;
	}
}

/* A LO12 follows its moved HI20; the RELAX hint of a moved entry goes. */
static void follow_pairs(const struct rewrite *rw, struct split *sp)
{
	const GElf_Rela *all = sp->all;
	size_t i;
	long hi;

	for (i = 0; i < sp->n; i++) {
		unsigned int type = GELF_R_TYPE(all[i].r_info);

		if (is_lo12(type)) {
			hi = find_hi20(rw->mod, sp->rsec, all, sp->n, &all[i]);
			if (hi >= 0 && sp->fate[hi] == MOVE) {
				sp->fate[i] = MOVE;
				sp->mover[i] = sp->mover[hi];
			}
		} else if (is_add_sub(type) && sp->fate[i] == KEEP) {
			follow_difference(sp, i);
		} else if (type == R_RISCV_RELAX && i &&
			   sp->fate[i - 1] == MOVE &&
			   all[i - 1].r_offset == all[i].r_offset) {
			sp->fate[i] = DROP;
		}
	}
}

/* Moved entries go to their bucket, kept ones replace the section's. */
static void sort_relas(struct rewrite *rw, struct split *sp, size_t idx)
{
	size_t i, kept = 0;

	for (i = 0; i < sp->n; i++) {
		if (sp->fate[i] == KEEP)
			sp->all[kept++] = sp->all[i];
		else if (sp->fate[i] == MOVE)
			bucket_add(bucket_of(rw, sp->mover[i]->obj,
					     sp->rsec->sh.sh_info), &sp->all[i]);
	}
	if (kept == sp->n)
		return;
	if (!kept) {
		rw->edit.drop[idx] = true;
		return;
	}
	rw->edit.rela[idx] = sp->all;
	rw->edit.nrela[idx] = kept;
	sp->all = NULL;
}

/* Split one .rela section into what stays and what moves to buckets. */
static int split_section(struct rewrite *rw, size_t idx)
{
	struct split sp = { .rsec = &rw->mod->secs[idx] };
	int ret;

	sp.n = sp.rsec->sh.sh_size / sizeof(Elf64_Rela);
	sp.all = xcalloc(sp.n, sizeof(*sp.all));
	sp.fate = xcalloc(sp.n, sizeof(*sp.fate));
	sp.mover = xcalloc(sp.n, sizeof(*sp.mover));
	ret = read_relas(rw, &sp);
	if (!ret) {
		follow_pairs(rw, &sp);
		sort_relas(rw, &sp, idx);
	}
	free(sp.all);
	free(sp.fate);
	free(sp.mover);
	return ret;
}

/*
 * Split the .rela sections of the module's allocated sections.  Reports
 * every relocation that cannot move before returning -1.
 */
static int split_sections(struct rewrite *rw)
{
	const struct kelf *mod = rw->mod;
	size_t i;
	int ret = 0;

	for (i = 1; i < mod->shnum; i++) {
		const struct kelf_sec *s = &mod->secs[i];

		if ((s->sh.sh_type == SHT_REL && s->sh.sh_link == mod->symtab) ||
		    s->sh.sh_type == SHT_GROUP) {
			pr_err("%s: %s: %s sections are not supported",
			       mod->path, s->name,
			       s->sh.sh_type == SHT_REL ? "REL" : "COMDAT group");
			return -1;
		}
		if (s->sh.sh_type != SHT_RELA || s->sh.sh_link != mod->symtab)
			continue;
		if (!(mod->secs[s->sh.sh_info].sh.sh_flags & SHF_ALLOC))
			continue;
		if (s->sh.sh_flags & SHF_RELA_LIVEPATCH) {
			pr_err("%s: %s: already a livepatch relocation section",
			       mod->path, s->name);
			return -1;
		}
		if (split_section(rw, i))
			ret = -1;
	}
	return ret;
}

/* A ".klp.rela.<obj>.<section>" section for each bucket. */
static void add_klp_sections(struct rewrite *rw)
{
	const struct kelf *mod = rw->mod;
	size_t i;

	rw->edit.add = xcalloc(rw->nb, sizeof(*rw->edit.add));
	rw->edit.nadd = rw->nb;
	for (i = 0; i < rw->nb; i++) {
		const struct bucket *b = &rw->b[i];
		struct kelf_newsec *ns = &rw->edit.add[i];
		const char *sec = mod->secs[b->target].name;

		/* The kernel reads the object's name up to the next dot. */
		ns->name = xasprintf(KLP_RELA_PREFIX "%s%s%s", b->obj->objname,
				     sec[0] == '.' ? "" : ".", sec);
		ns->sh.sh_type = SHT_RELA;
		ns->sh.sh_flags = SHF_ALLOC | SHF_INFO_LINK | SHF_RELA_LIVEPATCH;
		ns->sh.sh_link = mod->symtab;
		ns->sh.sh_info = b->target;
		ns->sh.sh_addralign = 8;
		ns->sh.sh_entsize = sizeof(Elf64_Rela);
		ns->rela = b->r;
		ns->nrela = b->n;
	}
}

/* Each symbol livepatch resolves is renamed into SHN_LIVEPATCH. */
static void rewrite_init(struct rewrite *rw, const struct kelf *mod,
			 const struct klp_ref *refs, size_t nrefs)
{
	size_t i;

	memset(rw, 0, sizeof(*rw));
	rw->mod = mod;
	rw->ref = xcalloc(mod->nsyms, sizeof(*rw->ref));
	rw->edit.in = mod;
	rw->edit.drop = xcalloc(mod->shnum, sizeof(*rw->edit.drop));
	rw->edit.rela = xcalloc(mod->shnum, sizeof(*rw->edit.rela));
	rw->edit.nrela = xcalloc(mod->shnum, sizeof(*rw->edit.nrela));
	rw->edit.sym = xcalloc(mod->nsyms, sizeof(*rw->edit.sym));
	for (i = 0; i < nrefs; i++) {
		rw->ref[refs[i].symidx] = &refs[i];
		rw->edit.sym[refs[i].symidx].name = refs[i].klpname;
		rw->edit.sym[refs[i].symidx].shndx = SHN_LIVEPATCH;
	}
}

static void rewrite_free(struct rewrite *rw)
{
	size_t i;

	for (i = 0; i < rw->mod->shnum; i++)
		free(rw->edit.rela[i]);
	for (i = 0; i < rw->edit.nadd; i++)
		free(rw->edit.add[i].name);
	for (i = 0; i < rw->nb; i++)
		free(rw->b[i].r);
	free(rw->b);
	for (i = 0; rw->edit.bytes && i < rw->mod->shnum; i++)
		free(rw->edit.bytes[i].buf);
	free(rw->edit.bytes);
	free(rw->edit.add);
	free(rw->edit.drop);
	free(rw->edit.rela);
	free(rw->edit.nrela);
	free(rw->edit.sym);
	free(rw->ref);
}

/*
 * Write @mod to @out with its relocations against @refs moved to
 * livepatch sections (@module_got: the kernel's module loader makes GOT
 * entries).  Nothing is left at @out on failure.
 */
/*
 * modpost put the target in depends= when the patch calls its exports;
 * livepatch resolves those (.klp.sym), so the patch loads before the
 * target and does not pin it, and modprobe must not load the target for
 * it.  The name goes in place: NUL padding keeps the offsets of the
 * symbols in .modinfo, and the kernel and kmod skip it.
 */
static void drop_target_depends(struct rewrite *rw, const char *target)
{
	const struct kelf_sec *sec = kelf_find_sec(rw->mod, ".modinfo");
	char *buf, *p, *end, *name, *out;
	size_t len;

	if (!sec || !sec->data || !sec->data->d_buf)
		return;
	buf = xcalloc(1, sec->data->d_size);
	memcpy(buf, sec->data->d_buf, sec->data->d_size);
	end = buf + sec->data->d_size;
	for (p = buf; p < end; p += strnlen(p, end - p) + 1) {
		if (strncmp(p, "depends=", 8) || !memchr(p, '\0', end - p))
			continue;
		len = strlen(p);
		out = p + 8;
		for (name = p + 8; *name; name += strcspn(name, ",") +
		     (name[strcspn(name, ",")] == ',')) {
			size_t n = strcspn(name, ",");

			if (same_module_name(name, n, target))
				continue;
			if (out != p + 8)
				*out++ = ',';
			memmove(out, name, n);
			out += n;
		}
		memset(out, '\0', p + len - out);
	}
	if (!memcmp(buf, sec->data->d_buf, sec->data->d_size)) {
		free(buf);
		return;
	}
	rw->edit.bytes = xcalloc(rw->mod->shnum, sizeof(*rw->edit.bytes));
	rw->edit.bytes[sec - rw->mod->secs].buf = buf;
	rw->edit.bytes[sec - rw->mod->secs].size = sec->data->d_size;
}

int klp_write(const struct kelf *mod, const struct klp_ref *refs,
	      size_t nrefs, bool module_got, const char *target,
	      const char *out)
{
	struct rewrite rw;
	int ret;

	rewrite_init(&rw, mod, refs, nrefs);
	rw.module_got = module_got;
	ret = split_sections(&rw);
	if (!ret) {
		add_klp_sections(&rw);
		if (target)
			drop_target_depends(&rw, target);
		ret = kelf_write(&rw.edit, out);
	}
	rewrite_free(&rw);
	return ret;
}
