#!/usr/bin/env bash
# Usage: scripts/image.sh build [--no-save]   the image, then build/reachmap-image.tar
#        scripts/image.sh base                 only the Debian 12 base image
#        scripts/image.sh flags                the podman options that run containers here
#
# Builds manifests/Containerfile with podman and no container registry: the
# base is Debian 12 made by mmdebstrap from Debian's own packages and
# imported as a local image. Root, podman, runc or crun and mmdebstrap are
# needed (`bash scripts/deps.sh image` installs them).
#
# Environment: REACHMAP_IMAGE_BASE (default localhost/debian:bookworm-reachmap-base;
# debian:12 uses a registry instead of mmdebstrap), REACHMAP_DEBIAN_MIRROR.
set -euo pipefail

cd "$(dirname "$0")/.."
version=$(sed -n 's/^project(reachmap VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
base=${REACHMAP_IMAGE_BASE:-localhost/debian:bookworm-reachmap-base}
mirror=${REACHMAP_DEBIAN_MIRROR:-http://deb.debian.org/debian}
image=localhost/reachmap:$version
# The manifests say `image: reachmap:0.1.0`, which containerd (kind, a
# node's ctr) reads as docker.io/library/reachmap:0.1.0: the archive carries
# that name so a loaded image is found without a pull.
kube_name=docker.io/library/reachmap:$version
# The build stages, tagged so that pruning keeps them as the cache of the
# next build: the -dev packages (the longest step) and the last compile.
deps_image=localhost/reachmap-build-deps:$version
build_stage=localhost/reachmap-build:$version
work=build/image
archive=build/reachmap-image.tar

say() { echo "image: $*" >&2; }
die() {
  say "$*"
  exit 1
}
usage() {
  say "$*"
  exit 2
}

# Global podman options, then `podman run`/`podman build` options, that let a
# container start on this machine. Tried in order, the first that runs
# `true` in the base wins, so a normal Debian 12 host gets no option at all:
# - crun refuses a hybrid cgroup hierarchy with a controller on the v2 side
#   (as in some VMs); runc accepts it.
# - Without CAP_SYS_RESOURCE the runtime cannot raise RLIMIT_NOFILE and
#   RLIMIT_NPROC to podman's defaults: ask for what the host allows (podman
#   lowers its own RLIMIT_NPROC to 32768 when it cannot raise it).
podman_flags() {
  local nofile nproc limits try
  nofile=$(ulimit -Hn)
  nproc=$(ulimit -Hu)
  [ "$nofile" = unlimited ] && nofile=1048576
  if [ "$nproc" = unlimited ] || [ "$nproc" -gt 32768 ]; then nproc=32768; fi
  limits="--ulimit nofile=$nofile:$nofile --ulimit nproc=$nproc:$nproc"
  for try in "|" "--runtime runc|" "|$limits" "--runtime runc|$limits"; do
    # shellcheck disable=SC2086 # the options are words
    if timeout 60 podman ${try%%|*} run --rm --network none ${try#*|} "$base" true \
      >/dev/null 2>"$work/probe.err"; then
      echo "$try"
      return 0
    fi
  done
  say "no container starts here, last error: $(tr '\n' ' ' <"$work/probe.err")"
  return 1
}

# Debian 12 from Debian's packages (minbase, merged /usr as bookworm ships
# it), imported as $base. apt in the image trusts the same Valid-Until rule
# as the host's apt, so a host that reads a dated snapshot builds too.
make_base() {
  if podman image exists "$base"; then
    say "base $base present"
    return 0
  fi
  case $base in
    localhost/*) ;;
    *)
      say "pulling $base"
      podman pull "$base" >/dev/null
      return 0
      ;;
  esac
  command -v mmdebstrap >/dev/null || die "mmdebstrap missing: bash scripts/deps.sh image"
  local valid=() check=""
  eval "$(apt-config shell check Acquire::Check-Valid-Until)"
  [ "$check" = false ] && valid=(--aptopt='Acquire::Check-Valid-Until "false"')
  say "making $base with mmdebstrap from $mirror"
  rm -f "$work/base.tar"
  mmdebstrap --quiet --variant=minbase \
    --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
    --dpkgopt=force-unsafe-io "${valid[@]}" --format=tar bookworm "$work/base.tar" \
    "deb $mirror bookworm main" "deb $mirror bookworm-updates main" \
    "deb ${mirror%/debian}/debian-security bookworm-security main" >"$work/base.log" 2>&1 ||
    die "mmdebstrap failed, see $work/base.log: $(tail -3 "$work/base.log")"
  podman import --quiet --change 'CMD ["/bin/bash"]' "$work/base.tar" "$base" >/dev/null
  rm -f "$work/base.tar"
}

# Removes the untagged images that earlier builds of this image left (the
# compile step of every build, a replaced image): podman's storage does not
# grow with each build. Other images are left alone.
prune_old() {
  local label
  for label in io.reachmap.image.stage=build org.opencontainers.image.title=reachmap; do
    podman image prune --force --filter "label=$label" >/dev/null 2>&1 || true
  done
}

build_image() {
  local save=$1 flags global run revision
  flags=$(podman_flags)
  global=${flags%%|*}
  run=${flags#*|}
  revision=$(git describe --always --dirty 2>/dev/null || echo unknown)
  local common=(--network host --build-arg "BASE=$base" -f manifests/Containerfile)
  say "building $image (podman options: ${global:-none} ${run:-})"
  : >"$work/build.log"
  local target
  for target in build-deps:$deps_image build:$build_stage; do
    # shellcheck disable=SC2086
    podman $global build $run "${common[@]}" --target "${target%%:*}" -t "${target#*:}" . \
      >>"$work/build.log" 2>&1 ||
      die "podman build failed (stage ${target%%:*}), see $work/build.log: $(tail -3 "$work/build.log")"
  done
  # shellcheck disable=SC2086
  podman $global build $run "${common[@]}" --build-arg "VERSION=$version" \
    --build-arg "REVISION=$revision" -t "$image" -t "$kube_name" . >>"$work/build.log" 2>&1 ||
    die "podman build failed, see $work/build.log: $(tail -3 "$work/build.log")"
  prune_old
  say "built $image ($(podman image inspect --format '{{.Size}}' "$image") bytes)"
  if [ "$save" = yes ]; then
    rm -f "$archive"
    podman save --quiet --format docker-archive -o "$archive" "$kube_name"
    say "saved $archive: kind load image-archive $archive, or ctr -n k8s.io images import $archive"
  fi
}

[ $# -ge 1 ] || usage "usage: scripts/image.sh build [--no-save] | base | flags"
command -v podman >/dev/null || die "podman missing: bash scripts/deps.sh image"
mkdir -p "$work"
case $1 in
  base) make_base ;;
  flags)
    make_base
    podman_flags
    ;;
  build)
    make_base
    if [ "${2:-}" = --no-save ]; then build_image no; else build_image yes; fi
    ;;
  *) usage "unknown command $1: build [--no-save] | base | flags" ;;
esac
