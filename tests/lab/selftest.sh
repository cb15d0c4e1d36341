#!/usr/bin/env bash
# tests/lab/selftest.sh SCENARIO: brings the scenario up, proves with standard
# tools (python's socket error queue, ping, dig, tracepath) that its fault is
# there and that nothing else is broken, checks its topology with
# `reachmap plan` when REACHMAP names the binary, and always tears down.
# Exit: 0 all assertions passed, 1 one failed, 77 cannot run here (skip).
set -u
SCENARIO=${1:?usage: selftest.sh SCENARIO}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
LAB=$SRC/lab/reachmap-lab

if [ "$(id -u)" -ne 0 ]; then
	echo "lab.$SCENARIO: SKIP: needs root to create network namespaces"
	exit 77
fi
if ! ip netns add rmlab-probe-ns 2>/dev/null; then
	echo "lab.$SCENARIO: SKIP: cannot create network namespaces here"
	exit 77
fi
ip netns del rmlab-probe-ns
for t in dnsmasq iptables dig ping tracepath /usr/bin/python3; do
	command -v "$t" >/dev/null || { echo "lab.$SCENARIO: SKIP: $t is missing (make deps installs it)"; exit 77; }
done

# shellcheck source=lock.sh
. "$SRC/tests/lab/lock.sh"
lab_lock "lab.$SCENARIO"
LAB_DIR=$(mktemp -d /tmp/reachmap-lab-test.XXXXXX)
cleanup() {
	"$LAB" down >/dev/null 2>&1
	rm -rf "$LAB_DIR"
	if ip netns list | grep -q '^rmlab-'; then
		echo "FAIL namespaces left behind: $(ip netns list | grep '^rmlab-' | tr '\n' ' ')"
		exit 1
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A lab left over from an interrupted run is removed first.
"$LAB" down >/dev/null 2>&1
if ! "$LAB" up "$SCENARIO" --dir "$LAB_DIR" 9>&-; then
	echo "FAIL lab up $SCENARIO"
	exit 1
fi

# shellcheck source=lib.sh
. "$SRC/tests/lab/lib.sh"
PLAN_EXIT=0
PLAN_FINDS=()
# shellcheck source=/dev/null
. "$SRC/tests/lab/checks/$SCENARIO.sh"

if [ -n "${REACHMAP:-}" ] && [ -x "$REACHMAP" ]; then
	out=$("$REACHMAP" plan "$LAB_DIR/topology.yaml" 2>&1); rc=$?
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
