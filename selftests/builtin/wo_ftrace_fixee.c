// SPDX-License-Identifier: GPL-2.0-only
/*
 * Code for the guest tests of klpmake diff, built into the kernel with
 * CONFIG_LIVEPATCH_WO_FTRACE_TEST_KNOBS; selftests/klpmake-diff/ holds
 * diffs of this file.  Between them its functions use the kernel tables a
 * fix has to carry: string literals, get_user() (__ex_table),
 * WARN_ON_ONCE() (__bug_table) and a static branch on a key of this file
 * (__jump_table), and a static inline of wo_ftrace_fixee.h that a fix
 * changes in its callers.
 *
 * wo_ftrace_fixee_open() is NOKPROBE, which live patching refuses.
 *
 * debugfs wo_ftrace_fixee: reads "fixee VERDICT key on|off last C"; a
 * write's first byte is kept as C, except 'K' and 'k' which turn the key
 * on and off, and '!' which also warns.
 */
#include <linux/compiler.h>
#include <linux/debugfs.h>
#include <linux/init.h>
#include <linux/jump_label.h>
#include <linux/kprobes.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>
#include "wo_ftrace_fixee.h"

static DEFINE_STATIC_KEY_FALSE(wo_ftrace_fixee_key);
static char wo_ftrace_fixee_last = '-';

static noinline __noclone int wo_ftrace_fixee_show(struct seq_file *m, void *v)
{
	seq_printf(m, "fixee %s key %s last %c\n",
		   wo_ftrace_fixee_verdict(READ_ONCE(wo_ftrace_fixee_last)),
		   static_branch_unlikely(&wo_ftrace_fixee_key) ? "on" : "off",
		   READ_ONCE(wo_ftrace_fixee_last));
	return 0;
}

static int wo_ftrace_fixee_open(struct inode *inode, struct file *file)
{
	return single_open(file, wo_ftrace_fixee_show, NULL);
}

static noinline __noclone ssize_t
wo_ftrace_fixee_write(struct file *file, const char __user *buf, size_t len,
		      loff_t *ppos)
{
	char c;

	/* No test writes 0 bytes: no branch before the first access. */
	if (get_user(c, buf))
		return -EFAULT;
	WARN_ON_ONCE(c == '!');
	if (c == 'K')
		static_branch_enable(&wo_ftrace_fixee_key);
	else if (c == 'k')
		static_branch_disable(&wo_ftrace_fixee_key);
	else
		WRITE_ONCE(wo_ftrace_fixee_last, c);
	return len;
}

static const struct file_operations wo_ftrace_fixee_fops = {
	.owner = THIS_MODULE,
	.open = wo_ftrace_fixee_open,
	.read = seq_read,
	.write = wo_ftrace_fixee_write,
	.llseek = seq_lseek,
	.release = single_release,
};

static int __init wo_ftrace_fixee_init(void)
{
	debugfs_create_file("wo_ftrace_fixee", 0644, NULL, NULL,
			    &wo_ftrace_fixee_fops);
	return 0;
}
late_initcall(wo_ftrace_fixee_init);

/* A function the kernel refuses to patch: a fix of it is refused too. */
NOKPROBE_SYMBOL(wo_ftrace_fixee_open);
