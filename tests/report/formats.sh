#!/usr/bin/env bash
# The junit and prom reports of every recorded lab scenario, read by real
# consumers: python3-junitparser (the JUnit XML that CI servers read) and
# prometheus_client's exposition parser. A clean scenario has no failing
# test case; a faulty one fails exactly the cases of the broken pairs, with
# the finding's summary as the message; no series is per probe pair.
set -u
bin=${1:?usage: formats.sh REACHMAP}
cd "$(dirname "$0")/../.."
if ! /usr/bin/python3 -c 'import junitparser, prometheus_client' 2>/dev/null; then
	echo "report.formats: SKIP: python3-junitparser or python3-prometheus-client is missing (make deps)"
	exit 77
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
for d in tests/fixtures/lab/*/; do
	s=$(basename "$d")
	"$bin" analyze -t "$d/topology.yaml" --format junit -o "$tmp/$s.xml" "$d"/results-*.json "$d"/arrivals-*.json
	"$bin" analyze -t "$d/topology.yaml" --format prom -o "$tmp/$s.prom" "$d"/results-*.json "$d"/arrivals-*.json
done
/usr/bin/python3 - "$tmp" <<'PY'
import glob, os, sys
from junitparser import JUnitXml
from prometheus_client.parser import text_string_to_metric_families

tmp = sys.argv[1]
bad = 0
probes = {"west-a-0", "west-b-0", "east-b-0", "east-c-0", "central-a-0", "central-f-0"}
for xml in sorted(glob.glob(f"{tmp}/*.xml")):
    s = os.path.basename(xml)[:-4]
    suites = JUnitXml.fromfile(xml)
    failed = [(suite.name, case.name, case.result[0].message)
              for suite in suites for case in suite if not case.is_passed]
    clean = s in ("clean", "three-dc")
    if clean and failed:
        print(f"FAIL {s}: clean but failing cases {failed}"); bad += 1
    elif not clean and not failed:
        print(f"FAIL {s}: a fault but no failing case"); bad += 1
    else:
        print(f"ok   {s}.xml: {sum(s2.tests for s2 in suites)} cases, {len(failed)} failing")
    if s == "firewall-drop":
        want = ("east -> west gossip,gossip-tls,cql open",
                "east -> west tcp/7000 is silently dropped: no answer, while the other ports to the same pods work")
        if not any(c == want[0] and m == want[1] for _, c, m in failed):
            print(f"FAIL firewall-drop: no failing case {want}"); bad += 1
        else:
            print("ok   firewall-drop: the east -> west case fails with the finding's summary")
    fams = list(text_string_to_metric_families(open(f"{tmp}/{s}.prom").read()))
    labels = {v for f in fams for smp in f.samples for k, v in smp.labels.items()
              if k in ("from", "to")}
    if labels & probes:
        print(f"FAIL {s}.prom: a series per probe pair: {labels & probes}"); bad += 1
    verdict = [smp.value for f in fams for smp in f.samples if smp.name == "reachmap_verdict_pass"]
    if verdict != [1.0 if clean else 0.0]:
        print(f"FAIL {s}.prom: reachmap_verdict_pass {verdict}"); bad += 1
    else:
        print(f"ok   {s}.prom: {sum(len(f.samples) for f in fams)} samples, per cluster pair")
print(f"report.formats: {'all' if bad == 0 else bad} {'passed' if bad == 0 else 'failed'}")
sys.exit(1 if bad else 0)
PY
