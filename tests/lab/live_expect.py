#!/usr/bin/python3
"""Checks the live collector's history against a fault's round trip in the
lab: for the first failing cell of every finding of REPORT (what `reachmap
check --json` wrote while the faults were in), GET /v1/history for its pair
must show the cell turning to that status around the injection, and turning
healthy again around the heal, each at a time that fits.

usage: live_expect.py URL REPORT.json INJECTED DETECTED HEALED PASSED INTERVAL
  INJECTED, HEALED     when reachmap-lab inject and heal said the change began
  DETECTED, PASSED     when the check that saw the faults, and the one that passed, ended
  (RFC 3339 times) INTERVAL: the agents' interval in seconds.

A transition's time is the start of the round that saw it, to the second:
a round that started before the change may see it, so it may be up to an
interval (plus its 10% jitter, plus the second it is truncated to) before.
Run it where URL is reachable (the lab's collector namespace)."""
import datetime
import json
import sys
import urllib.parse
import urllib.request

HEALTHY = {"tcp": {"open"}, "nat": {"none"}, "mtu": {"ok", "fragmentation-needed"}}


def healthy(check, status):
    return status in HEALTHY.get(check, {"ok"})


def when(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def history(url, frm, to):
    q = urllib.parse.urlencode({"from": frm, "to": to})
    with urllib.request.urlopen(f"{url}/v1/history?{q}", timeout=10) as r:
        return json.load(r)


def check_cell(url, ev, t, interval):
    """One evidence cell against its pair's history; returns problems."""
    frm, to, check, port, status = ev["from"], ev["to"], ev["check"], ev.get("port", 0), ev["status"]
    name = f"{frm} -> {to} {check}{'/' + str(port) if port else ''}"
    doc = history(url, frm, to)
    cell = [x for x in doc["transitions"] if x["check"] == check and x.get("port", 0) == port]
    slack = interval * 1.1 + 1
    broke = next((x for x in cell if x["new"] == status
                  and t["injected"] - slack <= when(x["at"]) <= t["detected"]), None)
    if broke is None:
        print(f"FAIL history {name}: no transition to {status} between inject "
              f"({t['injected_s']}) and its detection ({t['detected_s']}): {json.dumps(cell)}")
        return 1
    later = cell[cell.index(broke) + 1:]
    mended = next((x for x in later if not healthy(check, x["old"] or "") and healthy(check, x["new"])
                   and t["healed"] - slack <= when(x["at"]) <= t["passed"]), None)
    if mended is None:
        print(f"FAIL history {name}: no transition back to healthy between heal "
              f"({t['healed_s']}) and the passing check ({t['passed_s']}): {json.dumps(later)}")
        return 1
    print(f"ok   history {name}: {broke['old']} -> {broke['new']} at {broke['at']} "
          f"(injected {t['injected_s']}), {mended['old']} -> {mended['new']} at {mended['at']} "
          f"(healed {t['healed_s']})")
    return 0


def main():
    if len(sys.argv) != 8:
        print(__doc__, file=sys.stderr)
        return 2
    url, path = sys.argv[1], sys.argv[2]
    names = ["injected", "detected", "healed", "passed"]
    t = {n: when(v) for n, v in zip(names, sys.argv[3:7])}
    t.update({n + "_s": v for n, v in zip(names, sys.argv[3:7])})
    interval = float(sys.argv[7])
    report = json.load(open(path))
    bad = cells = 0
    for f in report["findings"]:
        # A cell every round measures (path is traced only while tcp fails,
        # so it has no transition back when the fault is healed).
        failing = [e for e in f.get("evidence", []) if "from" in e and "to" in e and "status" in e
                   and e.get("check") != "path"]
        if not failing:
            continue
        cells += 1
        bad += check_cell(url, failing[0], t, interval)
    if cells == 0:
        print("FAIL history: the report has no finding with a failing cell to follow")
        return 1
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
