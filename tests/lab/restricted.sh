#!/usr/bin/env bash
# tests/lab/restricted.sh SCENARIO: every pod as a Pod Security `restricted`
# pod runs reachmap (manifests/base): serve and probe as uid 65532 with no
# capability at all, so no end captures arrivals; then analyze, and the
# findings restricted mode gives, which README's "Deploy to Kubernetes"
# states: where the far end's capture is what tells the request lost from
# the answer lost, restricted mode says less, never something else.
# Exit: 0 as stated, 1 not, 77 cannot run here (skip).
set -u
SCENARIO=${1:?usage: restricted.sh SCENARIO}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
LAB=$SRC/lab/reachmap-lab
: "${REACHMAP:?REACHMAP must name the reachmap binary}"
if [ "$(id -u)" -ne 0 ]; then
	echo "restricted.$SCENARIO: SKIP: needs root and network namespaces"
	exit 77
fi
command -v setpriv >/dev/null || { echo "restricted.$SCENARIO: SKIP: setpriv is missing"; exit 77; }
# shellcheck source=lock.sh
. "$SRC/tests/lab/lock.sh"
lab_lock "restricted.$SCENARIO"
lab_need_netns "restricted.$SCENARIO"
AS="setpriv --reuid=65532 --regid=65532 --clear-groups --inh-caps=-all --bounding-set=-all --"
dir=$(mktemp -d /tmp/reachmap-restricted-test.XXXXXX)
trap '"$LAB" down >/dev/null 2>&1; rm -rf "$dir"' EXIT
trap 'exit 130' INT TERM
chmod 1777 "$dir"
"$LAB" down >/dev/null 2>&1
LAB_SERVE_AS=$AS "$LAB" up "$SCENARIO" --dir "$dir" --reachmap "$REACHMAP" >/dev/null 9>&- ||
	{ echo "FAIL lab up $SCENARIO"; exit 1; }
fail=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fail=1; }
for log in "$dir"/serve-*.log; do
	grep -q "no capture of arrivals" "$log" || bad "$(basename "$log"): serve did not run without capture: $(head -3 "$log")"
done
[ $fail = 0 ] && ok "every pod serves without capture (no capability)"
mkdir -m 777 "$dir/r"
files=()
for p in $(awk '$1 == "POD" && $5 == "probe" { print $2 }' "$dir/state"); do
	c=$(awk -v p="$p" '$1 == "POD" && $2 == p { print $4 }' "$dir/state")
	ip netns exec "$RMLAB_PREFIX$p" sysctl -qw net.ipv4.ping_group_range="0 2147483647"
	# shellcheck disable=SC2086
	if ! timeout 60 ip netns exec "$RMLAB_PREFIX$p" $AS "$REACHMAP" probe --topology "$dir/topology.yaml" \
		--cluster "$c" --name "$p" --once --timeout 800 --out "$dir/r/results-$p.json" 2>"$dir/probe-$p.err"; then
		bad "reachmap probe from $p: $(cat "$dir/probe-$p.err")"
		exit 1
	fi
	grep -q '"mode": "connect"' "$dir/r/results-$p.json" || bad "$p: not connect mode without CAP_NET_RAW"
	files+=("$dir/r/results-$p.json")
done
"$LAB" down >/dev/null
"$REACHMAP" analyze --topology "$dir/topology.yaml" --format json -o "$dir/report.json" \
	"${files[@]}" "$dir"/arrivals-*.json
rc=$?
[ "$rc" -eq 1 ] && ok "analyze exits 1" || bad "analyze exited $rc, want 1"
/usr/bin/python3 - "$SCENARIO" "$dir/report.json" <<'PY' || fail=1
import json, sys
scenario, report = sys.argv[1], json.load(open(sys.argv[2]))
got = [(f["kind"], f["from"]["cluster"], f["to"]["cluster"], f.get("ports", []), f["summary"])
       for f in report["findings"]]
kinds = sorted({g[0] for g in got})
bad = 0
def check(cond, what):
    global bad
    print(("ok   " if cond else "FAIL ") + what + ("" if cond else f": {got}"))
    bad += not cond
# No end captured: the serve documents say so, and no evidence and no cell
# of the grid says a request "did not arrive" (it may have, its answer lost).
for f in report["findings"]:
    print(f"     {f['kind']} {f['from']['cluster']} -> {f['to']['cluster']}: {f['summary']}")
said = [e for f in report["findings"] for e in f.get("evidence", []) if "arrived" in e]
check(all(e["arrived"] for e in said), "no evidence says a request did not arrive")
if scenario == "firewall-drop":
    # silence one way on one port, the other ports open: the same as raw mode
    check([g[:4] for g in got] == [("firewall-drop", "east", "west", [7000])],
          "firewall-drop east -> west tcp/7000, as in raw mode")
elif scenario == "asymmetric":
    # east's answers are lost on the way back; no end saw west's SYNs
    # arrive, so no rule can name it: unexplained, the verdict fails, and
    # neither a firewall nor an asymmetric route is claimed.
    check(kinds == ["unexplained"], "only unexplained findings (raw mode: asymmetric-route)")
    # ... and each says why no rule can: the far ends could not capture
    check(all("could not capture (reachmap without CAP_NET_RAW), so whether the requests "
              "arrived is not known" in g[4] for g in got),
          "each unexplained finding says the far end could not capture")
    check(all("with CAP_NET_RAW (manifests component raw-mode)" in f["remedy"]
              for f in report["findings"]), "each remedy says how to make the far end capture")
elif scenario == "one-way-reject":
    # us-east1-c's SYNs are refused on the way to west; west's reach
    # us-east1-c and their answers are lost. Without the far end's capture
    # the two directions are not told apart.
    check([g[:3] for g in got] == [("no-route", "east", "west")] and "(both ways)" in got[0][4],
          "no-route east -> west, said of both ways (raw mode: the answers of west's are lost)")
else:
    check(False, f"no restricted expectation for {scenario}")
check(report["verdict"] == "fail", "the verdict fails")
sys.exit(1 if bad else 0)
PY
exit $fail
