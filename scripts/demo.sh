#!/usr/bin/env bash
# The demo `make demo` runs. As root, where network namespaces can be made:
# the live system in the lab's multi-fault scenario (two simulated clusters):
# a collector, `reachmap agent` in every pod; `reachmap check` passes; the
# three faults are injected while the agents run; `check` gives the verdict
# and the few causes behind the failing cells, with evidence and remedies;
# the HTML report is written from the collector; the command to watch it in
# `reachmap top` is named; the faults are healed and `check` passes again.
# It ends by itself and tears the lab down (DEMO_KEEP=1 leaves it up, faults
# in, for `top`; `lab/reachmap-lab down` ends it). Then, and elsewhere only,
# the pre-flight `reachmap plan` of the examples.
set -u
bin=$(readlink -f "${1:-build/cli/reachmap}")
cd "$(dirname "$0")/.."
[ -x "$bin" ] || { echo "demo: $bin is not built; run make" >&2; exit 3; }
URL=http://192.168.250.1:8787
LAB=lab/reachmap-lab

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; echo "(exit $?)"; }

lab_demo() {
	local dir=/tmp/reachmap-demo
	rm -rf "$dir"
	echo "reachmap demo: two clusters, agents in every pod, a collector; three faults injected live"
	"$LAB" up multi-fault --live --healthy --interval 2 --dir "$dir" --reachmap "$bin" || return 1
	[ "${DEMO_KEEP:-0}" = 1 ] || trap '"$LAB" down >/dev/null 2>&1' EXIT
	step "$LAB" exec collector -- "$bin" check --topology "$dir/topology.yaml" --collector "$URL" --wait 30
	step "$LAB" inject
	step "$LAB" exec collector -- "$bin" check --topology "$dir/topology.yaml" --collector "$URL" --wait 30 \
		--json "$dir/report.json"
	"$LAB" exec collector -- curl -s -o "$dir/report.html" "$URL/v1/report?format=html"
	echo "the JSON report (reachmap.report/v1) is in $dir/report.json"
	echo "the HTML report (one self-contained file, a heat map) is in $dir/report.html"
	echo "watch it live, while the lab is up:"
	echo "  sudo $LAB exec collector -- $bin top --collector $URL"
	if [ "${DEMO_KEEP:-0}" = 1 ]; then
		echo "the lab stays up with the faults in (DEMO_KEEP=1): '$LAB heal' mends it, '$LAB down' ends it"
		return 0
	fi
	step "$LAB" heal
	step "$LAB" exec collector -- "$bin" check --topology "$dir/topology.yaml" --collector "$URL" --wait 30
	"$LAB" down >/dev/null
	trap - EXIT
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
echo
echo "the whole pre-flight flow in the lab (plan, agents with stand-ins before Cassandra exists, check):"
echo "  sudo scripts/preflight.sh three-dc"
exit 0
