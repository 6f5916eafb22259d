// SPDX-License-Identifier: GPL-2.0-only
/*
 * Live patch of a vmlinux function and of a module function at once:
 * cmdline_proc_show() prints "pending patch" and klp_target_answer()
 * answers 2042.  With
 *   hold=1       the new cmdline_proc_show() keeps its reader there,
 *   release      (write) until this is written;
 *   inside       (read) 1 while a task is held there.
 */
#include <linux/completion.h>
#include <linux/livepatch.h>
#include <linux/module.h>
#include <linux/seq_file.h>

static bool hold;
module_param(hold, bool, 0400);
static int inside;
module_param(inside, int, 0444);
static DECLARE_COMPLETION(klp_pending_released);

static int release_set(const char *val, const struct kernel_param *kp)
{
	complete_all(&klp_pending_released);
	return 0;
}

static const struct kernel_param_ops release_ops = {
	.set = release_set,
};
module_param_cb(release, &release_ops, NULL, 0200);

static int livepatch_pending_cmdline_proc_show(struct seq_file *m, void *v)
{
	if (hold) {
		WRITE_ONCE(inside, 1);
		wait_for_completion_killable(&klp_pending_released);
		WRITE_ONCE(inside, 0);
	}
	seq_puts(m, "pending patch\n");
	return 0;
}

static int livepatch_pending_answer(void)
{
	return 2042;
}

static struct klp_func vmlinux_funcs[] = {
	{
		.old_name = "cmdline_proc_show",
		.new_func = livepatch_pending_cmdline_proc_show,
	}, { }
};

static struct klp_func target_funcs[] = {
	{
		.old_name = "klp_target_answer",
		.new_func = livepatch_pending_answer,
	}, { }
};

static struct klp_object objs[] = {
	{
		.funcs = vmlinux_funcs,
	}, {
		.name = "klp_test_target",
		.funcs = target_funcs,
	}, { }
};

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
};

static int __init klp_test_patch_pending_init(void)
{
	return klp_enable_patch(&patch);
}

static void __exit klp_test_patch_pending_exit(void)
{
}

module_init(klp_test_patch_pending_init);
module_exit(klp_test_patch_pending_exit);
MODULE_DESCRIPTION("live patching guest tests: patch of vmlinux and of the target module");
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");
