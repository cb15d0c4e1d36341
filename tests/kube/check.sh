#!/usr/bin/env bash
# The manifests checker (tests/manifests/check.sh: Kubernetes schemas,
# Pod Security, the topology ConfigMap byte for byte, every agent pod a
# probe of its cluster in its zone) on the two-dc example's overlays and on
# overlays written here with several replicas, --image and --interval.
#   tests/kube/check.sh REACHMAP
set -u
bin=$(realpath "${1:?usage: check.sh REACHMAP}")
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fixture=tests/fixtures/kube/three-replicas.yaml
"$bin" manifests -t "$fixture" -c west --collector http://c.example:8787 \
	--image registry.example:5000/team/reachmap:1.2.3 --interval 30 \
	--base manifests/base -o "$tmp/replicas" >/dev/null || exit 1
"$bin" manifests -t "$fixture" -c east --collector https://a:8787 --collector https://b:8787 \
	--image "registry.example/reachmap@sha256:$(printf '%064d' 7)" \
	--base manifests/base -o "$tmp/digest" >/dev/null || exit 1
bash tests/manifests/check.sh examples/overlays/two-dc/west examples/overlays/two-dc/east \
	"$tmp/replicas" "$tmp/digest"
