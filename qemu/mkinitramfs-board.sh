#!/bin/sh
# Build the plain board guest's initramfs: busybox, qemu/board-init as
# /init and the board bundle as /klp-bundle.tar.gz; no test files of the
# test guest's initramfs, so that the bundle must carry all it needs.
# Usage: mkinitramfs-board.sh USERLAND_DIR BUNDLE.tar.gz OUT.cpio
set -eu
userland=$1
bundle=$2
out=$3
repo=$(cd "$(dirname "$0")/.." && pwd)

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
chmod 755 "$root"
mkdir -p "$root/bin" "$root/sbin" "$root/proc" "$root/sys" "$root/dev" "$root/tmp"
deb=$(ls "$userland"/debs/busybox-static_*_riscv64.deb | head -n 1)
dpkg-deb -x "$deb" "$root/bb"
cp "$root/bb/usr/bin/busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
rm -rf "$root/bb"
cp "$repo/qemu/board-init" "$root/init"
chmod +x "$root/init"
cp "$bundle" "$root/klp-bundle.tar.gz"
(cd "$root" && find . | cpio -o -H newc --quiet) > "$out.tmp"
mv "$out.tmp" "$out"
echo "mkinitramfs-board: $out"
