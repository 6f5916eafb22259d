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

# add_commit COMMIT SUBJECT BODY: the files patches/port-files gives COMMIT.
add_commit() {
	grep -v '^#' "$repo/patches/port-files" | while read -r src dst commit; do
		[ "$commit" = "$1" ] || continue
		mkdir -p "$work/$(dirname "$dst")"
		cp "$repo/$src" "$work/$dst"
		git -C "$work" add "$dst"
	done
	git -C "$work" commit -q -s -m "$2" -m "$3"
}

add_commit insn "riscv: add the instruction helpers of live patching without ftrace" \
"The jump written at a replaced function's entry is auipc t1 + jalr x0:
8 bytes, no literal, reaching [-2^31 - 2^11, 2^31 - 2^11) around the
entry.  klp_insn.h encodes it from the field macros of asm/insn.h, checks
the reach on 64-bit values before encoding, and returns poison instead of
a wrong instruction.  It compiles on the host too, where unit tests hold
it against objdump."

add_commit arch "riscv: add the arch layer of live patching without ftrace" \
"The site of a replaced function (its entry and the bytes the jump
overwrites), the stack check of a task with our own frame-pointer walk
(exception frames, frameless leaves, a walk that stops short of the
stack's bottom is unreliable), and the writes done inside stop_machine
with patch_insn_write(), which fences only the local hart.  The types
the core hands to it (busy ranges, entry writes) are generic, in
linux/livepatch_wo_ftrace.h."

add_commit core "livepatch: add a backend that patches without ftrace" \
"LIVEPATCH_WO_FTRACE replaces patch.c and transition.c behind the same
internal interface: klp_patch_object() prepares and refuses, every
attempt rebuilds the writes from the per-function stacks, walks every
task before stopping the machine and, under stop_machine, only the tasks
switched out since (logged from the sched_switch tracepoint) and the
exiting tasks no task list holds, then writes all entries at once; a
busy attempt writes nothing and is retried until it succeeds or is
reversed.  The upstream core, sysfs ABI and log
lines are unchanged; debugfs shows what the last stop cost."

add_commit testee "livepatch: add static test code for patches built by klpmake" \
"Built with CONFIG_LIVEPATCH_WO_FTRACE_TEST_KNOBS only: static functions
and a static variable, shown in debugfs, that the guest tests patch with
modules built by tools/klpmake, including a static name defined in two
files."

rm -rf "$out"
mkdir -p "$out"
git -C "$work" format-patch -q --no-numbered -o "$out" HEAD~4..HEAD
n=$(ls "$out" | wc -l)
for p in "$series"/*.patch; do
	n=$((n + 1))
	cp "$p" "$out/$(printf '%04d' $n)-$(basename "$p" | cut -d- -f2-)"
done
echo "export-series: $(ls "$out" | wc -l) patches for Linux $ver in $out"
