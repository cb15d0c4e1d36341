#!/usr/bin/env bash
# The demo `make demo` runs: the pre-flight `reachmap plan` of the examples,
# a clean two-datacenter plan, a broken one, and free ranges for a new
# datacenter. (Later issues make it the full lab demo: agents, analysis and
# reports over simulated clusters.)
set -u
bin=${1:-build/cli/reachmap}
cd "$(dirname "$0")/.."
[ -x "$bin" ] || { echo "demo: $bin is not built; run make" >&2; exit 3; }

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; echo "(exit $?)"; }

echo "reachmap demo: the pre-flight check before adding a datacenter"
step "$bin" plan examples/two-dc.yaml
step "$bin" plan examples/broken.yaml
step "$bin" plan examples/three-dc.yaml --suggest pods=/16,services=/16,nodes=/20
exit 0
