// SPDX-License-Identifier: GPL-2.0-only
/*
 * Target module of the guest tests: functions a live patch replaces.
 *
 *   answer   (read)  klp_target_answer(): 42 unpatched
 *   sum      (read)  this module's gcd(12, 18), which adds: 30
 *   pair     (read)  "F G": klp_target_pair() calls klp_target_f(), then
 *                    klp_target_g(): "1 1" unpatched
 *   window   (write) a user address: klp_target_window() reads the int
 *                    there at entry + 4, inside the jump window (a test
 *                    holds the task there with a userfaultfd)
 *   window_value (read) what the last such call returned
 *   sleep    (write) start a kthread that sleeps inside klp_target_busy()
 *   sleep_later (write) start that kthread, waiting outside until
 *   go       (write) makes it enter klp_target_busy() and sleep there
 *   release  (write) let that kthread leave klp_target_busy()
 *   spin     (write) start a kthread spinning inside klp_target_spin()
 *   leaf     (write) start a kthread spinning in a frameless asm leaf
 *                    called by klp_target_leaf_caller()
 *   stop     (write) end both spins
 *   pending  (read)  1 while the spinning kthread is marked as blocking a
 *                    transition (TIF_PATCH_PENDING, for the fake signals)
 *   exit_busy (write) start a kthread that calls klp_target_busy() on the
 *                    tail of do_exit(), after release_task() unhashed it
 *   unreliable (write) start a kthread that sleeps in klp_target_wait()
 *                    below a frame whose frame pointer is 0: no walk of
 *                    its stack reaches the bottom
 *
 * Functions the port must refuse to patch:
 *   klp_target_tiny        4 bytes long, too short for the 8-byte jump
 *   klp_target_loop        a loop branches back to entry + 4
 *   klp_target_jump_label  a jump label site at its entry
 *   klp_target_fixup       an exception fixup lands at entry + 4
 *
 *   page     (read)  klp_target_page_0(0) .. klp_target_page_5(0): "0 1 2 3
 *                    4 5" unpatched
 *
 * klp_target_page_0 .. klp_target_page_5 are six 8-byte functions
 * "xori a0, a0, N; ret" in a row around the end of a page: the jump
 * window of klp_target_page_2 starts 4 bytes before the page ends.
 *
 * klp_target_straddle has a 4-byte instruction at entry + 6, across the
 * end of the jump window, whose upper half reads as a 4-byte instruction
 * too: decoded from the jump, entry + 12 looks like an instruction
 * boundary, in the original code entry + 10 is one.
 */
#include <linux/completion.h>
#include <linux/jump_label.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/pipe_fs_i.h>
#include <linux/sched.h>
#include <linux/sched/user.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/asm-extable.h>

#include "klp_test_target.h"

/* Typed allocation arrived after 6.12; before, the same with GFP_KERNEL. */
#ifndef kzalloc_obj
#define kzalloc_obj(p)	kzalloc(sizeof(p), GFP_KERNEL)
#endif

static DECLARE_COMPLETION(klp_target_go);
static DECLARE_COMPLETION(klp_target_entered);
static DECLARE_COMPLETION(klp_target_released);
static struct task_struct *klp_target_sleeper;
static DECLARE_COMPLETION(klp_target_spinning);
static struct task_struct *klp_target_spinner;
static struct task_struct *klp_target_exiter;
static struct task_struct *klp_target_unreliable;
static int klp_target_stop;

noinline int klp_target_answer(void)
{
	return 42;
}

/*
 * Named like vmlinux's exported gcd(): code of this module that calls
 * gcd() means this one, which klpmake must resolve here.
 */
static noinline __noclone unsigned long gcd(unsigned long a, unsigned long b)
{
	return a + b;
}

/* Keeps gcd() in the module: read through the "sum" parameter. */
static int klp_target_sum_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%lu\n", gcd(12, 18));
}

static const struct kernel_param_ops klp_target_sum_ops = {
	.get = klp_target_sum_get,
};
module_param_cb(sum, &klp_target_sum_ops, NULL, 0444);

/* Exported: a patch's new klp_target_pair() calls them through their entries. */
noinline int klp_target_f(void)
{
	return 1;
}
EXPORT_SYMBOL_GPL(klp_target_f);

noinline int klp_target_g(void)
{
	return 1;
}
EXPORT_SYMBOL_GPL(klp_target_g);

noinline void klp_target_pair(int *f, int *g)
{
	*f = klp_target_f();
	*g = klp_target_g();
}

/* "nop; lw a0, 0(a0); ret": a read that may fault at entry + 4. */
asm(".pushsection .text, \"ax\"\n"
	".globl klp_target_window\n"
	".type klp_target_window, @function\n"
	"klp_target_window:\n"
	".option push\n"
	".option norvc\n"
	"nop\n"
	"lw a0, 0(a0)\n"
	"ret\n"
	".option pop\n"
	".size klp_target_window, . - klp_target_window\n"
	".popsection\n");

static int klp_target_window_value;
module_param_named(window_value, klp_target_window_value, int, 0444);

/* Not traceable, so that a kretprobe can sit on it in every flavour. */
notrace noinline void klp_target_wait(void)
{
	wait_for_completion(&klp_target_released);
}

noinline void klp_target_busy(void)
{
	complete(&klp_target_entered);
	klp_target_wait();
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

noinline void klp_target_spin(void)
{
	complete(&klp_target_spinning);
	while (!READ_ONCE(klp_target_stop))
		cpu_relax();
}

/*
 * A leaf without a frame: while it spins, its caller is seen only in the
 * exception frame's ra.  a0: the flag to wait for, a1: the flag to set.
 */
void klp_target_leaf(int *stop, int *running);
asm(".pushsection .text, \"ax\"\n"
	".globl klp_target_leaf\n"
	".type klp_target_leaf, @function\n"
	"klp_target_leaf:\n"
	"li t0, 1\n"
	"sw t0, 0(a1)\n"
	"1: lw t0, 0(a0)\n"
	"beqz t0, 1b\n"
	"ret\n"
	".size klp_target_leaf, . - klp_target_leaf\n"
	".popsection\n");

static int klp_target_leaf_running;

noinline void klp_target_leaf_caller(void)
{
	klp_target_leaf(&klp_target_stop, &klp_target_leaf_running);
}

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

/*
 * "c.li; c.nop; c.nop; addi a0, a4, 1; addi a0, a0, 2; ret": the addi at
 * entry + 6 spans the end of the 8 bytes the jump replaces, and its upper
 * half (rs1 = a4) has the low bits of a 4-byte instruction.
 */
asm(".pushsection .text, \"ax\"\n"
	".globl klp_target_straddle\n"
	".type klp_target_straddle, @function\n"
	"klp_target_straddle:\n"
	".option push\n"
	".option norelax\n"
	/* also in a kernel built without compressed instructions */
	".option rvc\n"
	"c.li a0, 0\n"
	"c.nop\n"
	"c.nop\n"
	".option norvc\n"
	"addi a0, a4, 1\n"
	"addi a0, a0, 2\n"
	"ret\n"
	".option pop\n"
	".size klp_target_straddle, . - klp_target_straddle\n"
	".popsection\n");

/*
 * klp_target_page_N: "xori a0, a0, N; ret", 8 bytes each, from 20 bytes
 * before the end of a page (its own section, page aligned, then padding
 * that never runs): klp_target_page_2 starts 4 bytes before the end.
 */
#define KLP_TARGET_PAGE_FN(n)						\
	".globl klp_target_page_" #n "\n"				\
	".type klp_target_page_" #n ", @function\n"			\
	"klp_target_page_" #n ":\n"					\
	"xori a0, a0, " #n "\n"					\
	"ret\n"							\
	".size klp_target_page_" #n ", . - klp_target_page_" #n "\n"

asm(".pushsection .text.klp_target_page, \"ax\"\n"
	".option push\n"
	".option norvc\n"
	".balign 4096\n"
	".skip 4096 - 20\n"
	KLP_TARGET_PAGE_FN(0)
	KLP_TARGET_PAGE_FN(1)
	KLP_TARGET_PAGE_FN(2)
	KLP_TARGET_PAGE_FN(3)
	KLP_TARGET_PAGE_FN(4)
	KLP_TARGET_PAGE_FN(5)
	".option pop\n"
	".popsection\n");

static unsigned long (* const klp_target_page_fns[])(unsigned long) = {
	klp_target_page_0, klp_target_page_1, klp_target_page_2,
	klp_target_page_3, klp_target_page_4, klp_target_page_5,
};

/*
 * Sleeps in klp_target_wait() with a frame pointer of 0 saved below it:
 * a frame-pointer walk of this stack stops short of its bottom.
 */
asm(".pushsection .text, \"ax\"\n"
	".globl klp_target_no_frame_chain\n"
	".type klp_target_no_frame_chain, @function\n"
	"klp_target_no_frame_chain:\n"
	"addi sp, sp, -16\n"
	"sd ra, 8(sp)\n"
	"sd s0, 0(sp)\n"
	"li s0, 0\n"
	"call klp_target_wait\n"
	"ld ra, 8(sp)\n"
	"ld s0, 0(sp)\n"
	"addi sp, sp, 16\n"
	"ret\n"
	".size klp_target_no_frame_chain, . - klp_target_no_frame_chain\n"
	".popsection\n");

/* What the test kthreads do once they have left the target: wait to stop. */
static int klp_target_idle_until_stopped(void)
{
	while (!kthread_should_stop()) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (!kthread_should_stop())
			schedule();
		__set_current_state(TASK_RUNNING);
	}
	return 0;
}

static int klp_target_sleeper_fn(void *data)
{
	if (data)
		wait_for_completion(&klp_target_go);
	klp_target_busy();
	return klp_target_idle_until_stopped();
}

static int klp_target_spin_fn(void *data)
{
	if (data)
		klp_target_leaf_caller();
	else
		klp_target_spin();
	return klp_target_idle_until_stopped();
}

/* Start the spinning kthread: in klp_target_spin(), or in the leaf. */
static int klp_target_start_spin(bool leaf)
{
	struct task_struct *t;

	if (klp_target_spinner)
		return -EBUSY;
	t = kthread_run(klp_target_spin_fn, leaf ? (void *)1 : NULL,
			"klp_spinner");
	if (IS_ERR(t))
		return PTR_ERR(t);
	get_task_struct(t);
	klp_target_spinner = t;
	if (leaf) {
		while (!READ_ONCE(klp_target_leaf_running))
			schedule_timeout_uninterruptible(1);
	} else {
		wait_for_completion(&klp_target_spinning);
	}
	return 0;
}

static int spin_set(const char *val, const struct kernel_param *kp)
{
	return klp_target_start_spin(false);
}

static const struct kernel_param_ops spin_ops = {
	.set = spin_set,
};
module_param_cb(spin, &spin_ops, NULL, 0200);

static int leaf_set(const char *val, const struct kernel_param *kp)
{
	return klp_target_start_spin(true);
}

static const struct kernel_param_ops leaf_ops = {
	.set = leaf_set,
};
module_param_cb(leaf, &leaf_ops, NULL, 0200);

static int stop_set(const char *val, const struct kernel_param *kp)
{
	WRITE_ONCE(klp_target_stop, 1);
	return 0;
}

static const struct kernel_param_ops stop_ops = {
	.set = stop_set,
};
module_param_cb(stop, &stop_ops, NULL, 0200);

static int answer_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", klp_target_answer());
}

static const struct kernel_param_ops answer_ops = {
	.get = answer_get,
};
module_param_cb(answer, &answer_ops, NULL, 0444);

static int page_get(char *buf, const struct kernel_param *kp)
{
	unsigned int i;
	int len = 0;

	for (i = 0; i < ARRAY_SIZE(klp_target_page_fns); i++)
		len += sysfs_emit_at(buf, len, "%s%lu", i ? " " : "",
				     klp_target_page_fns[i](0));
	return len + sysfs_emit_at(buf, len, "\n");
}

static const struct kernel_param_ops page_ops = {
	.get = page_get,
};
module_param_cb(page, &page_ops, NULL, 0444);

static int window_set(const char *val, const struct kernel_param *kp)
{
	unsigned long p;
	int ret;

	ret = kstrtoul(val, 0, &p);
	if (ret)
		return ret;
	__enable_user_access();
	klp_target_window_value = klp_target_window((const int __user *)p);
	__disable_user_access();
	return 0;
}

static const struct kernel_param_ops window_ops = {
	.set = window_set,
};
module_param_cb(window, &window_ops, NULL, 0200);

static int pair_get(char *buf, const struct kernel_param *kp)
{
	int f, g;

	klp_target_pair(&f, &g);
	return sysfs_emit(buf, "%d %d\n", f, g);
}

static const struct kernel_param_ops pair_ops = {
	.get = pair_get,
};
module_param_cb(pair, &pair_ops, NULL, 0444);

static int pending_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%d\n", klp_target_spinner &&
			  test_tsk_thread_flag(klp_target_spinner,
					       TIF_PATCH_PENDING));
}

static const struct kernel_param_ops pending_ops = {
	.get = pending_get,
};
module_param_cb(pending, &pending_ops, NULL, 0444);

/*
 * do_exit() frees current->splice_pipe after exit_notify(), which has
 * unhashed an autoreaped kthread: releasing this pipe's one buffer calls
 * klp_target_busy() there.
 */
static void klp_target_exit_release(struct pipe_inode_info *pipe,
				    struct pipe_buffer *buf)
{
	klp_target_busy();
}

static const struct pipe_buf_operations klp_target_exit_buf_ops = {
	.release = klp_target_exit_release,
};

static int klp_target_exiter_fn(void *data)
{
	struct pipe_inode_info *pipe;

	pipe = kzalloc_obj(*pipe);
	if (!pipe)
		return -ENOMEM;
	pipe->bufs = kcalloc(1, sizeof(*pipe->bufs), GFP_KERNEL);
	if (!pipe->bufs) {
		kfree(pipe);
		return -ENOMEM;
	}
	pipe->ring_size = 1;
	pipe->bufs[0].ops = &klp_target_exit_buf_ops;
	pipe->user = get_current_user();
	current->splice_pipe = pipe;
	return 0;
}

static int exit_busy_set(const char *val, const struct kernel_param *kp)
{
	struct task_struct *t;

	if (klp_target_exiter)
		return -EBUSY;
	t = kthread_create(klp_target_exiter_fn, NULL, "klp_exiter");
	if (IS_ERR(t))
		return PTR_ERR(t);
	get_task_struct(t);
	klp_target_exiter = t;
	wake_up_process(t);
	wait_for_completion_timeout(&klp_target_entered, HZ);
	return 0;
}

static const struct kernel_param_ops exit_busy_ops = {
	.set = exit_busy_set,
};
module_param_cb(exit_busy, &exit_busy_ops, NULL, 0200);

static int klp_target_unreliable_fn(void *data)
{
	klp_target_no_frame_chain();
	return klp_target_idle_until_stopped();
}

static int unreliable_set(const char *val, const struct kernel_param *kp)
{
	struct task_struct *t;

	if (klp_target_unreliable)
		return -EBUSY;
	t = kthread_run(klp_target_unreliable_fn, NULL, "klp_unreliable");
	if (IS_ERR(t))
		return PTR_ERR(t);
	get_task_struct(t);
	klp_target_unreliable = t;
	return 0;
}

static const struct kernel_param_ops unreliable_ops = {
	.set = unreliable_set,
};
module_param_cb(unreliable, &unreliable_ops, NULL, 0200);

static int klp_target_start_sleeper(bool later)
{
	struct task_struct *t;

	if (klp_target_sleeper)
		return -EBUSY;
	t = kthread_run(klp_target_sleeper_fn, later ? (void *)1 : NULL,
			"klp_sleeper");
	if (IS_ERR(t))
		return PTR_ERR(t);
	get_task_struct(t);
	klp_target_sleeper = t;
	/* Not signalled when a patch made klp_target_busy() go elsewhere. */
	if (!later)
		wait_for_completion_timeout(&klp_target_entered, HZ);
	return 0;
}

static int sleep_set(const char *val, const struct kernel_param *kp)
{
	return klp_target_start_sleeper(false);
}

static const struct kernel_param_ops sleep_ops = {
	.set = sleep_set,
};
module_param_cb(sleep, &sleep_ops, NULL, 0200);

static int sleep_later_set(const char *val, const struct kernel_param *kp)
{
	return klp_target_start_sleeper(true);
}

static const struct kernel_param_ops sleep_later_ops = {
	.set = sleep_later_set,
};
module_param_cb(sleep_later, &sleep_later_ops, NULL, 0200);

static int go_set(const char *val, const struct kernel_param *kp)
{
	complete(&klp_target_go);
	wait_for_completion_timeout(&klp_target_entered, HZ);
	return 0;
}

static const struct kernel_param_ops go_ops = {
	.set = go_set,
};
module_param_cb(go, &go_ops, NULL, 0200);

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
	complete_all(&klp_target_go);
	complete_all(&klp_target_released);
	WRITE_ONCE(klp_target_stop, 1);
	if (klp_target_sleeper) {
		kthread_stop(klp_target_sleeper);
		put_task_struct(klp_target_sleeper);
	}
	if (klp_target_spinner) {
		kthread_stop(klp_target_spinner);
		put_task_struct(klp_target_spinner);
	}
	if (klp_target_unreliable) {
		kthread_stop(klp_target_unreliable);
		put_task_struct(klp_target_unreliable);
	}
	/* Its exit returns through klp_target_exit_release(): wait for the end. */
	if (klp_target_exiter) {
		while (READ_ONCE(klp_target_exiter->__state) != TASK_DEAD)
			schedule_timeout_uninterruptible(1);
		put_task_struct(klp_target_exiter);
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
