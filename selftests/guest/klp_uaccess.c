// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kernel reads and writes of user memory for the guest tests, from an
 * address no page backs: each prints the errno name the call gave ("OK"
 * for success), so "EFAULT" says the exception table caught the fault; a
 * missing fixup is an oops instead.
 *   klp_uaccess write FILE   write(2) of one byte to FILE
 *   klp_uaccess getcpu       getcpu(2) storing to it, then with no
 *                            pointers at all
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *errno_name(long ret)
{
	if (ret >= 0)
		return "OK";
	switch (errno) {
	case EFAULT:	return "EFAULT";
	case EINVAL:	return "EINVAL";
	default:	return "E?";
	}
}

int main(int argc, char **argv)
{
	/* Page 0 is never mapped; parsed, so that the compiler lets it be. */
	char *unmapped = (char *)strtoul("8", NULL, 0);
	long ret;
	int fd;

	if (argc == 3 && !strcmp(argv[1], "write")) {
		fd = open(argv[2], O_WRONLY);
		if (fd < 0) {
			perror(argv[2]);
			return 2;
		}
		puts(errno_name(write(fd, unmapped, 1)));
		close(fd);
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "getcpu")) {
		ret = syscall(SYS_getcpu, unmapped, NULL, NULL);
		printf("%s ", errno_name(ret));
		puts(errno_name(syscall(SYS_getcpu, NULL, NULL, NULL)));
		return 0;
	}
	fprintf(stderr, "usage: klp_uaccess write FILE | getcpu\n");
	return 2;
}
