// SPDX-License-Identifier: GPL-2.0-only
/*
 * Corrupts a copy of a livepatch module built by klpmake, for the guest
 * tests of bad input:
 *   sym-name     the first .klp.sym symbol loses its ",sympos" tail, a
 *                name the core cannot parse
 *   rela-target  the first .klp.rela section's target section (sh_info)
 *                becomes one past the last section, which does not exist
 *   rela-noalloc the first .klp.rela section's target section becomes the
 *                section name table, which is not loaded (no SHF_ALLOC)
 * Prints what it changed.
 * Usage: klp_corrupt_ko sym-name|rela-target|rela-noalloc IN.ko OUT.ko
 */
#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* As in include/uapi/linux/elf.h; libelf's elf.h lacks it. */
#define SHF_RELA_LIVEPATCH	0x00100000
#define KLP_SYM_PREFIX		".klp.sym."

static int copy_file(const char *in, const char *out)
{
	char buf[65536];
	ssize_t n;
	int ifd, ofd;

	ifd = open(in, O_RDONLY);
	if (ifd < 0) {
		perror(in);
		return -1;
	}
	ofd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (ofd < 0) {
		perror(out);
		close(ifd);
		return -1;
	}
	while ((n = read(ifd, buf, sizeof(buf))) > 0) {
		if (write(ofd, buf, n) != n) {
			perror(out);
			n = -1;
			break;
		}
	}
	close(ifd);
	if (close(ofd) || n < 0)
		return -1;
	return 0;
}

static Elf_Scn *find_section(Elf *elf, Elf64_Word type, GElf_Shdr *shdr)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(elf, scn))) {
		if (gelf_getshdr(scn, shdr) && shdr->sh_type == type)
			return scn;
	}
	return NULL;
}

/* Cut the first ".klp.sym.OBJ.NAME,POS" at its comma, in place. */
static int corrupt_sym_name(Elf *elf)
{
	Elf_Scn *symscn, *strscn;
	Elf_Data *syms, *strs;
	GElf_Shdr shdr;
	GElf_Sym sym;
	size_t i;

	symscn = find_section(elf, SHT_SYMTAB, &shdr);
	if (!symscn)
		return -1;
	strscn = elf_getscn(elf, shdr.sh_link);
	syms = elf_getdata(symscn, NULL);
	strs = strscn ? elf_getdata(strscn, NULL) : NULL;
	if (!syms || !strs)
		return -1;
	for (i = 0; gelf_getsym(syms, i, &sym); i++) {
		char *name, *comma;

		if (sym.st_name >= strs->d_size)
			continue;
		name = (char *)strs->d_buf + sym.st_name;
		if (strncmp(name, KLP_SYM_PREFIX, strlen(KLP_SYM_PREFIX)))
			continue;
		comma = strchr(name, ',');
		if (!comma)
			continue;
		printf("symbol %s renamed ", name);
		*comma = '\0';
		printf("%s\n", name);
		elf_flagdata(strs, ELF_C_SET, ELF_F_DIRTY);
		return 0;
	}
	fprintf(stderr, "no .klp.sym symbol\n");
	return -1;
}

/*
 * Point the first livepatch relocation section past the last section, or
 * (noalloc) at the section name table.
 */
static int corrupt_rela_target(Elf *elf, int noalloc)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr shdr;
	size_t shnum, shstrndx, target;

	if (elf_getshdrnum(elf, &shnum) || elf_getshdrstrndx(elf, &shstrndx))
		return -1;
	while ((scn = elf_nextscn(elf, scn))) {
		if (!gelf_getshdr(scn, &shdr) ||
		    !(shdr.sh_flags & SHF_RELA_LIVEPATCH))
			continue;
		target = noalloc ? shstrndx : shnum;
		printf("section %s: target section %u changed to %zu of %zu sections\n",
		       elf_strptr(elf, shstrndx, shdr.sh_name),
		       shdr.sh_info, target, shnum);
		shdr.sh_info = target;
		if (!gelf_update_shdr(scn, &shdr))
			return -1;
		return 0;
	}
	fprintf(stderr, "no .klp.rela section\n");
	return -1;
}

int main(int argc, char **argv)
{
	Elf *elf;
	int fd, ret;

	if (argc != 4 || (strcmp(argv[1], "sym-name") &&
			  strcmp(argv[1], "rela-target") &&
			  strcmp(argv[1], "rela-noalloc"))) {
		fprintf(stderr, "usage: %s sym-name|rela-target|rela-noalloc IN.ko OUT.ko\n",
			argv[0]);
		return 2;
	}
	if (elf_version(EV_CURRENT) == EV_NONE || copy_file(argv[2], argv[3]))
		return 1;
	fd = open(argv[3], O_RDWR);
	if (fd < 0) {
		perror(argv[3]);
		return 1;
	}
	elf = elf_begin(fd, ELF_C_RDWR, NULL);
	if (!elf) {
		fprintf(stderr, "%s: %s\n", argv[3], elf_errmsg(-1));
		close(fd);
		return 1;
	}
	/* Keep every offset: only the one field or string changes. */
	elf_flagelf(elf, ELF_C_SET, ELF_F_LAYOUT);
	if (!strcmp(argv[1], "sym-name"))
		ret = corrupt_sym_name(elf);
	else
		ret = corrupt_rela_target(elf, !strcmp(argv[1], "rela-noalloc"));
	if (!ret && elf_update(elf, ELF_C_WRITE) < 0) {
		fprintf(stderr, "%s: %s\n", argv[3], elf_errmsg(-1));
		ret = -1;
	}
	elf_end(elf);
	close(fd);
	if (ret)
		unlink(argv[3]);
	return ret ? 1 : 0;
}
