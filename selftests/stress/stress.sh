#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# make stress, in the guest: the soak (klp_stress) for klp_stress_cycles=N
# cycles (300 unless the command line says), then what it must leave
# behind: the patched text as it was, no patch module but the forced one,
# no leak from live patching or the soak's modules, no kernel report.
. /tests/lib.sh

STRESS=/sys/kernel/debug/klp_stress
cycles=$(sed -n 's/.*klp_stress_cycles=\([0-9]*\).*/\1/p' /proc/cmdline)
cycles=${cycles:-300}
# klp_stress_quiet=1: no load, to measure what the cycles cost alone.
quiet=$(sed -n 's/.*klp_stress_quiet=1.*/quiet/p' /proc/cmdline)
# klp_stress_unpatched_s=N: the load alone for N seconds, no patch at all,
# to tell the kernel's own faults under this load from the port's.
unpatched_s=$(sed -n 's/.*klp_stress_unpatched_s=\([0-9]*\).*/\1/p' /proc/cmdline)

test_soak() {
	sample_before=$(text_bytes cmdline_proc_show)
	if [ -n "$unpatched_s" ]; then
		klp_stress "$unpatched_s" $MODS unpatched > /tmp/stress.out 2>&1
	else
		klp_stress "$cycles" $MODS $quiet > /tmp/stress.out 2>&1
	fi
	rc=$?
	cat /tmp/stress.out
	expect "klp_stress exit status" $rc 0
	expect "wrong versions" "$(awk '$2 == "wrong_versions" { print $3 }' /tmp/stress.out)" 0
	want=$cycles
	[ -n "$unpatched_s" ] && want=0
	expect_ge "cycles" "$(awk '$2 == "cycles" { print $3 }' /tmp/stress.out)" $want
	expect "the soak's patched text as at load" "$(cat $STRESS/text_changed)" 0
	expect "cmdline_proc_show as at boot" "$(text_bytes cmdline_proc_show)" "$sample_before"
	# The forced patch's module stays, disabled, as upstream keeps it.
	expect "patches left" "$(ls $KLP)" ""
	expect "patch modules left" "$(awk '$1 ~ /^(klp_stress_|livepatch)/ &&
		$1 != "klp_stress_target" && $1 != "klp_stress_forced" { print $1 }' /proc/modules)" ""
}

# Unreferenced objects whose allocation passed through live patching,
# the soak's modules or the port (two scans: kmemleak reports an object
# only once it has stayed unreferenced for a scan).  The suite's cleanup
# after test_soak has unloaded the soak's modules (not the forced patch's).
test_no_leak_from_live_patching() {
	if [ ! -e /sys/kernel/debug/kmemleak ]; then
		skip "no CONFIG_DEBUG_KMEMLEAK"
		return
	fi
	expect "the soak's target unloaded" "$(awk '$1 == "klp_stress_target"' /proc/modules)" ""
	echo scan > /sys/kernel/debug/kmemleak
	sleep 6
	echo scan > /sys/kernel/debug/kmemleak
	cat /sys/kernel/debug/kmemleak > /tmp/kmemleak
	ours=$(awk '/^unreferenced object/ { if (n) print block; block = ""; n = 0 }
		{ block = block "\n" $0 }
		/livepatch|klp_|wo_ftrace/ { n = 1 }
		END { if (n) print block }' /tmp/kmemleak)
	echo "# kmemleak: $(grep -c '^unreferenced object' /tmp/kmemleak) unreferenced objects, $(echo "$ours" | grep -c '^unreferenced object') from live patching"
	expect "kmemleak reports of live patching" "$ours" ""
	echo "stress: kmemleak_reports_all $(grep -c '^unreferenced object' /tmp/kmemleak)"
}

# Nothing made the kernel warn or oops, report a bug or a KASAN error
# (BUG:), or lockdep a locking problem (WARNING: or INFO:).
test_no_kernel_reports() {
	expect "kernel reports" "$(dmesg | grep -E 'WARNING:|BUG:|INFO:|Oops|Call Trace|Kernel panic' |
		head -n 20)" ""
}

insmod $MODS/klp_test_peek.ko
what="$cycles cycles${quiet:+ (quiet)}"
[ -n "$unpatched_s" ] && what="its load alone for $unpatched_s s, no patch,"
echo "# soak of $what on $(nproc) harts, Linux $(uname -r), $(uname -v), the $(cat $KLPDBG/model) model"
run_tests test_soak test_no_leak_from_live_patching test_no_kernel_reports
