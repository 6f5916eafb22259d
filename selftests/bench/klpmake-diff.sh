#!/bin/sh
# make bench-klpmake: how long klpmake diff takes from each fix of
# selftests/klpmake-diff/ to its patch module, phase by phase, without
# ccache, against one full build of the same kernel from a fresh tree
# (also without ccache): a markdown table with the ratios.
# Usage: klpmake-diff.sh REPO KSRC KLPMAKE CROSS TARBALL CONFIG... -- FIX...
# (FIX: NAME.patch, or "NAME.patch more.patch --replace" as one word list)
set -eu
repo=$1
ksrc=$2
klpmake=$3
cross=$4
tarball=$5
shift 5
configs=
while [ "$1" != -- ]; do
	configs="$configs $1"
	shift
done
shift
work=$repo/build/bench-klpmake
rm -rf "$work"
mkdir -p "$work"

now() {
	date +%s.%N
}

# calc EXPR: awk's arithmetic (bc is not always there).
calc() {
	awk "BEGIN { print $1 }"
}

# The seconds a phase line of klpmake diff gives: "... (1.2 s)".
phase() {
	sed -n "s/^klpmake: $1.* (\([0-9.]*\) s)$/\1/p" "$2"
}

echo "| fix | apply | compile | compare | module | total (s) | full make / total |"
echo "|---|---|---|---|---|---|---|"
# The full build first: its time is each row's ratio.
tree=$work/linux
mkdir -p "$tree"
tar -C "$tree" --strip-components=1 -xf "$tarball"
sh "$repo/patches/apply-port.sh" "$repo" "$tree" > /dev/null
# shellcheck disable=SC2086
sh "$repo/qemu/configure-kernel.sh" "$tree" $configs > /dev/null
start=$(now)
make -s -C "$tree" ARCH=riscv CROSS_COMPILE="$cross" -j"$(nproc)" Image modules \
	> "$work/full-make.log" 2>&1
full=$(calc "$(now) - $start")
rm -rf "$tree"

for fix in "$@"; do
	name=$(basename "${fix%% *}" .patch)
	log=$work/$name.log
	start=$(now)
	# shellcheck disable=SC2086
	"$klpmake" diff -k "$ksrc" -c "$cross" -o "$work/$name.ko" $fix > "$log" 2>&1
	total=$(calc "$(now) - $start")
	printf '| %s | %s | %s | %s | %s | %.1f | %.0f |\n' "$name" \
		"$(phase applied "$log")" "$(phase compiled "$log")" \
		"$(phase compared "$log")" "$(phase "built the module" "$log")" \
		"$total" "$(calc "$full / $total")"
done
printf '\nOne full build of the same kernel (Image and modules, %s jobs): %.0f s.\n' \
	"$(nproc)" "$full"
