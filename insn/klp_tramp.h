/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The per-function trampoline of the per-task consistency model.  The
 * entry of a replaced function jumps here; the trampoline picks the code
 * the calling task is to run from three words beside it, which only the
 * writer of klp_mutex changes:
 *
 *   new	the newest function (or the out-of-line copy of the original)
 *   flag	non-zero while new's patch is in transition
 *   prev	what a task not yet switched runs: the function below new on
 *		the stack, or the out-of-line copy
 *
 * As upstream's ftrace handler reads the top of the function stack and
 * only then its transition flag (smp_rmb() between), the trampoline
 * loads new, fences, then loads flag: a task that sees a new top sees
 * its flag.  In transition, a task whose patch_state is
 * KLP_TRANSITION_UNPATCHED (0) runs prev, any other runs new.
 *
 *	 0: auipc t0, 0
 *	 4: ld    t1, NEW(t0)
 *	 8: fence r, r
 *	12: ld    t0, FLAG(t0)
 *	16: beqz  t0, 44
 *	20: lui   t0, %hi(patch_state)
 *	24: add   t0, t0, tp		(tp holds current on riscv)
 *	28: lw    t0, %lo(patch_state)(t0)
 *	32: bnez  t0, 44
 *	36: auipc t0, 0
 *	40: ld    t1, PREV(t0)
 *	44: jalr  x0, 0(t1)		(t1: jr through t0 would be a return hint)
 *	48: the out-of-line copy of the displaced instructions, jump back
 *	80: new, flag, prev
 *
 * Shared by the kernel and by the host unit tests.
 */
#ifndef _ASM_RISCV_KLP_TRAMP_H
#define _ASM_RISCV_KLP_TRAMP_H

#include <asm/klp_insn.h>
#include <asm/klp_ool.h>

#define KLP_TRAMP_JUMP		44
#define KLP_TRAMP_OOL		48
#define KLP_TRAMP_NEW		80
#define KLP_TRAMP_FLAG		88
#define KLP_TRAMP_PREV		96
#define KLP_TRAMP_SIZE		104

#define KLP_REG_TP		4
#define KLP_REG_T0		5
#define KLP_REG_T1		6

/**
 * klp_tramp_gen() - the code of a trampoline that will run at @at
 * @buf:	KLP_TRAMP_SIZE bytes; the three words are left to the caller
 * @at:		where the trampoline runs
 * @state_off:	offsetof(struct task_struct, patch_state)
 * @text:	the original bytes at @old
 * @len:	how many of them the entry jump displaces (8 or 10)
 * @old:	the replaced function's entry (where the jump is written)
 * @where:	the offset of the instruction that cannot move (-EILSEQ)
 * @why:	why it cannot (-EILSEQ)
 *
 * Returns 0, -EILSEQ (an instruction that cannot run out of line),
 * -ERANGE (@at too far from @old) or -EINVAL (@state_off out of reach).
 */
static inline int klp_tramp_gen(u8 *buf, unsigned long at, long state_off,
				const u8 *text, unsigned int len,
				unsigned long old, unsigned int *where,
				const char **why)
{
	long hi = (state_off + (1L << 11)) >> 12, lo = state_off - hi * 4096;
	u32 code[KLP_TRAMP_OOL / 4] = {
		klp_insn_gen_auipc(KLP_REG_T0, 0),
		klp_insn_gen_load(KLP_FUNCT3_LD, KLP_REG_T1, KLP_REG_T0,
				  KLP_TRAMP_NEW),
		KLP_INSN_FENCE_R_R,
		klp_insn_gen_load(KLP_FUNCT3_LD, KLP_REG_T0, KLP_REG_T0,
				  KLP_TRAMP_FLAG),
		klp_insn_gen_bz(0, KLP_REG_T0, KLP_TRAMP_JUMP - 16),
		klp_insn_gen_lui(KLP_REG_T0, hi),
		klp_insn_gen_add(KLP_REG_T0, KLP_REG_T0, KLP_REG_TP),
		klp_insn_gen_load(KLP_FUNCT3_LW, KLP_REG_T0, KLP_REG_T0, lo),
		klp_insn_gen_bz(1, KLP_REG_T0, KLP_TRAMP_JUMP - 32),
		klp_insn_gen_auipc(KLP_REG_T0, 0),
		klp_insn_gen_load(KLP_FUNCT3_LD, KLP_REG_T1, KLP_REG_T0,
				  KLP_TRAMP_PREV - 36),
		klp_insn_gen_jalr(0, KLP_REG_T1, 0),
	};
	unsigned int i;
	int ret;

	if (state_off < 0 || hi > KLP_U_IMM_MAX)
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(code); i++)
		if (code[i] == KLP_INSN_POISON)
			return -EINVAL;
	memcpy(buf, code, sizeof(code));
	memset(buf + KLP_TRAMP_OOL, 0, KLP_TRAMP_NEW - KLP_TRAMP_OOL);
	ret = klp_ool_copy(text, len, old, at + KLP_TRAMP_OOL,
			   buf + KLP_TRAMP_OOL, where, why);
	return ret < 0 ? ret : 0;
}

#endif /* _ASM_RISCV_KLP_TRAMP_H */
