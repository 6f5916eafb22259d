#!/bin/sh
# Shows that the guest tests can fail: for each line of "mutations", remove
# one protection in a scratch clone of the committed tree, rebuild, run the
# one guest test that covers it, and expect that run to fail.  Slow (a
# kernel rebuild per line); not part of make test.  Prints KTAP.
# Usage: check.sh [PATTERN]   (only the lines that match PATTERN)
set -u
repo=$(cd "$(dirname "$0")/../.." && pwd)
work=$repo/build/mutation
rm -rf "$work"
git clone -q "$repo" "$work"

lines() {
	grep -v '^#' "$repo/selftests/mutation/mutations" | grep -e "${1:-.}"
}

n=0
passed=0
failed=0
echo "KTAP version 1"
echo "1..$(lines "${1:-}" | wc -l)"
lines "${1:-}" | while IFS='|' read -r flavour test file expr; do
	n=$((n + 1))
	git -C "$work" checkout -q -- .
	sed -i "$expr" "$work/$file"
	what="$flavour: without '$expr' in $file, $test fails"
	if git -C "$work" diff --quiet; then
		echo "not ok $n $what # the mutation did not apply"
		continue
	fi
	QEMU_APPEND="klp_tests=$test" QEMU_TIMEOUT=300 \
		make -C "$work" --no-print-directory guest-test FLAVOUR="$flavour" \
		> "$work/mutation-$n.log" 2>&1
	# Only the test failing (or the guest dying) counts, not a build error.
	if grep -qE '^not ok 1 |the guest did not finish' "$work/mutation-$n.log"; then
		echo "ok $n $what"
	else
		echo "not ok $n $what # it passed or did not build: see $work/mutation-$n.log"
	fi
done | tee "$repo/build/mutation.log"
git -C "$work" checkout -q -- .
passed=$(grep -c '^ok' "$repo/build/mutation.log")
failed=$(grep -c '^not ok' "$repo/build/mutation.log")
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
