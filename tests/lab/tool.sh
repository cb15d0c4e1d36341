#!/usr/bin/env bash
# The lab tool itself: usage errors, list, status, exec, down when nothing is
# up, refusing a second up and a hand-run down during a test, and an
# interrupted or killed up that leaves nothing behind.
set -u
SRC=$(cd "$(dirname "$0")/../.." && pwd)
LAB=$SRC/lab/reachmap-lab
[ "$(id -u)" -eq 0 ] || { echo "lab.tool: SKIP: needs root"; exit 77; }
# shellcheck source=lock.sh
. "$SRC/tests/lab/lock.sh"
# every slot: it looks for stand-ins and dnsmasq machine-wide
lab_lock_all lab.tool
lab_need_netns lab.tool
PASS=0 FAILED=0
pass() { echo "ok   $*"; PASS=$((PASS + 1)); }
fail() { echo "FAIL $*"; FAILED=$((FAILED + 1)); }
dir=$(mktemp -d /tmp/reachmap-lab-tool.XXXXXX)
trap 'timeout 60 "$LAB" down >/dev/null 2>&1; rm -rf "$dir"' EXIT
trap 'exit 130' INT TERM
standin=()
if [ -n "${REACHMAP:-}" ] && [ -x "$REACHMAP" ]; then standin=(--reachmap "$REACHMAP"); fi

# run NAME EXIT EXPECTED-OUTPUT-SUBSTRING -- COMMAND...
run() {
	local name=$1 want_rc=$2 want=$3; shift 4
	local out rc
	out=$(timeout 60 "$@" 2>&1 9>&-); rc=$?
	if [ "$rc" -eq "$want_rc" ] && grep -qF -- "$want" <<<"$out"; then pass "$name"
	else fail "$name: exit $rc (want $want_rc), output: $out"; fi
}
no_lab_left() {
	if [ -z "$(ip netns list | grep '^rmlab-')" ] && [ -z "$(ls -d /etc/netns/rmlab-* 2>/dev/null)" ]; then
		pass "$1 leaves no namespace and no /etc/netns entry"
	else
		fail "$1 left: $(ip netns list | grep '^rmlab-' | awk '{print $1}' | tr '\n' ' ') $(ls -d /etc/netns/rmlab-* 2>/dev/null | tr '\n' ' ')"
	fi
}
# wait_for_ns NAME: bounded (10 s) wait until namespace NAME exists.
wait_for_ns() {
	for _ in $(seq 200); do
		ip netns list 2>/dev/null | grep -q "^$1\b" && return 0
		sleep 0.05
	done
	return 1
}

timeout 60 "$LAB" down >/dev/null 2>&1
run no-args 2 "usage: reachmap-lab COMMAND" -- "$LAB"
run help 0 "up SCENARIO [--dir DIR]" -- "$LAB" --help
run unknown-command 2 "reachmap-lab: unknown command 'frob'" -- "$LAB" frob
run unknown-scenario 2 "up: unknown scenario 'nosuch' ('reachmap-lab list' names them)" -- "$LAB" up nosuch
run up-no-scenario 2 "up: which scenario?" -- "$LAB" up
run up-two-scenarios 2 "up: one scenario only, got 'snat' too" -- "$LAB" up clean snat
run up-unknown-option 2 "up: unknown option '--fast'" -- "$LAB" up clean --fast
run up-dir-missing 2 "up: --dir needs a directory" -- "$LAB" up clean --dir
run up-bad-reachmap 2 "up: --reachmap: '/nonexistent/reachmap' is not an executable file" -- "$LAB" up clean --reachmap /nonexistent/reachmap
run up-help 0 "usage: reachmap-lab up SCENARIO [--dir DIR]" -- "$LAB" up --help
run up-bad-interval 2 "up: --interval: '0' is not a number of seconds from 1 to 3600" -- "$LAB" up clean --interval 0
run up-interval-missing 2 "up: --interval needs a number of seconds" -- "$LAB" up clean --interval
run up-live-lab-standins 2 "up: --collector and --live need reachmap, not --lab-standins" -- "$LAB" up clean --live --lab-standins
run up-no-address-unknown 2 "up: --no-address: scenario 'clean' has no pod 'nosuch'" -- "$LAB" up clean --no-address nosuch
run collector-no-action 2 "reachmap-lab: collector: start, stop or kill?" -- "$LAB" collector
for c in down status list exec inject heal recreate collector; do
	run "$c-help" 0 "usage: reachmap-lab $c" -- "$LAB" "$c" --help
done
run down-extra-arg 2 "down takes no arguments, got 'now'" -- "$LAB" down now
run status-extra-arg 2 "status takes no arguments, got 'all'" -- "$LAB" status all
run list-extra-arg 2 "list takes no arguments, got 'x'" -- "$LAB" list x
run exec-no-pod 2 "exec: which pod?" -- "$LAB" exec
run exec-no-command 2 "exec: no command given" -- "$LAB" exec west-a-0 --
run list 0 "firewall-drop      the VPC silently drops tcp/7000 from east to west (one direction)" -- "$LAB" list
n=$("$LAB" list | wc -l)
[ "$n" -eq "$(ls "$SRC"/lab/scenarios/*.sh | wc -l)" ] && pass "list names all $n scenarios" || fail "list names $n scenarios"
if "$LAB" list | awk '{ if (NF < 3) bad = 1 } END { exit bad }'; then pass "every scenario has a description"
else fail "a scenario has no '# description:' line"; fi
run down-nothing 0 "no lab is up" -- "$LAB" down
run status-nothing 0 "no lab is up" -- "$LAB" status
run exec-nothing-up 2 "exec: no pod 'west-a-0' is up" -- "$LAB" exec west-a-0 -- true
run inject-nothing-up 3 "reachmap-lab: inject: no lab is up" -- "$LAB" inject
run heal-nothing-up 3 "reachmap-lab: heal: no lab is up" -- "$LAB" heal
run inject-extra-arg 2 "inject takes no arguments, got 'now'" -- "$LAB" inject now

run up 0 "topology: $dir/topology.yaml" -- "$LAB" up snat --dir "$dir" "${standin[@]}"
run up-twice 3 "a lab is already up" -- "$LAB" up clean --dir "$dir"
run status 0 "lab 'snat' is up: 11 namespaces" -- "$LAB" status
run status-pods 0 "dc-east-rack2-sts-0    east    target us-east1-c     10.250.2.20" -- "$LAB" status
run exec 0 "10.200.1.10/24" -- "$LAB" exec west-a-0 -- ip -4 addr show dev eth0
run exec-vpc 0 "10.250.0.0/16 via 10.150.0.10" -- "$LAB" exec vpc -- ip route
run exec-unknown-pod 2 "exec: no pod 'nosuch' is up" -- "$LAB" exec nosuch -- true
run status-faults 0 "faults: in (since " -- "$LAB" status
run collector-none 3 "reachmap-lab: collector: this lab has none (up --collector or --live makes one)" -- "$LAB" collector start
run exec-exit-code 7 "" -- "$LAB" exec west-a-0 -- sh -c 'exit 7'
run resolv-conf 0 "nameserver 10.97.0.10" -- "$LAB" exec east-c-0 -- cat /etc/resolv.conf
# A hand-run down while a test holds the lock is refused.
run down-during-a-test 3 "a lab test is running" -- env -u RMLAB_LOCKED "$LAB" down
run down 0 "lab is down: removed 11 namespaces" -- "$LAB" down
no_lab_left down
pgrep -f "$SRC/lab/lib/standin.py" >/dev/null && fail "down left stand-in processes" || pass "down leaves no stand-in process"
pgrep -f "dnsmasq-.*$dir" >/dev/null && fail "down left dnsmasq" || pass "down leaves no dnsmasq"

# Without a binary the pods run the lab's own stand-in, which answers the same.
run up-lab-standins 0 "the lab's stand-in in every pod" -- "$LAB" up not-cassandra --dir "$dir" --lab-standins
run standin-cql 0 "open cql SUPPORTED" -- "$LAB" exec west-a-0 -- /usr/bin/python3 "$SRC/lab/lib/tcpcheck.py" --cql 10.250.1.20 9042
run standin-not-cql 0 "open not-cql b'HTTP/1.1 400" -- "$LAB" exec west-a-0 -- /usr/bin/python3 "$SRC/lab/lib/tcpcheck.py" --cql 10.250.2.20 9042
run standin-identity 0 "open name=dc-east-rack1-sts-0 peer=10.200.1.10" -- "$LAB" exec west-a-0 -- /usr/bin/python3 "$SRC/lab/lib/tcpcheck.py" --identity 10.250.1.20 8788
run down-lab-standins 0 "lab is down" -- "$LAB" down
no_lab_left "down of the lab's stand-ins"
pgrep -f "$SRC/lab/lib/standin.py" >/dev/null && fail "down left stand-in processes" || pass "down leaves no stand-in process"

# An up interrupted (SIGTERM, as ^C or a test timeout) tears itself down.
"$LAB" up three-dc --dir "$dir" "${standin[@]}" >"$dir/up.out" 2>&1 9>&- &
pid=$!
if wait_for_ns "${RMLAB_PREFIX}vpc"; then
	kill -TERM "$pid" 2>/dev/null
	wait "$pid"; rc=$?
	if [ "$rc" -ne 0 ] && grep -q "up did not finish; tearing down" "$dir/up.out"; then pass "an interrupted up says so and exits $rc"
	else fail "an interrupted up exited $rc: $(cat "$dir/up.out")"; fi
	no_lab_left "an interrupted up"
else
	fail "up never made ${RMLAB_PREFIX}vpc: $(cat "$dir/up.out")"
	wait "$pid"
fi

# An up killed halfway (SIGKILL: no trap runs): down finds and removes what
# it made, by the prefix, even with the state directory gone.
"$LAB" up three-dc --dir "$dir" "${standin[@]}" >/dev/null 2>&1 9>&- &
pid=$!
wait_for_ns "${RMLAB_PREFIX}west-gw"
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
rm -rf "$dir"
run status-state-lost 0 "the lab's state is lost" -- "$LAB" status
run down-after-kill 0 "lab is down" -- "$LAB" down
no_lab_left "down after a killed up"

echo "lab.tool: $PASS passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
