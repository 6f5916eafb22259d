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

#include "klp_insn.h"

#define NR_INSNS	600
#define TEXT_MAX	(NR_INSNS * 4)

static unsigned int passed, failed, test_nr;

static void report(bool ok, const char *what, unsigned long addr)
{
	test_nr++;
	printf("%s %u %s at 0x%lx\n", ok ? "ok" : "not ok", test_nr, what, addr);
	if (ok)
		passed++;
	else
		failed++;
}

/* One line of assembly: a branch to a random label in reach, or filler. */
static void emit(FILE *f, int i)
{
	int near = i + (int)(random() % 41) - 20;
	int far = (int)(random() % NR_INSNS);

	if (near < 0)
		near = 0;
	if (near >= NR_INSNS)
		near = NR_INSNS - 1;
	fprintf(f, "L%d:\n", i);
	switch (random() % 12) {
	case 0: fprintf(f, "\tbeq a0, a1, L%d\n", near); break;
	case 1: fprintf(f, "\tbne t0, t1, L%d\n", near); break;
	case 2: fprintf(f, "\tbltu s0, a5, L%d\n", near); break;
	case 3: fprintf(f, "\tbge a2, zero, L%d\n", near); break;
	case 4: fprintf(f, "\tjal ra, L%d\n", far); break;
	case 5: fprintf(f, "\tjal zero, L%d\n", far); break;
	case 6: fprintf(f, "\tc.j L%d\n", near); break;
	case 7: fprintf(f, "\tc.beqz a0, L%d\n", near); break;
	case 8: fprintf(f, "\tc.bnez a5, L%d\n", near); break;
	case 9: fprintf(f, "\tc.addi a0, 1\n"); break;
	case 10: fprintf(f, "\tauipc t1, 0x12345\n"); break;
	default: fprintf(f, "\tjalr zero, 16(t1)\n"); break;
	}
}

/* Assemble the generated source and return the objdump listing. */
static FILE *assemble(unsigned char *text, size_t *len)
{
	char src[] = "/tmp/klp_branch_XXXXXX";
	char cmd[512], obj[64], bin[64];
	FILE *f;
	int fd, i;

	fd = mkstemp(src);
	if (fd < 0)
		return NULL;
	f = fdopen(fd, "w");
	fprintf(f, "\t.option rvc\n\t.text\n");
	for (i = 0; i < NR_INSNS; i++)
		emit(f, i);
	fclose(f);
	snprintf(obj, sizeof(obj), "%s.o", src);
	snprintf(bin, sizeof(bin), "%s.bin", src);
	snprintf(cmd, sizeof(cmd),
		 "riscv64-linux-gnu-as -march=rv64gc -mno-relax -o %s %s && riscv64-linux-gnu-objcopy -O binary -j .text %s %s",
		 obj, src, obj, bin);
	if (system(cmd))
		return NULL;
	f = fopen(bin, "rb");
	if (!f)
		return NULL;
	*len = fread(text, 1, TEXT_MAX, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd),
		 "riscv64-linux-gnu-objdump -d -M no-aliases %s; rm -f %s %s %s",
		 obj, src, obj, bin);
	return popen(cmd, "r");
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
	dump = assemble(text, &len);
	if (!dump) {
		printf("not ok 1 assemble the test program\n0 passed, 1 failed\n");
		return 1;
	}
	printf("KTAP version 1\n");
	while (fgets(line, sizeof(line), dump)) {
		unsigned int enc, i, len_od;
		bool is_branch = false, ok;
		char hex[16];
		u32 insn;

		if (sscanf(line, " %lx: %15s %31s %127s", &addr, hex, mnem, ops) < 3)
			continue;
		if (strchr(line, '<') && !strchr(line, '\t'))
			continue;
		if (sscanf(hex, "%x", &enc) != 1 || addr >= len)
			continue;
		len_od = strlen(hex) / 2;
		memcpy(&insn, text + addr, sizeof(insn));
		for (i = 0; i < sizeof(branches) / sizeof(branches[0]); i++)
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
		report(ok, mnem, addr);
	}
	pclose(dump);
	printf("1..%u\n", test_nr);
	printf("%u passed, %u failed\n", passed, failed);
	return failed || test_nr < NR_INSNS ? 1 : 0;
}
