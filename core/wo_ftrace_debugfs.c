// SPDX-License-Identifier: GPL-2.0-only
/*
 * wo_ftrace_debugfs.c - what live patching without ftrace shows and, in
 * test kernels, lets a test steer, in /sys/kernel/debug/livepatch_wo_ftrace/
 *
 *   last_stop            the last stop_machine: its phases (check: the
 *                        stacks, verify: the entries' bytes, write) and
 *                        what it did
 *   memory               what is kept per patched function
 *   model                "all-at-once" or "per-task": when tasks switch
 * With CONFIG_LIVEPATCH_WO_FTRACE_TEST_KNOBS (test and bench kernels):
 *   naive                1: walk every task inside stop_machine and scan
 *                        the ranges linearly, as a naive port would
 *   gate_after_prepass   1: the next attempt waits after its pre-pass
 *                        ("waiting") until 0 is written
 *   reliable_stack       write a pid, read what stack_trace_save_tsk_reliable()
 *                        says of that task: "ret N" (entries, or the
 *                        error), then the entries
 */
#include <linux/debugfs.h>
#include <linux/init.h>
#include <linux/sched/task.h>
#include <linux/seq_file.h>
#include <linux/stacktrace.h>
#include <linux/slab.h>
#include <linux/wait.h>
#include "core.h"
#include "patch.h"
#include "wo_ftrace.h"

bool klp_wo_ftrace_naive;

static int klp_last_stop_show(struct seq_file *m, void *v)
{
	struct klp_stop_stats s;

	mutex_lock(&klp_mutex);
	klp_stop_machine_last(&s);
	mutex_unlock(&klp_mutex);

	if (!s.enter)
		return 0;
	seq_printf(m, "result %d\n", s.result);
	seq_printf(m, "writes %u\n", s.writes);
	seq_printf(m, "ranges %u\n", s.ranges);
	seq_printf(m, "tasks_walked %u\n", s.walked);
	seq_printf(m, "full_scan %d\n", s.full_scan);
	seq_printf(m, "log_overflow %d\n", s.log_overflow);
	seq_printf(m, "forks %lu\n", s.forks);
	seq_printf(m, "enter_to_started_ns %llu\n", s.started - s.enter);
	seq_printf(m, "self_walk_ns %llu\n", s.self_walk);
	seq_printf(m, "enter_to_parked_ns %llu\n", s.parked - s.enter);
	seq_printf(m, "left_after_written_ns %llu\n", s.left - s.written);
	seq_printf(m, "check_ns %llu\n", s.checked - s.parked);
	seq_printf(m, "verify_ns %llu\n", s.verified - s.checked);
	seq_printf(m, "write_ns %llu\n", s.written - s.verified);
	seq_printf(m, "critical_ns %llu\n", s.written - s.parked);
	seq_printf(m, "end_to_end_ns %llu\n", s.left - s.enter);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(klp_last_stop);

static int klp_memory_show(struct seq_file *m, void *v)
{
	size_t bytes = sizeof(struct klp_ops);

	seq_printf(m, "per_function_bytes %zu\n", bytes);
	seq_printf(m, "per_function_slab_bytes %zu\n",
		   kmalloc_size_roundup(bytes));
	if (IS_ENABLED(CONFIG_LIVEPATCH_WO_FTRACE_PER_TASK))
		seq_printf(m, "per_function_trampoline_bytes %lu\n",
			   2 * PAGE_SIZE);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(klp_memory);

static int klp_model_show(struct seq_file *m, void *v)
{
	seq_puts(m, IS_ENABLED(CONFIG_LIVEPATCH_WO_FTRACE_PER_TASK) ?
		 "per-task\n" : "all-at-once\n");
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(klp_model);

#ifdef CONFIG_LIVEPATCH_WO_FTRACE_TEST_KNOBS
enum klp_gate_state { KLP_GATE_OFF, KLP_GATE_ARMED, KLP_GATE_WAITING };

static int klp_gate;
static DECLARE_WAIT_QUEUE_HEAD(klp_gate_wait);

/*
 * Between the pre-pass and stop_machine: if a test armed the gate, wait
 * until it opens it (at most a minute), so that the test can make a task
 * enter a function the pre-pass found free.  Called with klp_mutex held.
 */
void klp_wo_ftrace_prepass_gate(void)
{
	if (cmpxchg(&klp_gate, KLP_GATE_ARMED, KLP_GATE_WAITING) !=
	    KLP_GATE_ARMED)
		return;
	wait_event_timeout(klp_gate_wait,
			   READ_ONCE(klp_gate) == KLP_GATE_OFF, 60 * HZ);
	WRITE_ONCE(klp_gate, KLP_GATE_OFF);
}

static int klp_gate_get(void *data, u64 *val)
{
	*val = READ_ONCE(klp_gate);
	return 0;
}

static int klp_gate_set(void *data, u64 val)
{
	if (val > 1)
		return -EINVAL;
	WRITE_ONCE(klp_gate, val ? KLP_GATE_ARMED : KLP_GATE_OFF);
	wake_up(&klp_gate_wait);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(klp_gate_fops, klp_gate_get, klp_gate_set, "%llu\n");

#define KLP_TRACE_MAX	64

struct klp_trace {
	unsigned long entries[KLP_TRACE_MAX];
	int ret;
};

static pid_t klp_trace_pid;

/* As upstream's transition asks it: the task kept from running. */
static int klp_trace_task(struct task_struct *task, void *arg)
{
	struct klp_trace *t = arg;

	if (task_curr(task) && task != current)
		return -EBUSY;
	t->ret = stack_trace_save_tsk_reliable(task, t->entries,
					       KLP_TRACE_MAX);
	return 0;
}

static int klp_reliable_stack_show(struct seq_file *m, void *v)
{
	struct task_struct *task;
	struct klp_trace *t;
	int i, ret;

	t = kzalloc_obj(*t);
	if (!t)
		return -ENOMEM;
	task = find_get_task_by_vpid(READ_ONCE(klp_trace_pid));
	if (!task) {
		kfree(t);
		return -ESRCH;
	}
	ret = task_call_func(task, klp_trace_task, t);
	put_task_struct(task);
	if (!ret) {
		seq_printf(m, "ret %d\n", t->ret);
		for (i = 0; i < t->ret; i++)
			seq_printf(m, "%pS\n", (void *)t->entries[i]);
	}
	kfree(t);
	return ret;
}

static ssize_t klp_reliable_stack_write(struct file *file,
					const char __user *buf, size_t len,
					loff_t *ppos)
{
	int pid, ret;

	ret = kstrtoint_from_user(buf, len, 10, &pid);
	if (ret)
		return ret;
	if (pid <= 0)
		return -EINVAL;
	WRITE_ONCE(klp_trace_pid, pid);
	return len;
}

static int klp_reliable_stack_open(struct inode *inode, struct file *file)
{
	return single_open(file, klp_reliable_stack_show, NULL);
}

static const struct file_operations klp_reliable_stack_fops = {
	.owner = THIS_MODULE,
	.open = klp_reliable_stack_open,
	.read = seq_read,
	.write = klp_reliable_stack_write,
	.llseek = seq_lseek,
	.release = single_release,
};

static void klp_test_knobs_init(struct dentry *dir)
{
	debugfs_create_bool("naive", 0600, dir, &klp_wo_ftrace_naive);
	debugfs_create_file_unsafe("gate_after_prepass", 0600, dir, NULL,
				   &klp_gate_fops);
	debugfs_create_file("reliable_stack", 0600, dir, NULL,
			    &klp_reliable_stack_fops);
}
#else
void klp_wo_ftrace_prepass_gate(void)
{
}

static void klp_test_knobs_init(struct dentry *dir)
{
}
#endif

static int __init klp_wo_ftrace_debugfs_init(void)
{
	struct dentry *dir = debugfs_create_dir("livepatch_wo_ftrace", NULL);

	debugfs_create_file("last_stop", 0400, dir, NULL, &klp_last_stop_fops);
	debugfs_create_file("memory", 0400, dir, NULL, &klp_memory_fops);
	debugfs_create_file("model", 0444, dir, NULL, &klp_model_fops);
	klp_test_knobs_init(dir);
	return 0;
}
late_initcall(klp_wo_ftrace_debugfs_init);
