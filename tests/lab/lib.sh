# Assertions for the lab self-tests: each runs a standard tool inside a pod's
# namespace and prints one line, `ok   ...` or `FAIL ...`. Sourced by
# selftest.sh, which counts them.
#
# The core is `sweep`: from every pod to every other pod, at once, the five
# Cassandra ports (tcp connect), a CQL OPTIONS on 9042, the responder on 8788
# (who answers, and which source address it saw), ping, and the DNS name
# through the pod's own resolver. Every cell must be healthy unless the
# scenario's check file says otherwise through these hooks, each of which
# sets W to what the cell must show (empty: healthy):
#   cut SRC DST            the pair cannot talk: W is what tcp, cql and the
#                          responder show (timeout, "icmp type=3 code=0 from=A")
#   want_tcp SRC DST PORT  W for one port
#   want_cql SRC DST       W for the CQL handshake ("open cql SUPPORTED")
#   want_identity SRC DST  W for the responder ("open name=N peer=A")
#   want_ping SRC DST      W ok or fail
#   want_dns SRC DST       W "NOERROR ADDRESS", "NXDOMAIN", ...
# So a check file proves both halves of the claim: the fault is there, and
# nothing else is broken. In a dual-stack scenario, `use_v6` turns the sweep
# and the helpers below to the pods' IPv6 addresses, AAAA lookups and
# ip6tables.
PASS=0
FAILED=0
TCPCHECK="/usr/bin/python3 $SRC/lab/lib/tcpcheck.py"
PORTS="7000 7001 7199 9042 8080"
RR=A        # the record type the sweep looks up
DNS_WHAT=dns
IPT=iptables
shopt -s extglob

# in_pod POD COMMAND...: one bounded step (a connection, a ping, a trace).
in_pod() { local p=$1; shift; timeout 10 ip netns exec "$RMLAB_PREFIX$p" "$@"; }

# in_pod_sweep POD COMMAND...: a command that bounds each of its own steps
# (tcpcheck --batch, the dig loop). No wall-clock budget is shared by a whole
# sweep: on a loaded machine (two cores, a parallel ctest) the last steps of
# such a budget were never run and the cells read "nothing". ctest's TIMEOUT
# stays the backstop for a hang.
in_pod_sweep() { local p=$1; shift; ip netns exec "$RMLAB_PREFIX$p" "$@"; }

pass() { echo "ok   $*"; PASS=$((PASS + 1)); }
fail() { echo "FAIL $*"; FAILED=$((FAILED + 1)); }

# The lab's pods, from the state file `up` wrote.
PODLIST=()
declare -A CL ROLE ZONE ADDR DNS ADDR6
while read -r tag name _ns cluster role zone addr dns; do
	[ "$tag" = ADDR6 ] && ADDR6[$name]=$_ns
	[ "$tag" = POD ] || continue
	PODLIST+=("$name")
	CL[$name]=$cluster ROLE[$name]=$role ZONE[$name]=$zone ADDR[$name]=$addr DNS[$name]=$dns
done <"$LAB_DIR/state"

# use_v6: from here on, every pod's address is its IPv6 one (the state's
# ADDR6 lines), the sweep asks for AAAA records and arrivals are counted by
# ip6tables.
use_v6() {
	local p
	for p in "${PODLIST[@]}"; do ADDR[$p]=${ADDR6[$p]:?no IPv6 address for $p: not a dual-stack scenario}; done
	RR=AAAA IPT=ip6tables DNS_WHAT="dns AAAA"
}

addr_of() { echo "${ADDR[$1]}"; }
dns_of() { echo "${DNS[$1]}"; }
pods_of() { # ROLE [CLUSTER]
	local p
	for p in "${PODLIST[@]}"; do
		[ "${ROLE[$p]}" = "$1" ] && { [ -z "${2:-}" ] || [ "${CL[$p]}" = "$2" ]; } && echo "$p"
	done
}

# Default hooks: everything healthy. Check files redefine the ones they need.
cut() { W=; }
want_tcp() { W=; }
want_cql() { W=; }
want_identity() { W=; }
want_ping() { W=; }
want_dns() { W=; }

# no_route_from ROUTER: W for a pair whose packets meet a router without a
# route. It answers "net unreachable" (ICMP 3/0), but Linux rate-limits those
# answers per source (net.ipv4.route.error_cost and error_burst: about five,
# then one a second), and those settings are the host's, not a namespace's,
# so the lab leaves them alone. In a sweep, where one pod sends some twenty
# packets at once, the rest meet silence, as behind a real router. Check files
# assert the ICMP answer itself once, before the sweep, with a full budget.
no_route_from() { W="@(icmp type=3 code=0 from=$1|timeout)"; }

# sweep: the full matrix described above, one line per pair for its healthy
# cells, one line per cell the scenario's fault changes, FAIL per bad cell.
sweep() {
	local tmp=$LAB_DIR/sweep src dst a
	rm -rf "$tmp"
	mkdir -p "$tmp"
	for src in "${PODLIST[@]}"; do
		for dst in "${PODLIST[@]}"; do
			[ "$dst" = "$src" ] && continue
			a=${ADDR[$dst]}
			if [ "${ROLE[$dst]}" = target ]; then
				for port in $PORTS; do echo "tcp $a $port $dst"; done
				echo "cql $a 9042 $dst"
			fi
			echo "identity $a 8788 $dst"
			(if in_pod "$src" ping -n -q -c 2 -i 0.2 -W 1 "$a" >/dev/null 2>&1; then echo ok; else echo fail; fi) \
				>"$tmp/ping.$src.$dst" &
		done >"$tmp/in.$src"
		in_pod_sweep "$src" $TCPCHECK --batch --tries 2 --timeout 1 <"$tmp/in.$src" >"$tmp/tcp.$src" 2>&1 &
		# Each lookup is bounded by its own tries and timeout.
		# shellcheck disable=SC2016
		in_pod_sweep "$src" bash -c 'rr=$1; shift; for d; do
			out=$(timeout 10 dig +time=2 +tries=2 "${d#*=}" "$rr" 2>&1)
			st=$(echo "$out" | sed -n "s/.*status: \([A-Z]*\),.*/\1/p" | head -1)
			ad=$(echo "$out" | awk -v rr="$rr" "\$4 == rr { print \$5; exit }")
			echo "${d%%=*} ${st:-TIMEOUT}${ad:+ $ad}"
		done' dig "$RR" $(for dst in "${PODLIST[@]}"; do [ "$dst" = "$src" ] || echo "$dst=${DNS[$dst]}"; done) \
			>"$tmp/dns.$src" 2>&1 &
	done
	wait

	local -A GOT
	local kind port rest name
	for src in "${PODLIST[@]}"; do
		while read -r kind a port dst rest; do
			GOT[$src/$dst/$kind/$port]=$rest
		done <"$tmp/tcp.$src"
		while read -r dst rest; do
			GOT[$src/$dst/dns/]=$rest
		done <"$tmp/dns.$src"
		for dst in "${PODLIST[@]}"; do
			[ "$dst" = "$src" ] && continue
			GOT[$src/$dst/ping/]=$(cat "$tmp/ping.$src.$dst")
		done
	done

	local what healthy cw
	for src in "${PODLIST[@]}"; do
		for dst in "${PODLIST[@]}"; do
			[ "$dst" = "$src" ] && continue
			what="$src -> $dst (${ADDR[$dst]})"
			healthy=() PAIR_FAILED=0
			cut "$src" "$dst"
			cw=$W
			if [ "${ROLE[$dst]}" = target ]; then
				local open_ports=""
				for port in $PORTS; do
					want_tcp "$src" "$dst" "$port"
					[ -n "$W" ] || W=$cw
					if cell "$what" "tcp/$port" "${GOT[$src/$dst/tcp/$port]:-}" "${W:-open}" "$W"; then
						[ -n "$W" ] || open_ports="$open_ports${open_ports:+,}$port"
					fi
				done
				[ -z "$open_ports" ] || healthy+=("tcp/$open_ports open")
				want_cql "$src" "$dst"
				[ -n "$W" ] || W=$cw
				cell "$what" cql "${GOT[$src/$dst/cql/9042]:-}" "${W:-open cql SUPPORTED}" "$W" &&
					[ -z "$W" ] && healthy+=("cql SUPPORTED")
			fi
			want_identity "$src" "$dst"
			[ -n "$W" ] || W=$cw
			cell "$what" responder "${GOT[$src/$dst/identity/8788]:-}" \
				"${W:-open name=$dst peer=${ADDR[$src]}}" "$W" &&
				[ -z "$W" ] && healthy+=("responder saw ${ADDR[$src]}")
			want_ping "$src" "$dst"
			[ -n "$W" ] || { [ -z "$cw" ] || W=fail; }
			cell "$what" ping "${GOT[$src/$dst/ping/]:-}" "${W:-ok}" "$W" && [ -z "$W" ] && healthy+=("ping ok")
			want_dns "$src" "$dst"
			cell "$src -> $dst" "$DNS_WHAT ${DNS[$dst]}" "${GOT[$src/$dst/dns/]:-}" "${W:-NOERROR ${ADDR[$dst]}}" "$W" exact &&
				[ -z "$W" ] && healthy+=("dns ok")
			if [ ${#healthy[@]} -gt 0 ] && [ "$PAIR_FAILED" -eq 0 ]; then
				local line="" h
				for h in "${healthy[@]}"; do line="$line${line:+, }$h"; done
				pass "$what: $line"
			fi
		done
	done
}

# cell WHAT CHECK GOT WANT FAULT [exact]: one cell of the sweep. A cell the
# fault changes (FAULT set) gets its own line; a healthy one only when it is
# wrong (the pair's line covers it). WANT is a pattern (extglob) GOT starts
# with, unless exact.
cell() {
	local what=$1 check=$2 got=$3 want=$4 fault=$5 match=0
	if [ "${6:-}" = exact ]; then [ "$got" = "$want" ] && match=1
	else
		# shellcheck disable=SC2254
		case $got in $want*) match=1 ;; esac
	fi
	if [ $match -eq 1 ]; then
		[ -z "$fault" ] || pass "$what $check: $got  <- the fault"
		return 0
	fi
	fail "$what $check: got '${got:-nothing}', want '$want'"
	PAIR_FAILED=1
	return 1
}

# expect_tcp SRC DST PORT WANT: WANT is a prefix of tcpcheck's answer
# (open, refused, timeout, no-route, "icmp type=3 code=13", ...).
expect_tcp() { expect_tcp_addr "$1" "${ADDR[$2]}" "$3" "$4" "$2"; }

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

# expect_pmtu SRC DST SIZE ok|silent|frag-needed: a ping of SIZE bytes of
# payload with DF set gets its echo, vanishes without a word (a black hole),
# or is answered "fragmentation needed".
expect_pmtu() {
	local src=$1 dst=$2 size=$3 want=$4 out got
	out=$(in_pod "$src" ping -n -M "do" -s "$size" -c 2 -i 0.2 -W 1 "${ADDR[$dst]}" 2>&1)
	if [ $? -eq 0 ]; then got=ok
	elif grep -qiE 'frag needed|message too long' <<<"$out"; then got=frag-needed
	else got=silent; fi
	if [ "$got" = "$want" ]; then
		pass "$src -> $dst DF ping of $size+28 bytes: $got$(grep -oE 'mtu ?= ?[0-9]+' <<<"$out" | head -1 | sed 's/^/ (/; s/$/)/')"
	else
		fail "$src -> $dst DF ping of $size+28 bytes: got $got, want $want: $(tail -3 <<<"$out" | tr '\n' ' ')"
	fi
}

# expect_tracepath SRC DST PATTERN WHAT: tracepath's output holds PATTERN
# (an extended regular expression).
expect_tracepath() {
	local src=$1 dst=$2 pat=$3 what=$4 out
	out=$(in_pod "$src" tracepath -n -m 6 "${ADDR[$dst]}" 2>&1)
	if grep -qE -- "$pat" <<<"$out"; then pass "tracepath $src -> $dst: $what"
	else fail "tracepath $src -> $dst: not $what: $(tr '\n' '|' <<<"$out")"; fi
}

# watch_arrivals DST PORT [SOURCE-CIDR]: from now on, count the packets to
# tcp/PORT that reach DST's namespace (an iptables rule with no target).
watch_arrivals() {
	in_pod "$1" "$IPT" -I INPUT ${3:+-s "$3"} -p tcp --dport "$2" -m comment --comment rmlab-watch
}
count_arrivals() {
	in_pod "$1" "$IPT" -L INPUT -v -n -x | awk -v p="dpt:$2" '/rmlab-watch/ && $0 ~ p { print $1; exit }'
}

# expect_arrived DST PORT yes|no: whether any packet of an earlier attempt
# arrived (so: the request got there and the answer was lost, or the request
# itself was lost on the way).
expect_arrived() {
	local n
	n=$(count_arrivals "$1" "$2")
	n=${n:-0}
	if [ "$3" = yes ] && [ "$n" -gt 0 ]; then pass "$1 saw $n packets arrive on tcp/$2: the request got there"
	elif [ "$3" = no ] && [ "$n" -eq 0 ]; then pass "$1 saw no packet arrive on tcp/$2: lost on the way"
	else fail "$1 saw $n packets arrive on tcp/$2, want arrivals: $3"; fi
}
