#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The user-facing commands run as a person runs them: in a terminal (a tmux
# pane on a private server), keys typed, the screen read back.  A stdin on
# /dev/null hides terminal bugs (QEMU stopped by SIGTTOU, a top that scrolls
# instead of redrawing), so CI must see a real pseudo-terminal.
# Usage: pty.sh STEP   STEP: demo | demo_interrupt | shell
set -euo pipefail
. "$(dirname "$0")/lib.sh"

SOCKET=hugetrack-pty-$$
SESSION=pty
LOG=$BUILD/pty
EXIT_MARK=HT-PTY-EXIT=

tmux_() {
	tmux -L "$SOCKET" "$@"
}

cleanup() {
	tmux_ kill-server 2>/dev/null || true
}
trap cleanup EXIT

# start CMD: CMD in a fresh 160x50 pane, which then prints its exit status
# (the pane's shell outlives a Ctrl-C that ends CMD: it has a handler)
start() {
	mkdir -p "$LOG"
	tmux_ -f /dev/null new-session -d -s "$SESSION" -x 160 -y 50 \
		"trap : INT; cd '$TOP' && $1; echo $EXIT_MARK\$?; sleep 3600"
	tmux_ set-option -t "$SESSION" history-limit 50000 >/dev/null
}

# screen: the pane's whole history and screen, as text
screen() {
	tmux_ capture-pane -p -J -S - -t "$SESSION"
}

# wait_for REGEX SECONDS: until the pane shows REGEX; else fail with the
# pane's last lines
wait_for() {
	local deadline=$((SECONDS + $2))

	while [ $SECONDS -lt $deadline ]; do
		screen | grep -qE "$1" && return 0
		sleep 1
	done
	screen >"$LOG/$step.txt"
	echo "no '$1' on the terminal after $2 s; its last lines ($LOG/$step.txt):"
	grep . "$LOG/$step.txt" | tail -n 15
	ps -o pid,pgid,tpgid,stat,args -t "$(tmux_ display-message -p -t "$SESSION" '#{pane_tty}')" || true
	return 1
}

# exit_status: what the pane's command exited with
exit_status() {
	screen | sed -n "s/^$EXIT_MARK\([0-9]*\)\$/\1/p" | tail -n 1
}

type_line() {
	tmux_ send-keys -t "$SESSION" -l "$1"
	tmux_ send-keys -t "$SESSION" Enter
}

# make demo reaches its check report and exits 0 (README's quick start)
step_demo() {
	start "make demo"
	wait_for "^$EXIT_MARK" 420
	screen >"$LOG/demo.txt"
	[ "$(exit_status)" = 0 ] || { echo "make demo exited $(exit_status), not 0"; tail -n 15 "$LOG/demo.txt"; return 1; }
	grep -q '^hugetrack check: FAIL: 1 anomaly' "$LOG/demo.txt" ||
		{ echo "no 'hugetrack check' report with the injected anomaly"; return 1; }
	grep -q '^# (check exited 1' "$LOG/demo.txt" ||
		{ echo "hugetrack check did not exit 1 for the injected anomaly"; return 1; }
	grep -q "the run's plot: " "$LOG/demo.txt" || { echo "make demo did not hand over its plot"; return 1; }
}

# Ctrl-C during make demo ends it, QEMU included, and gives the terminal back
step_demo_interrupt() {
	start "make demo"
	wait_for '^== hugetrack demo on' 240
	tmux_ send-keys -t "$SESSION" C-c
	wait_for "^$EXIT_MARK" 30
	screen >"$LOG/demo-interrupt.txt"
	[ "$(exit_status)" != 0 ] || { echo "make demo exited 0 after Ctrl-C"; return 1; }
	! grep -q "the run's plot" "$LOG/demo-interrupt.txt" ||
		{ echo "make demo went on to hand over a plot after Ctrl-C"; return 1; }
	! pgrep -f "qemu-system-x86_64 .*-initrd $BUILD/" >/dev/null ||
		{ echo "QEMU still runs after Ctrl-C: $(pgrep -af "qemu-system-x86_64 .*-initrd $BUILD/")"; return 1; }
}

# make shell: a prompt, a snapshot typed at it, top redrawn in place, and
# poweroff -f back to the host's shell
step_shell() {
	local top_screen

	start "make shell"
	wait_for 'hugetrack.ko is loaded' 240
	wait_for '# $' 30
	type_line "hugetrack snapshot"
	wait_for '^ANOMALIES [0-9]' 60
	type_line "hugetrack top -i 0.5"
	sleep 8
	tmux_ send-keys -t "$SESSION" C-c
	wait_for '# $' 30
	# tmux keeps what a clear screen pushed up in its history: a redraw in
	# place shows the table header once after the command, scrolling once
	# a refresh
	top_screen=$(screen | sed -n '/hugetrack top -i 0.5/,$p')
	[ "$(grep -c '^HSTATE' <<<"$top_screen")" = 1 ] || {
		echo "hugetrack top printed its table $(grep -c '^HSTATE' <<<"$top_screen") times: it scrolls instead of redrawing"
		screen >"$LOG/shell.txt"
		return 1
	}
	type_line "poweroff -f"
	wait_for "^$EXIT_MARK" 60
	screen >"$LOG/shell.txt"
	[ "$(exit_status)" = 0 ] || { echo "make shell exited $(exit_status), not 0"; return 1; }
}

command -v tmux >/dev/null || die "no tmux: run 'make setup'"
step=${1:?usage: pty.sh demo|demo_interrupt|shell}
"step_$step"
