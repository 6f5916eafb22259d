// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host unit test of klp_ool_copy(): random function entries (compressed
 * and 32-bit prologue instructions, auipc, branches, calls, breakpoints,
 * uses of t0/t1) are assembled by riscv64-linux-gnu-as.  From the
 * objdump listing alone the test decides whether each entry may run out
 * of line; if so, the copy made for another address is disassembled by
 * objdump and must hold the same instructions, each auipc replaced by an
 * auipc + addi giving the same value there, then a jump back to the end
 * of the displaced bytes.  If not, the refusal must name the first
 * instruction that cannot move.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <asm/klp_insn.h>
#include <asm/klp_ool.h>
#include "assemble.h"
#include "ktap.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define NR_ENTRIES	300
#define ENTRY_ALIGN	32
#define TEXT_MAX	(NR_ENTRIES * ENTRY_ALIGN)
#define FROM_BASE	0xffffffff80a01000UL
#define TO_BASE		(FROM_BASE - 0x800000)	/* as a module nearby */
#define LINE_MAX	256

/* The forms an entry is made of: those that move, and those that do not. */
static const char * const forms[] = {
	"c.addi sp, -32", "c.sdsp ra, 24(sp)", "c.mv a0, a1", "c.li a5, 3",
	"c.addi16sp sp, -64", "c.ldsp s0, 8(sp)", "c.addiw a0, 1",
	"addi sp, sp, -48", "sd ra, 40(sp)", "sd s0, 32(sp)",
	"addi s0, sp, 48", "lui a4, 0x12", "ld a0, 8(a1)",
	"auipc a5, 0x1", "auipc a0, 0xfffff", "auipc s1, 0x7f000",
	"auipc a2, 0x80000",
	"beq a0, a1, .+64", "jal ra, .+128", "c.j .+16", "c.beqz a0, .+8",
	"jalr ra, 0(a5)", "c.jalr a5", "jalr zero, 0(a5)", "c.jr ra",
	"ebreak", "c.ebreak", "addi t0, sp, 8", "mv t1, a0", "c.mv a0, t0",
	"sd t1, 0(sp)", "c.li t1, 5", "c.addi t0, 4",
};

/* Each entry: random forms until 12 bytes at least, aligned apart. */
static void write_source(FILE *f)
{
	int i, size;

	for (i = 0; i < NR_ENTRIES; i++) {
		fprintf(f, "\t.balign %d\n", ENTRY_ALIGN);
		for (size = 0; size < 12; ) {
			const char *form = forms[random() % ARRAY_SIZE(forms)];

			/* The assembler would compress what it can. */
			if (strncmp(form, "c.", 2)) {
				fprintf(f, "\t.option norvc\n\t%s\n\t.option rvc\n", form);
				size += 4;
			} else {
				fprintf(f, "\t%s\n", form);
				size += 2;
			}
		}
	}
}

struct insn_line {
	unsigned long addr;
	unsigned int len;
	char mnem[32];
	char ops[96];
};

/* Read an objdump -M no-aliases listing; returns how many were read. */
static int read_listing(FILE *dump, struct insn_line *out, int max)
{
	char line[LINE_MAX], hex[16];
	int n = 0;

	while (n < max && fgets(line, sizeof(line), dump)) {
		struct insn_line *l = &out[n];

		l->ops[0] = 0;
		if (sscanf(line, " %lx: %15s %31s %95s", &l->addr, hex,
			   l->mnem, l->ops) < 3)
			continue;
		if (strspn(hex, "0123456789abcdef") != strlen(hex) ||
		    !strchr(line, '\t'))
			continue;
		l->len = strlen(hex) / 2;
		n++;
	}
	return n;
}

/* Whether objdump's text shows an instruction that cannot move. */
static bool cannot_move(const struct insn_line *l)
{
	static const char * const refused[] = {
		"beq", "bne", "blt", "bge", "bltu", "bgeu", "jal", "c.j",
		"c.beqz", "c.bnez", "c.jalr", "ebreak", "c.ebreak",
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(refused); i++)
		if (!strcmp(l->mnem, refused[i]))
			return true;
	if (!strcmp(l->mnem, "jalr") && strncmp(l->ops, "zero,", 5))
		return true;
	return strstr(l->ops, "t0") || strstr(l->ops, "t1");
}

/* The value "auipc rd,IMM" gives at @pc (objdump prints IMM in hex). */
static unsigned long auipc_value(const struct insn_line *l, unsigned long pc)
{
	const char *imm = strchr(l->ops, ',');
	long v = strtol(imm ? imm + 1 : "0", NULL, 16);

	if (v >= 1L << 19)
		v -= 1L << 20;
	return pc + v * 4096;
}

static FILE *disassemble(const u8 *code, int size, unsigned long vma)
{
	char bin[] = "/tmp/klp_ool_XXXXXX";
	char cmd[512];
	int fd = mkstemp(bin);

	if (fd < 0 || write(fd, code, size) != size)
		return NULL;
	close(fd);
	snprintf(cmd, sizeof(cmd),
		 "riscv64-linux-gnu-objdump -D -b binary -m riscv:rv64 -M no-aliases --adjust-vma=0x%lx %s; rm -f %s",
		 vma, bin, bin);
	return popen(cmd, "r");
}

/*
 * The copy of the entry whose displaced instructions are @orig[0..nr),
 * @dlen bytes from @from, made for @to: same instructions, auipc values
 * kept, then the jump back.
 */
static bool copy_matches(const u8 *copy, int size, const struct insn_line *orig,
			 int nr, unsigned long from, unsigned int dlen,
			 unsigned long to)
{
	struct insn_line got[16];
	FILE *dump = disassemble(copy, size, to);
	int n, i, j = 0;
	bool ok = true;

	if (!dump)
		return false;
	n = read_listing(dump, got, ARRAY_SIZE(got));
	pclose(dump);
	for (i = 0; i < nr && ok; i++) {
		const struct insn_line *o = &orig[i];
		unsigned long pc = from + o->addr % ENTRY_ALIGN;

		if (!strcmp(o->mnem, "auipc")) {
			char rd[8], want[32];

			if (sscanf(o->ops, "%7[^,]", rd) != 1)
				return false;
			snprintf(want, sizeof(want), "%s,%s,", rd, rd);
			ok = j + 1 < n && !strcmp(got[j].mnem, "auipc") &&
			     !strncmp(got[j].ops, rd, strlen(rd)) &&
			     !strcmp(got[j + 1].mnem, "addi") &&
			     !strncmp(got[j + 1].ops, want, strlen(want)) &&
			     auipc_value(&got[j], got[j].addr) +
			     strtol(got[j + 1].ops + strlen(want), NULL, 10) ==
			     auipc_value(o, pc);
			j += 2;
		} else {
			ok = j < n && !strcmp(got[j].mnem, o->mnem) &&
			     !strcmp(got[j].ops, o->ops);
			j++;
		}
	}
	/* auipc t1, hi; jalr zero, lo(t1) back to the first byte not moved. */
	return ok && j + 2 == n && !strcmp(got[j].mnem, "auipc") &&
	       !strncmp(got[j].ops, "t1,", 3) && !strcmp(got[j + 1].mnem, "jalr") &&
	       !strncmp(got[j + 1].ops, "zero,", 5) &&
	       auipc_value(&got[j], got[j].addr) +
	       strtol(got[j + 1].ops + 5, NULL, 10) == from + dlen;
}

/* One entry: @l[0..nr) are its instructions, from the listing. */
static void check_entry(const u8 *text, const struct insn_line *l, int nr,
			unsigned long from, unsigned long to)
{
	u8 copy[KLP_OOL_MAX_SIZE];
	unsigned int dlen = 0, at = 0, bad = ~0U;
	const char *why = NULL;
	int i, moved = 0, ret;

	/* The displaced bytes: whole instructions covering the 8-byte jump. */
	for (i = 0; i < nr && dlen < KLP_JUMP_SIZE; i++) {
		if (bad == ~0U && cannot_move(&l[i]))
			bad = dlen;
		dlen += l[i].len;
		moved++;
	}
	ret = klp_ool_copy(text, dlen, from, to, copy, &at, &why);
	if (bad != ~0U)
		ktap_report(ret == -EILSEQ && at == bad && why,
			    "refused at 0x%lx", from);
	else
		ktap_report(ret > 0 && ret <= KLP_OOL_MAX_SIZE &&
			    copy_matches(copy, ret, l, moved, from, dlen, to),
			    "copied at 0x%lx", from);
}

/* A copy out of auipc's and the jump's reach is refused, not wrapped. */
static void check_reach(void)
{
	static const u8 entry[] = { 0x97, 0x17, 0x00, 0x00,	/* auipc a5, 0x1 */
				    0x13, 0x01, 0x01, 0xfd };	/* addi sp, sp, -48 */
	u8 copy[KLP_OOL_MAX_SIZE];
	unsigned int at;
	const char *why;

	int near, back;

	near = klp_ool_copy(entry, 8, FROM_BASE, FROM_BASE - (1UL << 32), copy,
			    &at, &why);
	back = klp_ool_copy(entry + 4, 4, FROM_BASE, FROM_BASE + (3UL << 31),
			    copy, &at, &why);
	ktap_report(near == -ERANGE, "auipc out of reach at 0x%lx", FROM_BASE);
	ktap_report(back == -ERANGE, "jump back out of reach at 0x%lx",
		    FROM_BASE);
}

int main(void)
{
	static u8 text[TEXT_MAX + 4];
	static struct insn_line lines[NR_ENTRIES * ENTRY_ALIGN / 2];
	size_t len = 0;
	int n, i, first;
	FILE *dump;

	srandom(4343);
	dump = assemble(write_source, text, TEXT_MAX, &len);
	if (!dump) {
		printf("not ok 1 assemble the test program\n0 passed, 1 failed\n");
		return 1;
	}
	n = read_listing(dump, lines, ARRAY_SIZE(lines));
	pclose(dump);
	printf("KTAP version 1\n");
	for (first = 0; first < n; first = i) {
		unsigned long base = lines[first].addr;

		for (i = first; i < n && lines[i].addr < base + ENTRY_ALIGN; i++)
			;
		check_entry(text + base, &lines[first], i - first,
			    FROM_BASE + base, TO_BASE + base / 2);
	}
	check_reach();
	return ktap_finish(NR_ENTRIES + 2);
}
