#!/usr/bin/env bash
# reachmap top's command line without a terminal: usage, the report's
# errors naming the file and the field, and the not-a-terminal error.
set -u
bin=${1:?usage: cli.sh REACHMAP}
cd "$(dirname "$0")/../.."
pass=0 fail=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

. tests/cli/lib.sh

expect top-help 0 '' -- top --help
contains top-help-text "$tmp/out" "usage: reachmap top REPORT.json [--iterations N] [--no-color]"
expect top-listed 0 '' -- --help
contains top-listed-text "$tmp/out" "  top       the dashboard"
expect top-no-report 2 "reachmap top: no report given; see 'reachmap top --help'" -- top
expect top-two-reports 2 'reachmap top: one report only, got "tests/tui/clean.json" too' -- top tests/tui/plan.json tests/tui/clean.json
expect top-bad-iterations 2 "reachmap top: --iterations 0: want a whole number of frames, 1 or more" -- top --iterations 0 tests/tui/plan.json
expect top-iterations-needs-value 2 "reachmap top: --iterations needs a value; see 'reachmap top --help'" -- top tests/tui/plan.json --iterations
expect top-unknown-option 2 "reachmap top: unknown option --frob; see 'reachmap top --help'" -- top --frob tests/tui/plan.json
expect top-missing-file 2 "reachmap top: tests/tui/nope.json: cannot read: No such file or directory" -- top tests/tui/nope.json
expect top-not-a-terminal 2 "reachmap top: standard output is not a terminal; for a report in text, use: reachmap analyze --format text" -- top tests/tui/multi-fault.json
expect top-not-a-terminal-iterations 2 "reachmap top: standard output is not a terminal; for a report in text, use: reachmap analyze --format text" -- top --iterations 3 tests/tui/firewall-drop.json

# The live source's options.
expect top-help-collector 0 '' -- top --help
contains top-help-collector-text "$tmp/out" "       reachmap top --collector URL [--token-file F] [--ca-file F]"
expect top-report-and-collector 2 'reachmap top: give a report or --collector, not both (got "tests/tui/plan.json")' -- top --collector http://127.0.0.1:1 tests/tui/plan.json
expect top-token-without-collector 2 "reachmap top: --token-file is for --collector" -- top --token-file /nonexistent tests/tui/plan.json
expect top-collector-bad-url 2 "reachmap top: ftp://x: scheme ftp is not http or https" -- top --collector ftp://x
expect top-collector-ca-file 2 "reachmap top: --ca-file /nonexistent/ca.pem: cannot read it" -- top --collector http://127.0.0.1:1 --ca-file /nonexistent/ca.pem
expect top-collector-not-a-terminal 2 "reachmap top: standard output is not a terminal; for a report in text, use: reachmap analyze --format text" -- top --collector http://127.0.0.1:1
expect top-collector-needs-value 2 "reachmap top: --collector needs a value; see 'reachmap top --help'" -- top --collector

# Broken reports: the file, the field path, what is wrong.
python3 - "$tmp" <<'PY'
import json, sys
tmp = sys.argv[1]
d = json.load(open("tests/tui/firewall-drop.json"))
d["matrix"]["grid"]["rows"][3] = d["matrix"]["grid"]["rows"][3][:-1]
json.dump(d, open(tmp + "/short-row.json", "w"))
d = json.load(open("tests/tui/firewall-drop.json"))
d["clusters"][1]["members"][0]["role"] = "server"
json.dump(d, open(tmp + "/role.json", "w"))
d = json.load(open("tests/tui/firewall-drop.json"))
d["findings"][0]["severity"] = 3
json.dump(d, open(tmp + "/severity.json", "w"))
PY
expect top-short-row 2 "reachmap top: $tmp/short-row.json: matrix.grid.rows[3]: wrong length 87, want 88 (8 to x 11 columns)" -- top "$tmp/short-row.json"
expect top-bad-role 2 "reachmap top: $tmp/role.json: clusters[1].members[0].role: \"server\", want \"probe\" or \"target\"" -- top "$tmp/role.json"
expect top-bad-severity 2 "reachmap top: $tmp/severity.json: findings[0].severity: a number, want a string" -- top "$tmp/severity.json"
printf '{"schema": "reachmap.report/v1",\n "verdict": "pass", }' >"$tmp/syntax.json"
expect top-not-json 2 "reachmap top: $tmp/syntax.json: 2:21: not valid JSON" -- top "$tmp/syntax.json"
expect top-results-doc 2 "reachmap top: tests/fixtures/lab/clean/results-west-a-0.json: schema: \"reachmap.results/v1\", want \"reachmap.report/v1\"" -- top tests/fixtures/lab/clean/results-west-a-0.json

echo "top.cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
