# SPDX-License-Identifier: GPL-2.0
# The reader, user/hugetrack, against the same ground truth as the module:
# its snapshot against sysfs and the counters file, its event stream against
# the counters, check against injected anomalies, and each error a person
# can meet.  Its JSON, Prometheus text and SVG go to the host (artifact),
# which checks them with python3's json, promtool and xmllint.
insmod /hugetrack.ko || echo "# insmod failed: $(dmesg | tail -n 1)"

# While a workload holds 4 pages (2 faulted): each hstate as sysfs says,
# every counter as the counters file says, event totals as events_<kind>.
t_snapshot_json() {
	# after the audit of the workload's mapping: its counters move on their own
	hugefault -n 4 -t 2 -- sh -c '. /tmp/lib.sh && audits_settled &&
		hugetrack snapshot --json >/tmp/s.json &&
		sysfs_hstates >/tmp/sysfs && cat '$HT'/counters >/tmp/counters' ||
		fail "snapshot during the workload failed"
	artifact snapshot.json /tmp/s.json
	expect_eq "hstates (name nr free resv surplus overcommit)" \
		"$(cat /tmp/sysfs)" "$(json_hstates /tmp/s.json)"
	expect_eq "counters" "$(sort /tmp/counters)" "$(json_object /tmp/s.json counters)"
	expect_eq "event totals" "$(sed -n 's/^events_\([a-z_]*\) /\1 /p' /tmp/counters |
		grep -v '^dropped ' | sort)" "$(json_object /tmp/s.json events)"
	[ "$(json_object /tmp/s.json events | awk '{ s += $2 } END { print s }')" -gt 0 ] ||
		fail "no events counted"
	grep -q '"anomalies":\[' /tmp/s.json && grep -q '"probes":\[{"name":"hugetlb_fault"' /tmp/s.json ||
		fail "no anomalies or probes array"
	if [ -e $HT/windows ]; then
		grep -q '"windows":\[' /tmp/s.json || fail "windows not in the snapshot"
	else
		grep -q '"windows":null' /tmp/s.json || fail "no windows file (older module): expected windows null"
	fi
}

# seqs FILE: the seq of each JSON event line
seqs() {
	sed -n 's/^{"seq":\([0-9]*\),.*/\1/p' "$1"
}

counters_sum() {
	awk '/^events_/ && $1 != "events_dropped" { s += $2 } END { print s }' $HT/counters
}

# Every event once, in order: as many as the counters grew, seq without gap.
t_events_every_one() {
	local c0 n first last
	hugetrack events --drain >/dev/null || fail "drain failed"
	c0=$(counters_sum)
	hugefault -n 3 -t 3 && hugeuffd copy 2 >/dev/null && hugefault -n 2 -t 2 -f /dev/hugepages/t50 &&
		rm /dev/hugepages/t50 || fail "workload failed"
	hugetrack events --drain --json >/tmp/ev.jsonl 2>/tmp/ev.err || fail "events failed: $(cat /tmp/ev.err)"
	n=$(grep -c '^{"seq":' /tmp/ev.jsonl)
	expect_eq "events delivered" $(($(counters_sum) - c0)) "$n"
	first=$(seqs /tmp/ev.jsonl | head -n 1)
	last=$(seqs /tmp/ev.jsonl | tail -n 1)
	expect_eq "seq span" $((n - 1)) $((last - first))
	seqs /tmp/ev.jsonl | awk 'NR > 1 && $1 != p + 1 { print "gap after " p; exit 1 } { p = $1 }' ||
		fail "a gap in seq"
	expect_eq "events_dropped" 0 "$(counter events_dropped)"
	expect_eq "the reader's stderr" "" "$(cat /tmp/ev.err)"
	grep -q '"kind":"uffd_copy"' /tmp/ev.jsonl || fail "no uffd_copy event"
}

# --kind and --pid select; the people's format has one line per event.
t_events_filters() {
	local f0 out pid
	hugetrack events --drain >/dev/null
	f0=$(counter events_fault)
	out=$(hugefault -n 3 -t 3 -v) && hugeuffd copy 1 >/dev/null || fail "workload failed"
	pid=$(field "$out" pid)
	hugetrack events --drain --kind fault >/tmp/ev.txt || fail "events --kind failed"
	cat /tmp/ev.txt
	expect_eq "--kind fault lines" $(($(counter events_fault) - f0)) "$(grep -c ' fault ' /tmp/ev.txt)"
	expect_eq "header" 1 "$(grep -c '^ *SEQ  *TIME' /tmp/ev.txt)"
	expect_eq "all lines but the header" "$(grep -c ' fault ' /tmp/ev.txt)" "$(grep -vc '^ *SEQ ' /tmp/ev.txt)"
	hugefault -n 2 -t 2 -v >/tmp/out && hugeuffd copy 1 >/dev/null || fail "workload failed"
	pid=$(field "$(cat /tmp/out)" pid)
	hugetrack events --drain --json --pid "$pid" >/tmp/ev.jsonl || fail "events --pid failed"
	# the mapping's life: 2 reserves, its faults, zap, vma_close, truncate, unreserve
	expect_eq "events of pid $pid" 8 "$(grep -c "\"pid\":$pid," /tmp/ev.jsonl)"
	expect_eq "events of others" 0 "$(grep -vc "\"pid\":$pid," /tmp/ev.jsonl)"
}

# check: 0 after clean workloads, 1 with a report naming the rule and pid
# after an injected one; --reset starts over.
t_check() {
	local out pid status
	echo reset >$HT/control
	hugefault -n 4 -t 4 -F -W >/dev/null && hugeuffd copy 2 >/dev/null &&
		{ [ "$HAS_THP" = 0 ] || thpcollapse -q; } || fail "clean workload failed"
	out=$(hugetrack check)
	status=$?
	echo "$out"
	expect_eq "check status after clean workloads" 0 $status
	insmod /tests/ht_inject.ko mode=extra_ref || fail "cannot load ht_inject"
	out=$(hugefault -n 1 -t 1 -v -- rmmod ht_inject)
	pid=$(field "$out" pid)
	out=$(hugetrack check --reset)
	status=$?
	echo "$out"
	expect_eq "check status after an injected anomaly" 1 $status
	echo "$out" | grep -q "ref_map_mismatch: pid $pid (hugefault) fault at 0x" ||
		fail "the report does not name the rule and pid $pid"
	echo "$out" | grep -q '^      .*+0x' || fail "the report has no stack"
	hugetrack check -q
	expect_eq "check status after --reset" 0 $?
}

# --prom: values as the counters file and sysfs say (promtool on the host).
t_prom() {
	hugetrack snapshot --prom >/tmp/m.prom || fail "snapshot --prom failed"
	artifact metrics.prom /tmp/m.prom
	expect_eq "events_total{kind=fault}" "$(counter events_fault)" \
		"$(sed -n 's/^hugetrack_events_total{kind="fault"} //p' /tmp/m.prom)"
	expect_eq "hstate_pages resv" "$(cat $SYS2M/resv_hugepages)" \
		"$(sed -n 's/^hugetrack_hstate_pages{hstate="hugepages-2048kB",state="resv"} //p' /tmp/m.prom)"
	expect_eq "probe_active hugetlb_fault" 1 \
		"$(sed -n 's/^hugetrack_probe_active{probe="hugetlb_fault",group="hugetlb"} //p' /tmp/m.prom)"
	# every sample line: a hugetrack_ name, optional labels, one value
	! grep -v '^# \(HELP\|TYPE\) hugetrack_[a-zA-Z0-9_]* \|^hugetrack_[a-zA-Z0-9_]*\({[^}]*}\)\? [0-9]*$' /tmp/m.prom ||
		fail "lines out of the exposition format"
}

# record during a workload with an injected anomaly, then plot.
t_record_plot() {
	local rows pid
	echo reset >$HT/control
	hugetrack record -o /tmp/r.csv -i 0.2 & pid=$!
	sleep 1
	hugefault -n 6 -t 2 -- sleep 1 >/dev/null
	insmod /tests/ht_inject.ko mode=extra_ref && hugefault -n 1 -t 1 -- rmmod ht_inject >/dev/null
	hugefault -n 3 -t 3 -- sleep 1 >/dev/null
	kill -TERM $pid
	wait $pid
	expect_eq "record's status after SIGTERM" 0 $?
	rows=$(grep -c ',hugepages-2048kB,' /tmp/r.csv)
	[ "$rows" -ge 10 ] || fail "only $rows samples"
	# 6 reserved at mmap, 2 of them consumed by faults: 4 held for a second
	awk -F, '$2 == "hugepages-2048kB" && $5 == 4 { found = 1 } END { exit !found }' /tmp/r.csv ||
		fail "the 4 pages reserved for a second are not in the series"
	hugetrack plot /tmp/r.csv -o /tmp/r.svg || fail "plot failed"
	artifact record.csv /tmp/r.csv
	artifact plot.svg /tmp/r.svg
	expect_eq "polylines" 3 "$(grep -c '<polyline' /tmp/r.svg)"
	grep -q '>anomaly +1<' /tmp/r.svg || fail "no anomaly marker"
	tail -n 1 /tmp/r.svg | grep -q '^</svg>$' || fail "the SVG is not closed"
	echo reset >$HT/control
}

t_error_not_root() {
	grep -q '^nobody:' /etc/passwd 2>/dev/null ||
		{ mkdir -p /etc && echo 'nobody:x:65534:65534:nobody:/tmp:/bin/sh' >>/etc/passwd; }
	expect_error 3 "run as root" su nobody -s /bin/sh -c "/tests/bin/hugetrack snapshot"
}

t_error_no_debugfs() {
	umount /sys/kernel/debug || fail "cannot unmount debugfs"
	expect_error 4 "debugfs is not mounted" hugetrack check
	mount -t debugfs debugfs /sys/kernel/debug
}

t_error_no_module() {
	rmmod hugetrack || fail "cannot unload"
	expect_error 5 "module is not loaded" hugetrack top -n 1
	insmod /hugetrack.ko
}

# A module newer or older than the reader: the file and line are named.
t_error_format() {
	rm -rf /tmp/fake && mkdir /tmp/fake && cp $HT/hstates $HT/probes $HT/counters $HT/anomalies /tmp/fake/ ||
		fail "cannot copy the files"
	hugetrack snapshot --debugfs /tmp/fake >/dev/null || fail "the copy does not read"
	# its last hstate: the debug kernel has one (2 MiB), the others two
	sed -i '$s/ [0-9][0-9]* / x /' /tmp/fake/hstates
	expect_error 6 "/tmp/fake/hstates:$(grep -c . /tmp/fake/hstates): " hugetrack snapshot --debugfs /tmp/fake
	cp $HT/hstates /tmp/fake/ && echo 'events_fault' >>/tmp/fake/counters
	expect_error 6 "/tmp/fake/counters:$(grep -c . /tmp/fake/counters): " hugetrack check --debugfs /tmp/fake
}

# expect_usage TEXT COMMAND...: status 2, TEXT on the first line
expect_usage() {
	local text=$1
	shift
	"$@" >/dev/null 2>/tmp/err
	expect_eq "exit status of $*" 2 $?
	head -n 1 /tmp/err | grep -q "$text" || fail "message without '$text': $(cat /tmp/err)"
}

t_error_usage() {
	expect_usage "unknown command" hugetrack frobnicate
	expect_usage "interval" hugetrack top -i 0
	expect_usage "FILE.csv" hugetrack plot /tmp/r.csv
}

# The files as this kernel writes them, for the host's parser tests.
dump_fixtures() {
	local f
	insmod /tests/ht_inject.ko mode=extra_ref && hugefault -n 1 -t 1 -- rmmod ht_inject >/dev/null
	hugeuffd copy 1 >/dev/null
	hugefault -n 2 -t 2 -F -W >/dev/null
	hugefault -n 2 -t 2 -f /dev/hugepages/fixture -P >/dev/null
	rm -f /dev/hugepages/fixture
	for f in hstates probes counters anomalies faults windows reservations; do
		[ -e $HT/$f ] && artifact fixture/$f $HT/$f
	done
	true
}

cp /tests/lib.sh /tmp/lib.sh
run_test "reader: snapshot --json equals sysfs and counters during a workload" t_snapshot_json
run_test "reader: events delivers every event, no seq gap, none dropped" t_events_every_one
run_test "reader: events --kind and --pid select exactly" t_events_filters
run_test "reader: check exits 0 after clean workloads, 1 after an injected anomaly" t_check
run_test "reader: snapshot --prom values equal counters and sysfs" t_prom
run_test "reader: record and plot a workload with an anomaly" t_record_plot
run_test "reader: top on a pipe prints a line a refresh, as sysfs" top_pipe_as_sysfs
run_test "reader: not root: exit 3 and what to do" t_error_not_root
run_test "reader: debugfs not mounted: exit 4 and what to do" t_error_no_debugfs
run_test "reader: module not loaded: exit 5 and what to do" t_error_no_module
run_test "reader: unexpected format: exit 6 naming file and line" t_error_format
run_test "reader: usage errors: exit 2" t_error_usage
dump_fixtures
rmmod hugetrack
run_test "dmesg has no warning or oops after the reader tests" dmesg_clean
