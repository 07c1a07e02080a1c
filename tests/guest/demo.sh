# SPDX-License-Identifier: GPL-2.0
# What "make demo" shows: hugetrack loaded on the test kernel, a hugetlb
# workload, and the files a developer would cat.
HT=/sys/kernel/debug/hugetrack

show() {
	echo
	echo "# cat $1"
	cat "$1"
}

echo
echo "== hugetrack demo on $(uname -r)"
insmod /hugetrack.ko || { echo "demo: insmod failed"; dmesg | tail -n 5; exit 1; }
echo "# hugefault -n 6 -t 6 -- cat $HT/hstates   (6 huge pages faulted, held)"
hugefault -n 6 -t 6 -- cat $HT/hstates
echo "# hugefault -n 4 -t 2 -f /dev/hugepages/demo   (shared file, 2 of 4 faulted)"
hugefault -n 4 -t 2 -f /dev/hugepages/demo
rm -f /dev/hugepages/demo
show $HT/hstates
show $HT/probes
rmmod hugetrack
