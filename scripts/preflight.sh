#!/usr/bin/env bash
# The pre-flight flow, end to end, in the lab: before a Cassandra
# datacenter is added, (1) `reachmap plan` checks the topology on paper
# (ranges, DNS, the declared addresses); (2) agents go into the clusters with
# --standins, which answer on the Cassandra ports where Cassandra does not
# exist yet, and push to a collector; (3) `reachmap check` waits for a round
# from every probe and gives the verdict, with a JUnit file for CI. A plan
# that fails stops the flow there. Always tears the lab down.
#
#   sudo scripts/preflight.sh [--reachmap BIN] [SCENARIO]     (default three-dc)
#
# In a real deployment the same three steps are `reachmap plan topology.yaml`,
# the agents' manifests applied with REACHMAP_STANDINS=1, and `reachmap check
# --collector URL` (the CI Job of manifests/).
# Exit codes: those of plan when it fails, else those of check (0 pass,
# 1 the network is not as planned, 3 no collector); 2 bad usage; 3 the lab
# could not be built.
set -u
bin=build/cli/reachmap
scenario=three-dc
while [ $# -gt 0 ]; do
	case $1 in
	--help | -h) sed -n '2,18s/^# \{0,1\}//p' "$0"; exit 0 ;;
	--reachmap) [ $# -ge 2 ] || { echo "preflight: --reachmap needs the binary" >&2; exit 2; }; bin=$2; shift 2 ;;
	-*) echo "preflight: unknown option '$1'" >&2; exit 2 ;;
	*) scenario=$1; shift ;;
	esac
done
cd "$(dirname "$0")/.."
bin=$(readlink -f "$bin")
[ -x "$bin" ] || { echo "preflight: $bin is not built; run make" >&2; exit 3; }
[ "$(id -u)" -eq 0 ] || { echo "preflight: the lab needs root (network namespaces); run it with sudo" >&2; exit 3; }
LAB=lab/reachmap-lab
URL=http://192.168.250.1:8787
dir=/tmp/reachmap-preflight
rm -rf "$dir"
mkdir -p "$dir"

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

echo "pre-flight: 1. the plan, on paper"
"$LAB" topology "$scenario" -o "$dir/topology.yaml" || exit 2
step "$bin" plan "$dir/topology.yaml"
rc=$?
if [ $rc -ne 0 ]; then
	echo "pre-flight: the plan does not pass (exit $rc): fix the topology before deploying anything"
	exit $rc
fi

echo
echo "pre-flight: 2. agents with stand-ins in every pod, before Cassandra exists"
trap '"$LAB" down >/dev/null 2>&1' EXIT
step "$LAB" up "$scenario" --live --interval 2 --dir "$dir" --reachmap "$bin" || exit 3
cmp -s "$dir/topology.yaml" <("$LAB" topology "$scenario") ||
	{ echo "pre-flight: the lab's topology is not the one planned" >&2; exit 3; }

echo
echo "pre-flight: 3. the verdict from what the agents measured"
step "$LAB" exec collector -- "$bin" check --topology "$dir/topology.yaml" --collector "$URL" \
	--wait 60 --junit "$dir/preflight.junit.xml"
rc=$?
echo "(exit $rc; JUnit in $dir/preflight.junit.xml)"
exit $rc
