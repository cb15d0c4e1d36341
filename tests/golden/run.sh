#!/usr/bin/env bash
# Runs every line of tests/golden/manifest and compares with its golden file.
#   tests/golden/run.sh REACHMAP [--regen]
set -u
bin=${1:?usage: run.sh REACHMAP [--regen]}
regen=${2:-}
cd "$(dirname "$0")/../.."
pass=0 fail=0
export SOURCE_DATE_EPOCH=0
while read -r name want_rc args; do
	case "$name" in ''|'#'*) continue ;; esac
	# shellcheck disable=SC2086 # the manifest's arguments are words
	out=$(timeout 20 "$bin" $args 2>/tmp/golden.$$.err); rc=$?
	golden=tests/golden/$name
	if [ "$regen" = --regen ]; then
		printf '%s\n' "$out" >"$golden"
		echo "wrote $golden (exit $rc)"
		[ "$rc" -eq "$want_rc" ] || echo "  note: exit $rc but the manifest says $want_rc"
		continue
	fi
	if [ "$rc" -ne "$want_rc" ]; then
		echo "FAIL $name: exit $rc, want $want_rc"; cat /tmp/golden.$$.err
		fail=$((fail + 1)); continue
	fi
	if ! diff -u "$golden" <(printf '%s\n' "$out") >/tmp/golden.$$.diff; then
		echo "FAIL $name: output differs from $golden (make golden, then review git diff)"
		head -40 /tmp/golden.$$.diff
		fail=$((fail + 1)); continue
	fi
	echo "ok   $name (exit $rc)"; pass=$((pass + 1))
done <tests/golden/manifest
rm -f /tmp/golden.$$.err /tmp/golden.$$.diff
[ "$regen" = --regen ] && exit 0
echo "golden: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
