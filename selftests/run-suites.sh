#!/bin/sh
# Run every test suite through make, keep each log in build/logs/, and
# close with the sum of their counts.  Exit status 0 only if all passed.
# Usage: run-suites.sh SUITE...
set -u
logs=build/logs
mkdir -p "$logs"
passed=0
failed=0
for suite in "$@"; do
	echo "== $suite"
	make --no-print-directory "$suite" > "$logs/$suite.log" 2>&1
	rc=$?
	tail -n 40 "$logs/$suite.log"
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$logs/$suite.log" | tail -n 1)
	if [ -n "$line" ]; then
		p=$(echo "$line" | cut -d' ' -f1)
		f=$(echo "$line" | cut -d' ' -f3)
	else
		p=0
		f=0
	fi
	# A suite that failed without a failed test (build error, timeout,
	# crash) counts as one failure; one without counts as one test.
	if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
	elif [ $rc -eq 0 ] && [ "$p" -eq 0 ]; then
		p=1
	fi
	echo "== $suite: $p passed, $f failed (log: $logs/$suite.log)"
	passed=$((passed + p))
	failed=$((failed + f))
done
echo "tests: $passed passed, $failed failed"
[ $failed -eq 0 ]
