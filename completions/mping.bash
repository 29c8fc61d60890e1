# bash completion for mping                                -*- shell-script -*-
# SPDX-License-Identifier: BSD-2-Clause
# Copyright (c) 2026 The mping authors.
#
# Works on its own; uses the bash-completion package's helpers
# (_init_completion, _filedir, _available_interfaces, _ip_addresses,
# _known_hosts_real) when they are loaded.

# Options that take a value, in the separate-word or --opt=value forms.
_mping_opts_with_arg='-c --count -w --deadline -p --period -i --interval
	--rate -t --timeout -r --retries -s --size --ttl --tos -S --source
	-I --interface -f --file --max-targets --format --max-hops --first-hop
	--queries --max-timeouts --window --flow --method --port -Q
	--report-every --down-after --up-after --prom-file --fwmark
	--resolve-every --confidence'

_mping_long_opts='--count --deadline --period --interval --rate --timeout
	--retries --size --ttl --tos --df --source --interface --file
	--broadcast --max-targets --quiet --alive --unreachable --timestamp
	--format --csv --json --live --progress --no-progress --help --version
	--trace --trace-down --max-hops --first-hop --queries --max-timeouts
	--window --stop-set --no-stop-set
	--flow --names --method --udp --tcp --port
	--report-every --cumulative --rtts --down-after --up-after --prom-file
	--resolve-every --all-addresses --random-data --icmp-timestamp --fwmark
	--all-paths --mda --confidence --report
	--color --color='

_mping_short_opts='-c -w -p -i -t -r -s -S -I -4 -6 -f -b -q -a -u -U -T -D -h -V -Q -m'

# Print the words of $1 that start with $2, one per line.
_mping_filter()
{
	compgen -W "$1" -- "$2"
}

_mping_interfaces()
{
	if declare -F _available_interfaces >/dev/null; then
		_available_interfaces -a
		return
	fi
	local ifs=() i
	for i in /sys/class/net/*; do
		[[ -e $i ]] && ifs+=("${i##*/}")
	done
	COMPREPLY=($(compgen -W "${ifs[*]}" -- "$cur"))
}

_mping_addresses()
{
	if declare -F _ip_addresses >/dev/null; then
		COMPREPLY=()
		_ip_addresses -a
		declare -F __ltrim_colon_completions >/dev/null &&
			__ltrim_colon_completions "$cur"
		return
	fi
	# Without bash-completion, ':' splits IPv6 addresses into several
	# words, so only IPv4 ones complete well here.
	local addrs
	addrs=$(ip -o addr show 2>/dev/null |
		awk '{ sub("/.*", "", $4); print $4 }')
	COMPREPLY=($(compgen -W "$addrs" -- "$cur"))
}

_mping_files()
{
	if declare -F _filedir >/dev/null; then
		_filedir
		return
	fi
	compopt -o filenames 2>/dev/null
	COMPREPLY=($(compgen -f -- "$cur"))
}

_mping_hosts()
{
	if declare -F _known_hosts_real >/dev/null; then
		_known_hosts_real -- "$cur"
		return
	fi
	COMPREPLY=($(compgen -A hostname -- "$cur"))
}

# Complete the value $cur of option $1; $2 is true when the value is
# attached with '='.  Returns 1 if $1 takes no value there.
_mping_value()
{
	case $1 in
	--format)
		COMPREPLY=($(_mping_filter 'text csv json dot' "$cur")) ;;
	--confidence)
		COMPREPLY=($(_mping_filter '95 99' "$cur")) ;;
	--method)
		COMPREPLY=($(_mping_filter 'icmp udp tcp' "$cur")) ;;
	--color)
		# An optional value, so only in the --color=WHEN form.
		[[ $2 == true ]] || return 1
		COMPREPLY=($(_mping_filter 'auto always never' "$cur")) ;;
	-f | --file | --prom-file)
		_mping_files ;;
	-I | --interface)
		_mping_interfaces ;;
	-S | --source)
		_mping_addresses ;;
	*)
		# A number: nothing to offer.
		local o
		for o in $_mping_opts_with_arg; do
			[[ $o == "$1" ]] && { COMPREPLY=(); return 0; }
		done
		return 1 ;;
	esac
	return 0
}

_mping()
{
	local cur prev words cword split=false eq=false
	if declare -F _init_completion >/dev/null; then
		# -s splits "--opt=value" into prev and cur; $split says it did.
		_init_completion -s -n : || return
		eq=$split
	else
		words=("${COMP_WORDS[@]}")
		cword=$COMP_CWORD
		cur=${words[cword]}
		prev=${words[cword - 1]}
		# COMP_WORDBREAKS splits "--format=c" into "--format", "=", "c".
		if [[ $cur == = && $prev == --* ]]; then
			cur=
			eq=true
		elif [[ $prev == = ]] && ((cword >= 2)) &&
			[[ ${words[cword - 2]} == --* ]]; then
			prev=${words[cword - 2]}
			eq=true
		fi
	fi

	# One word "--format=c": '=' is not in COMP_WORDBREAKS, so the
	# completions must carry the "--format=" part.
	if [[ $eq == false && $cur == --*=* ]]; then
		local opt=${cur%%=*}
		cur=${cur#*=}
		if _mping_value "$opt" true; then
			COMPREPLY=("${COMPREPLY[@]/#/$opt=}")
		fi
		return
	fi

	# Everything after "--" is a target.
	local i
	for ((i = 1; i < cword; i++)); do
		if [[ ${words[i]} == -- ]]; then
			_mping_hosts
			return
		fi
	done

	_mping_value "$prev" "$eq" && return

	case $cur in
	--*)
		COMPREPLY=($(_mping_filter "$_mping_long_opts" "$cur"))
		[[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == *= ]] &&
			compopt -o nospace 2>/dev/null
		;;
	-*)
		COMPREPLY=($(_mping_filter "$_mping_short_opts $_mping_long_opts" "$cur"))
		;;
	*)
		_mping_hosts
		;;
	esac
}
complete -F _mping mping

# ex: filetype=sh
