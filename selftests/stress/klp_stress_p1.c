// SPDX-License-Identifier: GPL-2.0-only
/* The soak's patch of one function. */
#define KLP_STRESS_VERSION	KLP_STRESS_P1
#define KLP_STRESS_FIRST	0
#define KLP_STRESS_COUNT	1

#include "klp_stress_patch.h"
