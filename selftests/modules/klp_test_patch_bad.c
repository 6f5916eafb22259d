// SPDX-License-Identifier: GPL-2.0-only
/*
 * A live patch built wrong on purpose, for the tests of bad input:
 *   case=one            one function, target=NAME in object=MOD (vmlinux
 *                       when not given): a data symbol, a module that
 *                       never loads
 *   case=null_new_func  target=NAME with no new function
 *   case=long_name      an old_name of KSYM_NAME_LEN characters
 *   case=twice          target=NAME twice in the same object (old_sympos
 *                       0, then 1: both mean the first occurrence)
 *   case=empty          an object whose funcs array is only its terminator
 * The replacements return 1 and 2; the tests expect them never to run.
 */
#include <linux/kallsyms.h>
#include <linux/livepatch.h>
#include <linux/module.h>
#include <linux/string.h>

static char *bad_case = "one";
module_param_named(case, bad_case, charp, 0400);
static char *target = "";
module_param(target, charp, 0400);
static char *object = "";
module_param(object, charp, 0400);

/* One character more than the core accepts (it needs the NUL too). */
static char long_name[KSYM_NAME_LEN + 1];

/* Distinct bodies, so that the compiler cannot fold one into the other. */
static int livepatch_bad_first(void)
{
	return 1;
}

static int livepatch_bad_second(void)
{
	return 2;
}

/* Two entries and the terminator; each case fills what it needs. */
static struct klp_func funcs[3];

static struct klp_object objs[] = {
	{
		.funcs = funcs,
	}, { }
};

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
};

static int __init klp_test_patch_bad_init(void)
{
	funcs[0].old_name = target;
	funcs[0].new_func = livepatch_bad_first;
	objs[0].name = *object ? object : NULL;

	if (!strcmp(bad_case, "null_new_func")) {
		funcs[0].new_func = NULL;
	} else if (!strcmp(bad_case, "long_name")) {
		memset(long_name, 'x', KSYM_NAME_LEN);
		funcs[0].old_name = long_name;
	} else if (!strcmp(bad_case, "twice")) {
		funcs[1].old_name = target;
		funcs[1].new_func = livepatch_bad_second;
		funcs[1].old_sympos = 1;
	} else if (!strcmp(bad_case, "empty")) {
		memset(&funcs[0], 0, sizeof(funcs[0]));
	} else if (strcmp(bad_case, "one")) {
		return -EINVAL;
	}
	return klp_enable_patch(&patch);
}

static void __exit klp_test_patch_bad_exit(void)
{
}

module_init(klp_test_patch_bad_init);
module_exit(klp_test_patch_bad_exit);
MODULE_DESCRIPTION("live patching guest tests: patches built wrong on purpose");
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");
