#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The guest tests on a board, run from wherever the bundle (make
# board-bundle) was unpacked; busybox sh is enough.  Prints KTAP and the
# count line; the exit status is 0 only if no test failed.  A test that
# needs a kernel option the running kernel lacks (./needs) is skipped and
# the skip line names the option.
# Usage: sh run.sh   (as root)
here=$(cd "$(dirname "$0")" && pwd)
export KLP_MODS="$here/modules" KLP_TESTS="$here/tests"
export PATH="$here/tests:$PATH"
log=$here/results.log
needs_file=$KLP_TESTS/test-zz-board-needs.sh

# bail REASON: nothing can run here.  Counted as one failure, so that a
# silent board never reads as a pass.
bail() {
	echo "KTAP version 1"
	echo "Bail out! $1"
	echo "0 passed, 1 failed"
	exit 1
}

[ "$(id -u)" = 0 ] || bail "run as root: the tests load modules"
want=$(cat "$here/kernelrelease")
[ "$(uname -r)" = "$want" ] ||
	bail "the bundle is for Linux $want, this kernel is $(uname -r): build it with KSRC= this kernel's tree"
[ -d /sys/kernel/livepatch ] || bail "needs CONFIG_LIVEPATCH (no /sys/kernel/livepatch)"

# A board's own init may mount less than the test guest's does.
mounted() {
	awk -v d="$1" '$2 == d { f = 1 } END { exit !f }' /proc/mounts
}
mounted /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug ||
	bail "cannot mount debugfs: needs CONFIG_DEBUG_FS"
if [ -d /sys/kernel/tracing ] && ! mounted /sys/kernel/tracing; then
	mount -t tracefs tracefs /sys/kernel/tracing
fi
[ -d /sys/kernel/debug/livepatch_wo_ftrace ] ||
	bail "needs CONFIG_LIVEPATCH_WO_FTRACE (no debugfs livepatch_wo_ftrace)"

# The running kernel's options if it tells them, else those of the tree
# the bundle was built from (same release, checked above).
config=$here/config
if [ -r /proc/config.gz ]; then
	zcat /proc/config.gz > "$here/running.config" && config=$here/running.config
fi

# Every test (and helper) whose body matches PATTERN, or calls a function
# that does, in the test files: the test functions among them.
tests_matching() {
	awk -v pat="$1" '
	/^[A-Za-z_][A-Za-z0-9_]*\(\) \{$/ { fn = substr($1, 1, index($1, "(") - 1); next }
	/^}/ { fn = ""; next }
	fn != "" && !/^[ \t]*#/ { body[fn] = body[fn] "\n" $0 }
	END {
		for (f in body)
			if (body[f] ~ pat)
				need[f] = 1
		more = 1
		while (more) {
			more = 0
			for (f in body) {
				if (f in need)
					continue
				for (g in need)
					if (body[f] ~ ("[^A-Za-z0-9_]" g "([^A-Za-z0-9_]|$)")) {
						need[f] = 1
						more = 1
						break
					}
			}
		}
		for (f in need)
			if (f ~ /^test_/)
				print f
	}' "$KLP_TESTS"/test-*.sh
}

# The tests that cannot run here become skips: a file that run.sh sources
# after the others and that redefines them.  One line each, so that
# run.sh's list of tests (definitions ending in "{") does not count them
# again.
rm -f "$needs_file"
skips=
while read -r opt pattern; do
	case $opt in '#'* | '') continue ;; esac
	grep -q "^$opt=[ym]" "$config" && continue
	for t in $(tests_matching "$pattern"); do
		echo "$t() { skip \"needs $opt\"; }" >> "$needs_file"
	done
	skips="$skips $opt"
done < "$here/needs"
for opt in $skips; do
	n=$(cat "$needs_file" 2>/dev/null | grep -c "needs $opt\"")
	echo "# $opt is not set in this kernel: $n tests skip"
done

sh "$KLP_TESTS/run.sh" | tee "$log"
counts=$(sh "$here/counts.sh" "$log") || exit 1
# shellcheck disable=SC2086
set -- $counts
[ "$2" -eq 0 ]
