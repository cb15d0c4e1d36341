#!/usr/bin/env bash
# reachmap init on the fixtures of tests/fixtures/init (dumps shaped like a
# kubeadm, a GKE and an EKS cluster, a K8ssandraCluster): the topology
# written must equal NAME.yaml, plan's report on standard error NAME.err,
# the exit code the one listed; and every topology written must load, with
# `reachmap plan` on it giving the same exit code.
#   tests/init/golden.sh REACHMAP [--regen]
set -u
bin=$(realpath "${1:?usage: golden.sh REACHMAP [--regen]}")
regen=${2:-}
cd "$(dirname "$0")/../fixtures/init" || exit 1
pass=0 fail=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

ok() { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; fail=$((fail + 1)); }

# golden NAME EXIT ARGS...: the paths in the comments are as given here.
golden() {
	local name=$1 want_rc=$2 rc prc; shift 2
	timeout 20 "$bin" init "$@" >"$tmp/$name.yaml" 2>"$tmp/$name.err"; rc=$?
	if [ "$regen" = --regen ]; then
		cp "$tmp/$name.yaml" "$name.yaml"; cp "$tmp/$name.err" "$name.err"
		echo "wrote tests/fixtures/init/$name.yaml and .err (exit $rc)"
		[ "$rc" -eq "$want_rc" ] || echo "  note: exit $rc but the list says $want_rc"
		return
	fi
	if [ "$rc" -ne "$want_rc" ]; then
		bad "$name: exit $rc, want $want_rc"; sed 's/^/    /' "$tmp/$name.err"; return
	fi
	if ! diff -u "$name.yaml" "$tmp/$name.yaml" >"$tmp/diff"; then
		bad "$name: the topology differs from $name.yaml (make golden, then review git diff)"
		head -40 "$tmp/diff"; return
	fi
	if ! diff -u "$name.err" "$tmp/$name.err" >"$tmp/diff"; then
		bad "$name: standard error differs from $name.err"; head -40 "$tmp/diff"; return
	fi
	ok "$name (exit $rc)"
	# What was written is a topology the loader takes, and plan agrees.
	"$bin" plan "$tmp/$name.yaml" >"$tmp/plan.out" 2>&1; prc=$?
	if [ "$prc" -eq "$rc" ]; then ok "$name: reachmap plan on it exits $prc too"
	else bad "$name: reachmap plan on it exits $prc, init $rc"; head -20 "$tmp/plan.out"; fi
}

golden kubeadm 0 --from west.json
golden gke 0 --from gke.json
golden eks 0 --from east.json --cluster east
golden two-cluster 0 --from west.json --from east.json --from k8ssandra.json
golden same-domain 1 --from gke.json --from east.json
golden same-pod-cidr 1 --from west.json --from north.json
golden probes-per-zone 0 --from gke.json --cluster central --probes-per-zone 2
[ "$regen" = --regen ] && exit 0

# What each golden says, spelled out, so that a regenerated file that lost
# one of these fails here too.
has() { # NAME FILE TEXT
	if grep -qF -- "$3" "$2"; then ok "$1"; else bad "$1: $2 lacks '$3'"; fi
}
has kubeadm-pods-from-flag kubeadm.yaml "      pods: [10.244.0.0/16]"
has kubeadm-services-from-flag kubeadm.yaml "      services: [10.96.0.0/12]"
has kubeadm-domain-from-issuer kubeadm.yaml "# kube-apiserver's --service-account-issuer (pod"
has kubeadm-domain kubeadm.yaml "      domain: west.cluster.local"
has kubeadm-dns-server kubeadm.yaml "      servers: [10.96.0.10]"
has kubeadm-probe kubeadm.yaml "      - {name: west-a-0, zone: us-west1-a, dnsName: west-a-0.reachmap.reachmap.svc.west.cluster.local}"
has kubeadm-target kubeadm.yaml "      - {name: demo-dc1-r1-sts-0, address: 10.244.1.5, zone: us-west1-a, dnsName: demo-dc1-r1-sts-0.demo-dc1-all-pods-service.k8ssandra.svc.west.cluster.local, ports: [gossip, gossip-tls, jmx, cql, mgmt-api]}  # datacenter dc1, rack r1, seed node"
has gke-pods-halves gke.yaml "      pods: [10.52.0.0/23, 10.52.2.0/24]"
has gke-domain-from-kube-dns gke.yaml "# kube-dns's --domain (pod kube-system/kube-dns-7c9f8b6d5c-2hvxk,"
has gke-zones gke.yaml "    zones: [us-central1-a, us-central1-b, us-central1-c]"
has eks-one-range eks.yaml "      pods: [192.168.0.0/18]"
has eks-no-nodes-range-said eks.yaml "# no node has a podCIDR (a VPC CNI, e.g. EKS's) and the pods' IPs share"
has eks-suffix eks.yaml "      - {name: east-1a-0, zone: us-east-1a,"
has two-cluster-cql-dc2 two-cluster.yaml "    - {name: cql-dc2, port: 9043, protocol: cql}"
has two-cluster-expect two-cluster.yaml '  - {from: "*", to: "*", ports: [gossip, gossip-tls, cql, cql-dc2], reach: open}'
has two-cluster-nested two-cluster.err "  [dns-domain-clash] west's DNS domain west.cluster.local lies inside east's cluster.local"
has eks-domain-assumed eks.yaml "# assumed: cluster.local, Kubernetes' default"
has same-domain-clash same-domain.err "  [dns-domain-clash] gke and east both use the DNS domain cluster.local"
has same-domain-said same-domain.yaml "# Another cluster of this topology has it too."
has two-cluster-spec-once two-cluster.err "datacenter dc1 is described by CassandraDatacenter k8ssandra/dc1 already"
has same-pod-cidr-overlap same-pod-cidr.err "  [cidr-overlap] west pods 10.244.0.0/16 overlaps north pods 10.244.0.0/16"
has same-pod-cidr-legacy-zone same-pod-cidr.yaml "legacy failure-domain.beta.kubernetes.io/zone"
has probes-per-zone-second probes-per-zone.yaml "      - {name: central-c-1, zone: us-central1-c,"

echo "init.golden: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
