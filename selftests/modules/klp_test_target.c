// SPDX-License-Identifier: GPL-2.0-only
/*
 * Target module of the guest tests: functions a live patch replaces.
 *
 *   answer   (read)  klp_target_answer(): 42 unpatched
 *   sleep    (write) start a kthread that sleeps inside klp_target_busy()
 *   release  (write) let that kthread leave klp_target_busy()
 *
 * klp_target_tiny is 4 bytes long, too short for the 8-byte jump.
 */
#include <linux/completion.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/sched.h>

static DECLARE_COMPLETION(klp_target_entered);
static DECLARE_COMPLETION(klp_target_released);
static struct task_struct *klp_target_sleeper;

noinline int klp_target_answer(void)
{
	return 42;
}

noinline void klp_target_busy(void)
{
	complete(&klp_target_entered);
	wait_for_completion(&klp_target_released);
}

/* Exactly one uncompressed "ret": 4 bytes, and a symbol right after it. */
asm(".pushsection .text, \"ax\"\n"
	".globl klp_target_tiny\n"
	".type klp_target_tiny, @function\n"
	"klp_target_tiny:\n"
	".option push\n"
	".option norvc\n"
	"ret\n"
	".size klp_target_tiny, . - klp_target_tiny\n"
	".globl klp_target_after_tiny\n"
	".type klp_target_after_tiny, @function\n"
	"klp_target_after_tiny:\n"
	"ret\n"
	".option pop\n"
	".size klp_target_after_tiny, . - klp_target_after_tiny\n"
	".popsection\n");

static int klp_target_sleeper_fn(void *data)
{
	klp_target_busy();
	while (!kthread_should_stop()) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (!kthread_should_stop())
			schedule();
		__set_current_state(TASK_RUNNING);
	}
	return 0;
}

static int answer_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", klp_target_answer());
}

static const struct kernel_param_ops answer_ops = {
	.get = answer_get,
};
module_param_cb(answer, &answer_ops, NULL, 0444);

static int sleep_set(const char *val, const struct kernel_param *kp)
{
	struct task_struct *t;

	if (klp_target_sleeper)
		return -EBUSY;
	t = kthread_run(klp_target_sleeper_fn, NULL, "klp_target_sleeper");
	if (IS_ERR(t))
		return PTR_ERR(t);
	get_task_struct(t);
	klp_target_sleeper = t;
	wait_for_completion(&klp_target_entered);
	return 0;
}

static const struct kernel_param_ops sleep_ops = {
	.set = sleep_set,
};
module_param_cb(sleep, &sleep_ops, NULL, 0200);

static int release_set(const char *val, const struct kernel_param *kp)
{
	complete_all(&klp_target_released);
	return 0;
}

static const struct kernel_param_ops release_ops = {
	.set = release_set,
};
module_param_cb(release, &release_ops, NULL, 0200);

static void __exit klp_target_exit(void)
{
	complete_all(&klp_target_released);
	if (klp_target_sleeper) {
		kthread_stop(klp_target_sleeper);
		put_task_struct(klp_target_sleeper);
	}
}

static int __init klp_target_init(void)
{
	return 0;
}

module_init(klp_target_init);
module_exit(klp_target_exit);
MODULE_DESCRIPTION("live patching guest tests: target functions");
MODULE_LICENSE("GPL");
