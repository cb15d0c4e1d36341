#!/usr/bin/env bash
# usage: tests/manifests/check.sh DIR...
#
# Renders each kustomization directory with `kubectl kustomize` and checks
# what a cluster would be given:
#   - every object against the Kubernetes schemas, offline (validate.mjs);
#   - every pod template against the Pod Security profile its namespace
#     enforces (pss.py --enforce), and against `restricted` and `baseline`:
#     no violation, or exactly the lines of DIR/pss-restricted.expected and
#     DIR/pss-baseline.expected when they exist (raw-mode's): a line missing
#     or unexpected fails;
#   - the ConfigMap reachmap-topology: byte for byte DIR/topology.yaml, or
#     manifests/base/common/topology.yaml when DIR has none; and every agent
#     StatefulSet's pods are probes of that topology, of the cluster its
#     REACHMAP_CLUSTER names, placed in their zones (topology.py).
# Prints "ok DIR: ..." or "FAIL DIR: ..." lines; exit 0 when every directory
# passes, 1 otherwise, 2 on usage, 77 (ctest's skip) when a tool is missing.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)

skip() {
	echo "check.sh: SKIP: $*"
	exit 77
}
command -v kubectl >/dev/null ||
	skip "kubectl not found (not a Debian package; see https://kubernetes.io/docs/tasks/tools/)"
command -v node >/dev/null || skip "node not found (make deps installs nodejs)"
[ -d "$here/node_modules/kubernetes-models" ] ||
	skip "tests/manifests/node_modules missing (make deps runs npm ci there)"
# Debian's python3 (with python3-yaml), not whatever python3 is first in PATH.
py=/usr/bin/python3
[ -x "$py" ] || py=python3
$py -c 'import yaml' 2>/dev/null || skip "python3-yaml not installed (make deps)"
if [ $# -eq 0 ]; then
	echo "usage: tests/manifests/check.sh DIR..." >&2
	exit 2
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0

fail() {
	local dir=$1
	shift
	sed "s|^|FAIL $dir: $*|" "$tmp/out"
	status=1
	bad=1
}

for dir in "$@"; do
	bad=0
	render=$tmp/render.yaml
	if ! kubectl kustomize "$dir" >"$render" 2>"$tmp/out"; then
		fail "$dir" "kubectl kustomize: "
		continue
	fi
	node "$here/validate.mjs" "$render" >"$tmp/out" 2>&1 || fail "$dir" "schema: "
	if $py "$here/pss.py" --write "$tmp/pss" "$render" >"$tmp/out" 2>&1; then
		cp "$tmp/pss.enforce" "$tmp/out"
		[ -s "$tmp/out" ] && fail "$dir" "pod security (the namespace's enforced profile): "
		for profile in restricted baseline; do
			expected=$dir/pss-$profile.expected
			[ -f "$expected" ] || expected=/dev/null
			diff "$expected" "$tmp/pss.$profile" |
				sed -n 's/^< /missing: /p; s/^> /unexpected: /p' >"$tmp/out"
			[ -s "$tmp/out" ] && fail "$dir" "pod security $profile: "
		done
	else
		fail "$dir" "pss.py: "
	fi
	topology=$dir/topology.yaml
	[ -f "$topology" ] || topology=$src/manifests/base/common/topology.yaml
	if ! $py "$here/topology.py" "$render" "$topology" >"$tmp/out" 2>&1; then
		sed -i "s|$src/||g" "$tmp/out"
		fail "$dir" "topology: "
	fi
	if [ $bad -eq 0 ]; then
		objects=$(grep -c '^kind: ' "$render")
		echo "ok $dir: $objects objects valid, pod security as expected, topology.yaml byte-identical to ${topology#"$src"/}"
	fi
done
exit $status
