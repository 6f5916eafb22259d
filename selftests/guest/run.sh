#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The guest tests of live patching without ftrace, run by /init: every
# test_* function of /tests/test-*.sh, by feature, and a last check that
# none of them made the kernel warn.
. "${KLP_TESTS:-/tests}/lib.sh"
for f in "$TESTS"/test-*.sh; do
	. "$f"
done

# Nothing above made the kernel warn, oops or report a bug, but for the
# WARN that test_klpmake_diff_fix_with_kernel_tables provokes on purpose.
test_no_kernel_warnings() {
	expect "warnings in dmesg" "$(dmesg | grep -E 'WARNING:|BUG:|Oops|Call Trace' |
		grep -vc 'WARNING: .*kernel/livepatch/wo_ftrace_fixee.c:')" 0
}

insmod $MODS/klp_test_peek.ko
model=$(cat /sys/kernel/debug/livepatch_wo_ftrace/model)
echo "# on $(nproc) harts, Linux $(uname -r), the $model model"
# Every test but those whose comment says "# <other model> model only".
# shellcheck disable=SC2046
run_tests $(awk -v model="$model" '
	/^# [a-z-]* model only$/ { only = $2 }
	/^test_[a-z0-9_]*\(\) \{$/ {
		if (only == "" || only == model)
			print substr($1, 1, index($1, "(") - 1)
	}
	!/^#/ { only = "" }' "$TESTS"/test-*.sh) \
	test_no_kernel_warnings
