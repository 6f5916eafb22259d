// SPDX-License-Identifier: GPL-2.0-only
/*
 * wo_ftrace_patch.c - per-function state of live patching without ftrace
 *
 * Replaces the ftrace backend (patch.c) behind the same interface.  Each
 * replaced function has one klp_ops: the stack of klp_funcs that replace
 * it (newest on top) and the arch site, which knows the original bytes
 * and what the entry leads to now.  klp_patch_object() and
 * klp_unpatch_object() only change the stacks; the text changes in
 * klp_try_complete_transition(), from a plan rebuilt from the stacks on
 * every attempt.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/livepatch.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include "core.h"
#include "patch.h"
#include "transition.h"
#include "wo_ftrace.h"

/* Changed with klp_mutex and kprobes_lock() held: either lock reads it. */
static LIST_HEAD(klp_ops);

struct klp_ops *klp_find_ops(void *old_func)
{
	struct klp_ops *ops;

	list_for_each_entry(ops, &klp_ops, node)
		if (ops->site.func == (unsigned long)old_func)
			return ops;
	return NULL;
}

/*
 * May a kprobe go at @addr?  Not inside the original instructions a jump
 * of a function we own (patched or about to be) overlaps (-EBUSY), nor
 * off an original instruction boundary of that function (-EILSEQ).
 * Called by register_kprobe() with kprobe_mutex held.
 */
int klp_wo_ftrace_check_kprobe(void *addr)
{
	struct klp_ops *ops;
	int ret;

	list_for_each_entry(ops, &klp_ops, node) {
		ret = arch_klp_check_kprobe(&ops->site, (unsigned long)addr);
		if (ret)
			return ret;
	}
	return 0;
}

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
	if (list_empty(&ops->func_stack)) {
		kprobes_lock();
		list_del(&ops->node);
		kprobes_unlock();
		kfree(ops);
	}
	func->patched = false;
}

/*
 * The first user of an old function: refuse it, or save its entry and
 * reserve it against kprobes, both under kprobes_lock() so that no
 * kprobe arrives in between.
 */
static struct klp_ops *klp_new_ops(struct klp_func *func)
{
	struct klp_ops *ops;
	int ret;

	ops = kzalloc(sizeof(*ops), GFP_KERNEL);
	if (!ops)
		return ERR_PTR(-ENOMEM);
	INIT_LIST_HEAD(&ops->func_stack);

	kprobes_lock();
	ret = klp_check_patchable((unsigned long)func->old_func,
				  func->old_size, func->old_name);
	if (!ret)
		ret = arch_klp_init_site(&ops->site,
					 (unsigned long)func->old_func,
					 func->old_size, func->old_name);
	if (!ret)
		list_add(&ops->node, &klp_ops);
	kprobes_unlock();

	if (ret) {
		kfree(ops);
		return ERR_PTR(ret);
	}
	return ops;
}

/*
 * Put @func on the stack of its old function; the first user of an old
 * function validates it and saves its entry.  Refusals happen here, so
 * that enabling a patch (or loading its target module) fails at once with
 * nothing written.
 */
static int klp_patch_func(struct klp_func *func)
{
	struct klp_ops *ops;
	int ret;

	if (WARN_ON(!func->old_func))
		return -EINVAL;
	if (WARN_ON(func->patched))
		return -EINVAL;

	if (!func->nop) {
		ret = arch_klp_check_target((unsigned long)func->old_func,
					    (unsigned long)func->new_func,
					    func->old_name);
		if (ret)
			return ret;
	}

	ops = klp_find_ops(func->old_func);
	if (!ops) {
		ops = klp_new_ops(func);
		if (IS_ERR(ops))
			return PTR_ERR(ops);
	}

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

static void klp_plan_add_range(struct klp_plan *plan, unsigned long start,
			       unsigned long end, const char *name)
{
	struct klp_busy_range *r = &plan->busy.range[plan->busy.nr++];

	r->start = start;
	r->end = end;
	r->name = name;
}

static int klp_range_cmp(const void *a, const void *b)
{
	const struct klp_busy_range *ra = a, *rb = b;

	if (ra->start != rb->start)
		return ra->start < rb->start ? -1 : 1;
	return 0;
}

/*
 * Sort the ranges and merge those that overlap (a jump window lies inside
 * its function), so that the walk inside stop_machine finds a pc with a
 * binary search.  A merged range keeps the name of its first part.
 */
static void klp_plan_sort_ranges(struct klp_busy_set *busy)
{
	unsigned int i, n = 0;

	sort(busy->range, busy->nr, sizeof(*busy->range), klp_range_cmp, NULL);
	for (i = 0; i < busy->nr; i++) {
		const struct klp_busy_range *r = &busy->range[i];

		if (n && r->start < busy->range[n - 1].end)
			busy->range[n - 1].end = max(busy->range[n - 1].end,
						     r->end);
		else
			busy->range[n++] = *r;
	}
	busy->nr = n;
}

void klp_plan_free(struct klp_plan *plan)
{
	kfree(plan->writes);
	kfree(plan->busy.range);
	kfree(plan);
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
	int ret = -ENOMEM;

	list_for_each_entry(ops, &klp_ops, node)
		nr_ops++;
	klp_for_each_object(patch, obj)
		klp_for_each_func(obj, func)
			nr_funcs++;

	plan = kzalloc(sizeof(*plan), GFP_KERNEL);
	if (!plan)
		return ERR_PTR(-ENOMEM);
	plan->writes = kcalloc(nr_ops, sizeof(*plan->writes), GFP_KERNEL);
	plan->busy.range = kcalloc(2 * nr_ops + nr_funcs,
				   sizeof(*plan->busy.range), GFP_KERNEL);
	if ((nr_ops && !plan->writes) || !plan->busy.range)
		goto err;

	list_for_each_entry(ops, &klp_ops, node) {
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
