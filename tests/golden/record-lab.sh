#!/usr/bin/env bash
# Records every lab scenario's documents into tests/fixtures/lab/SCENARIO/
# (topology, each probe's results, each pod's arrivals), so that the
# analyzer's golden reports run without root. Run as root after a change to
# the lab or the probes, then `make golden` and review the diff.
#   tests/golden/record-lab.sh REACHMAP [SCENARIO...]   (default: every scenario)
set -eu
RM=$(readlink -f "${1:?usage: record-lab.sh REACHMAP [SCENARIO...]}")
shift
cd "$(dirname "$0")/../.."
# One lab at a time on this machine: wait for a running test's.
# shellcheck source=../lab/lock.sh
. tests/lab/lock.sh
lab_lock record-lab
[ $# -gt 0 ] || set -- $(lab/reachmap-lab list | awk '{print $1}')
for s; do
	d=$(mktemp -d)
	lab/reachmap-lab up "$s" --dir "$d" --reachmap "$RM" >/dev/null 9>&-
	for p in $(awk '$1 == "POD" && $5 == "probe" { print $2 }' "$d/state"); do
		c=$(awk -v p="$p" '$1 == "POD" && $2 == p { print $4 }' "$d/state")
		ip netns exec "$RMLAB_PREFIX$p" "$RM" probe --topology "$d/topology.yaml" --cluster "$c" \
			--name "$p" --once --timeout 800 --out "$d/results-$p.json" 2>/dev/null
	done
	lab/reachmap-lab down >/dev/null
	out=tests/fixtures/lab/$s
	rm -rf "$out"
	mkdir -p "$out"
	cp "$d"/topology.yaml "$d"/results-*.json "$d"/arrivals-*.json "$out"/
	rm -rf "$d"
	echo "recorded $s: $(ls "$out" | wc -l) files"
done
