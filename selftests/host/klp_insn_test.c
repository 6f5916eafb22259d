// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host unit test of insn/klp_insn.h: every jump it encodes is decoded by
 * riscv64-linux-gnu-objdump, and the target objdump computes must be the
 * one asked for.  Offsets out of reach must be refused with poison.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <asm/klp_insn.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define SITE_BASE	0xffffffff80200000UL
#define MAX_CASES	4096

struct jump_case {
	unsigned long from;
	long off;
	u32 insns[KLP_JUMP_INSNS];
};

static struct jump_case cases[MAX_CASES];
static unsigned int nr_cases;
static unsigned int passed, failed, test_nr;

static void report(bool ok, const char *fmt, long arg)
{
	char name[128];

	snprintf(name, sizeof(name), fmt, arg);
	test_nr++;
	printf("%s %u %s\n", ok ? "ok" : "not ok", test_nr, name);
	if (ok)
		passed++;
	else
		failed++;
}

/* A reachable offset: encode it and keep it for the objdump pass. */
static void add_case(unsigned long from, long off)
{
	struct jump_case *c = &cases[nr_cases];
	int ret;

	if (nr_cases == MAX_CASES)
		abort();
	c->from = from;
	c->off = off;
	ret = klp_insn_gen_jump(from, from + off, c->insns);
	if (ret) {
		report(false, "encode reachable offset %ld", off);
		return;
	}
	nr_cases++;
}

static void check_refused(long off)
{
	u32 insns[KLP_JUMP_INSNS] = { 1, 1 };
	int ret;

	ret = klp_insn_gen_jump(SITE_BASE, SITE_BASE + off, insns);
	report(ret == -ERANGE && insns[0] == KLP_INSN_POISON &&
	       insns[1] == KLP_INSN_POISON,
	       "offset %ld is out of reach: -ERANGE and poison", off);
}

/*
 * Disassemble one case at its own address; objdump prints
 * "auipc t1,0x..." and "jr imm(t1)" (or "jalr zero,imm(t1)").
 */
static bool objdump_target(const struct jump_case *c, unsigned long *target)
{
	char bin[] = "/tmp/klp_insn_XXXXXX";
	char cmd[256], line[256];
	long hi = 0, lo = 0;
	bool got_hi = false, got_lo = false;
	FILE *p;
	int fd;

	fd = mkstemp(bin);
	if (fd < 0 || write(fd, c->insns, sizeof(c->insns)) != sizeof(c->insns))
		return false;
	close(fd);
	snprintf(cmd, sizeof(cmd),
		 "riscv64-linux-gnu-objdump -D -b binary -m riscv:rv64 -M no-aliases --adjust-vma=0x%lx %s",
		 c->from, bin);
	p = popen(cmd, "r");
	if (!p)
		return false;
	while (fgets(line, sizeof(line), p)) {
		char *s;

		s = strstr(line, "auipc\tt1,");
		if (s) {
			hi = strtol(s + strlen("auipc\tt1,"), NULL, 0);
			got_hi = true;
		}
		s = strstr(line, "jalr\tzero,");
		if (s && strstr(s, "(t1)")) {
			lo = strtol(s + strlen("jalr\tzero,"), NULL, 0);
			got_lo = true;
		}
	}
	pclose(p);
	unlink(bin);
	if (!got_hi || !got_lo)
		return false;
	/* objdump prints hi20 unsigned; the ISA sign-extends bit 31. */
	*target = c->from + (long)(int32_t)((uint32_t)hi << 12) + lo;
	return true;
}

int main(void)
{
	static const long edges[] = {
		0, 4, -4, 2046, 2047, 2048, 2049, -2048, -2049,
		0x7ff, 0x800, 0x801, 0xfff, 0x1000, 0x17ff, 0x1800,
		-0x800, -0x801, -0x7ff, -0x1800, -0x1801,
		0x7ffff7ffL, 0x7ffff800L - 2, KLP_JUMP_REACH_END - 2,
		KLP_JUMP_REACH_MIN, KLP_JUMP_REACH_MIN + 2,
		-0x80000000L, 0x7fffe7feL, -0x7ffff800L,
	};
	static const long refused[] = {
		KLP_JUMP_REACH_END, KLP_JUMP_REACH_END + 2,
		KLP_JUMP_REACH_MIN - 2, 0x80000000L, 0x7fffffffL,
		0x100000000L, -0x100000000L, 0x7fffffffffffL,
	};
	unsigned int i;

	printf("KTAP version 1\n");
	srandom(12345);
	for (i = 0; i < ARRAY_SIZE(edges); i++)
		add_case(SITE_BASE, edges[i]);
	for (i = 0; i < 200; i++) {
		long off = ((long)random() << 1) - 0x80000000L;

		off &= ~1L;
		if (klp_insn_jump_reaches(SITE_BASE, SITE_BASE + off))
			add_case(SITE_BASE + 2 * (random() & 0xfff), off);
	}
	printf("1..%zu\n", nr_cases + ARRAY_SIZE(refused) + 3);

	for (i = 0; i < nr_cases; i++) {
		unsigned long target = 0;
		bool ok = objdump_target(&cases[i], &target);

		report(ok && target == cases[i].from + cases[i].off,
		       "objdump decodes the jump for offset %ld to its target",
		       cases[i].off);
	}
	for (i = 0; i < ARRAY_SIZE(refused); i++)
		check_refused(refused[i]);

	report(klp_insn_gen_auipc(KLP_JUMP_REG, 1L << 19) == KLP_INSN_POISON,
	       "auipc with imm20 %ld is poison", 1L << 19);
	report(klp_insn_gen_jalr(0, KLP_JUMP_REG, 2048) == KLP_INSN_POISON,
	       "jalr with imm12 %ld is poison", 2048);
	report(klp_insn_len(0x0001) == 2 && klp_insn_len(0x4501) == 2 &&
	       klp_insn_len(0x0317) == 4 && klp_insn_len(0x8067) == 4,
	       "instruction lengths of RVC and 32-bit parcels (%ld)", 0);

	printf("# %u passed, %u failed\n", passed, failed);
	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
