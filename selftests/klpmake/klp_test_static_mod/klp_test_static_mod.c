// SPDX-License-Identifier: GPL-2.0-only
/*
 * Built by klpmake with -m klp_test_target.ko: replaces the module's
 * klp_target_answer() by one that calls its unexported klp_target_tiny()
 * (a bare "ret") and reads its static klp_target_stop:
 * 1000 + 100 * klp_target_stop.
 */
#include <linux/livepatch.h>
#include <linux/module.h>
#include "klp_test_static_mod.h"

static int livepatch_klp_target_answer(void)
{
	klp_target_tiny();
	return 1000 + 100 * READ_ONCE(klp_target_stop);
}

static struct klp_func funcs[] = {
	{
		.old_name = "klp_target_answer",
		.new_func = livepatch_klp_target_answer,
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

static int __init klp_test_static_mod_init(void)
{
	return klp_enable_patch(&patch);
}

static void __exit klp_test_static_mod_exit(void)
{
}

module_init(klp_test_static_mod_init);
module_exit(klp_test_static_mod_exit);
MODULE_DESCRIPTION("Live patch test: static symbols of a module (klpmake)");
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");
