#!/bin/bash
# Run every test suite through make, keep each log in build/logs/, and
# close with the sum of their counts.  Exit status 0 only if all passed.
# Usage: run-suites.sh SUITE... [-- GUEST_SUITE...]
#
# The suites before "--" run one after another.  A guest suite mostly
# waits on its guest (a guest under TCG keeps about two thirds of a core
# busy), so those after "--" are built one after another (make SUITE
# STAGE=build, niced: a guest's timing matters more than a build's) and
# each is booted once built (STAGE=run), SUITE_JOBS guests at a time
# (default 3).
set -u
logs=build/logs
mkdir -p "$logs"
jobs=${SUITE_JOBS:-3}
serial=()
guests=()
after=
for arg; do
	if [ "$arg" = -- ]; then
		after=1
	elif [ -n "$after" ]; then
		guests+=("$arg")
	else
		serial+=("$arg")
	fi
done

stamp() {
	echo "== $(date +%T) $*"
}

for suite in "${serial[@]}"; do
	stamp "$suite"
	make --no-print-directory "$suite" > "$logs/$suite.log" 2>&1
	echo $? > "$logs/$suite.rc"
done

# The builder: one guest suite after another, each written to $built
# once built ("SUITE RC").
built=$logs/.built
: > "$built"
for suite in "${guests[@]}"; do
	stamp "$suite: build"
	nice -n 10 make --no-print-directory "$suite" STAGE=build > "$logs/$suite.log" 2>&1
	echo "$suite $?" >> "$built"
done &
builder=$!

# The booter: each suite built, in the builder's order, once a lane is
# free.  A suite whose build failed is not booted: its status is the
# build's.
booted=0
while :; do
	# Whether the builder was still running before $built was read.
	building=1
	kill -0 $builder 2>/dev/null || building=0
	mapfile -t ready < "$built"
	if [ $booted -ge ${#ready[@]} ]; then
		[ $building -eq 1 ] || break
		sleep 2
		continue
	fi
	read -r suite rc <<< "${ready[$booted]}"
	booted=$((booted + 1))
	echo "$rc" > "$logs/$suite.rc"
	[ "$rc" -eq 0 ] || continue
	while [ "$(jobs -rp | grep -cvx "$builder")" -ge "$jobs" ]; do
		wait -n
	done
	stamp "$suite: boot"
	(
		make --no-print-directory "$suite" STAGE=run >> "$logs/$suite.log" 2>&1
		echo $? > "$logs/$suite.rc"
		stamp "$suite: done"
	) &
done
wait

passed=0
failed=0
skipped=0
failures=
for suite in "${serial[@]}" "${guests[@]}"; do
	echo "== $suite"
	tail -n 40 "$logs/$suite.log"
	rc=$(cat "$logs/$suite.rc")
	read -r p f s <<EOF
$(sh selftests/counts.sh "$logs/$suite.log")
EOF
	# A suite that failed without a failed test (build error, timeout,
	# crash) counts as one failure; one without counts as one test.
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
	elif [ "$rc" -eq 0 ] && [ "$p" -eq 0 ]; then
		p=1
	fi
	echo "== $suite: $p passed, $f failed, $s skipped (log: $logs/$suite.log)"
	[ "$f" -gt 0 ] && failures="$failures $suite"
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + s))
done
# Each failed test with its diagnostics, last, where a truncated log of
# the whole run still shows them.
for suite in $failures; do
	echo "== failed in $suite:"
	awk '/^(not )?ok [0-9]/ {
		if ($1 == "not")
			printf "%s%s\n", notes, $0
		notes = ""
		next
	}
	/^# / && length(notes) < 4000 { notes = notes $0 "\n" }' "$logs/$suite.log"
done
if [ $skipped -gt 0 ]; then
	echo "tests: $passed passed, $failed failed, $skipped skipped"
else
	echo "tests: $passed passed, $failed failed"
fi
[ $failed -eq 0 ]
