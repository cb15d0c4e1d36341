#!/usr/bin/env bash
# Every JSON report reachmap writes, live and golden, against its schema,
# checked by a real validator (python3-jsonschema).
set -u
bin=${1:?usage: run.sh REACHMAP}
cd "$(dirname "$0")/../.."
py=/usr/bin/python3
if ! $py -c 'import jsonschema' 2>/dev/null; then
	echo "schema: SKIP: python3-jsonschema is not installed (make deps installs it)"
	exit 77
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
n=0
for topo in examples/*.yaml examples/*.json; do
	n=$((n + 1))
	"$bin" plan "$topo" --format json >"$tmp/live-$n.json" 2>/dev/null
	rc=$?
	[ $rc -le 1 ] || { echo "FAIL plan $topo exited $rc"; exit 1; }
done
"$bin" plan examples/two-dc.yaml --format json --suggest pods=/16,nodes=/20 >"$tmp/live-suggest.json"
# A suggestion that cannot be met is a null range, still valid.
"$bin" plan examples/two-dc.yaml --format json --suggest pods=/8 >"$tmp/live-suggest-none.json"
$py tests/schema/validate.py report/schema/reachmap.report.v1.json \
	"$tmp"/*.json tests/golden/*.json
rc=$?
# The validator must also reject: a report with an unknown finding kind.
$py - "$tmp/live-1.json" >"$tmp/bad.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["findings"].append({"kind": "cosmic-rays", "severity": "error", "from": {"cluster": "west"},
                      "ports": [], "cells": 0, "summary": "x", "evidence": [], "remedy": "y"})
print(json.dumps(d))
PY
if $py tests/schema/validate.py report/schema/reachmap.report.v1.json "$tmp/bad.json" >/dev/null; then
	echo "FAIL the schema accepted a finding of kind cosmic-rays"; rc=1
else
	echo "ok   the schema rejects an unknown finding kind"
fi

# The collector's documents: a registration as agents send it, and the
# live report, peers and history a real collector answers.
lab=tests/fixtures/lab/firewall-drop
reg='{"schema": "reachmap.register/v1", "name": "east-b-0", "cluster": "east", "zone": "us-east1-b", "addresses": ["10.250.1.10"], "dnsName": "east-b-0.east.cluster.local"}'
echo "$reg" >"$tmp/register.json"
"$bin" collect --topology $lab/topology.yaml --listen 127.0.0.1:0 --db "$tmp/c.db" \
	2>"$tmp/collect.log" &
pid=$!
for _ in $(seq 50); do grep -q '^collect: ready' "$tmp/collect.log" && break; sleep 0.1; done
port=$(sed -n 's|^collect: listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$tmp/collect.log")
url=http://127.0.0.1:$port
for f in $lab/*.json; do
	curl -sf -H 'Content-Type: application/json' --data-binary @"$f" $url/v1/results >/dev/null
done
curl -sf -H 'Content-Type: application/json' --data-binary @"$tmp/register.json" $url/v1/register >/dev/null
curl -sf $url/v1/report >"$tmp/collect-report.json"
curl -sf $url/v1/peers >"$tmp/peers.json"
curl -sf "$url/v1/history?from=east-b-0&to=west-a-0&since=30d" >"$tmp/history.json"
curl -sf $url/v1/rounds >"$tmp/rounds.json"
kill $pid; wait $pid
grep -q '"since"' "$tmp/collect-report.json" || { echo "FAIL the live report has no since"; rc=1; }
grep -q '"new": "filtered"' "$tmp/history.json" || { echo "FAIL the history lacks the filtered cell"; rc=1; }
for pair in report:collect-report register:register peers:peers history:history rounds:rounds; do
	$py tests/schema/validate.py report/schema/reachmap.${pair%%:*}.v1.json "$tmp/${pair#*:}.json" || rc=1
done
# Each document GET /v1/rounds hands on is a whole reachmap.results/v1, the
# one the lab pushed.
$py - "$tmp/rounds.json" "$tmp" $lab/*.json <<'PY' || rc=1
import json, sys
rounds, tmp, files = sys.argv[1], sys.argv[2], sys.argv[3:]
docs = json.load(open(rounds))["rounds"]
pushed = {(d["probe"]["name"], "mode" in d): d for d in (json.load(open(f)) for f in files)}
got = {(d["probe"]["name"], "mode" in d): d for d in docs}
if len(docs) != len(files) or got != pushed:
    print(f"FAIL GET /v1/rounds: {len(docs)} documents, want the {len(files)} pushed, as pushed")
    sys.exit(1)
for i, d in enumerate(docs):
    json.dump(d, open(f"{tmp}/round-{i}.json", "w"))
print(f"ok   GET /v1/rounds: the {len(docs)} documents pushed, as pushed")
PY
$py tests/schema/validate.py report/schema/reachmap.results.v1.json "$tmp"/round-*.json >/dev/null || {
	echo "FAIL a document of GET /v1/rounds is not reachmap.results/v1"; rc=1; }
exit $rc
