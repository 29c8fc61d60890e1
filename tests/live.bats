#!/usr/bin/env bats
# --live (full-screen view) and the progress line, under a pseudo-terminal
# (tests/ptyrun) in the lab's client namespace.  tests/screen.py reads the
# frames back.

bats_require_minimum_version 1.5.0
load lab

setup_file()	{ lab_up; }
teardown_file()	{ lab_down; }
setup()		{ TERMOUT=$BATS_TEST_TMPDIR/term; PTYOPTS=(); }
teardown()	{ responder_stop_all; }

PTYRUN="$BATS_TEST_DIRNAME/ptyrun"
SCREEN="$BATS_TEST_DIRNAME/screen.py"

# onpty ARGS...: mping under a terminal in the client, bytes to $TERMOUT.
onpty()
{
	lab_exec c "$PTYRUN" "${PTYOPTS[@]}" "$TERMOUT" -- "$MPING" "$@"
}

# row TARGET: the target's row in the last frame, as words.
row()
{
	"$SCREEN" "$TERMOUT" frame | awk -v t="$1" '$1 == t'
}

@test "--live: usage error when stdout is not a terminal" {
	run --separate-stderr "$MPING" --live -c 1 127.0.0.1
	[ "$status" -eq 3 ]
	[ "$stderr" = "mping: --live needs a terminal on stdout" ]
	[ -z "$output" ]
}

@test "--live: conflicts with --json, -a and --progress are usage errors" {
	run --separate-stderr "$MPING" --live --json -c 1 127.0.0.1
	[ "$status" -eq 3 ]
	[[ $stderr == *"--live shows text"* ]]
	run --separate-stderr "$MPING" --live -a -c 1 127.0.0.1
	[ "$status" -eq 3 ]
	run --separate-stderr "$MPING" --live --progress -c 1 127.0.0.1
	[ "$status" -eq 3 ]
	[[ $stderr == *"exclude each other"* ]]
}

@test "--live: rows show sent and loss of a lossy target; terminal restored" {
	lab_require_root
	PTYOPTS=(--env LANG=C.UTF-8)
	run onpty --live -c 8 -p 50 -t 300 198.18.9.2 198.18.0.1 198.18.9.1
	"$SCREEN" "$TERMOUT" frame
	# One target never answers: exit status 1.
	[ "$status" -eq 1 ]
	"$SCREEN" "$TERMOUT" check
	[ "$("$SCREEN" "$TERMOUT" count)" -ge 2 ]
	# Every 4th reply of 198.18.9.2 is dropped: 2 of 8.
	read -r -a w <<<"$(row 198.18.9.2)"
	[ "${w[1]}" = 8 ] && [ "${w[2]}" = 25.0% ]
	read -r -a w <<<"$(row 198.18.0.1)"
	[ "${w[1]}" = 8 ] && [ "${w[2]}" = 0.0% ]
	read -r -a w <<<"$(row 198.18.9.1)"
	[ "${w[1]}" = 8 ] && [ "${w[2]}" = 100.0% ] && [ "${w[3]}" = - ]
	# The sparkline: lost probes as x, replies as block characters.
	[[ $(row 198.18.9.1) == *xxxxxxxx ]]
	[[ $(row 198.18.9.2) == *x*x ]]
	[[ $(row 198.18.0.1) == *[▁▂▃▄▅▆▇█] ]]
	# The summaries come as text after the view.
	after=$("$SCREEN" "$TERMOUT" after)
	grep -q '^198\.18\.9\.2: sent=8 received=6 loss=25%' <<<"$after"
	grep -q '^198\.18\.9\.1: sent=8 received=0 loss=100%' <<<"$after"
}

@test "--live: ASCII sparkline when the locale is not UTF-8" {
	lab_require_root
	PTYOPTS=(--env LANG=C --env LC_ALL=C)
	run onpty --live -c 4 -p 50 -t 300 198.18.0.1 198.18.9.1
	[ "$status" -eq 1 ]
	"$SCREEN" "$TERMOUT" check
	LC_ALL=C nogrep -q $'[\x80-\xff]' "$TERMOUT"
	[[ $(row 198.18.0.1) =~ \ [._~=+*#-]{4}$ ]]
	[[ $(row 198.18.9.1) == *xxxx ]]
}

@test "--live: SIGINT and SIGTERM leave the view and print summaries" {
	lab_require_root
	for sig in INT TERM; do
		PTYOPTS=(--signal "1.0:$sig")
		run onpty --live -p 100 198.18.0.1
		[ "$status" -eq 0 ]
		"$SCREEN" "$TERMOUT" check
		"$SCREEN" "$TERMOUT" after | grep -q '^198\.18\.0\.1: sent=[0-9]* received='
	done
}

@test "--live: more targets than rows: the rest is counted; SIGWINCH redraws" {
	lab_require_root
	PTYOPTS=(--size 40x100 --resize 1.0:8x60)
	run onpty --live -c 20 -p 100 198.18.0.1 198.18.0.2 198.18.0.3 198.18.0.4 \
	    198.18.0.5 198.18.0.6 198.18.0.7 198.18.0.8 198.18.0.9 198.18.0.10
	[ "$status" -eq 0 ]
	"$SCREEN" "$TERMOUT" check
	frame=$("$SCREEN" "$TERMOUT" frame)
	echo "$frame"
	# 8 lines: title, column names, 5 targets, what is not shown.
	[ "$(wc -l <<<"$frame")" -eq 8 ]
	grep -q '^198\.18\.0\.5 ' <<<"$frame"
	nogrep -q '^198\.18\.0\.6 ' <<<"$frame"
	grep -q '^6-10 of 10 targets not shown' <<<"$frame"
	# Lines are cut at the new width (in columns: a block is 3 bytes).
	[ "$(LC_ALL=C.UTF-8 wc -L <<<"$frame")" -le 60 ]
}

@test "progress: on stderr only; stdout the same with and without it" {
	lab_require_root
	PTYOPTS=(--stdout "$BATS_TEST_TMPDIR/with")
	run onpty -c 3 -p 600 --json 198.18.0.1 198.18.9.1 198.51.100.1
	[ "$status" -eq 1 ]
	# Drawn with \r, then erased; the terminal (stderr) got only that.
	grep -q $'\rsent [0-9]*/9, answered [0-9]/3 targets, [0-9]* remaining, [0-9]*/s, ETA ' "$TERMOUT"
	[[ $(tail -c 4 "$TERMOUT") == $'\r\e[K' ]]
	run --separate-stderr mp -c 3 -p 600 --json 198.18.0.1 198.18.9.1 198.51.100.1
	[ "$status" -eq 1 ]
	# Same records (times and RTTs aside).
	strip='del(.time, .rtt_ms, .rtt_min_ms, .rtt_avg_ms, .rtt_max_ms, .rtt_stddev_ms, .jitter_ms)'
	diff <(jq -c "$strip" "$BATS_TEST_TMPDIR/with" | sort) \
	    <(jq -c "$strip" <<<"$output" | sort)
	nogrep -q $'\r' "$BATS_TEST_TMPDIR/with"
	[[ $stderr != *sent* ]]
}

@test "progress: --no-progress keeps a terminal's stderr quiet, --progress forces it" {
	lab_require_root
	PTYOPTS=(--stdout "$BATS_TEST_TMPDIR/out")
	run onpty --no-progress -c 3 -p 600 198.18.0.1
	[ "$status" -eq 0 ]
	[ ! -s "$TERMOUT" ]
	run --separate-stderr mp --progress -c 2 -p 300 198.18.0.1
	[ "$status" -eq 0 ]
	[[ $stderr == *$'\rsent '*'/2, answered '* ]]
	nogrep -q $'\r' <<<"$output"
}

@test "--live --trace: a row per hop, filled as probes answer; the rows stay as text" {
	lab_require_root
	PTYOPTS=(--env LANG=C.UTF-8)
	run onpty --live --trace -c 1 198.19.0.9 2001:db8:f1::9
	"$SCREEN" "$TERMOUT" frame
	[ "$status" -eq 0 ]
	"$SCREEN" "$TERMOUT" check
	"$SCREEN" "$TERMOUT" frame | grep -F 'mping --live --trace: 2 targets, 2 traces done, 2 reached, 24 probes sent'
	# Every hop of both traces, each with its 3 probes answered.
	local hop
	for hop in "198.19.0.9  1. 192.0.2.1" "198.19.0.9  2. 192.0.2.18" \
	    "198.19.0.9  3. 192.0.2.82" "198.19.0.9  4. 198.19.0.9" \
	    "2001:db8:f1::9  1. 2001:db8:1::1" \
	    "2001:db8:f1::9  2. 2001:db8:12::2" \
	    "2001:db8:f1::9  3. 2001:db8:26::2" \
	    "2001:db8:f1::9  4. 2001:db8:f1::9"; do
		read -r -a w <<<"$("$SCREEN" "$TERMOUT" frame | grep -F "$hop ")"
		[ "${w[3]}" = 3 ] && [ "${w[4]}" = 0.0% ]
	done
	# After the view, the same 8 rows as text under the column heads.
	after=$("$SCREEN" "$TERMOUT" after)
	echo "$after"
	[ "$(grep -c ' 3   0.0% ' <<<"$after")" -eq 8 ]
	head -1 <<<"$after" | grep -q '^TARGET / HOP'
}

@test "--live --trace: a silent hop is a row of x; the trace gives up" {
	lab_require_root
	PTYOPTS=(--env LANG=C)
	run onpty --live --trace -c 1 --max-timeouts 2 -t 300 198.51.100.161
	[ "$status" -eq 1 ]
	"$SCREEN" "$TERMOUT" check
	after=$("$SCREEN" "$TERMOUT" after)
	echo "$after"
	grep -E '^198\.51\.100\.161  1\. 192\.0\.2\.1 +3 +0\.0% ' <<<"$after"
	# r3 blackholes the block: hops 3 and 4 never answer, and the trace
	# gives up there.  The silent run is held while the window moves
	# on (hops 5 to 8 probed too), and hop 3 is probed again (6 sent)
	# before the trace gives up (issue 16).  Hops 5 to 8 are past the
	# hop it gave up at: no rows (issue 16, item 6).
	grep -E '^198\.51\.100\.161  3\. \?\?\? +6 +100\.0% +- +- +- +- +xxx$' <<<"$after"
	grep -E '^198\.51\.100\.161  4\. \?\?\? +3 +100\.0% .*xxx$' <<<"$after"
	[ "$(grep -c '^198' <<<"$after")" -eq 4 ]
}

@test "--live --trace without -c: rounds repeat like mtr until Ctrl-C" {
	lab_require_root
	PTYOPTS=(--env LANG=C --signal 2.0:INT)
	run onpty --live --trace -p 200 198.19.0.10
	"$SCREEN" "$TERMOUT" check
	after=$("$SCREEN" "$TERMOUT" after)
	echo "$after"
	# About 2 s / (200 ms + a round): many rounds, every probe answered.
	for hop in "1. 192.0.2.1" "2. 192.0.2.18" "3. 192.0.2.82" \
	    "4. 198.19.0.10"; do
		read -r -a w <<<"$(grep -F "198.19.0.10  $hop " <<<"$after")"
		[ "${w[3]}" -ge 15 ] && [ "${w[4]}" = 0.0% ]
	done
	"$SCREEN" "$TERMOUT" frame | grep -E 'traces done, ([5-9]|[1-9][0-9]+) reached'
}
