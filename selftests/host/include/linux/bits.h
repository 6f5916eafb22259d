/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Host stand-in for the few kernel definitions <asm/insn.h> and
 * klp_insn.h use, so both compile unchanged in the host unit tests.
 */
#ifndef _HOST_LINUX_BITS_H
#define _HOST_LINUX_BITS_H

#include <errno.h>
#include <stdbool.h>

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef int s32;

#define _UL(x)			((unsigned long)(x))
#define BIT(n)			(1UL << (n))
#define GENMASK(h, l)		(((~0UL) << (l)) & (~0UL >> (63 - (h))))
#define BUILD_BUG_ON(cond)	((void)sizeof(char[1 - 2 * !!(cond)]))
/* __always_inline comes from glibc's <sys/cdefs.h>. */
#include <sys/cdefs.h>

#endif /* _HOST_LINUX_BITS_H */
