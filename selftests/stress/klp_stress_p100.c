// SPDX-License-Identifier: GPL-2.0-only
/* The soak's patch of every function: the hundred and the one tasks sleep in. */
#define KLP_STRESS_VERSION	KLP_STRESS_P100
#define KLP_STRESS_FIRST	0
#define KLP_STRESS_COUNT	100
#define KLP_STRESS_ALSO	KLP_STRESS_ALSO_NAP

#include "klp_stress_patch.h"
