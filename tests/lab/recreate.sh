#!/usr/bin/env bash
# tests/lab/recreate.sh: `reachmap-lab recreate POD` re-creates a pod as
# Kubernetes does: a new address, the next free one in its zone's /24, which
# its DNS name resolves to from both clusters; it answers there as itself
# and nothing answers at the old one; the state and status follow; a second
# recreate takes the next address again. Usage errors. Always tears down.
# Exit: 0 all assertions passed, 1 one failed, 77 cannot run here (skip).
set -u
SRC=$(cd "$(dirname "$0")/../.." && pwd)
LAB=$SRC/lab/reachmap-lab
T=lab.recreate
[ "$(id -u)" -eq 0 ] || { echo "$T: SKIP: needs root to create network namespaces"; exit 77; }
for t in dnsmasq iptables dig flock timeout /usr/bin/python3; do
	command -v "$t" >/dev/null || { echo "$T: SKIP: $t is missing (make deps installs it)"; exit 77; }
done
# shellcheck source=live-common.sh
. "$SRC/tests/lab/live-common.sh"
TCPCHECK="/usr/bin/python3 $SRC/lab/lib/tcpcheck.py"
standin=()
if [ -n "${REACHMAP:-}" ] && [ -x "$REACHMAP" ]; then standin=(--reachmap "$REACHMAP"); fi

# run NAME EXIT REGEX -- COMMAND...: exit code and one line matching REGEX.
run() {
	local name=$1 want_rc=$2 re=$3 out rc
	shift 4
	out=$(timeout 60 "$@" 2>&1 9>&-); rc=$?
	if [ "$rc" -eq "$want_rc" ] && grep -qE -- "$re" <<<"$out"; then pass "$name: $out"
	else fail "$name: exit $rc (want $want_rc), output '$out' (want '$re')"; fi
}

# resolves FROM NAME ADDRESS: NAME resolves to ADDRESS in FROM's resolver.
resolves() {
	local got
	got=$(timeout 10 ip netns exec "$RMLAB_PREFIX$1" dig +short +time=2 +tries=2 "$2" A 2>&1)
	[ "$got" = "$3" ] && pass "$1 resolves $2 to $3" || fail "$1 resolves $2 to '$got', want $3"
}

# answers FROM ADDRESS NAME PEER: the responder at ADDRESS is NAME, and saw PEER.
answers() {
	local got
	got=$(timeout 10 ip netns exec "$RMLAB_PREFIX$1" $TCPCHECK --identity --timeout 1 "$2" 8788 2>&1)
	[ "$got" = "open name=$3 peer=$4" ] && pass "$1 -> $2 is answered by $3" ||
		fail "$1 -> $2: '$got', want 'open name=$3 peer=$4'"
}

timeout 60 "$LAB" down >/dev/null 2>&1
run "recreate with no lab" 3 "^reachmap-lab: recreate: no lab is up$" -- "$LAB" recreate west-a-0
out=$("$LAB" up clean --dir "$dir" "${standin[@]}" 2>&1 9>&-) || { echo "FAIL up clean: $out"; exit 1; }
run "recreate, no pod named" 2 "^reachmap-lab: recreate: which pod\?" -- "$LAB" recreate
run "recreate, two pods" 2 "recreate: one pod only, got 'east-b-0' too" -- "$LAB" recreate west-a-0 east-b-0
run "recreate, unknown pod" 2 "recreate: no pod 'nosuch' is up" -- "$LAB" recreate nosuch
run "recreate --help" 0 "^usage: reachmap-lab recreate POD" -- "$LAB" recreate --help

name=west-a-0.reachmap.reachmap.svc.west.cluster.local
resolves east-b-0 "$name" 10.200.1.10
run "recreate west-a-0" 0 \
	"^recreated west-a-0 at $RFC3339_MS: 10\.200\.1\.10 -> 10\.200\.1\.11 \($name\)$" -- "$LAB" recreate west-a-0
resolves east-b-0 "$name" 10.200.1.11
resolves west-b-0 "$name" 10.200.1.11
answers east-b-0 10.200.1.11 west-a-0 10.250.1.10
answers west-a-0 10.200.2.10 west-b-0 10.200.1.11
got=$(timeout 10 ip netns exec "${RMLAB_PREFIX}east-b-0" $TCPCHECK --identity --timeout 1 10.200.1.10 8788 2>&1)
case $got in open*) fail "something still answers at the old address 10.200.1.10: $got" ;;
*) pass "nothing answers at the old address 10.200.1.10: $got" ;;
esac
awk '$1 == "POD" && $2 == "west-a-0" { print $7 }' "$dir/state" | grep -qx 10.200.1.11 &&
	pass "the state holds the new address" || fail "the state: $(grep ' west-a-0 ' "$dir/state")"
"$LAB" status | grep -qE '^  west-a-0 +west +probe +us-west1-a +10\.200\.1\.11$' &&
	pass "status shows the new address" || fail "status: $("$LAB" status | grep west-a-0)"
grep -q "address: 10.200.1.10" "$dir/topology.yaml" &&
	pass "the topology still says what was declared (10.200.1.10)" || fail "the topology was rewritten"

# A target, twice: .20 -> .21 -> .22; its Cassandra ports answer there.
run "recreate a target" 0 "10\.250\.2\.20 -> 10\.250\.2\.21 " -- "$LAB" recreate dc-east-rack2-sts-0
run "recreate it again" 0 "10\.250\.2\.21 -> 10\.250\.2\.22 " -- "$LAB" recreate dc-east-rack2-sts-0
resolves west-a-0 dc-east-rack2-sts-0.dc-east-service.k8ssandra.svc.east.cluster.local 10.250.2.22
got=$(timeout 10 ip netns exec "${RMLAB_PREFIX}west-a-0" $TCPCHECK --cql --timeout 1 10.250.2.22 9042 2>&1)
[ "$got" = "open cql SUPPORTED" ] && pass "its CQL stand-in answers at 10.250.2.22" ||
	fail "CQL at 10.250.2.22: $got"

echo "$T: $PASS passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
