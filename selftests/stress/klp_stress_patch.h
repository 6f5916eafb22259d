/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One patch module of the soak, defined by the file that includes this:
 *   KLP_STRESS_VERSION   what its functions answer (a number)
 *   KLP_STRESS_FIRST, KLP_STRESS_COUNT
 *                        it replaces klp_stress_fn_FIRST .. FIRST+COUNT-1
 *   KLP_STRESS_ALSO      KLP_STRESS_ALSO_NAP: it also replaces
 *                        klp_stress_nap(); KLP_STRESS_ALSO_HOLD:
 *                        klp_stress_hold(), with one that does not wait
 *   KLP_STRESS_REPLACE   true: an atomic-replace patch
 */
#include <linux/delay.h>
#include <linux/livepatch.h>
#include <linux/module.h>

#include "klp_stress.h"

#define KLP_STRESS_ALSO_NONE	0
#define KLP_STRESS_ALSO_NAP	1
#define KLP_STRESS_ALSO_HOLD	2
#ifndef KLP_STRESS_ALSO
#define KLP_STRESS_ALSO		KLP_STRESS_ALSO_NONE
#endif
#ifndef KLP_STRESS_REPLACE
#define KLP_STRESS_REPLACE	false
#endif

#define KLP_STRESS_NEW_FNS(version) KLP_STRESS_GEN_FNS("klp_stress_new_", version)
asm(KLP_STRESS_NEW_FNS(KLP_STRESS_VERSION));
extern const klp_stress_fn_t klp_stress_new_table[KLP_STRESS_NR_FNS];

static unsigned long livepatch_klp_stress_nap(unsigned long x)
{
	usleep_range(20, 50);
	return KLP_STRESS_VALUE(x, KLP_STRESS_NAP, KLP_STRESS_VERSION);
}

static void livepatch_klp_stress_hold(void)
{
}

static char old_names[KLP_STRESS_COUNT][24];

/* The range, then the nap or the hold, then the terminator. */
static struct klp_func funcs[KLP_STRESS_COUNT + 2];

static struct klp_object objs[] = {
	{
		.name = "klp_stress_target",
		.funcs = funcs,
	}, { }
};

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
	.replace = KLP_STRESS_REPLACE,
};

static int __init klp_stress_patch_init(void)
{
	struct klp_func *f = funcs;
	unsigned int i;

	for (i = 0; i < KLP_STRESS_COUNT; i++, f++) {
		snprintf(old_names[i], sizeof(old_names[i]), "klp_stress_fn_%u",
			 KLP_STRESS_FIRST + i);
		f->old_name = old_names[i];
		f->new_func = klp_stress_new_table[KLP_STRESS_FIRST + i];
	}
	if (KLP_STRESS_ALSO == KLP_STRESS_ALSO_NAP) {
		f->old_name = "klp_stress_nap";
		f->new_func = livepatch_klp_stress_nap;
	} else if (KLP_STRESS_ALSO == KLP_STRESS_ALSO_HOLD) {
		f->old_name = "klp_stress_hold";
		f->new_func = livepatch_klp_stress_hold;
	}
	return klp_enable_patch(&patch);
}

static void __exit klp_stress_patch_exit(void)
{
}

module_init(klp_stress_patch_init);
module_exit(klp_stress_patch_exit);
MODULE_DESCRIPTION("live patching soak: a patch of the soak's target");
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");
