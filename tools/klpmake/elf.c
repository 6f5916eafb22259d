// SPDX-License-Identifier: GPL-2.0-only
/*
 * Read an ELF object into tables: section headers with their names and
 * data, and the symbol table with, for each local symbol, the STT_FILE
 * entry that opens its group.  The object stays mapped until kelf_close(),
 * and every name points into it.
 *
 * Write one back as a struct kelf_edit describes: its sections renumbered
 * around those left out, new names appended to the string tables.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "klpmake.h"

static int kelf_read_secs(struct kelf *k)
{
	Elf_Scn *scn = NULL;
	size_t i;

	if (elf_getshdrnum(k->elf, &k->shnum) ||
	    elf_getshdrstrndx(k->elf, &k->shstrndx)) {
		pr_err("%s: no section headers: %s", k->path, elf_errmsg(-1));
		return -1;
	}
	k->secs = xcalloc(k->shnum, sizeof(*k->secs));
	while ((scn = elf_nextscn(k->elf, scn))) {
		struct kelf_sec *s;

		i = elf_ndxscn(scn);
		s = &k->secs[i];
		s->scn = scn;
		if (!gelf_getshdr(scn, &s->sh)) {
			pr_err("%s: section %zu: %s", k->path, i, elf_errmsg(-1));
			return -1;
		}
		s->name = elf_strptr(k->elf, k->shstrndx, s->sh.sh_name);
		if (!s->name) {
			pr_err("%s: section %zu has no name", k->path, i);
			return -1;
		}
		s->data = elf_getdata(scn, NULL);
		if (s->sh.sh_type == SHT_SYMTAB) {
			if (k->symtab) {
				pr_err("%s: more than one symbol table", k->path);
				return -1;
			}
			k->symtab = i;
		}
	}
	return 0;
}

static int kelf_read_syms(struct kelf *k)
{
	const struct kelf_sec *st = &k->secs[k->symtab];
	const char *file = NULL;
	size_t i;

	if (!k->symtab || !st->data) {
		pr_err("%s: no symbol table (stripped?)", k->path);
		return -1;
	}
	k->nsyms = st->sh.sh_size / st->sh.sh_entsize;
	k->syms = xcalloc(k->nsyms, sizeof(*k->syms));
	for (i = 0; i < k->nsyms; i++) {
		struct kelf_sym *s = &k->syms[i];

		if (!gelf_getsym(st->data, i, &s->st)) {
			pr_err("%s: symbol %zu: %s", k->path, i, elf_errmsg(-1));
			return -1;
		}
		s->idx = i;
		s->name = elf_strptr(k->elf, st->sh.sh_link, s->st.st_name);
		if (!s->name)
			s->name = "";
		if (GELF_ST_TYPE(s->st.st_info) == STT_FILE)
			file = s->name;
		else if (GELF_ST_BIND(s->st.st_info) == STB_LOCAL)
			s->file = file;
	}
	return 0;
}

/*
 * Open @path and read its sections and symbols.  Only 64-bit RISC-V
 * objects: the relocation rules of rewrite.c are RISC-V's.
 */
int kelf_open(struct kelf *k, const char *path)
{
	memset(k, 0, sizeof(*k));
	k->path = path;
	k->fd = open(path, O_RDONLY);
	if (k->fd < 0) {
		pr_err("%s: cannot open: %m", path);
		return -1;
	}
	k->elf = elf_begin(k->fd, ELF_C_READ_MMAP, NULL);
	if (!k->elf || elf_kind(k->elf) != ELF_K_ELF) {
		pr_err("%s: not an ELF file", path);
		goto fail;
	}
	if (!gelf_getehdr(k->elf, &k->eh)) {
		pr_err("%s: no ELF header: %s", path, elf_errmsg(-1));
		goto fail;
	}
	if (k->eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    k->eh.e_machine != EM_RISCV) {
		pr_err("%s: not a 64-bit RISC-V object", path);
		goto fail;
	}
	if (kelf_read_secs(k) || kelf_read_syms(k))
		goto fail;
	return 0;
fail:
	kelf_close(k);
	return -1;
}

void kelf_close(struct kelf *k)
{
	free(k->secs);
	free(k->syms);
	if (k->elf)
		elf_end(k->elf);
	if (k->fd >= 0)
		close(k->fd);
	k->secs = NULL;
	k->syms = NULL;
	k->elf = NULL;
	k->fd = -1;
}

const struct kelf_sec *kelf_find_sec(const struct kelf *k, const char *name)
{
	size_t i;

	for (i = 1; i < k->shnum; i++)
		if (!strcmp(k->secs[i].name, name))
			return &k->secs[i];
	return NULL;
}

/*
 * The value of @key in .modinfo ("key=value" strings), or NULL.  Points
 * into the mapped object.
 */
const char *kelf_modinfo(const struct kelf *k, const char *key)
{
	const struct kelf_sec *s = kelf_find_sec(k, ".modinfo");
	size_t klen = strlen(key), off = 0;
	const char *p;

	if (!s || !s->data || !s->data->d_buf)
		return NULL;
	p = s->data->d_buf;
	while (off < s->data->d_size) {
		const char *e = memchr(p + off, '\0', s->data->d_size - off);

		if (!e)
			break;
		if (!strncmp(p + off, key, klen) && p[off + klen] == '=')
			return p + off + klen + 1;
		off = e - p + 1;
	}
	return NULL;
}

/* A string table of the object, with the names the edit adds appended. */
struct strbuf {
	char *buf;
	size_t len;
};

/* kelf_write_fd() at work: the output, and the buffers libelf holds. */
struct kelf_writer {
	const struct kelf_edit *e;
	const struct kelf *in;
	Elf *out;
	size_t *newidx;		/* by input section: output index, 0 if left out */
	size_t strndx;		/* the string table of .symtab */
	struct strbuf shstr;
	struct strbuf str;
	struct strbuf *sym_str;	/* &str, or &shstr when .symtab uses it */
	void **keep;		/* freed once elf_end() is done with them */
	size_t nkeep;
};

static size_t strbuf_add(struct strbuf *s, const char *str)
{
	size_t off = s->len, len = strlen(str) + 1;

	s->buf = xrealloc(s->buf, s->len + len);
	memcpy(s->buf + s->len, str, len);
	s->len += len;
	return off;
}

static void strbuf_init(struct strbuf *s, const struct kelf_sec *sec)
{
	s->len = sec->data ? sec->data->d_size : 0;
	s->buf = xcalloc(s->len, 1);
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

static void set_data(Elf_Data *d, void *buf, size_t size, Elf_Type type)
{
	d->d_buf = buf;
	d->d_size = size;
	d->d_type = type;
}

static void set_relas(struct kelf_writer *w, Elf_Data *d, const GElf_Rela *r,
		      size_t n)
{
	Elf64_Rela *out = xcalloc(n, sizeof(*out));
	size_t i;

	for (i = 0; i < n; i++) {
		out[i].r_offset = r[i].r_offset;
		out[i].r_info = r[i].r_info;
		out[i].r_addend = r[i].r_addend;
	}
	w->keep[w->nkeep++] = out;
	set_data(d, out, n * sizeof(*out), ELF_T_RELA);
}

static void set_sym(struct kelf_writer *w, Elf64_Sym *out, const GElf_Sym *s,
		    const struct kelf_symedit *ed)
{
	if (ed->whole)
		s = &ed->st;
	out->st_name = s->st_name;
	out->st_info = s->st_info;
	out->st_other = s->st_other;
	out->st_shndx = map_shndx(w->newidx, s->st_shndx);
	out->st_value = s->st_value;
	out->st_size = s->st_size;
	if (ed->name)
		out->st_name = strbuf_add(w->sym_str, ed->name);
	if (ed->name && !ed->whole)
		out->st_shndx = ed->shndx;
}

/* The new symbol table: symbols renamed as edited, shndx renumbered. */
static void set_symtab(struct kelf_writer *w, Elf_Data *d)
{
	const struct kelf_edit *e = w->e;
	size_t j, i, n = e->symorder ? e->nsymout : w->in->nsyms;
	Elf64_Sym *syms = xcalloc(n, sizeof(*syms));

	for (j = 0; j < n; j++) {
		i = e->symorder ? e->symorder[j] : j;
		set_sym(w, &syms[j], &w->in->syms[i].st, &e->sym[i]);
	}
	w->keep[w->nkeep++] = syms;
	set_data(d, syms, n * sizeof(*syms), ELF_T_SYM);
}

/* Strings are copied now and appended to while sections are added. */
static void writer_init(struct kelf_writer *w, const struct kelf_edit *e)
{
	const struct kelf *in = e->in;
	size_t i, n = 1;

	memset(w, 0, sizeof(*w));
	w->e = e;
	w->in = in;
	w->keep = xcalloc(in->shnum + e->nadd, sizeof(*w->keep));
	w->newidx = xcalloc(in->shnum, sizeof(*w->newidx));
	for (i = 1; i < in->shnum; i++)
		if (!e->drop[i])
			w->newidx[i] = n++;
	w->strndx = in->secs[in->symtab].sh.sh_link;
	strbuf_init(&w->shstr, &in->secs[in->shstrndx]);
	w->sym_str = &w->str;
	if (w->strndx == in->shstrndx)
		w->sym_str = &w->shstr;
	else
		strbuf_init(&w->str, &in->secs[w->strndx]);
}

static void writer_free(struct kelf_writer *w)
{
	size_t i;

	if (w->out)
		elf_end(w->out);
	for (i = 0; i < w->nkeep; i++)
		free(w->keep[i]);
	free(w->keep);
	free(w->shstr.buf);
	free(w->str.buf);
	free(w->newidx);
}

static int write_ehdr(struct kelf_writer *w)
{
	GElf_Ehdr eh = w->in->eh;

	if (!gelf_newehdr(w->out, ELFCLASS64))
		return -1;
	eh.e_shstrndx = w->newidx[w->in->shstrndx];
	eh.e_phoff = 0;
	eh.e_phnum = 0;
	return gelf_update_ehdr(w->out, &eh) ? 0 : -1;
}

/* Input section @i, renumbered; string tables are filled in last. */
static int copy_section(struct kelf_writer *w, size_t i)
{
	const struct kelf_sec *s = &w->in->secs[i];
	GElf_Shdr sh = s->sh;
	Elf_Data *data;

	if (w->e->link && w->e->link[i])
		sh.sh_link = w->e->link[i];
	sh.sh_link = map_shndx(w->newidx, sh.sh_link);
	if (sh.sh_type == SHT_RELA || sh.sh_type == SHT_REL ||
	    (sh.sh_flags & SHF_INFO_LINK))
		sh.sh_info = map_shndx(w->newidx, sh.sh_info);
	if (i == w->in->symtab && w->e->symorder)
		sh.sh_info = w->e->nlocals;
	if (add_section(w->out, &sh, &data))
		return -1;
	if (i == w->in->symtab)
		set_symtab(w, data);
	else if (w->e->rela[i])
		set_relas(w, data, w->e->rela[i], w->e->nrela[i]);
	else if (w->e->bytes && w->e->bytes[i].buf)
		set_data(data, w->e->bytes[i].buf, w->e->bytes[i].size,
			 s->data ? s->data->d_type : ELF_T_BYTE);
	else if (i != w->in->shstrndx && i != w->strndx && s->data)
		set_data(data, s->data->d_buf, s->data->d_size,
			 s->data->d_type);
	return 0;
}

static int add_new_section(struct kelf_writer *w, const struct kelf_newsec *ns)
{
	GElf_Shdr sh = ns->sh;
	Elf_Data *data;

	sh.sh_name = strbuf_add(&w->shstr, ns->name);
	sh.sh_link = w->newidx[sh.sh_link];
	sh.sh_info = w->newidx[sh.sh_info];
	if (add_section(w->out, &sh, &data))
		return -1;
	set_relas(w, data, ns->rela, ns->nrela);
	return 0;
}

static void set_strtab(struct kelf_writer *w, size_t i, const struct strbuf *s)
{
	Elf_Data *d = elf_getdata(elf_getscn(w->out, w->newidx[i]), NULL);

	set_data(d, s->buf, s->len, ELF_T_BYTE);
}

static int kelf_write_fd(const struct kelf_edit *e, int fd)
{
	struct kelf_writer w;
	size_t i;
	int ret = -1;

	writer_init(&w, e);
	w.out = elf_begin(fd, ELF_C_WRITE, NULL);
	if (!w.out || write_ehdr(&w))
		goto out;
	for (i = 1; i < e->in->shnum; i++)
		if (w.newidx[i] && copy_section(&w, i))
			goto out;
	/* Names of the new sections go to .shstrtab before it is written. */
	for (i = 0; i < e->nadd; i++)
		if (add_new_section(&w, &e->add[i]))
			goto out;
	set_strtab(&w, e->in->shstrndx, &w.shstr);
	if (w.sym_str == &w.str)
		set_strtab(&w, w.strndx, &w.str);
	if (elf_update(w.out, ELF_C_WRITE) >= 0)
		ret = 0;
out:
	if (ret)
		pr_err("cannot write the module: %s", elf_errmsg(-1));
	writer_free(&w);
	return ret;
}

/*
 * Write @e to @path.  Nothing is left at @path on failure: the object is
 * written to a temporary file next to it and renamed at the end.
 */
int kelf_write(const struct kelf_edit *e, const char *path)
{
	char *tmp = xasprintf("%s.XXXXXX", path);
	int fd = mkstemp(tmp), ret;

	if (fd < 0) {
		pr_err("%s: cannot create: %m", path);
		free(tmp);
		return -1;
	}
	ret = kelf_write_fd(e, fd);
	if (!ret && fchmod(fd, 0644)) {
		pr_err("%s: %m", tmp);
		ret = -1;
	}
	if (close(fd) && !ret) {
		pr_err("%s: %m", tmp);
		ret = -1;
	}
	if (!ret && klp_interrupted)
		ret = -1;
	if (!ret && rename(tmp, path)) {
		pr_err("%s: cannot rename to %s: %m", tmp, path);
		ret = -1;
	}
	if (ret)
		unlink(tmp);
	free(tmp);
	return ret;
}
