// SPDX-License-Identifier: GPL-2.0-only
/*
 * wo_ftrace_recheck.c - which tasks the check inside stop_machine walks
 *
 * The pre-pass walks every task's stack before the machine is stopped;
 * inside stop_machine only the stacks that can have changed since are
 * walked again, so that the pause does not grow with the number of
 * sleeping tasks.  From before the pre-pass starts until the attempt
 * ends, a probe on the sched_switch tracepoint logs every task that a
 * hart switches out, holding a reference so that its task_struct stays.
 *
 * Why a task that is not in the log is unchanged since the pre-pass
 * walked it:
 *  - The pre-pass walks a task only when it is fully switched out
 *    (task->on_cpu clear, read with acquire: __switch_to's saves are
 *    seen), with task_call_func() keeping it from being woken or picked.
 *    A task running or still switching out is noted in the log instead.
 *  - A switched-out task's stack changes only while it runs.  To run
 *    after the walk it was switched in after the walk; inside
 *    stop_machine every hart runs its stopper, so it was switched out
 *    again since, in __schedule(), which calls trace_sched_switch() for
 *    it first.  The probe was registered before the pre-pass began, and
 *    registration returns only once the tracepoint's static key is live
 *    on every hart, so that switch-out was logged.
 *  - Each hart's log is written only by that hart, with interrupts off;
 *    the writer reads the logs after every hart has arrived in the
 *    rendezvous (a fully ordered atomic), so it sees every entry.
 *  - A task the pre-pass did not list was forked after it.  If it has
 *    not run yet, its stack holds only what copy_thread() put there for
 *    ret_from_fork: no changing code.  If it has, it is not running now,
 *    so it was switched out since, and logged.  Forks need no full scan.
 *  - A log that overflowed proves nothing: every task is walked then,
 *    and the logged ones too.
 *
 * The task list is not every task that can run: release_task() unhashes
 * a task that goes on running the tail of do_exit(), where it can sleep
 * or be preempted, and neither the pre-pass nor a walk of the list sees
 * it again.  So from boot on, probes on sched_process_exit (in do_exit(),
 * before exit_notify() can unhash it) and sched_process_free (in the RCU
 * callback that runs once the task was released and has switched out for
 * the last time) keep every exiting task in a table, and the check
 * inside stop_machine always walks them all.  They are few: a task stays
 * there for one grace period after it ran last.  An exit whose entry
 * could not be allocated (GFP_ATOMIC failed) is counted, and while any
 * is not freed again, no attempt can succeed.
 * Idle tasks and the harts' own stacks are always walked (the glue).
 * What runs inside stop_machine is NOKPROBE_SYMBOL.
 */
#include <linux/hashtable.h>
#include <linux/kprobes.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/sched/stat.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/tracepoint.h>
#include <trace/events/sched.h>
#include "wo_ftrace.h"

#define KLP_SWITCH_LOG_SIZE	256

/**
 * struct klp_switch_log - tasks one hart switched out during an attempt
 * @nr:		entries used
 * @overflow:	a task could not be logged: the log proves nothing
 * @task:	the tasks, each holding a reference
 */
struct klp_switch_log {
	unsigned int nr;
	bool overflow;
	struct task_struct *task[KLP_SWITCH_LOG_SIZE];
};

static DEFINE_PER_CPU(struct klp_switch_log, klp_switch_log);

/* The probe is registered: the logs cover the attempt. */
static bool klp_recheck_logging;
/* total_forks when the attempt began, for last_stop. */
static unsigned long klp_recheck_forks;

/* Called with interrupts off, on the hart that owns the log. */
static void klp_switch_log_add(struct task_struct *task)
{
	struct klp_switch_log *log = this_cpu_ptr(&klp_switch_log);

	if (log->nr && log->task[log->nr - 1] == task)
		return;
	if (log->nr == KLP_SWITCH_LOG_SIZE) {
		log->overflow = true;
		return;
	}
	get_task_struct(task);
	log->task[log->nr++] = task;
}

/* sched_switch probe: runs in __schedule() with the rq lock held. */
static void klp_switch_logged(void *data, bool preempt,
			      struct task_struct *prev,
			      struct task_struct *next, unsigned int prev_state)
{
	klp_switch_log_add(prev);
}

static bool klp_switch_log_start(void)
{
	return !register_trace_sched_switch(klp_switch_logged, NULL);
}

static void klp_switch_log_stop(void)
{
	unregister_trace_sched_switch(klp_switch_logged, NULL);
	tracepoint_synchronize_unregister();
}

/**
 * struct klp_exiting - a task between do_exit() and its last switch-out
 * @node:	in klp_exiting, hashed by @task
 * @task:	valid until sched_process_free removes the entry
 */
struct klp_exiting {
	struct hlist_node node;
	struct task_struct *task;
};

static DEFINE_HASHTABLE(klp_exiting, 6);
/* Raw: taken in an RCU callback; held with interrupts off, never in stop_machine. */
static DEFINE_RAW_SPINLOCK(klp_exiting_lock);
/* Exits not in the table and not freed yet. */
static atomic_t klp_exiting_untracked = ATOMIC_INIT(0);

/* sched_process_exit probe: @task is current, in do_exit(), still hashed. */
static void klp_exit_started(void *data, KLP_SCHED_PROCESS_EXIT_ARGS(task))
{
	struct klp_exiting *e = kmalloc(sizeof(*e), GFP_ATOMIC | __GFP_NOWARN);
	unsigned long flags;

	if (!e) {
		atomic_inc(&klp_exiting_untracked);
		return;
	}
	e->task = task;
	raw_spin_lock_irqsave(&klp_exiting_lock, flags);
	hash_add(klp_exiting, &e->node, (unsigned long)task);
	raw_spin_unlock_irqrestore(&klp_exiting_lock, flags);
}

/* sched_process_free probe: @task will never run again. */
static void klp_exit_ended(void *data, struct task_struct *task)
{
	struct klp_exiting *e, *found = NULL;
	unsigned long flags;

	raw_spin_lock_irqsave(&klp_exiting_lock, flags);
	hash_for_each_possible(klp_exiting, e, node, (unsigned long)task) {
		if (e->task == task) {
			hash_del(&e->node);
			found = e;
			break;
		}
	}
	raw_spin_unlock_irqrestore(&klp_exiting_lock, flags);
	if (!found)
		atomic_dec_if_positive(&klp_exiting_untracked);
	kfree(found);
}

/* Before SMP and before any task but the boot ones exists: none is exiting. */
static int __init klp_exiting_track_init(void)
{
	if (register_trace_sched_process_exit(klp_exit_started, NULL) ||
	    register_trace_sched_process_free(klp_exit_ended, NULL)) {
		pr_err("livepatch: cannot follow exiting tasks: no live patch can complete\n");
		atomic_set(&klp_exiting_untracked, INT_MAX / 2);
	}
	return 0;
}
early_initcall(klp_exiting_track_init);

/*
 * Inside stop_machine: walk every exiting task that is not running.  No
 * hart holds the lock (it is held with interrupts off, never across a
 * stop), and no entry is freed meanwhile (that is an RCU callback).
 * -EAGAIN when an exit was not tracked: that task cannot be walked.
 */
int klp_recheck_walk_exiting(klp_task_walk_fn fn, void *arg)
{
	struct klp_exiting *e;
	unsigned int bkt;
	int ret;

	if (atomic_read(&klp_exiting_untracked))
		return -EAGAIN;
	hash_for_each(klp_exiting, bkt, e, node) {
		if (task_curr(e->task))
			continue;
		ret = fn(e->task, arg);
		if (ret)
			return ret;
	}
	return 0;
}

NOKPROBE_SYMBOL(klp_recheck_walk_exiting);

/*
 * Start logging switched-out tasks, before the pre-pass of an attempt.
 * Must be called with klp_mutex held.
 */
void klp_recheck_begin(void)
{
	klp_recheck_forks = total_forks;
	klp_recheck_logging = klp_switch_log_start();
}

/* The pre-pass could not walk @task (it runs): walk it inside stop_machine. */
static void klp_recheck_note(struct task_struct *task)
{
	unsigned long flags;

	local_irq_save(flags);
	klp_switch_log_add(task);
	local_irq_restore(flags);
}

/*
 * The pre-pass check of @task (@arg: a struct klp_prepass_check), on
 * current or under task_call_func().  Returns 0, -EADDRINUSE or -EINVAL
 * from the walk, or -EINPROGRESS for a task that runs or is still
 * switching out (its saved registers are not final): it is walked again
 * with the machine stopped.
 */
int klp_prepass_check_task(struct task_struct *task, void *arg)
{
	struct klp_prepass_check *check = arg;

	if (task == current)
		return klp_check_current_calltrace(check->busy, &check->name);
	/* Pairs with the release that clears on_cpu once it is switched out. */
	if (task_curr(task) || smp_load_acquire(&task->on_cpu)) {
		klp_recheck_note(task);
		return -EINPROGRESS;
	}
	return klp_check_calltrace(task, check->busy, &check->name);
}

/*
 * Inside stop_machine: can the logs not prove the unlogged tasks
 * unchanged, so that every task must be walked?  Also says, for
 * last_stop, whether a log overflowed and how many tasks were forked
 * since the attempt began.
 */
bool klp_recheck_all(bool naive, struct klp_stop_stats *stats)
{
	unsigned int cpu;

	stats->forks = READ_ONCE(total_forks) - klp_recheck_forks;
	for_each_possible_cpu(cpu)
		if (per_cpu_ptr(&klp_switch_log, cpu)->overflow)
			stats->log_overflow = true;
	return naive || !klp_recheck_logging || stats->log_overflow;
}

NOKPROBE_SYMBOL(klp_recheck_all);

static int klp_task_ptr_cmp(const void *a, const void *b)
{
	const struct task_struct *ta = *(struct task_struct * const *)a;
	const struct task_struct *tb = *(struct task_struct * const *)b;

	return ta < tb ? -1 : ta > tb;
}

NOKPROBE_SYMBOL(klp_task_ptr_cmp);

/*
 * Inside stop_machine: walk every logged task that is not running (a
 * hart's current task is its stopper, which walked itself) with @fn.  A
 * task switched out several times on a hart is logged as often: sorting
 * the log in place (no allocation; every entry keeps its reference) lets
 * it be walked once.  Returns 0 or the first error of @fn.
 */
int klp_recheck_walk(klp_task_walk_fn fn, void *arg)
{
	unsigned int cpu, i;
	int ret;

	for_each_possible_cpu(cpu) {
		struct klp_switch_log *log = per_cpu_ptr(&klp_switch_log, cpu);

		sort(log->task, log->nr, sizeof(*log->task), klp_task_ptr_cmp,
		     NULL);
		for (i = 0; i < log->nr; i++) {
			if ((i && log->task[i] == log->task[i - 1]) ||
			    task_curr(log->task[i]))
				continue;
			ret = fn(log->task[i], arg);
			if (ret)
				return ret;
		}
	}
	return 0;
}

NOKPROBE_SYMBOL(klp_recheck_walk);

/*
 * The attempt is over: stop logging, wait until no probe runs, drop the
 * references.  Must be called with klp_mutex held.
 */
void klp_recheck_end(void)
{
	unsigned int cpu, i;

	if (klp_recheck_logging) {
		klp_switch_log_stop();
		klp_recheck_logging = false;
	}
	for_each_possible_cpu(cpu) {
		struct klp_switch_log *log = per_cpu_ptr(&klp_switch_log, cpu);

		for (i = 0; i < log->nr; i++)
			put_task_struct(log->task[i]);
		log->nr = 0;
		log->overflow = false;
	}
}
