# SPDX-License-Identifier: GPL-2.0-only
# kprobes and patches on the same function, in both orders.
# Sourced by run.sh; each test_* function is one test.

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
	expect_log "log" \
"livepatch: enabling patch 'klp_test_patch_target'
livepatch: klp_target_answer: a kprobe is inside the 8 bytes the jump replaces, not patched
livepatch: failed to patch object 'klp_test_target'
livepatch: failed to enable patch 'klp_test_patch_target'
livepatch: 'klp_test_patch_target': unpatching complete"
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
	expect_log "log" \
"livepatch: enabling patch 'klp_test_patch_param'
livepatch: klp_target_straddle: a kprobe is inside the 8 bytes the jump replaces, not patched
livepatch: failed to patch object 'klp_test_target'
livepatch: failed to enable patch 'klp_test_patch_param'
livepatch: 'klp_test_patch_param': unpatching complete"
	rmmod klp_test_kprobe
	expect "bytes after both" "$(text_bytes klp_target_straddle)" "$before"
	rmmod klp_test_target
}
