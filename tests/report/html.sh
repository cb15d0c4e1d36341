#!/usr/bin/env bash
# The HTML report opened in headless Chromium (Debian's chromium): the
# page's own script runs without a console error and draws the heat map
# (the DOM has a cell for every probe and destination, the broken pairs
# red), a screenshot is taken, and the file loads nothing from outside.
set -u
bin=${1:?usage: html.sh REACHMAP}
cd "$(dirname "$0")/../.."
chromium=$(command -v chromium || true)
[ -n "$chromium" ] || { echo "report.html: SKIP: chromium is not installed (make deps installs it)"; exit 77; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
d=tests/fixtures/lab/multi-fault
"$bin" analyze -t "$d/topology.yaml" --format html -o "$tmp/report.html" "$d"/results-*.json "$d"/arrivals-*.json
pass=0 fail=0
ok() { echo "ok   $*"; pass=$((pass + 1)); }
no() { echo "FAIL $*"; fail=$((fail + 1)); }
if grep -qiE '(src|href)="?(https?:)?//' "$tmp/report.html"; then no "the page loads something from outside"; else ok "self-contained: no external asset"; fi
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
	--disable-background-networking --disable-component-update --disable-sync
	--user-data-dir="$tmp/profile" --window-size=1100,900 --enable-logging=stderr --v=0)
timeout 90 "$chromium" "${flags[@]}" --dump-dom "file://$tmp/report.html" >"$tmp/dom.html" 2>"$tmp/console.log"
cells=$(grep -o 'class="c [a-z]*"' "$tmp/dom.html" | wc -l)
red=$(grep -o 'class="c bad"' "$tmp/dom.html" | wc -l)
[ "$cells" -eq 32 ] && ok "the script drew the heat map: $cells cells (4 probes x 8 destinations)" || no "heat map cells: $cells, want 32 (4 probes x 8 destinations)"
[ "$red" -gt 0 ] && ok "$red broken cells are red" || no "no broken cell is red"
grep -q '<th>west / us-west1-a / west-a-0</th>' "$tmp/dom.html" && ok "rows labelled by cluster / zone / probe" ||
	no "no row 'west / us-west1-a / west-a-0' in the heat map"
# A broken cell's hover text: its statuses and the kept detail (east's
# SYNs to west on 7000 are dropped and never arrive).
tr '\n' ' ' <"$tmp/dom.html" |
	grep -q 'title="east-b-0 -&gt; dc-west-rack1-sts-0[^"]*tcp/7000: filtered[^"]*did not arrive' &&
	ok "a dropped cell's hover text: tcp/7000 filtered, did not arrive" ||
	no "no hover text 'tcp/7000: filtered ... did not arrive' on east-b-0 -> dc-west-rack1-sts-0"
# The page colours by the analyzer's reading of each status, carried in
# its data, as the dashboard does (snat degraded, not failing), and its
# script names no status word of its own.
grep -q '"nat":{"none":"healthy","snat":"degraded"}' "$tmp/report.html" &&
	ok "the page's data says how each status reads: nat snat is degraded" ||
	no "no grid.health with nat snat degraded in the page's data"
script=$(sed -n 's/.*<script>\(.*\)<\/script>.*/\1/p' "$tmp/report.html")
if grep -qE "[{,]'?(ok|open|none|loss|snat|filtered|fragmentation-needed)'?:1" <<<"$script"; then
	no "the page's script lists status words of its own"
else
	ok "the page's script lists no status word"
fi
grep -q '<button[^>]*>tcp/7000</button>' "$tmp/dom.html" && ok "the map can be switched to tcp/7000" ||
	no "no tcp/7000 button in the page"
if grep -E 'CONSOLE|Uncaught' "$tmp/console.log" | grep -qiE 'error|uncaught'; then
	no "console errors: $(grep -E 'CONSOLE|Uncaught' "$tmp/console.log" | head -3)"
else
	ok "no console error"
fi
timeout 90 "$chromium" "${flags[@]}" --screenshot="$tmp/report.png" "file://$tmp/report.html" >/dev/null 2>&1
[ -s "$tmp/report.png" ] && ok "screenshot taken ($(wc -c <"$tmp/report.png") bytes)" || no "no screenshot"
echo "report.html: $pass passed, $fail failed"
[ $fail -eq 0 ]
