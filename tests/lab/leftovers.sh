#!/usr/bin/env bash
# What a lab run may have left behind: namespaces named by its prefix, their
# /etc/netns entries, and lab processes (dnsmasq, reachmap serve, agent and
# collect as the lab starts them, the lab's stand-ins, the tests' bad
# collector) still alive in a network namespace other than this one's (a
# process keeps a namespace alive after `ip netns del`). Sourced, it defines
# lab_leftovers [all], which prints one line per leftover and fails if any:
# of this run's lab (RMLAB_PREFIX, tests/lab/lock.sh) while another lab may
# be up beside it, or with `all` of every lab. A lab process is told apart
# by the RMLAB_PREFIX in its environment, which reachmap-lab exports (none:
# a lab run by hand with the default prefix). Run, it takes every lab slot
# and checks them all (ctest's lab.no-leftovers).
lab_leftovers() {
	local bad=0 pid self ns cmd want=${RMLAB_PREFIX:-rmlab-} nsre prefix
	nsre="^$want"
	[ "${1:-}" = all ] && nsre='^rmlab[0-9]*-'
	ns=$(ip netns list 2>/dev/null | awk '{ print $1 }' | grep -E "$nsre" | tr '\n' ' ')
	[ -z "$ns" ] || { echo "FAIL namespaces left behind: $ns"; bad=1; }
	ns=$(ls -d /etc/netns/* 2>/dev/null | sed 's#^/etc/netns/##' | grep -E "$nsre" | tr '\n' ' ')
	[ -z "$ns" ] || { echo "FAIL /etc/netns entries left behind: $ns"; bad=1; }
	self=$(readlink /proc/self/ns/net)
	for pid in $(pgrep -f 'lab/lib/(standin|not-cassandra)\.py|tests/lab/badcollector\.py|dnsmasq .*--pid-file=[^ ]*/dnsmasq-[a-z]+\.pid|reachmap serve .*arrivals-|reachmap agent .*--spool [^ ]*/spool/|reachmap collect .*--db [^ ]*/collector\.db'); do
		[ "$(readlink "/proc/$pid/ns/net" 2>/dev/null)" = "$self" ] && continue
		if [ "${1:-}" != all ]; then
			prefix=$(tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | sed -n 's/^RMLAB_PREFIX=//p')
			[ "${prefix:-rmlab-}" = "$want" ] || continue
		fi
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
	lab_lock_all lab.no-leftovers
	lab_leftovers all || exit 1
	echo "ok   no rmlab- or rmlabN- namespace, /etc/netns entry or lab process is left"
fi
