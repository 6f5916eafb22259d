// SPDX-License-Identifier: GPL-2.0-only
/*
 * Reads kernel text for the guest tests.
 *
 *   addr         (write) the address to look at (from /proc/kallsyms)
 *   bytes        (read)  the 16 bytes at addr, in hex
 *   jump_target  (read)  if addr holds "auipc t1; jalr x0, lo(t1)", where
 *                        it leads (decoded here with <asm/insn.h>, not by
 *                        the code that wrote it); "none" otherwise
 */
#include <linux/module.h>
#include <linux/uaccess.h>
#include <asm/insn.h>

#define PEEK_SIZE	16
#define REG_T1		6

static unsigned long addr;
module_param(addr, ulong, 0644);

static int bytes_get(char *buf, const struct kernel_param *kp)
{
	u8 text[PEEK_SIZE];

	if (copy_from_kernel_nofault(text, (void *)addr, sizeof(text)))
		return -EFAULT;
	return sysfs_emit(buf, "%*phN\n", PEEK_SIZE, text);
}

static const struct kernel_param_ops bytes_ops = {
	.get = bytes_get,
};
module_param_cb(bytes, &bytes_ops, NULL, 0444);

static int jump_target_get(char *buf, const struct kernel_param *kp)
{
	u32 insn[2];
	long off;

	if (copy_from_kernel_nofault(insn, (void *)addr, sizeof(insn)))
		return -EFAULT;
	if (!riscv_insn_is_auipc(insn[0]) ||
	    RV_EXTRACT_RD_REG(insn[0]) != REG_T1 ||
	    !riscv_insn_is_jalr(insn[1]) ||
	    RV_EXTRACT_RS1_REG(insn[1]) != REG_T1 ||
	    RV_EXTRACT_RD_REG(insn[1]) != 0)
		return sysfs_emit(buf, "none\n");

	off = (long)(s32)RV_EXTRACT_UTYPE_IMM(insn[0]) +
	      (long)(s32)RV_EXTRACT_ITYPE_IMM(insn[1]);
	return sysfs_emit(buf, "%lx\n", addr + off);
}

static const struct kernel_param_ops jump_target_ops = {
	.get = jump_target_get,
};
module_param_cb(jump_target, &jump_target_ops, NULL, 0444);

MODULE_DESCRIPTION("live patching guest tests: read kernel text");
MODULE_LICENSE("GPL");
