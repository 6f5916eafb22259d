// SPDX-License-Identifier: GPL-2.0-only
/*
 * The soak's patch of klp_stress_mod, enabled and disabled while that
 * module is loaded and unloaded.
 */
#include <linux/livepatch.h>
#include <linux/module.h>

#include "klp_stress.h"

static unsigned long livepatch_klp_stress_mod_fn(unsigned long x)
{
	return KLP_STRESS_VALUE(x, 0, KLP_STRESS_MOD);
}

static struct klp_func funcs[] = {
	{
		.old_name = "klp_stress_mod_fn",
		.new_func = livepatch_klp_stress_mod_fn,
	}, { }
};

static struct klp_object objs[] = {
	{
		.name = "klp_stress_mod",
		.funcs = funcs,
	}, { }
};

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
};

static int __init klp_stress_mod_patch_init(void)
{
	return klp_enable_patch(&patch);
}

static void __exit klp_stress_mod_patch_exit(void)
{
}

module_init(klp_stress_mod_patch_init);
module_exit(klp_stress_mod_patch_exit);
MODULE_DESCRIPTION("live patching soak: a patch of the module that comes and goes");
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");
