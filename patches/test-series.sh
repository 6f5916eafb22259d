#!/bin/sh
# Check the exported series the way a distribution build consumes it:
# git am onto the pristine files of a fresh tree, then build that tree
# with the QEMU configuration.
# Usage: test-series.sh REPO TARBALL SERIES_DIR "FRAGMENT..."
set -eu
repo=$1
tarball=$2
series=$3
frag=$4
dir=$repo/build/series-test

rm -rf "$dir"
mkdir -p "$dir"
tar -C "$dir" -xf "$tarball"
tree=$(ls -d "$dir"/linux*/)
tree=${tree%/}

# git am needs a repository: one holding just the files the series touches.
am=$dir/am
git init -q "$am"
git -C "$am" config user.name "klp-wo-ftrace"
git -C "$am" config user.email "klp-wo-ftrace@localhost"
files=$(cat "$series"/*.patch | sed -n 's|^--- a/||p' | sort -u)
for f in $files; do
	mkdir -p "$am/$(dirname "$f")"
	cp "$tree/$f" "$am/$f"
done
git -C "$am" add -A
git -C "$am" commit -q -m pristine
git -C "$am" am -q "$series"/*.patch || {
	echo "test-series: the series does not apply with git am to $(basename "$tree")" >&2
	exit 1
}
git -C "$am" ls-files | while read -r f; do
	mkdir -p "$tree/$(dirname "$f")"
	cp "$am/$f" "$tree/$f"
done

# shellcheck disable=SC2086
sh "$repo/qemu/configure-kernel.sh" "$tree" $frag
make -s -C "$tree" ARCH=riscv CROSS_COMPILE="ccache riscv64-linux-gnu-" -j"$(nproc)" Image modules
echo "test-series: $(ls "$series" | wc -l) patches applied with git am and built: Linux $(make -s -C "$tree" kernelversion)"
rm -rf "$dir"
