/* SPDX-License-Identifier: GPL-2.0-only */
/* Symbols of the module klp_test_target, by name: none is exported. */
#ifndef _KLP_TEST_STATIC_MOD_H
#define _KLP_TEST_STATIC_MOD_H

extern int klp_target_stop;
void klp_target_tiny(void);

#endif
