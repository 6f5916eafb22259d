#!/bin/sh
# Build the board bundle: everything the guest tests need on a board that
# runs the kernel of KSRC, for busybox sh alone: the test and patch modules
# of MODDIR and the tree's, the guest scripts, the static helpers, the
# runner (selftests/board/run.sh), the kernel's .config and release.
# Writes OUTDIR/board-bundle-RELEASE.tar.gz, which unpacks to klp-bundle/.
# Usage: board-bundle.sh KSRC MODDIR OUTDIR
set -eu
ksrc=$1
moddir=$2
outdir=$3
repo=$(cd "$(dirname "$0")/.." && pwd)
krel=$(cat "$ksrc/include/config/kernel.release")
out=$outdir/board-bundle-$krel.tar.gz

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
b=$stage/klp-bundle
mkdir -p "$b/modules" "$b/tests"
# mktemp's 0700 would travel in the tarball: unprivileged tests run there.
chmod 755 "$stage" "$b" "$b/modules" "$b/tests"

# A module built for another release would not load: a stale MODDIR.
for ko in "$moddir"/*.ko; do
	vm=$(modinfo -F vermagic "$ko" | cut -d' ' -f1)
	[ "$vm" = "$krel" ] || {
		echo "board-bundle: $ko is for $vm, not $krel" >&2
		exit 1
	}
	cp "$ko" "$b/modules/"
done
# Built only with CONFIG_SAMPLE_LIVEPATCH and with the test knobs; the
# runner skips the tests that need them when they are missing.
for ko in samples/livepatch/livepatch-sample.ko samples/livepatch/livepatch-shadow-mod.ko \
	kernel/livepatch/wo_ftrace_fixee_mod.ko; do
	if [ -f "$ksrc/$ko" ]; then
		cp "$ksrc/$ko" "$b/modules/"
	fi
done

cp "$repo"/selftests/guest/lib.sh "$repo"/selftests/guest/run.sh \
	"$repo"/selftests/guest/test-*.sh "$b/tests/"
for helper in klp_insmod klp_uffd_hold klp_uaccess klp_write klp_unprivileged; do
	riscv64-linux-gnu-gcc -static -O2 -Wall -Werror -o "$b/tests/$helper" \
		"$repo/selftests/guest/$helper.c"
done
cp "$repo/selftests/board/run.sh" "$repo/selftests/board/needs" \
	"$repo/selftests/counts.sh" "$b/"
cp "$ksrc/.config" "$b/config"
echo "$krel" > "$b/kernelrelease"

mkdir -p "$outdir"
tar -C "$stage" --owner=0 --group=0 -czf "$out.tmp" klp-bundle
mv "$out.tmp" "$out"
echo "board-bundle: $out ($(ls "$b/modules" | wc -l) modules)"
