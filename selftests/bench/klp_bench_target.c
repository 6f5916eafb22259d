// SPDX-License-Identifier: GPL-2.0-only
/*
 * Target module of make bench.
 *
 *   threads=N   (load) N kthreads that sleep for as long as it is loaded
 *   hold=1      (load) a kthread that sleeps inside klp_bench_hold() until
 *               released: a patch of it stays in transition, with this
 *               task not switched (the per-task model)
 *   klp_bench_fn_0 .. klp_bench_fn_999     what a bench patch replaces
 *   klp_bench_trivial, klp_bench_body      whose calls are timed
 *
 * In /sys/kernel/debug/klp_bench/:
 *   calls       (read) ps per call of klp_bench_trivial and klp_bench_body
 *               as they are now, and of the patch's new functions called
 *               directly when a patch registered them; and the reading
 *               task's patch_state
 *   calls_held  (read) the same two timed by the hold kthread, from inside
 *               klp_bench_hold(), with its patch_state
 *   release     (write) the hold kthread leaves klp_bench_hold()
 *   empty_stop  (read) an empty stop_machine rendezvous, timed like
 *               live patching's: stop_machine called -> all harts
 *               parked -> released -> the last hart left (after its
 *               fence.i)
 */
#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/stop_machine.h>
#include <linux/timekeeping.h>
#include <linux/wait.h>
#include <asm/cacheflush.h>

#include "klp_bench.h"

#define KLP_BENCH_LOOPS	100000

static unsigned int threads;
module_param(threads, uint, 0400);
MODULE_PARM_DESC(threads, "sleeping kthreads to start");

static bool hold;
module_param(hold, bool, 0400);
MODULE_PARM_DESC(hold, "start a kthread that sleeps in klp_bench_hold()");

static struct task_struct **klp_bench_sleepers;
static unsigned int klp_bench_nr_sleepers;
static DECLARE_WAIT_QUEUE_HEAD(klp_bench_wait);
static struct dentry *klp_bench_dir;

static struct task_struct *klp_bench_holder;
static DECLARE_WAIT_QUEUE_HEAD(klp_bench_hold_wait);
static DECLARE_COMPLETION(klp_bench_held_done);
static bool klp_bench_held_request;
static bool klp_bench_released;
static u64 klp_bench_held_ps[2];

/* The patch's new functions, for the "called directly" rows. */
static klp_bench_fn_t klp_bench_new_trivial;
static klp_bench_fn_t klp_bench_new_body;

asm(KLP_BENCH_GEN_FNS("klp_bench_fn_"));

noinline unsigned long klp_bench_trivial(unsigned long x)
{
	return x + 1;
}
EXPORT_SYMBOL_GPL(klp_bench_trivial);

noinline unsigned long klp_bench_body(unsigned long x)
{
	return klp_bench_hash(x);
}
EXPORT_SYMBOL_GPL(klp_bench_body);

void klp_bench_set_new(klp_bench_fn_t trivial, klp_bench_fn_t body)
{
	WRITE_ONCE(klp_bench_new_trivial, trivial);
	WRITE_ONCE(klp_bench_new_body, body);
}
EXPORT_SYMBOL_GPL(klp_bench_set_new);

/*
 * Picoseconds per call of @fn, called through a pointer, interrupts off
 * so that only the calls are counted.  Under -icount the clock counts
 * instructions, in steps of the 10 MHz timebase: 100000 calls make the
 * step 0.001 ns per call.
 */
static u64 klp_bench_time_calls(klp_bench_fn_t fn)
{
	unsigned long flags, acc = 0;
	unsigned int i;
	u64 start, end;

	/* A real call each time: the compiler must not see which function. */
	OPTIMIZER_HIDE_VAR(fn);
	local_irq_save(flags);
	start = ktime_get_mono_fast_ns();
	for (i = 0; i < KLP_BENCH_LOOPS; i++)
		acc = fn(acc);
	end = ktime_get_mono_fast_ns();
	local_irq_restore(flags);
	/* Keep the result alive. */
	OPTIMIZER_HIDE_VAR(acc);
	return (end - start) * 1000 / KLP_BENCH_LOOPS;
}

static int klp_bench_calls_show(struct seq_file *m, void *v)
{
	klp_bench_fn_t trivial = READ_ONCE(klp_bench_new_trivial);
	klp_bench_fn_t body = READ_ONCE(klp_bench_new_body);

	seq_printf(m, "trivial_ps %llu\n",
		   klp_bench_time_calls(klp_bench_trivial));
	seq_printf(m, "body_ps %llu\n", klp_bench_time_calls(klp_bench_body));
	if (trivial && body) {
		seq_printf(m, "trivial_new_ps %llu\n",
			   klp_bench_time_calls(trivial));
		seq_printf(m, "body_new_ps %llu\n", klp_bench_time_calls(body));
	}
	seq_printf(m, "patch_state %d\n", current->patch_state);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(klp_bench_calls);

/*
 * Where the hold kthread sleeps.  A patch of it waits for this task; the
 * calls it times meanwhile are those of a task not yet switched.
 */
noinline void klp_bench_hold(void)
{
	while (!wait_event_interruptible(klp_bench_hold_wait,
					 READ_ONCE(klp_bench_held_request) ||
					 READ_ONCE(klp_bench_released))) {
		if (READ_ONCE(klp_bench_released))
			return;
		klp_bench_held_ps[0] = klp_bench_time_calls(klp_bench_trivial);
		klp_bench_held_ps[1] = klp_bench_time_calls(klp_bench_body);
		WRITE_ONCE(klp_bench_held_request, false);
		complete(&klp_bench_held_done);
	}
}
EXPORT_SYMBOL_GPL(klp_bench_hold);

static int klp_bench_holder_fn(void *data)
{
	klp_bench_hold();
	wait_event(klp_bench_hold_wait, kthread_should_stop());
	return 0;
}

static int klp_bench_calls_held_show(struct seq_file *m, void *v)
{
	if (!klp_bench_holder || READ_ONCE(klp_bench_released))
		return -ENODEV;
	WRITE_ONCE(klp_bench_held_request, true);
	wake_up(&klp_bench_hold_wait);
	wait_for_completion(&klp_bench_held_done);
	seq_printf(m, "trivial_ps %llu\n", klp_bench_held_ps[0]);
	seq_printf(m, "body_ps %llu\n", klp_bench_held_ps[1]);
	seq_printf(m, "patch_state %d\n", klp_bench_holder->patch_state);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(klp_bench_calls_held);

static void klp_bench_release_holder(void)
{
	WRITE_ONCE(klp_bench_released, true);
	wake_up(&klp_bench_hold_wait);
}

static ssize_t klp_bench_release_write(struct file *file,
				       const char __user *buf, size_t count,
				       loff_t *ppos)
{
	klp_bench_release_holder();
	return count;
}

static const struct file_operations klp_bench_release_fops = {
	.write = klp_bench_release_write,
};

struct klp_bench_rendezvous {
	atomic_t arrived;
	atomic_t left;
	bool released;
	u64 parked;
	u64 released_ns;
	u64 left_ns;
};

/* What live patching's rendezvous does, minus the check and the writes. */
static int klp_bench_empty_fn(void *data)
{
	struct klp_bench_rendezvous *r = data;

	if (atomic_inc_return(&r->arrived) == num_online_cpus()) {
		r->parked = ktime_get_mono_fast_ns();
		r->released_ns = ktime_get_mono_fast_ns();
		/* Publish the timestamps before releasing the others. */
		smp_store_release(&r->released, true);
	} else {
		/* Pairs with the release above. */
		while (!smp_load_acquire(&r->released))
			cpu_relax();
	}
	local_flush_icache_all();
	if (atomic_inc_return(&r->left) == num_online_cpus())
		r->left_ns = ktime_get_mono_fast_ns();
	return 0;
}

static int klp_bench_empty_stop_show(struct seq_file *m, void *v)
{
	struct klp_bench_rendezvous r = { };
	u64 enter;
	int ret;

	enter = ktime_get_mono_fast_ns();
	ret = stop_machine(klp_bench_empty_fn, &r, cpu_online_mask);
	if (ret)
		return ret;
	seq_printf(m, "enter_to_parked_ns %llu\n", r.parked - enter);
	seq_printf(m, "critical_ns %llu\n", r.released_ns - r.parked);
	seq_printf(m, "left_after_written_ns %llu\n", r.left_ns - r.released_ns);
	seq_printf(m, "end_to_end_ns %llu\n", r.left_ns - enter);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(klp_bench_empty_stop);

static int klp_bench_sleeper(void *data)
{
	wait_event_interruptible(klp_bench_wait, kthread_should_stop());
	return 0;
}

static void klp_bench_stop_sleepers(void)
{
	while (klp_bench_nr_sleepers)
		kthread_stop(klp_bench_sleepers[--klp_bench_nr_sleepers]);
	kvfree(klp_bench_sleepers);
}

static int __init klp_bench_target_init(void)
{
	struct task_struct *t;

	klp_bench_sleepers = kvcalloc(threads, sizeof(*klp_bench_sleepers),
				      GFP_KERNEL);
	if (threads && !klp_bench_sleepers)
		return -ENOMEM;
	while (klp_bench_nr_sleepers < threads) {
		t = kthread_run(klp_bench_sleeper, NULL, "klp_bench/%u",
				klp_bench_nr_sleepers);
		if (IS_ERR(t)) {
			klp_bench_stop_sleepers();
			return PTR_ERR(t);
		}
		klp_bench_sleepers[klp_bench_nr_sleepers++] = t;
	}
	if (hold) {
		t = kthread_run(klp_bench_holder_fn, NULL, "klp_bench_hold");
		if (IS_ERR(t)) {
			klp_bench_stop_sleepers();
			return PTR_ERR(t);
		}
		klp_bench_holder = t;
	}

	klp_bench_dir = debugfs_create_dir("klp_bench", NULL);
	debugfs_create_file("calls", 0400, klp_bench_dir, NULL,
			    &klp_bench_calls_fops);
	debugfs_create_file("empty_stop", 0400, klp_bench_dir, NULL,
			    &klp_bench_empty_stop_fops);
	debugfs_create_file("calls_held", 0400, klp_bench_dir, NULL,
			    &klp_bench_calls_held_fops);
	debugfs_create_file("release", 0200, klp_bench_dir, NULL,
			    &klp_bench_release_fops);
	return 0;
}

static void __exit klp_bench_target_exit(void)
{
	debugfs_remove_recursive(klp_bench_dir);
	if (klp_bench_holder) {
		klp_bench_release_holder();
		kthread_stop(klp_bench_holder);
	}
	klp_bench_stop_sleepers();
}

module_init(klp_bench_target_init);
module_exit(klp_bench_target_exit);
MODULE_DESCRIPTION("make bench: target functions, sleeping threads, timed calls");
MODULE_LICENSE("GPL");
