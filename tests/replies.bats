#!/usr/bin/env bats
# Replies from a hostile responder (node e) and loss through nftables (r1).
# Each test gives its responder its own address in 203.0.113.0/25 or
# 2001:db8:fd::/64.

bats_require_minimum_version 1.5.0
load lab

setup_file()	{ lab_up; }
teardown_file()	{ lab_down; }
setup()		{ lab_require_root; }
teardown()	{ responder_stop_all; }

FAST="-p 100 -t 500"

@test "delay 200 ms: rtt between 190 and 400 ms (v4, v6)" {
	responder_start d --addr 203.0.113.1 --addr 2001:db8:fd::1 --delay 200
	run --separate-stderr mp -c 3 -p 100 -t 1000 --json 203.0.113.1 2001:db8:fd::1
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(jcount '.type == "reply"')" -eq 6 ]
	[ "$(jcount '.type == "reply" and .rtt_ms >= 190 and .rtt_ms <= 400')" -eq 6 ]
	jall 'select(.type == "summary") | .received == 3 and
	    .rtt_min_ms >= 190 and .rtt_max_ms <= 400'
}

@test "delay in text output: rtt=2xx ms" {
	responder_start d --addr 203.0.113.2 --delay 200
	run --separate-stderr mp -c 1 -t 1000 203.0.113.2
	echo "$output"
	[ "$status" -eq 0 ]
	rtt=$(sed -nE 's/^203\.0\.113\.2: seq=0 bytes=64 ttl=62 rtt=([0-9]+)\.[0-9]+ ms$/\1/p' <<<"$output")
	[ "$rtt" -ge 190 ] && [ "$rtt" -le 400 ]
}

@test "reply later than the timeout is lost" {
	responder_start d --addr 203.0.113.3 --delay 800
	run --separate-stderr mp -c 1 -t 300 --json 203.0.113.3
	echo "$output"
	[ "$status" -eq 1 ]
	jall 'select(.type == "summary") | .received == 0 and .lost == 1'
	[ "$(jcount '.type == "timeout" and .seq == 0')" -eq 1 ]
}

@test "jitter: every rtt within delay..delay+jitter (+ slack)" {
	responder_start j --addr 203.0.113.4 --delay 50 --jitter 100
	run --separate-stderr mp -c 10 -p 20 -t 1000 --json 203.0.113.4
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(jcount '.type == "reply" and .rtt_ms >= 45 and .rtt_ms <= 300')" -eq 10 ]
}

@test "duplicates: shown as (DUP!), not counted twice (v4, v6)" {
	responder_start d --addr 203.0.113.5 --addr 2001:db8:fd::5 --dup 2
	run --separate-stderr mp -c 2 -p 200 -t 500 203.0.113.5 2001:db8:fd::5
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(grep -cE '^203\.0\.113\.5: seq=[01] .*\(DUP!\)$' <<<"$output")" -eq 4 ]
	[ "$(grep -cE '^2001:db8:fd::5: seq=[01] .*\(DUP!\)$' <<<"$output")" -eq 4 ]
	summary_of 203.0.113.5 | grep 'sent=2 received=2 loss=0%'
	run --separate-stderr mp -c 2 -p 200 -t 500 --json 203.0.113.5
	jall 'select(.type == "summary") | .received == 2 and .dups == 4'
	[ "$(jcount '.type == "reply" and .dup == true')" -eq 4 ]
}

@test "reply from another source is shown, not credited (v4, v6)" {
	responder_start s --addr 203.0.113.6 --addr 2001:db8:fd::6 \
	    --from 203.0.113.99 --from 2001:db8:fd::99
	run --separate-stderr mp -c 2 $FAST 203.0.113.6 2001:db8:fd::6
	echo "$output"
	[ "$status" -eq 1 ]
	grep -E '^203\.0\.113\.6: seq=0 .* from 203\.0\.113\.99 \(not the target, not counted\)$' <<<"$output"
	grep -E '^2001:db8:fd::6: seq=0 .* from 2001:db8:fd::99 \(not the target, not counted\)$' <<<"$output"
	summary_of 203.0.113.6 | grep 'sent=2 received=0 loss=100%'
	summary_of 2001:db8:fd::6 | grep 'sent=2 received=0 loss=100%'
}

# forged MODE...: the responder answers every probe, but badly; nothing counts.
forged()
{
	responder_start f --addr 203.0.113.7 --addr 2001:db8:fd::7 "$@"
	run --separate-stderr mp -c 2 $FAST --json 203.0.113.7 2001:db8:fd::7
	echo "$* => $output"
	[ "$status" -eq 1 ]
	[ "$(jcount '.type == "summary" and .received == 0')" -eq 2 ]
	[ "$(responder_log f | grep -c action=reply)" -eq 4 ]
	responder_stop_all
}

@test "corrupted payload is not counted" {
	forged --corrupt
}

@test "wrong echo id is not counted" {
	forged --wrong-id
}

@test "wrong echo seq is not counted" {
	forged --wrong-seq
}

@test "truncated reply (8 payload bytes) is not counted" {
	forged --truncate 8
}

@test "reply with a bad ICMP checksum is not counted (v4)" {
	responder_start f --addr 203.0.113.8 --bad-checksum
	run --separate-stderr mp -c 2 $FAST --json 203.0.113.8
	echo "$output"
	[ "$status" -eq 1 ]
	jall 'select(.type == "summary") | .received == 0'
}

@test "drop every 2nd request: exact counts, exit 0" {
	responder_start d --addr 203.0.113.9 --drop-every 2
	run --separate-stderr mp -c 6 $FAST --json 203.0.113.9
	echo "$output"
	[ "$status" -eq 0 ]
	jall 'select(.type == "summary") | .sent == 6 and .received == 3 and .lost == 3 and .loss_pct == 50'
	[ "$(jcount '.type == "timeout"')" -eq 3 ]
}

@test "-r resends a lost probe; the answer to the retry counts" {
	responder_start d --addr 203.0.113.10 --drop-first 1
	run --separate-stderr mp -c 1 -r 2 -t 200 --json 203.0.113.10
	echo "$output"
	responder_log d
	[ "$status" -eq 0 ]
	jall 'select(.type == "summary" and .addr == "203.0.113.10") | .received == 1 and .lost == 0'
}

@test "-r N: a silent target gets N+1 requests" {
	responder_start q --addr 203.0.113.12 --silent
	run --separate-stderr mp -c 1 -r 2 -t 200 --json 203.0.113.12
	echo "$output"
	responder_log q
	[ "$status" -eq 1 ]
	[ "$(responder_log q | grep -c 'seq=')" -eq 3 ]
}

@test "reply TTL is reported (responder ttl 7, two routers: 5)" {
	responder_start t --addr 203.0.113.13 --addr 2001:db8:fd::13 --ttl 7
	run --separate-stderr mp -c 1 $FAST 203.0.113.13 2001:db8:fd::13
	echo "$output"
	[ "$status" -eq 0 ]
	grep -E '^203\.0\.113\.13: seq=0 bytes=64 ttl=5 ' <<<"$output"
	grep -E '^2001:db8:fd::13: seq=0 bytes=64 ttl=5 ' <<<"$output"
}

@test "--ttl, --tos and -s reach the wire" {
	responder_start w --addr 203.0.113.14 --addr 2001:db8:fd::14
	run --separate-stderr mp -c 1 $FAST --ttl 10 --tos 32 -s 1000 203.0.113.14 2001:db8:fd::14
	echo "$output"
	responder_log w
	[ "$status" -eq 0 ]
	responder_log w | grep 'af=4 .* size=1000 ttl=8 tos=32 '
	responder_log w | grep 'af=6 .* size=1000 ttl=8 tos=32 '
	grep -E '^203\.0\.113\.14: seq=0 bytes=1008 ' <<<"$output"
}

@test "the responder sees exactly -c requests per target" {
	responder_start w --addr 203.0.113.15 --addr 2001:db8:fd::15
	run --separate-stderr mp -c 5 -p 50 -t 500 203.0.113.15 2001:db8:fd::15
	[ "$status" -eq 0 ]
	[ "$(responder_log w | grep -c 'af=4 .* seq=')" -eq 5 ]
	[ "$(responder_log w | grep -c 'af=6 .* seq=')" -eq 5 ]
	[ "$(responder_log w | sed -nE 's/.*af=4 .* seq=([0-9]+) .*/\1/p' | sort -n | tr '\n' ' ')" = "0 1 2 3 4 " ]
}

@test "nftables: every reply dropped gives timeouts and exit 1 (v4, v6)" {
	run --separate-stderr mp -c 3 $FAST --json 198.18.9.1 2001:db8:ff::9:1
	echo "$output"
	[ "$status" -eq 1 ]
	[ "$(jcount '.type == "timeout"')" -eq 6 ]
	[ "$(jcount '.type == "summary" and .sent == 3 and .received == 0 and .loss_pct == 100')" -eq 2 ]
}

@test "nftables: every 4th reply dropped gives exactly 25% loss (v4, v6)" {
	run --separate-stderr mp -c 8 -p 50 -t 500 --json 198.18.9.2 2001:db8:ff::9:2
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(jcount '.type == "summary" and .sent == 8 and .received == 6 and .lost == 2 and .loss_pct == 25')" -eq 2 ]
}

@test "nftables: random 50% loss is neither 0 nor 100%" {
	run --separate-stderr mp -c 40 -p 20 -t 500 -q --json 198.18.9.3
	echo "$output"
	[ "$status" -eq 0 ]
	jall 'select(.type == "summary") | .received > 0 and .received < 40 and .sent == 40'
}

@test "mixed targets: one answers, one is silent: exit 1 and right counts" {
	run --separate-stderr mp -c 2 $FAST 198.18.2.20 198.51.100.34
	echo "$output"
	[ "$status" -eq 1 ]
	summary_of 198.18.2.20 | grep 'sent=2 received=2 loss=0%'
	summary_of 198.51.100.34 | grep -E 'sent=2 received=0 loss=100%$'
	[ "$(grep -cE '^198\.51\.100\.34: seq=[01] timeout$' <<<"$output")" -eq 2 ]
}
