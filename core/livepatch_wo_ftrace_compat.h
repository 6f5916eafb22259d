/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Live patching without ftrace: what differs between the kernels the port
 * builds on (6.1, 6.12, 7.3).  One place for every interface that changed
 * upstream, each with what changed and in which release, so that the rest
 * of the port reads as written for the newest kernel.
 */
#ifndef _LINUX_LIVEPATCH_WO_FTRACE_COMPAT_H
#define _LINUX_LIVEPATCH_WO_FTRACE_COMPAT_H

#include <linux/version.h>

/*
 * riscv's text writer (patch_text_nosync(), riscv_patch_in_stop_machine):
 * asm/patch.h became asm/text-patching.h in v6.13, when every
 * architecture's text patching header got that name.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
#include <asm/text-patching.h>
#else
#include <asm/patch.h>
#endif

/*
 * The sched_process_exit tracepoint passes whether the whole thread group
 * died (group_dead) since v6.16; a probe takes the tracepoint's arguments.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 16, 0)
#define KLP_SCHED_PROCESS_EXIT_ARGS(task) \
	struct task_struct *task, bool group_dead
#else
#define KLP_SCHED_PROCESS_EXIT_ARGS(task) \
	struct task_struct *task
#endif

/*
 * riscv's ftrace call site at a function entry is 8 bytes, auipc + jalr.
 * Until v6.16 ftrace patched both and its record (ftrace_location()) was
 * the entry itself.  Since v6.16 the auipc is written once at boot and
 * only the jalr is toggled, so the record is the jalr, 4 bytes in (and
 * MCOUNT_INSN_SIZE is 4).
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 16, 0)
#define KLP_FTRACE_REC_OFFSET	MCOUNT_AUIPC_SIZE
#define KLP_FTRACE_ENTRY_SIZE	(MCOUNT_AUIPC_SIZE + MCOUNT_JALR_SIZE)
#else
#define KLP_FTRACE_REC_OFFSET	0
#define KLP_FTRACE_ENTRY_SIZE	MCOUNT_INSN_SIZE
#endif

/*
 * The transition states were KLP_UNDEFINED, KLP_UNPATCHED and KLP_PATCHED
 * until v6.11, when they became KLP_TRANSITION_IDLE, _UNPATCHED and
 * _PATCHED (the same values).
 */
#include <linux/livepatch.h>
#ifndef KLP_TRANSITION_IDLE
#define KLP_TRANSITION_IDLE		KLP_UNDEFINED
#define KLP_TRANSITION_UNPATCHED	KLP_UNPATCHED
#define KLP_TRANSITION_PATCHED		KLP_PATCHED
#endif

/*
 * cond_resched() calls into livepatch (klp_sched_try_switch(),
 * <linux/livepatch_sched.h>) since v6.4: a backend that replaces
 * transition.c provides the symbols it refers to.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
#define KLP_HAVE_SCHED_TRY_SWITCH
#endif

/*
 * A module's memory is described by type (struct module_memory,
 * within_module_mem_type()) since v6.4; before, by a core and an init
 * layout, each starting with its text.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 4, 0)
#include <linux/module.h>

enum klp_mod_mem_type { MOD_TEXT, MOD_INIT_TEXT };

static inline bool within_module_mem_type(unsigned long addr,
					  const struct module *mod,
					  enum klp_mod_mem_type type)
{
	const struct module_layout *layout = type == MOD_TEXT ?
		&mod->core_layout : &mod->init_layout;

	return addr - (unsigned long)layout->base < layout->text_size;
}
#endif

/*
 * Executable memory near the kernel comes from execmem_alloc() since
 * v6.10, from module_alloc() before; set_memory_rox() exists since v6.2.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 10, 0)
#include <linux/execmem.h>
#else
#include <linux/moduleloader.h>

#define EXECMEM_MODULE_TEXT	0

static inline void *execmem_alloc(int type, size_t size)
{
	return module_alloc(size);
}

static inline void execmem_free(void *ptr)
{
	module_memfree(ptr);
}
#endif

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 2, 0)
#include <linux/set_memory.h>

static inline int set_memory_rox(unsigned long addr, int numpages)
{
	return set_memory_ro(addr, numpages) ?: set_memory_x(addr, numpages);
}
#endif

/*
 * Typed allocation, kzalloc_obj(), which checkpatch prefers to
 * kzalloc(sizeof(...)), arrived after 6.12 (7.3 has it); before, the
 * same allocation with GFP_KERNEL.
 */
#include <linux/slab.h>
#ifndef kzalloc_obj
#define kzalloc_obj(p)	kzalloc(sizeof(p), GFP_KERNEL)
#endif

#endif /* _LINUX_LIVEPATCH_WO_FTRACE_COMPAT_H */
