// SPDX-License-Identifier: GPL-2.0-only
/*
 * The namesake of wo_ftrace_testee.c's wo_ftrace_testee_origin(), for the guest
 * test that patches a duplicated static name in the right file
 * (klpmake -s wo_ftrace_testee_origin:wo_ftrace_testee_dup.c).
 *
 * debugfs wo_ftrace_testee_dup: "origin O".
 */
#include <linux/compiler.h>
#include <linux/debugfs.h>
#include <linux/init.h>
#include <linux/seq_file.h>

static noinline __noclone const char *wo_ftrace_testee_origin(void)
{
	return "dup";
}

static int wo_ftrace_testee_dup_show(struct seq_file *m, void *v)
{
	seq_printf(m, "origin %s\n", wo_ftrace_testee_origin());
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(wo_ftrace_testee_dup);

static int __init wo_ftrace_testee_dup_init(void)
{
	debugfs_create_file("wo_ftrace_testee_dup", 0444, NULL, NULL,
			    &wo_ftrace_testee_dup_fops);
	return 0;
}
late_initcall(wo_ftrace_testee_dup_init);
