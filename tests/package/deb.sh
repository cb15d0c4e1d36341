#!/usr/bin/env bash
# reachmap installed as a C tool, from the tree the tests built (no build of
# its own): `cmake --install` into a DESTDIR gives exactly the expected
# files; `cpack -G DEB` packages that tree with the project's CPack
# settings; the package's fields, its Depends (each library the binary
# NEEDs, mapped to its Debian package with dpkg -S, and nothing else) and
# its files; then dpkg installs it into a scratch root whose status holds
# this machine's entries of the Depends packages (and refuses to into an
# empty one), and the installed reachmap, its example, man page and
# completion are used from there.
# usage: deb.sh REACHMAP BUILD_DIR   (run in the source dir)
set -u
bin=${1:?usage: deb.sh REACHMAP BUILD_DIR}
build=$(cd "${2:?usage: deb.sh REACHMAP BUILD_DIR}" && pwd)
src=$(pwd)
pass=0 fail=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

ok() { echo "ok   $1"; pass=$((pass + 1)); }
bad() { echo "FAIL $1"; shift; [ $# -gt 0 ] && printf '  %s\n' "$@"; fail=$((fail + 1)); }
same() { # NAME GOT WANT
	if [ "$2" = "$3" ]; then ok "$1"; else bad "$1" "got:  $2" "want: $3"; fi
}
same_file() { # NAME GOT_FILE WANT_FILE
	if cmp -s "$2" "$3"; then ok "$1"; else bad "$1" "$(diff "$3" "$2" | head -20)"; fi
}

for tool in cpack dpkg dpkg-deb dpkg-shlibdeps dpkg-query objdump ldd; do
	if ! command -v "$tool" >/dev/null; then
		echo "SKIP: $tool is not installed (scripts/deps.sh installs dpkg-dev, binutils)"
		exit 77
	fi
done
version=$("$bin" --version | awk '{print $2}')
arch=$(dpkg --print-architecture)

# --- cmake --install into a DESTDIR: the file list, the modes.
dest=$tmp/dest
if DESTDIR=$dest cmake --install "$build" --prefix /usr >"$tmp/install.log" 2>&1; then
	ok "cmake --install --prefix /usr into a DESTDIR"
else
	bad "cmake --install" "$(tail -5 "$tmp/install.log")"
fi
{
	printf '%s\n' usr/bin/reachmap \
		usr/share/man/man1/reachmap.1.gz \
		usr/share/bash-completion/completions/reachmap \
		usr/share/zsh/vendor-completions/_reachmap \
		usr/share/doc/reachmap/README.md \
		usr/share/doc/reachmap/changelog.gz
	for f in report/schema/*.json; do echo "usr/share/reachmap/schema/${f##*/}"; done
	(cd examples && find . -type f) | sed 's|^\./|usr/share/reachmap/examples/|'
	[ -d manifests ] && find manifests -type f | sed 's|^|usr/share/reachmap/|'
	for f in LICENSE* COPYING*; do
		[ -f "$f" ] && echo "usr/share/doc/reachmap/$f" && echo usr/share/doc/reachmap/copyright
	done
} | sort >"$tmp/want.list"
(cd "$dest" && find . ! -type d | sed 's|^\./||' | sort) >"$tmp/got.list"
same_file "the installed files: binary, man page, completions, schemas, examples, docs" \
	"$tmp/got.list" "$tmp/want.list"
grep -q '^usr/share/reachmap/schema/reachmap.report.v1.json$' "$tmp/got.list" &&
	ok "the report's JSON Schema in share/reachmap/schema" ||
	bad "share/reachmap/schema/reachmap.report.v1.json missing"
same "usr/bin/reachmap is 0755" "$(stat -c %a "$dest/usr/bin/reachmap")" 755
same "every other file is 0644" \
	"$(cd "$dest" && find . -type f ! -path ./usr/bin/reachmap ! -perm 644 | head -3)" ""
zcat "$dest/usr/share/doc/reachmap/changelog.gz" >"$tmp/changelog"
same "the changelog's newest entry is this version" \
	"$(dpkg-parsechangelog -l "$tmp/changelog" -S Version 2>&1)" "$version"
# The gzip header: deflate, no name, time 0, best compression (-9n).
for gz in usr/share/man/man1/reachmap.1.gz usr/share/doc/reachmap/changelog.gz; do
	same "$gz is gzip -9n" "$(od -An -tx1 -N9 "$dest/$gz" | tr -s ' ')" \
		" 1f 8b 08 00 00 00 00 00 02"
done

# --- cpack -G DEB of that tree, with the project's CPack settings.
if (cd "$tmp" && cpack --config "$build/CPackConfig.cmake" -G DEB -B "$tmp/pkg" \
	-D CPACK_INSTALL_CMAKE_PROJECTS= -D "CPACK_INSTALLED_DIRECTORIES=$dest/usr;usr") \
	>"$tmp/cpack.log" 2>&1; then
	ok "cpack -G DEB"
else
	bad "cpack -G DEB" "$(tail -5 "$tmp/cpack.log")"
fi
deb=$tmp/pkg/reachmap_${version}_${arch}.deb
if [ ! -f "$deb" ]; then
	bad "no $deb" "$(ls "$tmp/pkg")"
	echo "$pass passed, $fail failed"; exit 1
fi
ok "the package is reachmap_${version}_${arch}.deb"
dpkg-deb -I "$deb" >"$tmp/info" 2>&1 || bad "dpkg-deb -I" "$(cat "$tmp/info")"
field() { dpkg-deb -f "$deb" "$1"; }
same "Package" "$(field Package)" reachmap
same "Version (reachmap --version)" "$(field Version)" "$version"
same "Section" "$(field Section)" net
same "Architecture" "$(field Architecture)" "$arch"
same "Description, its first line" "$(field Description | head -1)" \
	"network diagnosis for databases spread over Kubernetes clusters"
[ "$(field Description | wc -l)" -ge 4 ] && ok "Description has a long text" ||
	bad "Description has no long text" "$(field Description)"
[[ $(field Maintainer) =~ ^[^\<]+\ \<[^@]+@[^\>]+\>$ ]] && ok "Maintainer is NAME <EMAIL>" ||
	bad "Maintainer" "$(field Maintainer)"

# Depends: exactly the packages of the libraries the binary NEEDs. A path
# ldd gives may be known to dpkg under /lib or /usr/lib (merged /usr): one
# dpkg-query for every spelling, then the first it knows.
objdump -p "$dest/usr/bin/reachmap" | awk '$1 == "NEEDED" {print $2}' >"$tmp/needed"
ldd "$dest/usr/bin/reachmap" >"$tmp/ldd"
spellings() { echo "$1"; readlink -f "$1"; echo "/usr$1"; echo "${1#/usr}"; }
while read -r lib; do
	spellings "$(awk -v l="$lib" '$1 == l && $2 == "=>" {print $3}' "$tmp/ldd")"
done <"$tmp/needed" | sort -u >"$tmp/paths"
xargs dpkg-query -S <"$tmp/paths" 2>/dev/null >"$tmp/owners.all"
while read -r lib; do
	path=$(awk -v l="$lib" '$1 == l && $2 == "=>" {print $3}' "$tmp/ldd")
	p=
	for q in $(spellings "$path"); do
		p=$(awk -v q="$q" '$NF == q {sub(/:.*/, "", $1); print $1; exit}' "$tmp/owners.all")
		[ -n "$p" ] && break
	done
	echo "${p:-UNKNOWN($lib at $path)}"
done <"$tmp/needed" | sort -u >"$tmp/needed.pkgs"
field Depends | tr ',' '\n' | sed 's/(.*//; s/[[:space:]]//g' | grep . | sort -u >"$tmp/depends"
same_file "Depends names the package of each NEEDED library, nothing more" \
	"$tmp/depends" "$tmp/needed.pkgs"
for p in libpcap0.8 libnet1 libc-ares2 libcjson1 libyaml-0-2 libmicrohttpd12 libcurl4 \
	libsqlite3-0 libncursesw6 libc6; do
	grep -qx "$p" "$tmp/depends" && ok "Depends: $p" || bad "Depends lacks $p" "$(field Depends)"
done
grep -q '(>= ' <<<"$(field Depends)" && ok "Depends carries dpkg-shlibdeps' minimum versions" ||
	bad "Depends has no versions" "$(field Depends)"

dpkg-deb -c "$deb" | awk '$1 !~ /^d/ {print $6}' | sed 's|^\./||' | sort >"$tmp/deb.list"
same_file "dpkg-deb -c: the files of cmake --install, under /usr" "$tmp/deb.list" "$tmp/want.list"
dpkg-deb -c "$deb" | awk '$1 !~ /^d/ && $2 != "root/root" {print}' >"$tmp/owners"
same "every file root:root" "$(head -3 "$tmp/owners")" ""

# --- dpkg installs it into a scratch root.
installed_root=
if [ "$(id -u)" -eq 0 ]; then
	# An empty root: dpkg refuses, naming the libraries (Depends is enforced).
	r0=$tmp/root-empty
	mkdir -p "$r0/var/lib/dpkg/info" "$r0/var/lib/dpkg/updates"
	: >"$r0/var/lib/dpkg/status"
	if dpkg --root="$r0" --log="$tmp/dpkg0.log" -i "$deb" >"$tmp/dpkg0.out" 2>&1; then
		bad "dpkg -i into an empty root succeeded: Depends not enforced"
	else
		grep -q "reachmap depends on libpcap0.8" "$tmp/dpkg0.out" &&
			ok "dpkg -i into an empty root refuses: reachmap depends on libpcap0.8 ..." ||
			bad "dpkg -i into an empty root" "$(cat "$tmp/dpkg0.out")"
	fi
	# A root whose status has this machine's entries of the Depends
	# packages: dpkg finds them new enough and installs.
	r=$tmp/root
	mkdir -p "$r/var/lib/dpkg/info" "$r/var/lib/dpkg/updates"
	xargs dpkg-query -s <"$tmp/depends" >"$r/var/lib/dpkg/status"
	for p in $(xargs dpkg-query -W -f='${binary:Package}\n' <"$tmp/depends"); do
		: >"$r/var/lib/dpkg/info/$p.list"
	done
	if dpkg --root="$r" --log="$tmp/dpkg.log" -i "$deb" >"$tmp/dpkg.out" 2>&1; then
		ok "dpkg --root -i: installed against this machine's versions of its Depends"
	else
		bad "dpkg --root -i" "$(tail -5 "$tmp/dpkg.out")"
	fi
	same "dpkg --root -s: install ok installed" \
		"$(dpkg --root="$r" -s reachmap 2>&1 | sed -n 's/^Status: //p')" "install ok installed"
	dpkg --root="$r" -L reachmap | grep -qx /usr/bin/reachmap &&
		ok "dpkg --root -L lists /usr/bin/reachmap" || bad "dpkg -L lacks /usr/bin/reachmap"
	installed_root=$r
else
	# dpkg --root needs root to set owners; unpacked only.
	echo "note: not root: the package is unpacked with dpkg-deb -x, not installed by dpkg"
	installed_root=$tmp/root
	dpkg-deb -x "$deb" "$installed_root" && ok "dpkg-deb -x" || bad "dpkg-deb -x"
fi

# --- the installed reachmap, used from the scratch root.
r=$installed_root
same "installed reachmap --version" "$("$r/usr/bin/reachmap" --version)" "reachmap $version"
ex=$r/usr/share/reachmap/examples
out=$("$r/usr/bin/reachmap" plan "$ex/two-dc.yaml" 2>&1); rc=$?
same "installed reachmap plan examples/two-dc.yaml: exit 0 and its verdict" "$rc: $out" \
	"0: PASS  $ex/two-dc.yaml: no findings (2 clusters, 6 ranges, 4 probes, 4 targets)"
"$r/usr/bin/reachmap" plan "$ex/broken.yaml" >/dev/null 2>&1; rc=$?
same "installed reachmap plan examples/broken.yaml: exit 1" "$rc" 1
if command -v man >/dev/null; then
	MANWIDTH=80 MANPAGER=cat PAGER=cat man --warnings=w -l "$r/usr/share/man/man1/reachmap.1.gz" \
		>"$tmp/man.out" 2>"$tmp/man.err"; rc=$?
	same "man -l the installed page: exit 0, no warning" "$rc $(cat "$tmp/man.err")" "0 "
	grep -q "^reachmap check" "$tmp/man.out" && grep -q "^SYNOPSIS" "$tmp/man.out" &&
		ok "the installed page has SYNOPSIS and a section per command" ||
		bad "installed page" "$(head -20 "$tmp/man.out")"
else
	echo "note: man-db is not installed; the installed page not rendered"
fi
same "the installed bash completion: complete -p reachmap" \
	"$(bash --norc --noprofile -c '. "$1"; complete -p reachmap' x \
		"$r/usr/share/bash-completion/completions/reachmap" 2>&1)" \
	"complete -F _reachmap reachmap"
if command -v zsh >/dev/null; then
	zsh -n "$r/usr/share/zsh/vendor-completions/_reachmap" 2>"$tmp/zsh.err" &&
		ok "the installed zsh completion parses (zsh -n)" ||
		bad "zsh -n _reachmap" "$(cat "$tmp/zsh.err")"
fi
echo "note: lintian is not run here (about 25 s on a loaded 2-core machine); make package runs it"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
