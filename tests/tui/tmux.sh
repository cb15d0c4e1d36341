#!/usr/bin/env bash
# reachmap top in a real terminal: a detached tmux session of 80x24 on a
# private tmux server, keys sent with send-keys, the screen read with
# capture-pane and compared with what a user must see. Every wait is
# bounded: poll the screen up to N times, 0.1 s apart.
set -u
bin=$(realpath "${1:?usage: tmux.sh REACHMAP}")
cd "$(dirname "$0")/../.."
if ! command -v tmux >/dev/null; then
	echo "top.tmux: SKIP: tmux is not installed (make deps installs it)"
	exit 77
fi
tmp=$(mktemp -d)
sock=$tmp/tmux.sock
T() { tmux -S "$sock" "$@"; }
trap 'T kill-server 2>/dev/null; sleep 0.2; rm -rf "$tmp"' EXIT
pass=0 fail=0
fixtures=$PWD/tests/tui

screen() { T capture-pane -p -t "$1"; }
ok() { echo "ok   $1"; pass=$((pass + 1)); }
bad() { # NAME WHY SESSION
	echo "FAIL $1: $2"; echo "---- screen ----"; screen "$3" | sed 's/^/| /'; echo "----"
	fail=$((fail + 1))
}
# wait_for SESSION TEXT [TRIES]: the text on the screen within TRIES x 0.1 s
wait_for() {
	local i
	for ((i = 0; i < ${3:-50}; i++)); do
		screen "$1" | grep -qF -- "$2" && return 0
		sleep 0.1
	done
	return 1
}
# wait_gone SESSION TEXT [TRIES]
wait_gone() {
	local i
	for ((i = 0; i < ${3:-50}; i++)); do
		screen "$1" | grep -qF -- "$2" || return 0
		sleep 0.1
	done
	return 1
}
# expect NAME SESSION TEXT: TEXT shows up
expect() {
	if wait_for "$2" "$3"; then ok "$1"; else bad "$1" "no '$3' on the screen" "$2"; fi
}
# expect_line NAME SESSION LINE-NUMBER EXACT-TEXT (trailing blanks ignored)
expect_line() {
	local got i
	for ((i = 0; i < 30; i++)); do
		got=$(screen "$2" | sed -n "$3p" | sed 's/ *$//')
		[ "$got" = "$4" ] && { ok "$1"; return; }
		sleep 0.1
	done
	bad "$1" "line $3 is '$got', want '$4'" "$2"
}
expect_not() { # NAME SESSION TEXT: TEXT is not on the screen
	if wait_gone "$2" "$3" 10; then ok "$1"; else bad "$1" "'$3' still on the screen" "$2"; fi
}
# A shell in a new 80x24 session, its terminal settings saved in $tmp/NAME.stty.
shell() {
	T new-session -d -s "$1" -x 80 -y 24 "env -i PATH=/usr/bin:/bin TERM=screen HOME=$tmp HISTFILE=/dev/null PS1='$ ' bash --norc --noprofile -i"
	wait_for "$1" '$' 30 || { echo "FAIL $1: no shell prompt"; fail=$((fail + 1)); }
	T send-keys -t "$1" "stty -g > $tmp/$1.stty; ulimit -c 0; clear; echo shell-before-top" Enter
	wait_for "$1" 'shell-before-top' 30
}
# run_top SESSION ARGS...: reachmap top in the session's shell; the
# reachmap's pid goes to $tmp/SESSION.pid, its exit code is echoed after.
run_top() {
	local s=$1; shift
	T send-keys -t "$s" "bash -c 'echo \$\$ > $tmp/$s.pid; exec \"\$0\" \"\$@\"' $bin top $* ; echo EXIT=\$?" Enter
}
# After top ended: the shell's screen is back, the exit code is $2 and the
# terminal is as sane as before (stty settings identical).
expect_restored() { # NAME SESSION EXIT
	local s=$2
	if ! wait_for "$s" "EXIT=$3" 50; then bad "$1: exit" "no EXIT=$3" "$s"; return; fi
	if screen "$s" | grep -qF 'shell-before-top'; then ok "$1: the shell's screen is back"
	else bad "$1: the shell's screen is back" "the screen before top is gone" "$s"; fi
	T send-keys -t "$s" "stty -g > $tmp/$s.after; cmp -s $tmp/$s.stty $tmp/$s.after && echo STTY-SAME || echo STTY-CHANGED" Enter
	if wait_for "$s" "STTY-SAME" 30; then ok "$1: stty settings as before"
	else bad "$1: stty settings as before" "terminal modes changed" "$s"; fi
}

# --- the overview, drill-down, detail -----------------------------------
shell main
run_top main "$fixtures/multi-fault.json"
expect_line "verdict and counts" main 1 "reachmap top  FAIL  2 errors 2 warnings 1 info  2026-11-24T09:00:00Z, $(( ($(date +%s) - $(date -d 2026-11-24T09:00:00Z +%s)) / 86400 ))d old"
expect_line "cluster header" main 3 "from \\ to west   east"
expect_line "west row: west -> east unreachable, 16 failing" main 4 "west      .      # 16"
expect_line "east row: east -> west dropped, east -> east rejected" main 5 "east      x 9    ! 1"
expect "failing cells counted" main "[clusters] | check: all | filter: - | failing cells 3 of 4"
expect "the cursor's cell explained" main " west -> west: . ok, 60 measured  Enter: zones"
T send-keys -t main Right
expect "moving the cursor" main " west -> east: # icmp unreachable, 16 of 72 failing  Enter: zones"
T send-keys -t main Enter
expect "Enter drills into zones" main "west -> east [zones]"
expect_line "zones header" main 3 "from \\ to  us-east1-b us-east1-c"
expect_line "zone row a: dns only" main 4 "us-west1-a ? 2        ? 2"
expect_line "zone row b: cut off from us-east1-c" main 5 "us-west1-b .          # 12"
T send-keys -t main Down Right Enter
expect "Enter drills into probes" main "west/us-west1-b -> east/us-east1-c [probes]"
expect_line "probes header: column numbers" main 3 "from \\ to   1   2"
expect_line "probe row" main 4 "west-b-0    #   #"
expect "the probe cell named" main " west-b-0 -> east-c-0: # icmp unreachable, 6 of 6 failing  Enter: details"
T send-keys -t main Enter
expect "Enter on a probe cell: its details" main "Cell west-b-0 -> east-c-0"
expect "detail: the ICMP sender and arrival" main "icmp       # unreachable          -         10.100.0.1       no"
expect "detail: every check" main "tcp/7000   # no-route"
expect "detail: a check not measured" main "dns        - not measured"
T send-keys -t main BSpace
expect "Backspace closes the detail" main "west/us-west1-b -> east/us-east1-c [probes]"
T send-keys -t main BSpace
expect "Backspace: up to zones" main "west -> east [zones]"
T send-keys -t main Up Left Enter Enter
expect "detail of a cell with a dns failure" main "Cell west-a-0 -> east-b-0"
expect "detail: the dns status" main "dns        ? nxdomain             -         -                -"
expect "detail: the dns error" main "             error: east-b-0.east.svc: nxdomain"
expect "detail: a healthy check without details" main "icmp       . ok                   (no details)"
expect "detail: incomplete cells said" main "(details of healthy cells not kept for matrices this size)"
T send-keys -t main Escape BSpace
expect "Backspace: up to zones again" main "west -> east [zones]"
T send-keys -t main Down Right
T send-keys -t main BSpace
expect "Backspace: up to clusters, cursor kept" main " west -> east: # icmp unreachable"

# --- the check selector ------------------------------------------------------
T send-keys -t main c
expect "c: icmp only" main "[clusters] | check: icmp | filter: - | failing cells 2 of 4"
expect_line "icmp only: west -> east" main 4 "west      .      # 2"
T send-keys -t main c
expect "c again: tcp/7000" main "check: tcp/7000 |"
expect_line "tcp/7000: east -> west dropped" main 5 "east      x 8    ."
T send-keys -t main C C
expect "C goes back to all" main "check: all |"

# --- the filter --------------------------------------------------------------
T send-keys -t main / e a s t - c
expect "/ types a filter" main "filter: east-c_ |"
T send-keys -t main Enter
expect "the filter kept" main "filter: east-c |"
expect_line "only the matching probes' cluster" main 4 "east      x 5    ."
expect_not "the other clusters' rows gone" main "west      ."
T send-keys -t main / Escape
expect "Esc clears the filter" main "filter: - |"

# --- the findings pane ----------------------------------------------------------
expect "findings pane, most severe first" main " ERROR no-route: west's zone us-west1-b has no route to east's zone us-east1-c"
T send-keys -t main Tab Down Enter
expect "Enter on a finding: its details" main "Finding 2 of 5: firewall-drop (error)"
expect "the finding's remedy" main "Remedy:   allow tcp/7000 from 10.250.0.0/16 to 10.200.0.0/16 in the firewall"
expect "the finding's evidence" main "east-b-0 -> dc-west-rack1-sts-0 tcp/7000 filtered, did not arrive"
T send-keys -t main Escape
expect "Esc back to the panes" main " Findings (5)  Up/Down: select"

# --- help ----------------------------------------------------------------------
T send-keys -t main '?'
expect "? shows the help" main "reachmap top: help"
expect "the help lists the glyphs" main "#  unreachable"
expect "the help lists the keys" main "Backspace      up a level"
T send-keys -t main Escape
expect_not "Esc closes the help" main "reachmap top: help"

# --- resize ------------------------------------------------------------------------
T resize-window -t main -x 100 -y 30
expect_line "resize: the footer follows" main 30 " ?:help  q:quit  Enter:drill  Bksp:up  Tab:findings  c:check  /:filter"
T resize-window -t main -x 60 -y 20
expect "too small says so" main "terminal too small: 80x24 needed, have 60x20"
T send-keys -t main Down
T resize-window -t main -x 80 -y 24
expect_line "back to 80x24: the matrix again" main 4 "west      .      # 16"

# --- q restores the terminal ----------------------------------------------------------
T send-keys -t main q
expect_restored "q" main 0

# --- Ctrl-C ----------------------------------------------------------------------------
shell intr
run_top intr "$fixtures/firewall-drop.json"
expect "firewall-drop: a pass-through check" intr "east      x 16   ."
T send-keys -t intr C-c
expect_restored "Ctrl-C" intr 130

# --- SIGTERM, and a crash signal ----------------------------------------------------------------
for sig in TERM:143 SEGV:139; do
	name=${sig%%:*} code=${sig##*:} s=sig${sig%%:*}
	shell "$s"
	run_top "$s" "$fixtures/firewall-drop.json"
	if wait_for "$s" "1 errors" 50 && [ -s "$tmp/$s.pid" ]; then
		kill -"$name" "$(cat "$tmp/$s.pid")"
		expect_restored "SIG$name" "$s" "$code"
	else
		bad "SIG$name: top started" "no dashboard" "$s"
	fi
done

# --- --iterations, colours and NO_COLOR ---------------------------------------------------------
shell iter
run_top iter --iterations 5 "$fixtures/firewall-drop.json"
expect_restored "--iterations 5 draws and exits" iter 0
# colour: the failing cell in red (SGR 31 or 91); without: no colour at all
colors() { T capture-pane -e -p -t "$1" | grep -cE $'\e\\[([0-9;]*;)?(3[1-7]|9[1-7])(;[0-9]*)?m'; }
shell color
run_top color "$fixtures/firewall-drop.json"
if wait_for color "east      x 16" 50 && [ "$(colors color)" -gt 0 ]; then ok "colours by default"
else bad "colours by default" "no colour escape on the screen" color; fi
T send-keys -t color q
wait_for color "EXIT=0" 30
T send-keys -t color "clear; NO_COLOR=1 bash -c 'exec \"\$0\" \"\$@\"' $bin top $fixtures/firewall-drop.json" Enter
if wait_for color "east      x 16" 50 && [ "$(colors color)" -eq 0 ]; then ok "NO_COLOR: glyphs without colours"
else bad "NO_COLOR: glyphs without colours" "colour escapes on the screen" color; fi
T send-keys -t color q
wait_for color '$' 30
T send-keys -t color "clear" Enter
run_top color --no-color "$fixtures/firewall-drop.json"
if wait_for color "east      x 16" 50 && [ "$(colors color)" -eq 0 ]; then ok "--no-color: glyphs without colours"
else bad "--no-color: glyphs without colours" "colour escapes on the screen" color; fi
T send-keys -t color q
expect "--no-color: q" color "EXIT=0"

# --- a terminal curses does not know ----------------------------------------------------------
# (ncurses's failed newterm keeps its half-made screen: LeakSanitizer
# would report ncurses's leak, not reachmap's)
shell term
T send-keys -t term "ASAN_OPTIONS=detect_leaks=0 TERM=no-such-terminal $bin top $fixtures/plan.json; echo EXIT=\$?" Enter
expect "unknown TERM: a clear error" term "reachmap top: cannot set up the terminal (TERM=no-such-terminal)"
expect "unknown TERM: exit 3" term "EXIT=3"

# --- a plan report: no grid ----------------------------------------------------------------
shell plan
run_top plan "$fixtures/plan.json"
expect "a plan report: the matrix is empty" plan "The matrix is empty: this report holds no measurements"
expect "a plan report: its findings" plan "ERROR cidr-overlap: west's services 10.96.0.0/16 overlap east's"
T send-keys -t plan q
expect "a plan report: q" plan "EXIT=0"

# --- re-read when the file changes ---------------------------------------------------------
cp "$fixtures/firewall-drop.json" "$tmp/live.json"
shell live
run_top live "$tmp/live.json"
expect "live: the first report" live " 1 errors"
cp "$fixtures/clean.json" "$tmp/live.json.new" && mv "$tmp/live.json.new" "$tmp/live.json"
expect "live: the new report is shown" live "reachmap top  PASS  0 errors"
echo '{"schema": "reachmap.report/v1", "verdict": "fail", "clusters": 3}' >"$tmp/live.json"
expect "live: a bad re-read says so, keeps the last" live "re-read failed, last good report shown: clusters: a number, want an array"
T send-keys -t live q
expect "live: q" live "EXIT=0"

# --- reports the analyzer wrote -----------------------------------------------------------------
# Not hand-made fixtures: `reachmap analyze --format json` on the lab's
# recorded rounds, as an operator would feed them.
lab=tests/fixtures/lab
for sc in multi-fault:FAIL:firewall-drop clean:PASS:- zone-partial:FAIL:no-route; do
	IFS=: read -r name verdict kind <<<"$sc"
	"$bin" analyze -t "$lab/$name/topology.yaml" --format json -o "$tmp/$name.json" \
		"$lab/$name"/results-*.json "$lab/$name"/arrivals-*.json 2>/dev/null
	shell "real-$name"
	run_top "real-$name" "$tmp/$name.json"
	expect "analyzer's $name report: verdict $verdict" "real-$name" "reachmap top  $verdict"
	expect "analyzer's $name report: the cluster matrix" "real-$name" "[clusters] | check: all"
	[ "$kind" = - ] || expect "analyzer's $name report: finding $kind" "real-$name" "ERROR $kind:"
	T send-keys -t "real-$name" Enter
	expect "analyzer's $name report: drill into zones" "real-$name" "[zones]"
	T send-keys -t "real-$name" q
	expect "analyzer's $name report: q" "real-$name" "EXIT=0"
done

# --- the first screen: the cluster-pair x check table under the matrix -------------------------
# (what the text report prints; words without counts where the counts do not fit in 80 columns)
shell pairs
run_top pairs "$tmp/multi-fault.json"
expect_line "first screen: the matrix's cursor line" pairs 6 " west -> west: . ok, 66 measured  Enter: zones"
expect_line "first screen: the table's title" pairs 7 " Cluster pairs: the worst status of each check"
expect_line "first screen: the checks" pairs 8 " from -> to    icmp  tcp       cql  identity  nat   dns       mtu  path"
expect_line "first screen: west -> east source-NATed" pairs 10 " west -> east  ok    open      ok   ok        snat  ok        ok   -"
expect_line "first screen: east -> west dropped, unresolved" pairs 11 " east -> west  ok    filtered  ok   ok        none  nxdomain  ok   timeout"
expect_line "first screen: the findings under it" pairs 13 " Findings (3)  Tab: select"
expect_line "first screen: a finding" pairs 14 " ERROR firewall-drop: east -> west tcp/7000 is silently dropped: no answer, whi~"
T send-keys -t pairs Enter
expect "zones: the matrix has the room again" pairs "west -> west [zones]"
expect_not "zones: no cluster-pair table" pairs "Cluster pairs:"
T send-keys -t pairs q
expect "first screen: q" pairs "EXIT=0"

# --- 1,000 probes ------------------------------------------------------------------------------
/usr/bin/python3 tests/tui/mkreport.py large >"$tmp/large.json"
shell big
run_top big "$tmp/large.json"
expect "1,000 probes: the clusters" big "[clusters] | check: all | filter: - | failing cells 1 of 25"
T send-keys -t big Down Right Right Right Enter
expect "1,000 probes: c1 -> c3 zones" big "c1 -> c3 [zones]"
T send-keys -t big Down Right Enter
expect "1,000 probes: 100 x 102 probes" big "c1/zone-1b -> c3/zone-3b [probes]"
expect "1,000 probes: the first row" big "c1-p001 "
T send-keys -t big End
expect "End: the last probe" big " c1-p199 -> c3-p001: x tcp/7000 filtered, 1 of 10 failing"
expect_not "scrolled: the first row gone" big "c1-p001 "
for i in $(seq 40); do T send-keys -t big Right; done
expect "scrolling right" big " c1-p199 -> c3-p081:"
T send-keys -t big PageUp
expect "PgUp" big " c1-p" 
# The frame times are shown; how fast they are is bench/top's business
# (a timed assertion here would fail on a loaded machine, not on a bug).
T send-keys -t big '?'
if wait_for big "slowest" 30; then
	ok "1,000 probes: frame times shown ($(screen big | grep -o 'slowest [0-9.]* ms' | head -1))"
else
	bad "1,000 probes: frame times" "no help" big
fi
T send-keys -t big q
expect "1,000 probes: q" big "EXIT=0"

echo "top.tmux: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
