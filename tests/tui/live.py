"""ctest top.live: `reachmap top --collector URL` in a real terminal (a
detached 80x24 tmux session on a private server) against a real collector
on 127.0.0.1 fed the lab's firewall-drop rounds: the first screen holds the
matrix, the cluster-pair x check table, each probe's last round and the
finding with how long it has held; then the collector is killed: the last
view stays with the reason and its age grows; then it is started again on
its port: top recovers. Every wait is bounded.
    live.py REACHMAP"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "collector"))
from common import Collector, Failures, load, moved, source_dir  # noqa: E402

SCENARIO = "tests/fixtures/lab/firewall-drop"
PROBES = (("west-a-0", "west"), ("west-b-0", "west"), ("east-b-0", "east"),
          ("east-c-0", "east"))
F = Failures()


class Tmux:
    def __init__(self, tmp):
        self.sock = os.path.join(tmp, "tmux.sock")
        self.session = "live"

    def __call__(self, *args):
        return subprocess.run(["tmux", "-S", self.sock, *args], capture_output=True, text=True,
                              timeout=10)

    def screen(self):
        return self("capture-pane", "-p", "-t", self.session).stdout.split("\n")

    def wait(self, pattern, what, tries=60):
        """The first screen line matching pattern (a regex), within tries x
        0.1 s; a failure shows the screen."""
        rx = re.compile(pattern)
        lines = []
        for _ in range(tries):
            lines = self.screen()
            for ln in lines:
                if rx.search(ln):
                    F.check(True, what)
                    print(f"ok   {what}", flush=True)
                    return ln
            time.sleep(0.1)
        F.check(False, f"{what}: no line matches {pattern!r}; the screen:\n" +
                "\n".join("| " + ln for ln in lines))
        return None

    def line(self, n, want, what, tries=40):
        """Line n (1-based) is exactly want, trailing blanks aside."""
        got = None
        for _ in range(tries):
            lines = self.screen()
            got = lines[n - 1].rstrip() if len(lines) >= n else None
            if got == want:
                print(f"ok   {what}", flush=True)
                F.check(True, what)
                return
            time.sleep(0.1)
        F.check(False, f"{what}: line {n} is {got!r}, want {want!r}")


def feed(c):
    """The four probes registered, their rounds of 100 s ago pushed."""
    base = int(time.time()) - 100
    for name, cluster in PROBES:
        st = c.request("POST", "/v1/register", {"schema": "reachmap.register/v1", "name": name,
                                                "cluster": cluster,
                                                "addresses": ["10.0.0.1"]})
        F.equal(st[0], 200, f"register {name}")
    for kind in ("results", "arrivals"):
        for f in sorted(os.listdir(SCENARIO)):
            if f.startswith(kind + "-"):
                F.equal(c.push(moved(load(f"{SCENARIO}/{f}"), base))[0], 202, f"push {f}")


def first_screen(t):
    t.wait(r"^reachmap top  FAIL  1 errors 0 warnings 0 info  collector's, \ds old$",
           "the header: the verdict, the collector's data seconds old")
    t.line(3, "from \\ to west   east", "the cluster matrix")
    t.line(5, "east      x 16   .", "east -> west dropped, 16 failing")
    t.line(7, " Cluster pairs: the worst status of each check, cells failing/all",
           "the cluster-pair table's title")
    t.line(8, " from -> to    icmp  tcp            cql  identity  nat   dns  mtu  path",
           "the table's checks, as the text report orders them")
    t.line(9, " west -> west  ok    open           ok   ok        none  ok   ok   -",
           "west -> west")
    t.line(11, " east -> west  ok    filtered 8/40  ok   ok        none  ok   ok   timeout 8/8",
           "east -> west: the worst status of each check with its cells")
    t.wait(r"^ Last rounds:  west-a-0 \d+s  west-b-0 \d+s  east-b-0 \d+s  east-c-0 \d+s$",
           "each probe's last round and its age")
    t.wait(r"^ Findings \(1, how long\)", "the findings say how long")
    t.wait(r"^ ERROR 1\d\ds firewall-drop: east -> west tcp/7000 is silently dropped",
           "the finding with its age (its rounds started 100 s ago)")
    t("send-keys", "-t", "live", "Tab", "Enter")
    t.wait(r"^ *since: +20\d\d-\d\d-\d\dT\d\d:\d\d:\d\dZ \(1\d\ds ago\)$",
           "the finding's overlay: since when")
    t.wait(r"east-b-0 -> dc-west-rack1-sts-0 tcp/7000 filtered, did not arrive, for 1\d\ds",
           "each evidence cell: how long it has failed")
    t("send-keys", "-t", "live", "Escape", "Tab", "Down", "Enter", "Enter", "Enter")
    t.wait(r"^ *from: east-b-0 \(east probe, us-east1-b, 10\.250\.1\.10\), last round \d+s ago$",
           "a cell's detail: how old its probe's last round is")
    t.wait(r"^ *check +status +rtt +icmp from +arrived +for$", "a cell's detail: a column for")
    t.wait(r"^ *tcp/7000 +x filtered +- +- +no +1\d\ds$",
           "a cell's detail: how long each check has failed")
    t("send-keys", "-t", "live", "Escape", "BSpace", "BSpace")
    t.wait(r"^\[clusters\]", "back to the clusters")


def outage(t, c, binary, tmp):
    port = c.port
    c.kill()
    t.wait(r"^last report kept, asking again: Failed to connect to 127\.0\.0\.1 port "
           f"{port}", "collector killed: the reason in the header", tries=80)
    t.line(11, " east -> west  ok    filtered 8/40  ok   ok        none  ok   ok   timeout 8/8",
           "collector killed: the last view stays")
    t.wait(r"collector's, ([5-9]|\d\d)s old$", "collector killed: the data's age grows",
           tries=100)
    again = Collector(binary, f"{SCENARIO}/topology.yaml", f"{tmp}/c.db", "--quiet")
    again.argv[again.argv.index("127.0.0.1:0")] = f"127.0.0.1:{port}"
    again.start()
    t.wait(r"^\[clusters\] \| check: all \| filter: - \| failing cells 1 of 4",
           "collector back: the header's line again", tries=80)
    t.wait(r"collector's, [0-3]s old$", "collector back: fresh data")
    t.line(11, " east -> west  ok    filtered 8/40  ok   ok        none  ok   ok   timeout 8/8",
           "collector back: the table")
    return again


def main():
    binary = os.path.abspath(sys.argv[1])
    os.chdir(source_dir())
    if shutil.which("tmux") is None:
        print("top.live: SKIP: tmux is not installed (make deps installs it)")
        return 77
    with tempfile.TemporaryDirectory(prefix="top-live.") as tmp:
        t = Tmux(tmp)
        c = Collector(binary, f"{SCENARIO}/topology.yaml", f"{tmp}/c.db", "--quiet").start()
        again = None
        try:
            feed(c)
            t.session = "nostart"
            t("new-session", "-d", "-s", "nostart", "-x", "80", "-y", "24",
              f"env -i PATH=/usr/bin:/bin TERM=screen HOME={tmp} {binary} top --collector "
              "http://127.0.0.1:1; echo EXIT=$?; sleep 60")
            t.wait(r"^reachmap top: http://127\.0\.0\.1:1: Failed to connect to 127\.0\.0\.1 "
                   r"port 1 ", "no collector at start: the reason")
            t.wait(r"^EXIT=3$", "no collector at start: exit 3")
            t("kill-session", "-t", "nostart")
            t.session = "live"
            t("new-session", "-d", "-s", "live", "-x", "80", "-y", "24",
              f"env -i PATH=/usr/bin:/bin TERM=screen HOME={tmp} {binary} top --collector "
              f"http://127.0.0.1:{c.port}; echo EXIT=$?; sleep 60")
            first_screen(t)
            again = outage(t, c, binary, tmp)
            t("send-keys", "-t", "live", "q")
            t.wait(r"^EXIT=0$", "q: top exits 0")
        finally:
            t("kill-server")
            c.stop()
            c.kill()
            if again is not None:
                again.stop()
                again.kill()
    print(f"top.live: {F.checks - F.n} checks passed, {F.n} failed")
    return 1 if F.n else 0


if __name__ == "__main__":
    sys.exit(main())
