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
	printf '198.18.1.1\tlab-first\n2001:db8:100::2\tlab-six\n' \
	    >>"/etc/netns/$FLAB-c/hosts"
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

@test "--help: a line for every option of longopts, grouped as in mping(1); stdout, exit 0" {
	local o
	run --separate-stderr "$MPING" --help
	[ "$status" -eq 0 ] && [ -z "$stderr" ]
	# Every long option of the table in src/main.c, on one line each.
	for o in $(sed -n '/^static const struct option longopts/,/^};/p' \
	    "$BATS_TEST_DIRNAME/../src/main.c" | grep -o '{ "[a-z0-9-]*"' |
	    cut -d'"' -f2); do
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
