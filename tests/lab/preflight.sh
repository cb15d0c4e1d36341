#!/usr/bin/env bash
# tests/lab/preflight.sh: scripts/preflight.sh, the documented pre-flight
# flow. On `overlap` the plan fails and the flow stops there, exit 1, with no
# lab built; on `three-dc` plan passes, the agents come up with stand-ins,
# `check` passes (exit 0) and writes its JUnit file; nothing is left behind.
# Exit: 0 passed, 1 failed, 77 cannot run here (skip).
set -u
SRC=$(cd "$(dirname "$0")/../.." && pwd)
T=lab.preflight
[ "$(id -u)" -eq 0 ] || { echo "$T: SKIP: needs root to create network namespaces"; exit 77; }
[ -n "${REACHMAP:-}" ] && [ -x "$REACHMAP" ] || { echo "$T: FAIL: REACHMAP must name the reachmap binary"; exit 1; }
# shellcheck source=lock.sh
. "$SRC/tests/lab/lock.sh"
# shellcheck source=leftovers.sh
. "$SRC/tests/lab/leftovers.sh"
lab_lock "$T"
lab_need_netns "$T"
PASS=0 FAILED=0
pass() { echo "ok   $*"; PASS=$((PASS + 1)); }
fail() { echo "FAIL $*"; FAILED=$((FAILED + 1)); }
trap 'timeout 60 "$SRC/lab/reachmap-lab" down >/dev/null 2>&1' EXIT
timeout 60 "$SRC/lab/reachmap-lab" down >/dev/null 2>&1

out=$(timeout 120 bash "$SRC/scripts/preflight.sh" --reachmap "$REACHMAP" overlap 2>&1 9>&-); rc=$?
if [ $rc -eq 1 ] && grep -q "the plan does not pass (exit 1): fix the topology before deploying anything" <<<"$out" &&
	grep -q "cidr-overlap" <<<"$out" && ! grep -q "pre-flight: 2." <<<"$out"; then
	pass "overlap: the plan fails (cidr-overlap), the flow stops there, exit 1"
else
	fail "overlap: exit $rc: $out"
fi
[ -z "$(ip netns list | grep "^$RMLAB_PREFIX")" ] && pass "overlap: no lab was built" || fail "overlap: a lab was built"

out=$(timeout 180 bash "$SRC/scripts/preflight.sh" --reachmap "$REACHMAP" three-dc 2>&1 9>&-); rc=$?
echo "$out" | sed 's/^/     | /' | tail -25
if [ $rc -eq 0 ] && grep -q "^PASS" <<<"$out" && grep -q "pre-flight: 3. the verdict" <<<"$out"; then
	pass "three-dc: plan, agents with stand-ins, check: PASS, exit 0"
else
	fail "three-dc: exit $rc"
fi
if /usr/bin/python3 - /tmp/reachmap-preflight/preflight.junit.xml <<'EOF'; then
import sys, xml.etree.ElementTree as et
r = et.parse(sys.argv[1]).getroot()
suites = [r] if r.tag == "testsuite" else r.findall("testsuite")
sys.exit(0 if suites and all(int(s.get("failures", "0")) == 0 for s in suites) else 1)
EOF
	pass "three-dc: the JUnit file holds no failure"
else
	fail "three-dc: no JUnit file, or failures in it"
fi
lab_leftovers && pass "the flow leaves no namespace or process" || FAILED=$((FAILED + 1))

echo "$T: $PASS passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
