# The lab's model and builder, sourced by lab/reachmap-lab.
#
# A scenario describes clusters (cluster), optional extra pods (pod) and
# faults; lab_build turns that into namespaces:
#   rmlab-vpc            the VPC router between the clusters
#   rmlab-CLUSTER-gw     a cluster's gateway ("node"): one bridge per zone,
#                        the DNS server (dnsmasq) on the service address
#   rmlab-POD            one namespace per pod, on its zone's bridge
# Everything carries the rmlab- prefix; every interface is created inside a
# lab namespace, never in the host's.
#
# shellcheck shell=bash disable=SC2206,SC2034
# (Zone lists are space-separated words on purpose; the variables are read
# by lab/reachmap-lab and set by the scenario files, which source this.)

# RMLAB_PREFIX picks one of the labs that can be up side by side: rmlab-
# (the default) or rmlabN- for N in 1..99. Each has its own namespaces,
# /etc/netns entries, lock and state pointer, so two never touch; addresses
# repeat, but only inside each lab's own namespaces. make check runs two at
# once (tests/lab/lock.sh hands out the prefixes).
LAB_PREFIX=${RMLAB_PREFIX:-rmlab-}
case $LAB_PREFIX in
rmlab-) LAB_SLOT='' ;;
rmlab[1-9]-|rmlab[1-9][0-9]-) LAB_SLOT=${LAB_PREFIX#rmlab}; LAB_SLOT=-${LAB_SLOT%-} ;;
*) echo "reachmap-lab: RMLAB_PREFIX '$LAB_PREFIX' is not rmlab- or rmlabN- (N 1..99)" >&2; exit 2 ;;
esac
# Every process the lab starts carries it, so a check for leftovers tells
# the labs' processes apart (tests/lab/leftovers.sh).
export RMLAB_PREFIX=$LAB_PREFIX
# Tests hold this lock for their whole run (tests/lab/lock.sh), so a second
# run waits instead of tearing the first one down.
LAB_LOCK=/run/reachmap-lab$LAB_SLOT.lock
# The directory of the lab that is up, for commands run without --dir.
LAB_STATE_POINTER=/run/reachmap-lab$LAB_SLOT.dir
LAB_PORTS="7000 7001 7199 9042 8080"
LAB_CQL_PORT=9042

CLUSTERS=()
declare -A C_NODES C_PODS C_SVC C_DOMAIN C_DNS C_GWIP C_VPCIP C_ZONES C_ZNETS C_LINKMTU
PODS=()
declare -A P_CLUSTER P_ROLE P_ZONE P_ADDR P_DNS P_IF
# `dual_stack` in a scenario: every namespace also gets the IPv6 twin of
# each of its IPv4 addresses (v6_of), and up writes topology-v6.yaml too.
DUAL_STACK=0
FAULTS=()          # commands run after the network is up
declare -A DNS_NO_STUB  # "east" -> "west": east's DNS has no stub for west
declare -A DNS_ADDR     # pod -> address its DNS record gives (a stale one)
declare -A NOT_CQL      # pod -> 1: something else answers on 9042
# "east:west" -> refused | silent: east's DNS has a broken stub for west's
# domain: no upstream for it (dnsmasq answers REFUSED, as a resolver with no
# forward for that zone does), or one that never answers (a timeout).
declare -A DNS_STUB_BROKEN
# FAULTS_IN=1: the scenario's faults are applied (up, inject): the fault
# commands, and its DNS and not-Cassandra settings; 0: the same network
# without them (up --healthy, heal). IPT_OP is how a fault's iptables rules
# are applied: -A, or -D when heal runs the same fault function to undo it.
FAULTS_IN=1
IPT_OP=-A
declare -A NO_ADDR      # pod -> 1: its topology entry has a dnsName and no address
SCENARIO_DESC=""
INCLUDED=()

die() { echo "reachmap-lab: $*" >&2; exit 3; }

# cluster NAME NODES PODS SERVICES DOMAIN DNS_IP NODE_IP VPC_IP "ZONE..." "ZONE_NET..."
# ZONE_NET is the first three octets of a zone's pod /24, e.g. 10.200.1.
cluster() {
	local n=$1
	CLUSTERS+=("$n")
	C_NODES[$n]=$2 C_PODS[$n]=$3 C_SVC[$n]=$4 C_DOMAIN[$n]=$5 C_DNS[$n]=$6
	C_GWIP[$n]=$7 C_VPCIP[$n]=$8 C_ZONES[$n]=$9 C_ZNETS[$n]=${10}
	C_LINKMTU[$n]=1500
	local i=0 z net zones=($9) nets=(${10}) letter
	for z in "${zones[@]}"; do
		net=${nets[$i]}
		letter=${z##*-}
		pod "$n" probe "$n-$letter-0" "$z" "$net.10"
		pod "$n" target "dc-$n-rack$((i + 1))-sts-0" "$z" "$net.20"
		i=$((i + 1))
	done
}

# pod CLUSTER probe|target NAME ZONE ADDRESS
pod() {
	local c=$1 role=$2 name=$3 zone=$4 addr=$5
	PODS+=("$name")
	P_CLUSTER[$name]=$c P_ROLE[$name]=$role P_ZONE[$name]=$zone P_ADDR[$name]=$addr
	if [ "$role" = probe ]; then
		P_DNS[$name]=$name.reachmap.reachmap.svc.${C_DOMAIN[$c]}
	else
		local sts=${name%-rack*}
		P_DNS[$name]=$name.$sts-service.k8ssandra.svc.${C_DOMAIN[$c]}
	fi
}

# include SCENARIO: everything that scenario defines, then what follows.
# A scenario is included once, so faults compose: `include firewall-drop`
# then `include snat` builds clean once, with both faults.
include() {
	local f=$LAB_DIR_SRC/scenarios/$1.sh i
	[ -f "$f" ] || die "scenario ${SCENARIO:-?} includes an unknown scenario '$1'"
	for i in "${INCLUDED[@]}"; do [ "$i" = "$1" ] && return 0; done
	INCLUDED+=("$1")
	# shellcheck source=/dev/null
	. "$f"
}

fault() { FAULTS+=("$*"); }

dual_stack() { DUAL_STACK=1; }

# v6_of ADDRESS[/LEN]: the IPv6 twin of a lab address, a ULA that keeps the
# IPv4 octets readable: 10.X.Y.Z is fd00:X:0:Y::Z (the decimal digits
# written as hex groups), a /16 is a /48, a /24 a /64 (v6_len). So west's
# pods 10.200.0.0/16 are fd00:200::/48, its zone 10.200.1.0/24 is
# fd00:200:0:1::/64 and west-a-0 10.200.1.10 is fd00:200:0:1::10. Printed in the compressed form
# the kernel and python print, so the self-tests compare them as text.
v6_of() {
	local a=${1%/*} len='' o
	case $1 in */*) len=${1#*/} ;; esac
	IFS=. read -r -a o <<<"$a"
	case $len in
	16) echo "fd00:${o[1]}::/48" ;;
	24) if [ "${o[2]}" = 0 ]; then echo "fd00:${o[1]}::/64"; else echo "fd00:${o[1]}:0:${o[2]}::/64"; fi ;;
	*)
		if [ "${o[2]}" = 0 ]; then printf 'fd00:%s::%s' "${o[1]}" "${o[3]}"
		else printf 'fd00:%s:0:%s::%s' "${o[1]}" "${o[2]}" "${o[3]}"; fi
		[ -z "$len" ] || printf '/%s' "$(v6_len "$len")"
		echo ;;
	esac
}

v6_len() {
	case $1 in
	16) echo 48 ;;
	24) echo 64 ;;
	32) echo 128 ;;
	*) die "no IPv6 twin for a /$1" ;;
	esac
}

ns() { echo "$LAB_PREFIX$1"; }
nsx() { local n; n=$(ns "$1"); shift; ip netns exec "$n" "$@"; }
gw() { ns "$1-gw"; }

# A short interface name (IFNAMSIZ is 15) for pod number $1 on the gateway side.
pod_if() { printf 'p%d' "$1"; }

zone_index() { # CLUSTER ZONE -> index
	local zones=(${C_ZONES[$1]}) i
	for i in "${!zones[@]}"; do [ "${zones[$i]}" = "$2" ] && echo "$i" && return; done
	echo 0
}

# ns_sysctl NAMESPACE KEY=VALUE...: kernel settings of that namespace only
# (/proc/sys/net is the reading process's own namespace's; no procps needed).
# A key this kernel does not have is skipped.
ns_sysctl() {
	local n=$1; shift
	ip netns exec "$n" sh -c 'for kv; do echo "${kv#*=}" >"/proc/sys/${kv%%=*}" 2>/dev/null; done; true' sh "$@"
}

mkns() {
	local n; n=$(ns "$1")
	ip netns add "$n" || die "cannot create namespace $n"
	ip -n "$n" link set lo up
	# Routers in the lab answer every TTL-expired and unreachable, like the
	# tests expect; the kernel's ICMP rate limit would hide some.
	ns_sysctl "$n" net/ipv4/conf/all/rp_filter=0 net/ipv4/conf/default/rp_filter=0 \
		net/ipv4/icmp_ratelimit=0 net/ipv4/icmp_msgs_per_sec=100000 net/ipv4/icmp_msgs_burst=100000
	# The same for ICMPv6; no duplicate address detection, which would keep
	# each address unusable ("tentative") for a second or two after up.
	[ "$DUAL_STACK" = 1 ] && ns_sysctl "$n" net/ipv6/conf/all/disable_ipv6=0 \
		net/ipv6/conf/default/disable_ipv6=0 net/ipv6/conf/all/accept_dad=0 \
		net/ipv6/conf/default/accept_dad=0 net/ipv6/icmp/ratelimit=0
	true
}

router() {
	ip netns exec "$(ns "$1")" sh -c 'echo 1 >/proc/sys/net/ipv4/ip_forward' ||
		die "cannot make $(ns "$1") forward"
	[ "$DUAL_STACK" = 0 ] ||
		ip netns exec "$(ns "$1")" sh -c 'echo 1 >/proc/sys/net/ipv6/conf/all/forwarding' ||
		die "cannot make $(ns "$1") forward IPv6"
}

# addr6 NAMESPACE-NAME DEV ADDRESS/LEN: the IPv6 twin of an address just
# given to DEV, where the scenario is dual-stack.
addr6() {
	[ "$DUAL_STACK" = 1 ] || return 0
	ip -n "$(ns "$1")" addr add "$(v6_of "${3%/*}")/$(v6_len "${3#*/}")" dev "$2" nodad
}

# route6 NAMESPACE-NAME PREFIX GATEWAY: the IPv6 twin of a v4 route.
route6() {
	[ "$DUAL_STACK" = 1 ] || return 0
	ip -6 -n "$(ns "$1")" route replace "$(v6_of "$2")" via "$(v6_of "$3")"
}

build_vpc() {
	mkns vpc
	router vpc
}

build_cluster() {
	local c=$1 g zones nets i
	g=$(gw "$c")
	mkns "$c-gw"
	router "$c-gw"
	# The gateway's link to the VPC, made inside the two namespaces.
	ip link add vpc0 netns "$g" type veth peer name "to-$c" netns "$(ns vpc)" ||
		die "cannot create the veth between $g and the VPC"
	ip -n "$g" link set vpc0 mtu "${C_LINKMTU[$c]}" up
	ip -n "$(ns vpc)" link set "to-$c" mtu "${C_LINKMTU[$c]}" up
	ip -n "$g" addr add "${C_GWIP[$c]}/24" dev vpc0
	ip -n "$(ns vpc)" addr add "${C_VPCIP[$c]}/24" dev "to-$c"
	addr6 "$c-gw" vpc0 "${C_GWIP[$c]}/24"
	addr6 vpc "to-$c" "${C_VPCIP[$c]}/24"
	# The service address the DNS server answers on, on lo (as kube-proxy
	# makes a ClusterIP local; and no dummy module is needed).
	ip -n "$g" addr add "${C_DNS[$c]}/32" dev lo
	addr6 "$c-gw" lo "${C_DNS[$c]}/32"
	# One bridge per zone, the zone's /24 on it.
	zones=(${C_ZONES[$c]})
	nets=(${C_ZNETS[$c]})
	for i in "${!zones[@]}"; do
		ip -n "$g" link add "br$i" type bridge
		ip -n "$g" link set "br$i" up
		ip -n "$g" addr add "${nets[$i]}.1/24" dev "br$i"
		addr6 "$c-gw" "br$i" "${nets[$i]}.1/24"
	done
	# The VPC routes each cluster's pods and services to its gateway. Two
	# clusters may declare the same pod range (kubeadm's 10.244.0.0/16 in
	# both): a route table holds one route per prefix, the first cluster's
	# stays, as a cloud route table refuses the duplicate.
	[ -n "$(ip -n "$(ns vpc)" route list exact "${C_PODS[$c]}")" ] ||
		ip -n "$(ns vpc)" route add "${C_PODS[$c]}" via "${C_GWIP[$c]}"
	ip -n "$(ns vpc)" route add "${C_SVC[$c]}" via "${C_GWIP[$c]}"
	route6 vpc "${C_PODS[$c]}" "${C_GWIP[$c]}"
	route6 vpc "${C_SVC[$c]}" "${C_GWIP[$c]}"
}

# Gateways know no default route: every other cluster's ranges go to the VPC
# by name, so a missing route is a real "no route" (asymmetric scenario).
route_clusters() {
	local c o
	for c in "${CLUSTERS[@]}"; do
		for o in "${CLUSTERS[@]}"; do
			[ "$c" = "$o" ] && continue
			ip -n "$(gw "$c")" route add "${C_PODS[$o]}" via "${C_VPCIP[$c]}" 2>/dev/null ||
				ip -n "$(gw "$c")" route replace "${C_PODS[$o]}" via "${C_VPCIP[$c]}"
			ip -n "$(gw "$c")" route add "${C_SVC[$o]}" via "${C_VPCIP[$c]}"
			ip -n "$(gw "$c")" route add "${C_NODES[$o]}" via "${C_VPCIP[$c]}" 2>/dev/null || true
			route6 "$c-gw" "${C_PODS[$o]}" "${C_VPCIP[$c]}"
			route6 "$c-gw" "${C_SVC[$o]}" "${C_VPCIP[$c]}"
			route6 "$c-gw" "${C_NODES[$o]}" "${C_VPCIP[$c]}"
		done
	done
}

build_pod() {
	local p=$1 idx=$2 c g n zi nets
	c=${P_CLUSTER[$p]}
	g=$(gw "$c")
	n=$(ns "$p")
	mkns "$p"
	P_IF[$p]=$(pod_if "$idx")
	zi=$(zone_index "$c" "${P_ZONE[$p]}")
	nets=(${C_ZNETS[$c]})
	ip link add eth0 netns "$n" type veth peer name "${P_IF[$p]}" netns "$g" ||
		die "cannot create the veth of pod $p"
	ip -n "$g" link set "${P_IF[$p]}" master "br$zi" up
	ip -n "$n" link set eth0 up
	ip -n "$n" addr add "${P_ADDR[$p]}/24" dev eth0
	ip -n "$n" route add default via "${nets[$zi]}.1"
	addr6 "$p" eth0 "${P_ADDR[$p]}/24"
	[ "$DUAL_STACK" = 0 ] || ip -6 -n "$n" route add default via "$(v6_of "${nets[$zi]}.1")"
	mkdir -p "/etc/netns/$n"
	printf 'nameserver %s\nsearch %s\noptions timeout:1 attempts:1\n' \
		"${C_DNS[$c]}" "${C_DOMAIN[$c]}" >"/etc/netns/$n/resolv.conf"
}

# dns_args CLUSTER: dnsmasq's arguments for that cluster's DNS server, into
# DNS_ARGS: a host record per pod at its current address, a stub domain per
# other cluster; the scenario's DNS faults only while FAULTS_IN=1.
dns_args() {
	local c=$1 o p aaaa addr stub
	DNS_ARGS=(--conf-file=/dev/null --no-resolv --no-hosts --bind-interfaces
		--listen-address="${C_DNS[$c]}" --user=root --group=root
		--pid-file="$LAB_DIR/dnsmasq-$c.pid" --log-facility="$LAB_DIR/dnsmasq-$c.log"
		--log-queries --cache-size=0
		# Anything not known is answered NXDOMAIN, as a node's upstream
		# resolver answers names under .local.
		--local=/local/)
	# Dual-stack: the server answers on its v6 service address too, and
	# every name has its AAAA record; the stub domains below carry AAAA
	# queries as they carry A.
	[ "$DUAL_STACK" = 0 ] || DNS_ARGS+=(--listen-address="$(v6_of "${C_DNS[$c]}")")
	for p in "${PODS[@]}"; do
		[ "${P_CLUSTER[$p]}" = "$c" ] || continue
		aaaa=
		[ "$DUAL_STACK" = 0 ] || aaaa=,$(v6_of "${P_ADDR[$p]}")
		addr=${P_ADDR[$p]}
		[ "$FAULTS_IN" = 0 ] || addr=${DNS_ADDR[$p]:-$addr}
		DNS_ARGS+=(--host-record="${P_DNS[$p]},$addr$aaaa")
	done
	# Stub domains: each other cluster's domain goes to its DNS server.
	for o in "${CLUSTERS[@]}"; do
		[ "$o" = "$c" ] && continue
		stub=
		if [ "$FAULTS_IN" = 1 ]; then
			[ "${DNS_NO_STUB[$c]:-}" = "$o" ] && continue
			stub=${DNS_STUB_BROKEN[$c:$o]:-}
		fi
		case $stub in
		# "#" is "the default servers", and there are none (--no-resolv).
		refused) DNS_ARGS+=(--server="/${C_DOMAIN[$o]}/#") ;;
		# The right host, a port where nothing listens: dnsmasq never answers.
		silent) DNS_ARGS+=(--server="/${C_DOMAIN[$o]}/${C_DNS[$o]}#5353") ;;
		*) DNS_ARGS+=(--server="/${C_DOMAIN[$o]}/${C_DNS[$o]}") ;;
		esac
	done
}

start_dns() {
	local c=$1
	dns_args "$c"
	nsx "$c-gw" dnsmasq "${DNS_ARGS[@]}" 8>&- 9>&- || die "dnsmasq of $c did not start (see $LAB_DIR/dnsmasq-$c.log)"
}

# restart_dns CLUSTER: its DNS server again, with the records and stubs as
# they are now (an address a re-created pod got, faults injected or healed).
# dnsmasq has bound its socket when the command returns (it forks after).
restart_dns() {
	local c=$1 pid end=$((SECONDS + 5))
	pid=$(cat "$LAB_DIR/dnsmasq-$c.pid" 2>/dev/null || true)
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null || true
		while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $end ]; do sleep 0.02; done
		kill -9 "$pid" 2>/dev/null || true
	fi
	start_dns "$c"
}

# Every pod runs `reachmap serve --standins` (STANDIN=reachmap): the
# responder on 8788 and stand-in listeners on the Cassandra ports (CQL on
# 9042); with a live lab (LIVE=1) `reachmap agent --standins` instead
# (lab/lib/live.sh), which serves the same and probes; or, with no binary
# built (STANDIN=lab), the lab's own standin.py, which answers the same. A
# target marked NOT_CQL has a web server on 9042 first while the faults are
# in, so the stand-in leaves that port to it. `setsid -f` detaches them:
# nothing of the lab's stays in the host namespace, and none holds the lock.
start_serve() { start_pods "${PODS[@]}"; }

# start_pods POD...: each pod's processes, then waits for their ready lines.
start_pods() {
	local p
	declare -A skip
	for p; do
		if [ -n "${NOT_CQL[$p]:-}" ] && [ "$FAULTS_IN" = 1 ]; then
			nsx "$p" setsid -f /usr/bin/python3 "$LAB_DIR_SRC/lib/not-cassandra.py" "$LAB_CQL_PORT" \
				</dev/null >"$LAB_DIR/not-cassandra-$p.log" 2>&1 8>&- 9>&-
			wait_for_line "$LAB_DIR/not-cassandra-$p.log" ready
		fi
		skip[$p]=$(line_count "$(pod_log "$p")")
		if [ "$LIVE" = 1 ]; then
			start_agent "$p"
		elif [ "$STANDIN" = reachmap ]; then
			# shellcheck disable=SC2086 # LAB_SERVE_AS: a command prefix, e.g.
			# setpriv dropping every capability (tests/lab/restricted.sh)
			nsx "$p" setsid -f ${LAB_SERVE_AS:-} "$REACHMAP_BIN" serve --topology "$LAB_DIR/topology.yaml" \
				--cluster "${P_CLUSTER[$p]}" --name "$p" --standins \
				--out "$LAB_DIR/arrivals-$p.json" </dev/null >>"$(pod_log "$p")" 2>&1 8>&- 9>&-
		else
			# shellcheck disable=SC2086
			nsx "$p" setsid -f /usr/bin/python3 "$LAB_DIR_SRC/lib/standin.py" --name "$p" \
				--cluster "${P_CLUSTER[$p]}" --cql "$LAB_CQL_PORT" $LAB_PORTS \
				</dev/null >>"$(pod_log "$p")" 2>&1 8>&- 9>&-
		fi
	done
	for p; do wait_for_line "$(pod_log "$p")" "$(pod_ready_line)" "${skip[$p]}"; done
	[ "$DUAL_STACK" = 0 ] || start_serve6 "$@"
}

# pod_log POD: the log of the pod's main process (appended to when it is
# started again); pod_ready_line: what that process prints once it serves.
pod_log() {
	if [ "$LIVE" = 1 ]; then echo "$LAB_DIR/agent-$1.log"; else echo "$LAB_DIR/serve-$1.log"; fi
}
pod_ready_line() {
	if [ "$LIVE" = 1 ]; then echo "reachmap agent: ready"
	elif [ "$STANDIN" = reachmap ]; then echo "reachmap serve: ready"
	else echo "standin: ready"; fi
}

line_count() { if [ -f "$1" ]; then wc -l <"$1"; else echo 0; fi; }

# start_serve6 POD...: the same ports over IPv6, from the lab's stand-in in every
# pod of a dual-stack scenario, since `reachmap serve` listens on IPv4 only
# today. It starts after serve and leaves alone any port serve already
# holds over IPv6, so once serve listens there too, serve answers.
start_serve6() {
	local p
	for p; do
		# shellcheck disable=SC2086
		nsx "$p" setsid -f /usr/bin/python3 "$LAB_DIR_SRC/lib/standin.py" --family 6 --name "$p" \
			--cluster "${P_CLUSTER[$p]}" --cql "$LAB_CQL_PORT" $LAB_PORTS \
			</dev/null >"$LAB_DIR/serve6-$p.log" 2>&1 8>&- 9>&-
	done
	for p; do wait_for_line "$LAB_DIR/serve6-$p.log" "standin: ready"; done
}

# wait_for_line FILE TEXT [SKIP]: wait until FILE holds TEXT after its first
# SKIP lines (those of an earlier start), bounded by this one wait (20 s: a
# sanitizer build starting on a loaded machine), not by a budget shared with
# the rest of up.
wait_for_line() {
	local end=$((SECONDS + 20)) from=$((${3:-0} + 1))
	while [ $SECONDS -lt $end ]; do
		tail -n "+$from" "$1" 2>/dev/null | grep -qF "$2" && return 0
		sleep 0.05
	done
	tail -n "+$from" "$1" 2>/dev/null | grep -qF "$2" && return 0
	die "no '$2' in $1 after 20 s: $(tail -3 "$1" 2>/dev/null)"
}

# ---- faults: each is a function a scenario names with `fault` ----------
# Each applies its fault; heal (lab/lib/live.sh) undoes it: a fault made of
# iptables rules by running the same function with IPT_OP=-D, any other by
# its heal_FUNCTION, defined beside it.

# fw_drop FROM TO PORT: the VPC silently drops tcp/PORT from FROM's pods to TO's.
fw_drop() {
	nsx vpc iptables "$IPT_OP" FORWARD -s "${C_PODS[$1]}" -d "${C_PODS[$2]}" -p tcp --dport "$3" -j DROP
}

# fw_drop6 FROM TO PORT: the same over IPv6 only (ip6tables), between the
# clusters' v6 pod ranges; their IPv4 traffic passes.
fw_drop6() {
	nsx vpc ip6tables "$IPT_OP" FORWARD -s "$(v6_of "${C_PODS[$1]}")" -d "$(v6_of "${C_PODS[$2]}")" \
		-p tcp --dport "$3" -j DROP
}

# fw_reject FROM TO PORT: the VPC rejects it with ICMP admin-prohibited (3/13).
fw_reject() {
	nsx vpc iptables "$IPT_OP" FORWARD -s "${C_PODS[$1]}" -d "${C_PODS[$2]}" -p tcp --dport "$3" \
		-j REJECT --reject-with icmp-admin-prohibited
}

# no_route TO: the VPC has no route to TO's pods (it answers net unreachable).
no_route() { nsx vpc ip route del "${C_PODS[$1]}"; }
heal_no_route() { nsx vpc ip route add "${C_PODS[$1]}" via "${C_GWIP[$1]}"; }

# no_return_route FROM TO: FROM's gateway has lost its route to TO's pods, so
# TO's packets arrive in FROM but FROM's answers never leave.
no_return_route() { nsx "$1-gw" ip route del "${C_PODS[$2]}"; }
heal_no_return_route() { nsx "$1-gw" ip route add "${C_PODS[$2]}" via "${C_VPCIP[$1]}"; }

# snat FROM TO: FROM's gateway masquerades pod traffic towards TO's pods.
# Connection tracking keeps a flow's translation (or its lack) for the
# flow's life, and a probe's pings and datagrams reuse one flow round after
# round, so the gateway forgets its flows whenever the rule comes or goes.
snat() {
	nsx "$1-gw" iptables -t nat "$IPT_OP" POSTROUTING -s "${C_PODS[$1]}" -d "${C_PODS[$2]}" -j MASQUERADE
	forget_flows "$1-gw"
}

# forget_flows ROUTER: drop its connection tracking table, where conntrack
# (the tool) is installed; without it a flow keeps its translation until it
# has been idle for its timeout (30 s for pings).
forget_flows() {
	if command -v conntrack >/dev/null 2>&1; then
		nsx "$1" conntrack -F >/dev/null 2>&1 || true
	else
		echo "reachmap-lab: note: no conntrack tool; $1 keeps its flows' translations until they idle out" >&2
	fi
}

# mtu_blackhole TO MTU: the VPC's link to TO carries at most MTU bytes, and the
# VPC's "fragmentation needed" answers are dropped, so big DF packets vanish.
mtu_blackhole() {
	nsx vpc ip link set "to-$1" mtu "$2"
	nsx "$1-gw" ip link set vpc0 mtu "$2"
	nsx vpc iptables -A OUTPUT -p icmp --icmp-type fragmentation-needed -j DROP
}
# Healed, the links carry full size again, and every namespace forgets the
# path MTU it learned (a route exception lives 10 minutes otherwise).
heal_mtu_blackhole() {
	local n
	nsx vpc ip link set "to-$1" mtu "${C_LINKMTU[$1]}"
	nsx "$1-gw" ip link set vpc0 mtu "${C_LINKMTU[$1]}"
	nsx vpc iptables -D OUTPUT -p icmp --icmp-type fragmentation-needed -j DROP
	for n in $(lab_namespaces); do ip -n "$n" route flush cache 2>/dev/null || true; done
}

# zone_cut CLUSTER ZONE_INDEX: the VPC drops everything to and from that zone.
zone_cut() {
	local nets=(${C_ZNETS[$1]})
	nsx vpc iptables "$IPT_OP" FORWARD -d "${nets[$2]}.0/24" -j DROP
	nsx vpc iptables "$IPT_OP" FORWARD -s "${nets[$2]}.0/24" -j DROP
}

# zone_reject FROM ZONE_INDEX TO: the VPC rejects everything from that zone of
# FROM towards TO's pods with ICMP net unreachable (3/0) from itself. The
# other way the requests arrive and the answers meet the same rule, so they
# are lost on the way back.
zone_reject() {
	local nets=(${C_ZNETS[$1]})
	nsx vpc iptables "$IPT_OP" FORWARD -s "${nets[$2]}.0/24" -d "${C_PODS[$3]}" \
		-j REJECT --reject-with icmp-net-unreachable
}

# ---- the topology file --------------------------------------------------

# in_family 4|6 ADDRESS[/LEN]: the address itself, or its IPv6 twin.
in_family() { if [ "$1" = 6 ]; then v6_of "$2"; else echo "$2"; fi; }

# topo_addr 4|6 POD: the " address: A," of its topology entry; nothing for a
# pod up --no-address names, whose entry is its dnsName only.
topo_addr() {
	[ -n "${NO_ADDR[$2]:-}" ] || printf ' address: %s,' "$(in_family "$1" "${P_ADDR[$2]}")"
}

# write_topology FILE [6]: the topology; with 6, its IPv6 view (the same
# clusters, pods and targets at their v6 addresses, the v6 ranges), since a
# topology holds one address per pod.
write_topology() {
	local f=$1 fam=${2:-4} c p z first
	{
		echo "# reachmap lab topology: scenario $SCENARIO"
		echo "# $SCENARIO_DESC"
		if [ "$fam" = 6 ]; then
			echo "# Written by lab/reachmap-lab; the network as it should be, its IPv6 view."
		else
			echo "# Written by lab/reachmap-lab; the network as it should be."
		fi
		echo "version: 1"
		echo "defaults:"
		echo "  ports:"
		echo "    - {name: gossip, port: 7000}"
		echo "    - {name: gossip-tls, port: 7001}"
		echo "    - {name: jmx, port: 7199}"
		echo "    - {name: cql, port: 9042, protocol: cql}"
		echo "    - {name: mgmt-api, port: 8080}"
		echo "  timeoutMs: 1000"
		echo "  rate: 1000"
		echo "  mtu: 1500"
		echo "clusters:"
		for c in "${CLUSTERS[@]}"; do
			echo "  - name: $c"
			printf '    zones: ['
			first=1
			for z in ${C_ZONES[$c]}; do
				[ $first -eq 1 ] || printf ', '
				printf '%s' "$z"
				first=0
			done
			echo "]"
			echo "    cidrs: {nodes: [$(in_family "$fam" "${C_NODES[$c]}")], pods: [$(in_family "$fam" "${C_PODS[$c]}")], services: [$(in_family "$fam" "${C_SVC[$c]}")]}"
			echo "    dns: {domain: ${C_DOMAIN[$c]}, servers: [$(in_family "$fam" "${C_DNS[$c]}")]}"
			echo "    probes:"
			for p in "${PODS[@]}"; do
				[ "${P_CLUSTER[$p]}" = "$c" ] && [ "${P_ROLE[$p]}" = probe ] || continue
				echo "      - {name: $p,$(topo_addr "$fam" "$p") zone: ${P_ZONE[$p]}, dnsName: ${P_DNS[$p]}}"
			done
			echo "    targets:"
			for p in "${PODS[@]}"; do
				[ "${P_CLUSTER[$p]}" = "$c" ] && [ "${P_ROLE[$p]}" = target ] || continue
				echo "      - {name: $p,$(topo_addr "$fam" "$p") zone: ${P_ZONE[$p]}, dnsName: ${P_DNS[$p]}, ports: [gossip, gossip-tls, jmx, cql, mgmt-api]}"
			done
		done
		echo "expect:"
		echo "  - {from: \"*\", to: \"*\", ports: [gossip, gossip-tls, cql], reach: open}"
		echo "  - {from: \"*\", to: \"*\", dns: resolves}"
		echo "thresholds: {rttWarnMs: 50, rttErrorMs: 150, lossWarnPct: 1}"
	} >"$f"
}

# ---- state: what is up, for status, exec and down -------------------------

# write_state: DIR/state, read by status, exec, inject, heal, recreate, down
# and the tests: the scenario, the faults (in, out, or none: the scenario
# has none; with the time of their last change), the live parts, one POD
# line per pod at its current address. Written whole and renamed, so a
# reader never sees half of it.
write_state() {
	local p
	{
		echo "SCENARIO=$SCENARIO"
		echo "LAB_DIR=$LAB_DIR"
		echo "STANDIN=$STANDIN${REACHMAP_BIN:+ $REACHMAP_BIN}"
		echo "FAULTS=$FAULTS_STATE"
		echo "FAULTS_AT=$FAULTS_AT"
		echo "COLLECTOR=$COLLECTOR_URL"
		echo "COLLECTOR_ARGS=$COLLECTOR_ARGS"
		echo "LIVE=$LIVE"
		echo "INTERVAL=$INTERVAL"
		echo "AGENT_ARGS=$AGENT_ARGS"
		echo "NO_ADDRESS=${!NO_ADDR[*]}"
		for p in "${PODS[@]}"; do
			echo "POD $p $(ns "$p") ${P_CLUSTER[$p]} ${P_ROLE[$p]} ${P_ZONE[$p]} ${P_ADDR[$p]} ${P_DNS[$p]}"
		done
		# A line of its own, so readers of the POD lines stay as they are.
		[ "$DUAL_STACK" = 0 ] || for p in "${PODS[@]}"; do echo "ADDR6 $p $(v6_of "${P_ADDR[$p]}")"; done
	} >"$LAB_DIR/state.new"
	mv -f "$LAB_DIR/state.new" "$LAB_DIR/state"
	echo "$LAB_DIR" >"$LAB_STATE_POINTER"
}

lab_namespaces() { ip netns list 2>/dev/null | awk '{print $1}' | grep "^$LAB_PREFIX" || true; }

lab_teardown() {
	local n pid pids
	for n in $(lab_namespaces); do
		pids=$(ip netns pids "$n" 2>/dev/null || true)
		for pid in $pids; do kill "$pid" 2>/dev/null || true; done
	done
	# Give them a moment (serve writes its arrivals on SIGTERM, an agent ends
	# its round within 2 s and writes its spool), then make sure.
	local tries=0
	while [ $tries -lt 40 ]; do
		pids=""
		for n in $(lab_namespaces); do pids="$pids$(ip netns pids "$n" 2>/dev/null)"; done
		[ -z "$pids" ] && break
		sleep 0.1
		tries=$((tries + 1))
	done
	for n in $(lab_namespaces); do
		for pid in $(ip netns pids "$n" 2>/dev/null || true); do
			kill -9 "$pid" 2>/dev/null || true
		done
	done
	for n in $(lab_namespaces); do
		ip netns del "$n" 2>/dev/null || true
	done
	rm -rf /etc/netns/"$LAB_PREFIX"* 2>/dev/null || true
	rm -f "$LAB_STATE_POINTER"
}

lab_build() {
	local p i=0 f
	[ "$DUAL_STACK" = 0 ] || command -v ip6tables >/dev/null 2>&1 ||
		die "missing tools: ip6tables (scenario $SCENARIO is dual-stack; make deps installs it)"
	build_vpc
	for c in "${CLUSTERS[@]}"; do build_cluster "$c"; done
	route_clusters
	[ -z "$COLLECTOR_URL" ] || build_collector_net
	for p in "${PODS[@]}"; do
		build_pod "$p" "$i"
		i=$((i + 1))
	done
	for c in "${CLUSTERS[@]}"; do start_dns "$c"; done
	write_topology "$LAB_DIR/topology.yaml"
	[ "$DUAL_STACK" = 0 ] || write_topology "$LAB_DIR/topology-v6.yaml" 6
	[ -z "$COLLECTOR_URL" ] || start_collector
	start_serve
	[ "$LIVE" = 0 ] || next_second
	[ "$FAULTS_IN" = 1 ] || return 0
	for f in "${FAULTS[@]}"; do
		eval "$f" || die "fault '$f' could not be applied"
	done
}
