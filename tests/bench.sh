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
			if (w ~ /^(threads[0-9]+|inflight)$/) {
				scale[++ns_rows] = w
				scale_ht[w] = ht; scale_flr[w] = over("c"); scale_ratio[w] = r_flr
			}
		}
		if (ns_rows) {
			print "\nscale: per operation, the overhead of hugetrack (b-a) and of the floor (c-a) against the tasks at once;"
			print "unheld: probe calls missed and operations not followed under b, all rounds"
			printf "%-11s %6s %8s %8s %6s %9s %7s\n", "workload", "tasks", "b-a", "c-a", "ht/flr", "b-a/1thr", "unheld"
			for (k = 1; k <= ns_rows; k++) {
				w = scale[k]
				tasks = w == "inflight" ? 1001 : substr(w, 8)
				printf "%-11s %6d %8s %8s %6s %9s %7d\n", w, tasks, scale_ht[w], scale_flr[w], scale_ratio[w],
					ratio(scale_ht[w], scale_ht["threads1"]), unheld[w, "b"]
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

cd "$TOP"
kernels=$(test_kernels)
[ -n "$kernels" ] || die "no test kernel: need /boot/vmlinuz-<ver> with /lib/modules/<ver>/build (run 'make setup')"
make -s modules-all
status=0
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
	summarize "$ver" "$log" || status=1
done
exit $status
