#!/usr/bin/env bats
# Monitoring (issue 15, first part): interval reports (-Q, --cumulative),
# up / down records (--down-after, --up-after), jitter in summaries and
# intervals, and SIGQUIT's interim records.  The engine lab
# (engine_lab.bash): h1 198.51.100.2 answers until the test makes its
# nftables drop echo requests for a while; 203.0.113.9 never answers.

bats_require_minimum_version 1.5.0
load engine_lab

# dual.example: h2 by both families (hosts file of the client).
setup_file()
{
	eng_up || return 1
	printf '198.51.100.3 dual.example\n2001:db8:e0::3 dual.example\n' \
	    >>"/etc/netns/$ENG-c/hosts"
}
teardown_file()	{ eng_down; }
setup()		{ eng_require_root; }
teardown()	{ eng_kill_bg; eng_exec h1 nft delete table inet mon 2>/dev/null || true; }


@test "-Q 1: one interval record per target per second, the interval's own counts" {
	# Probes at 0, 300, ..., 2100 ms: 4 in the first second, 3 in the
	# second, 1 in the third.  The silent target's timeouts (-t 1050)
	# come at 1050, 1350, ..., 3150 ms: none lands on a report (with
	# -t 1000 the first would race the report at 1 s); the last ends
	# the run at 3.15 s, after three reports.
	run --separate-stderr emp --json -Q 1 -c 8 -p 300 -t 1050 198.51.100.2 203.0.113.9
	echo "$output"
	[ "$status" -eq 1 ]
	jq_out -e '[.[] | select(.type == "interval")] | length == 6' >/dev/null
	jq_out -e '[.[] | select(.type == "interval" and .target == "198.51.100.2")] |
	    .[0].sent == 4 and .[0].received == 4 and .[0].lost == 0 and
	    .[1].sent == 3 and .[1].received == 3 and .[1].loss_pct == 0 and
	    .[2].sent == 1 and .[2].received == 1 and .[2].jitter_ms == null' >/dev/null
	# The silent one: a timeout counts in the interval it expires in, and
	# an interval where nothing ended has no loss to tell.
	jq_out -e '[.[] | select(.type == "interval" and .target == "203.0.113.9")] |
	    .[0].sent == 4 and .[0].received == 0 and .[0].lost == 0 and
	    .[0].inflight == 4 and .[0].loss_pct == null and
	    .[0].rtt_avg_ms == null and
	    .[1].sent == 3 and .[1].lost == 4 and .[1].loss_pct == 100 and
	    .[2].sent == 1 and .[2].lost == 3' >/dev/null
	# Each interval starts where the one before ended, a second long.
	jq_out -e '[.[] | select(.type == "interval" and .target == "198.51.100.2")] |
	    .[1].interval_start == .[0].interval_end and
	    (.[0].interval_end - .[0].interval_start) > 0.95 and
	    (.[0].interval_end - .[0].interval_start) < 1.2' >/dev/null
	# The final summary is the whole run's, as without -Q.
	jq_out -e '[.[] | select(.type == "summary" and .target == "198.51.100.2")][0] |
	    .sent == 8 and .received == 8' >/dev/null
}

@test "-Q 1 --cumulative: counts since the start; text and CSV show them too" {
	run --separate-stderr emp --json -Q 1 --cumulative -c 8 -p 300 198.51.100.2
	echo "$output"
	[ "$status" -eq 0 ]
	jq_out -e '[.[] | select(.type == "interval")] |
	    length == 2 and .[0].sent == 4 and .[1].sent == 7 and
	    .[1].received == 7' >/dev/null
	run --separate-stderr emp -q -Q 1 -c 5 -p 300 198.51.100.2
	echo "$output"
	[ "$status" -eq 0 ]
	[[ ${lines[0]} =~ ^198\.51\.100\.2:\ interval\ [0-9]{2}:[0-9]{2}:[0-9]{2}-[0-9]{2}:[0-9]{2}:[0-9]{2}:\ sent=4\ received=4\ loss=0%\ rtt\ min/avg/max/stddev=[0-9./]+\ ms\ jitter=[0-9.]+\ ms$ ]]
	[[ ${lines[1]} =~ ^198\.51\.100\.2:\ sent=5\ received=5\ loss=0% ]]
	run --separate-stderr emp -q -Q 1 -c 5 -p 300 --csv 198.51.100.2
	echo "$output"
	[[ ${lines[0]} == *,jitter_ms,method,time,interval_start,interval_end,outage_start,outage_end,outage_s$'\r' ]]
	[[ ${lines[1]} == interval,198.51.100.2,198.51.100.2,4,4,0,* ]]
	[[ ${lines[2]} == summary,198.51.100.2,198.51.100.2,5,5,0,* ]]
}

@test "--down-after 3 --up-after 2: one down, one up with the outage's length and losses (v4, v6)" {
	local out=$BATS_TEST_TMPDIR/out err=$BATS_TEST_TMPDIR/err
	emp_bg "$out" "$err" --json -q --down-after 3 --up-after 2 -p 100 \
	    -t 150 -c 40 198.51.100.2 2001:db8:e0::2
	sleep 1
	eng_h1_silent mon
	sleep 1.5
	eng_h1_answers mon
	eng_wait "$EMP_PID" 10
	output=$(cat "$out")
	echo "$output"
	[ "$EMP_STATUS" -eq 0 ]
	for t in 198.51.100.2 2001:db8:e0::2; do
		jq_out -e --arg t "$t" '[.[] | select(.target == $t and
		    (.type == "down" or .type == "up"))] |
		    length == 2 and .[0].type == "down" and .[1].type == "up" and
		    .[0].lost == 3 and .[1].lost >= 12 and .[1].lost <= 18 and
		    .[1].outage_start == .[0].outage_start and
		    .[1].outage_s > 1.2 and .[1].outage_s < 1.9 and
		    (.[1].outage_end - .[1].outage_start - .[1].outage_s |
		    fabs) < 0.001' >/dev/null
		# What was lost is what the summary says.
		jq_out -e --arg t "$t" '([.[] | select(.target == $t and
		    .type == "up")][0].lost) as $l |
		    [.[] | select(.target == $t and .type == "summary")][0].lost == $l' >/dev/null
	done
}

@test "--down-after: a target that never answers goes down once, never up; text line" {
	run --separate-stderr emp --down-after 2 -p 100 -t 150 -c 6 203.0.113.9
	echo "$output"
	[ "$status" -eq 1 ]
	[ "$(grep -c ': down since ' <<<"$output")" -eq 1 ]
	[[ $(grep ': down since ' <<<"$output") =~ ^203\.0\.113\.9:\ down\ since\ [0-9]{2}:[0-9]{2}:[0-9]{2},\ lost=2$ ]]
	# After the second timeout's line, not before it.
	[ "$(grep -n ': down since ' <<<"$output" | cut -d: -f1)" -eq 3 ]
	! grep -q ': up after ' <<<"$output"
}

@test "jitter: the mean absolute difference of consecutive RTTs, null below two replies" {
	run --separate-stderr emp --json -c 6 -p 50 198.51.100.2 203.0.113.9
	echo "$output"
	jq_out -e '([.[] | select(.type == "reply") | .rtt_ms]) as $r |
	    ([range(1; $r | length) | ($r[.] - $r[. - 1]) | fabs] | add /
	    (($r | length) - 1)) as $j |
	    [.[] | select(.type == "summary" and .target == "198.51.100.2")][0] |
	    (.jitter_ms - $j | fabs) < 0.002' >/dev/null
	jq_out -e '[.[] | select(.type == "summary" and .target == "203.0.113.9")][0] |
	    .jitter_ms == null' >/dev/null
}

@test "monitoring options: what they need, and not with --trace (exit 3)" {
	run --separate-stderr emp --cumulative -c 1 198.51.100.2
	[ "$status" -eq 3 ]
	[[ $stderr == *"--cumulative needs -Q"* ]]
	run --separate-stderr emp --up-after 2 -c 1 198.51.100.2
	[ "$status" -eq 3 ]
	[[ $stderr == *"--up-after needs --down-after"* ]]
	run --separate-stderr emp --trace -Q 1 198.51.100.2
	[ "$status" -eq 3 ]
	run --separate-stderr emp -Q 0 198.51.100.2
	[ "$status" -eq 3 ]
}

@test "--prom-file: a valid Prometheus textfile, rewritten at each report, the counts exact" {
	local f=$BATS_TEST_TMPDIR/mping.prom out=$BATS_TEST_TMPDIR/out err=$BATS_TEST_TMPDIR/err t1 t2
	command -v promtool >/dev/null || { echo "promtool missing (Debian package prometheus)"; return 1; }
	emp_bg "$out" "$err" -q -Q 1 --prom-file "$f" -c 12 -p 200 -t 300 \
	    198.51.100.2 203.0.113.9
	sleep 1.5
	cat "$f"
	promtool check metrics <"$f"
	t1=$(awk '$1 == "mping_report_time_seconds" { print $2 }' "$f")
	grep -qx 'mping_up{target="198.51.100.2",addr="198.51.100.2"} 1' "$f"
	grep -qx 'mping_up{target="203.0.113.9",addr="203.0.113.9"} 0' "$f"
	eng_wait "$EMP_PID" 10
	[ "$EMP_STATUS" -eq 1 ]
	cat "$f" "$err"
	promtool check metrics <"$f"
	t2=$(awk '$1 == "mping_report_time_seconds" { print $2 }' "$f")
	# Rewritten since (at the next report and at the end), never half.
	awk -v a="$t1" -v b="$t2" 'BEGIN { exit !(b > a) }'
	[ ! -e "$f.tmp" ]
	# At the end: the run's counts, as the summaries say.
	grep -qx 'mping_sent_total{target="198.51.100.2",addr="198.51.100.2"} 12' "$f"
	grep -qx 'mping_received_total{target="198.51.100.2",addr="198.51.100.2"} 12' "$f"
	grep -qx 'mping_lost_total{target="203.0.113.9",addr="203.0.113.9"} 12' "$f"
	grep -qx 'mping_loss_ratio{target="203.0.113.9",addr="203.0.113.9"} 1' "$f"
	grep -qx 'mping_rtt_avg_seconds{target="203.0.113.9",addr="203.0.113.9"} NaN' "$f"
	grep -Eq '^mping_rtt_avg_seconds\{target="198\.51\.100\.2",addr="198\.51\.100\.2"\} [0-9.e-]+$' "$f"
	[ ! -s "$err" ]
}

@test "--prom-file that cannot be written: said once on stderr, the run goes on, exit as without" {
	run --separate-stderr emp -q --prom-file /nonexistent/dir/mping.prom \
	    -Q 1 -c 12 -p 200 198.51.100.2
	echo "$output"; echo "stderr: $stderr"
	[ "$status" -eq 0 ]
	[ "$(grep -c -- '--prom-file /nonexistent/dir/mping.prom: No such file or directory (the run goes on)' <<<"$stderr")" -eq 1 ]
	[[ $output == *"198.51.100.2: sent=12 received=12 loss=0%"* ]]
}

@test "-m: a name with A and AAAA records is probed on both, a row each under the name" {
	run --separate-stderr emp -m -c 2 -p 100 dual.example
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(grep -c '^dual\.example (198\.51\.100\.3): sent=2 received=2 loss=0%' <<<"$output")" -eq 1 ]
	[ "$(grep -c '^dual\.example (2001:db8:e0::3): sent=2 received=2 loss=0%' <<<"$output")" -eq 1 ]
	[ "$(grep -c ': sent=' <<<"$output")" -eq 2 ]
	# Without -m: one address, one row.
	run --separate-stderr emp -c 1 dual.example
	[ "$status" -eq 0 ]
	[ "$(grep -c ': sent=' <<<"$output")" -eq 1 ]
	# -m with -4: the IPv4 address only.
	run --separate-stderr emp -m -4 -c 1 dual.example
	[ "$(grep -c ': sent=' <<<"$output")" -eq 1 ]
	[[ $output == *"dual.example (198.51.100.3): sent=1 received=1"* ]]
}

@test "-Q with 16,382 targets: the report is written in slices between probes, each target once" {
	# Round 2 leaves at 1 s, as the first report is due: the replies of
	# round 2 come between the report's interval records, not after all
	# of them (in one block, they would wait for the whole report).
	emp --json -Q 1 -c 2 -p 1000 -i 0 198.18.0.0/18 \
	    >"$BATS_TEST_TMPDIR/q.json" 2>/dev/null || true
	run jq -rs '
	    [to_entries[] | select(.value.type == "interval")] as $iv |
	    ($iv | map(select(.value.t_end == $iv[0].value.t_end))) as $first |
	    ([.[$first[0].key:($first | last.key)][] |
	        select(.type == "reply")] | length) as $inside |
	    ($first | map(.value) | [(map(.target) | unique | length),
	        (map(select(.received >= 1 and .lost == 0)) | length)]) as $c |
	    [($first | length), $c[0], $c[1], $inside] | @tsv' \
	    "$BATS_TEST_TMPDIR/q.json"
	echo "first report: records, targets, all answered, replies inside: $output"
	read -r nrec ntg nok inside <<<"$output"
	[ "$nrec" -eq 16382 ] && [ "$ntg" -eq 16382 ] && [ "$nok" -eq 16382 ]
	[ "$inside" -gt 0 ]
}

@test "--rtts -c 4: each probe's RTT in JSON summaries (rtts_ms), null for one lost; absent without it; needs -c" {
	run --separate-stderr emp --json --rtts -c 4 -p 100 -t 300 198.51.100.2 203.0.113.9
	echo "$output"
	[ "$status" -eq 1 ]
	jq_out -e '[.[] | select(.type == "summary")] |
	    (.[0].target == "198.51.100.2" and (.[0].rtts_ms | length) == 4 and
	     (.[0].rtts_ms | all(. > 0)) and
	     ((.[0].rtts_ms | add / 4) - .[0].rtt_avg_ms | fabs) < 0.01) and
	    (.[1].target == "203.0.113.9" and .[1].rtts_ms == [null, null, null, null])' >/dev/null
	run emp --json -c 1 198.51.100.2
	jq_out -e '[.[] | select(.type == "summary" and has("rtts_ms"))] | length == 0' >/dev/null
	run --separate-stderr emp --rtts 198.51.100.2
	[ "$status" -eq 3 ]
	[ "$stderr" = "mping: --rtts needs -c" ]
}
