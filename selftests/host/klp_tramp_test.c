// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit test of klp_tramp_gen(), run as a riscv64 program (under
 * qemu-riscv64 on the host): old functions are copied into an executable
 * page, their entries get the jump to a generated trampoline (on the next
 * page, its words on the one after), and each is called with tp pointing
 * at a fake task whose patch_state is set.  What
 * runs must be what upstream's ftrace handler would pick: new when the
 * patch is not in transition or the task has switched (or is idle), prev
 * when it has not, and the original code, run out of line, when that is
 * what prev or new is.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#include <asm/klp_tramp.h>
#include "klp_tramp_test.h"
#include "ktap.h"

#define PAGE		4096
#define SLOT		128

/*
 * The old functions, copied elsewhere before use.  old_auipc returns
 * the address it runs at; its displaced bytes are 10: c.nop, then an
 * auipc that straddles the jump's end.
 */
asm(".pushsection .text\n"
	".option push\n"
	".option norvc\n"
	"old_frame:\n"
	"	addi sp, sp, -16\n"
	"	sd ra, 8(sp)\n"
	"	sd s0, 0(sp)\n"
	"	addi s0, sp, 16\n"
	"	li a0, 11\n"
	"	ld ra, 8(sp)\n"
	"	ld s0, 0(sp)\n"
	"	addi sp, sp, 16\n"
	"	ret\n"
	"old_frame_end:\n"
	".option rvc\n"
	"old_rvc:\n"
	"	c.addi sp, -16\n"
	"	c.sdsp ra, 8(sp)\n"
	"	c.li a0, 0\n"
	"	c.addi a0, 7\n"
	"	c.ldsp ra, 8(sp)\n"
	"	c.addi sp, 16\n"
	"	c.jr ra\n"
	"old_rvc_end:\n"
	"old_auipc:\n"
	"	c.nop\n"
	"	.option norvc\n"
	"	auipc a0, 0\n"
	"	addi a0, a0, -2\n"
	"	ret\n"
	"old_auipc_end:\n"
	"old_branch:\n"
	"	beq a0, a1, 1f\n"
	"	li a0, 1\n"
	"1:	ret\n"
	"old_branch_end:\n"
    /* call_with_tp(fn, tp): fn() with tp set, as current is in the kernel. */
	"call_with_tp:\n"
	"	addi sp, sp, -16\n"
	"	sd ra, 8(sp)\n"
	"	sd tp, 0(sp)\n"
	"	mv tp, a1\n"
	"	jalr a0\n"
	"	ld tp, 0(sp)\n"
	"	ld ra, 8(sp)\n"
	"	addi sp, sp, 16\n"
	"	ret\n"
	".option pop\n"
	".popsection\n");

static long new_func(void)
{
	return 1000;
}

static long prev_func(void)
{
	return 2000;
}

struct old_form {
	const char *name;
	const u8 *start, *end;
	unsigned int displaced;
	long result;		/* 0: its own address */
};

static const struct old_form forms[] = {
	{ "sd ra with a frame", old_frame, old_frame_end, 8, 11 },
	{ "compressed", old_rvc, old_rvc_end, 8, 7 },
	{ "auipc straddling the jump", old_auipc, old_auipc_end, 10, 0 },
};

/*
 * Call @old (whose entry leads to the trampoline reading @data) with the
 * words set and the fake task in @state; it must return @want.
 */
static void check_call(u8 *old, struct klp_tramp_data *data, char *task,
		       long state_off, unsigned long new, bool flag,
		       unsigned long prev, int state, long want,
		       const char *what)
{
	static bool transition;
	char desc[200];
	long got;

	transition = flag;
	data->new = new;
	data->transition = &transition;
	data->prev = prev;
	*(int *)(task + state_off) = state;
	got = call_with_tp((unsigned long)old, task);
	snprintf(desc, sizeof(desc), "%s, patch_state at %ld (got %ld, expected %ld)",
		 what, state_off, got, want);
	ktap_report(got == want, "%s", desc);
}

/* One old function, one patch_state offset: every choice the trampoline makes. */
static void check_form(const struct old_form *f, u8 *old, u8 *tramp,
		       struct klp_tramp_data *data, long state_off)
{
	static char task[80000];
	unsigned long ool = (unsigned long)tramp + KLP_TRAMP_OOL;
	unsigned long n = (unsigned long)new_func, p = (unsigned long)prev_func;
	long orig = f->result ? f->result : (long)old;
	u32 jump[KLP_JUMP_INSNS];
	unsigned int where;
	const char *why;
	char what[120];
	int ret;

	memcpy(old, f->start, f->end - f->start);
	ret = klp_tramp_gen(tramp, (unsigned long)tramp, (unsigned long)data,
			    state_off, old, f->displaced, (unsigned long)old,
			    &where, &why);
	snprintf(what, sizeof(what), "%s: trampoline generated", f->name);
	ktap_report(!ret, "%s", what);
	if (ret)
		return;
	klp_insn_gen_jump((unsigned long)old, (unsigned long)tramp, jump);
	memcpy(old, jump, sizeof(jump));
	__builtin___clear_cache((char *)old, (char *)tramp + KLP_TRAMP_SIZE);

	snprintf(what, sizeof(what), "%s: not in transition runs new", f->name);
	check_call(old, data, task, state_off, n, 0, p, -1, 1000, what);
	snprintf(what, sizeof(what), "%s: switched task runs new", f->name);
	check_call(old, data, task, state_off, n, 1, p, 1, 1000, what);
	snprintf(what, sizeof(what), "%s: task not switched runs prev", f->name);
	check_call(old, data, task, state_off, n, 1, p, 0, 2000, what);
	snprintf(what, sizeof(what), "%s: idle-state task in transition runs new", f->name);
	check_call(old, data, task, state_off, n, 1, p, -1, 1000, what);
	snprintf(what, sizeof(what), "%s: task not switched runs the original", f->name);
	check_call(old, data, task, state_off, n, 1, ool, 0, orig, what);
	snprintf(what, sizeof(what), "%s: a nop patch runs the original", f->name);
	check_call(old, data, task, state_off, ool, 0, p, 1, orig, what);
}

int main(void)
{
	static const long state_offs[] = { 16, 2047, 2048, 3000, 70000 };
	u8 *page = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE | PROT_EXEC,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct klp_tramp_data *data = (void *)(page + 2 * PAGE);
	unsigned long far = (unsigned long)page + (3UL << 31);
	unsigned int i, j, where = ~0U;
	const char *why = NULL;
	u8 tramp[KLP_TRAMP_SIZE];
	int ret;

	/* A trampoline that jumps astray kills the program: keep what it said. */
	setvbuf(stdout, NULL, _IONBF, 0);
	printf("KTAP version 1\n");
	if (page == MAP_FAILED) {
		printf("not ok 1 map an executable page\n0 passed, 1 failed\n");
		return 1;
	}
	for (i = 0; i < ARRAY_SIZE(forms); i++)
		for (j = 0; j < ARRAY_SIZE(state_offs); j++)
			check_form(&forms[i], page + (i * 5 + j) * SLOT / 2,
				   page + PAGE + (i * 5 + j) * SLOT,
				   data + i * 5 + j, state_offs[j]);

	ret = klp_tramp_gen(tramp, (unsigned long)page, (unsigned long)data, 16,
			    old_branch, 8, (unsigned long)page, &where, &why);
	ktap_report(ret == -EILSEQ && where == 0 && why,
		    "a branch in the displaced bytes is refused");
	ret = klp_tramp_gen(tramp, (unsigned long)page, (unsigned long)data, -8,
			    old_frame, 8, (unsigned long)page, &where, &why);
	ktap_report(ret == -EINVAL, "a negative patch_state offset is refused");
	ret = klp_tramp_gen(tramp, far, (unsigned long)data, 16, old_frame, 8,
			    (unsigned long)page, &where, &why);
	ktap_report(ret == -ERANGE,
		    "a trampoline out of the jump's reach is refused");
	ret = klp_tramp_gen(tramp, (unsigned long)page, far, 16, old_frame, 8,
			    (unsigned long)page, &where, &why);
	ktap_report(ret == -ERANGE,
		    "words out of the trampoline's reach are refused");
	return ktap_finish(ARRAY_SIZE(forms) * ARRAY_SIZE(state_offs) * 7 + 4);
}
