#!/usr/bin/python3
"""Checks the results documents of `reachmap probe --once`, run from every
probe pod of a lab scenario: the cells the scenario's fault touches must
have exactly the statuses written below, and every other cell must be
healthy (icmp ok, tcp open, cql ok, identity ok, nat none, dns ok).

usage: probe_expect.py SCENARIO RESULTS.json...
       probe_expect.py --arrivals DIR SCENARIO RESULTS.json...  (also the arrivals there)
       probe_expect.py --order SCENARIO POD...   (the order to run the probes in)
Prints one line per checked group and exits 1 on any mismatch."""
import fnmatch
import json
import sys

HEALTHY = {"icmp": "ok", "tcp": "open", "cql": "ok", "identity": "ok", "nat": "none",
           "dns": "ok", "mtu": "ok"}

WEST = ["west-a-0", "west-b-0", "dc-west-rack1-sts-0", "dc-west-rack2-sts-0"]
EAST = ["east-b-0", "east-c-0", "dc-east-rack1-sts-0", "dc-east-rack2-sts-0"]
CENTRAL = ["central-a-0", "central-f-0", "dc-central-rack1-sts-0", "dc-central-rack2-sts-0"]


def cut(src, dst, icmp, tcp):
    """A pair that cannot talk: every check fails the same way. No nat
    result exists where the responder did not answer."""
    return [(src, dst, "icmp", None, icmp), (src, dst, "tcp", None, tcp),
            (src, dst, "cql", None, "closed"), (src, dst, "identity", None, "no-responder"),
            (src, dst, "nat", None, None), (src, dst, "mtu", None, None)]


def rules(scenario):
    """(source probe glob, destination glob, check, port or None, status or
    None for "no such result"), first match wins."""
    r = []
    if scenario == "firewall-drop" or scenario == "multi-fault":
        r += [("east-*", d, "tcp", 7000, "filtered") for d in WEST]
    if scenario == "firewall-reject":
        r += [("west-*", d, "tcp", 7199, "rejected") for d in EAST]
    if scenario in ("dns-stub-missing", "multi-fault"):
        r += [("east-*", d, "dns", None, "nxdomain") for d in WEST]
    if scenario in ("snat", "multi-fault"):
        r += [("west-*", d, "nat", None, "snat") for d in EAST]
    if scenario == "dns-stale":
        r += [("*", "dc-east-rack1-sts-0", "dns", None, "wrong-answer")]
    if scenario == "mtu-blackhole":
        # West to east, DF datagrams over 1400 bytes vanish (the VPC drops
        # its "fragmentation needed"); east to west, east's gateway says so.
        r += [("west-*", d, "mtu", None, "blackhole") for d in EAST]
        r += [("east-*", d, "mtu", None, "fragmentation-needed") for d in WEST]
    if scenario == "not-cassandra":
        r += [("*", "dc-east-rack2-sts-0", "cql", None, "not-cql")]
    # A router without a route answers "net unreachable", but Linux (like
    # most routers) sends at most one such answer per second per source,
    # burst 5 (net.ipv4.route.error_cost, a host-wide setting the lab leaves
    # alone): the rest of the SYNs and echoes go unanswered.
    if scenario == "no-route":
        for d in EAST:
            r += cut("west-*", d, "unreachable|timeout", "unreachable|filtered")
        for d in WEST:
            r += cut("east-*", d, "timeout", "filtered")
    if scenario == "asymmetric":
        for d in EAST:
            r += cut("west-*", d, "timeout", "filtered")
        for d in WEST:
            r += cut("east-*", d, "unreachable|timeout", "unreachable|filtered")
    if scenario == "zone-partial":
        for d in ["east-c-0", "dc-east-rack2-sts-0"]:
            r += cut("west-*", d, "timeout", "filtered")
        for d in WEST:
            r += cut("east-c-0", d, "timeout", "filtered")
    if scenario == "overlap":
        # 10.200.129.10 is west-b-0 and east-b-0, 10.200.129.20 is
        # dc-west-rack2-sts-0 and dc-east-rack1-sts-0: each side reaches
        # its own pod at those addresses.
        for s in ["west-a-0", "west-b-0"]:
            r += [(s, "east-b-0", "identity", None, "mismatch"),
                  (s, "dc-east-rack1-sts-0", "identity", None, "mismatch")]
        for s in ["east-b-0", "east-c-0"]:
            r += [(s, "west-b-0", "identity", None, "mismatch"),
                  (s, "dc-west-rack2-sts-0", "identity", None, "mismatch")]
        # west-b-0 and east-b-0 send from 10.200.129.10: the other side's
        # answers to it go to its own pod of that address, and are lost.
        for d in ["east-c-0", "dc-east-rack2-sts-0"]:
            r += cut("west-b-0", d, "timeout", "filtered")
        for d in ["west-a-0", "dc-west-rack1-sts-0"]:
            r += cut("east-b-0", d, "timeout", "filtered")
    if scenario == "dual-stack-v6":
        # The IPv6 view of dual-stack: the VPC drops tcp/7000 from west's v6
        # pods to east's; the IPv4 view (dual-stack) is healthy throughout.
        r += [("west-*", d, "tcp", 7000, "filtered") for d in EAST]
    r += rules_issue11(scenario)
    return r


def rules_issue11(scenario):
    """The scenarios of issue 11's classes (what the probes must see; what
    the analyzer must make of it is in analyze_expect.py)."""
    r = []
    if scenario == "dns-refused":
        # East's resolver has no forward for west's zone: REFUSED, not
        # NXDOMAIN. Central's forward never answers.
        r += [("east-*", d, "dns", None, "refused") for d in WEST]
        r += [("central-*", d, "dns", None, "timeout") for d in WEST]
    if scenario == "target-side":
        r += [("*", "dc-west-rack1-sts-0", "dns", None, "wrong-answer"),
              ("*", "dc-central-rack2-sts-0", "cql", None, "not-cql")]
    if scenario == "overlap-kubeadm":
        # 10.244.1.10 is west-b-0 and east-b-0, 10.244.1.20 is
        # dc-west-rack2-sts-0 and dc-east-rack1-sts-0: each side reaches its
        # own pod there. The VPC routes 10.244.0.0/16 to west: west's packets
        # to east's 10.244.2.0/24 loop until the VPC says "time exceeded",
        # east's to west's 10.244.0.0/24 arrive and the answers are lost.
        for s in ["west-a-0", "west-b-0"]:
            r += [(s, "east-b-0", "identity", None, "mismatch"),
                  (s, "dc-east-rack1-sts-0", "identity", None, "mismatch")]
            for d in ["east-c-0", "dc-east-rack2-sts-0"]:
                r += cut(s, d, "unreachable|timeout", "unreachable|filtered")
        for s in ["east-b-0", "east-c-0"]:
            r += [(s, "west-b-0", "identity", None, "mismatch"),
                  (s, "dc-west-rack2-sts-0", "identity", None, "mismatch")]
            for d in ["west-a-0", "dc-west-rack1-sts-0"]:
                r += cut(s, d, "timeout", "filtered")
    if scenario == "one-way-reject":
        # us-east1-c -> west: ICMP net unreachable from the VPC, every time
        # (a REJECT is not rate-limited like a missing route). west ->
        # us-east1-c: the requests arrive, the answers are rejected.
        for d in WEST:
            r += cut("east-c-0", d, "unreachable", "unreachable")
        for d in ["east-c-0", "dc-east-rack2-sts-0"]:
            r += cut("west-*", d, "timeout", "filtered")
    return r


def last_hop(scenario, src, dst):
    """The router a path must end at, where the scenario knows it."""
    if scenario in ("firewall-drop", "multi-fault") and src.startswith("east-") and dst in WEST:
        return "10.150.0.1"  # the VPC, where tcp/7000 is dropped
    if scenario == "dual-stack-v6" and src.startswith("west-") and dst in EAST:
        return "fd00:100::1"  # the VPC's IPv6 address on west's side
    if scenario == "zone-partial" and src.startswith("west-") and \
            dst in ("east-c-0", "dc-east-rack2-sts-0"):
        return "10.100.0.1"  # the VPC again, dropping the zone's traffic
    return None


def required(scenario):
    """(source glob, check, status, sender): every source probe matching
    the glob must have at least one such cell, the ICMP sent by `sender`."""
    if scenario == "no-route":
        return [("west-*", "tcp", "unreachable", "10.100.0.1")]
    if scenario == "asymmetric":
        return [("east-b-0", "tcp", "unreachable", "10.250.1.1"),
                ("east-c-0", "tcp", "unreachable", "10.250.2.1")]
    if scenario == "one-way-reject":
        return [("east-c-0", "tcp", "unreachable", "10.150.0.1"),
                ("east-c-0", "icmp", "unreachable", "10.150.0.1")]
    return []


ADDR = {"west-a-0": "10.200.1.10", "west-b-0": "10.200.2.10", "east-b-0": "10.250.1.10",
        "east-c-0": "10.250.2.10"}
# Where a scenario numbers its pods otherwise.
ADDR_IN = {"overlap-kubeadm": {"east-c-0": "10.244.2.10"}}


def arrival_rules(scenario):
    """(receiving pod, sending probe, tcp port, arrived?): what the far end's
    capture must show; the difference between "the request was lost" and
    "the answer was lost"."""
    if scenario == "asymmetric":
        # West's SYNs arrive in east; east's answers are what is lost.
        return [(d, s, 7000, True) for d in ("dc-east-rack1-sts-0", "dc-east-rack2-sts-0")
                for s in ("west-a-0", "west-b-0")]
    if scenario == "one-way-reject":
        # West's SYNs arrive in us-east1-c (the answers are what is lost);
        # us-east1-c's never reach west.
        return [(d, s, 7000, True) for d in ("east-c-0", "dc-east-rack2-sts-0")
                for s in ("west-a-0", "west-b-0")] + \
            [(d, "east-c-0", 7000, False) for d in ("dc-west-rack1-sts-0", "dc-west-rack2-sts-0")]
    if scenario == "overlap-kubeadm":
        # East's 10.244.2.10 reaches west's own zone; the answer is lost.
        return [("dc-west-rack1-sts-0", "east-c-0", 7000, True)]
    if scenario == "firewall-drop":
        # East's SYNs to 7000 never arrive; 9042 does.
        return [(d, s, p, p != 7000) for d in ("dc-west-rack1-sts-0", "dc-west-rack2-sts-0")
                for s in ("east-b-0", "east-c-0") for p in (7000, 9042)]
    return []


def check_arrivals(scenario, adir):
    bad = 0
    for dst, src, port, want in arrival_rules(scenario):
        doc = json.load(open(f"{adir}/arrivals-{dst}.json"))
        addr = ADDR_IN.get(scenario, {}).get(src, ADDR[src])
        got = any(a["from"] == addr and a["protocol"] == "tcp" and a["port"] == port
                  for a in doc["arrivals"])
        if got == want:
            print(f"ok   {dst}: {src}'s tcp/{port} SYNs {'arrived' if want else 'never arrived'}")
        else:
            print(f"FAIL {dst}: {src}'s tcp/{port} {'did not arrive' if want else 'arrived'}")
            bad += 1
    return bad


def main():
    if sys.argv[1] == "--order":
        # The probes whose named ICMP answers are required go first, before
        # the others' traffic spends the rate-limit tokens of their address.
        scenario, pods = sys.argv[2], sys.argv[3:]
        first = [p for p in pods if any(fnmatch.fnmatch(p, s) for s, _, _, _ in required(scenario))]
        print(" ".join(first + [p for p in pods if p not in first]))
        return 0
    adir = None
    if sys.argv[1] == "--arrivals":
        adir = sys.argv[2]
        del sys.argv[1:3]
    scenario, files = sys.argv[1], sys.argv[2:]
    table = rules(scenario)
    used = set()
    bad = 0
    checked = 0
    seen_nat = set()
    for path in files:
        doc = json.load(open(path))
        src = doc["probe"]["name"]
        if doc["schema"] != "reachmap.results/v1" or not doc["results"]:
            print(f"FAIL {path}: not a results document with results")
            bad += 1
            continue
        for res in doc["results"]:
            dst, check, port, status = res["target"], res["check"], res.get("port"), res["status"]
            if check == "path":
                # Traced only where tcp or icmp failed, which a rule says.
                broken = any(fnmatch.fnmatch(src, s) and fnmatch.fnmatch(dst, d) and
                             c in ("tcp", "icmp") and st not in ("open", "ok")
                             for s, d, c, p, st in table if st is not None)
                checked += 1
                if not broken:
                    print(f"FAIL {src} -> {dst}: a path was traced for a healthy pair")
                    bad += 1
                want_hop = last_hop(scenario, src, dst)
                if want_hop and res["detail"].get("lastHop") != want_hop:
                    print(f"FAIL {src} -> {dst} path: last hop {res['detail'].get('lastHop')}, "
                          f"want {want_hop} {res['detail']}")
                    bad += 1
                continue
            want = HEALTHY[check]
            for i, (s, d, c, p, st) in enumerate(table):
                if fnmatch.fnmatch(src, s) and fnmatch.fnmatch(dst, d) and c == check and \
                        (p is None or p == port):
                    want = st
                    used.add(i)
                    break
            checked += 1
            if check == "nat":
                seen_nat.add((src, dst))
            if want is None:
                print(f"FAIL {src} -> {dst} {check}: a result exists ({status}), none should")
                bad += 1
            elif status not in want.split("|"):
                detail = res.get("detail", {})
                print(f"FAIL {src} -> {dst} {check}{'/' + str(port) if port else ''}: "
                      f"{status}, want {want} {detail}")
                bad += 1
    # Rate-limited ICMP still leaves a trace: at least one named answer.
    for s, c, st, sender in required(scenario):
        for path in files:
            doc = json.load(open(path))
            src = doc["probe"]["name"]
            if not fnmatch.fnmatch(src, s):
                continue
            hits = [x for x in doc["results"] if x["check"] == c and x["status"] == st and
                    x.get("detail", {}).get("icmpFrom") == sender]
            if hits:
                print(f"ok   {src}: {len(hits)} {c} cells {st}, ICMP from {sender}")
            else:
                print(f"FAIL {src}: no {c} cell {st} with ICMP from {sender}")
                bad += 1
    # Every rule that expects a result must have met one.
    for i, (s, d, c, p, st) in enumerate(table):
        if st is not None and i not in used:
            print(f"FAIL no result matched: {s} -> {d} {c}{'/' + str(p) if p else ''} {st}")
            bad += 1
    if adir is not None:
        bad += check_arrivals(scenario, adir)
    print(f"probe.{scenario}: {checked} cells checked from {len(files)} probes, "
          f"{len(table)} expected deviations; {checked - bad} passed, {bad} failed")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
