#!/usr/bin/env bats
# The engine: broadcast and multicast (-b), concurrent name resolution,
# signals (SIGQUIT, SIGINT, SIGTERM), -D timestamps, -S and -I, exit status.
#
# Uses its own lab (engine_lab.bash, namespaces mpe-<pid>-*): a client c
# and three hosts h1..h3 on one bridged segment 198.51.100.0/24, a local
# route in c that answers 198.18.0.0/16, and 203.0.113.0/24 and the
# client's name server 198.51.100.250 routed to h1, which drops them.

bats_require_minimum_version 1.5.0
load engine_lab

setup_file()	{ eng_up; }
teardown_file()	{ eng_down; }
setup()		{ eng_require_root; }
teardown()	{ eng_kill_bg; }

# nogrep_out PATTERN: succeed when $output has no line matching PATTERN.
nogrep_out()
{
	if grep -E -- "$1" <<<"$output"; then
		return 1
	fi
	return 0
}

# now: Unix time with microseconds.
now()
{
	date +%s.%6N
}

# link_local NODE: the IPv6 link-local address of NODE's eth0.
link_local()
{
	ip -n "$ENG-$1" -6 -o addr show dev eth0 scope link |
	    awk '{sub(/\/.*/, "", $4); print $4}'
}

@test "broadcast target without -b: exit 2, one line about -b, nothing sent" {
	local before after
	before=$(eng_nft_count c bcast)
	run --separate-stderr emp -c 2 -p 100 198.51.100.255
	echo "stdout: $output"; echo "stderr: $stderr"
	[ "$status" -eq 2 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "${stderr_lines[0]}" == *-b* ]]
	[[ "${stderr_lines[0]}" == *198.51.100.255* ]]
	nogrep_out 'seq='
	after=$(eng_nft_count c bcast)
	echo "echo requests to the broadcast address: before $before, after $after"
	[ "$after" -eq "$before" ]
}

@test "-b: IPv4 broadcast, every host reported, responders == 3" {
	local before after h
	before=$(eng_nft_count c bcast)
	run --separate-stderr emp -b -c 2 -p 100 --json 198.51.100.255
	echo "$output"; echo "stderr: $stderr"
	[ "$status" -eq 0 ]
	after=$(eng_nft_count c bcast)
	[ "$((after - before))" -eq 2 ]
	for h in 198.51.100.2 198.51.100.3 198.51.100.4; do
		for seq in 0 1; do
			[ "$(jq_out "[.[] | select(.type == \"reply\" and
			    .addr == \"198.51.100.255\" and .from == \"$h\" and
			    .seq == $seq and .foreign == false)] | length")" -eq 1 ]
		done
	done
	[ "$(jq_out '[.[] | select(.type == "summary")] | length')" -eq 1 ]
	jq_out -e '.[] | select(.type == "summary") |
	    .addr == "198.51.100.255" and .sent == 2 and .received == 2 and
	    .lost == 0 and .responders == 3' >/dev/null
	jq_out -e '.[-1] | .type == "end" and .exit_status == 0' >/dev/null
}

@test "-b: IPv6 multicast ff02::1%eth0, responders >= 3, hosts reported" {
	local h ll before after
	before=$(eng_nft_count c mcast)
	run --separate-stderr emp -b -c 2 -p 100 --json ff02::1%eth0
	echo "$output"; echo "stderr: $stderr"
	[ "$status" -eq 0 ]
	after=$(eng_nft_count c mcast)
	[ "$((after - before))" -eq 2 ]
	for h in h1 h2 h3; do
		ll=$(link_local "$h")
		echo "$h: $ll"
		[ -n "$ll" ]
		[ "$(jq_out "[.[] | select(.type == \"reply\" and
		    (.from | ascii_downcase | startswith(\"$ll\")))] | length")" -eq 2 ]
	done
	jq_out -e '[.[] | select(.type == "summary")] | length == 1' >/dev/null
	jq_out -e '.[] | select(.type == "summary") |
	    .sent == 2 and .received == 2 and .responders >= 3' >/dev/null
}

@test "1000 names from /etc/hosts: 1000 summaries, all answered, exit 0" {
	run --separate-stderr emp -c 1 -q --json -f "$ENG_DIR/names.txt"
	echo "${output:0:2000}"; echo "stderr: $stderr"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1000 ]
	[ "$(jq_out '[.[] | select(.type == "summary" and .received == 1 and
	    .sent == 1)] | length')" -eq 1000 ]
	[ "$(jq_out '[.[] | .target] | unique | length')" -eq 1000 ]
	# Each name probed the address /etc/hosts gives it.
	[ "$(jq_out '[.[] | select(.addr == ("198.18." +
	    ((.target[4:] | tonumber) / 200 | floor + 10 | tostring) + "." +
	    ((.target[4:] | tonumber) % 200 + 1 | tostring)))] | length')" -eq 1000 ]
	[ -z "$stderr" ]
}

@test "a slow name does not hold up the other targets" {
	local t0 t1
	t0=$(now)
	run --separate-stderr emp -c 1 --json slow.example 198.18.0.5
	t1=$(now)
	echo "$output"; echo "stderr: $stderr"; echo "run took $t0 .. $t1"
	[ "$status" -eq 2 ]
	# The whole run waits for the resolver (timeout:3) ...
	awk -v a="$t0" -v b="$t1" 'BEGIN { exit !(b - a >= 2.5) }'
	# ... but the reply comes well before that.
	jq_out -e '(.[] | select(.type == "start") | .time) as $s |
	    [.[] | select(.type == "reply" and .addr == "198.18.0.5") |
	    .time - $s] | length == 1 and .[0] >= 0 and .[0] < 1' >/dev/null
	jq_out -e '(.[] | select(.type == "start") | .time) as $s |
	    [.[] | select(.type == "bad-target" and .target == "slow.example") |
	    .time - $s] | length == 1 and .[0] >= 2.5' >/dev/null
	jq_out -e '[.[] | select(.type == "summary")] | length == 2 and
	    .[0].addr == null and .[0].target == "slow.example" and
	    .[0].reason != null and .[1].addr == "198.18.0.5" and
	    .[1].received == 1' >/dev/null
	jq_out -e '.[-1] | .type == "end" and .exit_status == 2' >/dev/null
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "${stderr_lines[0]}" == *slow.example* ]]
}

@test "SIGQUIT: interim summary, the run goes on; SIGTERM ends it, exit 0" {
	local out=$BATS_TEST_TMPDIR/out err=$BATS_TEST_TMPDIR/err s1 s2
	emp_bg "$out" "$err" -p 100 198.18.0.7
	sleep 0.5
	kill -QUIT "$EMP_PID"
	sleep 0.5
	kill -TERM "$EMP_PID"
	eng_wait "$EMP_PID" 5
	cat "$out"; echo "stderr:"; cat "$err"
	[ "$EMP_STATUS" -eq 0 ]
	[ "$(grep -c '^198\.18\.0\.7: sent=' "$out")" -eq 2 ]
	s1=$(grep '^198\.18\.0\.7: sent=' "$out" | sed -n '1s/.*sent=\([0-9]*\).*/\1/p')
	s2=$(grep '^198\.18\.0\.7: sent=' "$out" | sed -n '2s/.*sent=\([0-9]*\).*/\1/p')
	echo "sent: $s1 then $s2"
	[ "$s1" -ge 3 ]
	[ "$s2" -gt "$s1" ]
	# Replies were printed after the interim summary too.
	sed -n '/^198\.18\.0\.7: sent=/,$p' "$out" | sed 1d |
	    grep -q '^198\.18\.0\.7: seq=[0-9]* bytes='
	# The interim summary is the same line as the final one would be.
	grep '^198\.18\.0\.7: sent=' "$out" |
	    grep -cE 'sent=[0-9]+ received=[0-9]+ loss=[0-9]+%' | grep -qx 2
}

@test "SIGQUIT with --json: an interim record mid-run, the summary at the end, start/end once" {
	local out=$BATS_TEST_TMPDIR/out err=$BATS_TEST_TMPDIR/err
	emp_bg "$out" "$err" --json -p 100 198.18.0.7
	sleep 0.5
	kill -QUIT "$EMP_PID"
	sleep 0.5
	kill -TERM "$EMP_PID"
	eng_wait "$EMP_PID" 5
	cat "$out"; echo "stderr:"; cat "$err"
	[ "$EMP_STATUS" -eq 0 ]
	output=$(cat "$out")
	jq_out -e '[.[] | select(.type == "interim" or .type == "summary")] |
	    length == 2 and .[0].type == "interim" and
	    .[1].type == "summary" and .[1].sent > .[0].sent' >/dev/null
	jq_out -e '[.[] | select(.type == "start")] | length == 1' >/dev/null
	jq_out -e '[.[] | select(.type == "end")] | length == 1' >/dev/null
	jq_out -e '.[0].type == "start" and .[-1].type == "end"' >/dev/null
	# A reply record follows the interim one.
	jq_out -e '(map(.type) | index("interim")) as $i |
	    [.[$i + 1:][] | select(.type == "reply")] | length > 0' >/dev/null
}

@test "-D: every line starts with [unix time, 6 decimals] near date +%s" {
	local t0 t1 l ts
	t0=$(date +%s)
	run --separate-stderr emp -D -c 2 -p 100 198.18.0.1
	t1=$(date +%s)
	echo "$output"; echo "stderr: $stderr"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 3 ]
	for l in "${lines[@]}"; do
		[[ "$l" =~ ^\[([0-9]+)\.[0-9]{6}\]\ 198\.18\.0\.1:\ (seq=|sent=) ]]
		ts=${BASH_REMATCH[1]}
		[ "$ts" -ge $((t0 - 2)) ]
		[ "$ts" -le $((t1 + 2)) ]
	done
}

@test "-S with an address of the client: probes leave from it" {
	local before after
	before=$(eng_nft_count h1 from11)
	run --separate-stderr emp -S 198.51.100.11 -c 2 -p 100 198.51.100.2
	echo "$output"; echo "stderr: $stderr"
	[ "$status" -eq 0 ]
	after=$(eng_nft_count h1 from11)
	echo "echo requests from 198.51.100.11 at h1: $before -> $after"
	[ "$((after - before))" -eq 2 ]
	[ "$(grep -c '^198\.51\.100\.2: seq=[01] bytes=64' <<<"$output")" -eq 2 ]
	# Without -S, the kernel picks the primary address.
	before=$after
	run --separate-stderr emp -c 2 -p 100 198.51.100.2
	[ "$status" -eq 0 ]
	[ "$(eng_nft_count h1 from11)" -eq "$before" ]
}

@test "-S with an address the client does not own: exit 4, clear message" {
	run --separate-stderr emp -S 198.51.100.99 -c 1 -p 100 198.51.100.2
	echo "stdout: $output"; echo "stderr: $stderr"
	[ "$status" -eq 4 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == *198.51.100.99* ]]
	nogrep_out 'seq='
}

@test "-I with a nonexistent interface: exit 4, clear message" {
	run --separate-stderr emp -I nosuch0 -c 1 -p 100 198.51.100.2
	echo "stdout: $output"; echo "stderr: $stderr"
	[ "$status" -eq 4 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == *nosuch0* ]]
	nogrep_out 'seq='
}

@test "-I with the right interface: exit 0" {
	run --separate-stderr emp -I eth0 -c 2 -p 100 198.51.100.2
	echo "$output"; echo "stderr: $stderr"
	[ "$status" -eq 0 ]
	[ "$(grep -c '^198\.51\.100\.2: seq=[01] bytes=64' <<<"$output")" -eq 2 ]
	grep -q '^198\.51\.100\.2: sent=2 received=2 loss=0%' <<<"$output"
}

@test "SIGINT mid-run with --json: complete summaries, end record, counts add up" {
	local out=$BATS_TEST_TMPDIR/out err=$BATS_TEST_TMPDIR/err l
	# 203.0.113.9 never answers: with -t 300 its early probes are lost
	# and its late ones still in flight when SIGINT comes.
	emp_bg "$out" "$err" --json -p 50 -t 300 198.18.0.8 203.0.113.9 \
	    198.51.100.3
	sleep 0.8
	kill -INT "$EMP_PID"
	eng_wait "$EMP_PID" 5
	cat "$out"; echo "stderr:"; cat "$err"
	[ "$EMP_STATUS" -eq 1 ]
	# Every line is one complete JSON object.
	while IFS= read -r l; do
		jq -e -c . <<<"$l" >/dev/null || { echo "bad line: $l"; false; }
	done <"$out"
	output=$(cat "$out")
	jq_out -e '.[-1].type == "end" and .[-1].exit_status == 1 and
	    .[-1].targets == 3 and .[-1].answered == 2' >/dev/null
	# The three summaries come right before the end record.
	jq_out -e '.[-4:-1] | map(.type) == ["summary", "summary", "summary"]' \
	    >/dev/null
	jq_out -e '[.[] | select(.type == "summary")] | length == 3 and
	    all(.sent == .received + .lost + .inflight and .sent > 5)' >/dev/null
	jq_out -e '.[] | select(.type == "summary" and .addr == "203.0.113.9") |
	    .received == 0 and .lost > 0 and .inflight > 0' >/dev/null
	jq_out -e '[.[] | select(.type == "summary" and .addr != "203.0.113.9") |
	    .received > 5] | all' >/dev/null
}

@test "exit 1 when one of two targets never answers" {
	run --separate-stderr emp -c 2 -p 100 -t 300 --json 198.18.0.9 203.0.113.5
	echo "$output"; echo "stderr: $stderr"
	[ "$status" -eq 1 ]
	jq_out -e '.[] | select(.type == "summary" and .addr == "198.18.0.9") |
	    .received == 2' >/dev/null
	jq_out -e '.[] | select(.type == "summary" and .addr == "203.0.113.5") |
	    .received == 0 and .lost == 2 and .errors == 0' >/dev/null
	[ "$(jq_out '[.[] | select(.type == "timeout" and
	    .addr == "203.0.113.5")] | length')" -eq 2 ]
	jq_out -e '.[-1] | .type == "end" and .exit_status == 1 and
	    .answered == 1' >/dev/null
	# Text output, the same status.
	run --separate-stderr emp -c 1 -p 100 -t 300 203.0.113.5 198.18.0.9
	[ "$status" -eq 1 ]
}
