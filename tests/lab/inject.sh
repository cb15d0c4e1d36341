#!/usr/bin/env bash
# tests/lab/inject.sh SCENARIO: `reachmap-lab up SCENARIO --healthy`, then
# the round trip proven with standard tools (tests/lab/lib.sh's sweep of
# every pod pair): healthy; `inject`, and the scenario's own self-test
# (tests/lab/checks/SCENARIO.sh) proves its faults are there and nothing
# else is broken; `heal`, and every cell is healthy again. Also the lines
# inject and heal print, the state they record, inject twice (an error) and
# heal twice (says so). Always tears down.
# Exit: 0 all assertions passed, 1 one failed, 77 cannot run here (skip).
set -u
SCENARIO=${1:?usage: inject.sh SCENARIO}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
LAB=$SRC/lab/reachmap-lab
T=lab.inject.$SCENARIO
if [ "$(id -u)" -ne 0 ]; then
	echo "$T: SKIP: needs root to create network namespaces"
	exit 77
fi
for t in dnsmasq iptables dig ping tracepath flock timeout /usr/bin/python3; do
	command -v "$t" >/dev/null || { echo "$T: SKIP: $t is missing (make deps installs it)"; exit 77; }
done
# shellcheck source=lock.sh
. "$SRC/tests/lab/lock.sh"
# shellcheck source=leftovers.sh
. "$SRC/tests/lab/leftovers.sh"
lab_lock "$T"
lab_need_netns "$T"

LAB_DIR=$(mktemp -d /tmp/reachmap-lab-inject.XXXXXX)
cleanup() {
	local rc=$?
	timeout 60 "$LAB" down >/dev/null 2>&1
	rm -rf "$LAB_DIR"
	lab_leftovers || rc=1
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM
timeout 60 "$LAB" down >/dev/null 2>&1
standin=()
if [ -n "${REACHMAP:-}" ] && [ -x "$REACHMAP" ]; then standin=(--reachmap "$REACHMAP"); fi
if ! out=$("$LAB" up "$SCENARIO" --healthy --dir "$LAB_DIR" "${standin[@]}" 9>&- 2>&1); then
	echo "FAIL lab up $SCENARIO --healthy: $out"
	exit 1
fi

# shellcheck source=lib.sh
. "$SRC/tests/lab/lib.sh"
PLAN_EXIT=0
PLAN_FINDS=()
RFC3339_MS='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z'

healthy_hooks() {
	cut() { W=; }
	want_tcp() { W=; }
	want_cql() { W=; }
	want_identity() { W=; }
	want_ping() { W=; }
	want_dns() { W=; }
}

# expect_state VALUE: the state file's FAULTS line.
expect_state() {
	local got
	got=$(sed -n 's/^FAULTS=//p' "$LAB_DIR/state")
	if [ "$got" = "$1" ]; then pass "the state records the faults $1"
	else fail "the state records the faults '$got', want '$1'"; fi
}

# expect_line NAME EXIT REGEX COMMAND...: the command's exit code, and its
# one line of output matching REGEX (grep -E).
expect_line() {
	local name=$1 want_rc=$2 re=$3 out rc
	shift 3
	out=$("$@" 2>&1 9>&-); rc=$?
	if [ "$rc" -eq "$want_rc" ] && [ "$(wc -l <<<"$out")" -eq 1 ] && grep -qE -- "$re" <<<"$out"; then
		pass "$name: $out"
	else
		fail "$name: exit $rc (want $want_rc), output '$out' (want one line matching '$re')"
	fi
}

grep -q "faults out ('reachmap-lab inject' applies them)" <<<"$out" &&
	pass "up --healthy says the faults are out" || fail "up --healthy said: $out"
expect_state out
echo "---- healthy: every cell as it should be"
sweep

echo "---- inject"
expect_line "inject" 0 "^injected at $RFC3339_MS: " "$LAB" inject
expect_state in
expect_line "inject twice is an error" 3 \
	"^reachmap-lab: inject: the faults of '$SCENARIO' are in already \(since $RFC3339_MS\); 'reachmap-lab heal' removes them$" \
	"$LAB" inject
"$LAB" status | grep -qE "^faults: in \(since $RFC3339_MS\)$" && pass "status: the faults are in" ||
	fail "status does not say the faults are in: $("$LAB" status)"
# shellcheck source=/dev/null
. "$SRC/tests/lab/checks/$SCENARIO.sh"

echo "---- heal"
expect_line "heal" 0 "^healed at $RFC3339_MS: .* removed$" "$LAB" heal
expect_state out
expect_line "heal twice says so" 0 \
	"^nothing to heal: the faults of '$SCENARIO' are not in \(healthy since $RFC3339_MS\)$" "$LAB" heal
healthy_hooks
sweep
case $SCENARIO in
mtu-blackhole)
	# Full size again both ways: the links, and the path MTU east had learned.
	expect_pmtu west-a-0 dc-east-rack1-sts-0 1472 ok
	expect_pmtu east-b-0 dc-west-rack1-sts-0 1472 ok
	;;
no-route)
	expect_tcp west-a-0 dc-east-rack1-sts-0 7000 open
	;;
esac

echo "$T: $PASS passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
