#!/usr/bin/env bats
# --trace-down (issue 15, trace on failure): a target that goes down
# (--down-after) or, in a counted run, never answered is traced at once
# in the same run, beside the pings of the others.  The lab of lab.bash,
# named td-PID: 198.19.0.1 is d, behind r1 192.0.2.1, r2 192.0.2.18 and
# r3 192.0.2.82; 198.18.0.1 is h, behind r1 and r2; the echo replies of
# 198.18.9.1 (h too) are dropped on r1, so it never answers, and r2
# drops whatever it forwards to d while the test's table tdown is there
# (its time-exceeded errors still come: the TTL runs out before the
# forward hook).

bats_require_minimum_version 1.5.0
load lab

setup_file()	{ lab_up_tag td; }
teardown_file()	{ lab_down; }
setup()		{ lab_require_root; }
teardown()
{
	[ -n "${TD_PID:-}" ] && kill -KILL "$TD_PID" 2>/dev/null
	lab_exec r2 nft delete table inet tdown 2>/dev/null || true
}

# r2_cut: r2 drops everything it forwards to d, until r2_mend.
r2_cut()
{
	lab_exec r2 nft -f - <<-'EOF'
		table inet tdown {
			chain tdfw {
				type filter hook forward priority 0;
				ip daddr 198.19.0.0/16 drop
			}
		}
	EOF
}

r2_mend()
{
	lab_exec r2 nft delete table inet tdown
}

# td_bg OUT ARGS...: mping in the client, in the background, SIGINT at
# its default; TD_PID its pid.
td_bg()
{
	local out=$1
	shift
	ip netns exec "$LAB-c" env --default-signal=INT "$MPING" "$@" \
	    </dev/null >"$out" 2>&1 3>&- &
	TD_PID=$!
}

# td_wait SECS: wait for TD_PID to end; its status in TD_STATUS.
td_wait()
{
	local i
	for i in $(seq $(($1 * 20))); do
		kill -0 "$TD_PID" 2>/dev/null || break
		sleep 0.05
	done
	TD_STATUS=0
	wait "$TD_PID" || TD_STATUS=$?
	TD_PID=
}

@test "--trace-down: a target cut off mid-run gets one trace, ending at the hop where the path breaks" {
	local out=$BATS_TEST_TMPDIR/out
	td_bg "$out" --json --trace-down --down-after 3 -c 40 -p 100 -t 300 \
	    --max-timeouts 2 --max-hops 4 198.18.0.1 198.19.0.1
	sleep 1
	r2_cut
	sleep 1.5
	r2_mend
	td_wait 10
	output=$(cat "$out")
	echo "$output" | grep -v '"probe"'
	[ "$TD_STATUS" -eq 0 ]
	# One outage, one trace, after its down record, all marked "down".
	jq_out -e '[.[] | select(.type == "down" or .type == "up" or
	    .type == "trace") | .type] == ["down", "trace", "up"]' >/dev/null
	jq_out -e '[.[] | select(.type == "trace" or .type == "hop" or
	    .type == "probe")] | length > 0 and
	    all(.target == "198.19.0.1" and .cause == "down")' >/dev/null
	jq_out -e '.[] | select(.type == "trace") | .reached == false and
	    .stop == "max-hops" and .hops == 4 and .last_hop == 2 and .last_addr == "192.0.2.18"' >/dev/null
	# r1, r2, then silence: the path breaks after r2.
	jq_out -e '[.[] | select(.type == "hop") | [.ttl, .addrs]] ==
	    [[1, ["192.0.2.1"]], [2, ["192.0.2.18"]], [3, []], [4, []]]' \
	    >/dev/null
	# The pings' counts know nothing of the trace's probes.
	jq_out -e '[.[] | select(.type == "summary")] | length == 2 and
	    all(.sent == 40 and .sent == .received + .lost)' >/dev/null
	jq_out -e '.[] | select(.type == "summary" and .target == "198.18.0.1") |
	    .received == 40' >/dev/null
	# The other target: every probe answered once, in order, at the
	# period all along (no gap of 3 periods, the trace ran in between).
	jq_out -e '[.[] | select(.type == "reply" and
	    .target == "198.18.0.1") | .seq] == [range(40)]' >/dev/null
	jq_out -e '[.[] | select(.type == "reply" and
	    .target == "198.18.0.1") | .time] as $t |
	    [range(1; $t | length) | $t[.] - $t[. - 1]] | max < 0.3' >/dev/null
}

@test "--trace-down: two outages, two traces; none while it stays down" {
	local out=$BATS_TEST_TMPDIR/out
	# --down-after 4: more than the probes in flight (-t / -p), whose
	# timeouts come after the first reply once r2 forwards again.
	td_bg "$out" --json --trace-down --down-after 4 -c 70 -p 100 -t 300 \
	    --max-timeouts 2 --max-hops 4 198.18.0.1 198.19.0.1
	sleep 0.8; r2_cut; sleep 1.5; r2_mend
	sleep 1.0; r2_cut; sleep 1.5; r2_mend
	td_wait 10
	output=$(cat "$out")
	echo "$output" | grep -v '"probe"\|"reply"'
	[ "$TD_STATUS" -eq 0 ]
	jq_out -e '[.[] | select(.type == "down" or .type == "trace") |
	    .type] == ["down", "trace", "down", "trace"]' >/dev/null
	[ "$(jcount '.type == "up"')" -eq 2 ]
	# The second is the target's second trace (round 1), as whole.
	jq_out -e '[.[] | select(.type == "trace") | [.round, .cause, .stop,
	    .hops]] == [[0, "down", "max-hops", 4],
	    [1, "down", "max-hops", 4]]' >/dev/null
	jq_out -e '[.[] | select(.type == "hop" and .round == 1) |
	    [.ttl, .addrs]] == [[1, ["192.0.2.1"]], [2, ["192.0.2.18"]],
	    [3, []], [4, []]]' >/dev/null
	jq_out -e '.[] | select(.type == "summary" and .target == "198.18.0.1") |
	    .sent == 70 and .received == 70' >/dev/null
}

@test "--trace-down: a target back up while its trace runs lets the trace finish" {
	local out=$BATS_TEST_TMPDIR/out
	# Down about 2.2 s after the cut (12 probes at -p 100, -t 1000);
	# the trace's silent hops time out 1 s later; r2 forwards again in
	# between, and the target is up before its trace ends.
	td_bg "$out" --json --trace-down --down-after 12 -c 60 -p 100 \
	    -t 1000 --max-timeouts 2 --max-hops 4 198.18.0.1 198.19.0.1
	sleep 0.5; r2_cut; sleep 2.7; r2_mend
	td_wait 10
	output=$(cat "$out")
	echo "$output" | grep -v '"probe"\|"reply"'
	[ "$TD_STATUS" -eq 0 ]
	# Back up (its first reply left) before the trace's record; the up
	# record itself waits for the outage's probes in flight (up to -t).
	jq_out -e '[.[] | select(.type == "down" or .type == "up" or
	    .type == "trace") | .type] | . == ["down", "up", "trace"] or
	    . == ["down", "trace", "up"]' >/dev/null
	jq_out -e '(.[] | select(.type == "up") | .outage_end) <
	    (.[] | select(.type == "trace") | .time)' >/dev/null
	# Its verdict is the trace's own (the probes sent once r2 forwards
	# again may reach d); its hops before the cut are there.
	jq_out -e '.[] | select(.type == "trace") | .cause == "down" and
	    (.stop == "max-hops" or .stop == "reached")' >/dev/null
	jq_out -e '[.[] | select(.type == "hop") | [.ttl, .addrs]] | .[0:2] ==
	    [[1, ["192.0.2.1"]], [2, ["192.0.2.18"]]]' >/dev/null
}

@test "--trace-down -c: only the target that never answered is traced, then the summaries" {
	run --separate-stderr mp --json --trace-down -c 3 -p 100 -t 300 \
	    --max-timeouts 2 --max-hops 4 198.18.0.1 198.18.9.1
	echo "$output" | grep -v '"probe"'
	[ "$status" -eq 1 ]
	[ -z "$stderr" ]
	jq_out -e '[.[] | select(.type == "trace")] | length == 1 and
	    .[0].target == "198.18.9.1" and .[0].cause == "never-answered" and
	    .[0].stop == "max-hops" and .[0].reached == false' >/dev/null
	jq_out -e '[.[] | select(.type == "hop") | [.target, .ttl, .addrs,
	    .cause]] == [["198.18.9.1", 1, ["192.0.2.1"], "never-answered"],
	    ["198.18.9.1", 2, ["192.0.2.18"], "never-answered"],
	    ["198.18.9.1", 3, [], "never-answered"],
	    ["198.18.9.1", 4, [], "never-answered"]]' >/dev/null
	# Traced after its last probe's timeout; the run waits for it.
	jq_out -e '[.[] | select(.type != "reply" and .type != "probe") |
	    .type] == ["start", "timeout", "timeout", "timeout", "hop", "hop",
	    "hop", "hop", "trace", "summary", "summary", "end"]' >/dev/null
	jq_out -e '[.[] | select(.type == "summary") | [.target, .sent,
	    .received]] == [["198.18.0.1", 3, 3], ["198.18.9.1", 3, 0]]' \
	    >/dev/null
	jq_out -e '.[0] | .mode == "ping" and .trace_down == true and
	    .max_hops == 4 and .max_timeouts == 2 and .queries == 3' >/dev/null
}

@test "--trace-down: pings after a trace's short TTLs go with the socket's own TTL again" {
	# The trace to 198.18.9.1 sends TTL 1 and 2 only (--max-hops 2);
	# 198.18.0.1 is three hops away: a ping sent with TTL 2 would die.
	run --separate-stderr mp --json --trace-down --down-after 1 -c 10 \
	    -p 100 -t 250 --max-hops 2 198.18.0.1 198.18.9.1
	echo "$output" | grep -v '"probe"'
	[ "$status" -eq 1 ]
	jq_out -e '[.[] | select(.type == "trace")] | length == 1 and
	    .[0].stop == "max-hops" and .[0].hops == 2' >/dev/null
	jq_out -e '.[] | select(.type == "summary" and .target == "198.18.0.1") |
	    .sent == 10 and .received == 10' >/dev/null
	jq_out -e '[.[] | select(.type == "error" or .type == "timeout") |
	    select(.target == "198.18.0.1")] | length == 0' >/dev/null
}

@test "--trace-down --csv: the ping's columns, then the trace's, cause last" {
	run --separate-stderr mp --csv --trace-down -c 2 -p 100 -t 300 \
	    --max-timeouts 2 --max-hops 4 198.18.9.1
	[ "$status" -eq 1 ]
	output=$(tr -d '\r' <<<"$output")	# CSV lines end in CRLF
	echo "$output"
	[[ $(head -1 <<<"$output") == type,time,target,addr,from,seq,*,exit_status,jitter_ms,method,interval_start,interval_end,outage_start,outage_end,outage_s,probe,addrs,names,froms,rtts_ms,marks,mpls,reached,hops,stop,round,cause ]]
	# Every row has the header's cells.
	[ "$(awk -F, '{ print NF }' <<<"$output" | sort -u)" = 52 ]
	[ "$(grep -c '^hop,' <<<"$output")" -eq 4 ]
	grep -q '^hop,.*,192\.0\.2\.18,.*,never-answered$' <<<"$output"
	grep -q '^trace,.*,false,4,max-hops,0,never-answered$' <<<"$output"
	grep -q '^summary,[0-9.]*,198\.18\.9\.1,198\.18\.9\.1,,,,,,,,,,,,,,2,0,2,' <<<"$output"
}

@test "--trace-down: text shows the trace indented under the down line" {
	run --separate-stderr mp --trace-down --down-after 2 -c 5 -p 100 \
	    -t 300 --max-timeouts 2 --max-hops 4 198.18.9.1
	echo "$output"
	[ "$status" -eq 1 ]
	[ "$(grep -c ': down since ' <<<"$output")" -eq 1 ]
	# The down line, then the hops answered at once, indented.
	grep -A2 '^198\.18\.9\.1: down since ' <<<"$output" | tail -2 >"$BATS_TEST_TMPDIR/h"
	grep -q '^    198\.18\.9\.1:  1  192\.0\.2\.1  [0-9.]* ms' "$BATS_TEST_TMPDIR/h"
	grep -q '^    198\.18\.9\.1:  2  192\.0\.2\.18  [0-9.]* ms' "$BATS_TEST_TMPDIR/h"
	grep -qx '    198\.18\.9\.1:  3  \* \* \*' <<<"$output"
	grep -qx '    198\.18\.9\.1: not reached within 4 hops; last answer: hop 2, 192\.0\.2\.18 (traced: down)' \
	    <<<"$output"
	grep -q '^198\.18\.9\.1: sent=5 received=0 loss=100%' <<<"$output"
}

@test "--trace-down: Ctrl-C during a trace prints its hops so far and a verdict marked interrupted" {
	local out=$BATS_TEST_TMPDIR/out
	# Down at about 2.1 s (two probes lost, -t 2000); the trace's
	# silent hops time out at about 4.1 s: SIGINT comes in between.
	td_bg "$out" --json --trace-down --down-after 2 -p 100 -t 2000 \
	    --max-hops 8 198.18.0.1 198.18.9.1
	sleep 3
	kill -INT "$TD_PID"
	td_wait 5
	output=$(cat "$out")
	echo "$output" | grep -v '"probe"\|"reply"\|"timeout"'
	[ "$TD_STATUS" -eq 1 ]
	jq_out -e '[.[] | select(.type == "hop") | [.ttl, .addrs]] ==
	    [[1, ["192.0.2.1"]], [2, ["192.0.2.18"]]]' >/dev/null
	jq_out -e '[.[] | select(.type == "trace")] | length == 1 and
	    .[0].stop == "interrupted" and .[0].cause == "down" and
	    .[0].hops == 2 and .[0].reached == false' >/dev/null
	# The trace's verdict, then the summaries and the end.
	jq_out -e '.[-4:] | map(.type) == ["trace", "summary", "summary",
	    "end"]' >/dev/null
}

@test "--trace-down: what it needs and refuses" {
	run --separate-stderr "$MPING" --trace-down 127.0.0.1
	[ "$status" -eq 3 ]
	[[ $stderr == *"--trace-down needs --down-after N or -c N"* ]]
	run --separate-stderr "$MPING" --trace-down -c 1 -r 1 127.0.0.1
	[ "$status" -eq 3 ]
	[[ $stderr == *"--trace-down: not with -r"* ]]
	run --separate-stderr "$MPING" --trace --trace-down 127.0.0.1
	[ "$status" -eq 3 ]
	[[ $stderr == *"--trace-down: not an option of --trace"* ]]
	run --separate-stderr "$MPING" --max-hops 3 -c 1 127.0.0.1
	[ "$status" -eq 3 ]
	[[ $stderr == *"--max-hops needs --trace"* ]]
}
