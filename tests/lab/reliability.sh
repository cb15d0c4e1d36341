#!/usr/bin/env bash
# tests/lab/reliability.sh PART: the live system when things go wrong, in
# the lab (`up clean --live --interval 2`), one part per ctest:
#   outage         the collector killed (SIGKILL) for 20 s while the agents
#                  run: once it is back, every round taken meanwhile arrives
#                  from the spools, each once (the store), the spools drain
#   recreate       a target and a probe whose topology entries have a dnsName
#                  and no address are re-created at new addresses: every
#                  peer's rounds reach them there within two intervals
#   bad-collector  every agent also pushes to a collector that answers 500 and
#                  one that never answers: they keep probing on schedule, the
#                  good collector gets every round (check passes), their
#                  spools stay bounded and their memory (RSS) stops growing
# Always tears down. Exit: 0 passed, 1 failed, 77 cannot run here (skip).
set -u
PART=${1:?usage: reliability.sh outage|recreate|bad-collector}
INTERVAL=2
SRC=$(cd "$(dirname "$0")/../.." && pwd)
LAB=$SRC/lab/reachmap-lab
T=lab.reliability.$PART
[ "$(id -u)" -eq 0 ] || { echo "$T: SKIP: needs root to create network namespaces"; exit 77; }
[ -n "${REACHMAP:-}" ] && [ -x "$REACHMAP" ] || { echo "$T: FAIL: REACHMAP must name the reachmap binary"; exit 1; }
for c in agent check; do
	"$REACHMAP" "$c" --help >/dev/null 2>&1 || { echo "$T: FAIL: $REACHMAP has no '$c' command"; exit 1; }
done
# shellcheck source=live-common.sh
. "$SRC/tests/lab/live-common.sh"
EXPECT="/usr/bin/python3 $SRC/tests/lab/reliability_expect.py"

up() {
	local out
	timeout 60 "$LAB" down >/dev/null 2>&1
	out=$("$LAB" up clean --live --interval "$INTERVAL" --dir "$dir" --reachmap "$REACHMAP" "$@" 2>&1 9>&-) ||
		{ echo "FAIL lab up clean --live $*: $out"; exit 1; }
}

# check NAME: reachmap check in the collector's namespace passes.
check() {
	local out rc
	out=$(timeout 60 ip netns exec "${RMLAB_PREFIX}collector" "$REACHMAP" check --topology "$dir/topology.yaml" \
		--collector "$URL" --wait 30 2>&1); rc=$?
	[ $rc -eq 0 ] && pass "check ($1) passes" || fail "check ($1) exited $rc: $(head -20 <<<"$out")"
}

# at LINE VERB: the time in "VERB at TIME" of a lab command's line.
at() { grep -oE "$2 at $RFC3339_MS" <<<"$1" | awk '{ print $NF }'; }

part_outage() {
	local out killed started
	up --collector-args "--retain 0"
	check "every agent reports"
	out=$("$LAB" collector kill 2>&1 9>&-)
	killed=$(at "$out" killed)
	[ -n "$killed" ] && pass "$out" || { fail "collector kill: $out"; return; }
	sleep 20
	out=$("$LAB" collector start 2>&1 9>&-)
	started=$(at "$out" started)
	[ -n "$started" ] && pass "$out" || { fail "collector start: $out"; return; }
	$EXPECT outage "$dir/collector.db" "$dir" "$killed" "$started" 40 && pass "the outage: nothing lost, nothing twice" ||
		fail "the outage: rounds lost or stored twice"
	check "after the outage"
}

# recreated POD: recreate it; sets NEW (its address) and WHEN.
recreated() {
	local out
	out=$("$LAB" recreate "$1" 2>&1 9>&-)
	WHEN=$(at "$out" "recreated $1")
	NEW=$(sed -n 's/.* -> \([0-9.]*\) (.*/\1/p' <<<"$out")
	[ -n "$WHEN" ] && [ -n "$NEW" ] && pass "$out" || fail "recreate $1: $out"
}

part_recreate() {
	local t_when t_new
	up --collector-args "--retain 0" --no-address dc-west-rack1-sts-0 --no-address west-b-0
	grep -q "{name: dc-west-rack1-sts-0, zone: us-west1-a, dnsName:" "$dir/topology.yaml" &&
		grep -q "{name: west-b-0, zone: us-west1-b, dnsName:" "$dir/topology.yaml" &&
		pass "the topology gives dc-west-rack1-sts-0 and west-b-0 a dnsName and no address" ||
		fail "the topology: $(grep -E 'dc-west-rack1-sts-0|west-b-0' "$dir/topology.yaml")"
	check "pods found by their names"
	recreated dc-west-rack1-sts-0
	t_when=$WHEN t_new=$NEW
	recreated west-b-0
	$EXPECT address "$dir/collector.db" dc-west-rack1-sts-0 "$t_new" "$t_when" "$INTERVAL" 30 &&
		pass "every peer uses the target's new address within two intervals" ||
		fail "a peer did not use the target's new address within two intervals"
	$EXPECT address "$dir/collector.db" west-b-0 "$NEW" "$WHEN" "$INTERVAL" 30 &&
		pass "every peer uses the probe's new address within two intervals" ||
		fail "a peer did not use the probe's new address within two intervals"
	check "after the re-creations"
}

agent_pid() {
	for p in $(ip netns pids "$RMLAB_PREFIX$1"); do
		tr '\0' ' ' <"/proc/$p/cmdline" | grep -q ' agent ' && echo "$p"
	done | head -1
}

# floors POD...: FLOOR[POD], the least resident memory (kB) of each pod's
# agent over about 3 s, more than a round's interval: the memory it keeps
# between rounds (a round's own comes and goes, the heap trimmed after it).
# ROUNDS[POD]: its rounds so far.
floors() {
	local p i rss
	declare -gA FLOOR ROUNDS PID
	for p; do FLOOR[$p]=0 PID[$p]=$(agent_pid "$p"); done
	for i in 1 2 3 4 5 6 7; do
		for p; do
			rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/${PID[$p]}/status" 2>/dev/null || echo 0)
			[ "${FLOOR[$p]}" -ne 0 ] && [ "${FLOOR[$p]}" -le "$rss" ] || FLOOR[$p]=$rss
		done
		sleep 0.45
	done
	for p; do ROUNDS[$p]=$(grep -c '^reachmap agent: round=' "$dir/agent-$p.log"); done
}

part_bad_collector() {
	local p pods r1 n1 r2 r3 n2 last spool lost want pushed
	# A sanitizer build keeps freed memory in quarantine (up to 256 MiB), which
	# would read as growth; it is not the agent's.
	export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=1
	up --agent-args "--collector http://192.168.250.1:8790 --collector http://192.168.250.1:8791 --spool-max 5"
	for m in 500 hang; do
		port=8790
		[ $m = 500 ] || port=8791
		ip netns exec "${RMLAB_PREFIX}collector" setsid -f /usr/bin/python3 "$SRC/tests/lab/badcollector.py" \
			192.168.250.1 $port $m </dev/null >"$dir/bad-$m.log" 2>&1 9>&-
	done
	# Three floors 12 s apart once the spools are full (5 rounds, about
	# 11 s): memory kept that grew between the second and the third is not
	# bounded. A step between the first two (an allocator mapping a new size
	# class) is allowed once.
	sleep 12
	# The probes: a target's agent serves and reports what arrived, it takes no rounds.
	pods=$(awk '$1 == "POD" && $5 == "probe" { print $2 }' "$dir/state")
	declare -A R1 N1 R2
	# shellcheck disable=SC2086
	floors $pods
	for p in $pods; do R1[$p]=${FLOOR[$p]} N1[$p]=${ROUNDS[$p]}; done
	sleep 9.3
	# shellcheck disable=SC2086
	floors $pods
	for p in $pods; do R2[$p]=${FLOOR[$p]}; done
	sleep 9.3
	# shellcheck disable=SC2086
	floors $pods
	want=$((24 * 10 / (INTERVAL * 11) - 2))
	for p in $pods; do
		r1=${R1[$p]} r2=${R2[$p]} r3=${FLOOR[$p]} n1=${N1[$p]} n2=${ROUNDS[$p]}
		last=$(grep '^reachmap agent: round=' "$dir/agent-$p.log" | tail -1)
		spool=$(sed -n 's/.* spool=\([0-9]*\).*/\1/p' <<<"$last")
		lost=$(sed -n 's/.* lost=\([0-9]*\).*/\1/p' <<<"$last")
		[ $((n2 - n1)) -ge $want ] && pass "$p kept probing: $((n2 - n1)) rounds in 24 s" ||
			fail "$p: $((n2 - n1)) rounds in 24 s, want at least $want"
		# pushed=OK/TOTAL counts documents (results, arrivals) to all three.
		pushed=$(sed -n 's/.* pushed=\([0-9]*\/[0-9]*\) .*/\1/p' <<<"$last")
		[ -n "$pushed" ] && [ "${pushed%/*}" -gt 0 ] && [ $((${pushed%/*} * 3)) -eq "${pushed#*/}" ] &&
			pass "$p: the good collector took its documents, the bad ones did not (pushed=$pushed)" ||
			fail "$p: its last round: $last"
		# spool counts documents: two a round, five rounds for each bad collector.
		[ -n "$spool" ] && [ "$spool" -le 20 ] && [ "${lost:-0}" -gt 0 ] &&
			pass "$p: its spool stays bounded (spool=$spool documents, the oldest rounds dropped: lost=$lost)" ||
			fail "$p: spool=$spool lost=$lost, want at most 20 documents (5 rounds per bad collector), some lost"
		[ $((r3 - r2)) -le $((r2 / 20 + 2048)) ] && [ $((r3 - r1)) -le $((r1 / 4 + 4096)) ] &&
			pass "$p: RSS between rounds ${r1} kB, 12 s later ${r2} kB, 12 s later ${r3} kB" ||
			fail "$p: RSS between rounds ${r1} kB, 12 s later ${r2} kB, 12 s later ${r3} kB: it keeps growing"
	done
	grep -q "answered 500" "$dir/bad-500.log" && pass "the 500 collector was asked" || fail "nothing asked the 500 collector"
	grep -q "never answered" "$dir/bad-hang.log" && pass "the hanging collector was asked" ||
		fail "nothing asked the hanging collector"
	check "the good collector"
}

case $PART in
outage) part_outage ;;
recreate) part_recreate ;;
bad-collector) part_bad_collector ;;
*) echo "usage: reliability.sh outage|recreate|bad-collector" >&2; exit 2 ;;
esac
echo "$T: $PASS passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
