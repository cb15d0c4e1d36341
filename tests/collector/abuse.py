#!/usr/bin/env python3
"""collector.abuse: a real `reachmap collect` on 127.0.0.1 under what a
server exposed across clusters meets: 1,000 connections that send nothing,
1,000 malformed bodies (truncated JSON, wrong schema, 100 MB announced and
streamed until refused, arrays nested 100,000 deep, invalid UTF-8, a gzip
bomb, a flat list of 100,000 numbers), requests without the token or
with a wrong one, and 50 slowloris clients sending a byte every half
second, which --request-timeout must cut at its deadline. Meanwhile
/healthz, polled every 50 ms from another process, must answer every time
within 100 ms, and the collector's RSS must stay under RSS_BOUND_MIB.

The 100 ms is held where the collector decides it: the time each /healthz
spent in the collector (its log's ms=, from the request's arrival to its
answer) must stay under it, every time. What the polling client measures
adds its own scheduling on a 2-core machine shared with the abusers and
other tests, so it is printed against the 100 ms, and held only to a
bound no healthy server misses (CLIENT_BOUND_MS): a /healthz stuck behind
the abuse would take seconds.
Every malformed body must get its exact status and error.

usage: abuse.py REACHMAP_BINARY   (run from the source tree)
"""
import gzip
import json
import multiprocessing
import os
import resource
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

MAX_BODY = 1048576
TOKEN = "abuse-test-token-0123456789"
IDLE_CONNECTIONS = 1000
MALFORMED = 1000
# Slowloris: clients sending their request a byte every DRIBBLE_EVERY_S,
# which an idle timeout never sees; --request-timeout must cut each.
DRIBBLERS = 50
DRIBBLE_EVERY_S = 0.5
REQUEST_TIMEOUT_S = 8
HEALTHZ_EVERY_S = 0.05
HEALTHZ_BOUND_MS = 100.0
CLIENT_BOUND_MS = 1000.0
# Measured on the sanitized Debug build ctest runs, its quarantine at 16 MiB
# (start_collector): 62-65 MiB at the peak, 1,000 idle connections
# included. Holding one refused 1 MiB body per request would pass 500 MiB.
RSS_BOUND_MIB = 160
TOPOLOGY = "tests/fixtures/lab/clean/topology.yaml"
RESULTS = "tests/fixtures/lab/clean/results-west-a-0.json"


def fail(msg):
    print("collector.abuse: FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def request(port, method, path, headers=None, body=b"", timeout=20.0):
    """One request on a fresh connection; (status, body bytes)."""
    head = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: close"]
    head += [f"{k}: {v}" for k, v in (headers or {}).items()]
    if method == "POST" and "Content-Length" not in (headers or {}):
        head.append(f"Content-Length: {len(body)}")
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        return read_response(s)


def read_response(s):
    data = b""
    while True:
        try:
            chunk = s.recv(65536)
        except ConnectionResetError:
            break
        if not chunk:
            break
        data += chunk
    if not data.startswith(b"HTTP/1.1 "):
        return 0, data
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head[9:12]), body


def announced_100mb(port):
    """Announces 100 MB and streams it until the collector refuses: the
    answer must come before the body, so little or none of it is sent."""
    head = (f"POST /v1/results HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Authorization: Bearer {TOKEN}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {100 * 1024 * 1024}\r\n\r\n").encode()
    chunk = b" " * 65536
    with socket.create_connection(("127.0.0.1", port), timeout=20) as s:
        s.sendall(head)
        sent = 0
        # poll, not select: with a thousand idle connections open the
        # descriptor is past select's 1024.
        p = select.poll()
        p.register(s, select.POLLIN)
        while sent < 100 * 1024 * 1024:
            if p.poll(200 if sent == 0 else 0):
                break
            try:
                s.sendall(chunk)
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += len(chunk)
        status, body = read_response(s)
        return status, body


def error_of(body):
    try:
        return json.loads(body)["error"]
    except (ValueError, KeyError, TypeError):
        return None


def poll_healthz(port, stop, out):
    """In its own process, so the clients' threads never delay it."""
    lat, bad = [], []
    while not stop.is_set():
        t0 = time.monotonic()
        try:
            status, _ = request(port, "GET", "/healthz", timeout=5)
        except OSError as e:
            status = str(e)
        ms = (time.monotonic() - t0) * 1000
        lat.append(ms)
        if status != 200:
            bad.append(status)
        time.sleep(max(0.0, HEALTHZ_EVERY_S - (time.monotonic() - t0)))
    out.put((lat, bad))


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return 0.0


def start_collector(binary, tmp):
    token = os.path.join(tmp, "token")
    with open(token, "w") as f:
        f.write(TOKEN + "\n")
    os.chmod(token, 0o600)
    err = open(os.path.join(tmp, "stderr"), "w+")
    # Under AddressSanitizer, freed memory waits in a quarantine of 256 MiB
    # by default, which RSS would measure instead of the collector.
    env = dict(os.environ)
    env["ASAN_OPTIONS"] = ":".join(filter(None, [env.get("ASAN_OPTIONS"),
                                                 "quarantine_size_mb=16"]))
    proc = subprocess.Popen([binary, "collect", "--topology", TOPOLOGY, "--listen",
                             "127.0.0.1:0", "--db", os.path.join(tmp, "db"), "--token-file",
                             token, "--max-body", str(MAX_BODY), "--request-timeout",
                             str(REQUEST_TIMEOUT_S)], stderr=err, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        err.seek(0)
        text = err.read()
        if "collect: ready" in text:
            for line in text.splitlines():
                if line.startswith("collect: listening on http://127.0.0.1:"):
                    port = int(line.split("127.0.0.1:")[1].split()[0])
                    return proc, port, err
        if proc.poll() is not None:
            fail(f"reachmap collect exited with {proc.returncode}: {text}")
        time.sleep(0.05)
    proc.kill()
    fail("reachmap collect did not say it was ready within 30 s")


def make_bodies():
    """Made before the collector starts, so the clients spend no CPU on
    them while /healthz is timed."""
    with open(RESULTS, "rb") as f:
        doc = f.read()
    return {
        "doc": doc,
        "truncated": doc[:len(doc) // 2],
        "deep": b"[" * 100000 + b"]" * 100000,
        "utf8": doc[:100] + b"\xc3\x28" + doc[102:],
        "bomb": gzip.compress(b"\0" * (200 * 1024 * 1024), compresslevel=9),
        # Valid JSON under the body limit whose tree would be 30 times its
        # text: a node per two bytes.
        "flat": b'{"schema": "reachmap.results/v1", "x": [' + b"0," * 100000 + b"0]}",
    }


def cases(port, b):
    """(name, function returning (status, body), expected status, expected
    error or a prefix of it ending in '*')."""
    auth = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    doc, truncated, deep, bad_utf8, bomb, flat = (
        b[k] for k in ("doc", "truncated", "deep", "utf8", "bomb", "flat"))
    gz = dict(auth, **{"Content-Encoding": "gzip"})

    def post(headers, body):
        return lambda: request(port, "POST", "/v1/results", headers, body)

    return [
        ("truncated", post(auth, truncated), 400, "body: not JSON (at byte*"),
        ("wrong-schema", post(auth, b'{"hello": [1, 2]}'), 400, 'body: missing "schema"'),
        ("100MB", lambda: announced_100mb(port), 413,
         "body of 104857600 bytes is larger than the limit of 1048576 bytes"),
        ("deep", post(auth, deep), 400, "body: not JSON (at byte*"),
        ("utf8", post(auth, bad_utf8), 400, "body is not valid UTF-8 at byte 100"),
        ("gzip-bomb", post(gz, bomb), 413,
         "body larger than the limit of 1048576 bytes once decompressed"),
        ("flat", post(auth, flat), 400, "body: too many values for 200043 bytes of JSON*"),
        ("no-token", post({"Content-Type": "application/json"}, doc), 401,
         "this endpoint needs a bearer token (Authorization: Bearer TOKEN)"),
        ("wrong-token", post(dict(auth, Authorization="Bearer " + TOKEN[:-1] + "X"), doc), 401,
         "the bearer token is not the collector's"),
    ]


def check(name, got, want_status, want_error):
    status, body = got
    err = error_of(body)
    if status != want_status:
        return f"{name}: status {status}, expected {want_status} ({body[:200]!r})"
    if want_error.endswith("*"):
        ok = err is not None and err.startswith(want_error[:-1])
    else:
        ok = err == want_error
    return None if ok else f"{name}: error {err!r}, expected {want_error!r}"


def run_malformed(port, bodies):
    table = cases(port, bodies)
    jobs = [table[i % len(table)] for i in range(MALFORMED)]
    problems, counts = [], {}
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = [(j, pool.submit(j[1])) for j in jobs]
        for (name, _, status, error), fut in futures:
            try:
                why = check(name, fut.result(timeout=60), status, error)
            except OSError as e:
                why = f"{name}: {e}"
            counts[name] = counts.get(name, 0) + 1
            if why:
                problems.append(why)
    return problems, counts


def dribble(port, out):
    """Sends a request a byte at a time; records how long the collector
    let it (None: it never cut it within twice the deadline)."""
    req = (f"POST /v1/results HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
           f"Authorization: Bearer {TOKEN}\r\n" + "X-Slow: " + "a" * 200).encode()
    t0 = time.monotonic()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            s.settimeout(DRIBBLE_EVERY_S)
            for b in req:
                if time.monotonic() - t0 > 2 * REQUEST_TIMEOUT_S:
                    break
                s.sendall(bytes([b]))
                try:
                    if s.recv(1024) == b"":
                        out.append(time.monotonic() - t0)
                        return
                except socket.timeout:
                    pass
    except OSError:
        out.append(time.monotonic() - t0)
        return
    out.append(None)


def open_idle(port):
    idle = []
    for _ in range(IDLE_CONNECTIONS):
        idle.append(socket.create_connection(("127.0.0.1", port), timeout=5))
    return idle


def percentile(sorted_values, p):
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * p))]


def main():
    if len(sys.argv) != 2:
        fail("usage: abuse.py REACHMAP_BINARY")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if hard < IDLE_CONNECTIONS + 256:
        fail(f"the open-file limit ({hard}) cannot hold {IDLE_CONNECTIONS} connections")
    bodies = make_bodies()
    tmp = tempfile.mkdtemp(prefix="collector-abuse.")
    proc, port, err = start_collector(sys.argv[1], tmp)
    try:
        stop = multiprocessing.Event()
        out = multiprocessing.Queue()
        # A daemon: a failure below must not leave the test waiting for it.
        poller = multiprocessing.Process(target=poll_healthz, args=(port, stop, out),
                                         daemon=True)
        poller.start()
        rss_max = [rss_mib(proc.pid)]
        rss_stop = threading.Event()

        def sample_rss():
            while not rss_stop.is_set():
                rss_max[0] = max(rss_max[0], rss_mib(proc.pid))
                time.sleep(0.05)

        sampler = threading.Thread(target=sample_rss, daemon=True)
        sampler.start()
        # Abusers are other machines in a real deployment; here they share
        # the collector's cores, so they yield them to it and to the poller.
        os.nice(10)
        t0 = time.monotonic()
        cut = []
        dribblers = [threading.Thread(target=dribble, args=(port, cut))
                     for _ in range(DRIBBLERS)]
        for t in dribblers:
            t.start()
        idle = open_idle(port)
        problems, counts = run_malformed(port, bodies)
        elapsed = time.monotonic() - t0
        for t in dribblers:
            t.join(timeout=3 * REQUEST_TIMEOUT_S)
        for s in idle:
            s.close()
        time.sleep(0.5)
        stop.set()
        lat, bad = out.get(timeout=30)
        poller.join(timeout=30)
        rss_stop.set()
        sampler.join()
        if proc.poll() is not None:
            fail(f"reachmap collect died (exit {proc.returncode})")
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            exit_code = proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            exit_code = "none: killed after 10 s"
        err.seek(0)
        log = err.read()
        stderr_tail = log[-2000:]
        err.close()
        shutil.rmtree(tmp, ignore_errors=True)

    lat.sort()
    served = sorted(float(line.rsplit(" ms=", 1)[1].split()[0]) for line in log.splitlines()
                    if " path=/healthz " in line and " ms=" in line)
    print(f"collector.abuse: {IDLE_CONNECTIONS} idle connections and {MALFORMED} malformed "
          f"requests ({', '.join(f'{k} {v}' for k, v in counts.items())}) in {elapsed:.1f} s")
    print(f"collector.abuse: /healthz {len(lat)} polls: p50 {percentile(lat, 0.5):.1f} ms, "
          f"p99 {percentile(lat, 0.99):.1f} ms, max {lat[-1]:.1f} ms "
          f"(goal {HEALTHZ_BOUND_MS:.0f} ms, bound {CLIENT_BOUND_MS:.0f} ms)")
    if served:
        print(f"collector.abuse: /healthz in the collector ({len(served)} logged): "
              f"p50 {percentile(served, 0.5):.2f} ms, max {served[-1]:.2f} ms "
              f"(bound {HEALTHZ_BOUND_MS:.0f} ms)")
    print(f"collector.abuse: RSS max {rss_max[0]:.1f} MiB (bound {RSS_BOUND_MIB} MiB)")
    cut_s = sorted(c for c in cut if c is not None)
    print(f"collector.abuse: {DRIBBLERS} clients sending a byte every {DRIBBLE_EVERY_S} s: "
          f"{len(cut_s)} cut, after {cut_s[0] if cut_s else 0:.1f} to "
          f"{cut_s[-1] if cut_s else 0:.1f} s (--request-timeout {REQUEST_TIMEOUT_S})")
    if len(cut_s) != DRIBBLERS:
        fail(f"{DRIBBLERS - len(cut_s)} of {DRIBBLERS} slow clients were never cut")
    if cut_s[0] < REQUEST_TIMEOUT_S - 0.5 or cut_s[-1] > REQUEST_TIMEOUT_S + 3:
        fail(f"slow clients were cut after {cut_s[0]:.1f} to {cut_s[-1]:.1f} s, not at "
             f"the {REQUEST_TIMEOUT_S} s deadline")
    if problems:
        fail(f"{len(problems)} requests answered wrongly, first: " + "; ".join(problems[:5]))
    if bad:
        fail(f"/healthz failed {len(bad)} times: {bad[:5]}")
    if len(lat) < 10:
        fail(f"/healthz was polled only {len(lat)} times")
    if len(served) < len(lat):
        fail(f"the collector logged {len(served)} /healthz requests of {len(lat)}")
    if served[-1] >= HEALTHZ_BOUND_MS:
        fail(f"/healthz took {served[-1]:.1f} ms in the collector at worst "
             f"(bound {HEALTHZ_BOUND_MS:.0f} ms)")
    if lat[-1] >= CLIENT_BOUND_MS:
        fail(f"/healthz took {lat[-1]:.1f} ms at worst for the client "
             f"(bound {CLIENT_BOUND_MS:.0f} ms)")
    if rss_max[0] >= RSS_BOUND_MIB:
        fail(f"RSS reached {rss_max[0]:.1f} MiB (bound {RSS_BOUND_MIB} MiB)")
    # A sanitized build reports leaks and errors at exit, with exit code 1.
    if exit_code != 0:
        fail(f"reachmap collect exited with {exit_code} on SIGTERM:\n{stderr_tail}")
    print("collector.abuse: ok")


if __name__ == "__main__":
    main()
