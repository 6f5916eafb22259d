/* SPDX-License-Identifier: GPL-2.0-only */
/* KTAP lines and the closing count of the host tests. */
#ifndef KLP_HOST_KTAP_H
#define KLP_HOST_KTAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

static unsigned int ktap_passed, ktap_failed, ktap_nr;

/* One result: "ok N what" or "not ok N what". */
static void __attribute__((format(printf, 2, 3)))
ktap_report(bool ok, const char *fmt, ...)
{
	va_list ap;

	ktap_nr++;
	printf("%s %u ", ok ? "ok" : "not ok", ktap_nr);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (ok)
		ktap_passed++;
	else
		ktap_failed++;
}

/*
 * The plan and the count line; the exit status is 1 on a failure or if
 * fewer than @least results were reported.
 */
static int ktap_finish(unsigned int least)
{
	printf("1..%u\n", ktap_nr);
	printf("%u passed, %u failed\n", ktap_passed, ktap_failed);
	return ktap_failed || ktap_nr < least;
}

#endif /* KLP_HOST_KTAP_H */
