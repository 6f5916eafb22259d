// SPDX-License-Identifier: GPL-2.0-only
/*
 * A module of the kernel tree (built with
 * CONFIG_LIVEPATCH_WO_FTRACE_TEST_KNOBS) whose code calls its own export,
 * for the guest test of a klpmake diff fix of such a module:
 * selftests/klpmake-diff/ holds a diff of it.
 *
 * debugfs wo_ftrace_fixee_mod: reads "mod N", N = wo_ftrace_fixee_mod_base() + 2.
 */
#include <linux/debugfs.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include "wo_ftrace_fixee_mod.h"

static struct dentry *wo_ftrace_fixee_mod_file;

noinline int wo_ftrace_fixee_mod_base(void)
{
	return 40;
}
EXPORT_SYMBOL_GPL(wo_ftrace_fixee_mod_base);

static noinline __noclone int wo_ftrace_fixee_mod_show(struct seq_file *m,
						       void *v)
{
	seq_printf(m, "mod %d\n", wo_ftrace_fixee_mod_base() + 2);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(wo_ftrace_fixee_mod);

static int __init wo_ftrace_fixee_mod_init(void)
{
	wo_ftrace_fixee_mod_file = debugfs_create_file("wo_ftrace_fixee_mod",
						       0444, NULL, NULL,
						       &wo_ftrace_fixee_mod_fops);
	return 0;
}

static void __exit wo_ftrace_fixee_mod_exit(void)
{
	debugfs_remove(wo_ftrace_fixee_mod_file);
}

module_init(wo_ftrace_fixee_mod_init);
module_exit(wo_ftrace_fixee_mod_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("A module that klpmake diff's guest test fixes");
