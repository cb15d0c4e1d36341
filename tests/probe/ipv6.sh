#!/usr/bin/env bash
# Every check over IPv6, in connect mode and in raw mode: two network
# namespaces joined by a veth with ULA addresses, `reachmap serve
# --standins` in one, `reachmap probe --once` in the other, one port
# refused (ip6tables REJECT with a reset) and one filtered (DROP).
set -u
bin=${1:?usage: ipv6.sh REACHMAP}
cd "$(dirname "$0")/../.."
skip() { echo "probe.ipv6: SKIP: $1"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "needs root to make the namespaces"
command -v ip6tables >/dev/null || skip "ip6tables is missing"
a=rmv6-a-$$ b=rmv6-b-$$
ip netns add $a 2>/dev/null || skip "cannot create namespaces"
out=$(mktemp -d)
serve_pid=
cleanup() {
	[ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null
	ip netns del $a 2>/dev/null
	ip netns del $b 2>/dev/null
	rm -rf "$out"
}
trap cleanup EXIT
ip netns add $b || skip "cannot create a second namespace"
ip link add va$$ netns $a type veth peer name vb$$ netns $b || skip "cannot make a veth"
for ns in $a $b; do
	ip netns exec $ns sysctl -qw net.ipv6.conf.all.disable_ipv6=0
	ip -n $ns link set lo up
done
# No duplicate address detection: the addresses are usable at once.
ip -n $a addr add fd00:ab:1::10/64 dev va$$ nodad
ip -n $b addr add fd00:ab:2::10/64 dev vb$$ nodad
ip -n $a link set va$$ up
ip -n $b link set vb$$ up
ip -n $a -6 route add fd00:ab:2::/64 dev va$$
ip -n $b -6 route add fd00:ab:1::/64 dev vb$$
ip netns exec $b ip6tables -A INPUT -p tcp --dport 7199 -j REJECT --reject-with tcp-reset ||
	skip "ip6tables cannot add a rule here"
ip netns exec $b ip6tables -A INPUT -p tcp --dport 7001 -j DROP

cat >"$out/topo.yaml" <<'YAML'
version: 1
defaults:
  ports:
    - {name: gossip, port: 7000}
    - {name: gossip-tls, port: 7001}
    - {name: jmx, port: 7199}
    - {name: cql, port: 9042, protocol: cql}
  timeoutMs: 1000
  rate: 1000
  mtu: 1500
clusters:
  - name: west
    cidrs: {pods: ["fd00:ab:1::/64"], services: ["fd00:ab:ff01::/112"]}
    dns: {domain: west.cluster.local, servers: ["fd00:ab:2::10"]}
    probes:
      - {name: west-a-0, address: "fd00:ab:1::10", dnsName: west-a-0.west.cluster.local}
  - name: east
    cidrs: {pods: ["fd00:ab:2::/64"], services: ["fd00:ab:ff02::/112"]}
    dns: {domain: east.cluster.local, servers: ["fd00:ab:2::10"]}
    probes:
      - {name: east-b-0, address: "fd00:ab:2::10", dnsName: east-b-0.east.cluster.local}
YAML

ip netns exec $b "$bin" serve -t "$out/topo.yaml" -c east -n east-b-0 --standins \
	-o "$out/arrivals.json" 2>"$out/serve.err" &
serve_pid=$!
for _ in $(seq 50); do grep -q ready "$out/serve.err" && break; sleep 0.1; done
grep -q ready "$out/serve.err" || { echo "FAIL serve did not start: $(cat "$out/serve.err")"; exit 1; }

pass=0 fail=0
expect() { # NAME PYTHON-EXPRESSION-ON-d-AND-r FILE
	if timeout 10 /usr/bin/python3 -c "
import json,sys
d=json.load(open('$3'))
r={(x['check'], x.get('port', 0)): x for x in d['results']}
sys.exit(0 if ($2) else 1)"; then
		echo "ok   $1"; pass=$((pass + 1))
	else
		echo "FAIL $1: $(cat "$3")"; fail=$((fail + 1))
	fi
}
st() { echo "r[('$1', $2)]['status'] == '$3'"; }
for mode in connect raw; do
	f="$out/$mode.json"
	if ! timeout 60 ip netns exec $a "$bin" probe -t "$out/topo.yaml" -c west -n west-a-0 \
		--once --mode $mode -o "$f" 2>"$f.err"; then
		echo "FAIL $mode: probe exited: $(cat "$f.err")"; fail=$((fail + 1)); continue
	fi
	expect "$mode: tcp/7000 with a stand-in: open" "$(st tcp 7000 open)" "$f"
	expect "$mode: tcp/9042 with the CQL stand-in: open" "$(st tcp 9042 open)" "$f"
	expect "$mode: tcp/7199 rejected with a reset: refused" "$(st tcp 7199 refused)" "$f"
	expect "$mode: tcp/7001 dropped: filtered" "$(st tcp 7001 filtered)" "$f"
	expect "$mode: cql/9042: ok" "$(st cql 9042 ok)" "$f"
	expect "$mode: identity: ok, east-b-0" \
		"$(st identity 8788 ok) and r[('identity', 8788)]['detail']['responder'] == 'east-b-0'" "$f"
	expect "$mode: nat: none, seen fd00:ab:1::10" \
		"$(st nat 8788 none) and r[('nat', 8788)]['detail']['seen'] == 'fd00:ab:1::10'" "$f"
	expect "$mode: icmp over ICMPv6: ok, 3 of 3" \
		"$(st icmp 0 ok) and r[('icmp', 0)]['detail']['received'] == 3" "$f"
	expect "$mode: mtu: ok, 1500-byte datagrams" \
		"$(st mtu 0 ok) and r[('mtu', 0)]['detail']['largestWorking'] == 1500" "$f"
	# The declared DNS server is the peer, where nothing listens on port 53:
	# the AAAA query is answered by ICMPv6 port unreachable.
	expect "$mode: dns: refused, nothing on the server's port" "$(st dns 0 refused)" "$f"
	# On a veth no router stands between: the trail to the dropped port
	# is silent, and says so.
	expect "$mode: path to the dropped tcp/7001: timeout" "$(st path 7001 timeout)" "$f"
	expect "$mode: every result is of the IPv6 destination" \
		"all(x['address'] == 'fd00:ab:2::10' for x in d['results'])" "$f"
done
kill "$serve_pid"
wait "$serve_pid"
serve_pid=
expect "serve: the v6 SYNs arrived on tcp/7000" \
	"any(a['from'] == 'fd00:ab:1::10' and a['port'] == 7000 and a['protocol'] == 'tcp' and a['count'] >= 2 for a in d['arrivals'])" \
	"$out/arrivals.json"
expect "serve: and on the dropped tcp/7001" \
	"any(a['from'] == 'fd00:ab:1::10' and a['port'] == 7001 and a['protocol'] == 'tcp' for a in d['arrivals'])" \
	"$out/arrivals.json"
expect "serve: the ICMPv6 echoes arrived" \
	"any(a['from'] == 'fd00:ab:1::10' and a['protocol'] == 'icmp' for a in d['arrivals'])" \
	"$out/arrivals.json"
expect "serve: the identity request named its probe" \
	"any(a['from'] == 'fd00:ab:1::10' and a['port'] == 8788 and a.get('probe') == 'west-a-0' for a in d['arrivals'])" \
	"$out/arrivals.json"
echo "probe.ipv6: $pass passed, $fail failed"
[ $fail -eq 0 ]
