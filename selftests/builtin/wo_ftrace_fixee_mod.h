/* SPDX-License-Identifier: GPL-2.0-only */
/* The export of wo_ftrace_fixee_mod.ko, which its own code calls too. */
#ifndef _WO_FTRACE_FIXEE_MOD_H
#define _WO_FTRACE_FIXEE_MOD_H

int wo_ftrace_fixee_mod_base(void);

#endif /* _WO_FTRACE_FIXEE_MOD_H */
