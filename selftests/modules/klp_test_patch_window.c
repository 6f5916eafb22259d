// SPDX-License-Identifier: GPL-2.0-only
/*
 * Live patch of klp_test_target: klp_target_window(), which reads a user
 * int at entry + 4, returns 2 without reading.
 */
#include <linux/livepatch.h>
#include <linux/module.h>

static int livepatch_klp_target_window(const int __user *p)
{
	return 2;
}

static struct klp_func funcs[] = {
	{
		.old_name = "klp_target_window",
		.new_func = livepatch_klp_target_window,
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

static int __init klp_test_patch_window_init(void)
{
	return klp_enable_patch(&patch);
}

static void __exit klp_test_patch_window_exit(void)
{
}

module_init(klp_test_patch_window_init);
module_exit(klp_test_patch_window_exit);
MODULE_DESCRIPTION("live patching guest tests: patch of a function a task is held in at entry + 4");
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");
