// SPDX-License-Identifier: GPL-2.0-only
/*
 * The soak's module target: loaded and unloaded in a loop while a patch of
 * its function comes and goes.  A kthread calls klp_stress_mod_fn() while
 * it is loaded; its answers join klp_stress_target's count.
 */
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/module.h>

#include "klp_stress.h"

static unsigned long klp_stress_mod_zero;

noinline unsigned long klp_stress_mod_fn(unsigned long x)
{
	return KLP_STRESS_VALUE(x + READ_ONCE(klp_stress_mod_zero), 0,
				KLP_STRESS_ORIGINAL);
}

static int klp_stress_mod_caller(void *data)
{
	unsigned long before, after, got, x = 0;

	while (!kthread_should_stop()) {
		before = klp_stress_live_versions();
		got = klp_stress_mod_fn(x);
		after = klp_stress_live_versions();
		if (got >> 16 != x || (got & 0xff) >= BITS_PER_LONG ||
		    !((before | after) & BIT(got & 0xff))) {
			pr_err_ratelimited("klp_stress_mod: answered %#lx to %#lx, live versions %#lx then %#lx\n",
					   got, x, before, after);
			klp_stress_count(1, 1);
		} else {
			klp_stress_count(1, 0);
		}
		x = (x + 1) & 0xffff;
		usleep_range(50, 100);
	}
	return 0;
}

static struct task_struct *klp_stress_mod_task;

static int __init klp_stress_mod_init(void)
{
	klp_stress_mod_task = kthread_run(klp_stress_mod_caller, NULL,
					  "klp_stress_mod");
	return PTR_ERR_OR_ZERO(klp_stress_mod_task);
}

static void __exit klp_stress_mod_exit(void)
{
	kthread_stop(klp_stress_mod_task);
}

module_init(klp_stress_mod_init);
module_exit(klp_stress_mod_exit);
MODULE_DESCRIPTION("live patching soak: a module target that comes and goes");
MODULE_LICENSE("GPL");
