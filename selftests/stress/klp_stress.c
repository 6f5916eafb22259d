// SPDX-License-Identifier: GPL-2.0-only
/*
 * The soak's driver, in the guest (make stress): enable and disable the
 * soak's patches CYCLES times in a fixed mix, while other processes fork,
 * exec and exit, take harts offline and online, switch the function
 * tracers, load and unload a patched module and read a patched /proc
 * file, and the target module's kthreads call, sleep in and probe the
 * patched functions.  Prints "stress: KEY VALUE" figures; exits non-zero
 * at the first patch operation that fails in a way the mix does not
 * expect, or if an answer came from a version that was not live.
 * Usage: klp_stress CYCLES MODDIR [quiet | unpatched]
 * quiet: no load at all, to measure what a cycle costs by itself.
 * unpatched: the load alone for CYCLES seconds and no patch at all, to
 * tell the kernel's own faults under this load from the port's.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define KLP		"/sys/kernel/livepatch"
#define STRESS_DBG	"/sys/kernel/debug/klp_stress"
#define TRACING		"/sys/kernel/tracing"
#define SAMPLE_TEXT	"this has been live patched\n"
/*
 * The load's pace: each worker sleeps this long between its steps.  On a
 * guest of 4 emulated harts on a 2-core host, a debug kernel under a load
 * without sleeps spends 20 s a cycle; these keep every worker busy all
 * along while the cycles still go through.
 */
#define PACE_FORK_MS	5
#define PACE_READ_MS	1
#define PACE_HOTPLUG_MS	1000
#define PACE_TRACER_MS	200
#define PACE_MODULE_MS	200

/* A transition that takes longer than this fails the soak. */
#define WAIT_LIMIT_MS	(10 * 60 * 1000)

/* The versions of klp_stress.h, a bit each in STRESS_DBG/live. */
enum {
	V_P1 = 1, V_P100, V_STACK_A, V_STACK_B, V_STACK_C,
	V_REPLACE_A, V_REPLACE_B, V_MOD, V_HOLD,
};

/* Figures the worker processes add to: shared memory. */
struct shared {
	int stop;
	int sample_live;
	long forks, execs, threads, autoreaped;
	long cmdline_reads, cmdline_wrong;
	long hotplug_events, hotplug_refused;
	long tracer_switches;
	long mod_loads, mod_load_errors;
};

static struct shared *sh;
static const char *moddir;
static unsigned long live = 1;
static long cycles, refused_by_kprobe, waited, reversals, forced;
static long longest_wait_ms;
/* Where the cycles' time went: loads, transitions, unloads. */
static long load_ms, transition_ms, unload_ms;

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("stress: error: ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	fflush(stdout);
	exit(1);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* write_file PATH TEXT: 0 or the errno of the write. */
static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY), err = 0;

	if (fd < 0)
		return errno;
	if (write(fd, text, strlen(text)) < 0)
		err = errno;
	close(fd);
	return err;
}

/* read_file PATH: its first line, "" if it cannot be read. */
static const char *read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n = -1;

	if (fd >= 0) {
		n = read(fd, buf, size - 1);
		close(fd);
	}
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static int load(const char *name, const char *params)
{
	char path[256];
	int fd, err = 0;

	long start = now_ms();

	snprintf(path, sizeof(path), "%s/%s.ko", moddir, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("%s: %s", path, strerror(errno));
	if (syscall(SYS_finit_module, fd, params, 0))
		err = errno;
	close(fd);
	load_ms += now_ms() - start;
	return err;
}

/* Unload; the module is put just after its patch's directory is gone. */
static void unload(const char *name)
{
	long start = now_ms();
	int tries;

	for (tries = 0; tries < 1000; tries++) {
		if (!syscall(SYS_delete_module, name, O_NONBLOCK)) {
			unload_ms += now_ms() - start;
			return;
		}
		if (errno != EAGAIN && errno != EBUSY)
			break;
		sleep_ms(1);
	}
	die("unloading %s: %s", name, strerror(errno));
}

static void set_live(unsigned long versions)
{
	char text[32];

	live = versions | 1;
	snprintf(text, sizeof(text), "%lu", live);
	if (write_file(STRESS_DBG "/live", text))
		die("writing %s/live", STRESS_DBG);
}

static void patch_path(char *path, size_t size, const char *patch, const char *file)
{
	snprintf(path, size, KLP "/%s%s%s", patch, file ? "/" : "", file ? file : "");
}

/* Until the transition of PATCH is over (or its directory gone). */
static void wait_transition(const char *patch, int gone)
{
	long start = now_ms(), ms;
	char path[256], buf[16];
	struct stat st;

	patch_path(path, sizeof(path), patch, gone ? NULL : "transition");
	for (;;) {
		if (gone ? stat(path, &st) != 0 :
		    strcmp(read_file(path, buf, sizeof(buf)), "0\n") == 0)
			break;
		ms = now_ms() - start;
		if (ms > WAIT_LIMIT_MS)
			die("%s: still in transition after %ld ms", patch, ms);
		sleep_ms(ms < 20 ? 1 : 10);
	}
	ms = now_ms() - start;
	transition_ms += ms;
	if (ms >= 20)
		waited++;
	if (ms > longest_wait_ms)
		longest_wait_ms = ms;
}

/*
 * Enable: load the patch module, its version live from just before.  A
 * kprobe of the target's prober in a jump window refuses it (EBUSY):
 * counted, and loaded again.
 */
static void enable(const char *name, int version)
{
	int err, tries;

	for (tries = 0; tries < 10000; tries++) {
		set_live(live | 1UL << version);
		err = load(name, "");
		if (!err)
			break;
		if (err != EBUSY)
			die("loading %s: %s", name, strerror(err));
		refused_by_kprobe++;
		sleep_ms(1);
	}
	if (err)
		die("loading %s: refused %d times", name, tries);
	wait_transition(name, 0);
}

static void disable(const char *name, int version, int unload_it)
{
	char path[256];
	int err;

	patch_path(path, sizeof(path), name, "enabled");
	err = write_file(path, "0");
	if (err)
		die("disabling %s: %s", name, strerror(err));
	wait_transition(name, 1);
	set_live(live & ~(1UL << version));
	if (unload_it)
		unload(name);
	cycles++;
}

static void one(const char *name, int version)
{
	enable(name, version);
	disable(name, version, 1);
}

/* Bottom, middle, top; the middle one goes first. */
static void stacked(void)
{
	enable("klp_stress_stack_a", V_STACK_A);
	enable("klp_stress_stack_b", V_STACK_B);
	enable("klp_stress_stack_c", V_STACK_C);
	disable("klp_stress_stack_b", V_STACK_B, 1);
	disable("klp_stress_stack_c", V_STACK_C, 1);
	disable("klp_stress_stack_a", V_STACK_A, 1);
}

/*
 * The second replaces the first, which then only needs unloading, once
 * the core has freed it (a work item queued when the transition ends).
 */
static void replace_chain(void)
{
	enable("klp_stress_replace_a", V_REPLACE_A);
	enable("klp_stress_replace_b", V_REPLACE_B);
	wait_transition("klp_stress_replace_a", 1);
	set_live(live & ~(1UL << V_REPLACE_A));
	unload("klp_stress_replace_a");
	cycles++;
	disable("klp_stress_replace_b", V_REPLACE_B, 1);
}

/* A kthread sleeps in klp_stress_hold(): the patch of it stays pending. */
static void hold_pending(const char *name)
{
	char path[256], buf[16];
	long start = now_ms();

	if (write_file(STRESS_DBG "/hold", "1"))
		die("starting the holder");
	while (strcmp(read_file(STRESS_DBG "/held", buf, sizeof(buf)), "1\n")) {
		if (now_ms() - start > 10000)
			die("the holder did not enter klp_stress_hold()");
		sleep_ms(1);
	}
	set_live(live | 1UL << V_HOLD);
	if (load(name, ""))
		die("loading %s", name);
	sleep_ms(50);
	patch_path(path, sizeof(path), name, "transition");
	if (strcmp(read_file(path, buf, sizeof(buf)), "1\n"))
		die("%s: not pending while a task sleeps in the function", name);
}

static void release_holder(void)
{
	if (write_file(STRESS_DBG "/release", "1"))
		die("releasing the holder");
}

static void reversal(void)
{
	hold_pending("klp_stress_hold_patch");
	disable("klp_stress_hold_patch", V_HOLD, 0);
	release_holder();
	unload("klp_stress_hold_patch");
	reversals++;
}

/* Once a run: a forced patch's module can never be unloaded (upstream). */
static void forced_patch(void)
{
	hold_pending("klp_stress_forced");
	if (write_file(KLP "/klp_stress_forced/force", "1"))
		die("forcing klp_stress_forced");
	wait_transition("klp_stress_forced", 0);
	release_holder();
	disable("klp_stress_forced", V_HOLD, 0);
	forced++;
}

static void sample_patch(void)
{
	int err;

	__atomic_store_n(&sh->sample_live, 1, __ATOMIC_SEQ_CST);
	err = load("livepatch-sample", "");
	if (err)
		die("loading livepatch-sample: %s", strerror(err));
	wait_transition("livepatch_sample", 0);
	if (write_file(KLP "/livepatch_sample/enabled", "0"))
		die("disabling livepatch_sample");
	wait_transition("livepatch_sample", 1);
	__atomic_store_n(&sh->sample_live, 0, __ATOMIC_SEQ_CST);
	unload("livepatch_sample");
	cycles++;
}

/* The workers: each a process that loops until told to stop. */
static void *thread_exit(void *arg)
{
	return arg;
}

static void fork_storm(void)
{
	pthread_t t[4];
	long n;
	int i;

	for (n = 0; !__atomic_load_n(&sh->stop, __ATOMIC_RELAXED); n++) {
		pid_t pid = fork();

		if (pid == 0) {
			if (n % 3 == 1) {
				execl("/bin/true", "true", (char *)NULL);
				_exit(1);
			}
			if (n % 3 == 2) {
				for (i = 0; i < 4; i++)
					pthread_create(&t[i], NULL, thread_exit, NULL);
				for (i = 0; i < 4; i++)
					pthread_join(t[i], NULL);
			}
			_exit(0);
		}
		if (pid > 0) {
			waitpid(pid, NULL, 0);
			sleep_ms(PACE_FORK_MS);
			__atomic_add_fetch(&sh->forks, 1, __ATOMIC_RELAXED);
			if (n % 3 == 1)
				__atomic_add_fetch(&sh->execs, 1, __ATOMIC_RELAXED);
			if (n % 3 == 2)
				__atomic_add_fetch(&sh->threads, 4, __ATOMIC_RELAXED);
		}
	}
}

/* Children nobody waits for: SIGCHLD ignored, the kernel reaps them. */
static void autoreaped(void)
{
	signal(SIGCHLD, SIG_IGN);
	while (!__atomic_load_n(&sh->stop, __ATOMIC_RELAXED)) {
		if (fork() == 0)
			_exit(0);
		__atomic_add_fetch(&sh->autoreaped, 1, __ATOMIC_RELAXED);
		sleep_ms(PACE_FORK_MS);
	}
}

static char boot_cmdline[4096];

static void cmdline_reader(void)
{
	char buf[4096];

	while (!__atomic_load_n(&sh->stop, __ATOMIC_RELAXED)) {
		int before = __atomic_load_n(&sh->sample_live, __ATOMIC_SEQ_CST), after;

		read_file("/proc/cmdline", buf, sizeof(buf));
		after = __atomic_load_n(&sh->sample_live, __ATOMIC_SEQ_CST);
		if (strcmp(buf, boot_cmdline) &&
		    (!(before || after) || strcmp(buf, SAMPLE_TEXT))) {
			__atomic_add_fetch(&sh->cmdline_wrong, 1, __ATOMIC_RELAXED);
			printf("stress: /proc/cmdline read '%s'\n", buf);
		}
		__atomic_add_fetch(&sh->cmdline_reads, 1, __ATOMIC_RELAXED);
		sleep_ms(PACE_READ_MS);
	}
}

static void hotplug(void)
{
	char path[64];
	int cpu;

	while (!__atomic_load_n(&sh->stop, __ATOMIC_RELAXED)) {
		for (cpu = 1; cpu < 4 && !__atomic_load_n(&sh->stop, __ATOMIC_RELAXED); cpu++) {
			snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online", cpu);
			if (write_file(path, "0")) {
				__atomic_add_fetch(&sh->hotplug_refused, 1, __ATOMIC_RELAXED);
				continue;
			}
			sleep_ms(20);
			/* A hart must come back: the soak needs all four. */
			while (write_file(path, "1"))
				sleep_ms(10);
			__atomic_add_fetch(&sh->hotplug_events, 2, __ATOMIC_RELAXED);
			sleep_ms(PACE_HOTPLUG_MS);
		}
	}
}

static void tracers(void)
{
	static const char * const names[] = { "function", "function_graph", "nop" };
	int i;

	for (i = 0; !__atomic_load_n(&sh->stop, __ATOMIC_RELAXED); i = (i + 1) % 3) {
		if (!write_file(TRACING "/current_tracer", names[i]))
			__atomic_add_fetch(&sh->tracer_switches, 1, __ATOMIC_RELAXED);
		sleep_ms(PACE_TRACER_MS);
	}
	write_file(TRACING "/current_tracer", "nop");
}

/* The patched module target, loaded and unloaded without pause. */
static void module_loop(void)
{
	int err;

	while (!__atomic_load_n(&sh->stop, __ATOMIC_RELAXED)) {
		err = load("klp_stress_mod", "");
		if (err) {
			__atomic_add_fetch(&sh->mod_load_errors, 1, __ATOMIC_RELAXED);
			printf("stress: loading klp_stress_mod: %s\n", strerror(err));
			sleep_ms(10);
			continue;
		}
		__atomic_add_fetch(&sh->mod_loads, 1, __ATOMIC_RELAXED);
		sleep_ms(PACE_MODULE_MS + rand() % PACE_MODULE_MS);
		while (syscall(SYS_delete_module, "klp_stress_mod", O_NONBLOCK))
			sleep_ms(1);
	}
}

static pid_t workers[16];
static int nr_workers;

static void start(void (*fn)(void))
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		fn();
		_exit(0);
	}
	workers[nr_workers++] = pid;
}

static int has_function_tracer(void)
{
	char buf[512];

	return strstr(read_file(TRACING "/available_tracers", buf, sizeof(buf)),
		      "function_graph") != NULL;
}

/* The kernel's count lines (calls, wrong, ...) as figures. */
static long target_counts(const char *key)
{
	char buf[1024], *p;
	size_t len = strlen(key);

	read_file(STRESS_DBG "/counts", buf, sizeof(buf));
	for (p = buf; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, key, len) && p[len] == ' ')
			return atol(p + len + 1);
	die("no '%s' in %s/counts", key, STRESS_DBG);
	return 0;
}

int main(int argc, char **argv)
{
	static const char * const probe_keys[] = {
		"probes_registered", "probes_refused_ebusy", "probes_refused_eilseq",
		"probes_other_error", "probes_saw_a_jump",
	};
	long target, start_ms, i;
	int err, w, tracing, quiet, unpatched;

	quiet = argc == 4 && !strcmp(argv[3], "quiet");
	unpatched = argc == 4 && !strcmp(argv[3], "unpatched");
	if (argc < 3 || argc > 4 || (argc == 4 && !quiet && !unpatched)) {
		fprintf(stderr, "usage: %s CYCLES MODDIR [quiet | unpatched]\n", argv[0]);
		return 2;
	}
	target = atol(argv[1]);
	moddir = argv[2];
	setvbuf(stdout, NULL, _IOLBF, 0);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	read_file("/proc/cmdline", boot_cmdline, sizeof(boot_cmdline));
	err = load("klp_stress_target",
		   quiet ? "callers=0 nappers=0 spawn=0 probe=0" : "");
	if (err)
		die("loading klp_stress_target: %s", strerror(err));

	tracing = has_function_tracer();
	start_ms = now_ms();
	if (!quiet) {
		start(fork_storm);
		start(autoreaped);
		start(cmdline_reader);
		start(cmdline_reader);
		start(hotplug);
		start(module_loop);
		if (tracing)
			start(tracers);
	}

	while (unpatched && now_ms() - start_ms < target * 1000) {
		sleep_ms(60000);
		printf("stress: progress unpatched, %ld s\n", (now_ms() - start_ms) / 1000);
	}
	/* The mix: 10 cycles a round; the forced patch once, first. */
	if (!unpatched) {
		enable("klp_stress_mod_patch", V_MOD);
		disable("klp_stress_mod_patch", V_MOD, 1);
		forced_patch();
	}
	for (i = 0; !unpatched && cycles < target; i++) {
		switch (i % 7) {
		case 0:
			one("klp_stress_p1", V_P1);
			break;
		case 1:
			one("klp_stress_p100", V_P100);
			break;
		case 2:
			stacked();
			break;
		case 3:
			replace_chain();
			break;
		case 4:
			one("klp_stress_mod_patch", V_MOD);
			break;
		case 5:
			reversal();
			break;
		default:
			sample_patch();
			break;
		}
		if (cycles / 1000 != (cycles - 1) / 1000 || i % 100 == 99)
			printf("stress: progress %ld cycles, %ld s\n", cycles,
			       (now_ms() - start_ms) / 1000);
	}

	__atomic_store_n(&sh->stop, 1, __ATOMIC_SEQ_CST);
	for (w = 0; w < nr_workers; w++)
		waitpid(workers[w], NULL, 0);
	syscall(SYS_delete_module, "klp_stress_mod", O_NONBLOCK);
	if (write_file(STRESS_DBG "/stop", "1"))
		die("stopping the target's load");

	printf("stress: cycles %ld\n", cycles);
	printf("stress: wall_s %ld\n", (now_ms() - start_ms) / 1000);
	printf("stress: calls_checked %ld\n", target_counts("calls") + sh->cmdline_reads);
	printf("stress: wrong_versions %ld\n", target_counts("wrong") + sh->cmdline_wrong);
	printf("stress: refused_by_kprobe %ld\n", refused_by_kprobe);
	for (w = 0; w < 5; w++)
		printf("stress: %s %ld\n", probe_keys[w], target_counts(probe_keys[w]));
	printf("stress: reversals %ld\n", reversals);
	printf("stress: forced %ld\n", forced);
	printf("stress: transitions_waited %ld\n", waited);
	printf("stress: longest_wait_ms %ld\n", longest_wait_ms);
	printf("stress: load_ms %ld\n", load_ms);
	printf("stress: transition_ms %ld\n", transition_ms);
	printf("stress: unload_ms %ld\n", unload_ms);
	printf("stress: kthreads_started %ld\n", target_counts("kthreads"));
	printf("stress: forks %ld\n", sh->forks);
	printf("stress: execs %ld\n", sh->execs);
	printf("stress: threads %ld\n", sh->threads);
	printf("stress: autoreaped %ld\n", sh->autoreaped);
	printf("stress: hotplug_events %ld\n", sh->hotplug_events);
	printf("stress: hotplug_refused %ld\n", sh->hotplug_refused);
	printf("stress: tracer_switches %ld\n", sh->tracer_switches);
	printf("stress: module_target_loads %ld\n", sh->mod_loads);
	printf("stress: module_target_load_errors %ld\n", sh->mod_load_errors);
	if (target_counts("wrong") || sh->cmdline_wrong)
		die("answers from versions that were not live");
	if (target_counts("probes_saw_a_jump") || target_counts("probes_other_error"))
		die("a kprobe coexisted with a jump, or failed unexpectedly");
	if (sh->mod_load_errors)
		die("the module target failed to load");
	return 0;
}
