// SPDX-License-Identifier: GPL-2.0-only
/*
 * Built by klpmake: replaces the test kernel's static wo_ftrace_testee_show(),
 * calls its static wo_ftrace_testee_scale() and adds 10 to its static
 * wo_ftrace_testee_count, none of them exported.
 */
#include <linux/livepatch.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include "klp_test_static.h"

static int livepatch_wo_ftrace_testee_show(struct seq_file *m, void *v)
{
	wo_ftrace_testee_count += 10;
	seq_printf(m, "patched count %d scale %d\n", wo_ftrace_testee_count,
		   wo_ftrace_testee_scale(2));
	return 0;
}

static struct klp_func funcs[] = {
	{
		.old_name = "wo_ftrace_testee_show",
		.new_func = livepatch_wo_ftrace_testee_show,
	}, { }
};

static struct klp_object objs[] = {
	{
		.funcs = funcs,
	}, { }
};

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
};

static int __init klp_test_static_init(void)
{
	return klp_enable_patch(&patch);
}

static void __exit klp_test_static_exit(void)
{
}

module_init(klp_test_static_init);
module_exit(klp_test_static_exit);
MODULE_DESCRIPTION("Live patch test: static symbols of vmlinux (klpmake)");
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");
