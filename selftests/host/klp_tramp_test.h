/* SPDX-License-Identifier: GPL-2.0-only */
/* The assembly of klp_tramp_test.c: old functions and a call helper. */
#ifndef KLP_TRAMP_TEST_H
#define KLP_TRAMP_TEST_H

extern const u8 old_frame[], old_frame_end[], old_rvc[], old_rvc_end[];
extern const u8 old_auipc[], old_auipc_end[], old_branch[], old_branch_end[];
long call_with_tp(unsigned long fn, void *tp);

#endif /* KLP_TRAMP_TEST_H */
