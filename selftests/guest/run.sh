#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The guest tests of live patching without ftrace, run by /init.
. /tests/lib.sh

insmod $MODS/klp_test_peek.ko
echo "# on $(nproc) harts, Linux $(uname -r)"

# The tree's own sample patches cmdline_proc_show(); disabling it restores
# both the output and the exact bytes of the function's entry.
test_sample_patches_and_unpatches_cmdline() {
	cmdline=$(cat /proc/cmdline)
	before=$(text_bytes cmdline_proc_show)
	expect "jump before enable" "$(jump_target cmdline_proc_show)" none

	expect "insmod livepatch-sample" "$(klp_insmod $MODS/livepatch-sample.ko)" OK
	wait_transition livepatch_sample
	expect "enabled" "$(cat $KLP/livepatch_sample/enabled)" 1
	expect "transition" "$(cat $KLP/livepatch_sample/transition)" 0
	expect "patched output" "$(cat /proc/cmdline)" "this has been live patched"
	expect "jump target while patched" "$(jump_target cmdline_proc_show)" \
		"$(sym_addr livepatch_cmdline_proc_show)"
	patched=$(text_bytes cmdline_proc_show)
	expect_ne "entry while patched" "$patched" "$before"
	expect "bytes 8..15 untouched" "$(echo "$patched" | cut -c17-32)" \
		"$(echo "$before" | cut -c17-32)"

	echo 0 > $KLP/livepatch_sample/enabled
	wait_gone livepatch_sample
	expect "output after disable" "$(cat /proc/cmdline)" "$cmdline"
	expect "bytes after disable" "$(text_bytes cmdline_proc_show)" "$before"
	rmmod livepatch_sample
	expect "module removed" "$(grep -c '^livepatch_sample ' /proc/modules)" 0
}

# A patch module cannot be removed while its patch is enabled.
test_enabled_patch_module_cannot_be_removed() {
	expect "insmod livepatch-sample" "$(klp_insmod $MODS/livepatch-sample.ko)" OK
	wait_transition livepatch_sample
	rmmod livepatch_sample 2>/dev/null
	expect "rmmod refused" $? 1
	expect "still patched" "$(cat /proc/cmdline)" "this has been live patched"
	disable_and_remove livepatch_sample
	expect "module removed" "$(grep -c '^livepatch_sample ' /proc/modules)" 0
}

# A function in a module is patched and unpatched.
test_module_function_patched_and_unpatched() {
	insmod $MODS/klp_test_target.ko
	before=$(text_bytes klp_target_answer)
	expect "answer before" "$(cat $TARGET/answer)" 42
	expect "insmod patch" "$(klp_insmod $MODS/klp_test_patch_target.ko)" OK
	wait_transition klp_test_patch_target
	expect "answer patched" "$(cat $TARGET/answer)" 1042
	expect "jump target" "$(jump_target klp_target_answer)" \
		"$(sym_addr livepatch_klp_target_answer)"
	echo 0 > $KLP/klp_test_patch_target/enabled
	wait_gone klp_test_patch_target
	expect "answer after disable" "$(cat $TARGET/answer)" 42
	expect "bytes after disable" "$(text_bytes klp_target_answer)" "$before"
	rmmod klp_test_patch_target
	rmmod klp_test_target
}

# A patch enabled before its target module loads is written while the
# module comes (no stop_machine: it has not run), dropped when it goes, and
# written again when it comes back.
test_module_loaded_after_patch() {
	expect "insmod patch" "$(klp_insmod $MODS/klp_test_patch_target.ko)" OK
	wait_transition klp_test_patch_target
	expect "enabled" "$(cat $KLP/klp_test_patch_target/enabled)" 1
	expect "object not patched" "$(cat $KLP/klp_test_patch_target/klp_test_target/patched)" 0
	for round in 1 2 3; do
		dmesg_mark
		insmod $MODS/klp_test_target.ko
		expect "round $round: object patched" \
			"$(cat $KLP/klp_test_patch_target/klp_test_target/patched)" 1
		expect "round $round: answer" "$(cat $TARGET/answer)" 1042
		expect "round $round: jump target" "$(jump_target klp_target_answer)" \
			"$(sym_addr livepatch_klp_target_answer)"
		expect "round $round: log" "$(dmesg_new | grep -o 'livepatch: .*')" \
			"livepatch: applying patch 'klp_test_patch_target' to loading module 'klp_test_target'"
		rmmod klp_test_target
		expect "round $round: object unpatched" \
			"$(cat $KLP/klp_test_patch_target/klp_test_target/patched)" 0
	done
	insmod $MODS/klp_test_target.ko
	echo 0 > $KLP/klp_test_patch_target/enabled
	wait_gone klp_test_patch_target
	expect "answer after disable" "$(cat $TARGET/answer)" 42
	expect "jump after disable" "$(jump_target klp_target_answer)" none
	rmmod klp_test_patch_target
	rmmod klp_test_target
}

# Two patches on one function: the newest wins, disabling it restores the
# one below, and disabling the one below while another is on top changes
# no text.
test_stacked_patches_on_one_function() {
	cmdline=$(cat /proc/cmdline)
	before=$(text_bytes cmdline_proc_show)
	expect "insmod sample" "$(klp_insmod $MODS/livepatch-sample.ko)" OK
	wait_transition livepatch_sample
	expect "insmod second" \
		"$(klp_insmod $MODS/klp_test_patch_param.ko target=cmdline_proc_show)" OK
	wait_transition klp_test_patch_param
	expect "newest wins" "$(cat /proc/cmdline)" ""
	disable_and_remove klp_test_patch_param
	expect "the one below again" "$(cat /proc/cmdline)" "this has been live patched"
	expect "its jump again" "$(jump_target cmdline_proc_show)" \
		"$(sym_addr livepatch_cmdline_proc_show)"

	expect "insmod second again" \
		"$(klp_insmod $MODS/klp_test_patch_param.ko target=cmdline_proc_show)" OK
	wait_transition klp_test_patch_param
	top=$(text_bytes cmdline_proc_show)
	disable_and_remove livepatch_sample
	expect "middle removed: top still wins" "$(cat /proc/cmdline)" ""
	expect "middle removed: no text change" "$(text_bytes cmdline_proc_show)" "$top"
	disable_and_remove klp_test_patch_param
	expect "original output" "$(cat /proc/cmdline)" "$cmdline"
	expect "original bytes" "$(text_bytes cmdline_proc_show)" "$before"
}

# A patch whose target module is not loaded is enabled; when the module
# then loads and its function is refused, the module's load is refused,
# as upstream refuses a module whose patching fails.
test_refusal_at_target_load_refuses_the_load() {
	expect "insmod patch" "$(klp_insmod $MODS/klp_test_patch_tiny.ko)" OK
	wait_transition klp_test_patch_tiny
	dmesg_mark
	expect "target load refused" "$(klp_insmod $MODS/klp_test_target.ko)" EINVAL
	expect "log" "$(dmesg_new | grep -o 'livepatch: .*')" \
"livepatch: applying patch 'klp_test_patch_tiny' to loading module 'klp_test_target'
livepatch: klp_target_tiny: function is 4 bytes, shorter than the 8-byte jump
livepatch: failed to apply patch 'klp_test_patch_tiny' to module 'klp_test_target' (-22)
livepatch: patch 'klp_test_patch_tiny' failed for module 'klp_test_target', refusing to load module 'klp_test_target'"
	expect "target not loaded" "$(grep -c '^klp_test_target ' /proc/modules)" 0
	disable_and_remove klp_test_patch_tiny
	expect "target loads without it" "$(klp_insmod $MODS/klp_test_target.ko)" OK
	rmmod klp_test_target
}

# A kthread sleeps in klp_target_busy(): the patch waits in transition with
# nothing written, and completes by itself once the thread has left.
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
	expect "log" "$(dmesg_new | grep -o 'livepatch: .*')" \
"livepatch: enabling patch 'klp_test_patch_target'
livepatch: 'klp_test_patch_target': starting patching transition
livepatch: 'klp_test_patch_target': starting unpatching transition
livepatch: 'klp_test_patch_target': unpatching complete"
	rmmod klp_test_patch_target
	expect "patch module removed" "$(grep -c '^klp_test_patch_target ' /proc/modules)" 0
	echo 1 > $TARGET/release
	rmmod klp_test_target
}

# A 4-byte function cannot hold the 8-byte jump: insmod fails with EINVAL,
# dmesg names the function, and its bytes are unchanged.
test_too_short_function_refused() {
	insmod $MODS/klp_test_target.ko
	before=$(text_bytes klp_target_tiny)
	dmesg_mark
	expect "insmod" "$(klp_insmod $MODS/klp_test_patch_tiny.ko)" EINVAL
	expect "dmesg" "$(dmesg_new | grep -c 'livepatch: klp_target_tiny: function is 4 bytes, shorter than the 8-byte jump')" 1
	expect "bytes unchanged" "$(text_bytes klp_target_tiny)" "$before"
	expect "no patch left" "$(ls $KLP)" ""
	expect "module not loaded" "$(grep -c '^klp_test_patch_tiny ' /proc/modules)" 0
	rmmod klp_test_target
}

# refused TARGET OBJECT ERRNO REASON: patching TARGET (in module OBJECT,
# or vmlinux if "") fails with ERRNO and the one dmesg line
# "livepatch: TARGET: REASON", and its entry bytes stay as they were.
refused() {
	before=$(text_bytes "$1")
	dmesg_mark
	expect "$1: insmod" \
		"$(klp_insmod $MODS/klp_test_patch_param.ko "target=$1 object=$2")" "$3"
	expect "$1: dmesg" "$(dmesg_new | grep -c "livepatch: $1: $4")" 1
	expect "$1: bytes" "$(text_bytes "$1")" "$before"
	expect "$1: no patch left" "$(ls $KLP)" ""
}

# Functions whose entry something else owns or enters are refused.
test_unsafe_targets_refused() {
	insmod $MODS/klp_test_target.ko
	refused klp_target_loop klp_test_target EINVAL \
		"the instruction at klp_target_loop+0x8/.* branches to klp_target_loop+0x4/.*, inside the 8 bytes the jump replaces, not patched"
	refused klp_target_jump_label klp_test_target EINVAL \
		"function has a jump label inside the 8 bytes the jump replaces, not patched"
	refused klp_target_fixup klp_test_target EINVAL \
		"an exception fixup lands at klp_target_fixup+0x4/.*, inside the 8 bytes the jump replaces, not patched"
	rmmod klp_test_target
}

# Functions the patching path runs, or kept apart from tracing, are refused.
test_patching_path_and_special_text_refused() {
	refused multi_cpu_stop "" EINVAL "function is run by live patching itself, not patched"
	refused patch_insn_write "" EINVAL "function is run by live patching itself, not patched"
	refused klp_enable_patch "" EINVAL "function is run by live patching itself, not patched"
	refused schedule "" EINVAL "function is scheduler code (.sched.text), not patched"
	refused start_kernel "" EINVAL "function is __init text, not patched"
	refused do_page_fault "" EINVAL "function is noinstr code, not patched"
	refused notify_die "" EINVAL "function is on the kprobe blacklist (NOKPROBE_SYMBOL), not patched"
	refused smp_callin "" EINVAL "function runs on a hart coming online before it fetches fresh text, not patched"
}

# Symbols the core cannot resolve get upstream's messages.
test_unresolvable_symbols_refused() {
	dmesg_mark
	expect "insmod missing" \
		"$(klp_insmod $MODS/klp_test_patch_param.ko target=klp_no_such_function)" EINVAL
	expect "missing: dmesg" \
		"$(dmesg_new | grep -c "livepatch: symbol 'klp_no_such_function' not found in symbol table")" 1
	dup=$(awk '$2 ~ /^[tT]$/ && NF == 3 { print $3 }' /proc/kallsyms | sort | uniq -d | head -n 1)
	dmesg_mark
	expect "insmod ambiguous $dup" \
		"$(klp_insmod $MODS/klp_test_patch_param.ko target=$dup)" EINVAL
	expect "ambiguous: dmesg" \
		"$(dmesg_new | grep -c "livepatch: unresolvable ambiguity for symbol '$dup' in object '(null)'")" 1
	dmesg_mark
	expect "insmod wrong sympos" \
		"$(klp_insmod $MODS/klp_test_patch_param.ko "target=$dup sympos=99")" EINVAL
	expect "wrong sympos: dmesg" \
		"$(dmesg_new | grep -c "livepatch: symbol position 99 for symbol '$dup' in object 'vmlinux' not found")" 1
	expect "no patch left" "$(ls $KLP)" ""
}

# A kprobe in the bytes the jump replaces refuses the patch (EBUSY, it may
# go away); a patched entry refuses new kprobes; each works once the other
# is gone, and neither leaves the other's bytes behind.
test_kprobes_and_patches_exclude_each_other() {
	insmod $MODS/klp_test_target.ko
	site=$(site_offset klp_target_answer)
	before=$(text_bytes klp_target_answer)
	expect "kprobe on entry" \
		"$(klp_insmod $MODS/klp_test_kprobe.ko "symbol=klp_target_answer offset=$site")" OK
	probed=$(text_bytes klp_target_answer)
	expect_ne "kprobe armed" "$probed" "$before"
	dmesg_mark
	expect "patch refused" "$(klp_insmod $MODS/klp_test_patch_target.ko)" EBUSY
	expect "dmesg" "$(dmesg_new | grep -c 'livepatch: klp_target_answer: a kprobe is inside the 8 bytes the jump replaces, not patched')" 1
	expect "bytes kept" "$(text_bytes klp_target_answer)" "$probed"
	expect "kprobe fires" "$(cat $TARGET/answer; cat /sys/module/klp_test_kprobe/parameters/hits)" "42
1"
	rmmod klp_test_kprobe
	expect "kprobe gone" "$(text_bytes klp_target_answer)" "$before"

	expect "patch" "$(klp_insmod $MODS/klp_test_patch_target.ko)" OK
	wait_transition klp_test_patch_target
	for off in $site $((site + 4)); do
		expect "kprobe at +$off refused" \
			"$(klp_insmod $MODS/klp_test_kprobe.ko "symbol=klp_target_answer offset=$off")" EBUSY
	done
	expect "still patched" "$(cat $TARGET/answer)" 1042
	disable_and_remove klp_test_patch_target
	expect "bytes after unpatch" "$(text_bytes klp_target_answer)" "$before"
	expect "kprobe after unpatch" \
		"$(klp_insmod $MODS/klp_test_kprobe.ko "symbol=klp_target_answer offset=$site")" OK
	rmmod klp_test_kprobe
	expect "bytes at the end" "$(text_bytes klp_target_answer)" "$before"
	rmmod klp_test_target
}

# spin_blocks FUNC PARAM: a kthread started by writing the target's PARAM
# spins in FUNC's code; a patch of FUNC waits in transition with its bytes
# unchanged, and completes once the spin stops.
spin_blocks() {
	insmod $MODS/klp_test_target.ko
	before=$(text_bytes "$1")
	echo 1 > $TARGET/"$2"
	expect "insmod" \
		"$(klp_insmod $MODS/klp_test_patch_param.ko "target=$1 object=klp_test_target")" OK
	sleep 2
	expect "in transition" "$(cat $KLP/klp_test_patch_param/transition)" 1
	expect "bytes unchanged" "$(text_bytes "$1")" "$before"
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

# Disabling waits while a task is inside the new function (its module
# could be removed under it), and completes once the task has left.
test_disable_waits_for_task_in_new_function() {
	hold_task_in_new_function
	echo 0 > $KLP/klp_test_patch_target/enabled
	sleep 1
	expect "in transition" "$(cat $KLP/klp_test_patch_target/transition)" 1
	expect "still jumps" "$(jump_target klp_target_busy)" \
		"$(sym_addr livepatch_klp_target_busy)"
	echo 1 > /sys/module/klp_test_patch_target/parameters/release
	wait_gone klp_test_patch_target
	expect "bytes after disable" "$(text_bytes klp_target_busy)" "$before"
	rmmod klp_test_patch_target
	expect "patch module removed" "$(grep -c '^klp_test_patch_target ' /proc/modules)" 0
	rmmod klp_test_target
}

# Disabling a patch in the middle of a function's stack changes no text,
# but a task may still be in its new function (it entered before a forced
# patch went on top): the disable waits for that task too, or the module
# could be removed under it.
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
	echo 0 > $KLP/klp_test_patch_target/enabled
	sleep 1
	expect "middle disable waits" "$(cat $KLP/klp_test_patch_target/transition)" 1
	expect "no text change" "$(jump_target klp_target_busy)" \
		"$(sym_addr livepatch_param_func)"
	echo 1 > /sys/module/klp_test_patch_target/parameters/release
	wait_gone klp_test_patch_target
	rmmod klp_test_patch_target
	expect "middle patch module removed" "$(grep -c '^klp_test_patch_target ' /proc/modules)" 0
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

# A patch blocked by a sleeping kthread names it in dmesg (dynamic debug in
# klp_try_switch_task); "force" then checks only the 8-byte jump window
# and completes.  As upstream, forcing an enable does not pin the patch
# module (forcing a disable does).
test_blocked_patch_named_then_forced() {
	echo 'func klp_try_switch_task +p' > /sys/kernel/debug/dynamic_debug/control
	insmod $MODS/klp_test_target.ko
	before=$(text_bytes klp_target_busy)
	echo 1 > $TARGET/sleep
	pid=$(pid_of klp_sleeper)
	dmesg_mark
	expect "insmod" "$(klp_insmod $MODS/klp_test_patch_param.ko \
		"target=klp_target_busy object=klp_test_target")" OK
	sleep 1.5
	expect "task named" "$(dmesg_new | grep -c "livepatch: klp_try_switch_task: klp_sleeper:$pid is sleeping on function klp_target_busy" | grep -c '^[1-9]')" 1
	expect "in transition" "$(cat $KLP/klp_test_patch_param/transition)" 1
	expect "bytes unchanged" "$(text_bytes klp_target_busy)" "$before"
	echo 'func klp_try_switch_task -p' > /sys/kernel/debug/dynamic_debug/control
	dmesg_mark
	echo 1 > $KLP/klp_test_patch_param/force
	wait_transition klp_test_patch_param
	expect "forced" "$(dmesg_new | grep -o 'livepatch: .*')" \
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
# one is enabled, since the jump does not go through ftrace.
test_ftrace_enabled_does_not_gate_patching() {
	has_function_tracer || { skip "needs the ftrace_enabled sysctl (the ftrace flavour)"; return; }
	echo 0 > /proc/sys/kernel/ftrace_enabled
	expect "insmod with ftrace_enabled=0" "$(klp_insmod $MODS/livepatch-sample.ko)" OK
	wait_transition livepatch_sample
	expect "patched" "$(cat /proc/cmdline)" "this has been live patched"
	echo 1 > /proc/sys/kernel/ftrace_enabled
	expect "ftrace_enabled=1 while patched" "$(cat /proc/sys/kernel/ftrace_enabled)" 1
	echo 0 > /proc/sys/kernel/ftrace_enabled
	expect "ftrace_enabled=0 while patched" "$(cat /proc/sys/kernel/ftrace_enabled)" 0
	expect "still patched" "$(cat /proc/cmdline)" "this has been live patched"
	echo 1 > /proc/sys/kernel/ftrace_enabled
	disable_and_remove livepatch_sample
}

# A patch built by klpmake replaces a static function of vmlinux, calls
# another static one and writes a static variable, none exported: the new
# code reads and changes the variable the old code counts with.
test_klpmake_patch_of_vmlinux_statics() {
	before=$(text_bytes wo_ftrace_testee_show)
	c=$(($(cut -d' ' -f2 $TESTEE) + 1))
	expect "unpatched" "$(cat $TESTEE)" "count $c scale $((6 + c)) origin testee"
	expect "insmod" "$(klp_insmod $MODS/klp_test_static.ko)" OK
	wait_transition klp_test_static
	c=$((c + 10))
	expect "patched" "$(cat $TESTEE)" "patched count $c scale $((6 + c))"
	expect "jump target" "$(jump_target wo_ftrace_testee_show)" \
		"$(sym_addr livepatch_wo_ftrace_testee_show)"
	disable_and_remove klp_test_static
	c=$((c + 1))
	expect "after disable" "$(cat $TESTEE)" "count $c scale $((6 + c)) origin testee"
	expect "bytes after disable" "$(text_bytes wo_ftrace_testee_show)" "$before"
}

# wo_ftrace_testee_origin() is static in two files: the patch, built with
# klpmake -s wo_ftrace_testee_origin:wo_ftrace_testee_dup.c, replaces that
# file's and leaves its namesake's bytes alone.
test_klpmake_duplicated_static_name() {
	before=$(each_site wo_ftrace_testee_origin bytes)
	expect "unpatched" "$(cat $TESTEE_DUP)" "origin dup"
	expect "insmod" "$(klp_insmod $MODS/klp_test_static_dup.ko)" OK
	wait_transition klp_test_static_dup
	expect "the hinted one patched" "$(cat $TESTEE_DUP)" "origin dup, patched"
	expect "its namesake not" "$(sed 's/.* origin //' $TESTEE)" testee
	expect "one jump, to the new function" \
		"$(each_site wo_ftrace_testee_origin jump_target | sort)" \
		"$(printf '%s\nnone\n' "$(sym_addr livepatch_wo_ftrace_testee_origin)" | sort)"
	disable_and_remove klp_test_static_dup
	expect "after disable" "$(cat $TESTEE_DUP)" "origin dup"
	expect "bytes after disable" "$(each_site wo_ftrace_testee_origin bytes)" "$before"
}

# A klpmake patch of klp_test_target calls its unexported klp_target_tiny()
# and reads its static klp_target_stop: loaded after the target, then
# before it, with the target unloaded and reloaded three times (each load
# applies the module's .klp.rela section again, to read-only text).
test_klpmake_patch_of_module_statics() {
	insmod $MODS/klp_test_target.ko
	expect "insmod after target" "$(klp_insmod $MODS/klp_test_static_mod.ko)" OK
	wait_transition klp_test_static_mod
	expect "patched" "$(cat $TARGET/answer)" 1000
	echo 1 > $TARGET/stop
	expect "reads the static" "$(cat $TARGET/answer)" 1100
	rmmod klp_test_target
	for round in 1 2 3; do
		insmod $MODS/klp_test_target.ko
		expect "round $round: patched" "$(cat $TARGET/answer)" 1000
		echo 1 > $TARGET/stop
		expect "round $round: reads this load's static" "$(cat $TARGET/answer)" 1100
		expect "round $round: jump target" "$(jump_target klp_target_answer)" \
			"$(sym_addr livepatch_klp_target_answer)"
		rmmod klp_test_target
	done
	disable_and_remove klp_test_static_mod
	insmod $MODS/klp_test_target.ko
	expect "after disable" "$(cat $TARGET/answer)" 42
	expect "no jump after disable" "$(jump_target klp_target_answer)" none
	rmmod klp_test_target
}

# A GOT relocation to a module is refused, in both orders, before anything
# is written: its entry would go to the patch module's read-only .got at
# every load of the target.
test_klpmake_got_relocation_to_module_refused() {
	got="klp_test_static_got: GOT_HI20 against .klp.sym.klp_test_target.klp_target_stop,0 in a module's livepatch relocations: each load of that module would add a GOT entry to the read-only .got"
	insmod $MODS/klp_test_target.ko
	before=$(text_bytes klp_target_answer)
	dmesg_mark
	expect "insmod after target" "$(klp_insmod $MODS/klp_test_static_got.ko)" EINVAL
	expect "log" "$(dmesg_new | grep -oE '(livepatch|klp_test_static_got): .*')" "$got"
	expect "no patch" "$(ls $KLP | grep -c klp_test_static_got)" 0
	expect "answer" "$(cat $TARGET/answer)" 42
	expect "bytes" "$(text_bytes klp_target_answer)" "$before"
	rmmod klp_test_target

	expect "insmod before target" "$(klp_insmod $MODS/klp_test_static_got.ko)" OK
	wait_transition klp_test_static_got
	dmesg_mark
	expect "target load refused" "$(klp_insmod $MODS/klp_test_target.ko)" EINVAL
	expect "log at target load" "$(dmesg_new | grep -oE '(livepatch|klp_test_static_got): .*')" \
"$got
livepatch: failed to initialize patch 'klp_test_static_got' for module 'klp_test_target' (-22)
livepatch: patch 'klp_test_static_got' failed for module 'klp_test_target', refusing to load module 'klp_test_target'"
	expect "target not loaded" "$(grep -c '^klp_test_target ' /proc/modules)" 0
	disable_and_remove klp_test_static_got
}

# klp_target_straddle has a 4-byte instruction at +6, across the end of
# the jump window.  While the jump is there, decoding from the entry makes
# +8 and +12 look like instruction boundaries; in the original code +8 is
# inside that instruction and +12 inside the next.  No kprobe may go
# there (it would be written over by the saved bytes, or sit in the
# middle of an instruction, once the patch is gone); +14, a boundary in
# both, takes one, and unpatching leaves it alone.
test_kprobe_inside_original_instruction_refused() {
	insmod $MODS/klp_test_target.ko
	before=$(text_bytes klp_target_straddle)
	byte6=$(echo "$before" | cut -c13-14)
	expect "a 4-byte instruction at +6" $((0x$byte6 & 3)) 3
	for off in 8 12; do
		expect "unpatched: kprobe at +$off" \
			"$(klp_insmod $MODS/klp_test_kprobe.ko "symbol=klp_target_straddle offset=$off")" EILSEQ
	done
	expect "patch" "$(klp_insmod $MODS/klp_test_patch_param.ko \
		"target=klp_target_straddle object=klp_test_target")" OK
	wait_transition klp_test_patch_param
	expect "patched" "$(jump_target klp_target_straddle)" "$(sym_addr livepatch_param_func)"
	expect "patched: kprobe at +8, inside the window's last instruction" \
		"$(klp_insmod $MODS/klp_test_kprobe.ko "symbol=klp_target_straddle offset=8")" EBUSY
	expect "patched: kprobe at +12, not an original boundary" \
		"$(klp_insmod $MODS/klp_test_kprobe.ko "symbol=klp_target_straddle offset=12")" EILSEQ
	expect "patched: kprobe at +14" \
		"$(klp_insmod $MODS/klp_test_kprobe.ko "symbol=klp_target_straddle offset=14")" OK
	probed=$(text_bytes klp_target_straddle)
	disable_and_remove klp_test_patch_param
	expect "unpatched: the window restored, the kprobe kept" \
		"$(text_bytes klp_target_straddle)" \
		"$(echo "$before" | cut -c1-28)$(echo "$probed" | cut -c29-32)"
	rmmod klp_test_kprobe
	expect "bytes at the end" "$(text_bytes klp_target_straddle)" "$before"

	expect "kprobe at +6" \
		"$(klp_insmod $MODS/klp_test_kprobe.ko "symbol=klp_target_straddle offset=6")" OK
	dmesg_mark
	expect "patch refused" "$(klp_insmod $MODS/klp_test_patch_param.ko \
		"target=klp_target_straddle object=klp_test_target")" EBUSY
	expect "dmesg" "$(dmesg_new | grep -c 'livepatch: klp_target_straddle: a kprobe is inside the 8 bytes the jump replaces, not patched')" 1
	rmmod klp_test_kprobe
	expect "bytes after both" "$(text_bytes klp_target_straddle)" "$before"
	rmmod klp_test_target
}

# A kthread that release_task() has unhashed still runs the tail of
# do_exit(): here it calls klp_target_busy() there (freeing its
# splice_pipe) and waits in the patch's new function.  Disabling the
# patch waits for it, although it is on no task list, and the patch
# module goes only once it has left.
test_disable_waits_for_exiting_task() {
	insmod $MODS/klp_test_target.ko
	before=$(text_bytes klp_target_busy)
	expect "insmod patch" "$(klp_insmod $MODS/klp_test_patch_target.ko hold=1)" OK
	wait_transition klp_test_patch_target
	echo 1 > $TARGET/exit_busy
	i=0
	while [ "$(cat /sys/module/klp_test_patch_target/parameters/inside)" != 1 ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	expect "exiting task in new function" \
		"$(cat /sys/module/klp_test_patch_target/parameters/inside)" 1
	expect "exiting task unhashed" "$(pid_of klp_exiter)" ""
	echo 0 > $KLP/klp_test_patch_target/enabled
	sleep 1
	expect "disable waits" "$(cat $KLP/klp_test_patch_target/transition 2>/dev/null)" 1
	expect "still jumps" "$(jump_target klp_target_busy)" \
		"$(sym_addr livepatch_klp_target_busy)"
	echo 1 > /sys/module/klp_test_patch_target/parameters/release
	wait_gone klp_test_patch_target
	expect "bytes after disable" "$(text_bytes klp_target_busy)" "$before"
	rmmod klp_test_patch_target
	expect "patch module removed" "$(grep -c '^klp_test_patch_target ' /proc/modules)" 0
	rmmod klp_test_target
}

# A module that loads while a patch of it is being disabled runs the
# patch's version, as every task that has not switched does; once the
# disable completes, the original.
test_module_loaded_during_pending_disable_gets_patch() {
	cmdline=$(cat /proc/cmdline)
	expect "insmod patch" "$(klp_insmod $MODS/klp_test_patch_pending.ko hold=1)" OK
	wait_transition klp_test_patch_pending
	cat /proc/cmdline > /tmp/held.out &
	i=0
	while [ "$(cat /sys/module/klp_test_patch_pending/parameters/inside)" != 1 ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	expect "reader held in new function" \
		"$(cat /sys/module/klp_test_patch_pending/parameters/inside)" 1
	echo 0 > $KLP/klp_test_patch_pending/enabled
	sleep 0.5
	expect "disable pending" "$(cat $KLP/klp_test_patch_pending/transition)" 1
	insmod $MODS/klp_test_target.ko
	expect "module loaded during the disable: patched" "$(cat $TARGET/answer)" 2042
	expect "its jump" "$(jump_target klp_target_answer)" \
		"$(sym_addr livepatch_pending_answer)"
	echo 1 > /sys/module/klp_test_patch_pending/parameters/release
	wait
	expect "held reader's output" "$(cat /tmp/held.out)" "pending patch"
	wait_gone klp_test_patch_pending
	expect "after the disable: original" "$(cat $TARGET/answer)" 42
	expect "no jump" "$(jump_target klp_target_answer)" none
	expect "cmdline" "$(cat /proc/cmdline)" "$cmdline"
	rmmod klp_test_patch_pending
	rmmod klp_test_target
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

# A patch that a task with an unreliable stack keeps in transition wrote
# nothing: writing 0 to enabled reverses it at once, whatever the stacks.
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
test_task_busy_only_inside_stop_machine_named() {
	preemptible || { skip "needs CONFIG_PREEMPT: a spinning kthread never yields"; return; }
	echo 'func klp_try_switch_task +p' > /sys/kernel/debug/dynamic_debug/control
	insmod $MODS/klp_test_target.ko
	echo 1 > $TARGET/spin
	pid=$(pid_of klp_spinner)
	dmesg_mark
	expect "insmod" "$(klp_insmod $MODS/klp_test_patch_param.ko \
		"target=klp_target_spin object=klp_test_target")" OK
	sleep 1.5
	expect "in transition" "$(cat $KLP/klp_test_patch_param/transition)" 1
	expect "task named" "$(dmesg_new | grep -c "livepatch: klp_try_switch_task: klp_spinner:$pid is sleeping on function klp_target_spin" | grep -c '^[1-9]')" 1
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

# A hart offline while a patch is applied is not in the stop_machine; once
# online again it runs the patched code, and the original once the patch
# is gone (smp_callin() fetches text afresh first: patches/6.12/0010).
test_hart_onlined_after_patch_runs_patched_code() {
	cpu3=/sys/devices/system/cpu/cpu3/online
	[ -e $cpu3 ] || { skip "needs CONFIG_HOTPLUG_CPU (the preempt and ftrace flavours)"; return; }
	cmdline=$(cat /proc/cmdline)
	echo 0 > $cpu3
	expect "hart 3 offline" "$(cat /sys/devices/system/cpu/online)" 0-2
	expect "insmod livepatch-sample" "$(klp_insmod $MODS/livepatch-sample.ko)" OK
	wait_transition livepatch_sample
	echo 1 > $cpu3
	expect "hart 3 online" "$(cat /sys/devices/system/cpu/online)" 0-3
	expect "patched on hart 3" "$(taskset -c 3 cat /proc/cmdline)" "this has been live patched"
	echo 0 > $cpu3
	disable_and_remove livepatch_sample
	echo 1 > $cpu3
	expect "original on hart 3" "$(taskset -c 3 cat /proc/cmdline)" "$cmdline"
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

# Nothing above made the kernel warn, oops or report a bug.
test_no_kernel_warnings() {
	expect "warnings in dmesg" "$(dmesg | grep -cE 'WARNING:|BUG:|Oops|Call Trace')" 0
}

run_tests \
	test_sample_patches_and_unpatches_cmdline \
	test_enabled_patch_module_cannot_be_removed \
	test_module_function_patched_and_unpatched \
	test_module_loaded_after_patch \
	test_stacked_patches_on_one_function \
	test_refusal_at_target_load_refuses_the_load \
	test_patch_waits_for_sleeping_kthread \
	test_task_entering_after_prepass_blocks \
	test_pending_patch_reversed \
	test_too_short_function_refused \
	test_unsafe_targets_refused \
	test_patching_path_and_special_text_refused \
	test_unresolvable_symbols_refused \
	test_kprobes_and_patches_exclude_each_other \
	test_patch_waits_for_preempted_task \
	test_patch_waits_for_frameless_callee \
	test_kretprobe_hiding_caller_blocks \
	test_disable_waits_for_task_in_new_function \
	test_disable_of_middle_patch_waits_for_its_task \
	test_zombie_task_does_not_block \
	test_tracing_and_patching_coexist \
	test_ftrace_enabled_does_not_gate_patching \
	test_blocked_patch_named_then_forced \
	test_klpmake_patch_of_vmlinux_statics \
	test_klpmake_duplicated_static_name \
	test_klpmake_patch_of_module_statics \
	test_klpmake_got_relocation_to_module_refused \
	test_kprobe_inside_original_instruction_refused \
	test_disable_waits_for_exiting_task \
	test_module_loaded_during_pending_disable_gets_patch \
	test_patch_under_function_graph_tracer \
	test_pending_patch_blocked_by_unreliable_stack_reversed \
	test_kretprobe_on_runnable_tasks_does_not_block \
	test_task_busy_only_inside_stop_machine_named \
	test_fork_storm_does_not_force_full_scan \
	test_hart_onlined_after_patch_runs_patched_code \
	test_retries_with_tracer_toggles_and_hotplug \
	test_no_kernel_warnings
