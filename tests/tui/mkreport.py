#!/usr/bin/python3
"""Writes reachmap.report/v1 documents with matrix.grid for the dashboard's
tests: the small hand-designed scenarios kept in tests/tui/ (regenerate them
with `mkreport.py NAME > tests/tui/NAME.json`) and the 1,000-probe report the
scrolling test generates at run time (`mkreport.py large`)."""
import json
import sys

STATUSES = ["ok", "loss", "unreachable", "rejected", "timeout", "open", "refused",
            "filtered", "no-route", "nxdomain", "servfail", "wrong-answer", "mismatch",
            "no-responder", "none", "snat", "fragmentation-needed", "blackhole", "not-cql",
            "closed"]
HEALTHY = {"icmp": "ok", "tcp": "open", "dns": "ok", "identity": "ok", "nat": "none",
           "mtu": "ok", "cql": "ok", "path": "ok"}
COLUMNS = ["icmp", "tcp/7000", "tcp/7001", "tcp/7199", "tcp/9042", "dns", "identity", "nat",
           "mtu", "cql", "path"]


def cluster(name, zones, probes, targets, base):
    members = [{"name": p, "role": "probe", "zone": z, "address": "%s.%d" % (base, 10 + i)}
               for i, (p, z) in enumerate(probes)]
    members += [{"name": t, "role": "target", "zone": z, "address": "%s.%d" % (base, 100 + i)}
                for i, (t, z) in enumerate(targets)]
    return {"name": name, "zones": zones, "probes": [p for p, _ in probes],
            "targets": [t for t, _ in targets], "members": members}


def report(clusters, fault, findings, complete, generated="2026-11-24T09:00:00Z"):
    """fault(from_member, to_member, column) -> status word, None (healthy)
    or "." (not measured)."""
    by_name = {}
    for c in clusters:
        for m in c["members"]:
            by_name[m["name"]] = dict(m, cluster=c["name"])
    frm = [m["name"] for c in clusters for m in c["members"] if m["role"] == "probe"]
    to = [m["name"] for c in clusters for m in c["members"]]
    rows, cells = [], []
    for f in frm:
        row = []
        for t in to:
            for col in COLUMNS:
                check = col.split("/")[0]
                if f == t:
                    row.append(".")
                    continue
                st = fault(by_name[f], by_name[t], col)
                if st == ".":
                    row.append(".")
                    continue
                healthy = st is None
                st = st or HEALTHY[check]
                row.append(chr(ord("a") + STATUSES.index(st)))
                if complete or not healthy:
                    cell = {"from": f, "to": t, "check": check, "status": st}
                    if "/" in col:
                        cell["port"] = int(col.split("/")[1])
                    if healthy:
                        cell["rttMs"] = 0.42
                        cell["arrived"] = True
                    elif st in ("filtered", "timeout"):
                        cell["arrived"] = False
                    elif st in ("unreachable", "no-route"):
                        cell["icmpFrom"] = "10.100.0.1"
                        cell["arrived"] = False
                    elif st == "refused":
                        cell["rttMs"] = 0.2
                        cell["arrived"] = True
                    if check == "dns":
                        cell["answers"] = "" if st != "ok" else by_name[t]["address"]
                        if st != "ok":
                            cell["error"] = "%s.%s.svc: %s" % (t, by_name[t]["cluster"], st)
                    cells.append(cell)
        rows.append("".join(row))
    pairs = []
    errors = sum(1 for x in findings if x["severity"] == "error")
    return {
        "schema": "reachmap.report/v1",
        "generated": generated,
        "generator": {"name": "reachmap", "version": "0.1.0", "command": "analyze"},
        "topology": "tests/tui/topology.yaml",
        "clusters": clusters,
        "matrix": {"clusterPairs": pairs,
                   "grid": {"statuses": STATUSES, "columns": COLUMNS, "from": frm, "to": to,
                            "rows": rows},
                   "cells": cells, "cellsComplete": complete},
        "findings": findings,
        "expectations": [],
        "summary": {"errors": errors,
                    "warnings": sum(1 for x in findings if x["severity"] == "warning"),
                    "info": sum(1 for x in findings if x["severity"] == "info")},
        "verdict": "fail" if errors else "pass",
    }


def two_dc():
    return [cluster("west", ["us-west1-a", "us-west1-b"],
                    [("west-a-0", "us-west1-a"), ("west-b-0", "us-west1-b")],
                    [("dc-west-rack1-sts-0", "us-west1-a"), ("dc-west-rack2-sts-0", "us-west1-b")],
                    "10.200.1"),
            cluster("east", ["us-east1-b", "us-east1-c"],
                    [("east-b-0", "us-east1-b"), ("east-c-0", "us-east1-c")],
                    [("dc-east-rack1-sts-0", "us-east1-b"), ("dc-east-rack2-sts-0", "us-east1-c")],
                    "10.250.1")]


def ev(f, t, check, status, port=None, arrived=None):
    e = {"from": f, "to": t, "check": check, "status": status}
    if port:
        e["port"] = port
    if arrived is not None:
        e["arrived"] = arrived
    return e


DROP = {"kind": "firewall-drop", "severity": "error", "from": {"cluster": "east"},
        "to": {"cluster": "west"}, "protocol": "tcp", "ports": [7000], "cells": 8,
        "summary": "east -> west tcp/7000 is silently dropped: no answer, while the other "
                   "ports to the same pods work",
        "evidence": [ev("east-b-0", "dc-west-rack1-sts-0", "tcp", "filtered", 7000, False),
                     ev("east-c-0", "west-a-0", "tcp", "filtered", 7000, False)],
        "remedy": "allow tcp/7000 from 10.250.0.0/16 to 10.200.0.0/16 in the firewall between "
                  "the clusters"}


def firewall_drop():
    def fault(f, t, col):
        if f["cluster"] == "east" and t["cluster"] == "west":
            if col == "tcp/7000":
                return "filtered"
            if col == "path":
                return "timeout"
        return "." if col == "path" else None
    return report(two_dc(), fault, [DROP], True)


def multi_fault():
    def fault(f, t, col):
        if f["name"] == "west-b-0" and t["zone"] == "us-east1-c":
            return {"icmp": "unreachable", "path": "unreachable"}.get(
                col, "no-route" if col.startswith("tcp") else ".")
        if f["cluster"] == "east" and t["cluster"] == "west" and col == "tcp/7000":
            return "filtered"
        if f["name"] == "east-b-0" and t["name"] == "dc-east-rack1-sts-0" and col == "tcp/9042":
            return "refused"
        if f["name"] == "west-a-0" and t["cluster"] == "east" and col == "dns":
            return "nxdomain"
        if f["name"] == "east-c-0" and t["name"] == "west-a-0" and col == "icmp":
            return "loss"
        return "." if col == "path" else None
    findings = [
        {"kind": "dns-unresolvable", "severity": "warning", "from": {"cluster": "west", "probes": ["west-a-0"]},
         "to": {"cluster": "east"}, "protocol": "dns", "ports": [], "cells": 4,
         "summary": "west-a-0 cannot resolve east's names: nxdomain",
         "evidence": [ev("west-a-0", "east-b-0", "dns", "nxdomain")],
         "remedy": "add a stub domain for east.cluster.local pointing at 10.97.0.10"},
        {"kind": "packet-loss", "severity": "info", "from": {"cluster": "east"},
         "to": {"cluster": "west"}, "protocol": "icmp", "ports": [], "cells": 1,
         "summary": "east-c-0 -> west-a-0 loses some pings",
         "evidence": [ev("east-c-0", "west-a-0", "icmp", "loss")],
         "remedy": "watch the link; no action needed yet"},
        {"kind": "no-route", "severity": "error", "from": {"cluster": "west", "zones": ["us-west1-b"]},
         "to": {"cluster": "east", "zones": ["us-east1-c"]}, "protocol": "tcp",
         "ports": [7000, 7001, 7199, 9042], "cells": 8,
         "summary": "west's zone us-west1-b has no route to east's zone us-east1-c",
         "evidence": [ev("west-b-0", "east-c-0", "tcp", "no-route", 7000, False)],
         "remedy": "add a route for 10.250.2.0/24 via the VPN gateway in us-west1-b"},
        DROP,
        {"kind": "port-closed", "severity": "warning", "from": {"cluster": "east"},
         "to": {"cluster": "east"}, "protocol": "tcp", "ports": [9042], "cells": 1,
         "summary": "dc-east-rack1-sts-0 refuses tcp/9042: nothing listens",
         "evidence": [ev("east-b-0", "dc-east-rack1-sts-0", "tcp", "refused", 9042, True)],
         "remedy": "start Cassandra's native transport on dc-east-rack1-sts-0"},
    ]
    return report(two_dc(), fault, findings, False)


def clean():
    return report(two_dc(), lambda f, t, col: "." if col == "path" else None, [], True)


def plan():
    r = report(two_dc(), lambda f, t, col: None, [], True)
    del r["matrix"]
    r["generator"]["command"] = "plan"
    r["findings"] = [{"kind": "cidr-overlap", "severity": "error", "from": {"cluster": "west"},
                      "to": {"cluster": "east"}, "ports": [], "cells": 0,
                      "summary": "west's services 10.96.0.0/16 overlap east's",
                      "evidence": [], "remedy": "move east's services to 10.97.0.0/16"}]
    r["summary"] = {"errors": 1, "warnings": 0, "info": 0}
    r["verdict"] = "fail"
    return r


def large():
    """1,000 probes in 5 clusters of 2 zones, one target per probe pair;
    zone b of c3 drops tcp/7000 from c1."""
    clusters = []
    for c in range(5):
        probes = [("c%d-p%03d" % (c, i), "zone-%d%s" % (c, "ab"[i % 2])) for i in range(200)]
        targets = [("c%d-t%03d" % (c, i), "zone-%d%s" % (c, "ab"[i % 2])) for i in range(4)]
        clusters.append(cluster("c%d" % c, ["zone-%da" % c, "zone-%db" % c], probes, targets,
                                "10.%d.0" % (10 + c)))
    cols = COLUMNS[:-1]
    healthy = "".join(chr(ord("a") + STATUSES.index(HEALTHY[c.split("/")[0]])) for c in cols)
    bad = healthy.replace("f", "h", 1)  # tcp/7000 open -> filtered
    frm = [m["name"] for c in clusters for m in c["members"] if m["role"] == "probe"]
    to = [m for c in clusters for m in c["members"]]
    rows = []
    for f in frm:
        src_c1 = f.startswith("c1-")
        parts = []
        for t in to:
            if t["name"] == f:
                parts.append("." * len(cols))
            elif src_c1 and t["name"].startswith("c3-") and t["zone"] == "zone-3b":
                parts.append(bad)
            else:
                parts.append(healthy)
        rows.append("".join(parts))
    finding = {"kind": "firewall-drop", "severity": "error",
               "from": {"cluster": "c1"}, "to": {"cluster": "c3", "zones": ["zone-3b"]},
               "protocol": "tcp", "ports": [7000], "cells": 200 * 102,
               "summary": "c1 -> c3 zone-3b tcp/7000 is silently dropped",
               "evidence": [ev("c1-p000", "c3-p001", "tcp", "filtered", 7000, False)],
               "remedy": "allow tcp/7000 from c1 to c3's zone-3b"}
    return {
        "schema": "reachmap.report/v1", "generated": "2026-11-24T09:00:00Z",
        "generator": {"name": "reachmap", "version": "0.1.0", "command": "analyze"},
        "topology": "large.yaml", "clusters": clusters,
        "matrix": {"clusterPairs": [],
                   "grid": {"statuses": STATUSES, "columns": cols, "from": frm,
                            "to": [t["name"] for t in to], "rows": rows},
                   "cells": [{"from": "c1-p000", "to": "c3-p001", "check": "tcp", "port": 7000,
                              "status": "filtered", "arrived": False}],
                   "cellsComplete": False},
        "findings": [finding], "expectations": [],
        "summary": {"errors": 1, "warnings": 0, "info": 0}, "verdict": "fail"}


SCENARIOS = {"firewall-drop": firewall_drop, "multi-fault": multi_fault, "clean": clean,
             "plan": plan, "large": large}

if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in SCENARIOS:
        sys.exit("usage: mkreport.py %s" % "|".join(SCENARIOS))
    doc = SCENARIOS[sys.argv[1]]()
    if sys.argv[1] == "large":
        json.dump(doc, sys.stdout, separators=(",", ":"))
    else:
        json.dump(doc, sys.stdout, indent=1)
    sys.stdout.write("\n")
