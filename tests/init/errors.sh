#!/usr/bin/env bash
# reachmap init's usage and bad input: the exact message on standard error
# (naming the file and the JSON path), exit code 2; --help; -o and --force.
#   tests/init/errors.sh REACHMAP
set -u
bin=$(realpath "${1:?usage: errors.sh REACHMAP}")
cd "$(dirname "$0")/../fixtures/init" || exit 1
pass=0 fail=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

. ../../cli/lib.sh

how='give the output of kubectl get nodes,pods,services -A -o json'
expect help 0 '' -- init --help
contains help-usage "$tmp/out" "usage: reachmap init --from FILE [--from FILE ...] [--cluster NAME ...]"
contains help-exit "$tmp/out" "exit codes: 0 written and plan finds no error, 1 written and plan finds an"
expect listed 0 '' -- --help
contains listed-init "$tmp/out" "  init      a topology from kubectl's nodes, pods and services"

expect not-json 2 "reachmap init: bad-not-json.json:4:25: not JSON ($how)" -- init --from bad-not-json.json
expect not-list 2 "reachmap init: bad-not-list.json: kind: \"Pod\" is not a List, a K8ssandraCluster or a CassandraDatacenter ($how)" -- init --from bad-not-list.json
expect bad-cidr 2 'reachmap init: bad-cidr.json: items[3].spec.podCIDR: "10.0.0.0/33" is not a CIDR (prefix length is over 32)' -- init --from bad-cidr.json
expect no-internal-ip 2 "reachmap init: bad-no-internal-ip.json: items[1].status.addresses: node \"n1\" has no InternalIP (reachmap takes the nodes' range from their InternalIPs)" -- init --from bad-no-internal-ip.json
expect bad-port 2 'reachmap init: bad-port.json: items[3].spec.config.cassandra-yaml.native_transport_port: must be a port (1 to 65535), not a string' -- init --from bad-port.json
printf '{"items": []}\n' >"$tmp/no-kind.json"
expect no-kind 2 "reachmap init: $tmp/no-kind.json: no \"kind\": not a Kubernetes object ($how)" -- init --from "$tmp/no-kind.json"
printf '{"kind":"List","items":[{"kind":"Node","metadata":{"name":"a"},"status":{"addresses":[{"type":"InternalIP","address":"10.0.0.300"}]}}]}\n' >"$tmp/bad-ip.json"
expect bad-ip 2 "reachmap init: $tmp/bad-ip.json: items[0].status.addresses[0].address: \"10.0.0.300\" is not an IP address" -- init --from "$tmp/bad-ip.json"
printf '{"kind":"List","items":[{"kind":"Node","metadata":{"name":"a","labels":{"topology.kubernetes.io/zone":5}}}]}\n' >"$tmp/bad-label.json"
expect bad-label 2 "reachmap init: $tmp/bad-label.json: items[0].metadata.labels[\"topology.kubernetes.io/zone\"]: must be a string, not a number" -- init --from "$tmp/bad-label.json"
printf '{"kind":"List","items":[{"kind":"Node","metadata":{"name":"a"},"status":{"addresses":[{"type":"InternalIP","address":"10.0.0.3"}]}},{"kind":"Pod","metadata":{"name":"db(0)","namespace":"x","labels":{"cassandra.datastax.com/datacenter":"dc1"}},"status":{"podIP":"10.1.0.3"}}]}\n' >"$tmp/bad-pod-name.json"
expect bad-pod-name 2 "reachmap init: $tmp/bad-pod-name.json: items[1].metadata.name: \"db(0)\" is not a name reachmap can write (1 to 63 letters, digits, '-', '_' and '.')" -- init --from "$tmp/bad-pod-name.json"
expect missing-file 2 'reachmap init: nope.json: cannot read: No such file or directory' -- init --from nope.json
expect directory 2 "reachmap init: $tmp: cannot read: Is a directory" -- init --from "$tmp"
expect no-from 2 "reachmap init: no --from file given; see 'reachmap init --help'" -- init
expect too-many-clusters 2 'reachmap init: 2 --cluster for 1 --from: each --cluster names the --from in its position' -- init --from west.json --cluster a --cluster b
expect bad-cluster-name 2 "reachmap init: west.json: the cluster name \"West_1\" (--cluster) is not a DNS label of at most 40 characters (a-z, 0-9 and '-')" -- init --from west.json --cluster West_1
expect bad-file-name 2 "reachmap init: $tmp/West_1.json: the cluster name \"West_1\" (its file name) is not a DNS label of at most 40 characters (a-z, 0-9 and '-'); give --cluster NAME after this --from" -- init --from "$(cp gke.json "$tmp/West_1.json"; echo "$tmp/West_1.json")"
expect same-name 2 "reachmap init: $tmp/gke.json: the cluster name \"gke\" (its file name) is gke.json's already; give each file its --cluster NAME" -- init --from gke.json --from "$(cp gke.json "$tmp/gke.json"; echo "$tmp/gke.json")"
expect spec-named 2 'reachmap init: k8ssandra.json: --cluster x: this file holds Cassandra specs but no Node, so it is no cluster of its own' -- init --from k8ssandra.json --from west.json --cluster x
expect specs-only 2 "reachmap init: no --from file holds a Node: $how for each cluster" -- init --from k8ssandra.json
expect bad-probes 2 'reachmap init: --probes-per-zone 0: give a whole number from 1 to 16' -- init --from west.json --probes-per-zone 0
expect stray 2 'reachmap init: unexpected argument "extra"; give files with --from' -- init --from west.json extra
expect unknown-option 2 "reachmap init: unknown option --frob; see 'reachmap init --help'" -- init --frob
expect missing-value 2 "reachmap init: --from needs a value; see 'reachmap init --help'" -- init --from

# -o writes the file (nothing on standard output), refuses to replace one
# without --force, replaces it with --force; plan's report is on stderr.
expect output 0 'PASS  '"$tmp"'/gke.yaml: no findings (1 cluster, 4 ranges, 3 probes, 0 targets)' -- init --from gke.json -o "$tmp/gke.yaml"
if cmp -s "$tmp/gke.yaml" gke.yaml && [ ! -s "$tmp/out" ]; then echo "ok   output-content"; pass=$((pass + 1))
else echo "FAIL output-content: $tmp/gke.yaml differs from gke.yaml, or stdout was written"; fail=$((fail + 1)); fi
expect no-clobber 2 "reachmap init: $tmp/gke.yaml exists; give --force to replace it" -- init --from east.json -o "$tmp/gke.yaml"
contains no-clobber-kept "$tmp/gke.yaml" "  - name: gke"
expect force 0 '*' -- init --from east.json -o "$tmp/gke.yaml" --force
contains force-replaced "$tmp/gke.yaml" "  - name: east"
expect unwritable 3 "reachmap init: cannot write $tmp/no/such.yaml: No such file or directory" -- init --from gke.json -o "$tmp/no/such.yaml"

echo "init.errors: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
