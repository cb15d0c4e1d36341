#!/usr/bin/env bash
# The bash completion as a user meets it: `complete -p`, then the completion
# function driven the way readline drives it (COMP_WORDS, COMP_CWORD) for
# what a user types: commands, options, the values of --format (the
# renderers), --checks (the checks, a comma-separated list), --mode, files.
# Every option each `reachmap CMD --help` lists must be offered.
# usage: bash-completion.sh REACHMAP COMPLETION_FILE   (run in the source dir)
set -u
bin=${1:?usage: bash-completion.sh REACHMAP FILE}
file=${2:?usage: bash-completion.sh REACHMAP FILE}
pass=0 fail=0

# The test's own shell is a clean one (bash runs a script without rc
# files, and the bash-completion package is not needed): the file is
# sourced here once, and the function called as readline calls it.
. "$file" || { echo "FAIL: cannot source $file"; exit 1; }
# Prints COMPREPLY for the words given (the last one being completed), one
# per line, sorted.
complete_words() {
	COMP_WORDS=("$@")
	COMP_CWORD=$(($# - 1))
	COMP_LINE="$*"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_reachmap reachmap "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}" 2>/dev/null
	[ ${#COMPREPLY[@]} -gt 0 ] && printf '%s\n' "${COMPREPLY[@]}" | sort
}

# expect NAME 'WANT (space-separated, sorted)' WORD...
expect() {
	local name=$1 want=$2 got
	shift 2
	got=$(complete_words "$@" | tr '\n' ' ' | sed 's/ $//')
	if [ "$got" = "$want" ]; then
		echo "ok   $name"; pass=$((pass + 1))
	else
		echo "FAIL $name: reachmap ${*:2}<TAB>"; echo "  got:  $got"; echo "  want: $want"
		fail=$((fail + 1))
	fi
}

got=$(complete -p reachmap 2>&1)
if [ "$got" = "complete -F _reachmap reachmap" ]; then
	echo "ok   complete -p reachmap"; pass=$((pass + 1))
else
	echo "FAIL complete -p reachmap: $got"; fail=$((fail + 1))
fi

commands=$("$bin" --help | sed -n '/^commands:/,/^$/s/^  \([a-z][a-z0-9-]*\) .*/\1/p' | sort |
	tr '\n' ' ' | sed 's/ $//')
expect commands "$commands" reachmap ''
expect an analyze reachmap an
expect c "check collect" reachmap c
expect top-options "--help --version -h" reachmap -
expect fo "--format" reachmap analyze --fo
expect format-values "html json junit prom text" reachmap analyze --format ''
expect format-values-short "html json junit prom text" reachmap analyze -f ''
expect format-equals "html json junit prom text" reachmap analyze --format =
expect format-equals-prefix "json junit" reachmap analyze --format = j
expect plan-format-values "json text" reachmap plan --format ''
expect checks "cql dns icmp identity mtu path tcp" reachmap probe --checks ''
expect checks-prefix "icmp identity" reachmap probe --checks i
expect checks-after-comma "tcp,cql tcp,dns tcp,icmp tcp,identity tcp,mtu tcp,path" \
	reachmap probe --checks tcp,
expect checks-after-comma-prefix "tcp,icmp tcp,identity" reachmap probe --checks tcp,i
expect checks-two-given "tcp,dns,cql tcp,dns,icmp tcp,dns,identity tcp,dns,mtu tcp,dns,path" \
	reachmap agent --checks tcp,dns,
expect mode "connect raw" reachmap probe --mode ''
expect mode-agent-c "connect" reachmap agent --mode c
expect topology-file "examples/three-dc.yaml" reachmap probe --topology examples/thr
expect positional-file "examples/two-dc.json examples/two-dc.yaml" reachmap plan examples/two
expect analyze-files-after-options "examples/broken.yaml" reachmap analyze -t examples/two-dc.yaml examples/br
expect spool-directory "examples" reachmap agent --spool exa
expect url-nothing "" reachmap collect --listen ''
expect number-nothing "" reachmap probe --rate ''
expect probe-no-positional "--allow-loopback" reachmap probe --all
expect after-value "--format --help --output --suggest -f -h -o -s" \
	reachmap plan examples/two-dc.yaml --format json -
expect long-options-only "--cluster --help --name --out --port --standins --topology" reachmap serve ''

# Every option of every command's help is offered after "reachmap CMD -".
for cmd in $commands; do
	want=$("$bin" "$cmd" --help | grep -oE '^ {1,6}(-[A-Za-z0-9], )?--[a-z0-9-]+' |
		grep -oE -- '-[A-Za-z0-9]|--[a-z0-9-]+' | sort | tr '\n' ' ' | sed 's/ $//')
	got=$(complete_words reachmap "$cmd" - | tr '\n' ' ' | sed 's/ $//')
	if [ -n "$want" ] && [ "$got" = "$want" ]; then
		echo "ok   $cmd: every option of its --help"; pass=$((pass + 1))
	else
		echo "FAIL $cmd: options"; echo "  got:  $got"; echo "  want: $want"
		fail=$((fail + 1))
	fi
done

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
