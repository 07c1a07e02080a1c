# SPDX-License-Identifier: GPL-2.0
# The debug kernel only: CONFIG_DEBUG_PAGE_REF's page_ref tracepoints record
# every change of a page's refcount, independently of hugetrack.  For each
# fault and uffd fill of a workload, hugetrack's ref=A->B must be what the
# records of the same pfn within the event's time say.

# pageref_truth EVENTS TRACE: for each event line "seq pfn time_ns dur_ns
# ref", prints "seq pfn ref truth records", truth being the refcount before
# the first record of that pfn within the event's time -> after the last
# ("none" without a record).  The trace's clock is mono, as hugetrack's
# ktime_get_ns, printed in microseconds: the window is widened to whole ones.
pageref_truth() {
	awk '
	FNR == NR {
		n++; seq[n] = $1; pfn[n] = $2; ref[n] = $5
		from[n] = int($3 / 1000); to[n] = int(($3 + $4) / 1000) + 1
		next
	}
	{
		for (i = 1; i <= NF && $i !~ /^page_ref_[a-z_]*:$/; i++) ;
		if (i > NF) next
		kind = substr($i, 1, length($i) - 1)
		# as one decimal: busybox awk reads the microseconds "017416" as octal
		ts = $(i - 1); sub(/:$/, "", ts)
		us = int(ts * 1000000 + 0.5)
		delete f
		for (j = i + 1; j <= NF; j++) { split($j, kv, "="); f[kv[1]] = kv[2] }
		count = f["count"] + 0; val = f["val"] + 0; ret = f["ret"] + 0
		# count is the refcount after the change
		if (kind == "page_ref_set" || kind == "page_ref_unfreeze")
			before = 0	# a hugetlb folio is frozen at 0 in the pool
		else if (kind == "page_ref_freeze")
			before = ret ? val : count
		else if (kind == "page_ref_mod_unless")
			before = ret ? count - val : count
		else
			before = count - val
		for (k = 1; k <= n; k++) {
			if (pfn[k] != f["pfn"] || us < from[k] || us > to[k]) continue
			if (!(k in first)) first[k] = before
			last[k] = count; records[k]++
		}
	}
	END {
		for (k = 1; k <= n; k++)
			print seq[k], pfn[k], ref[k], (k in first) ? first[k] "->" last[k] : "none", records[k] + 0
	}' "$1" "$2"
}

t_pageref_matches() {
	local s0 buffer_kb lost events status
	local shared=/dev/hugepages/t27 cont=/dev/hugepages/t27c
	[ -d $TRACING/events/page_ref ] || fail "no events/page_ref: is CONFIG_DEBUG_PAGE_REF on?"
	# "7 (expanded: 1408)" before the buffer was first used: 1408
	buffer_kb=$(awk '{ gsub(/[^0-9 ]/, ""); print $NF }' $TRACING/buffer_size_kb)
	echo mono >$TRACING/trace_clock && echo 8192 >$TRACING/buffer_size_kb &&
		echo 1 >$TRACING/options/event-fork && : >$TRACING/trace || fail "cannot set up tracing"
	s0=$(last_seq)
	# the page_ref events of this shell and its children only
	sh -c "echo \$\$ >$TRACING/set_event_pid && echo 1 >$TRACING/events/page_ref/enable &&
		hugefault -n 4 -t 4 && hugefault -n 2 -t 2 -f $shared -F &&
		hugefault -n 2 -t 2 -F -W && hugeuffd copy 2 && hugeuffd continue 2 $cont" >/dev/null
	status=$?
	echo 0 >$TRACING/events/page_ref/enable
	: >$TRACING/set_event_pid
	cat $TRACING/trace >/tmp/pageref.trace
	lost=$(cat $TRACING/per_cpu/cpu*/stats |
		awk '$1 == "overrun:" || $1 == "dropped" { s += $NF } END { print s + 0 }')
	echo 0 >$TRACING/options/event-fork
	echo local >$TRACING/trace_clock
	echo "$buffer_kb" >$TRACING/buffer_size_kb
	rm -f $shared $cont
	[ $status -eq 0 ] || fail "workload failed"
	expect_eq "page_ref records lost" 0 "$lost" || return 1

	events_after $s0 | grep -E 'kind=(fault|uffd_copy|uffd_continue) ' | grep -v ' pfn=- ' |
		while read -r line; do
			echo "$(field "$line" seq) $(field "$line" pfn) $(field "$line" time_ns)" \
				"$(field "$line" dur_ns) $(field "$line" ref)"
		done >/tmp/pageref.events
	events=$(grep -c . /tmp/pageref.events)
	# 4 private, 2 shared + 2 by the child, 2 copies-on-write (and the
	# parent's 2 faults before), 2 uffd copies, 2 continues
	[ "$events" -ge 16 ] || fail "only $events events with a folio: $(cat /tmp/pageref.events)"
	pageref_truth /tmp/pageref.events /tmp/pageref.trace >/tmp/pageref.joined
	cat /tmp/pageref.joined
	awk '
		$4 == "none" { split($3, r, "->"); if (r[1] != r[2]) bad = bad " seq " $1 " pfn " $2 ": hugetrack " $3 ", no record" ; next }
		$3 != $4 { bad = bad " seq " $1 " pfn " $2 ": hugetrack " $3 ", page_ref " $4 }
		END { if (bad != "") { print "mismatch:" bad; exit 1 } }' /tmp/pageref.joined || {
		cat /tmp/pageref.events
		grep -v '^#' /tmp/pageref.trace | grep -E "$(awk '$4 == "none" || $3 != $4 { printf "%s%s ", sep, $2; sep = "|" }' /tmp/pageref.joined)"
		cat $TRACING/per_cpu/cpu*/stats
		fail "mismatch: $(awk '$4 == "none" || $3 != $4 { print $1, $2 }' /tmp/pageref.joined | tr '\n' ' ')"
	}
	# new folios go from 0: the tracepoints must have seen each
	awk '$3 ~ /^0->/ && $5 == 0 { print "no page_ref record of new folio " $2; exit 1 }' /tmp/pageref.joined
}

if [ "$DEBUG_KERNEL" = 1 ]; then
	insmod /hugetrack.ko || echo "# insmod failed: $(dmesg | tail -n 1)"
	run_test "each fault's and uffd fill's ref equals the page_ref tracepoints' records" t_pageref_matches
	echo "# page_ref cross-check: $(grep -c . /tmp/pageref.joined) events," \
		"$(awk '{ s += $5 } END { print s + 0 }' /tmp/pageref.joined) records of their pfns"
	rmmod hugetrack
fi
