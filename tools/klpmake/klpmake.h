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
 * and for klpmake diff, a patch module from a fix:
 *   diff.c     its command line and steps
 *   fixbuild.c apply the diffs to copies, build the objects they touch
 *   layout.c   refuse a changed struct or union
 *   compare.c  which functions and data the fix changes
 *   extract.c  carry them, with their kernel table entries
 *   gensrc.c   the generated klp_patch source and Kbuild
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
bool same_module_name(const char *a, size_t alen, const char *b);

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

/*
 * A symbol renamed into a reserved section index (SHN_LIVEPATCH), or
 * replaced whole (@whole: @st, its st_shndx an input index or reserved,
 * named @name or, if NULL, as before).
 */
struct kelf_symedit {
	const char *name;	/* NULL: the symbol is unchanged */
	unsigned int shndx;
	bool whole;
	GElf_Sym st;
};

/* A RELA section added after the object's own. */
struct kelf_newsec {
	char *name;
	GElf_Shdr sh;		/* sh_link and sh_info index @in's sections */
	const GElf_Rela *rela;
	size_t nrela;
};

/* New contents of a section (its sh_size follows). */
struct kelf_bytes {
	void *buf;
	size_t size;
};

/*
 * The object @in written back with sections left out, the entries of RELA
 * sections or the bytes of others replaced, symbols renamed and RELA
 * sections added.  Sections are renumbered.  Symbols keep their indices,
 * so .symtab keeps its sh_info, unless @symorder is given: then output
 * symbol j is input symbol @symorder[j], the first @nlocals of @nsymout
 * local, and every relocation must be given anew with output indices.
 * The arrays but @add and @symorder are indexed like @in's sections or
 * symbols.
 */
struct kelf_edit {
	const struct kelf *in;
	bool *drop;			/* by section */
	GElf_Rela **rela;		/* by section: new entries, or NULL */
	size_t *nrela;
	struct kelf_bytes *bytes;	/* by section, or NULL: new bytes */
	size_t *link;			/* by section, or NULL: new sh_link */
	struct kelf_symedit *sym;	/* by symbol */
	const size_t *symorder;
	size_t nsymout;
	size_t nlocals;
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
	bool per_task;		/* the per-task consistency model */
};

/*
 * Run @argv in a process group of its own, which an interrupt stops, its
 * output to @log if given.  Returns its exit status, or -1.
 */
int klp_run(char *const argv[], const char *log);
/* @log on stderr with @from replaced by @to (scratch paths as the user's) */
void klp_print_log(const char *log, const char *from, const char *to);
void klp_rmtree(const char *path);
size_t modules_order_stem(const char *line);
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

/* fixbuild.c: the objects a diff touches, built before and after it */
struct fix_object {
	char *source;		/* kernel/sys.c, relative to the tree */
	char *dir;		/* kernel */
	char *cmd;		/* the command kbuild saved for kernel/sys.o */
	char *before;		/* the objects built in the work directory */
	char *after;
	char *module;		/* the .ko it is linked into, or NULL: vmlinux */
};

struct fix {
	const char *kdir;	/* absolute */
	char *srctree;		/* kdir, or kdir/source for O= builds */
	char *work;		/* before/, after/, the objects and logs */
	bool keep;
	bool verbose;
	char **files;		/* what the diffs touch, relative to the tree */
	size_t nfiles;
	struct fix_object *objs;
	size_t nobjs;
};

int fix_prepare(struct fix *f, char *const *diffs, size_t ndiffs);
int fix_find_objects(struct fix *f);
int fix_compile(struct fix *f);

/* layout.c: a struct or union the fix changes, refused */
int fix_check_layouts(const struct fix *f);
void fix_cleanup(struct fix *f);

/* compare.c: which functions and data the fix changes */
enum fix_state {
	FIX_OTHER,		/* not a function or datum of the object */
	FIX_SAME,
	FIX_CHANGED,
	FIX_NEW,
};

struct fix_diff {
	const char *source;	/* the C file, for messages and -s hints */
	bool per_task;		/* the kernel's model: see unpatchable() */
	struct kelf before;
	struct kelf after;
	size_t *rela_of;	/* by section of @after: its .rela, or 0 */
	unsigned char *state;	/* by symbol of @after */
	size_t *old;		/* by symbol of @after: its match in @before */
	size_t changed, added, same;	/* functions */
};

int fix_compare(struct fix_diff *d);
void fix_diff_free(struct fix_diff *d);
bool fix_is_anon(const struct kelf_sym *s);
const struct kelf_sym *fix_cover(const struct kelf *k, size_t shndx,
				 GElf_Addr off, int type);
size_t *fix_rela_index(const struct kelf *k);
size_t fix_nrela(const struct kelf *k, size_t relsec);

/* extract.c: the changed and new functions, as an object of their own */
struct fix_ref {
	char *name;		/* a local of the kernel the code refers to */
	const char *source;
};

struct fix_out {
	char **replaced;	/* kernel names of the changed functions */
	char **newnames;	/* their names in the patch module */
	const char **sources;	/* the C file of each */
	bool *local;		/* static in the kernel: needs its file */
	size_t nreplaced;
	char **added;		/* new functions the changed ones call */
	size_t nadded;
	struct fix_ref *refs;
	size_t nrefs;
};

int fix_extract(struct fix_diff *d, const char *out, struct fix_out *fo);
void fix_out_free(struct fix_out *fo);

/* gensrc.c: the Kbuild and klp_patch of klpmake diff's module */
int gensrc_write(const char *dir, const char *name, const char *objname,
		 bool replace,
		 const struct fix_out *fo, size_t nobjs,
		 const struct hint *hints, size_t nhints);

/* main.c: the steps both modes share */
struct options {
	const char *kdir;
	const char *target;
	const char *out;
	const char *src;
	struct hint *hints;
	size_t nhints;
};

/*
 * The kernel objects the patch refers to.  They are open before the build:
 * the sympos of each -s name goes into the compiler's flags.
 */
struct objects {
	char *vmlinux_path;		/* kelf_open() keeps the pointer */
	struct kelf vmlinux_elf;
	struct target vmlinux;
	struct exports ex;		/* Module.symvers */
	char *module_path;		/* klpmake diff's target, if a module */
	struct kelf module_elf;		/* -m TARGET.ko */
	struct target module_target;
	const struct target *module;	/* &module_target, or NULL */
};

int open_objects(struct objects *objs, const struct kbuild *kb,
		 const char *module);
int open_module(struct objects *objs, const char *path, bool kallsyms_all);
void close_objects(struct objects *objs);
int make_patch(struct options *o, const struct kbuild *kb,
	       const struct objects *objs);

/* diff.c: klpmake diff, a patch module from a fix */
int diff_main(int argc, char **argv);

/* rewrite.c; @target: the target module's name, or NULL */
int klp_write(const struct kelf *mod, const struct klp_ref *refs,
	      size_t nrefs, bool module_got, const char *target,
	      const char *out);

#endif /* _KLPMAKE_H */
