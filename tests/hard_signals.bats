#!/usr/bin/env bats
# Issue 11, items 1 and 4: a signal ends (SIGQUIT: reports) a run at once
# whatever the rate, also while targets are read, a block is expanded or
# names resolve; --trace with TTLs up to 255 ends.
#
# In the engine lab (engine_lab.bash, namespaces mpe-<pid>-*): in the
# client c, 198.18.0.0/16 answers locally and 203.0.113.0/24 vanishes
# (routed to h1, which drops it), names not in its hosts file take ~3 s to
# fail.  Nothing runs mping outside the lab.

bats_require_minimum_version 1.5.0
load engine_lab

setup_file()	{ eng_up; }
teardown_file()	{ eng_down; }
setup()		{ eng_require_root; [ -x "$MPING" ]; }

teardown()
{
	local p
	eng_kill_bg
	for p in $(cat "$BATS_TEST_TMPDIR/kill" 2>/dev/null); do
		kill -KILL "$p" 2>/dev/null || true
	done
	return 0
}

# hs_signal SIG SECS: send SIG to the background mping (emp_bg), wait at
# most SECS seconds; its status in EMP_STATUS (124: still running), the
# milliseconds from the signal to its exit in HS_MS.
hs_signal()
{
	local t0 t1
	t0=$(date +%s%N)
	kill -"$1" "$EMP_PID"
	eng_wait "$EMP_PID" "$2"
	t1=$(date +%s%N)
	HS_MS=$(((t1 - t0) / 1000000))
	echo "SIG$1: exit status $EMP_STATUS after $HS_MS ms"
}

# hs_summaries FILE N: FILE has N text summary lines, one per target, and
# EMP_STATUS is the one they give: 0 when every target received a reply,
# else 1.
hs_summaries()
{
	local file=$1 n=$2 want=0
	echo "summary lines: $(grep -c ': sent=' "$file"), distinct targets:" \
	    "$(grep ': sent=' "$file" | cut -d: -f1 | sort -u | wc -l)"
	[ "$(grep -c ': sent=' "$file")" -eq "$n" ]
	[ "$(grep ': sent=' "$file" | cut -d: -f1 | sort -u | wc -l)" -eq "$n" ]
	grep -q ' received=0 ' "$file" && want=1
	[ "$EMP_STATUS" -eq "$want" ]
}

# hs_fast_stop SIG: SIG ends a run that is always due within 1 s.
hs_fast_stop()
{
	local out=$BATS_TEST_TMPDIR/out err=$BATS_TEST_TMPDIR/err
	emp_bg "$out" "$err" -q -i 0 -p 1 198.18.0.0/20
	sleep 1
	kill -0 "$EMP_PID"
	hs_signal "$1" 3
	cat "$err"
	[ "$EMP_STATUS" -ne 124 ]
	[ "$HS_MS" -lt 1000 ]
	[ ! -s "$err" ]
	hs_summaries "$out" 4094
}

@test "SIGINT ends -q -i 0 -p 1 over a /20 at once: a summary per target" {
	hs_fast_stop INT
}

@test "SIGTERM ends -q -i 0 -p 1 over a /20 at once: a summary per target" {
	hs_fast_stop TERM
}

@test "SIGQUIT in a run that is always due: summaries at once, the run goes on" {
	local out=$BATS_TEST_TMPDIR/out err=$BATS_TEST_TMPDIR/err i s1 s2
	emp_bg "$out" "$err" -q -i 0 -p 1 198.18.0.0/20
	sleep 0.5
	kill -QUIT "$EMP_PID"
	for i in $(seq 20); do
		[ "$(grep -c ': sent=' "$out")" -ge 4094 ] && break
		sleep 0.05
	done
	echo "after SIGQUIT: $(grep -c ': sent=' "$out") summary lines"
	[ "$(grep -c ': sent=' "$out")" -eq 4094 ]
	kill -0 "$EMP_PID"
	sleep 0.3
	hs_signal TERM 3
	[ "$EMP_STATUS" -ne 124 ]
	[ "$(grep -c ': sent=' "$out")" -eq 8188 ]
	# The run went on between the two: 198.18.0.1 sent more.
	s1=$(grep '^198\.18\.0\.1: ' "$out" | sed -n '1s/.*sent=\([0-9]*\).*/\1/p')
	s2=$(grep '^198\.18\.0\.1: ' "$out" | sed -n '2s/.*sent=\([0-9]*\).*/\1/p')
	echo "198.18.0.1 sent $s1, then $s2"
	[ "$s2" -gt "$s1" ]
}

@test "-f FIFO without a writer: SIGTERM ends it, no targets: exit 3" {
	local out=$BATS_TEST_TMPDIR/out err=$BATS_TEST_TMPDIR/err
	mkfifo "$BATS_TEST_TMPDIR/fifo"
	emp_bg "$out" "$err" -q -c 1 -f "$BATS_TEST_TMPDIR/fifo"
	sleep 0.5
	kill -0 "$EMP_PID"
	hs_signal TERM 3
	cat "$err"
	[ "$EMP_STATUS" -eq 3 ]
	[ "$HS_MS" -lt 1000 ]
	[ "$(cat "$err")" = "mping: interrupted before any target was read" ]
	[ ! -s "$out" ]
}

@test "-f FIFO whose writer went silent: SIGINT ends it, the targets so far probed" {
	local out=$BATS_TEST_TMPDIR/out err=$BATS_TEST_TMPDIR/err
	mkfifo "$BATS_TEST_TMPDIR/fifo"
	emp_bg "$out" "$err" --json -c 1 -f "$BATS_TEST_TMPDIR/fifo"
	exec 7>"$BATS_TEST_TMPDIR/fifo"
	printf '198.18.0.1\n198.18.0.2 # a comment\n198.18.0.3\n' >&7
	sleep 0.5
	hs_signal INT 3
	exec 7>&-
	cat "$out" "$err"
	[ "$EMP_STATUS" -eq 0 ]
	[ "$HS_MS" -lt 1000 ]
	[ ! -s "$err" ]
	output=$(cat "$out")
	# The targets read were probed while the run waited for more (issue
	# 17): start, a reply and a summary per target given, end.
	[ "$(jcount 'true')" -eq 8 ]
	[ "$(jcount '.type == "reply"')" -eq 3 ]
	[ "$(json_sel -s '[.[] | select(.type == "summary") | .addr]')" = \
	    '["198.18.0.1","198.18.0.2","198.18.0.3"]' ]
	jall 'select(.type == "summary") | .sent == 1'
	[ "$(jcount '.type == "end" and .targets == 3 and .exit_status == 0')" -eq 1 ]
}

@test "stdin (a FIFO) whose writer went silent: SIGTERM ends it" {
	local out=$BATS_TEST_TMPDIR/out err=$BATS_TEST_TMPDIR/err
	mkfifo "$BATS_TEST_TMPDIR/pipe"
	(echo 198.18.0.9; exec sleep 30) >"$BATS_TEST_TMPDIR/pipe" 3>&- &
	echo "$!" >>"$BATS_TEST_TMPDIR/kill"
	ip netns exec "$ENG-c" env --default-signal=INT,QUIT "$MPING" -q -c 1 \
	    <"$BATS_TEST_TMPDIR/pipe" >"$out" 2>"$err" 3>&- &
	EMP_PID=$!
	echo "$EMP_PID" >>"$ENG_DIR/pids"
	sleep 0.5
	kill -0 "$EMP_PID"
	hs_signal TERM 3
	cat "$out" "$err"
	[ "$HS_MS" -lt 1000 ]
	[ ! -s "$err" ]
	hs_summaries "$out" 1
	grep -q '^198\.18\.0\.9: sent=1 received=1 ' "$out"
}

@test "a signal while a /8 is expanded ends the run promptly" {
	local out=$BATS_TEST_TMPDIR/out err=$BATS_TEST_TMPDIR/err n
	# Expanding 16,777,214 addresses takes seconds; probes go meanwhile.
	emp_bg "$out" "$err" -q -c 1 --max-targets 16777216 127.0.0.0/8
	sleep 0.3
	hs_signal TERM 5
	cat "$err"
	[ "$EMP_STATUS" -ne 124 ]
	[ "$HS_MS" -lt 2000 ]
	[ ! -s "$err" ]
	n=$(grep -c ': sent=' "$out")
	echo "$n targets when the signal came"
	[ "$n" -gt 0 ]
	[ "$n" -lt 16777214 ]
	hs_summaries "$out" "$n"
	[ "$(head -1 "$out" | cut -d: -f1)" = 127.0.0.1 ]
}

@test "SIGINT while names resolve in a run that is always due" {
	local out=$BATS_TEST_TMPDIR/out err=$BATS_TEST_TMPDIR/err
	emp_bg "$out" "$err" -q -i 0 -p 1 198.18.0.0/20 slow.example
	sleep 0.5
	hs_signal INT 3
	cat "$err"
	[ "$EMP_STATUS" -eq 2 ]
	[ "$HS_MS" -lt 1000 ]
	# The name has its summary too, saying why (issue 15).
	[ "$(grep -c ': sent=' "$out")" -eq 4095 ]
	grep -qx 'slow.example: sent=0 received=0 loss=- (name lookup did not finish)' "$out"
	[ "$(cat "$err")" = "mping: slow.example: name lookup did not finish" ]
}

# hs_trace ARGS...: a --json trace in the client, killed after 10 s; the
# run's milliseconds in HS_MS.
hs_trace()
{
	local t0 t1
	t0=$(date +%s%N)
	run --separate-stderr timeout -s KILL 10 ip netns exec "$ENG-c" \
	    "$MPING" --json --trace "$@" </dev/null
	t1=$(date +%s%N)
	HS_MS=$(((t1 - t0) / 1000000))
	echo "exit status $status after $HS_MS ms; stderr: $stderr"
}

@test "--trace --max-hops 255 --window 250 to a silent target ends: 255 hops" {
	hs_trace --max-hops 255 --window 250 --max-timeouts 255 -t 300 \
	    203.0.113.9
	[ "$status" -eq 1 ]
	[ "$HS_MS" -lt 5000 ]
	[ -z "$stderr" ]
	[ "$(jcount '.type == "probe"')" -eq 765 ]
	[ "$(json_sel -s '[.[] | select(.type == "probe") | .ttl] | unique |
	    (length == 255 and .[0] == 1 and .[-1] == 255)')" = true ]
	jall 'select(.type == "probe") | .from == null'
	[ "$(json_sel -s '[.[] | select(.type == "hop") | .ttl] ==
	    [range(1; 256)]')" = true ]
	[ "$(jcount '.type == "trace" and .reached == false and .hops == 255
	    and .stop == "max-hops"')" -eq 1 ]
	[ "$(jcount '.type == "end" and .exit_status == 1')" -eq 1 ]
}

@test "--trace --first-hop 255 --max-hops 255 -c 2: one hop per round" {
	hs_trace --first-hop 255 --max-hops 255 -c 2 -p 100 -t 300 203.0.113.9
	[ "$status" -eq 1 ]
	[ "$HS_MS" -lt 5000 ]
	[ -z "$stderr" ]
	[ "$(jcount '.type == "probe" and .ttl == 255')" -eq 6 ]
	[ "$(jcount '.type == "probe"')" -eq 6 ]
	[ "$(jcount '.type == "hop" and .ttl == 255')" -eq 2 ]
	[ "$(jcount '.type == "hop"')" -eq 2 ]
	[ "$(jcount '.type == "trace" and .reached == false and .hops == 255
	    and .stop == "max-hops"')" -eq 2 ]
}
