#!/usr/bin/env bash
# The analyzer on the lab scenarios' recorded documents (no root needed):
# the findings are exactly the injected faults, and the report matches its
# schema.
#   recorded.sh REACHMAP [SCENARIO...]
# With no scenario, every recorded one except those tests/lab/known-failing.txt
# lists as "expect SCENARIO" (ctest runs those on their own, as
# expected to fail until issue 11's fix).
set -u
bin=${1:?usage: recorded.sh REACHMAP [SCENARIO...]}
shift
cd "$(dirname "$0")/../.."
if [ $# -eq 0 ]; then
	for d in tests/fixtures/lab/*/; do
		s=$(basename "$d")
		grep -Eq "^expect +$s( |$)" tests/lab/known-failing.txt || set -- "$@" "$s"
	done
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
bad=0 n=0
for s; do
	d=tests/fixtures/lab/$s
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
