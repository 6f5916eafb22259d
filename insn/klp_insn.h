/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Instruction work for live patching without ftrace: the jump written at
 * the entry of a replaced function, its reach, and instruction lengths.
 *
 * Shared by the kernel and by the host unit tests, so it depends on
 * nothing but the field macros of <asm/insn.h> (through
 * klp_insn_compat.h, which stands in for it before v6.3).
 */
#ifndef _ASM_RISCV_KLP_INSN_H
#define _ASM_RISCV_KLP_INSN_H

#include <asm/klp_insn_compat.h>

/*
 * The jump is "auipc t1, hi20; jalr x0, lo12(t1)".  t1 and not t0:
 * "jalr x0, 0(t0)" is the ISA's return hint (a return-stack pop on real
 * cores) and t0 is the link register of ftrace's trampolines.
 */
#define KLP_JUMP_REG		6	/* t1 */
#define KLP_JUMP_INSNS		2
#define KLP_JUMP_SIZE		(KLP_JUMP_INSNS * 4)

#define KLP_OPCODE_LOAD		0x03
#define KLP_OPCODE_LOAD_FP	0x07
#define KLP_OPCODE_OP_IMM	0x13
#define KLP_OPCODE_OP_IMM_32	0x1b
#define KLP_OPCODE_STORE	0x23
#define KLP_OPCODE_STORE_FP	0x27
#define KLP_OPCODE_OP		0x33
#define KLP_OPCODE_LUI		0x37

#define KLP_FUNCT3_LW		2
#define KLP_FUNCT3_LBU		4
#define KLP_FUNCT3_LD		3

/* All-zero bits are defined by the ISA as an illegal instruction. */
#define KLP_INSN_POISON		0U

#define KLP_U_IMM_MASK		GENMASK(19, 0)
#define KLP_I_IMM_MIN		(-2048L)
#define KLP_I_IMM_MAX		2047L
#define KLP_U_IMM_MIN		(-(1L << 19))
#define KLP_U_IMM_MAX		((1L << 19) - 1)
#define KLP_REG_MAX		31U

/*
 * auipc+jalr reaches pc + sign_extend(hi20 << 12) + sign_extend(lo12):
 * [-2^31 - 2^11, 2^31 - 2^11).  Checked on 64-bit values: an offset
 * truncated to s32 first would wrap into range.
 */
#define KLP_JUMP_REACH_MIN	(-(1L << 31) - (1L << 11))
#define KLP_JUMP_REACH_END	((1L << 31) - (1L << 11))

static inline long klp_insn_offset(unsigned long from, unsigned long to)
{
	return (long)(to - from);
}

static inline bool klp_insn_jump_reaches(unsigned long from, unsigned long to)
{
	long off = klp_insn_offset(from, to);

	return off >= KLP_JUMP_REACH_MIN && off < KLP_JUMP_REACH_END;
}

/* A U-type instruction: @opcode rd, imm20.  Poison if out of range. */
static inline u32 klp_insn_gen_utype(u32 opcode, unsigned int rd, long imm20)
{
	if (rd > KLP_REG_MAX || imm20 < KLP_U_IMM_MIN || imm20 > KLP_U_IMM_MAX)
		return KLP_INSN_POISON;

	return ((u32)(imm20 & KLP_U_IMM_MASK) << 12) |
	       (rd << RVG_RD_OPOFF) | opcode;
}

/* auipc rd, imm20: rd = pc + (imm20 << 12). */
static inline u32 klp_insn_gen_auipc(unsigned int rd, long imm20)
{
	return klp_insn_gen_utype(RVG_OPCODE_AUIPC, rd, imm20);
}

/* lui rd, imm20. */
static inline u32 klp_insn_gen_lui(unsigned int rd, long imm20)
{
	return klp_insn_gen_utype(KLP_OPCODE_LUI, rd, imm20);
}

/*
 * An I-type instruction: @opcode/@funct3 rd, rs1, imm12.  Poison if out
 * of range.
 */
static inline u32 klp_insn_gen_itype(u32 opcode, unsigned int funct3,
				     unsigned int rd, unsigned int rs1,
				     long imm12)
{
	if (rd > KLP_REG_MAX || rs1 > KLP_REG_MAX ||
	    imm12 < KLP_I_IMM_MIN || imm12 > KLP_I_IMM_MAX)
		return KLP_INSN_POISON;

	return ((u32)(imm12 & RV_I_IMM_11_0_MASK) << RV_I_IMM_11_0_OPOFF) |
	       (rs1 << RVG_RS1_OPOFF) | (funct3 << RV_INSN_FUNCT3_OPOFF) |
	       (rd << RVG_RD_OPOFF) | opcode;
}

/* jalr rd, imm12(rs1). */
static inline u32 klp_insn_gen_jalr(unsigned int rd, unsigned int rs1,
				    long imm12)
{
	return klp_insn_gen_itype(RVG_OPCODE_JALR, RVG_FUNCT3_JALR, rd, rs1,
				  imm12);
}

/* addi rd, rs1, imm12. */
static inline u32 klp_insn_gen_addi(unsigned int rd, unsigned int rs1,
				    long imm12)
{
	return klp_insn_gen_itype(KLP_OPCODE_OP_IMM, 0, rd, rs1, imm12);
}

/* lbu, lw or ld (@funct3) rd, imm12(rs1). */
static inline u32 klp_insn_gen_load(unsigned int funct3, unsigned int rd,
				    unsigned int rs1, long imm12)
{
	return klp_insn_gen_itype(KLP_OPCODE_LOAD, funct3, rd, rs1, imm12);
}

/* add rd, rs1, rs2.  Poison if a register is out of range. */
static inline u32 klp_insn_gen_add(unsigned int rd, unsigned int rs1,
				   unsigned int rs2)
{
	if (rd > KLP_REG_MAX || rs1 > KLP_REG_MAX || rs2 > KLP_REG_MAX)
		return KLP_INSN_POISON;

	return (rs2 << RVG_RS2_OPOFF) | (rs1 << RVG_RS1_OPOFF) |
	       (rd << RVG_RD_OPOFF) | KLP_OPCODE_OP;
}

/* fence r, r: loads before it are ordered before loads after it. */
#define KLP_INSN_FENCE_R_R	0x0220000fU

/*
 * beq (@funct3 0) or bne (1) rs1, x0, @off: beqz or bnez.  Poison if
 * @off is odd or out of the 13-bit signed range.
 */
static inline u32 klp_insn_gen_bz(unsigned int funct3, unsigned int rs1,
				  long off)
{
	u32 imm = (u32)off;

	if (rs1 > KLP_REG_MAX || funct3 > 1 || (off & 1) ||
	    off < -(1L << 12) || off >= (1L << 12))
		return KLP_INSN_POISON;

	return (((imm >> 12) & 1) << 31) | (((imm >> 5) & 0x3f) << 25) |
	       (rs1 << RVG_RS1_OPOFF) | (funct3 << RV_INSN_FUNCT3_OPOFF) |
	       (((imm >> 1) & 0xf) << 8) | (((imm >> 11) & 1) << 7) |
	       RVG_OPCODE_BRANCH;
}

/*
 * The jump placed at @from that lands on @to.  Returns 0, or -ERANGE
 * with both words poisoned when @to is out of reach.
 */
static inline int klp_insn_gen_jump(unsigned long from, unsigned long to,
				    u32 insns[KLP_JUMP_INSNS])
{
	long off = klp_insn_offset(from, to);
	long hi, lo;

	insns[0] = KLP_INSN_POISON;
	insns[1] = KLP_INSN_POISON;
	if (!klp_insn_jump_reaches(from, to))
		return -ERANGE;

	/* +0x800 rounds hi so that the signed lo12 covers the remainder. */
	hi = (off + (1L << 11)) >> 12;
	lo = off - hi * (1L << 12);
	insns[0] = klp_insn_gen_auipc(KLP_JUMP_REG, hi);
	insns[1] = klp_insn_gen_jalr(0, KLP_JUMP_REG, lo);
	return 0;
}

/* Length in bytes of the instruction whose first parcel is @parcel. */
static inline unsigned int klp_insn_len(u16 parcel)
{
	return (parcel & __INSN_LENGTH_MASK) == __INSN_LENGTH_GE_32 ? 4 : 2;
}

#define KLP_RVC_MASK		GENMASK(15, 0)

/*
 * If @insn, at @pc, is a pc-relative branch or jump (B-type, jal, c.j,
 * c.jal, c.beqz, c.bnez), store where it leads in *@target and return
 * true.  @insn holds 4 bytes of text; only the low parcel counts for a
 * compressed instruction.  Register-indirect jumps are not followed.
 */
static inline bool klp_insn_branch_target(u32 insn, unsigned long pc,
					  unsigned long *target)
{
	u32 c = insn & KLP_RVC_MASK;
	long off;

	if (klp_insn_len(insn) == 4) {
		if (riscv_insn_is_branch(insn))
			off = (s32)RV_EXTRACT_BTYPE_IMM(insn);
		else if (riscv_insn_is_jal(insn))
			off = (s32)RV_EXTRACT_JTYPE_IMM(insn);
		else
			return false;
	} else if (riscv_insn_is_c_j(c) || riscv_insn_is_c_jal(c)) {
		off = (s32)RVC_EXTRACT_JTYPE_IMM(c);
	} else if (riscv_insn_is_c_beqz(c) || riscv_insn_is_c_bnez(c)) {
		off = (s32)RVC_EXTRACT_BTYPE_IMM(c);
	} else {
		return false;
	}
	*target = pc + off;
	return true;
}

#endif /* _ASM_RISCV_KLP_INSN_H */
