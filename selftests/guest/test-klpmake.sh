# SPDX-License-Identifier: GPL-2.0-only
# Patch modules built by klpmake (selftests/klpmake/).
# Sourced by run.sh; each test_* function is one test.

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

# klpmake diff built klp_fix_fixee.ko from selftests/klpmake-diff/
# fixee.patch, a fix of wo_ftrace_fixee.c that changes a static inline of
# its header (so its callers wo_ftrace_fixee_show() and, in another file,
# wo_ftrace_fixee_peer_show() are replaced), and adds
# a function that wo_ftrace_fixee_write() now calls and a variable that
# both use (which lives in the patch module).  The carried code's strings,
# its get_user() fixup (__ex_table), its WARN (__bug_table, with the fixed
# file's line) and its static branch on the file's own key (__jump_table,
# through .klp.rela) all work; disabling brings every byte back.
test_klpmake_diff_fix_with_kernel_tables() {
	show=$(text_bytes wo_ftrace_fixee_show)
	write=$(text_bytes wo_ftrace_fixee_write)
	peer=$(text_bytes wo_ftrace_fixee_peer_show)
	echo -n y > $FIXEE
	expect "unpatched" "$(cat $FIXEE)" "fixee yes key off last y"
	expect "unpatched peer" "$(cat $FIXEE_PEER)" "peer no"
	expect "insmod" "$(klp_insmod $MODS/klp_fix_fixee.ko)" OK
	wait_transition klp_fix_fixee
	expect "functions" "$(ls -d $KLP/klp_fix_fixee/vmlinux/*,* | sed 's|.*/||')" \
		"$(printf 'wo_ftrace_fixee_peer_show,1\nwo_ftrace_fixee_show,1\nwo_ftrace_fixee_write,1')"
	expect "the inline's change in its caller" "$(cat $FIXEE)" \
		"fixee yes, fixed key off last y folds 0"
	expect "and in its other file's" "$(cat $FIXEE_PEER)" "peer yes, fixed"
	echo -n Y > $FIXEE
	expect "fixed" "$(cat $FIXEE)" "fixee yes, fixed key off last Y folds 0"
	echo -n K > $FIXEE
	expect "static branch on" "$(cat $FIXEE)" "fixee yes, fixed key on last Y folds 0"
	echo -n k > $FIXEE
	expect "static branch off" "$(cat $FIXEE)" "fixee yes, fixed key off last Y folds 0"
	expect "a fault in get_user() is caught" "$(klp_uaccess write $FIXEE)" EFAULT
	dmesg_mark
	echo -n '#' > $FIXEE
	# Line 66 of the fixed file: WARN_ON_ONCE(c == '!'); since 7.x the
	# line reads "WARNING: FILE:LINE at FUNC+OFF [MOD], CPU#N: COMM/PID".
	expect "WARN of the new code" \
		"$(dmesg_new | sed -n 's/.*WARNING: CPU: [0-9]* PID: [0-9]* at \([^ ]*\) \([^+]*\)+.*\[\(.*\)\]$/\1 \2 \3/p
			s/.*WARNING: \([^ ]*\) at \([^+]*\)+[^ ]* \[\([^]]*\)\], CPU#.*/\1 \2 \3/p')" \
		"kernel/livepatch/wo_ftrace_fixee.c:66 __klp_new_wo_ftrace_fixee_write klp_fix_fixee"
	expect "the new helper and the new variable" "$(cat $FIXEE)" \
		"fixee no, fixed key off last ! folds 1"
	expect "jump to the new show" "$(jump_target wo_ftrace_fixee_show)" \
		"$(sym_addr __klp_new_wo_ftrace_fixee_show)"
	expect "jump to the new write" "$(jump_target wo_ftrace_fixee_write)" \
		"$(sym_addr __klp_new_wo_ftrace_fixee_write)"
	disable_and_remove klp_fix_fixee
	# The new code kept '#' as '!'; the old verdict again
	expect "after disable" "$(cat $FIXEE)" "fixee no key off last !"
	expect "peer after disable" "$(cat $FIXEE_PEER)" "peer no"
	expect "peer's bytes after disable" "$(text_bytes wo_ftrace_fixee_peer_show)" "$peer"
	expect "show's bytes after disable" "$(text_bytes wo_ftrace_fixee_show)" "$show"
	expect "write's bytes after disable" "$(text_bytes wo_ftrace_fixee_write)" "$write"
}

# klpmake diff built klp_fix_uname.ko from selftests/klpmake-diff/
# uname.patch, a one-line fix of newuname() in kernel/sys.c: uname(2) goes
# through the replaced __do_sys_newuname(), whose uts_sem is resolved
# through .klp.sym.
test_klpmake_diff_fix_of_a_syscall() {
	before=$(text_bytes __do_sys_newuname)
	version=$(uname -v)
	release=$(uname -r)
	expect "insmod" "$(klp_insmod $MODS/klp_fix_uname.ko)" OK
	wait_transition klp_fix_uname
	expect "fixed" "$(uname -v)" "#1 fixed by klpmake diff"
	expect "the rest as before" "$(uname -r)" "$release"
	expect "jump target" "$(jump_target __do_sys_newuname)" \
		"$(sym_addr __klp_new___do_sys_newuname)"
	disable_and_remove klp_fix_uname
	expect "after disable" "$(uname -v)" "$version"
	expect "bytes after disable" "$(text_bytes __do_sys_newuname)" "$before"
}

# klpmake diff built klp_fix_getcpu.ko from selftests/klpmake-diff/
# getcpu.patch: getcpu(2) with no pointers fails with EINVAL.  Its two
# __ex_table entries (of put_user()) are the 9th and 10th of kernel/sys.c:
# carried alone, they move to the front, and a store to an unmapped
# address still returns EFAULT from the new code.
test_klpmake_diff_fix_moves_table_entries() {
	# The syscall's entry: riscv's wrapper, or sys_getcpu() without
	# syscall wrappers (6.1).
	sys=__riscv_sys_getcpu
	grep -q " $sys\$" /proc/kallsyms || sys=sys_getcpu
	before=$(text_bytes $sys)
	expect "unpatched" "$(klp_uaccess getcpu)" "EFAULT OK"
	expect "insmod" "$(klp_insmod $MODS/klp_fix_getcpu.ko)" OK
	wait_transition klp_fix_getcpu
	expect "fixed, the fault caught" "$(klp_uaccess getcpu)" "EFAULT EINVAL"
	expect "jump target" "$(jump_target $sys)" "$(sym_addr __klp_new_$sys)"
	disable_and_remove klp_fix_getcpu
	expect "after disable" "$(klp_uaccess getcpu)" "EFAULT OK"
	expect "bytes after disable" "$(text_bytes $sys)" "$before"
}

# How many lines dummy_alloc() of livepatch-shadow-mod.ko printed since the
# mark: all of them, the fixed ones or the others.  The module prints one
# a second, so "every one fixed" counts the others in one read of dmesg,
# not the fixed ones and all of them in two.
shadow_allocs() {
	dmesg_new | grep "dummy_alloc: dummy @" | case "$1" in
	all) grep -c . ;;
	fixed) grep -c ', nothing leaked$' ;;
	unfixed) grep -vc ', nothing leaked$' ;;
	esac
}

# klpmake diff built klp_fix_shadow.ko from selftests/klpmake-diff/
# shadow.patch, a fix of the kernel's sample module livepatch-shadow-mod.ko:
# dummy_alloc() no longer leaks, and says so each second.  The patch's
# klp_object is the module: loaded after it, then before it (patched as it
# loads); once the patch is gone the module runs its own code again.
test_klpmake_diff_fix_of_a_module() {
	dmesg_mark
	insmod $MODS/livepatch-shadow-mod.ko
	wait_s 5 '[ "$(shadow_allocs all)" -ge 1 ]'
	expect "unpatched" "$(shadow_allocs fixed)" 0
	before=$(text_bytes dummy_alloc)
	expect "insmod after the module" "$(klp_insmod $MODS/klp_fix_shadow.ko)" OK
	wait_transition klp_fix_shadow
	expect "jump target" "$(jump_target dummy_alloc)" \
		"$(sym_addr __klp_new_dummy_alloc)"
	dmesg_mark
	wait_s 5 '[ "$(shadow_allocs all)" -ge 2 ]'
	expect_ge "fixed" "$(shadow_allocs fixed)" 2
	expect "every one fixed" "$(shadow_allocs unfixed)" 0
	disable_and_remove klp_fix_shadow
	expect "bytes after disable" "$(text_bytes dummy_alloc)" "$before"
	dmesg_mark
	wait_s 5 '[ "$(shadow_allocs all)" -ge 1 ]'
	expect "after disable" "$(shadow_allocs fixed)" 0
	rmmod livepatch_shadow_mod

	expect "insmod before the module" "$(klp_insmod $MODS/klp_fix_shadow.ko)" OK
	wait_transition klp_fix_shadow
	dmesg_mark
	insmod $MODS/livepatch-shadow-mod.ko
	expect "patched as it loads" "$(jump_target dummy_alloc)" \
		"$(sym_addr __klp_new_dummy_alloc)"
	wait_s 5 '[ "$(shadow_allocs all)" -ge 2 ]'
	expect_ge "fixed from the first" "$(shadow_allocs fixed)" 2
	expect "every one fixed from the first" "$(shadow_allocs unfixed)" 0
	rmmod livepatch_shadow_mod
	disable_and_remove klp_fix_shadow
	insmod $MODS/livepatch-shadow-mod.ko
	expect "no jump after disable" "$(jump_target dummy_alloc)" none
	rmmod livepatch_shadow_mod
}

# klpmake diff built klp_fix_meminfo.ko from selftests/klpmake-diff/
# meminfo.patch: one more line at the end of meminfo_proc_show(), a large
# static function that reads many kernel symbols (through .klp.sym).
test_klpmake_diff_fix_of_a_large_function() {
	before=$(text_bytes meminfo_proc_show)
	lines=$(wc -l < /proc/meminfo)
	expect "unpatched" "$(grep -c '^LivePatch:' /proc/meminfo)" 0
	expect "insmod" "$(klp_insmod $MODS/klp_fix_meminfo.ko)" OK
	wait_transition klp_fix_meminfo
	expect "fixed" "$(tail -n 1 /proc/meminfo)" \
		"LivePatch:      fixed by klpmake diff"
	expect "one line more" "$(wc -l < /proc/meminfo)" $((lines + 1))
	expect "the first line as before" "$(head -n 1 /proc/meminfo | cut -d: -f1)" \
		MemTotal
	expect "jump target" "$(jump_target meminfo_proc_show)" \
		"$(sym_addr __klp_new_meminfo_proc_show)"
	disable_and_remove klp_fix_meminfo
	expect "after disable" "$(grep -c '^LivePatch:' /proc/meminfo)" 0
	expect "bytes after disable" "$(text_bytes meminfo_proc_show)" "$before"
}

# A shell renames itself through /proc/PID/comm to $1 and prints its name.
renamed_to() {
	sh -c 'printf %s "$1" > /proc/$$/comm; read -r c < /proc/$$/comm; echo "$c"' \
		sh "$1"
}

# klpmake diff built klp_fix_comm.ko from selftests/klpmake-diff/
# comm.patch: __set_task_comm() turns '/' into '-'.  The function fires
# the task_rename tracepoint, whose jump entry is carried: the event turned
# on reaches the new code's tracepoint.
test_klpmake_diff_fix_with_a_tracepoint() {
	if [ ! -e $MODS/klp_fix_comm.ko ]; then
		skip "no klp_fix_comm.ko: klpmake refuses comm.patch on Linux $(uname -r) (selftests/klpmake-diff/*/comm.refused)"
		return
	fi
	before=$(text_bytes __set_task_comm)
	expect "unpatched" "$(renamed_to a/b)" a/b
	expect "insmod" "$(klp_insmod $MODS/klp_fix_comm.ko)" OK
	wait_transition klp_fix_comm
	expect "fixed" "$(renamed_to a/b)" a-b
	expect "jump target" "$(jump_target __set_task_comm)" \
		"$(sym_addr __klp_new___set_task_comm)"
	ev=/sys/kernel/tracing/events/task/task_rename
	echo > /sys/kernel/tracing/trace
	echo 1 > $ev/enable
	expect "fixed, traced" "$(renamed_to c/d)" c-d
	echo 0 > $ev/enable
	expect "the event from the new code" \
		"$(grep -c 'task_rename: .* newcomm=c/d ' /sys/kernel/tracing/trace)" 1
	disable_and_remove klp_fix_comm
	expect "after disable" "$(renamed_to a/b)" a/b
	expect "bytes after disable" "$(text_bytes __set_task_comm)" "$before"
}

# klpmake diff built klp_fix_dup.ko from selftests/klpmake-diff/dup.patch,
# a fix of the static wo_ftrace_testee_origin() of wo_ftrace_testee_dup.c,
# whose namesake in wo_ftrace_testee.c stays as it is: the diff names the
# file, so klpmake finds the position without -s.
test_klpmake_diff_fix_of_a_static_in_two_files() {
	before=$(each_site wo_ftrace_testee_origin bytes)
	expect "unpatched" "$(cat $TESTEE_DUP)" "origin dup"
	expect "insmod" "$(klp_insmod $MODS/klp_fix_dup.ko)" OK
	wait_transition klp_fix_dup
	expect "fixed in its file" "$(cat $TESTEE_DUP)" "origin dup, fixed"
	expect "the namesake as it was" "$(sed 's/.* origin //' $TESTEE)" testee
	expect "one site jumps" "$(each_site wo_ftrace_testee_origin jump_target | grep -vc none)" 1
	disable_and_remove klp_fix_dup
	expect "after disable" "$(cat $TESTEE_DUP)" "origin dup"
	expect "bytes after disable" "$(each_site wo_ftrace_testee_origin bytes)" "$before"
}

# klpmake diff built klp_fix_oom_adj.ko from selftests/klpmake-diff/
# oom_adj.patch, a fix of the message of __set_oom_adj(), which GCC
# compiles as the clone __set_oom_adj.isra.0: the clone is replaced by
# name (its new code is __klp_new___set_oom_adj_isra_0, a C name).
test_klpmake_diff_fix_of_a_clone() {
	clone=__set_oom_adj.isra.0
	before=$(text_bytes $clone)
	expect "insmod" "$(klp_insmod $MODS/klp_fix_oom_adj.ko)" OK
	wait_transition klp_fix_oom_adj
	expect "jump target" "$(jump_target $clone)" \
		"$(sym_addr __klp_new___set_oom_adj_isra_0)"
	dmesg_mark
	sh -c 'echo 0 > /proc/$$/oom_adj'
	expect "fixed message" "$(dmesg_new | grep -c 'oom_adj is deprecated since Linux 2.6.36, please use /proc/[0-9]*/oom_score_adj instead')" 1
	disable_and_remove klp_fix_oom_adj
	expect "bytes after disable" "$(text_bytes $clone)" "$before"
}

# klpmake diff built klp_fix_uname_v2.ko from two diffs, selftests/
# klpmake-diff/uname_v2.patch and getcpu.patch, as an atomic-replace patch:
# loaded over klp_fix_uname, it replaces that patch and brings both fixes.
test_klpmake_diff_two_fixes_replace_an_older_patch() {
	version=$(uname -v)
	uname_bytes=$(text_bytes __do_sys_newuname)
	getcpu_bytes=$(text_bytes __riscv_sys_getcpu)
	expect "insmod the first" "$(klp_insmod $MODS/klp_fix_uname.ko)" OK
	wait_transition klp_fix_uname
	expect "first fix" "$(uname -v)" "#1 fixed by klpmake diff"
	expect "insmod the replacement" "$(klp_insmod $MODS/klp_fix_uname_v2.ko)" OK
	wait_transition klp_fix_uname_v2
	wait_gone klp_fix_uname
	expect "first patch replaced" "$(ls $KLP)" klp_fix_uname_v2
	rmmod klp_fix_uname
	expect "second fix" "$(uname -v)" "#2 fixed by klpmake diff"
	expect "and its other diff" "$(klp_uaccess getcpu)" "EFAULT EINVAL"
	disable_and_remove klp_fix_uname_v2
	expect "after disable" "$(uname -v)" "$version"
	expect "getcpu after disable" "$(klp_uaccess getcpu)" "EFAULT OK"
	expect "bytes after disable" "$(text_bytes __do_sys_newuname) $(text_bytes __riscv_sys_getcpu)" \
		"$uname_bytes $getcpu_bytes"
}

# klpmake diff built klp_fix_counters.ko from selftests/klpmake-diff/
# counters.patch: wo_ftrace_fixee_peer_show() counts its calls in a new
# static local and its reads in a new global, both in the patch module:
# they start at 0 with each load of it.
test_klpmake_diff_fix_with_new_variables() {
	before=$(text_bytes wo_ftrace_fixee_peer_show)
	for round in 1 2; do
		expect "round $round: insmod" "$(klp_insmod $MODS/klp_fix_counters.ko)" OK
		wait_transition klp_fix_counters
		expect "round $round: first read" "$(cat $FIXEE_PEER)" \
			"peer no shows 1 reads 10"
		expect "round $round: second read" "$(cat $FIXEE_PEER)" \
			"peer no shows 2 reads 20"
		expect "round $round: the global" \
			"$(awk '$3 == "wo_ftrace_fixee_peer_reads" { print $4 }' /proc/kallsyms)" \
			"[klp_fix_counters]"
		disable_and_remove klp_fix_counters
		expect "round $round: after disable" "$(cat $FIXEE_PEER)" "peer no"
	done
	expect "bytes after disable" "$(text_bytes wo_ftrace_fixee_peer_show)" "$before"
}

# klpmake diff built klp_fix_module.ko from selftests/klpmake-diff/
# module.patch, a fix of wo_ftrace_fixee_mod.ko (a module of the kernel
# tree) whose new code calls the module's own export: livepatch resolves
# it (.klp.sym), so the patch loads before the module and does not pin it.
test_klpmake_diff_fix_of_a_module_export_user() {
	mod=/sys/kernel/debug/wo_ftrace_fixee_mod
	insmod $MODS/wo_ftrace_fixee_mod.ko
	before=$(text_bytes wo_ftrace_fixee_mod_show)
	expect "unpatched" "$(cat $mod)" "mod 42"
	expect "insmod after the module" "$(klp_insmod $MODS/klp_fix_module.ko)" OK
	wait_transition klp_fix_module
	expect "fixed" "$(cat $mod)" "mod 43"
	disable_and_remove klp_fix_module
	expect "after disable" "$(cat $mod)" "mod 42"
	expect "bytes after disable" "$(text_bytes wo_ftrace_fixee_mod_show)" "$before"
	rmmod wo_ftrace_fixee_mod

	expect "insmod before the module" "$(klp_insmod $MODS/klp_fix_module.ko)" OK
	wait_transition klp_fix_module
	insmod $MODS/wo_ftrace_fixee_mod.ko
	expect "fixed as it loads" "$(cat $mod)" "mod 43"
	expect "jump target" "$(jump_target wo_ftrace_fixee_mod_show)" \
		"$(sym_addr __klp_new_wo_ftrace_fixee_mod_show)"
	rmmod wo_ftrace_fixee_mod
	expect "the module not pinned" "$(grep -c '^wo_ftrace_fixee_mod ' /proc/modules)" 0
	disable_and_remove klp_fix_module
	insmod $MODS/wo_ftrace_fixee_mod.ko
	expect "a later load unpatched" "$(cat $mod)" "mod 42"
	expect "no jump after disable" "$(jump_target wo_ftrace_fixee_mod_show)" none
	rmmod wo_ftrace_fixee_mod
}
