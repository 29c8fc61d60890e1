#!/usr/bin/env bats
# Issue 11, output: names with control characters (13), -a and -u (16),
# --help and the completion tests' requirements (19), --live (20).
# The faults lab (tests/faults_lab.bash) with names of our own in the
# client's hosts file; terminals through tests/ptyrun and tests/screen.py.

bats_require_minimum_version 1.5.0
load faults_lab

# Names holding control characters: C1 CSI as UTF-8 (C2 9B) and as a lone
# byte (9B), C0 ESC and DEL, and a harmless UTF-8 name.
CSI_NAME=$'u\xc2\x9b31mcsi'
RAW_NAME=$'r\x9b31mraw'
ESC_NAME=$'e\x1b[31mesc\x7fdel'
UTF_NAME=$'caf\xc3\xa9'

setup_file()
{
	flab_up || return 1
	flab_is_root || return 0
	printf '198.18.0.5\t%s\n198.18.0.6\t%s\n198.18.0.7\t%s\n198.18.0.8\t%s\n' \
	    "$CSI_NAME" "$RAW_NAME" "$ESC_NAME" "$UTF_NAME" \
	    >>"/etc/netns/$FLAB-c/hosts"
	printf '2001:db8:100::2\tlab-six-long-name-of-a-host\n' \
	    >>"/etc/netns/$FLAB-c/hosts"
	printf '198.18.0.9\tmho-b\n198.18.0.10\tmho-d\n' \
	    >>"/etc/netns/$FLAB-c/hosts"
	# A silent block: requests to 198.18.7.0/24 are sent, never answered.
	flab_exec c nft -f - <<-'EOF'
	table inet mho {
		chain input {
			type filter hook input priority 0; policy accept;
			ip daddr 198.18.7.0/24 icmp type echo-request drop
		}
	}
	EOF
}
teardown_file()	{ flab_down; }
setup()		{ flab_require_root; TERMOUT=$BATS_TEST_TMPDIR/term; PTYOPTS=(); }

PTYRUN="$BATS_TEST_DIRNAME/ptyrun"
SCREEN="$BATS_TEST_DIRNAME/screen.py"

# No C0 (but newline), DEL or C1 byte in $output.
no_controls()
{
	LC_ALL=C nogrep -n $'[\x01-\x09\x0b-\x1f\x7f\x80-\x9f]' <<<"$output"
}

@test "text: C1 and C0 controls in names (hosts file, PTR) are escaped as \\xNN; UTF-8 kept" {
	run --separate-stderr fmp -q -c 1 "$CSI_NAME" "$RAW_NAME" "$UTF_NAME"
	[ "$status" -eq 0 ]
	no_controls
	diff - <(sed 's/ rtt .*//' <<<"$output" | sort) <<-EOF
	${UTF_NAME} (198.18.0.8): sent=1 received=1 loss=0%
	r\x9b31mraw (198.18.0.6): sent=1 received=1 loss=0%
	u\xc2\x9b31mcsi (198.18.0.5): sent=1 received=1 loss=0%
	EOF
	# -a lists the names the same way.
	run --separate-stderr fmp -a -c 1 "$CSI_NAME"
	[ "$status" -eq 0 ]
	[ "$output" = 'u\xc2\x9b31mcsi' ]
	# --trace --names: the responders' names from the hosts file.
	run --separate-stderr fmp --trace --names 198.18.0.5 198.18.0.6 198.18.0.7
	[ "$status" -eq 0 ]
	no_controls
	diff - <(grep ':  1 ' <<<"$output" | sed -E 's/  [0-9.]+ ms//g' | sort) <<-'EOF'
	198.18.0.5:  1  u\xc2\x9b31mcsi (198.18.0.5)
	198.18.0.6:  1  r\x9b31mraw (198.18.0.6)
	198.18.0.7:  1  e?[31mesc?del (198.18.0.7)
	EOF
}

@test "JSON: a C1 control is written \\u009b, never as the raw character" {
	run --separate-stderr fmp --json -c 1 "$CSI_NAME"
	[ "$status" -eq 0 ]
	no_controls
	[ "$(grep -c '"target":"u\\u009b31mcsi"' <<<"$output")" -eq 2 ]
	[ "$(json_sel -r 'select(.type == "summary") | .target')" = "$CSI_NAME" ]
}

@test "-a without -c ends once every target answered; with a silent one at -w" {
	SECONDS=0
	run --separate-stderr timeout 10 "$BASH" -c 'ip netns exec "$FLAB-c" "$MPING" -a 198.18.0.1 "$PEER" </dev/null'
	[ "$status" -eq 0 ]
	[ "$SECONDS" -lt 4 ]
	[ "$(sort <<<"$output")" = $'198.18.0.1\n198.51.100.2' ]
	run --separate-stderr timeout 10 "$BASH" -c 'ip netns exec "$FLAB-c" "$MPING" -a -w 2 198.18.0.1 "$SILENT" </dev/null'
	[ "$status" -eq 1 ]
	[ "$output" = 198.18.0.1 ]
}

@test "-a -u: refused in text (one list could not be told apart); labelled records in JSON" {
	run --separate-stderr fmp -a -u -c 1 198.18.0.1 "$SILENT"
	[ "$status" -eq 3 ]
	[ "$stderr" = "mping: -a and -u exclude each other in text: one list would hold both (use --json or --csv)" ]
	[ -z "$output" ]
	run --separate-stderr fmp -a -u -c 1 -t 300 --json 198.18.0.1 "$SILENT"
	[ "$status" -eq 1 ]
	[ "$(json_sel -r 'select(.type == "alive" or .type == "unreachable") | "\(.type) \(.target)"')" = \
	    "alive 198.18.0.1"$'\n'"unreachable $SILENT" ]
	jall 'select(.type == "alive" or .type == "unreachable") | .time > 1e9'
}

@test "-D stamps the -a and -u lines too" {
	run --separate-stderr fmp -D -a -c 1 198.18.0.1
	[ "$status" -eq 0 ]
	[[ $output =~ ^\[[0-9]{10}\.[0-9]{6}\]\ 198\.18\.0\.1$ ]]
	run --separate-stderr fmp -D -u -c 1 -t 200 "$SILENT"
	[ "$status" -eq 1 ]
	[[ $output =~ ^\[[0-9]{10}\.[0-9]{6}\]\ 198\.51\.100\.4$ ]]
}

# "GROUP -x" and "GROUP --long" for each option of mping(1)'s option lists
# (.Ss Options, Tracing, Display), and of --help (its "Group:" headings).
man_groups()
{
	sed -n '/^\.Ss Options/,/^\.Sh OUTPUT/p' "$BATS_TEST_DIRNAME/../man/mping.1" |
	    awk '
		/^\.Ss / { g = $2; next }
		/^\.It Fl / {
			line = $0; gsub(/\\/, "", line)
			n = split(line, w, " ")
			for (i = 2; i < n; i++)
				if (w[i] == "Fl" && w[i+1] ~ /^-?[a-zA-Z0-9]/) {
					o = w[i+1]; sub(/Ns$/, "", o)
					print g, "-" o
				}
		}' | sort
}

help_groups()
{
	awk '
		/^[A-Z][a-z]+:$/ { g = substr($1, 1, length($1) - 1); next }
		g != "" && /^  +-/ {
			line = $0; sub(/^ +/, "", line)
			n = split(line, w, /[ ,=[]+/)
			for (i = 1; i <= n && w[i] ~ /^-/; i++) print g, w[i]
		}' <<<"$output" | sort
}

@test "--help: a line for every option of the option table (src/cli.c), grouped as in mping(1); stdout, exit 0" {
	local o
	run --separate-stderr "$MPING" --help
	[ "$status" -eq 0 ] && [ -z "$stderr" ]
	# Every long option of the table in src/cli.c, on one line each.
	local names=$(sed -n '/^static const struct cli_opt opts/,/^};/p' \
	    "$BATS_TEST_DIRNAME/../src/cli.c" | grep -o "^	{ [^,]*, \"[a-z0-9-]*\"" |
	    cut -d'"' -f2)
	[ "$(wc -w <<<"$names")" -ge 37 ] || { echo "option table not found in src/cli.c"; return 1; }
	for o in $names; do
		[ "$(grep -cE -- "^ +(-[a-zA-Z0-9], )?--$o([=[ ]|\$)" <<<"$output")" -eq 1 ] ||
		    { echo "--$o: not on one line of --help"; return 1; }
	done
	[ "$(grep -E '^[A-Z][a-z]+:$' <<<"$output" | tr '\n' ' ')" = "Options: Tracing: Display: " ]
	diff <(man_groups) <(help_groups)
	[ "$(man_groups | wc -l)" -ge 50 ]
	# -h is the same.
	[ "$("$MPING" -h)" = "$output" ]
}

@test "completion tests: a missing shell fails them (saying what to install) unless MPING_SKIP_COMPLETIONS=1" {
	local bin=$BATS_TEST_TMPDIR/bin f
	mkdir -p "$bin"
	# A PATH with everything but fish and zsh.
	for f in /usr/local/bin/* /usr/bin/*; do
		case ${f##*/} in
		fish|zsh|zsh5) ;;
		*) [ -e "$bin/${f##*/}" ] || ln -s "$f" "$bin/${f##*/}" ;;
		esac
	done
	for f in "fish: --for<TAB>" "zsh: --for<TAB>" \
	    "bash with bash-completion: --for<TAB>"; do
		run env PATH="$bin" BASH_COMPLETION_MAIN=/nonexistent MPING_SKIP_COMPLETIONS= \
		    bats --tap -f "^$f" "$BATS_TEST_DIRNAME/completions.bats"
		echo "$output"
		[ "$status" -ne 0 ]
		grep -q '^not ok 1 ' <<<"$output"
		grep -q "install .*MPING_SKIP_COMPLETIONS=1" <<<"$output"
		run env PATH="$bin" BASH_COMPLETION_MAIN=/nonexistent MPING_SKIP_COMPLETIONS=1 \
		    bats --tap -f "^$f" "$BATS_TEST_DIRNAME/completions.bats"
		[ "$status" -eq 0 ]
		grep -q '^ok 1 .* # skip' <<<"$output"
	done
}

# onpty ARGS...: mping under a terminal in the client, bytes to $TERMOUT.
onpty()
{
	flab_exec c "$PTYRUN" "${PTYOPTS[@]}" "$TERMOUT" -- "$MPING" "$@"
}

# frame [N]: the last frame (frame N) as text.
frame()
{
	"$SCREEN" "$TERMOUT" frame "$@"
}

@test "--live: a cut name ends in ~ within its column; at 80 columns an IPv6 row keeps 8 of RECENT" {
	PTYOPTS=(--env LANG=C --size 24x80)
	run onpty --live -c 10 -p 50 lab-six-long-name-of-a-host
	[ "$status" -eq 0 ]
	"$SCREEN" "$TERMOUT" check
	frame
	local head row
	head=$(frame | sed -n 2p)
	row=$(frame | sed -n 3p)
	# Label: 24 columns (80 less 46 of numbers, 2 of space, 8 of
	# RECENT), the last one the ~; SENT right under its head.
	[ "${row:0:31}" = "lab-six-long-name-of-a-~     10" ]
	[ "${head:24:7}" = "   SENT" ]
	[[ $row =~ \ \ [._~=+*#-]{8}$ ]]
	[ "${#row}" -eq 80 ]
}

@test "--live: a silent target has its row from the first frame, SENT as sent (not as of its last timeout)" {
	PTYOPTS=(--env LANG=C --signal 1.5:INT)
	run onpty --live -p 100 -t 5000 198.18.7.1 198.18.0.1
	[ "$status" -eq 1 ]
	"$SCREEN" "$TERMOUT" check
	local i a b
	frame 0
	read -r -a a <<<"$(frame 0 | awk '$1 == "198.18.7.1"')"
	[ "${a[2]}" = - ]
	for i in -2 -3; do
		frame "$i"
		read -r -a a <<<"$(frame "$i" | awk '$1 == "198.18.7.1"')"
		read -r -a b <<<"$(frame "$i" | awk '$1 == "198.18.0.1"')"
		# Both are probed every 100 ms: within one of each other.
		[ "${a[1]}" -ge 10 ] && [ "${b[1]}" -ge 10 ]
		[ $((a[1] - b[1])) -le 1 ] && [ $((b[1] - a[1])) -le 1 ]
		# Nothing timed out yet: no loss to show.
		[ "${a[2]}" = - ] && [ "${b[2]}" = 0.0% ]
	done
}

@test "--live: more targets than rows: those that answered come first" {
	PTYOPTS=(--env LANG=C --size 8x80)
	run onpty --live -c 5 -p 100 -t 300 198.18.7.1 198.18.7.2 198.18.7.3 \
	    198.18.7.4 198.18.7.5 198.18.7.6 198.18.0.1 198.18.0.2
	[ "$status" -eq 1 ]
	"$SCREEN" "$TERMOUT" check
	frame
	# Title, heads, 5 rows, the line of what is not shown.
	diff - <(frame | sed -n '3,8p' | awk '{ print $1, $2, $3 }') <<-'EOF'
	198.18.0.1 5 0.0%
	198.18.0.2 5 0.0%
	198.18.7.1 5 100.0%
	198.18.7.2 5 100.0%
	198.18.7.3 5 100.0%
	3 of 8
	EOF
	frame | grep -qx '3 of 8 targets not shown (answered first): the terminal is too small'
}

@test "--live: rows in the order the targets were given, names among addresses" {
	PTYOPTS=(--env LANG=C --size 24x80)
	run onpty --live -c 3 -p 100 198.18.0.1 mho-b 198.18.0.2 mho-d \
	    198.18.0.3
	[ "$status" -eq 0 ]
	"$SCREEN" "$TERMOUT" check
	frame
	# A name resolves after the addresses were added: its row still
	# takes the place it was given in.
	diff - <(frame | sed -n '3,7p' | awk '{ print $1, $2 }') <<-'EOF'
	198.18.0.1 3
	mho-b (198.18.0.9)
	198.18.0.2 3
	mho-d (198.18.0.10)
	198.18.0.3 3
	EOF
}

@test "--live --trace: the rows left after the view fit the terminal" {
	PTYOPTS=(--env LANG=C --size 24x70)
	run onpty --live --trace -c 1 "$PEER" "$PEER6"
	[ "$status" -eq 0 ]
	"$SCREEN" "$TERMOUT" check
	after=$("$SCREEN" "$TERMOUT" after)
	echo "$after"
	[ "$(LC_ALL=C.UTF-8 wc -L <<<"$after")" -le 70 ]
	grep -E '^198\.51\.100\.2  1\. 198\.51\.100\.2 +3 +0\.0% ' <<<"$after"
	grep -E '^2001:db8:100::2  1\. 2001:db8:100::2 +3 +0\.0% ' <<<"$after"
}
