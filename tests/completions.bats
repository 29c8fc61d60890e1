#!/usr/bin/env bats
# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The mping authors.
#
# Shell completions and the man page.  Needs no root and no network.
# A shell (or mandoc) that is not installed fails its tests, saying what to
# install (CI must never pass by skipping them); MPING_SKIP_COMPLETIONS=1
# skips them instead, for a machine that cannot have the shells.

setup_file() {
	export TOP="$(cd "$BATS_TEST_DIRNAME/.." && pwd)"
	export BASH_COMPL="$TOP/completions/mping.bash"
	export ZSH_COMPL_DIR="$TOP/completions"
	export FISH_COMPL="$TOP/completions/mping.fish"
	export MANPAGE="$TOP/man/mping.1"
	export BASH_COMPLETION_MAIN=${BASH_COMPLETION_MAIN:-/usr/share/bash-completion/bash_completion}

	# A directory with known files, for the completion of -f.
	export FILES="$BATS_FILE_TMPDIR/files"
	mkdir -p "$FILES"
	: >"$FILES/hosts-a.txt"
	: >"$FILES/hosts-b.txt"
	: >"$FILES/other.txt"

	write_zsh_driver >"$BATS_FILE_TMPDIR/drive.zsh"
	export ZSH_DRIVER="$BATS_FILE_TMPDIR/drive.zsh"
}

# The options of the README's options table, one per line.
readme_options() {
	sed -n '/^### Options/,/^When no target/p' "$TOP/README.md" |
		grep '^| `' | sed 's/\\|/ /g' | cut -d'|' -f2
}

readme_long_options() {
	readme_options | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u
}

readme_short_options() {
	readme_options | grep -oE -- '(^|[` ,])-[A-Za-z0-9]([` ,]|$)' |
		tr -d '` ,' | sort -u
}

# Options beyond the README table.
planned_long_options() {
	printf '%s\n' --color
}

# Fail, showing what was expected and what came, unless each of the
# words "$@" is a line of $output.
assert_offers() {
	local w
	for w in "$@"; do
		if ! grep -qxF -- "$w" <<<"$output"; then
			printf 'expected %s among:\n%s\n' "$w" "$output" >&2
			return 1
		fi
	done
}

# Fail unless $output has exactly the lines "$@", in any order.
assert_offers_exactly() {
	local want got
	want=$(printf '%s\n' "$@" | sort)
	got=$(sort <<<"$output" | sed '/^$/d')
	if [[ $want != "$got" ]]; then
		printf 'expected:\n%s\ngot:\n%s\n' "$want" "$got" >&2
		return 1
	fi
}

assert_offers_none_of() {
	local w
	for w in "$@"; do
		if grep -qxF -- "$w" <<<"$output"; then
			printf 'did not expect %s among:\n%s\n' "$w" "$output" >&2
			return 1
		fi
	done
}

# --- bash --------------------------------------------------------------

# bash_complete MODE LINE: the words bash completion offers with the
# cursor at the end of LINE.  MODE "plain" is a bare bash; MODE "bc" has
# the bash-completion package loaded first.  LINE is split into
# COMP_WORDS as readline does with the default COMP_WORDBREAKS: blanks
# end a word, and a run of '=' or ':' is a word of its own.
bash_complete() {
	bash --norc --noprofile -c '
		mode=$1 compl=$2 line=$3 main=$4
		if [[ $mode == bc ]]; then
			source "$main" || exit 90
		fi
		source "$compl" || exit 91
		words=() w=
		brk="=:"
		if [[ -n ${NO_EQUALS_BREAK-} ]]; then
			brk=":"
			COMP_WORDBREAKS=${COMP_WORDBREAKS//=/}
		fi
		kind() { [[ $brk == *"$1"* ]] && echo brk || echo word; }
		for ((k = 0; k < ${#line}; k++)); do
			c=${line:k:1}
			if [[ $c == " " ]]; then
				[[ -n $w ]] && words+=("$w")
				w=
			elif [[ -n $w && $(kind "$c") != $(kind "${w: -1}") ]]; then
				words+=("$w")
				w=$c
			else
				w+=$c
			fi
		done
		if [[ -n $w ]]; then
			words+=("$w")
		else
			words+=("")
		fi
		COMP_WORDS=("${words[@]}")
		COMP_CWORD=$((${#words[@]} - 1))
		COMP_LINE=$line
		COMP_POINT=${#line}
		COMP_TYPE=9 COMP_KEY=9
		COMPREPLY=()
		_mping mping "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}"
	' _ "$1" "$BASH_COMPL" "$2" "$BASH_COMPLETION_MAIN"
}

# missing WHAT PACKAGE: a tool these tests need is not there: fail, unless
# MPING_SKIP_COMPLETIONS=1 asks to skip.
missing() {
	if [[ ${MPING_SKIP_COMPLETIONS:-} == 1 ]]; then
		skip "$1 (MPING_SKIP_COMPLETIONS=1)"
	fi
	echo "$1: install $2, or set MPING_SKIP_COMPLETIONS=1 to skip the completion and man page tests" >&2
	return 1
}

need_bash_completion() {
	[[ -r $BASH_COMPLETION_MAIN ]] ||
		missing "bash-completion is not installed ($BASH_COMPLETION_MAIN)" bash-completion
}

@test "bash: the completion file parses and registers _mping for mping" {
	run bash --norc --noprofile -c 'source "$1" && complete -p mping' _ "$BASH_COMPL"
	[ "$status" -eq 0 ]
	[[ $output == *"-F _mping"*" mping" ]]
}

@test "bash: --format=j<TAB> when '=' is not a word break" {
	NO_EQUALS_BREAK=1 run bash_complete plain "mping --format=j"
	[ "$status" -eq 0 ]
	assert_offers_exactly --format=json
	NO_EQUALS_BREAK=1 run bash_complete plain "mping --color=a"
	[ "$status" -eq 0 ]
	assert_offers_exactly --color=auto --color=always
}

# Each check runs twice: in a bare bash ("plain"), and with the
# bash-completion package loaded ("bc"), whose helpers the file then uses.
bash_for() {
	run bash_complete "$1" "mping --for"
	[ "$status" -eq 0 ]
	assert_offers_exactly --format
}

bash_format() {
	run bash_complete "$1" "mping --format "
	[ "$status" -eq 0 ]
	assert_offers_exactly text csv json dot
}

bash_format_eq() {
	run bash_complete "$1" "mping --format="
	[ "$status" -eq 0 ]
	assert_offers_exactly text csv json dot
	run bash_complete "$1" "mping -c 3 --format=j"
	[ "$status" -eq 0 ]
	assert_offers_exactly json
}

bash_method() {
	run bash_complete "$1" "mping --method "
	[ "$status" -eq 0 ]
	assert_offers_exactly icmp udp tcp
	run bash_complete "$1" "mping --trace --method=u"
	[ "$status" -eq 0 ]
	assert_offers_exactly udp
	run bash_complete "$1" "mping -U --port "
	[ "$status" -eq 0 ]
	assert_offers_exactly
}

bash_color() {
	run bash_complete "$1" "mping --color="
	[ "$status" -eq 0 ]
	assert_offers_exactly auto always never
	run bash_complete "$1" "mping --color "
	[ "$status" -eq 0 ]
	assert_offers_none_of auto always never
}

bash_file() {
	run bash_complete "$1" "mping -f $FILES/hosts"
	[ "$status" -eq 0 ]
	assert_offers_exactly "$FILES/hosts-a.txt" "$FILES/hosts-b.txt"
	run bash_complete "$1" "mping --file $FILES/o"
	[ "$status" -eq 0 ]
	assert_offers_exactly "$FILES/other.txt"
}

bash_iface() {
	[ -e /sys/class/net/lo ] || skip "no /sys/class/net/lo"
	run bash_complete "$1" "mping -I l"
	[ "$status" -eq 0 ]
	assert_offers lo
	run bash_complete "$1" "mping --interface l"
	[ "$status" -eq 0 ]
	assert_offers lo
}

bash_number() {
	run bash_complete "$1" "mping -c "
	[ "$status" -eq 0 ]
	assert_offers_exactly
	run bash_complete "$1" "mping --ttl "
	[ "$status" -eq 0 ]
	assert_offers_exactly
}

bash_long() {
	run bash_complete "$1" "mping --"
	[ "$status" -eq 0 ]
	assert_offers $(readme_long_options) $(planned_long_options)
}

bash_short() {
	run bash_complete "$1" "mping -q -"
	[ "$status" -eq 0 ]
	assert_offers $(readme_short_options)
}

@test "bash: --for<TAB> gives --format" {
	bash_for plain
}

@test "bash with bash-completion: --for<TAB> gives --format" {
	need_bash_completion
	bash_for bc
}

@test "bash: --format <TAB> gives text, csv, json and dot" {
	bash_format plain
}

@test "bash with bash-completion: --format <TAB> gives text, csv, json and dot" {
	need_bash_completion
	bash_format bc
}

@test "bash: --format=<TAB> and --format=j<TAB>" {
	bash_format_eq plain
}

@test "bash with bash-completion: --format=<TAB> and --format=j<TAB>" {
	need_bash_completion
	bash_format_eq bc
}

@test "bash: --method <TAB> gives icmp, udp and tcp; --port <TAB> nothing" {
	bash_method plain
}

@test "bash with bash-completion: --method <TAB> gives icmp, udp and tcp; --port <TAB> nothing" {
	need_bash_completion
	bash_method bc
}

@test "bash: --color=<TAB> gives auto, always, never; --color <TAB> does not" {
	bash_color plain
}

@test "bash with bash-completion: --color=<TAB> gives auto, always, never; --color <TAB> does not" {
	need_bash_completion
	bash_color bc
}

@test "bash: -f and --file complete file names" {
	bash_file plain
}

@test "bash with bash-completion: -f and --file complete file names" {
	need_bash_completion
	bash_file bc
}

@test "bash: -I and --interface complete interface names" {
	bash_iface plain
}

@test "bash with bash-completion: -I and --interface complete interface names" {
	need_bash_completion
	bash_iface bc
}

@test "bash: a numeric value gets no completion" {
	bash_number plain
}

@test "bash with bash-completion: a numeric value gets no completion" {
	need_bash_completion
	bash_number bc
}

@test "bash: -- offers every long option of the README and the planned ones" {
	bash_long plain
}

@test "bash with bash-completion: -- offers every long option of the README and the planned ones" {
	need_bash_completion
	bash_long bc
}

@test "bash: - offers every short option of the README" {
	bash_short plain
}

@test "bash with bash-completion: - offers every short option of the README" {
	need_bash_completion
	bash_short bc
}

# --- fish --------------------------------------------------------------

need_fish() {
	command -v fish >/dev/null || missing "fish is not installed" fish
}

# fish_complete LINE: the words fish offers for LINE, descriptions cut.
fish_complete() {
	fish --no-config -c 'source $argv[1]; and complete -C $argv[2]' \
		"$FISH_COMPL" "$1" | cut -f1
}

@test "fish: the completion file parses" {
	need_fish
	run fish --no-execute "$FISH_COMPL"
	[ "$status" -eq 0 ]
}

@test "fish: --for<TAB> gives --format" {
	need_fish
	run fish_complete "mping --for"
	[ "$status" -eq 0 ]
	assert_offers_exactly --format
}

@test "fish: --format <TAB> and --format=<TAB> give text, csv, json and dot" {
	need_fish
	run fish_complete "mping --format "
	[ "$status" -eq 0 ]
	assert_offers_exactly text csv json dot
	run fish_complete "mping --format="
	[ "$status" -eq 0 ]
	assert_offers_exactly --format=text --format=csv --format=json --format=dot
}

@test "fish: --method <TAB> and --method=<TAB> give icmp, udp and tcp" {
	need_fish
	run fish_complete "mping --method "
	[ "$status" -eq 0 ]
	assert_offers_exactly icmp udp tcp
	run fish_complete "mping --method="
	[ "$status" -eq 0 ]
	assert_offers_exactly --method=icmp --method=udp --method=tcp
}

@test "fish: --color=<TAB> gives auto, always and never" {
	need_fish
	run fish_complete "mping --color="
	[ "$status" -eq 0 ]
	assert_offers_exactly --color=auto --color=always --color=never
}

@test "fish: -f completes file names" {
	need_fish
	run fish_complete "mping -f $FILES/hosts"
	[ "$status" -eq 0 ]
	assert_offers_exactly "$FILES/hosts-a.txt" "$FILES/hosts-b.txt"
}

@test "fish: -I completes interface names" {
	need_fish
	[ -e /sys/class/net/lo ] || skip "no /sys/class/net/lo"
	run fish_complete "mping -I "
	[ "$status" -eq 0 ]
	assert_offers lo
}

@test "fish: -- offers every long option of the README and the planned ones" {
	need_fish
	run fish_complete "mping --"
	[ "$status" -eq 0 ]
	assert_offers $(readme_long_options) $(planned_long_options)
}

@test "fish: - offers every short option of the README" {
	need_fish
	run fish_complete "mping -"
	[ "$status" -eq 0 ]
	assert_offers $(readme_short_options)
}

# --- zsh ---------------------------------------------------------------

# A zsh script that runs an interactive zsh -f in a pseudo-terminal
# (zpty), loads compinit with completions/ first in $fpath, types the
# line and TAB, and prints each match that the completion system adds,
# one per line.  compadd is wrapped to record its matches (with -A,
# which applies the same prefix matching zsh does).
write_zsh_driver() {
	cat <<'DRIVER'
zmodload zsh/zpty || exit 3
compdir=$1 line=$2
tmp=$(mktemp -d) || exit 3
out=$tmp/out rc=$tmp/rc
: >$out
cat >$rc <<RC
PS1= PROMPT= RPROMPT=
fpath=(${(q)compdir} \$fpath)
autoload -Uz compinit && compinit -u -D
compadd() {
	# Calls that only filter or store matches (-O, -A, -D) pass through.
	if [[ \${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then
		builtin compadd "\$@"
		return
	fi
	local -a __hits
	builtin compadd -A __hits "\$@"
	(( \$#__hits )) && print -rl -- "\${(@)__hits}" >>${(q)out}
	builtin compadd "\$@"
}
_capture_complete() { _main_complete; print -r -- ::done >>${(q)out}; }
zle -C capture-complete complete-word _capture_complete
bindkey '^I' capture-complete
print -r -- ::ready >>${(q)out}
RC
wait_for() {
	local i junk
	for i in {1..200}; do
		while zpty -r -t z junk 2>/dev/null; do :; done
		grep -qx -- "$1" $out && return 0
		sleep 0.05
	done
	return 1
}
zpty z TERM=dumb zsh -f -i
zpty -w z "source ${(q)rc}"
if ! wait_for ::ready; then
	print -u2 "zsh did not start"; zpty -d z; rm -rf $tmp; exit 2
fi
zpty -w -n z "$line"$'\t'
if ! wait_for ::done; then
	print -u2 "completion did not finish"; zpty -d z; rm -rf $tmp; exit 2
fi
zpty -d z
grep -vx -e ::ready -e ::done $out | sort -u
rm -rf $tmp
DRIVER
}

need_zsh() {
	command -v zsh >/dev/null || missing "zsh is not installed" zsh
	zsh -f -c 'zmodload zsh/zpty' 2>/dev/null ||
		missing "zsh has no zsh/zpty module" "a zsh with zsh/zpty"
}

# zsh_complete LINE: the matches zsh's completion offers for LINE.
zsh_complete() {
	timeout 60 zsh -f "$ZSH_DRIVER" "$ZSH_COMPL_DIR" "$1"
}

@test "zsh: the completion file parses" {
	command -v zsh >/dev/null || missing "zsh is not installed" zsh
	run zsh -n "$ZSH_COMPL_DIR/_mping"
	[ "$status" -eq 0 ]
	[ "$(head -n 1 "$ZSH_COMPL_DIR/_mping")" = "#compdef mping" ]
}

@test "zsh: --for<TAB> gives --format" {
	need_zsh
	run zsh_complete "mping --for"
	[ "$status" -eq 0 ]
	assert_offers_exactly --format
}

@test "zsh: --format <TAB> and --format=<TAB> give text, csv, json and dot" {
	need_zsh
	run zsh_complete "mping --format "
	[ "$status" -eq 0 ]
	assert_offers_exactly text csv json dot
	run zsh_complete "mping --format="
	[ "$status" -eq 0 ]
	assert_offers_exactly text csv json dot
}

@test "zsh: --method <TAB> gives icmp, udp and tcp; after -U or -T, no other method" {
	need_zsh
	run zsh_complete "mping --method "
	[ "$status" -eq 0 ]
	assert_offers_exactly icmp udp tcp
	run zsh_complete "mping --method="
	[ "$status" -eq 0 ]
	assert_offers_exactly icmp udp tcp
	run zsh_complete "mping -U --"
	[ "$status" -eq 0 ]
	assert_offers --port
	assert_offers_none_of --method --udp --tcp
	run zsh_complete "mping -T --"
	[ "$status" -eq 0 ]
	assert_offers --port
	assert_offers_none_of --method --udp --tcp
}

@test "zsh: --color=<TAB> gives auto, always and never" {
	need_zsh
	run zsh_complete "mping --color="
	[ "$status" -eq 0 ]
	assert_offers_exactly auto always never
}

@test "zsh: -f completes file names" {
	need_zsh
	run zsh_complete "mping -f $FILES/hosts"
	[ "$status" -eq 0 ]
	assert_offers_exactly hosts-a.txt hosts-b.txt
}

@test "zsh: -I completes interface names" {
	need_zsh
	[ -e /sys/class/net/lo ] || skip "no /sys/class/net/lo"
	run zsh_complete "mping -I "
	[ "$status" -eq 0 ]
	assert_offers lo
}

@test "zsh: -- offers every long option of the README and the planned ones" {
	need_zsh
	run zsh_complete "mping --"
	[ "$status" -eq 0 ]
	assert_offers $(readme_long_options) $(planned_long_options)
}

@test "zsh: - offers every short option of the README; -4 excludes -6" {
	need_zsh
	run zsh_complete "mping -"
	[ "$status" -eq 0 ]
	assert_offers $(readme_short_options)
	run zsh_complete "mping -4 -"
	[ "$status" -eq 0 ]
	assert_offers_none_of -6
}

# --- every option everywhere -------------------------------------------

@test "the README options table yields the options the tests expect" {
	run readme_long_options
	[ "${#lines[@]}" -ge 25 ]
	assert_offers --count --format --csv --json --max-targets --version
	run readme_short_options
	assert_offers -c -4 -6 -V -h
}

@test "every long option of the README appears in each completion file" {
	local f o missing=
	for f in "$BASH_COMPL" "$ZSH_COMPL_DIR/_mping" "$FISH_COMPL"; do
		for o in $(readme_long_options) $(planned_long_options); do
			case $f in
			*.fish) grep -qE -- "-l ${o#--}( |\$)" "$f" ;;
			*) grep -qE -- "(^|[^a-z-])$o([^a-z-]|\$)" "$f" ;;
			esac || missing+=" ${f##*/}:$o"
		done
	done
	[ -z "$missing" ] || { echo "missing:$missing" >&2; false; }
}

# The man page as text, without overstrike and with ASCII hyphens.
man_text() {
	mandoc -Tascii "$MANPAGE" | sed 's/.\x08//g'
}

@test "man page: mandoc -Tlint -W warning is clean" {
	command -v mandoc >/dev/null || missing "mandoc is not installed" mandoc
	run mandoc -Tlint -W warning "$MANPAGE"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "man page: no macro shows through as text (a .It joined to its line)" {
	command -v mandoc >/dev/null || missing "mandoc is not installed" mandoc
	# A macro that is not at the start of a line is printed as text,
	# e.g. "null.It round": lint does not catch it.
	run bash -c "mandoc -Tascii '$MANPAGE' | sed 's/.\x08//g' |
	    grep -nE '\.(It|Cm|Fl|Ar|Pq|Qq|Ql|Op|Nm|Pp|Bl|El|Bd|Ed|Dv|Va|Pa|Xr|Sh|Ss) '"
	echo "$output"
	[ "$status" -eq 1 ]
}

@test "man page: has an entry for every option of the README" {
	command -v mandoc >/dev/null || missing "mandoc is not installed" mandoc
	local text o missing=
	text=$(man_text)
	# An entry is a tag line of an option list, such as
	# "     -c count, --count=count" or "     --df    Set the ...".
	# The planned options are checked while the page documents them
	# (between PLANNED-BEGIN and PLANNED-END markers).
	local planned=
	grep -q 'PLANNED-BEGIN' "$MANPAGE" && planned=$(planned_long_options)
	for o in $(readme_long_options) $planned; do
		grep -qE -- "^ {5}(-[[:alnum:]]( [a-z]+)?, )?$o(\[?=|[[:space:]]|\$)" \
			<<<"$text" || missing+=" $o"
	done
	for o in $(readme_short_options); do
		grep -qE -- "^ {5}$o([ ,]|\$)" <<<"$text" || missing+=" $o"
	done
	[ -z "$missing" ] || { echo "missing:$missing" >&2; false; }
}

@test "man page: documents every ICMP error name of the README" {
	command -v mandoc >/dev/null || missing "mandoc is not installed" mandoc
	local text names n missing=
	text=$(man_text)
	names=$(sed -n '/^Error names:/,/^`error`/p' "$TOP/README.md" |
		grep -oE '`[a-z-]+`' | tr -d '`' | sort -u)
	[ "$(wc -w <<<"$names")" -ge 25 ]
	for n in $names; do
		grep -qw -- "$n" <<<"$text" || missing+=" $n"
	done
	[ -z "$missing" ] || { echo "missing:$missing" >&2; false; }
}

@test "man page: documents every record type and field" {
	command -v mandoc >/dev/null || missing "mandoc is not installed" mandoc
	local text w missing=
	text=$(man_text)
	for w in start reply timeout error bad-target summary end \
		type version mode targets target addr from seq size ttl rtt_ms \
		dup time icmp_type icmp_code mtu reason sent received lost \
		loss_pct errors dups rtt_min_ms rtt_avg_ms rtt_max_ms \
		rtt_stddev_ms answered exit_status late foreign inflight responders \
		alive unreachable count period_ms interval_ms timeout_ms retries \
		deadline_s probe hop trace addrs names froms rtts_ms marks mpls \
		reached hops stop first_hop max_hops queries max_timeouts window \
		flow; do
		grep -qE -- "(^|[^a-z_-])$w([^a-z_-]|\$)" <<<"$text" || missing+=" $w"
	done
	[ -z "$missing" ] || { echo "missing:$missing" >&2; false; }
}

@test "man page: has the sections the project promises" {
	command -v mandoc >/dev/null || missing "mandoc is not installed" mandoc
	local text s missing=
	text=$(man_text)
	for s in NAME SYNOPSIS DESCRIPTION OUTPUT "EXIT STATUS" PRIVILEGES \
		SIGNALS EXAMPLES "SEE ALSO"; do
		grep -qx -- "$s" <<<"$text" || missing+=" [$s]"
	done
	for s in 'fping(8)' 'ping(8)' 'traceroute(8)' 'mtr(8)'; do
		grep -qF -- "$s" <<<"$text" || missing+=" $s"
	done
	[ -z "$missing" ] || { echo "missing:$missing" >&2; false; }
}
