#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Unpacks the files a guest handed over on its third serial port (the guest's
# artifact NAME FILE, tests/guest/lib.sh) into a directory, NAME as the path.
# Usage: artifacts.sh LOG DIR
set -euo pipefail
. "$(dirname "$0")/lib.sh"

log=${1:?usage: artifacts.sh LOG DIR}
dir=${2:?usage: artifacts.sh LOG DIR}
[ -f "$log" ] || die "no $log: the guest handed nothing over"
rm -rf "$dir"
mkdir -p "$dir"
# the guest's tty turns each newline into CR LF
tr -d '\r' <"$log" | awk -v dir="$dir" '
	/^=== hugetrack-artifact-end$/ { if (out) close(out); out = ""; next }
	/^=== hugetrack-artifact / {
		name = $3
		if (name ~ /(^|\/)\.\.(\/|$)/ || name ~ /^\//) { print "bad name " name > "/dev/stderr"; exit 1 }
		if (name ~ /\//) { d = name; sub(/\/[^\/]*$/, "", d); system("mkdir -p \"" dir "/" d "\"") }
		out = dir "/" name; printf "" > out; next
	}
	out { print > out }
'
