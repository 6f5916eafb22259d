/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * riscv hooks of live patching without ftrace: the state kept for each
 * patched function entry, the stack check and the writes.
 */
#ifndef _ASM_RISCV_LIVEPATCH_H
#define _ASM_RISCV_LIVEPATCH_H

#include <linux/types.h>
#include <asm/klp_insn.h>

struct task_struct;
struct klp_busy_set;
struct klp_site_write;
struct klp_tramp_data;

/* Bounds of the exception entry code (entry.S), for the stack walk. */
asmlinkage void handle_exception(void);
extern unsigned long ret_from_exception_end;

/* vmlinux's exception table, for fixups that land inside a jump window. */
extern struct exception_table_entry __start___ex_table[];
extern struct exception_table_entry __stop___ex_table[];

/**
 * struct arch_klp_site - one old function entry that jumps may be written to
 * @func:	the old function
 * @size:	its size in bytes
 * @addr:	where the jump goes: @func, or after ftrace's 8 bytes there
 * @reserved_end: one past the last original instruction the jump
 *		overlaps (@addr + 8, or + 10 when one straddles its end)
 * @name:	its symbol name, for messages
 * @saved:	the bytes the jump overwrites, restored on unpatch
 * @target:	where the bytes at @addr lead now: 0 for the original bytes
 *		(kept by the writer, under text_mutex)
 * @tramp:	per-task model: the trampoline the entry leads to while
 *		patched (asm/klp_tramp.h), 0 before it is made
 * @data:	per-task model: what the trampoline reads
 */
struct arch_klp_site {
	unsigned long func;
	unsigned long size;
	unsigned long addr;
	unsigned long reserved_end;
	const char *name;
	u8 saved[KLP_JUMP_SIZE];
	unsigned long target;
#ifdef CONFIG_LIVEPATCH_WO_FTRACE_PER_TASK
	unsigned long tramp;
	struct klp_tramp_data *data;
#endif
};

unsigned long arch_klp_site_addr(unsigned long func);
const char *arch_klp_refuse_reason(const char *name);
int arch_klp_check_target(unsigned long func, unsigned long target,
			  const char *name);
int arch_klp_init_site(struct arch_klp_site *site, unsigned long func,
		       unsigned long size, const char *name);
int arch_klp_prepare_write(struct klp_site_write *w,
			   struct arch_klp_site *site, unsigned long target);
int arch_klp_write_now(struct klp_site_write *w);
int arch_klp_tramp_alloc(struct arch_klp_site *site);
void arch_klp_tramp_free(struct arch_klp_site *site);
int arch_klp_check_kprobe(const struct arch_klp_site *site, unsigned long addr);

int klp_check_calltrace(struct task_struct *task,
			const struct klp_busy_set *busy, const char **name);
int klp_check_current_calltrace(const struct klp_busy_set *busy,
				const char **name);
int arch_klp_check_sites(const struct klp_site_write *writes, unsigned int nr);
int arch_klp_patch_funcs(struct klp_site_write *writes, unsigned int nr);
void arch_klp_stop_machine_begin(void);
void arch_klp_stop_machine_end(void);
void arch_klp_flush_local_icache(void);

#endif /* _ASM_RISCV_LIVEPATCH_H */
