# SPDX-License-Identifier: GPL-2.0
# The kernel's own mm selftests under hugetrack (/tests/mm, the lines of
# /tests/mm-selftests.txt for this kernel's series), for t-55-selftests.sh
# (make check's subset) and selftests.sh (make selftests).  Set up as
# run_vmtests.sh sets them up: a hugetlbfs mount, nr_hugepages per test,
# shmmax for hugepage-shm (hugetlb-shm), caches dropped and memory
# compacted before each.
# mm_pass SET runs each test without the module, then again with the
# module loaded, "hugetrack check --reset" before and "hugetrack check"
# after, and the events stream followed; each gives one TAP line: ok when the outcome is the one without the module, no
# anomaly fired and every event was delivered or counted as dropped.
# "# mm-row" lines carry the figures for the host's table.

MM=/tests/mm
MM_RUN=/tmp/mm
MM_LOG=/tmp/mm-log

# mm_tests SET: this kernel's lines of SET ("all": every line), as
# "TIMEOUT PAGES COMMAND..."
mm_tests() {
	awk -v s="$KSERIES" -v set="$1" -v only="${ht_mm_only:-}" '!/^#/ && $1 == s &&
		(set == "all" || $2 == set) && (only == "" || $5 == only) {
		$1 = $2 = ""; sub(/^[ \t]+/, ""); print }' /tests/mm-selftests.txt
}

# mm_failed_checks OUT: the checks a test's output marks as failed, one
# per line: kselftest's "not ok" lines, and the red "Fail" of the tests
# that print their own (khugepaged, whose exit status is the number of
# them), named by its "Run test:" and the check's text
mm_failed_checks() {
	awk '/Run test:/ { t = $0; sub(/.*Run test: */, "", t) }
		/^not ok / { print; next }
		/\033\[31m/ { c = $0; sub(/ *\033\[31m.*/, "", c); sub(/\.+$/, "", c)
			n = split(c, part, /\.\.\.+/); print t ": " part[n] }' $1 | sort -u
}

now_cs() {
	awk '{ printf "%d\n", $1 * 100 }' /proc/uptime
}

mm_setup() {
	mkdir -p $MM_RUN/huge $MM_LOG
	grep -q " $MM_RUN/huge " /proc/mounts || mount -t hugetlbfs none $MM_RUN/huge
	MM_SHM0="$(cat /proc/sys/kernel/shmmax) $(cat /proc/sys/kernel/shmall)"
	echo 268435456 >/proc/sys/kernel/shmmax
	echo 4194304 >/proc/sys/kernel/shmall
	MM_PAGES0=$(cat /proc/sys/vm/nr_hugepages)
}

mm_teardown() {
	umount $MM_RUN/huge
	echo "${MM_SHM0% *}" >/proc/sys/kernel/shmmax
	echo "${MM_SHM0#* }" >/proc/sys/kernel/shmall
	echo $MM_PAGES0 >/proc/sys/vm/nr_hugepages
	thp_enabled $THP_BOOT
}

# mm_name COMMAND...: the test's name in the table and the log files
mm_name() {
	echo "$*" | sed 's| huge/[^ ]*||'
}

# mm_exec TIMEOUT PAGES OUT COMMAND...: runs it as run_vmtests.sh does,
# output to OUT; MM_RESULT (pass, fail N, skip, timeout) and MM_CS (its
# time in 1/100 s).  A TIMEOUT of "20!" is a run that only ends when
# killed: killed after 20 s is its pass.  That kill is SIGKILL: since 7.x
# a test that changed hugetlb or THP settings (hugepage_settings.c)
# restores them on SIGTERM and exits 1, a failure's status.
mm_exec() {
	local limit=$1 pages=$2 out=$3 t0 status signal=TERM
	shift 3
	case $limit in *!) signal=KILL ;; esac
	rm -f $MM_RUN/huge/*
	echo 3 >/proc/sys/vm/drop_caches
	echo 1 >/proc/sys/vm/compact_memory
	echo $pages >/proc/sys/vm/nr_hugepages
	t0=$(now_cs)
	(cd $MM_RUN && exec timeout -s $signal ${limit%!} $MM/"$@") </dev/null >$out 2>&1
	status=$?
	MM_CS=$(($(now_cs) - t0))
	case $status,$limit in
	137,*!) MM_RESULT=pass ;;
	0,*) MM_RESULT=pass ;;
	4,*) MM_RESULT=skip ;;
	143,*) MM_RESULT=timeout ;;
	*) MM_RESULT="fail $status" ;;
	esac
}

# The events stream, followed while a test runs: the events after seq
# $1, counted, and the last one's seq, in $MM_LOG/received
reader_start() {
	{
		cat $HT/events &
		echo $! >$MM_LOG/reader.pid
		wait
	} | awk -v s="$1" '{ split($1, a, "="); if (a[2] + 0 > s + 0) { n++; last = a[2] } }
		END { print n + 0, (last == "" ? s : last) }' >$MM_LOG/received &
	READER=$!
	sleep 0.2
}

reader_stop() {
	# a blocked read looks again every 10 ms: a second drains it
	sleep 1
	kill $(cat $MM_LOG/reader.pid)
	wait $READER
}

# counters_sum FILE PATTERN: the sum of the counters matching PATTERN
counters_sum() {
	awk -v p="$2" '$1 ~ p { s += $2 } END { print s + 0 }' $1
}

# counters_delta BEFORE AFTER PATTERN: "name=delta" for each counter
# matching PATTERN that moved ("-" if none did)
counters_delta() {
	awk -v p="$3" 'NR == FNR { a[$1] = $2; next }
		$1 ~ p && $2 != a[$1] { printf "%s%s=%d", sep, $1, $2 - a[$1]; sep = "," }
		END { if (sep == "") print "-"; else print "" }' $1 $2
}

# mm_with TIMEOUT PAGES OUT COMMAND...: mm_exec with the module, the
# reader following events; MM_FIGURES: what hugetrack saw of it
mm_with() {
	local s0 checked
	hugetrack check --reset -q >$MM_LOG/check.before 2>&1
	cat $HT/counters >$MM_LOG/c0
	s0=$(last_seq)
	reader_start $s0
	mm_exec "$@"
	reader_stop
	cat $HT/counters >$MM_LOG/c1
	hugetrack check >$MM_LOG/check.after 2>&1
	MM_CHECK=$?
	cat $MM_LOG/check.before $MM_LOG/check.after $HT/anomalies >>$3.hugetrack
	checked=$(grep -c . $MM_LOG/check.before)
	MM_ANOM=$(($(counters_sum $MM_LOG/c1 '^anomaly_') - $(counters_sum $MM_LOG/c0 '^anomaly_')))
	MM_EVENTS=$(($(counters_sum $MM_LOG/c1 '^events_') - $(counters_sum $MM_LOG/c1 '^events_dropped$') -
		$(counters_sum $MM_LOG/c0 '^events_') + $(counters_sum $MM_LOG/c0 '^events_dropped$')))
	MM_DROPPED=$(($(counters_sum $MM_LOG/c1 '^events_dropped$') - $(counters_sum $MM_LOG/c0 '^events_dropped$')))
	set -- $(cat $MM_LOG/received)
	MM_RECEIVED=$1
	MM_GAP=$(($2 - s0 - $1 - MM_DROPPED))
	MM_WINDOWS=$(counters_delta $MM_LOG/c0 $MM_LOG/c1 '^window_')
	[ "$checked" -eq 0 ] || MM_CHECK="$MM_CHECK, before: $(head -n 1 $MM_LOG/check.before)"
}

# mm_compare_failures RESULT BASE OUT LIMIT PAGES COMMAND...: why a test
# whose outcome with the module (RESULT) differs from the one without
# (BASE) is a failure, or nothing when every check that failed with the
# module also failed without it, in that run or in one more run without
# it (the module is unloaded by then): tests whose timing under TCG
# decides how many of their checks fail (khugepaged's waits for its
# thread); or when it passed with the module and, once more, without it
# (uffd-stress shmem once failed its set-up without the module).  A
# subshell: MM_RESULT stays the run with the module's.
mm_compare_failures() {
	local result=$1 base=$2 out=$3 limit=$4 pages=$5 only
	shift 5
	case "$result,$base" in
	pass,*)
		# failed without the module, passed with it: once more without
		mm_exec $limit $pages $out.rerun "$@"
		if [ "$MM_RESULT" = pass ]; then
			echo "# pass with the module, $base without it, then pass without it:" \
				"$(grep -m1 -i 'error\|fail' $out.base)" >&2
		else
			echo "; pass with the module, $base without it, and $MM_RESULT without it again"
		fi
		return 0 ;;
	*,pass | timeout,* | *,timeout)
		echo "; $result with the module, $base without"
		return 0 ;;
	esac
	mm_failed_checks $out >$out.failed
	mm_failed_checks $out.base >$out.failed.base
	only=$(awk 'NR == FNR { failed[$0]; next } !($0 in failed)' $out.failed.base $out.failed)
	if [ -n "$only" ]; then
		mm_exec $limit $pages $out.rerun "$@"
		mm_failed_checks $out.rerun >>$out.failed.base
	fi
	only=$(awk 'NR == FNR { failed[$0]; next } !($0 in failed)' $out.failed.base $out.failed)
	if [ ! -s $out.failed ] || [ -n "$only" ]; then
		echo "; $result with the module, $base without; checks failed only with the module: $(echo "$only" | tr '\n' '|')"
		return 0
	fi
	echo "# $result with the module, $base without; every check that failed with it failed without it:" \
		$(tr '\n' '|' <$out.failed) >&2
}

# mm_pass SET: each test of SET without the module, then with it (loaded
# for that test alone: each starts from a fresh module, and from the pool
# and memory the run without it left), one TAP line for each
mm_pass() {
	local limit pages cmd name out base cs0 why
	mm_tests $1 >$MM_LOG/list
	while read -r limit pages cmd; do
		name=$(mm_name $cmd)
		out=$MM_LOG/$(echo "$name" | tr ' /' '__')
		mm_exec $limit $pages $out.base $cmd
		base=${MM_RESULT%% *}
		cs0=$MM_CS
		echo "# mm-base $name: $MM_RESULT in $MM_CS cs"
		[ "$base" = pass ] || tail -n 5 $out.base | sed 's/^/#   /'
		TAP_COUNT=$((TAP_COUNT + 1))
		if ! insmod /hugetrack.ko </dev/null; then
			echo "not ok $TAP_COUNT - mm selftest $name under hugetrack # insmod failed: $(dmesg | tail -n 1)"
			continue
		fi
		mm_with $limit $pages $out $cmd
		rmmod hugetrack
		why=""
		[ "${MM_RESULT%% *}" = "$base" ] || why=$(mm_compare_failures "$MM_RESULT" "$base" $out $limit $pages $cmd)
		[ "$MM_ANOM" -eq 0 ] && [ "$MM_CHECK" = 0 ] ||
			why="$why; $MM_ANOM anomalies (hugetrack check: $MM_CHECK): $(grep -m1 '^anomaly=' $out.hugetrack | cut -c1-300)"
		[ "$MM_GAP" -eq 0 ] || why="$why; $MM_GAP events neither delivered nor counted as dropped"
		echo "# mm-row $name|$base|${MM_RESULT%% *}|$cs0|$MM_CS|$MM_ANOM|$MM_EVENTS|$MM_DROPPED|$MM_WINDOWS"
		if [ -z "$why" ]; then
			echo "ok $TAP_COUNT - mm selftest $name under hugetrack: $base as without it, 0 anomalies, $MM_EVENTS events ($MM_DROPPED dropped), windows $MM_WINDOWS, $MM_CS cs (without: $cs0)"
		else
			echo "not ok $TAP_COUNT - mm selftest $name under hugetrack # ${why#; }"
			tail -n 15 $out | sed 's/^/#   /'
			grep '^anomaly=' $out.hugetrack | head -n 5 | sed 's/^/#   /'
		fi
	done <$MM_LOG/list
}
