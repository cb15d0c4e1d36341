#!/usr/bin/env bash
# Installs, with apt-get, every Debian package reachmap needs to build, test,
# run its lab and its benchmarks. Installs only what is missing, so a second
# run costs a dpkg query and nothing else.
set -euo pipefail

packages=(
  # build
  build-essential cmake pkg-config clang clang-format libclang-rt-14-dev
  # libraries (DESIGN.md: nothing is vendored)
  libpcap-dev libnet1-dev libc-ares-dev libncurses-dev libcjson-dev
  libyaml-dev libmicrohttpd-dev libcurl4-openssl-dev libsqlite3-dev
  libcmocka-dev zlib1g-dev
  # tests: schema validation, terminal driving
  python3 python3-jsonschema python3-yaml python3-prometheus-client
  python3-junitparser tmux chromium openssl curl
  # the lab: namespaces, firewalls, DNS, standard network tools
  iproute2 iptables nftables dnsmasq-base bind9-dnsutils iputils-ping
  iputils-tracepath netcat-openbsd procps psmisc conntrack
  # benchmarks
  nmap fping bc zlib1g-dev prometheus-pushgateway
  # packaging: the man page made and read, the .deb built and installed
  groff-base man-db dpkg-dev binutils zsh
)

# tests/manifests: node and npm from any source (Debian's nodejs + npm, or
# NodeSource's nodejs, which carries npm and conflicts with Debian's npm).
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi

# tests/manifests validates against the Kubernetes schemas of the npm
# packages its package-lock.json pins; installed again only when the lock
# file is newer than what npm last installed.
npm_deps() {
  local dir
  dir="$(cd "$(dirname "$0")/.." && pwd)/tests/manifests"
  if command -v npm >/dev/null 2>&1 && { [ ! -f "$dir/node_modules/.package-lock.json" ] ||
    [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; }; then
    echo "deps: npm ci in tests/manifests"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  fi
}
# `scripts/deps.sh image` installs instead only what `make image` needs: it
# compiles inside the container, so the host needs the container tools alone
# (runc for hosts where crun refuses the cgroup layout, uidmap for rootless
# use). make check does not ask for them.
case "${1:-}" in
  "") ;;
  image) packages=(podman runc crun uidmap mmdebstrap debian-archive-keyring) ;;
  *)
    echo "deps: unknown group '$1' (known: image)" >&2
    exit 2
    ;;
esac

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "deps: all ${#packages[@]} packages present"
  npm_deps
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "deps: missing packages: ${missing[*]}" >&2
  echo "deps: run 'make deps' as root (or: sudo apt-get install ${missing[*]})" >&2
  exit 1
fi

echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "deps: installed ${#missing[@]} packages"
npm_deps
