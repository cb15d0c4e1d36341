#!/usr/bin/python3
"""Checks for tests/lab/reliability.sh, on the lab's collector store (the
SQLite file, read-only) and the agents' logs.

usage:
  reliability_expect.py outage DB LABDIR KILLED STARTED WAIT_S
      every round an agent logged as started while the collector was down
      (between KILLED and STARTED) is in the store once; the agents' spools
      drained (spool=0) and lost nothing (lost=0). Waits up to WAIT_S for
      the spools to drain and the store to fill.
  address DB POD ADDRESS RECREATED INTERVAL WAIT_S
      every other probe's rounds that started more than two intervals
      (plus their 10% jitter) after RECREATED reach POD at ADDRESS, and at
      least one such round of each is in the store (waits up to WAIT_S).
Times are RFC 3339. Prints one `ok`/`FAIL` line per probe; exit 0 or 1."""
import datetime
import glob
import gzip
import json
import os
import re
import sqlite3
import sys
import time

ROUND = re.compile(r"^reachmap agent: round=(\d+) started=(\S+) .*pushed=(\d+)/(\d+) spool=(\d+) lost=(\d+)")


def when(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def second(text):
    """A round's identity: its start, to the second (the store keeps the
    document's own `started`, which may carry less precision than the log)."""
    return int(when(text))


def probes_in(labdir):
    """The lab's probe pods, from its state file (a target's agent takes no
    rounds: it serves, and pushes what arrived)."""
    with open(os.path.join(labdir, "state")) as f:
        return {w[1] for w in (line.split() for line in f) if len(w) > 4 and w[0] == "POD" and w[4] == "probe"}


def rounds_logged(labdir):
    """{agent: [(started, pushed, total, spool, lost)]} from the agents' logs."""
    out = {}
    for path in glob.glob(os.path.join(labdir, "agent-*.log")):
        name = os.path.basename(path)[len("agent-"):-len(".log")]
        with open(path, errors="replace") as f:
            for line in f:
                m = ROUND.match(line)
                if m:
                    out.setdefault(name, []).append((m.group(2), *map(int, m.group(3, 4, 5, 6))))
    return out


def store(db):
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    return con


def stored_rounds(db):
    """{probe: [started second, ...]} of the results documents (not arrivals)."""
    out = {}
    con = store(db)
    try:
        for probe, started in con.execute("SELECT probe, started FROM rounds WHERE arrivals = 0"):
            out.setdefault(probe, []).append(second(started))
    finally:
        con.close()
    return out


def outage(db, labdir, killed, started, wait_s):
    lo, hi = when(killed), when(started)
    probes = probes_in(labdir)
    deadline = time.monotonic() + wait_s
    while True:
        logged = rounds_logged(labdir)
        during = {a: [r for r in rs if lo <= when(r[0]) < hi] for a, rs in logged.items() if a in probes}
        stored = stored_rounds(db)
        missing = {a: [r[0] for r in rs if second(r[0]) not in stored.get(a, [])] for a, rs in during.items()}
        drained = all(rs[-1][3] == 0 for rs in logged.values() if rs)
        if (not any(missing.values()) and drained) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    bad = 0
    if not during or not any(during.values()):
        print("FAIL outage: no agent logged a round while the collector was down")
        return 1
    for a in sorted(during):
        rs, st = during[a], stored.get(a, [])
        twice = sorted({s for s in st if st.count(s) > 1})
        lost = max((r[4] for r in logged[a]), default=0)
        if not rs:
            print(f"FAIL outage: {a} logged no round while the collector was down")
            bad += 1
        elif missing[a] or twice or lost or logged[a][-1][3]:
            print(f"FAIL outage: {a}: {len(rs)} rounds during the outage, missing from the store: "
                  f"{missing[a]}; stored twice: {twice}; lost={lost}; spool={logged[a][-1][3]} now")
            bad += 1
        else:
            print(f"ok   outage: {a}: all {len(rs)} rounds taken while the collector was down are "
                  f"in the store, each once; its spool drained (spool=0, lost=0)")
    return 1 if bad else 0


def doc_of(blob, gz):
    return json.loads(gzip.decompress(blob) if gz else blob)


def addresses_after(db, pod, after):
    """{probe: [(started, {addresses to POD}, statuses)]} of rounds started after AFTER."""
    out = {}
    con = store(db)
    try:
        rows = con.execute("SELECT probe, started, gzip, doc FROM rounds WHERE arrivals = 0 AND probe != ?",
                           (pod,)).fetchall()
    finally:
        con.close()
    for probe, started, gz, blob in rows:
        if when(started) < after:
            continue
        rs = [r for r in doc_of(blob, gz).get("results", []) if r.get("target") == pod]
        out.setdefault(probe, []).append((started, {r.get("address") for r in rs},
                                          {r["status"] for r in rs if r["check"] == "tcp"}))
    return out


def probes_of(db):
    con = store(db)
    try:
        return {p for (p,) in con.execute("SELECT DISTINCT probe FROM rounds WHERE arrivals = 0")}
    finally:
        con.close()


def address(db, pod, addr, recreated, interval, wait_s):
    after = when(recreated) + 2 * interval * 1.1
    peers = probes_of(db) - {pod}
    deadline = time.monotonic() + wait_s
    while True:
        seen = addresses_after(db, pod, after)
        if set(seen) >= peers or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    bad = 0
    for p in sorted(peers):
        rounds = seen.get(p, [])
        wrong = [(s, sorted(a)) for s, a, _ in rounds if a != {addr}]
        closed = [(s, sorted(st)) for s, _, st in rounds if st - {"open"}]
        if not rounds:
            print(f"FAIL address: {p} has no round in the store that started two intervals after "
                  f"{pod} was re-created")
            bad += 1
        elif wrong or closed:
            print(f"FAIL address: {p}'s rounds two intervals after the re-creation do not all reach "
                  f"{pod} at {addr}: other addresses {wrong}, tcp not open {closed}")
            bad += 1
        else:
            print(f"ok   address: {p} reaches {pod} at {addr} (tcp open) in all {len(rounds)} rounds "
                  f"that started two intervals after it was re-created")
    return 1 if bad else 0


def main():
    a = sys.argv[1:]
    if len(a) == 6 and a[0] == "outage":
        return outage(a[1], a[2], a[3], a[4], float(a[5]))
    if len(a) == 7 and a[0] == "address":
        return address(a[1], a[2], a[3], a[4], float(a[5]), float(a[6]))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
