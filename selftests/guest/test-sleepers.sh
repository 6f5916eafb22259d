# SPDX-License-Identifier: GPL-2.0-only
# A patch of a function tasks sleep in: do_wait(), where a parent waits for
# its child (klp_test_do_wait.ko, built by klpmake), and pipe_read(), where
# a reader of an empty pipe waits (klp_test_patch_pipe_read.ko).  In the
# per-task model a sleeper switches once upstream's fake signal (after
# 15 s) takes it through the exit to user mode, and its restarted system
# call sleeps in the new function; in the all-at-once model a sleeper holds
# the patch in transition for as long as it sleeps.
# Sourced by run.sh; each test_* function is one test.

DO_WAIT=/sys/module/klp_test_do_wait/parameters

# sleeping_in FUNCTION PID...: how many of the tasks sleep in FUNCTION.
sleeping_in() {
	f=$1
	shift
	n=0
	for p; do
		[ "$(cat /proc/"$p"/wchan 2>/dev/null)" = "$f" ] && n=$((n + 1))
	done
	echo $n
}

# waits_traced: the new do_wait() fires sched_process_wait, through the
# patch's own jump label on a key of vmlinux: nothing while the event is
# off, an event for each wait once it is switched on.
waits_traced() {
	ev=/sys/kernel/tracing/events/sched/sched_process_wait/enable
	echo > /sys/kernel/tracing/trace
	sh -c true
	expect "no event while it is off" \
		"$(grep -c 'sched_process_wait:' /sys/kernel/tracing/trace)" 0
	echo 1 > $ev
	calls=$(cat $DO_WAIT/calls)
	sh -c true
	echo 0 > $ev
	expect_ge "events once it is on" \
		"$(grep -c 'sched_process_wait:' /sys/kernel/tracing/trace)" 1
	expect_ge "calls of the new do_wait meanwhile" \
		"$(($(cat $DO_WAIT/calls) - calls))" 1
}

# no_do_wait_patch: true (and the test skips) on a kernel whose do_wait()
# klp_test_do_wait.c was not written for (selftests/klpmake/*/kernels).
no_do_wait_patch() {
	[ -e $MODS/klp_test_do_wait.ko ] && return 1
	skip "no klp_test_do_wait.ko: its do_wait() is not Linux $(uname -r)'s"
}

# disable_do_wait_patch: a waiting task may now sleep in the new do_wait:
# the disable completes after the fake signal too.
disable_do_wait_patch() {
	echo 0 > $KLP/klp_test_do_wait/enabled
	wait_s 40 '[ ! -d $KLP/klp_test_do_wait ]'
	expect "disabled" "$(ls $KLP)" ""
	rmmod klp_test_do_wait
}

# A shell waits in do_wait() for a child that would live 60 s while
# do_wait() is patched.  The exit status reaches it either way, without EINTR.
test_do_wait_patched_while_a_parent_waits_60s() {
	no_do_wait_patch && return
	rm -f /tmp/waited
	sh -c 'sh -c "sleep 60; exit 7"; echo "status $?" > /tmp/waited' &
	parent=$!
	wait_s 5 '[ "$(sleeping_in do_wait $parent)" = 1 ]'
	expect "parent waits in do_wait" "$(sleeping_in do_wait $parent)" 1

	dmesg_mark
	start=$(date +%s)
	expect "insmod" "$(klp_insmod $MODS/klp_test_do_wait.ko)" OK
	if [ "$model" = per-task ]; then
		wait_s 40 '[ "$(cat $KLP/klp_test_do_wait/transition)" = 0 ]'
		echo "# per-task: patching complete after $(($(date +%s) - start)) s"
		expect "transition" "$(cat $KLP/klp_test_do_wait/transition)" 0
		expect "child still running" "$(cat /tmp/waited 2>/dev/null)" ""
		expect "parent waits in the new do_wait" \
			"$(sleeping_in livepatch_do_wait $parent)" 1
		waits_traced
		expect_log "log" \
"livepatch: enabling patch 'klp_test_do_wait'
livepatch: 'klp_test_do_wait': starting patching transition
livepatch: signaling remaining tasks
livepatch: 'klp_test_do_wait': patching complete"
	else
		sleep 20
		echo "# all-at-once: still in transition after 20 s"
		expect "still in transition after the fake signal" \
			"$(cat $KLP/klp_test_do_wait/transition)" 1
		expect "parent still in the old do_wait" \
			"$(sleeping_in do_wait $parent)" 1
	fi
	# Seen what it was for: the child's sleep ends (the child exits 7).
	for p in $(pid_of sleep); do
		[ "$(tr -d '\0' < /proc/"$p"/cmdline 2>/dev/null)" = sleep60 ] &&
			kill "$p"
	done
	wait $parent
	expect "the child's status reached its parent" "$(cat /tmp/waited)" \
		"status 7"
	[ "$model" = per-task ] &&
		expect_ne "calls of the new do_wait" "$(cat $DO_WAIT/calls)" 0
	disable_do_wait_patch
}

# A hundred parents wait in do_wait() for children that wait for a FIFO
# writer; a patch of do_wait() completes, every parent then sleeps in the
# new function and gets its child's exit status.
# per-task model only
test_do_wait_patched_while_100_parents_wait() {
	no_do_wait_patch && return
	rm -rf /tmp/sleepers
	mkdir /tmp/sleepers
	mkfifo /tmp/sleepers/go
	parents=
	i=0
	while [ $i -lt 100 ]; do
		sh -c "sh -c 'read x < /tmp/sleepers/go; exit $((i % 50 + 1))'; echo \$? > /tmp/sleepers/$i" &
		parents="$parents $!"
		i=$((i + 1))
	done
	# shellcheck disable=SC2086
	wait_s 20 '[ "$(sleeping_in do_wait $parents)" = 100 ]'
	# shellcheck disable=SC2086
	expect "parents in do_wait" "$(sleeping_in do_wait $parents)" 100

	start=$(date +%s)
	expect "insmod" "$(klp_insmod $MODS/klp_test_do_wait.ko)" OK
	wait_s 40 '[ "$(cat $KLP/klp_test_do_wait/transition)" = 0 ]'
	echo "# per-task: patching complete after $(($(date +%s) - start)) s"
	expect "transition" "$(cat $KLP/klp_test_do_wait/transition)" 0
	# shellcheck disable=SC2086
	expect "parents in the new do_wait" \
		"$(sleeping_in livepatch_do_wait $parents)" 100

	echo go > /tmp/sleepers/go
	# shellcheck disable=SC2086
	wait $parents
	bad=0
	i=0
	while [ $i -lt 100 ]; do
		[ "$(cat /tmp/sleepers/$i 2>/dev/null)" = $((i % 50 + 1)) ] ||
			bad=$((bad + 1))
		i=$((i + 1))
	done
	expect "parents without their child's status" $bad 0
	disable_do_wait_patch
}

# A hundred readers (head) sleep in pipe_read(), each reading a line from
# its own FIFO, opened read-write so that it never lacks a writer.  A patch of
# pipe_read() completes in the per-task model and every reader then sleeps
# in the new function; in the all-at-once model it stays in transition.
# Either way each reader gets its own line, without EINTR.
test_pipe_read_patched_while_100_readers_sleep() {
	# Since v6.15 readers sleep in anon_pipe_read(), which FIFOs'
	# fifo_pipe_read() calls.
	pipe_read=pipe_read
	anon=0
	grep -q ' anon_pipe_read$' /proc/kallsyms && pipe_read=anon_pipe_read anon=1
	rm -rf /tmp/readers
	mkdir /tmp/readers
	readers=
	i=0
	while [ $i -lt 100 ]; do
		mkfifo /tmp/readers/fifo$i
		sh -c "exec head -n 1 > /tmp/readers/out$i" <> /tmp/readers/fifo$i &
		readers="$readers $!"
		i=$((i + 1))
	done
	# shellcheck disable=SC2086
	wait_s 20 '[ "$(sleeping_in $pipe_read $readers)" = 100 ]'
	# shellcheck disable=SC2086
	expect "readers in $pipe_read" "$(sleeping_in $pipe_read $readers)" 100

	start=$(date +%s)
	expect "insmod" "$(klp_insmod $MODS/klp_test_patch_pipe_read.ko anon=$anon)" OK
	if [ "$model" = per-task ]; then
		wait_s 40 '[ "$(cat $KLP/klp_test_patch_pipe_read/transition)" = 0 ]'
		echo "# per-task: patching complete after $(($(date +%s) - start)) s"
		expect "transition" \
			"$(cat $KLP/klp_test_patch_pipe_read/transition)" 0
		# shellcheck disable=SC2086
		expect "readers in the new pipe_read" \
			"$(sleeping_in livepatch_pipe_read $readers)" 100
	else
		sleep 20
		echo "# all-at-once: still in transition after 20 s"
		expect "still in transition after the fake signal" \
			"$(cat $KLP/klp_test_patch_pipe_read/transition)" 1
		# shellcheck disable=SC2086
		expect "readers still in the old $pipe_read" \
			"$(sleeping_in $pipe_read $readers)" 100
	fi

	i=0
	while [ $i -lt 100 ]; do
		echo "line $i" > /tmp/readers/fifo$i
		i=$((i + 1))
	done
	# shellcheck disable=SC2086
	wait $readers
	bad=0
	i=0
	while [ $i -lt 100 ]; do
		[ "$(cat /tmp/readers/out$i 2>/dev/null)" = "line $i" ] ||
			bad=$((bad + 1))
		i=$((i + 1))
	done
	expect "readers without their own line" $bad 0
	[ "$model" = per-task ] &&
		expect_ge "calls of the new pipe_read" \
			"$(cat /sys/module/klp_test_patch_pipe_read/parameters/calls)" 100
	echo 0 > $KLP/klp_test_patch_pipe_read/enabled
	wait_s 40 '[ ! -d $KLP/klp_test_patch_pipe_read ]'
	expect "disabled" "$(ls $KLP)" ""
	rmmod klp_test_patch_pipe_read
}
