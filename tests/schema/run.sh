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
exit $rc
