"""ctest collector.durability: 1,000 distinct rounds pushed by 32 threads
over keep-alive connections, the collector killed with SIGKILL after about
400 answers of 202. After a restart on the same SQLite file, every round
that got its 202 is stored exactly once, and pushing all 1,000 again stores
exactly the ones that were not.
    durability.py REACHMAP"""
import collections
import json
import os
import queue
import signal
import sqlite3
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import Collector, Failures, load, moved, source_dir  # noqa: E402

SCENARIO = "tests/fixtures/lab/firewall-drop"
PROBES = ("east-b-0", "east-c-0", "west-a-0", "west-b-0")
PUSHES = 1000
THREADS = 32
KILL_AFTER = 400
BUDGET_S = 90
F = Failures()


def rounds():
    """PUSHES distinct rounds: (probe, started, body), the probes taking turns."""
    docs = [load(f"{SCENARIO}/results-{p}.json") for p in PROBES]
    base = int(time.time()) - 2 * PUSHES
    out = []
    for i in range(PUSHES):
        doc = moved(docs[i % len(PROBES)], base + i)
        out.append((PROBES[i % len(PROBES)], doc["started"],
                    json.dumps(doc).encode()))
    return out


class Run:
    """One pass of the pushes: answers[i] is the push's JSON answer after a
    202, failed[i] what went wrong otherwise."""

    def __init__(self, c, batch, deadline, on_202=None):
        self.c, self.batch, self.deadline, self.on_202 = c, batch, deadline, on_202
        self.answers, self.failed = {}, {}
        self.lock = threading.Lock()
        self.todo = queue.Queue()
        for i in range(len(batch)):
            self.todo.put(i)

    def worker(self):
        conn = None
        while time.monotonic() < self.deadline:
            try:
                i = self.todo.get_nowait()
            except queue.Empty:
                break
            try:
                if conn is None:
                    conn = self.c.conn(timeout=20)
                st, answer = self.c.push(self.batch[i][2], conn=conn)
                err = None if st == 202 else f"{st} {answer}"
            except Exception as e:  # a reset, a timeout, a refused connection: all count
                st, answer, err = None, None, f"{type(e).__name__}: {e}"
                if conn is not None:
                    conn.close()
                conn = None
            with self.lock:
                if err is None:
                    self.answers[i] = answer
                    n = len(self.answers)
                else:
                    self.failed[i] = err
            if err is None and self.on_202 is not None:
                self.on_202(n)
        if conn is not None:
            conn.close()

    def go(self):
        threads = [threading.Thread(target=self.worker, daemon=True) for _ in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(max(0.0, self.deadline - time.monotonic()))
        F.check(all(not t.is_alive() for t in threads), "the pushing threads ended in time")
        return self


def stored(db):
    """{(probe, started): count} of the rounds table, the file opened read-only,
    and the largest count of one (probe, arrivals, started)."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        rows = con.execute("SELECT probe, started, COUNT(*) FROM rounds "
                           "WHERE arrivals = 0 GROUP BY probe, started").fetchall()
        dup = con.execute("SELECT COALESCE(MAX(n), 0) FROM (SELECT COUNT(*) AS n FROM rounds "
                          "GROUP BY probe, arrivals, started)").fetchone()[0]
    finally:
        con.close()
    return {(p, s): n for p, s, n in rows}, dup


def first_pass(binary, db, batch, deadline):
    c = Collector(binary, f"{SCENARIO}/topology.yaml", db, "--retain", "0", "--quiet")
    killed = threading.Event()

    def on_202(n):
        if n >= KILL_AFTER and not killed.is_set():
            killed.set()
            os.kill(c.proc.pid, signal.SIGKILL)

    try:
        c.start()
        t = time.monotonic()
        run = Run(c, batch, deadline, on_202).go()
        took = time.monotonic() - t
        c.proc.wait(10)
        F.equal(c.proc.returncode, -signal.SIGKILL, "the collector died of SIGKILL")
    finally:
        c.kill()
    F.check(killed.is_set(), f"{KILL_AFTER} pushes got 202 before the kill")
    F.check(all(a.get("stored") is True for a in run.answers.values()),
            "every first push of a distinct round answered stored: true")
    kinds = collections.Counter(e.split(":")[0] for e in run.failed.values())
    print(f"before the kill: {len(run.answers)} pushes got 202, {len(run.failed)} failed "
          f"({took:.1f} s; {', '.join(f'{n} {k}' for k, n in kinds.most_common())})")
    return run


def second_pass(binary, db, batch, acked, deadline):
    with Collector(binary, f"{SCENARIO}/topology.yaml", db, "--retain", "0", "--quiet") as c:
        have, dup = stored(db)
        F.equal(dup, 1, "the most rows of one (probe, arrivals, started)")
        missing = [i for i in acked if have.get(batch[i][:2]) != 1]
        F.equal(missing, [], "pushes answered 202 and not stored exactly once")
        before = {i for i in range(PUSHES) if batch[i][:2] in have}
        t = time.monotonic()
        run = Run(c, batch, deadline).go()
        took = time.monotonic() - t
        F.equal(run.failed, {}, "pushes after the restart that failed")
        wrong = [i for i, a in run.answers.items() if a.get("stored") is (i in before)]
        F.equal(wrong, [], "pushes again whose 'stored' is not (not stored before)")
        have, dup = stored(db)
        F.equal(sum(have.get(r[:2], 0) for r in batch), PUSHES, "rounds stored in the end")
        F.equal(dup, 1, "the most rows of one (probe, arrivals, started) in the end")
        print(f"after the restart: {len(before)} rounds were stored ({len(before) - len(acked)}"
              f" of them without a 202), pushing all again stored "
              f"{sum(1 for a in run.answers.values() if a.get('stored'))} ({took:.1f} s)")


def main():
    binary = os.path.abspath(sys.argv[1])
    os.chdir(source_dir())
    deadline = time.monotonic() + BUDGET_S
    batch = rounds()
    F.equal(len({r[:2] for r in batch}), PUSHES, "distinct (probe, started)")
    with tempfile.TemporaryDirectory(prefix="collector-durability.") as tmp:
        db = f"{tmp}/collector.db"
        run = first_pass(binary, db, batch, deadline)
        second_pass(binary, db, batch, set(run.answers), deadline)
    left = deadline - time.monotonic()
    F.check(left > 0, f"the test took longer than {BUDGET_S} s")
    print(f"collector.durability: {F.checks - F.n} checks passed, {F.n} failed "
          f"({BUDGET_S - left:.1f} s)")
    return 1 if F.n else 0


if __name__ == "__main__":
    sys.exit(main())
