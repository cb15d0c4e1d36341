#!/usr/bin/env bash
# The checkers can fail: each is run on fixtures/broken* and must print exactly
# the expected lines and exit 1 (a checker that passes everything would make
# every manifests.* test meaningless). Run from the source root.
set -uo pipefail

here=tests/manifests
fixtures=$here/fixtures
py=/usr/bin/python3
[ -x "$py" ] || py=python3
status=0

# Same tools as check.sh; its usage error (exit 2, no tool used) comes after
# the tool checks, so this skips exactly when check.sh would.
"$here/check.sh" >/dev/null 2>&1
case $? in
77)
	"$here/check.sh"
	exit 77
	;;
2) ;;
*)
	echo "FAIL: check.sh without a directory did not exit 2"
	status=1
	;;
esac

expect() { # NAME EXPECTED-FILE EXPECTED-EXIT COMMAND...
	local name=$1 expected=$2 want=$3 got rc
	shift 3
	got=$("$@" 2>&1)
	rc=$?
	if [ "$rc" != "$want" ]; then
		echo "FAIL $name: exit $rc, expected $want"
		status=1
	fi
	if ! diff <(printf '%s\n' "$got") "$expected" >/dev/null; then
		echo "FAIL $name: output differs from $expected:"
		diff <(printf '%s\n' "$got") "$expected" | sed 's/^/  /'
		status=1
	fi
	[ "$status" -eq 0 ] && echo "ok $name"
}

expect "schema validation refuses broken objects" "$fixtures/broken/schema.expected" 1 \
	node "$here/validate.mjs" "$fixtures/broken/schema.yaml"
expect "pod security baseline rules" "$fixtures/broken/pss-baseline.expected" 1 \
	"$py" "$here/pss.py" --profile baseline "$fixtures/broken/pss.yaml"
expect "pod security restricted rules" "$fixtures/broken/pss-restricted.expected" 1 \
	"$py" "$here/pss.py" --profile restricted "$fixtures/broken/pss.yaml"
expect "pod security per namespace's enforce label" "$fixtures/broken/pss-enforce.expected" 1 \
	"$py" "$here/pss.py" --enforce "$fixtures/broken/pss.yaml"
expect "check.sh on a broken kustomization" "$fixtures/broken-dir/check.expected" 1 \
	"$here/check.sh" "$fixtures/broken-dir"
expect "check.sh on agents that are no probes" "$fixtures/broken-agents/check.expected" 1 \
	"$here/check.sh" "$fixtures/broken-agents"
exit $status
