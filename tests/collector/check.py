"""ctest collector.check: `reachmap check` against real collectors on
127.0.0.1, fed the recorded lab rounds re-stamped to start after check
did. What a user sees is asserted: check's standard output is exactly
`reachmap analyze --format text` of the same documents, its exit code
analyze's, its JUnit analyze's and its JSON analyze's (but the command);
a probe that never pushes is probe-missing saying since when check
waited; no collector at all is exit 3 naming each URL and its reason; one
collector down and another up is a note and the verdict of the one up;
the waiting is said once per change, never once per poll.
    check.py REACHMAP"""
import datetime
import fcntl
import glob
import json
import os
import pty
import re
import select
import socket
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import Collector, Failures, gzipped, load, rfc3339, source_dir  # noqa: E402

LAB = "tests/fixtures/lab"
EPOCH = "1795510800"  # SOURCE_DATE_EPOCH: check's and analyze's "generated" alike
RUN_TIMEOUT_S = 60
TICK_WAIT_S = 20
SCENARIOS_BUDGET_S = 180
F = Failures()


def seconds(t):
    return datetime.datetime.strptime(t, "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()


def stamped(scenario, base, out):
    """The scenario's documents moved to `base` (s since the epoch): each
    round starts then and lasts as recorded; each arrivals document spans
    from a second before to a second after the longest round, so it covers
    them all. Written to out; [(path, doc)], rounds then arrivals, each by
    name: the order check analyzes them in."""
    files = (sorted(glob.glob(f"{LAB}/{scenario}/results-*.json"))
             + sorted(glob.glob(f"{LAB}/{scenario}/arrivals-*.json")))
    docs = [(os.path.join(out, os.path.basename(f)), load(f)) for f in files]
    longest = max((seconds(d["finished"]) - seconds(d["started"]) for _, d in docs
                   if "mode" in d), default=0)
    for path, d in docs:
        if "mode" in d:
            took = seconds(d["finished"]) - seconds(d["started"])
            d["started"], d["finished"] = rfc3339(base), rfc3339(base + took)
        else:
            d["started"], d["finished"] = rfc3339(base - 1), rfc3339(base + longest + 1)
        with open(path, "w", encoding="utf-8") as f:
            json.dump(d, f, indent=2)
    return docs


def run(argv, timeout=RUN_TIMEOUT_S):
    env = dict(os.environ, SOURCE_DATE_EPOCH=EPOCH)
    r = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout,
                       env=env, text=True)
    return r.returncode, r.stdout, r.stderr


def analyze(binary, topology, paths, fmt):
    return run([binary, "analyze", "--topology", topology, *paths, "--format", fmt])


def push_all(c, docs, what):
    conn = c.conn()
    for i, (path, d) in enumerate(docs):
        # every other one gzip-compressed, as agents send them
        st = c.push(gzipped(d), {"Content-Encoding": "gzip"}, conn) if i % 2 else \
            c.push(d, conn=conn)
        F.equal(st[0], 202, f"{what}: push {os.path.basename(path)}: {st[1]}")
    conn.close()


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def same_as_analyze(binary, name, topology, docs, got, junit, report):
    """check's outcome (rc, stdout, stderr), its JUnit and JSON files,
    against analyze of the same documents."""
    paths = [p for p, _ in docs]
    rc, text, err = analyze(binary, topology, paths, "text")
    F.equal(got[0], rc, f"{name}: check's exit code is analyze's ({got[2].strip()[-300:]})")
    F.equal(got[1], text, f"{name}: check's standard output is analyze's text")
    if junit is not None:
        _, want, _ = analyze(binary, topology, paths, "junit")
        with open(junit, encoding="utf-8") as f:
            F.equal(f.read(), want, f"{name}: --junit is analyze's JUnit")
        ET.parse(junit)
    if report is not None:
        _, want, _ = analyze(binary, topology, paths, "json")
        with open(report, encoding="utf-8") as f:
            got_json = json.load(f)
        F.equal(got_json["generator"]["command"], "check", f"{name}: --json: generator")
        got_json["generator"]["command"] = "analyze"
        F.equal(got_json, json.loads(want), f"{name}: --json is analyze's report")
    return rc


def scenarios(binary, tmp):
    """Every recorded scenario: pushed (newer than check's start), then
    checked at once."""
    started = time.monotonic()
    names = sorted(os.path.basename(os.path.dirname(d))
                   for d in glob.glob(f"{LAB}/*/topology.yaml"))
    F.check(len(names) >= 10, f"the recorded lab scenarios: {names}")
    for name in names:
        out = f"{tmp}/{name}"
        os.makedirs(out)
        topology = f"{LAB}/{name}/topology.yaml"
        with Collector(binary, topology, f"{out}/c.db", "--quiet") as c:
            # ten seconds ahead: check starts before the rounds do, even
            # on a loaded machine (two were not enough once in CI:
            # three-dc's rounds started a second before check did)
            docs = stamped(name, int(time.time()) + 10, out)
            push_all(c, docs, name)
            t0 = time.monotonic()
            got = run([binary, "check", "--topology", topology, "--collector",
                       f"http://127.0.0.1:{c.port}", "--wait", "20", "--junit",
                       f"{out}/check.xml", "--json", f"{out}/check.json"])
            took = time.monotonic() - t0
        rc = same_as_analyze(binary, name, topology, docs, got, f"{out}/check.xml",
                             f"{out}/check.json")
        F.check(took < 15, f"{name}: check took {took:.1f} s with every round in")
        F.check("every probe sent a round since check started" in got[2],
                f"{name}: check says it has every round: {got[2]!r}")
        print(f"ok   {name}: exit {rc}, the text, JUnit and JSON of analyze ({took:.1f} s)",
              flush=True)
    took = time.monotonic() - started
    F.check(took < SCENARIOS_BUDGET_S, f"the scenarios took {took:.1f} s (budget "
            f"{SCENARIOS_BUDGET_S} s)")


def waiting(binary, tmp):
    """check started first; the rounds come while it waits: it says what
    is missing once per change (not a terminal), then the verdict."""
    name = "firewall-drop"
    out = f"{tmp}/waiting"
    os.makedirs(out)
    topology = f"{LAB}/{name}/topology.yaml"
    with Collector(binary, topology, f"{out}/c.db", "--quiet") as c:
        env = dict(os.environ, SOURCE_DATE_EPOCH=EPOCH)
        proc = subprocess.Popen([binary, "check", "-t", topology, "-c",
                                 f"http://127.0.0.1:{c.port}", "--wait", "30"],
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=env, text=True)
        said = []
        result = {}

        def read_stderr():
            for ln in proc.stderr:
                said.append(ln)

        def read_stdout():
            result["stdout"] = proc.stdout.read()
        readers = [threading.Thread(target=read_stderr), threading.Thread(target=read_stdout)]
        for th in readers:
            th.start()

        def until(text):
            # Each push waits for check to have said the previous change
            # (bounded): on a loaded machine fixed sleeps raced check's
            # start and its polls.
            deadline = time.monotonic() + TICK_WAIT_S
            while not any(text in ln for ln in said) and time.monotonic() < deadline:
                time.sleep(0.1)
        until("waiting for 4 of 4 probes")
        docs = stamped(name, int(time.time()) + 1, out)
        west = [d for d in docs if "west" in os.path.basename(d[0])]
        push_all(c, west, "waiting: west")
        until("waiting for 2 of 4 probes: east-b-0, east-c-0")
        push_all(c, [d for d in docs if d not in west], "waiting: east")
        for th in readers:
            th.join(RUN_TIMEOUT_S)
        proc.wait(RUN_TIMEOUT_S)
        result["got"] = (proc.returncode, result.get("stdout", ""), "".join(said))
    got = result.get("got", (None, "", "check did not end"))
    same_as_analyze(binary, "waiting", topology, docs, got, None, None)
    lines = got[2].splitlines()
    F.check(len(lines) >= 3, f"waiting: at least three lines: {lines}")
    F.equal(lines[:1], ["reachmap check: waiting for 4 of 4 probes: east-b-0, east-c-0, "
                        "west-a-0, west-b-0"], "waiting: first, every probe missing")
    # West's two rounds and then east's two are each pushed one after the
    # other: on a loaded machine a poll may fall between the two of a
    # cluster, which is one more change, said once. What is said is each
    # time a smaller set; east is pushed only once west's line was said.
    sets = []
    for ln in lines[:-1]:
        m = re.fullmatch(r"reachmap check: waiting for (\d) of 4 probes: (.*)", ln)
        F.check(m is not None, f"waiting: a waiting line: {ln!r}")
        if m:
            names = m.group(2).split(", ")
            F.equal(int(m.group(1)), len(names), f"waiting: the count of {ln!r}")
            sets.append(set(names))
    F.check(all(b < a for a, b in zip(sets, sets[1:])),
            f"waiting: a line per change, each missing fewer: {lines}")
    F.check({"east-b-0", "east-c-0"} in sets, f"waiting: west in, east missing: {lines}")
    F.check(lines[-1].startswith(
        "reachmap check: every probe sent a round since check started (after "),
        f"waiting: then that every probe is in, nothing else: {lines}")


def waiting_clocks(err):
    """The clocks of the rewritten every-probe-missing line in ERR (bytes)."""
    return re.findall(rb"\r\x1b\[Kreachmap check: waiting for 4 of 4 probes: east-b-0, "
                      rb"east-c-0, west-a-0, west-b-0 \((\d+) s\)", err)


def terminal(binary, tmp):
    """On a terminal the waiting is one line rewritten in place, its clock
    ticking; it is cleared before the verdict."""
    name = "clean"
    out = f"{tmp}/terminal"
    os.makedirs(out)
    topology = f"{LAB}/{name}/topology.yaml"
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 120, 0, 0))
    with Collector(binary, topology, f"{out}/c.db", "--quiet") as c:
        proc = subprocess.Popen([binary, "check", "-t", topology, "-c",
                                 f"http://127.0.0.1:{c.port}", "--wait", "30"],
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=slave)
        os.close(slave)
        # Nothing is pushed until the line has been seen with two clocks
        # (a loaded machine may take a second to start check): a fixed
        # sleep raced check's start in CI.
        err = b""
        deadline = time.monotonic() + TICK_WAIT_S
        while len(set(waiting_clocks(err))) < 2 and time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    err += os.read(master, 65536)
                except OSError:
                    break
        push_all(c, stamped(name, int(time.time()), out), "terminal")
        stdout, _ = proc.communicate(timeout=RUN_TIMEOUT_S)
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        err += chunk
    os.close(master)
    waits = waiting_clocks(err)
    err = err.decode(errors="replace")
    F.equal(proc.returncode, 0, "terminal: exit 0")
    F.check(len(set(waits)) >= 2, f"terminal: the line's clock ticks in place: {err!r}")
    F.check("\n" not in err.split("every probe")[0],
            f"terminal: no new line while waiting: {err!r}")
    F.check(re.search(r"\(\d+ s\)\r\x1b\[Kreachmap check: every probe sent a round since "
                      r"check started \(after \d+ s\)\r\n$", err) is not None,
            f"terminal: the line cleared, then the end said: {err[-200:]!r}")
    F.check(stdout.startswith(b"PASS  "), "terminal: the verdict on standard output")


def missing(binary, tmp):
    """east-c-0 never pushes, west-b-0's newest round is from before check
    started: both probe-missing, exit 1 after --wait, the waiting said
    once."""
    name = "firewall-drop"
    out = f"{tmp}/missing"
    os.makedirs(out)
    topology = f"{LAB}/{name}/topology.yaml"
    docs = stamped(name, int(time.time()) + 30, out)
    old = dict(load(f"{out}/results-west-b-0.json"))
    old["started"], old["finished"] = rfc3339(time.time() - 600), rfc3339(time.time() - 599)
    sent = [d for d in docs
            if not os.path.basename(d[0]).endswith(("east-c-0.json", "results-west-b-0.json"))]
    with Collector(binary, topology, f"{out}/c.db", "--quiet") as c:
        push_all(c, sent + [(f"{out}/old-west-b-0.json", old)], "missing")
        t0 = time.time()
        got = run([binary, "check", "-t", topology, "-c", f"http://127.0.0.1:{c.port}",
                   "--wait", "3"])
        took = time.time() - t0
    F.equal(got[0], 1, "missing: exit 1")
    F.check(3 <= took < 20, f"missing: check waited --wait 3 ({took:.1f} s)")
    # check's start, by its own clock: the second it began in
    starts = [rfc3339(int(t0) + k) for k in range(3)]
    for probe, cluster, tail in (
            ("east-c-0", "east", "no collector has a round of it"),
            ("west-b-0", "west", f"its last round started at {old['started']}")):
        lines = [(f"  [probe-missing] probe {probe} of {cluster} sent no round since check "
                  f"started at {start} (waited 3 s); {tail}\n") for start in starts]
        F.check(any(ln in got[1] for ln in lines),
                f"missing: {probe}'s finding {lines[0]!r} in:\n{got[1]}")
    lines = [ln for ln in got[2].splitlines() if "waiting for" in ln]
    F.equal(lines, ["reachmap check: waiting for 2 of 4 probes: east-c-0, west-b-0"],
            "missing: the waiting said once in 3 s of polls")
    F.equal(got[2].splitlines()[-1], "reachmap check: the wait of 3 s is over, still missing: "
            "2 of 4 probes: east-c-0, west-b-0", "missing: the end of the wait said")
    # what is left out is what analyze sees without those two probes
    rc, text, _ = analyze(binary, topology, [p for p, _ in sent], "text")
    F.equal(rc, 1, "missing: analyze of the rest fails too")
    F.equal(got[1].count("[probe-missing]"), 2, "missing: two probe-missing findings")
    F.equal(len(got[1].splitlines()), len(text.splitlines()),
            "missing: the rest of the report is analyze's")


def no_collector(binary):
    p1, p2 = closed_port(), closed_port()
    t0 = time.time()
    got = run([binary, "check", "-t", f"{LAB}/clean/topology.yaml", "-c",
               f"http://127.0.0.1:{p1}", "-c", f"http://127.0.0.1:{p2}/", "--wait", "2"])
    took = time.time() - t0
    F.equal(got[0], 3, "no collector: exit 3")
    F.equal(got[1], "", "no collector: nothing on standard output")
    F.check(2 <= took < 20, f"no collector: check tried for --wait 2 ({took:.1f} s)")
    err = got[2].splitlines()
    F.check("reachmap check: no collector could be read within 2 s:" in err,
            f"no collector: the message: {err}")
    for p in (p1, p2):
        want = (f"reachmap check:   http://127.0.0.1:{p}: Failed to connect to 127.0.0.1 port "
                f"{p}")
        F.check(any(ln.startswith(want) and ln.endswith("Couldn't connect to server")
                    for ln in err), f"no collector: {p} and its reason in {err}")


def one_down(binary, tmp):
    """Two collectors, one of them down: a note, the other's verdict. Then
    two up holding different probes (and one an older round of east-b-0
    that says the firewall is open): the newest of each wins."""
    name = "firewall-drop"
    out = f"{tmp}/two"
    os.makedirs(out)
    topology = f"{LAB}/{name}/topology.yaml"
    base = int(time.time()) + 30  # ahead of every check below, even on a loaded machine
    docs = stamped(name, base, out)
    down = closed_port()
    with Collector(binary, topology, f"{out}/a.db", "--quiet") as a, \
            Collector(binary, topology, f"{out}/b.db", "--quiet") as b:
        push_all(a, docs, "one down")
        got = run([binary, "check", "-t", topology, "-c", f"http://127.0.0.1:{down}", "-c",
                   f"http://127.0.0.1:{a.port}", "--wait", "10"])
        same_as_analyze(binary, "one down", topology, docs, got, None, None)
        note = (f"reachmap check: http://127.0.0.1:{down}: Failed to connect to 127.0.0.1 "
                f"port {down}")
        F.check(any(ln.startswith(note) and ln.endswith(
            "; the verdict comes from the collectors that answer")
            for ln in got[2].splitlines()), f"one down: the note: {got[2]!r}")
        # b: the east probes, and an older east-b-0 where tcp/7000 is open
        older = json.loads(json.dumps(load(f"{out}/results-east-b-0.json")))
        older["started"], older["finished"] = rfc3339(base - 1), rfc3339(base - 1)
        for r in older["results"]:
            if r.get("status") == "filtered":
                r["status"] = "open"
        east = [d for d in docs if "east" in os.path.basename(d[0])]
        push_all(b, east, "two up: b")
        F.equal(a.push(older)[0], 202, "two up: a takes the older east-b-0")
        got = run([binary, "check", "-t", topology, "-c", f"http://127.0.0.1:{a.port}", "-c",
                   f"http://127.0.0.1:{b.port}", "--wait", "10"])
        same_as_analyze(binary, "two up, the newest round wins", topology, docs, got, None,
                        None)


def tokens(binary, tmp):
    topology = f"{LAB}/clean/topology.yaml"
    out = f"{tmp}/token"
    os.makedirs(out)
    token = f"{out}/token"
    with open(token, "w", encoding="utf-8") as f:
        f.write("s3cret-token\n")
    os.chmod(token, 0o600)
    docs = stamped("clean", int(time.time()) + 30, out)
    with Collector(binary, topology, f"{out}/c.db", "--quiet", "--token-file", token) as c:
        conn = c.conn()
        for _, d in docs:
            st = c.push(d, {"Authorization": "Bearer s3cret-token"}, conn)
            F.equal(st[0], 202, f"token: push: {st[1]}")
        conn.close()
        url = f"http://127.0.0.1:{c.port}"
        t0 = time.time()
        got = run([binary, "check", "-t", topology, "-c", url, "--wait", "20"])
        F.equal(got[0], 3, "no token: exit 3")
        F.check(time.time() - t0 < 5, "no token: refused at once, not after --wait")
        F.equal(got[2].splitlines()[-2:], [
            "reachmap check: every collector refused:",
            f"reachmap check:   {url}: answered 401: this endpoint needs a bearer token "
            "(Authorization: Bearer TOKEN) (give the collector's token with --token-file)"],
            "no token: the reason")
        got = run([binary, "check", "-t", topology, "-c", url, "--token-file", token])
        same_as_analyze(binary, "token", topology, docs, got, None, None)
        got = run([binary, "check", "-t", topology, "-c", url + "/nope", "--wait", "20"])
        F.equal(got[0], 3, "404: exit 3")
        F.check(got[2].rstrip().endswith(
            f"reachmap check:   {url}/nope: answered 404: no such endpoint: /nope/v1/rounds "
            "(no GET /v1/rounds: not a reachmap collector, or one older than reachmap check)"),
            f"404: the reason: {got[2]!r}")


def usage(binary):
    topo = f"{LAB}/clean/topology.yaml"
    cases = [
        ([], "reachmap check: --topology is required; see 'reachmap check --help'"),
        (["-t", topo], "reachmap check: --collector is required (one per collector); see "
         "'reachmap check --help'"),
        (["-t", topo, "-c", "http://x", "--wait", "soon"],
         "reachmap check: --wait soon: give a number of seconds from 0 to 86400"),
        (["-t", topo, "-c", "ftp://x"], "reachmap check: ftp://x: scheme ftp is not http or "
         "https"),
        (["-t", topo, "-c", "http://x", "extra"],
         "reachmap check: unexpected argument \"extra\"; see 'reachmap check --help'"),
        (["-t", topo, "-c", "http://x", "--ca-file", "/nonexistent/ca.pem"],
         "reachmap check: --ca-file /nonexistent/ca.pem: cannot read it"),
        (["-t", topo, "-c", "http://x", "--frob"],
         "reachmap check: unknown option --frob; see 'reachmap check --help'"),
    ]
    for args, want in cases:
        got = run([binary, "check", *args])
        F.equal((got[0], got[2].strip()), (2, want), f"usage: check {' '.join(args)}")
    got = run([binary, "check", "--help"])
    F.check(got[0] == 0 and got[1].startswith(
        "usage: reachmap check --topology T --collector URL [--collector URL ...]"),
        "check --help")
    got = run([binary, "--help"])
    F.check(re.search(r"^  check +the conformance gate", got[1], re.M) is not None, "check in reachmap --help")


def main():
    binary = os.path.abspath(sys.argv[1])
    os.chdir(source_dir())
    with tempfile.TemporaryDirectory(prefix="collector-check.") as tmp:
        usage(binary)
        no_collector(binary)
        tokens(binary, tmp)
        missing(binary, tmp)
        terminal(binary, tmp)
        waiting(binary, tmp)
        one_down(binary, tmp)
        scenarios(binary, tmp)
    print(f"collector.check: {F.checks - F.n} checks passed, {F.n} failed")
    return 1 if F.n else 0


if __name__ == "__main__":
    sys.exit(main())
