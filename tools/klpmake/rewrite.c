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
 * RELAX hint after a moved relocation is dropped: modules are relocated
 * without relaxation.  A .rela section left empty is removed.
 *
 * Symbols keep their indices (none is added or removed), so .symtab keeps
 * its locals first and its sh_info; only section indices are renumbered.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
	const struct klp_ref **ref;	/* by symbol index, NULL if none */
	GElf_Rela **rela;		/* by section index: kept entries */
	size_t *nrela;
	bool *changed;			/* rela section lost entries */
	struct bucket *b;
	size_t nb;
};

struct strbuf {
	char *buf;
	size_t len;
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
	default:			return NULL;
	}
}

/*
 * Relocation types against a livepatch symbol that the RISC-V module
 * loader can apply once livepatch has resolved it.  GOT_HI20 is fine for
 * vmlinux: the loader counts GOT entries over every SHT_RELA section,
 * .klp.rela ones included, and fills the entry while the patch module
 * loads.  To a module it is refused by the kernel (warned about here).
 */
static bool rtype_ok(unsigned int type)
{
	switch (type) {
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

static struct bucket *bucket_of(struct rewrite *rw, const struct target *obj,
				size_t target)
{
	size_t i;

	for (i = 0; i < rw->nb; i++)
		if (rw->b[i].obj == obj && rw->b[i].target == target)
			return &rw->b[i];
	rw->b = realloc(rw->b, (rw->nb + 1) * sizeof(*rw->b));
	if (!rw->b) {
		pr_err("out of memory");
		exit(2);
	}
	memset(&rw->b[rw->nb], 0, sizeof(*rw->b));
	rw->b[rw->nb].obj = obj;
	rw->b[rw->nb].target = target;
	return &rw->b[rw->nb++];
}

static void bucket_add(struct bucket *b, const GElf_Rela *r)
{
	if (b->n == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 16;
		b->r = realloc(b->r, b->cap * sizeof(*b->r));
		if (!b->r) {
			pr_err("out of memory");
			exit(2);
		}
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

	if (!strncmp(tsec->name, ".init", 5) ||
	    !strncmp(tsec->name, ".exit", 5)) {
		pr_err("symbol '%s': used from %s+0x%llx: livepatch relocations cannot apply to __init/__exit sections",
		       name, tsec->name, (unsigned long long)r->r_offset);
		return -1;
	}
	if (type == R_RISCV_GOT_HI20 && !ref->obj->vmlinux)
		pr_warn("symbol '%s': GOT_HI20 at %s+0x%llx to module %s: the kernel refuses it (each load of %s would add an entry to the patch's read-only .got); address it pc-relatively",
			name, tsec->name, (unsigned long long)r->r_offset,
			ref->obj->objname, ref->obj->objname);
	if (rtype_ok(type))
		return 0;
	if (tname)
		pr_err("symbol '%s': relocation %s at %s+0x%llx cannot reach a symbol of another object (build with -mcmodel=medany, call it or take its address)",
		       name, tname, tsec->name, (unsigned long long)r->r_offset);
	else
		pr_err("symbol '%s': relocation type %u at %s+0x%llx is not supported",
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

/* Split one .rela section into what stays and what moves to buckets. */
static int split_section(struct rewrite *rw, size_t idx)
{
	const struct kelf *mod = rw->mod;
	const struct kelf_sec *rsec = &mod->secs[idx];
	const struct klp_ref **mover;
	size_t n = rsec->sh.sh_size / sizeof(Elf64_Rela), i, kept = 0;
	GElf_Rela *all;
	enum fate *fate;
	long hi;
	int ret = 0;

	all = xcalloc(n ? n : 1, sizeof(*all));
	fate = xcalloc(n ? n : 1, sizeof(*fate));
	mover = xcalloc(n ? n : 1, sizeof(*mover));
	for (i = 0; i < n; i++) {
		size_t sym;

		if (!gelf_getrela(rsec->data, i, &all[i])) {
			pr_err("%s: %s entry %zu: %s", mod->path, rsec->name, i,
			       elf_errmsg(-1));
			ret = -1;
			goto out;
		}
		sym = GELF_R_SYM(all[i].r_info);
		if (sym >= mod->nsyms) {
			pr_err("%s: %s entry %zu: bad symbol index", mod->path,
			       rsec->name, i);
			ret = -1;
			goto out;
		}
		mover[i] = rw->ref[sym];
		if (!mover[i])
			continue;
		if (check_rela(rw, rsec, &all[i], mover[i]))
			ret = -1;
		fate[i] = MOVE;
	}
	for (i = 0; i < n && !ret; i++) {
		unsigned int type = GELF_R_TYPE(all[i].r_info);

		if (is_lo12(type)) {
			hi = find_hi20(mod, rsec, all, n, &all[i]);
			if (hi >= 0 && fate[hi] == MOVE) {
				fate[i] = MOVE;
				mover[i] = mover[hi];
			}
		} else if (type == R_RISCV_RELAX && i &&
			   fate[i - 1] == MOVE &&
			   all[i - 1].r_offset == all[i].r_offset) {
			fate[i] = DROP;
		}
	}
	if (ret)
		goto out;
	for (i = 0; i < n; i++) {
		if (fate[i] == KEEP)
			all[kept++] = all[i];
		else if (fate[i] == MOVE)
			bucket_add(bucket_of(rw, mover[i]->obj,
					     rsec->sh.sh_info), &all[i]);
	}
	rw->changed[idx] = kept != n;
	rw->nrela[idx] = kept;
	rw->rela[idx] = all;
	all = NULL;
out:
	free(all);
	free(fate);
	free(mover);
	return ret;
}

static size_t strbuf_add(struct strbuf *s, const char *str)
{
	size_t off = s->len, len = strlen(str) + 1;

	s->buf = realloc(s->buf, s->len + len);
	if (!s->buf) {
		pr_err("out of memory");
		exit(2);
	}
	memcpy(s->buf + s->len, str, len);
	s->len += len;
	return off;
}

static void strbuf_init(struct strbuf *s, const struct kelf_sec *sec)
{
	s->len = sec->data ? sec->data->d_size : 0;
	s->buf = xcalloc(s->len ? s->len : 1, 1);
	if (s->len)
		memcpy(s->buf, sec->data->d_buf, s->len);
}

static size_t map_shndx(const size_t *newidx, size_t shndx)
{
	if (shndx == SHN_UNDEF || shndx >= SHN_LORESERVE)
		return shndx;
	return newidx[shndx];
}

static Elf_Data *add_data(Elf_Scn *scn, void *buf, size_t size,
			  Elf_Type type, size_t align)
{
	Elf_Data *d = elf_newdata(scn);

	if (!d)
		return NULL;
	d->d_buf = buf;
	d->d_size = size;
	d->d_type = type;
	d->d_align = align ? align : 1;
	d->d_off = 0;
	d->d_version = EV_CURRENT;
	return d;
}

static int add_section(Elf *out, GElf_Shdr *sh, Elf_Data **data)
{
	Elf_Scn *scn = elf_newscn(out);

	if (!scn)
		return -1;
	*data = add_data(scn, NULL, 0, ELF_T_BYTE, sh->sh_addralign);
	if (!*data || !gelf_update_shdr(scn, sh))
		return -1;
	return 0;
}

/* The new symbol table: livepatch symbols renamed, shndx renumbered. */
static Elf64_Sym *new_symtab(const struct rewrite *rw, const size_t *newidx,
			     struct strbuf *str)
{
	const struct kelf *mod = rw->mod;
	Elf64_Sym *syms = xcalloc(mod->nsyms ? mod->nsyms : 1, sizeof(*syms));
	size_t i;

	for (i = 0; i < mod->nsyms; i++) {
		const GElf_Sym *s = &mod->syms[i].st;

		syms[i].st_name = s->st_name;
		syms[i].st_info = s->st_info;
		syms[i].st_other = s->st_other;
		syms[i].st_shndx = map_shndx(newidx, s->st_shndx);
		syms[i].st_value = s->st_value;
		syms[i].st_size = s->st_size;
		if (rw->ref[i]) {
			syms[i].st_name = strbuf_add(str, rw->ref[i]->klpname);
			syms[i].st_shndx = SHN_LIVEPATCH;
		}
	}
	return syms;
}

static Elf64_Rela *pack_relas(const GElf_Rela *r, size_t n)
{
	Elf64_Rela *out = xcalloc(n ? n : 1, sizeof(*out));
	size_t i;

	for (i = 0; i < n; i++) {
		out[i].r_offset = r[i].r_offset;
		out[i].r_info = r[i].r_info;
		out[i].r_addend = r[i].r_addend;
	}
	return out;
}

/*
 * Write the module with its livepatch sections to @fd.  Every buffer
 * handed to libelf is kept in @keep until elf_update() is done.
 */
static int write_elf(struct rewrite *rw, int fd, void ***keep, size_t *nkeep)
{
	const struct kelf *mod = rw->mod;
	size_t shnum = mod->shnum, *newidx, i, n = 1, strndx;
	struct strbuf shstr = { 0 }, str = { 0 };
	struct strbuf *sym_str = &str;
	Elf_Data *data;
	GElf_Ehdr eh;
	GElf_Shdr sh;
	Elf *out;
	int ret = -1;

	*keep = xcalloc(shnum + rw->nb + 4, sizeof(**keep));
	newidx = xcalloc(shnum, sizeof(*newidx));
	for (i = 1; i < shnum; i++)
		if (!(rw->changed[i] && !rw->nrela[i]))
			newidx[i] = n++;

	strndx = mod->secs[mod->symtab].sh.sh_link;
	strbuf_init(&shstr, &mod->secs[mod->shstrndx]);
	if (strndx == mod->shstrndx)
		sym_str = &shstr;
	else
		strbuf_init(&str, &mod->secs[strndx]);

	out = elf_begin(fd, ELF_C_WRITE, NULL);
	if (!out || !gelf_newehdr(out, ELFCLASS64))
		goto fail;
	eh = mod->eh;
	eh.e_shstrndx = newidx[mod->shstrndx];
	eh.e_phoff = 0;
	eh.e_phnum = 0;
	if (!gelf_update_ehdr(out, &eh))
		goto fail;

	for (i = 1; i < shnum; i++) {
		const struct kelf_sec *s = &mod->secs[i];

		if (!newidx[i])
			continue;
		sh = s->sh;
		sh.sh_link = map_shndx(newidx, sh.sh_link);
		if (sh.sh_type == SHT_RELA || sh.sh_type == SHT_REL ||
		    (sh.sh_flags & SHF_INFO_LINK))
			sh.sh_info = map_shndx(newidx, sh.sh_info);
		if (add_section(out, &sh, &data))
			goto fail;
		if (i == mod->symtab) {
			(*keep)[(*nkeep)++] = new_symtab(rw, newidx, sym_str);
			data->d_buf = (*keep)[*nkeep - 1];
			data->d_size = mod->nsyms * sizeof(Elf64_Sym);
			data->d_type = ELF_T_SYM;
		} else if (rw->changed[i]) {
			(*keep)[(*nkeep)++] = pack_relas(rw->rela[i],
							 rw->nrela[i]);
			data->d_buf = (*keep)[*nkeep - 1];
			data->d_size = rw->nrela[i] * sizeof(Elf64_Rela);
			data->d_type = ELF_T_RELA;
		} else if (i != mod->shstrndx && i != strndx && s->data) {
			data->d_buf = s->data->d_buf;
			data->d_size = s->data->d_size;
			data->d_type = s->data->d_type;
		}
	}
	/* Names of the new sections go to .shstrtab before it is written. */
	for (i = 0; i < rw->nb; i++) {
		const struct bucket *b = &rw->b[i];
		char *name = xasprintf(KLP_RELA_PREFIX "%s%s", b->obj->objname,
				       mod->secs[b->target].name);

		memset(&sh, 0, sizeof(sh));
		sh.sh_name = strbuf_add(&shstr, name);
		free(name);
		sh.sh_type = SHT_RELA;
		sh.sh_flags = SHF_ALLOC | SHF_INFO_LINK | SHF_RELA_LIVEPATCH;
		sh.sh_link = newidx[mod->symtab];
		sh.sh_info = newidx[b->target];
		sh.sh_addralign = 8;
		sh.sh_entsize = sizeof(Elf64_Rela);
		if (add_section(out, &sh, &data))
			goto fail;
		(*keep)[(*nkeep)++] = pack_relas(b->r, b->n);
		data->d_buf = (*keep)[*nkeep - 1];
		data->d_size = b->n * sizeof(Elf64_Rela);
		data->d_type = ELF_T_RELA;
	}
	data = elf_getdata(elf_getscn(out, newidx[mod->shstrndx]), NULL);
	data->d_buf = shstr.buf;
	data->d_size = shstr.len;
	if (sym_str == &str) {
		data = elf_getdata(elf_getscn(out, newidx[strndx]), NULL);
		data->d_buf = str.buf;
		data->d_size = str.len;
	}
	if (elf_update(out, ELF_C_WRITE) < 0)
		goto fail;
	ret = 0;
fail:
	if (ret)
		pr_err("cannot write the module: %s", elf_errmsg(-1));
	if (out)
		elf_end(out);
	free(shstr.buf);
	free(str.buf);
	free(newidx);
	return ret;
}

/*
 * Write @mod to @out with its relocations against @refs moved to
 * livepatch sections.  Nothing is left at @out on failure: the module is
 * written to a temporary file next to it and renamed at the end.
 */
int klp_write(const struct kelf *mod, const struct klp_ref *refs,
	      size_t nrefs, const char *out)
{
	struct rewrite rw = { .mod = mod };
	void **keep = NULL;
	size_t i, nkeep = 0;
	char *tmp = NULL;
	int fd, ret = -1;

	rw.ref = xcalloc(mod->nsyms, sizeof(*rw.ref));
	rw.rela = xcalloc(mod->shnum, sizeof(*rw.rela));
	rw.nrela = xcalloc(mod->shnum, sizeof(*rw.nrela));
	rw.changed = xcalloc(mod->shnum, sizeof(*rw.changed));
	for (i = 0; i < nrefs; i++)
		rw.ref[refs[i].symidx] = &refs[i];

	for (i = 1; i < mod->shnum; i++) {
		const struct kelf_sec *s = &mod->secs[i];

		if ((s->sh.sh_type == SHT_REL && s->sh.sh_link == mod->symtab) ||
		    s->sh.sh_type == SHT_GROUP) {
			pr_err("%s: %s: %s sections are not supported",
			       mod->path, s->name,
			       s->sh.sh_type == SHT_REL ? "REL" : "COMDAT group");
			goto out;
		}
		if (s->sh.sh_type != SHT_RELA || s->sh.sh_link != mod->symtab)
			continue;
		if (!(mod->secs[s->sh.sh_info].sh.sh_flags & SHF_ALLOC))
			continue;
		if (s->sh.sh_flags & SHF_RELA_LIVEPATCH) {
			pr_err("%s: %s: already a livepatch relocation section",
			       mod->path, s->name);
			goto out;
		}
		if (split_section(&rw, i))
			ret = -2;
	}
	if (ret == -2) {
		ret = -1;
		goto out;
	}
	tmp = xasprintf("%s.XXXXXX", out);
	fd = mkstemp(tmp);
	if (fd < 0) {
		pr_err("%s: cannot create: %m", out);
		goto out;
	}
	ret = write_elf(&rw, fd, &keep, &nkeep);
	if (!ret && fchmod(fd, 0644))
		ret = -1;
	if (close(fd) && !ret) {
		pr_err("%s: %m", tmp);
		ret = -1;
	}
	if (!ret && rename(tmp, out)) {
		pr_err("%s: cannot rename to %s: %m", tmp, out);
		ret = -1;
	}
	if (ret)
		unlink(tmp);
out:
	for (i = 0; i < nkeep; i++)
		free(keep[i]);
	free(keep);
	for (i = 0; i < mod->shnum; i++)
		free(rw.rela[i]);
	for (i = 0; i < rw.nb; i++)
		free(rw.b[i].r);
	free(rw.b);
	free(rw.rela);
	free(rw.nrela);
	free(rw.changed);
	free(rw.ref);
	free(tmp);
	return ret;
}
