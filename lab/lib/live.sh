# The live lab, sourced by lab/reachmap-lab after lab.sh: the collector and
# its management network, agents in the pods, faults injected and healed
# while they run, pods re-created with a new address.
#
# The management network: rmlab-collector holds the collector's address,
# MGMT_ADDR, on its lo, and one veth to each cluster's gateway (a /30 per
# cluster out of MGMT_LINKS). Each gateway routes MGMT_ADDR/32 over it and
# masquerades what it sends there, so the answers find their way back to
# pods whose ranges overlap another cluster's. Nothing of it is in the VPC,
# and no fault touches it: the collector hears every pod whatever the
# scenario breaks. 192.168.250.0/23 is in no scenario's ranges (they are all
# in 10.0.0.0/8).
#
# shellcheck shell=bash disable=SC2034,SC2206

MGMT_ADDR=192.168.250.1
MGMT_LINKS=192.168.251
MGMT_PORT=8787

# Set by up's options or the state; read by lab.sh's builder.
COLLECTOR_URL=""   # http://MGMT_ADDR:MGMT_PORT once the lab has a collector
COLLECTOR_ARGS=""  # more options for reachmap collect (up --collector-args)
LIVE=0             # 1: agents instead of serve (up --live)
INTERVAL=10        # the agents' and the collector's --interval
AGENT_ARGS=""      # more options for every agent (up --agent-args)
FAULTS_STATE=none  # in, out, or none (the scenario has no fault)
FAULTS_AT=""       # when FAULTS_STATE last changed

# now_rfc3339: the time now, RFC 3339 UTC with milliseconds.
now_rfc3339() { date -u +%Y-%m-%dT%H:%M:%S.%3NZ; }

# next_second: sleep into the next whole second (and 20 ms). The documents
# place rounds to the second, and `reachmap check` takes a round that
# started in its own first second as fresh: a lab command that returns
# after a change only once that second is over makes every round check
# then waits for one taken after the change.
next_second() {
	local ms
	ms=$(($(date +%s%3N) % 1000))
	ms=$((1020 - ms))
	sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
}

# mgmt_addr CLUSTER-INDEX 1|2: the collector's (1) or the gateway's (2) end
# of that cluster's management link.
mgmt_addr() { echo "$MGMT_LINKS.$((4 * $1 + $2))"; }

build_collector_net() {
	local c i=0 g col
	[ ${#CLUSTERS[@]} -le 63 ] || die "the management network has room for 63 clusters"
	mkns collector
	col=$(ns collector)
	ip -n "$col" addr add "$MGMT_ADDR/32" dev lo
	for c in "${CLUSTERS[@]}"; do
		g=$(gw "$c")
		ip link add mgmt0 netns "$g" type veth peer name "m-$c" netns "$col" ||
			die "cannot create the management veth between $g and $col"
		ip -n "$g" link set mgmt0 up
		ip -n "$col" link set "m-$c" up
		ip -n "$col" addr add "$(mgmt_addr $i 1)/30" dev "m-$c"
		ip -n "$g" addr add "$(mgmt_addr $i 2)/30" dev mgmt0
		ip -n "$g" route add "$MGMT_ADDR/32" via "$(mgmt_addr $i 1)"
		nsx "$c-gw" iptables -t nat -A POSTROUTING -d "$MGMT_ADDR/32" -o mgmt0 -j MASQUERADE ||
			die "cannot masquerade $g's traffic to the collector"
		i=$((i + 1))
	done
}

# ns_pids NAMESPACE-NAME PATTERN: the processes in that lab namespace whose
# command line (words joined by spaces) matches PATTERN (grep -E).
ns_pids() {
	local pid
	for pid in $(ip netns pids "$(ns "$1")" 2>/dev/null); do
		tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qE -- "$2" && echo "$pid"
	done
	true
}

# stop_pids PID...: SIGTERM, up to 5 s for them to end (an agent ends its
# round within 2 s and writes its spool), then SIGKILL.
stop_pids() {
	local pid end=$((SECONDS + 5)) left
	[ $# -gt 0 ] || return 0
	kill "$@" 2>/dev/null || true
	while [ $SECONDS -lt $end ]; do
		left=0
		for pid; do kill -0 "$pid" 2>/dev/null && left=1; done
		[ $left = 1 ] || return 0
		sleep 0.05
	done
	kill -9 "$@" 2>/dev/null || true
}

collector_pids() { ns_pids collector '^[^ ]*reachmap collect '; }

# start_collector: reachmap collect in rmlab-collector on MGMT_ADDR, its
# store in the lab's directory (kept across a restart), its log appended.
start_collector() {
	local log=$LAB_DIR/collector.log skip
	[ -z "$(collector_pids)" ] || die "the collector is already running (pid $(collector_pids | tr '\n' ' '))"
	skip=$(line_count "$log")
	# shellcheck disable=SC2086
	nsx collector setsid -f "$REACHMAP_BIN" collect --topology "$LAB_DIR/topology.yaml" \
		--listen "$MGMT_ADDR:$MGMT_PORT" --db "$LAB_DIR/collector.db" --interval "$INTERVAL" \
		$COLLECTOR_ARGS </dev/null >>"$log" 2>&1 8>&- 9>&-
	wait_for_line "$log" "collect: ready" "$skip"
}

# start_agent POD: reachmap agent in the pod, in place of serve: the
# responder and the stand-ins (--standins, as serve runs in every pod),
# a round every INTERVAL pushed to the collector, its spool in the lab's
# directory. --address is the pod's address, as POD_IP is in Kubernetes.
start_agent() {
	local p=$1
	mkdir -p "$LAB_DIR/spool/$p"
	# shellcheck disable=SC2086
	nsx "$p" setsid -f "$REACHMAP_BIN" agent --topology "$LAB_DIR/topology.yaml" \
		--cluster "${P_CLUSTER[$p]}" --name "$p" --address "${P_ADDR[$p]}" \
		--collector "$COLLECTOR_URL" --interval "$INTERVAL" --spool "$LAB_DIR/spool/$p" \
		--standins $AGENT_ARGS </dev/null >>"$(pod_log "$p")" 2>&1 8>&- 9>&-
}

# ---- faults in and out -----------------------------------------------------

# fault_list: one line per fault of the scenario, as its file says it: the
# fault commands, then the DNS and not-Cassandra settings.
fault_list() {
	local f k
	for f in "${FAULTS[@]}"; do echo "$f"; done
	for k in "${!DNS_NO_STUB[@]}"; do echo "DNS_NO_STUB[$k]=${DNS_NO_STUB[$k]}"; done
	for k in "${!DNS_STUB_BROKEN[@]}"; do echo "DNS_STUB_BROKEN[$k]=${DNS_STUB_BROKEN[$k]}"; done
	for k in "${!DNS_ADDR[@]}"; do echo "DNS_ADDR[$k]=${DNS_ADDR[$k]}"; done
	for k in "${!NOT_CQL[@]}"; do echo "NOT_CQL[$k]=1"; done
}

# dns_fault_clusters: the clusters whose DNS server the faults change.
dns_fault_clusters() {
	local k
	{
		for k in "${!DNS_NO_STUB[@]}"; do echo "$k"; done
		for k in "${!DNS_STUB_BROKEN[@]}"; do echo "${k%%:*}"; done
		for k in "${!DNS_ADDR[@]}"; do echo "${P_CLUSTER[$k]}"; done
	} | sort -u
}

# switch_faults in|out: applies the scenario's faults to the running lab, or
# removes them (each fault command's inverse; the DNS servers and the
# not-Cassandra pods started again with or without them).
switch_faults() {
	local f fn c p
	if [ "$1" = in ]; then
		FAULTS_IN=1 IPT_OP=-A
		for f in "${FAULTS[@]}"; do eval "$f" || die "inject: '$f' could not be applied"; done
	else
		FAULTS_IN=0 IPT_OP=-D
		for f in "${FAULTS[@]}"; do
			fn=${f%% *}
			if declare -F "heal_$fn" >/dev/null; then eval "heal_$f" || die "heal: '$f' could not be undone"
			else eval "$f" || die "heal: '$f' could not be undone"; fi
		done
		IPT_OP=-A
	fi
	for c in $(dns_fault_clusters); do restart_dns "$c"; done
	for p in "${!NOT_CQL[@]}"; do restart_pod "$p"; done
}

# restart_pod POD: its processes stopped and started again, as they are
# now (the not-Cassandra server while the faults are in, a new address).
restart_pod() {
	# shellcheck disable=SC2046
	stop_pids $(ns_pids "$1" .)
	start_pods "$1"
}

# ---- re-creating a pod ------------------------------------------------------

# next_free_addr POD: the next address of its zone's /24 after its own that
# no pod of the lab holds and no record names (.2 to .254, wrapping).
next_free_addr() {
	local p=$1 c net o i a q used
	c=${P_CLUSTER[$p]}
	local nets=(${C_ZNETS[$c]})
	net=${nets[$(zone_index "$c" "${P_ZONE[$p]}")]}
	o=${P_ADDR[$p]##*.}
	for i in $(seq $((o + 1)) 254) $(seq 2 $((o - 1))); do
		a=$net.$i used=0
		for q in "${PODS[@]}"; do
			[ "${P_ADDR[$q]}" = "$a" ] || [ "${DNS_ADDR[$q]:-}" = "$a" ] && used=1
		done
		[ $used = 1 ] || { echo "$a"; return 0; }
	done
	die "recreate: no free address left in $net.0/24"
}

# recreate_pod POD: the pod's namespace deleted (its processes first) and
# made again at the next free address of its zone; its DNS record and the
# state follow; its processes (the agent, with --live) start again.
# OLD_ADDR is the address it had.
recreate_pod() {
	local p=$1 idx=0 q
	for q in "${PODS[@]}"; do [ "$q" = "$p" ] && break; idx=$((idx + 1)); done
	OLD_ADDR=${P_ADDR[$p]}
	P_ADDR[$p]=$(next_free_addr "$p")
	# shellcheck disable=SC2046
	stop_pids $(ns_pids "$p" .)
	ip netns del "$(ns "$p")" || die "recreate: cannot delete $(ns "$p")"
	build_pod "$p" "$idx"
	write_state
	restart_dns "${P_CLUSTER[$p]}"
	start_pods "$p"
}

# ---- the state, read back -------------------------------------------------

state_get() { sed -n "s/^$1=//p" "$LAB_DIR/state" | head -1; }

# load_state COMMAND: the running lab's model (its scenario's definitions,
# then what the state says changed: addresses, faults, the live parts), or
# exit 3 with what is wrong.
load_state() {
	local c=$1 tag name _ns _cl _role _zone addr _dns k
	[ -n "$(lab_namespaces)" ] || die "$c: no lab is up"
	LAB_DIR=$(cat "$LAB_STATE_POINTER" 2>/dev/null || true)
	[ -n "$LAB_DIR" ] && [ -f "$LAB_DIR/state" ] ||
		die "$c: the lab's state is lost; 'reachmap-lab down' removes what is left"
	SCENARIO=$(state_get SCENARIO)
	include "$SCENARIO"
	SCENARIO_DESC=$(scenario_desc "$LAB_DIR_SRC/scenarios/$SCENARIO.sh")
	read -r STANDIN REACHMAP_BIN <<<"$(state_get STANDIN)"
	FAULTS_STATE=$(state_get FAULTS) FAULTS_AT=$(state_get FAULTS_AT)
	COLLECTOR_URL=$(state_get COLLECTOR) COLLECTOR_ARGS=$(state_get COLLECTOR_ARGS)
	LIVE=$(state_get LIVE) INTERVAL=$(state_get INTERVAL) AGENT_ARGS=$(state_get AGENT_ARGS)
	for k in $(state_get NO_ADDRESS); do NO_ADDR[$k]=1; done
	FAULTS_IN=0
	[ "$FAULTS_STATE" != in ] || FAULTS_IN=1
	while read -r tag name _ns _cl _role _zone addr _dns; do
		[ "$tag" = POD ] && P_ADDR[$name]=$addr
	done <"$LAB_DIR/state"
	true
}
