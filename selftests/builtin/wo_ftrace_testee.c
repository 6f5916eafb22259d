// SPDX-License-Identifier: GPL-2.0-only
/*
 * Static code for the guest tests of klpmake-built patches, built into
 * the kernel with CONFIG_LIVEPATCH_WO_FTRACE_TEST_KNOBS.  Nothing here is
 * exported: a patch replaces wo_ftrace_testee_show(), calls wo_ftrace_testee_scale()
 * and reads and writes wo_ftrace_testee_count only through livepatch symbols.
 * wo_ftrace_testee_origin() has a namesake in wo_ftrace_testee_dup.c.
 *
 * debugfs wo_ftrace_testee: "count C scale S origin O", C counting the reads.
 */
#include <linux/compiler.h>
#include <linux/debugfs.h>
#include <linux/init.h>
#include <linux/seq_file.h>

static int wo_ftrace_testee_count;

/* noinline, __noclone: whole functions under their own names, to patch. */
static noinline __noclone int wo_ftrace_testee_scale(int x)
{
	return 3 * x + READ_ONCE(wo_ftrace_testee_count);
}

static noinline __noclone const char *wo_ftrace_testee_origin(void)
{
	return "testee";
}

static noinline __noclone int wo_ftrace_testee_show(struct seq_file *m, void *v)
{
	wo_ftrace_testee_count++;
	seq_printf(m, "count %d scale %d origin %s\n", wo_ftrace_testee_count,
		   wo_ftrace_testee_scale(2), wo_ftrace_testee_origin());
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(wo_ftrace_testee);

static int __init wo_ftrace_testee_init(void)
{
	debugfs_create_file("wo_ftrace_testee", 0444, NULL, NULL, &wo_ftrace_testee_fops);
	return 0;
}
late_initcall(wo_ftrace_testee_init);
