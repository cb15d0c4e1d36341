#!/usr/bin/python3
"""Checks `reachmap analyze --format json` of a lab scenario's documents:
the findings are exactly the injected faults (kind, clusters, direction,
ports, zones), nothing else.

usage: analyze_expect.py SCENARIO REPORT.json"""
import json
import sys

# (kind, from, to, ports, zones of the narrower side); plan findings too.
EXPECTED = {
    "clean": [],
    "three-dc": [],
    "overlap": [("cidr-overlap", "west", "east", [], []),
                ("address-collision", "west", "east", [], [])],
    "no-route": [("no-route", "west", "east", [], [])],
    "asymmetric": [("asymmetric-route", "east", "west", [], [])],
    "firewall-drop": [("firewall-drop", "east", "west", [7000], [])],
    "firewall-reject": [("firewall-reject", "west", "east", [7199], [])],
    "dns-stub-missing": [("dns-unresolvable", "east", "west", [], [])],
    "dns-stale": [("dns-wrong-answer", "*", "east", [], [])],
    "snat": [("snat", "west", "east", [], [])],
    "mtu-blackhole": [("mtu-blackhole", "west", "east", [], [])],
    "not-cassandra": [("not-cassandra", "*", "east", [9042], [])],
    "zone-partial": [("no-route", "west", "east", [], ["us-east1-c"])],
    "multi-fault": [("firewall-drop", "east", "west", [7000], []),
                    ("dns-unresolvable", "east", "west", [], []),
                    ("snat", "west", "east", [], [])],
}


def key(f):
    frm, to = f["from"]["cluster"], f.get("to", {}).get("cluster", "")
    zones = f.get("to", {}).get("zones", []) or f["from"].get("zones", [])
    if f["kind"] in ("address-collision", "cidr-overlap"):
        frm, to = sorted([frm, to])
    return (f["kind"], frm, to, f["ports"], zones)


def main():
    scenario, path = sys.argv[1], sys.argv[2]
    report = json.load(open(path))
    got = sorted(map(key, report["findings"]), key=str)
    want = sorted([(k, *sorted([a, b]), p, z) if k in ("address-collision", "cidr-overlap")
                   else (k, a, b, p, z) for k, a, b, p, z in EXPECTED[scenario]], key=str)
    bad = 0
    for w in want:
        if w in got:
            print(f"ok   finding {w[0]} {w[1]} -> {w[2]} {w[3] or ''} {w[4] or ''}")
        else:
            print(f"FAIL missing finding {w}")
            bad += 1
    for g in got:
        if g not in want:
            print(f"FAIL unexpected finding {g}: "
                  + next(f["summary"] for f in report["findings"] if key(f) == g))
            bad += 1
    verdict = "pass" if not EXPECTED[scenario] else "fail"
    if report["verdict"] != verdict:
        print(f"FAIL verdict {report['verdict']}, want {verdict}")
        bad += 1
    print(f"analyze.{scenario}: {len(want) - (bad if bad < len(want) else len(want))} of "
          f"{len(want)} findings as injected; {'no' if bad == 0 else bad} problems")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
