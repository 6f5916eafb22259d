// SPDX-License-Identifier: GPL-2.0-only
/*
 * wo_ftrace_per_task.c - the function stacks of the per-task model of live
 * patching without ftrace
 *
 * Replaces the ftrace backend (patch.c) under upstream's transition.c,
 * which switches tasks one by one.  The entry of a replaced function
 * jumps to a trampoline (asm/klp_tramp.h) that decides as
 * klp_ftrace_handler() does: the newest function on the stack, or, while
 * its patch is in transition, the one below it for a task not switched
 * yet; the original code is an out-of-line copy of the instructions the
 * jump displaced, then a jump back.  So an entry is written once, when
 * the first patch of its function arrives, and back when the last one
 * leaves; in between only the trampoline's words change.
 *
 * Writing an entry stops the machine, but only the 8-byte windows are
 * checked: a task preempted inside one would resume in the middle of the
 * other bytes.  No task sleeps there, so sleeping tasks cannot hold the
 * write back.
 *
 * A task preempted inside a trampoline acts on words it read before.  So
 * before a word that led to a function is dropped, or a trampoline is
 * freed, every such task must have left: none switches out voluntarily
 * in there, so an RCU Tasks grace period (plain RCU without preemption)
 * sees them all out.  Dropping the top of a stack changes "new" first and
 * the flag and "prev" only after a grace period, so that no task pairs a
 * stale "new" with a flag that no longer guards it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/livepatch.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/rcupdate.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <asm/klp_tramp.h>
#include "core.h"
#include "patch.h"
#include "wo_ftrace.h"

/* A task preempted in a jump window runs on soon: retry every 10 ms. */
#define KLP_WINDOW_RETRY_MS	10
/* Enabling gives up after a second; disabling must go on. */
#define KLP_WINDOW_TRIES	100

/* What the trampoline of @site runs for @func: nothing on the stack or a nop is the original. */
static unsigned long klp_func_code(const struct arch_klp_site *site,
				   const struct klp_func *func)
{
	if (!func || func->nop)
		return site->tramp + KLP_TRAMP_OOL;
	return (unsigned long)func->new_func;
}

/* The words the trampoline of @ops is to read for its stack now. */
static void klp_tramp_words(struct klp_ops *ops, struct klp_tramp_data *d)
{
	struct klp_func *top, *below = NULL;

	top = list_first_entry(&ops->func_stack, struct klp_func, stack_node);
	if (!list_is_last(&top->stack_node, &ops->func_stack))
		below = list_next_entry(top, stack_node);
	d->new = klp_func_code(&ops->site, top);
	d->transition = &top->transition;
	d->prev = klp_func_code(&ops->site, below);
}

/*
 * A function went on top of the stack of @ops: a task that reads the new
 * top reads its flag and the function below it too (the trampoline
 * fences between), as upstream's handler does after list_add_rcu().
 */
static void klp_tramp_push(struct klp_ops *ops)
{
	struct klp_tramp_data d, *live = ops->site.data;

	klp_tramp_words(ops, &d);
	WRITE_ONCE(live->prev, d.prev);
	WRITE_ONCE(live->transition, d.transition);
	/* The top last: pairs with the trampoline's fence r,r after it. */
	smp_wmb();
	WRITE_ONCE(live->new, d.new);
}

/* The first half of a pop: the top it leads to (see above). */
static void klp_tramp_pop_new(struct klp_ops *ops)
{
	struct klp_tramp_data d;

	klp_tramp_words(ops, &d);
	WRITE_ONCE(ops->site.data->new, d.new);
}

/* The second half, a grace period later: the flag and the one below. */
static void klp_tramp_pop_rest(struct klp_ops *ops)
{
	struct klp_tramp_data d;

	klp_tramp_words(ops, &d);
	WRITE_ONCE(ops->site.data->transition, d.transition);
	WRITE_ONCE(ops->site.data->prev, d.prev);
}

/*
 * One attempt at the writes of @plan: walk every task before stopping
 * (the check inside stop_machine walks only those that ran since, see
 * wo_ftrace_recheck.c), then check again and write with the machine
 * stopped.  Returns what klp_stop_machine_apply() does; a task found
 * inside a window is in *@blocker, with a reference.
 */
static int klp_write_attempt(struct klp_plan *plan, struct klp_blocker *blocker)
{
	struct klp_prepass_check check = { .busy = &plan->busy };
	struct task_struct *g, *task;
	int ret = 0;

	klp_recheck_begin();
	read_lock(&tasklist_lock);
	for_each_process_thread(g, task) {
		if (task == current)
			ret = klp_prepass_check_task(task, &check);
		else
			ret = task_call_func(task, klp_prepass_check_task,
					     &check);
		if (ret == -EINPROGRESS) {
			ret = 0;
		} else if (ret) {
			get_task_struct(task);
			blocker->task = task;
			blocker->name = check.name;
			blocker->ret = ret;
			ret = -EAGAIN;
			goto out;	/* for_each_process_thread() is two loops */
		}
	}
out:
	read_unlock(&tasklist_lock);
	if (!ret)
		ret = klp_stop_machine_apply(plan, blocker);
	klp_recheck_end();
	return ret;
}

/*
 * Write the entries of @plan once no task is inside their windows.  A
 * task preempted there runs on soon, so each busy attempt is retried
 * 10 ms later.  @patching gives up after a second with -EBUSY and names
 * the task that stayed (enabling fails, nothing written); otherwise the
 * attempts go on until they succeed.
 */
static int klp_write_entries(struct klp_plan *plan, const char *patch,
			     bool patching)
{
	unsigned int i, tries;
	int ret;

	klp_plan_sort_writes(plan);
	plan->busy.nr = 0;
	for (i = 0; i < plan->nr_writes; i++) {
		const struct arch_klp_site *site = plan->writes[i].site;

		klp_plan_add_range(plan, site->addr, site->addr + KLP_JUMP_SIZE,
				   site->name);
	}
	klp_plan_sort_ranges(&plan->busy);

	for (tries = 1;; tries++) {
		struct klp_blocker blocker = { };

		ret = klp_write_attempt(plan, &blocker);
		if (ret == -EIO)
			pr_err("'%s': writing a function entry failed, retrying\n",
			       patch);
		if (!ret || (patching && ret == -EBUSY)) {
			if (blocker.task)
				put_task_struct(blocker.task);
			break;
		}
		if (blocker.task && (tries == KLP_WINDOW_TRIES ||
				     !(tries % (10 * KLP_WINDOW_TRIES))))
			pr_notice("'%s': %s:%d %s %s\n", patch,
				  blocker.task->comm, blocker.task->pid,
				  blocker.ret == -EADDRINUSE ?
				  "stays inside the jump window of" :
				  "has an unreliable stack, waiting to write",
				  blocker.name ?: "an entry");
		if (blocker.task)
			put_task_struct(blocker.task);
		if (patching && tries == KLP_WINDOW_TRIES) {
			ret = -EBUSY;
			break;
		}
		msleep(KLP_WINDOW_RETRY_MS);
	}
	if (ret == -EBUSY)
		pr_err("'%s': a patched function entry could not be written, nothing changed\n",
		       patch);
	return ret;
}

static bool klp_obj_going(struct klp_object *obj)
{
	return obj->mod && obj->mod->state == MODULE_STATE_GOING;
}

/* Put @func on the stack of its old function (refusals: klp_ops_for()). */
static int klp_patch_func(struct klp_func *func)
{
	struct klp_ops *ops = klp_ops_for(func);

	if (IS_ERR(ops))
		return PTR_ERR(ops);

	list_add_rcu(&func->stack_node, &ops->func_stack);
	func->patched = true;
	klp_tramp_push(ops);
	return 0;
}

/*
 * Take the patched functions of @patch (only @one object of it, if given;
 * only nops if @nops_only) off their stacks.  A stack left empty gets its
 * entry's original bytes back (unless its module is going) and loses its
 * trampoline once no task can be inside.
 */
static void klp_pop_funcs(struct klp_patch *patch, struct klp_object *one,
			  bool nops_only)
{
	struct klp_ops **popped;
	struct klp_object *obj;
	struct klp_func *func;
	struct klp_plan *plan;
	unsigned int i, n = 0, nr = 0;

	klp_for_each_object(patch, obj)
		klp_for_each_func(obj, func)
			nr++;
	popped = kcalloc(nr, sizeof(*popped), GFP_KERNEL | __GFP_NOFAIL);
	while (!(plan = klp_plan_alloc(nr, nr)))
		msleep(KLP_WINDOW_RETRY_MS);

	klp_for_each_object(patch, obj) {
		if ((one && obj != one) || !obj->patched)
			continue;
		klp_for_each_func(obj, func) {
			struct klp_ops *ops;

			if (!func->patched || (nops_only && !func->nop))
				continue;
			ops = klp_find_ops(func->old_func);
			if (WARN_ON(!ops))
				continue;
			list_del_rcu(&func->stack_node);
			func->patched = false;
			popped[n++] = ops;
			if (!list_empty(&ops->func_stack))
				klp_tramp_pop_new(ops);
			else if (ops->site.target && !klp_obj_going(obj) &&
				 !arch_klp_prepare_write(&plan->writes[plan->nr_writes],
							 &ops->site, 0))
				plan->nr_writes++;
		}
		if (obj->dynamic || !nops_only)
			obj->patched = false;
	}

	if (plan->nr_writes)
		klp_write_entries(plan, patch->mod->name, false);
	if (n)
		synchronize_rcu_tasks();
	for (i = 0; i < n; i++)
		if (!list_empty(&popped[i]->func_stack))
			klp_tramp_pop_rest(popped[i]);
	if (n)
		synchronize_rcu_tasks();
	for (i = 0; i < n; i++) {
		if (!list_empty(&popped[i]->func_stack))
			continue;
		arch_klp_tramp_free(&popped[i]->site);
		klp_free_ops(popped[i]);
	}
	klp_plan_free(plan);
	kfree(popped);
}

void klp_unpatch_object(struct klp_object *obj)
{
	klp_pop_funcs(container_of(obj->kobj.parent, struct klp_patch, kobj),
		      obj, false);
}

/*
 * Lead the entries of @obj's functions to their trampolines.  A module
 * that is still coming has not run: its entries are written at once.
 */
static int klp_lead_to_tramps(struct klp_object *obj, const char *patch)
{
	struct klp_func *func;
	struct klp_plan *plan;
	unsigned int nr = 0;
	int ret = 0;

	klp_for_each_func(obj, func)
		nr++;
	plan = klp_plan_alloc(nr, nr);
	if (!plan)
		return -ENOMEM;
	klp_for_each_func(obj, func) {
		struct klp_ops *ops = klp_find_ops(func->old_func);
		struct klp_site_write *w = &plan->writes[plan->nr_writes];

		if (ops->site.target == ops->site.tramp)
			continue;
		ret = arch_klp_prepare_write(w, &ops->site, ops->site.tramp);
		if (ret)
			goto out;
		if (obj->mod && obj->mod->state == MODULE_STATE_COMING) {
			ret = arch_klp_write_now(w);
			if (ret)
				goto out;
			continue;
		}
		plan->nr_writes++;
	}
	if (plan->nr_writes)
		ret = klp_write_entries(plan, patch, true);
out:
	klp_plan_free(plan);
	return ret;
}

int klp_patch_object(struct klp_object *obj)
{
	struct klp_patch *patch = container_of(obj->kobj.parent,
					       struct klp_patch, kobj);
	struct klp_func *func;
	int ret = 0;

	if (WARN_ON(obj->patched))
		return -EINVAL;

	obj->patched = true;
	klp_for_each_func(obj, func) {
		ret = klp_patch_func(func);
		if (ret)
			break;
	}
	if (!ret)
		ret = klp_lead_to_tramps(obj, patch->mod->name);
	if (ret)
		klp_pop_funcs(patch, obj, false);
	return ret;
}

void klp_unpatch_objects(struct klp_patch *patch)
{
	klp_pop_funcs(patch, NULL, false);
}

void klp_unpatch_objects_dynamic(struct klp_patch *patch)
{
	klp_pop_funcs(patch, NULL, true);
}
