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
# QEMU_ICOUNT=1: guest time counts instructions (1 ns each) and skips idle
# time, so that timings repeat (make bench).
icount=
[ "${QEMU_ICOUNT:-}" = 1 ] && icount="-icount shift=0,sleep=off"

timeout "$timeout" qemu-system-riscv64 -machine "$machine" -smp "${QEMU_SMP:-4}" -m "${QEMU_MEM:-512M}" \
	-nographic -no-reboot $icount \
	-bios /usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin \
	-kernel "$ksrc/arch/riscv/boot/Image" -initrd "$initrd" \
	-append "console=$console panic=-1 oops=panic klp=$mode ${QEMU_APPEND:-}" < /dev/null 2>&1 |
	tr -d '\r' | tee "$log"
status=$?

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
if grep -qE 'WARNING:|BUG:|Oops|Kernel panic|^not ok' "$log"; then
	echo "run.sh: the guest log has a kernel warning or a failed test; see $log" >&2
	exit 1
fi
exit 0
