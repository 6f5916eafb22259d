# SPDX-License-Identifier: GPL-2.0-only
# The per-task model's trampolines: what each task runs while a patch is
# in transition, and what is left once it is gone.
# Sourced by run.sh; each test_* function is one test.

# trampoline FUNCTION: "new N prev P flag F" of the trampoline its entry
# leads to ("orig": the out-of-line copy of the original), or "none".
trampoline() {
	echo "0x$(site_addr "$1")" > $PEEK/addr
	cat $PEEK/trampoline
}

# A kthread sleeps in klp_target_busy(): a patch of it and of
# klp_target_answer() stays in transition, the kthread not switched.  The
# entry of klp_target_answer() leads to its trampoline at once: a task
# that switched (this shell, on its way back to user mode) gets the new
# function, one that has not the original, by the patch's flag.  Once the
# kthread left, the transition completes and clears the flag; the disable
# takes the entries and the trampolines back.
# per-task model only
test_trampoline_sends_each_task_by_its_state() {
	insmod $MODS/klp_test_target.ko
	before=$(text_bytes klp_target_answer)
	echo 1 > $TARGET/sleep
	expect "insmod patch" "$(klp_insmod $MODS/klp_test_patch_target.ko)" OK
	new=$(sym_addr livepatch_klp_target_answer)
	sleep 2
	expect "in transition" "$(cat $KLP/klp_test_patch_target/transition)" 1
	expect "trampoline in transition" "$(trampoline klp_target_answer)" \
		"new $new prev orig flag 1"
	expect "a switched task's answer" "$(cat $TARGET/answer)" 1042
	expect_ne "entry written" "$(text_bytes klp_target_answer)" "$before"

	echo 1 > $TARGET/release
	wait_transition klp_test_patch_target
	expect "transition done" "$(cat $KLP/klp_test_patch_target/transition)" 0
	expect "trampoline once patched" "$(trampoline klp_target_answer)" \
		"new $new prev orig flag 0"

	disable_and_remove klp_test_patch_target
	expect "trampoline after disable" "$(trampoline klp_target_answer)" none
	expect "bytes after disable" "$(text_bytes klp_target_answer)" "$before"
	expect "answer after disable" "$(cat $TARGET/answer)" 42
}
