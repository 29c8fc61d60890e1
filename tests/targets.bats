#!/usr/bin/env bats
# Targets: literals, names, CIDR blocks, files, stdin, dedup, -a/-u/-q/-4/-6.
# 198.18.0.0/16 and 2001:db8:ff::/64 are answered by host h for every address.

bats_require_minimum_version 1.5.0
load lab

setup_file()	{ lab_up; }
teardown_file()	{ lab_down; }
setup()		{ lab_require_root; }
teardown()	{ responder_stop_all; }

FAST="-p 100 -t 500"

# nsum: number of JSON summary records in $output.
nsum()
{
	json_sel -s '[.[] | select(.type == "summary")] | length'
}

@test "one IPv4 host: 3 replies, exit 0, summary" {
	run --separate-stderr mp -c 3 $FAST 198.18.0.1
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(grep -cE '^198\.18\.0\.1: seq=[0-2] bytes=64 ttl=62 rtt=[0-9.]+ ms$' <<<"$output")" -eq 3 ]
	summary_of 198.18.0.1 | grep -E 'sent=3 received=3 loss=0% rtt min/avg/max/stddev=[0-9.]+/[0-9.]+/[0-9.]+/[0-9.]+ ms'
}

@test "one IPv6 host: 3 replies, exit 0" {
	run --separate-stderr mp -c 3 $FAST 2001:db8:ff::1
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(grep -cE '^2001:db8:ff::1: seq=[0-2] bytes=64 ttl=62 rtt=' <<<"$output")" -eq 3 ]
	summary_of 2001:db8:ff::1 | grep 'sent=3 received=3 loss=0%'
}

@test "json: every line is a record; start, summary, end" {
	run --separate-stderr mp -c 2 $FAST --json 198.18.0.1 2001:db8:ff::1
	echo "$output"
	[ "$status" -eq 0 ]
	json_sel -e -s 'length > 2' >/dev/null
	[ "$(json_sel -s '.[0].type')" = '"start"' ]
	[ "$(json_sel -s '.[-1].type')" = '"end"' ]
	[ "$(json_sel -s '.[-1].exit_status')" = 0 ]
	[ "$(json_sel -s '[.[] | select(.type == "reply")] | length')" -eq 4 ]
	jall 'select(.type == "summary" and .addr == "198.18.0.1") |
	    .sent == 2 and .received == 2 and .lost == 0 and .loss_pct == 0 and
	    .errors == 0 and .dups == 0 and .rtt_min_ms <= .rtt_avg_ms and
	    .rtt_avg_ms <= .rtt_max_ms and .rtt_stddev_ms >= 0'
	jall 'select(.type == "reply" and .addr == "2001:db8:ff::1") |
	    .from == "2001:db8:ff::1" and .size == 64 and .ttl == 62 and
	    .dup == false and (.seq == 0 or .seq == 1) and .rtt_ms > 0'
}

@test "csv: one header line, one row per event" {
	run --separate-stderr mp -c 2 $FAST --csv 198.18.0.1
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(grep -c ',' <<<"$output")" -eq "${#lines[@]}" ]
	[ "${#lines[@]}" -ge 4 ]
}

@test "IPv4 /30 leaves out network and broadcast" {
	run --separate-stderr mp -c 1 $FAST --json 198.18.1.0/30
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(json_sel -s -c '[.[] | select(.type == "summary") | .addr] | sort')" = '["198.18.1.1","198.18.1.2"]' ]
}

@test "IPv4 /31 and /32 keep every address" {
	run --separate-stderr mp -c 1 $FAST --json 198.18.1.8/31 198.18.1.20/32
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(json_sel -s -c '[.[] | select(.type == "summary") | .addr] | sort')" = '["198.18.1.20","198.18.1.8","198.18.1.9"]' ]
}

@test "IPv6 /126 probes all four addresses" {
	run --separate-stderr mp -c 1 $FAST --json 2001:db8:ff::100/126
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(nsum)" -eq 4 ]
}

@test "a repeated target is probed once; each name is a target" {
	run --separate-stderr mp -c 2 $FAST --json 198.18.0.1 198.18.0.1 \
	    198.18.0.0/30 lab-h1 lab-h1-alias lab-h1
	echo "$output"
	[ "$status" -eq 0 ]
	# 198.18.0.1, 198.18.0.2, and each name on 198.18.0.1 (as fping).
	[ "$(nsum)" -eq 4 ]
	[ "$(json_sel -s '[.[] | select(.type == "reply" and .addr == "198.18.0.1")] | length')" -eq 6 ]
	jall 'select(.type == "summary" and .addr == "198.18.0.1") | .sent == 2'
	[ "$(json_sel -s '[.[] | select(.type == "summary") | .target] | sort | join(" ")')" = '"198.18.0.1 198.18.0.2 lab-h1 lab-h1-alias"' ]
}

@test "a whole /22 (1022 hosts) answers in one run" {
	run --separate-stderr mp -c 1 -t 2000 -q --json 198.18.4.0/22
	[ "$status" -eq 0 ]
	[ "$(nsum)" -eq 1022 ]
	[ "$(json_sel -s '[.[] | select(.type == "summary" and .received == 1)] | length')" -eq 1022 ]
}

@test "an IPv6 /118 (1024 hosts) answers in one run" {
	run --separate-stderr mp -c 1 -t 2000 -q --json 2001:db8:ff::1:0/118
	[ "$status" -eq 0 ]
	[ "$(json_sel -s '[.[] | select(.type == "summary" and .received == 1)] | length')" -eq 1024 ]
}

@test "-f FILE: comments, blank lines, CRLF" {
	f=$LAB_DIR/targets.txt
	printf '# lab hosts\r\n198.18.2.1\r\n\n   \n  # indented comment\n198.18.2.2\n2001:db8:ff::2:1\r\n' >"$f"
	run --separate-stderr mp -c 1 $FAST --json -f "$f"
	echo "$output"; echo "$stderr"
	[ "$status" -eq 0 ]
	[ "$(json_sel -s -c '[.[] | select(.type == "summary") | .addr] | sort')" = '["198.18.2.1","198.18.2.2","2001:db8:ff::2:1"]' ]
}

@test "-f - reads targets from stdin" {
	run --separate-stderr bash -c "printf '198.18.2.3\n198.18.2.4\n' |
	    ip netns exec $LAB-c $MPING -c 1 $FAST --json -f -"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(json_sel -s '[.[] | select(.type == "summary" and .received == 1)] | length')" -eq 2 ]
}

@test "targets from stdin when none are given" {
	run --separate-stderr bash -c "printf '198.18.2.5\n2001:db8:ff::2:5\n' |
	    ip netns exec $LAB-c $MPING -c 1 $FAST --json"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(json_sel -s '[.[] | select(.type == "summary" and .received == 1)] | length')" -eq 2 ]
}

@test "-a lists the hosts that answered" {
	run --separate-stderr mp -c 1 $FAST -a 198.18.2.6 198.51.100.33 2001:db8:ff::2:6
	echo "$output"
	[ "$status" -eq 1 ]
	grep -Fx 198.18.2.6 <<<"$output"
	grep -Fx 2001:db8:ff::2:6 <<<"$output"
	nogrep -Fx 198.51.100.33 <<<"$output"
}

@test "-u lists the hosts that never answered" {
	run --separate-stderr mp -c 1 $FAST -u 198.18.2.6 198.51.100.33 2001:db8:e:3::1
	echo "$output"
	[ "$status" -eq 1 ]
	grep -Fx 198.51.100.33 <<<"$output"
	grep -Fx 2001:db8:e:3::1 <<<"$output"
	nogrep -Fx 198.18.2.6 <<<"$output"
}

@test "-q prints only the summary" {
	run --separate-stderr mp -c 2 $FAST -q 198.18.2.7 198.51.100.33
	echo "$output"
	[ "$status" -eq 1 ]
	nogrep -q 'seq=' <<<"$output"
	summary_of 198.18.2.7 | grep 'sent=2 received=2'
	summary_of 198.51.100.33 | grep 'sent=2 received=0 loss=100%'
}

@test "names: reply lines show name and address" {
	run --separate-stderr mp -c 1 $FAST lab-h1 lab-h6
	echo "$output"
	[ "$status" -eq 0 ]
	grep -E '^lab-h1 \(198\.18\.0\.1\): seq=0 bytes=64' <<<"$output"
	grep -E '^lab-h6 \(2001:db8:ff::1\): seq=0 bytes=64' <<<"$output"
}

@test "-4 and -6 pick the address family of a name" {
	run --separate-stderr mp -4 -c 1 $FAST --json lab-dual
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(json_sel -s -c '[.[] | select(.type == "summary") | .addr]')" = '["198.18.0.3"]' ]
	run --separate-stderr mp -6 -c 1 $FAST --json lab-dual
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(json_sel -s -c '[.[] | select(.type == "summary") | .addr]')" = '["2001:db8:ff::3"]' ]
}

@test "unresolvable name: exit 2, the others still probed" {
	run --separate-stderr mp -c 1 $FAST --json 198.18.2.8 nosuch.invalid
	echo "$output"; echo "$stderr"
	[ "$status" -eq 2 ]
	jall 'select(.type == "bad-target") | .target == "nosuch.invalid" and (.reason | length > 0)'
	jall 'select(.type == "summary" and .addr == "198.18.2.8") | .received == 1'
	[ "$(json_sel -s '.[-1].exit_status')" = 2 ]
}

@test "unparsable targets: exit 2 in text mode too" {
	for t in 198.18.0.0/33 2001:db8::/129 198.18.0.0/ 198.18.0.1/-1; do
		run --separate-stderr mp -c 1 $FAST 198.18.2.9 "$t"
		echo "$t: $status $output $stderr"
		[ "$status" -eq 2 ]
		summary_of 198.18.2.9 | grep 'received=1'
	done
}

@test "--max-targets refuses a larger run and sends nothing" {
	run --separate-stderr mp -c 1 $FAST --max-targets 100 198.18.3.0/24
	echo "$status $output $stderr"
	[ "$status" -eq 3 ]
	nogrep -q 'seq=' <<<"$output"
	[ -n "$stderr" ]
	run --separate-stderr mp -c 1 $FAST -q --max-targets 254 198.18.3.0/24
	[ "$status" -eq 0 ]
}

@test "loopback: own requests are not counted as replies" {
	run --separate-stderr mp -c 3 $FAST --json 127.0.0.1 ::1
	echo "$output"
	[ "$status" -eq 0 ]
	jall 'select(.type == "summary" and .addr == "127.0.0.1") | .received == 3 and .dups == 0'
	jall 'select(.type == "summary" and .addr == "::1") | .received == 3 and .dups == 0'
}

@test "-w stops an endless run with a summary" {
	start=$(date +%s%N)
	run --separate-stderr mp -w 1 -p 200 198.18.2.10
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	echo "$ms ms: $output"
	[ "$status" -eq 0 ]
	[ "$ms" -lt 3000 ]
	summary_of 198.18.2.10 | grep -E 'sent=[4-6] received=[4-6]'
}

@test "SIGINT ends the run with a summary and exit 0" {
	out=$LAB_DIR/int.out
	ip netns exec "$LAB-c" "$MPING" -w 5 -p 100 198.18.2.11 >"$out" 2>&1 </dev/null 3>&- &
	pid=$!
	sleep 0.7
	kill -INT "$pid"
	wait "$pid" && st=0 || st=$?
	cat "$out"
	[ "$st" -eq 0 ]
	grep -E '^198\.18\.2\.11: sent=[0-9]+ received=[0-9]+' "$out"
}
