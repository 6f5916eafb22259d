#!/bin/sh
# Build the guest's initramfs: busybox, /init, the guest tests, the test
# modules and the tree's livepatch sample (and, with BENCH=, the bench).
# Usage: mkinitramfs.sh KSRC MODDIR USERLAND_DIR OUT.cpio
set -eu
ksrc=$1
moddir=$2
userland=$3
out=$4
repo=$(cd "$(dirname "$0")/.." && pwd)

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
# mktemp's 0700 would become the guest's /: unprivileged tests run there.
chmod 755 "$root"
mkdir -p "$root/proc" "$root/sys" "$root/dev" "$root/tmp" "$root/modules" "$root/tests"
if [ "${UPSTREAM:-}" = 1 ]; then
	# usrmerge: /bin, /sbin and /lib are links into /usr.
	mkdir -p "$root/usr/bin" "$root/usr/sbin" "$root/usr/lib"
	ln -s usr/bin "$root/bin"
	ln -s usr/sbin "$root/sbin"
	ln -s usr/lib "$root/lib"
	for deb in "$userland"/debs/*.deb; do
		case $deb in */busybox-static_*) continue ;; esac
		dpkg-deb -x "$deb" "$root"
	done
	ksel=$ksrc/tools/testing/selftests/livepatch
	mkdir -p "$root/selftests/livepatch/test_modules"
	cp "$ksel"/*.sh "$root/selftests/livepatch/"
	if [ -d "$ksel/test_modules" ]; then
		cp "$ksel/test_klp-call_getpid" "$root/selftests/livepatch/"
		cp "$ksel"/test_modules/*.ko "$root/selftests/livepatch/test_modules/"
	else
		# UPSTREAM_KMODS: the tree's modules, installed for modprobe.
		cp -a "$UPSTREAM_KMODS/lib/modules" "$root/usr/lib/"
	fi
	cp "$repo/selftests/upstream/run.sh" "$root/tests/upstream.sh"
else
	mkdir -p "$root/bin" "$root/sbin"
fi
deb=$(ls "$userland"/debs/busybox-static_*_riscv64.deb | head -n 1)
dpkg-deb -x "$deb" "$root/bb"
cp "$root/bb/usr/bin/busybox" "$root/bin/busybox"
[ -e "$root/bin/sh" ] || ln -s busybox "$root/bin/sh"
rm -rf "$root/bb"
cp "$repo/qemu/init" "$root/init"
chmod +x "$root/init"
cp "$repo"/selftests/guest/*.sh "$root/tests/"
for helper in klp_insmod klp_uffd_hold klp_uaccess klp_write klp_unprivileged; do
	riscv64-linux-gnu-gcc -static -O2 -Wall -Werror -o "$root/tests/$helper" \
		"$repo/selftests/guest/$helper.c"
done
cp "$moddir"/*.ko "$root/modules/"
# BENCH=DIR: the bench modules built there, and the bench script.
if [ -n "${BENCH:-}" ]; then
	cp "$BENCH"/*.ko "$root/modules/"
	cp "$repo/selftests/bench/bench.sh" "$root/tests/"
fi
# STRESS=DIR: the soak's modules built there, its driver and script.
if [ -n "${STRESS:-}" ]; then
	cp "$STRESS"/*.ko "$root/modules/"
	cp "$repo/selftests/stress/stress.sh" "$root/tests/"
	riscv64-linux-gnu-gcc -static -O2 -Wall -Werror -pthread -o "$root/tests/klp_stress" \
		"$repo/selftests/stress/klp_stress.c"
fi
for sample in livepatch-sample livepatch-shadow-mod; do
	cp "$ksrc/samples/livepatch/$sample.ko" "$root/modules/"
done
cp "$ksrc/kernel/livepatch/wo_ftrace_fixee_mod.ko" "$root/modules/"
(cd "$root" && find . | cpio -o -H newc --quiet) > "$out.tmp"
mv "$out.tmp" "$out"
echo "mkinitramfs: $out"
