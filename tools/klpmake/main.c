// SPDX-License-Identifier: GPL-2.0-only
/*
 * klpmake -k KDIR [-m TARGET.ko] [-s NAME:FILE.c|NAME:N]... -o OUT.ko SRCDIR
 *
 * The steps, each of which may refuse (one line on stderr, exit 1, no
 * OUT.ko written):
 *   1. the kernel tree: release, vmlinux, Module.symvers agree
 *   2. every -s name is found in the target or vmlinux; its sympos is
 *      passed to the compiler as KLPMAKE_SYMPOS_<name>, for old_sympos
 *   3. kbuild builds SRCDIR in a scratch copy, modpost in warning mode
 *   4. the module is a livepatch module for that kernel (and the target's)
 *   5. every unexported undefined symbol is found in the target or vmlinux,
 *      and the old_sympos of every klp_func picks one definition
 *   6. their relocations move to .klp.rela sections, OUT.ko is written
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "klpmake.h"

#define DEFAULT_CROSS	"riscv64-linux-gnu-"

static void print_usage(void)
{
	fputs("usage: klpmake -k KDIR [-m TARGET.ko] [-s NAME:FILE.c|NAME:N]...\n"
	      "               [-c CROSS_COMPILE] [-w] [-v] -o OUT.ko SRCDIR\n"
	      "  -k KDIR     built kernel tree (vmlinux, Module.symvers, .config)\n"
	      "  -m TARGET   the module the patch targets, as built (.ko)\n"
	      "  -s NAME:FILE.c  the static NAME defined in FILE.c\n"
	      "  -s NAME:N   the NAME at kallsyms position N (1-based)\n"
	      "              (either defines KLPMAKE_SYMPOS_NAME for the source)\n"
	      "  -c PREFIX   CROSS_COMPILE for kbuild (default "
	      DEFAULT_CROSS ")\n"
	      "  -w          keep the scratch build directory\n"
	      "  -v          show the kbuild log\n"
	      "  -o OUT.ko   the livepatch module to write\n"
	      "  SRCDIR      the patch module's source (with its Kbuild)\n",
	      stderr);
}

static int parse_hint(struct options *o, char *arg)
{
	char *colon = strchr(arg, ':'), *end;
	struct hint *h;
	size_t i;

	if (!colon || colon == arg || !colon[1]) {
		pr_err("-s %s: expected NAME:FILE.c or NAME:N", arg);
		return -1;
	}
	*colon = '\0';
	for (i = 0; i < o->nhints; i++) {
		if (!strcmp(o->hints[i].name, arg)) {
			pr_err("-s %s: given twice", arg);
			return -1;
		}
	}
	h = &o->hints[o->nhints++];
	h->name = arg;
	if (strspn(colon + 1, "0123456789") == strlen(colon + 1)) {
		h->pos = strtoul(colon + 1, &end, 10);
		if (!h->pos) {
			pr_err("-s %s:%s: positions start at 1", arg, colon + 1);
			return -1;
		}
	} else {
		h->file = colon + 1;
	}
	return 0;
}

static int parse_args(int argc, char **argv, struct options *o,
		      struct kbuild *kb)
{
	int c;

	o->hints = xcalloc(argc, sizeof(*o->hints));
	opterr = 0;
	while ((c = getopt(argc, argv, "k:m:s:c:o:wvh")) != -1) {
		switch (c) {
		case 'k':
			o->kdir = optarg;
			break;
		case 'm':
			o->target = optarg;
			break;
		case 's':
			if (parse_hint(o, optarg))
				return -1;
			break;
		case 'c':
			kb->cross = optarg;
			break;
		case 'o':
			o->out = optarg;
			break;
		case 'w':
			kb->keep = true;
			break;
		case 'v':
			kb->verbose = true;
			break;
		case 'h':
			print_usage();
			exit(0);
		default:
			pr_err("option -%c: %s", optopt,
			       strchr("kmsco", optopt) ? "needs an argument" :
			       "unknown");
			return -1;
		}
	}
	if (!o->kdir || !o->out || optind != argc - 1) {
		pr_err("%s", !o->kdir ? "-k KDIR is required" :
		       !o->out ? "-o OUT.ko is required" :
		       "exactly one SRCDIR is required");
		return -1;
	}
	o->src = argv[optind];
	kb->kdir = o->kdir;
	return 0;
}

/* vmlinux and Module.symvers, which must come from one build. */
static int open_vmlinux(struct objects *objs, const struct kbuild *kb)
{
	char *symvers;
	int ret;

	objs->vmlinux_path = xasprintf("%s/vmlinux", kb->kdir);
	if (kelf_open(&objs->vmlinux_elf, objs->vmlinux_path) ||
	    target_init(&objs->vmlinux, &objs->vmlinux_elf, "vmlinux", true,
			kb->kallsyms_all) ||
	    kbuild_check_vmlinux(kb, &objs->vmlinux_elf))
		return -1;
	symvers = xasprintf("%s/Module.symvers", kb->kdir);
	ret = symvers_load(symvers, &objs->ex) ||
	      symvers_check_vmlinux(&objs->ex, &objs->vmlinux);
	free(symvers);
	return ret ? -1 : 0;
}

/* The -m module, known to livepatch by its .modinfo name. */
int open_module(struct objects *objs, const char *path, bool kallsyms_all)
{
	const char *name;

	if (kelf_open(&objs->module_elf, path))
		return -1;
	name = kelf_modinfo(&objs->module_elf, "name");
	if (!name) {
		pr_err("%s: no module name in .modinfo", path);
		return -1;
	}
	if (kelf_modinfo(&objs->module_elf, "livepatch")) {
		pr_err("%s: '%s' is a livepatch module: livepatch does not patch those; the target is the module whose functions the fix replaces",
		       path, name);
		return -1;
	}
	if (target_init(&objs->module_target, &objs->module_elf, name, false,
			kallsyms_all))
		return -1;
	objs->module = &objs->module_target;
	return 0;
}

/* Step 1, and the -m module: the -s names are looked up in both. */
int open_objects(struct objects *objs, const struct kbuild *kb,
		 const char *module)
{
	if (open_vmlinux(objs, kb))
		return -1;
	return module ? open_module(objs, module, kb->kallsyms_all) : 0;
}

void close_objects(struct objects *objs)
{
	target_free(&objs->module_target);
	kelf_close(&objs->module_elf);
	free(objs->module_path);
	symvers_free(&objs->ex);
	target_free(&objs->vmlinux);
	kelf_close(&objs->vmlinux_elf);
	free(objs->vmlinux_path);
}

/* What the patch module holds: one line on success. */
static void print_summary(const struct kelf *mod, const struct klp_ref *refs,
			  size_t nrefs, const struct target *module,
			  const char *out)
{
	size_t i, funcs = 0, in_module = 0;

	for (i = 0; i < mod->nsyms; i++) {
		const struct kelf_sym *s = &mod->syms[i];
		const char *sec;

		if (GELF_ST_TYPE(s->st.st_info) != STT_FUNC ||
		    s->st.st_shndx == SHN_UNDEF || s->st.st_shndx >= mod->shnum)
			continue;
		sec = mod->secs[s->st.st_shndx].name;
		if (strncmp(sec, ".init", 5) && strncmp(sec, ".exit", 5))
			funcs++;
	}
	for (i = 0; i < nrefs; i++)
		in_module += !refs[i].obj->vmlinux;
	printf("klpmake: wrote %s: %zu function%s, %zu symbol%s through .klp.sym (vmlinux %zu",
	       out, funcs, funcs == 1 ? "" : "s", nrefs, nrefs == 1 ? "" : "s",
	       nrefs - in_module);
	if (module)
		printf(", %s %zu", module->objname, in_module);
	printf(")\n");
}

/* Steps 4 to 6, once the module is built. */
int make_patch(struct options *o, const struct kbuild *kb,
	       const struct objects *objs)
{
	const struct target *module = objs->module;
	struct klp_ref *refs = NULL;
	size_t nrefs = 0, i;
	struct kelf mod;
	int ret = -1;

	if (kelf_open(&mod, kb->ko))
		return -1;
	if (kbuild_check_module(kb, &mod, module ? module->elf : NULL) ||
	    resolve_refs(&mod, &objs->ex, &objs->vmlinux, module, o->hints,
			 o->nhints, &refs, &nrefs) ||
	    check_old_names(&mod, &objs->vmlinux, module))
		goto out;
	for (i = 0; i < o->nhints; i++)
		if (!o->hints[i].used)
			pr_warn("-s %s: the module does not reference '%s'",
				o->hints[i].name, o->hints[i].name);
	warn_clones(&mod, &objs->vmlinux, module, o->hints, o->nhints);
	ret = klp_write(&mod, refs, nrefs, kb->module_sections,
			module ? module->objname : NULL, o->out);
	if (!ret)
		print_summary(&mod, refs, nrefs, module, o->out);
	/* The rewrite would break a signature: klpmake writes none. */
	if (!ret && kb->module_sig)
		pr_warn("%s is not signed and %s has CONFIG_MODULE_SIG: sign it (%s/scripts/sign-file sha512 <key> <cert> %s) or loading it taints the kernel, and fails with CONFIG_MODULE_SIG_FORCE",
			o->out, kb->kdir, kb->kdir, o->out);
	for (i = 0; i < nrefs && !ret && kb->verbose; i++)
		fprintf(stderr, "klpmake: %s\n", refs[i].klpname);
out:
	for (i = 0; i < nrefs; i++)
		free(refs[i].klpname);
	free(refs);
	kelf_close(&mod);
	return ret;
}

int main(int argc, char **argv)
{
	struct kbuild kb = { .cross = DEFAULT_CROSS };
	struct objects objs = { .vmlinux_elf.fd = -1, .module_elf.fd = -1 };
	struct options o = { 0 };
	char *defines = NULL;
	int ret = 1;

	if (argc > 1 && !strcmp(argv[1], "diff"))
		return diff_main(argc - 1, argv + 1);
	if (parse_args(argc, argv, &o, &kb)) {
		print_usage();
		free(o.hints);
		return 2;
	}
	catch_interrupts();
	if (elf_version(EV_CURRENT) == EV_NONE) {
		pr_err("libelf: %s", elf_errmsg(-1));
		return 1;
	}
	if (kbuild_read_kernel(&kb) || open_objects(&objs, &kb, o.target) ||
	    resolve_hints(&objs.vmlinux, objs.module, o.hints, o.nhints))
		goto out;
	defines = sympos_defines(o.hints, o.nhints);
	if (defines && kb.verbose)
		fprintf(stderr, "klpmake: %s\n", defines);
	if (!kbuild_build(&kb, o.src, defines) && !make_patch(&o, &kb, &objs))
		ret = 0;
out:
	free(defines);
	if (klp_interrupted) {
		/* The scratch copy goes even with -w: it is half built. */
		kb.keep = false;
		pr_err("interrupted: nothing written");
		ret = 130;
	}
	kbuild_cleanup(&kb);
	close_objects(&objs);
	free(o.hints);
	return ret;
}
