"""ctest agent.loopback: `reachmap agent` on this host's loopback (the
loopback topology, --allow-loopback, no root needed) at --interval 1.

  1. With a real collector: one line per round, every interval, each
     round's results and arrivals stored; it registers and reads the
     peers (a peer's address from the collector reaches the resolver).
  2. The collector killed with SIGKILL for a few intervals, then started
     again on its database: every round taken meanwhile arrives from the
     spool, each stored once.
  3. A collector answering 500 and one that hangs: the rounds go on, the
     agent's memory stays flat, each spool stays at --spool-max rounds
     with the rest counted lost, a push says "lost"; SIGTERM while a push
     hangs ends it within 2 s, exit 0, the spool on disk.
  4. A target of the topology only serves and pushes its arrivals.
    agent.py REACHMAP"""
import gzip
import http.server
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "collector"))
from common import Collector, Failures, source_dir  # noqa: E402

TOPOLOGY = os.path.join(source_dir(), "tests/fixtures/loopback.yaml")
ROUND = re.compile(r"^reachmap agent: round=(\d+) started=(\S+) duration_ms=(\d+) "
                   r"results=(\d+) arrivals=(\d+) pushed=(\d+)/(\d+) spool=(\d+) lost=(\d+)"
                   r"( packets=\d+ rate=\S+ over=yes)?$")
READY = re.compile(r"^reachmap agent: ready: \d+ listeners, interval 1 s, (\d+) collector\(s\)$")
STOPPED = re.compile(r"^reachmap agent: stopped: (\d+) document\(s\) in the spool, "
                     r"(\d+) lost round\(s\) not yet told$")
F = Failures()


def free_port():
    """A port free for both TCP and UDP on every address (the responder's)."""
    for _ in range(50):
        t = socket.socket()
        t.bind(("0.0.0.0", 0))
        port = t.getsockname()[1]
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            u.bind(("0.0.0.0", port))
            return port
        except OSError:
            continue
        finally:
            t.close()
            u.close()
    raise RuntimeError("no free port")


class Agent:
    """`reachmap agent` as a child; its standard error read by a thread,
    each round line parsed with the time it came."""

    def __init__(self, binary, spool, collectors, port, *extra, name="here", env=None):
        self.argv = [binary, "agent", "--topology", TOPOLOGY, "--cluster", "local",
                     "--name", name, "--interval", "1", "--spool", spool,
                     "--allow-loopback", "--port", str(port), *extra]
        for c in collectors:
            self.argv += ["--collector", c]
        self.lines, self.rounds = [], []
        self.env = env or {}
        self.proc = None
        self.lock = threading.Lock()

    def start(self):
        # Only sanitizer builds read this: ASan's quarantine of freed memory
        # would otherwise look like growth in the RSS check.
        env = dict(os.environ, ASAN_OPTIONS="quarantine_size_mb=1:detect_leaks=1", **self.env)
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE, text=True, errors="replace", env=env)
        threading.Thread(target=self._drain, daemon=True).start()
        return self

    def _drain(self):
        for line in self.proc.stderr:
            line = line.rstrip("\n")
            with self.lock:
                self.lines.append(line)
                m = ROUND.match(line)
                if m:
                    self.rounds.append((time.monotonic(), m))

    def wait_for(self, what, timeout):
        """Waits until what() is true (bounded); its last value."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                v = what()
            if v or self.proc.poll() is not None:
                return v
            time.sleep(0.05)
        with self.lock:
            return what()

    def wait_rounds(self, n, timeout):
        return self.wait_for(lambda: len(self.rounds) >= n, timeout)

    def has_line(self, pattern):
        r = re.compile(pattern)
        return any(r.search(x) for x in self.lines)

    def rss_kb(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return -1

    def stop(self):
        """SIGTERM: (exit code, seconds to exit); SIGKILL after 10 s."""
        t0 = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
            code = None
        time.sleep(0.1)  # the drain thread takes the last lines
        return code, time.monotonic() - t0

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def tail(self):
        return "\n".join(self.lines[-15:])


def collector_on(binary, db, port):
    c = Collector(binary, TOPOLOGY, db, "--interval", "1", "--retain", "0")
    c.argv[c.argv.index("127.0.0.1:0")] = f"127.0.0.1:{port}"
    return c


def stored(db):
    """{(arrivals, started)} of probe here's stored documents, and the rows."""
    with sqlite3.connect(db) as con:
        rows = con.execute("SELECT arrivals, started FROM rounds WHERE probe = 'here'").fetchall()
    return set(rows), len(rows)


def spool_files(spool):
    """{directory: [file names of documents]} under the agent's spool."""
    out = {}
    for d in sorted(os.listdir(spool)):
        out[d] = sorted(f for f in os.listdir(os.path.join(spool, d)) if f.endswith(".json"))
    return out


def round_fields(m):
    n, started, dur, res, arr, ok, total, spool, lost, over = m.groups()
    return dict(n=int(n), started=started, duration=int(dur), results=int(res),
                arrivals=int(arr), ok=int(ok), total=int(total), spool=int(spool),
                lost=int(lost), over=over)


# ---- 1 and 2: a real collector, then killed ------------------------------------

def live_collector(binary, tmp):
    port, rport = free_port(), free_port()
    db = os.path.join(tmp, "collector.db")
    spool = os.path.join(tmp, "spool-live")
    c = collector_on(binary, db, port).start()
    a = Agent(binary, spool, [f"http://127.0.0.1:{port}"], rport).start()
    try:
        F.check(a.wait_for(lambda: any(READY.match(x) for x in a.lines), 15),
                f"a ready line within 15 s:\n{a.tail()}")
        F.check(a.wait_rounds(5, 15), f"5 rounds within 15 s:\n{a.tail()}")
        every_interval(a)
        peers(a, c)
        in_use(binary, tmp, spool, port, rport)
        outage(binary, a, c, db, port)
    finally:
        a.kill()
        c.stop()
        c.kill()


def every_interval(a):
    with a.lock:
        rounds = [(t, round_fields(m)) for t, m in a.rounds]
    F.equal([r["n"] for _, r in rounds], list(range(1, len(rounds) + 1)), "rounds numbered 1, 2, ...")
    starts = [time.mktime(time.strptime(r["started"], "%Y-%m-%dT%H:%M:%SZ")) for _, r in rounds]
    steps = [b - s for s, b in zip(starts, starts[1:])]
    F.check(all(s in (1, 2) for s in steps), f"each round starts 1 or 2 s after the last: {steps}")
    gaps = [b - s for (s, _), (b, _) in zip(rounds, rounds[1:])]
    F.check(0.85 <= sum(gaps) / len(gaps) <= 1.3, f"a line every interval (mean of {gaps})")
    # A round's line waits for its pushes until the next round is due (250
    # ms at least): on a loaded machine at --interval 1 a document may still
    # be on its way then, counted in "spool" (CI saw ok 1, spool 1 once).
    for _, r in rounds:
        F.check(r["total"] == 2 and r["ok"] + r["spool"] == 2 and r["lost"] == 0
                and r["results"] > 0 and r["duration"] < 1500,
                f"round {r['n']} pushed both documents or has the rest on its way: {r}")
    F.check(any(r["ok"] == 2 and r["spool"] == 0 for _, r in rounds),
            f"a round with both documents pushed by its line: {[r for _, r in rounds]}")


def peers(a, c):
    listed = {p["name"]: p for p in c.get_json("/v1/peers")["peers"]}
    F.check("here" in listed and listed["here"]["addresses"] == ["127.0.0.1"]
            and listed["here"]["cluster"] == "local",
            f"the agent registered as here, local, 127.0.0.1: {listed}")
    F.check(a.has_line(r"^reachmap agent: registered with http://127\.0\.0\.1:\d+ as 127\.0\.0\.1$"),
            "and said so")
    # A registration of the target at another address reaches the agent's
    # address table through GET /v1/peers, which refuses it (loopback is
    # never a learned address) with a note.
    st, _, body = c.request("POST", "/v1/register", {
        "schema": "reachmap.register/v1", "name": "there", "cluster": "local",
        "addresses": ["127.0.0.3"]})
    F.equal(st, 200, f"register there: {body!r}")
    note = (r"^reachmap agent: note: there \(local\): the address 127\.0\.0\.3 it was given "
            r"is not probed: ")
    F.check(a.wait_for(lambda: a.has_line(note), 6),
            f"the agent read the peers and its table refused 127.0.0.3:\n{a.tail()}")


def in_use(binary, tmp, spool, port, rport):
    """A second agent on the first one's spool, or on its responder's port:
    exit 3, saying which."""
    url = f"http://127.0.0.1:{port}"
    b = Agent(binary, spool, [url], free_port()).start()
    code = b.proc.wait(10)
    F.equal(code, 3, "a spool in use: exit 3")
    F.check(b.has_line(r"^reachmap agent: .*/spool-live/127\.0\.0\.1_\d+-[0-9a-f]{8}: in use by "
                       r"another reachmap agent \(give each its own --spool\)$"),
            f"and says so: {b.tail()}")
    b = Agent(binary, os.path.join(tmp, "spool-second"), [url], rport).start()
    code = b.proc.wait(10)
    F.equal(code, 3, "the responder's port in use: exit 3")
    F.check(b.has_line(rf"^reachmap agent: cannot open the responder's port {rport}: "
                       r"Address already in use$"), f"and says so: {b.tail()}")


def outage(binary, a, c, db, port):
    """SIGKILL for about four intervals, then the same database again."""
    with a.lock:
        before = len(a.rounds)
    c.kill()
    F.check(a.wait_rounds(before + 4, 10), f"rounds go on without the collector:\n{a.tail()}")
    with a.lock:
        during = [round_fields(m) for _, m in a.rounds[before + 1:before + 4]]
    F.check(all(r["ok"] == 0 for r in during), f"nothing pushed while it is down: {during}")
    F.check([r["spool"] for r in during] == sorted(r["spool"] for r in during)
            and during[-1]["spool"] >= 6, f"the spool grows: {[r['spool'] for r in during]}")
    c2 = collector_on(binary, db, port).start()
    try:
        drained = a.wait_for(lambda: round_fields(a.rounds[-1][1])["spool"] == 0
                             and len(a.rounds) > before + 5, 30)
        F.check(drained, f"the spool drained within 30 s of the restart:\n{a.tail()}")
        # Every round up to the line that says the spool is empty was
        # acknowledged; later ones may be on their way when SIGTERM comes.
        with a.lock:
            taken = {round_fields(m)["started"] for _, m in a.rounds}
        code, took = a.stop()
        F.equal(code, 0, "SIGTERM: exit 0")
        F.check(took < 2, f"SIGTERM: gone in {took:.2f} s")
        with a.lock:
            later = {round_fields(m)["started"] for _, m in a.rounds} - taken
        want = {(k, s) for s in taken for k in (0, 1)}
        got, rows = stored(db)
        F.check(want <= got, f"every round taken is stored; missing {sorted(want - got)}")
        F.equal(rows, len(got), "none twice")
        F.equal({x for x in got - want if x[1] not in later}, set(), "and nothing else")
        with sqlite3.connect(db) as con:
            docs = [json.loads(gzip.decompress(d) if z else d) for z, d in
                    con.execute("SELECT gzip, doc FROM rounds WHERE probe = 'here'")]
        schema_valid(docs)
        F.check({"mode" in d for d in docs} == {True, False}
                and all(("mode" in d) == bool(d["results"]) for d in docs),
                "rounds (mode, results) and arrivals documents (neither) stored")
        # Root: raw mode, CAP_NET_RAW (bit 13) alone kept; otherwise connect
        # mode and none.
        want = ("raw", "0000000000002000") if os.geteuid() == 0 else ("connect", "0" * 16)
        caps = {(d["mode"], d["facts"].get("capEff")) for d in docs if "mode" in d}
        F.equal(caps, {want}, "the mode and the capabilities kept")
        dup = sum("outcome=duplicate" in x for x in c.lines + c2.lines)
        F.check(dup <= 2, f"at most the round in flight at the kill pushed twice ({dup})")
    finally:
        c2.stop()
        c2.kill()


def lost_told(binary, tmp):
    """A spool of 2 rounds through an outage of 5: the rounds dropped are
    told to the collector by the next push, which logs and counts them."""
    port = free_port()
    db = os.path.join(tmp, "lost.db")
    c = collector_on(binary, db, port).start()
    a = Agent(binary, os.path.join(tmp, "spool-lost"), [f"http://127.0.0.1:{port}"],
              free_port(), "--spool-max", "2").start()
    c2 = None
    try:
        F.check(a.wait_rounds(2, 10), f"2 rounds within 10 s:\n{a.tail()}")
        c.kill()
        n = len(a.rounds)
        F.check(a.wait_rounds(n + 5, 10), f"5 rounds without the collector:\n{a.tail()}")
        with a.lock:
            lost = round_fields(a.rounds[-1][1])["lost"]
        F.check(lost >= 2, f"rounds lost beyond the 2 the spool keeps: {lost}")
        c2 = collector_on(binary, db, port).start()
        F.check(a.wait_for(lambda: (lambda r: r["spool"] == 0 and r["lost"] == 0)(
            round_fields(a.rounds[-1][1])), 30), f"told, and the spool drained:\n{a.tail()}")
        # Up to this line every round was stored or told lost.
        with a.lock:
            taken = {round_fields(m)["started"] for _, m in a.rounds}
        a.stop()
        got, _ = stored(db)
        kept = {s for k, s in got if k == 0 and s in taken}
        told = [int(x) for line in c2.lines for x in re.findall(r" lost=(\d+)$", line)]
        F.equal(sum(told), len(taken - kept), f"the collector was told of every round lost {told}")
        metrics = c2.request("GET", "/metrics")[2].decode()
        F.check(f"reachmap_collector_rounds_lost_total {sum(told)}\n" in metrics,
                "and counts them in reachmap_collector_rounds_lost_total")
    finally:
        a.kill()
        for x in (c, c2):
            if x is not None:
                x.stop()
                x.kill()


# ---- 3: a collector answering 500, one that hangs -------------------------------

class Answer500(http.server.BaseHTTPRequestHandler):
    """Reads every request whole and answers 500; keeps the bodies pushed."""
    bodies = []

    def do_POST(self):
        data = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.headers.get("Content-Encoding") == "gzip":
            data = gzip.decompress(data)
        if self.path == "/v1/results":
            Answer500.bodies.append(json.loads(data))
        self.fail()

    def do_GET(self):
        self.fail()

    def fail(self):
        body = b'{"error": "the store is on fire"}\n'
        self.send_response(500)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Hang:
    """Accepts, reads what comes, never answers; counts the requests that
    wait on open connections, by path."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.waiting = {}  # connection -> path of the request it sent
        self.lock = threading.Lock()
        self.done = False
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while not self.done:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.hold, args=(conn,), daemon=True).start()

    def hold(self, conn):
        conn.settimeout(0.2)
        data = b""
        while not self.done:
            try:
                chunk = conn.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                break
            if not chunk:
                break
            data += chunk
            m = re.match(rb"(GET|POST) (\S+) ", data)
            if m:
                with self.lock:
                    self.waiting[conn] = m.group(2).decode()
        with self.lock:
            self.waiting.pop(conn, None)
        conn.close()

    def pushes_waiting(self):
        with self.lock:
            return sum(p == "/v1/results" for p in self.waiting.values())

    def close(self):
        self.done = True
        self.sock.close()


def failing_collectors(binary, tmp):
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Answer500)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    hang = Hang()
    spool = os.path.join(tmp, "spool-failing")
    a = Agent(binary, spool, [f"http://127.0.0.1:{srv.server_address[1]}",
                              f"http://127.0.0.1:{hang.port}"], free_port(),
              "--spool-max", "5").start()
    try:
        F.check(a.wait_rounds(8, 20), f"8 rounds within 20 s:\n{a.tail()}")
        # The RSS at each round from 8 to 22: it dips by ~8.7 MB now and
        # then, when a large block goes back to the system between rounds
        # (34172 kB at round 11, 42832 and 42852 beside it), so one sample
        # at round 8 against one at 22 failed by chance in make check. The
        # highest of rounds 15-22 against the highest of 8-14: a leak
        # raises it, a dip does not.
        rss = {}
        for n in range(8, 23):
            F.check(a.wait_rounds(n, 10), f"round {n} within 10 s:\n{a.tail()}")
            rss[n] = a.rss_kb()
        print(f"agent RSS by round: {rss}", flush=True)
        early = max(rss[n] for n in range(8, 15))
        late = max(rss[n] for n in range(15, 23))
        F.check(late - early < 2048, f"RSS flat over 14 rounds (highest of rounds "
                f"8-14 {early} kB, of 15-22 {late} kB): {rss}")
        spool_bounded(a, spool)
        F.check(any(b.get("lost", 0) >= 1 for b in Answer500.bodies),
                "a push after the spool dropped rounds says \"lost\": "
                f"{[b.get('lost') for b in Answer500.bodies]}")
        schema_valid(Answer500.bodies)
        # Attempts there are 5 s each (the client's timeout), 1 s to 60 s
        # apart: within 30 s one is a push.
        F.check(a.wait_for(lambda: hang.pushes_waiting() > 0, 30),
                "a push hangs at the second collector")
        code, took = a.stop()
        F.equal(code, 0, "SIGTERM while a push hangs: exit 0")
        F.check(took < 2, f"SIGTERM while a push hangs: gone in {took:.2f} s")
        stopped = [STOPPED.match(x) for x in a.lines if STOPPED.match(x)]
        files = spool_files(spool)
        F.check(len(stopped) == 1 and int(stopped[0].group(1)) ==
                sum(len(v) for v in files.values()),
                f"the spool is on disk as the last line says: {a.tail()} {files}")
    finally:
        a.kill()
        srv.shutdown()
        hang.close()


def schema_valid(bodies):
    """Every document pushed, "lost" or not, is a valid reachmap.results/v1."""
    try:
        import jsonschema
    except ImportError:
        print("note: python3-jsonschema missing; pushed documents not validated", flush=True)
        return
    with open(os.path.join(source_dir(), "report/schema/reachmap.results.v1.json")) as f:
        schema = json.load(f)
    bad = []
    for b in bodies:
        try:
            jsonschema.validate(b, schema)
        except jsonschema.ValidationError as e:
            bad.append(e.message)
    F.check(bodies and not bad,
            f"{len(bodies)} pushed documents valid against the schema: {bad[:3]}")


def spool_bounded(a, spool):
    with a.lock:
        rounds = [round_fields(m) for _, m in a.rounds]
    F.check(all(r["ok"] == 0 and r["total"] == 4 for r in rounds),
            "nothing pushed, two documents to each of two collectors")
    for r in rounds[10:]:
        F.check(r["spool"] <= 20,
                f"round {r['n']}: at most 5 rounds of 2 documents per collector: {r}")
        F.check(2 * (r["n"] - 6) <= r["lost"] <= 2 * (r["n"] - 5),
                f"round {r['n']}: the rounds beyond 5 per collector are lost: {r['lost']}")
    F.equal(rounds[-1]["spool"], 20, "the spools full: 5 rounds of 2 documents each")
    files = spool_files(spool)
    F.equal(len(files), 2, "a spool directory per collector")
    for d, names in files.items():
        F.check(len({n.split("-")[0] for n in names}) <= 5 and len(names) <= 10,
                f"{d}: at most 5 rounds on disk: {names}")
        with open(os.path.join(spool, d, "lost")) as f:
            F.check(int(f.read()) >= rounds[-1]["n"] - 6, f"{d}: its lost counter on disk")


class Answer400(http.server.BaseHTTPRequestHandler):
    """A collector that takes registrations and lists no peers, and refuses
    every document for good (400)."""
    posted = []

    def do_POST(self):
        data = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.headers.get("Content-Encoding") == "gzip":
            data = gzip.decompress(data)
        if self.path == "/v1/results":
            d = json.loads(data)
            Answer400.posted.append((d["started"], "mode" in d))
            self.answer(400, b'{"error": "body: results[0]: \\"maybe\\" is not a tcp status"}\n')
        else:
            self.answer(200, b'{"registered": true}\n')

    def do_GET(self):
        self.answer(200, b'{"schema": "reachmap.peers/v1", "peers": []}\n')

    def answer(self, code, body):
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def refused(binary, tmp):
    """400: the document will never be accepted: dropped with a line, never
    retried, never spooled."""
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Answer400)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{srv.server_address[1]}"
    a = Agent(binary, os.path.join(tmp, "spool-400"), [url], free_port()).start()
    try:
        F.check(a.wait_rounds(3, 10), f"3 rounds within 10 s:\n{a.tail()}")
        a.stop()
        with a.lock:
            rounds = [round_fields(m) for _, m in a.rounds]
        F.check(all(r["ok"] == 0 and r["spool"] == 0 and r["lost"] == 0 for r in rounds),
                f"nothing pushed, nothing spooled: {rounds}")
        line = (rf"^reachmap agent: {re.escape(url)}/v1/results refused a round's results "
                r'document for good \(400 body: results\[0\]: "maybe" is not a tcp status\); '
                r"dropped$")
        F.check(a.has_line(line), f"a line says which and why:\n{a.tail()}")
        F.equal(len(Answer400.posted), len(set(Answer400.posted)), "none pushed twice")
        F.check(len(Answer400.posted) >= 2 * len(rounds) - 2, "each pushed once")
    finally:
        a.kill()
        srv.shutdown()


# ---- 4: a target only serves -----------------------------------------------------

def target_only(binary, tmp):
    port = free_port()
    db = os.path.join(tmp, "target.db")
    c = collector_on(binary, db, port).start()
    a = Agent(binary, os.path.join(tmp, "spool-target"), [f"http://127.0.0.1:{port}"],
              free_port(), name="there", env={"POD_IP": "127.0.0.2"}).start()
    try:
        F.check(a.wait_rounds(3, 10), f"a target's agent: 3 lines within 10 s:\n{a.tail()}")
        with a.lock:
            rounds = [round_fields(m) for _, m in a.rounds]
        F.check(all(r["results"] == 0 and r["ok"] == 1 and r["total"] == 1 for r in rounds),
                f"a target pushes its arrivals alone: {rounds}")
        code, _ = a.stop()
        F.equal(code, 0, "the target's agent: exit 0")
        with sqlite3.connect(db) as con:
            kinds = con.execute("SELECT arrivals, count(*) FROM rounds WHERE probe = 'there'"
                                " GROUP BY arrivals").fetchall()
        F.check(len(kinds) == 1 and kinds[0][0] == 1 and kinds[0][1] >= 3,
                f"the collector has its arrivals and no round: {kinds}")
        listed = {p["name"]: p for p in c.get_json("/v1/peers")["peers"]}
        F.check("there" in listed and listed["there"]["addresses"] == ["127.0.0.2"],
                f"registered with POD_IP's address: {listed}")
    finally:
        a.kill()
        c.stop()
        c.kill()


def main():
    binary = os.path.abspath(sys.argv[1])
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="agent-test-") as tmp:
        for part in (live_collector, lost_told, failing_collectors, refused, target_only):
            t = time.monotonic()
            part(binary, tmp)
            print(f"{part.__name__}: {time.monotonic() - t:.1f} s", flush=True)
    print(f"agent.loopback: {F.checks - F.n} of {F.checks} checks passed in "
          f"{time.monotonic() - t0:.0f} s", flush=True)
    return 1 if F.n else 0


if __name__ == "__main__":
    sys.exit(main())
