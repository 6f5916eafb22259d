// SPDX-License-Identifier: GPL-2.0-only
/*
 * Live patch of make bench.
 *
 *   funcs=M   (load) replace klp_bench_fn_0 .. klp_bench_fn_<M-1> (M up
 *             to 1000)
 *   funcs=0   replace klp_bench_trivial and klp_bench_body by copies of
 *             themselves, and hand those to the target for the "called
 *             directly" rows; and klp_bench_hold, which the target's hold
 *             kthread sleeps in, by a function that returns
 */
#include <linux/livepatch.h>
#include <linux/module.h>

#include "klp_bench.h"

static unsigned int funcs;
module_param(funcs, uint, 0400);
MODULE_PARM_DESC(funcs, "functions to replace (0: the timed pair)");

asm(KLP_BENCH_GEN_FNS("klp_bench_new_"));

/* The addresses of klp_bench_new_0 .. klp_bench_new_999, in order. */
asm(".pushsection .rodata, \"a\"\n"
	".balign 8\n"
	".globl klp_bench_new_table\n"
	"klp_bench_new_table:\n"
	".altmacro\n"
	".macro klp_bench_entry n\n"
	".dword klp_bench_new_\\n\n"
	".endm\n"
	".set klp_bench_i, 0\n"
	".rept 1000\n"
	"klp_bench_entry %klp_bench_i\n"
	".set klp_bench_i, klp_bench_i + 1\n"
	".endr\n"
	".purgem klp_bench_entry\n"
	".noaltmacro\n"
	".popsection\n");

static char klp_bench_names[KLP_BENCH_NR_FNS][24];

/* One more than the functions: the entry after the M-th ends the list. */
static struct klp_func klp_bench_funcs[KLP_BENCH_NR_FNS + 1];

static noinline unsigned long klp_bench_new_trivial(unsigned long x)
{
	return x + 1;
}

static noinline unsigned long klp_bench_new_body(unsigned long x)
{
	return klp_bench_hash(x);
}

/* Never run: the hold kthread stays in the old function until released. */
static noinline void klp_bench_new_hold(void)
{
}

static struct klp_func klp_bench_timed[] = {
	{
		.old_name = "klp_bench_trivial",
		.new_func = klp_bench_new_trivial,
	}, {
		.old_name = "klp_bench_body",
		.new_func = klp_bench_new_body,
	}, {
		.old_name = "klp_bench_hold",
		.new_func = klp_bench_new_hold,
	}, { }
};

static struct klp_object objs[] = {
	{
		.name = "klp_bench_target",
	}, { }
};

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
};

static int __init klp_bench_patch_init(void)
{
	unsigned int i;
	int ret;

	if (funcs > KLP_BENCH_NR_FNS) {
		pr_err("klp_bench_patch: funcs=%u, at most %u\n", funcs,
		       KLP_BENCH_NR_FNS);
		return -EINVAL;
	}
	if (funcs) {
		for (i = 0; i < funcs; i++) {
			snprintf(klp_bench_names[i], sizeof(klp_bench_names[i]),
				 "klp_bench_fn_%u", i);
			klp_bench_funcs[i].old_name = klp_bench_names[i];
			klp_bench_funcs[i].new_func = klp_bench_new_table[i];
		}
		objs[0].funcs = klp_bench_funcs;
	} else {
		objs[0].funcs = klp_bench_timed;
	}
	ret = klp_enable_patch(&patch);
	if (!ret && !funcs)
		klp_bench_set_new(klp_bench_new_trivial, klp_bench_new_body);
	return ret;
}

static void __exit klp_bench_patch_exit(void)
{
	if (!funcs)
		klp_bench_set_new(NULL, NULL);
}

module_init(klp_bench_patch_init);
module_exit(klp_bench_patch_exit);
MODULE_DESCRIPTION("make bench: live patch of 1 to 1000 functions, or of the timed pair");
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");
