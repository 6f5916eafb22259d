// SPDX-License-Identifier: GPL-2.0-only
/*
 * Built by klpmake with -m klp_test_target.ko: reaches the module's
 * static klp_target_stop through the GOT (auipc %got_pcrel_hi, as -fPIC
 * code does).  The kernel must refuse it: the entry would go to the patch
 * module's read-only .got at every load of the target.
 */
#include <linux/livepatch.h>
#include <linux/module.h>

static int livepatch_klp_target_answer(void)
{
	int *stop;

	asm("1:	auipc	%0, %%got_pcrel_hi(klp_target_stop)\n"
	    "	ld	%0, %%pcrel_lo(1b)(%0)\n"
	    : "=r" (stop));
	return 2000 + READ_ONCE(*stop);
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

static int __init klp_test_static_got_init(void)
{
	return klp_enable_patch(&patch);
}

static void __exit klp_test_static_got_exit(void)
{
}

module_init(klp_test_static_got_init);
module_exit(klp_test_static_got_exit);
MODULE_DESCRIPTION("Live patch test: a GOT relocation to a module (klpmake)");
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");
