#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# In the guest: run the kernel's own livepatch selftests, unchanged, one
# KTAP line per script.  KDIR only has to exist: the modules are prebuilt.
cd /selftests/livepatch || exit 1
export KDIR=/selftests
passed=0
failed=0
skipped=0
n=0

# What a failed script left behind would fail the next ones too.
cleanup() {
	for p in /sys/kernel/livepatch/*; do
		[ -e "$p/enabled" ] && echo 0 > "$p/enabled" 2>/dev/null
	done
	i=0
	while [ -n "$(ls /sys/kernel/livepatch)" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	for m in $(awk '/^test_klp_/ { print $1 }' /proc/modules); do
		rmmod "$m" 2>/dev/null
	done
}

set -- test-*.sh
echo "KTAP version 1"
echo "1..$#"
for t in "$@"; do
	n=$((n + 1))
	if [ "$t" = test-ftrace.sh ]; then
		# It expects kernel.ftrace_enabled=0 to stop live patching;
		# without ftrace the jump does not go through ftrace at all.
		echo "ok $n $t # SKIP live patching without ftrace does not depend on kernel.ftrace_enabled"
		skipped=$((skipped + 1))
		continue
	fi
	bash "./$t" > "/tmp/$t.log" 2>&1
	rc=$?
	sed 's/^/# /' "/tmp/$t.log"
	case $rc in
	0) echo "ok $n $t"; passed=$((passed + 1)) ;;
	4) echo "ok $n $t # SKIP $(sed -n 's/^SKIP: //p' "/tmp/$t.log" | tail -n 1)"
		skipped=$((skipped + 1)) ;;
	*) echo "not ok $n $t"; failed=$((failed + 1)) ;;
	esac
	cleanup
done
echo "$passed passed, $failed failed, $skipped skipped"
