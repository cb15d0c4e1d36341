#!/usr/bin/env bash
# The analyzer on every lab scenario's recorded documents, once with the
# scenario's topology and once with every probe and target written with its
# dnsName and no address (pods whose addresses are not fixed): the round's
# findings are the same, word for word, because an address-less entry takes
# its address from the documents. Only the plan's part differs, as it must:
# `plan` checks the addresses that are declared, so a cidr-overlap no longer
# lists addresses "declared in both clusters". No report says 0.0.0.0.
#   recorded-noaddr.sh REACHMAP
set -u
bin=${1:?usage: recorded-noaddr.sh REACHMAP}
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
for d in tests/fixtures/lab/*/; do
	s=$(basename "$d")
	docs=("$d"/results-*.json "$d"/arrivals-*.json)
	sed -E 's/address: [0-9a-f.:]+, //' "$d/topology.yaml" >"$tmp/$s.yaml"
	if grep -Eq '^ +- \{name: [^,]+, address:' "$tmp/$s.yaml"; then
		echo "FAIL $s: an address is left in the topology"; fail=$((fail + 1)); continue
	fi
	"$bin" analyze -t "$d/topology.yaml" --format json -o "$tmp/$s.with.json" "${docs[@]}"; rw=$?
	"$bin" analyze -t "$tmp/$s.yaml" --format json -o "$tmp/$s.without.json" "${docs[@]}"; ro=$?
	"$bin" analyze -t "$tmp/$s.yaml" --format text -o "$tmp/$s.without.txt" "${docs[@]}"
	if diff=$(/usr/bin/python3 - "$tmp/$s.with.json" "$tmp/$s.without.json" <<'PY'
import json, re, sys
def findings(path, strip):
    out = []
    for f in json.load(open(path))["findings"]:
        summary = f["summary"]
        if strip and f["kind"] == "cidr-overlap":
            summary = re.sub(r"; [0-9a-f.:, ]+ (is|are) declared in both clusters$", "", summary)
        out.append((f["kind"], f["severity"], summary, f.get("remedy")))
    return out
a, b = findings(sys.argv[1], True), findings(sys.argv[2], False)
for x in a:
    if x not in b: print("  only with addresses:", x[:3])
for x in b:
    if x not in a: print("  only without:", x[:3])
sys.exit(0 if a == b else 1)
PY
	) && [ "$rw" -eq "$ro" ] && ! grep -Eq '(^|[^0-9.])0\.0\.0\.0($|[^0-9./])' "$tmp/$s.without.txt"; then
		echo "ok   $s: exit $ro, the same $(/usr/bin/python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["findings"]))' "$tmp/$s.without.json") findings without addresses"
		pass=$((pass + 1))
	else
		echo "FAIL $s: exit $rw with addresses, $ro without"; echo "$diff"
		grep -En '(^|[^0-9.])0\.0\.0\.0($|[^0-9./])' "$tmp/$s.without.txt"
		fail=$((fail + 1))
	fi
done
echo "analyze.recorded-noaddr: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
