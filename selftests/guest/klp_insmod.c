// SPDX-License-Identifier: GPL-2.0-only
/*
 * insmod for the guest tests: loads a module and prints the errno name
 * the kernel returned ("OK" on success), so a test can assert it exactly.
 * Usage: klp_insmod FILE.ko [PARAMS]
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static const char *errno_name(int err)
{
	switch (err) {
	case 0:		return "OK";
	case EINVAL:	return "EINVAL";
	case EBUSY:	return "EBUSY";
	case EEXIST:	return "EEXIST";
	case ENOENT:	return "ENOENT";
	case ERANGE:	return "ERANGE";
	case EFAULT:	return "EFAULT";
	case ENODEV:	return "ENODEV";
	case ENOMEM:	return "ENOMEM";
	case ENOEXEC:	return "ENOEXEC";
	case EPERM:	return "EPERM";
	case EILSEQ:	return "EILSEQ";
	default:	return "E?";
	}
}

int main(int argc, char **argv)
{
	int fd, err = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE.ko [PARAMS]\n", argv[0]);
		return 2;
	}
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "%s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	if (syscall(SYS_finit_module, fd, argc > 2 ? argv[2] : "", 0))
		err = errno;
	close(fd);
	printf("%s\n", errno_name(err));
	return err ? 1 : 0;
}
