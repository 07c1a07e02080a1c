# SPDX-License-Identifier: GPL-2.0
# What "make demo" shows: hugetrack loaded on the test kernel, the reader's
# live view of a mixed workload (hugetlb faults, UFFDIO_COPY, a collapse,
# one injected accounting error), the files a developer would cat, and
# hugetrack check.  The plot of the run goes to the host (artifact).
. /tests/lib.sh

show() {
	echo
	echo "# cat $HT/$1${2:+ | $2}"
	if [ -n "$2" ]; then
		cat $HT/$1 | sh -c "$2"
	else
		cat $HT/$1
	fi
}

# private and shared faults, a fork with copy-on-write, UFFDIO_COPY (one onto
# a cached page: EEXIST), UFFDIO_CONTINUE, a hole punch, MADV_COLLAPSE of an
# anonymous range and of a shmem file, two race windows driven open (a fault
# on a page UFFDIO_COPY will retry; a PMD unshare while another thread's
# fault is past huge_pte_alloc), and one extra folio reference injected into
# a fault
workload() {
	sleep 1
	hugefault -n 8 -t 2 -- sleep 2 >/dev/null
	hugefault -n 4 -t 4 -F -W >/dev/null
	hugefault -n 2 -t 2 -f /dev/hugepages/demo -P
	hugeuffd copy 2 /dev/hugepages/demo-uffd >/dev/null
	sleep 1
	hugeuffd continue 2 /dev/hugepages/demo-minor >/dev/null
	mkdir -p /tmp/thp && mount -t tmpfs -o huge=advise tmpfs /tmp/thp
	thpcollapse -q
	thpcollapse -q -f /tmp/thp/demo
	hugeuffd -R >/dev/null
	hugeuffd -U /dev/hugepages/demo-unshare >/dev/null
	rm -f /dev/hugepages/demo* /tmp/thp/demo
	insmod /tests/ht_inject.ko mode=extra_ref
	hugefault -n 1 >/dev/null
	rmmod ht_inject
	hugefault -n 6 -t 6 -- sleep 2 >/dev/null
}

echo
echo "== hugetrack demo on $(uname -r)"
insmod /hugetrack.ko || { echo "demo: insmod failed"; dmesg | tail -n 5; exit 1; }
hugetrack record -o /tmp/demo.csv -i 0.25 &
recorder=$!
workload &
worker=$!
echo "# hugetrack top -n 10, while a workload runs"
sleep 1
hugetrack top -n 10
wait $worker
kill -TERM $recorder
wait $recorder
hugetrack plot /tmp/demo.csv -o /tmp/demo.svg && artifact plot.svg /tmp/demo.svg
artifact record.csv /tmp/demo.csv
echo
echo "# hugetrack top -n 3 -i 0.5 | cat  (on a pipe: a line a refresh)"
hugetrack top -n 3 -i 0.5 | cat
show hstates
show counters
show faults "grep -v kind=collapse | tail -n 6"
show faults "grep kind=collapse"
show windows
show anomalies
show writers
show probes "sed -n '1,3p;/missing/p;/acct_memory/p;/ watch /p'"
show summary
show control
echo
echo "# hugetrack check"
hugetrack check
echo "# (check exited $?: the demo injected that anomaly on purpose)"
rmmod hugetrack
