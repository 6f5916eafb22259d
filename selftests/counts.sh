#!/bin/sh
# The counts of a test log: "PASSED FAILED SKIPPED" from its last
# "N passed, N failed[, N skipped]" line; "0 0 0" and exit status 1 when
# it has none.  The one place that reads that line.
# Usage: counts.sh LOG
line=$(tr -d '\r' < "$1" | grep -E '^[0-9]+ passed, [0-9]+ failed' | tail -n 1)
if [ -z "$line" ]; then
	echo "0 0 0"
	exit 1
fi
echo "$line" | awk -F'[ ,]+' '{ print $1, $3, ($6 == "skipped" ? $5 : 0) }'
