/* SPDX-License-Identifier: GPL-2.0-only */
/* Static symbols of the test kernel (wo_ftrace_testee.c), by name. */
#ifndef _KLP_TEST_STATIC_H
#define _KLP_TEST_STATIC_H

extern int wo_ftrace_testee_count;
int wo_ftrace_testee_scale(int x);

#endif
