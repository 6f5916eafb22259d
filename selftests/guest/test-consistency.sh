# SPDX-License-Identifier: GPL-2.0-only
# When a task is inside code that changes: the patch waits, wherever the
# task is (sleeping, preempted, below a kretprobe, exiting, only seen
# inside stop_machine), and reversals, forcing and forks behave.
# Sourced by run.sh; each test_* function is one test.

# A kthread sleeps in klp_target_busy(): the patch waits in transition with
# nothing written, and completes by itself once the thread has left.
# all-at-once model only
test_patch_waits_for_sleeping_kthread() {
	insmod $MODS/klp_test_target.ko
	before=$(text_bytes klp_target_busy)
	answer_before=$(text_bytes klp_target_answer)
	echo 1 > $TARGET/sleep
	expect "insmod patch" "$(klp_insmod $MODS/klp_test_patch_target.ko)" OK
	sleep 2
	expect "in transition" "$(cat $KLP/klp_test_patch_target/transition)" 1
	expect "busy function untouched" "$(text_bytes klp_target_busy)" "$before"
	expect "other function untouched" "$(text_bytes klp_target_answer)" "$answer_before"
	expect "answer unpatched" "$(cat $TARGET/answer)" 42

	echo 1 > $TARGET/release
	wait_transition klp_test_patch_target
	expect "transition done" "$(cat $KLP/klp_test_patch_target/transition)" 0
	expect "answer patched" "$(cat $TARGET/answer)" 1042
	expect "jump target" "$(jump_target klp_target_busy)" \
		"$(sym_addr livepatch_klp_target_busy)"

	echo 0 > $KLP/klp_test_patch_target/enabled
	wait_gone klp_test_patch_target
	expect "bytes after disable" "$(text_bytes klp_target_busy)" "$before"
	rmmod klp_test_patch_target
	rmmod klp_test_target
}

# The pre-pass finds no task in klp_target_busy(); then, before the
# machine is stopped, a kthread that existed all along enters it.  The
# check inside stop_machine walks only tasks switched out since the
# pre-pass: it must see this one, write nothing, and say so in last_stop.
# all-at-once model only
test_task_entering_after_prepass_blocks() {
	gate=$KLPDBG/gate_after_prepass
	insmod $MODS/klp_test_target.ko
	echo 1 > $TARGET/sleep_later
	before=$(text_bytes klp_target_busy)
	echo 1 > $gate
	klp_insmod $MODS/klp_test_patch_target.ko > /tmp/insmod.out &
	# Shell builtins only from here: nothing but the kthread may move.
	i=0
	while read -r held < $gate && [ "$held" != 2 ] && [ $i -lt 200000 ]; do
		i=$((i + 1))
	done
	echo 1 > $TARGET/go
	echo 0 > $gate
	wait
	expect "attempt held after its pre-pass" "$held" 2
	expect "insmod patch" "$(cat /tmp/insmod.out)" OK
	expect "in transition" "$(cat $KLP/klp_test_patch_target/transition)" 1
	expect "busy function untouched" "$(text_bytes klp_target_busy)" "$before"
	expect "answer unpatched" "$(cat $TARGET/answer)" 42
	expect "stop_machine found it" "$(last_stop result)" -11
	expect "without walking every task" "$(last_stop full_scan)" 0

	echo 1 > $TARGET/release
	wait_transition klp_test_patch_target
	expect "transition done" "$(cat $KLP/klp_test_patch_target/transition)" 0
	expect "answer patched" "$(cat $TARGET/answer)" 1042
	echo 0 > $KLP/klp_test_patch_target/enabled
	wait_gone klp_test_patch_target
	expect "bytes after disable" "$(text_bytes klp_target_busy)" "$before"
	rmmod klp_test_patch_target
	rmmod klp_test_target
}

# Writing 0 to enabled while the patch waits reverses it: nothing was
# written, so it completes at once and the module can go.
test_pending_patch_reversed() {
	insmod $MODS/klp_test_target.ko
	before=$(text_bytes klp_target_busy)
	answer_before=$(text_bytes klp_target_answer)
	echo 1 > $TARGET/sleep
	dmesg_mark
	expect "insmod patch" "$(klp_insmod $MODS/klp_test_patch_target.ko)" OK
	sleep 1
	expect "in transition" "$(cat $KLP/klp_test_patch_target/transition)" 1
	echo 0 > $KLP/klp_test_patch_target/enabled
	wait_gone klp_test_patch_target
	expect "patch gone" "$(ls $KLP)" ""
	expect "busy function untouched" "$(text_bytes klp_target_busy)" "$before"
	expect "other function untouched" "$(text_bytes klp_target_answer)" "$answer_before"
	expect "answer unpatched" "$(cat $TARGET/answer)" 42
	expect_log "log" \
"livepatch: enabling patch 'klp_test_patch_target'
livepatch: 'klp_test_patch_target': starting patching transition
livepatch: 'klp_test_patch_target': starting unpatching transition
livepatch: 'klp_test_patch_target': unpatching complete"
	rmmod klp_test_patch_target
	expect "patch module removed" "$(grep -c '^klp_test_patch_target ' /proc/modules)" 0
	echo 1 > $TARGET/release
	rmmod klp_test_target
}

# spin_blocks FUNC PARAM: a kthread started by writing the target's PARAM
# spins in FUNC's code; a patch of FUNC waits in transition with its bytes
# unchanged (per-task model: with the spinner not switched), and completes
# once the spin stops.
spin_blocks() {
	insmod $MODS/klp_test_target.ko
	before=$(text_bytes "$1")
	echo 1 > $TARGET/"$2"
	expect "insmod" \
		"$(klp_insmod $MODS/klp_test_patch_param.ko "target=$1 object=klp_test_target")" OK
	sleep 2
	expect "in transition" "$(cat $KLP/klp_test_patch_param/transition)" 1
	if [ "$model" = per-task ]; then
		expect "the spinner not switched" \
			"$(cat /proc/"$(pid_of klp_spinner)"/patch_state)" 0
	else
		expect "bytes unchanged" "$(text_bytes "$1")" "$before"
	fi
	echo 1 > $TARGET/stop
	wait_transition klp_test_patch_param
	expect "transition done" "$(cat $KLP/klp_test_patch_param/transition)" 0
	expect "jump target" "$(jump_target "$1")" "$(sym_addr livepatch_param_func)"
	echo 0 > $KLP/klp_test_patch_param/enabled
	wait_gone klp_test_patch_param
	expect "bytes after disable" "$(text_bytes "$1")" "$before"
	rmmod klp_test_patch_param
	rmmod klp_test_target
}

# A kthread preempted by an interrupt while it spins inside the old
# function (seen through the exception frame's epc).
test_patch_waits_for_preempted_task() {
	preemptible || { skip "needs CONFIG_PREEMPT: a spinning kthread never yields"; return; }
	spin_blocks klp_target_spin spin
}

# A kthread spinning in a frameless asm leaf called by the old function:
# the caller is seen only in the exception frame's ra.
test_patch_waits_for_frameless_callee() {
	preemptible || { skip "needs CONFIG_PREEMPT: a spinning kthread never yields"; return; }
	spin_blocks klp_target_leaf_caller leaf
}

# A kretprobe on the function the kthread sleeps in replaces the return
# address into klp_target_busy() by its trampoline: the walk finds the real
# one in the task's rethook list, so the patch waits until the thread has
# left (and does not wait for other tasks under the same kretprobe).
# all-at-once model only
test_kretprobe_hiding_caller_blocks() {
	insmod $MODS/klp_test_target.ko
	expect "kretprobe" \
		"$(klp_insmod $MODS/klp_test_kprobe.ko "symbol=klp_target_wait ret=1")" OK
	before=$(text_bytes klp_target_busy)
	echo 1 > $TARGET/sleep
	expect "insmod patch" "$(klp_insmod $MODS/klp_test_patch_target.ko)" OK
	sleep 1
	expect "in transition" "$(cat $KLP/klp_test_patch_target/transition)" 1
	expect "bytes unchanged" "$(text_bytes klp_target_busy)" "$before"
	echo 1 > $TARGET/release
	wait_transition klp_test_patch_target
	expect "transition done" "$(cat $KLP/klp_test_patch_target/transition)" 0
	expect "answer patched" "$(cat $TARGET/answer)" 1042
	disable_and_remove klp_test_patch_target
	rmmod klp_test_kprobe
	rmmod klp_test_target
}

# Patch klp_target_busy() with a new function that waits, and start a
# kthread that then sleeps in it; $before: the original entry bytes.
hold_task_in_new_function() {
	insmod $MODS/klp_test_target.ko
	before=$(text_bytes klp_target_busy)
	expect "insmod patch" "$(klp_insmod $MODS/klp_test_patch_target.ko hold=1)" OK
	wait_transition klp_test_patch_target
	echo 1 > $TARGET/sleep
	expect "task in new function" \
		"$(cat /sys/module/klp_test_patch_target/parameters/inside)" 1
}

# disable_waits_for_held_task JUMP AFTER: disabling klp_test_patch_target
# waits while a task is held in its new function, the entry jumping to
# JUMP, and completes once it is released, leaving the bytes AFTER; then
# its module is removed.
disable_waits_for_held_task() {
	echo 0 > $KLP/klp_test_patch_target/enabled
	sleep 1
	expect "disable waits" "$(cat $KLP/klp_test_patch_target/transition 2>/dev/null)" 1
	expect "jump while it waits" "$(jump_target klp_target_busy)" "$1"
	echo 1 > /sys/module/klp_test_patch_target/parameters/release
	wait_gone klp_test_patch_target
	expect "bytes after disable" "$(text_bytes klp_target_busy)" "$2"
	rmmod klp_test_patch_target
	expect "patch module removed" "$(grep -c '^klp_test_patch_target ' /proc/modules)" 0
}

# Disabling waits while a task is inside the new function (its module
# could be removed under it), and completes once the task has left.
# all-at-once model only
test_disable_waits_for_task_in_new_function() {
	hold_task_in_new_function
	disable_waits_for_held_task "$(sym_addr livepatch_klp_target_busy)" "$before"
	rmmod klp_test_target
}

# Disabling a patch in the middle of a function's stack changes no text,
# but a task may still be in its new function (it entered before a forced
# patch went on top): the disable waits for that task too, or the module
# could be removed under it.
# all-at-once model only
test_disable_of_middle_patch_waits_for_its_task() {
	hold_task_in_new_function
	expect "insmod patch on top" "$(klp_insmod $MODS/klp_test_patch_param.ko \
		"target=klp_target_busy object=klp_test_target")" OK
	sleep 1
	expect "top patch blocked" "$(cat $KLP/klp_test_patch_param/transition)" 1
	echo 1 > $KLP/klp_test_patch_param/force
	wait_transition klp_test_patch_param
	expect "top patch forced on" "$(jump_target klp_target_busy)" \
		"$(sym_addr livepatch_param_func)"
	top=$(text_bytes klp_target_busy)
	disable_waits_for_held_task "$(sym_addr livepatch_param_func)" "$top"
	echo 0 > $KLP/klp_test_patch_param/enabled
	wait_gone klp_test_patch_param
	expect "bytes after both" "$(text_bytes klp_target_busy)" "$before"
	rmmod klp_test_patch_param
	rmmod klp_test_target
}

# A zombie (exited, not reaped) and the idle tasks neither crash nor block
# the check.
test_zombie_task_does_not_block() {
	sh -c 'true & exec sleep 3' &
	sleep 0.5
	expect "a zombie exists" "$(grep -l '^State:.*Z' /proc/[0-9]*/status 2>/dev/null | wc -l | grep -c '^[1-9]')" 1
	expect "insmod livepatch-sample" "$(klp_insmod $MODS/livepatch-sample.ko)" OK
	wait_transition livepatch_sample
	expect "transition" "$(cat $KLP/livepatch_sample/transition)" 0
	expect "patched output" "$(cat /proc/cmdline)" "this has been live patched"
	disable_and_remove livepatch_sample
	wait
}

# patch_blocked_by KNOB COMM FUNC: the target's KNOB kthread (COMM) is in
# FUNC; a patch of FUNC stays in transition and klp_try_switch_task's
# debug line names the task.  $pid: the task; $before: FUNC's bytes.
patch_blocked_by() {
	echo 'func klp_try_switch_task +p' > /sys/kernel/debug/dynamic_debug/control
	insmod $MODS/klp_test_target.ko
	before=$(text_bytes "$3")
	echo 1 > $TARGET/"$1"
	pid=$(pid_of "$2")
	dmesg_mark
	expect "insmod" "$(klp_insmod $MODS/klp_test_patch_param.ko \
		"target=$3 object=klp_test_target")" OK
	sleep 1.5
	expect "in transition" "$(cat $KLP/klp_test_patch_param/transition)" 1
	expect "task named" "$(dmesg_new | grep -c "livepatch: klp_try_switch_task: $2:$pid is sleeping on function $3" | grep -c '^[1-9]')" 1
}

# A patch blocked by a sleeping kthread names it in dmesg (dynamic debug in
# klp_try_switch_task); "force" then checks only the 8-byte jump window
# and completes.  As upstream, forcing an enable does not pin the patch
# module (forcing a disable does).
# all-at-once model only
test_blocked_patch_named_then_forced() {
	patch_blocked_by sleep klp_sleeper klp_target_busy
	expect "bytes unchanged" "$(text_bytes klp_target_busy)" "$before"
	echo 'func klp_try_switch_task -p' > /sys/kernel/debug/dynamic_debug/control
	dmesg_mark
	echo 1 > $KLP/klp_test_patch_param/force
	wait_transition klp_test_patch_param
	expect_log "forced" \
"livepatch: forcing remaining tasks to the patched state
livepatch: 'klp_test_patch_param': patching complete"
	expect "jump target" "$(jump_target klp_target_busy)" "$(sym_addr livepatch_param_func)"
	echo 1 > $TARGET/release
	echo 0 > $KLP/klp_test_patch_param/enabled
	wait_gone klp_test_patch_param
	expect "bytes after disable" "$(text_bytes klp_target_busy)" "$before"
	rmmod klp_test_patch_param
	expect "patch module removed" "$(grep -c '^klp_test_patch_param ' /proc/modules)" 0
	rmmod klp_test_target
}

# A kthread that release_task() has unhashed still runs the tail of
# do_exit(): here it calls klp_target_busy() there (freeing its
# splice_pipe) and waits in the patch's new function.  Disabling the
# patch waits for it, although it is on no task list, and the patch
# module goes only once it has left.
# all-at-once model only
test_disable_waits_for_exiting_task() {
	insmod $MODS/klp_test_target.ko
	before=$(text_bytes klp_target_busy)
	expect "insmod patch" "$(klp_insmod $MODS/klp_test_patch_target.ko hold=1)" OK
	wait_transition klp_test_patch_target
	echo 1 > $TARGET/exit_busy
	wait_for /sys/module/klp_test_patch_target/parameters/inside 1
	expect "exiting task in new function" \
		"$(cat /sys/module/klp_test_patch_target/parameters/inside)" 1
	expect "exiting task unhashed" "$(pid_of klp_exiter)" ""
	disable_waits_for_held_task "$(sym_addr livepatch_klp_target_busy)" "$before"
	rmmod klp_test_target
}

# A patch that a task with an unreliable stack keeps in transition wrote
# nothing: writing 0 to enabled reverses it at once, whatever the stacks.
# all-at-once model only
test_pending_patch_blocked_by_unreliable_stack_reversed() {
	insmod $MODS/klp_test_target.ko
	before=$(text_bytes klp_target_answer)
	echo 1 > $TARGET/unreliable
	expect "insmod patch" "$(klp_insmod $MODS/klp_test_patch_param.ko \
		"target=klp_target_answer object=klp_test_target")" OK
	sleep 1
	expect "in transition" "$(cat $KLP/klp_test_patch_param/transition)" 1
	echo 0 > $KLP/klp_test_patch_param/enabled
	sleep 0.5
	expect "reversed at once" "$(ls $KLP)" ""
	wait_gone klp_test_patch_param
	expect "bytes unchanged" "$(text_bytes klp_target_answer)" "$before"
	rmmod klp_test_patch_param
	echo 1 > $TARGET/release
	rmmod klp_test_target
}

# A kretprobe on vfs_read() and CPU hogs reading /dev/zero: at any moment
# some runnable or preempted hog has the kretprobe's trampoline on its
# stack.  Its real return address is found all the same, and a patch of
# an unrelated function completes.
test_kretprobe_on_runnable_tasks_does_not_block() {
	has_function_tracer && { skip "vfs_read is traceable here: a kretprobe on it needs KPROBES_ON_FTRACE"; return; }
	grep -q ' arch_rethook_trampoline$' /proc/kallsyms ||
		{ skip "no rethook on this riscv kernel (6.1): a pending kretprobe makes a stack unreliable"; return; }
	expect "kretprobe on vfs_read" \
		"$(klp_insmod $MODS/klp_test_kprobe.ko "symbol=vfs_read ret=1")" OK
	hogs=
	for i in 1 2 3 4 5 6; do
		dd if=/dev/zero of=/dev/null bs=1M 2>/dev/null &
		hogs="$hogs $!"
	done
	sleep 0.5
	expect "insmod livepatch-sample" "$(klp_insmod $MODS/livepatch-sample.ko)" OK
	wait_transition livepatch_sample
	expect "transition" "$(cat $KLP/livepatch_sample/transition)" 0
	expect "patched" "$(cat /proc/cmdline)" "this has been live patched"
	disable_and_remove livepatch_sample
	# shellcheck disable=SC2086
	kill $hogs
	wait
	expect "kretprobe fired" "$(grep -c '^[1-9]' /sys/module/klp_test_kprobe/parameters/hits)" 1
	rmmod klp_test_kprobe
}

# A kthread spinning in the old function is running whenever the pre-pass
# looks: only the check inside stop_machine finds it.  It is named in
# klp_try_switch_task's line and marked for the fake signals all the same.
# all-at-once model only
test_task_busy_only_inside_stop_machine_named() {
	preemptible || { skip "needs CONFIG_PREEMPT: a spinning kthread never yields"; return; }
	patch_blocked_by spin klp_spinner klp_target_spin
	expect "task marked for the fake signal" "$(cat $TARGET/pending)" 1
	echo 'func klp_try_switch_task -p' > /sys/kernel/debug/dynamic_debug/control
	echo 1 > $TARGET/stop
	wait_transition klp_test_patch_param
	expect "transition done" "$(cat $KLP/klp_test_patch_param/transition)" 0
	expect "mark cleared" "$(cat $TARGET/pending)" 0
	disable_and_remove klp_test_patch_param
	rmmod klp_test_target
}

# Tasks forked during an attempt need no walk of every task inside
# stop_machine: one that has not run holds no code on its stack, one that
# ran was switched out and logged.  Only an overflowing log forces it.
# The attempt is held between its pre-pass and stop_machine while two
# shells fork as fast as they can.
# all-at-once model only
test_fork_storm_does_not_force_full_scan() {
	gate=$KLPDBG/gate_after_prepass
	storms=
	for i in 1 2; do
		sh -c 'while :; do /bin/true; done' &
		storms="$storms $!"
	done
	echo 1 > $gate
	klp_insmod $MODS/livepatch-sample.ko > /tmp/insmod.out &
	loader=$!
	i=0
	while held=$(cat $gate) && [ "$held" != 2 ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	sleep 0.2
	echo 0 > $gate
	wait $loader
	expect "attempt held after its pre-pass" "$held" 2
	expect "insmod livepatch-sample" "$(cat /tmp/insmod.out)" OK
	wait_transition livepatch_sample
	expect "patched" "$(cat /proc/cmdline)" "this has been live patched"
	expect "forks during the attempt" "$(last_stop forks | grep -c '^[1-9]')" 1
	expect "full scan only after a log overflow" "$(last_stop full_scan)" \
		"$(last_stop log_overflow)"
	# shellcheck disable=SC2086
	kill $storms
	wait
	disable_and_remove livepatch_sample
}

# The stack walk of the consistency check is also the arch's reliable
# stack trace (stack_trace_save_tsk_reliable(), which upstream's per-task
# transition asks; debugfs reliable_stack shows it): a kthread sleeping
# in a function has a whole trace naming it, down to kthread(); one whose
# walk cannot reach its stack's bottom has none (EINVAL); a shell
# blocked in read(2) has a whole trace too, down to the syscall's entry.
test_reliable_stack_trace() {
	insmod $MODS/klp_test_target.ko
	echo 1 > $TARGET/sleep
	echo "$(pid_of klp_sleeper)" > $KLPDBG/reliable_stack
	trace=$(cat $KLPDBG/reliable_stack)
	expect "sleeper: entries" "$(echo "$trace" | head -n 1 | grep -c '^ret [1-9]')" 1
	expect "sleeper: in klp_target_busy" "$(echo "$trace" | grep -c '^klp_target_busy+')" 1
	expect "sleeper: down to kthread" "$(echo "$trace" | grep -c '^kthread+')" 1

	echo 1 > $TARGET/unreliable
	sleep 0.5
	echo "$(pid_of klp_unreliable)" > $KLPDBG/reliable_stack
	expect "frame chain broken" "$(cat $KLPDBG/reliable_stack)" "ret -22"
	echo 1 > $TARGET/release

	# A shell blocked in read(2) on a FIFO it holds open for writing too
	# (this shell could still be running on another hart when cat reads:
	# EBUSY).
	rm -f /tmp/stack_fifo
	mkfifo /tmp/stack_fifo
	sh -c 'read line' <> /tmp/stack_fifo &
	reader=$!
	wait_s 5 '[ "$(cut -d" " -f3 /proc/$reader/stat)" = S ]'
	sleep 0.2
	echo $reader > $KLPDBG/reliable_stack
	trace=$(cat $KLPDBG/reliable_stack)
	kill $reader
	wait $reader 2>/dev/null
	expect "shell: entries" "$(echo "$trace" | head -n 1 | grep -c '^ret [1-9]')" 1
	# The syscall's C entry: do_trap_ecall_u() with the generic entry
	# code, else the sys_*() function entry.S calls (6.1).
	entry='^do_trap_ecall_u+'
	grep -q ' exit_to_user_mode_loop$' /proc/kallsyms || entry='^sys_[a-z0-9_]*+'
	expect "shell: in a syscall" "$(echo "$trace" | grep -c "$entry")" 1 ||
		echo "$trace" | sed 's/^/# shell: /'
	echo 0 > $KLPDBG/reliable_stack 2>/dev/null
	expect "pid 0 refused" $? 1
}

# Callers on every hart read klp_test_target's pair: one syscall calls
# klp_target_f(), then klp_target_g().  While a patch of both (and of
# their caller) is enabled and disabled ten times, every pair is
# (old, old) or (new, new), never mixed.
test_patch_of_two_functions_is_consistent_per_call() {
	insmod $MODS/klp_test_target.ko
	rm -f /tmp/pairs.* /tmp/pairs_stop
	i=0
	while [ $i -lt "$(nproc)" ]; do
		(while [ ! -e /tmp/pairs_stop ]; do cat $TARGET/pair; done > /tmp/pairs.$i) &
		i=$((i + 1))
	done
	cycle=0
	while [ $cycle -lt 10 ]; do
		expect "insmod $cycle" "$(klp_insmod $MODS/klp_test_patch_pair.ko)" OK
		wait_transition klp_test_patch_pair
		sleep 0.3
		disable_and_remove klp_test_patch_pair
		cycle=$((cycle + 1))
	done
	touch /tmp/pairs_stop
	wait
	old=$(cat /tmp/pairs.* | grep -c '^1 1$')
	new=$(cat /tmp/pairs.* | grep -c '^2 2$')
	echo "# $old pairs (old, old), $new pairs (new, new)"
	expect "mixed pairs" "$(cat /tmp/pairs.* | grep -vc '^1 1$\|^2 2$')" 0
	expect_ne "old pairs" "$old" 0
	expect_ne "new pairs" "$new" 0
}

# A task held at klp_target_window + 4, inside the jump window: a user
# read there faults into a userfaultfd and sleeps.  It resumes at + 4, so
# no entry may be written under it.  In the per-task model that is the
# whole check: enabling gives up after a second, names the task and
# writes nothing; once the task left, the same patch applies.  In the
# all-at-once model the task is inside the old function: the patch waits.
test_task_held_inside_the_jump_window() {
	insmod $MODS/klp_test_target.ko
	rm -rf /tmp/uffd
	mkdir /tmp/uffd
	klp_uffd_hold $TARGET/window /tmp/uffd > /tmp/uffd/out &
	wait_s 5 '[ -s /tmp/uffd/pid ]'
	held=$(cat /tmp/uffd/pid)
	wait_for /proc/"$held"/wchan handle_userfault
	expect "held in a user fault" "$(cat /proc/"$held"/wchan)" handle_userfault
	before=$(text_bytes klp_target_window)

	dmesg_mark
	if [ "$model" = per-task ]; then
		expect "insmod" "$(klp_insmod $MODS/klp_test_patch_window.ko)" EBUSY
		expect "bytes while held" "$(text_bytes klp_target_window)" "$before"
		expect_log "refusal" \
"livepatch: enabling patch 'klp_test_patch_window'
livepatch: 'klp_test_patch_window': klp_uffd_hold:$held stays inside the jump window of klp_target_window
livepatch: 'klp_test_patch_window': a patched function entry could not be written, nothing changed
livepatch: failed to patch object 'klp_test_target'
livepatch: failed to enable patch 'klp_test_patch_window'
livepatch: 'klp_test_patch_window': unpatching complete"
	else
		expect "insmod" "$(klp_insmod $MODS/klp_test_patch_window.ko)" OK
		sleep 1
		expect "in transition while held" \
			"$(cat $KLP/klp_test_patch_window/transition)" 1
		expect "bytes while held" "$(text_bytes klp_target_window)" "$before"
	fi

	touch /tmp/uffd/release
	wait
	expect "the held read finished" "$(cat /tmp/uffd/out)" "status 0"
	expect "what it read" "$(cat $TARGET/window_value)" 77
	[ "$model" = per-task ] &&
		expect "insmod once it left" \
			"$(klp_insmod $MODS/klp_test_patch_window.ko)" OK
	wait_transition klp_test_patch_window
	expect "transition" "$(cat $KLP/klp_test_patch_window/transition)" 0
	expect_ne "bytes once patched" "$(text_bytes klp_target_window)" "$before"
	echo 0 > $TARGET/window
	expect "patched" "$(cat $TARGET/window_value)" 2
	disable_and_remove klp_test_patch_window
	expect "bytes after disable" "$(text_bytes klp_target_window)" "$before"
}
