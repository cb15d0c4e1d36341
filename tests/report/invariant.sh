#!/usr/bin/env bash
# Issue 11's invariant (tests/report/invariant.py: every unhealthy cell is
# explained by a finding, and never a pass over one) on reports:
#   invariant.sh golden              every JSON report under tests/golden/
#   invariant.sh recorded REACHMAP SCENARIO
#                                    the analyzer's JSON report of a recorded
#                                    lab scenario (tests/fixtures/lab/SCENARIO)
set -u
cd "$(dirname "$0")/../.."
case ${1:-} in
golden)
	exec /usr/bin/python3 tests/report/invariant.py tests/golden/*.json ;;
recorded)
	bin=${2:?usage: invariant.sh recorded REACHMAP SCENARIO}
	d=tests/fixtures/lab/${3:?usage: invariant.sh recorded REACHMAP SCENARIO}
	tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
	"$bin" analyze -t "$d/topology.yaml" --format json -o "$tmp/report.json" \
		"$d"/results-*.json "$d"/arrivals-*.json
	[ $? -le 1 ] || { echo "FAIL reachmap analyze on $d"; exit 1; }
	/usr/bin/python3 tests/report/invariant.py "$tmp/report.json" | sed "s|$tmp/report.json|$d|" 
	exit "${PIPESTATUS[0]}" ;;
*)
	echo "usage: invariant.sh golden | recorded REACHMAP SCENARIO" >&2
	exit 2 ;;
esac
