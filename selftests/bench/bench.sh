#!/bin/sh
# make bench, in the guest (booted under -icount: 1 instruction = 1 ns of
# guest time).  Prints "bench: KEY VALUE" lines; the host turns them into
# the table (selftests/bench/table.sh).  On the kernel with the function
# tracer only the call costs are measured, with the ftrace redirection;
# on the per-task kernel the calls through the trampoline, the pause and
# a patch of a function 1000 tasks sleep in.  With klp_bench=wall on the
# kernel command line (booted without -icount, on 1 or 4 harts) only the
# pause, in wall-clock time, WALL_REPEAT times each.
. /tests/lib.sh

BD=/sys/kernel/debug/klp_bench
REPEAT=3
WALL_REPEAT=21

# report KEY-PREFIX FILE: every "name value" line of FILE as a bench line.
report() {
	while read -r name value; do
		echo "bench: $1/$name $value"
	done < "$2"
}

# enable_once THREADS FUNCS MODE: time one enable of a patch of FUNCS
# functions with THREADS sleeping kthreads; MODE is opt or naive.
enable_once() {
	echo "klp-bench: insmod" > /dev/kmsg
	klp_insmod $MODS/klp_bench_patch.ko funcs="$2" > /tmp/bench.out
	wait_transition klp_bench_patch
	if [ "$(cat /tmp/bench.out)" != OK ] ||
	   [ "$(cat $KLP/klp_bench_patch/transition)" != 0 ]; then
		echo "bench: error enabling funcs=$2: $(cat /tmp/bench.out)"
		return
	fi
	report "pause/$3/t$1/m$2" $KLPDBG/last_stop
	# insmod -> "patching complete", from the dmesg timestamps.
	dmesg | awk -v key="insmod/t$1/m$2/$3" '
		function ts() { return substr($0, 2, index($0, "]") - 2) + 0 }
		/klp-bench: insmod/ { start = ts() }
		/klp_bench_patch.: patching complete/ { end = ts() }
		END { if (start && end)
			printf "bench: %s/insmod_to_complete_ns %d\n", key, (end - start) * 1e9 }'
	echo 0 > $KLP/klp_bench_patch/enabled
	wait_gone klp_bench_patch
	rmmod klp_bench_patch
	dmesg -c > /dev/null
}

# bench_fork_storm THREADS: enables of one function while a shell forks
# as fast as it can: forks during an attempt must not make stop_machine
# walk every task.
bench_fork_storm() {
	sh -c 'while :; do /bin/true; done' &
	storm=$!
	for r in $(seq $REPEAT); do
		enable_once "$1" 1 forkstorm
	done
	kill $storm
	wait $storm
}

bench_pauses() {
	for threads in 10 1000 5000; do
		insmod $MODS/klp_bench_target.ko threads=$threads
		echo "bench: tasks/t$threads $(ls -d /proc/[0-9]* | wc -l)"
		for r in $(seq $REPEAT); do
			cat $BD/empty_stop > /tmp/empty
			report "empty/t$threads" /tmp/empty
		done
		# The naive walk is the all-at-once model's alone.
		modes="opt naive"
		[ "$model" = per-task ] && modes=opt
		for mode in $modes; do
			[ $mode = naive ] && echo 1 > $KLPDBG/naive
			for funcs in 1 100 1000; do
				for r in $(seq $REPEAT); do
					enable_once $threads $funcs $mode
				done
			done
			echo 0 > $KLPDBG/naive
		done
		[ $threads = 1000 ] && [ "$model" != per-task ] &&
			bench_fork_storm $threads
		rmmod klp_bench_target
	done
}

# bench_wall: the pause in wall-clock time with 1000 sleeping kthreads:
# empty stop_machines, enables of 1, 100 and 1000 functions, and enables
# of one function while a shell on every hart forks as fast as it can.
bench_wall() {
	insmod $MODS/klp_bench_target.ko threads=1000
	echo "bench: tasks/t1000 $(ls -d /proc/[0-9]* | wc -l)"
	for r in $(seq $WALL_REPEAT); do
		cat $BD/empty_stop > /tmp/empty
		report "wall/empty/t1000" /tmp/empty
	done
	for funcs in 1 100 1000; do
		for r in $(seq $WALL_REPEAT); do
			enable_once 1000 $funcs wall
		done
	done
	storms=
	for c in $(seq "$(nproc)"); do
		sh -c 'while :; do /bin/true; done' &
		storms="$storms $!"
	done
	for r in $(seq $WALL_REPEAT); do
		enable_once 1000 1 wallstorm
	done
	# shellcheck disable=SC2086
	kill $storms
	wait
	rmmod klp_bench_target
}

# calls ROW: the target's timed calls as they are now.
calls() {
	for r in $(seq $REPEAT); do
		cat $BD/calls > /tmp/calls
		report "calls/$1" /tmp/calls
	done
}

# calls_held ROW: the same, timed by the hold kthread from inside the old
# klp_bench_hold().
calls_held() {
	for r in $(seq $REPEAT); do
		cat $BD/calls_held > /tmp/calls
		report "calls/$1" /tmp/calls
	done
}

# The hold kthread keeps the patch in transition until it is released: in
# the per-task model the calls go through the trampoline meanwhile, to
# the new function for this shell's children (switched) and to the old
# one for the hold kthread (not switched).
bench_calls() {
	insmod $MODS/klp_bench_target.ko hold=1
	calls unpatched
	klp_insmod $MODS/klp_bench_patch.ko funcs=0 > /dev/null
	if [ "$model" = per-task ]; then
		calls transition_switched
		calls_held transition_unswitched
	fi
	echo 1 > $BD/release
	wait_transition klp_bench_patch
	calls patched
	echo 0 > $KLP/klp_bench_patch/enabled
	wait_gone klp_bench_patch
	rmmod klp_bench_patch
	if has_function_tracer; then
		insmod $MODS/klp_bench_redirect.ko via=ftrace && {
			calls ftrace
			rmmod klp_bench_redirect
		}
	else
		insmod $MODS/klp_bench_redirect.ko via=kprobe && {
			calls kprobe
			rmmod klp_bench_redirect
		}
	fi
	rmmod klp_bench_target
}

# The seconds from insmod to "patching complete" of a patch of
# pipe_read() while 1000 tasks sleep in it (cat on a FIFO that this shell
# holds open for writing), 60 s at most; then EOF ends them.
bench_sleepers() {
	rm -f /tmp/fifo
	mkfifo /tmp/fifo
	exec 3<> /tmp/fifo
	i=0
	while [ $i -lt 1000 ]; do
		cat /tmp/fifo 3>&- > /dev/null &
		i=$((i + 1))
	done
	wait_s 60 '[ "$(grep -l "^pipe_read$" /proc/[0-9]*/wchan 2>/dev/null | wc -l)" -ge 1000 ]'
	echo "bench: sleepers/asleep $(grep -l '^pipe_read$' /proc/[0-9]*/wchan 2>/dev/null | wc -l)"
	start=$(date +%s)
	klp_insmod $MODS/klp_test_patch_pipe_read.ko > /dev/null
	wait_s 60 '[ "$(cat $KLP/klp_test_patch_pipe_read/transition)" = 0 ]'
	if [ "$(cat $KLP/klp_test_patch_pipe_read/transition)" = 0 ]; then
		echo "bench: sleepers/insmod_to_complete_s $(($(date +%s) - start))"
	else
		echo "bench: sleepers/in_transition_after_s $(($(date +%s) - start))"
	fi
	exec 3>&-
	wait
	echo 0 > $KLP/klp_test_patch_pipe_read/enabled
	wait_s 60 '[ ! -d $KLP/klp_test_patch_pipe_read ]'
	rmmod klp_test_patch_pipe_read
}

dmesg -n 1
model=$(cat $KLPDBG/model)
echo "bench: harts $(grep -c '^processor' /proc/cpuinfo)"
if grep -qw klp_bench=wall /proc/cmdline; then
	bench_wall
	echo "bench: done"
	exit 0
fi
report memory $KLPDBG/memory
bench_calls
has_function_tracer || bench_sleepers
has_function_tracer || bench_pauses
echo "bench: done"
