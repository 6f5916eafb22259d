// SPDX-License-Identifier: GPL-2.0-only
/*
 * A kprobe at symbol+offset, for the tests of kprobes and live patching
 * on the same function entry.  Loading fails with register_kprobe()'s
 * error.
 *   symbol=NAME offset=N   where
 *   ret=1                  a kretprobe on symbol instead
 *   hits (read)            how often it fired
 */
#include <linux/kprobes.h>
#include <linux/module.h>

static char *symbol = "";
module_param(symbol, charp, 0400);
static unsigned int offset;
module_param(offset, uint, 0400);
static unsigned long hits;
module_param(hits, ulong, 0444);
static bool ret;
module_param(ret, bool, 0400);

static int klp_test_kretprobe_handler(struct kretprobe_instance *ri,
				      struct pt_regs *regs)
{
	hits++;
	return 0;
}

static struct kretprobe kretprobe = {
	.handler = klp_test_kretprobe_handler,
};

static int klp_test_kprobe_pre(struct kprobe *p, struct pt_regs *regs)
{
	hits++;
	return 0;
}

static struct kprobe probe = {
	.pre_handler = klp_test_kprobe_pre,
};

static int __init klp_test_kprobe_init(void)
{
	if (ret) {
		kretprobe.kp.symbol_name = symbol;
		return register_kretprobe(&kretprobe);
	}
	probe.symbol_name = symbol;
	probe.offset = offset;
	return register_kprobe(&probe);
}

static void __exit klp_test_kprobe_exit(void)
{
	if (ret)
		unregister_kretprobe(&kretprobe);
	else
		unregister_kprobe(&probe);
}

module_init(klp_test_kprobe_init);
module_exit(klp_test_kprobe_exit);
MODULE_DESCRIPTION("live patching guest tests: a kprobe");
MODULE_LICENSE("GPL");
