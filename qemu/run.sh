#!/bin/sh
# Boot the kernel of KSRC in QEMU (virt, 4 harts, OpenSBI from Debian) and
# run the guest in MODE (demo, test or upstream).  In test modes the exit status says
# whether every guest test passed; the serial log is kept in build/.
# Usage: run.sh KSRC INITRAMFS MODE
set -u
ksrc=$1
initrd=$2
mode=$3
repo=$(cd "$(dirname "$0")/.." && pwd)
log=${QEMU_LOG:-$repo/build/guest-$mode.log}
machine=${QEMU_MACHINE:-virt}
console=${QEMU_CONSOLE:-ttyS0}
timeout=${QEMU_TIMEOUT:-600}
# fw_jump puts the device tree 32 MiB above the kernel; a kernel that
# spans more (KASAN, lockdep: the debug flavour) needs fw_dynamic, with
# which QEMU places it at the top of memory.
bios=/usr/lib/riscv64-linux-gnu/opensbi/generic/${QEMU_BIOS:-fw_jump}.bin
# QEMU_ICOUNT=1: guest time counts instructions (1 ns each) and skips idle
# time, so that timings repeat (make bench).
icount=
[ "${QEMU_ICOUNT:-}" = 1 ] && icount="-icount shift=0,sleep=off"

pidfile=$(mktemp)
trap 'rm -f "$pidfile"' EXIT

# One boot, shown as it goes and kept in the log.  The kernel's first line
# must come within a minute: QEMU 7.2 with OpenSBI 1.1 now and then stops
# before the kernel prints anything (seen here about once in twenty-five
# boots); that boot is killed and the guest booted again.
boot() {
	: > "$log"
	timeout "$timeout" qemu-system-riscv64 -machine "$machine" -smp "${QEMU_SMP:-4}" \
		-m "${QEMU_MEM:-512M}" -nographic -no-reboot $icount -pidfile "$pidfile" \
		-bios "$bios" \
		-kernel "$ksrc/arch/riscv/boot/Image" -initrd "$initrd" \
		-append "console=$console panic=-1 oops=panic klp=$mode ${QEMU_APPEND:-}" \
		< /dev/null 2>&1 | sed -u 's/\r//g' | tee "$log" &
	waited=0
	until grep -q 'Linux version' "$log"; do
		if [ $waited -ge 120 ] || ! kill -0 $! 2>/dev/null; then
			break
		fi
		sleep 0.5
		waited=$((waited + 1))
	done
	if grep -q 'Linux version' "$log"; then
		wait
		return 0
	fi
	[ -s "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null
	wait
	return 1
}

for attempt in 1 2 3; do
	boot && break
	echo "run.sh: boot $attempt: no kernel output within a minute; booting again" >&2
done
status=0

if ! grep -q '^klp-guest: finished' "$log"; then
	echo "run.sh: the guest did not finish (timeout ${timeout}s or crash); log in $log" >&2
	exit 1
fi
[ "$mode" = demo ] && exit $status
if [ "$mode" = bench ]; then
	grep -q '^bench: done' "$log" || { echo "run.sh: the bench did not finish" >&2; exit 1; }
	grep -qE 'WARNING:|BUG:|Oops|bench: error' "$log" && {
		echo "run.sh: the bench log has a kernel warning or an error; see $log" >&2
		exit 1
	}
	exit 0
fi
if ! counts=$(sh "$repo/selftests/counts.sh" "$log"); then
	echo "run.sh: the guest printed no count line; see $log" >&2
	exit 1
fi
# shellcheck disable=SC2086
set -- $counts
if [ "$2" -ne 0 ]; then
	echo "run.sh: guest tests failed: $1 passed, $2 failed" >&2
	exit 1
fi
# The one WARN a test provokes on purpose (test-klpmake.sh) is no failure.
if grep -E 'WARNING:|BUG:|Oops|Kernel panic|^not ok' "$log" |
	grep -v 'WARNING: .*kernel/livepatch/wo_ftrace_fixee.c:' | grep -q .; then
	echo "run.sh: the guest log has a kernel warning or a failed test; see $log" >&2
	exit 1
fi
exit 0
