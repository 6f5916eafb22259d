// SPDX-License-Identifier: GPL-2.0-only
/* The soak's patch in the middle of a stack of three: disabled first. */
#define KLP_STRESS_VERSION	KLP_STRESS_STACK_B
#define KLP_STRESS_FIRST	1
#define KLP_STRESS_COUNT	2

#include "klp_stress_patch.h"
