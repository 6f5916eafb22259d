#!/bin/sh
# Kernel style of the port: checkpatch --strict on our C files and on the
# stock-file diffs, a W=1 + sparse build of our kernel objects and of the
# stock files our diffs change in C, and the one-way chain of calls.
# Prints KTAP and the closing count line.
# Usage: check.sh REPO KSRC [PER_TASK_KSRC]   (the per-task model's tree)
set -u
repo=$(cd "$1" && pwd)
ksrc=$(cd "$2" && pwd)
per_task_ksrc=
[ $# -lt 3 ] || per_task_ksrc=$(cd "$3" && pwd)
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
	tools/*|selftests/host/klp_corrupt_ko.c)
		ignore="--ignore CAMELCASE,PREFER_DEFINED_ATTRIBUTE_MACRO" ;;
	selftests/host/*) ignore="--ignore PREFER_DEFINED_ATTRIBUTE_MACRO" ;;
	# The one place for kernel version tests (6.1, 6.12, 7.3 from one
	# source), left out of a series for mainline; a probe's parameter
	# list cannot take parentheses.
	core/livepatch_wo_ftrace_compat.h)
		ignore="--ignore LINUX_VERSION_CODE,CONSTANT_COMPARISON,MACRO_ARG_PRECEDENCE" ;;
	# The same for the one version test of insn/ (sparse has no
	# __has_include).
	insn/klp_insn_compat.h)
		ignore="--ignore LINUX_VERSION_CODE,CONSTANT_COMPARISON" ;;
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

# w1_sparse TREE OBJECT...: build them there with W=1 and sparse; 0 when
# clean.  The log names the repo paths of our files (patches/port-files).
w1_sparse() {
	tree=$1
	shift
	# shellcheck disable=SC2046
	(cd "$tree" && touch $(echo "$@" | sed 's/\.o/.c/g') &&
	 make -s ARCH=riscv CROSS_COMPILE="ccache riscv64-linux-gnu-" W=1 C=1 \
		CHECK="sh $repo/selftests/style/sparse-riscv.sh" "$@") > "$repo/build/style-build.raw" 2>&1
	rc=$?
	sh "$repo/patches/repo-paths.sh" "$repo" < "$repo/build/style-build.raw" >> "$repo/build/style-build.log"
	return $rc
}

: > "$repo/build/style-build.log"
w1_sparse "$ksrc" kernel/livepatch/wo_ftrace_ops.o kernel/livepatch/wo_ftrace_patch.o \
	kernel/livepatch/wo_ftrace_refuse.o kernel/livepatch/wo_ftrace_transition.o \
	kernel/livepatch/wo_ftrace_recheck.o kernel/livepatch/wo_ftrace_stop_machine.o \
	kernel/livepatch/wo_ftrace_debugfs.o kernel/livepatch/wo_ftrace_testee.o \
	kernel/livepatch/wo_ftrace_testee_dup.o kernel/livepatch/wo_ftrace_fixee.o \
	kernel/livepatch/wo_ftrace_fixee_peer.o arch/riscv/kernel/livepatch.o \
	kernel/livepatch/core.o arch/riscv/kernel/module.o
rc=$?
# The per-task model's objects, in its own tree.
if [ -n "$per_task_ksrc" ]; then
	w1_sparse "$per_task_ksrc" kernel/livepatch/wo_ftrace_per_task.o \
		kernel/livepatch/wo_ftrace_ops.o kernel/livepatch/wo_ftrace_debugfs.o \
		arch/riscv/kernel/livepatch.o || rc=1
fi

warnings=$(grep -cE 'warning|error' "$repo/build/style-build.log")
[ "$warnings" -eq 0 ] || sed 's/^/# /' "$repo/build/style-build.log" | head -n 40
result "$([ $rc -eq 0 ] && [ "$warnings" -eq 0 ]; echo $?)" "W=1 and sparse build of our kernel objects"

out=$(sh "$repo/selftests/style/layers.sh" "$repo")
[ -z "$out" ] || echo "$out" | sed 's/^/# /'
result "$([ -z "$out" ]; echo $?)" "core -> stop_machine_glue -> arch -> insn: no call goes up"

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
