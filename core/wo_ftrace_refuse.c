// SPDX-License-Identifier: GPL-2.0-only
/*
 * wo_ftrace_refuse.c - the functions live patching without ftrace refuses
 *
 * A jump is written over the first 8 bytes of the old function with every
 * hart stopped.  That is unsafe when anything else owns or enters those
 * bytes, or when the function runs on the patching path itself.  Each
 * refusal is one dmesg line naming the function and the reason; the
 * caller gets -EINVAL for what never changes, -EBUSY for what may go away
 * (a kprobe).  Nothing is written.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpu.h>
#include <linux/jump_label.h>
#include <linux/kallsyms.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/sched/debug.h>
#include <linux/static_call.h>
#include <asm/sections.h>
#include "wo_ftrace.h"

/*
 * Functions the patching path runs while the text is rewritten (the
 * stop_machine rendezvous, the unwinder's helpers); the arch adds its
 * own (arch_klp_refuse_reason()).  Live patching's own functions in
 * vmlinux (klp_*, arch_klp_*) are refused by name prefix.
 */
static const char * const klp_path_funcs[] = {
	"stop_machine", "stop_machine_cpuslocked", "multi_cpu_stop",
	"cpu_stopper_thread", "stop_cpus", "cpu_stop_queue_work",
	"copy_to_kernel_nofault", "copy_from_kernel_nofault",
	"__kernel_text_address", "kernel_text_address", "core_kernel_text",
	"is_module_text_address", "__module_text_address",
	"try_get_task_stack", "put_task_stack", "memcmp", "memcpy",
};

/* Text the kernel keeps apart because tracing or patching it is unsafe. */
static const struct {
	const char *reason;
	const char *start;
	const char *end;
} klp_unsafe_sections[] = {
	{ "is scheduler code (.sched.text)", __sched_text_start, __sched_text_end },
	{ "is exception entry code", __entry_text_start, __entry_text_end },
	{ "is irq entry code", __irqentry_text_start, __irqentry_text_end },
	{ "is noinstr code", __noinstr_text_start, __noinstr_text_end },
	{ "is kprobes code (.kprobes.text)", __kprobes_text_start, __kprobes_text_end },
};

static bool klp_on_patching_path(unsigned long addr, const char *name)
{
	unsigned int i;

	if (core_kernel_text(addr) &&
	    (!strncmp(name, "klp_", 4) || !strncmp(name, "__klp_", 6) ||
	     !strncmp(name, "arch_klp_", 9)))
		return true;
	for (i = 0; i < ARRAY_SIZE(klp_path_funcs); i++)
		if (!strcmp(name, klp_path_funcs[i]))
			return true;
	return false;
}

/* Where the code is: vmlinux or module text, and not __init. */
static const char *klp_text_region_reason(unsigned long addr,
					  unsigned long size)
{
	const char *reason = NULL;
	struct module *mod;

	if (is_kernel_inittext(addr))
		return "is __init text";
	if (core_kernel_text(addr))
		return core_kernel_text(addr + size - 1) ? NULL :
		       "runs past the end of kernel text";

	preempt_disable();
	mod = __module_text_address(addr);
	if (!mod)
		reason = "is not in kernel or module text";
	else if (within_module_mem_type(addr, mod, MOD_INIT_TEXT))
		reason = "is __init text of its module";
	else if (!within_module_mem_type(addr + size - 1, mod, MOD_TEXT))
		reason = "runs past the end of its module's text";
	preempt_enable();
	return reason;
}

/* @func: the function, @addr: where its jump goes (see arch_klp_site_addr()). */
static const char *klp_unsafe_reason(unsigned long func, unsigned long addr,
				     unsigned long size, const char *name)
{
	void *start = (void *)addr, *end = (void *)(addr + KLP_JUMP_SIZE - 1);
	const char *reason;
	unsigned int i;

	reason = klp_text_region_reason(func, size);
	if (reason)
		return reason;
	if (klp_on_patching_path(func, name))
		return "is run by live patching itself";
	reason = arch_klp_refuse_reason(name);
	if (reason)
		return reason;
	for (i = 0; i < ARRAY_SIZE(klp_unsafe_sections); i++)
		if (func >= (unsigned long)klp_unsafe_sections[i].start &&
		    func < (unsigned long)klp_unsafe_sections[i].end)
			return klp_unsafe_sections[i].reason;
	if (cpu_in_idle(func))
		return "is cpuidle code (.cpuidle.text)";
	if (within_kprobe_blacklist(func))
		return "is on the kprobe blacklist (NOKPROBE_SYMBOL)";
	if (jump_label_text_reserved(start, end))
		return "has a jump label inside the 8 bytes the jump replaces";
	if (static_call_text_reserved(start, end))
		return "has a static call inside the 8 bytes the jump replaces";
	return NULL;
}

/* A registered kprobe in [addr, addr + 8).  Called with kprobe_mutex held. */
static bool klp_kprobe_inside(unsigned long addr)
{
	unsigned long a;

	for (a = addr; a < addr + KLP_JUMP_SIZE; a += 2)
		if (get_kprobe((void *)a))
			return true;
	return false;
}

/*
 * May the entry of @name, at @func and @size bytes long, be replaced by a
 * jump?  Returns 0, or an errno after one dmesg line naming the reason.
 * Must be called with klp_mutex and kprobe_mutex held.
 */
int klp_check_patchable(unsigned long func, unsigned long size,
			const char *name)
{
	unsigned long addr = arch_klp_site_addr(func);
	const char *reason;

	if (func + size < addr + KLP_JUMP_SIZE) {
		if (addr == func)
			pr_err("%s: function is %lu bytes, shorter than the %d-byte jump\n",
			       name, size, KLP_JUMP_SIZE);
		else
			pr_err("%s: function is %lu bytes, shorter than ftrace's %lu bytes and the %d-byte jump\n",
			       name, size, addr - func, KLP_JUMP_SIZE);
		return -EINVAL;
	}
	reason = klp_unsafe_reason(func, addr, size, name);
	if (reason) {
		pr_err("%s: function %s, not patched\n", name, reason);
		return -EINVAL;
	}
	if (klp_kprobe_inside(addr)) {
		pr_err("%s: a kprobe is inside the 8 bytes the jump replaces, not patched\n",
		       name);
		return -EBUSY;
	}
	return 0;
}
