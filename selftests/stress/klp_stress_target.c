// SPDX-License-Identifier: GPL-2.0-only
/*
 * Target module of the soak (make stress): the functions the soak's
 * patches replace, and the load that runs against them while they do.
 *
 *   callers=N  kthreads that call every function in turn, without end
 *   nappers=N  kthreads that sleep inside klp_stress_nap(), again and again
 *   spawn=1    a kthread that starts short-lived kthreads which call the
 *              functions, half of them ending on their own, half stopped
 *   probe=1    a kthread that registers kprobes inside and beside the
 *              jump windows of patched functions, and kretprobes on them
 *
 * Each call's answer must carry its argument and function, and a version
 * that was live at some time during the call: read before and after it,
 * from "live", which the soak's driver keeps up to date.
 *
 * In /sys/kernel/debug/klp_stress/:
 *   live     (read/write) the versions live now, a bit each
 *   counts   (read) calls, wrong answers, kthreads started, probes
 *   hold     (write) start a kthread that sleeps in klp_stress_hold()
 *   held     (read) 1 while it is inside
 *   release  (write) let it leave
 *   text_changed (read) the functions whose first bytes differ from
 *            what they were when this module loaded
 *   stop     (write) stop the callers, nappers, spawner and prober
 */
#include <linux/completion.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/kprobes.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/wait.h>

#include "klp_stress.h"

/* The bytes kept to compare: the jump window, after ftrace's if any. */
#define KLP_STRESS_KEPT_BYTES	16
/* Where the jump goes: after ftrace's entry in C, at the entry in asm. */
#define KLP_STRESS_C_SITE	(IS_ENABLED(CONFIG_DYNAMIC_FTRACE) ? 8 : 0)

static unsigned int callers = 4;
module_param(callers, uint, 0400);
MODULE_PARM_DESC(callers, "kthreads calling every function");
static unsigned int nappers = 2;
module_param(nappers, uint, 0400);
MODULE_PARM_DESC(nappers, "kthreads sleeping inside klp_stress_nap()");
static bool spawn = true;
module_param(spawn, bool, 0400);
MODULE_PARM_DESC(spawn, "start short-lived kthreads");
static bool probe = true;
module_param(probe, bool, 0400);
MODULE_PARM_DESC(probe, "register kprobes on the patched functions");

asm(KLP_STRESS_GEN_FNS("klp_stress_fn_", 0));

noinline unsigned long klp_stress_nap(unsigned long x)
{
	usleep_range(20, 50);
	return KLP_STRESS_VALUE(x, KLP_STRESS_NAP, KLP_STRESS_ORIGINAL);
}

static DECLARE_COMPLETION(klp_stress_released);
static int klp_stress_held;

noinline void klp_stress_hold(void)
{
	WRITE_ONCE(klp_stress_held, 1);
	wait_for_completion(&klp_stress_released);
	WRITE_ONCE(klp_stress_held, 0);
}

/* The functions the callers call: the hundred, then the nap. */
static klp_stress_fn_t klp_stress_fn(unsigned int fn)
{
	return fn < KLP_STRESS_NR_FNS ? klp_stress_fn_table[fn] : klp_stress_nap;
}

static unsigned long klp_stress_live = BIT(KLP_STRESS_ORIGINAL);

unsigned long klp_stress_live_versions(void)
{
	return READ_ONCE(klp_stress_live);
}
EXPORT_SYMBOL_GPL(klp_stress_live_versions);

static atomic_long_t klp_stress_calls;
static atomic_long_t klp_stress_wrong;

void klp_stress_count(unsigned long calls, unsigned long wrong)
{
	atomic_long_add(calls, &klp_stress_calls);
	atomic_long_add(wrong, &klp_stress_wrong);
}
EXPORT_SYMBOL_GPL(klp_stress_count);

/* One checked call of function fn; returns 1 if the answer was wrong. */
static int klp_stress_call(unsigned int fn, unsigned long x)
{
	unsigned long before, after, got, ver;

	before = klp_stress_live_versions();
	got = klp_stress_fn(fn)(x);
	after = klp_stress_live_versions();
	ver = got & 0xff;
	if (got >> 16 == x && ((got >> 8) & 0xff) == fn &&
	    ver < BITS_PER_LONG && ((before | after) & BIT(ver)))
		return 0;
	pr_err_ratelimited("klp_stress: function %u answered %#lx to %#lx, live versions %#lx then %#lx\n",
			   fn, got, x, before, after);
	return 1;
}

/* Every function once; the caller sleeps between passes. */
static void klp_stress_pass(unsigned long *x)
{
	unsigned long wrong = 0;
	unsigned int fn;

	for (fn = 0; fn < KLP_STRESS_NR_FNS; fn++)
		wrong += klp_stress_call(fn, (*x)++ & 0xffff);
	klp_stress_count(KLP_STRESS_NR_FNS, wrong);
}

static int klp_stress_caller(void *data)
{
	unsigned long x = (unsigned long)data;

	while (!kthread_should_stop()) {
		klp_stress_pass(&x);
		usleep_range(1000, 2000);
	}
	return 0;
}

static int klp_stress_napper(void *data)
{
	unsigned long x = 0;

	while (!kthread_should_stop()) {
		klp_stress_count(1, klp_stress_call(KLP_STRESS_NAP, x++ & 0xffff));
		usleep_range(500, 1000);
	}
	return 0;
}

/*
 * Short-lived kthreads that end on their own are counted, from a bias of
 * one that unloading drops, and end through the kernel's exit without
 * returning into this module's text, so that unloading can wait for the
 * last.  The stopped ones need no count: their kthread_stop() waits (and
 * one stopped before it ran never runs this).
 */
static atomic_t klp_stress_short_lived = ATOMIC_INIT(1);
static DECLARE_COMPLETION(klp_stress_short_lived_done);
static atomic_long_t klp_stress_kthreads;

static int klp_stress_short(void *data)
{
	unsigned long x = 0;

	klp_stress_pass(&x);
	if (data) {
		while (!kthread_should_stop())
			usleep_range(50, 100);
		return 0;
	}
	if (atomic_dec_and_test(&klp_stress_short_lived))
		kthread_complete_and_exit(&klp_stress_short_lived_done, 0);
	kthread_exit(0);
}

static int klp_stress_spawner(void *data)
{
	struct task_struct *t;
	unsigned long n = 0;

	while (!kthread_should_stop()) {
		bool stopped = n++ & 1;

		if (!stopped)
			atomic_inc(&klp_stress_short_lived);
		t = kthread_create(klp_stress_short, (void *)stopped,
				   "klp_stress_short");
		if (IS_ERR(t)) {
			if (!stopped)
				atomic_dec(&klp_stress_short_lived);
			msleep(20);
			continue;
		}
		if (stopped)
			get_task_struct(t);
		wake_up_process(t);
		atomic_long_inc(&klp_stress_kthreads);
		usleep_range(5000, 10000);
		if (stopped) {
			kthread_stop(t);
			put_task_struct(t);
		}
	}
	return 0;
}

/*
 * The kprobes: inside the jump window of a function that patches come and
 * go, beside it, and kretprobes on its entry.  Registration may be refused
 * (EBUSY: patched; EILSEQ: not an original instruction boundary), but a
 * probe in the window that was accepted must never see a jump there.
 */
enum klp_stress_probe_result {
	KLP_STRESS_PROBE_OK,
	KLP_STRESS_PROBE_EBUSY,
	KLP_STRESS_PROBE_EILSEQ,
	KLP_STRESS_PROBE_OTHER,
	KLP_STRESS_PROBE_JUMP_SEEN,
	KLP_STRESS_PROBE_NR
};

static const char * const klp_stress_probe_names[KLP_STRESS_PROBE_NR] = {
	"probes_registered", "probes_refused_ebusy", "probes_refused_eilseq",
	"probes_other_error", "probes_saw_a_jump",
};

static atomic_long_t klp_stress_probes[KLP_STRESS_PROBE_NR];

static int klp_stress_probe_hit(struct kprobe *p, struct pt_regs *regs)
{
	return 0;
}

static int klp_stress_ret_hit(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	return 0;
}

/* Does the site of fn hold a jump (its auipc)? */
static bool klp_stress_site_jumps(klp_stress_fn_t fn, unsigned int site)
{
	u16 half;

	copy_from_kernel_nofault(&half, (u8 *)fn + site, sizeof(half));
	return (half & 0x7f) == 0x17;
}

/* The first instruction boundary at or after offset off of fn. */
static unsigned int klp_stress_boundary(klp_stress_fn_t fn, unsigned int off)
{
	unsigned int at = 0;
	u16 half;

	while (at < off) {
		copy_from_kernel_nofault(&half, (u8 *)fn + at, sizeof(half));
		at += (half & 3) == 3 ? 4 : 2;
	}
	return at;
}

static void klp_stress_probe_once(unsigned int fn, unsigned int kind)
{
	static struct kretprobe rp;
	static struct kprobe kp;
	unsigned int site = fn < KLP_STRESS_NR_FNS ? 0 : KLP_STRESS_C_SITE;
	bool in_window = true;
	int ret, res;

	memset(&kp, 0, sizeof(kp));
	memset(&rp, 0, sizeof(rp));
	switch (kind) {
	case 0:		/* inside the window, after its first instruction */
		kp.addr = (void *)((u8 *)klp_stress_fn(fn) +
				   klp_stress_boundary(klp_stress_fn(fn), site + 1));
		break;
	case 1:		/* beside it */
		kp.addr = (void *)((u8 *)klp_stress_fn(fn) +
				   klp_stress_boundary(klp_stress_fn(fn), site + 8));
		in_window = false;
		break;
	default:	/* on the entry, as a kretprobe */
		rp.kp.addr = (void *)klp_stress_fn(fn);
		rp.handler = klp_stress_ret_hit;
		rp.maxactive = 8;
		in_window = !site;
		break;
	}
	kp.pre_handler = klp_stress_probe_hit;
	ret = kind < 2 ? register_kprobe(&kp) : register_kretprobe(&rp);
	switch (ret) {
	case 0:
		res = KLP_STRESS_PROBE_OK;
		break;
	case -EBUSY:
		res = KLP_STRESS_PROBE_EBUSY;
		break;
	case -EILSEQ:
		res = KLP_STRESS_PROBE_EILSEQ;
		break;
	default:
		pr_err_ratelimited("klp_stress: probe kind %u on function %u: error %d\n",
				   kind, fn, ret);
		res = KLP_STRESS_PROBE_OTHER;
		break;
	}
	atomic_long_inc(&klp_stress_probes[res]);
	if (ret)
		return;
	usleep_range(100, 300);
	if (in_window && klp_stress_site_jumps(klp_stress_fn(fn), site)) {
		pr_err("klp_stress: a jump at function %u while a probe is in its window\n",
		       fn);
		atomic_long_inc(&klp_stress_probes[KLP_STRESS_PROBE_JUMP_SEEN]);
	}
	if (kind < 2)
		unregister_kprobe(&kp);
	else
		unregister_kretprobe(&rp);
}

/* Functions that patches of the soak replace: p1, stacks, replace, p100. */
static const unsigned int klp_stress_probed[] = { 0, 1, 3, 50, KLP_STRESS_NAP };

static int klp_stress_prober(void *data)
{
	unsigned long n = 0;

	while (!kthread_should_stop()) {
		klp_stress_probe_once(klp_stress_probed[n % ARRAY_SIZE(klp_stress_probed)],
				      (n / ARRAY_SIZE(klp_stress_probed)) % 3);
		n++;
		usleep_range(1000, 2000);
	}
	return 0;
}

static int klp_stress_holder(void *data)
{
	klp_stress_hold();
	return 0;
}

static u8 klp_stress_kept[KLP_STRESS_NR_FNS + 2][KLP_STRESS_KEPT_BYTES];

static const void *klp_stress_kept_fn(unsigned int i)
{
	return i <= KLP_STRESS_NR_FNS ? (const void *)klp_stress_fn(i) :
		(const void *)klp_stress_hold;
}

static int klp_stress_counts_show(struct seq_file *m, void *v)
{
	unsigned int i;

	seq_printf(m, "calls %ld\n", atomic_long_read(&klp_stress_calls));
	seq_printf(m, "wrong %ld\n", atomic_long_read(&klp_stress_wrong));
	seq_printf(m, "kthreads %ld\n", atomic_long_read(&klp_stress_kthreads));
	for (i = 0; i < KLP_STRESS_PROBE_NR; i++)
		seq_printf(m, "%s %ld\n", klp_stress_probe_names[i],
			   atomic_long_read(&klp_stress_probes[i]));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(klp_stress_counts);

static int klp_stress_text_changed_get(void *data, u64 *val)
{
	unsigned int i;

	*val = 0;
	for (i = 0; i < ARRAY_SIZE(klp_stress_kept); i++) {
		const void *fn = klp_stress_kept_fn(i);

		if (!memcmp(klp_stress_kept[i], fn, KLP_STRESS_KEPT_BYTES))
			continue;
		/* Which, and how: the count alone does not tell a probe from a jump. */
		pr_err("klp_stress: %ps was %*ph at load, now %*ph\n", fn,
		       KLP_STRESS_KEPT_BYTES, klp_stress_kept[i],
		       KLP_STRESS_KEPT_BYTES, fn);
		(*val)++;
	}
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(klp_stress_text_changed_fops,
			 klp_stress_text_changed_get, NULL, "%llu\n");

static int klp_stress_live_get(void *data, u64 *val)
{
	*val = klp_stress_live_versions();
	return 0;
}

static int klp_stress_live_set(void *data, u64 val)
{
	WRITE_ONCE(klp_stress_live, val | BIT(KLP_STRESS_ORIGINAL));
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(klp_stress_live_fops, klp_stress_live_get,
			 klp_stress_live_set, "%#llx\n");

static struct task_struct *klp_stress_holder_task;

static int klp_stress_hold_set(void *data, u64 val)
{
	struct task_struct *t;

	if (klp_stress_holder_task)
		return -EBUSY;
	reinit_completion(&klp_stress_released);
	t = kthread_run(klp_stress_holder, NULL, "klp_stress_holder");
	if (IS_ERR(t))
		return PTR_ERR(t);
	get_task_struct(t);
	klp_stress_holder_task = t;
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(klp_stress_hold_fops, NULL, klp_stress_hold_set, "%llu\n");

static int klp_stress_held_get(void *data, u64 *val)
{
	*val = READ_ONCE(klp_stress_held);
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(klp_stress_held_fops, klp_stress_held_get, NULL, "%llu\n");

/* Lets the holder go and waits until it has ended. */
static void klp_stress_release_holder(void)
{
	if (!klp_stress_holder_task)
		return;
	complete(&klp_stress_released);
	kthread_stop(klp_stress_holder_task);
	put_task_struct(klp_stress_holder_task);
	klp_stress_holder_task = NULL;
}

static int klp_stress_release_set(void *data, u64 val)
{
	klp_stress_release_holder();
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(klp_stress_release_fops, NULL, klp_stress_release_set, "%llu\n");

static struct task_struct **klp_stress_tasks;
static unsigned int klp_stress_nr_tasks;
static struct dentry *klp_stress_dir;

static int klp_stress_start(int (*fn)(void *data), void *data, const char *name)
{
	struct task_struct *t = kthread_run(fn, data, "%s", name);

	if (IS_ERR(t))
		return PTR_ERR(t);
	klp_stress_tasks[klp_stress_nr_tasks++] = t;
	return 0;
}

static DEFINE_MUTEX(klp_stress_stop_lock);
static bool klp_stress_stopped;

/* Stop the load, once: on a write to "stop", or at unload. */
static void klp_stress_stop_all(void)
{
	guard(mutex)(&klp_stress_stop_lock);
	if (klp_stress_stopped)
		return;
	klp_stress_stopped = true;
	while (klp_stress_nr_tasks)
		kthread_stop(klp_stress_tasks[--klp_stress_nr_tasks]);
	if (!atomic_dec_and_test(&klp_stress_short_lived))
		wait_for_completion(&klp_stress_short_lived_done);
	klp_stress_release_holder();
}

/*
 * The driver stops the load before it compares the text: a probe of the
 * prober's in a jump window changes the bytes as long as it is there.
 */
static int klp_stress_stop_set(void *data, u64 val)
{
	klp_stress_stop_all();
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(klp_stress_stop_fops, NULL, klp_stress_stop_set, "%llu\n");

static int __init klp_stress_target_init(void)
{
	unsigned int i;
	int ret = 0;

	for (i = 0; i < ARRAY_SIZE(klp_stress_kept); i++)
		memcpy(klp_stress_kept[i], klp_stress_kept_fn(i),
		       KLP_STRESS_KEPT_BYTES);
	klp_stress_dir = debugfs_create_dir("klp_stress", NULL);
	debugfs_create_file("live", 0600, klp_stress_dir, NULL, &klp_stress_live_fops);
	debugfs_create_file("counts", 0400, klp_stress_dir, NULL, &klp_stress_counts_fops);
	debugfs_create_file("hold", 0200, klp_stress_dir, NULL, &klp_stress_hold_fops);
	debugfs_create_file("held", 0400, klp_stress_dir, NULL, &klp_stress_held_fops);
	debugfs_create_file("release", 0200, klp_stress_dir, NULL, &klp_stress_release_fops);
	debugfs_create_file("text_changed", 0400, klp_stress_dir, NULL,
			    &klp_stress_text_changed_fops);
	debugfs_create_file("stop", 0200, klp_stress_dir, NULL, &klp_stress_stop_fops);

	klp_stress_tasks = kcalloc(callers + nappers + 2, sizeof(*klp_stress_tasks),
				   GFP_KERNEL);
	if (!klp_stress_tasks) {
		debugfs_remove_recursive(klp_stress_dir);
		return -ENOMEM;
	}
	for (i = 0; i < callers && !ret; i++)
		ret = klp_stress_start(klp_stress_caller, (void *)(i * 0x1000UL),
				       "klp_stress_caller");
	for (i = 0; i < nappers && !ret; i++)
		ret = klp_stress_start(klp_stress_napper, NULL, "klp_stress_napper");
	if (spawn && !ret)
		ret = klp_stress_start(klp_stress_spawner, NULL, "klp_stress_spawner");
	if (probe && !ret)
		ret = klp_stress_start(klp_stress_prober, NULL, "klp_stress_prober");
	if (ret) {
		klp_stress_stop_all();
		kfree(klp_stress_tasks);
		debugfs_remove_recursive(klp_stress_dir);
	}
	return ret;
}

static void __exit klp_stress_target_exit(void)
{
	klp_stress_stop_all();
	kfree(klp_stress_tasks);
	debugfs_remove_recursive(klp_stress_dir);
}

module_init(klp_stress_target_init);
module_exit(klp_stress_target_exit);
MODULE_DESCRIPTION("live patching soak: the target and the load against it");
MODULE_LICENSE("GPL");
