#!/usr/bin/env bash
# The demo `make demo` runs. As root, where network namespaces can be made:
# the lab's multi-fault scenario (three faults at once between two simulated
# clusters), reachmap serve in every pod, reachmap probe --once from every
# probe pod, then reachmap analyze: the few causes behind the failing cells,
# with evidence and remedies; the JSON report is written and named. Then,
# and elsewhere only, the pre-flight reachmap plan of the examples.
set -u
bin=$(readlink -f "${1:-build/cli/reachmap}")
cd "$(dirname "$0")/.."
[ -x "$bin" ] || { echo "demo: $bin is not built; run make" >&2; exit 3; }

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; echo "(exit $?)"; }

lab_demo() {
	local dir=/tmp/reachmap-demo p c
	rm -rf "$dir"
	echo "reachmap demo: two clusters, three faults (lab scenario multi-fault)"
	lab/reachmap-lab up multi-fault --dir "$dir" --reachmap "$bin" || return 1
	trap 'lab/reachmap-lab down >/dev/null 2>&1' EXIT
	for p in $(awk '$1 == "POD" && $5 == "probe" { print $2 }' "$dir/state"); do
		c=$(awk -v p="$p" '$1 == "POD" && $2 == p { print $4 }' "$dir/state")
		echo "probing from $p ($c)"
		ip netns exec "rmlab-$p" "$bin" probe --topology "$dir/topology.yaml" --cluster "$c" \
			--name "$p" --once --out "$dir/results-$p.json" 2>/dev/null
	done
	lab/reachmap-lab down >/dev/null   # serve writes what arrived
	trap - EXIT
	step "$bin" analyze --topology "$dir/topology.yaml" "$dir"/results-*.json "$dir"/arrivals-*.json
	"$bin" analyze --topology "$dir/topology.yaml" --format json -o "$dir/report.json" \
		"$dir"/results-*.json "$dir"/arrivals-*.json
	"$bin" analyze --topology "$dir/topology.yaml" --format html -o "$dir/report.html" \
		"$dir"/results-*.json "$dir"/arrivals-*.json
	echo "the JSON report (reachmap.report/v1) is in $dir/report.json"
	echo "the HTML report (one self-contained file, a heat map) is in $dir/report.html"
}

if [ "$(id -u)" -eq 0 ] && ip netns add rmlab-demo-probe 2>/dev/null; then
	ip netns del rmlab-demo-probe
	lab_demo || echo "demo: the lab demo did not run; see above"
else
	echo "demo: not root or no network namespaces here: the lab part is skipped"
fi

echo
echo "reachmap demo: the pre-flight check before adding a datacenter"
step "$bin" plan examples/two-dc.yaml
step "$bin" plan examples/broken.yaml
step "$bin" plan examples/three-dc.yaml --suggest pods=/16,services=/16,nodes=/20
exit 0
