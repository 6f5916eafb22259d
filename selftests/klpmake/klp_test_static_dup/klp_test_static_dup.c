// SPDX-License-Identifier: GPL-2.0-only
/*
 * Built by klpmake with -s wo_ftrace_testee_origin:wo_ftrace_testee_dup.c:
 * replaces the wo_ftrace_testee_origin() of that file, not its namesake in
 * wo_ftrace_testee.c.  klpmake defines KLPMAKE_SYMPOS_wo_ftrace_testee_origin
 * to the kernel's position of the hinted definition.
 */
#include <linux/livepatch.h>
#include <linux/module.h>

static const char *livepatch_wo_ftrace_testee_origin(void)
{
	return "dup, patched";
}

static struct klp_func funcs[] = {
	{
		.old_name = "wo_ftrace_testee_origin",
		.old_sympos = KLPMAKE_SYMPOS_wo_ftrace_testee_origin,
		.new_func = livepatch_wo_ftrace_testee_origin,
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

static int __init klp_test_static_dup_init(void)
{
	return klp_enable_patch(&patch);
}

static void __exit klp_test_static_dup_exit(void)
{
}

module_init(klp_test_static_dup_init);
module_exit(klp_test_static_dup_exit);
MODULE_DESCRIPTION("Live patch test: a duplicated static name (klpmake)");
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");
