# tests/lab/live-common.sh: what the live lab's tests share, sourced after
# each has set T (its ctest name) and made its own skip checks: the lab
# lock, pass/fail counters, a directory of its own, a teardown that always
# runs (the lab down, nothing left behind, the logs' tails on failure),
# the collector's URL and the lab's time format.
# shellcheck source=lock.sh
. "$SRC/tests/lab/lock.sh"
# shellcheck source=leftovers.sh
. "$SRC/tests/lab/leftovers.sh"
lab_lock "$T"
lab_need_netns "$T"
PASS=0 FAILED=0
pass() { echo "ok   $*"; PASS=$((PASS + 1)); }
fail() { echo "FAIL $*"; FAILED=$((FAILED + 1)); }
dir=$(mktemp -d "/tmp/reachmap-$(echo "$T" | tr . -).XXXXXX")
cleanup() {
	local rc=$? f
	[ $rc -eq 0 ] || for f in "$dir"/collector.log "$dir"/agent-*.log; do
		[ -f "$f" ] && { echo "---- tail of $f"; tail -5 "$f"; }
	done
	timeout 60 "$LAB" down >/dev/null 2>&1
	rm -rf "$dir"
	lab_leftovers || rc=1
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM
URL=http://192.168.250.1:8787
RFC3339_MS='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z'
