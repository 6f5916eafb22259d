// SPDX-License-Identifier: GPL-2.0-only
/*
 * wo_ftrace_transition.c - the patch transition of live patching without
 * ftrace
 *
 * Replaces transition.c behind the same interface and log lines.  There
 * is no per-task switching: an attempt checks every task's stack and, if
 * none is inside code that changes, rewrites every function entry at
 * once with the machine stopped.  A busy attempt writes nothing; the
 * patch stays in transition and the attempt repeats, a few times quickly
 * and then once a second, until it succeeds or the admin reverses it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpu.h>
#include <linux/livepatch_wo_ftrace_compat.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/workqueue.h>
#include "core.h"
#include "patch.h"
#include "transition.h"
#include "wo_ftrace.h"

#define SIGNALS_TIMEOUT 15

/* Attempts made soon after the first busy one, before the 1 Hz cadence. */
#define KLP_QUICK_RETRIES	5
#define KLP_QUICK_RETRY_DELAY	(HZ / 50)

struct klp_patch *klp_transition_patch;

static int klp_target_state = KLP_TRANSITION_IDLE;

/*
 * Every change of the target state tells the entry writer which state
 * every task is in: the initial one while a transition is pending (nothing
 * is written before the whole switch), patched once none is.
 */
static void klp_set_target_state(int state)
{
	klp_target_state = state;
	klp_set_entry_state(state == KLP_TRANSITION_IDLE ?
			    KLP_TRANSITION_PATCHED : !state);
}

static unsigned int klp_signals_cnt;
static unsigned int klp_quick_retries;

/* The admin forced the transition: check only the jump windows. */
static bool klp_forced;

/*
 * A task may have entered a new function of the transition patch: it was
 * enabled before (this is a disable), or an attempt of this transition
 * wrote.  Until then a reversed enable has no new code to wait for.
 */
static bool klp_new_code_reached;

/*
 * cond_resched() calls __klp_sched_try_switch() when this key is on.
 * Tasks never switch one by one here, so it stays off; it exists because
 * every cond_resched() in vmlinux and modules refers to it (since v6.4).
 */
#ifdef KLP_HAVE_SCHED_TRY_SWITCH
#if !defined(CONFIG_PREEMPT_DYNAMIC) || !defined(CONFIG_HAVE_PREEMPT_DYNAMIC_CALL)
struct static_key_false klp_sched_try_switch_key = STATIC_KEY_FALSE_INIT;
EXPORT_SYMBOL(klp_sched_try_switch_key);
#endif

void __klp_sched_try_switch(void)
{
}
EXPORT_SYMBOL(__klp_sched_try_switch);
#endif

static void klp_transition_work_fn(struct work_struct *work)
{
	mutex_lock(&klp_mutex);

	if (klp_transition_patch)
		klp_try_complete_transition();

	mutex_unlock(&klp_mutex);
}

static DECLARE_DELAYED_WORK(klp_transition_work, klp_transition_work_fn);

static void klp_clear_blocking_marks(void)
{
	struct task_struct *g, *task;
	unsigned int cpu;

	read_lock(&tasklist_lock);
	for_each_process_thread(g, task)
		clear_tsk_thread_flag(task, TIF_PATCH_PENDING);
	read_unlock(&tasklist_lock);

	for_each_possible_cpu(cpu)
		clear_tsk_thread_flag(idle_task(cpu), TIF_PATCH_PENDING);
}

/*
 * The transition to the target patch state is complete: the text was
 * written.  Clean up the data structures.
 */
static void klp_complete_transition(void)
{
	struct klp_object *obj;
	struct klp_func *func;
	struct task_struct *g, *task;
	unsigned int cpu;

	pr_debug("'%s': completing %s transition\n",
		 klp_transition_patch->mod->name,
		 klp_target_state == KLP_TRANSITION_PATCHED ? "patching" : "unpatching");

	if (klp_transition_patch->replace && klp_target_state == KLP_TRANSITION_PATCHED) {
		klp_unpatch_replaced_patches(klp_transition_patch);
		klp_discard_nops(klp_transition_patch);
	}

	if (klp_target_state == KLP_TRANSITION_UNPATCHED)
		klp_unpatch_objects(klp_transition_patch);

	klp_for_each_object(klp_transition_patch, obj)
		klp_for_each_func(obj, func)
			func->transition = false;

	read_lock(&tasklist_lock);
	for_each_process_thread(g, task) {
		clear_tsk_thread_flag(task, TIF_PATCH_PENDING);
		task->patch_state = KLP_TRANSITION_IDLE;
	}
	read_unlock(&tasklist_lock);

	for_each_possible_cpu(cpu) {
		task = idle_task(cpu);
		clear_tsk_thread_flag(task, TIF_PATCH_PENDING);
		task->patch_state = KLP_TRANSITION_IDLE;
	}

	klp_for_each_object(klp_transition_patch, obj) {
		if (!klp_is_object_loaded(obj))
			continue;
		if (klp_target_state == KLP_TRANSITION_PATCHED)
			klp_post_patch_callback(obj);
		else if (klp_target_state == KLP_TRANSITION_UNPATCHED)
			klp_post_unpatch_callback(obj);
	}

	pr_notice("'%s': %s complete\n", klp_transition_patch->mod->name,
		  klp_target_state == KLP_TRANSITION_PATCHED ? "patching" : "unpatching");

	klp_set_target_state(KLP_TRANSITION_IDLE);
	klp_transition_patch = NULL;
	klp_forced = false;
}

/*
 * This is called in the error path, to cancel a transition before it has
 * started, i.e. klp_init_transition() has been called but
 * klp_start_transition() hasn't.  Nothing was written.
 */
void klp_cancel_transition(void)
{
	if (WARN_ON_ONCE(klp_target_state != KLP_TRANSITION_PATCHED))
		return;

	pr_debug("'%s': canceling patching transition, going to unpatch\n",
		 klp_transition_patch->mod->name);

	klp_set_target_state(KLP_TRANSITION_UNPATCHED);
	klp_complete_transition();
}

/*
 * Called on exit to user space and in the idle loop when the task's
 * TIF_PATCH_PENDING is set, which here only marks a task that blocked the
 * last attempt (for klp_send_signals()).  Nothing to switch.
 */
void klp_update_patch_state(struct task_struct *task)
{
	clear_tsk_thread_flag(task, TIF_PATCH_PENDING);
}

/*
 * Is @task inside code the plan changes?  Asked in the first pass of an
 * attempt, before stopping the machine, or told by the check inside
 * stop_machine (@found).  A task found so is marked for klp_send_signals()
 * and named here, in this function, as upstream does.
 */
static bool klp_try_switch_task(struct task_struct *task,
				struct klp_plan *plan,
				const struct klp_blocker *found)
{
	struct klp_prepass_check check = { .busy = &plan->busy };
	int ret;

	if (found) {
		ret = found->ret;
		check.name = found->name;
	} else if (task == current) {
		ret = klp_prepass_check_task(task, &check);
	} else {
		ret = task_call_func(task, klp_prepass_check_task, &check);
	}

	switch (ret) {
	case 0:		/* success */
		clear_tsk_thread_flag(task, TIF_PATCH_PENDING);
		return true;
	case -EINPROGRESS:	/* running: stop_machine will tell */
		return true;
	case -EINVAL:
		pr_debug("%s: %s:%d has an unreliable stack\n",
			 __func__, task->comm, task->pid);
		break;
	case -EADDRINUSE:
		pr_debug("%s: %s:%d is sleeping on function %s\n",
			 __func__, task->comm, task->pid, check.name);
		break;
	default:
		pr_debug("%s: Unknown error code (%d) when trying to switch %s:%d\n",
			 __func__, ret, task->comm, task->pid);
		break;
	}
	set_tsk_thread_flag(task, TIF_PATCH_PENDING);
	return false;
}

static bool klp_check_sleeping_tasks(struct klp_plan *plan)
{
	struct task_struct *g, *task;
	unsigned int cpu;
	bool complete = true;

	read_lock(&tasklist_lock);
	for_each_process_thread(g, task)
		if (!klp_try_switch_task(task, plan, NULL))
			complete = false;
	read_unlock(&tasklist_lock);

	cpus_read_lock();
	for_each_online_cpu(cpu) {
		task = idle_task(cpu);
		if (!klp_try_switch_task(task, plan, NULL)) {
			complete = false;
			/* Make idle task go through the main loop. */
			wake_up_if_idle(cpu);
		}
	}
	cpus_read_unlock();

	return complete;
}

/*
 * One attempt: build the plan from the function stacks, check the
 * sleeping tasks, then, with the machine stopped, check again what can
 * have changed since and write.  Returns true when every entry is in the
 * target state.
 */
static bool klp_try_switch_all(void)
{
	struct klp_blocker blocker = { };
	struct klp_plan *plan;
	bool complete = false;
	int ret;

	plan = klp_plan_build(klp_transition_patch, klp_target_state,
			      klp_forced, klp_new_code_reached);
	if (IS_ERR(plan))
		return false;

	if (!plan->nr_writes && !plan->busy.nr) {
		klp_plan_free(plan);
		return true;
	}

	klp_recheck_begin();
	if (klp_check_sleeping_tasks(plan)) {
		klp_wo_ftrace_prepass_gate();
		ret = klp_stop_machine_apply(plan, &blocker);
		if (!ret || ret == -EIO)
			klp_new_code_reached = true;
		if (ret == -EBUSY)
			pr_err("'%s': a patched function entry was changed by another text writer, nothing written\n",
			       klp_transition_patch->mod->name);
		else if (ret == -EIO)
			pr_err("'%s': writing a function entry failed, retrying\n",
			       klp_transition_patch->mod->name);
		complete = !ret;
	}
	klp_recheck_end();

	/* Found only with the machine stopped: named and marked now. */
	if (blocker.task) {
		klp_try_switch_task(blocker.task, plan, &blocker);
		put_task_struct(blocker.task);
	}

	klp_plan_free(plan);
	return complete;
}

/*
 * Sends a fake signal to all non-kthread tasks with TIF_PATCH_PENDING set.
 * Kthreads with TIF_PATCH_PENDING set are woken up.
 */
static void klp_send_signals(void)
{
	struct task_struct *g, *task;

	if (klp_signals_cnt == SIGNALS_TIMEOUT)
		pr_notice("signaling remaining tasks\n");

	read_lock(&tasklist_lock);
	for_each_process_thread(g, task) {
		if (!klp_patch_pending(task))
			continue;

		if (task->flags & PF_KTHREAD)
			wake_up_state(task, TASK_INTERRUPTIBLE);
		else
			set_notify_signal(task);
	}
	read_unlock(&tasklist_lock);
}

static void klp_schedule_retry(void)
{
	if (klp_quick_retries < KLP_QUICK_RETRIES) {
		klp_quick_retries++;
		schedule_delayed_work(&klp_transition_work,
				      KLP_QUICK_RETRY_DELAY);
		return;
	}

	if (klp_signals_cnt && !(klp_signals_cnt % SIGNALS_TIMEOUT))
		klp_send_signals();
	klp_signals_cnt++;

	schedule_delayed_work(&klp_transition_work,
			      round_jiffies_relative(HZ));
}

/*
 * Try to bring every function entry to the target state at once.  If a
 * task is inside code that would change, nothing is written and a retry
 * is scheduled.  Must be called with klp_mutex held.
 */
void klp_try_complete_transition(void)
{
	struct klp_patch *patch;

	WARN_ON_ONCE(klp_target_state == KLP_TRANSITION_IDLE);

	if (!klp_try_switch_all()) {
		klp_schedule_retry();
		return;
	}

	/* Done!  Now cleanup the data structures. */
	patch = klp_transition_patch;
	klp_complete_transition();

	/*
	 * It would make more sense to free the unused patches in
	 * klp_complete_transition() but it is called also
	 * from klp_cancel_transition().
	 */
	if (!patch->enabled)
		klp_free_patch_async(patch);
	else if (patch->replace)
		klp_free_replaced_patches_async(patch);
}

/*
 * Start the transition to the target state: from here the attempts may
 * write.  Must be called with klp_mutex held.
 */
void klp_start_transition(void)
{
	WARN_ON_ONCE(klp_target_state == KLP_TRANSITION_IDLE);

	pr_notice("'%s': starting %s transition\n",
		  klp_transition_patch->mod->name,
		  klp_target_state == KLP_TRANSITION_PATCHED ? "patching" : "unpatching");

	klp_signals_cnt = 0;
	klp_quick_retries = 0;
}

/*
 * Initialize the global target patch state and all tasks to the initial
 * patch state, and mark every function of @patch as in transition.
 * Must be called with klp_mutex held.
 */
void klp_init_transition(struct klp_patch *patch, int state)
{
	struct task_struct *g, *task;
	unsigned int cpu;
	struct klp_object *obj;
	struct klp_func *func;
	int initial_state = !state;

	WARN_ON_ONCE(klp_target_state != KLP_TRANSITION_IDLE);

	klp_transition_patch = patch;
	klp_set_target_state(state);
	klp_forced = false;
	klp_new_code_reached = state == KLP_TRANSITION_UNPATCHED;

	pr_debug("'%s': initializing %s transition\n", patch->mod->name,
		 klp_target_state == KLP_TRANSITION_PATCHED ? "patching" : "unpatching");

	read_lock(&tasklist_lock);
	for_each_process_thread(g, task) {
		WARN_ON_ONCE(task->patch_state != KLP_TRANSITION_IDLE);
		task->patch_state = initial_state;
	}
	read_unlock(&tasklist_lock);

	for_each_possible_cpu(cpu) {
		task = idle_task(cpu);
		WARN_ON_ONCE(task->patch_state != KLP_TRANSITION_IDLE);
		task->patch_state = initial_state;
	}

	klp_for_each_object(patch, obj)
		klp_for_each_func(obj, func)
			func->transition = true;
}

/*
 * Reverse a pending transition.  Nothing of it was written (the write is
 * all or nothing), so the reverse attempt runs at once; it has nothing to
 * wait for (a reversed enable: no task can have reached the new code,
 * see klp_new_code_reached) and completes in it.  Must be called with
 * klp_mutex held.
 */
void klp_reverse_transition(void)
{
	pr_debug("'%s': reversing transition from %s\n",
		 klp_transition_patch->mod->name,
		 klp_target_state == KLP_TRANSITION_PATCHED ? "patching to unpatching" :
						   "unpatching to patching");

	klp_clear_blocking_marks();

	klp_transition_patch->enabled = !klp_transition_patch->enabled;
	klp_set_target_state(!klp_target_state);

	klp_start_transition();
	mod_delayed_work(system_wq, &klp_transition_work, 0);
}

/* Called from copy_process() during fork */
void klp_copy_process(struct task_struct *child)
{
	clear_tsk_thread_flag(child, TIF_PATCH_PENDING);
	child->patch_state = current->patch_state;
}

/*
 * The admin's override for a transition that stays blocked: the next
 * attempts check only the 8-byte jump windows, never the whole functions.
 * A task resuming inside a half-replaced entry would crash; a task
 * finishing an old function body only breaks the consistency model.
 * Must be called with klp_mutex held.
 */
void klp_force_transition(void)
{
	struct klp_patch *patch;

	pr_warn("forcing remaining tasks to the patched state\n");

	klp_forced = true;

	/* Set forced flag for patches being removed. */
	if (klp_target_state == KLP_TRANSITION_UNPATCHED) {
		klp_transition_patch->forced = true;
	} else if (klp_transition_patch->replace) {
		klp_for_each_patch(patch) {
			if (patch != klp_transition_patch)
				patch->forced = true;
		}
	}

	mod_delayed_work(system_wq, &klp_transition_work, 0);
}
