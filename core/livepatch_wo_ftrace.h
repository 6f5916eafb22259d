/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Live patching without ftrace: the types the core hands to an
 * architecture's stack check and entry writer.
 */
#ifndef _LINUX_LIVEPATCH_WO_FTRACE_H
#define _LINUX_LIVEPATCH_WO_FTRACE_H

#include <linux/types.h>
#include <asm/livepatch.h>

/**
 * struct klp_busy_range - code no task may be executing for a write to go on
 * @start:	first byte
 * @end:	one past the last byte
 * @name:	the replaced function this range belongs to, for messages
 */
struct klp_busy_range {
	unsigned long start;
	unsigned long end;
	const char *name;
};

/**
 * struct klp_busy_set - the ranges one check looks pc values up in
 * @range:	sorted by start, none overlapping (klp_plan_build())
 * @nr:		how many
 * @linear:	bench only: scan them all, as a naive port would
 */
struct klp_busy_set {
	struct klp_busy_range *range;
	unsigned int nr;
	bool linear;
};

/**
 * struct klp_site_write - one entry rewritten under stop_machine
 * @site:	the entry
 * @target:	what it leads to afterwards (0: original bytes)
 * @expect:	the bytes it must hold before, or nothing is written
 * @bytes:	the bytes it holds afterwards
 */
struct klp_site_write {
	struct arch_klp_site *site;
	unsigned long target;
	u8 expect[KLP_JUMP_SIZE];
	u8 bytes[KLP_JUMP_SIZE];
};

#endif /* _LINUX_LIVEPATCH_WO_FTRACE_H */
