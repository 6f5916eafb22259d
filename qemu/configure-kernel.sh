#!/bin/sh
# Configure KSRC for the QEMU virt machine: allnoconfig plus the fragments,
# redone only when a fragment is newer than .config or the list changed.
# Fails if an option of a fragment did not survive (a missing dependency).
# Usage: configure-kernel.sh KSRC FRAGMENT...
set -eu
ksrc=$1
shift
kmake="make -s -C $ksrc ARCH=riscv CROSS_COMPILE=riscv64-linux-gnu-"
stamp=$ksrc/.klp-config-fragments

fresh=1
[ -f "$ksrc/.config" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$*" ] || fresh=0
for frag; do
	[ "$ksrc/.config" -nt "$frag" ] || fresh=0
done
[ $fresh -eq 0 ] || exit 0

$kmake allnoconfig >/dev/null
(cd "$ksrc" && scripts/kconfig/merge_config.sh -m -O . .config "$@" >/dev/null)
$kmake olddefconfig >/dev/null
# What the fragments ask for, the last one winning: "CONFIG_X=v" or
# "CONFIG_X=n" for "# CONFIG_X is not set".
wanted=$(cat "$@" | sed -n 's/^\(CONFIG_[A-Z0-9_]*=.*\)/\1/p; s/^# \(CONFIG_[A-Z0-9_]*\) is not set/\1=n/p' |
	awk -F= '{ v[$1] = $0 } END { for (k in v) print v[k] }')
missing=0
for opt in $wanted; do
	case $opt in
	*=n) ! grep -q "^${opt%=n}=" "$ksrc/.config" ;;
	*) grep -qx "$opt" "$ksrc/.config" ;;
	esac || { echo "configure-kernel: $opt did not stick" >&2; missing=1; }
done
[ $missing -eq 0 ]
echo "$*" > "$stamp"
