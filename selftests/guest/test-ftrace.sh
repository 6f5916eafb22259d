# SPDX-License-Identifier: GPL-2.0-only
# The function and function graph tracers and patching together (the
# ftrace flavour).
# Sourced by run.sh; each test_* function is one test.

# trace_count: calls of cmdline_proc_show in the function trace.
trace_count() {
	grep -c ' cmdline_proc_show <-' /sys/kernel/tracing/trace
}

# With CONFIG_DYNAMIC_FTRACE the jump goes after ftrace's 8 bytes: tracing
# and patching the same function work together, in either order, and each
# leaves the other's bytes alone.
test_tracing_and_patching_coexist() {
	has_function_tracer || { skip "needs CONFIG_DYNAMIC_FTRACE (the ftrace flavour)"; return; }
	T=/sys/kernel/tracing
	func=$(sym_addr cmdline_proc_show)
	expect "jump site after ftrace's bytes" "$(site_addr cmdline_proc_show)" \
		"$(printf '%x' $((0x$func + 8)))"
	before=$(text_bytes cmdline_proc_show)
	echo "0x$func" > $PEEK/addr
	ftrace_before=$(cat $PEEK/bytes | cut -c1-16)

	# trace, then patch
	echo cmdline_proc_show > $T/set_ftrace_filter
	echo function > $T/current_tracer
	echo > $T/trace
	echo "0x$func" > $PEEK/addr
	expect_ne "tracer wrote its 8 bytes" "$(cat $PEEK/bytes | cut -c1-16)" "$ftrace_before"
	expect "insmod livepatch-sample" "$(klp_insmod $MODS/livepatch-sample.ko)" OK
	wait_transition livepatch_sample
	expect "patched while traced" "$(cat /proc/cmdline)" "this has been live patched"
	expect "traced while patched" "$(trace_count)" 1
	expect "jump target" "$(jump_target cmdline_proc_show)" \
		"$(sym_addr livepatch_cmdline_proc_show)"
	echo nop > $T/current_tracer
	echo "0x$func" > $PEEK/addr
	expect "tracer restored its bytes" "$(cat $PEEK/bytes | cut -c1-16)" "$ftrace_before"
	expect "still patched" "$(cat /proc/cmdline)" "this has been live patched"

	# patched, then traced
	echo > $T/trace
	echo function > $T/current_tracer
	cat /proc/cmdline > /dev/null
	expect "traced after patching" "$(trace_count)" 1
	disable_and_remove livepatch_sample
	expect "bytes after unpatch" "$(text_bytes cmdline_proc_show)" "$before"
	echo > $T/trace
	cat /proc/cmdline > /dev/null
	expect "traced after unpatch" "$(trace_count)" 1
	echo nop > $T/current_tracer
	echo > $T/set_ftrace_filter
}

# What the kernel's test-ftrace.sh checks, for live patching without
# ftrace: kernel.ftrace_enabled neither stops a patch nor is refused while
# one is enabled, since the jump does not go through ftrace.  Where the
# sysctl no longer disables ftrace (7.x), writing 0 is refused with a
# line in the log, and patching is checked with it 1.
test_ftrace_enabled_does_not_gate_patching() {
	has_function_tracer || { skip "needs the ftrace_enabled sysctl (the ftrace flavour)"; return; }
	f=/proc/sys/kernel/ftrace_enabled
	dmesg_mark
	clears=1
	if ! (echo 0 > $f) 2> /dev/null; then
		clears=0
		echo "# ftrace_enabled cannot be cleared on Linux $(uname -r)"
		expect "ftrace_enabled after a refused 0" "$(cat $f)" 1
		expect "the refusal logged" "$(dmesg_new |
			grep -c 'The ftrace_enabled file is deprecated and no longer disables ftrace')" 1
	fi
	expect "insmod with ftrace_enabled=$(cat $f)" "$(klp_insmod $MODS/livepatch-sample.ko)" OK
	wait_transition livepatch_sample
	expect "patched" "$(cat /proc/cmdline)" "this has been live patched"
	echo 1 > $f
	expect "ftrace_enabled=1 while patched" "$(cat $f)" 1
	if [ $clears = 1 ]; then
		echo 0 > $f
		expect "ftrace_enabled=0 while patched" "$(cat $f)" 0
	fi
	expect "still patched" "$(cat /proc/cmdline)" "this has been live patched"
	echo 1 > $f
	disable_and_remove livepatch_sample
}

# With the function graph tracer on every function, return addresses on
# every sleeping stack are return_to_handler; the real ones are on the
# task's shadow stack.  A patch still completes and unpatches, and the
# traced tasks return normally.
test_patch_under_function_graph_tracer() {
	has_function_tracer || { skip "needs the function graph tracer (the ftrace flavour)"; return; }
	T=/sys/kernel/tracing
	before=$(text_bytes cmdline_proc_show)
	echo > $T/set_ftrace_filter
	echo function_graph > $T/current_tracer
	sleep 300 &
	sleeper=$!
	sleep 0.5
	expect "insmod livepatch-sample" "$(klp_insmod $MODS/livepatch-sample.ko)" OK
	wait_transition livepatch_sample
	expect "transition" "$(cat $KLP/livepatch_sample/transition)" 0
	expect "patched" "$(cat /proc/cmdline)" "this has been live patched"
	echo 0 > $T/tracing_on
	# A module function is printed with its module, as %ps does.
	expect "old and new function traced" \
		"$(grep -oE '(livepatch_)?cmdline_proc_show( \[livepatch_sample\])?\(\)' $T/trace | sort -u)" \
		"cmdline_proc_show()
livepatch_cmdline_proc_show [livepatch_sample]()"
	echo 1 > $T/tracing_on
	echo 0 > $KLP/livepatch_sample/enabled
	wait_gone livepatch_sample
	expect "unpatched" "$(text_bytes cmdline_proc_show)" "$before"
	rmmod livepatch_sample
	kill $sleeper
	wait $sleeper
	expect "traced sleeper ended by its signal" $? 143
	echo nop > $T/current_tracer
	echo > $T/trace
}

# A patch retrying while the function tracer is switched on and off (its
# writes take text_mutex, then the CPU hotplug lock in stop_machine()) and
# a hart goes offline and online (a hotplug writer queues between them):
# no deadlock, and with lockdep no report.
test_retries_with_tracer_toggles_and_hotplug() {
	T=/sys/kernel/tracing
	cpu3=/sys/devices/system/cpu/cpu3/online
	has_function_tracer && [ -e $cpu3 ] ||
		{ skip "needs the function tracer and CONFIG_HOTPLUG_CPU (the ftrace flavour)"; return; }
	insmod $MODS/klp_test_target.ko
	echo 1 > $TARGET/sleep
	expect "insmod" "$(klp_insmod $MODS/klp_test_patch_param.ko \
		"target=klp_target_busy object=klp_test_target")" OK
	echo klp_target_answer > $T/set_ftrace_filter
	sh -c "for i in \$(seq 30); do echo function > $T/current_tracer; echo nop > $T/current_tracer; done" &
	toggles=$!
	sh -c "for i in \$(seq 10); do echo 0 > $cpu3; echo 1 > $cpu3; done" &
	hotplug=$!
	wait $toggles
	wait $hotplug
	expect "still waiting for the sleeper" "$(cat $KLP/klp_test_patch_param/transition)" 1
	echo 1 > $TARGET/release
	wait_transition klp_test_patch_param
	expect "completed" "$(cat $KLP/klp_test_patch_param/transition)" 0
	expect "jump target" "$(jump_target klp_target_busy)" "$(sym_addr livepatch_param_func)"
	echo > $T/set_ftrace_filter
	expect "all harts online" "$(cat /sys/devices/system/cpu/online)" 0-3
	disable_and_remove klp_test_patch_param
	rmmod klp_test_target
}
