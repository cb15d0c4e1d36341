#!/bin/sh
# Usage: image-libs.sh BINARY PACKAGE...
# Fails, naming them, if a Debian package that owns one of BINARY's
# DT_NEEDED libraries is not among PACKAGE... (the runtime stage's list in
# manifests/Containerfile). Runs in the image's build stage, where the
# libraries are installed by dpkg; POSIX sh because that stage may have no
# bash.
set -eu
bin=$1
shift
listed=" $* "
needed=$(objdump -p "$bin" | awk '$1 == "NEEDED" { print $2 }')
[ -n "$needed" ] || { echo "image-libs: $bin: no DT_NEEDED entry (not a dynamic binary?)" >&2; exit 1; }
missing=
for soname in $needed; do
  path=$(ldconfig -p | awk -v s="$soname" '$1 == s && /x86-64|AArch64|64bit/ { print $NF; exit }')
  [ -n "$path" ] || path=$(ldconfig -p | awk -v s="$soname" '$1 == s { print $NF; exit }')
  [ -n "$path" ] || { echo "image-libs: $soname: not found by ldconfig" >&2; exit 1; }
  # dpkg knows a file by the path its package shipped (/lib or /usr/lib on
  # a merged-/usr system): ask by the real file's multiarch directory and
  # name, so /lib32 and /libx32 copies do not answer.
  real=$(readlink -f "$path")
  dir=${real%/*}
  pkg=$(dpkg -S "*/${dir##*/}/${real##*/}" 2>/dev/null | awk -F: 'NR == 1 { print $1 }')
  [ -n "$pkg" ] || { echo "image-libs: $soname ($real): no Debian package owns it" >&2; exit 1; }
  echo "$soname $pkg"
  case $listed in
    *" $pkg "*) ;;
    *) missing="$missing $pkg" ;;
  esac
done
if [ -n "$missing" ]; then
  echo "image-libs: $bin links libraries of packages missing from RUNTIME_PACKAGES in manifests/Containerfile:$missing" >&2
  exit 1
fi
