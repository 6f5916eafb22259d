// SPDX-License-Identifier: GPL-2.0-only
/*
 * Built by klpmake: replaces do_wait(), where a waiting parent sleeps
 * (wait4, waitid), by a version that counts its calls.  It waits as the
 * original does, on the static child_wait_callback() and __do_wait(),
 * neither exported, and fires the sched_process_wait tracepoint, whose
 * static key and iterator are not exported either (its __jump_table
 * entry reaches the key through .klp.rela.vmlinux.__jump_table).
 */
#include <linux/livepatch.h>
#include <linux/module.h>
#include <linux/sched/signal.h>
#include <linux/wait.h>
#include <trace/events/sched.h>
#include "exit.h"

int child_wait_callback(wait_queue_entry_t *wait, unsigned int mode,
			int sync, void *key);

static atomic_long_t calls = ATOMIC_LONG_INIT(0);

static int calls_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%ld\n", atomic_long_read(&calls));
}

static const struct kernel_param_ops calls_ops = {
	.get = calls_get,
};
module_param_cb(calls, &calls_ops, NULL, 0444);

static long livepatch_do_wait(struct wait_opts *wo)
{
	long ret;

	atomic_long_inc(&calls);
	trace_sched_process_wait(wo->wo_pid);
	init_waitqueue_func_entry(&wo->child_wait, child_wait_callback);
	wo->child_wait.private = current;
	add_wait_queue(&current->signal->wait_chldexit, &wo->child_wait);
	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE | TASK_FREEZABLE);
		ret = __do_wait(wo);
		if (ret != -ERESTARTSYS || signal_pending(current))
			break;
		schedule();
	}
	__set_current_state(TASK_RUNNING);
	remove_wait_queue(&current->signal->wait_chldexit, &wo->child_wait);
	return ret;
}

static struct klp_func funcs[] = {
	{
		.old_name = "do_wait",
		.new_func = livepatch_do_wait,
	}, { }
};

static struct klp_object objs[] = {
	{
		.funcs = funcs,
	}, { }
};

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
};

static int __init klp_test_do_wait_init(void)
{
	return klp_enable_patch(&patch);
}

static void __exit klp_test_do_wait_exit(void)
{
}

module_init(klp_test_do_wait_init);
module_exit(klp_test_do_wait_exit);
MODULE_DESCRIPTION("Live patch test: do_wait(), where waiting parents sleep (klpmake)");
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");
