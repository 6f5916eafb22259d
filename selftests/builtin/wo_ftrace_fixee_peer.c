// SPDX-License-Identifier: GPL-2.0-only
/*
 * The second file that inlines wo_ftrace_fixee.h's static inline, so that a
 * fix of the header changes functions of two objects (built with
 * CONFIG_LIVEPATCH_WO_FTRACE_TEST_KNOBS); selftests/klpmake-diff/ holds
 * diffs of it.
 *
 * debugfs wo_ftrace_fixee_peer: reads "peer VERDICT", the verdict on 'Y'.
 */
#include <linux/compiler.h>
#include <linux/debugfs.h>
#include <linux/init.h>
#include <linux/seq_file.h>
#include "wo_ftrace_fixee.h"

static noinline __noclone int wo_ftrace_fixee_peer_show(struct seq_file *m,
							void *v)
{
	seq_printf(m, "peer %s\n", wo_ftrace_fixee_verdict('Y'));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(wo_ftrace_fixee_peer);

static int __init wo_ftrace_fixee_peer_init(void)
{
	debugfs_create_file("wo_ftrace_fixee_peer", 0444, NULL, NULL,
			    &wo_ftrace_fixee_peer_fops);
	return 0;
}
late_initcall(wo_ftrace_fixee_peer_init);
