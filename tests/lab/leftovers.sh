#!/usr/bin/env bash
# What a lab run may have left behind: namespaces named rmlab-*, their
# /etc/netns entries, and lab processes (dnsmasq, reachmap serve, agent and
# collect as the lab starts them, the lab's stand-ins, the tests' bad
# collector) still alive in a network namespace other than this one's (a
# process keeps a namespace alive after `ip netns del`). Sourced, it defines
# lab_leftovers, which prints one line per leftover and fails if any; run,
# it takes the lab lock (tests/lab/lock.sh) and checks (ctest's lab.no-leftovers).
lab_leftovers() {
	local bad=0 pid self ns cmd
	ns=$(ip netns list 2>/dev/null | awk '/^rmlab-/ { print $1 }' | tr '\n' ' ')
	[ -z "$ns" ] || { echo "FAIL namespaces left behind: $ns"; bad=1; }
	if ls -d /etc/netns/rmlab-* >/dev/null 2>&1; then
		echo "FAIL /etc/netns entries left behind: $(ls -d /etc/netns/rmlab-* | tr '\n' ' ')"
		bad=1
	fi
	self=$(readlink /proc/self/ns/net)
	for pid in $(pgrep -f 'lab/lib/(standin|not-cassandra)\.py|tests/lab/badcollector\.py|dnsmasq .*--pid-file=[^ ]*/dnsmasq-[a-z]+\.pid|reachmap serve .*arrivals-|reachmap agent .*--spool [^ ]*/spool/|reachmap collect .*--db [^ ]*/collector\.db'); do
		[ "$(readlink "/proc/$pid/ns/net" 2>/dev/null)" = "$self" ] && continue
		cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || continue
		[ -n "$cmd" ] || continue
		echo "FAIL process $pid left behind in another network namespace: $cmd"
		bad=1
	done
	return $bad
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -u
	if [ "$(id -u)" -ne 0 ]; then echo "lab.no-leftovers: SKIP: needs root"; exit 77; fi
	# shellcheck source=lock.sh
	. "$(dirname "$0")/lock.sh"
	lab_lock lab.no-leftovers
	lab_leftovers || exit 1
	echo "ok   no rmlab- namespace, /etc/netns entry or lab process is left"
fi
