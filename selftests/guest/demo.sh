#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The demo: the tree's livepatch sample, enabled and disabled; then a
# patch built by klpmake that uses static symbols of the kernel.
KLP=/sys/kernel/livepatch
show() {
	echo "guest# $*"
	eval "$@"
}

# wait_while CONDITION: at most 10 s.
wait_while() {
	i=0
	while eval "$1" && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

# demo MODULE.ko PATCH FILE: FILE unpatched, patched, unpatched again.
demo() {
	show cat "$3"
	show insmod /modules/"$1"
	wait_while "[ \"\$(cat $KLP/$2/transition)\" = 1 ]"
	show cat "$3"
	show "echo 0 > $KLP/$2/enabled"
	wait_while "[ -d $KLP/$2 ]"
	show rmmod "$2"
	show cat "$3"
}

demo livepatch-sample.ko livepatch_sample /proc/cmdline
# Static functions and a static variable of the test kernel
# (selftests/builtin), patched by a module klpmake built.
demo klp_test_static.ko klp_test_static /sys/kernel/debug/wo_ftrace_testee
show "dmesg | grep livepatch"
