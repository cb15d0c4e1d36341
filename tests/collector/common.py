"""What the collector's end-to-end tests share: a real `reachmap collect`
on 127.0.0.1:0 with its own store, started and always stopped within a
bound, plain HTTP requests through http.client, and the recorded lab
documents with their round's start time moved."""
import datetime
import gzip
import http.client
import json
import os
import re
import signal
import subprocess
import threading

START_TIMEOUT_S = 20
STOP_TIMEOUT_S = 10
LISTENING = re.compile(r"^collect: listening on http://127\.0\.0\.1:(\d+) ")


class Failures:
    """Counts failed assertions, prints each one, and keeps going so one
    run shows every difference."""

    def __init__(self):
        self.n = 0
        self.checks = 0

    def check(self, ok, what):
        self.checks += 1
        if not ok:
            self.n += 1
            print(f"FAIL {what}", flush=True)
        return ok

    def equal(self, got, want, what):
        return self.check(got == want, f"{what}: got {got!r}, want {want!r}")


class Collector:
    """`reachmap collect` as a child process. Its standard error (one line
    per request) is drained by a thread so the pipe never fills."""

    def __init__(self, binary, topology, db, *extra):
        self.argv = [binary, "collect", "--topology", topology,
                     "--listen", "127.0.0.1:0", "--db", db, *extra]
        self.lines = []
        self.port = None
        self.proc = None
        self._ready = threading.Event()

    def start(self):
        self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     text=True, errors="replace")
        threading.Thread(target=self._drain, daemon=True).start()
        if not self._ready.wait(START_TIMEOUT_S) or self.port is None:
            self.kill()
            raise RuntimeError("collect did not get ready within "
                               f"{START_TIMEOUT_S} s: {self.log()}")
        return self

    def _drain(self):
        for line in self.proc.stderr:
            self.lines.append(line.rstrip("\n"))
            m = LISTENING.match(line)
            if m:
                self.port = int(m.group(1))
            if line.startswith("collect: ready"):
                self._ready.set()
        self._ready.set()  # it exited: start() stops waiting

    def log(self):
        return "\n".join(self.lines[-20:])

    def stop(self):
        """SIGTERM, then SIGKILL after STOP_TIMEOUT_S. The exit code."""
        if self.proc is None or self.proc.poll() is not None:
            return None if self.proc is None else self.proc.returncode
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.kill()
            return None

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(STOP_TIMEOUT_S)

    def conn(self, timeout=30):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def request(self, method, path, body=None, headers=None, conn=None):
        """(status, headers as a dict with lower-case names, body bytes).
        A JSON body (dict) is sent as application/json."""
        hdrs = dict(headers or {})
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        if body is not None and "Content-Type" not in hdrs:
            hdrs["Content-Type"] = "application/json"
        own = conn is None
        c = self.conn() if own else conn
        try:
            c.request(method, path, body=body, headers=hdrs)
            r = c.getresponse()
            data = r.read()
            return r.status, {k.lower(): v for k, v in r.getheaders()}, data
        finally:
            if own:
                c.close()

    def get_json(self, path, headers=None):
        status, _, data = self.request("GET", path, headers=headers)
        if status != 200:
            raise RuntimeError(f"GET {path}: {status} {data[:300]!r}")
        return json.loads(data)

    def push(self, doc, headers=None, conn=None):
        """POST /v1/results: (status, the answer read as JSON, or its text)."""
        body = doc if isinstance(doc, bytes) else json.dumps(doc).encode()
        status, _, data = self.request("POST", "/v1/results", body, headers, conn)
        try:
            return status, json.loads(data)
        except ValueError:
            return status, data.decode(errors="replace")

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        self.kill()


def rfc3339(t):
    return datetime.datetime.fromtimestamp(int(t), datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def moved(doc, started):
    """A copy of a results document whose round started at `started` (s
    since the epoch) and took as long as the recorded one."""
    d = json.loads(json.dumps(doc))
    t0 = datetime.datetime.strptime(doc["started"], "%Y-%m-%dT%H:%M:%SZ")
    t1 = datetime.datetime.strptime(doc["finished"], "%Y-%m-%dT%H:%M:%SZ")
    d["started"] = rfc3339(started)
    d["finished"] = rfc3339(started + (t1 - t0).total_seconds())
    return d


def gzipped(doc):
    return gzip.compress(json.dumps(doc).encode())


def source_dir():
    return os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
