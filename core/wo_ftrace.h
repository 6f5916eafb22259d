/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Live patching without ftrace: what core/ hands to stop_machine_glue/.
 */
#ifndef _LIVEPATCH_WO_FTRACE_H
#define _LIVEPATCH_WO_FTRACE_H

#include <linux/livepatch.h>
#include <linux/livepatch_wo_ftrace.h>
#include <linux/livepatch_wo_ftrace_compat.h>

/**
 * struct klp_plan - one attempt to bring every entry to the target state
 * @writes:	the entries whose bytes change, sorted by address before
 *		the machine stops (klp_plan_sort_writes())
 * @nr_writes:	how many
 * @busy:	code no task may be executing for the writes to go on
 * @naive:	bench only: walk every task inside stop_machine, scan the
 *		ranges linearly
 */
struct klp_plan {
	struct klp_site_write *writes;
	unsigned int nr_writes;
	struct klp_busy_set busy;
	bool naive;
};

struct klp_plan *klp_plan_build(struct klp_patch *patch, int state,
				bool force, bool new_code_reached);
struct klp_plan *klp_plan_alloc(unsigned int nr_writes, unsigned int nr_ranges);
void klp_plan_add_range(struct klp_plan *plan, unsigned long start,
			unsigned long end, const char *name);
void klp_plan_sort_ranges(struct klp_busy_set *busy);
void klp_plan_sort_writes(struct klp_plan *plan);
void klp_plan_free(struct klp_plan *plan);

struct klp_ops;
extern struct list_head klp_ops_list;
struct klp_ops *klp_ops_for(struct klp_func *func);
void klp_free_ops(struct klp_ops *ops);

/**
 * struct klp_stop_stats - what one stop_machine of live patching cost
 * @enter:	ns, stop_machine called
 * @started:	ns, the last hart began the rendezvous function
 * @self_walk:	ns, the longest walk of a hart's own stack (before @parked)
 * @parked:	ns, the last hart arrived: every hart is parked
 * @checked:	ns, the tasks checked
 * @verified:	ns, each entry found holding the bytes expected
 * @written:	ns, the entries written: the harts are released
 * @left:	ns, the last hart left the rendezvous
 * @walked:	stacks the writer walked (the harts' own not counted)
 * @ranges:	busy ranges the walks looked pc values up in
 * @writes:	entries to write
 * @full_scan:	every task was walked, not only the changed ones
 * @log_overflow: a switch log overflowed (the one cause of a full scan
 *		outside the bench)
 * @forks:	tasks forked since the attempt began
 * @result:	what stop_machine returned
 */
struct klp_stop_stats {
	u64 enter;
	u64 started;
	u64 self_walk;
	u64 parked;
	u64 checked;
	u64 verified;
	u64 written;
	u64 left;
	unsigned int walked;
	unsigned int ranges;
	unsigned int writes;
	bool full_scan;
	bool log_overflow;
	unsigned long forks;
	int result;
};

extern bool klp_wo_ftrace_naive;

/**
 * struct klp_blocker - a task stop_machine found inside changing code
 * @task:	the task, with a reference held (NULL: none)
 * @name:	the replaced function it is in
 * @ret:	what klp_check_calltrace() said
 */
struct klp_blocker {
	struct task_struct *task;
	const char *name;
	int ret;
};

int klp_stop_machine_apply(struct klp_plan *plan,
			   struct klp_blocker *blocker);
void klp_stop_machine_last(struct klp_stop_stats *stats);

typedef int (*klp_task_walk_fn)(struct task_struct *task, void *arg);

/**
 * struct klp_prepass_check - one task checked before the machine stops
 * @busy:	the code it may not be in
 * @name:	where it was found, if it was
 */
struct klp_prepass_check {
	const struct klp_busy_set *busy;
	const char *name;
};

void klp_recheck_begin(void);
int klp_prepass_check_task(struct task_struct *task, void *arg);
bool klp_recheck_all(bool naive, struct klp_stop_stats *stats);
int klp_recheck_walk(klp_task_walk_fn fn, void *arg);
int klp_recheck_walk_exiting(klp_task_walk_fn fn, void *arg);
void klp_recheck_end(void);

void klp_wo_ftrace_prepass_gate(void);

int klp_check_patchable(unsigned long func, unsigned long size,
			const char *name);

void klp_set_entry_state(int state);

#endif /* _LIVEPATCH_WO_FTRACE_H */
