# Shared by the command-line tests (tests/cli/run.sh, tests/tui/cli.sh):
# run reachmap with stdin and stdout not terminals, compare the exit code
# and the exact standard error. Needs $bin, $tmp, $pass and $fail.

# expect NAME EXIT STDERR-EXACT-OR-* -- ARGS...
expect() {
	local name=$1 want_rc=$2 want_err=$3; shift 4
	local err rc
	timeout 10 "$bin" "$@" </dev/null >"$tmp/out" 2>"$tmp/err"; rc=$?
	err=$(cat "$tmp/err")
	if [ "$rc" -ne "$want_rc" ]; then
		echo "FAIL $name: exit $rc, want $want_rc (stderr: $err)"; fail=$((fail + 1)); return
	fi
	if [ "$want_err" != '*' ] && [ "$err" != "$want_err" ]; then
		echo "FAIL $name: stderr"; echo "  got:  $err"; echo "  want: $want_err"
		fail=$((fail + 1)); return
	fi
	echo "ok   $name"; pass=$((pass + 1))
}
contains() { # NAME FILE TEXT
	if grep -qF -- "$3" "$2"; then echo "ok   $1"; pass=$((pass + 1));
	else echo "FAIL $1: $2 lacks '$3'"; fail=$((fail + 1)); fi
}
