// SPDX-License-Identifier: GPL-2.0-only
/*
 * A live patch of any one function, named by parameters, for the tests
 * of what must be refused:
 *   target=NAME  the function
 *   object=MOD   the module it is in (vmlinux when not given)
 *   sympos=N     its position among same-named symbols
 * The replacement returns 0; the tests expect it never to be installed.
 */
#include <linux/livepatch.h>
#include <linux/module.h>

static char *target = "";
module_param(target, charp, 0400);
static char *object = "";
module_param(object, charp, 0400);
static unsigned long sympos;
module_param(sympos, ulong, 0400);

static int livepatch_param_func(void)
{
	return 0;
}

static struct klp_func funcs[] = {
	{
		.new_func = livepatch_param_func,
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

static int __init klp_test_patch_param_init(void)
{
	funcs[0].old_name = target;
	funcs[0].old_sympos = sympos;
	objs[0].name = *object ? object : NULL;
	return klp_enable_patch(&patch);
}

static void __exit klp_test_patch_param_exit(void)
{
}

module_init(klp_test_patch_param_init);
module_exit(klp_test_patch_param_exit);
MODULE_DESCRIPTION("live patching guest tests: patch of a function named by parameter");
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");
