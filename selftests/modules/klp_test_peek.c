// SPDX-License-Identifier: GPL-2.0-only
/*
 * Reads kernel text for the guest tests.
 *
 *   addr         (write) the address to look at (from /proc/kallsyms)
 *   bytes        (read)  the 16 bytes at addr, in hex
 *   jump_target  (read)  if addr holds "auipc t1; jalr x0, lo(t1)", where
 *                        it leads (decoded here with <asm/insn.h>, not by
 *                        the code that wrote it); "none" otherwise.  A jump
 *                        to a per-task trampoline is followed: where a
 *                        switched task goes ("none" for the original)
 *   trampoline   (read)  "new N prev P flag F" of the trampoline the jump
 *                        at addr leads to, "none" without one; N and P are
 *                        "orig" for the out-of-line copy of the original
 */
#include <linux/module.h>
#include <linux/uaccess.h>
#if __has_include("asm/insn.h")
#include <asm/insn.h>
#else
/* Before v6.3 riscv had no <asm/insn.h>: the fields, from the ISA manual. */
#define riscv_insn_is_auipc(x)	(((x) & 0x7f) == 0x17)
#define riscv_insn_is_jalr(x)	(((x) & 0x707f) == 0x67)
#define RV_EXTRACT_RD_REG(x)	(((x) >> 7) & 0x1f)
#define RV_EXTRACT_RS1_REG(x)	(((x) >> 15) & 0x1f)
#define RV_EXTRACT_UTYPE_IMM(x)	((x) & 0xfffff000)
#define RV_EXTRACT_ITYPE_IMM(x)	((u32)((s32)(x) >> 20))
#endif

#define PEEK_SIZE	16
#define PEEK_REG_T0		5
#define PEEK_REG_T1		6
/* Where a trampoline's out-of-line copy of the original starts. */
#define TRAMP_OOL	60

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

/* Where the jump at @at leads, or 0. */
static unsigned long jump_dest(unsigned long at)
{
	u32 insn[2];

	if (copy_from_kernel_nofault(insn, (void *)at, sizeof(insn)))
		return 0;
	if (!riscv_insn_is_auipc(insn[0]) ||
	    RV_EXTRACT_RD_REG(insn[0]) != PEEK_REG_T1 ||
	    !riscv_insn_is_jalr(insn[1]) ||
	    RV_EXTRACT_RS1_REG(insn[1]) != PEEK_REG_T1 ||
	    RV_EXTRACT_RD_REG(insn[1]) != 0)
		return 0;
	return at + (long)(s32)RV_EXTRACT_UTYPE_IMM(insn[0]) +
	       (long)(s32)RV_EXTRACT_ITYPE_IMM(insn[1]);
}

/*
 * The words of the per-task trampoline at @tramp: it starts "auipc t0;
 * addi t0, t0, lo; ld t1, 0(t0)", t0 being its words.  False if it
 * does not.
 */
static bool tramp_words(unsigned long tramp, unsigned long words[3])
{
	unsigned long data;
	u32 insn[3];

	if (copy_from_kernel_nofault(insn, (void *)tramp, sizeof(insn)))
		return false;
	if (!riscv_insn_is_auipc(insn[0]) ||
	    RV_EXTRACT_RD_REG(insn[0]) != PEEK_REG_T0 ||
	    (insn[1] & 0x707f) != 0x13 ||
	    RV_EXTRACT_RD_REG(insn[1]) != PEEK_REG_T0 ||
	    (insn[2] & 0x707f) != 0x3003 ||
	    RV_EXTRACT_RD_REG(insn[2]) != PEEK_REG_T1)
		return false;
	data = tramp + (long)(s32)RV_EXTRACT_UTYPE_IMM(insn[0]) +
	       (long)(s32)RV_EXTRACT_ITYPE_IMM(insn[1]);
	return !copy_from_kernel_nofault(words, (void *)data,
					 3 * sizeof(*words));
}

static int jump_target_get(char *buf, const struct kernel_param *kp)
{
	unsigned long to = jump_dest(addr), words[3];

	if (to && tramp_words(to, words))
		to = words[0] == to + TRAMP_OOL ? 0 : words[0];
	if (!to)
		return sysfs_emit(buf, "none\n");
	return sysfs_emit(buf, "%lx\n", to);
}

static const struct kernel_param_ops jump_target_ops = {
	.get = jump_target_get,
};
module_param_cb(jump_target, &jump_target_ops, NULL, 0444);

/* "orig" for the trampoline's copy of the original, else the address. */
static void code_name(char *buf, size_t size, unsigned long code,
		      unsigned long tramp)
{
	if (code == tramp + TRAMP_OOL)
		strscpy(buf, "orig", size);
	else
		snprintf(buf, size, "%lx", code);
}

static int trampoline_get(char *buf, const struct kernel_param *kp)
{
	unsigned long to = jump_dest(addr), words[3];
	char new[24], prev[24];
	u8 flag;

	if (!to || !tramp_words(to, words))
		return sysfs_emit(buf, "none\n");
	if (copy_from_kernel_nofault(&flag, (void *)words[1], 1))
		return -EFAULT;
	code_name(new, sizeof(new), words[0], to);
	code_name(prev, sizeof(prev), words[2], to);
	return sysfs_emit(buf, "new %s prev %s flag %u\n", new, prev, flag);
}

static const struct kernel_param_ops trampoline_ops = {
	.get = trampoline_get,
};
module_param_cb(trampoline, &trampoline_ops, NULL, 0444);

MODULE_DESCRIPTION("live patching guest tests: read kernel text");
MODULE_LICENSE("GPL");
