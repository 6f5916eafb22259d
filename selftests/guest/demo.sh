#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The demo: the tree's livepatch sample, enabled and disabled.
KLP=/sys/kernel/livepatch
show() {
	echo "guest# $*"
	eval "$@"
}

show cat /proc/cmdline
show insmod /modules/livepatch-sample.ko
i=0
while [ "$(cat $KLP/livepatch_sample/transition)" = 1 ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
show cat /proc/cmdline
show "echo 0 > $KLP/livepatch_sample/enabled"
while [ -d $KLP/livepatch_sample ] && [ $i -lt 200 ]; do
	sleep 0.1
	i=$((i + 1))
done
show rmmod livepatch_sample
show cat /proc/cmdline
show "dmesg | grep livepatch"
