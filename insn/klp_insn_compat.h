/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The instruction fields live patching uses: <asm/insn.h>, or for kernels
 * without it (before v6.3) a stand-in.  There <asm/parse_asm.h> has some
 * of them under older names, and the rest is defined here from the RISC-V
 * ISA manual, with the names and meaning <asm/insn.h> gave them later, so
 * that klp_insn.h and klp_ool.h read the same on every kernel.
 */
#ifndef _ASM_RISCV_KLP_INSN_COMPAT_H
#define _ASM_RISCV_KLP_INSN_COMPAT_H

/*
 * Which one: __has_include, so that the host tests follow the include
 * tree they are given (the host's own <linux/version.h> says nothing
 * about it).  sparse (0.6.4) has no __has_include; it only checks kernel
 * builds, where the version says the same.
 */
#ifdef __CHECKER__
#include <linux/version.h>
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
#define KLP_HAVE_ASM_INSN_H
#endif
#elif __has_include("asm/insn.h")
#define KLP_HAVE_ASM_INSN_H
#endif

#ifdef KLP_HAVE_ASM_INSN_H
#include <asm/insn.h>
#else
#include <linux/bits.h>
#include <linux/types.h>
#include <asm/parse_asm.h>

#define RV_INSN_OPCODE_MASK	GENMASK(6, 0)
#define RV_INSN_FUNCT3_OPOFF	12
#define RV_I_IMM_11_0_OPOFF	I_IMM_11_0_OPOFF
#define RV_I_IMM_11_0_MASK	I_IMM_11_0_MASK

#define RVG_RD_MASK		GENMASK(4, 0)
#define RVG_RS1_MASK		GENMASK(4, 0)
#define RVC_C2_RS1_MASK		GENMASK(4, 0)

#define RVG_OPCODE_FENCE	0x0f
#define RVG_OPCODE_AUIPC	0x17
#define RVG_OPCODE_BRANCH	0x63
#define RVG_OPCODE_JALR		0x67
#define RVG_OPCODE_JAL		0x6f
#define RVG_OPCODE_SYSTEM	0x73
#define RVG_FUNCT3_JALR		0

/*
 * Match and mask of each instruction tested, from the ISA manual (not
 * parse_asm.h's: in 6.1 its c.jalr funct4 is 0xf000, not 0x9000).
 */
#define KLP_MASK_FUNCT3_OPCODE	(GENMASK(14, 12) | RV_INSN_OPCODE_MASK)
#define KLP_INSN_EBREAK		0x00100073U
#define KLP_RVC_MASK_FUNCT3_OP	(GENMASK(15, 13) | GENMASK(1, 0))
#define KLP_RVC_MATCH_C_JAL	0x2001U
#define KLP_RVC_MATCH_C_J	0xa001U
#define KLP_RVC_MATCH_C_BEQZ	0xc001U
#define KLP_RVC_MATCH_C_BNEZ	0xe001U
/* c.jalr: funct4 1001, rs1 != 0, rs2 = 0; rs1 = 0 is c.ebreak. */
#define KLP_RVC_MASK_C_JALR	(GENMASK(15, 12) | GENMASK(6, 0))
#define KLP_RVC_MATCH_C_JALR	0x9002U
#define KLP_RVC_RS1_MASK	GENMASK(11, 7)
#define KLP_INSN_C_EBREAK	0x9002U

/* The register and immediate fields, as <asm/insn.h> extracts them. */
#define RV_EXTRACT_RD_REG(x)	(((x) >> RVG_RD_OPOFF) & RVG_RD_MASK)
#define RV_EXTRACT_UTYPE_IMM(x)	((x) & GENMASK(31, 12))
#define RV_EXTRACT_JTYPE_IMM(x)	EXTRACT_JTYPE_IMM(x)
#define RV_EXTRACT_BTYPE_IMM(x)	EXTRACT_BTYPE_IMM(x)
#define RVC_EXTRACT_JTYPE_IMM(x)	EXTRACT_RVC_J_IMM(x)
#define RVC_EXTRACT_BTYPE_IMM(x)	EXTRACT_RVC_B_IMM(x)

static inline bool riscv_insn_is_branch(u32 insn)
{
	return (insn & RV_INSN_OPCODE_MASK) == RVG_OPCODE_BRANCH;
}

static inline bool riscv_insn_is_jal(u32 insn)
{
	return (insn & RV_INSN_OPCODE_MASK) == RVG_OPCODE_JAL;
}

static inline bool riscv_insn_is_jalr(u32 insn)
{
	return (insn & KLP_MASK_FUNCT3_OPCODE) == RVG_OPCODE_JALR;
}

static inline bool riscv_insn_is_auipc(u32 insn)
{
	return (insn & RV_INSN_OPCODE_MASK) == RVG_OPCODE_AUIPC;
}

static inline bool riscv_insn_is_ebreak(u32 insn)
{
	return insn == KLP_INSN_EBREAK;
}

static inline bool riscv_insn_is_c_j(u32 insn)
{
	return (insn & KLP_RVC_MASK_FUNCT3_OP) == KLP_RVC_MATCH_C_J;
}

/* c.jal is RV32C only: on RV64 its encoding is c.addiw. */
#if __riscv_xlen == 32
#define KLP_RVC_HAS_C_JAL	true
#else
#define KLP_RVC_HAS_C_JAL	false
#endif

static inline bool riscv_insn_is_c_jal(u32 insn)
{
	return KLP_RVC_HAS_C_JAL &&
	       (insn & KLP_RVC_MASK_FUNCT3_OP) == KLP_RVC_MATCH_C_JAL;
}

static inline bool riscv_insn_is_c_jalr(u32 insn)
{
	return (insn & KLP_RVC_MASK_C_JALR) == KLP_RVC_MATCH_C_JALR &&
	       (insn & KLP_RVC_RS1_MASK);
}

static inline bool riscv_insn_is_c_beqz(u32 insn)
{
	return (insn & KLP_RVC_MASK_FUNCT3_OP) == KLP_RVC_MATCH_C_BEQZ;
}

static inline bool riscv_insn_is_c_bnez(u32 insn)
{
	return (insn & KLP_RVC_MASK_FUNCT3_OP) == KLP_RVC_MATCH_C_BNEZ;
}

static inline bool riscv_insn_is_c_ebreak(u32 insn)
{
	return insn == KLP_INSN_C_EBREAK;
}

#endif /* KLP_HAVE_ASM_INSN_H */

#endif /* _ASM_RISCV_KLP_INSN_COMPAT_H */
