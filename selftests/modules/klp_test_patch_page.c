// SPDX-License-Identifier: GPL-2.0-only
/*
 * Live patch of klp_test_target's functions around the end of a page:
 *   funcs=MASK   (load) replace klp_target_page_N for each bit N of MASK
 *                (0 to 5); the new one returns x ^ (100 + N)
 * The entries are written in one pass over each text page; the jump of
 * klp_target_page_2 runs into the next page.
 */
#include <linux/livepatch.h>
#include <linux/module.h>

#define KLP_PAGE_NR_FNS	6

static unsigned int funcs;
module_param(funcs, uint, 0400);
MODULE_PARM_DESC(funcs, "bit N: replace klp_target_page_N");

#define KLP_PAGE_NEW(n)							\
static noinline unsigned long livepatch_klp_target_page_##n(unsigned long x) \
{									\
	return x ^ (100 + (n));						\
}

KLP_PAGE_NEW(0)
KLP_PAGE_NEW(1)
KLP_PAGE_NEW(2)
KLP_PAGE_NEW(3)
KLP_PAGE_NEW(4)
KLP_PAGE_NEW(5)

#define KLP_PAGE_FUNC(n) {						\
	.old_name = "klp_target_page_" #n,				\
	.new_func = livepatch_klp_target_page_##n,			\
}

static const struct klp_func klp_page_all[KLP_PAGE_NR_FNS] = {
	KLP_PAGE_FUNC(0), KLP_PAGE_FUNC(1), KLP_PAGE_FUNC(2),
	KLP_PAGE_FUNC(3), KLP_PAGE_FUNC(4), KLP_PAGE_FUNC(5),
};

/* One more than the functions: an empty entry ends the list. */
static struct klp_func klp_page_funcs[KLP_PAGE_NR_FNS + 1];

static struct klp_object objs[] = {
	{
		.name = "klp_test_target",
		.funcs = klp_page_funcs,
	}, { }
};

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
};

static int __init klp_test_patch_page_init(void)
{
	unsigned int i, n = 0;

	if (!funcs || funcs >= BIT(KLP_PAGE_NR_FNS)) {
		pr_err("klp_test_patch_page: funcs=%#x, expected bits 0 to %u\n",
		       funcs, KLP_PAGE_NR_FNS - 1);
		return -EINVAL;
	}
	for (i = 0; i < KLP_PAGE_NR_FNS; i++)
		if (funcs & BIT(i))
			klp_page_funcs[n++] = klp_page_all[i];
	return klp_enable_patch(&patch);
}

static void __exit klp_test_patch_page_exit(void)
{
}

module_init(klp_test_patch_page_init);
module_exit(klp_test_patch_page_exit);
MODULE_DESCRIPTION("live patching guest tests: patch of entries that share and cross a page");
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");
