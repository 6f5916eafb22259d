#!/bin/sh
# Ownership flows one way, core -> stop_machine_glue -> arch -> insn: no
# layer calls a function that a layer above it defines.  Prints each call
# that goes up; exit status 0 when there is none.
# Usage: layers.sh REPO
set -u
cd "$1" || exit 1
layers="core stop_machine_glue arch insn"

# The non-static functions a layer's C files define.
defined() {
	find "$1" -name '*.c' -exec grep -hE '^[a-z][a-z0-9_ ]*[ *][a-z_][a-z0-9_]*\(' {} + |
		grep -v '^static' | sed -E 's/^.*[ *]([a-z_][a-z0-9_]*)\(.*/\1/' | sort -u
}

up=0
above=
for layer in $layers; do
	for upper in $above; do
		for f in $(defined "$upper"); do
			# Comments may name a caller.
			hits=$(grep -rnE "(^|[^a-zA-Z0-9_])$f[[:space:]]*\(" "$layer" --include='*.[ch]' |
				grep -vE '^[^:]+:[0-9]+:[[:space:]]*(\*|/\*|//)')
			[ -z "$hits" ] || { echo "$hits" | sed "s/\$/  (calls up into $upper)/"; up=1; }
		done
	done
	above="$above $layer"
done
exit $up
