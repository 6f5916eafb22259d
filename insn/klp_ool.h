/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The out-of-line copy of the instructions the entry jump displaces, for
 * the per-task consistency model: a task not yet switched runs the old
 * function as if the jump were not there, by running this copy elsewhere
 * and jumping back past the displaced bytes.
 *
 * Shared by the kernel and by the host unit tests, so it depends on
 * nothing but <asm/klp_insn.h>.
 */
#ifndef _ASM_RISCV_KLP_OOL_H
#define _ASM_RISCV_KLP_OOL_H

#include <asm/klp_insn.h>

/*
 * At most 10 displaced bytes; an auipc (4 bytes) grows to 8, the others
 * keep their size; then the jump back.
 */
#define KLP_OOL_MAX_SIZE	(2 * 10 + KLP_JUMP_SIZE)

/* t0 and t1: the trampoline loads the task's state into t0, jumps via t1. */
#define KLP_OOL_SCRATCH		(BIT(5) | BIT(6))

/*
 * The integer registers a 32-bit instruction names, as a bit mask.  A
 * superset: in formats not decoded here every register field counts.
 */
static inline u32 klp_insn_regs(u32 insn)
{
	u32 rd = BIT((insn >> RVG_RD_OPOFF) & RVG_RD_MASK);
	u32 rs1 = BIT((insn >> RVG_RS1_OPOFF) & RVG_RS1_MASK);
	u32 rs2 = BIT((insn >> RVG_RS2_OPOFF) & RVG_RS1_MASK);

	switch (insn & RV_INSN_OPCODE_MASK) {
	case KLP_OPCODE_LUI:
	case RVG_OPCODE_AUIPC:
	case RVG_OPCODE_JAL:
		return rd;
	case KLP_OPCODE_LOAD:
	case KLP_OPCODE_LOAD_FP:
	case KLP_OPCODE_OP_IMM:
	case KLP_OPCODE_OP_IMM_32:
	case RVG_OPCODE_JALR:
	case RVG_OPCODE_FENCE:
	case RVG_OPCODE_SYSTEM:
		return rd | rs1;
	case KLP_OPCODE_STORE:
	case KLP_OPCODE_STORE_FP:
		return rs1 | rs2;
	default:
		return rd | rs1 | rs2;
	}
}

/*
 * The same for a compressed instruction: only the 5-bit fields at bits
 * 11:7 and 6:2 can name t0 or t1 (the 3-bit ones name x8..x15).
 */
static inline u32 klp_insn_c_regs(u16 c)
{
	u32 hi = BIT((c >> RVC_C2_RS1_OPOFF) & RVC_C2_RS1_MASK);
	u32 lo = BIT((c >> RVC_C2_RS2_OPOFF) & RVC_C2_RS1_MASK);
	unsigned int funct3 = c >> 13;

	switch (c & 3) {
	case 1:		/* c.addi, c.addiw, c.li, c.lui/c.addi16sp */
		return funct3 <= 3 ? hi : 0;
	case 2:
		if (funct3 == 4)	/* c.jr, c.mv, c.ebreak, c.jalr, c.add */
			return hi | lo;
		if (funct3 >= 5)	/* c.fsdsp, c.swsp, c.sdsp */
			return lo;
		return hi;		/* c.slli, c.fldsp, c.lwsp, c.ldsp */
	default:
		return 0;
	}
}

/*
 * Why the instruction @insn cannot run out of line, or NULL if it can
 * (an auipc can, relocated).  @len is its length in bytes.
 */
static inline const char *klp_ool_refusal(u32 insn, unsigned int len)
{
	unsigned long target;
	u16 c = insn & KLP_RVC_MASK;

	/* On RV64 the encoding of c.jal is c.addiw. */
	if (!(len == 2 && riscv_insn_is_c_jal(c)) &&
	    klp_insn_branch_target(insn, 0, &target))
		return "branches or jumps pc-relative";
	if (len == 2 ? riscv_insn_is_c_ebreak(c) : riscv_insn_is_ebreak(insn))
		return "is a breakpoint";
	if (len == 2 ? riscv_insn_is_c_jalr(c) :
	    riscv_insn_is_jalr(insn) && RV_EXTRACT_RD_REG(insn))
		return "is a call (the return would land in the copy)";
	if ((len == 2 ? klp_insn_c_regs(c) : klp_insn_regs(insn)) &
	    KLP_OOL_SCRATCH)
		return "uses t0 or t1, which the trampoline needs";
	return NULL;
}

/*
 * klp_ool_copy() - the out-of-line copy of the first @len bytes at @from,
 * to run at @to: each instruction as it is, but an auipc rewritten as
 * auipc + addi that give its register the same value, then the jump
 * back to @from + @len.  @text holds the original bytes; @out has room
 * for KLP_OOL_MAX_SIZE.
 *
 * Returns the size of the copy, or -EILSEQ with *@at (the offset of the
 * instruction) and *@why set, or -ERANGE when the copy is too far from
 * @from for an auipc or the jump back.
 */
static inline int klp_ool_copy(const u8 *text, unsigned int len,
			       unsigned long from, unsigned long to, u8 *out,
			       unsigned int *at, const char **why)
{
	unsigned int off = 0, n = 0, ilen;
	u32 insn, words[KLP_JUMP_INSNS];
	long value, hi, lo;

	while (off < len) {
		insn = 0;
		memcpy(&insn, text + off, len - off < 4 ? len - off : 4);
		ilen = klp_insn_len(insn & KLP_RVC_MASK);
		*at = off;
		*why = off + ilen > len ? "is cut by the end of the copy" :
					  klp_ool_refusal(insn, ilen);
		if (*why)
			return -EILSEQ;
		if (ilen == 4 && riscv_insn_is_auipc(insn)) {
			value = from + off + (s32)RV_EXTRACT_UTYPE_IMM(insn);
			if (!klp_insn_jump_reaches(to + n, value))
				return -ERANGE;
			value = klp_insn_offset(to + n, value);
			hi = (value + (1L << 11)) >> 12;
			lo = value - hi * (1L << 12);
			words[0] = klp_insn_gen_auipc(RV_EXTRACT_RD_REG(insn), hi);
			words[1] = klp_insn_gen_addi(RV_EXTRACT_RD_REG(insn),
						     RV_EXTRACT_RD_REG(insn), lo);
			memcpy(out + n, words, sizeof(words));
			n += sizeof(words);
		} else {
			memcpy(out + n, &insn, ilen);
			n += ilen;
		}
		off += ilen;
	}
	if (klp_insn_gen_jump(to + n, from + len, words))
		return -ERANGE;
	memcpy(out + n, words, sizeof(words));
	return n + sizeof(words);
}

#endif /* _ASM_RISCV_KLP_OOL_H */
