# SPDX-License-Identifier: GPL-2.0-only
# Helpers of the guest tests (sourced).  Each test is a shell function that
# calls "expect" for every check; the test passes when all of them hold.

KLP=/sys/kernel/livepatch
# The modules' and the tests' directories: a board bundle (selftests/board/)
# unpacked elsewhere gives its own.
MODS=${KLP_MODS:-/modules}
TESTS=${KLP_TESTS:-/tests}
PEEK=/sys/module/klp_test_peek/parameters
TARGET=/sys/module/klp_test_target/parameters
KLPDBG=/sys/kernel/debug/livepatch_wo_ftrace
TESTEE=/sys/kernel/debug/wo_ftrace_testee
TESTEE_DUP=/sys/kernel/debug/wo_ftrace_testee_dup
FIXEE=/sys/kernel/debug/wo_ftrace_fixee
FIXEE_PEER=/sys/kernel/debug/wo_ftrace_fixee_peer

test_failed=0
test_skipped=

# skip REASON: the test cannot run on this kernel; it is counted apart.
skip() {
	test_skipped=$1
}

# Is the kernel fully preemptible (CONFIG_PREEMPT)?
preemptible() {
	uname -v | grep -qw PREEMPT
}

# The pid of the task whose comm is $1.
pid_of() {
	for p in /proc/[0-9]*; do
		[ "$(cat "$p/comm" 2>/dev/null)" = "$1" ] && echo "${p#/proc/}"
	done
}

# expect DESCRIPTION ACTUAL WANTED: false if not, for what to show then.
expect() {
	if [ "$2" != "$3" ]; then
		echo "# $1: got '$2', expected '$3'"
		test_failed=1
		return 1
	fi
}

# expect_ne DESCRIPTION ACTUAL UNWANTED
expect_ne() {
	if [ "$2" = "$3" ]; then
		echo "# $1: got '$2'"
		test_failed=1
	fi
}

# expect_ge DESCRIPTION ACTUAL LEAST: a number of at least LEAST.
expect_ge() {
	if ! [ "$2" -ge "$3" ] 2>/dev/null; then
		echo "# $1: got '$2', expected at least $3"
		test_failed=1
	fi
}

# The address of a symbol, from /proc/kallsyms.
sym_addr() {
	awk -v s="$1" '$3 == s { print $1; exit }' /proc/kallsyms
}

# Where the jump of a function goes: its address, or after ftrace's 8 bytes
# when the function is traceable.
site_addr() {
	a=$(sym_addr "$1")
	if grep -qE "^$1( |\$)" /sys/kernel/tracing/available_filter_functions 2>/dev/null; then
		printf '%x\n' $((0x$a + 8))
	else
		echo "$a"
	fi
}

# How far after the function's address its jump goes: 0, or 8 after ftrace's.
site_offset() {
	echo $((0x$(site_addr "$1") - 0x$(sym_addr "$1")))
}

# The 16 bytes at a function's jump site, in hex.
text_bytes() {
	echo "0x$(site_addr "$1")" > $PEEK/addr
	cat $PEEK/bytes
}

# Where the jump at a function's site leads, "none" if it holds none.
jump_target() {
	echo "0x$(site_addr "$1")" > $PEEK/addr
	cat $PEEK/jump_target
}

# each_site NAME bytes|jump_target: that peek at the site of every
# function named NAME (static names repeat), in kallsyms order.
each_site() {
	off=$(site_offset "$1")
	awk -v s="$1" '$3 == s { print $1 }' /proc/kallsyms | while read -r a; do
		printf '0x%x\n' $((0x$a + off)) > $PEEK/addr
		cat $PEEK/"$2"
	done
}

# Is the function tracer there (the ftrace flavour)?
has_function_tracer() {
	grep -qw function /sys/kernel/tracing/available_tracers 2>/dev/null
}

# wait_transition PATCH: until its transition file reads 0 (10 s at most).
wait_transition() {
	i=0
	while [ "$(cat $KLP/"$1"/transition 2>/dev/null)" = 1 ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

# wait_for FILE VALUE: until FILE reads VALUE (5 s at most).
wait_for() {
	i=0
	while [ "$(cat "$1" 2>/dev/null)" != "$2" ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

# wait_s SECONDS CONDITION: until CONDITION holds, SECONDS at most.
wait_s() {
	end=$(($(date +%s) + $1))
	while ! eval "$2" && [ "$(date +%s)" -lt "$end" ]; do
		sleep 0.2
	done
}

# wait_gone PATCH: until the patch's sysfs directory is gone (10 s at most).
wait_gone() {
	i=0
	while [ -d $KLP/"$1" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

# disable_lp PATCH: disable it and wait until it is gone.
disable_lp() {
	echo 0 > $KLP/"$1"/enabled
	wait_gone "$1"
}

# unload_lp PATCH: unload its module.
unload_lp() {
	rmmod "$1"
}

# disable_and_remove PATCH: both.
disable_and_remove() {
	disable_lp "$1"
	unload_lp "$1"
}

# cleanup: what a test left behind, even when it failed half-way: held
# tasks released, spins stopped, the gate open, patches disabled and
# their modules unloaded, test modules unloaded (the peek stays), the
# tracer off, every hart online, the blocking-task debug lines off.
cleanup() {
	for r in /sys/module/klp_test_*/parameters/release; do
		[ -e "$r" ] && echo 1 > "$r"
	done
	[ -e $TARGET/stop ] && echo 1 > $TARGET/stop
	[ -e $KLPDBG/gate_after_prepass ] && echo 0 > $KLPDBG/gate_after_prepass
	for p in $KLP/*; do
		[ -d "$p" ] && echo 0 > "$p/enabled" 2>/dev/null
	done
	for p in $KLP/*; do
		[ -d "$p" ] && wait_gone "${p##*/}"
	done
	if has_function_tracer; then
		echo nop > /sys/kernel/tracing/current_tracer
		echo > /sys/kernel/tracing/set_ftrace_filter
	fi
	for c in /sys/devices/system/cpu/cpu*/online; do
		[ -e "$c" ] && [ "$(cat "$c")" != 1 ] && echo 1 > "$c"
	done
	echo 'func klp_try_switch_task -p' > /sys/kernel/debug/dynamic_debug/control
	# Patches and probes before the modules they use; twice for the rest.
	for pass in 1 2; do
		for m in $(awk '$1 != "klp_test_peek" { print $1 }' /proc/modules); do
			rmmod "$m" 2>/dev/null
		done
	done
}

# A field of the last stop_machine's figures (debugfs last_stop).
last_stop() {
	awk -v k="$1" '$1 == k { print $2 }' $KLPDBG/last_stop
}

# Lines of dmesg since the mark.
dmesg_mark() {
	dmesg_base=$(dmesg | wc -l)
}

dmesg_new() {
	dmesg | tail -n +$((dmesg_base + 1))
}

# expect_log WHAT EXPECTED: every livepatch line of dmesg since the mark,
# in order, is EXPECTED (the whole transcript, as upstream's check_result
# compares it, so an extra or missing line fails too).
expect_log() {
	expect "$1" "$(dmesg_new | grep -o 'livepatch: .*')" "$2"
}

# run_tests FUNC...: KTAP output and the closing count line.  With
# klp_tests=NAME,NAME on the kernel command line, only those run.
run_tests() {
	only=$(sed -n 's/.*klp_tests=\([^ ]*\).*/\1/p' /proc/cmdline | tr ',' ' ')
	if [ -n "$only" ]; then
		# shellcheck disable=SC2086
		set -- $only
	fi
	passed=0
	failed=0
	skipped=0
	n=0
	echo "KTAP version 1"
	echo "1..$#"
	for t in "$@"; do
		n=$((n + 1))
		test_failed=0
		test_skipped=
		if type "$t" > /dev/null 2>&1; then
			"$t"
		else
			echo "# no test named $t"
			test_failed=1
		fi
		cleanup
		desc=$(echo "$t" | sed 's/^test_//; s/_/ /g')
		if [ -n "$test_skipped" ]; then
			echo "ok $n $desc # SKIP $test_skipped"
			skipped=$((skipped + 1))
		elif [ $test_failed -eq 0 ]; then
			echo "ok $n $desc"
			passed=$((passed + 1))
		else
			echo "not ok $n $desc"
			failed=$((failed + 1))
		fi
	done
	if [ $skipped -gt 0 ]; then
		echo "$passed passed, $failed failed, $skipped skipped"
	else
		echo "$passed passed, $failed failed"
	fi
}
