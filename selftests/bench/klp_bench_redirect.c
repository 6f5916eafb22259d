// SPDX-License-Identifier: GPL-2.0-only
/*
 * The redirections live patching is compared with in make bench:
 * klp_bench_trivial and klp_bench_body sent to copies of themselves
 *   via=kprobe   by a kprobe at the entry whose handler rewrites the pc
 *                (what riscv offers today without live patching)
 *   via=ftrace   by an ftrace_ops handler that rewrites the pc (what
 *                upstream livepatch does on other architectures); needs
 *                CONFIG_DYNAMIC_FTRACE_WITH_ARGS
 */
#include <linux/ftrace.h>
#include <linux/kprobes.h>
#include <linux/module.h>

#include "klp_bench.h"

static char *via = "kprobe";
module_param(via, charp, 0400);
MODULE_PARM_DESC(via, "kprobe or ftrace");

static noinline unsigned long klp_bench_copy_trivial(unsigned long x)
{
	return x + 1;
}

static noinline unsigned long klp_bench_copy_body(unsigned long x)
{
	return klp_bench_hash(x);
}

/* Where a redirected call of @func goes. */
static unsigned long klp_bench_copy_of(unsigned long func)
{
	if (func == (unsigned long)klp_bench_trivial)
		return (unsigned long)klp_bench_copy_trivial;
	return (unsigned long)klp_bench_copy_body;
}

/* Resume at the copy: returning 1 skips the single-step. */
static int klp_bench_kprobe_pre(struct kprobe *p, struct pt_regs *regs)
{
	instruction_pointer_set(regs, klp_bench_copy_of((unsigned long)p->addr));
	return 1;
}

static struct kprobe klp_bench_kprobes[] = {
	{
		.symbol_name = "klp_bench_trivial",
		.pre_handler = klp_bench_kprobe_pre,
	}, {
		.symbol_name = "klp_bench_body",
		.pre_handler = klp_bench_kprobe_pre,
	},
};

static struct kprobe *klp_bench_kprobe_list[] = {
	&klp_bench_kprobes[0], &klp_bench_kprobes[1],
};

#ifdef CONFIG_DYNAMIC_FTRACE_WITH_ARGS
static void klp_bench_ftrace_handler(unsigned long ip, unsigned long parent_ip,
				     struct ftrace_ops *ops,
				     struct ftrace_regs *fregs)
{
	ftrace_regs_set_instruction_pointer(fregs, klp_bench_copy_of(ip));
}

static struct ftrace_ops klp_bench_ftrace_ops = {
	.func = klp_bench_ftrace_handler,
	.flags = FTRACE_OPS_FL_IPMODIFY,
};

static int klp_bench_ftrace_register(void)
{
	int ret;

	ret = ftrace_set_filter_ip(&klp_bench_ftrace_ops,
				   (unsigned long)klp_bench_trivial, 0, 0);
	if (!ret)
		ret = ftrace_set_filter_ip(&klp_bench_ftrace_ops,
					   (unsigned long)klp_bench_body, 0, 0);
	if (!ret)
		ret = register_ftrace_function(&klp_bench_ftrace_ops);
	if (ret)
		ftrace_free_filter(&klp_bench_ftrace_ops);
	return ret;
}

static void klp_bench_ftrace_unregister(void)
{
	unregister_ftrace_function(&klp_bench_ftrace_ops);
	ftrace_free_filter(&klp_bench_ftrace_ops);
}
#else
static int klp_bench_ftrace_register(void)
{
	pr_err("klp_bench_redirect: via=ftrace needs CONFIG_DYNAMIC_FTRACE_WITH_ARGS\n");
	return -EOPNOTSUPP;
}

static void klp_bench_ftrace_unregister(void)
{
}
#endif

static bool klp_bench_via_ftrace;

static int __init klp_bench_redirect_init(void)
{
	if (!strcmp(via, "ftrace")) {
		klp_bench_via_ftrace = true;
		return klp_bench_ftrace_register();
	}
	if (strcmp(via, "kprobe")) {
		pr_err("klp_bench_redirect: via=%s, expected kprobe or ftrace\n",
		       via);
		return -EINVAL;
	}
	return register_kprobes(klp_bench_kprobe_list,
				ARRAY_SIZE(klp_bench_kprobe_list));
}

static void __exit klp_bench_redirect_exit(void)
{
	if (klp_bench_via_ftrace)
		klp_bench_ftrace_unregister();
	else
		unregister_kprobes(klp_bench_kprobe_list,
				   ARRAY_SIZE(klp_bench_kprobe_list));
}

module_init(klp_bench_redirect_init);
module_exit(klp_bench_redirect_exit);
MODULE_DESCRIPTION("make bench: kprobe and ftrace redirections to compare with");
MODULE_LICENSE("GPL");
