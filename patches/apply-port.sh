#!/bin/sh
# Install the port into a kernel tree: copy our files to their places and
# apply the stock-file diffs of the tree's version once.
# Usage: apply-port.sh REPO_DIR KERNEL_TREE
set -eu
repo=$1
tree=$2

ver=$(make -s -C "$tree" kernelversion)
series=$repo/patches/$(echo "$ver" | cut -d. -f1-2)
[ -d "$series" ] || { echo "apply-port: no patch series for kernel $ver in $series" >&2; exit 1; }

# Copy only what changed, so make rebuilds only that.
grep -v '^#' "$repo/patches/port-files" | while read -r src dst commit; do
	cmp -s "$repo/$src" "$tree/$dst" || cp "$repo/$src" "$tree/$dst"
done

# The applied copy of the series is kept in the tree, so that a changed
# series is swapped in by reversing the old one first.
applied=$tree/.klp-wo-ftrace-series
if ! diff -rq "$series" "$applied" >/dev/null 2>&1; then
	if [ -d "$applied" ]; then
		for p in $(ls "$applied"/*.patch | sort -r); do
			patch -s -R -p1 -d "$tree" < "$p" || {
				echo "apply-port: cannot take back $(basename "$p"); unpack a fresh tree" >&2
				exit 1
			}
		done
		rm -rf "$applied"
	fi
	for p in "$series"/*.patch; do
		patch -s -p1 -N -d "$tree" < "$p" || {
			echo "apply-port: $(basename "$p") does not apply to $ver" >&2
			exit 1
		}
	done
	cp -r "$series" "$applied"
fi
echo "apply-port: port installed in $tree (Linux $ver)"
