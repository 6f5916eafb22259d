// SPDX-License-Identifier: GPL-2.0-only
/*
 * Holds a task at a chosen instruction of kernel text for the guest tests:
 * it writes the address of a page that its userfaultfd owns to FILE (a
 * parameter whose setter reads that address in the kernel), so the read
 * faults and it sleeps in handle_userfault() with its exception frame at
 * that read.  Its pid goes to DIR/pid; once DIR/release exists a child
 * fills the page (the int there reads 77) and the read goes on.  Prints
 * "status N": 0 when the write succeeded.
 * Usage: klp_uffd_hold FILE DIR
 */
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void die(const char *what)
{
	perror(what);
	exit(2);
}

/* The write that faults in the kernel. */
static int hold(const char *file, void *page)
{
	FILE *f = fopen(file, "w");

	if (!f)
		return 1;
	fprintf(f, "%lu\n", (unsigned long)page);
	return fclose(f) ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	struct uffdio_copy copy = { 0 };
	long size = sysconf(_SC_PAGESIZE);
	char path[256];
	struct stat st;
	int uffd, status, ret;
	char *page, *src;
	FILE *f;
	pid_t pid;

	if (argc != 3) {
		fprintf(stderr, "usage: %s FILE DIR\n", argv[0]);
		return 2;
	}
	uffd = syscall(SYS_userfaultfd, O_CLOEXEC);
	if (uffd < 0 || ioctl(uffd, UFFDIO_API, &api))
		die("userfaultfd");
	page = mmap(NULL, size, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	src = mmap(NULL, size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED || src == MAP_FAILED)
		die("mmap");
	reg.range.start = (unsigned long)page;
	reg.range.len = size;
	if (ioctl(uffd, UFFDIO_REGISTER, &reg))
		die("UFFDIO_REGISTER");

	/* The fault is resolved from a child: the uffd acts on our mm. */
	pid = fork();
	if (pid < 0)
		die("fork");
	if (!pid) {
		snprintf(path, sizeof(path), "%s/release", argv[2]);
		while (stat(path, &st))
			usleep(10000);
		*(int *)src = 77;
		copy.dst = (unsigned long)page;
		copy.src = (unsigned long)src;
		copy.len = size;
		if (ioctl(uffd, UFFDIO_COPY, &copy))
			die("UFFDIO_COPY");
		return 0;
	}

	snprintf(path, sizeof(path), "%s/pid", argv[2]);
	f = fopen(path, "w");
	if (!f)
		die(path);
	fprintf(f, "%d\n", getpid());
	fclose(f);

	ret = hold(argv[1], page);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		die("the releasing child");
	printf("status %d\n", ret);
	return 0;
}
