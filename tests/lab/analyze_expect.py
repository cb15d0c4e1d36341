#!/usr/bin/python3
"""Checks `reachmap analyze --format json` of a lab scenario's documents:
the findings are exactly the injected faults (kind, clusters, direction,
ports, zones), nothing else.

usage: analyze_expect.py SCENARIO REPORT.json"""
import json
import re
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
    # A stale record and a port that is not CQL are causes at the target:
    # one finding from every source, * -> the target's cluster (issue 11).
    "dns-stale": [("dns-wrong-answer", "*", "east", [], [])],
    "snat": [("snat", "west", "east", [], [])],
    "mtu-blackhole": [("mtu-blackhole", "west", "east", [], [])],
    "not-cassandra": [("not-cassandra", "*", "east", [9042], [])],
    "zone-partial": [("no-route", "west", "east", [], ["us-east1-c"])],
    "multi-fault": [("firewall-drop", "east", "west", [7000], []),
                    ("dns-unresolvable", "east", "west", [], []),
                    ("snat", "west", "east", [], [])],
    # Issue 11's classes: what a correct analyzer says (tests/lab/known-failing.txt
    # lists the ones today's does not). REFUSED and timeouts are as
    # unresolvable as NXDOMAIN.
    "dns-refused": [("dns-unresolvable", "east", "west", [], []),
                    ("dns-unresolvable", "central", "west", [], [])],
    # A cause at the target is one finding for every source: * -> its cluster.
    "target-side": [("dns-wrong-answer", "*", "west", [], []),
                    ("not-cassandra", "*", "central", [9042], [])],
    # The overlap once, the collision once; the failures between the
    # ranges are their evidence, not more no-route findings.
    "overlap-kubeadm": [("cidr-overlap", "west", "east", [], []),
                        ("address-collision", "west", "east", [], [])],
    # The failing direction, from the zone; the other direction is its
    # consequence (answers lost on the way back), not a finding of its own.
    "one-way-reject": [("no-route", "east", "west", [], ["us-east1-c"])],
    # Dual-stack: IPv4 is healthy; the IPv6 view shows the v6-only drop.
    "dual-stack": [],
    "dual-stack-v6": [("firewall-drop", "west", "east", [7000], [])],
}


def text(f):
    """Everything a finding says, for the checks below."""
    return json.dumps(f)


def names(words, address):
    """Whether WORDS name ADDRESS itself (10.150.0.1 is not 10.150.0.10)."""
    return re.search(re.escape(address) + r"(?![0-9])", words) is not None


def evidence_status(f, status):
    return any(e.get("status") == status for e in f.get("evidence", []))


# What the right findings must say beyond kind and scope: (scenario, kind,
# what, predicate).
DETAILS = [
    ("dns-refused", "dns-unresolvable", "east -> west carries the REFUSED answers",
     lambda f: f["from"]["cluster"] != "east" or evidence_status(f, "refused")),
    ("dns-refused", "dns-unresolvable", "central -> west carries the timeouts",
     lambda f: f["from"]["cluster"] != "central" or evidence_status(f, "timeout")),
    ("target-side", "dns-wrong-answer", "counts the cells of all three clusters (6)",
     lambda f: f["cells"] == 6),
    ("target-side", "dns-wrong-answer", "names the target dc-west-rack1-sts-0",
     lambda f: "dc-west-rack1-sts-0" in f["summary"]),
    ("target-side", "not-cassandra", "counts the cells of all three clusters (6)",
     lambda f: f["cells"] == 6),
    ("target-side", "not-cassandra", "names the target dc-central-rack2-sts-0",
     lambda f: "dc-central-rack2-sts-0" in f["summary"]),
    ("overlap-kubeadm", "address-collision", "names a shared address (10.244.1.10 or .20)",
     lambda f: "10.244.1.10" in text(f) or "10.244.1.20" in text(f)),
    ("overlap-kubeadm", "address-collision",
     "names the pod that was meant and the one that answered",
     lambda f: ("east-b-0" in text(f) and "west-b-0" in text(f)) or
     ("dc-east-rack1-sts-0" in text(f) and "dc-west-rack2-sts-0" in text(f))),
    ("overlap-kubeadm", "address-collision", "carries the identity mismatches as evidence",
     lambda f: evidence_status(f, "mismatch")),
    ("one-way-reject", "no-route", "names the failing direction, not both ways",
     lambda f: "both ways" not in f["summary"]),
    ("one-way-reject", "no-route", "names the router that answered, 10.150.0.1",
     lambda f: names(f["summary"] + " " + f["remedy"], "10.150.0.1")),
    ("one-way-reject", "no-route", "names no gateway (10.150.0.10, 10.100.0.10) or bridge",
     lambda f: not any(names(f["summary"] + " " + f["remedy"], a) for a in
                       ("10.150.0.10", "10.100.0.10", "10.250.2.1", "10.200.1.1", "10.200.2.1"))),
    ("one-way-reject", "no-route", "takes its evidence from the failing direction, with the ICMP",
     lambda f: bool(f["evidence"]) and all(e.get("from", "").startswith("east-c") for e in f["evidence"])
     and evidence_status(f, "unreachable") and names(json.dumps(f["evidence"]), "10.150.0.1")),
    ("one-way-reject", "no-route", "says the other direction's answers are lost on the way back",
     lambda f: "lost on the way back" in f["summary"]),
]


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
    for sc, kind, what, ok in DETAILS:
        if sc != scenario:
            continue
        for f in report["findings"]:
            if f["kind"] != kind:
                continue
            if ok(f):
                print(f"ok   {kind} {what}")
            else:
                print(f"FAIL {kind} {f['from']['cluster']} -> {f.get('to', {}).get('cluster', '')}: "
                      f"does not: {what}: {f['summary']}")
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
