#!/bin/sh
# Write the port as one git-am series for a pristine tree: first the new
# files (as commits that create them), then the stock-file diffs of
# patches/<ver>/.  Usage: export-series.sh REPO KERNEL_TREE OUTDIR
set -eu
repo=$1
tree=$2
out=$3

ver=$(make -s -C "$tree" kernelversion)
series=$repo/patches/$(echo "$ver" | cut -d. -f1-2)
[ -d "$series" ] || { echo "export-series: no patch series for kernel $ver" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git -C "$work" init -q
git -C "$work" config user.name "klp-wo-ftrace"
git -C "$work" config user.email "klp-wo-ftrace@localhost"
git -C "$work" commit -q --allow-empty -m base

# add_commit SUBJECT BODY SRC:DST...
add_commit() {
	subject=$1
	body=$2
	shift 2
	for m in "$@"; do
		mkdir -p "$work/$(dirname "${m#*:}")"
		cp "$repo/${m%%:*}" "$work/${m#*:}"
		git -C "$work" add "${m#*:}"
	done
	git -C "$work" commit -q -s -m "$subject" -m "$body"
}

add_commit "riscv: add the instruction helpers of live patching without ftrace" \
"The jump written at a replaced function's entry is auipc t1 + jalr x0:
8 bytes, no literal, reaching [-2^31 - 2^11, 2^31 - 2^11) around the
entry.  klp_insn.h encodes it from the field macros of asm/insn.h, checks
the reach on 64-bit values before encoding, and returns poison instead of
a wrong instruction.  It compiles on the host too, where unit tests hold
it against objdump." \
	insn/klp_insn.h:arch/riscv/include/asm/klp_insn.h

add_commit "riscv: add the arch layer of live patching without ftrace" \
"The site of a replaced function (its entry and the bytes the jump
overwrites), the stack check of a task with our own frame-pointer walk
(exception frames, frameless leaves, a walk that stops short of the
stack's bottom is unreliable), and the writes done inside stop_machine
with patch_insn_write(), which fences only the local hart." \
	arch/riscv/include/asm/livepatch.h:arch/riscv/include/asm/livepatch.h \
	arch/riscv/kernel/livepatch.c:arch/riscv/kernel/livepatch.c

add_commit "livepatch: add a backend that patches without ftrace" \
"LIVEPATCH_WO_FTRACE replaces patch.c and transition.c behind the same
internal interface: klp_patch_object() prepares and refuses, every
attempt rebuilds the writes from the per-function stacks, walks every
task before stopping the machine and, under stop_machine, only the tasks
switched out since (logged from the sched_switch tracepoint), then
writes all entries at once; a busy attempt writes nothing and is retried
until it succeeds or is reversed.  The upstream core, sysfs ABI and log
lines are unchanged; debugfs shows what the last stop cost." \
	Kconfig:kernel/livepatch/Kconfig.wo_ftrace \
	core/wo_ftrace.h:kernel/livepatch/wo_ftrace.h \
	core/wo_ftrace_patch.c:kernel/livepatch/wo_ftrace_patch.c \
	core/wo_ftrace_transition.c:kernel/livepatch/wo_ftrace_transition.c \
	core/wo_ftrace_refuse.c:kernel/livepatch/wo_ftrace_refuse.c \
	core/wo_ftrace_recheck.c:kernel/livepatch/wo_ftrace_recheck.c \
	core/wo_ftrace_debugfs.c:kernel/livepatch/wo_ftrace_debugfs.c \
	stop_machine_glue/wo_ftrace_stop_machine.c:kernel/livepatch/wo_ftrace_stop_machine.c

add_commit "livepatch: add static test code for patches built by klpmake" \
"Built with CONFIG_LIVEPATCH_WO_FTRACE_TEST_KNOBS only: static functions
and a static variable, shown in debugfs, that the guest tests patch with
modules built by tools/klpmake, including a static name defined in two
files." \
	selftests/builtin/wo_ftrace_testee.c:kernel/livepatch/wo_ftrace_testee.c \
	selftests/builtin/wo_ftrace_testee_dup.c:kernel/livepatch/wo_ftrace_testee_dup.c

rm -rf "$out"
mkdir -p "$out"
git -C "$work" format-patch -q -o "$out" HEAD~4..HEAD
n=$(ls "$out" | wc -l)
for p in "$series"/*.patch; do
	n=$((n + 1))
	cp "$p" "$out/$(printf '%04d' $n)-$(basename "$p" | cut -d- -f2-)"
done
echo "export-series: $(ls "$out" | wc -l) patches for Linux $ver in $out"
