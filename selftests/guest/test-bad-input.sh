# SPDX-License-Identifier: GPL-2.0-only
# Bad input: patch modules built wrong, corrupted livepatch ELF, junk
# written to sysfs, an unprivileged user, a transition blocked for long.
# Each gets its errno and its exact livepatch transcript, and nothing
# changes: no patch left, no module loaded, the bytes as they were.
# Sourced by run.sh; each test_* function is one test.

BAD=$MODS/klp_test_patch_bad.ko

# bad_refused WHAT PARAMS ERRNO LOG: klp_test_patch_bad with PARAMS fails
# with ERRNO, the transcript is LOG, and nothing is left of it.
bad_refused() {
	dmesg_mark
	expect "$1: insmod" "$(klp_insmod $BAD "$2")" "$3"
	expect_log "$1: log" "$4"
	expect "$1: no patch left" "$(ls $KLP)" ""
	expect "$1: module not loaded" "$(grep -c '^klp_test_patch_bad ' /proc/modules)" 0
}

# A klp_func without new_func, and an old_name of KSYM_NAME_LEN characters
# (no room for its NUL): klp_init_func() refuses both before anything is
# done, and names the function (the long name cut to its first 32).
test_null_new_func_and_long_name_refused() {
	before=$(text_bytes cmdline_proc_show)
	bad_refused "null new_func" "case=null_new_func target=cmdline_proc_show" EINVAL \
"livepatch: function 'cmdline_proc_show' in object 'vmlinux' of patch 'klp_test_patch_bad' has no new function"
	bad_refused "long old_name" "case=long_name" EINVAL \
"livepatch: function name 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...' in object 'vmlinux' of patch 'klp_test_patch_bad' is longer than KSYM_NAME_LEN-1 (511) characters"
	expect "bytes unchanged" "$(text_bytes cmdline_proc_show)" "$before"
}

# An old_name that names data, not a function (jiffies, and the
# read-only linux_banner): the core finds the symbol, the refusal of what
# lies outside kernel text names it.
test_data_symbol_refused() {
	for sym in jiffies linux_banner; do
		before=$(text_bytes "$sym")
		bad_refused "$sym" "target=$sym" EINVAL \
"livepatch: enabling patch 'klp_test_patch_bad'
livepatch: $sym: function is not in kernel or module text, not patched
livepatch: failed to patch object 'vmlinux'
livepatch: failed to enable patch 'klp_test_patch_bad'
livepatch: 'klp_test_patch_bad': unpatching complete"
		# jiffies moves by itself.
		[ "$sym" = jiffies ] ||
			expect "$sym: bytes unchanged" "$(text_bytes "$sym")" "$before"
	done
}

# The same function twice in one object, with old_sympos 0 and then 1
# (both the first occurrence): refused before its second sysfs entry is
# made, with one line and no sysfs stack dump.
test_same_function_twice_refused() {
	before=$(text_bytes cmdline_proc_show)
	bad_refused "twice" "case=twice target=cmdline_proc_show" EINVAL \
"livepatch: function 'cmdline_proc_show,1' appears twice in object 'vmlinux' of patch 'klp_test_patch_bad'"
	expect "no sysfs complaint" "$(dmesg_new | grep -cE 'sysfs:|Call Trace')" 0
	expect "bytes unchanged" "$(text_bytes cmdline_proc_show)" "$before"
}

# An object whose funcs array is only its terminator: upstream accepts it,
# a patch of nothing, enabled and disabled with the usual transcript.
test_empty_funcs_is_a_patch_of_nothing() {
	dmesg_mark
	expect "insmod" "$(klp_insmod $BAD case=empty)" OK
	wait_transition klp_test_patch_bad
	expect "enabled" "$(cat $KLP/klp_test_patch_bad/enabled)" 1
	expect "no function" "$(ls $KLP/klp_test_patch_bad/vmlinux)" patched
	disable_and_remove klp_test_patch_bad
	expect_log "log" \
"livepatch: enabling patch 'klp_test_patch_bad'
livepatch: 'klp_test_patch_bad': starting patching transition
livepatch: 'klp_test_patch_bad': patching complete
livepatch: 'klp_test_patch_bad': starting unpatching transition
livepatch: 'klp_test_patch_bad': unpatching complete"
	expect "module removed" "$(grep -c '^klp_test_patch_bad ' /proc/modules)" 0
}

# An object naming a module that never loads: upstream enables the patch
# (the object waits for its module); it blocks neither other patches nor
# other modules, and disables and unloads as any other.
test_object_of_a_module_that_never_loads() {
	dmesg_mark
	expect "insmod" \
		"$(klp_insmod $BAD "object=klp_never_loaded target=klp_never_called")" OK
	wait_transition klp_test_patch_bad
	expect "enabled" "$(cat $KLP/klp_test_patch_bad/enabled)" 1
	expect "object not patched" "$(cat $KLP/klp_test_patch_bad/klp_never_loaded/patched)" 0
	expect "its function listed" "$(ls $KLP/klp_test_patch_bad/klp_never_loaded)" \
		"klp_never_called,1
patched"
	expect "another module loads" "$(klp_insmod $MODS/klp_test_target.ko)" OK
	expect "another patch enables" "$(klp_insmod $MODS/klp_test_patch_target.ko)" OK
	wait_transition klp_test_patch_target
	expect "and completes" "$(cat $TARGET/answer)" 1042
	disable_and_remove klp_test_patch_target
	rmmod klp_test_target
	disable_and_remove klp_test_patch_bad
	expect_log "log" \
"livepatch: enabling patch 'klp_test_patch_bad'
livepatch: 'klp_test_patch_bad': starting patching transition
livepatch: 'klp_test_patch_bad': patching complete
livepatch: enabling patch 'klp_test_patch_target'
livepatch: 'klp_test_patch_target': starting patching transition
livepatch: 'klp_test_patch_target': patching complete
livepatch: 'klp_test_patch_target': starting unpatching transition
livepatch: 'klp_test_patch_target': unpatching complete
livepatch: 'klp_test_patch_bad': starting unpatching transition
livepatch: 'klp_test_patch_bad': unpatching complete"
	expect "no patch left" "$(ls $KLP)" ""
	expect "module removed" "$(grep -c '^klp_test_patch_bad ' /proc/modules)" 0
}

# A .klp.sym symbol whose name lacks ",sympos" (klp_bad_sym_name.ko, a
# klpmake patch corrupted on the host): the load fails while its
# relocations are resolved, with upstream's message.
test_malformed_klp_sym_name_refused() {
	before=$(text_bytes wo_ftrace_testee_show)
	dmesg_mark
	expect "insmod" "$(klp_insmod $MODS/klp_bad_sym_name.ko)" EINVAL
	expect_log "log" \
"livepatch: symbol .klp.sym.vmlinux.wo_ftrace_testee_scale has an incorrectly formatted name"
	expect "no patch left" "$(ls $KLP)" ""
	expect "module not loaded" "$(grep -c '^klp_test_static ' /proc/modules)" 0
	expect "bytes unchanged" "$(text_bytes wo_ftrace_testee_show)" "$before"
}

# A .klp.rela section whose target section does not exist
# (klp_bad_rela_target.ko, sh_info one past the last section) or is not
# loaded (klp_bad_rela_noalloc.ko, the section name table): the module
# loader skips such a section, so the patch would run with its
# references to wo_ftrace_testee_scale() and wo_ftrace_testee_count
# unrelocated.  klp_enable_patch() refuses it, naming the section and the
# index, before anything is set up.
test_klp_rela_without_target_section_refused() {
	before=$(text_bytes wo_ftrace_testee_show)
	dmesg_mark
	expect "insmod" "$(klp_insmod $MODS/klp_bad_rela_target.ko)" EINVAL
	nsec=$(od -An -j60 -N2 -tu2 $MODS/klp_bad_rela_target.ko | tr -d ' ')
	expect_log "log" \
"livepatch: section '.klp.rela.vmlinux.text' applies to section $nsec, which the module does not have"
	expect "no patch left" "$(ls $KLP)" ""
	expect "module not loaded" "$(grep -c '^klp_test_static ' /proc/modules)" 0

	dmesg_mark
	expect "not loaded: insmod" "$(klp_insmod $MODS/klp_bad_rela_noalloc.ko)" EINVAL
	shstrndx=$(od -An -j62 -N2 -tu2 $MODS/klp_bad_rela_noalloc.ko | tr -d ' ')
	expect_log "not loaded: log" \
"livepatch: section '.klp.rela.vmlinux.text' applies to section $shstrndx '.shstrtab', which the module does not load (no SHF_ALLOC)"
	expect "not loaded: no patch left" "$(ls $KLP)" ""
	expect "not loaded: module not loaded" "$(grep -c '^klp_test_static ' /proc/modules)" 0
	expect "bytes unchanged" "$(text_bytes wo_ftrace_testee_show)" "$before"
}

# The same for a module object's section (klp_bad_rela_target_mod.ko,
# klp_test_static_mod whose .klp.rela.klp_test_target.text has no target):
# klp_write_object_relocs() would index the section headers past their
# end.  Refused at the load of the patch, whether its target module is
# loaded or not; the target loads and runs as before.
test_module_klp_rela_without_target_section_refused() {
	bad=$MODS/klp_bad_rela_target_mod.ko
	nsec=$(od -An -j60 -N2 -tu2 $bad | tr -d ' ')
	line="livepatch: section '.klp.rela.klp_test_target.text' applies to section $nsec, which the module does not have"
	dmesg_mark
	expect "target not loaded: insmod" "$(klp_insmod $bad)" EINVAL
	expect_log "target not loaded: log" "$line"
	expect "target not loaded: no patch left" "$(ls $KLP)" ""
	insmod $MODS/klp_test_target.ko
	before=$(text_bytes klp_target_answer)
	dmesg_mark
	expect "target loaded: insmod" "$(klp_insmod $bad)" EINVAL
	expect_log "target loaded: log" "$line"
	expect "target loaded: no patch left" "$(ls $KLP)" ""
	expect "module not loaded" "$(grep -c '^klp_test_static_mod ' /proc/modules)" 0
	expect "answer" "$(cat $TARGET/answer)" 42
	expect "bytes unchanged" "$(text_bytes klp_target_answer)" "$before"
	rmmod klp_test_target
}

# klp_state PATCH: every readable sysfs file of the patch with its value,
# and the entry bytes of the functions it patches.
klp_state() {
	find $KLP/"$1" -type f | sort | while read -r f; do
		echo "${f#$KLP/}=$(cat "$f" 2>/dev/null)"
	done
	echo "klp_target_answer=$(text_bytes klp_target_answer)"
	echo "klp_target_busy=$(text_bytes klp_target_busy)"
}

# junk_writes PATCH: junk to each sysfs file of the patch: enabled and
# force parse a bool and refuse what is not one (and enabled its own
# value), the others are read-only.
junk_writes() {
	for f in $(find $KLP/"$1" -type f | sort); do
		case ${f##*/} in
		enabled)
			expect "$f x" "$(klp_write "$f" x)" "write EINVAL"
			expect "$f 2" "$(klp_write "$f" 2)" "write EINVAL"
			expect "$f its value" "$(klp_write "$f" 1)" "write EINVAL"
			;;
		force)
			expect "$f x" "$(klp_write "$f" x)" "write EINVAL"
			expect "$f 2" "$(klp_write "$f" 2)" "write EINVAL"
			;;
		*)
			expect "$f x" "$(klp_write "$f" x)" "open EACCES"
			expect "$f 0" "$(klp_write "$f" 0)" "open EACCES"
			;;
		esac
	done
}

# Junk written to every sysfs file of an enabled patch, and of one waiting
# in transition: EINVAL or EACCES, and no file, no byte changes.
test_junk_to_sysfs_refused() {
	insmod $MODS/klp_test_target.ko
	expect "insmod" "$(klp_insmod $MODS/klp_test_patch_target.ko)" OK
	wait_transition klp_test_patch_target
	state=$(klp_state klp_test_patch_target)
	dmesg_mark
	junk_writes klp_test_patch_target
	expect "force outside a transition" \
		"$(klp_write $KLP/klp_test_patch_target/force 1)" "write EINVAL"
	expect "state unchanged" "$(klp_state klp_test_patch_target)" "$state"
	expect_log "log" ""
	disable_and_remove klp_test_patch_target

	echo 1 > $TARGET/sleep
	expect "insmod pending" "$(klp_insmod $MODS/klp_test_patch_target.ko)" OK
	sleep 1
	state=$(klp_state klp_test_patch_target)
	dmesg_mark
	junk_writes klp_test_patch_target
	expect "pending: state unchanged" "$(klp_state klp_test_patch_target)" "$state"
	expect "pending: still in transition" "$(cat $KLP/klp_test_patch_target/transition)" 1
	expect_log "pending: log" ""
	echo 1 > $TARGET/release
	wait_transition klp_test_patch_target
	disable_and_remove klp_test_patch_target
	rmmod klp_test_target
}

# uid 65534 without any capability (klp_unprivileged): cannot load a patch
# (finit_module needs CAP_SYS_MODULE), nor open enabled or force for
# writing, whether the patch waits in transition or is enabled.
test_unprivileged_user_refused() {
	nobody=klp_unprivileged
	insmod $MODS/klp_test_target.ko
	expect "id" "$($nobody id -u):$($nobody id -g)" 65534:65534
	echo 1 > $TARGET/sleep
	expect "insmod" "$(klp_insmod $MODS/klp_test_patch_target.ko)" OK
	sleep 1
	state=$(klp_state klp_test_patch_target)
	dmesg_mark
	expect "load" "$($nobody klp_insmod $MODS/livepatch-sample.ko)" EPERM
	expect "reverse" "$($nobody klp_write $KLP/klp_test_patch_target/enabled 0)" "open EACCES"
	expect "force" "$($nobody klp_write $KLP/klp_test_patch_target/force 1)" "open EACCES"
	expect "pending: state unchanged" "$(klp_state klp_test_patch_target)" "$state"
	expect "sample not loaded" "$(grep -c '^livepatch_sample ' /proc/modules)" 0
	echo 1 > $TARGET/release
	wait_transition klp_test_patch_target
	state=$(klp_state klp_test_patch_target)
	expect "disable" "$($nobody klp_write $KLP/klp_test_patch_target/enabled 0)" "open EACCES"
	expect "force" "$($nobody klp_write $KLP/klp_test_patch_target/force 1)" "open EACCES"
	expect "enabled: state unchanged" "$(klp_state klp_test_patch_target)" "$state"
	expect "still patched" "$(cat $TARGET/answer)" 1042
	expect_log "log" "livepatch: 'klp_test_patch_target': patching complete"
	disable_and_remove klp_test_patch_target
	rmmod klp_test_target
}

# meminfo FIELD: its value in kB.
meminfo() {
	awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo
}

# A transition blocked for klp_block_s=N seconds of guest time (kernel
# command line; 30 by default, make stress passes 600) by a kthread
# sleeping in the old function: Slab grows and MemAvailable shrinks by no
# more than 512 kB and 1024 kB; the only livepatch line in that time is
# the fake signals' one, once, after 15 s (both models: upstream's
# SIGNALS_TIMEOUT); and the reversal completes at once afterwards.
test_long_blocked_transition() {
	block=$(sed -n 's/.*klp_block_s=\([0-9]*\).*/\1/p' /proc/cmdline)
	block=${block:-30}
	insmod $MODS/klp_test_target.ko
	before=$(text_bytes klp_target_busy)
	echo 1 > $TARGET/sleep
	dmesg_mark
	expect "insmod" "$(klp_insmod $MODS/klp_test_patch_target.ko)" OK
	sleep 2
	slab0=$(meminfo Slab)
	avail0=$(meminfo MemAvailable)
	end=$(($(date +%s) + block))
	while [ "$(date +%s)" -lt "$end" ]; do
		sleep 5
	done
	slab1=$(meminfo Slab)
	avail1=$(meminfo MemAvailable)
	echo "# blocked ${block}s: Slab ${slab0} -> ${slab1} kB, MemAvailable ${avail0} -> ${avail1} kB"
	expect "still in transition" "$(cat $KLP/klp_test_patch_target/transition)" 1
	# The per-task model writes the entry at once; tasks switch one by one.
	[ "$model" = per-task ] ||
		expect "busy function untouched" "$(text_bytes klp_target_busy)" "$before"
	expect_ge "Slab growth within 512 kB" $((slab0 + 512 - slab1)) 0
	expect_ge "MemAvailable drop within 1024 kB" $((avail1 + 1024 - avail0)) 0
	signals=
	[ "$block" -gt 15 ] && signals="
livepatch: signaling remaining tasks"
	expect_log "log while blocked" \
"livepatch: enabling patch 'klp_test_patch_target'
livepatch: 'klp_test_patch_target': starting patching transition$signals"
	dmesg_mark
	echo 0 > $KLP/klp_test_patch_target/enabled
	wait_gone klp_test_patch_target
	expect "reversed" "$(ls $KLP)" ""
	expect "bytes" "$(text_bytes klp_target_busy)" "$before"
	expect_log "reversal log" \
"livepatch: 'klp_test_patch_target': starting unpatching transition
livepatch: 'klp_test_patch_target': unpatching complete"
	rmmod klp_test_patch_target
	echo 1 > $TARGET/release
	rmmod klp_test_target
}
