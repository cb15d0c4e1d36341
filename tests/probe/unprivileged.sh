#!/usr/bin/env bash
# reachmap probe without privileges, as the user nobody in a namespace of
# its own: connect mode by default, icmp over an ICMP datagram socket where
# net.ipv4.ping_group_range allows it, and a clear word where it does not.
set -u
bin=${1:?usage: unprivileged.sh REACHMAP}
cd "$(dirname "$0")/../.."
[ "$(id -u)" -eq 0 ] || { echo "probe.unprivileged: SKIP: needs root to make the namespace"; exit 77; }
command -v setpriv >/dev/null || { echo "probe.unprivileged: SKIP: setpriv is missing"; exit 77; }
ns=rmprobe-unpriv-$$
ip netns add $ns 2>/dev/null || { echo "probe.unprivileged: SKIP: cannot create namespaces"; exit 77; }
out=$(mktemp -d)
chmod 777 "$out"
trap 'ip netns del $ns; rm -rf "$out"' EXIT
ip -n $ns link set lo up
pass=0 fail=0
run() { # RANGE FILE
	ip netns exec $ns sysctl -qw net.ipv4.ping_group_range="$1"
	ip netns exec $ns setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		--bounding-set=-all "$bin" probe -t tests/fixtures/loopback.yaml -c local -n here \
		--once --allow-loopback --checks icmp,tcp -o "$2" 2>"$2.err"
}
expect() { # NAME PYTHON-EXPRESSION-ON-d FILE
	if /usr/bin/python3 -c "import json,sys; d=json.load(open('$3')); r={x['check']: x for x in d['results']}; sys.exit(0 if ($2) else 1)"; then
		echo "ok   $1"; pass=$((pass + 1))
	else
		echo "FAIL $1: $(cat "$3")"; fail=$((fail + 1))
	fi
}
run "0 2147483647" "$out/allowed.json" || { echo "FAIL probe exited $?: $(cat "$out/allowed.json.err")"; exit 1; }
expect "without CAP_NET_RAW the mode is connect" "d['mode'] == 'connect'" "$out/allowed.json"
expect "no capability is left" "d['facts']['capEff'] == '0000000000000000'" "$out/allowed.json"
expect "icmp over a datagram socket: ok, 3 of 3" "r['icmp']['status'] == 'ok' and r['icmp']['detail']['received'] == 3" "$out/allowed.json"
expect "tcp/7000 with nothing listening: refused" "r['tcp']['status'] == 'refused'" "$out/allowed.json"
run "1 0" "$out/denied.json" || { echo "FAIL probe exited $?"; exit 1; }
expect "icmp denied by ping_group_range: no icmp result" "'icmp' not in r" "$out/denied.json"
if grep -qx "reachmap probe: note: icmp is not run: it needs CAP_NET_RAW, or the process's group in net.ipv4.ping_group_range" "$out/denied.json.err"; then
	echo "ok   and the probe says why on stderr"; pass=$((pass + 1))
else
	echo "FAIL no note on stderr: $(cat "$out/denied.json.err")"; fail=$((fail + 1))
fi
expect "tcp still runs" "r['tcp']['status'] == 'refused'" "$out/denied.json"
# Never left out in silence: the document says what was not measured, and
# the report shows it.
expect "the document's notes say icmp is not run" "d['notes'] == ['icmp is not run: it needs CAP_NET_RAW, or the process\\'s group in net.ipv4.ping_group_range']" "$out/denied.json"
"$bin" analyze -t tests/fixtures/loopback.yaml "$out/denied.json" >"$out/report.txt" 2>&1
if grep -qx "  here: icmp is not run: it needs CAP_NET_RAW, or the process's group in net.ipv4.ping_group_range" "$out/report.txt" &&
	grep -qx "NOT MEASURED (the probes' notes)" "$out/report.txt"; then
	echo "ok   and the report lists it under NOT MEASURED"; pass=$((pass + 1))
else
	echo "FAIL the report does not list the note: $(cat "$out/report.txt")"; fail=$((fail + 1))
fi
echo "probe.unprivileged: $pass passed, $fail failed"
[ $fail -eq 0 ]
