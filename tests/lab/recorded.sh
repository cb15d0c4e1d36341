#!/usr/bin/env bash
# The analyzer on every lab scenario's recorded documents (no root needed):
# the findings are exactly the injected faults, and the report matches its
# schema.
set -u
bin=${1:?usage: recorded.sh REACHMAP}
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
bad=0 n=0
for d in tests/fixtures/lab/*/; do
	s=$(basename "$d")
	"$bin" analyze -t "$d/topology.yaml" --format json -o "$tmp/$s.json" "$d"/results-*.json "$d"/arrivals-*.json
	/usr/bin/python3 tests/lab/analyze_expect.py "$s" "$tmp/$s.json" || bad=$((bad + 1))
	n=$((n + 1))
done
if /usr/bin/python3 -c 'import jsonschema' 2>/dev/null; then
	/usr/bin/python3 tests/schema/validate.py report/schema/reachmap.report.v1.json "$tmp"/*.json >/dev/null ||
		{ echo "FAIL a report does not match reachmap.report/v1"; bad=$((bad + 1)); }
fi
echo "analyze.recorded: $((n - bad)) passed, $bad failed"
[ $bad -eq 0 ]
