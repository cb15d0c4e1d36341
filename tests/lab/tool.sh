#!/usr/bin/env bash
# The lab tool itself: usage errors, list, status, exec, down when nothing is
# up, refusing a second up, and an interrupted up that leaves nothing behind.
set -u
SRC=$(cd "$(dirname "$0")/../.." && pwd)
LAB=$SRC/lab/reachmap-lab
[ "$(id -u)" -eq 0 ] || { echo "lab.tool: SKIP: needs root"; exit 77; }
ip netns add rmlab-probe-ns 2>/dev/null || { echo "lab.tool: SKIP: cannot create network namespaces"; exit 77; }
ip netns del rmlab-probe-ns
# shellcheck source=lock.sh
. "$SRC/tests/lab/lock.sh"
lab_lock lab.tool
PASS=0 FAILED=0
pass() { echo "ok   $*"; PASS=$((PASS + 1)); }
fail() { echo "FAIL $*"; FAILED=$((FAILED + 1)); }
dir=$(mktemp -d /tmp/reachmap-lab-tool.XXXXXX)
trap '"$LAB" down >/dev/null 2>&1; rm -rf "$dir"' EXIT

# run NAME EXIT EXPECTED-OUTPUT-SUBSTRING -- COMMAND...
run() {
	local name=$1 want_rc=$2 want=$3; shift 4
	local out rc
	out=$(timeout 60 "$@" 2>&1); rc=$?
	if [ "$rc" -eq "$want_rc" ] && grep -qF -- "$want" <<<"$out"; then pass "$name"
	else fail "$name: exit $rc (want $want_rc), output: $out"; fi
}

"$LAB" down >/dev/null 2>&1
run no-args 2 "usage: reachmap-lab COMMAND" -- "$LAB"
run help 0 "up SCENARIO [--dir DIR]" -- "$LAB" --help
run unknown-command 2 "reachmap-lab: unknown command 'frob'" -- "$LAB" frob
run unknown-scenario 2 "up: unknown scenario 'nosuch' ('reachmap-lab list' names them)" -- "$LAB" up nosuch
run up-no-scenario 2 "up: which scenario?" -- "$LAB" up
run up-help 0 "usage: reachmap-lab up SCENARIO [--dir DIR]" -- "$LAB" up --help
run list 0 "firewall-drop      the VPC silently drops tcp/7000 from east to west (one direction)" -- "$LAB" list
n=$("$LAB" list | wc -l)
[ "$n" -eq "$(ls "$SRC"/lab/scenarios/*.sh | wc -l)" ] && pass "list names all $n scenarios" || fail "list names $n scenarios"
run down-nothing 0 "no lab is up" -- "$LAB" down
run status-nothing 0 "no lab is up" -- "$LAB" status
run up 0 "topology: $dir/topology.yaml" -- "$LAB" up snat --dir "$dir"
run up-twice 3 "a lab is already up" -- "$LAB" up clean --dir "$dir"
run status 0 "lab 'snat' is up: 11 namespaces" -- "$LAB" status
run exec 0 "10.200.1.10/24" -- "$LAB" exec west-a-0 -- ip -4 addr show dev eth0
run exec-unknown-pod 2 "exec: no pod 'nosuch' is up" -- "$LAB" exec nosuch -- true
run down 0 "lab is down: removed 11 namespaces" -- "$LAB" down
[ -z "$(ip netns list | grep '^rmlab-')" ] && pass "down leaves no namespace" || fail "down left namespaces"
[ -z "$(ls -d /etc/netns/rmlab-* 2>/dev/null)" ] && pass "down leaves no /etc/netns entry" || fail "down left /etc/netns entries"
pgrep -f "$SRC/lab/lib/standin.py" >/dev/null && fail "down left stand-in processes" || pass "down leaves no stand-in process"
pgrep -f "dnsmasq-.*$dir" >/dev/null && fail "down left dnsmasq" || pass "down leaves no dnsmasq"

# An up killed halfway: down finds and removes what it made, by the prefix,
# even with the state directory gone.
"$LAB" up three-dc --dir "$dir" >/dev/null 2>&1 &
pid=$!
sleep 0.15
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
rm -rf "$dir"/state
"$LAB" down >/dev/null 2>&1
[ -z "$(ip netns list | grep '^rmlab-')" ] && pass "down after a killed up leaves no namespace" || fail "down after a killed up left: $(ip netns list | grep '^rmlab-' | tr '\n' ' ')"

echo "lab.tool: $PASS passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
