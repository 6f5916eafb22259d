/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Host stand-in for the few kernel definitions <asm/insn.h> and
 * klp_insn.h use, so both compile unchanged in the host unit tests.
 */
#ifndef _HOST_LINUX_BITS_H
#define _HOST_LINUX_BITS_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

typedef uint16_t u16;
typedef uint32_t u32;
typedef int32_t s32;

#define _UL(x)			((unsigned long)(x))
#define BIT(n)			(1UL << (n))
#define GENMASK(h, l)		(((~0UL) << (l)) & (~0UL >> (63 - (h))))
#define BUILD_BUG_ON(cond)	((void)sizeof(char[1 - 2 * !!(cond)]))
#ifndef __always_inline
#define __always_inline		inline __attribute__((__always_inline__))
#endif

#endif /* _HOST_LINUX_BITS_H */
