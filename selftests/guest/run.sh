#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The guest tests of live patching without ftrace, run by /init: every
# test_* function of /tests/test-*.sh, by feature, and a last check that
# none of them made the kernel warn.
. /tests/lib.sh
for f in /tests/test-*.sh; do
	. "$f"
done

# Nothing above made the kernel warn, oops or report a bug.
test_no_kernel_warnings() {
	expect "warnings in dmesg" "$(dmesg | grep -cE 'WARNING:|BUG:|Oops|Call Trace')" 0
}

insmod $MODS/klp_test_peek.ko
echo "# on $(nproc) harts, Linux $(uname -r)"
# shellcheck disable=SC2046
run_tests $(sed -n 's/^\(test_[a-z0-9_]*\)() {$/\1/p' /tests/test-*.sh) \
	test_no_kernel_warnings
