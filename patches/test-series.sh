#!/bin/sh
# Check the exported series the way a maintainer or a distribution build
# consumes it: checkpatch --strict on every file of it (the cover letter
# too, which must hold no diff and no placeholder), then git am onto the
# pristine files of a fresh tree and a build with the QEMU configuration:
# after every patch with --each (one tree, incremental, ccache), else
# once after the last.  Fails naming the patch that does not pass.
# Usage: test-series.sh [--each] REPO TARBALL SERIES_DIR "FRAGMENT..."
set -eu
each=0
[ "$1" != --each ] || { each=1; shift; }
repo=$1
tarball=$2
series=$3
frag=$4
dir=$repo/build/series-test${series##*/patches}
cross="ccache riscv64-linux-gnu-"
die() {
	echo "test-series: $*" >&2
	exit 1
}

rm -rf "$dir"
mkdir -p "$dir"
tar -C "$dir" -xf "$tarball"
tree=$(ls -d "$dir"/linux*/)
tree=${tree%/}
kmake() {
	nice -n 5 make -s -C "$tree" ARCH=riscv CROSS_COMPILE="$cross" "$@"
}

cover=$series/0000-cover-letter.patch
[ -f "$cover" ] || die "no cover letter in $series"
! grep -q '^diff --git\|\*\*\* .* HERE \*\*\*\|@[A-Z]*@' "$cover" ||
	die "0000-cover-letter.patch holds a diff or a placeholder"
patches=$(ls "$series"/*.patch | grep -v '/0000-cover-letter\.patch$')

# checkpatch as selftests/style/check.sh runs it, with the same ignores:
# the kernel version tests of the two compat headers, a Kconfig "source"
# line taken for a file name.  New files need no MAINTAINERS change when
# LIVE PATCHING covers them (checked on the built tree below).
not_ours='^total: |Avoid CamelCase: <Elf(32|64)?_[A-Za-z]+>|:FILE_PATH_CHANGES:'
compat='^(include/linux/livepatch_wo_ftrace_compat\.h:[0-9]+: [A-Z]+:(LINUX_VERSION_CODE|CONSTANT_COMPARISON|MACRO_ARG_PRECEDENCE)|arch/riscv/include/asm/klp_insn_compat\.h:[0-9]+: [A-Z]+:(LINUX_VERSION_CODE|CONSTANT_COMPARISON)):'
mkdir "$dir/cp"
bad=0
for p in $cover $patches; do
	cp "$p" "$dir/cp/"
	out=$(cd "$dir/cp" && perl "$tree/scripts/checkpatch.pl" --no-tree --strict --terse \
		--showfile --show-types --root "$tree" --ignore EMBEDDED_FILENAME \
		"$(basename "$p")" 2>&1 | grep -vE "$not_ours" | grep -vE "$compat") || true
	[ -z "$out" ] || { echo "$out" | sed "s|^|$(basename "$p"): |" >&2; bad=1; }
done
[ $bad -eq 0 ] || die "checkpatch --strict finds the above"

# git am needs a repository: one holding just the files the series touches.
am=$dir/am
git init -q "$am"
git -C "$am" config user.name "klp-wo-ftrace"
git -C "$am" config user.email "klp-wo-ftrace@localhost"
# shellcheck disable=SC2086
files=$(cat $patches | sed -n 's|^--- a/||p' | sort -u)
for f in $files; do
	[ -f "$tree/$f" ] || continue	# added by an earlier patch
	mkdir -p "$am/$(dirname "$f")"
	cp "$tree/$f" "$am/$f"
done
git -C "$am" add -A
git -C "$am" commit -q -m pristine
pristine=$(git -C "$am" rev-parse HEAD)

# sync FROM TO: bring the tree's copies of the series' files from the am
# repository's commit FROM to its commit TO.
sync() {
	git -C "$am" diff --name-status --no-renames "$1" "$2" | while read -r st f; do
		if [ "$st" = D ]; then
			rm -f "$tree/$f"
		else
			mkdir -p "$tree/$(dirname "$f")"
			git -C "$am" show "$2:$f" > "$tree/$f"
		fi
	done
}

if [ $each -eq 0 ]; then
	# shellcheck disable=SC2086
	git -C "$am" am -q $patches || die "the series does not apply with git am to $(basename "$tree")"
	sync "$pristine" HEAD
	# shellcheck disable=SC2086
	sh "$repo/qemu/configure-kernel.sh" "$tree" $frag
	kmake -j"$(nproc)" Image modules || die "the series does not build"
else
	# The configuration of the whole series (every option of the
	# fragments must stick), then back to the pristine files: before
	# a patch that changes a Kconfig file, that configuration as far
	# as the tree knows its options.
	# shellcheck disable=SC2086
	git -C "$am" am -q $patches || die "the series does not apply with git am to $(basename "$tree")"
	sync "$pristine" HEAD
	# shellcheck disable=SC2086
	sh "$repo/qemu/configure-kernel.sh" "$tree" $frag
	cp "$tree/.config" "$dir/series.config"
	sync HEAD "$pristine"
	git -C "$am" reset -q --hard "$pristine"
	kconfig=1
	for p in $patches; do
		name=$(basename "$p")
		git -C "$am" am -q "$p" || die "$name does not apply with git am"
		sync HEAD~1 HEAD
		git -C "$am" diff --name-only HEAD~1 HEAD | grep -q 'Kconfig' && kconfig=1
		if [ $kconfig -eq 1 ]; then
			cp "$dir/series.config" "$tree/.config"
			kmake olddefconfig > /dev/null
			kconfig=0
		fi
		start=$(date +%s)
		kmake -j"$(nproc)" Image modules > "$dir/build.log" 2>&1 ||
			{ tail -n 30 "$dir/build.log" >&2; die "$name does not build"; }
		echo "test-series: $name: built ($(($(date +%s) - start)) s)"
	done
	cmp -s "$tree/.config" "$dir/series.config" || die "the last patch does not give the series' configuration"
fi

# Every file the series adds is listed under LIVE PATCHING.
for f in $(cat $patches | awk '/^diff --git/ { f = $4 } /^new file mode/ { print substr(f, 3) }'); do
	(cd "$tree" && perl scripts/get_maintainer.pl --no-git --no-git-fallback -f "$f" 2>/dev/null) |
		grep -q 'live-patching@vger.kernel.org' || die "MAINTAINERS: no LIVE PATCHING for $f"
done
echo "test-series: $(echo "$patches" | wc -l) patches applied with git am, checkpatch --strict clean, built: Linux $(make -s -C "$tree" kernelversion)"
rm -rf "$dir"
