#!/usr/bin/env bash
# tests/lab/probe.sh SCENARIO [raw|connect|restricted]: brings the scenario up (reachmap serve
# --standins in every pod), runs `reachmap probe --once` from every probe
# pod, and checks every cell of every results document against the
# scenario's expectations (tests/lab/probe_expect.py); always tears down.
# SCENARIO-v6 is a dual-stack scenario seen through its IPv6 view: the same
# lab, probed and analyzed with topology-v6.yaml.
# Exit: 0 all cells as expected, 1 not, 77 cannot run here (skip).
set -u
SCENARIO=${1:?usage: probe.sh SCENARIO[-v6] [raw|connect]}
MODE=${2:-raw}
# restricted: connect mode as a pod under Pod Security `restricted` runs it
# (manifests/base): uid 65532, no capability at all, not even in the
# bounding set, ICMP on a datagram socket through net.ipv4.ping_group_range.
ENGINE_MODE=$MODE
AS=()
if [ "$MODE" = restricted ]; then
	ENGINE_MODE=connect
	AS=(setpriv --reuid=65532 --regid=65532 --clear-groups --inh-caps=-all --bounding-set=-all --)
fi
LAB_SCENARIO=$SCENARIO
TOPOLOGY=topology.yaml
case $SCENARIO in *-v6) LAB_SCENARIO=${SCENARIO%-v6} TOPOLOGY=topology-v6.yaml ;; esac
SRC=$(cd "$(dirname "$0")/../.." && pwd)
LAB=$SRC/lab/reachmap-lab
: "${REACHMAP:?REACHMAP must name the reachmap binary}"
if [ "$(id -u)" -ne 0 ]; then
	echo "probe.$SCENARIO: SKIP: needs root and network namespaces"
	exit 77
fi
# shellcheck source=lock.sh
. "$SRC/tests/lab/lock.sh"
lab_lock "probe.$SCENARIO"
lab_need_netns "probe.$SCENARIO"
dir=$(mktemp -d /tmp/reachmap-probe-test.XXXXXX)
trap '"$LAB" down >/dev/null 2>&1; rm -rf "$dir"' EXIT
trap 'exit 130' INT TERM
"$LAB" down >/dev/null 2>&1
"$LAB" up "$LAB_SCENARIO" --dir "$dir" --reachmap "$REACHMAP" >/dev/null 9>&- ||
	{ echo "FAIL lab up $LAB_SCENARIO"; exit 1; }
[ -f "$dir/$TOPOLOGY" ] || { echo "FAIL lab up $LAB_SCENARIO wrote no $TOPOLOGY"; exit 1; }
out=$dir
if [ "$MODE" = restricted ]; then
	chmod 755 "$dir" && out=$dir/restricted && mkdir -m 777 "$out" || exit 1
fi

# A part that tests/lab/known-failing.txt lists for this scenario is expected
# to fail on today's code: it is reported (XFAIL) and does not fail the
# test; once it passes, the line must go (XPASS fails).
known_failing() { grep -Eq "^$1 +$SCENARIO( |$)" "$SRC/tests/lab/known-failing.txt"; }
# verdict PART RC: PART's result, against the list.
verdict() {
	if known_failing "$1"; then
		if [ "$2" -ne 0 ]; then echo "XFAIL $1 $SCENARIO: known to fail until its fix (tests/lab/known-failing.txt)"; return 0; fi
		echo "XPASS $1 $SCENARIO: passes now; remove its line from tests/lab/known-failing.txt"
		return 1
	fi
	return "$2"
}

# run_probes: reachmap probe from every probe pod, each document against
# probe_expect.py; sets files. Exits (in the subshell below) on a failure.
run_probes() {
	files=()
	pods=$(awk '$1 == "POD" && $5 == "probe" { print $2 }' "$dir/state")
	for p in $(/usr/bin/python3 "$SRC/tests/lab/probe_expect.py" --order "$SCENARIO" $pods); do
		c=$(awk -v p="$p" '$1 == "POD" && $2 == p { print $4 }' "$dir/state")
		start=$(date +%s%N)
		[ "$MODE" = restricted ] &&
			ip netns exec "$RMLAB_PREFIX$p" sysctl -qw net.ipv4.ping_group_range="0 2147483647"
		if ! timeout 60 ip netns exec "$RMLAB_PREFIX$p" "${AS[@]}" "$REACHMAP" probe --topology "$dir/$TOPOLOGY" \
			--cluster "$c" --name "$p" --once --mode "$ENGINE_MODE" --timeout 800 --out "$out/results-$p.json" 2>"$dir/probe-$p.err"; then
			echo "FAIL reachmap probe from $p: $(cat "$dir/probe-$p.err")"
			exit 1
		fi
		grep -q "\"mode\": \"$ENGINE_MODE\"" "$out/results-$p.json" || { echo "FAIL $p did not run in $ENGINE_MODE mode"; exit 1; }
		echo "ran  reachmap probe --once --mode $ENGINE_MODE ($MODE) from $p in $(( ($(date +%s%N) - start) / 1000000 )) ms"
		files+=("$out/results-$p.json")
	done
	# Capabilities were dropped after start-up.
	for f in "${files[@]}"; do
		grep -q '"capEff": "0000000000000000"' "$f" || { echo "FAIL $f: capabilities not dropped"; exit 1; }
	done
	echo "ok   every probe dropped all capabilities (CapEff 0)"
	# Every document, and the arrivals serve wrote on SIGTERM, against the schema.
	"$LAB" down >/dev/null
	if /usr/bin/python3 -c 'import jsonschema' 2>/dev/null; then
		/usr/bin/python3 "$SRC/tests/schema/validate.py" "$SRC/report/schema/reachmap.results.v1.json" \
			"${files[@]}" "$dir"/arrivals-*.json >"$dir/schema.out" || { cat "$dir/schema.out"; exit 1; }
		echo "ok   $(grep -c '^ok' "$dir/schema.out") results and arrivals documents match reachmap.results/v1"
	fi
	/usr/bin/python3 "$SRC/tests/lab/probe_expect.py" --arrivals "$dir" "$SCENARIO" "${files[@]}" || exit 1
}

# run_analyzer: the analyzer on the same documents: exactly the injected
# faults, and issue 11's invariant (every unhealthy cell explained), each
# part against tests/lab/known-failing.txt.
run_analyzer() {
	"$REACHMAP" analyze --topology "$dir/$TOPOLOGY" --format json -o "$dir/report.json" \
		"${files[@]}" "$dir"/arrivals-*.json
	rc=$?
	want_rc=1
	case $SCENARIO in clean | three-dc | dual-stack) want_rc=0 ;; esac
	[ "$rc" -le 1 ] || { echo "FAIL reachmap analyze exited $rc"; exit 1; }
	if /usr/bin/python3 -c 'import jsonschema' 2>/dev/null; then
		/usr/bin/python3 "$SRC/tests/schema/validate.py" "$SRC/report/schema/reachmap.report.v1.json" \
			"$dir/report.json" || exit 1
	fi
	bad=0
	(
		[ "$rc" -eq "$want_rc" ] || { echo "FAIL reachmap analyze exited $rc, want $want_rc"; exit 1; }
		echo "ok   reachmap analyze exits $rc"
		/usr/bin/python3 "$SRC/tests/lab/analyze_expect.py" "$SCENARIO" "$dir/report.json"
	)
	verdict expect $? || bad=1
	/usr/bin/python3 "$SRC/tests/report/invariant.py" "$dir/report.json"
	verdict invariant $? || bad=1
	return $bad
}

# The probes' part: a scenario whose probes are known to fail (the `probe`
# part, e.g. the IPv6 view until the probe engine speaks IPv6) is XFAIL as
# a whole, analyzer included; otherwise the probes' failures fail the test.
(run_probes && run_analyzer)
verdict probe $?
exit $?
