# Assertions for the lab self-tests: each runs a standard tool inside a pod's
# namespace and prints one line, `ok   ...` or `FAIL ...`. Sourced by
# selftest.sh, which counts them.
PASS=0
FAILED=0
TCPCHECK="/usr/bin/python3 $SRC/lab/lib/tcpcheck.py"

in_pod() { local p=$1; shift; timeout 10 ip netns exec "rmlab-$p" "$@"; }
addr_of() { awk -v p="$1" '$1 == "POD" && $2 == p { print $7 }' "$LAB_DIR/state"; }
dns_of() { awk -v p="$1" '$1 == "POD" && $2 == p { print $8 }' "$LAB_DIR/state"; }
pods_of() { # ROLE [CLUSTER]
	awk -v r="$1" -v c="${2:-}" '$1 == "POD" && $5 == r && (c == "" || $4 == c) { print $2 }' "$LAB_DIR/state"
}

pass() { echo "ok   $*"; PASS=$((PASS + 1)); }
fail() { echo "FAIL $*"; FAILED=$((FAILED + 1)); }

# expect_tcp SRC DST PORT WANT: WANT is a prefix of tcpcheck's answer
# (open, refused, timeout, no-route, "icmp type=3 code=13", ...).
expect_tcp() { expect_tcp_addr "$1" "$(addr_of "$2")" "$3" "$4" "$2"; }

# expect_tcp_addr SRC ADDRESS PORT WANT [NAME]: the same to a bare address.
expect_tcp_addr() {
	local src=$1 addr=$2 port=$3 want=$4 what=${5:+$5 ($2)} got
	what=${what:-$addr}
	got=$(in_pod "$src" $TCPCHECK --timeout 1 "$addr" "$port" 2>&1)
	case $got in
	"$want"*) pass "$src -> $what tcp/$port: $got" ;;
	*) fail "$src -> $what tcp/$port: got '$got', want '$want'" ;;
	esac
}

# expect_identity SRC ADDRESS NAME PEER: who answers at ADDRESS, and the source
# address it saw.
expect_identity() {
	local src=$1 addr=$2 name=$3 peer=$4 got
	got=$(in_pod "$src" $TCPCHECK --identity --timeout 1 "$addr" 8788 2>&1)
	if [ "$got" = "open name=$name peer=$peer" ]; then
		pass "$src -> $addr answered by $name, which saw $peer"
	else
		fail "$src -> $addr identity: got '$got', want 'open name=$name peer=$peer'"
	fi
}

# expect_ping SRC DST ok|fail
expect_ping() {
	local src=$1 dst=$2 want=$3 addr out
	addr=$(addr_of "$dst")
	if out=$(in_pod "$src" ping -n -c 2 -i 0.2 -W 1 "$addr" 2>&1); then got=ok; else got=fail; fi
	if [ "$got" = "$want" ]; then
		pass "$src -> $dst ping: $got ($(echo "$out" | grep -oE '[0-9]+% packet loss|Destination [A-Za-z ]+' | head -1))"
	else
		fail "$src -> $dst ping: got $got, want $want: $(echo "$out" | tail -2 | tr '\n' ' ')"
	fi
}

# expect_dns SRC NAME STATUS [ADDRESS]: the pod's own resolver (its cluster's
# DNS server, from /etc/netns/.../resolv.conf) answers STATUS (NOERROR,
# NXDOMAIN, ...) and, for NOERROR, ADDRESS.
expect_dns() {
	local src=$1 name=$2 want=$3 want_addr=${4:-} out status addr
	out=$(in_pod "$src" dig +time=1 +tries=1 "$name" A 2>&1)
	status=$(echo "$out" | sed -n 's/.*status: \([A-Z]*\),.*/\1/p' | head -1)
	[ -n "$status" ] || status=TIMEOUT
	addr=$(echo "$out" | awk '$4 == "A" { print $5 }' | head -1)
	if [ "$status" = "$want" ] && { [ -z "$want_addr" ] || [ "$addr" = "$want_addr" ]; }; then
		pass "$src resolves $name: $status${addr:+ $addr}"
	else
		fail "$src resolves $name: got $status${addr:+ $addr}, want $want${want_addr:+ $want_addr}"
	fi
}

# expect_pmtu SRC DST SIZE ok|fail: a ping of SIZE bytes of payload with DF set.
expect_pmtu() {
	local src=$1 dst=$2 size=$3 want=$4 addr out got
	addr=$(addr_of "$dst")
	if out=$(in_pod "$src" ping -n -M do -s "$size" -c 2 -i 0.2 -W 1 "$addr" 2>&1); then got=ok; else got=fail; fi
	if [ "$got" = "$want" ]; then
		pass "$src -> $dst DF ping of $size bytes: $got"
	else
		fail "$src -> $dst DF ping of $size bytes: got $got, want $want: $(echo "$out" | tail -2 | tr '\n' ' ')"
	fi
}

# count_arrivals DST PORT: packets to tcp/PORT that reached DST's namespace,
# counted by an iptables rule with no target installed by watch_arrivals.
watch_arrivals() { in_pod "$1" iptables -I INPUT -p tcp --dport "$2" -m comment --comment rmlab-watch; }
count_arrivals() {
	in_pod "$1" iptables -L INPUT -v -n -x | awk -v p="dpt:$2" '/rmlab-watch/ && $0 ~ p { print $1; exit }'
}

# expect_arrived DST PORT: at least one packet of an earlier attempt arrived.
expect_arrived() {
	local n
	n=$(count_arrivals "$1" "$2")
	if [ "${n:-0}" -gt 0 ]; then pass "$1 saw $n packets arrive on tcp/$2"
	else fail "$1 saw no packet arrive on tcp/$2"; fi
}

# A full sweep: every probe to every target on every port, ping and DNS name.
sweep_healthy() {
	local src dst port
	for src in $(pods_of probe); do
		for dst in $(pods_of target); do
			for port in 7000 7001 7199 9042 8080; do
				expect_tcp "$src" "$dst" "$port" open
			done
			expect_ping "$src" "$dst" ok
			expect_dns "$src" "$(dns_of "$dst")" NOERROR "$(addr_of "$dst")"
		done
		for dst in $(pods_of probe); do
			expect_dns "$src" "$(dns_of "$dst")" NOERROR "$(addr_of "$dst")"
		done
	done
}
