// SPDX-License-Identifier: GPL-2.0-only
/*
 * wo_ftrace_stop_machine.c - the rendezvous in which live patching without
 * ftrace changes kernel text
 *
 * Every online hart enters with interrupts off.  Each walks its own stack
 * (the registers another hart saved are stale while it runs), then the
 * last one to arrive checks the tasks that can have changed since the
 * pre-pass and the idle tasks, verifies that each entry still holds the
 * bytes expected and writes them all, while the others wait.  Once
 * released, every hart executes its own fence.i: no IPI, no SBI call, no
 * printk and no allocation happen inside.  Each phase is timestamped for
 * debugfs (last_stop).  What runs on the harts is NOKPROBE_SYMBOL: a
 * kprobe hit there would single-step while the text is rewritten.
 */
#include <linux/atomic.h>
#include <linux/cpu.h>
#include <linux/kprobes.h>
#include <linux/livepatch.h>
#include <linux/memory.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/stop_machine.h>
#include <linux/timekeeping.h>
#include "wo_ftrace.h"

/**
 * struct klp_stop_ctx - shared by the harts of one rendezvous
 * @plan:	what to check and write
 * @stats:	when each phase ended and what it did
 * @started:	ns, the last hart began the rendezvous function
 * @self_walk:	ns, the longest walk of a hart's own stack
 * @arrived:	harts that have walked their own stack
 * @left:	harts that have left the rendezvous
 * @self_busy:	harts whose own stack was inside changing code
 * @blocker:	the task the writer found inside changing code, if any
 * @released:	set by the writer when it is done; the others wait for it
 * @result:	0, -EAGAIN (a task is inside), -EBUSY (text changed) or
 *		-EIO (a write failed)
 */
struct klp_stop_ctx {
	struct klp_plan *plan;
	struct klp_stop_stats *stats;
	atomic64_t started;
	atomic64_t self_walk;
	atomic_t arrived;
	atomic_t left;
	atomic_t self_busy;
	struct klp_blocker *blocker;
	bool released;
	int result;
};

/*
 * Walk one switched-out task's stack.  The first one found inside changing
 * code is kept, with a reference, so that it can be named and marked once
 * the machine runs again.
 */
static int klp_check_task(struct task_struct *task, void *data)
{
	struct klp_stop_ctx *ctx = data;
	const char *name = NULL;
	int ret;

	ctx->stats->walked++;
	ret = klp_check_calltrace(task, &ctx->plan->busy, &name);
	if (ret) {
		get_task_struct(task);
		ctx->blocker->task = task;
		ctx->blocker->name = name;
		ctx->blocker->ret = ret;
	}
	return ret;
}

NOKPROBE_SYMBOL(klp_check_task);

/* Written after each stop_machine, with klp_mutex held. */
static struct klp_stop_stats klp_last_stop;

/* Every task on the task list that is not running now. */
static int klp_check_every_task(struct klp_stop_ctx *ctx)
{
	struct task_struct *g, *task;
	int ret = 0;

	rcu_read_lock();
	for_each_process_thread(g, task) {
		/* A hart's current task is its stopper: it walked itself. */
		if (task_curr(task))
			continue;
		ret = klp_check_task(task, ctx);
		if (ret)
			break;
	}
	rcu_read_unlock();
	return ret;
}

NOKPROBE_SYMBOL(klp_check_every_task);

/*
 * The tasks that can be inside changing code: those the pre-pass could
 * not prove unchanged since (see wo_ftrace_recheck.c), or every task on
 * the list and those logged; the exiting tasks, which no list holds; and
 * the idle tasks, which the pre-pass never sees switched out.
 */
static int klp_check_stopped_tasks(struct klp_stop_ctx *ctx)
{
	struct task_struct *task;
	unsigned int cpu;
	int ret = 0;

	ctx->stats->full_scan = klp_recheck_all(ctx->plan->naive, ctx->stats);
	if (ctx->stats->full_scan)
		ret = klp_check_every_task(ctx);
	if (!ret)
		ret = klp_recheck_walk(klp_check_task, ctx);
	if (!ret)
		ret = klp_recheck_walk_exiting(klp_check_task, ctx);
	if (ret)
		return -EAGAIN;

	for_each_online_cpu(cpu) {
		task = idle_task(cpu);
		if (task_curr(task))
			continue;
		if (klp_check_task(task, ctx))
			return -EAGAIN;
	}
	return 0;
}

NOKPROBE_SYMBOL(klp_check_stopped_tasks);

/* The last hart in: check, verify, write.  Nothing is written on failure. */
static int klp_check_and_write(struct klp_stop_ctx *ctx)
{
	struct klp_plan *plan = ctx->plan;
	int ret;

	if (atomic_read(&ctx->self_busy))
		return -EAGAIN;
	ret = klp_check_stopped_tasks(ctx);
	ctx->stats->checked = ktime_get_mono_fast_ns();
	if (!ret)
		ret = arch_klp_check_sites(plan->writes, plan->nr_writes);
	ctx->stats->verified = ktime_get_mono_fast_ns();
	if (ret)
		return ret;

	/* A write that fails (it never should) does not stop the others. */
	ret = arch_klp_patch_funcs(plan->writes, plan->nr_writes);
	return ret ? -EIO : 0;
}

NOKPROBE_SYMBOL(klp_check_and_write);

/* *@max = max(*@max, @v), from any hart. */
static void klp_stop_note_max(atomic64_t *max, s64 v)
{
	s64 old = atomic64_read(max);

	while (old < v && !atomic64_try_cmpxchg(max, &old, v))
		;
}

NOKPROBE_SYMBOL(klp_stop_note_max);

/* Runs on every online hart with interrupts off. */
static int klp_stop_machine_fn(void *data)
{
	struct klp_stop_ctx *ctx = data;
	struct klp_plan *plan = ctx->plan;
	u64 start = ktime_get_mono_fast_ns();

	if (klp_check_current_calltrace(&plan->busy, NULL))
		atomic_inc(&ctx->self_busy);
	klp_stop_note_max(&ctx->started, start);
	klp_stop_note_max(&ctx->self_walk, ktime_get_mono_fast_ns() - start);

	/* Fully ordered: the last hart in sees every hart's figures. */
	if (atomic_inc_return(&ctx->arrived) == num_online_cpus()) {
		ctx->stats->parked = ktime_get_mono_fast_ns();
		ctx->stats->started = atomic64_read(&ctx->started);
		ctx->stats->self_walk = atomic64_read(&ctx->self_walk);
		ctx->result = klp_check_and_write(ctx);
		ctx->stats->written = ktime_get_mono_fast_ns();
		/* Publish the writes and the result before releasing. */
		smp_store_release(&ctx->released, true);
	} else {
		/* Pairs with the release: see the writes and the result. */
		while (!smp_load_acquire(&ctx->released))
			cpu_relax();
	}

	arch_klp_flush_local_icache();
	if (atomic_inc_return(&ctx->left) == num_online_cpus())
		ctx->stats->left = ktime_get_mono_fast_ns();
	return ctx->result;
}

NOKPROBE_SYMBOL(klp_stop_machine_fn);

/*
 * Check and write @plan with every online hart stopped.  Returns 0 when
 * written, -EAGAIN when a task was inside changing code (*@blocker names
 * it, holding a reference, when it is a task the writer walked) or
 * another text writer held text_mutex (the machine was not stopped), and
 * -EBUSY when an entry no longer held the expected bytes: nothing is
 * written then.  -EIO: a write failed; each site knows what it holds, so
 * the next attempt redoes what is missing.  What it cost goes to
 * klp_stop_machine_last(); a naive plan (bench only) walks every task
 * inside.
 * Must be called with klp_mutex held, between klp_recheck_begin() and
 * klp_recheck_end().
 */
int klp_stop_machine_apply(struct klp_plan *plan,
			   struct klp_blocker *blocker)
{
	struct klp_stop_stats stats = {
		.ranges = plan->busy.nr,
		.writes = plan->nr_writes,
	};
	struct klp_stop_ctx ctx = {
		.plan = plan,
		.stats = &stats,
		.blocker = blocker,
	};
	int ret;

	/*
	 * The lock order of register_kprobe() and of jump labels:
	 * kprobe_mutex, the CPU hotplug lock, text_mutex.  But riscv's ftrace
	 * takes text_mutex and then the hotplug lock (in stop_machine()):
	 * waiting for text_mutex with the read lock held would deadlock with
	 * it once a hotplug writer queued between them.  So only try it: if
	 * another text writer holds it, the attempt is busy and retried.
	 */
	kprobes_lock();
	cpus_read_lock();
	if (!mutex_trylock(&text_mutex)) {
		cpus_read_unlock();
		kprobes_unlock();
		return -EAGAIN;
	}
	arch_klp_stop_machine_begin();
	stats.enter = ktime_get_mono_fast_ns();
	ret = stop_machine_cpuslocked(klp_stop_machine_fn, &ctx,
				      cpu_online_mask);
	arch_klp_stop_machine_end();
	mutex_unlock(&text_mutex);
	cpus_read_unlock();
	kprobes_unlock();

	stats.result = ret;
	klp_last_stop = stats;
	return ret;
}

/* What the last stop_machine of live patching cost.  klp_mutex held. */
void klp_stop_machine_last(struct klp_stop_stats *stats)
{
	*stats = klp_last_stop;
}
