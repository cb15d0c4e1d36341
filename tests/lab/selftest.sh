#!/usr/bin/env bash
# tests/lab/selftest.sh SCENARIO: brings the scenario up, proves with standard
# tools (python's socket error queue, ping, dig, tracepath, iptables counters)
# that its fault is there and that nothing else is broken (tests/lab/lib.sh's
# sweep of every pod pair), checks its topology with `reachmap plan` when
# REACHMAP names the binary, and always tears down.
# Exit: 0 all assertions passed, 1 one failed, 77 cannot run here (skip).
set -u
SCENARIO=${1:?usage: selftest.sh SCENARIO}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
LAB=$SRC/lab/reachmap-lab

if [ ! -f "$SRC/lab/scenarios/$SCENARIO.sh" ] || [ ! -f "$SRC/tests/lab/checks/$SCENARIO.sh" ]; then
	echo "lab.$SCENARIO: FAIL: no scenario or no check file named '$SCENARIO'"
	exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "lab.$SCENARIO: SKIP: needs root to create network namespaces"
	exit 77
fi
for t in dnsmasq iptables dig ping tracepath flock timeout /usr/bin/python3; do
	command -v "$t" >/dev/null || { echo "lab.$SCENARIO: SKIP: $t is missing (make deps installs it)"; exit 77; }
done
if grep -q '^dual_stack' "$SRC/lab/scenarios/$SCENARIO.sh" && ! command -v ip6tables >/dev/null; then
	echo "lab.$SCENARIO: SKIP: ip6tables is missing (make deps installs it)"
	exit 77
fi
# shellcheck source=lock.sh
. "$SRC/tests/lab/lock.sh"
# shellcheck source=leftovers.sh
. "$SRC/tests/lab/leftovers.sh"
lab_lock "lab.$SCENARIO"
lab_need_netns "lab.$SCENARIO"

LAB_DIR=$(mktemp -d /tmp/reachmap-lab-test.XXXXXX)
cleanup() {
	local rc=$?
	timeout 60 "$LAB" down >/dev/null 2>&1
	rm -rf "$LAB_DIR"
	if lab_leftovers; then echo "ok   down left no namespace, /etc/netns entry or process"
	else rc=1; fi
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A lab left over from an interrupted run is removed first (a running one
# would hold the lock).
timeout 60 "$LAB" down >/dev/null 2>&1
standin=()
if [ -n "${REACHMAP:-}" ] && [ -x "$REACHMAP" ]; then standin=(--reachmap "$REACHMAP"); fi
start=$(date +%s%N)
# up is bounded by each of its own waits (lab.sh's wait_for_line), not by a
# budget for the whole; ctest's TIMEOUT is the backstop.
if ! "$LAB" up "$SCENARIO" --dir "$LAB_DIR" "${standin[@]}" 9>&-; then
	echo "FAIL lab up $SCENARIO"
	exit 1
fi
echo "note: up took $(( ($(date +%s%N) - start) / 1000000 )) ms"

# shellcheck source=lib.sh
. "$SRC/tests/lab/lib.sh"
PLAN_EXIT=0
PLAN_FINDS=()
if head -2 "$LAB_DIR/topology.yaml" | grep -qx "# reachmap lab topology: scenario $SCENARIO"; then
	pass "topology.yaml names the scenario"
else
	fail "topology.yaml does not start with the scenario's name"
fi
# shellcheck source=/dev/null
. "$SRC/tests/lab/checks/$SCENARIO.sh"

if [ -n "${REACHMAP:-}" ] && [ -x "$REACHMAP" ]; then
	out=$(timeout 30 "$REACHMAP" plan "$LAB_DIR/topology.yaml" 2>&1); rc=$?
	if [ "$rc" -eq "$PLAN_EXIT" ]; then pass "reachmap plan topology.yaml exits $rc"
	else fail "reachmap plan topology.yaml exits $rc, want $PLAN_EXIT: $out"; fi
	for f in "${PLAN_FINDS[@]}"; do
		if grep -qF -- "$f" <<<"$out"; then pass "plan shows: $f"
		else fail "plan does not show: $f"; fi
	done
else
	echo "note: REACHMAP is not set to the reachmap binary; the topology was not checked with reachmap plan"
fi

echo "lab.$SCENARIO: $PASS passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
