# SPDX-License-Identifier: GPL-2.0-only
# What is refused, with its errno, its one dmesg line and the bytes
# unchanged.
# Sourced by run.sh; each test_* function is one test.

# A patch whose target module is not loaded is enabled; when the module
# then loads and its function is refused, the module's load is refused,
# as upstream refuses a module whose patching fails.
test_refusal_at_target_load_refuses_the_load() {
	expect "insmod patch" "$(klp_insmod $MODS/klp_test_patch_tiny.ko)" OK
	wait_transition klp_test_patch_tiny
	dmesg_mark
	expect "target load refused" "$(klp_insmod $MODS/klp_test_target.ko)" EINVAL
	expect_log "log" \
"livepatch: applying patch 'klp_test_patch_tiny' to loading module 'klp_test_target'
livepatch: klp_target_tiny: function is 4 bytes, shorter than the 8-byte jump
livepatch: failed to apply patch 'klp_test_patch_tiny' to module 'klp_test_target' (-22)
livepatch: patch 'klp_test_patch_tiny' failed for module 'klp_test_target', refusing to load module 'klp_test_target'"
	expect "target not loaded" "$(grep -c '^klp_test_target ' /proc/modules)" 0
	disable_and_remove klp_test_patch_tiny
	expect "target loads without it" "$(klp_insmod $MODS/klp_test_target.ko)" OK
	rmmod klp_test_target
}

# A 4-byte function cannot hold the 8-byte jump: insmod fails with EINVAL,
# dmesg names the function, and its bytes are unchanged.
test_too_short_function_refused() {
	insmod $MODS/klp_test_target.ko
	before=$(text_bytes klp_target_tiny)
	dmesg_mark
	expect "insmod" "$(klp_insmod $MODS/klp_test_patch_tiny.ko)" EINVAL
	expect_log "log" \
"livepatch: enabling patch 'klp_test_patch_tiny'
livepatch: klp_target_tiny: function is 4 bytes, shorter than the 8-byte jump
livepatch: failed to patch object 'klp_test_target'
livepatch: failed to enable patch 'klp_test_patch_tiny'
livepatch: 'klp_test_patch_tiny': unpatching complete"
	expect "bytes unchanged" "$(text_bytes klp_target_tiny)" "$before"
	expect "no patch left" "$(ls $KLP)" ""
	expect "module not loaded" "$(grep -c '^klp_test_patch_tiny ' /proc/modules)" 0
	rmmod klp_test_target
}

# refused TARGET OBJECT ERRNO REASON: patching TARGET (in module OBJECT,
# or vmlinux if "") fails with ERRNO, the transcript has the one line
# "livepatch: TARGET: REASON" (addresses as SYMBOL+OFFSET, without the
# function's size), and its entry bytes stay as they were (but for
# __init text, freed and reused since boot).
refused() {
	before=$(text_bytes "$1")
	dmesg_mark
	expect "$1: insmod" \
		"$(klp_insmod $MODS/klp_test_patch_param.ko "target=$1 object=$2")" "$3"
	expect "$1: log" \
		"$(dmesg_new | grep -o 'livepatch: .*' | sed 's,\(+0x[0-9a-f]*\)/0x[0-9a-f]*,\1,g')" \
"livepatch: enabling patch 'klp_test_patch_param'
livepatch: $1: $4
livepatch: failed to patch object '${2:-vmlinux}'
livepatch: failed to enable patch 'klp_test_patch_param'
livepatch: 'klp_test_patch_param': unpatching complete"
	# Freed __init text is reused: its bytes are not ours to compare.
	case "$4" in
	*"__init text"*) ;;
	*) expect "$1: bytes" "$(text_bytes "$1")" "$before" ;;
	esac
	expect "$1: no patch left" "$(ls $KLP)" ""
}

# Functions whose entry something else owns or enters are refused.
test_unsafe_targets_refused() {
	insmod $MODS/klp_test_target.ko
	refused klp_target_loop klp_test_target EINVAL \
		"the instruction at klp_target_loop+0x8 [klp_test_target] branches to klp_target_loop+0x4 [klp_test_target], inside the 8 bytes the jump replaces, not patched"
	refused klp_target_jump_label klp_test_target EINVAL \
		"function has a jump label inside the 8 bytes the jump replaces, not patched"
	refused klp_target_fixup klp_test_target EINVAL \
		"an exception fixup lands at klp_target_fixup+0x4 [klp_test_target], inside the 8 bytes the jump replaces, not patched"
	rmmod klp_test_target
}

# A function of .noinstr.text: do_page_fault() where it is one (not 6.1),
# else the first there.
noinstr_func() {
	awk '$3 == "__noinstr_text_start" { s = $1 } $3 == "__noinstr_text_end" { e = $1 }
	$2 ~ /^[tT]$/ && NF == 3 { a[$3] = $1; o[n++] = $3 }
	END {
		if (a["do_page_fault"] >= s && a["do_page_fault"] < e) {
			print "do_page_fault"
			exit
		}
		for (i = 0; i < n; i++)
			if (a[o[i]] >= s && a[o[i]] < e) {
				print o[i]
				exit
			}
	}' /proc/kallsyms
}

# Functions the patching path runs, or kept apart from tracing, are refused.
test_patching_path_and_special_text_refused() {
	refused multi_cpu_stop "" EINVAL "function is run by live patching itself, not patched"
	refused patch_insn_write "" EINVAL "function is run by live patching itself, not patched"
	refused klp_enable_patch "" EINVAL "function is run by live patching itself, not patched"
	refused schedule "" EINVAL "function is scheduler code (.sched.text), not patched"
	refused start_kernel "" EINVAL "function is __init text, not patched"
	refused "$(noinstr_func)" "" EINVAL "function is noinstr code, not patched"
	refused notify_die "" EINVAL "function is on the kprobe blacklist (NOKPROBE_SYMBOL), not patched"
	refused smp_callin "" EINVAL "function runs on a hart coming online before it fetches fresh text, not patched"
}

# Symbols the core cannot resolve get upstream's messages.
test_unresolvable_symbols_refused() {
	dmesg_mark
	expect "insmod missing" \
		"$(klp_insmod $MODS/klp_test_patch_param.ko target=klp_no_such_function)" EINVAL
	expect_log "missing: log" \
"livepatch: symbol 'klp_no_such_function' not found in symbol table"
	dup=$(awk '$2 ~ /^[tT]$/ && NF == 3 { print $3 }' /proc/kallsyms | sort | uniq -d | head -n 1)
	dmesg_mark
	expect "insmod ambiguous $dup" \
		"$(klp_insmod $MODS/klp_test_patch_param.ko target=$dup)" EINVAL
	expect_log "ambiguous: log" \
"livepatch: unresolvable ambiguity for symbol '$dup' in object '(null)'"
	dmesg_mark
	expect "insmod wrong sympos" \
		"$(klp_insmod $MODS/klp_test_patch_param.ko "target=$dup sympos=99")" EINVAL
	expect_log "wrong sympos: log" \
"livepatch: symbol position 99 for symbol '$dup' in object 'vmlinux' not found"
	expect "no patch left" "$(ls $KLP)" ""
}
