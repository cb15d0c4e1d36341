#!/usr/bin/env zsh
# The zsh completion as a user meets it: a real interactive zsh on a
# pseudo-terminal (zsh/zpty) with compinit and _reachmap on its fpath; TAB
# after what a user types; the candidates zsh offers, caught in compadd.
# One zsh per case: each ends itself once its completion is done.
# usage: zsh -f zsh-completion.zsh REACHMAP DIR_OF__reachmap  (in the source dir)
emulate -L zsh
zmodload zsh/zpty || { print "SKIP: zsh has no zpty module"; exit 77 }
bin=${1:?usage: zsh-completion.zsh REACHMAP DIR}
dir=${2:?usage: zsh-completion.zsh REACHMAP DIR}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf $tmp' EXIT
dump=$tmp/zcompdump
integer pass=0 fail=0

# Reads the pty until the completion's end marker: the candidates in
# $reply. Bounded in lines and time.
read_candidates() {
	local line
	integer n=0 deadline=$((SECONDS + 30))
	reply=()
	while (( SECONDS < deadline && n < 5000 )); do
		if zpty -rt z line; then
			(( n++ ))
			line=${line//$'\r'/}
			[[ $line == *M:* ]] && reply+=("${${line##*M:}%$'\n'}")
			[[ $line == *E:END* ]] && return 0
		else
			sleep 0.02
		fi
	done
	return 1
}

# The markers are printed with octal escapes so that the pty's echo of
# these lines never looks like them.
complete_line() {
	zpty z zsh -f -i || return 1
	zpty -w z "PS1= RPROMPT=; fpath=(${(q)dir} \$fpath); autoload -Uz compinit; compinit -u -d ${(q)dump}"
	zpty -w z 'compadd() {
	if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "$@"; return $?; fi
	local -a hits; builtin compadd -A hits "$@"
	(( $#hits )) || return 1
	builtin printf "\\115:%s\n" "${hits[@]}"
	builtin compadd "$@"
}'
	zpty -w z '_t_end() { builtin printf "\\105:END\n"; exit }; comppostfuncs=(_t_end)'
	zpty -w z "zstyle ':completion:*' insert-tab false; bindkey '^I' complete-word"
	zpty -n -w z "$1"$'\t'
	read_candidates
	local rc=$?
	zpty -d z
	return rc
}

# expect NAME 'WANT (sorted, space-separated)' 'LINE'
expect() {
	local got
	if ! complete_line "$3"; then
		print -r -- "FAIL $1: no completion within 30 s for '$3<TAB>'"
		(( fail++ ))
		return
	fi
	got=${(j: :)${(@ou)reply}}
	if [[ $got == "$2" ]]; then
		print -r -- "ok   $1"
		(( pass++ ))
	else
		print -r -- "FAIL $1: '$3<TAB>'"
		print -r -- "  got:  $got"
		print -r -- "  want: $2"
		(( fail++ ))
	fi
}

cmds=(${(f)"$($bin --help | sed -n '/^commands:/,/^$/s/^  \([a-z][a-z0-9-]*\) .*/\1/p')"})
expect commands "${(j: :)${(@o)cmds}}" "reachmap "
expect an analyze "reachmap an"
expect fo --format "reachmap analyze --fo"
expect format-values "html json junit prom text" "reachmap analyze --format "
expect format-equals "html json junit prom text" "reachmap analyze --format="
expect plan-format-values "json text" "reachmap plan -f "
expect checks-after-comma "cql dns icmp identity mtu path" "reachmap probe --checks tcp,"
expect mode "connect raw" "reachmap agent --mode "
expect positional-file "two-dc.json two-dc.yaml" "reachmap plan examples/two"
expect topology-file "three-dc.yaml" "reachmap serve --topology examples/thr"

# Every option of every command's help is offered after "reachmap CMD -".
for cmd in $cmds; do
	want=(${(f)"$($bin $cmd --help | grep -oE '^ {1,6}(-[A-Za-z0-9], )?--[a-z0-9-]+' |
		grep -oE -- '-[A-Za-z0-9]|--[a-z0-9-]+')"})
	expect "$cmd: every option of its --help" "${(j: :)${(@ou)want}}" "reachmap $cmd -"
done

print "$pass passed, $fail failed"
(( fail == 0 ))
