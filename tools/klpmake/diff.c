// SPDX-License-Identifier: GPL-2.0-only
/*
 * klpmake diff -k KDIR -o OUT.ko [-n NAME] [-r] FIX.patch...
 *
 * A patch module from a fix: the objects the diffs touch are built before
 * and after them (fixbuild.c), compared function by function (compare.c),
 * the changed and new functions carried into objects of their own
 * (extract.c) that a generated klp_patch links (gensrc.c); then the
 * module is built and rewritten as in the hand-written mode (main.c).
 * Each phase is timed; nothing is written unless every one succeeds.
 */
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "klpmake.h"

#define DEFAULT_CROSS	"riscv64-linux-gnu-"

struct diff_options {
	struct options o;
	const char *name;
	bool replace;
	char **diffs;
	size_t ndiffs;
};

static void print_usage(void)
{
	fputs("usage: klpmake diff -k KDIR -o OUT.ko [-n NAME] [-r] [-c CROSS_COMPILE]\n"
	      "                    [-w] [-v] FIX.patch...\n"
	      "  -k KDIR     the built kernel tree the fix applies to\n"
	      "  -o OUT.ko   the livepatch module to write\n"
	      "  -n NAME     its name (default: from the first diff's file name)\n"
	      "  -r, --replace  an atomic-replace patch (klp_patch.replace)\n"
	      "  -c PREFIX   CROSS_COMPILE for kbuild (default " DEFAULT_CROSS ")\n"
	      "  -w          keep the work directories\n"
	      "  -v          show the compile commands and the kbuild log\n",
	      stderr);
}

static int parse(int argc, char **argv, struct diff_options *d,
		 struct kbuild *kb, struct fix *f)
{
	static const struct option longopts[] = {
		{ "replace", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "k:o:n:c:rwvh", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'k':
			d->o.kdir = optarg;
			break;
		case 'o':
			d->o.out = optarg;
			break;
		case 'n':
			d->name = optarg;
			break;
		case 'c':
			kb->cross = optarg;
			break;
		case 'r':
			d->replace = true;
			break;
		case 'w':
			kb->keep = true;
			f->keep = true;
			break;
		case 'v':
			kb->verbose = true;
			f->verbose = true;
			break;
		case 'h':
			print_usage();
			exit(0);
		default:
			pr_err("diff: option -%c: %s", optopt,
			       strchr("konc", optopt) ? "needs an argument" :
			       "unknown");
			return -1;
		}
	}
	if (!d->o.kdir || !d->o.out || optind == argc) {
		pr_err("diff: %s", !d->o.kdir ? "-k KDIR is required" :
		       !d->o.out ? "-o OUT.ko is required" :
		       "at least one FIX.patch is required");
		return -1;
	}
	d->diffs = argv + optind;
	d->ndiffs = argc - optind;
	return 0;
}

/* "0001-fix-uname.patch" -> "klp_0001_fix_uname" */
static char *module_name(const char *given, const char *diff)
{
	const char *base = strrchr(diff, '/') ? strrchr(diff, '/') + 1 : diff;
	size_t len = strcspn(base, ".");
	char *name, *p;

	if (given)
		name = xstrdup(given);
	else
		name = xasprintf("%s%.*s", isalpha((unsigned char)*base) ?
				 "" : "klp_", (int)len, base);
	for (p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_')
			*p = '_';
	if (!*name || strlen(name) > KLP_OBJNAME_MAX) {
		pr_err("diff: module name '%s' is empty or longer than %d characters: give one with -n",
		       name, KLP_OBJNAME_MAX);
		free(name);
		return NULL;
	}
	return name;
}

static double seconds(const struct timespec *since)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - since->tv_sec) +
	       (now.tv_nsec - since->tv_nsec) / 1e9;
}

/* A -s hint for each kernel static the patch names; one file a name. */
static int add_hint(struct options *o, const char *name, const char *source)
{
	size_t i;

	for (i = 0; i < o->nhints; i++) {
		if (strcmp(o->hints[i].name, name))
			continue;
		if (strcmp(o->hints[i].file, source)) {
			pr_err("diff: the fix uses the static '%s' of both %s and %s: one patch module cannot name both",
			       name, o->hints[i].file, source);
			return -1;
		}
		return 0;
	}
	o->hints = xrealloc(o->hints, (o->nhints + 1) * sizeof(*o->hints));
	memset(&o->hints[o->nhints], 0, sizeof(*o->hints));
	o->hints[o->nhints].name = name;
	o->hints[o->nhints++].file = source;
	return 0;
}

static int collect_hints(struct options *o, const struct fix_out *fo)
{
	size_t i;

	for (i = 0; i < fo->nreplaced; i++)
		if (fo->local[i] && add_hint(o, fo->replaced[i], fo->sources[i]))
			return -1;
	for (i = 0; i < fo->nrefs; i++)
		if (add_hint(o, fo->refs[i].name, fo->refs[i].source))
			return -1;
	return 0;
}

static int compare_all(struct fix *f, struct fix_diff *diffs, bool per_task,
		       size_t *total)
{
	size_t i, changed = 0, added = 0, same = 0;
	int ret = 0;

	for (i = 0; i < f->nobjs; i++) {
		struct fix_diff *d = &diffs[i];

		d->source = f->objs[i].source;
		d->per_task = per_task;
		if (kelf_open(&d->before, f->objs[i].before) ||
		    kelf_open(&d->after, f->objs[i].after) || fix_compare(d)) {
			ret = -1;
			continue;
		}
		changed += d->changed;
		added += d->added;
		same += d->same;
	}
	if (ret)
		return -1;
	if (!changed) {
		pr_err("diff: the fix changes no function (%zu compiled again, all the same%s)",
		       same, added ? ", and adds only new ones" : "");
		return -1;
	}
	printf("klpmake: compared %zu object%s: %zu function%s changed, ",
	       f->nobjs, f->nobjs == 1 ? "" : "s", changed,
	       changed == 1 ? "" : "s");
	printf("%zu new, %zu unchanged but recompiled", added, same);
	*total = changed;
	return 0;
}

/*
 * The one object the patch targets: vmlinux, or the module the changed
 * objects are linked into (NULL or its .ko in @module).
 */
static int pick_target(const struct fix *f, const struct fix_diff *diffs,
		       const char **module)
{
	const struct fix_object *first = NULL, *o;
	size_t i;

	for (i = 0; i < f->nobjs; i++) {
		o = &f->objs[i];
		if (!diffs[i].changed && !diffs[i].added)
			continue;
		if (!first) {
			first = o;
			continue;
		}
		if (!first->module != !o->module ||
		    (o->module && strcmp(first->module, o->module))) {
			pr_err("diff: the fix changes %s (%s) and %s (%s): klpmake diff builds a patch for one of them; split the fix",
			       first->module ? first->module : "vmlinux",
			       first->source, o->module ? o->module : "vmlinux",
			       o->source);
			return -1;
		}
	}
	*module = first ? first->module : NULL;
	return 0;
}

static int extract_all(struct fix *f, struct fix_diff *diffs,
		       struct fix_out *fo, const char *src, size_t *nout)
{
	size_t i;

	*nout = 0;
	for (i = 0; i < f->nobjs; i++) {
		char *out;
		int ret;

		if (!diffs[i].changed && !diffs[i].added)
			continue;
		out = xasprintf("%s/fix_%zu.bin", src, *nout);
		ret = fix_extract(&diffs[i], out, fo);
		free(out);
		if (ret)
			return -1;
		(*nout)++;
	}
	for (i = 0; i < fo->nreplaced; i++)
		printf("klpmake: replaced %s (%s)\n", fo->replaced[i],
		       fo->sources[i]);
	for (i = 0; i < fo->nadded; i++)
		printf("klpmake: added %s\n", fo->added[i]);
	return 0;
}

static int run(struct diff_options *d, struct kbuild *kb, struct fix *f,
	       struct objects *objs)
{
	struct fix_diff *diffs = NULL;
	struct fix_out fo = { 0 };
	struct timespec t;
	size_t i, changed, nout;
	char *src = NULL, *name;
	const char *module;
	int ret = -1;

	name = module_name(d->name, d->diffs[0]);
	if (!name || kbuild_read_kernel(kb) || open_objects(objs, kb, NULL))
		goto out;
	clock_gettime(CLOCK_MONOTONIC, &t);
	if (fix_prepare(f, d->diffs, d->ndiffs) || fix_check_layouts(f) ||
	    fix_find_objects(f))
		goto out;
	printf("klpmake: applied %zu diff%s to %zu file%s (%.1f s)\n",
	       d->ndiffs, d->ndiffs == 1 ? "" : "s", f->nfiles,
	       f->nfiles == 1 ? "" : "s", seconds(&t));
	clock_gettime(CLOCK_MONOTONIC, &t);
	if (fix_compile(f))
		goto out;
	printf("klpmake: compiled %zu object%s before and after the fix (%.1f s)\n",
	       f->nobjs, f->nobjs == 1 ? "" : "s", seconds(&t));
	clock_gettime(CLOCK_MONOTONIC, &t);
	diffs = xcalloc(f->nobjs, sizeof(*diffs));
	for (i = 0; i < f->nobjs; i++) {
		diffs[i].before.fd = -1;
		diffs[i].after.fd = -1;
	}
	if (compare_all(f, diffs, kb->per_task, &changed))
		goto out;
	printf(" (%.1f s)\n", seconds(&t));
	if (pick_target(f, diffs, &module))
		goto out;
	if (module) {
		objs->module_path = xasprintf("%s/%s", kb->kdir, module);
		if (open_module(objs, objs->module_path, kb->kallsyms_all))
			goto out;
	}
	src = xasprintf("%s/module", f->work);
	if (mkdir(src, 0755)) {
		pr_err("%s: %m", src);
		goto out;
	}
	if (extract_all(f, diffs, &fo, src, &nout) ||
	    collect_hints(&d->o, &fo) ||
	    resolve_hints(&objs->vmlinux, objs->module, d->o.hints,
			  d->o.nhints) ||
	    gensrc_write(src, name, objs->module ? objs->module->objname : NULL,
			 d->replace, &fo, nout, d->o.hints, d->o.nhints))
		goto out;
	/* The names are the patch's own, referenced or not. */
	for (i = 0; i < d->o.nhints; i++)
		d->o.hints[i].used = true;
	clock_gettime(CLOCK_MONOTONIC, &t);
	if (!kbuild_build(kb, src, NULL) && !make_patch(&d->o, kb, objs)) {
		printf("klpmake: built the module (%.1f s)\n", seconds(&t));
		ret = 0;
	}
out:
	for (i = 0; diffs && i < f->nobjs; i++)
		fix_diff_free(&diffs[i]);
	free(diffs);
	fix_out_free(&fo);
	free(src);
	free(name);
	return ret;
}

int diff_main(int argc, char **argv)
{
	struct kbuild kb = { .cross = DEFAULT_CROSS };
	struct objects objs = { .vmlinux_elf.fd = -1, .module_elf.fd = -1 };
	struct diff_options d = { 0 };
	struct fix f = { 0 };
	char *kdir = NULL;
	int ret = 1;

	/* The phase lines in order with the errors, into a pipe too. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (parse(argc, argv, &d, &kb, &f)) {
		print_usage();
		return 2;
	}
	catch_interrupts();
	if (elf_version(EV_CURRENT) == EV_NONE) {
		pr_err("libelf: %s", elf_errmsg(-1));
		return 1;
	}
	kdir = realpath(d.o.kdir, NULL);
	if (!kdir) {
		pr_err("%s: %m", d.o.kdir);
		return 1;
	}
	d.o.kdir = kdir;
	kb.kdir = kdir;
	f.kdir = kdir;
	if (!run(&d, &kb, &f, &objs))
		ret = 0;
	if (klp_interrupted) {
		kb.keep = false;
		f.keep = false;
		pr_err("interrupted: nothing written");
		ret = 130;
	}
	/* A failed build's log is kept with its module source. */
	if (kb.keep && !klp_interrupted)
		f.keep = true;
	kbuild_cleanup(&kb);
	fix_cleanup(&f);
	close_objects(&objs);
	free(d.o.hints);
	free(kdir);
	return ret;
}
