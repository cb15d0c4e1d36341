#!/usr/bin/env bash
# The overlays of examples/overlays/ are what `reachmap manifests` writes
# for the two-dc example, file for file.
#   tests/kube/golden.sh REACHMAP [--regen]
# They are made from the repository root with these command lines (the
# paths in them, and the base's path relative to each overlay, are part of
# what is compared); the comparison runs them in a scratch copy of the
# files they read, so the tree is never written but by --regen.
set -u
bin=$(realpath "${1:?usage: golden.sh REACHMAP [--regen]}")
regen=${2:-}
cd "$(dirname "$0")/../.."
topology=examples/two-dc.yaml
collectors=(--collector https://reachmap-collector.reachmap.svc.west.cluster.local:8787
	--collector https://reachmap-collector.reachmap.svc.east.cluster.local:8787)
clusters=(west east)

generate() { # ROOT CLUSTER
	(cd "$1" && "$bin" manifests --topology "$topology" --cluster "$2" "${collectors[@]}" \
		--base manifests/base -o "examples/overlays/two-dc/$2" >/dev/null 2>&1)
}

if [ "$regen" = --regen ]; then
	for c in "${clusters[@]}"; do
		rm -rf "examples/overlays/two-dc/$c"
		generate . "$c" || { echo "golden.sh: manifests failed for $c"; exit 1; }
		echo "wrote examples/overlays/two-dc/$c"
	done
	exit 0
fi

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/examples"
cp "$topology" "$tmp/examples/"
cp -r manifests "$tmp/"
pass=0 fail=0
for c in "${clusters[@]}"; do
	if ! generate "$tmp" "$c"; then
		echo "FAIL $c: reachmap manifests exited non-zero"; fail=$((fail + 1)); continue
	fi
	if ! diff -ru "examples/overlays/two-dc/$c" "$tmp/examples/overlays/two-dc/$c" >"$tmp/diff"; then
		echo "FAIL $c: examples/overlays/two-dc/$c differs from what manifests writes (make golden, then review git diff)"
		head -40 "$tmp/diff"; fail=$((fail + 1)); continue
	fi
	echo "ok   examples/overlays/two-dc/$c ($(find "examples/overlays/two-dc/$c" -type f | wc -l) files)"
	pass=$((pass + 1))
done
echo "manifests golden: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -eq "${#clusters[@]}" ]
