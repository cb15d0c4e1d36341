#!/usr/bin/env bash
# tests/lab/addr.sh: a topology entry with a dnsName and no address (pods get
# new addresses when they restart). The clean scenario comes up; east-b-0 is
# written into a copy of its topology with its dnsName and no address.
#  1. probe --once from west-a-0 resolves the name and probes east-b-0 at
#     its real address (every result's address is it); east-b-0 itself,
#     address-less, speaks from its interface's address; analyze on the
#     four probes' documents passes, and no output says 0.0.0.0.
#  2. With a name that does not resolve: probe --once exits 0, east-b-0
#     gets dns results (nxdomain, no address) and no other check, and the
#     document's notes say why; analyze names it (dns-unresolvable, exit 1).
# Always tears down. Exit: 0 as expected, 1 not, 77 cannot run here (skip).
set -u
SRC=$(cd "$(dirname "$0")/../.." && pwd)
LAB=$SRC/lab/reachmap-lab
: "${REACHMAP:?REACHMAP must name the reachmap binary}"
if [ "$(id -u)" -ne 0 ]; then
	echo "lab.addr: SKIP: needs root and network namespaces"
	exit 77
fi
# shellcheck source=lock.sh
. "$SRC/tests/lab/lock.sh"
lab_lock lab.addr
lab_need_netns lab.addr
dir=$(mktemp -d /tmp/reachmap-addr-test.XXXXXX)
trap '"$LAB" down >/dev/null 2>&1; rm -rf "$dir"' EXIT
trap 'exit 130' INT TERM
pass=0 fail=0
ok() { echo "ok   $*"; pass=$((pass + 1)); }
bad() { echo "FAIL $*"; fail=$((fail + 1)); }

"$LAB" down >/dev/null 2>&1
"$LAB" up clean --dir "$dir" --reachmap "$REACHMAP" >/dev/null 9>&- ||
	{ echo "FAIL lab up clean"; exit 1; }
real=$(awk '$1 == "POD" && $2 == "east-b-0" { print $7 }' "$dir/state")
[ -n "$real" ] || { echo "FAIL no address of east-b-0 in the lab's state"; exit 1; }
# east-b-0 without its address; and a second copy whose name does not exist.
sed -E '/name: east-b-0,/ s/address: [0-9.]+, //' "$dir/topology.yaml" >"$dir/noaddr.yaml"
sed -E '/name: east-b-0,/ s/dnsName: east-b-0\./dnsName: nosuch-0./' "$dir/noaddr.yaml" >"$dir/gone.yaml"
grep -q 'name: east-b-0, zone' "$dir/noaddr.yaml" && grep -q 'dnsName: nosuch-0\.' "$dir/gone.yaml" ||
	{ echo "FAIL could not write the topologies without east-b-0's address"; exit 1; }

# probe TOPOLOGY POD: reachmap probe --once from POD into $dir/T-POD.json.
probe() {
	local topo=$1 p=$2 c
	c=$(awk -v p="$p" '$1 == "POD" && $2 == p { print $4 }' "$dir/state")
	timeout 60 ip netns exec "$RMLAB_PREFIX$p" "$REACHMAP" probe --topology "$dir/$topo.yaml" \
		--cluster "$c" --name "$p" --once --timeout 800 --out "$dir/$topo-$p.json" \
		2>"$dir/$topo-$p.err"
}

# results FILE: what east-b-0's cells show, "check:port:status:address" a
# line; then the notes that name it.
results() {
	/usr/bin/python3 - "$1" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
for r in d["results"]:
    if r["target"] == "east-b-0":
        print("%s:%s:%s:%s" % (r["check"], r.get("port", ""), r["status"], r.get("address", "-")))
for n in d.get("notes", []):
    if "east-b-0" in n:
        print("note:" + n)
EOF
}

# 1. The name resolves: probed at its real address.
probes="west-a-0 west-b-0 east-b-0 east-c-0"
for p in $probes; do
	probe noaddr "$p" || bad "probe --once from $p (east-b-0 without address): exit $?: $(cat "$dir/noaddr-$p.err")"
done
got=$(results "$dir/noaddr-west-a-0.json")
addrs=$(grep -v '^note:' <<<"$got" | cut -d: -f4 | sort -u | tr '\n' ' ')
if [ "$addrs" = "$real " ] && grep -q '^tcp:7000:open:' <<<"$got" && grep -q '^identity:8788:ok:' <<<"$got" &&
	grep -q '^dns::ok:' <<<"$got" && ! grep -q '^note:' <<<"$got"; then
	ok "west-a-0 resolved east-b-0 and probed it at $real ($(grep -c . <<<"$got") cells: tcp/7000 open, identity ok, dns ok)"
else
	bad "west-a-0 -> east-b-0 without address: addresses '$addrs' (want '$real '); cells: $(tr '\n' ' ' <<<"$got")"
fi
self=$(/usr/bin/python3 -c 'import json, sys; print(",".join(json.load(open(sys.argv[1]))["probe"]["addresses"]))' \
	"$dir/noaddr-east-b-0.json")
[ "$self" = "$real" ] && ok "east-b-0, address-less itself, speaks from its interface's $real" ||
	bad "east-b-0's own document gives addresses '$self', want '$real'"
"$REACHMAP" analyze --topology "$dir/noaddr.yaml" --format text -o "$dir/noaddr.txt" "$dir"/noaddr-*.json
rc=$?
if [ "$rc" -eq 0 ] && grep -q '^PASS' "$dir/noaddr.txt" && ! grep -Eq '(^|[^0-9.])0\.0\.0\.0($|[^0-9./])' "$dir/noaddr.txt"; then
	ok "analyze with east-b-0 address-less: exit 0, $(head -1 "$dir/noaddr.txt")"
else
	bad "analyze with east-b-0 address-less: exit $rc (want 0): $(head -20 "$dir/noaddr.txt")"
fi

# 2. The name does not resolve: a dns result, nothing else, and a note.
for p in $probes; do
	probe gone "$p" || bad "probe --once from $p (east-b-0's name gone): exit $?: $(cat "$dir/gone-$p.err")"
done
note="east-b-0 (east) has no address this round (nosuch-0.reachmap.reachmap.svc.east.cluster.local did not resolve to one in east's ranges, and no collector gave one): only its dns check ran"
got=$(results "$dir/gone-west-a-0.json")
cells=$(grep -v '^note:' <<<"$got" | sort -u | tr '\n' ' ')
if [ "$cells" = "dns::nxdomain:- " ] &&
	grep -q "^note:$note\$" <<<"$got"; then
	ok "west-a-0 -> east-b-0 whose name does not resolve: only dns nxdomain, no address, and the note"
else
	bad "west-a-0 -> east-b-0 whose name does not resolve: cells '$cells'; $(grep '^note:' <<<"$got")"
fi
"$REACHMAP" analyze --topology "$dir/gone.yaml" --format json -o "$dir/gone.json" "$dir"/gone-*.json
rc=$?
"$REACHMAP" analyze --topology "$dir/gone.yaml" --format text -o "$dir/gone.txt" "$dir"/gone-*.json
kinds=$(/usr/bin/python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(" ".join(sorted(set("%s:%s->%s" % (f["kind"], f["from"]["cluster"], f["to"]["cluster"]) for f in d["findings"]))))' "$dir/gone.json")
want="dns-unresolvable:east->east dns-unresolvable:west->east"
summary="west cannot resolve east-b-0's name nosuch-0.reachmap.reachmap.svc.east.cluster.local (NXDOMAIN), while east's other names resolve: no such record"
if [ "$rc" -eq 1 ] && [ "$kinds" = "$want" ] && grep -qF "$summary" "$dir/gone.txt" &&
	! grep -Eq '(^|[^0-9.])0\.0\.0\.0($|[^0-9./])' "$dir/gone.txt" "$dir/gone.json"; then
	ok "analyze names it: exit 1, $kinds: $summary"
else
	bad "analyze with east-b-0's name gone: exit $rc (want 1), findings '$kinds' (want '$want')"
	head -30 "$dir/gone.txt"
fi
if /usr/bin/python3 -c 'import jsonschema' 2>/dev/null; then
	if /usr/bin/python3 "$SRC/tests/schema/validate.py" "$SRC/report/schema/reachmap.results.v1.json" \
		"$dir"/gone-*-0.json "$dir"/noaddr-*-0.json >"$dir/schema.out" &&
		/usr/bin/python3 "$SRC/tests/schema/validate.py" "$SRC/report/schema/reachmap.report.v1.json" \
			"$dir/gone.json" >>"$dir/schema.out"; then
		ok "every document matches its schema"
	else
		bad "schema: $(grep FAIL "$dir/schema.out")"
	fi
fi
# 3. A source cluster that declares no DNS server: the name is asked of
# the pod's own resolver (resolv.conf), so it still has its dns result.
sed -E '/^  - name: west$/,/^  - name: east$/ s/dns: \{domain: ([a-z.]+), servers: \[[0-9., ]+\]\}/dns: {domain: \1}/' \
	"$dir/gone.yaml" >"$dir/noservers.yaml"
server=$(awk '$1 == "nameserver" { print $2; exit }' "/etc/netns/${RMLAB_PREFIX}west-a-0/resolv.conf")
if ! grep -q 'dns: {domain: west.cluster.local}$' "$dir/noservers.yaml"; then
	bad "could not write the topology whose west declares no DNS server"
elif ! probe noservers west-a-0; then
	bad "probe --once from west-a-0 (west declares no DNS server): $(cat "$dir/noservers-west-a-0.err")"
else
	got=$(/usr/bin/python3 -c 'import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    if r["target"] in ("east-b-0", "east-c-0") and r["check"] == "dns":
        print(r["target"], r["status"], r["detail"].get("server", "-"))' "$dir/noservers-west-a-0.json" | tr '\n' ' ')
	want="east-b-0 nxdomain $server "
	[ -n "$server" ] && [ "$got" = "$want" ] &&
		ok "west declares no DNS server: east-b-0's name asked of the pod's resolver $server (nxdomain), east-c-0's not asked" ||
		bad "west declares no DNS server: dns cells '$got', want '$want'"
fi

echo "lab.addr: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
