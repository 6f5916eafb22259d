// SPDX-License-Identifier: GPL-2.0-only
/*
 * wo_ftrace_ops.c - the replaced functions of live patching without
 * ftrace, as both consistency models keep them
 *
 * Each replaced function has one klp_ops: the stack of klp_funcs that
 * replace it (newest on top) and the arch site, which knows the original
 * bytes and what the entry leads to now.  Also the busy ranges a plan
 * checks tasks against, sorted for a binary search.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/livepatch.h>
#include <linux/list.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include "core.h"
#include "patch.h"
#include "wo_ftrace.h"

/* Changed with klp_mutex and kprobes_lock() held: either lock reads it. */
LIST_HEAD(klp_ops_list);

struct klp_ops *klp_find_ops(void *old_func)
{
	struct klp_ops *ops;

	list_for_each_entry(ops, &klp_ops_list, node)
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

	list_for_each_entry(ops, &klp_ops_list, node) {
		ret = arch_klp_check_kprobe(&ops->site, (unsigned long)addr);
		if (ret)
			return ret;
	}
	return 0;
}

/* The last user of an old function is gone: forget it. */
void klp_free_ops(struct klp_ops *ops)
{
	kprobes_lock();
	list_del(&ops->node);
	kprobes_unlock();
	kfree(ops);
}

/*
 * The first user of an old function: refuse it, or save its entry and
 * reserve it against kprobes, both under kprobes_lock() so that no
 * kprobe arrives in between.  The per-task model also makes its
 * trampoline.
 */
static struct klp_ops *klp_new_ops(struct klp_func *func)
{
	struct klp_ops *ops;
	int ret;

	ops = kzalloc_obj(*ops);
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
		list_add(&ops->node, &klp_ops_list);
	kprobes_unlock();

	if (!ret && IS_ENABLED(CONFIG_LIVEPATCH_WO_FTRACE_PER_TASK)) {
		ret = arch_klp_tramp_alloc(&ops->site);
		if (ret) {
			klp_free_ops(ops);
			return ERR_PTR(ret);
		}
	}
	if (ret) {
		kfree(ops);
		return ERR_PTR(ret);
	}
	return ops;
}

/*
 * The klp_ops that @func goes on: the first user of an old function
 * validates it and saves its entry.  Refusals happen here, so that
 * enabling a patch (or loading its target module) fails at once with
 * nothing written.
 */
struct klp_ops *klp_ops_for(struct klp_func *func)
{
	struct klp_ops *ops;
	int ret;

	if (WARN_ON(!func->old_func) || WARN_ON(func->patched))
		return ERR_PTR(-EINVAL);

	if (!func->nop) {
		ret = arch_klp_check_target((unsigned long)func->old_func,
					    (unsigned long)func->new_func,
					    func->old_name);
		if (ret)
			return ERR_PTR(ret);
	}

	ops = klp_find_ops(func->old_func);
	return ops ?: klp_new_ops(func);
}

void klp_plan_add_range(struct klp_plan *plan, unsigned long start,
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
void klp_plan_sort_ranges(struct klp_busy_set *busy)
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

static int klp_write_cmp(const void *a, const void *b)
{
	const struct klp_site_write *wa = a, *wb = b;

	if (wa->site->addr != wb->site->addr)
		return wa->site->addr < wb->site->addr ? -1 : 1;
	return 0;
}

/*
 * Sort the writes by entry address, so that the writer inside
 * stop_machine maps each text page once for all the entries on it.  Each
 * write stands alone (its site, the bytes before and after; the check
 * before them is all or nothing): the order changes nothing else.
 */
void klp_plan_sort_writes(struct klp_plan *plan)
{
	sort(plan->writes, plan->nr_writes, sizeof(*plan->writes),
	     klp_write_cmp, NULL);
}

/* A plan with room for @nr_writes writes and @nr_ranges ranges. */
struct klp_plan *klp_plan_alloc(unsigned int nr_writes, unsigned int nr_ranges)
{
	struct klp_plan *plan;

	plan = kzalloc_obj(*plan);
	if (!plan)
		return NULL;
	plan->writes = kcalloc(nr_writes, sizeof(*plan->writes), GFP_KERNEL);
	plan->busy.range = kcalloc(nr_ranges, sizeof(*plan->busy.range),
				   GFP_KERNEL);
	if ((nr_writes && !plan->writes) || !plan->busy.range) {
		klp_plan_free(plan);
		return NULL;
	}
	return plan;
}

void klp_plan_free(struct klp_plan *plan)
{
	kfree(plan->writes);
	kfree(plan->busy.range);
	kfree(plan);
}
