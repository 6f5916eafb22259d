// SPDX-License-Identifier: GPL-2.0-only
/*
 * wo_ftrace_stop_machine.c - the rendezvous in which live patching without
 * ftrace changes kernel text
 *
 * Every online hart enters with interrupts off.  Each walks its own stack
 * (the registers another hart saved are stale while it runs), then the
 * last one to arrive checks every other task, verifies that each entry
 * still holds the bytes expected and writes them all, while the others
 * wait.  Once released, every hart executes its own fence.i: no IPI, no
 * SBI call, no printk and no allocation happen inside.
 */
#include <linux/atomic.h>
#include <linux/cpu.h>
#include <linux/kprobes.h>
#include <linux/livepatch.h>
#include <linux/memory.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/stop_machine.h>
#include "wo_ftrace.h"

/**
 * struct klp_stop_ctx - shared by the harts of one rendezvous
 * @plan:	what to check and write
 * @arrived:	harts that have walked their own stack
 * @self_busy:	harts whose own stack was inside changing code
 * @released:	set by the writer when it is done; the others wait for it
 * @result:	0, -EAGAIN (a task is inside), -EBUSY (text changed) or
 *		-EIO (a write failed)
 */
struct klp_stop_ctx {
	struct klp_plan *plan;
	atomic_t arrived;
	atomic_t self_busy;
	bool released;
	int result;
};

/* Every task that is not running now: it is switched out, its registers saved. */
static int klp_check_stopped_tasks(struct klp_plan *plan)
{
	struct task_struct *g, *task;
	unsigned int cpu;
	int ret = 0;

	rcu_read_lock();
	for_each_process_thread(g, task) {
		/* A hart's current task is its stopper: it walked itself. */
		if (task_curr(task))
			continue;
		ret = klp_check_calltrace(task, plan->ranges, plan->nr_ranges,
					  NULL);
		if (ret)
			goto out;
	}
	for_each_online_cpu(cpu) {
		task = idle_task(cpu);
		if (task_curr(task))
			continue;
		ret = klp_check_calltrace(task, plan->ranges, plan->nr_ranges,
					  NULL);
		if (ret)
			goto out;
	}
out:
	rcu_read_unlock();
	return ret ? -EAGAIN : 0;
}

/* The last hart in: check, verify, write.  Nothing is written on failure. */
static int klp_check_and_write(struct klp_stop_ctx *ctx)
{
	struct klp_plan *plan = ctx->plan;
	unsigned int i;
	int ret;

	if (atomic_read(&ctx->self_busy))
		return -EAGAIN;
	ret = klp_check_stopped_tasks(plan);
	if (ret)
		return ret;
	ret = arch_klp_check_sites(plan->writes, plan->nr_writes);
	if (ret)
		return ret;

	/* A write that fails (it never should) does not stop the others. */
	for (i = 0; i < plan->nr_writes; i++) {
		if (plan->writes[i].target)
			ret |= arch_klp_patch_func(&plan->writes[i]);
		else
			ret |= arch_klp_unpatch_func(&plan->writes[i]);
	}
	return ret ? -EIO : 0;
}

/* Runs on every online hart with interrupts off. */
static int klp_stop_machine_fn(void *data)
{
	struct klp_stop_ctx *ctx = data;
	struct klp_plan *plan = ctx->plan;

	if (klp_check_current_calltrace(plan->ranges, plan->nr_ranges, NULL))
		atomic_inc(&ctx->self_busy);

	if (atomic_inc_return(&ctx->arrived) == num_online_cpus()) {
		ctx->result = klp_check_and_write(ctx);
		/* Publish the writes and the result before releasing. */
		smp_store_release(&ctx->released, true);
	} else {
		/* Pairs with the release: see the writes and the result. */
		while (!smp_load_acquire(&ctx->released))
			cpu_relax();
	}

	arch_klp_flush_local_icache();
	return ctx->result;
}

/*
 * Check and write @plan with every online hart stopped.  Returns 0 when
 * written, -EAGAIN when a task was inside changing code and -EBUSY when an
 * entry no longer held the expected bytes: nothing is written then.
 * -EIO: a write failed; each site knows what it holds, so the next attempt
 * redoes what is missing.
 * Must be called with klp_mutex held.
 */
/* They run on every hart while the text is rewritten: no kprobe there. */
NOKPROBE_SYMBOL(klp_check_stopped_tasks);
NOKPROBE_SYMBOL(klp_check_and_write);
NOKPROBE_SYMBOL(klp_stop_machine_fn);

int klp_stop_machine_apply(struct klp_plan *plan)
{
	struct klp_stop_ctx ctx = { .plan = plan };
	int ret;

	/* The lock order of register_kprobe(): kprobe_mutex first. */
	kprobes_lock();
	cpus_read_lock();
	mutex_lock(&text_mutex);
	arch_klp_stop_machine_begin();
	ret = stop_machine_cpuslocked(klp_stop_machine_fn, &ctx,
				      cpu_online_mask);
	arch_klp_stop_machine_end();
	mutex_unlock(&text_mutex);
	cpus_read_unlock();
	kprobes_unlock();

	return ret;
}
