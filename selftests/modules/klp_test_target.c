// SPDX-License-Identifier: GPL-2.0-only
/*
 * Target module of the guest tests: functions a live patch replaces.
 *
 *   answer   (read)  klp_target_answer(): 42 unpatched
 *   sleep    (write) start a kthread that sleeps inside klp_target_busy()
 *   release  (write) let that kthread leave klp_target_busy()
 *
 * Functions the port must refuse to patch:
 *   klp_target_tiny        4 bytes long, too short for the 8-byte jump
 *   klp_target_loop        a loop branches back to entry + 4
 *   klp_target_jump_label  a jump label site at its entry
 *   klp_target_fixup       an exception fixup lands at entry + 4
 */
#include <linux/completion.h>
#include <linux/jump_label.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <asm/asm-extable.h>

#include "klp_test_target.h"

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

/* "li; 1: addi; blt 1b": the loop's branch lands at entry + 4. */
asm(".pushsection .text, \"ax\"\n"
	".globl klp_target_loop\n"
	".type klp_target_loop, @function\n"
	"klp_target_loop:\n"
	".option push\n"
	".option norvc\n"
	"li a1, 0\n"
	"1: addi a1, a1, 1\n"
	"blt a1, a0, 1b\n"
	"mv a0, a1\n"
	"ret\n"
	".option pop\n"
	".size klp_target_loop, . - klp_target_loop\n"
	".popsection\n");

DEFINE_STATIC_KEY_FALSE(klp_target_key);

/* A static branch (a 4-byte nop patched by jump labels) at the entry. */
asm(".pushsection .text, \"ax\"\n"
	".globl klp_target_jump_label\n"
	".type klp_target_jump_label, @function\n"
	"klp_target_jump_label:\n"
	".option push\n"
	".option norelax\n"
	".option norvc\n"
	"1: nop\n"
	".pushsection __jump_table, \"aw\"\n"
	".align 3\n"
	".long 1b - ., 2f - .\n"
	".dword klp_target_key - .\n"
	".popsection\n"
	"li a0, 0\n"
	"ret\n"
	"2: li a0, 1\n"
	"ret\n"
	".option pop\n"
	".size klp_target_jump_label, . - klp_target_jump_label\n"
	".popsection\n");

/* A load whose exception fixup resumes at entry + 4. */
asm(".pushsection .text, \"ax\"\n"
	".globl klp_target_fixup\n"
	".type klp_target_fixup, @function\n"
	"klp_target_fixup:\n"
	".option push\n"
	".option norvc\n"
	"li a1, 0\n"
	"2: addi a1, a1, 1\n"
	"1: ld a1, 0(a0)\n"
	"mv a0, a1\n"
	"ret\n"
	".option pop\n"
	".size klp_target_fixup, . - klp_target_fixup\n"
	_ASM_EXTABLE(1b, 2b)
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
