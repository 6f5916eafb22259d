// SPDX-License-Identifier: GPL-2.0-only
/*
 * wo_ftrace_patch.c - the function stacks of the all-at-once model of
 * live patching without ftrace
 *
 * Replaces the ftrace backend (patch.c) behind the same interface.
 * klp_patch_object() and klp_unpatch_object() only change the stacks of
 * the klp_ops (wo_ftrace_ops.c); the text changes in
 * klp_try_complete_transition(), from a plan rebuilt from the stacks on
 * every attempt.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/list.h>
#include <linux/module.h>
#include "core.h"
#include "patch.h"
#include "transition.h"
#include "wo_ftrace.h"

/*
 * What the entry of @ops leads to once every task is in @state: the newest
 * function on its stack, passing over those of a patch in transition when
 * the state is "unpatched".  A nop or an empty stack means the original
 * code.  Must be called with klp_mutex held.
 */
static unsigned long klp_ops_target(struct klp_ops *ops, int state)
{
	struct klp_func *func;

	list_for_each_entry(func, &ops->func_stack, stack_node) {
		if (func->transition && state == KLP_TRANSITION_UNPATCHED)
			continue;
		return func->nop ? 0 : (unsigned long)func->new_func;
	}
	return 0;
}

/* The code that runs when the entry of @ops is called now. */
static void klp_ops_current_code(struct klp_ops *ops,
				 struct klp_busy_range *range)
{
	struct klp_func *func;

	list_for_each_entry(func, &ops->func_stack, stack_node) {
		if (ops->site.target &&
		    (unsigned long)func->new_func == ops->site.target) {
			range->start = ops->site.target;
			range->end = range->start + func->new_size;
			return;
		}
	}
	func = list_first_entry(&ops->func_stack, struct klp_func, stack_node);
	range->start = ops->site.func;
	range->end = range->start + func->old_size;
}

/* The state every task is in, set by the transition (klp_mutex held). */
static int klp_entry_state = KLP_TRANSITION_PATCHED;

void klp_set_entry_state(int state)
{
	klp_entry_state = state;
}

/*
 * A module coming: write its entry now, to what every task is to run in
 * the current state (during a transition, the state nobody has left yet:
 * a pending disable keeps the patch's version).  The module has not run
 * yet, so no task can be inside.  Elsewhere the entry already leads
 * there, and nothing is written.
 */
static int klp_ops_write_now(struct klp_ops *ops)
{
	struct klp_site_write w;
	unsigned long target;
	int ret;

	target = klp_ops_target(ops, klp_entry_state);
	if (target == ops->site.target)
		return 0;
	ret = arch_klp_prepare_write(&w, &ops->site, target);
	if (!ret)
		ret = arch_klp_write_now(&w);
	return ret;
}

static void klp_unpatch_func(struct klp_func *func)
{
	struct klp_ops *ops;

	if (WARN_ON(!func->patched))
		return;
	if (WARN_ON(!func->old_func))
		return;

	ops = klp_find_ops(func->old_func);
	if (WARN_ON(!ops))
		return;

	list_del_rcu(&func->stack_node);
	if (list_empty(&ops->func_stack))
		klp_free_ops(ops);
	func->patched = false;
}

/* Put @func on the stack of its old function (refusals: klp_ops_for()). */
static int klp_patch_func(struct klp_func *func)
{
	struct klp_ops *ops = klp_ops_for(func);
	int ret;

	if (IS_ERR(ops))
		return PTR_ERR(ops);

	list_add_rcu(&func->stack_node, &ops->func_stack);
	func->patched = true;

	ret = klp_ops_write_now(ops);
	if (ret)
		klp_unpatch_func(func);
	return ret;
}

static void __klp_unpatch_object(struct klp_object *obj, bool nops_only)
{
	struct klp_func *func;

	klp_for_each_func(obj, func) {
		if (nops_only && !func->nop)
			continue;

		if (func->patched)
			klp_unpatch_func(func);
	}

	if (obj->dynamic || !nops_only)
		obj->patched = false;
}

/*
 * Bookkeeping only: by now the text of @obj's functions was written back
 * under stop_machine, was never written, or is going away with its module.
 */
void klp_unpatch_object(struct klp_object *obj)
{
	__klp_unpatch_object(obj, false);
}

int klp_patch_object(struct klp_object *obj)
{
	struct klp_func *func;
	int ret;

	if (WARN_ON(obj->patched))
		return -EINVAL;

	klp_for_each_func(obj, func) {
		ret = klp_patch_func(func);
		if (ret) {
			klp_unpatch_object(obj);
			return ret;
		}
	}
	obj->patched = true;

	return 0;
}

static void __klp_unpatch_objects(struct klp_patch *patch, bool nops_only)
{
	struct klp_object *obj;

	klp_for_each_object(patch, obj)
		if (obj->patched)
			__klp_unpatch_object(obj, nops_only);
}

void klp_unpatch_objects(struct klp_patch *patch)
{
	__klp_unpatch_objects(patch, false);
}

void klp_unpatch_objects_dynamic(struct klp_patch *patch)
{
	__klp_unpatch_objects(patch, true);
}

/*
 * Everything one attempt needs, computed before the machine is stopped:
 * for each entry that must change to bring every task to @state, the
 * bytes before and after, and the code no task may be in meanwhile: the
 * 8 bytes of the jump window and the code the entry leads to now (all of
 * it unless @force).  When unpatching, the new functions of @patch must
 * be left too, or its module could be removed under a task, once a task
 * can have reached them (@new_code_reached).
 * With klp_wo_ftrace_naive (bench only) the plan walks every task inside
 * stop_machine and keeps the ranges unsorted for a linear scan.
 * Must be called with klp_mutex held.
 */
struct klp_plan *klp_plan_build(struct klp_patch *patch, int state,
				bool force, bool new_code_reached)
{
	unsigned int nr_ops = 0, nr_funcs = 0;
	struct klp_object *obj;
	struct klp_func *func;
	struct klp_plan *plan;
	struct klp_ops *ops;
	int ret;

	list_for_each_entry(ops, &klp_ops_list, node)
		nr_ops++;
	klp_for_each_object(patch, obj)
		klp_for_each_func(obj, func)
			nr_funcs++;

	plan = klp_plan_alloc(nr_ops, 2 * nr_ops + nr_funcs);
	if (!plan)
		return ERR_PTR(-ENOMEM);

	list_for_each_entry(ops, &klp_ops_list, node) {
		struct klp_busy_range code;
		unsigned long target = klp_ops_target(ops, state);

		if (target == ops->site.target)
			continue;
		ret = arch_klp_prepare_write(&plan->writes[plan->nr_writes],
					     &ops->site, target);
		if (ret)
			goto err;
		plan->nr_writes++;

		klp_plan_add_range(plan, ops->site.addr,
				   ops->site.addr + KLP_JUMP_SIZE,
				   ops->site.name);
		if (force)
			continue;
		klp_ops_current_code(ops, &code);
		klp_plan_add_range(plan, code.start, code.end, ops->site.name);
	}

	if (state == KLP_TRANSITION_UNPATCHED && new_code_reached && !force) {
		klp_for_each_object(patch, obj) {
			if (!obj->patched)
				continue;
			klp_for_each_func(obj, func) {
				if (func->nop)
					continue;
				klp_plan_add_range(plan,
						   (unsigned long)func->new_func,
						   (unsigned long)func->new_func +
						   func->new_size,
						   func->old_name);
			}
		}
	}
	klp_plan_sort_writes(plan);
	plan->naive = READ_ONCE(klp_wo_ftrace_naive);
	if (plan->naive)
		plan->busy.linear = true;
	else
		klp_plan_sort_ranges(&plan->busy);
	return plan;

err:
	klp_plan_free(plan);
	return ERR_PTR(ret);
}
