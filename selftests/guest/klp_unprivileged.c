// SPDX-License-Identifier: GPL-2.0-only
/*
 * Runs a command as an unprivileged user, for the guest tests (busybox
 * has no setpriv): uid and gid 65534 (nobody), no supplementary groups,
 * and no capability at all, CAP_SYS_MODULE included.
 * Usage: klp_unprivileged COMMAND [ARG...]
 */
#define _GNU_SOURCE
#include <grp.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define NOBODY	65534

int main(int argc, char **argv)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	unsigned int i;

	if (argc < 2) {
		fprintf(stderr, "usage: %s COMMAND [ARG...]\n", argv[0]);
		return 2;
	}
	/* Groups and gid first: changing them needs the capabilities. */
	if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
	    setresuid(NOBODY, NOBODY, NOBODY)) {
		perror("klp_unprivileged: dropping root");
		return 2;
	}
	/* Leaving uid 0 cleared them; say so explicitly and check. */
	memset(data, 0, sizeof(data));
	if (syscall(SYS_capset, &hdr, data) ||
	    syscall(SYS_capget, &hdr, data)) {
		perror("klp_unprivileged: capset");
		return 2;
	}
	for (i = 0; i < _LINUX_CAPABILITY_U32S_3; i++) {
		if (data[i].effective || data[i].permitted || data[i].inheritable) {
			fprintf(stderr, "klp_unprivileged: capabilities left\n");
			return 2;
		}
	}
	/* And none comes back through an exec. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		perror("klp_unprivileged: no_new_privs");
		return 2;
	}
	execvp(argv[1], argv + 1);
	perror(argv[1]);
	return 127;
}
