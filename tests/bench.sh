#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench: what hugetrack costs a faulting task.  Per test kernel, one
# guest boot runs tests/guest/bench.sh (every workload under every
# configuration, interleaved, in rounds); this prints, per workload, the
# median ns per operation of each configuration with its spread, the ratios
# of the overheads, and one machine-readable "bench ..." line.
# HT_KERNELS narrows the kernels; HT_BENCH passes sizes to the guest
# ("ht_rounds=7 ht_n_cached=8000", see tests/guest/bench.sh).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# summarize VER LOG: the table and the bench lines of one guest's results
summarize() {
	awk -v kernel="$1" -v date="$(date -u +%Y-%m-%d)" '
	# median of a space-separated list; sets spread: (max-min)/median in %
	function median(list,    v, n, i, j, t, mid) {
		n = split(list, v, " ")
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && v[j - 1] + 0 > v[j] + 0; j--) {
				t = v[j]; v[j] = v[j - 1]; v[j - 1] = t
			}
		mid = n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
		spread = mid ? 100 * (v[n] - v[1]) / mid : 0
		return mid
	}
	function ratio(x, y) { return y > 0 && x != "" ? sprintf("%.2f", x / y) : "-" }
	function over(c) { return (c in m) && ("a" in m) ? m[c] - m["a"] : "" }
	$1 == "memory" { split($2, kv, "="); memory = kv[2] }
	$1 == "result" {
		for (i = 2; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] }
		w = f["workload"]; c = f["config"]
		if (!(w in seen)) { seen[w] = 1; order[++nw] = w }
		ns[w, c] = ns[w, c] " " f["ns"]
		lost[w, c] += f["dropped"]
		unheld[w, c] += f["unheld"]
		rounds = f["round"]
	}
	END {
		if (!nw) { print "bench: no results from " kernel; exit 1 }
		printf "\n%s, %s: ns per operation (counted instructions), median of %d rounds, spread (max-min)/median\n",
			kernel, date, rounds
		printf "%-11s %15s %15s %15s %15s %15s %15s %15s %15s %15s %15s %5s %6s %6s %5s %5s %7s %7s %5s %7s %5s %7s %5s\n", "workload",
			"a none", "b hugetrack", "c floor", "d ftrace", "e b -wp", "f b +reader", "g bpf",
			"h b +cat", "i b +records", "j b -audit", "b/a", "ht/flr", "ht/ftr", "wp", "rdr", "dropped", "bpf/flr",
			"cat", "dr_cat", "rec", "dr_rec", "aud"
		for (k = 1; k <= nw; k++) {
			w = order[k]
			delete m
			line = sprintf("bench kernel=%s date=%s workload=%s rounds=%d", kernel, date, w, rounds)
			row = sprintf("%-11s", w)
			for (ci = 1; ci <= 10; ci++) {
				c = substr("abcdefghij", ci, 1)
				if (!((w, c) in ns)) { row = row sprintf(" %15s", "-"); continue }
				m[c] = median(ns[w, c])
				row = row sprintf(" %10d %3.0f%%", m[c], spread)
				line = line sprintf(" %s_ns=%d %s_spread_pct=%.1f", c, m[c], c, spread)
			}
			ht = over("b")
			r_ba = ratio(m["b"], m["a"]); r_flr = ratio(ht, over("c")); r_ftr = ratio(ht, over("d"))
			wp = ("e" in m) ? ratio(m["b"] - m["e"], ht) : "-"
			rdr = ("f" in m) ? ratio(m["f"] - m["b"], ht) : "-"
			cat = ("h" in m) ? ratio(m["h"] - m["b"], ht) : "-"
			rec = ("i" in m) ? ratio(m["i"] - m["b"], ht) : "-"
			aud = ("j" in m) ? ratio(m["b"] - m["j"], ht) : "-"
			r_bpf = ratio(over("g"), over("c"))
			row = row sprintf(" %5s %6s %6s %5s %5s %7d %7s %5s %7d %5s %7d %5s", r_ba, r_flr, r_ftr, wp, rdr,
				lost[w, "f"], r_bpf, cat, lost[w, "h"], rec, lost[w, "i"], aud)
			line = line sprintf(" b_over_a=%s ht_over_floor=%s ht_over_ftrace=%s wp_share=%s reader_over_ht=%s dropped=%d memory_bytes=%d bpf_over_floor=%s cat_over_ht=%s cat_dropped=%d records_over_ht=%s records_dropped=%d audit_share=%s unheld=%d",
				r_ba, r_flr, r_ftr, wp, rdr, lost[w, "f"], memory, r_bpf, cat, lost[w, "h"], rec, lost[w, "i"], aud, unheld[w, "b"])
			print row
			lines[k] = line
			if (w ~ /^(tasks[0-9]+|inflight)$/) {
				scale[++ns_rows] = w
				scale_ht[w] = ht; scale_flr[w] = over("c"); scale_ratio[w] = r_flr
			}
		}
		if (ns_rows) {
			print "\nscale: per operation, the overhead of hugetrack (b-a) and of the floor (c-a) against the tasks at once;"
			print "unheld: probe calls missed and operations not followed under b, all rounds"
			printf "%-11s %6s %8s %8s %6s %9s %7s\n", "workload", "tasks", "b-a", "c-a", "ht/flr", "b-a/1tsk", "unheld"
			for (k = 1; k <= ns_rows; k++) {
				w = scale[k]
				tasks = w == "inflight" ? 1001 : substr(w, 6)
				printf "%-11s %6d %8s %8s %6s %9s %7d\n", w, tasks, scale_ht[w], scale_flr[w], scale_ratio[w],
					ratio(scale_ht[w], scale_ht["tasks1"]), unheld[w, "b"]
			}
		}
		print "b/a: slowdown; ht/flr, ht/ftr: hugetrack overhead (b-a) over the floor (c-a), over ftrace (d-a);"
		print "wp: share of (b-a) the watchpoints cost (b-e); rdr: what the reader adds (f-b) over (b-a);"
		print "bpf/flr: the BPF backend overhead (g-a) over the floor (c-a); cat: what cat events adds (h-b) over (b-a);"
		print "rec: what a reader of events_bin that prints nothing adds (i-b) over (b-a);"
		print "aud: share of (b-a) the ledger audits cost (b-j); ledger<M>: one read of reservations with M mappings (b only);"
		printf "dropped, dr_cat, dr_rec: events the reader of f, h, i lost, all rounds; hugetrack preallocates %d bytes\n", memory
		for (k = 1; k <= nw; k++)
			print lines[k]
	}' "$2"
}

# tasks_svg BENCH-LINES: an SVG of the overhead a fault against the tasks
# faulting at once (the tasksT rows), hugetrack's (b-a) solid and the
# floor's (c-a) dashed, one colour a kernel
tasks_svg() {
	awk '
	function field(name,    i, kv) {
		for (i = 1; i <= NF; i++) { split($i, kv, "="); if (kv[1] == name) return kv[2] }
		return ""
	}
	function x(t) { return 70 + 520 * log(t) / log(128) }
	function y(v) { return 300 - 260 * v / top }
	$1 == "bench" && field("workload") ~ /^tasks[0-9]+$/ {
		k = field("kernel"); t = substr(field("workload"), 6) + 0
		if (!(k in seen)) { seen[k] = 1; kern[++nk] = k }
		ht[k, t] = field("b_ns") - field("a_ns"); flr[k, t] = field("c_ns") - field("a_ns")
		if (ht[k, t] > top) top = ht[k, t]
		counts[t] = 1
	}
	END {
		if (!nk) exit 1
		top = top * 1.1
		split("#1f77b4 #d62728 #2ca02c #9467bd #ff7f0e #8c564b", colour, " ")
		print "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"640\" height=\"380\" font-family=\"sans-serif\" font-size=\"12\">"
		print "<rect width=\"640\" height=\"380\" fill=\"white\"/>"
		print "<line x1=\"70\" y1=\"300\" x2=\"600\" y2=\"300\" stroke=\"black\"/><line x1=\"70\" y1=\"30\" x2=\"70\" y2=\"300\" stroke=\"black\"/>"
		for (t in counts)
			printf "<text x=\"%.0f\" y=\"318\" text-anchor=\"middle\">%d</text>\n", x(t), t
		for (i = 0; i <= 4; i++)
			printf "<text x=\"64\" y=\"%.0f\" text-anchor=\"end\">%d</text>\n", y(top * i / 4) + 4, top * i / 4
		print "<text x=\"335\" y=\"340\" text-anchor=\"middle\">tasks faulting at once (tasksT)</text>"
		print "<text x=\"16\" y=\"165\" transform=\"rotate(-90 16 165)\" text-anchor=\"middle\">overhead a fault, counted ns</text>"
		for (n = 1; n <= nk; n++) {
			k = kern[n]
			for (pass = 1; pass <= 2; pass++) {
				pts = ""
				for (t = 1; t <= 128; t *= 2)
					if ((k, t) in ht)
						pts = pts sprintf(" %.0f,%.0f", x(t), y(pass == 1 ? ht[k, t] : flr[k, t]))
				printf "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s points=\"%s\"/>\n",
					colour[n], pass == 2 ? " stroke-dasharray=\"5,4\"" : "", pts
			}
			printf "<text x=\"90\" y=\"%d\" fill=\"%s\">%s: hugetrack (b-a), floor dashed (c-a)</text>\n", 30 + 16 * n, colour[n], k
		}
		print "</svg>"
	}' "$1"
}

# write_results TABLES: the Results section of docs/bench.md, between its
# markers, and docs/bench-tasks.svg, from this run
write_results() {
	local doc=docs/bench.md begin='<!-- make bench: results begin -->' end='<!-- make bench: results end -->'
	grep -qx -- "$begin" $doc && grep -qx -- "$end" $doc || die "$doc lacks its results markers"
	{
		sed "/^$begin\$/q" $doc
		echo
		echo "\`make bench\` on $(date -u +%Y-%m-%d)${HT_BENCH:+, \`HT_BENCH=\"$HT_BENCH\"\`}:"
		echo
		grep -v '^bench ' "$1" | sed '/./,$!d; s/^\(.\)/    \1/'
		if tasks_svg "$1" >docs/bench-tasks.svg; then
			echo
			echo '![overhead a fault against the tasks faulting at once](bench-tasks.svg)'
		fi
		echo
		sed -n "/^$end\$/,\$p" $doc
	} >$BUILD/bench.md
	mv $BUILD/bench.md $doc
	echo "# wrote $doc and docs/bench-tasks.svg"
}

cd "$TOP"
kernels=$(test_kernels)
[ -n "$kernels" ] || die "no test kernel: need /boot/vmlinuz-<ver> with /lib/modules/<ver>/build (run 'make setup')"
make -s modules-all
status=0
: >$BUILD/bench-tables.txt
for ver in $kernels; do
	log=$BUILD/$ver/bench.log
	tests/initramfs.sh "$ver"
	echo "# $ver: bench guest booting (TCG, counted instructions; several minutes)"
	HT_BOOT_TIMEOUT=${HT_BOOT_TIMEOUT:-3600} tests/vm.sh "$ver" bench || true
	grep '^# \(bench\|dmesg\)' "$log" 2>/dev/null || true
	if ! grep -q '^# hugetrack-bench-done' "$log" 2>/dev/null; then
		echo "bench: the $ver guest did not finish: see $BUILD/$ver/console.log" >&2
		status=1
		continue
	fi
	grep -E '^(probes|ftrace|watchpoints) ' "$log" | sed "s/^/# $ver: /"
	summarize "$ver" "$log" | tee -a $BUILD/bench-tables.txt || status=1
done
[ $status != 0 ] || write_results $BUILD/bench-tables.txt
exit $status
