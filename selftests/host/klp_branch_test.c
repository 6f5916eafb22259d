// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host unit test of klp_insn_branch_target() and klp_insn_len(): a
 * generated mix of 32-bit and compressed branches, jumps and other
 * instructions is assembled by riscv64-linux-gnu-as, and for every
 * instruction the decoder must agree with riscv64-linux-gnu-objdump on
 * its length, on whether it is a pc-relative branch, and on its target.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <asm/klp_insn.h>
#include "assemble.h"
#include "ktap.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define NR_INSNS	600
#define TEXT_MAX	(NR_INSNS * 4)

/* The forms emitted: branches and jumps to label %d, and filler. */
static const struct {
	const char *line;
	bool far;	/* jal reaches any label, the others one nearby */
} forms[] = {
	{ "\tbeq a0, a1, L%d\n", false },
	{ "\tbne t0, t1, L%d\n", false },
	{ "\tbltu s0, a5, L%d\n", false },
	{ "\tbge a2, zero, L%d\n", false },
	{ "\tjal ra, L%d\n", true },
	{ "\tjal zero, L%d\n", true },
	{ "\tc.j L%d\n", false },
	{ "\tc.beqz a0, L%d\n", false },
	{ "\tc.bnez a5, L%d\n", false },
	{ "\tc.addi a0, 1 # L%d\n", false },
	{ "\tauipc t1, 0x12345 # L%d\n", false },
	{ "\tjalr zero, 16(t1) # L%d\n", false },
};

/* One line of assembly: a random form, its label in reach. */
static void emit(FILE *f, int i)
{
	unsigned int form = random() % ARRAY_SIZE(forms);
	int label = i + (int)(random() % 41) - 20;

	if (forms[form].far)
		label = (int)(random() % NR_INSNS);
	if (label < 0)
		label = 0;
	if (label >= NR_INSNS)
		label = NR_INSNS - 1;
	fprintf(f, "L%d:\n", i);
	fprintf(f, forms[form].line, label);
}

/* The whole program: NR_INSNS random lines. */
static void write_source(FILE *f)
{
	int i;

	for (i = 0; i < NR_INSNS; i++)
		emit(f, i);
}

int main(void)
{
	static const char * const branches[] = {
		"beq", "bne", "blt", "bge", "bltu", "bgeu", "jal",
		"c.j", "c.jal", "c.beqz", "c.bnez",
	};
	unsigned char text[TEXT_MAX + 4] = { 0 };
	char line[256], mnem[32], ops[128];
	unsigned long addr, target;
	size_t len = 0;
	FILE *dump;

	srandom(4242);
	dump = assemble(write_source, text, TEXT_MAX, &len);
	if (!dump) {
		printf("not ok 1 assemble the test program\n0 passed, 1 failed\n");
		return 1;
	}
	printf("KTAP version 1\n");
	while (fgets(line, sizeof(line), dump)) {
		unsigned int i, len_od;
		bool is_branch = false, ok;
		char hex[16];
		u32 insn;

		if (sscanf(line, " %lx: %15s %31s %127s", &addr, hex, mnem, ops) < 3)
			continue;
		if (strchr(line, '<') && !strchr(line, '\t'))
			continue;
		if (strspn(hex, "0123456789abcdef") != strlen(hex) || addr >= len)
			continue;
		len_od = strlen(hex) / 2;
		memcpy(&insn, text + addr, sizeof(insn));
		for (i = 0; i < ARRAY_SIZE(branches); i++)
			if (!strcmp(mnem, branches[i]))
				is_branch = true;

		ok = klp_insn_len(insn & KLP_RVC_MASK) == len_od;
		if (is_branch) {
			char *last = strrchr(ops, ',');
			unsigned long want = strtoul(last ? last + 1 : ops, NULL, 16);

			ok = ok && klp_insn_branch_target(insn, addr, &target) &&
			     target == want;
		} else {
			ok = ok && !klp_insn_branch_target(insn, addr, &target);
		}
		ktap_report(ok, "%s at 0x%lx", mnem, addr);
	}
	pclose(dump);
	return ktap_finish(NR_INSNS);
}
