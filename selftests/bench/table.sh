#!/bin/sh
# Turn the "bench: KEY VALUE" lines of the bench guests into the table of
# make bench (markdown): the median of the repeats, and each figure's
# ratio to the one it is compared with.
# The wall-clock logs (1 and 4 harts, without -icount) are optional: their
# section shows each figure's median, interquartile range and maximum.
# With BENCH_BEFORE=LOG, the base log of another tree (the same make bench
# before a change) is set beside this one's writes.
# Usage: table.sh BASE_LOG FTRACE_LOG PER_TASK_LOG [WALL_1_LOG WALL_4_LOG]
set -eu
before=${BENCH_BEFORE:-/dev/null}
base=$1
ftrace=$2
pertask=$3
wall1=${4:-/dev/null}
wall4=${5:-/dev/null}

{
	sed -n 's/^bench: \([^ ]*\) \([-0-9]*\)$/base \1 \2/p' "$base"
	sed -n 's/^bench: \([^ ]*\) \([-0-9]*\)$/ftrace \1 \2/p' "$ftrace"
	sed -n 's/^bench: \([^ ]*\) \([-0-9]*\)$/pertask \1 \2/p' "$pertask"
	sed -n 's/^bench: \([^ ]*\) \([-0-9]*\)$/wall1 \1 \2/p' "$wall1"
	sed -n 's/^bench: \([^ ]*\) \([-0-9]*\)$/wall4 \1 \2/p' "$wall4"
	sed -n 's/^bench: \([^ ]*\) \([-0-9]*\)$/before \1 \2/p' "$before"
} | awk -v host1="$(sed -n 's/^host: //p' "$wall1")" \
	-v host4="$(sed -n 's/^host: //p' "$wall4")" '
# The figures of key k in v[1..n], sorted; returns n.
function sorted(k, v,    n, i, j, t) {
	n = cnt[k]
	for (i = 1; i <= n; i++)
		v[i] = val[k, i]
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && v[j - 1] > v[j]; j--) {
			t = v[j]; v[j] = v[j - 1]; v[j - 1] = t
		}
	return n
}
function median(k,    n, v) {
	n = sorted(k, v)
	return n ? v[int((n + 1) / 2)] : ""
}
# The figure at fraction f of the sorted ones (0: the least, 1: the most).
function quantile(k, f,    n, v) {
	n = sorted(k, v)
	return n ? v[int(f * (n - 1) + 0.5) + 1] : ""
}
# "median [q1-q3] max" in us, for the wall-clock section.
function spread(k) {
	if (!cnt[k])
		return "-"
	return sprintf("%s [%s-%s] %s", us(median(k)), us(quantile(k, 0.25)), \
		       us(quantile(k, 0.75)), us(quantile(k, 1)))
}
function ratio(a, b) {
	if (a == "" || b == "" || b == 0)
		return "-"
	return sprintf("%.2f", a / b)
}
function us(ns) {
	return ns == "" ? "-" : sprintf("%.1f", ns / 1000)
}
function ns(ps) {
	return ps == "" ? "-" : sprintf("%.2f", ps / 1000)
}
function verdict(ok) {
	return ok ? "met" : "**missed**"
}
# us per function of figure f (ns) of key k: "-" without functions.
function per_fn(k, f, m) {
	return median(k "/" f) == "" ? "-" : sprintf("%.3f", median(k "/" f) / m / 1000)
}

# The writes of this log beside those of BENCH_BEFORE (1000 threads).
function before_section(    j, m, b, a) {
	print ""
	print "The writes before and after (BENCH_BEFORE: the same bench on the tree " \
	      "before the change; 1000 threads, optimised mode):"
	print ""
	print "| functions | writes us before | writes us after | writes per function us before | after | verify + writes per function us before | after | critical us before | after | critical after / before |"
	print "|---|---|---|---|---|---|---|---|---|---|"
	for (j = 1; j <= 3; j++) {
		m = M[j]
		b = "before/pause/opt/t1000/m" m
		a = "base/pause/opt/t1000/m" m
		printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", m, \
			us(median(b "/write_ns")), us(median(a "/write_ns")), \
			per_fn(b, "write_ns", m), per_fn(a, "write_ns", m), \
			median(b "/write_ns") == "" ? "-" : \
			sprintf("%.3f", (median(b "/verify_ns") + median(b "/write_ns")) / m / 1000), \
			median(a "/write_ns") == "" ? "-" : \
			sprintf("%.3f", (median(a "/verify_ns") + median(a "/write_ns")) / m / 1000), \
			us(median(b "/critical_ns")), us(median(a "/critical_ns")), \
			ratio(median(a "/critical_ns"), median(b "/critical_ns"))
	}
}

# The pause in wall-clock time on 1 and on 4 harts (1000 sleeping kthreads).
function wall_section(    i, k, k1, k4, n, C, L) {
	split("empty stop_machine|1 function|100 functions|1000 functions|1 function, fork storm on every hart", L, "|")
	split("wall/empty/t1000 pause/wall/t1000/m1 pause/wall/t1000/m100 pause/wall/t1000/m1000 pause/wallstorm/t1000/m1", C, " ")
	print ""
	print "### 1-2b. The pause in wall-clock time, 1 hart and 4 harts"
	print ""
	printf "Without `-icount` (QEMU 7.2 stalls under it with more than one hart): " \
	       "host time under TCG, %s enables (or empty rendezvous) per row, " \
	       "1000 sleeping kthreads, optimised mode; each cell is " \
	       "median [interquartile range] maximum, in us. Ratio: 4-hart " \
	       "median / 1-hart median. Host while the 1-hart guest ran: %s; " \
	       "the 4-hart guest: %s.\n", cnt["wall4/" C[2] "/critical_ns"], \
	       host1 == "" ? "-" : host1, host4 == "" ? "-" : host4
	print ""
	print "| configuration | 1 hart: end to end | 4 harts: end to end | 4 / 1 | 1 hart: critical | 4 harts: critical | 4 / 1 |"
	print "|---|---|---|---|---|---|---|"
	for (i = 1; i <= 5; i++) {
		k1 = "wall1/" C[i]
		k4 = "wall4/" C[i]
		printf "| %s | %s | %s | %s | %s | %s | %s |\n", L[i], \
			spread(k1 "/end_to_end_ns"), spread(k4 "/end_to_end_ns"), \
			ratio(median(k4 "/end_to_end_ns"), median(k1 "/end_to_end_ns")), \
			spread(k1 "/critical_ns"), spread(k4 "/critical_ns"), \
			ratio(median(k4 "/critical_ns"), median(k1 "/critical_ns"))
	}
	print ""
	print "Where the time goes (medians, us): enter -> started = stop_machine called -> " \
	      "the last hart began the rendezvous function (waking the stoppers, " \
	      "interrupts off everywhere); own walk = the longest walk of a hart'"'"'s " \
	      "own stack; enter -> parked = both, and the last hart in; " \
	      "written -> left = release -> the last hart left after its fence.i."
	print ""
	print "| configuration | harts | enter -> started | own walk | enter -> parked | check | verify | writes | critical | written -> left | end to end | stacks walked | forks during the attempt |"
	print "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
	for (i = 1; i <= 5; i++)
		for (n = 1; n <= 4; n += 3) {
			k = "wall" n "/" C[i]
			printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", \
				L[i], n, us(median(k "/enter_to_started_ns")), \
				us(median(k "/self_walk_ns")), \
				us(median(k "/enter_to_parked_ns")), us(median(k "/check_ns")), \
				us(median(k "/verify_ns")), us(median(k "/write_ns")), \
				us(median(k "/critical_ns")), \
				us(median(k "/left_after_written_ns")), \
				us(median(k "/end_to_end_ns")), \
				median(k "/tasks_walked") == "" ? "-" : median(k "/tasks_walked"), \
				median(k "/forks") == "" ? "-" : median(k "/forks")
		}
	print ""
}
{
	k = $1 "/" $2
	val[k, ++cnt[k]] = $3
}
END {
	split("10 1000 5000", T, " ")
	split("1 100 1000", M, " ")
	print "Guest time under `-icount shift=0` (one instruction = 1 ns), " \
	      median("base/harts") (median("base/harts") == 1 ? " hart" : " harts") \
	      "; each figure is the median of 3 runs."
	print ""
	print "### 1-2. The pause of one enable"
	print ""
	print "critical = all harts parked -> released: check (the stacks) + " \
	      "verify (each entry holds the bytes expected) + writes; " \
	      "end to end = stop_machine called -> the last hart left; " \
	      "per function = (verify + writes) / functions. " \
	      "naive = every task walked inside stop_machine, ranges scanned linearly."
	print ""
	print "| threads (tasks) | functions | mode | critical us | check us | verify us | writes us | per function us | end to end us | stacks walked | critical / 10 threads | check / 1 function | naive / optimised |"
	print "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
	for (i = 1; i <= 3; i++) {
		t = T[i]
		e = "base/empty/t" t
		printf "| %s (%s) | - | empty stop_machine | %s | - | - | - | - | %s | - | - | - | - |\n", \
			t, median("base/tasks/t" t), us(median(e "/critical_ns")), \
			us(median(e "/end_to_end_ns"))
		for (j = 1; j <= 3; j++) {
			m = M[j]
			for (mode = 0; mode < 2; mode++) {
				md = mode ? "naive" : "opt"
				p = "base/pause/" md "/t" t "/m" m
				ref10 = "base/pause/" md "/t10/m" m
				ref1 = "base/pause/" md "/t" t "/m1"
				opt = "base/pause/opt/t" t "/m" m
				w = median(p "/writes")
				printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", \
					t, m, md == "opt" ? "optimised" : "naive", \
					us(median(p "/critical_ns")), us(median(p "/check_ns")), \
					us(median(p "/verify_ns")), us(median(p "/write_ns")), \
					w ? sprintf("%.2f", (median(p "/verify_ns") + \
						median(p "/write_ns")) / w / 1000) : "-", \
					us(median(p "/end_to_end_ns")), median(p "/tasks_walked"), \
					ratio(median(p "/critical_ns"), median(ref10 "/critical_ns")), \
					ratio(median(p "/check_ns"), median(ref1 "/check_ns")), \
					mode ? ratio(median(p "/critical_ns"), median(opt "/critical_ns")) : "-"
			}
		}
	}
	print ""
	print "Targets:"
	print ""
	for (j = 1; j <= 3; j++) {
		m = M[j]
		r = ratio(median("base/pause/opt/t5000/m" m "/critical_ns"), \
			  median("base/pause/opt/t10/m" m "/critical_ns"))
		printf "- critical section, %s function(s): 5000 threads / 10 threads = %s (target <= 2): %s\n", \
			m, r, verdict(r != "-" && r <= 2)
	}
	for (i = 1; i <= 3; i++) {
		t = T[i]
		r = ratio(median("base/pause/opt/t" t "/m1000/check_ns"), \
			  median("base/pause/opt/t" t "/m1/check_ns"))
		printf "- check, %s threads: 1000 functions / 1 function = %s (target <= 1.5): %s\n", \
			t, r, verdict(r != "-" && r <= 1.5)
	}
	if (cnt["before/harts"])
		before_section()
	print ""
	print "With a shell forking as fast as it can during the enables (1000 threads, 1 function):"
	print ""
	print "| mode | critical us | check us | stacks walked | full scan | forks during the attempt | critical / quiet |"
	print "|---|---|---|---|---|---|---|"
	q = "base/pause/opt/t1000/m1"
	f = "base/pause/forkstorm/t1000/m1"
	printf "| quiet | %s | %s | %s | %s | %s | - |\n", us(median(q "/critical_ns")), \
		us(median(q "/check_ns")), median(q "/tasks_walked"), median(q "/full_scan"), \
		median(q "/forks")
	printf "| fork storm | %s | %s | %s | %s | %s | %s |\n", us(median(f "/critical_ns")), \
		us(median(f "/check_ns")), median(f "/tasks_walked"), median(f "/full_scan"), \
		median(f "/forks"), ratio(median(f "/critical_ns"), median(q "/critical_ns"))
	r = ratio(median(f "/critical_ns"), median(q "/critical_ns"))
	printf "- critical section with a fork storm / quiet = %s (target <= 2): %s\n", \
		r, verdict(r != "-" && r <= 2)
	print ""
	if (cnt["wall4/harts"] || cnt["wall1/harts"])
		wall_section()
	print "### 3. The cost of one call (ns = instructions; through a function pointer)"
	print ""
	print "| function | kernel | unpatched | patched (jump) | new function called directly | patched - direct | kprobe redirection | ftrace redirection | kprobe / patched | ftrace / patched |"
	print "|---|---|---|---|---|---|---|---|---|---|"
	split("trivial body", F, " ")
	for (i = 1; i <= 2; i++) {
		f = F[i]
		for (kk = 0; kk < 2; kk++) {
			kn = kk ? "ftrace" : "base"
			un = median(kn "/calls/unpatched/" f "_ps")
			pa = median(kn "/calls/patched/" f "_ps")
			di = median(kn "/calls/patched/" f "_new_ps")
			kp = median(kn "/calls/kprobe/" f "_ps")
			ft = median(kn "/calls/ftrace/" f "_ps")
			printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", \
				f, kn, ns(un), ns(pa), ns(di), \
				(pa != "" && di != "") ? sprintf("%.2f", (pa - di) / 1000) : "-", \
				ns(kp), ns(ft), ratio(kp, pa), ratio(ft, pa)
		}
	}
	print ""
	print "A patched call runs the old entry'"'"'s auipc + jalr and then the new " \
	      "function: patched - direct should be 2 instructions (2.00 ns)."
	for (i = 1; i <= 2; i++) {
		f = F[i]
		pa = median("base/calls/patched/" f "_ps")
		di = median("base/calls/patched/" f "_new_ps")
		kp = median("base/calls/kprobe/" f "_ps")
		ft = median("ftrace/calls/ftrace/" f "_ps")
		fp = median("ftrace/calls/patched/" f "_ps")
		if (pa == "" || di == "")
			continue
		fd = median("ftrace/calls/patched/" f "_new_ps")
		# What each redirection adds to the call of the new function.
		po = pa - di
		ko = kp == "" ? "" : kp - di
		fo = (ft == "" || fd == "") ? "" : ft - fd
		fpo = (fp == "" || fd == "") ? "" : fp - fd
		printf "- %s: patched - direct = %.2f instructions (target 2): %s; " \
		       "added by the kprobe / by the jump = %s (target >= 20): %s; " \
		       "added by ftrace / by the jump (ftrace kernel) = %s (target > 1): %s\n", \
			f, po / 1000, verdict(po <= 2050), \
			ratio(ko, po), verdict(ko != "" && ko / po >= 20), \
			ratio(fo, fpo), verdict(fo != "" && fpo != "" && fo / fpo > 1)
	}
	print ""
	print "### 4. insmod -> \"patching complete\" (dmesg timestamps)"
	print ""
	print "| threads | functions | optimised ms | naive ms |"
	print "|---|---|---|---|"
	for (i = 1; i <= 3; i++)
		for (j = 1; j <= 3; j++) {
			k = "base/insmod/t" T[i] "/m" M[j]
			o = median(k "/opt/insmod_to_complete_ns")
			n = median(k "/naive/insmod_to_complete_ns")
			printf "| %s | %s | %s | %s |\n", T[i], M[j], \
				o == "" ? "-" : sprintf("%.1f", o / 1e6), \
				n == "" ? "-" : sprintf("%.1f", n / 1e6)
		}
	print ""
	print "### 5. Memory kept per patched function"
	print ""
	printf "struct klp_ops (list links, func stack, site with saved bytes): %s bytes, a %s-byte slab object.\n", \
		median("base/memory/per_function_bytes"), \
		median("base/memory/per_function_slab_bytes")
	print ""
	print "### 6. The per-task model (the per-task kernel)"
	print ""
	print "The entry jumps to a trampoline that picks the function by the " \
	      "calling task'"'"'s patch_state; a task not switched runs the " \
	      "displaced instructions out of line and the old function from " \
	      "its ninth byte. In transition = the hold kthread sleeps in a " \
	      "patched function, so the patch waits; it times the calls of a task " \
	      "not switched, this shell'"'"'s child those of one switched."
	print ""
	print "| function | unpatched | in transition, not switched | in transition, switched | after the transition | new function called directly | after - direct | all-at-once: patched - direct |"
	print "|---|---|---|---|---|---|---|---|"
	for (i = 1; i <= 2; i++) {
		f = F[i]
		pa = median("pertask/calls/patched/" f "_ps")
		di = median("pertask/calls/patched/" f "_new_ps")
		ba = median("base/calls/patched/" f "_ps")
		bd = median("base/calls/patched/" f "_new_ps")
		printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", f, \
			ns(median("pertask/calls/unpatched/" f "_ps")), \
			ns(median("pertask/calls/transition_unswitched/" f "_ps")), \
			ns(median("pertask/calls/transition_switched/" f "_ps")), \
			ns(pa), ns(di), \
			(pa != "" && di != "") ? sprintf("%.2f", (pa - di) / 1000) : "-", \
			(ba != "" && bd != "") ? sprintf("%.2f", (ba - bd) / 1000) : "-"
	}
	printf "\npatch_state of the timing task: not switched %s, switched %s.\n", \
		median("pertask/calls/transition_unswitched/patch_state"), \
		median("pertask/calls/transition_switched/patch_state")
	print ""
	print "The pause: only the 8-byte windows are checked inside stop_machine " \
	      "(no stack walk); optimised mode, 3 runs each."
	print ""
	print "| threads | functions | critical us | check us | writes us | stacks walked | end to end us | critical / all-at-once critical |"
	print "|---|---|---|---|---|---|---|---|"
	for (i = 1; i <= 3; i++)
		for (j = 1; j <= 3; j++) {
			p = "pertask/pause/opt/t" T[i] "/m" M[j]
			b = "base/pause/opt/t" T[i] "/m" M[j]
			printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", T[i], M[j], \
				us(median(p "/critical_ns")), us(median(p "/check_ns")), \
				us(median(p "/write_ns")), median(p "/tasks_walked"), \
				us(median(p "/end_to_end_ns")), \
				ratio(median(p "/critical_ns"), median(b "/critical_ns"))
		}
	print ""
	print "A patch of pipe_read() while 1000 tasks sleep in it (cat on a FIFO " \
	      "held open; guest seconds, one run):"
	print ""
	print "| model | tasks asleep in pipe_read | insmod -> patching complete |"
	print "|---|---|---|"
	split("base pertask", K, " ")
	for (i = 1; i <= 2; i++) {
		c = median(K[i] "/sleepers/insmod_to_complete_s")
		w = median(K[i] "/sleepers/in_transition_after_s")
		printf "| %s | %s | %s |\n", K[i] == "base" ? "all-at-once" : "per-task", \
			median(K[i] "/sleepers/asleep"), \
			c != "" ? c " s" : (w != "" ? "not complete: in transition after " w " s" : "-")
	}
}'
