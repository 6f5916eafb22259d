// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host tests of klpmake, printed as KTAP.
 *
 * klpmake_test -b KLPMAKE -k KDIR -c CROSS_COMPILE -f FIXTURES
 *              -t SELFTEST_MODULES -w WORKDIR
 *
 * Each bad input must make klpmake exit non-zero with a message naming the
 * symbol (or file) and the reason, and leave no output file.  Each good
 * input must give a module whose livepatch sections and symbols follow
 * module-elf-format.rst, read back here with libelf.  The target module of
 * the module test is klp_test_target from the guest selftests, built in
 * WORKDIR.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define SHF_RELA_LIVEPATCH	0x00100000
#define SHN_LIVEPATCH		0xff20
#define MAX_ARGS		32
/* offsetof(struct klp_func, old_sympos) on riscv64: after two pointers */
#define OLD_SYMPOS_OFF		16
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

struct ctx {
	const char *klpmake;
	const char *kdir;
	const char *cross;
	const char *fixtures;
	const char *selftests;
	const char *work;
	char *kver;		/* "7.3": the tree's version and patch level */
	const char *getcpu;	/* the function getcpu(2) enters */
	char *target_ko;	/* klp_test_target.ko, built here */
	char *other_ko;		/* the same, with another kernel's vermagic */
	char *out;		/* where the test under way writes */
	int rc;			/* of the last klpmake run */
	char *log;		/* its stdout and stderr */
};

struct test {
	const char *name;
	bool (*fn)(struct ctx *c);
};

/* A KTAP diagnostic: every line of the message starts with "# ". */
static void pr_diag(const char *fmt, ...)
{
	char *msg, *line, *save = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		abort();
	va_end(ap);
	for (line = strtok_r(msg, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		printf("# %s\n", line);
	free(msg);
}

static char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	if (vasprintf(&p, fmt, ap) < 0)
		abort();
	va_end(ap);
	return p;
}

/* Run @argv with stdout and stderr to @logpath.  Returns its exit code. */
static int run(char *const argv[], const char *logpath)
{
	int status, fd;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		fd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0)
			_exit(126);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static char *slurp(const char *path)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = fopen(path, "r");
	FILE *m = open_memstream(&buf, &len);
	int ch;

	while (f && (ch = fgetc(f)) != EOF)
		fputc(ch, m);
	if (f)
		fclose(f);
	fclose(m);
	return buf;
}

/* Whether the tree at @kdir was configured with CONFIG_@opt=y. */
static bool has_config(const char *kdir, const char *opt)
{
	char *path = xasprintf("%s/.config", kdir), *config = slurp(path);
	char *line = xasprintf("\nCONFIG_%s=y\n", opt);
	bool has = strstr(config, line);

	free(line);
	free(config);
	free(path);
	return has;
}

/* "7.3" of the release "7.3.4" the tree at @kdir was built as. */
static char *tree_version(const char *kdir)
{
	char *path = xasprintf("%s/include/config/kernel.release", kdir);
	char *rel = slurp(path), *dot = strchr(rel, '.');

	if (dot)
		dot = strchr(dot + 1, '.');
	if (!dot)
		dot = rel + strcspn(rel, "-\n");
	*dot = '\0';
	free(path);
	return rel;
}

/*
 * Run klpmake [@mode] with the NULL-terminated @ap, after "-o c->out"
 * unless @no_out.  Keeps the exit code and the output in @c.
 */
static void run_args(struct ctx *c, const char *mode, bool no_out, va_list ap)
{
	char *argv[MAX_ARGS], *logpath = xasprintf("%s/klpmake.log", c->work);
	int n = 0;

	argv[n++] = (char *)c->klpmake;
	if (mode)
		argv[n++] = (char *)mode;
	if (!no_out) {
		argv[n++] = "-o";
		argv[n++] = c->out;
	}
	while (n < MAX_ARGS - 1 && (argv[n] = va_arg(ap, char *)))
		n++;
	argv[n] = NULL;
	unlink(c->out);
	c->rc = run(argv, logpath);
	free(c->log);
	c->log = slurp(logpath);
	free(logpath);
}

static void run_klpmake(struct ctx *c, bool no_out, ...)
{
	va_list ap;

	va_start(ap, no_out);
	run_args(c, NULL, no_out, ap);
	va_end(ap);
}

/* klpmake diff -o c->out, then the arguments */
static void run_diff(struct ctx *c, ...)
{
	va_list ap;

	va_start(ap, c);
	run_args(c, "diff", false, ap);
	va_end(ap);
}

/*
 * @dir/@name, or the copy in @dir/KVER/ of a kernel whose lines differ
 * from 6.12's, as the Makefile picks the guest's fixes.
 */
static char *for_kernel(const struct ctx *c, const char *dir, const char *name)
{
	char *path = xasprintf("%s/%s/%s", dir, c->kver, name);

	if (!access(path, F_OK))
		return path;
	free(path);
	return xasprintf("%s/%s", dir, name);
}

static char *fixture(const struct ctx *c, const char *name)
{
	static char path[4096];
	char *p = for_kernel(c, c->fixtures, name);

	snprintf(path, sizeof(path), "%s", p);
	free(p);
	return path;
}

/* No c->out, nor a temporary file next to it. */
static bool no_output(const struct ctx *c)
{
	const char *base = strrchr(c->out, '/') + 1;
	char *dir = strndup(c->out, base - c->out);
	struct dirent *de;
	bool ok = true;
	DIR *d = opendir(dir);

	while (d && (de = readdir(d))) {
		if (!strncmp(de->d_name, base, strlen(base))) {
			pr_diag("left behind: %s%s", dir, de->d_name);
			ok = false;
		}
	}
	if (d)
		closedir(d);
	free(dir);
	return ok;
}

/* The last run failed with exit code @rc, saying @msg, writing nothing. */
static bool refused(const struct ctx *c, int rc, const char *msg)
{
	bool ok = true;

	if (c->rc != rc) {
		pr_diag("exit code %d, expected %d", c->rc, rc);
		ok = false;
	}
	if (!strstr(c->log, msg)) {
		pr_diag("expected message: %s", msg);
		ok = false;
	}
	if (!no_output(c))
		ok = false;
	if (!ok)
		pr_diag("klpmake said: %s", c->log);
	return ok;
}

static bool succeeded(const struct ctx *c)
{
	if (!c->rc && !access(c->out, R_OK))
		return true;
	pr_diag("exit code %d, klpmake said: %s", c->rc, c->log);
	return false;
}

/* ---- reading modules back ---- */

struct elfview {
	int fd;
	Elf *e;
	size_t shstrndx;
	size_t symndx;
	GElf_Shdr symsh;
	Elf_Data *syms;
};

static bool view_open(struct elfview *v, const char *path)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	memset(v, 0, sizeof(*v));
	v->fd = open(path, O_RDONLY);
	v->e = v->fd < 0 ? NULL : elf_begin(v->fd, ELF_C_READ, NULL);
	if (!v->e || elf_getshdrstrndx(v->e, &v->shstrndx)) {
		pr_diag("%s: unreadable ELF", path);
		return false;
	}
	while ((scn = elf_nextscn(v->e, scn))) {
		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_SYMTAB) {
			v->symndx = elf_ndxscn(scn);
			v->symsh = sh;
			v->syms = elf_getdata(scn, NULL);
		}
	}
	if (!v->syms) {
		pr_diag("%s: no symbol table", path);
		return false;
	}
	return true;
}

static void view_close(struct elfview *v)
{
	if (v->e)
		elf_end(v->e);
	if (v->fd >= 0)
		close(v->fd);
}

static const char *secname(const struct elfview *v, size_t idx)
{
	GElf_Shdr sh;

	if (!gelf_getshdr(elf_getscn(v->e, idx), &sh))
		return "";
	return elf_strptr(v->e, v->shstrndx, sh.sh_name);
}

static const char *symname(const struct elfview *v, const GElf_Sym *s)
{
	return elf_strptr(v->e, v->symsh.sh_link, s->st_name);
}

static size_t nsyms(const struct elfview *v)
{
	return v->symsh.sh_size / v->symsh.sh_entsize;
}

static Elf_Scn *find_sec(const struct elfview *v, const char *name)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(v->e, scn)))
		if (!strcmp(secname(v, elf_ndxscn(scn)), name))
			return scn;
	return NULL;
}

static bool is_klp_sym(const struct elfview *v, const GElf_Sym *s)
{
	return s->st_shndx == SHN_LIVEPATCH &&
	       !strncmp(symname(v, s), ".klp.sym.", 9);
}

static bool is_sub(unsigned int type)
{
	return type == R_RISCV_SUB32 || type == R_RISCV_SUB64;
}

/* An ADD at @off in @d against a livepatch symbol: a SUB's partner. */
static bool has_klp_add_at(const struct elfview *v, Elf_Data *d, size_t n,
			   GElf_Addr off)
{
	GElf_Rela r;
	GElf_Sym s;
	size_t i;

	for (i = 0; i < n && gelf_getrela(d, i, &r); i++) {
		unsigned int type = GELF_R_TYPE(r.r_info);

		gelf_getsym(v->syms, GELF_R_SYM(r.r_info), &s);
		if (r.r_offset == off && is_klp_sym(v, &s) &&
		    (type == R_RISCV_ADD32 || type == R_RISCV_ADD64))
			return true;
	}
	return false;
}

/*
 * A .klp.rela section: its header, and every entry either against a
 * livepatch symbol, a PCREL_LO12 whose auipc's HI20 is in this section,
 * or the SUB of a difference whose ADD on a livepatch symbol is.
 */
static bool check_klp_rela(const struct elfview *v, const char *name,
			   const char *target)
{
	Elf_Scn *scn = find_sec(v, name);
	GElf_Rela r, hi;
	GElf_Shdr sh;
	GElf_Sym s;
	Elf_Data *d;
	size_t i, j, n;
	bool ok = true;

	if (!scn || !gelf_getshdr(scn, &sh)) {
		pr_diag("no section %s", name);
		return false;
	}
	if (sh.sh_type != SHT_RELA ||
	    (sh.sh_flags & (SHF_ALLOC | SHF_RELA_LIVEPATCH)) !=
	    (SHF_ALLOC | SHF_RELA_LIVEPATCH) || sh.sh_link != v->symndx ||
	    strcmp(secname(v, sh.sh_info), target)) {
		pr_diag("%s: type %u flags %#llx link %u info %s", name,
			sh.sh_type, (unsigned long long)sh.sh_flags, sh.sh_link,
			secname(v, sh.sh_info));
		return false;
	}
	d = elf_getdata(scn, NULL);
	n = sh.sh_size / sizeof(Elf64_Rela);
	for (i = 0; i < n && gelf_getrela(d, i, &r); i++) {
		unsigned int type = GELF_R_TYPE(r.r_info);
		bool found = false;

		gelf_getsym(v->syms, GELF_R_SYM(r.r_info), &s);
		if (is_klp_sym(v, &s))
			continue;
		found = is_sub(type) && has_klp_add_at(v, d, n, r.r_offset);
		for (j = 0; j < n && (type == R_RISCV_PCREL_LO12_I ||
				      type == R_RISCV_PCREL_LO12_S); j++) {
			gelf_getrela(d, j, &hi);
			found |= hi.r_offset == s.st_value &&
				 (GELF_R_TYPE(hi.r_info) == R_RISCV_PCREL_HI20 ||
				  GELF_R_TYPE(hi.r_info) == R_RISCV_GOT_HI20);
		}
		if (!found) {
			pr_diag("%s: entry %zu (type %u) against %s", name, i,
				type, symname(v, &s));
			ok = false;
		}
	}
	return ok;
}

/* No ordinary relocation section refers to a livepatch symbol. */
static bool check_plain_relas(const struct elfview *v)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	GElf_Rela r;
	GElf_Sym s;
	bool ok = true;
	size_t i;

	while ((scn = elf_nextscn(v->e, scn))) {
		Elf_Data *d = elf_getdata(scn, NULL);

		gelf_getshdr(scn, &sh);
		if (sh.sh_type != SHT_RELA || (sh.sh_flags & SHF_RELA_LIVEPATCH))
			continue;
		for (i = 0; i < sh.sh_size / sizeof(Elf64_Rela); i++) {
			gelf_getrela(d, i, &r);
			gelf_getsym(v->syms, GELF_R_SYM(r.r_info), &s);
			if (s.st_shndx == SHN_LIVEPATCH) {
				pr_diag("%s still refers to %s",
					secname(v, elf_ndxscn(scn)),
					symname(v, &s));
				ok = false;
			}
		}
	}
	return ok;
}

/* Locals first, sh_info the first non-local. */
static bool check_symtab_order(const struct elfview *v)
{
	size_t i;
	GElf_Sym s;

	for (i = 0; i < nsyms(v); i++) {
		gelf_getsym(v->syms, i, &s);
		bool local = GELF_ST_BIND(s.st_info) == STB_LOCAL;
		bool before = i < v->symsh.sh_info;

		if (local != before) {
			pr_diag("symbol %zu %s on the wrong side of sh_info %u", i,
				symname(v, &s), v->symsh.sh_info);
			return false;
		}
	}
	return true;
}

static bool has_klp_sym(const struct elfview *v, const char *name)
{
	size_t i;
	GElf_Sym s;

	for (i = 0; i < nsyms(v); i++) {
		gelf_getsym(v->syms, i, &s);
		if (!strcmp(symname(v, &s), name)) {
			if (s.st_shndx == SHN_LIVEPATCH)
				return true;
			pr_diag("%s: st_shndx %#x", name, s.st_shndx);
			return false;
		}
	}
	pr_diag("no symbol %s", name);
	return false;
}

/* @str, with its NUL, in one of the module's .rodata sections. */
static bool has_string(const struct elfview *v, const char *str)
{
	size_t len = strlen(str) + 1;
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(v->e, scn))) {
		Elf_Data *d = elf_getdata(scn, NULL);
		const char *name, *p, *end;

		if (!gelf_getshdr(scn, &sh) || !d || !d->d_buf)
			continue;
		name = elf_strptr(v->e, v->shstrndx, sh.sh_name);
		if (!name || strncmp(name, ".rodata", 7))
			continue;
		end = (const char *)d->d_buf + d->d_size;
		for (p = d->d_buf; p + len <= end; p++)
			if (!memcmp(p, str, len))
				return true;
	}
	pr_diag("no string \"%s\" in .rodata", str);
	return false;
}

static bool has_modinfo(const struct elfview *v, const char *kv)
{
	Elf_Scn *scn = find_sec(v, ".modinfo");
	Elf_Data *d = scn ? elf_getdata(scn, NULL) : NULL;
	size_t off = 0;

	while (d && off < d->d_size) {
		if (!strcmp((char *)d->d_buf + off, kv))
			return true;
		off += strlen((char *)d->d_buf + off) + 1;
	}
	pr_diag("no %s in .modinfo", kv);
	return false;
}

/*
 * The 64-bit value @off bytes into the object @name of the module, as
 * initialised in its section: in a .ko, st_value is an offset into it.
 */
static bool read_u64(const struct elfview *v, const char *name, size_t off,
		     uint64_t *val)
{
	Elf_Data *d = NULL;
	size_t i;
	GElf_Sym s;

	for (i = 0; i < nsyms(v) && !d; i++) {
		gelf_getsym(v->syms, i, &s);
		if (!strcmp(symname(v, &s), name) && s.st_shndx != SHN_UNDEF)
			d = elf_getdata(elf_getscn(v->e, s.st_shndx), NULL);
	}
	if (!d || !d->d_buf || s.st_value + off + sizeof(*val) > d->d_size) {
		pr_diag("no %s+%zu in the module's data", name, off);
		return false;
	}
	memcpy(val, (char *)d->d_buf + s.st_value + off, sizeof(*val));
	*val = le64toh(*val);
	return true;
}

/*
 * The sympos livepatch will count for the static @name of @file in vmlinux:
 * rank by address among the same-named symbols, 0 if unique.  -1 if absent.
 */
static long vmlinux_sympos(const struct ctx *c, const char *name,
			   const char *file)
{
	char *path = xasprintf("%s/vmlinux", c->kdir);
	const char *cur = NULL;
	GElf_Addr addr = 0;
	size_t i, before = 0, total = 0;
	struct elfview v;
	GElf_Sym s;
	bool found = false;

	if (!view_open(&v, path)) {
		free(path);
		return -1;
	}
	for (i = 0; i < nsyms(&v); i++) {
		gelf_getsym(v.syms, i, &s);
		if (GELF_ST_TYPE(s.st_info) == STT_FILE) {
			cur = symname(&v, &s);
		} else if (!strcmp(symname(&v, &s), name) &&
			   s.st_shndx != SHN_UNDEF && cur &&
			   !strcmp(cur, file) &&
			   GELF_ST_BIND(s.st_info) == STB_LOCAL) {
			addr = s.st_value;
			found = true;
		}
	}
	for (i = 0; i < nsyms(&v) && found; i++) {
		gelf_getsym(v.syms, i, &s);
		if (strcmp(symname(&v, &s), name) || s.st_shndx == SHN_UNDEF)
			continue;
		total++;
		before += s.st_value < addr;
	}
	view_close(&v);
	free(path);
	if (!found)
		return -1;
	return total > 1 ? (long)before + 1 : 0;
}

/* ---- the tests ---- */

static bool t_usage_none(struct ctx *c)
{
	run_klpmake(c, true, NULL);
	return refused(c, 2, "-k KDIR is required") &&
	       refused(c, 2, "usage: klpmake");
}

static bool t_usage_no_out(struct ctx *c)
{
	run_klpmake(c, true, "-k", c->kdir, fixture(c, "vmlinux"), NULL);
	return refused(c, 2, "-o OUT.ko is required");
}

static bool t_usage_unknown(struct ctx *c)
{
	run_klpmake(c, false, "-k", c->kdir, "-z", fixture(c, "vmlinux"), NULL);
	return refused(c, 2, "option -z: unknown");
}

static bool t_usage_hint(struct ctx *c)
{
	run_klpmake(c, false, "-k", c->kdir, "-s", "c_next", fixture(c, "vmlinux"),
		    NULL);
	return refused(c, 2, "-s c_next: expected NAME:FILE.c or NAME:N");
}

static bool t_not_kdir(struct ctx *c)
{
	run_klpmake(c, false, "-k", c->work, fixture(c, "vmlinux"), NULL);
	return refused(c, 1, "not a built kernel tree");
}

static bool t_absent(struct ctx *c)
{
	run_klpmake(c, false, "-k", c->kdir, "-c", c->cross, fixture(c, "absent"),
		    NULL);
	return refused(c, 1,
		       "symbol 'klpmake_no_such_symbol': not found in vmlinux");
}

static bool t_ambiguous(struct ctx *c)
{
	run_klpmake(c, false, "-k", c->kdir, "-c", c->cross,
		    fixture(c, "ambiguous"), NULL);
	return refused(c, 1,
		       "symbol 'uevent_store': ambiguous, 2 definitions in vmlinux") &&
	       refused(c, 1, "-s uevent_store:<file.c>");
}

static bool t_wrong_hint(struct ctx *c)
{
	run_klpmake(c, false, "-k", c->kdir, "-c", c->cross, "-s",
		    "uevent_store:cpu.c", fixture(c, "ambiguous"), NULL);
	return refused(c, 1,
		       "symbol 'uevent_store': hint 'cpu.c' matches none of its definitions in vmlinux");
}

static bool t_bad_pos(struct ctx *c)
{
	run_klpmake(c, false, "-k", c->kdir, "-c", c->cross, "-s",
		    "uevent_store:3", fixture(c, "ambiguous"), NULL);
	return refused(c, 1,
		       "symbol 'uevent_store': position 3 out of range, 2 definitions");
}

/* A clone the kernel does not have: klpmake diff meets it so. */
static bool t_absent_clone(struct ctx *c)
{
	run_klpmake(c, false, "-k", c->kdir, "-c", c->cross, "-s",
		    "__set_oom_adj.isra.7:base.c", fixture(c, "sympos"), NULL);
	return refused(c, 1,
		       "symbol '__set_oom_adj.isra.7': not found in vmlinux: a compiler clone the kernel's own build did not make under this name");
}

/* Refused before the build: with -w, klpmake would say it kept one. */
static bool t_absent_hint(struct ctx *c)
{
	run_klpmake(c, false, "-k", c->kdir, "-c", c->cross, "-w", "-s",
		    "c_next:consoles.c", "-s", "klpmake_no_such_symbol:1",
		    fixture(c, "sympos"), NULL);
	if (strstr(c->log, "build kept in")) {
		pr_diag("klpmake ran kbuild: %s", c->log);
		return false;
	}
	return refused(c, 1,
		       "symbol 'klpmake_no_such_symbol': not found in vmlinux\n");
}

/* The fixture's old_sympos needs the macro -s defines. */
static bool t_sympos_no_hint(struct ctx *c)
{
	run_klpmake(c, false, "-k", c->kdir, "-c", c->cross,
		    fixture(c, "sympos"), NULL);
	return refused(c, 1, "KLPMAKE_SYMPOS_c_next") &&
	       refused(c, 1, "kbuild failed");
}

static bool t_mismatch(struct ctx *c)
{
	if (!c->other_ko)
		return false;
	run_klpmake(c, false, "-k", c->kdir, "-c", c->cross, "-m", c->other_ko,
		    fixture(c, "modtarget"), NULL);
	return refused(c, 1, "klp_test_target.ko: kernel mismatch: vermagic");
}

/*
 * Build the fixture @fix with the hint @hint for @sym, whose copy in
 * @file is the one meant: its position reaches the module's .klp.sym
 * symbol, the text relocation section is there, and @more (if any)
 * holds of the module.
 */
static bool built_with_hint(struct ctx *c, const char *sym, const char *file,
			    const char *hint, const char *fix,
			    bool (*more)(struct elfview *v))
{
	long pos = vmlinux_sympos(c, sym, file);
	char *want = xasprintf(".klp.sym.vmlinux.%s,%ld", sym, pos);
	struct elfview v;
	bool ok;

	run_klpmake(c, false, "-k", c->kdir, "-c", c->cross, "-s", hint,
		    fixture(c, fix), NULL);
	ok = pos > 0 && succeeded(c) && view_open(&v, c->out);
	if (ok) {
		ok = has_klp_sym(&v, want) &&
		     check_klp_rela(&v, ".klp.rela.vmlinux.text", ".text") &&
		     (!more || more(&v));
		view_close(&v);
	}
	free(want);
	return ok;
}

static bool t_hint_file(struct ctx *c)
{
	return built_with_hint(c, "uevent_store", "core.c",
			       "uevent_store:drivers/base/core.c", "ambiguous",
			       NULL);
}

/* The other vmlinux symbols of the fixture, and the module's layout. */
static bool vmlinux_module_complete(struct elfview *v)
{
	return has_klp_sym(v, ".klp.sym.vmlinux.get_symbol_pos,0") &&
	       has_klp_sym(v, ".klp.sym.vmlinux.max_threads,0") &&
	       check_plain_relas(v) && check_symtab_order(v) &&
	       has_modinfo(v, "livepatch=Y");
}

static bool t_vmlinux(struct ctx *c)
{
	return built_with_hint(c, "c_next", "consoles.c", "c_next:consoles.c",
			       "vmlinux", vmlinux_module_complete);
}

/* Relies on the run of t_vmlinux. */
static bool t_clones(struct ctx *c)
{
	static const char want[] =
		"'kernfs_put' has compiler clones in vmlinux (kernfs_put.part.0)";

	if (c->log && strstr(c->log, want))
		return true;
	pr_diag("klpmake said: %s", c->log);
	return false;
}

/*
 * .old_sympos = KLPMAKE_SYMPOS_c_next gets the position of consoles.c's
 * c_next, and the hint counts as used though nothing references c_next.
 */
static bool t_sympos(struct ctx *c)
{
	long pos = vmlinux_sympos(c, "c_next", "consoles.c");
	struct elfview v;
	uint64_t got;
	bool ok;

	run_klpmake(c, false, "-k", c->kdir, "-c", c->cross, "-s",
		    "c_next:consoles.c", fixture(c, "sympos"), NULL);
	if (pos <= 0 || !succeeded(c) || !view_open(&v, c->out))
		return false;
	ok = read_u64(&v, "funcs", OLD_SYMPOS_OFF, &got);
	view_close(&v);
	if (ok && got != (uint64_t)pos) {
		pr_diag("funcs[0].old_sympos is %llu, expected %ld",
			(unsigned long long)got, pos);
		ok = false;
	}
	if (ok && strstr(c->log, "does not reference")) {
		pr_diag("klpmake said: %s", c->log);
		ok = false;
	}
	return ok;
}

/*
 * Every ADD of a difference in @name has its SUB at the same place in the
 * same section: the loader sums the two only there.
 */
static bool differences_whole(const struct elfview *v, const char *name)
{
	Elf_Scn *scn = find_sec(v, name);
	size_t i, j, n, adds = 0;
	GElf_Rela r, o;
	GElf_Shdr sh;
	Elf_Data *d;
	bool ok = true;

	if (!scn || !gelf_getshdr(scn, &sh))
		return false;
	d = elf_getdata(scn, NULL);
	n = sh.sh_size / sizeof(Elf64_Rela);
	for (i = 0; i < n && gelf_getrela(d, i, &r); i++) {
		bool paired = false;

		if (GELF_R_TYPE(r.r_info) != R_RISCV_ADD64)
			continue;
		adds++;
		for (j = 0; j < n && gelf_getrela(d, j, &o); j++)
			paired |= o.r_offset == r.r_offset &&
				  GELF_R_TYPE(o.r_info) == R_RISCV_SUB64;
		if (!paired) {
			pr_diag("%s: R_RISCV_ADD64 at %#llx without its SUB64",
				name, (unsigned long long)r.r_offset);
			ok = false;
		}
	}
	if (!adds)
		pr_diag("%s: no R_RISCV_ADD64", name);
	return ok && adds;
}

/*
 * A tracepoint of vmlinux kept in the new function: its key and its
 * iterator through .klp.sym, and one line saying so.
 */
static bool t_jumplabel(struct ctx *c)
{
	char *said = xasprintf("klpmake: wrote %s: 1 function, %s\n", c->out,
			       "2 symbols through .klp.sym (vmlinux 2)");
	struct elfview v;
	bool ok;

	run_klpmake(c, false, "-k", c->kdir, "-c", c->cross,
		    fixture(c, "jumplabel"), NULL);
	ok = succeeded(c) && view_open(&v, c->out);
	if (ok && !strstr(c->log, said)) {
		pr_diag("expected \"%s\", klpmake said: %s", said, c->log);
		view_close(&v);
		ok = false;
	}
	free(said);
	if (ok) {
		ok = check_klp_rela(&v, ".klp.rela.vmlinux.__jump_table",
				    "__jump_table") &&
		     differences_whole(&v, ".klp.rela.vmlinux.__jump_table") &&
		     has_klp_sym(&v,
				 ".klp.sym.vmlinux.__tracepoint_sched_process_wait,0") &&
		     check_plain_relas(&v) && check_symtab_order(&v);
		view_close(&v);
	}
	return ok;
}

static bool t_modkey(struct ctx *c)
{
	if (!c->target_ko)
		return false;
	run_klpmake(c, false, "-k", c->kdir, "-c", c->cross, "-m", c->target_ko,
		    fixture(c, "modkey"), NULL);
	return refused(c, 1,
		       "symbol 'klp_target_key': a static key of module klp_test_target, used by a jump label");
}

/*
 * A compiler error names the user's file, and the log it is in is still
 * there afterwards.
 */
static bool t_broken(struct ctx *c)
{
	char *want = xasprintf("%s/klpmake_broken.c:10:", fixture(c, "broken"));
	char *entering = xasprintf("Entering directory '%s'\n",
				   fixture(c, "broken"));
	const char *kept, *end;
	char *log = NULL;
	bool ok;

	run_klpmake(c, false, "-k", c->kdir, "-c", c->cross,
		    fixture(c, "broken"), NULL);
	/*
	 * Since v6.13 kbuild compiles an external module in its directory,
	 * naming the file relative to the directory make says it enters:
	 * the user's.
	 */
	if (strstr(c->log, entering) && strstr(c->log, "\nklpmake_broken.c:10:")) {
		free(want);
		want = xasprintf("klpmake_broken.c:10:");
	}
	free(entering);
	ok = refused(c, 1, want) &&
	     refused(c, 1, "kbuild failed (log above, kept in ");
	kept = strstr(c->log, "kept in ");
	end = kept ? strchr(kept, ')') : NULL;
	if (ok && end) {
		log = strndup(kept + 8, end - kept - 8);
		if (access(log, R_OK)) {
			pr_diag("the log %s is gone", log);
			ok = false;
		}
	}
	if (log) {
		/* The scratch copy the log is in. */
		*strrchr(log, '/') = '\0';
		{
			char *const rm[] = { "rm", "-rf", log, NULL };

			run(rm, "/dev/null");
		}
	}
	free(log);
	free(want);
	return ok;
}

/* The first entry of directory @dir, or NULL (freed by the caller). */
static char *first_entry(const char *dir)
{
	struct dirent *de;
	char *name = NULL;
	DIR *d = opendir(dir);

	while (d && !name && (de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			name = xasprintf("%s/%s", dir, de->d_name);
	if (d)
		closedir(d);
	return name;
}

/*
 * Run @argv with TMPDIR at a fresh directory under WORKDIR and press
 * Ctrl-C once @wait (a file in klpmake's scratch directory there)
 * exists: klpmake must stop, remove its scratch directory, write
 * nothing and exit with 130.
 */
static bool interrupted_at(struct ctx *c, char *const argv[], const char *wait)
{
	char *tmpdir = xasprintf("%s/tmp-interrupt", c->work);
	char *logpath = xasprintf("%s/interrupt.log", c->work);
	char *scratch = NULL, *mark = NULL, *left;
	int status = 0, i;
	bool ok = true;
	pid_t pid;

	mkdir(tmpdir, 0755);
	pid = fork();
	if (!pid) {
		int fd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		setenv("TMPDIR", tmpdir, 1);
		execv(argv[0], argv);
		_exit(127);
	}
	for (i = 0; i < 1500 && (!mark || access(mark, F_OK)); i++) {
		usleep(20000);
		if (!scratch)
			scratch = first_entry(tmpdir);
		if (scratch && !mark)
			mark = xasprintf("%s/%s", scratch, wait);
	}
	usleep(300000);
	kill(pid, SIGINT);
	waitpid(pid, &status, 0);
	free(c->log);
	c->log = slurp(logpath);
	if (!mark || access(logpath, R_OK)) {
		pr_diag("%s never appeared in %s", wait, tmpdir);
		ok = false;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 130) {
		pr_diag("exit status %#x, expected 130", status);
		ok = false;
	}
	left = first_entry(tmpdir);
	if (left) {
		pr_diag("left behind: %s", left);
		ok = false;
	}
	if (!c->log || !strstr(c->log, "interrupted: nothing written") ||
	    !no_output(c)) {
		pr_diag("klpmake said: %s", c->log ? c->log : "");
		ok = false;
	}
	rmdir(tmpdir);
	free(left);
	free(scratch);
	free(mark);
	free(logpath);
	free(tmpdir);
	return ok;
}

/* Ctrl-C while kbuild compiles: it is stopped too. */
static bool t_interrupt(struct ctx *c)
{
	char *const argv[] = {
		(char *)c->klpmake, "-k", (char *)c->kdir, "-c",
		(char *)c->cross, "-o", c->out, fixture(c, "jumplabel"), NULL,
	};

	return interrupted_at(c, argv, "klpmake-build.log");
}

/*
 * gcd() is the target's static and vmlinux's export: the patch gets the
 * target's, through .klp.sym, with a warning that says so.
 */
static bool t_modexport(struct ctx *c)
{
	struct elfview v;
	bool ok;

	if (!c->target_ko)
		return false;
	run_klpmake(c, false, "-k", c->kdir, "-c", c->cross, "-m", c->target_ko,
		    fixture(c, "modexport"), NULL);
	ok = succeeded(c) && view_open(&v, c->out);
	if (ok) {
		ok = check_klp_rela(&v, ".klp.rela.klp_test_target.text",
				    ".text") &&
		     has_klp_sym(&v, ".klp.sym.klp_test_target.gcd,0") &&
		     check_plain_relas(&v);
		view_close(&v);
	}
	if (ok && !strstr(c->log,
			  "symbol 'gcd': defined in klp_test_target and exported")) {
		pr_diag("klpmake said: %s", c->log);
		ok = false;
	}
	return ok;
}

static char *build_fixture_target(struct ctx *c, const char *name);
static bool copy_file(const char *from, const char *to);

/*
 * inittarget_c.c's helper() is second among inittarget's once it runs,
 * third while it loads (inittarget_a.c's __init one still listed).
 */
static bool t_initpos(struct ctx *c)
{
	char *ko = build_fixture_target(c, "inittarget");
	bool ok;

	if (!ko)
		return false;
	run_klpmake(c, false, "-k", c->kdir, "-c", c->cross, "-m", ko, "-s",
		    "helper:inittarget_c.c", fixture(c, "initpos"), NULL);
	ok = refused(c, 1,
		     "symbol 'helper': position 2 in inittarget once it runs, 3 while it loads");
	free(ko);
	return ok;
}

/*
 * @to: a new directory of symlinks to every entry of @from but @except,
 * which is left for the caller to make.
 */
static bool link_all_but(const char *from, const char *to, const char *except)
{
	struct dirent *de;
	bool ok = !mkdir(to, 0755);
	DIR *d = ok ? opendir(from) : NULL;

	while (d && (de = readdir(d))) {
		char *src, *dst;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    !strcmp(de->d_name, except))
			continue;
		src = xasprintf("%s/%s", from, de->d_name);
		dst = xasprintf("%s/%s", to, de->d_name);
		ok &= !symlink(src, dst);
		free(src);
		free(dst);
	}
	if (d)
		closedir(d);
	return ok && d;
}

/*
 * The base tree with another build's UTS_VERSION: its vmlinux is not the
 * build the tree describes (as another flavour's vmlinux copied in).
 */
static bool t_other_build(struct ctx *c)
{
	char *other = xasprintf("%s/other-build", c->work);
	char *inc = xasprintf("%s/include", other);
	char *gen = xasprintf("%s/include/generated", other);
	char *kinc = xasprintf("%s/include", c->kdir);
	char *kgen = xasprintf("%s/include/generated", c->kdir);
	char *uts = xasprintf("%s/utsversion.h", gen);
	char *const rm[] = { "rm", "-rf", other, NULL };
	bool ok;
	FILE *f;

	run(rm, "/dev/null");
	ok = link_all_but(c->kdir, other, "include") &&
	     link_all_but(kinc, inc, "generated") &&
	     link_all_but(kgen, gen, "utsversion.h");
	f = ok ? fopen(uts, "w") : NULL;
	if (f) {
		fputs("#define UTS_VERSION \"#99 SMP Thu Jan  1 00:00:00 UTC 1970\"\n", f);
		fclose(f);
	} else {
		pr_diag("cannot make %s", other);
		ok = false;
	}
	run_klpmake(c, false, "-k", other, "-c", c->cross,
		    fixture(c, "jumplabel"), NULL);
	ok = refused(c, 1, "its linux_banner lacks \"#99 SMP Thu Jan  1") &&
	     refused(c, 1, "the UTS_VERSION of the tree's last build") && ok;
	run(rm, "/dev/null");
	free(uts);
	free(kgen);
	free(kinc);
	free(gen);
	free(inc);
	free(other);
	return ok;
}

/*
 * The base tree with CONFIG_MODULE_SIG=y in its .config (kbuild builds
 * from auto.conf, which is unchanged): the output is made, unsigned, and
 * klpmake says so.
 */
static bool t_unsigned(struct ctx *c)
{
	char *tree = xasprintf("%s/sig-build", c->work);
	char *from = xasprintf("%s/.config", c->kdir);
	char *to = xasprintf("%s/.config", tree);
	char *want = xasprintf("%s is not signed and %s has CONFIG_MODULE_SIG",
			       c->out, tree);
	char *const rm[] = { "rm", "-rf", tree, NULL };
	bool ok;
	FILE *f;

	run(rm, "/dev/null");
	ok = link_all_but(c->kdir, tree, ".config") && copy_file(from, to);
	f = ok ? fopen(to, "a") : NULL;
	if (f) {
		fputs("CONFIG_MODULE_SIG=y\n", f);
		fclose(f);
	} else {
		pr_diag("cannot make %s", tree);
		ok = false;
	}
	run_klpmake(c, false, "-k", tree, "-c", c->cross,
		    fixture(c, "jumplabel"), NULL);
	ok = succeeded(c) && ok;
	if (ok && !strstr(c->log, want)) {
		pr_diag("expected \"%s\", klpmake said: %s", want, c->log);
		ok = false;
	}
	run(rm, "/dev/null");
	free(want);
	free(to);
	free(from);
	free(tree);
	return ok;
}

/* The base kernel has no CONFIG_MODULE_SECTIONS: its loader has no GOT. */
static bool t_vmgot(struct ctx *c)
{
	run_klpmake(c, false, "-k", c->kdir, "-c", c->cross,
		    fixture(c, "vmgot"), NULL);
	/* 6.1 gives every riscv module a GOT (later only RELOCATABLE). */
	if (has_config(c->kdir, "MODULE_SECTIONS"))
		return succeeded(c);
	return refused(c, 1,
		       "symbol 'max_threads': GOT_HI20 at .text+0x") &&
	       refused(c, 1,
		       "to vmlinux, but the kernel has no CONFIG_MODULE_SECTIONS");
}

/* klp_funcs livepatch would refuse at load, for their old_sympos. */
static bool t_oldname(struct ctx *c)
{
	run_klpmake(c, false, "-k", c->kdir, "-c", c->cross,
		    fixture(c, "oldname"), NULL);
	return refused(c, 1,
		       "klp_func 'c_next': 2 definitions in vmlinux (in cpu.c, consoles.c)") &&
	       refused(c, 1,
		       "klp_func 'cmdline_proc_show': old_sympos 2, but vmlinux has 1 definition");
}

/* vmlinux's __init and (on riscv) __exit code is freed after boot. */
static bool t_initexit(struct ctx *c)
{
	run_klpmake(c, false, "-k", c->kdir, "-c", c->cross,
		    fixture(c, "initexit"), NULL);
	return refused(c, 1,
		       "symbol 'init_elf_binfmt': it is __init in vmlinux (section .init.text)") &&
	       refused(c, 1,
		       "symbol 'exit_elf_binfmt': it is __exit in vmlinux (section .exit.text)");
}

/* Relies on the run of t_modtarget, whose output is a livepatch module. */
static bool t_livepatch_target(struct ctx *c)
{
	char *lp = xasprintf("%s/livepatch-target.ko", c->work);
	char *want = xasprintf("%s: 'klpmake_modtarget' is a livepatch module",
			       lp);
	bool ok = !rename(c->out, lp);

	if (!ok)
		pr_diag("no output of the module test to use as -m");
	run_klpmake(c, false, "-k", c->kdir, "-c", c->cross, "-m", lp,
		    fixture(c, "modtarget"), NULL);
	ok = refused(c, 1, want) && ok;
	unlink(lp);
	free(want);
	free(lp);
	return ok;
}

static bool t_modtarget(struct ctx *c)
{
	struct elfview v;
	bool ok;

	if (!c->target_ko)
		return false;
	run_klpmake(c, false, "-k", c->kdir, "-c", c->cross, "-m", c->target_ko,
		    fixture(c, "modtarget"), NULL);
	ok = succeeded(c) && view_open(&v, c->out);
	if (ok) {
		ok = check_klp_rela(&v, ".klp.rela.klp_test_target.text",
				    ".text") &&
		     check_klp_rela(&v, ".klp.rela.vmlinux.text", ".text") &&
		     has_klp_sym(&v,
				 ".klp.sym.klp_test_target.klp_target_stop,0") &&
		     has_klp_sym(&v,
				 ".klp.sym.klp_test_target.klp_target_wait,0") &&
		     has_klp_sym(&v, ".klp.sym.vmlinux.max_threads,0") &&
		     check_plain_relas(&v) && check_symtab_order(&v);
		view_close(&v);
	}
	return ok;
}

/* ---- klpmake diff ---- */

static const char * const fixee_files[] = {
	"kernel/livepatch/wo_ftrace_fixee.c",
	"kernel/livepatch/wo_ftrace_fixee.h",
};

/*
 * What a diff may not change in the user's tree: the files the fixtures
 * patch (bytes and mtime) and the names in their directory (no .orig,
 * no .rej).
 */
static char *tree_state(const struct ctx *c)
{
	char *buf = NULL, *path, *dir;
	size_t len = 0, i;
	FILE *m = open_memstream(&buf, &len);
	struct dirent *de;
	struct stat st;
	DIR *d;

	for (i = 0; i < ARRAY_SIZE(fixee_files); i++) {
		char *text;

		path = xasprintf("%s/%s", c->kdir, fixee_files[i]);
		text = slurp(path);
		if (!stat(path, &st))
			fprintf(m, "%s %ld.%09ld\n%s\n", path,
				(long)st.st_mtim.tv_sec,
				(long)st.st_mtim.tv_nsec, text ? text : "");
		free(text);
		free(path);
	}
	dir = xasprintf("%s/kernel/livepatch", c->kdir);
	d = opendir(dir);
	while (d && (de = readdir(d)))
		if (strstr(de->d_name, ".orig") || strstr(de->d_name, ".rej"))
			fprintf(m, "left: %s\n", de->d_name);
	if (d)
		closedir(d);
	free(dir);
	fclose(m);
	return buf;
}

static bool tree_unchanged(const struct ctx *c, const char *before)
{
	char *now = tree_state(c);
	bool same = !strcmp(now, before);

	if (!same)
		pr_diag("the kernel tree changed");
	free(now);
	return same;
}

static char *fix_path(const struct ctx *c, const char *name)
{
	char *dir = xasprintf("%s/../klpmake-diff", c->selftests);
	char *path = for_kernel(c, dir, name);

	free(dir);
	return path;
}

/*
 * Why the kernel has nothing for the fix @name to change, from the file
 * NAME.skip beside its copies for that kernel, or NULL.
 */
static char *skip_reason(const struct ctx *c, const char *name)
{
	char *path = xasprintf("%s/../klpmake-diff/%s/%.*s.skip", c->selftests,
			       c->kver, (int)(strlen(name) - strlen(".patch")),
			       name);
	char *why = access(path, R_OK) ? NULL : slurp(path);

	if (why)
		why[strcspn(why, "\n")] = '\0';
	free(path);
	return why;
}

/*
 * klpmake diff of @name in selftests/klpmake-diff/ refused with @msg (a
 * "*" in it stands for a count that differs per kernel); the tree as it
 * was.
 */
static bool diff_refused(struct ctx *c, const char *name, const char *msg)
{
	char *before = tree_state(c), *fix = fix_path(c, name);
	const char *star = strchr(msg, '*');
	char *head = strndup(msg, star ? (size_t)(star - msg) : strlen(msg));
	bool ok;

	run_diff(c, "-k", c->kdir, "-c", c->cross, fix, NULL);
	ok = refused(c, 1, head) && (!star || refused(c, 1, star + 1)) &&
	     tree_unchanged(c, before);
	free(head);
	free(before);
	free(fix);
	return ok;
}

static bool defines(const struct elfview *v, const char *name, int type)
{
	size_t i;
	GElf_Sym s;

	for (i = 0; i < nsyms(v); i++) {
		gelf_getsym(v->syms, i, &s);
		if (!strcmp(symname(v, &s), name) &&
		    s.st_shndx != SHN_UNDEF && s.st_shndx < SHN_LORESERVE &&
		    GELF_ST_TYPE(s.st_info) == type)
			return true;
	}
	return false;
}

static bool sec_size(const struct elfview *v, const char *name, size_t size)
{
	Elf_Scn *scn = find_sec(v, name);
	GElf_Shdr sh;

	if (scn && gelf_getshdr(scn, &sh) && sh.sh_size == size)
		return true;
	pr_diag("%s: %s, expected %zu bytes", name, scn ? "another size" :
		"missing", size);
	return false;
}

static bool says(const struct ctx *c, const char *msg)
{
	if (strstr(c->log, msg))
		return true;
	pr_diag("expected: %s", msg);
	pr_diag("klpmake said: %s", c->log);
	return false;
}

/* klpmake said it replaced @func of @file. */
static bool says_replaced(const struct ctx *c, const char *func,
			  const char *file)
{
	char *line = xasprintf("klpmake: replaced %s (%s)\n", func, file);
	bool ok = says(c, line);

	free(line);
	return ok;
}

/*
 * The guest's fix: the changed functions renamed, the new function and
 * variable carried, the unchanged functions not; one entry each of __ex_table and __bug_table
 * (write's, 12 bytes), show's jump entry with its key through .klp.rela.
 */
static bool t_diff_fix(struct ctx *c)
{
	char *before = tree_state(c), *fix = fix_path(c, "fixee.patch");
	struct elfview v;
	bool ok;

	run_diff(c, "-k", c->kdir, "-c", c->cross, fix, NULL);
	ok = succeeded(c) && tree_unchanged(c, before) &&
	     says(c, "klpmake: applied 1 diff to 2 files") &&
	     says(c, "compared 2 objects: 3 functions changed, 1 new, 4 unchanged") &&
	     says(c, "replaced wo_ftrace_fixee_show (kernel/livepatch/wo_ftrace_fixee.c)\n") &&
	     says_replaced(c, "wo_ftrace_fixee_peer_show",
			   "kernel/livepatch/wo_ftrace_fixee_peer.c") &&
	     says(c, "replaced wo_ftrace_fixee_write (kernel/livepatch/wo_ftrace_fixee.c)\n") &&
	     says(c, "added wo_ftrace_fixee_fold (kernel/livepatch/wo_ftrace_fixee.c)\n") &&
	     says(c, "4 functions, 2 symbols through .klp.sym (vmlinux 2)") &&
	     view_open(&v, c->out);
	if (ok) {
		ok = defines(&v, "__klp_new_wo_ftrace_fixee_show", STT_FUNC) &&
		     defines(&v, "__klp_new_wo_ftrace_fixee_write", STT_FUNC) &&
		     defines(&v, "__klp_new_wo_ftrace_fixee_peer_show",
			     STT_FUNC) &&
		     defines(&v, "wo_ftrace_fixee_fold", STT_FUNC) &&
		     defines(&v, "wo_ftrace_fixee_folds", STT_OBJECT) &&
		     sec_size(&v, "__ex_table", 12) &&
		     sec_size(&v, "__bug_table", 12) &&
		     sec_size(&v, "__jump_table", 16) &&
		     check_klp_rela(&v, ".klp.rela.vmlinux.__jump_table",
				    "__jump_table") &&
		     has_klp_sym(&v, ".klp.sym.vmlinux.wo_ftrace_fixee_key,0") &&
		     has_klp_sym(&v, ".klp.sym.vmlinux.wo_ftrace_fixee_last,0") &&
		     check_plain_relas(&v) && check_symtab_order(&v);
		if (ok && (defines(&v, "wo_ftrace_fixee_open", STT_FUNC) ||
			   defines(&v, "wo_ftrace_fixee_init", STT_FUNC))) {
			pr_diag("unchanged functions copied");
			ok = false;
		}
		view_close(&v);
	}
	free(fix);
	free(before);
	return ok;
}

static bool has_sec(const struct elfview *v, const char *name)
{
	if (!find_sec(v, name))
		return false;
	pr_diag("%s carried: no carried function has an entry", name);
	return true;
}

/*
 * Fixes of kernel/sys.c, whose __ex_table has 10 entries, __jump_table 6
 * and __bug_table 2: newuname() uses none of them, so none is carried;
 * getcpu() owns the 9th and 10th of __ex_table, which alone are carried.
 */
static bool t_diff_tables(struct ctx *c)
{
	char *uname = fix_path(c, "uname.patch");
	char *getcpu = fix_path(c, "getcpu.patch");
	struct elfview v;
	bool ok;

	run_diff(c, "-k", c->kdir, "-c", c->cross, uname, NULL);
	ok = succeeded(c) &&
	     says(c, "replaced __do_sys_newuname (kernel/sys.c)\n") &&
	     view_open(&v, c->out);
	if (ok) {
		ok = defines(&v, "__klp_new___do_sys_newuname", STT_FUNC) &&
		     has_klp_sym(&v, ".klp.sym.vmlinux.uts_sem,0") &&
		     !has_sec(&v, "__ex_table") && !has_sec(&v, "__jump_table") &&
		     !has_sec(&v, "__bug_table");
		view_close(&v);
	}
	if (ok) {
		run_diff(c, "-k", c->kdir, "-c", c->cross, getcpu, NULL);
		ok = succeeded(c) &&
		     says_replaced(c, c->getcpu, "kernel/sys.c") &&
		     view_open(&v, c->out);
	}
	if (ok) {
		ok = sec_size(&v, "__ex_table", 24) &&
		     !has_sec(&v, "__jump_table") && !has_sec(&v, "__bug_table");
		view_close(&v);
	}
	free(uname);
	free(getcpu);
	return ok;
}

/*
 * A fix of the sample module livepatch-shadow-mod.ko: its klp_object is the
 * module, the module's own static string through .klp.sym of the module,
 * and no dependency on it (the patch may load first).
 */
static bool t_diff_module(struct ctx *c)
{
	char *before = tree_state(c), *fix = fix_path(c, "shadow.patch");
	struct elfview v;
	bool ok;

	run_diff(c, "-k", c->kdir, "-c", c->cross, fix, NULL);
	ok = succeeded(c) && tree_unchanged(c, before) &&
	     says(c, "replaced dummy_alloc (samples/livepatch/livepatch-shadow-mod.c)\n") &&
	     says(c, "1 function, 1 symbol through .klp.sym (vmlinux 0, ") &&
	     says(c, " livepatch_shadow_mod 1)\n") &&
	     view_open(&v, c->out);
	if (ok) {
		/* Later kernels link a module's .text.* into .text. */
		const char *text = find_sec(&v, ".text.dummy_alloc") ?
				   ".text.dummy_alloc" : ".text";
		char *rela = xasprintf(".klp.rela.livepatch_shadow_mod%s", text);

		ok = defines(&v, "__klp_new_dummy_alloc", STT_FUNC) &&
		     check_klp_rela(&v, rela, text) &&
		     has_modinfo(&v, "depends=") &&
		     has_string(&v, "livepatch_shadow_mod");
		free(rela);
		view_close(&v);
	}
	free(before);
	free(fix);
	return ok;
}

/*
 * A fix of wo_ftrace_fixee_mod.ko whose new code calls the module's own
 * export: resolved through .klp.sym, and modpost's depends= on the module
 * is gone (modprobe must not load it first), without a warning.
 */
static bool t_diff_module_export(struct ctx *c)
{
	char *before = tree_state(c), *fix = fix_path(c, "module.patch");
	struct elfview v;
	bool ok;

	run_diff(c, "-k", c->kdir, "-c", c->cross, fix, NULL);
	ok = succeeded(c) && tree_unchanged(c, before) &&
	     says_replaced(c, "wo_ftrace_fixee_mod_show",
			   "kernel/livepatch/wo_ftrace_fixee_mod.c") &&
	     view_open(&v, c->out);
	if (ok && strstr(c->log, "warning")) {
		pr_diag("klpmake warned: %s", c->log);
		ok = false;
	}
	if (ok) {
		ok = has_klp_sym(&v, ".klp.sym.wo_ftrace_fixee_mod.wo_ftrace_fixee_mod_base,0") &&
		     has_modinfo(&v, "depends=");
		view_close(&v);
	}
	free(before);
	free(fix);
	return ok;
}

/*
 * A new function with a pr_info_once() in fs/proc/base.c, which
 * oom_adj_write() calls: its flag is a new static local of the same name
 * as __set_oom_adj()'s, matched by the function that uses it, not by its
 * number.  It lives in the module; __set_oom_adj.isra.0 is no change, and
 * the one symbol through .klp.sym is that function (not its flag).
 */
static bool t_diff_renumbered(struct ctx *c)
{
	char *before = tree_state(c);
	bool ok;

	run_diff(c, "-k", c->kdir, "-c", c->cross,
		 fixture(c, "diff-renumbered.patch"), NULL);
	ok = succeeded(c) && tree_unchanged(c, before) &&
	     says(c, "compared 1 object: 1 function changed, 1 new") &&
	     says_replaced(c, "oom_adj_write", "fs/proc/base.c") &&
	     says(c, "added oom_adj_note (fs/proc/base.c)\n") &&
	     says(c, "2 functions, 1 symbol through .klp.sym (vmlinux 1)");
	free(before);
	return ok;
}

/* Two diffs of one file, applied in order: both functions replaced. */
static bool t_diff_two(struct ctx *c)
{
	char *before = tree_state(c), *uname = fix_path(c, "uname.patch");
	char *getcpu = fix_path(c, "getcpu.patch");
	struct elfview v;
	bool ok;

	run_diff(c, "-k", c->kdir, "-c", c->cross, uname, getcpu, NULL);
	ok = succeeded(c) && tree_unchanged(c, before) &&
	     says(c, "klpmake: applied 2 diffs to 1 file") &&
	     says(c, "replaced __do_sys_newuname (kernel/sys.c)\n") &&
	     says_replaced(c, c->getcpu, "kernel/sys.c") &&
	     view_open(&v, c->out);
	if (ok) {
		char *getcpu_new = xasprintf("__klp_new_%s", c->getcpu);

		ok = defines(&v, "__klp_new___do_sys_newuname", STT_FUNC) &&
		     defines(&v, getcpu_new, STT_FUNC);
		free(getcpu_new);
		view_close(&v);
	}
	free(before);
	free(uname);
	free(getcpu);
	return ok;
}

/* A header's static inline changed: the two objects that use it. */
static bool t_diff_header(struct ctx *c)
{
	char *before = tree_state(c);
	struct elfview v;
	bool ok;

	run_diff(c, "-k", c->kdir, "-c", c->cross,
		 fixture(c, "diff-header.patch"), NULL);
	ok = succeeded(c) && tree_unchanged(c, before) &&
	     says(c, "klpmake: compiled 2 objects before and after the fix") &&
	     says(c, "klpmake: compared 2 objects: 2 functions changed, 0 new") &&
	     says(c, "replaced wo_ftrace_fixee_show (kernel/livepatch/wo_ftrace_fixee.c)\n") &&
	     says_replaced(c, "wo_ftrace_fixee_peer_show",
			   "kernel/livepatch/wo_ftrace_fixee_peer.c") &&
	     view_open(&v, c->out);
	if (ok) {
		ok = defines(&v, "__klp_new_wo_ftrace_fixee_show", STT_FUNC) &&
		     defines(&v, "__klp_new_wo_ftrace_fixee_peer_show",
			     STT_FUNC);
		if (ok && defines(&v, "__klp_new_wo_ftrace_fixee_write",
				  STT_FUNC)) {
			pr_diag("an unchanged function replaced");
			ok = false;
		}
		view_close(&v);
	}
	free(before);
	return ok;
}

static bool t_diff_stale(struct ctx *c)
{
	return diff_refused(c, "refused/stale.patch",
			    "refused/stale.patch: does not apply to ") &&
	       says(c, "Hunk #3 FAILED");
}

static bool t_diff_usage(struct ctx *c)
{
	char *fix = fix_path(c, "refused/data.patch");
	char *const argv[] = { (char *)c->klpmake, "diff", "-k",
			       (char *)c->kdir, fix, NULL };
	char *logpath = xasprintf("%s/klpmake.log", c->work);

	c->rc = run(argv, logpath);
	free(fix);
	free(c->log);
	c->log = slurp(logpath);
	free(logpath);
	return refused(c, 2, "klpmake: error: diff: -o OUT.ko is required");
}

/* The directory a "... kept in DIR" line names, removed; NULL if none. */
static char *kept_dir(const struct ctx *c, const char *what)
{
	const char *p = strstr(c->log, what);
	char *dir;

	if (!p)
		return NULL;
	p += strlen(what);
	dir = strndup(p, strcspn(p, "\n"));
	return dir;
}

static void remove_dir(const char *dir)
{
	char *const rm[] = { "rm", "-rf", (char *)dir, NULL };

	if (dir)
		run(rm, "/dev/null");
}

/* --replace, -n, -w: the kept source says so; the module is named. */
static bool t_diff_options(struct ctx *c)
{
	char *work, *build, *src = NULL, *text = NULL;
	struct elfview v;
	bool ok;

	run_diff(c, "-k", c->kdir, "-c", c->cross, "--replace", "-n",
		 "klp_named", "-w", fixture(c, "diff-header.patch"), NULL);
	work = kept_dir(c, "work directory kept in ");
	build = kept_dir(c, "build kept in ");
	ok = succeeded(c) && work && build;
	if (ok) {
		src = xasprintf("%s/module/klp_patch.c", work);
		text = slurp(src);
		ok = text && strstr(text, "\t.replace = true,\n") &&
		     strstr(text, "\t\t.old_name = \"wo_ftrace_fixee_show\",\n");
		if (!ok)
			pr_diag("%s: %s", src, text ? text : "missing");
	}
	if (ok && view_open(&v, c->out)) {
		ok = has_modinfo(&v, "name=klp_named") &&
		     has_modinfo(&v, "livepatch=Y");
		view_close(&v);
	}
	remove_dir(work);
	remove_dir(build);
	free(text);
	free(src);
	free(work);
	free(build);
	return ok;
}

/* Ctrl-C while the objects compile: the tree is as it was too. */
static bool t_diff_interrupt(struct ctx *c)
{
	char *before = tree_state(c), *fix = fix_path(c, "fixee.patch");
	char *const argv[] = {
		(char *)c->klpmake, "diff", "-k", (char *)c->kdir, "-c",
		(char *)c->cross, "-o", c->out, fix, NULL,
	};
	bool ok = interrupted_at(c, argv, "after.log") &&
		  tree_unchanged(c, before);

	free(fix);
	free(before);
	return ok;
}

/* Diffs klpmake diff refuses, each with what it must say */
static const struct {
	const char *name;
	const char *fixture;
	const char *msg;
} diff_refusals[] = {
	{
		"diff refuse: changed data", "refused/data.patch",
		"kernel/livepatch/wo_ftrace_fixee.c: the fix changes data 'wo_ftrace_fixee_last' (its initial value, size or what it points to): a live patch cannot change data the kernel has; keep it and add a shadow variable",
	},
	{
		"diff refuse: a changed struct layout", "refused/struct.patch",
		"fs/proc/base.c: the fix changes the layout of struct pid_entry: the running kernel's data keeps the old layout, which the new code would misread; keep the type and add a shadow variable (klp_shadow_get_or_alloc) in a patch written by hand",
	},
	{
		"diff: functions moved in their file are no change",
		"unchanged/moved.patch",
		"diff: the fix changes no function (4 compiled again, all the same)",
	},
	{
		"diff: a comment in a struct is no layout change",
		"unchanged/struct-comment.patch",
		"diff: the fix changes no function (* compiled again, all the same)",
	},
	{
		"diff refuse: changed __init function", "refused/init.patch",
		"kernel/livepatch/wo_ftrace_fixee.c: changed function 'wo_ftrace_fixee_init' is __init code: it has run and is gone",
	},
	{
		"diff refuse: changed NOKPROBE function", "refused/nokprobe.patch",
		"kernel/livepatch/wo_ftrace_fixee.c: changed function 'wo_ftrace_fixee_open' is on the kprobe blacklist (NOKPROBE_SYMBOL), which the kernel refuses: not patched",
	},
	{
		"diff refuse: no function changed", "unchanged/comment.patch",
		"diff: the fix changes no function (4 compiled again, all the same)",
	},
	{
		"diff refuse: an assembly file", "refused/asm.patch",
		"arch/riscv/kernel/entry.S: an assembly file: klpmake compares compiled C functions; write this fix by hand",
	},
	{
		"diff refuse: a riscv ALTERNATIVE in the changed code",
		"refused/alternative.patch",
		"arch/riscv/kernel/sys_hwprobe.c: .alternative has an entry for the changed code at .text.hwprobe_isa_ext0+0x20: klpmake does not carry .alternative entries",
	},
	{
		"diff refuse: a function on the patching path", "refused/klp.patch",
		"kernel/livepatch/core.c: changed function 'klp_enable_patch' is run by live patching itself: not patched",
	},
	{
		"diff refuse: a module and vmlinux in one fix", "refused/mixed.patch",
		"diff: the fix changes samples/livepatch/livepatch-shadow-mod.ko (samples/livepatch/livepatch-shadow-mod.c) and vmlinux (kernel/sys.c): klpmake diff builds a patch for one of them; split the fix",
	},
	{
		"diff refuse: a livepatch module's source", "refused/livepatch-module.patch",
		"samples/livepatch/livepatch-sample.ko: 'livepatch_sample' is a livepatch module: livepatch does not patch those",
	},
};

static const struct test tests[] = {
	{ "usage: no arguments", t_usage_none },
	{ "usage: no -o", t_usage_no_out },
	{ "usage: unknown option", t_usage_unknown },
	{ "usage: malformed -s", t_usage_hint },
	{ "refuse: -k is not a kernel tree", t_not_kdir },
	{ "refuse: absent symbol", t_absent },
	{ "refuse: ambiguous static without hint", t_ambiguous },
	{ "refuse: file hint that matches no definition", t_wrong_hint },
	{ "refuse: position hint out of range", t_bad_pos },
	{ "refuse: -s name in no object, before the build", t_absent_hint },
	{ "refuse: a -s clone in no object, before the build", t_absent_clone },
	{ "refuse: KLPMAKE_SYMPOS_ macro without its -s", t_sympos_no_hint },
	{ "refuse: target module of another kernel", t_mismatch },
	{ "vmlinux: ambiguous static resolved by file hint", t_hint_file },
	{ "vmlinux: static function and data to .klp.sym", t_vmlinux },
	{ "vmlinux: compiler clones of a patched function", t_clones },
	{ "vmlinux: old_sympos from -s of a duplicated static", t_sympos },
	{ "module: static symbols of the target module", t_modtarget },
	{ "refuse: a livepatch module as -m target", t_livepatch_target },
	{ "module: the target's static wins over a vmlinux export", t_modexport },
	{ "refuse: __init and __exit code of vmlinux", t_initexit },
	{ "refuse: an old_sympos livepatch would not resolve", t_oldname },
	{ "refuse: a module sympos that depends on the load order", t_initpos },
	{ "a GOT relocation to vmlinux: refused without module GOTs", t_vmgot },
	{ "refuse: vmlinux of another build of the same release", t_other_build },
	{ "CONFIG_MODULE_SIG: the unsigned output said so", t_unsigned },
	{ "vmlinux: a tracepoint's key through __jump_table", t_jumplabel },
	{ "refuse: a static key of the target module", t_modkey },
	{ "refuse: a compiler error, named in the user's file", t_broken },
	{ "interrupted: kbuild stopped, nothing left behind", t_interrupt },
	{ "diff usage: no -o", t_diff_usage },
	{ "diff: a fix with new code, strings and the kernel's tables", t_diff_fix },
	{ "diff: a header's change in the functions of two files that inline it", t_diff_header },
	{ "diff: a fix of a module", t_diff_module },
	{ "diff: a fix of a module that calls its export", t_diff_module_export },
	{ "diff: two diffs of one file", t_diff_two },
	{ "diff: a new static local matched by its function", t_diff_renumbered },
	{ "diff: only the carried functions' table entries", t_diff_tables },
	{ "diff: --replace, -n and -w", t_diff_options },
	{ "diff refuse: a diff that does not apply", t_diff_stale },
	{ "diff interrupted: nothing written, nothing left behind", t_diff_interrupt },
};

/* ---- setup: the target module, and a copy built for "another" kernel ---- */

static bool copy_file(const char *from, const char *to)
{
	char *const argv[] = { "cp", (char *)from, (char *)to, NULL };

	return !run(argv, "/dev/null");
}

/* make M=@dir modules against KDIR: the path of @dir/@name.ko, or NULL. */
static char *kbuild_module(const struct ctx *c, const char *dir,
			   const char *name)
{
	char *m = xasprintf("M=%s", dir);
	char *cross = xasprintf("CROSS_COMPILE=%s", c->cross);
	char *log = xasprintf("%s/build.log", dir);
	char *const argv[] = { "make", "-C", (char *)c->kdir, "ARCH=riscv",
			       cross, m, "modules", NULL };
	char *ko = NULL;

	if (!run(argv, log))
		ko = xasprintf("%s/%s.ko", dir, name);
	else
		pr_diag("cannot build %s, see %s", name, log);
	free(log);
	free(cross);
	free(m);
	return ko;
}

static char *build_target(struct ctx *c)
{
	char *dir = xasprintf("%s/target", c->work);
	char *from, *to, *ko = NULL;
	static const char * const files[] = {
		"klp_test_target.c", "klp_test_target.h",
	};
	bool ok = true;
	size_t i;
	FILE *f;

	mkdir(dir, 0755);
	for (i = 0; i < 2 && ok; i++) {
		from = xasprintf("%s/%s", c->selftests, files[i]);
		to = xasprintf("%s/%s", dir, files[i]);
		ok = copy_file(from, to);
		free(from);
		free(to);
	}
	to = xasprintf("%s/Kbuild", dir);
	f = fopen(to, "w");
	if (f) {
		fputs("obj-m += klp_test_target.o\n", f);
		fclose(f);
	}
	free(to);
	ko = ok ? kbuild_module(c, dir, "klp_test_target") : NULL;
	free(dir);
	return ko;
}

/* The target module of fixture @name, built in a copy under WORKDIR. */
static char *build_fixture_target(struct ctx *c, const char *name)
{
	char *dir = xasprintf("%s/%s", c->work, name);
	char *from = xasprintf("%s/.", fixture(c, name));
	char *const cp[] = { "cp", "-a", from, dir, NULL };
	char *ko = NULL;

	mkdir(dir, 0755);
	if (!run(cp, "/dev/null"))
		ko = kbuild_module(c, dir, name);
	free(from);
	free(dir);
	return ko;
}

/* A copy of @ko whose vermagic names another release (last digit bumped). */
static char *other_kernel(const struct ctx *c, const char *ko)
{
	char *path = xasprintf("%s/other/klp_test_target.ko", c->work);
	char *dir = xasprintf("%s/other", c->work);
	char *buf, *p, *sp;
	size_t len = 0;
	FILE *f;

	mkdir(dir, 0755);
	free(dir);
	buf = slurp(ko);
	f = fopen(ko, "r");
	if (f) {
		fseek(f, 0, SEEK_END);
		len = ftell(f);
		fclose(f);
	}
	p = buf ? memmem(buf, len, "vermagic=", 9) : NULL;
	sp = p ? memchr(p, ' ', buf + len - p) : NULL;
	f = sp ? fopen(path, "w") : NULL;
	if (!f) {
		pr_diag("cannot make %s", path);
		free(buf);
		free(path);
		return NULL;
	}
	sp[-1] = sp[-1] == '9' ? '8' : sp[-1] + 1;
	fwrite(buf, 1, len, f);
	fclose(f);
	free(buf);
	return path;
}

static void print_usage(void)
{
	fputs("usage: klpmake_test -b KLPMAKE -k KDIR -c CROSS_COMPILE\n"
	      "                    -f FIXTURES -t SELFTEST_MODULES -w WORKDIR\n",
	      stderr);
}

int main(int argc, char **argv)
{
	struct ctx c = { .cross = "riscv64-linux-gnu-" };
	size_t i, n = ARRAY_SIZE(tests);
	int opt, passed = 0, failed = 0, skipped = 0;
	char *skip;

	while ((opt = getopt(argc, argv, "b:k:c:f:t:w:")) != -1) {
		switch (opt) {
		case 'b':
			c.klpmake = optarg;
			break;
		case 'k':
			c.kdir = optarg;
			break;
		case 'c':
			c.cross = optarg;
			break;
		case 'f':
			c.fixtures = optarg;
			break;
		case 't':
			c.selftests = optarg;
			break;
		case 'w':
			c.work = optarg;
			break;
		default:
			print_usage();
			return 2;
		}
	}
	if (!c.klpmake || !c.kdir || !c.fixtures || !c.selftests ||
	    !c.work || optind != argc) {
		print_usage();
		return 2;
	}
	c.kver = tree_version(c.kdir);
	/* Before v6.6 riscv had no syscall wrappers: sys_getcpu aliases it. */
	c.getcpu = has_config(c.kdir, "ARCH_HAS_SYSCALL_WRAPPER") ?
		   "__riscv_sys_getcpu" : "__se_sys_getcpu";
	elf_version(EV_CURRENT);
	if (mkdir(c.work, 0755) && errno != EEXIST) {
		fprintf(stderr, "klpmake_test: %s: %s\n", c.work,
			strerror(errno));
		return 1;
	}
	c.out = xasprintf("%s/out.ko", c.work);

	printf("TAP version 13\n1..%zu\n", n + ARRAY_SIZE(diff_refusals));
	c.target_ko = build_target(&c);
	if (c.target_ko)
		c.other_ko = other_kernel(&c, c.target_ko);
	for (i = 0; i < n + ARRAY_SIZE(diff_refusals); i++) {
		const char *name;
		bool ok;

		if (i < n) {
			name = tests[i].name;
			ok = tests[i].fn(&c);
		} else {
			name = diff_refusals[i - n].name;
			skip = skip_reason(&c, diff_refusals[i - n].fixture);
			if (skip) {
				printf("ok %zu - %s # SKIP %s\n", i + 1, name, skip);
				skipped++;
				free(skip);
				continue;
			}
			ok = diff_refused(&c, diff_refusals[i - n].fixture,
					  diff_refusals[i - n].msg);
		}
		printf("%sok %zu - %s\n", ok ? "" : "not ", i + 1, name);
		fflush(stdout);
		if (ok)
			passed++;
		else
			failed++;
	}
	if (skipped)
		printf("%d passed, %d failed, %d skipped\n", passed, failed,
		       skipped);
	else
		printf("%d passed, %d failed\n", passed, failed);
	unlink(c.out);
	free(c.out);
	free(c.log);
	free(c.target_ko);
	free(c.other_ko);
	free(c.kver);
	return failed ? 1 : 0;
}
