#!/usr/bin/env bash
# `kubectl kustomize` of each generated overlay, and what the render holds
# (tests/kube/render_check.py): the two-dc example's overlays as committed
# (examples/overlays/, equal to what manifests writes: manifests.overlay.golden),
# then overlays written here with several replicas, --image and --interval.
#   tests/kube/kustomize.sh REACHMAP
set -u
bin=$(realpath "${1:?usage: kustomize.sh REACHMAP}")
cd "$(dirname "$0")/../.."
kubectl=${KUBECTL:-/usr/bin/kubectl}
if [ ! -x "$kubectl" ]; then
	echo "SKIP: no $kubectl (kubectl is not a Debian package; install it to render the overlays)"
	exit 77
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
two_dc_collectors=https://reachmap-collector.reachmap.svc.west.cluster.local:8787,https://reachmap-collector.reachmap.svc.east.cluster.local:8787

render() { # NAME DIR TOPOLOGY CLUSTER IMAGE COLLECTORS STS=ZONE:N...
	local name=$1 dir=$2
	shift 2
	if ! "$kubectl" kustomize "$dir" >"$tmp/$name.yaml" 2>"$tmp/$name.err"; then
		echo "FAIL $name: kubectl kustomize $dir"; cat "$tmp/$name.err"
		fail=$((fail + 1)); return
	fi
	if python3 tests/kube/render_check.py "$tmp/$name.yaml" "$@"; then
		echo "ok   $name"; pass=$((pass + 1))
	else
		fail=$((fail + 1))
	fi
}

render two-dc-west examples/overlays/two-dc/west examples/two-dc.yaml west reachmap:0.1.0 \
	"$two_dc_collectors" west-a=us-west1-a:1 west-b=us-west1-b:1
render two-dc-east examples/overlays/two-dc/east examples/two-dc.yaml east reachmap:0.1.0 \
	"$two_dc_collectors" east-b=us-east1-b:1 east-c=us-east1-c:1

fixture=tests/fixtures/kube/three-replicas.yaml
"$bin" manifests -t "$fixture" -c west --collector http://c.example:8787 \
	--image registry.example:5000/team/reachmap:1.2.3 --interval 30 \
	--base manifests/base -o "$tmp/replicas" >/dev/null
WANT_INTERVAL=30 render replicas-image-interval "$tmp/replicas" "$fixture" west \
	registry.example:5000/team/reachmap:1.2.3 http://c.example:8787 \
	west-a=zone-a:3 west-b=zone-b:1
digest=sha256:$(printf '%064d' 7)
"$bin" manifests -t "$fixture" -c east --collector https://a:8787 --collector https://b:8787 \
	--image "registry.example/reachmap@$digest" --base manifests/base -o "$tmp/digest" >/dev/null
render image-digest "$tmp/digest" "$fixture" east "registry.example/reachmap@$digest" \
	https://a:8787,https://b:8787 east-b=us-east1-b:1

echo "manifests kustomize: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -eq 4 ]
