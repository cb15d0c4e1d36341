#!/usr/bin/env bash
# Each fixture in tests/fixtures/topology is a topology with one mistake; the
# sibling .err file holds the exact message `reachmap plan` must print, and
# the exit code must be 2. Run from the repository root.
#   tests/topology/run.sh REACHMAP [--regen]
set -u
bin=${1:?usage: run.sh REACHMAP [--regen]}
regen=${2:-}
dir=tests/fixtures/topology
pass=0 fail=0

check() { # name, expected exit, expected-stderr-file, command...
	local name=$1 want_rc=$2 errfile=$3; shift 3
	local got rc
	got=$(timeout 10 "$@" 2>&1 >/dev/null); rc=$?
	if [ "$regen" = --regen ] && [ -n "$errfile" ]; then
		printf '%s\n' "$got" >"$errfile"
	fi
	if [ "$rc" -ne "$want_rc" ]; then
		echo "FAIL $name: exit $rc, want $want_rc; stderr: $got"; fail=$((fail + 1)); return
	fi
	if [ -n "$errfile" ] && [ "$got" != "$(cat "$errfile")" ]; then
		echo "FAIL $name: stderr differs"
		diff <(printf '%s\n' "$got") "$errfile" | sed 's/^/    /'
		fail=$((fail + 1)); return
	fi
	echo "ok   $name: exit $rc: $got"; pass=$((pass + 1))
}

for f in "$dir"/*.yaml "$dir"/*.json; do
	[ -f "$f" ] || continue
	check "$(basename "$f")" 2 "${f%.*}.err" "$bin" plan "$f"
done

# A file that does not exist is bad input too, and says so.
check missing-file 2 "" "$bin" plan "$dir/no-such-file.yaml"
got=$("$bin" plan "$dir/no-such-file.yaml" 2>&1)
want="reachmap plan: $dir/no-such-file.yaml: cannot read: No such file or directory"
if [ "$got" = "$want" ]; then echo "ok   missing-file message"; pass=$((pass + 1));
else echo "FAIL missing-file message: got '$got', want '$want'"; fail=$((fail + 1)); fi

# A cluster that lists no zones takes its probes' and targets' zones.
got=$(timeout 10 "$bin" plan --format json "$dir/valid/zones-from-probes.yaml" |
	python3 -c 'import json, sys
d = json.load(sys.stdin)
print(";".join(c["name"] + "=" + ",".join(c.get("zones", [])) for c in d["clusters"]))')
want="west=us-west1-a,us-west1-b;east=us-east1-b"
if [ "$got" = "$want" ]; then echo "ok   zones-from-probes: $got"; pass=$((pass + 1));
else echo "FAIL zones-from-probes: got '$got', want '$want'"; fail=$((fail + 1)); fi

# Entries with a dnsName and no address are valid; plan checks every
# address that is declared (east-c-0's is out of range: exit 1, that one
# finding) and names the others by their dnsName, never as 0.0.0.0.
f=$dir/valid/dns-name-only.yaml
text=$(timeout 10 "$bin" plan "$f" 2>&1); rc=$?
got=$(timeout 10 "$bin" plan --format json "$f" | python3 -c 'import json, sys
d = json.load(sys.stdin)
kinds = ",".join(x["kind"] + ":" + "+".join(e["name"] for e in x["evidence"]) for x in d["findings"])
m = {x["name"]: x.get("address", "dns=" + x.get("dnsName", "?")) for c in d["clusters"] for x in c["members"]}
print(kinds, m["west-a-0"], m["west-b-0"], m["dc-west-rack1-sts-0"], m["east-b-0"])')
want="address-out-of-range:east-c-0 dns=west-a-0.reachmap.reachmap.svc.west.cluster.local 10.200.2.10 dns=dc-west-rack1-sts-0.dc-west-service.k8ssandra.svc.west.cluster.local dns=east-b-0.reachmap.reachmap.svc.east.cluster.local"
if [ "$rc" -eq 1 ] && [ "$got" = "$want" ] && ! grep -Eq '(^|[^0-9.])0\.0\.0\.0($|[^0-9./])' <<<"$text"; then
	echo "ok   dns-name-only: exit 1, $got"; pass=$((pass + 1))
else
	echo "FAIL dns-name-only: exit $rc (want 1); got '$got', want '$want'; text: $text"; fail=$((fail + 1))
fi
if python3 -c 'import jsonschema' 2>/dev/null; then
	timeout 10 "$bin" plan --format json -o /tmp/rm-dns-name-only.$$.json "$f"
	if python3 tests/schema/validate.py report/schema/reachmap.report.v1.json /tmp/rm-dns-name-only.$$.json >/dev/null; then
		echo "ok   dns-name-only: the plan report matches reachmap.report/v1"; pass=$((pass + 1))
	else
		echo "FAIL dns-name-only: the plan report does not match reachmap.report/v1"; fail=$((fail + 1))
	fi
	rm -f /tmp/rm-dns-name-only.$$.json
fi

echo "topology errors: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
