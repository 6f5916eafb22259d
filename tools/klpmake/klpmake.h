/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * klpmake: build a livepatch module that may reference static and
 * non-exported kernel symbols.
 *
 * One pass, one job per file:
 *   kbuild.c   build the module source with kbuild, check the kernel
 *   elf.c      read an ELF object (the module, vmlinux, a target .ko), and
 *              write one back with sections and symbols edited
 *   symbols.c  decide which undefined symbols livepatch resolves, and find
 *              each (and each -s name) in its object with the position
 *              kallsyms will give it
 *   rewrite.c  decide which relocations move to .klp.rela sections and how
 *              their symbols are named, have elf.c write the .ko
 *   main.c     the command line and the order of the steps
 *   util.c     messages, allocation that exits when memory runs out
 *
 * Every function that fails has already printed one line naming the file
 * or symbol and the reason; it returns -1 and the caller only unwinds.
 */
#ifndef _KLPMAKE_H
#define _KLPMAKE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <gelf.h>

/* From include/uapi/linux/elf.h, see module-elf-format.rst */
#define SHF_RELA_LIVEPATCH	0x00100000
#define SHN_LIVEPATCH		0xff20

#define KLP_SYM_PREFIX		".klp.sym."
#define KLP_RELA_PREFIX		".klp.rela."
/* MODULE_NAME_LEN - 1 and KSYM_NAME_LEN - 1 of klp_resolve_symbols() */
#define KLP_OBJNAME_MAX		55
#define KLP_SYMNAME_MAX		511

#define __printf(a, b)	__attribute__((format(printf, a, b)))
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* util.c: "klpmake: error: ..." and "klpmake: warning: ..." on stderr */
__printf(1, 2) void pr_err(const char *fmt, ...);
__printf(1, 2) void pr_warn(const char *fmt, ...);
/* These exit with status 2 when out of memory; 0 elements or bytes is fine. */
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t size);
char *xstrdup(const char *s);
__printf(1, 2) char *xasprintf(const char *fmt, ...);

/*
 * Set by SIGINT, SIGTERM or SIGHUP: the step under way stops (a build is
 * killed), the scratch copy and any temporary file are removed, nothing
 * is written, and klpmake exits with 130.
 */
extern atomic_int klp_interrupted;
void catch_interrupts(void);

/* elf.c */
struct kelf_sec {
	GElf_Shdr sh;
	Elf_Scn *scn;
	Elf_Data *data;
	const char *name;
};

struct kelf_sym {
	GElf_Sym st;
	const char *name;
	const char *file;	/* STT_FILE group of a local, else NULL */
	size_t idx;		/* index in .symtab */
};

struct kelf {
	const char *path;
	int fd;
	Elf *elf;
	GElf_Ehdr eh;
	size_t shnum;
	size_t shstrndx;
	struct kelf_sec *secs;		/* indexed like the section headers */
	size_t symtab;			/* index of .symtab, 0 if none */
	struct kelf_sym *syms;		/* indexed like .symtab */
	size_t nsyms;
};

int kelf_open(struct kelf *k, const char *path);
void kelf_close(struct kelf *k);
const char *kelf_modinfo(const struct kelf *k, const char *key);
const struct kelf_sec *kelf_find_sec(const struct kelf *k, const char *name);

/* A symbol renamed into a reserved section index (SHN_LIVEPATCH). */
struct kelf_symedit {
	const char *name;	/* NULL: the symbol is unchanged */
	unsigned int shndx;
};

/* A RELA section added after the object's own. */
struct kelf_newsec {
	char *name;
	GElf_Shdr sh;		/* sh_link and sh_info index @in's sections */
	const GElf_Rela *rela;
	size_t nrela;
};

/*
 * The object @in written back with sections left out, the entries of RELA
 * sections replaced, symbols renamed and RELA sections added.  Symbols
 * keep their indices, so .symtab keeps its sh_info; sections are
 * renumbered.  The arrays but @add are indexed like @in's sections or
 * symbols.
 */
struct kelf_edit {
	const struct kelf *in;
	bool *drop;			/* by section */
	GElf_Rela **rela;		/* by section: new entries, or NULL */
	size_t *nrela;
	struct kelf_symedit *sym;	/* by symbol */
	struct kelf_newsec *add;
	size_t nadd;
};

int kelf_write(const struct kelf_edit *e, const char *path);

/* kbuild.c */
struct kbuild {
	const char *kdir;
	const char *cross;	/* CROSS_COMPILE */
	char *scratch;		/* copy of the source, built */
	bool keep;		/* leave the scratch copy behind */
	bool verbose;
	char *ko;		/* the module kbuild made, inside scratch */
	char *release;		/* include/config/kernel.release */
	bool kallsyms_all;	/* CONFIG_KALLSYMS_ALL in .config */
	bool module_sections;	/* CONFIG_MODULE_SECTIONS: modules get a GOT */
	bool module_sig;	/* CONFIG_MODULE_SIG: the kernel checks them */
};

int kbuild_read_kernel(struct kbuild *kb);
int kbuild_build(struct kbuild *kb, const char *srcdir, const char *cflags);
void kbuild_cleanup(struct kbuild *kb);
int kbuild_check_vmlinux(const struct kbuild *kb, const struct kelf *vmlinux);
int kbuild_check_module(const struct kbuild *kb, const struct kelf *mod,
			const struct kelf *target);

/* symbols.c */
struct target {
	const char *objname;	/* "vmlinux" or the module's name */
	bool vmlinux;
	bool kallsyms_all;
	struct kelf *elf;
	struct kelf_sym **byname;	/* defined symbols, sorted by name */
	size_t nbyname;
};

/* Module.symvers: what the module loader resolves by itself */
struct export {
	char *name;
	char *owner;		/* "vmlinux" or a module path */
};

struct exports {
	struct export *e;	/* sorted by name */
	size_t n;
};

/* -s name:file.c or -s name:N */
struct hint {
	const char *name;
	const char *file;	/* NULL when pos is given */
	unsigned long pos;
	unsigned long sympos;	/* what it resolves to, before the build */
	bool used;
};

/* An undefined symbol of the module that livepatch will resolve. */
struct klp_ref {
	size_t symidx;			/* in the module's .symtab */
	const struct target *obj;
	unsigned long sympos;
	char *klpname;			/* .klp.sym.<obj>.<name>,<pos> */
};

int target_init(struct target *t, struct kelf *elf, const char *objname,
		bool vmlinux, bool kallsyms_all);
void target_free(struct target *t);
int symvers_load(const char *path, struct exports *ex);
void symvers_free(struct exports *ex);
int symvers_check_vmlinux(const struct exports *ex, const struct target *v);
int resolve_hints(const struct target *vmlinux, const struct target *module,
		  struct hint *hints, size_t nhints);
char *sympos_defines(struct hint *hints, size_t nhints);
int resolve_refs(const struct kelf *mod, const struct exports *ex,
		 const struct target *vmlinux, const struct target *module,
		 struct hint *hints, size_t nhints,
		 struct klp_ref **refs, size_t *nrefs);
int check_old_names(const struct kelf *mod, const struct target *vmlinux,
		    const struct target *module);
void warn_clones(const struct kelf *mod, const struct target *vmlinux,
		 const struct target *module, const struct hint *hints,
		 size_t nhints);

/* rewrite.c */
int klp_write(const struct kelf *mod, const struct klp_ref *refs,
	      size_t nrefs, bool module_got, const char *out);

#endif /* _KLPMAKE_H */
