#!/usr/bin/python3
"""Property test of issue 11's invariant (tests/report/invariant.py) over
synthetic rounds: a healthy recorded round (tests/fixtures/lab/three-dc)
with one to three random faults written into its results, analyzed by
`reachmap analyze --format json`; every report must keep the invariant.

usage: property.py REACHMAP [--rounds N] [--seed S] [--keep DIR]

Each round is reproducible from its seed (printed with the faults it
holds). The faults are classes, not files: a cluster's DNS answering
NXDOMAIN, REFUSED, SERVFAIL or nothing for another cluster's names; a stale
record or a port that is not CQL at one target, seen from everywhere; a
port dropped or rejected between two clusters; source NAT; an MTU black
hole; a zone cut off; and one cell alone failing in a way no rule knows
(the report must call it unexplained, never pass over it). No arrivals are
given, so the analyzer cannot tell a lost request from a lost answer; the
invariant does not ask it to.
Exit: 0 every round keeps the invariant, 1 one does not, 2 bad usage."""
import argparse
import contextlib
import copy
import glob
import io
import json
import os
import random
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(os.path.dirname(HERE))
BASE = os.path.join(SRC, "tests", "fixtures", "lab", "three-dc")
sys.path.insert(0, HERE)
import invariant  # noqa: E402


def load_base():
    docs = [json.load(open(p)) for p in sorted(glob.glob(os.path.join(BASE, "results-*.json")))]
    where = {}
    for d in docs:
        where[d["probe"]["name"]] = (d["probe"]["cluster"], d["probe"]["zone"])
    # Targets: their cluster from the results, their zone from the rack.
    for d in docs:
        for r in d["results"]:
            where.setdefault(r["target"], (r["targetCluster"], None))
    return docs, where


def results(docs, pred):
    """Every result r of a document d with pred(d, r)."""
    for d in docs:
        for r in d["results"]:
            if pred(d, r):
                yield r


def cl(d):
    return d["probe"]["cluster"]


def cut_pair(r):
    """The pair cannot talk: what every check shows then."""
    st = {"icmp": "timeout", "tcp": "filtered", "cql": "closed", "identity": "no-responder",
          "mtu": None, "nat": None}
    if r["check"] in st:
        if st[r["check"]] is None:
            r["status"] = "__drop__"
        else:
            r["status"] = st[r["check"]]
            r["detail"] = {"error": "connect: no answer"} if r["check"] in ("cql", "identity") else {}
            r.pop("rttMs", None)


def fault_dns(rng, docs, clusters):
    a, b = rng.sample(clusters, 2)
    st = rng.choice(["nxdomain", "refused", "servfail", "timeout"])
    for r in results(docs, lambda d, r: cl(d) == a and r["targetCluster"] == b and r["check"] == "dns"):
        r["status"] = st
        r["detail"].pop("answers", None)
        r.pop("rttMs", None)
    return f"dns {a} -> {b} {st}"


def fault_stale(rng, docs, targets):
    t = rng.choice(targets)
    for r in results(docs, lambda d, r: r["target"] == t and r["check"] == "dns"):
        r["status"] = "wrong-answer"
        r["detail"]["answers"] = r["address"].rsplit(".", 1)[0] + ".99"
        r["detail"]["error"] = "no answer is the address the topology declares"
    return f"stale record of {t} (from everywhere)"


def fault_not_cql(rng, docs, targets):
    t = rng.choice(targets)
    for r in results(docs, lambda d, r: r["target"] == t and r["check"] == "cql"):
        r["status"] = "not-cql"
        r["detail"] = {"error": "the first byte is not a CQL v3-v5 response version"}
    return f"not CQL on 9042 at {t} (from everywhere)"


def fault_port(rng, docs, clusters):
    a, b = rng.sample(clusters, 2)
    port = rng.choice([7000, 7001, 7199, 9042, 8080])
    reject = rng.random() < 0.5
    for r in results(docs, lambda d, r: cl(d) == a and r["targetCluster"] == b and
                     r["check"] == "tcp" and r["port"] == port):
        r.pop("rttMs", None)
        if reject:
            r["status"], r["detail"] = "rejected", {"icmpType": 3, "icmpCode": 13,
                                                    "icmpFrom": "10.100.0.1"}
        else:
            r["status"], r["detail"] = "filtered", {}
    return f"tcp/{port} {a} -> {b} {'rejected' if reject else 'dropped'}"


def fault_snat(rng, docs, clusters):
    a, b = rng.sample(clusters, 2)
    for r in results(docs, lambda d, r: cl(d) == a and r["targetCluster"] == b and r["check"] == "nat"):
        r["status"] = "snat"
        r["detail"]["seen"] = "10.1.0.10"
    return f"snat {a} -> {b}"


def fault_mtu(rng, docs, clusters):
    a, b = rng.sample(clusters, 2)
    for r in results(docs, lambda d, r: cl(d) == a and r["targetCluster"] == b and r["check"] == "mtu"):
        r["status"] = "blackhole"
        r["detail"] = {"largestWorking": 1400,
                       "error": "datagrams over 1400 bytes vanish without an ICMP answer"}
    return f"mtu black hole {a} -> {b}"


def fault_zone(rng, docs, clusters, where):
    b = rng.choice(clusters)
    zone = rng.choice(sorted({z for c, z in where.values() if c == b and z}))
    inzone = {n for n, (c, z) in where.items() if c == b and z == zone}
    # Targets share their zone's /24 with its probe.
    prefixes = {r["address"].rsplit(".", 1)[0] for r in results(docs, lambda d, r: r["target"] in inzone)}
    inzone |= {r["target"] for r in results(docs, lambda d, r: r["address"].rsplit(".", 1)[0] in prefixes)}
    for d in docs:
        for r in d["results"]:
            if cl(d) != b and r["target"] in inzone and r["check"] != "dns":
                cut_pair(r)
            elif d["probe"]["name"] in inzone and r["targetCluster"] != b and r["check"] != "dns":
                cut_pair(r)
    return f"zone {zone} of {b} cut off (both ways)"


def fault_lone(rng, docs):
    d = rng.choice(docs)
    r = rng.choice([r for r in d["results"] if r["check"] in ("tcp", "dns", "icmp", "cql")])
    r["status"] = {"tcp": "refused", "dns": "servfail", "icmp": "loss", "cql": "closed"}[r["check"]]
    r.pop("rttMs", None)
    return (f"one cell alone: {d['probe']['name']} -> {r['target']} {r['check']}"
            f"{'/' + str(r['port']) if r.get('port') else ''} {r['status']}")


def make_round(seed, docs, where):
    rng = random.Random(seed)
    docs = copy.deepcopy(docs)
    clusters = sorted({c for c, _ in where.values()})
    targets = sorted({r["target"] for r in results(docs, lambda d, r: True)} - {d["probe"]["name"] for d in docs})
    makers = [lambda: fault_dns(rng, docs, clusters), lambda: fault_stale(rng, docs, targets),
              lambda: fault_not_cql(rng, docs, targets), lambda: fault_port(rng, docs, clusters),
              lambda: fault_snat(rng, docs, clusters), lambda: fault_mtu(rng, docs, clusters),
              lambda: fault_zone(rng, docs, clusters, where), lambda: fault_lone(rng, docs)]
    faults = [rng.choice(makers)() for _ in range(rng.randint(1, 3))]
    for d in docs:
        d["results"] = [r for r in d["results"] if r["status"] != "__drop__"]
    return docs, faults


def run_round(reachmap, seed, docs, where, keep):
    docs, faults = make_round(seed, docs, where)
    tmp = keep or tempfile.mkdtemp(prefix="reachmap-property.")
    os.makedirs(tmp, exist_ok=True)
    files = []
    for d in docs:
        p = os.path.join(tmp, f"results-{d['probe']['name']}.json")
        json.dump(d, open(p, "w"))
        files.append(p)
    report = os.path.join(tmp, f"report-{seed}.json")
    rc = subprocess.run([reachmap, "analyze", "-t", os.path.join(BASE, "topology.yaml"),
                         "--format", "json", "-o", report] + files,
                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if rc.returncode not in (0, 1):
        print(f"FAIL seed {seed}: reachmap analyze exited {rc.returncode}: {rc.stderr.strip()}")
        return 1
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        bad = invariant.check_report(report, True)
    if bad:
        lines = out.getvalue().splitlines()
        print(f"FAIL seed {seed}: {'; '.join(faults)}")
        for ln in lines[:8]:
            print("     " + ln.replace(report + ": ", ""))
        if len(lines) > 8:
            print(f"     ... {len(lines) - 8} more")
    else:
        print(f"ok   seed {seed}: {'; '.join(faults)}")
    if not keep:
        for p in files + [report]:
            os.unlink(p)
        os.rmdir(tmp)
    return 1 if bad else 0


def main(argv):
    ap = argparse.ArgumentParser(description="issue 11's invariant on synthetic rounds")
    ap.add_argument("reachmap")
    ap.add_argument("--rounds", type=int, default=None, help="how many (default 40, 1 with --seed)")
    ap.add_argument("--seed", type=int, default=1, help="the first round's seed")
    ap.add_argument("--keep", metavar="DIR", help="keep the documents and reports in DIR")
    a = ap.parse_args(argv)
    rounds = a.rounds if a.rounds is not None else (1 if "--seed" in argv else 40)
    docs, where = load_base()
    bad = sum(run_round(a.reachmap, s, docs, where, a.keep) for s in range(a.seed, a.seed + rounds))
    print(f"invariant.property: {rounds - bad} of {rounds} synthetic rounds keep the invariant")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
