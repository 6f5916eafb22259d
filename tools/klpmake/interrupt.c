// SPDX-License-Identifier: GPL-2.0-only
/*
 * Ctrl-C, a hangup or a kill while klpmake runs.  The handler only sets a
 * flag: kbuild runs in a process group of its own, which the wait for it
 * then stops, and each step returns through its usual error path, which
 * removes the scratch copy and any temporary output.
 */
#include <signal.h>
#include <string.h>

#include "klpmake.h"

/* Lock-free, so a signal handler may set it. */
atomic_int klp_interrupted;

static void on_interrupt(int sig)
{
	klp_interrupted = sig;
}

void catch_interrupts(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_interrupt;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a wait for kbuild returns at once. */
	for (i = 0; i < ARRAY_SIZE(sigs); i++)
		sigaction(sigs[i], &sa, NULL);
}
