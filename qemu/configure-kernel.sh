#!/bin/sh
# Configure KSRC for the QEMU virt machine: allnoconfig plus the fragment,
# redone only when the fragment is newer than .config.  Fails if an option
# of the fragment did not survive (a missing dependency).
# Usage: configure-kernel.sh KSRC FRAGMENT
set -eu
ksrc=$1
frag=$2
kmake="make -s -C $ksrc ARCH=riscv CROSS_COMPILE=riscv64-linux-gnu-"

if [ -f "$ksrc/.config" ] && [ "$ksrc/.config" -nt "$frag" ] &&
   [ "$(cat "$ksrc/.klp-config-fragment" 2>/dev/null)" = "$frag" ]; then
	exit 0
fi
$kmake allnoconfig >/dev/null
(cd "$ksrc" && scripts/kconfig/merge_config.sh -m -O . .config "$frag" >/dev/null)
$kmake olddefconfig >/dev/null
missing=0
for opt in $(grep -E '^CONFIG_[A-Z0-9_]+=' "$frag"); do
	grep -qx "$opt" "$ksrc/.config" || { echo "configure-kernel: $opt did not stick" >&2; missing=1; }
done
[ $missing -eq 0 ]
echo "$frag" > "$ksrc/.klp-config-fragment"
