"""ctest collector.api: every endpoint of `reachmap collect` and every
error code, as a client sees them (exact status codes and messages), then
the recorded lab scenarios pushed to a collector, whose live report must
hold the same findings as `reachmap analyze` of the same files.
    api.py REACHMAP"""
import glob
import gzip
import json
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import Collector, Failures, gzipped, load, moved, rfc3339, source_dir  # noqa: E402

SCENARIO = "tests/fixtures/lab/firewall-drop"
MAX_BODY = 65536
SCENARIOS_BUDGET_S = 60
F = Failures()


def error_is(got, status, message, what):
    """got: (status, answer) of Collector.push or (status, headers, body)."""
    body = got[-1]
    if isinstance(body, bytes):
        try:
            body = json.loads(body)
        except ValueError:
            body = body.decode(errors="replace")
    F.equal(got[0], status, f"{what}: status")
    F.equal(body, {"error": message}, f"{what}: body")


def probes_of(topology_text):
    return set(re.findall(r"\{name: ([a-z0-9-]+), address", topology_text))


def ingest(c):
    """The pushes of the basic part: the start times of east-b-0's three
    rounds and the result that changed in the third."""
    now = int(time.time())
    t0, t1, t2 = now - 1800, now - 1200, now - 300
    east_b = load(f"{SCENARIO}/results-east-b-0.json")
    r0 = moved(east_b, t0)
    # A cell's first status is a transition only when it is not healthy:
    # east-b-0 sees tcp/7000 filtered and path time out to the four west
    # endpoints, 8 cells.
    st = c.push(r0)
    F.equal(st, (202, {"probe": "east-b-0", "stored": True, "outdated": False,
                       "results": 81, "transitions": 8}), "first push")
    F.equal(c.push(r0), (202, {"probe": "east-b-0", "stored": False, "outdated": False,
                               "results": 81, "transitions": 0}), "the same round again")
    st = c.push(gzipped(moved(load(f"{SCENARIO}/results-east-c-0.json"), t0)),
                {"Content-Encoding": "gzip"})
    F.equal((st[0], st[1].get("probe") if isinstance(st[1], dict) else st[1],
             st[1].get("stored") if isinstance(st[1], dict) else None),
            (202, "east-c-0", True), "a gzip body")
    F.equal(c.push(moved(east_b, t1))[1].get("transitions"), 0, "an unchanged round")
    r2 = moved(east_b, t2)
    changed = next(r for r in r2["results"] if r.get("status") == "filtered")
    changed["status"] = "rejected"
    F.equal(c.push(r2), (202, {"probe": "east-b-0", "stored": True, "outdated": False,
                               "results": 81, "transitions": 1}), "a round where a cell changed")
    st = c.push(moved(east_b, t0 + 60))
    F.equal((st[0], st[1].get("stored"), st[1].get("outdated")), (202, True, True),
            "a round older than the probe's newest")
    for name in ("west-a-0", "west-b-0"):
        F.equal(c.push(moved(load(f"{SCENARIO}/results-{name}.json"), t2))[0], 202,
                f"push {name}")
    for path in sorted(glob.glob(f"{SCENARIO}/arrivals-*.json")):
        F.equal(c.push(moved(load(path), t2))[0], 202, f"push {os.path.basename(path)}")
    return t0, t1, t2, changed


def refusals(c):
    """Every refusal of POST /v1/results and of the router."""
    east_b = load(f"{SCENARIO}/results-east-b-0.json")
    error_is(c.push(b'{"schema": "reachmap.results/v1", "probe": '), 400,
             "body: not JSON (at byte 42)", "invalid JSON")
    bad = json.loads(json.dumps(east_b))
    bad["results"][3]["status"] = "sideways"
    error_is(c.push(bad), 400, 'body: results[3]: "sideways" is not a tcp status',
             "a status the check does not have")
    error_is(c.push({"schema": "reachmap.results/v1"}), 400,
             "body: probe: missing or not an object", "a document without its probe")
    # A round is identified by (probe, started): without a valid start
    # every such round was stored as the same one, the next ones answered
    # "stored": false and dropped.
    for started, message in (
            (None, "missing: the time the round started in UTC"),
            ("garbage", "not a time in UTC to the second"),
            ("2026-11-24T12:12:51+01:00", "not a time in UTC to the second")):
        message = f"body: started: {message}, such as 2026-11-24T11:12:51Z"
        doc = json.loads(json.dumps(east_b))
        if started is None:
            del doc["started"]
        else:
            doc["started"] = started
        error_is(c.push(doc), 400, message, f"started {started}")
    error_is(c.request("POST", "/v1/results", b"{}", {"Content-Type": "text/plain"}), 415,
             "Content-Type must be application/json, not text/plain", "text/plain")
    error_is(c.request("POST", "/v1/results", b"{}", {"Content-Encoding": "br"}), 415,
             "Content-Encoding br is not supported: send identity or gzip", "br")
    big = json.dumps(east_b).encode() + b" " * MAX_BODY
    error_is(c.push(big), 413,
             f"body of {len(big)} bytes is larger than the limit of {MAX_BODY} bytes",
             "a body over --max-body")
    error_is(c.push(gzip.compress(big), {"Content-Encoding": "gzip"}), 413,
             f"body larger than the limit of {MAX_BODY} bytes once decompressed",
             "a gzip body over --max-body once decompressed")
    got = c.request("GET", "/v1/results")
    error_is(got, 405, "GET is not allowed on /v1/results; allowed: POST", "GET /v1/results")
    F.equal(got[1].get("allow"), "POST", "GET /v1/results: Allow")
    error_is(c.request("GET", "/nope"), 404, "no such endpoint: /nope", "/nope")


def registration(c, topology_path):
    stranger = json.loads(json.dumps(load(f"{SCENARIO}/results-east-b-0.json")))
    stranger["probe"]["name"] = "east-z-9"
    error_is(c.push(stranger), 422,
             f"probe east-z-9 is neither in the topology ({topology_path}) nor registered "
             "(POST /v1/register)", "a probe not in the topology")
    reg = {"schema": "reachmap.register/v1", "name": "east-z-9", "cluster": "east",
           "zone": "us-east1-b", "addresses": ["10.250.9.9", "fd00::9"]}
    error_is(c.request("POST", "/v1/register", dict(reg, cluster="mars")), 422,
             f"cluster mars is not in the topology ({topology_path})", "register in mars")
    error_is(c.request("POST", "/v1/register", dict(reg, name="west-a-0")), 422,
             "west-a-0 belongs to cluster west in the topology, not east",
             "register a probe of the topology in another cluster")
    error_is(c.request("POST", "/v1/register", dict(reg, addresses=["not-an-ip"])), 400,
             "body: addresses[0]: not an IPv4 or IPv6 address", "register a bad address")
    # A registered name becomes a label of /metrics: this one forged the
    # series reachmap_verdict_pass 1 (and broke the 202's JSON) once it pushed.
    evil = 'x",cluster="east"} 1\nreachmap_verdict_pass 1\n#'
    error_is(c.request("POST", "/v1/register", dict(reg, name=evil)), 400,
             f'body: name: "{evil}" is not a valid name (letters, digits, \'-\', \'_\' and '
             "'.' only)", "register a name with quotes and newlines")
    evil_doc = json.loads(json.dumps(stranger))
    evil_doc["probe"]["name"] = evil
    error_is(c.push(evil_doc), 422,
             f"probe {evil} is neither in the topology ({topology_path}) nor registered "
             "(POST /v1/register)", "a push from the name refused")
    got = c.request("POST", "/v1/register", reg)
    F.equal((got[0], got[2]), (200, b'{"registered": true}\n'), "register east-z-9")
    st = c.push(stranger)
    F.equal((st[0], st[1].get("probe"), st[1].get("stored")), (202, "east-z-9", True),
            "the same push once registered")


def peers(c):
    east = c.get_json("/v1/peers?cluster=east")
    F.equal([(p["name"], p["cluster"], p["addresses"]) for p in east["peers"]],
            [("east-z-9", "east", ["10.250.9.9", "fd00::9"])], "/v1/peers?cluster=east")
    F.equal(east.get("schema"), "reachmap.peers/v1", "/v1/peers: schema")
    F.equal([p["name"] for p in c.get_json("/v1/peers")["peers"]], ["east-z-9"], "/v1/peers")
    F.equal(c.get_json("/v1/peers?cluster=west")["peers"], [], "/v1/peers?cluster=west")
    error_is(c.request("GET", "/v1/peers?cluster=mars"), 400,
             "cluster: mars is not in the topology", "/v1/peers?cluster=mars")


def history(c, t0, t2, changed):
    want = {"from": "east-b-0", "to": changed["target"], "check": "tcp",
            "port": changed["port"], "old": "filtered", "new": "rejected", "at": rfc3339(t2)}
    h = c.get_json("/v1/history?from=east-b-0")
    F.equal(h.get("schema"), "reachmap.history/v1", "history: schema")
    F.equal(len(h["transitions"]), 9, "history of east-b-0: 8 failing first statuses, 1 change")
    F.check(want in h["transitions"], f"history of east-b-0 holds {want}")
    F.check(all(t["from"] == "east-b-0" for t in h["transitions"]), "history: only east-b-0")
    for since in ("15m", rfc3339(t0 + 1).replace(":", "%3A")):
        h = c.get_json(f"/v1/history?from=east-b-0&since={since}")
        F.equal(h["transitions"], [want], f"history since={since}")
    h = c.get_json(f"/v1/history?from=east-b-0&to={changed['target']}&since=1h")
    F.equal([(t["check"], t["old"], t["new"]) for t in h["transitions"]],
            [("tcp", None, "filtered"), ("path", None, "timeout"), ("tcp", "filtered", "rejected")],
            f"history east-b-0 -> {changed['target']}")
    h = c.get_json("/v1/history?from=west-a-0&since=15m")
    F.equal(h["transitions"], [], "history of west-a-0, whose cells are all healthy")
    error_is(c.request("GET", "/v1/history?from=east-b-0&since=garbage"), 400,
             "since: garbage is neither an RFC 3339 time nor a duration such as 15m, 2h or 7d",
             "history since=garbage")


def validate(report, what):
    try:
        import jsonschema
    except ImportError:
        print(f"SKIP {what}: python3-jsonschema is not installed")
        return
    schema = load("report/schema/reachmap.report.v1.json")
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(report))
    F.check(not errors, f"{what} matches reachmap.report/v1: "
            + "; ".join(f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors[:3]))


def not_ahead(report, what):
    """No finding nor evidence cell fails "since" a time after the report
    was made (RFC 3339 UTC strings compare as times)."""
    late = [(f["kind"], x["since"]) for f in report["findings"]
            for x in [f, *f.get("evidence", [])] if x.get("since", "") > report["generated"]]
    F.equal(late, [], f"{what}: since later than generated ({report['generated']})")


def reports(c, t0, t2, changed):
    report = c.get_json("/v1/report")
    validate(report, "GET /v1/report")
    not_ahead(report, "GET /v1/report")
    F.equal(report.get("verdict"), "fail", "report verdict")
    evidence = [e for f in report["findings"] for e in f.get("evidence", [])
                if e["from"] == "east-b-0" and e["check"] == "tcp" and e.get("port") == changed["port"]]
    since = {(e["to"], e["status"]): e.get("since") for e in evidence}
    # filtered, then rejected: failing all along, so since the first round
    # (the change itself is in the history, at t2).
    F.equal(since.get((changed["target"], "rejected")), rfc3339(t0),
            "since of the cell that went from filtered to rejected")
    F.check(len(since) == 4 and all(v == rfc3339(t0) for k, v in since.items()
                                    if k[1] == "filtered"),
            f"since of the cells filtered from the first round: {since}")
    for fmt, ctype, needle in (("text", "text/plain; charset=utf-8", b"firewall-drop"),
                               ("html", "text/html; charset=utf-8",
                                b'<meta http-equiv="refresh"')):
        st, hdrs, body = c.request("GET", f"/v1/report?format={fmt}")
        F.equal((st, hdrs.get("content-type"), needle in body), (200, ctype, True),
                f"/v1/report?format={fmt}")
    st, hdrs, body = c.request("GET", "/")
    F.equal((st, hdrs.get("content-type"), b'<meta http-equiv="refresh"' in body),
            (200, "text/html; charset=utf-8", True), "GET /")
    error_is(c.request("GET", "/v1/report?format=bogus"), 400,
             "format: bogus is not one of json, text, html, junit, prom", "format=bogus")
    return report


def series(text):
    """[(name, {label: value}, value)] of a Prometheus text page."""
    out = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = re.match(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$", line)
        if not F.check(m is not None, f"/metrics: a line that is not a sample: {line!r}"):
            continue
        labels = dict(re.findall(r'([a-zA-Z_]+)="((?:[^"\\]|\\.)*)"', m.group(2) or ""))
        out.append((m.group(1), labels, m.group(3)))
    return out


def metrics(c, endpoints, outcomes):
    st, hdrs, body = c.request("GET", "/metrics")
    F.equal((st, hdrs.get("content-type")), (200, "text/plain; version=0.0.4; charset=utf-8"),
            "/metrics")
    text = body.decode()
    for needle in ("reachmap_cells{", "reachmap_findings{",
                   "reachmap_probe_last_round_age_seconds{",
                   "reachmap_http_request_duration_seconds_bucket"):
        F.check(needle in text, f"/metrics has {needle}")
    samples = series(text)
    for outcome, n in outcomes.items():
        got = [v for name, lab, v in samples
               if name == "reachmap_ingest_rounds_total" and lab == {"outcome": outcome}]
        F.equal(got, [str(n)], f'reachmap_ingest_rounds_total{{outcome="{outcome}"}}')
    seen = [(n, sorted(lab.items())) for n, lab, _ in samples]
    F.equal([x for i, x in enumerate(seen) if x in seen[:i]], [],
            "/metrics: series given twice (Prometheus refuses the scrape)")
    F.equal([v for n, _, v in samples if n == "reachmap_verdict_pass"], ["0"],
            "reachmap_verdict_pass")
    pairs = [(n, lab) for n, lab, _ in samples
             if sum(v in endpoints for v in lab.values()) > 1]
    F.equal(pairs, [], "/metrics series naming two probes or targets (never per probe pair)")
    cells = [lab for n, lab, _ in samples if n == "reachmap_cells"]
    F.check(cells and all({lab["from"], lab["to"]} <= {"east", "west"} for lab in cells),
            "reachmap_cells is per cluster pair")


def basics(binary, tmp):
    topology = f"{SCENARIO}/topology.yaml"
    with open(topology, encoding="utf-8") as f:
        endpoints = probes_of(f.read())
    c = Collector(binary, topology, f"{tmp}/basic.db", "--max-body", str(MAX_BODY))
    try:
        c.start()
        F.equal(c.request("GET", "/healthz")[::2], (200, b'{"status": "ok"}\n'), "/healthz")
        F.equal(c.request("GET", "/readyz")[::2], (200, b'{"ready": true}\n'), "/readyz")
        t0, t1, t2, changed = ingest(c)
        refusals(c)
        registration(c, topology)
        peers(c)
        history(c, t0, t2, changed)
        report = reports(c, t0, t2, changed)
        # stored: r0, east-c-0, t1, r2, west-a/b, 8 arrivals, east-z-9; invalid: the
        # six 400s of the live matrix (the HTTP front refuses the rest first)
        metrics(c, endpoints | {"east-z-9"}, {"stored": 15, "duplicate": 1, "outdated": 1,
                                             "invalid": 6, "unknown_probe": 2, "failed": 0})
        F.equal(c.stop(), 0, "collect's exit code after SIGTERM")
    finally:
        c.kill()
        if F.n:
            print(c.log())
    restart(binary, topology, f"{tmp}/basic.db", report, (t1, t2), changed)


def restart(binary, topology, db, report, kept, changed):
    """The collector restarts where it stopped: the same findings with the
    same since, history and registrations; --retain 2 prunes east-b-0's
    rounds to its two newest by start time at once."""
    with Collector(binary, topology, db, "--retain", "2") as c:
        again = c.get_json("/v1/report")
        F.equal((again["findings"], again["verdict"]), (report["findings"], report["verdict"]),
                "the report after a restart")
        h = c.get_json("/v1/history?from=east-b-0")
        F.equal(len(h["transitions"]), 9, "the history of east-b-0 after a restart")
        F.equal([p["name"] for p in c.get_json("/v1/peers")["peers"]], ["east-z-9"],
                "/v1/peers after a restart")
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
        try:
            rows = con.execute("SELECT started FROM rounds WHERE probe = 'east-b-0' AND "
                               "arrivals = 0 ORDER BY started").fetchall()
        finally:
            con.close()
        F.equal([r[0] for r in rows], [rfc3339(t) for t in kept],
                "east-b-0's rounds kept with --retain 2")
        doc = moved(load(f"{SCENARIO}/results-east-b-0.json"), kept[1])
        for r in doc["results"]:
            if r == dict(changed, status="filtered"):
                r["status"] = "rejected"
        st = c.push(doc)
        F.equal((st[0], st[1].get("stored")), (202, False),
                "the newest round pushed again after a restart")


def tokens(binary, tmp):
    topology = f"{SCENARIO}/topology.yaml"
    path = f"{tmp}/token"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.write(fd, b"s3cret-token-of-the-test\n")
    os.close(fd)
    os.chmod(path, 0o600)
    doc = moved(load(f"{SCENARIO}/results-west-a-0.json"), int(time.time()) - 60)
    with Collector(binary, topology, f"{tmp}/token.db", "--token-file", path) as c:
        error_is(c.push(doc), 401,
                 "this endpoint needs a bearer token (Authorization: Bearer TOKEN)", "no token")
        error_is(c.push(doc, {"Authorization": "Bearer s3cret-token-of-the-tesT"}), 401,
                 "the bearer token is not the collector's", "wrong token")
        error_is(c.request("GET", "/v1/report"), 401,
                 "this endpoint needs a bearer token (Authorization: Bearer TOKEN)",
                 "GET /v1/report without the token")
        st = c.push(doc, {"Authorization": "Bearer s3cret-token-of-the-test"})
        F.equal((st[0], st[1].get("stored")), (202, True), "the right token")
        # The three silent probes right after the start, within the first
        # interval: missing (the matrix has a hole), since no later than now.
        report = c.get_json("/v1/report", {"Authorization": "Bearer s3cret-token-of-the-test"})
        F.equal(sorted(f["from"]["probes"][0] for f in report["findings"]
                       if f["kind"] == "probe-missing"), ["east-b-0", "east-c-0", "west-b-0"],
                "probe-missing right after the start")
        not_ahead(report, "probe-missing right after the start")
        for path_ in ("/healthz", "/readyz", "/metrics"):
            F.equal(c.request("GET", path_)[0], 200, f"{path_} without the token")
        F.check(all("s3cret" not in line for line in c.lines), "the token is never logged")
    os.chmod(path, 0o644)
    r = subprocess.run([binary, "collect", "-t", topology, "-l", "127.0.0.1:0",
                        "-d", f"{tmp}/token2.db", "--token-file", path],
                       stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=20)
    F.equal((r.returncode, r.stderr),
            (2, f"reachmap collect: {path}: mode 0644 lets others read the token or the group "
                f"change it; "
                f"chmod 600 {path}\n"), "a token file of mode 0644")


def comparable(report):
    """What analyze and the collector must agree on."""
    keys = ("kind", "severity", "from", "to", "protocol", "ports", "cells", "summary",
            "remedy")
    out = []
    for f in report["findings"]:
        g = {k: f.get(k) for k in keys}
        g["evidence"] = [{k: v for k, v in e.items() if k != "since"}
                         for e in f.get("evidence", [])]
        out.append(g)
    return out, report.get("verdict")


def scenarios(binary, tmp):
    started = time.monotonic()
    names = sorted(os.path.basename(os.path.dirname(d))
                   for d in glob.glob("tests/fixtures/lab/*/topology.yaml"))
    F.check(len(names) >= 10, f"the recorded lab scenarios: {names}")
    for name in names:
        d = f"tests/fixtures/lab/{name}"
        files = sorted(glob.glob(f"{d}/results-*.json") + glob.glob(f"{d}/arrivals-*.json"))
        r = subprocess.run([binary, "analyze", "--topology", f"{d}/topology.yaml", *files,
                            "--format", "json"], stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=30)
        want = comparable(json.loads(r.stdout))
        with Collector(binary, f"{d}/topology.yaml", f"{tmp}/{name}.db", "--quiet") as c:
            conn = c.conn()
            for path in files:
                with open(path, "rb") as f:
                    st = c.push(f.read(), conn=conn)
                F.equal(st[0], 202, f"{name}: push {os.path.basename(path)}: {st[1]}")
            conn.close()
            report = c.get_json("/v1/report?format=json")
        validate(report, f"{name}: GET /v1/report")
        not_ahead(report, f"{name}: GET /v1/report")
        got = comparable(report)
        F.equal(got[1], want[1], f"{name}: verdict")
        F.equal(got[0], want[0], f"{name}: the collector's findings and analyze's")
        print(f"ok   {name}: {len(want[0])} findings, verdict {want[1]}", flush=True)
    took = time.monotonic() - started
    F.check(took < SCENARIOS_BUDGET_S, f"the scenarios took {took:.1f} s (budget "
            f"{SCENARIOS_BUDGET_S} s)")
    print(f"scenarios: {len(names)} in {took:.1f} s")


def main():
    binary = os.path.abspath(sys.argv[1])
    os.chdir(source_dir())
    with tempfile.TemporaryDirectory(prefix="collector-api.") as tmp:
        basics(binary, tmp)
        tokens(binary, tmp)
        scenarios(binary, tmp)
    print(f"collector.api: {F.checks - F.n} checks passed, {F.n} failed")
    return 1 if F.n else 0


if __name__ == "__main__":
    sys.exit(main())
