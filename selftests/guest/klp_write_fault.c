// SPDX-License-Identifier: GPL-2.0-only
/*
 * Writes one byte to FILE from an address no page backs, for the guest
 * tests of code that reads user memory: prints "EFAULT" when the kernel's
 * exception table caught the fault, "OK" if the write took the byte, else
 * the errno's number.  A missing fixup is an oops instead.
 * Usage: klp_write_fault FILE
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	/* Page 0 is never mapped; parsed, so that the compiler lets it be. */
	const char *unmapped = (const char *)strtoul("8", NULL, 0);
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: klp_write_fault FILE\n");
		return 2;
	}
	fd = open(argv[1], O_WRONLY);
	if (fd < 0) {
		perror(argv[1]);
		return 2;
	}
	if (write(fd, unmapped, 1) == 1)
		puts("OK");
	else if (errno == EFAULT)
		puts("EFAULT");
	else
		printf("errno %d\n", errno);
	close(fd);
	return 0;
}
