#!/bin/sh
# Filter: rewrite the kernel-tree paths of the port's files in compiler
# and tool output to the repo paths a developer edits (patches/port-files).
# Usage: COMMAND 2>&1 | repo-paths.sh REPO_DIR
#        repo-paths.sh REPO_DIR -- COMMAND...   (exits with its status)
set -eu
repo=$1
script=$(grep -v '^#' "$repo/patches/port-files" | while read -r src dst commit; do
	[ "$src" = "$dst" ] || printf 's#\\(^\\|[ (]\\)%s\\([:(]\\)#\\1%s\\2#g\n' "$dst" "$src"
done)
if [ "${2:-}" = -- ]; then
	shift 2
	status=$(mktemp)
	{ rc=0; "$@" 2>&1 || rc=$?; echo "$rc" > "$status"; } | sed -e "$script"
	rc=$(cat "$status")
	rm -f "$status"
	exit "$rc"
fi
sed -e "$script"
