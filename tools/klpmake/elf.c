// SPDX-License-Identifier: GPL-2.0-only
/*
 * Read an ELF object into tables: section headers with their names and
 * data, and the symbol table with, for each local symbol, the STT_FILE
 * entry that opens its group.  The object stays mapped until kelf_close(),
 * and every name points into it.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
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
	k->syms = xcalloc(k->nsyms ? k->nsyms : 1, sizeof(*k->syms));
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
