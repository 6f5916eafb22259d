/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The per-function trampoline of the per-task consistency model.  The
 * entry of a replaced function jumps here; the trampoline picks the code
 * the calling task is to run from three words the writer of klp_mutex
 * keeps (struct klp_tramp_data), in writable memory within auipc reach:
 *
 *   new	the newest function (or the out-of-line copy of the original)
 *   transition	the address of the newest klp_func's transition flag,
 *		which the upstream transition code sets and clears itself
 *   prev	what a task not yet switched runs: the function below new on
 *		the stack, or the out-of-line copy
 *
 * As upstream's ftrace handler reads the top of the function stack and
 * only then its transition flag (smp_rmb() between), the trampoline
 * loads new, fences, then the flag: a task that sees a new top sees its
 * flag.  In transition, a task whose patch_state is
 * KLP_TRANSITION_UNPATCHED (0) runs prev, any other runs new.
 *
 *	 0: auipc t0, %hi(data)
 *	 4: addi  t0, t0, %lo(data)
 *	 8: ld    t1, 0(t0)		new
 *	12: fence r, r
 *	16: ld    t0, 8(t0)		&transition
 *	20: lbu   t0, 0(t0)
 *	24: beqz  t0, 56
 *	28: lui   t0, %hi(patch_state)
 *	32: add   t0, t0, tp		(tp holds current on riscv)
 *	36: lw    t0, %lo(patch_state)(t0)
 *	40: bnez  t0, 56
 *	44: auipc t0, %hi(data)
 *	48: addi  t0, t0, %lo(data)
 *	52: ld    t1, 16(t0)		prev
 *	56: jalr  x0, 0(t1)		(t1: jr through t0 would be a return hint)
 *	60: the out-of-line copy of the displaced instructions, jump back
 *
 * Shared by the kernel and by the host unit tests.
 */
#ifndef _ASM_RISCV_KLP_TRAMP_H
#define _ASM_RISCV_KLP_TRAMP_H

#include <asm/klp_insn.h>
#include <asm/klp_ool.h>

/**
 * struct klp_tramp_data - what a trampoline reads, written by klp_mutex's
 *			   holder with single 8-byte stores
 * @new:	the newest function, or the out-of-line copy
 * @transition:	where the flag is that says @new's patch is in transition
 *		(a bool: struct klp_func's)
 * @prev:	what a task not yet switched runs
 */
struct klp_tramp_data {
	unsigned long new;
	const bool *transition;
	unsigned long prev;
};

#define KLP_TRAMP_JUMP		56
#define KLP_TRAMP_OOL		60
#define KLP_TRAMP_SIZE		(KLP_TRAMP_OOL + KLP_OOL_MAX_SIZE)

#define KLP_REG_TP		4
#define KLP_REG_T0		5
#define KLP_REG_T1		6

/* auipc t0 + addi t0 at @pc that give t0 = @to, or -ERANGE. */
static inline int klp_tramp_gen_la(unsigned long pc, unsigned long to,
				   u32 insns[2])
{
	long off = klp_insn_offset(pc, to), hi, lo;

	if (!klp_insn_jump_reaches(pc, to))
		return -ERANGE;
	hi = (off + (1L << 11)) >> 12;
	lo = off - hi * (1L << 12);
	insns[0] = klp_insn_gen_auipc(KLP_REG_T0, hi);
	insns[1] = klp_insn_gen_addi(KLP_REG_T0, KLP_REG_T0, lo);
	return 0;
}

/**
 * klp_tramp_gen() - the code of a trampoline that will run at @at
 * @buf:	KLP_TRAMP_SIZE bytes
 * @at:		where the trampoline runs
 * @data:	where its struct klp_tramp_data is
 * @state_off:	offsetof(struct task_struct, patch_state)
 * @text:	the original bytes at @old
 * @len:	how many of them the entry jump displaces (8 or 10)
 * @old:	the replaced function's entry (where the jump is written)
 * @where:	the offset of the instruction that cannot move (-EILSEQ)
 * @why:	why it cannot (-EILSEQ)
 *
 * Returns 0, -EILSEQ (an instruction that cannot run out of line),
 * -ERANGE (@at too far from @old or @data) or -EINVAL (@state_off out
 * of reach).
 */
static inline int klp_tramp_gen(u8 *buf, unsigned long at, unsigned long data,
				long state_off, const u8 *text, unsigned int len,
				unsigned long old, unsigned int *where,
				const char **why)
{
	long hi = (state_off + (1L << 11)) >> 12, lo = state_off - hi * 4096;
	u32 code[KLP_TRAMP_OOL / 4] = {
		[2] = klp_insn_gen_load(KLP_FUNCT3_LD, KLP_REG_T1, KLP_REG_T0,
					offsetof(struct klp_tramp_data, new)),
		[3] = KLP_INSN_FENCE_R_R,
		[4] = klp_insn_gen_load(KLP_FUNCT3_LD, KLP_REG_T0, KLP_REG_T0,
					offsetof(struct klp_tramp_data,
						 transition)),
		[5] = klp_insn_gen_load(KLP_FUNCT3_LBU, KLP_REG_T0, KLP_REG_T0,
					0),
		[6] = klp_insn_gen_bz(0, KLP_REG_T0, KLP_TRAMP_JUMP - 24),
		[7] = klp_insn_gen_lui(KLP_REG_T0, hi),
		[8] = klp_insn_gen_add(KLP_REG_T0, KLP_REG_T0, KLP_REG_TP),
		[9] = klp_insn_gen_load(KLP_FUNCT3_LW, KLP_REG_T0, KLP_REG_T0,
					lo),
		[10] = klp_insn_gen_bz(1, KLP_REG_T0, KLP_TRAMP_JUMP - 40),
		[13] = klp_insn_gen_load(KLP_FUNCT3_LD, KLP_REG_T1, KLP_REG_T0,
					 offsetof(struct klp_tramp_data, prev)),
		[14] = klp_insn_gen_jalr(0, KLP_REG_T1, 0),
	};
	unsigned int i;
	int ret;

	if (state_off < 0 || hi > KLP_U_IMM_MAX)
		return -EINVAL;
	if (klp_tramp_gen_la(at, data, &code[0]) ||
	    klp_tramp_gen_la(at + 44, data, &code[11]))
		return -ERANGE;
	for (i = 0; i < ARRAY_SIZE(code); i++)
		if (code[i] == KLP_INSN_POISON)
			return -EINVAL;
	memcpy(buf, code, sizeof(code));
	memset(buf + KLP_TRAMP_OOL, 0, KLP_TRAMP_SIZE - KLP_TRAMP_OOL);
	ret = klp_ool_copy(text, len, old, at + KLP_TRAMP_OOL,
			   buf + KLP_TRAMP_OOL, where, why);
	return ret < 0 ? ret : 0;
}

#endif /* _ASM_RISCV_KLP_TRAMP_H */
