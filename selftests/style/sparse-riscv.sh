#!/bin/sh
# sparse for riscv kernel objects: Debian's sparse 0.6.4 rejects the ISA
# extension suffixes of the kernel's -march, so pass the base ISA instead.
for arg; do
	shift
	case $arg in
	-march=*) arg=$(echo "$arg" | sed 's/_.*//') ;;
	esac
	set -- "$@" "$arg"
done
exec sparse "$@"
