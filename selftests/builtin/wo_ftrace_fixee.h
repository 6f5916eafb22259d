/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A static inline of wo_ftrace_fixee.c in a header of its own: a fix of
 * the header is a fix of the functions that inline it.
 */
#ifndef _WO_FTRACE_FIXEE_H
#define _WO_FTRACE_FIXEE_H

static inline const char *wo_ftrace_fixee_verdict(char c)
{
	return c == 'y' ? "yes" : "no";
}

#endif /* _WO_FTRACE_FIXEE_H */
