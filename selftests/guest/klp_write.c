// SPDX-License-Identifier: GPL-2.0-only
/*
 * One write(2) for the guest tests: writes DATA to FILE and prints which
 * step failed and the errno name ("open EACCES", "write EINVAL") or "OK",
 * so a test can assert it exactly (a shell redirection gives only the
 * shell's message).
 * Usage: klp_write FILE DATA
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *errno_name(int err)
{
	switch (err) {
	case EINVAL:	return "EINVAL";
	case EACCES:	return "EACCES";
	case EPERM:	return "EPERM";
	case EBUSY:	return "EBUSY";
	case ENOENT:	return "ENOENT";
	case EIO:	return "EIO";
	case ERANGE:	return "ERANGE";
	case ENODEV:	return "ENODEV";
	default:	return "E?";
	}
}

int main(int argc, char **argv)
{
	size_t len;
	ssize_t n;
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: %s FILE DATA\n", argv[0]);
		return 2;
	}
	fd = open(argv[1], O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		printf("open %s\n", errno_name(errno));
		return 1;
	}
	len = strlen(argv[2]);
	n = write(fd, argv[2], len);
	if (n < 0) {
		printf("write %s\n", errno_name(errno));
		close(fd);
		return 1;
	}
	close(fd);
	if ((size_t)n != len) {
		printf("write short %zd of %zu\n", n, len);
		return 1;
	}
	printf("OK\n");
	return 0;
}
