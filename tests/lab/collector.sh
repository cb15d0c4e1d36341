#!/usr/bin/env bash
# tests/lab/collector.sh: the lab's collector and its management network.
# `up overlap --collector`: every pod of both clusters, including the two
# pairs that share an address, gets the collector's answer at 192.168.250.1,
# and the collector sees each cluster's pods from its own gateway's end of
# the management link; `collector kill` and `collector start` (the store
# kept); then `up zone-partial --collector` (a zone cut off from the VPC,
# faults in): every pod still reaches it. Always tears down.
# Exit: 0 all assertions passed, 1 one failed, 77 cannot run here (skip).
set -u
SRC=$(cd "$(dirname "$0")/../.." && pwd)
LAB=$SRC/lab/reachmap-lab
T=lab.collector
[ "$(id -u)" -eq 0 ] || { echo "$T: SKIP: needs root to create network namespaces"; exit 77; }
[ -n "${REACHMAP:-}" ] && [ -x "$REACHMAP" ] || { echo "$T: FAIL: REACHMAP must name the reachmap binary"; exit 1; }
command -v curl >/dev/null || { echo "$T: SKIP: curl is missing (make deps installs it)"; exit 77; }
# shellcheck source=live-common.sh
. "$SRC/tests/lab/live-common.sh"

# reach_from_every_pod WHAT: GET /healthz from every pod of the state.
reach_from_every_pod() {
	local p addr got n=0 bad=0
	while read -r p addr; do
		got=$(timeout 10 ip netns exec "$RMLAB_PREFIX$p" curl -s -m 5 "$URL/healthz" 2>&1)
		if [ "$got" = '{"status": "ok"}' ]; then n=$((n + 1))
		else fail "$1: $p ($addr) got '$got' from $URL/healthz"; bad=1; fi
	done < <(awk '$1 == "POD" { print $2, $7 }' "$dir/state")
	[ $bad = 1 ] || pass "$1: all $n pods get the collector's answer at $URL"
}

timeout 60 "$LAB" down >/dev/null 2>&1
out=$("$LAB" up overlap --collector --dir "$dir" --reachmap "$REACHMAP" 2>&1 9>&-) ||
	{ echo "FAIL up overlap --collector: $out"; exit 1; }
grep -qx "collector: $URL (namespace ${RMLAB_PREFIX}collector)" <<<"$out" && pass "up names the collector" ||
	fail "up does not name the collector: $out"
grep -qx "COLLECTOR=$URL" "$dir/state" && pass "the state records the collector's address" ||
	fail "the state has no COLLECTOR=$URL line"
reach_from_every_pod "overlap"
# The twins: 10.200.129.10 and .20 exist in west and in east; each cluster's
# gateway masquerades, so the collector answers both through their own link.
log=$dir/collector.log
for src in 192.168.251.2 192.168.251.6; do
	grep -q "remote=$src:[0-9]* method=GET path=/healthz status=200" "$log" &&
		pass "the collector saw requests from $src (a gateway's end of its link)" ||
		fail "the collector saw no request from $src: $(grep -c path=/healthz "$log") in its log"
done
"$LAB" status | grep -qE '^collector: http://192\.168\.250\.1:8787 \(running, pid [0-9]+\)$' &&
	pass "status: the collector is running" || fail "status: $("$LAB" status | grep collector)"

out=$("$LAB" collector kill 2>&1 9>&-)
grep -qE "^collector killed at $RFC3339_MS: pid [0-9]+$" <<<"$out" && pass "collector kill: $out" ||
	fail "collector kill: $out"
got=$(ip netns exec "${RMLAB_PREFIX}west-a-0" curl -s -m 2 -o /dev/null -w '%{http_code}' "$URL/healthz" 2>&1)
[ "$got" = 000 ] && pass "a killed collector answers nothing" || fail "a killed collector answered $got"
out=$("$LAB" collector kill 2>&1 9>&-); rc=$?
[ $rc -eq 3 ] && grep -qx "reachmap-lab: collector kill: the collector is not running" <<<"$out" &&
	pass "collector kill when none runs: exit 3, says so" || fail "collector kill twice: exit $rc: $out"
out=$("$LAB" collector start 2>&1 9>&-)
grep -qE "^collector started at $RFC3339_MS: $URL, pid [0-9]+$" <<<"$out" && pass "collector start: $out" ||
	fail "collector start: $out"
reach_from_every_pod "overlap, the collector started again"
[ "$(grep -c 'collect: ready' "$log")" -eq 2 ] && pass "its log holds both starts" ||
	fail "collector.log has $(grep -c 'collect: ready' "$log") ready lines, want 2"
"$LAB" down >/dev/null 9>&-

out=$("$LAB" up zone-partial --collector --dir "$dir" --reachmap "$REACHMAP" 2>&1 9>&-) ||
	{ echo "FAIL up zone-partial --collector: $out"; exit 1; }
got=$(ip netns exec "${RMLAB_PREFIX}east-c-0" curl -s -m 2 -o /dev/null -w '%{http_code}' http://10.200.1.20:8080/ 2>&1)
[ "$got" = 000 ] && pass "zone-partial: east-c-0 cannot reach west (the fault is in)" ||
	fail "zone-partial: east-c-0 reached west: $got"
reach_from_every_pod "zone-partial, faults in"

echo "$T: $PASS passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
