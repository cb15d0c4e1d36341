#!/usr/bin/env bash
# What a user sees from the command line itself: usage, errors that name the
# bad argument, exit codes, output files.
set -u
bin=${1:?usage: run.sh REACHMAP}
cd "$(dirname "$0")/../.."
pass=0 fail=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

. tests/cli/lib.sh

expect no-args 2 '*' -- 
contains no-args-usage "$tmp/err" "usage: reachmap COMMAND"
expect help 0 '' -- --help
contains help-lists-plan "$tmp/out" "  plan      check a topology's address plan"
expect version 0 '' -- --version
contains version-text "$tmp/out" "reachmap 0."
expect unknown-command 2 "reachmap: unknown command \"frob\"; 'reachmap --help' lists the commands" -- frob
expect plan-help 0 '' -- plan --help
contains plan-help-text "$tmp/out" "usage: reachmap plan TOPOLOGY"
expect plan-no-file 2 "reachmap plan: no topology file given; see 'reachmap plan --help'" -- plan
expect plan-two-files 2 'reachmap plan: one topology file only, got "examples/three-dc.yaml" too' -- plan examples/two-dc.yaml examples/three-dc.yaml
expect plan-bad-format 2 "reachmap plan: --format xml: plan writes text or json" -- plan examples/two-dc.yaml --format xml
expect plan-unknown-option 2 "reachmap plan: unknown option --frob; see 'reachmap plan --help'" -- plan --frob examples/two-dc.yaml
expect plan-missing-value 2 "reachmap plan: --format needs a value; see 'reachmap plan --help'" -- plan examples/two-dc.yaml --format
expect suggest-bad-len 2 'reachmap plan: --suggest: "pods=/33": the prefix length must be a number from 8 to 30' -- plan examples/two-dc.yaml --suggest pods=/33
expect suggest-bad-kind 2 'reachmap plan: --suggest: "pod=/16" is not KIND=/LEN with KIND one of nodes, pods, services' -- plan examples/two-dc.yaml --suggest pod=/16
expect suggest-twice 2 'reachmap plan: --suggest: pods is asked for twice' -- plan examples/two-dc.yaml --suggest pods=/16,nodes=/20,pods=/18
expect suggest-trailing-comma 2 'reachmap plan: --suggest: "pods=/16," ends with a comma' -- plan examples/two-dc.yaml --suggest pods=/16,
expect suggest-no-slash 0 '' -- plan examples/two-dc.yaml --suggest pods=16
contains suggest-no-slash-out "$tmp/out" "  pods      10.0.0.0/16"
expect host-bits-warning 0 'reachmap plan: warning: tests/fixtures/plan/host-bits.yaml:4:21: clusters[0].cidrs.nodes[0]: "10.100.7.0/16" has host bits set; it is read as 10.100.0.0/16' -- plan tests/fixtures/plan/host-bits.yaml
expect output-file 0 '' -- plan examples/two-dc.yaml --format json -o "$tmp/report.json"
contains output-file-content "$tmp/report.json" '"schema": "reachmap.report/v1"'
expect output-unwritable 3 "reachmap plan: cannot write $tmp/no/such/dir.json: No such file or directory" -- plan examples/two-dc.yaml -o "$tmp/no/such/dir.json"
expect broken-exits-1 1 '' -- plan examples/broken.yaml

# probe and serve: their usage errors (no network is touched by these).
expect probe-help 0 '' -- probe --help
contains probe-help-text "$tmp/out" "usage: reachmap probe --topology T --cluster C --name N --once"
# The lists in help texts come from the registries: every check the engine
# runs, every format, every finding kind.
contains probe-help-checks "$tmp/out" "checks: icmp, tcp, dns, identity, mtu, cql, path"
expect analyze-help 0 '' -- analyze --help
contains analyze-help-formats "$tmp/out" "--format FORMAT   text (default), json, junit, prom or html:"
contains analyze-help-kinds "$tmp/out" "  high-latency, packet-loss, probe-missing, address-out-of-range,"
expect probe-missing 2 "reachmap probe: --topology, --cluster and --name are required; see 'reachmap probe --help'" -- probe --once
expect probe-no-once 2 "reachmap probe: give --once (continuous rounds: reachmap agent)" -- probe -t examples/two-dc.yaml -c west -n west-a-0
expect probe-bad-mode 2 "reachmap probe: --mode fast: give raw or connect" -- probe -t examples/two-dc.yaml -c west -n west-a-0 --once --mode fast
expect probe-bad-check 2 'reachmap probe: --checks: "udp" is not a check (icmp, tcp, dns, identity, mtu, cql, path)' -- probe -t examples/two-dc.yaml -c west -n west-a-0 --once --checks tcp,udp
expect probe-bad-rate 2 "reachmap probe: --rate 0: give a whole number from 1 to 1000000" -- probe -t examples/two-dc.yaml -c west -n west-a-0 --once --rate 0
expect probe-unknown-cluster 2 "reachmap probe: --cluster north: no such cluster in examples/two-dc.yaml" -- probe -t examples/two-dc.yaml -c north -n west-a-0 --once
expect probe-unknown-name 2 "reachmap probe: --name east-b-0: no such probe in cluster west of examples/two-dc.yaml" -- probe -t examples/two-dc.yaml -c west -n east-b-0 --once
expect probe-bad-topology 2 'reachmap probe: tests/fixtures/topology/bad-cidr.yaml:8:14: clusters[1].cidrs.pods[0]: "10.200.0.0/33" is not a CIDR (prefix length is over 32)' -- probe -t tests/fixtures/topology/bad-cidr.yaml -c west -n x --once
expect serve-help 0 '' -- serve --help
contains serve-help-text "$tmp/out" "usage: reachmap serve --topology T --cluster C --name N"
expect serve-missing 2 "reachmap serve: --topology, --cluster and --name are required; see 'reachmap serve --help'" -- serve --standins
expect serve-bad-port 2 "reachmap serve: --port 0: give a port from 1 to 65535" -- serve -t examples/two-dc.yaml -c west -n west-a-0 --port 0
expect serve-unknown-name 2 "reachmap serve: --name nobody: no such probe or target of that cluster in examples/two-dc.yaml" -- serve -t examples/two-dc.yaml -c west -n nobody
expect serve-unknown-option 2 "reachmap serve: unknown option --frob; see 'reachmap serve --help'" -- serve --frob

# agent: flags and the environment (flags win), errors naming the flag or
# the variable; nothing here gets as far as opening a socket.
t2=examples/two-dc.yaml
expect agent-help 0 '' -- agent --help
contains agent-help-text "$tmp/out" "usage: reachmap agent --topology T --cluster C --name N --collector URL"
for word in --interval --spool-max --spool --token-file --ca-file --address --standins --port \
	--mode --rate --timeout --checks --icmp-count --allow-loopback --quiet POD_NAME POD_IP \
	REACHMAP_TOPOLOGY REACHMAP_CLUSTER REACHMAP_COLLECTOR REACHMAP_INTERVAL REACHMAP_SPOOL \
	REACHMAP_TOKEN_FILE REACHMAP_CA_FILE REACHMAP_MODE REACHMAP_STANDINS=1; do
	contains "agent-help-lists-$word" "$tmp/out" "$word"
done
contains agent-help-line "$tmp/out" "results=R arrivals=A pushed=OK/TOTAL spool=K lost=L"
expect agent-missing 2 "reachmap agent: --topology, --cluster and --name are required (or REACHMAP_TOPOLOGY, REACHMAP_CLUSTER, POD_NAME); see 'reachmap agent --help'" -- agent --collector http://127.0.0.1:1
expect agent-no-collector 2 "reachmap agent: give at least one --collector URL (or REACHMAP_COLLECTOR); see 'reachmap agent --help'" -- agent -t $t2 -c west -n west-a-0
REACHMAP_TOPOLOGY=$t2 REACHMAP_CLUSTER=west POD_NAME=west-a-0 \
	expect agent-env-no-collector 2 "reachmap agent: give at least one --collector URL (or REACHMAP_COLLECTOR); see 'reachmap agent --help'" -- agent
expect agent-bad-interval 2 "reachmap agent: --interval 0: give a whole number of seconds from 1 to 3600" -- agent -t $t2 -c west -n west-a-0 --collector http://127.0.0.1:1 --interval 0
REACHMAP_INTERVAL=ten expect agent-env-bad-interval 2 "reachmap agent: REACHMAP_INTERVAL ten: give a whole number of seconds from 1 to 3600" -- agent
# A flag wins over its variable: a bad REACHMAP_INTERVAL is read first and
# refused, a good one is replaced by a bad flag that is then named.
REACHMAP_INTERVAL=5 expect agent-flag-wins 2 "reachmap agent: --interval 9999: give a whole number of seconds from 1 to 3600" -- agent --interval 9999
expect agent-bad-spool-max 2 "reachmap agent: --spool-max 0: give a whole number from 1 to 1000000" -- agent -t $t2 -c west -n west-a-0 --collector http://127.0.0.1:1 --spool-max 0
REACHMAP_MODE=fast expect agent-env-bad-mode 2 "reachmap agent: REACHMAP_MODE fast: give raw or connect" -- agent
expect agent-bad-mode 2 "reachmap agent: --mode fast: give raw or connect" -- agent --mode fast
REACHMAP_STANDINS=yes expect agent-env-bad-standins 2 "reachmap agent: REACHMAP_STANDINS=yes: give 1 or 0" -- agent
expect agent-bad-url 2 "reachmap agent: --collector: ftp://x: scheme ftp is not http or https" -- agent -t $t2 -c west -n west-a-0 --collector ftp://x
REACHMAP_COLLECTOR="http://127.0.0.1:1,nota url" expect agent-env-bad-url 2 "reachmap agent: REACHMAP_COLLECTOR: nota url: not a URL (give http://HOST:PORT or https://HOST:PORT)" -- agent -t $t2 -c west -n west-a-0
POD_IP=10.1.2 expect agent-env-bad-address 2 "reachmap agent: POD_IP 10.1.2: not an IP address" -- agent -t $t2 -c west -n west-a-0 --collector http://127.0.0.1:1
expect agent-bad-address 2 "reachmap agent: --address 10.1.2: not an IP address" -- agent -t $t2 -c west -n west-a-0 --collector http://127.0.0.1:1 --address 10.1.2
expect agent-no-token 2 "reachmap agent: --token-file: $tmp/none: cannot read: No such file or directory" -- agent -t $t2 -c west -n west-a-0 --collector http://127.0.0.1:1 --token-file "$tmp/none"
REACHMAP_CA_FILE=$tmp/none expect agent-env-no-ca 2 "reachmap agent: REACHMAP_CA_FILE $tmp/none: cannot read it: No such file or directory" -- agent -t $t2 -c west -n west-a-0 --collector http://127.0.0.1:1
REACHMAP_TOPOLOGY=$t2 REACHMAP_CLUSTER=west POD_NAME=nobody REACHMAP_COLLECTOR=http://127.0.0.1:1 \
	expect agent-env-unknown-name 2 "reachmap agent: POD_NAME nobody: no such probe or target of cluster west in $t2" -- agent
REACHMAP_CLUSTER=nowhere expect agent-env-unknown-cluster 2 "reachmap agent: REACHMAP_CLUSTER nowhere: no such cluster in $t2" -- agent -t $t2 -n west-a-0 --collector http://127.0.0.1:1
POD_NAME=nobody expect agent-flag-name-wins 2 "reachmap agent: --name west-z-9: no such probe or target of that cluster in $t2" -- agent -t $t2 -c west -n west-z-9 --collector http://127.0.0.1:1
expect agent-unknown-option 2 "reachmap agent: unknown option --frob; see 'reachmap agent --help'" -- agent --frob
expect agent-stray 2 "reachmap agent: unexpected argument \"extra\"" -- agent -t $t2 -c west -n west-a-0 --collector http://127.0.0.1:1 extra

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
