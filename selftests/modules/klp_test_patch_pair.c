// SPDX-License-Identifier: GPL-2.0-only
/*
 * Live patch of klp_test_target: klp_target_f() and klp_target_g() return
 * 2, and their caller klp_target_pair() is replaced too, so that under
 * the per-task model a task inside it does not switch between the two
 * calls (upstream's guarantee covers the functions of the patch).
 */
#include <linux/livepatch.h>
#include <linux/module.h>
#include "klp_test_target.h"

static int livepatch_klp_target_f(void)
{
	return 2;
}

static int livepatch_klp_target_g(void)
{
	return 2;
}

/* Through the old entries: each call goes where the task's state says. */
static void livepatch_klp_target_pair(int *f, int *g)
{
	*f = klp_target_f();
	*g = klp_target_g();
}

static struct klp_func funcs[] = {
	{
		.old_name = "klp_target_f",
		.new_func = livepatch_klp_target_f,
	}, {
		.old_name = "klp_target_g",
		.new_func = livepatch_klp_target_g,
	}, {
		.old_name = "klp_target_pair",
		.new_func = livepatch_klp_target_pair,
	}, { }
};

static struct klp_object objs[] = {
	{
		.name = "klp_test_target",
		.funcs = funcs,
	}, { }
};

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
};

static int __init klp_test_patch_pair_init(void)
{
	return klp_enable_patch(&patch);
}

static void __exit klp_test_patch_pair_exit(void)
{
}

module_init(klp_test_patch_pair_init);
module_exit(klp_test_patch_pair_exit);
MODULE_DESCRIPTION("live patching guest tests: a patch of two functions and their caller");
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");
