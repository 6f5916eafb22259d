#!/bin/sh
# Kernel style of the port: checkpatch --strict on our C files and on the
# stock-file diffs, a W=1 + sparse build of our kernel objects and of the
# stock files our diffs change in C, and the one-way chain of calls.
# Prints KTAP and the closing count line.  Usage: check.sh REPO KSRC
set -u
repo=$(cd "$1" && pwd)
ksrc=$(cd "$2" && pwd)
cp=$ksrc/scripts/checkpatch.pl
[ -f "$cp" ] || { echo "check.sh: no $cp" >&2; exit 1; }
passed=0
failed=0
n=0

result() {
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n $2"
		passed=$((passed + 1))
	else
		echo "not ok $n $2"
		failed=$((failed + 1))
	fi
}

echo "KTAP version 1"
cd "$repo" || exit 1
files=$(git ls-files '*.c' '*.h')
patches=$(ls patches/*/*.patch)
echo "1..$(( $(echo "$files" | wc -w) + $(echo "$patches" | wc -w) + 2 ))"

# --terse gives one line per finding, so the totals say nothing more.
# --no-tree cannot see the kernel's own ELF types (Elf_Sym, Elf64_Rela)
# and takes them for new CamelCase names.
not_ours='^total: |Avoid CamelCase: <Elf(32|64)?_[A-Za-z]+>'

for f in $files; do
	# Host tools use libelf, whose API names are CamelCase (GElf_Sym); they
	# and the host tests have no compiler.h to define __printf.
	ignore=
	case $f in
	tools/*) ignore="--ignore CAMELCASE,PREFER_DEFINED_ATTRIBUTE_MACRO" ;;
	selftests/host/*) ignore="--ignore PREFER_DEFINED_ATTRIBUTE_MACRO" ;;
	esac
	# shellcheck disable=SC2086
	out=$(perl "$cp" --no-tree --strict --terse $ignore -f "$f" 2>&1 |
		grep -vE "$not_ours")
	[ -z "$out" ] || echo "$out" | sed 's/^/# /'
	result "$([ -z "$out" ]; echo $?)" "checkpatch $f"
done

# checkpatch reads a patch given inside a git work tree as a plain file.
# A Kconfig "source" line names a path under its own directory, which
# checkpatch takes for an embedded file name.  --root: its CamelCase
# check learns the kernel's own names (Elf_Sym) from the tree's headers.
tmp=$(mktemp -d)
for p in $patches; do
	cp "$p" "$tmp/"
	out=$(cd "$tmp" && perl "$cp" --no-tree --strict --terse --root "$ksrc" --ignore EMBEDDED_FILENAME \
		"$(basename "$p")" 2>&1 | grep -vE "$not_ours")
	[ -z "$out" ] || echo "$out" | sed 's/^/# /'
	result "$([ -z "$out" ]; echo $?)" "checkpatch $p"
done
rm -rf "$tmp"

objs="kernel/livepatch/wo_ftrace_patch.o kernel/livepatch/wo_ftrace_refuse.o
      kernel/livepatch/wo_ftrace_transition.o kernel/livepatch/wo_ftrace_recheck.o
      kernel/livepatch/wo_ftrace_stop_machine.o kernel/livepatch/wo_ftrace_debugfs.o
      kernel/livepatch/wo_ftrace_testee.o kernel/livepatch/wo_ftrace_testee_dup.o
      arch/riscv/kernel/livepatch.o
      kernel/livepatch/core.o arch/riscv/kernel/module.o"
# shellcheck disable=SC2086
(cd "$ksrc" && touch $(echo "$objs" | sed 's/\.o/.c/g') &&
 make -s ARCH=riscv CROSS_COMPILE="ccache riscv64-linux-gnu-" W=1 C=1 \
	CHECK="sh $repo/selftests/style/sparse-riscv.sh" $objs) > "$repo/build/style-build.raw" 2>&1
rc=$?
# Name the repo paths of our files (patches/port-files).
sh "$repo/patches/repo-paths.sh" "$repo" < "$repo/build/style-build.raw" > "$repo/build/style-build.log"

warnings=$(grep -cE 'warning|error' "$repo/build/style-build.log")
[ "$warnings" -eq 0 ] || sed 's/^/# /' "$repo/build/style-build.log" | head -n 40
result "$([ $rc -eq 0 ] && [ "$warnings" -eq 0 ]; echo $?)" "W=1 and sparse build of our kernel objects"

out=$(sh "$repo/selftests/style/layers.sh" "$repo")
[ -z "$out" ] || echo "$out" | sed 's/^/# /'
result "$([ -z "$out" ]; echo $?)" "core -> stop_machine_glue -> arch -> insn: no call goes up"

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
