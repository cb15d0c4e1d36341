#!/usr/bin/python3
"""The invariant of issue 11, "Diagnosis you can trust": every unhealthy
cell of a reachmap.report/v1 document is covered by a finding whose kind
can explain that check, in that direction; a report that has unhealthy
cells never passes.

usage: invariant.py [--quiet] REPORT.json...

A cell is (source probe, destination, check[, port]) with its worst status,
read from matrix.cells (which always holds every unhealthy cell; matrix.grid
says the same per column, and is used where cells are missing). A finding
covers a cell when
  - its kind can explain the cell's check (EXPLAINS below; `unexplained`
    explains anything, `probe-missing` anything to or from its probe),
  - for kinds about one port (firewall-*, port-closed), the cell's port is
    one of the finding's ports (path cells: any port; they trace a pair),
  - the source matches the finding's `from` scope and the destination its
    `to` scope (cluster, or "*"; zones and probes where the scope lists
    them; a scope that is absent matches anything); kinds whose cause shows
    both ways (BOTH_WAYS: a route, an overlapping range) also match with
    source and destination swapped.
Prints one line per uncovered cell (`UNEXPLAINED ...`) and per other broken
rule, and exits 1 when there is any; 0 when the report keeps the invariant.
"""
import json
import sys

# Which statuses are healthy, per check: core/results.c's table (the
# document does not carry it). A status missing here is unhealthy.
HEALTHY = {
    "icmp": {"ok"}, "tcp": {"open"}, "dns": {"ok"}, "identity": {"ok"},
    "nat": {"none"}, "mtu": {"ok", "fragmentation-needed"}, "cql": {"ok"},
    "path": {"ok"},
}

# Every check that carries packets between two pods: what a broken route,
# an address that is somebody else's, or a zone cut off can fail.
REACH = {"icmp", "tcp", "cql", "identity", "nat", "mtu", "path"}

# Finding kind -> the checks it can explain (DESIGN.md's catalogue and
# analyze/rules.c's rules: which (check, status) each kind is made from,
# and which other checks the same cause necessarily fails).
EXPLAINS = {
    "cidr-overlap": REACH,          # an overlapping range: any packet may go to the look-alike
    "address-collision": REACH,     # the address is another pod's
    "reserved-range": REACH,        # a range the network routes elsewhere
    "address-out-of-range": REACH,  # a pod outside its cluster's routed ranges
    "no-route": REACH,
    "asymmetric-route": REACH,
    "firewall-drop": {"tcp", "cql", "identity", "path"},
    "firewall-reject": {"tcp", "cql", "identity", "path"},
    "port-closed": {"tcp", "cql", "identity"},
    "dns-domain-clash": {"dns"},
    "dns-unresolvable": {"dns"},
    "dns-wrong-answer": {"dns"},
    "snat": {"nat"},
    "mtu-blackhole": {"mtu"},
    "not-cassandra": {"cql"},
    "high-latency": set(),          # rtt only: no status is unhealthy for it
    "packet-loss": {"icmp"},
}
# A cause on the path of a pair breaks the answers as well as the requests.
BOTH_WAYS = {"cidr-overlap", "address-collision", "reserved-range", "address-out-of-range",
             "no-route", "asymmetric-route"}
# Kinds about given ports: a tcp, cql or identity cell is theirs only at one
# of those ports.
PORT_KINDS = {"firewall-drop", "firewall-reject", "port-closed"}


def members(report):
    """name -> (cluster, zone) for every probe and target of the report."""
    m = {}
    for c in report.get("clusters", []):
        for e in c.get("members", []):
            m[e["name"]] = (c["name"], e.get("zone", ""))
    return m


def unhealthy_cells(report):
    """(from, to, check, port, status) of every unhealthy cell."""
    mx = report.get("matrix", {})
    out = []
    for c in mx.get("cells", []):
        if c["status"] not in HEALTHY.get(c["check"], ()):
            out.append((c["from"], c["to"], c["check"], c.get("port"), c["status"]))
    if out or "grid" not in mx:
        return out
    # No detail: the grid's worst status per column.
    g = mx["grid"]
    width = len(g["columns"])
    for i, row in enumerate(g["rows"]):
        for k, ch in enumerate(row):
            if ch == ".":
                continue
            col = g["columns"][k % width]
            check, _, port = col.partition("/")
            status = g["statuses"][ord(ch) - ord("a")]
            if status not in HEALTHY.get(check, ()):
                out.append((g["from"][i], g["to"][k // width], check,
                            int(port) if port else None, status))
    return out


def in_scope(scope, name, where):
    """Whether the endpoint NAME (cluster, zone) lies in a finding's scope."""
    if scope is None:
        return True
    cluster, zone = where.get(name, ("?", "?"))
    if scope.get("cluster", "*") not in ("*", cluster):
        return False
    zones = scope.get("zones")
    if zones and "*" not in zones and zone not in zones:
        return False
    probes = scope.get("probes")
    if probes and "*" not in probes and name not in probes:
        return False
    return True


def covers(f, cell, where):
    src, dst, check, port, _ = cell
    kind = f["kind"]
    if kind == "unexplained":
        pass
    elif kind == "probe-missing":
        names = set(f["from"].get("probes", [])) | set(f.get("to", {}).get("probes", []))
        return src in names or dst in names
    elif check not in EXPLAINS.get(kind, ()):
        return False
    if kind in PORT_KINDS and f.get("ports") and check != "path" and port not in f["ports"]:
        return False
    fr, to = f.get("from"), f.get("to")
    if in_scope(fr, src, where) and in_scope(to, dst, where):
        return True
    return kind in BOTH_WAYS and in_scope(fr, dst, where) and in_scope(to, src, where)


def fmt(cell, where):
    src, dst, check, port, status = cell
    return (f"{src} -> {dst} {check}{'/' + str(port) if port and check == 'tcp' else ''} "
            f"{status} ({where.get(src, ('?',))[0]} -> {where.get(dst, ('?',))[0]})")


def check_report(path, quiet):
    """The number of broken rules in the report at PATH."""
    report = json.load(open(path))
    if report.get("schema") != "reachmap.report/v1":
        print(f"FAIL {path}: not a reachmap.report/v1 document")
        return 1
    where = members(report)
    findings = report.get("findings", [])
    cells = unhealthy_cells(report)
    bad = 0
    for f in findings:
        if f["kind"] == "unexplained" and f.get("severity") != "error":
            print(f"FAIL {path}: an unexplained finding of severity {f.get('severity')}, not error")
            bad += 1
    uncovered = [c for c in cells if not any(covers(f, c, where) for f in findings)]
    for c in uncovered:
        print(f"UNEXPLAINED {path}: {fmt(c, where)}")
    bad += len(uncovered)
    if cells and report.get("verdict") == "pass":
        print(f"FAIL {path}: verdict pass over {len(cells)} unhealthy cells")
        bad += 1
    if bad == 0 and not quiet:
        print(f"ok   {path}: {len(cells)} unhealthy cells, each explained by one of "
              f"{len(findings)} findings")
    elif bad:
        print(f"FAIL {path}: {len(uncovered)} of {len(cells)} unhealthy cells explained by no finding")
    return bad


def main(argv):
    quiet = "--quiet" in argv
    paths = [a for a in argv if a != "--quiet"]
    if not paths:
        print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
        return 2
    bad = sum(check_report(p, quiet) for p in paths)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
