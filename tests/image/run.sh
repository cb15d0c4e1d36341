#!/usr/bin/env bash
# Usage: tests/image/run.sh REACHMAP_BIN
# The container image built from the current tree, run as the manifests run
# it: uid 65532, read-only root filesystem, every capability dropped, no new
# privileges, no network, the topology mounted read-only. Asserts --version,
# plan (a clean and a broken topology, exit codes included), the default
# command, the image's configuration and that it holds runtime libraries
# only. REACHMAP_BIN (the host build) gives the expected outputs.
#
# Builds incrementally on what `make image` left in podman's storage (the
# Debian base and the build-deps stage): from nothing it takes minutes of
# downloads, which make check does not pay. Skips (77) saying why where
# podman, root, those images or a working container runtime are missing.
set -euo pipefail

skip() {
  echo "SKIP image.run: $*"
  exit 77
}
fail() {
  echo "FAIL image.run: $*"
  exit 1
}
command -v podman >/dev/null || skip "podman is not installed (make image installs it: scripts/deps.sh image)"

bin=$1
src=$(cd "$(dirname "$0")/../.." && pwd)
cd "$src"
version=$(sed -n 's/^project(reachmap VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
base=localhost/debian:bookworm-reachmap-base
image=localhost/reachmap:$version
deps_image=localhost/reachmap-build-deps:$version

[ "$(id -u)" -eq 0 ] || skip "needs root (podman's system storage, where make image keeps the image)"
podman image exists "$base" ||
  skip "no Debian base $base in podman's storage: make image makes it once (mmdebstrap, minutes of downloads); make check does not build it from nothing"
podman image exists "$deps_image" ||
  skip "no build-deps stage $deps_image in podman's storage: make image builds it once (the compilers and -dev packages); make check does not"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
flags=$(bash scripts/image.sh flags 2>"$tmp/flags.err") ||
  skip "no container runtime works here: $(tr '\n' ' ' <"$tmp/flags.err")"
global=${flags%%|*}
run=${flags#*|}

start=$(date +%s)
bash scripts/image.sh build --no-save || fail "the image does not build from the current tree (build/image/build.log)"
echo "image.run: built $image in $(($(date +%s) - start)) s (podman options: ${global:-none} ${run:-})"

# The image's own configuration, as the manifests rely on it.
config=$(podman image inspect --format '{{.Config.User}}|{{json .Config.Entrypoint}}|{{json .Config.Cmd}}|{{index .Config.Labels "org.opencontainers.image.version"}}|{{index .Config.Labels "org.opencontainers.image.title"}}' "$image")
want='65532:65532|["/usr/bin/reachmap"]|["--help"]|'"$version"'|reachmap'
[ "$config" = "$want" ] || fail "image config is '$config', expected '$want'"

topo=/etc/reachmap/topology/topology.yaml
failures=0
# Runs the image as the manifests do; $1 is the topology file to mount.
restricted() {
  local file=$1
  shift
  # shellcheck disable=SC2086 # the options are words
  timeout 120 podman $global run --rm $run --read-only --cap-drop ALL \
    --security-opt no-new-privileges --user 65532:65532 --network none \
    -v "$src/$file:$topo:ro" "$image" "$@"
}
# expect NAME WANT_RC WANT_FILE -- ARGS...: output and exit code of a run.
expect() {
  local name=$1 want_rc=$2 want_file=$3 file=$4
  shift 5
  local got rc=0
  got=$(restricted "$file" "$@" 2>&1) || rc=$?
  if [ "$rc" -ne "$want_rc" ]; then
    echo "FAIL image.run $name: exit $rc, expected $want_rc; output:"
    echo "$got"
    failures=$((failures + 1))
  elif ! diff -u "$want_file" <(printf '%s\n' "$got"); then
    echo "FAIL image.run $name: output differs from the host binary's (above)"
    failures=$((failures + 1))
  else
    echo "ok   image.run $name (exit $rc)"
  fi
}

# The host binary's outputs, the mounted path in place of the file's.
"$bin" --version >"$tmp/version"
"$bin" --help >"$tmp/help"
for t in two-dc broken; do
  rc=0
  "$bin" plan "examples/$t.yaml" >"$tmp/$t.raw" 2>&1 || rc=$?
  sed "s#examples/$t.yaml#$topo#g" "$tmp/$t.raw" >"$tmp/$t"
  echo "$rc" >"$tmp/$t.rc"
done
[ "$(cat "$tmp/version")" = "reachmap $version" ] || fail "host binary says '$(cat "$tmp/version")'"
grep -q '^PASS ' "$tmp/two-dc" || fail "host plan of two-dc does not pass"

expect version 0 "$tmp/version" examples/two-dc.yaml -- --version
expect plan-two-dc 0 "$tmp/two-dc" examples/two-dc.yaml -- plan "$topo"
expect plan-broken "$(cat "$tmp/broken.rc")" "$tmp/broken" examples/broken.yaml -- plan "$topo"
expect default-command 0 "$tmp/help" examples/two-dc.yaml --

# Runtime libraries only: no compiler, no -dev package in the image, and
# every library the binary needs resolved.
# shellcheck disable=SC2086,SC2016
pkgs=$(timeout 120 podman $global run --rm $run --network none --entrypoint dpkg-query "$image" -W -f '${Package}\n')
extra=$(grep -E -e '-dev$' -e '^((gcc|cpp)(-[0-9]+)?|cmake|make|binutils|pkg-config|pkgconf)$' <<<"$pkgs" |
  tr '\n' ' ' || true)
if [ -n "$extra" ]; then
  echo "FAIL image.run runtime-only: build packages in the image: $extra"
  failures=$((failures + 1))
else
  echo "ok   image.run runtime-only ($(wc -l <<<"$pkgs") packages, none for building)"
fi
# shellcheck disable=SC2086,SC2016
missing=$(timeout 120 podman $global run --rm $run --network none --entrypoint ldd "$image" /usr/bin/reachmap | grep 'not found' || true)
if [ -n "$missing" ]; then
  echo "FAIL image.run libraries: $missing"
  failures=$((failures + 1))
else
  echo "ok   image.run libraries (every DT_NEEDED resolved in the image)"
fi

[ "$failures" -eq 0 ] || fail "$failures checks failed"
echo "image.run: all checks passed in $(($(date +%s) - start)) s"
