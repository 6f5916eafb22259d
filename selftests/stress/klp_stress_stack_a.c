// SPDX-License-Identifier: GPL-2.0-only
/* The soak's patch at the bottom of a stack of three. */
#define KLP_STRESS_VERSION	KLP_STRESS_STACK_A
#define KLP_STRESS_FIRST	1
#define KLP_STRESS_COUNT	2

#include "klp_stress_patch.h"
