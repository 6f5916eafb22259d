// SPDX-License-Identifier: GPL-2.0-only
/*
 * Live patch of klp_test_target: klp_target_answer() answers 1042, and
 * klp_target_busy(), where a kthread may sleep, no longer waits, unless
 *   hold=1       it waits in the new function instead,
 *   release      (write) until this is written;
 *   inside       (read) 1 while a task waits there.
 */
#include <linux/completion.h>
#include <linux/livepatch.h>
#include <linux/module.h>

static bool hold;
module_param(hold, bool, 0400);
static int inside;
module_param(inside, int, 0444);
static DECLARE_COMPLETION(klp_patch_released);

static int release_set(const char *val, const struct kernel_param *kp)
{
	complete_all(&klp_patch_released);
	return 0;
}

static const struct kernel_param_ops release_ops = {
	.set = release_set,
};
module_param_cb(release, &release_ops, NULL, 0200);

static int livepatch_klp_target_answer(void)
{
	return 1042;
}

static void livepatch_klp_target_busy(void)
{
	if (hold) {
		WRITE_ONCE(inside, 1);
		wait_for_completion(&klp_patch_released);
		WRITE_ONCE(inside, 0);
	}
}

static struct klp_func funcs[] = {
	{
		.old_name = "klp_target_answer",
		.new_func = livepatch_klp_target_answer,
	}, {
		.old_name = "klp_target_busy",
		.new_func = livepatch_klp_target_busy,
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

static int __init klp_test_patch_target_init(void)
{
	return klp_enable_patch(&patch);
}

static void __exit klp_test_patch_target_exit(void)
{
}

module_init(klp_test_patch_target_init);
module_exit(klp_test_patch_target_exit);
MODULE_DESCRIPTION("live patching guest tests: patch of the target module");
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");
