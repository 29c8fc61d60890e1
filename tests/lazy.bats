#!/usr/bin/env bats
# lazy.bats: targets read as the run goes (issue 17, goal 4, src/feed.c):
# the first probes leave while a FIFO's writer has not written the rest,
# or a block is still being expanded; the counts, duplicates, the order
# of the summaries, bad lines and --max-targets stay as they were.
#
# Lab: one namespace lz-<pid>-c whose loopback answers 198.18.0.0/15 and
# 2001:db8:ff::/64 (local routes); its hosts file names lz-one
# (198.18.7.7); its resolver is 127.0.0.1, where nothing answers.

bats_require_minimum_version 1.5.0

. "${BATS_TEST_DIRNAME}/netns.bash"

MPING="${MPING:-$BATS_TEST_DIRNAME/../mping}"

_lz_build()
{
	local etc
	netns_add "$LZ_DIR" "$LZ-c" &&
	netns_defaults "$LZ-c" &&
	ip -n "$LZ-c" route add local 198.18.0.0/15 dev lo &&
	ip -n "$LZ-c" -6 route add local 2001:db8:ff::/64 dev lo &&
	etc=$(netns_etc "$LZ_DIR" "$LZ-c") &&
	echo "nameserver 127.0.0.1" >"$etc/resolv.conf" &&
	printf '127.0.0.1 localhost\n198.18.7.7 lz-one\n' >"$etc/hosts" &&
	echo "hosts: files dns" >"$etc/nsswitch.conf"
}

setup_file()	{ netns_file_lab lz LZ _lz_build; }
teardown_file()	{ netns_file_lab_down LZ; }
setup()		{ netns_file_lab_ready LZ; [ -x "$MPING" ]; }

teardown()
{
	[ -n "${LZ_PID:-}" ] && kill -KILL "$LZ_PID" 2>/dev/null
	[ -n "${LZ:-}" ] && netns_killns "$LZ-c"
	return 0
}

# lz ARGS...: mping in the lab, stdin from /dev/null.
lz()
{
	ip netns exec "$LZ-c" "$MPING" "$@" </dev/null
}

# lz_bg IN OUT ERR ARGS...: mping in the background, stdin from IN; its
# pid in LZ_PID.
lz_bg()
{
	local in=$1 out=$2 err=$3
	shift 3
	ip netns exec "$LZ-c" "$MPING" "$@" <"$in" >"$out" 2>"$err" &
	LZ_PID=$!
}

# lz_until N FILE: wait (at most 10 s) until FILE has N reply records.
lz_until()
{
	local i
	for i in $(seq 100); do
		[ "$(grep -c '"type":"reply"' "$2")" -ge "$1" ] && return 0
		sleep 0.1
	done
	echo "no $1 replies in $2:"; cat "$2"
	return 1
}

# lz_wait: wait for the background mping; its status in LZ_STATUS.
lz_wait()
{
	LZ_STATUS=0
	wait "$LZ_PID" || LZ_STATUS=$?
	LZ_PID=
}

# lz_fifo_run INPUT ARGS...: the body of the FIFO tests.  The first lines
# are written and answered while the writer holds the FIFO open (mping
# still runs: it waits for more); then the rest, with a duplicate, a bad
# line, a block and a name.
lz_fifo_run()
{
	local input=$1 fifo=$BATS_TEST_TMPDIR/fifo
	local out=$BATS_TEST_TMPDIR/out err=$BATS_TEST_TMPDIR/err
	shift
	mkfifo "$fifo"
	if [ "$input" = stdin ]; then
		lz_bg "$fifo" "$out" "$err" "$@"
	else
		lz_bg /dev/null "$out" "$err" "$@" -f "$fifo"
	fi
	exec 7>"$fifo"
	printf '198.18.0.1\n198.18.0.2\n' >&7
	lz_until 2 "$out"
	kill -0 "$LZ_PID"
	printf '198.18.0.1\n198.18.0.9/33\n198.18.1.0/30\nlz-one\n' >&7
	exec 7>&-
	lz_wait
	cat "$out" "$err"
	output=$(cat "$out")
	[ "$LZ_STATUS" -eq 2 ]
	[ "$(cat "$err")" = "mping: 198.18.0.9/33: prefix length must be 0 to 32" ]
	[ "$(jcount '.type == "reply"')" -eq 5 ]
	[ "$(json_sel -s '[.[] | select(.type == "summary") | .target]')" = \
	    '["198.18.0.1","198.18.0.2","198.18.1.1","198.18.1.2","lz-one"]' ]
	jall 'select(.type == "summary") | .sent == 1 and .received == 1'
	[ "$(jcount '.type == "bad-target"')" -eq 1 ]
	[ "$(jcount '.type == "end" and .targets == 5')" -eq 1 ]
}

@test "-f FIFO: the first lines are answered before the writer writes the rest" {
	lz_fifo_run file --json -c 1 -t 1000
}

@test "stdin: the first lines are answered before the writer writes the rest" {
	lz_fifo_run stdin --json -c 1 -t 1000
}

@test "a /15 sweep starts before the block is expanded; every count exact" {
	local out=$BATS_TEST_TMPDIR/out s
	lz --json -c 1 -i 0 -t 2000 198.18.0.0/15 >"$out"
	# Probing started with the first chunk known, not all 131,070.
	head -1 "$out"
	[[ "$(head -1 "$out")" == '{"type":"start",'*'"targets":4096,'* ]]
	[ "$(grep -c '^{"type":"reply",' "$out")" -eq 131070 ]
	s='^{"type":"summary","target":"[0-9.]*","addr":"[0-9.]*","sent":1,"received":1,'
	[ "$(grep -c "$s" "$out")" -eq 131070 ]
	[ "$(grep '^{"type":"summary"' "$out" | cut -d'"' -f8 | sort -u | wc -l)" -eq 131070 ]
	grep '^{"type":"summary"' "$out" | head -1 | grep -q '"198.18.0.1"'
	grep '^{"type":"summary"' "$out" | tail -1 | grep -q '"198.19.255.254"'
	tail -1 "$out" | grep '"targets":131070,"answered":131070,'
}

@test "an IPv6 block of four chunks: every address once, in order" {
	run --separate-stderr lz -q -c 1 -i 0 -t 2000 2001:db8:ff::/114
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 16384 ]
	[ "${lines[0]%%:*}" = "2001" ]
	[ "$(printf '%s\n' "${lines[@]}" | grep -c ' sent=1 received=1 ')" -eq 16384 ]
	[[ "${lines[16383]}" == "2001:db8:ff::3fff: sent=1 "* ]]
}

@test "duplicates across chunks are dropped (the first counts); bad lines in order" {
	local f=$BATS_TEST_TMPDIR/targets
	printf '%s\n' 'bad 1' 198.18.0.0/19 198.18.0.5 198.18.0.0/-1 \
	    198.18.31.254 198.18.40.1 198.18.16.0/20 2001:db8::1::2 \
	    198.18.31.255 >"$f"
	run --separate-stderr lz -q -c 1 -i 0 -t 2000 -f "$f"
	echo "$stderr"
	[ "$status" -eq 2 ]
	[ "$stderr" = "$(printf '%s\n' \
	    'mping: bad 1: not a valid address or host name' \
	    'mping: 198.18.0.0/-1: prefix length must be 0 to 32' \
	    'mping: 2001:db8::1::2: not a valid address or host name')" ]
	[ "${#lines[@]}" -eq 8192 ]
	[ "$(printf '%s\n' "${lines[@]}" | cut -d: -f1 | sort -u | wc -l)" -eq 8192 ]
	[ "$(printf '%s\n' "${lines[@]}" | grep -c ' sent=1 received=1 ')" -eq 8192 ]
	[ "${lines[0]%%:*}" = 198.18.0.1 ]
	[ "${lines[8189]%%:*}" = 198.18.31.254 ]
	[ "${lines[8190]%%:*}" = 198.18.40.1 ]
	[ "${lines[8191]%%:*}" = 198.18.31.255 ]
}

@test "--max-targets: a file past it in its first chunk sends nothing (exit 3)" {
	local f=$BATS_TEST_TMPDIR/targets
	printf '%s\n' 198.18.0.1 198.18.0.2 198.18.0.3 >"$f"
	run --separate-stderr lz -c 1 --max-targets 2 -f "$f"
	[ "$status" -eq 3 ]
	[ -z "$output" ]
	[ "$stderr" = "mping: 198.18.0.3: too many targets (see --max-targets)" ]
}

@test "--max-targets: a file past it later ends the run there (exit 3)" {
	local f=$BATS_TEST_TMPDIR/targets
	printf '%s\n' 198.18.0.0/20 198.18.32.0/23 198.18.64.1 >"$f"
	run --separate-stderr lz --json -c 1 -i 0 --max-targets 4500 -f "$f"
	[ "$status" -eq 3 ]
	[ "$stderr" = "mping: 198.18.32.0/23: too many targets (see --max-targets)" ]
	# The table is full: a summary per target in it, none past it.
	[ "$(jcount '.type == "summary"')" -eq 4500 ]
	[ "$(jcount '.type == "summary" and .addr == "198.18.64.1"')" -eq 0 ]
	[ "$(jcount '.type == "end" and .targets == 4500 and .exit_status == 3')" -eq 1 ]
}

@test "--max-targets: arguments past it are refused whole, nothing sent" {
	run --separate-stderr lz -c 1 --max-targets 4099 198.18.0.0/20 198.18.32.0/29
	[ "$status" -eq 3 ]
	[ -z "$output" ]
	[ "$stderr" = "mping: 198.18.32.0/29: too many targets (see --max-targets)" ]
}
