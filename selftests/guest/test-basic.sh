# SPDX-License-Identifier: GPL-2.0-only
# Patching and unpatching: the sample, module targets loaded before and
# after a patch or during its disable, stacked patches, CPU hotplug, the
# entries of one patch that share and cross a text page.
# Sourced by run.sh; each test_* function is one test.

# The tree's own sample patches cmdline_proc_show(); disabling it restores
# both the output and the exact bytes of the function's entry.
test_sample_patches_and_unpatches_cmdline() {
	cmdline=$(cat /proc/cmdline)
	before=$(text_bytes cmdline_proc_show)
	expect "jump before enable" "$(jump_target cmdline_proc_show)" none

	dmesg_mark
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
	expect_log "log" \
"livepatch: enabling patch 'livepatch_sample'
livepatch: 'livepatch_sample': starting patching transition
livepatch: 'livepatch_sample': patching complete
livepatch: 'livepatch_sample': starting unpatching transition
livepatch: 'livepatch_sample': unpatching complete"
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
		expect_log "round $round: log" \
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

# A module that loads while a patch of it is being disabled runs the
# patch's version, as every task that has not switched does; once the
# disable completes, the original.
# all-at-once model only
test_module_loaded_during_pending_disable_gets_patch() {
	cmdline=$(cat /proc/cmdline)
	expect "insmod patch" "$(klp_insmod $MODS/klp_test_patch_pending.ko hold=1)" OK
	wait_transition klp_test_patch_pending
	cat /proc/cmdline > /tmp/held.out &
	wait_for /sys/module/klp_test_patch_pending/parameters/inside 1
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

# The same in the per-task model: the module is patched as it comes, its
# entry leading to the trampoline, but this shell has switched back
# already and gets the original, while the held reader still runs the
# patch's version; once the disable completes, the entry is restored.
# per-task model only
test_module_loaded_during_pending_disable_per_task() {
	cmdline=$(cat /proc/cmdline)
	expect "insmod patch" "$(klp_insmod $MODS/klp_test_patch_pending.ko hold=1)" OK
	wait_transition klp_test_patch_pending
	cat /proc/cmdline > /tmp/held.out &
	wait_for /sys/module/klp_test_patch_pending/parameters/inside 1
	expect "reader held in new function" \
		"$(cat /sys/module/klp_test_patch_pending/parameters/inside)" 1
	echo 0 > $KLP/klp_test_patch_pending/enabled
	sleep 0.5
	expect "disable pending" "$(cat $KLP/klp_test_patch_pending/transition)" 1
	insmod $MODS/klp_test_target.ko
	expect "module loaded during the disable: its entry leads to the patch" \
		"$(jump_target klp_target_answer)" "$(sym_addr livepatch_pending_answer)"
	expect "this shell switched back" "$(cat /proc/$$/patch_state)" 0
	expect "a switched task runs the original" "$(cat $TARGET/answer)" 42
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

# A hart offline while a patch is applied is not in the stop_machine; once
# online again it runs the patched code, and the original once the patch
# is gone (smp_callin() fetches text afresh first: patches/6.12/0009).
test_hart_onlined_after_patch_runs_patched_code() {
	cpu3=/sys/devices/system/cpu/cpu3/online
	[ -e $cpu3 ] || { skip "needs CONFIG_HOTPLUG_CPU (the preempt and ftrace flavours)"; return; }
	cmdline=$(cat /proc/cmdline)
	echo 0 > $cpu3
	expect "hart 3 offline" "$(cat $cpu3)" 0
	expect "insmod livepatch-sample" "$(klp_insmod $MODS/livepatch-sample.ko)" OK
	wait_transition livepatch_sample
	echo 1 > $cpu3
	expect "hart 3 online" "$(cat $cpu3)" 1
	expect "patched on hart 3" "$(taskset -c 3 cat /proc/cmdline)" "this has been live patched"
	echo 0 > $cpu3
	disable_and_remove livepatch_sample
	echo 1 > $cpu3
	expect "original on hart 3" "$(taskset -c 3 cat /proc/cmdline)" "$cmdline"
}

# The addresses of PREFIXklp_target_page_0 .. 5, in order, from one
# read of kallsyms (each read of it takes long under TCG).
page_fn_addrs() {
	awk -v p="$1klp_target_page_" 'index($3, p) == 1 && length($3) == length(p) + 1 {
		a[substr($3, length(p) + 1)] = $1
	}
	END { for (n = 0; n < 6; n++) printf "%s ", a[n] }' /proc/kallsyms
}

# The 8 bytes at each of klp_target_page_0 .. 5, or where a jump there
# leads (a patched one), in order.  They are 8-byte functions of their
# own without ftrace's bytes: the jump goes at their address.
page_fn_states() {
	for a in $(page_fn_addrs ""); do
		echo "0x$a" > $PEEK/addr
		to=$(cat $PEEK/jump_target)
		[ "$to" = none ] && to=$(cut -c1-16 $PEEK/bytes)
		printf ' %s' "$to"
	done
}

# The writer maps each text page once for all the entries on it: six
# 8-byte functions "xori a0, a0, N; ret" in a row around the end of a
# page, the jump window of klp_target_page_2 running into the next page.
# A patch of some (funcs: bit N for klp_target_page_N; 0x04 writes the one
# across the end alone) leads exactly those to their new functions and
# leaves every other byte as it was; disabling it restores every byte.
test_entries_sharing_and_crossing_a_page() {
	insmod $MODS/klp_test_target.ko
	a=$(sym_addr klp_target_page_2)
	expect "klp_target_page_2 starts 4 bytes before a page ends" \
		$((0x${a#"${a%???}"})) 4092
	orig=
	for n in 0 1 2 3 4 5; do
		orig="$orig 1345${n}50067800000"
	done
	expect "original bytes" "$(page_fn_states)" "$orig"
	expect "original calls" "$(cat $TARGET/page)" "0 1 2 3 4 5"
	for funcs in 0x2e 0x04 0x3f; do
		expect "funcs=$funcs: insmod" \
			"$(klp_insmod $MODS/klp_test_patch_page.ko funcs=$funcs)" OK
		wait_transition klp_test_patch_page
		# shellcheck disable=SC2046
		set -- $(page_fn_addrs livepatch_)
		want=
		calls=
		for n in 0 1 2 3 4 5; do
			if [ $((funcs >> n & 1)) = 1 ]; then
				want="$want $1"
				calls="$calls $((100 + n))"
			else
				want="$want 1345${n}50067800000"
				calls="$calls $n"
			fi
			shift
		done
		expect "funcs=$funcs: entries" "$(page_fn_states)" "$want"
		expect "funcs=$funcs: calls" "$(cat $TARGET/page)" "${calls# }"
		disable_and_remove klp_test_patch_page
		expect "funcs=$funcs: bytes after disable" "$(page_fn_states)" "$orig"
		expect "funcs=$funcs: calls after disable" "$(cat $TARGET/page)" "0 1 2 3 4 5"
	done
	rmmod klp_test_target
}
