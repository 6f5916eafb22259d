// SPDX-License-Identifier: GPL-2.0-only
/*
 * klpmake -k KDIR [-m TARGET.ko] [-s NAME:FILE.c|NAME:N]... -o OUT.ko SRCDIR
 *
 * The steps, each of which may refuse (one line on stderr, exit 1, no
 * OUT.ko written):
 *   1. the kernel tree: release, vmlinux, Module.symvers agree
 *   2. kbuild builds SRCDIR in a scratch copy, modpost in warning mode
 *   3. the module is a livepatch module for that kernel (and the target's)
 *   4. every unexported undefined symbol is found in the target or vmlinux
 *   5. their relocations move to .klp.rela sections, OUT.ko is written
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "klpmake.h"

#define DEFAULT_CROSS	"riscv64-linux-gnu-"

static void vmsg(const char *what, const char *fmt, va_list ap)
{
	fprintf(stderr, "klpmake: %s", what);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void pr_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("error: ", fmt, ap);
	va_end(ap);
}

void pr_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("warning: ", fmt, ap);
	va_end(ap);
}

static void oom(void)
{
	fputs("klpmake: error: out of memory\n", stderr);
	exit(2);
}

void *xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb, size);

	if (!p)
		oom();
	return p;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		oom();
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&p, fmt, ap);
	va_end(ap);
	if (n < 0)
		oom();
	return p;
}

static void print_usage(void)
{
	fputs("usage: klpmake -k KDIR [-m TARGET.ko] [-s NAME:FILE.c|NAME:N]...\n"
	      "               [-c CROSS_COMPILE] [-w] [-v] -o OUT.ko SRCDIR\n"
	      "  -k KDIR     built kernel tree (vmlinux, Module.symvers, .config)\n"
	      "  -m TARGET   the module the patch targets, as built (.ko)\n"
	      "  -s NAME:FILE.c  the static NAME defined in FILE.c\n"
	      "  -s NAME:N   the NAME at kallsyms position N (1-based)\n"
	      "  -c PREFIX   CROSS_COMPILE for kbuild (default "
	      DEFAULT_CROSS ")\n"
	      "  -w          keep the scratch build directory\n"
	      "  -v          show the kbuild log\n"
	      "  -o OUT.ko   the livepatch module to write\n"
	      "  SRCDIR      the patch module's source (with its Kbuild)\n",
	      stderr);
}

struct options {
	const char *kdir;
	const char *target;
	const char *out;
	const char *src;
	struct hint *hints;
	size_t nhints;
};

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

/* Steps 3 to 5, once the module is built. */
static int make_patch(struct options *o, struct kbuild *kb,
		      const struct exports *ex, const struct target *vmlinux)
{
	struct kelf mod, target_elf = { .fd = -1 };
	struct target module = { 0 };
	struct klp_ref *refs = NULL;
	size_t nrefs = 0, i;
	int ret = -1;

	if (kelf_open(&mod, kb->ko))
		return -1;
	if (o->target && kelf_open(&target_elf, o->target))
		goto out;
	if (kbuild_check_module(kb, &mod, o->target ? &target_elf : NULL))
		goto out;
	if (o->target &&
	    target_init(&module, &target_elf,
			kelf_modinfo(&target_elf, "name"), false,
			kb->kallsyms_all))
		goto out;
	if (resolve_refs(&mod, ex, vmlinux, o->target ? &module : NULL,
			 o->hints, o->nhints, &refs, &nrefs))
		goto out;
	for (i = 0; i < o->nhints; i++)
		if (!o->hints[i].used)
			pr_warn("-s %s: the module does not reference '%s'",
				o->hints[i].name, o->hints[i].name);
	warn_clones(&mod, vmlinux, o->target ? &module : NULL, o->hints,
		    o->nhints);
	ret = klp_write(&mod, refs, nrefs, o->out);
	for (i = 0; i < nrefs && !ret && kb->verbose; i++)
		fprintf(stderr, "klpmake: %s\n", refs[i].klpname);
out:
	for (i = 0; i < nrefs; i++)
		free(refs[i].klpname);
	free(refs);
	target_free(&module);
	if (o->target)
		kelf_close(&target_elf);
	kelf_close(&mod);
	return ret;
}

int main(int argc, char **argv)
{
	struct kbuild kb = { .cross = DEFAULT_CROSS };
	struct options o = { 0 };
	struct kelf vmlinux = { .fd = -1 };
	struct target vt = { 0 };
	struct exports ex = { 0 };
	char *path, *vmpath = NULL;
	int ret = 1;

	if (parse_args(argc, argv, &o, &kb)) {
		print_usage();
		free(o.hints);
		return 2;
	}
	if (elf_version(EV_CURRENT) == EV_NONE) {
		pr_err("libelf: %s", elf_errmsg(-1));
		return 1;
	}
	if (kbuild_read_kernel(&kb))
		goto out;
	vmpath = xasprintf("%s/vmlinux", o.kdir);
	if (kelf_open(&vmlinux, vmpath) ||
	    target_init(&vt, &vmlinux, "vmlinux", true, kb.kallsyms_all) ||
	    kbuild_check_vmlinux(&kb, &vmlinux))
		goto out;
	path = xasprintf("%s/Module.symvers", o.kdir);
	ret = symvers_load(path, &ex) || symvers_check_vmlinux(&ex, &vt);
	free(path);
	if (ret)
		goto out;
	ret = 1;
	if (kbuild_build(&kb, o.src))
		goto out;
	if (!make_patch(&o, &kb, &ex, &vt))
		ret = 0;
out:
	kbuild_cleanup(&kb);
	symvers_free(&ex);
	target_free(&vt);
	if (vmlinux.elf)
		kelf_close(&vmlinux);
	free(vmpath);
	free(o.hints);
	return ret;
}
