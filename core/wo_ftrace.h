/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Live patching without ftrace: what core/ hands to stop_machine_glue/.
 */
#ifndef _LIVEPATCH_WO_FTRACE_H
#define _LIVEPATCH_WO_FTRACE_H

#include <linux/livepatch.h>
#include <asm/livepatch.h>

/**
 * struct klp_plan - one attempt to bring every entry to the target state
 * @writes:	the entries whose bytes change
 * @nr_writes:	how many
 * @ranges:	code no task may be executing for the writes to go on
 * @nr_ranges:	how many
 */
struct klp_plan {
	struct klp_site_write *writes;
	unsigned int nr_writes;
	struct klp_busy_range *ranges;
	unsigned int nr_ranges;
};

struct klp_plan *klp_plan_build(struct klp_patch *patch, int state,
				bool force);
void klp_plan_free(struct klp_plan *plan);

int klp_stop_machine_apply(struct klp_plan *plan);

int klp_check_patchable(unsigned long func, unsigned long size,
			const char *name);

int klp_wo_ftrace_state(void);

#endif /* _LIVEPATCH_WO_FTRACE_H */
