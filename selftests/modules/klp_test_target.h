/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Functions of klp_test_target that live patches replace.  Global, so that
 * the compiler cannot fold them into their callers.
 */
#ifndef _KLP_TEST_TARGET_H
#define _KLP_TEST_TARGET_H

int klp_target_answer(void);
int klp_target_f(void);
int klp_target_g(void);
void klp_target_pair(int *f, int *g);
int klp_target_window(const int __user *p);
void klp_target_busy(void);
void klp_target_wait(void);
void klp_target_spin(void);
void klp_target_leaf_caller(void);
void klp_target_no_frame_chain(void);
unsigned long klp_target_page_0(unsigned long x);
unsigned long klp_target_page_1(unsigned long x);
unsigned long klp_target_page_2(unsigned long x);
unsigned long klp_target_page_3(unsigned long x);
unsigned long klp_target_page_4(unsigned long x);
unsigned long klp_target_page_5(unsigned long x);

#endif /* _KLP_TEST_TARGET_H */
