// SPDX-License-Identifier: GPL-2.0-only
/* The soak's patch of the function a kthread sleeps in: pending, then reversed. */
#define KLP_STRESS_VERSION	KLP_STRESS_HOLD
#define KLP_STRESS_FIRST	5
#define KLP_STRESS_COUNT	1
#define KLP_STRESS_ALSO	KLP_STRESS_ALSO_HOLD

#include "klp_stress_patch.h"
