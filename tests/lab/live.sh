#!/usr/bin/env bash
# tests/lab/live.sh SCENARIO: the live system end to end in the lab.
# `reachmap-lab up SCENARIO --live --healthy --interval 2`: a collector,
# `reachmap agent` in every pod. `reachmap check --wait 30` passes; `inject`;
# `check` gives the findings tests/lab/analyze_expect.py knows for the
# scenario (those `analyze` gives on its recorded documents) and exit 1;
# `heal`; the next `check` passes; GET /v1/history shows, for a failing cell
# of every finding, both transitions at times that fit the inject and the
# heal (tests/lab/live_expect.py). A scenario with no fault to inject
# (clean, three-dc; overlap, whose problem is its address plan) is checked
# once against its expected findings. Always tears down.
# Exit: 0 all assertions passed, 1 one failed, 77 cannot run here (skip).
set -u
SCENARIO=${1:?usage: live.sh SCENARIO}
INTERVAL=${LIVE_INTERVAL:-2}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
LAB=$SRC/lab/reachmap-lab
T=lab.live.$SCENARIO
[ "$(id -u)" -eq 0 ] || { echo "$T: SKIP: needs root to create network namespaces"; exit 77; }
[ -n "${REACHMAP:-}" ] && [ -x "$REACHMAP" ] || { echo "$T: FAIL: REACHMAP must name the reachmap binary"; exit 1; }
for c in agent check; do
	"$REACHMAP" "$c" --help >/dev/null 2>&1 || { echo "$T: FAIL: $REACHMAP has no '$c' command"; exit 1; }
done
# shellcheck source=live-common.sh
. "$SRC/tests/lab/live-common.sh"
now() { date -u +%Y-%m-%dT%H:%M:%S.%3NZ; }
ms() { date -d "$1" +%s%3N; }

# check NAME WANT_EXIT: reachmap check in the collector's namespace, its
# report into $dir/NAME.json; the findings against analyze_expect.py when
# WANT_EXIT is 1, a PASS when 0. Sets CHECKED_AT (when it returned).
check() {
	local name=$1 want=$2 rc start
	start=$(date +%s%N)
	timeout 60 ip netns exec "${RMLAB_PREFIX}collector" "$REACHMAP" check --topology "$dir/topology.yaml" \
		--collector "$URL" --wait 30 --json "$dir/$name.json" >"$dir/$name.out" 2>"$dir/$name.err"
	rc=$?
	CHECKED_AT=$(now)
	echo "note: check ($name) took $((($(date +%s%N) - start) / 1000000)) ms"
	if [ $rc -ne "$want" ]; then
		fail "check ($name) exited $rc, want $want: $(head -20 "$dir/$name.out") $(tail -3 "$dir/$name.err")"
		return 1
	fi
	pass "check ($name) exits $rc"
	if [ "$want" = 0 ]; then
		grep -q "^PASS" "$dir/$name.out" && pass "check ($name) prints PASS" ||
			fail "check ($name) does not print PASS: $(head -5 "$dir/$name.out")"
		return 0
	fi
	sed 's/^/     | /' "$dir/$name.out" | head -12
	/usr/bin/python3 "$SRC/tests/lab/analyze_expect.py" "$SCENARIO" "$dir/$name.json" >"$dir/$name.expect"
	rc=$?
	cat "$dir/$name.expect"
	if [ $rc -eq 0 ]; then
		pass "check ($name): the findings analyze gives for $SCENARIO"
	elif grep -Eq "^live +$SCENARIO( |$)" "$SRC/tests/lab/known-failing.txt"; then
		echo "XFAIL check ($name): not the findings analyze gives for $SCENARIO, known (tests/lab/known-failing.txt)"
	else
		fail "check ($name): not the findings analyze gives for $SCENARIO"
	fi
}

# expected_exit: what analyze exits for this scenario's documents.
expected_exit() {
	/usr/bin/python3 -B -c 'import sys; sys.path.insert(0, sys.argv[1]); import analyze_expect as a
sys.exit(1 if a.EXPECTED[sys.argv[2]] else 0)' "$SRC/tests/lab" "$SCENARIO"
	echo $?
}

timeout 60 "$LAB" down >/dev/null 2>&1
start=$(date +%s%N)
if ! out=$("$LAB" up "$SCENARIO" --live --healthy --interval "$INTERVAL" --dir "$dir" --reachmap "$REACHMAP" 2>&1 9>&-); then
	echo "FAIL lab up $SCENARIO --live --healthy: $out"
	exit 1
fi
echo "note: up --live took $((($(date +%s%N) - start) / 1000000)) ms"
faults=$(sed -n 's/^FAULTS=//p' "$dir/state")

if [ "$faults" = none ]; then
	want=$(expected_exit)
	check live "$want"
	out=$("$LAB" inject 2>&1 9>&-); rc=$?
	[ $rc -eq 3 ] && grep -q "has no faults to inject" <<<"$out" && pass "inject: $out" ||
		fail "inject on a scenario with no faults: exit $rc: $out"
	echo "$T: $PASS passed, $FAILED failed"
	[ "$FAILED" -eq 0 ]
	exit
fi

check healthy 0
out=$("$LAB" inject 2>&1 9>&-)
injected=$(grep -oE "^injected at $RFC3339_MS" <<<"$out" | awk '{ print $3 }')
[ -n "$injected" ] && pass "$out" || { fail "inject: $out"; exit 1; }
want=$(expected_exit)
check faulty "$want"
detected=$CHECKED_AT
echo "note: the verdict came $(($(ms "$detected") - $(ms "$injected"))) ms after inject (interval $INTERVAL s)"

out=$("$LAB" heal 2>&1 9>&-)
healed=$(grep -oE "^healed at $RFC3339_MS" <<<"$out" | awk '{ print $3 }')
[ -n "$healed" ] && pass "$out" || { fail "heal: $out"; exit 1; }
check healed 0
passed=$CHECKED_AT
echo "note: the pass came $(($(ms "$passed") - $(ms "$healed"))) ms after heal"

if [ "$want" = 1 ]; then
	if ip netns exec "${RMLAB_PREFIX}collector" /usr/bin/python3 "$SRC/tests/lab/live_expect.py" "$URL" \
		"$dir/faulty.json" "$injected" "$detected" "$healed" "$passed" "$INTERVAL"; then
		pass "GET /v1/history shows both transitions of every finding's cell"
	else
		fail "GET /v1/history does not show both transitions"
	fi
else
	# A fault the IPv4 view cannot see (dual-stack's IPv6-only drop): nothing
	# changed, and the history says so.
	n=$(ip netns exec "${RMLAB_PREFIX}collector" curl -s -m 10 "$URL/v1/history?since=$injected" |
		/usr/bin/python3 -c 'import json, sys; print(len(json.load(sys.stdin)["transitions"]))')
	[ "$n" = 0 ] && pass "GET /v1/history: no transition since inject" ||
		fail "GET /v1/history: $n transitions since inject, want none"
fi

echo "$T: $PASS passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
