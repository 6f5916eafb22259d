// SPDX-License-Identifier: GPL-2.0-only
/* The soak's patch that replaces all others, second of a chain. */
#define KLP_STRESS_VERSION	KLP_STRESS_REPLACE_B
#define KLP_STRESS_FIRST	3
#define KLP_STRESS_COUNT	2
#define KLP_STRESS_REPLACE	true

#include "klp_stress_patch.h"
