#!/bin/sh
# Write the port as a git-am series for a pristine tree, one logical change
# per patch, behind a cover letter (patches/cover-letter.txt):
#   the stock-file diffs of patches/<ver>/ that prepare the core and riscv,
#   the backend (its files and kernel/livepatch/{Kconfig,Makefile}),
#   the riscv instruction helpers, the riscv arch layer (and its Kconfig),
#   the riscv syscall prefix of the livepatch selftests,
#   last, marked DO NOT MERGE, the test knobs and the static test code.
# The production patches hold no test knob: the lines under
# CONFIG_LIVEPATCH_WO_FTRACE_TEST_KNOBS come in the last patch only.  The
# whole series gives exactly the files apply-port.sh installs (checked),
# plus the new files' lines in MAINTAINERS.
# KERNEL_TREE is only read: its stock files, taken back to pristine if
# apply-port.sh installed the port there.
# Usage: export-series.sh REPO KERNEL_TREE OUTDIR
set -eu
repo=$1
tree=$2
out=$3

ver=$(make -s -C "$tree" kernelversion)
series=$repo/patches/$(echo "$ver" | cut -d. -f1-2)
[ -d "$series" ] || { echo "export-series: no patch series for kernel $ver" >&2; exit 1; }
knob=CONFIG_LIVEPATCH_WO_FTRACE_TEST_KNOBS

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
work=$tmp/work
full=$tmp/full
die() {
	echo "export-series: $*" >&2
	exit 1
}

# The pristine stock files: those the diffs touch, and MAINTAINERS.
applied=$tree/.klp-wo-ftrace-series
stockfiles=$( (cat "$series"/*.patch; [ ! -d "$applied" ] || cat "$applied"/*.patch) |
	sed -n 's|^--- a/||p' | sort -u)
git init -q "$work"
git -C "$work" config user.name "klp-wo-ftrace"
git -C "$work" config user.email "klp-wo-ftrace@localhost"
for f in $stockfiles MAINTAINERS; do
	mkdir -p "$work/$(dirname "$f")"
	cp "$tree/$f" "$work/$f"
done
if [ -d "$applied" ]; then
	for p in $(ls "$applied"/*.patch | sort -r); do
		patch -s -R -p1 -d "$work" < "$p" ||
			die "cannot take $(basename "$p") back out of $tree's copy"
	done
fi
find "$work" -name '*.orig' -delete
git -C "$work" add -A
git -C "$work" commit -q -m pristine

# What apply-port.sh installs: the diffs in their order, our files.
cp -r "$work" "$full"
rm -rf "$full/.git"
for p in "$series"/*.patch; do
	patch -s -p1 -d "$full" < "$p" || die "$(basename "$p") does not apply"
done
find "$full" -name '*.orig' -delete
grep -v '^#' "$repo/patches/port-files" | while read -r src dst group; do
	mkdir -p "$full/$(dirname "$dst")"
	cp "$repo/$src" "$full/$dst"
done

# group DST: the commit of the series that adds our file DST.  The generic
# headers come with the backend; patches/port-files groups them with the
# arch layer, which is where they are read from.
group() {
	case $1 in
	include/linux/livepatch_wo_ftrace*.h) echo core ;;
	*) grep -v '^#' "$repo/patches/port-files" | awk -v d="$1" '$2 == d { print $3 }' ;;
	esac
}

# The production copy of a file: without what the test knobs add.
#   Kconfig: the option's entry.  Makefile: the objects built under it.
#   C: the #ifdef blocks (their #else stays) and the header comment's
#   paragraph on them.
strip_knobs() {
	case $1 in
	*Kconfig*)
		awk -v k="config ${knob#CONFIG_}" '
			$0 == k { skip = 1; held = ""; next }
			skip && /^(config|menuconfig|choice|endchoice|menu|endmenu|if|endif|source|comment)/ { skip = 0 }
			skip { next }
			/^$/ { held = held "\n"; next }
			{ printf "%s", held; held = ""; print }
			END { printf "%s", held }' "$1" ;;
	*Makefile)
		awk -v k="$knob" '
			cont { cont = /\\$/; next }
			index($0, "$(" k ")") == 1 || index($0, "obj-$(" k ")") == 1 { cont = /\\$/; next }
			$0 == "ifdef " k { skip = 1; next }
			skip && /^endif/ { skip = 0; next }
			skip { next }
			{ print }' "$1" ;;
	*.c|*.h)
		awk -v k="$knob" '
			index($0, " * With " k) == 1 { com = 1; next }
			com && /^ \*\// { com = 0 }
			com { next }
			$0 == "#ifdef " k { blk = 1; next }
			blk && /^#if/ { print "nested #if under " k > "/dev/stderr"; exit 1 }
			blk == 1 && /^#else/ { blk = 2; next }
			blk && /^#endif/ { blk = 0; next }
			blk == 1 { next }
			{ print }' "$1" ;;
	esac
}

# take DST [production]: DST as the port has it, or its production copy.
take() {
	mkdir -p "$work/$(dirname "$1")"
	if [ "${2-}" = production ] && grep -q "${knob#CONFIG_}" "$full/$1"; then
		strip_knobs "$full/$1" > "$work/$1" || die "cannot strip the test knobs from $1"
	else
		cp "$full/$1" "$work/$1"
	fi
	git -C "$work" add "$1"
}

# maintain DST: list DST under LIVE PATCHING unless a pattern there covers it.
maintain() {
	awk -v f="$1" '
		/^LIVE PATCHING$/ { sec = 1 }
		sec && /^$/ { sec = 0 }
		sec && /^F:\t/ { print substr($0, 4) }' "$work/MAINTAINERS" > "$tmp/pats"
	while read -r pat; do
		# shellcheck disable=SC2254
		case $1 in
		$pat|${pat%/}/*) return 0 ;;
		esac
	done < "$tmp/pats"
	awk -v f="$1" '
		/^LIVE PATCHING$/ { sec = 1 }
		sec && !done && (/^$/ || (/^F:\t/ && substr($0, 4) > f)) { print "F:\t" f; done = 1 }
		sec && /^$/ { sec = 0 }
		{ print }' "$work/MAINTAINERS" > "$tmp/m"
	cp "$tmp/m" "$work/MAINTAINERS"
	git -C "$work" add MAINTAINERS
}

# stock NNNN: apply that stock diff, the test knobs' lines left out.
stock() {
	for p in "$series/$1"-*.patch; do
		[ -f "$p" ] || continue
		git -C "$work" apply --index "$p" || die "$(basename "$p") does not apply"
		for f in $(sed -n 's|^+++ b/||p' "$p"); do
			grep -q "${knob#CONFIG_}" "$work/$f" || continue
			strip_knobs "$work/$f" > "$tmp/s" || die "cannot strip the test knobs from $f"
			cp "$tmp/s" "$work/$f"
			git -C "$work" add "$f"
		done
	done
}

# files GROUP: our files of that commit group, in production form, and
# their lines in MAINTAINERS (not for the test code).
files() {
	grep -v '^#' "$repo/patches/port-files" | while read -r src dst g; do
		[ "$(group "$dst")" = "$1" ] || continue
		take "$dst" production
		[ "$1" = testee ] || maintain "$dst"
	done
}

# commit SUBJECT BODY: what is staged, if anything.
commit() {
	git -C "$work" diff --cached --quiet && return 0
	git -C "$work" commit -q -s -m "$1" -m "$2"
}

# stock_commit NNNN: that stock diff alone, with its own message.
stock_commit() {
	for p in "$series/$1"-*.patch; do
		[ -f "$p" ] || continue
		git -C "$work" am -q "$p" || die "$(basename "$p") does not apply"
		done_stock="$done_stock $1"
	done
}

# The stock diffs that prepare the core and riscv, each as it is; one
# this list does not know comes here too.
done_stock=
for n in 0003 0004 0005 0007 0010 0011 0008 0009; do
	stock_commit $n
done
for p in "$series"/*.patch; do
	n=$(basename "$p" | cut -d- -f1)
	case " $done_stock 0001 0002 0006 " in *" $n "*) continue ;; esac
	stock_commit "$n"
done

files core
stock 0001
commit "livepatch: add a backend that patches without ftrace" \
"LIVEPATCH_WO_FTRACE replaces patch.c and transition.c behind the same
internal interface, for architectures that have a reliable unwinder but
no function tracer fit for live patching.  klp_patch_object() prepares
and refuses; every attempt rebuilds the writes from the per-function
stacks, walks every task before stopping the machine and, under
stop_machine, only the tasks switched out since (logged from the
sched_switch tracepoint) and the exiting tasks no task list holds, then
writes all entries at once.  A busy attempt writes nothing and is retried
until it succeeds or is reversed.  The upstream core, the sysfs ABI and
the log lines are unchanged; debugfs shows what the last stop cost.

LIVEPATCH is offered where an architecture has either backend: the
ftrace one (HAVE_LIVEPATCH and a function tracer with regs or args) or
the one without ftrace (HAVE_LIVEPATCH_WO_FTRACE, selected by no
architecture yet).  Kconfig.wo_ftrace holds the choice between them
(LIVEPATCH_FTRACE, the default where possible, or LIVEPATCH_WO_FTRACE),
and the choice of consistency model of the new backend: all tasks at
once, or upstream's per-task switch (transition.c kept)."

files insn
commit "riscv: add the instruction helpers of live patching without ftrace" \
"The jump written at a replaced function's entry is auipc t1 + jalr x0:
8 bytes, no literal, reaching [-2^31 - 2^11, 2^31 - 2^11) around the
entry.  klp_insn.h encodes it from the field macros of asm/insn.h, checks
the reach on 64-bit values before encoding, and returns poison instead of
a wrong instruction.  It compiles on the host too, where unit tests hold
it against objdump.  klp_ool.h and klp_tramp.h are the out-of-line copy
of the displaced instructions and the trampoline of the per-task model.

Nothing includes these headers yet."

files arch
stock 0002
commit "riscv: add live patching without ftrace" \
"The site of a replaced function (its entry and the bytes the jump
overwrites), the stack check of a task with our own frame-pointer walk
(exception frames, frameless leaves; a walk that stops short of the
stack's bottom is unreliable), and the writes done inside stop_machine
through a fixmap alias of the text, one map per page, each hart fencing
its own instruction fetch afterwards: no IPI while the machine is stopped.

riscv selects HAVE_LIVEPATCH_WO_FTRACE for 64BIT && MMU &&
!CPU_BIG_ENDIAN && FRAME_POINTER, and with LIVEPATCH_WO_FTRACE
HAVE_RELIABLE_STACKTRACE: arch_stack_walk_reliable() is that walk, so
klp_have_reliable_stack() is true and the core does not warn.  The
livepatch menu is sourced from the riscv Kconfig."

stock_commit 0006

files testee
for f in $(cd "$full" && grep -rl "${knob#CONFIG_}" .); do
	take "${f#./}"
done
commit "[DO NOT MERGE] livepatch: add the test knobs and static test code" \
"For testing only, not for merging: the guest tests and the benchmark of
the series need these; a production kernel does not.

LIVEPATCH_WO_FTRACE_TEST_KNOBS adds debugfs files under
livepatch_wo_ftrace/: \"naive\" makes the check inside stop_machine walk
every task and scan the ranges linearly (the benchmark's baseline),
\"gate_after_prepass\" holds the next attempt between its pre-pass and
stop_machine, \"reliable_stack\" shows what the reliable unwinder says of
a task.  It also builds static functions and a static variable, shown in
debugfs, that the tests patch with modules built by tools/klpmake,
including a static name defined in two files."

# The series gives what apply-port.sh installs, and no production patch
# holds a test knob.
rm -rf "$tmp/check"
cp -r "$work" "$tmp/check"
rm -rf "$tmp/check/.git"
root=$(git -C "$work" rev-list --max-parents=0 HEAD)
git -C "$work" show "$root":MAINTAINERS > "$tmp/check/MAINTAINERS"
diff -r "$full" "$tmp/check" > "$tmp/d" ||
	{ cat "$tmp/d" >&2; die "the series does not give the installed tree"; }
git -C "$work" diff "$root" HEAD~1 |
	grep -nE "${knob#CONFIG_}|wo_ftrace_(testee|fixee)" >&2 &&
	die "a production patch holds a test knob"

rm -rf "$out"
mkdir -p "$out"
git -C "$work" format-patch -q --cover-letter --subject-prefix="RFC PATCH" \
	-o "$out" "$root"..HEAD

# The cover letter: patches/cover-letter.txt's first line is the subject,
# the rest the text; @VERSION@ is the tree's version.
cover=$out/0000-cover-letter.patch
sed "s/@VERSION@/$ver/g" "$repo/patches/cover-letter.txt" > "$tmp/cover"
awk -v f="$tmp/cover" '
	BEGIN { getline subj < f; getline < f; while ((getline l < f) > 0) body = body l "\n" }
	/\*\*\* SUBJECT HERE \*\*\*/ { sub(/\*\*\* SUBJECT HERE \*\*\*/, subj) }
	/^\*\*\* BLURB HERE \*\*\*$/ { printf "%s", body; next }
	{ print }' "$cover" > "$tmp/c"
grep -q '\*\*\* .* HERE \*\*\*\|@[A-Z]*@' "$tmp/c" && die "cover letter: a placeholder is left"
cp "$tmp/c" "$cover"
echo "export-series: $(ls "$out" | wc -l) files (cover letter and $(($(ls "$out" | wc -l) - 1)) patches) for Linux $ver in $out:"
ls "$out" | sed 's/^/  /'
