// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kernel side of klpmake: what the build directory says about the
 * kernel, and one kbuild run of the module source in a scratch copy.
 *
 * modpost runs in warning mode (KBUILD_MODPOST_WARN=1): the symbols it
 * reports undefined are exactly those livepatch will resolve.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "klpmake.h"

#define BUILD_LOG	"klpmake-build.log"

/*
 * After an interrupt: the compilers kbuild started must be gone before
 * the scratch copy is removed (a second at most, then killed).
 */
static void stop_group(pid_t pgid)
{
	int i;

	for (i = 0; i < 100 && !kill(-pgid, 0); i++)
		usleep(10000);
	kill(-pgid, SIGKILL);
	for (i = 0; i < 100 && !kill(-pgid, 0); i++)
		usleep(10000);
}

/*
 * Run @argv in a process group of its own, which an interrupt stops; its
 * output goes to @log if given.  Returns the exit status, or -1.
 */
int klp_run(char *const argv[], const char *log)
{
	pid_t pid;
	int status, fd;

	if (klp_interrupted)
		return -1;

	pid = fork();
	if (pid < 0) {
		pr_err("fork: %m");
		return -1;
	}
	if (!pid) {
		setpgid(0, 0);
		if (log) {
			fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
			if (fd < 0)
				_exit(126);
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
			close(fd);
		}
		/*
		 * Variables of a make that runs klpmake (O=, KDIR=) must not
		 * reach kbuild: O= would move the kernel's build directory.
		 */
		unsetenv("MAKEFLAGS");
		unsetenv("MFLAGS");
		unsetenv("MAKELEVEL");
		unsetenv("MAKEOVERRIDES");
		execvp(argv[0], argv);
		_exit(127);
	}
	/* Either side may set the group first: no window for a signal. */
	setpgid(pid, pid);
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			pr_err("waitpid: %m");
			return -1;
		}
		if (klp_interrupted)
			kill(-pid, SIGTERM);
	}
	if (klp_interrupted) {
		stop_group(pid);
		return -1;
	}
	if (!WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* The first line of @path, without its newline; NULL if unreadable. */
static char *read_line(const char *path)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	FILE *f;

	f = fopen(path, "r");
	if (!f)
		return NULL;
	len = getline(&line, &cap, f);
	fclose(f);
	if (len <= 0) {
		free(line);
		return NULL;
	}
	line[strcspn(line, "\n")] = '\0';
	return line;
}

static bool config_set(const char *kdir, const char *opt)
{
	char *path = xasprintf("%s/.config", kdir);
	char *line = NULL, *want = xasprintf("%s=y\n", opt);
	size_t cap = 0;
	bool found = false;
	FILE *f;

	f = fopen(path, "r");
	while (f && !found && getline(&line, &cap, f) > 0)
		found = !strcmp(line, want);
	if (f)
		fclose(f);
	free(line);
	free(want);
	free(path);
	return found;
}

/* Read the release of the kernel in kb->kdir and the options we rely on. */
int kbuild_read_kernel(struct kbuild *kb)
{
	static const char *const need[] = {
		"Makefile", "vmlinux", "Module.symvers", ".config",
	};
	char *path;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(need); i++) {
		path = xasprintf("%s/%s", kb->kdir, need[i]);
		if (access(path, R_OK)) {
			pr_err("%s: %m: not a built kernel tree", path);
			free(path);
			return -1;
		}
		free(path);
	}
	path = xasprintf("%s/include/config/kernel.release", kb->kdir);
	kb->release = read_line(path);
	if (!kb->release || !*kb->release) {
		pr_err("%s: no kernel release: not a built kernel tree", path);
		free(path);
		return -1;
	}
	free(path);
	kb->kallsyms_all = config_set(kb->kdir, "CONFIG_KALLSYMS_ALL");
	kb->module_sections = config_set(kb->kdir, "CONFIG_MODULE_SECTIONS");
	kb->module_sig = config_set(kb->kdir, "CONFIG_MODULE_SIG");
	kb->per_task = config_set(kb->kdir,
				  "CONFIG_LIVEPATCH_WO_FTRACE_PER_TASK");
	if (!config_set(kb->kdir, "CONFIG_LIVEPATCH")) {
		pr_err("%s/.config: CONFIG_LIVEPATCH is not set", kb->kdir);
		return -1;
	}
	return 0;
}

/*
 * The length of "dir/name." in a line of modules.order, which names each
 * module as dir/name.o since v6.2 and as dir/name.ko before; 0 if the
 * line is neither.
 */
size_t modules_order_stem(const char *line)
{
	size_t len = strlen(line);

	if (len > 2 && !strcmp(line + len - 2, ".o"))
		return len - 1;
	if (len > 3 && !strcmp(line + len - 3, ".ko"))
		return len - 2;
	return 0;
}

/* The one module modules.order lists, as a .ko path. */
static char *built_module(const struct kbuild *kb)
{
	char *path = xasprintf("%s/modules.order", kb->scratch);
	char *line = NULL, *ko = NULL;
	size_t cap = 0, n = 0, stem;
	ssize_t len;
	FILE *f;

	f = fopen(path, "r");
	if (!f) {
		pr_err("%s: %m: kbuild built no module", path);
		free(path);
		return NULL;
	}
	while ((len = getline(&line, &cap, f)) > 0) {
		line[strcspn(line, "\n")] = '\0';
		if (!*line)
			continue;
		n++;
		stem = modules_order_stem(line);
		if (!ko && stem)
			ko = xasprintf("%s%s%.*sko", *line == '/' ? "" : kb->scratch,
				       *line == '/' ? "" : "/", (int)stem, line);
	}
	fclose(f);
	free(line);
	if (n != 1) {
		pr_err("%s: the source builds %zu modules, klpmake needs one",
		       path, n);
		free(ko);
		ko = NULL;
	} else if (!ko) {
		pr_err("%s: names no module (dir/name.o or dir/name.ko)", path);
	}
	free(path);
	return ko;
}

/*
 * The kbuild log on stderr, with the scratch copy's paths given as the
 * user's (@from replaced by @to), so that a compiler error names the
 * file the user edits.
 */
void klp_print_log(const char *log, const char *from, const char *to)
{
	size_t cap = 0, flen = strlen(from);
	char *line = NULL, *p, *hit;
	FILE *f;

	f = fopen(log, "r");
	if (!f)
		return;
	while (getline(&line, &cap, f) > 0) {
		for (p = line; (hit = strstr(p, from)); p = hit + flen)
			fprintf(stderr, "%.*s%s", (int)(hit - p), p, to);
		fputs(p, stderr);
	}
	free(line);
	fclose(f);
}

/*
 * The KCFLAGS= of the make command line: the user's KCFLAGS from the
 * environment, which a command-line KCFLAGS would hide, then @cflags.
 */
static char *kcflags(const char *cflags)
{
	const char *env = getenv("KCFLAGS");
	bool both = env && *env && cflags;

	return xasprintf("KCFLAGS=%s%s%s", env ? env : "", both ? " " : "",
			 cflags ? cflags : "");
}

/* make -C kdir M=scratch modules, its output to @log. */
static int run_kbuild(const struct kbuild *kb, const char *cflags,
		      const char *log)
{
	char *m = xasprintf("M=%s", kb->scratch);
	char *cross = xasprintf("CROSS_COMPILE=%s", kb->cross);
	char *kcf = kcflags(cflags);
	char *const make[] = {
		"make", "-C", (char *)kb->kdir, "ARCH=riscv", cross, m, kcf,
		"KBUILD_MODPOST_WARN=1", "modules", NULL,
	};
	int ret = klp_run(make, log);

	free(kcf);
	free(cross);
	free(m);
	return ret;
}

/*
 * Copy @srcdir to a scratch directory and build it there against kb->kdir
 * with modpost in warning mode, adding @cflags (may be NULL) to the
 * compiler's flags.  Sets kb->scratch and kb->ko.
 */
int kbuild_build(struct kbuild *kb, const char *srcdir, const char *cflags)
{
	const char *tmp = getenv("TMPDIR");
	char *from, *log;
	struct stat st;
	int ret = -1;

	if (stat(srcdir, &st) || !S_ISDIR(st.st_mode)) {
		pr_err("%s: not a module source directory", srcdir);
		return -1;
	}
	kb->scratch = xasprintf("%s/klpmake.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(kb->scratch)) {
		pr_err("%s: cannot create scratch directory: %m", kb->scratch);
		free(kb->scratch);
		kb->scratch = NULL;
		return -1;
	}
	from = xasprintf("%s/.", srcdir);
	{
		char *const cp[] = { "cp", "-a", from, kb->scratch, NULL };

		if (klp_run(cp, NULL)) {
			pr_err("%s: cannot copy to %s", srcdir, kb->scratch);
			free(from);
			return -1;
		}
	}
	free(from);

	log = xasprintf("%s/%s", kb->scratch, BUILD_LOG);
	if (run_kbuild(kb, cflags, log)) {
		if (klp_interrupted) {
			free(log);
			return -1;
		}
		klp_print_log(log, kb->scratch, srcdir);
		/* The log stays for the user, with the scratch copy. */
		kb->keep = true;
		pr_err("%s: kbuild failed (log above, kept in %s)", srcdir, log);
	} else {
		if (kb->verbose)
			klp_print_log(log, kb->scratch, srcdir);
		kb->ko = built_module(kb);
		ret = kb->ko ? 0 : -1;
	}
	free(log);
	return ret;
}

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		return rmdir(path);
	return unlink(path);
}

void klp_rmtree(const char *path)
{
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

void kbuild_cleanup(struct kbuild *kb)
{
	if (kb->scratch && !kb->keep)
		klp_rmtree(kb->scratch);
	else if (kb->scratch)
		fprintf(stderr, "klpmake: build kept in %s\n", kb->scratch);
	free(kb->scratch);
	free(kb->ko);
	free(kb->release);
	kb->scratch = NULL;
	kb->ko = NULL;
	kb->release = NULL;
}

/*
 * vmlinux must be the kernel the tree describes: its linux_banner says
 * "Linux version <kernel.release> ".
 */
/*
 * The build's UTS_VERSION ("#3 SMP <date>"), which the tree's last link
 * wrote and put in linux_banner; NULL if the tree has none.
 */
static char *uts_version(const char *kdir)
{
	static const char * const files[] = {
		"include/generated/utsversion.h",	/* 6.4 and later */
		"include/generated/compile.h",
	};
	static const char key[] = "#define UTS_VERSION \"";
	char *path, *line = NULL, *found = NULL, *end;
	size_t i, cap = 0;
	FILE *f;

	for (i = 0; i < ARRAY_SIZE(files) && !found; i++) {
		path = xasprintf("%s/%s", kdir, files[i]);
		f = fopen(path, "r");
		free(path);
		while (f && !found && getline(&line, &cap, f) > 0) {
			end = strrchr(line, '"');
			if (!strncmp(line, key, strlen(key)) &&
			    end > line + strlen(key))
				found = strndup(line + strlen(key),
						end - line - strlen(key));
		}
		if (f)
			fclose(f);
	}
	free(line);
	return found;
}

int kbuild_check_vmlinux(const struct kbuild *kb, const struct kelf *vmlinux)
{
	const struct kelf_sec *sec;
	const struct kelf_sym *s;
	char *want, *uts;
	size_t i, off;
	int ret = -1;

	for (i = 0; i < vmlinux->nsyms; i++)
		if (!strcmp(vmlinux->syms[i].name, "linux_banner"))
			break;
	if (i == vmlinux->nsyms) {
		pr_err("%s: no linux_banner: cannot tell its kernel release",
		       vmlinux->path);
		return -1;
	}
	s = &vmlinux->syms[i];
	if (s->st.st_shndx == SHN_UNDEF || s->st.st_shndx >= vmlinux->shnum)
		goto bad;
	sec = &vmlinux->secs[s->st.st_shndx];
	off = s->st.st_value - sec->sh.sh_addr;
	want = xasprintf("Linux version %s ", kb->release);
	if (sec->data && sec->data->d_buf && off < sec->data->d_size &&
	    sec->data->d_size - off > strlen(want) &&
	    !strncmp((char *)sec->data->d_buf + off, want, strlen(want)))
		ret = 0;
	free(want);
	if (ret)
		goto bad;
	/* Another build of the same release has another UTS_VERSION. */
	uts = uts_version(kb->kdir);
	if (uts && !memmem((char *)sec->data->d_buf + off,
			   strnlen((char *)sec->data->d_buf + off,
				   sec->data->d_size - off), uts, strlen(uts))) {
		pr_err("%s: kernel mismatch: its linux_banner lacks \"%s\", the UTS_VERSION of the tree's last build: another build of release %s",
		       vmlinux->path, uts, kb->release);
		ret = -1;
	}
	free(uts);
	return ret;
bad:
	pr_err("%s: kernel mismatch: its linux_banner is not release %s of include/config/kernel.release",
	       vmlinux->path, kb->release);
	return -1;
}

/*
 * The module was built for kb->release, is a livepatch module, and the
 * target module (if any) was built for the same kernel (same vermagic).
 */
int kbuild_check_module(const struct kbuild *kb, const struct kelf *mod,
			const struct kelf *target)
{
	const char *vm = kelf_modinfo(mod, "vermagic");
	const char *lp = kelf_modinfo(mod, "livepatch");
	size_t rlen = strlen(kb->release);
	const char *tvm;

	if (!vm || strncmp(vm, kb->release, rlen) || vm[rlen] != ' ') {
		pr_err("%s: kernel mismatch: vermagic '%s' is not release %s",
		       mod->path, vm ? vm : "(none)", kb->release);
		return -1;
	}
	if (!lp || strcmp(lp, "Y")) {
		pr_err("%s: not a livepatch module: add MODULE_INFO(livepatch, \"Y\")",
		       mod->path);
		return -1;
	}
	if (!target)
		return 0;
	tvm = kelf_modinfo(target, "vermagic");
	if (!tvm || strcmp(tvm, vm)) {
		pr_err("%s: kernel mismatch: vermagic '%s', the kernel's is '%s'",
		       target->path, tvm ? tvm : "(none)", vm);
		return -1;
	}
	return 0;
}
