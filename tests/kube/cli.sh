#!/usr/bin/env bash
# reachmap manifests from the command line: usage errors, probes an overlay
# cannot run, warnings, the files written, and a directory that holds other
# files. Exact messages and exit codes.
#   tests/kube/cli.sh REACHMAP
set -u
bin=$(realpath "${1:?usage: cli.sh REACHMAP}")
cd "$(dirname "$0")/../.."
pass=0 fail=0
tmp=$(mktemp -d); trap 'chmod -R u+w "$tmp"; rm -rf "$tmp"' EXIT

. tests/cli/lib.sh

t=examples/two-dc.yaml
c=https://c.example:8787
f=tests/fixtures/kube
ok=(-c west --collector "$c" --base manifests/base)
w1="reachmap manifests: warning: examples/two-dc.yaml:22:9: clusters[0].probes[0].address: probe west-a-0 has a fixed address 10.200.1.10, but a pod's address changes when it restarts: keep its dnsName and drop the address"
w2="reachmap manifests: warning: examples/two-dc.yaml:23:9: clusters[0].probes[1].address: probe west-b-0 has a fixed address 10.200.2.10, but a pod's address changes when it restarts: keep its dnsName and drop the address"
nl=$'\n'

expect help 0 '' -- manifests --help
contains help-usage "$tmp/out" "usage: reachmap manifests --topology T --cluster C --collector URL"
contains help-image "$tmp/out" "--image NAME[:TAG]  the image (default reachmap:0.1.0)"
expect listed 0 '' -- --help
contains listed-manifests "$tmp/out" "  manifests a cluster's kustomize overlay from the topology"

# Usage.
expect missing 2 "reachmap manifests: --topology, --cluster, --collector and -o are required; see 'reachmap manifests --help'" -- manifests -t $t -c west --collector "$c"
expect no-collector 2 "reachmap manifests: --topology, --cluster, --collector and -o are required; see 'reachmap manifests --help'" -- manifests -t $t -c west -o "$tmp/x"
expect stray 2 'reachmap manifests: unexpected argument "extra"' -- manifests -t $t "${ok[@]}" -o "$tmp/x" extra
expect unknown-option 2 "reachmap manifests: unknown option --frob; see 'reachmap manifests --help'" -- manifests --frob
expect missing-value 2 "reachmap manifests: --image needs a value; see 'reachmap manifests --help'" -- manifests -t $t "${ok[@]}" -o "$tmp/x" --image
expect bad-interval 2 "reachmap manifests: --interval 0: give a whole number of seconds from 1 to 3600" -- manifests -t $t "${ok[@]}" -o "$tmp/x" --interval 0
expect bad-image 2 "reachmap manifests: --image reachmap:: an empty tag after ':'; give NAME[:TAG] or NAME@DIGEST" -- manifests -t $t "${ok[@]}" -o "$tmp/x" --image reachmap:
expect bad-collector 2 "reachmap manifests: c.example:8787: not a collector URL (https://HOST:PORT or http://HOST:PORT, no comma or space)" -- manifests -t $t -c west --collector c.example:8787 --base manifests/base -o "$tmp/x"
expect comma-collector 2 "reachmap manifests: https://a,https://b: not a collector URL (https://HOST:PORT or http://HOST:PORT, no comma or space)" -- manifests -t $t -c west --collector https://a,https://b --base manifests/base -o "$tmp/x"
expect unknown-cluster 2 "reachmap manifests: --cluster north: no such cluster in examples/two-dc.yaml" -- manifests -t $t -c north --collector "$c" -o "$tmp/x"
expect bad-topology 2 'reachmap manifests: tests/fixtures/topology/bad-cidr.yaml:8:14: clusters[1].cidrs.pods[0]: "10.200.0.0/33" is not a CIDR (prefix length is over 32)' -- manifests -t tests/fixtures/topology/bad-cidr.yaml "${ok[@]}" -o "$tmp/x"
expect no-topology 2 "reachmap manifests: $tmp/none.yaml: cannot read: No such file or directory" -- manifests -t "$tmp/none.yaml" "${ok[@]}" -o "$tmp/x"
expect bad-base 2 "reachmap manifests: --base examples: not reachmap's manifests/base (no common/kustomization.yaml and agent/kustomization.yaml there)" -- manifests -t $t -c west --collector "$c" --base examples -o "$tmp/x"
[ ! -e "$tmp/x" ] && { echo "ok   nothing-written-on-error"; pass=$((pass + 1)); } ||
	{ echo "FAIL nothing-written-on-error: $tmp/x exists"; fail=$((fail + 1)); }

# Probes an overlay cannot run: exit 2 naming the probe; nothing written.
expect no-ordinal 2 "reachmap manifests: $f/no-ordinal.yaml:12:9: clusters[0].probes[1].name: probe west-b has no ordinal: the agents are StatefulSet pods, named NAME-ORDINAL (west-b-0 is pod 0 of StatefulSet west-b)" -- manifests -t $f/no-ordinal.yaml "${ok[@]}" -o "$tmp/e"
expect leading-zero 2 "reachmap manifests: $f/leading-zero.yaml:11:9: clusters[0].probes[0].name: probe west-a-01: 01 is not an ordinal a StatefulSet gives its pods (0, 1, 2, ... without leading zeros, below 1000)" -- manifests -t $f/leading-zero.yaml "${ok[@]}" -o "$tmp/e"
expect two-zones 2 "reachmap manifests: $f/two-zones.yaml:12:9: clusters[0].probes[1].zone: probe west-a-1 is in zone b but west-a-0 (line 11) is in a: both would be pods of StatefulSet west-a, which runs in one zone; rename one" -- manifests -t $f/two-zones.yaml "${ok[@]}" -o "$tmp/e"
expect no-zone 2 "reachmap manifests: $f/no-zone.yaml:12:9: clusters[0].probes[1]: probe west-b-0 has no zone: each StatefulSet of the overlay runs in one zone (node affinity on topology.kubernetes.io/zone)" -- manifests -t $f/no-zone.yaml "${ok[@]}" -o "$tmp/e"
expect template-name 2 "reachmap manifests: $f/template-name.yaml:11:9: clusters[0].probes[0].name: probe agent-0 would be a pod of StatefulSet agent, the base's template that the overlay deletes; give it another name" -- manifests -t $f/template-name.yaml "${ok[@]}" -o "$tmp/e"
expect not-dns-label 2 "reachmap manifests: $f/not-dns-label.yaml:11:9: clusters[0].probes[0].name: \"West_A-0\" cannot be a pod's name: lowercase letters, digits and '-', at most 63 characters" -- manifests -t $f/not-dns-label.yaml "${ok[@]}" -o "$tmp/e"
expect no-probes 2 "reachmap manifests: $f/no-probes.yaml:7:5: clusters[0]: cluster west has no probes: the overlay runs the agents of a cluster's probes" -- manifests -t $f/no-probes.yaml "${ok[@]}" -o "$tmp/e"
expect gaps 2 "reachmap manifests: $f/gaps.yaml:13:9: clusters[0].probes[2]: StatefulSet west-a would run pods west-a-0 to west-a-4 but the topology has no probe west-a-1, west-a-3, which would not find themselves in it; add them or renumber" -- manifests -t $f/gaps.yaml "${ok[@]}" -o "$tmp/e"
[ ! -e "$tmp/e" ] && { echo "ok   nothing-written-on-probe-error"; pass=$((pass + 1)); } ||
	{ echo "FAIL nothing-written-on-probe-error: $tmp/e exists"; fail=$((fail + 1)); }
expect warnings 0 "reachmap manifests: warning: $f/warnings.yaml:11:9: clusters[0].probes[0].address: probe west-a-0 has a fixed address 10.200.1.10, but a pod's address changes when it restarts: keep its dnsName and drop the address
reachmap manifests: warning: $f/warnings.yaml:12:9: clusters[0].probes[1].address: probe west-a-1 has a fixed address 10.200.1.12, but a pod's address changes when it restarts: give it dnsName west-a-1.reachmap.reachmap.svc.west.cluster.local instead
reachmap manifests: warning: $f/warnings.yaml:13:9: clusters[0].probes[2].dnsName: west-a-2.other.reachmap.svc.west.cluster.local is not the name the overlay's pod west-a-2 gets, west-a-2.reachmap.reachmap.svc.west.cluster.local" -- manifests -t $f/warnings.yaml "${ok[@]}" -o "$tmp/warn"
contains warnings-replicas "$tmp/out" "  west-a                 3 pods in a"

# The files, and what it says on standard output.
expect writes 0 "$w1$nl$w2" -- manifests -t $t "${ok[@]}" -o "$tmp/ov/west"
want_out="$tmp/ov/west: cluster west, 2 StatefulSets
  west-a                 1 pod  in us-west1-a
  west-b                 1 pod  in us-west1-b
apply with: kubectl apply -k $tmp/ov/west"
if [ "$(cat "$tmp/out")" = "$want_out" ]; then echo "ok   writes-stdout"; pass=$((pass + 1));
else echo "FAIL writes-stdout: got"; cat "$tmp/out"; fail=$((fail + 1)); fi
files=$(cd "$tmp/ov/west" && find . -type f | sort | tr '\n' ' ')
if [ "$files" = "./kustomization.yaml ./topology.yaml ./zones/west-a/kustomization.yaml ./zones/west-b/kustomization.yaml " ]; then
	echo "ok   writes-files"; pass=$((pass + 1))
else echo "FAIL writes-files: $files"; fail=$((fail + 1)); fi
cmp -s $t "$tmp/ov/west/topology.yaml" && { echo "ok   topology-byte-for-byte"; pass=$((pass + 1)); } ||
	{ echo "FAIL topology-byte-for-byte"; fail=$((fail + 1)); }
contains base-relative "$tmp/ov/west/kustomization.yaml" "  - $(realpath --relative-to="$tmp/ov/west" manifests/base/common)$nl"
contains zone-base-relative "$tmp/ov/west/zones/west-a/kustomization.yaml" "  - $(realpath --relative-to="$tmp/ov/west/zones/west-a" manifests/base/agent)$nl"
contains header "$tmp/ov/west/zones/west-b/kustomization.yaml" "# Generated by \`reachmap manifests\` from examples/two-dc.yaml, cluster west.
# Do not edit: change the topology, then regenerate with
#   reachmap manifests --topology examples/two-dc.yaml --cluster west --collector https://c.example:8787 --base manifests/base -o $tmp/ov/west"
# The default base: the source tree's, for a binary of its build tree.
expect default-base 0 '*' -- manifests -t $t -c west --collector "$c" -o "$tmp/default"
contains default-base-path "$tmp/default/kustomization.yaml" "  - $(realpath --relative-to="$tmp/default" manifests/base/common)$nl"
# Odd arguments come back quoted in the command line to regenerate with.
expect quoted 0 '*' -- manifests -t $t -c west --collector "$c" --image "reachmap:it's" --base manifests/base -o "$tmp/q q"
contains quoted-header "$tmp/q q/kustomization.yaml" "--image 'reachmap:it'\\''s' --base manifests/base -o '$tmp/q q'"

# Again over its own files: no --force needed, same bytes; a zone that went
# away goes.
cp -r "$tmp/ov/west" "$tmp/before"
mkdir -p "$tmp/ov/west/zones/west-z" && cp "$tmp/ov/west/zones/west-a/kustomization.yaml" "$tmp/ov/west/zones/west-z/"
expect again 0 "$w1$nl$w2" -- manifests -t $t "${ok[@]}" -o "$tmp/ov/west"
diff -r "$tmp/before" "$tmp/ov/west" >/dev/null && { echo "ok   again-same-files"; pass=$((pass + 1)); } ||
	{ echo "FAIL again-same-files:"; diff -r "$tmp/before" "$tmp/ov/west" | head; fail=$((fail + 1)); }

# A directory with other files: refused, naming the first one, unless --force
# (which leaves them as they are).
echo mine >"$tmp/ov/west/zones/west-a/notes.txt"
echo mine >"$tmp/ov/west/values.yaml"
expect foreign 2 "reachmap manifests: $tmp/ov/west/values.yaml: not written by reachmap manifests; give --force to write $tmp/ov/west anyway (other files are left as they are)" -- manifests -t $t "${ok[@]}" -o "$tmp/ov/west"
rm "$tmp/ov/west/values.yaml"
expect foreign-in-zone 2 "reachmap manifests: $tmp/ov/west/zones/west-a/notes.txt: not written by reachmap manifests; give --force to write $tmp/ov/west anyway (other files are left as they are)" -- manifests -t $t "${ok[@]}" -o "$tmp/ov/west"
expect force 0 "$w1$nl$w2" -- manifests -t $t "${ok[@]}" -o "$tmp/ov/west" --force
contains force-keeps "$tmp/ov/west/zones/west-a/notes.txt" "mine"
mkdir "$tmp/hand" && echo "resources: []" >"$tmp/hand/kustomization.yaml" && echo x >"$tmp/hand/topology.yaml"
expect hand-written 2 "reachmap manifests: $tmp/hand/kustomization.yaml: not written by reachmap manifests; give --force to write $tmp/hand anyway (other files are left as they are)" -- manifests -t $t "${ok[@]}" -o "$tmp/hand"
echo x >"$tmp/file"
expect not-a-dir 2 "reachmap manifests: -o $tmp/file: not a directory" -- manifests -t $t "${ok[@]}" -o "$tmp/file"

# Cannot write: exit 3. /sys takes no directory, from root either.
expect unwritable 3 '*' -- manifests -t $t "${ok[@]}" -o /sys/reachmap-test
contains unwritable-message "$tmp/err" "reachmap manifests: cannot make /sys/reachmap-test: "
if [ "$(id -u)" -ne 0 ]; then
	mkdir "$tmp/ro" && chmod a-w "$tmp/ro"
	expect read-only 3 "$w1$nl$w2${nl}reachmap manifests: cannot write $tmp/ro/kustomization.yaml: Permission denied" -- manifests -t $t "${ok[@]}" -o "$tmp/ro"
fi

echo "manifests cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
