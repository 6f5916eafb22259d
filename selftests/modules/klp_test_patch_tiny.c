// SPDX-License-Identifier: GPL-2.0-only
/*
 * Live patch of klp_target_tiny, a 4-byte function: must be refused.
 */
#include <linux/livepatch.h>
#include <linux/module.h>

static void livepatch_klp_target_tiny(void)
{
}

static struct klp_func funcs[] = {
	{
		.old_name = "klp_target_tiny",
		.new_func = livepatch_klp_target_tiny,
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

static int __init klp_test_patch_tiny_init(void)
{
	return klp_enable_patch(&patch);
}

static void __exit klp_test_patch_tiny_exit(void)
{
}

module_init(klp_test_patch_tiny_init);
module_exit(klp_test_patch_tiny_exit);
MODULE_DESCRIPTION("live patching guest tests: patch of a too short function");
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");
