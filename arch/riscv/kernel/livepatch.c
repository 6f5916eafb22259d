// SPDX-License-Identifier: GPL-2.0-only
/*
 * riscv arch layer of live patching without ftrace.
 *
 * A replaced function's entry gets "auipc t1; jalr x0, lo(t1)" (8 bytes)
 * leading to the new function; the overwritten bytes are kept in the site
 * and written back on unpatch.  Writes happen inside stop_machine, with
 * every other hart parked with interrupts off, after the stack of every
 * task has been walked and found outside the code that changes.
 *
 * Everything that runs inside stop_machine is NOKPROBE_SYMBOL: a kprobe
 * hit there would single-step over a half-written entry.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/elf.h>
#include <linux/extable.h>
#include <linux/ftrace.h>
#include <linux/kernel.h>
#include <linux/memory.h>
#include <linux/kprobes.h>
#include <linux/livepatch.h>
#include <linux/livepatch_wo_ftrace.h>
#include <linux/livepatch_wo_ftrace_compat.h>
#include <linux/module.h>
#include <linux/rethook.h>
#include <linux/set_memory.h>
#include <linux/sched.h>
#include <linux/sched/task_stack.h>
#include <linux/stacktrace.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <asm/cacheflush.h>
#include <asm/fixmap.h>
#include <asm/klp_tramp.h>
#include <asm/livepatch.h>
#include <asm/ptrace.h>
#include <asm/stacktrace.h>

/*
 * Where the jump of @func goes.  With CONFIG_DYNAMIC_FTRACE the first 8
 * bytes of a traceable function are ftrace's (-fpatchable-function-entry):
 * the jump goes right after them, so tracing the old function still works.
 */
unsigned long arch_klp_site_addr(unsigned long func)
{
#ifdef CONFIG_DYNAMIC_FTRACE
	if (ftrace_location(func) == func + KLP_FTRACE_REC_OFFSET)
		return func + KLP_FTRACE_ENTRY_SIZE;
#endif
	return func;
}

/* riscv's text writer and cache maintenance run while the text changes. */
static const char * const klp_riscv_path_funcs[] = {
	"patch_insn_write", "__patch_insn_write", "patch_text_nosync",
	"patch_map", "patch_unmap", "flush_icache_all", "flush_icache_range",
	"__set_fixmap", "vmalloc_to_page",
};

/*
 * ftrace's asm is entered with t0 as link, and its callers do not expect
 * the jump's t1 clobbered.  A hart coming online runs smp_callin()'s entry
 * before its first fence.i (patches/6.12/0009): it could fetch a stale
 * copy of a jump.
 */
static const struct {
	const char *name;
	const char *reason;
} klp_riscv_refused[] = {
	{ "ftrace_caller", "is run by live patching itself" },
	{ "ftrace_regs_caller", "is run by live patching itself" },
	{ "smp_callin", "runs on a hart coming online before it fetches fresh text" },
};

/* Why riscv cannot patch @name, or NULL (after the generic refusals). */
const char *arch_klp_refuse_reason(const char *name)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(klp_riscv_path_funcs); i++)
		if (!strcmp(name, klp_riscv_path_funcs[i]))
			return "is run by live patching itself";
	for (i = 0; i < ARRAY_SIZE(klp_riscv_refused); i++)
		if (!strcmp(name, klp_riscv_refused[i].name))
			return klp_riscv_refused[i].reason;
	return NULL;
}

static bool klp_in_window(const struct arch_klp_site *site,
			  unsigned long target)
{
	return target > site->addr && target < site->addr + KLP_JUMP_SIZE;
}

/* The byte at @pc, as it was before any jump: the saved copy in the window. */
static int klp_orig_byte(const struct arch_klp_site *site, unsigned long pc,
			 u8 *byte)
{
	if (pc >= site->addr && pc < site->addr + KLP_JUMP_SIZE) {
		*byte = site->saved[pc - site->addr];
		return 0;
	}
	return copy_from_kernel_nofault(byte, (void *)pc, 1);
}

/*
 * Does code of the function branch into the middle of the jump window?
 * Every instruction is decoded from the original bytes, whatever the
 * window holds now.
 */
static int klp_check_branches(const struct arch_klp_site *site,
			      unsigned long size, const char *name)
{
	unsigned long pc, target, end = site->func + size;
	u32 insn;

	for (pc = site->func; pc < end; pc += klp_insn_len(insn)) {
		unsigned int i, len = min(4UL, end - pc);
		u8 byte;

		insn = 0;
		for (i = 0; i < len; i++) {
			if (klp_orig_byte(site, pc + i, &byte))
				return -EFAULT;
			insn |= (u32)byte << (8 * i);
		}
		if (klp_insn_branch_target(insn, pc, &target) &&
		    klp_in_window(site, target)) {
			pr_err("%s: the instruction at %pS branches to %pS, inside the 8 bytes the jump replaces, not patched\n",
			       name, (void *)pc, (void *)target);
			return -EINVAL;
		}
	}
	return 0;
}

/*
 * Does an exception fixup of vmlinux or the site's module land in the
 * window, or (per-task model) may an instruction there fault and be fixed up?
 */
static int klp_check_fixups(const struct arch_klp_site *site, const char *name)
{
	const struct exception_table_entry *ex = __start___ex_table;
	const struct exception_table_entry *end = __stop___ex_table;
	unsigned long fixup = 0, insn = 0;
	struct module *mod;

	preempt_disable();
	mod = __module_text_address(site->func);
	if (mod) {
		ex = mod->extable;
		end = ex + mod->num_exentries;
	}
	for (; ex < end; ex++) {
		fixup = (unsigned long)&ex->fixup + ex->fixup;
		insn = (unsigned long)&ex->insn + ex->insn;
		if (klp_in_window(site, fixup))
			break;
		/* The per-task model runs these out of line, off the table. */
		if (IS_ENABLED(CONFIG_LIVEPATCH_WO_FTRACE_PER_TASK) &&
		    insn >= site->addr && insn < site->reserved_end)
			break;
	}
	preempt_enable();
	if (ex == end)
		return 0;
	if (klp_in_window(site, fixup))
		pr_err("%s: an exception fixup lands at %pS, inside the 8 bytes the jump replaces, not patched\n",
		       name, (void *)fixup);
	else
		pr_err("%s: the instruction at %pS has an exception fixup: it cannot run out of line in the per-task model, not patched\n",
		       name, (void *)insn);
	return -EINVAL;
}

/*
 * Record an old function, where its jump goes and the bytes the jump will
 * cover, and refuse a function that branches into them.  Called with
 * klp_mutex held, before anything is written, after klp_check_patchable().
 */
int arch_klp_init_site(struct arch_klp_site *site, unsigned long func,
		       unsigned long size, const char *name)
{
	unsigned long pc;
	int ret;

	site->func = func;
	site->size = size;
	site->addr = arch_klp_site_addr(func);
	site->name = name;
	site->target = 0;
	if (copy_from_kernel_nofault(site->saved, (void *)site->addr,
				     KLP_JUMP_SIZE)) {
		pr_err("%s: cannot read the function entry at %pS\n",
		       name, (void *)site->addr);
		return -EFAULT;
	}
	/* The last instruction the jump overlaps may run 2 bytes past it. */
	for (pc = site->addr; pc < site->addr + KLP_JUMP_SIZE;)
		pc += klp_insn_len(site->saved[pc - site->addr]);
	site->reserved_end = pc;
	ret = klp_check_branches(site, size, name);
	if (!ret)
		ret = klp_check_fixups(site, name);
	return ret;
}

/*
 * May a kprobe go at @addr, in the function of @site?  kprobes decodes
 * the live bytes from the symbol, but while a jump is there the original
 * instruction boundaries after it are what counts: the saved bytes go
 * back over the window, and the instruction that straddles its end stays.
 * Returns -EBUSY inside the original instructions the jump overlaps,
 * -EILSEQ off an original instruction boundary, 0 otherwise (including
 * ftrace's bytes before the site, which kprobes refuses itself).
 * Called with kprobe_mutex held.
 */
int arch_klp_check_kprobe(const struct arch_klp_site *site, unsigned long addr)
{
	unsigned long pc;
	u16 parcel;

	if (addr < site->addr || addr >= site->func + site->size)
		return 0;
	if (addr < site->reserved_end)
		return -EBUSY;
	/* Past the window the text is the original, or a kprobe's ebreak of the same length. */
	for (pc = site->reserved_end; pc < addr; pc += klp_insn_len(parcel))
		if (copy_from_kernel_nofault(&parcel, (void *)pc, sizeof(parcel)))
			return -EFAULT;
	return pc == addr ? 0 : -EILSEQ;
}

static int klp_out_of_reach(const char *name, unsigned long target)
{
	pr_err("%s: new function %pS is out of the jump's reach\n",
	       name, (void *)target);
	return -ERANGE;
}

/*
 * Can the jump at the site of @func reach @target?  0, or -ERANGE after
 * one dmesg line naming @name.
 */
int arch_klp_check_target(unsigned long func, unsigned long target,
			  const char *name)
{
	if (klp_insn_jump_reaches(arch_klp_site_addr(func), target))
		return 0;
	return klp_out_of_reach(name, target);
}

/* The bytes that make @site lead to @target (0: the original bytes). */
static int klp_site_bytes(const struct arch_klp_site *site,
			  unsigned long target, u8 bytes[KLP_JUMP_SIZE])
{
	u32 insns[KLP_JUMP_INSNS];

	if (!target) {
		memcpy(bytes, site->saved, KLP_JUMP_SIZE);
		return 0;
	}
	if (klp_insn_gen_jump(site->addr, target, insns))
		return klp_out_of_reach(site->name, target);
	memcpy(bytes, insns, KLP_JUMP_SIZE);
	return 0;
}

/*
 * Fill @w with what @site holds now and what it must hold to lead to
 * @target.  Called with klp_mutex held, outside stop_machine, so that the
 * writer only compares and copies.
 */
int arch_klp_prepare_write(struct klp_site_write *w,
			   struct arch_klp_site *site, unsigned long target)
{
	int ret;

	w->site = site;
	w->target = target;
	ret = klp_site_bytes(site, site->target, w->expect);
	if (!ret)
		ret = klp_site_bytes(site, target, w->bytes);
	return ret;
}

/*
 * Write @w outside stop_machine: only for the text of a module that is
 * still coming, which no task can have entered yet.  Called with
 * klp_mutex held.
 */
int arch_klp_write_now(struct klp_site_write *w)
{
	int ret;

	mutex_lock(&text_mutex);
	if (memcmp((void *)w->site->addr, w->expect, KLP_JUMP_SIZE)) {
		pr_err("%s: function entry changed under live patching, not written\n",
		       w->site->name);
		ret = -EBUSY;
	} else {
		ret = patch_text_nosync((void *)w->site->addr, w->bytes,
					KLP_JUMP_SIZE);
		if (!ret)
			w->site->target = w->target;
	}
	mutex_unlock(&text_mutex);
	return ret;
}

#ifdef CONFIG_LIVEPATCH_WO_FTRACE_PER_TASK
/*
 * Make the per-task model's trampoline of @site (asm/klp_tramp.h): a page
 * of code, read-only and executable once written, and behind it a page
 * for the words it reads, both in the module area so that the entry's
 * jump and the trampoline's auipc reach them.  The out-of-line copy takes
 * the original instructions the jump displaces; one that cannot run
 * elsewhere is refused with one dmesg line naming it.  Called with
 * klp_mutex held, before the entry leads there.
 */
int arch_klp_tramp_alloc(struct arch_klp_site *site)
{
	unsigned int len = site->reserved_end - site->addr, where = 0;
	u8 text[KLP_JUMP_SIZE + 2], code[KLP_TRAMP_SIZE];
	const char *why = "";
	void *mem;
	int ret;

	memcpy(text, site->saved, KLP_JUMP_SIZE);
	if (len > KLP_JUMP_SIZE &&
	    copy_from_kernel_nofault(text + KLP_JUMP_SIZE,
				     (void *)site->addr + KLP_JUMP_SIZE,
				     len - KLP_JUMP_SIZE))
		return -EFAULT;
	mem = execmem_alloc(EXECMEM_MODULE_TEXT, 2 * PAGE_SIZE);
	if (!mem)
		return -ENOMEM;
	ret = klp_tramp_gen(code, (unsigned long)mem,
			    (unsigned long)mem + PAGE_SIZE,
			    offsetof(struct task_struct, patch_state), text, len,
			    site->addr, &where, &why);
	if (ret == -EILSEQ)
		pr_err("%s: the instruction at +%u cannot run out of line in the per-task model: %s\n",
		       site->name, where, why);
	else if (ret)
		pr_err("%s: no trampoline within the jump's reach\n",
		       site->name);
	if (!ret) {
		memcpy(mem, code, sizeof(code));
		flush_icache_range((unsigned long)mem,
				   (unsigned long)mem + sizeof(code));
		ret = set_memory_rox((unsigned long)mem, 1);
	}
	if (ret) {
		execmem_free(mem);
		return ret;
	}
	site->tramp = (unsigned long)mem;
	site->data = mem + PAGE_SIZE;
	return 0;
}

/* No task can be in the trampoline of @site any more, nor reach it. */
void arch_klp_tramp_free(struct arch_klp_site *site)
{
	execmem_free((void *)site->tramp);
	site->tramp = 0;
	site->data = NULL;
}
#endif

/*
 * Is @pc inside one of the ranges?  Most return addresses on a stack lie
 * outside all of them (the scheduler, the caller's subsystem), so the
 * span of the ranges is tested first.  Then a binary search: the ranges
 * are sorted and disjoint, so the only candidate is the last one
 * starting at or before @pc.
 */
static bool klp_pc_busy(unsigned long pc, const struct klp_busy_set *busy,
			const char **name)
{
	const struct klp_busy_range *r = NULL;
	unsigned int lo = 0, hi = busy->nr, i;

	if (busy->linear) {
		for (i = 0; i < busy->nr && !r; i++)
			if (pc >= busy->range[i].start && pc < busy->range[i].end)
				r = &busy->range[i];
	} else if (hi && pc >= busy->range[0].start &&
		   pc < busy->range[hi - 1].end) {
		while (lo < hi) {
			i = lo + (hi - lo) / 2;
			if (busy->range[i].start <= pc)
				lo = i + 1;
			else
				hi = i;
		}
		if (lo && pc < busy->range[lo - 1].end)
			r = &busy->range[lo - 1];
	}
	if (r && name)
		*name = r->name;
	return r;
}

NOKPROBE_SYMBOL(klp_pc_busy);

/*
 * A kretprobe replaces a return address with its trampoline and keeps the
 * real one in the task's rethook list (newest first), with the frame
 * pointer it saw (@frame).  Returns the real address, or 0 if it cannot be
 * found: the stack is then unreliable.
 *
 * Not rethook_find_ret_addr(): it refuses any other task in TASK_RUNNING,
 * which inside stop_machine is every preempted or runnable task.  The
 * list changes only when its task runs, or when it is freed; the callers
 * keep @task from running (task_call_func() or stop_machine) and hold it.
 */
static unsigned long klp_real_return(struct task_struct *task,
				     unsigned long ra, unsigned long frame)
{
#ifdef CONFIG_RETHOOK
	struct llist_node *node;

	if (!is_rethook_trampoline(ra))
		return ra;
	for (node = READ_ONCE(task->rethooks.first); node; node = node->next) {
		struct rethook_node *rh = container_of(node, struct rethook_node,
						       llist);

		if (rh->frame == frame && !is_rethook_trampoline(rh->ret_addr))
			return rh->ret_addr;
	}
	return 0;
#else
	/*
	 * Without rethook (riscv in 6.1), kretprobes keep the real
	 * address in task->kretprobe_instances with no frame to match it
	 * by: the stack is unreliable while one is pending.
	 */
	return is_kretprobe_trampoline(ra) ? 0 : ra;
#endif
}

NOKPROBE_SYMBOL(klp_real_return);

/*
 * The function graph tracer replaces a return address with
 * return_to_handler and keeps the real one on the task's shadow stack,
 * keyed by where it found it: riscv's ftrace_caller saves the traced
 * function's ra in its ftrace_regs, pushed just below the function's
 * entry sp, which is the function's frame pointer @fp (the frame record
 * holds only the copy the function saved afterwards).  Returns the real
 * address, or 0 if it cannot be found.
 */
static unsigned long klp_graph_return(struct task_struct *task, int *idx,
				      unsigned long ra, unsigned long fp)
{
#ifdef CONFIG_FUNCTION_GRAPH_TRACER
	if (ra != (unsigned long)return_to_handler)
		return ra;
#ifdef CONFIG_DYNAMIC_FTRACE_WITH_ARGS
	{
		struct __arch_ftrace_regs *fregs;

		fregs = (void *)(fp - ALIGN(sizeof(*fregs), STACK_ALIGN));
		ra = ftrace_graph_ret_addr(task, idx, ra, &fregs->ra);
		if (ra != (unsigned long)return_to_handler)
			return ra;
	}
#endif
	return 0;
#else
	return ra;
#endif
}

NOKPROBE_SYMBOL(klp_graph_return);

/*
 * The ra register of an exception frame: a kretprobe's trampoline is
 * looked up; return_to_handler there cannot be (the function whose
 * ftrace_regs hold it has no frame yet to find them by): unreliable.
 */
static unsigned long klp_regs_return(struct task_struct *task,
				     const struct pt_regs *regs,
				     unsigned long frame)
{
	unsigned long ra = klp_real_return(task, regs->ra, frame);

#ifdef CONFIG_FUNCTION_GRAPH_TRACER
	if (ra == (unsigned long)return_to_handler)
		return 0;
#endif
	return ra;
}

NOKPROBE_SYMBOL(klp_regs_return);

static bool klp_fp_valid(unsigned long fp, unsigned long sp,
			 unsigned long high)
{
	return fp >= sp + sizeof(struct stackframe) && fp <= high &&
	       IS_ALIGNED(fp, sizeof(long));
}

NOKPROBE_SYMBOL(klp_fp_valid);

/*
 * Walk one kernel stack by frame pointers from (@pc, @fp, @sp), giving
 * @consume every return address, and at an exception frame both the
 * interrupted pc and the ra register: a frameless function does not save
 * ra, so its caller is only seen there.  A walk that stops before the
 * stack's bottom (the pt_regs at its top), or that finds code interrupted
 * outside kernel text, is unreliable.  A return address
 * a kretprobe or the graph tracer took is replaced by the real one.
 *
 * Returns 0, -EADDRINUSE (@consume returned false) or -EINVAL.
 */
static int klp_walk_stack(struct task_struct *task, unsigned long pc,
			  unsigned long fp, unsigned long sp,
			  stack_trace_consume_fn consume, void *cookie)
{
	unsigned long low = (unsigned long)task_stack_page(task);
	unsigned long high = low + THREAD_SIZE;
	unsigned long bottom = high - sizeof(struct pt_regs);
	struct pt_regs *regs = NULL;
	int graph_idx = 0;

	for (;;) {
		struct stackframe *frame;
		unsigned long ra, next_fp;

		if (!consume(cookie, pc))
			return -EADDRINUSE;
		if (!klp_fp_valid(fp, sp, high))
			break;
		frame = (struct stackframe *)fp - 1;
		sp = fp;
		next_fp = READ_ONCE_NOCHECK(frame->fp);
		ra = klp_real_return(task, READ_ONCE_NOCHECK(frame->ra),
				     next_fp);
		if (ra)
			ra = klp_graph_return(task, &graph_idx, ra, fp);
		if (!ra)
			return -EINVAL;

		/* A leaf saves only s0, where a full frame keeps ra. */
		if (regs && pc == regs->epc && klp_fp_valid(ra, sp, high)) {
			fp = ra;
			pc = klp_regs_return(task, regs, fp);
			regs = NULL;
			if (!pc)
				return -EINVAL;
			continue;
		}
		regs = NULL;
		if (ra >= (unsigned long)handle_exception &&
		    ra < (unsigned long)&ret_from_exception_end) {
			if (sp + sizeof(*regs) > high)
				return -EINVAL;
			regs = (struct pt_regs *)sp;
			/*
			 * The stack's bottom: a user task's entry, or a
			 * kernel thread's first frame where ret_from_fork
			 * and ret_from_kernel_thread are apart (6.1): its
			 * function returns to ret_from_exception.
			 */
			if (user_mode(regs) || sp == bottom)
				break;
			ra = klp_regs_return(task, regs, regs->s0);
			if (!ra)
				return -EINVAL;
			if (!consume(cookie, ra))
				return -EADDRINUSE;
			pc = regs->epc;
			fp = regs->s0;
			/*
			 * Interrupted outside kernel text: in a per-task
			 * trampoline (the old function's first instructions
			 * out of line), a kprobe's slot or BPF code.
			 */
			if (!__kernel_text_address(pc))
				return -EINVAL;
			continue;
		}
		/* The first frame of a hart (head.S) returns nowhere. */
		if (!__kernel_text_address(ra))
			break;
		pc = ra;
		fp = next_fp;
	}
	return sp >= bottom && sp <= high ? 0 : -EINVAL;
}

NOKPROBE_SYMBOL(klp_walk_stack);

/* What a busy check looks pc values up in, and where it says which. */
struct klp_busy_cookie {
	const struct klp_busy_set *busy;
	const char **name;
};

static bool klp_consume_busy(void *cookie, unsigned long pc)
{
	struct klp_busy_cookie *c = cookie;

	return !klp_pc_busy(pc, c->busy, c->name);
}

NOKPROBE_SYMBOL(klp_consume_busy);

/* A task that is not running: switched out in __switch_to. */
static int klp_walk_task(struct task_struct *task,
			 stack_trace_consume_fn consume, void *cookie)
{
	return klp_walk_stack(task, task->thread.ra, task->thread.s[0],
			      task->thread.sp, consume, cookie);
}

NOKPROBE_SYMBOL(klp_walk_task);

/* The task running this code, from here. */
static __always_inline int klp_walk_current(stack_trace_consume_fn consume,
					    void *cookie)
{
	return klp_walk_stack(current, _THIS_IP_,
			      (unsigned long)__builtin_frame_address(0),
			      current_stack_pointer, consume, cookie);
}

/*
 * Check the stack of a task that is not running, its registers in
 * task->thread.  The caller keeps it from running (task_call_func() or
 * stop_machine).  Returns 0, -EADDRINUSE (*@name: where) or -EINVAL.
 */
int klp_check_calltrace(struct task_struct *task,
			const struct klp_busy_set *busy, const char **name)
{
	struct klp_busy_cookie c = { .busy = busy, .name = name };
	int ret;

	/* An exited task whose stack is already gone runs nothing. */
	if (!try_get_task_stack(task))
		return 0;
	ret = klp_walk_task(task, klp_consume_busy, &c);
	put_task_stack(task);
	return ret;
}

NOKPROBE_SYMBOL(klp_check_calltrace);

/*
 * Check the stack of the task running on this hart.  Inside stop_machine
 * each hart walks its own stack: the registers another hart saved are
 * stale while it runs.
 */
int klp_check_current_calltrace(const struct klp_busy_set *busy,
				const char **name)
{
	struct klp_busy_cookie c = { .busy = busy, .name = name };

	return klp_walk_current(klp_consume_busy, &c);
}

NOKPROBE_SYMBOL(klp_check_current_calltrace);

/*
 * The same walk for stack_trace_save_tsk_reliable(): @task is current or
 * kept from running by the caller, and holds its stack.  A full store
 * (@consume_entry false) makes the trace unreliable, as on x86.
 */
noinline int arch_stack_walk_reliable(stack_trace_consume_fn consume_entry,
				      void *cookie, struct task_struct *task)
{
	int ret;

	if (task == current)
		ret = klp_walk_current(consume_entry, cookie);
	else
		ret = klp_walk_task(task, consume_entry, cookie);
	return ret ? -EINVAL : 0;
}

/*
 * The last guard before writing, inside stop_machine: every entry holds
 * exactly the bytes we expect (a kprobe or another text writer may have
 * changed them since they were read).  Nothing is written unless all do.
 */
int arch_klp_check_sites(const struct klp_site_write *writes, unsigned int nr)
{
	unsigned int i;

	for (i = 0; i < nr; i++)
		if (memcmp((void *)writes[i].site->addr, writes[i].expect,
			   KLP_JUMP_SIZE))
			return -EBUSY;
	return 0;
}

NOKPROBE_SYMBOL(arch_klp_check_sites);

/*
 * The physical address of the text byte at @addr, found as patch.c's
 * patch_map() finds it (which is static, and maps on every call):
 * vmlinux text by its symbol address, module text by its vmalloc page.
 * 0 if it has none.
 */
static phys_addr_t klp_text_phys(unsigned long addr)
{
	struct page *page;

	if (core_kernel_text(addr))
		return __pa_symbol(addr);
	page = vmalloc_to_page((void *)addr);
	return page ? page_to_phys(page) + offset_in_page(addr) : 0;
}

NOKPROBE_SYMBOL(klp_text_phys);

/*
 * Map the text page @page at fixmap slot @idx, writable.  False, and the
 * slot unchanged, if it has no page.
 */
static __always_inline bool klp_map_text(unsigned long page,
					 const unsigned int idx)
{
	phys_addr_t phys = klp_text_phys(page);

	if (phys)
		set_fixmap(idx, phys);
	return phys;
}

/*
 * Write the entries of @writes inside stop_machine: each its jump, or its
 * original bytes back (target 0).  As patch_insn_write() does, through a
 * writable fixmap alias of the text and fencing only this hart: no IPI, no
 * SBI call.  But a text page is mapped once for all the entries on it
 * (core/ sorts them by address; another order only maps more often): at
 * FIX_TEXT_POKE0, and for an entry that runs on into the next page, that
 * one at FIX_TEXT_POKE1, which lies right after it.  Each site records
 * what it holds only once its write succeeded; a failed write (it never
 * should) does not stop the others.  Returns 0 or the last error.
 * Called with text_mutex held by the task that stopped the machine.
 */
int arch_klp_patch_funcs(struct klp_site_write *writes, unsigned int nr)
{
	void *alias = (void *)fix_to_virt(FIX_TEXT_POKE0);
	/* The pages the two slots map now, 0 for none. */
	unsigned long page = 0, next = 0;
	bool used0 = false, used1 = false;
	unsigned int i;
	int err, ret = 0;

	if (!riscv_patch_in_stop_machine)
		lockdep_assert_held(&text_mutex);
	lockdep_assert_irqs_disabled();

	for (i = 0; i < nr; i++) {
		struct klp_site_write *w = &writes[i];
		unsigned long addr = w->site->addr;
		unsigned long last = (addr + KLP_JUMP_SIZE - 1) & PAGE_MASK;

		if ((addr & PAGE_MASK) != page) {
			/* Fresh text on this hart as soon as it is written. */
			if (page)
				local_flush_icache_all();
			page = addr & PAGE_MASK;
			if (klp_map_text(page, FIX_TEXT_POKE0))
				used0 = true;
			else
				page = 0;
		}
		if (page && last != page && last != next) {
			next = last;
			if (klp_map_text(next, FIX_TEXT_POKE1))
				used1 = true;
			else
				next = 0;
		}
		if (!page || (last != page && last != next))
			err = -EFAULT;
		else
			err = copy_to_kernel_nofault(alias + offset_in_page(addr),
						     w->bytes, KLP_JUMP_SIZE);
		if (err)
			ret = err;
		else
			w->site->target = w->target;
	}

	if (used1)
		clear_fixmap(FIX_TEXT_POKE1);
	if (used0)
		clear_fixmap(FIX_TEXT_POKE0);
	local_flush_icache_all();
	return ret;
}

NOKPROBE_SYMBOL(arch_klp_patch_funcs);

/*
 * patch_insn_write() asserts text_mutex is held by the caller; inside
 * stop_machine it is held by the thread that stopped the machine.
 * Called with text_mutex held.
 */
void arch_klp_stop_machine_begin(void)
{
	riscv_patch_in_stop_machine = true;
}

void arch_klp_stop_machine_end(void)
{
	riscv_patch_in_stop_machine = false;
}

void arch_klp_flush_local_icache(void)
{
	local_flush_icache_all();
}

NOKPROBE_SYMBOL(arch_klp_flush_local_icache);

/*
 * Labels of the section being relocated that a livepatch relocation
 * section may name, besides the symbols livepatch resolves:
 * - a PCREL_LO12_I/S names the local label of its auipc:
 *   apply_relocate_add() finds the auipc's HI20 at that label in the same
 *   relocation section, and only the HI20 names the kernel symbol;
 * - the SUB of a difference ("key - ." of a __jump_table entry) names the
 *   place itself, and apply_relocate_add() sums it with the ADD on the
 *   kernel symbol only within one relocation section.
 */
bool arch_klp_rela_sym_is_local(const Elf_Shdr *relasec,
				const Elf_Rela *rela, const Elf_Sym *sym)
{
	if (sym->st_shndx != relasec->sh_info)
		return false;
	switch (ELF_RISCV_R_TYPE(rela->r_info)) {
	case R_RISCV_PCREL_LO12_I:
	case R_RISCV_PCREL_LO12_S:
	case R_RISCV_SUB32:
	case R_RISCV_SUB64:
		return true;
	default:
		return false;
	}
}
