#!/usr/bin/env bats
# ICMP errors: from router r2 (reject routes, small MTU, failed address
# resolution), from r1/r2 for a small TTL, from the local kernel, and every
# type and code forged by the responder.

bats_require_minimum_version 1.5.0
load lab

setup_file()	{ lab_up; }
teardown_file()	{ lab_down; }
setup()		{ lab_require_root; }
teardown()	{ responder_stop_all; }

FAST="-p 100 -t 500"

# router_error TARGET NAME FROM TYPE CODE [ARGS...]: two probes, two errors
# (PERIOD ms apart, 100 unless set).
router_error()
{
	local t=$1 name=$2 from=$3 type=$4 code=$5 p=${PERIOD:-100}
	shift 5
	run --separate-stderr mp -c 2 -p "$p" -t 1000 "$@" "$t"
	echo "$output"; echo "$stderr"
	[ "$status" -eq 1 ]
	[ "$(grep -cFx "$t: seq=0 $name from $from (type $type, code $code)" <<<"$output")" -eq 1 ]
	[ "$(grep -cFx "$t: seq=1 $name from $from (type $type, code $code)" <<<"$output")" -eq 1 ]
	summary_of "$t" | grep -E 'sent=2 received=0 loss=100% errors=2$'
	run --separate-stderr mp -c 2 -p "$p" -t 1000 --json "$@" "$t"
	echo "$output"
	[ "$(jcount ".type == \"error\" and .addr == \"$t\" and .from == \"$from\" and
	    .icmp_type == $type and .icmp_code == $code and .error == \"$name\"")" -eq 2 ]
	jall 'select(.type == "summary") | .errors == 2 and .received == 0'
}

@test "v4 unreachable route: host-unreachable from r2" {
	router_error 198.51.100.1 host-unreachable 192.0.2.18 3 1
}

@test "v4 prohibit route: admin-prohibited from r2" {
	router_error 198.51.100.17 admin-prohibited 192.0.2.18 3 13
}

@test "v4 no route: net-unreachable from r2" {
	router_error 198.51.100.49 net-unreachable 192.0.2.18 3 0
}

# r2 gives up resolving v's addresses after 100 ms (lab.bash).  A probe
# that reaches r2 while it sends the error for the one before is queued
# for a new resolution and then dropped with the old queue, without an
# error (the kernel's neigh_invalidate drops its lock to send each error):
# so the second probe comes 250 ms after the first, not at that moment.
@test "v4 failed ARP: host-unreachable from r2" {
	PERIOD=250 router_error 198.51.100.70 host-unreachable 192.0.2.18 3 1
}

@test "v6 unreachable route: no-route from r2" {
	router_error 2001:db8:e:1::1 no-route 2001:db8:12::2 1 0
}

@test "v6 prohibit route: admin-prohibited from r2" {
	router_error 2001:db8:e:2::1 admin-prohibited 2001:db8:12::2 1 1
}

@test "v6 failed neighbour discovery: address-unreachable from r2" {
	PERIOD=250 router_error 2001:db8:e:5::70 address-unreachable \
	    2001:db8:12::2 1 3
}

@test "blackhole: silence gives timeouts, no errors (v4, v6)" {
	run --separate-stderr mp -c 2 $FAST --json 198.51.100.33 2001:db8:e:3::1
	echo "$output"
	[ "$status" -eq 1 ]
	[ "$(jcount '.type == "timeout"')" -eq 4 ]
	[ "$(jcount '.type == "error"')" -eq 0 ]
	[ "$(jcount '.type == "summary" and .errors == 0 and .received == 0 and .lost == 2')" -eq 2 ]
}

@test "--ttl 1 and 2: ttl-exceeded from r1, then r2 (v4)" {
	router_error 198.18.0.1 ttl-exceeded 192.0.2.1 11 0 --ttl 1
	router_error 198.18.0.1 ttl-exceeded 192.0.2.18 11 0 --ttl 2
}

@test "--ttl 1 and 2: ttl-exceeded from r1, then r2 (v6)" {
	router_error 2001:db8:ff::1 ttl-exceeded 2001:db8:1::1 3 0 --ttl 1
	router_error 2001:db8:ff::1 ttl-exceeded 2001:db8:12::2 3 0 --ttl 2
}

@test "v4 --df with a big probe: fragmentation-needed mtu=1280 from r2" {
	run --separate-stderr mp -c 1 -t 1000 --df -s 1400 --json 203.0.113.140
	echo "$output"
	[ "$status" -eq 1 ]
	jall 'select(.type == "error") | .from == "192.0.2.18" and
	    .icmp_type == 3 and .icmp_code == 4 and .mtu == 1280 and
	    .error == "fragmentation-needed"'
	run --separate-stderr mp -c 1 -t 1000 --df -s 1400 203.0.113.141
	echo "$output"
	grep -Fx '203.0.113.141: seq=0 fragmentation-needed from 192.0.2.18 (type 3, code 4) mtu=1280' <<<"$output"
}

@test "v4 without --df the big probe is fragmented and answered" {
	run --separate-stderr mp -c 1 -t 1000 -s 1400 203.0.113.142
	echo "$output"
	[ "$status" -eq 0 ]
	grep -E '^203\.0\.113\.142: seq=0 bytes=1408 ' <<<"$output"
}

@test "v6 --df with a big probe: packet-too-big mtu=1280 from r2" {
	run --separate-stderr mp -c 1 -t 1000 --df -s 1400 2001:db8:fe::40
	echo "$output"
	[ "$status" -eq 1 ]
	grep -Fx '2001:db8:fe::40: seq=0 packet-too-big from 2001:db8:12::2 (type 2, code 0) mtu=1280' <<<"$output"
	# Later probes are not refused locally on the learnt path MTU: each
	# goes out and gets its own answer from r2, as with IPv4.
	run --separate-stderr mp -c 3 -p 100 -t 1000 --df -s 1400 2001:db8:fe::41
	echo "$output"
	[ "$(grep -c '^2001:db8:fe::41: seq=[012] packet-too-big from 2001:db8:12::2 (type 2, code 0) mtu=1280$' <<<"$output")" -eq 3 ]
}

@test "local reject routes are reported from local (v4, v6)" {
	for t in 192.0.2.225 192.0.2.241 2001:db8:c:1::1 2001:db8:c:2::1; do
		run --separate-stderr mp -c 1 $FAST --json "$t"
		echo "$t: $status $output $stderr"
		[ "$status" -eq 1 ]
		jall 'select(.type == "error") | .from == "local"'
	done
	run --separate-stderr mp -c 1 $FAST 192.0.2.241
	grep -E '^192\.0\.2\.241: seq=0 [a-z-]+ from local' <<<"$output"
}

# forged_codes ADDR TYPE N NAMES...: the responder answers probe seq=i with
# an error of TYPE and code i; expect NAMES[i] for each.
forged_codes()
{
	local addr=$1 type=$2 n=$3 i
	shift 3
	responder_start x --addr "$addr" --error "$type,0" --code-seq
	run --separate-stderr mp -c "$n" -p 20 -t 500 --json "$addr"
	echo "$output"
	[ "$status" -eq 1 ]
	i=0
	for name in "$@"; do
		jall "select(.type == \"error\" and .seq == $i) |
		    .icmp_type == $type and .icmp_code == $i and
		    .error == \"$name\" and .from == \"$addr\"" ||
		    { echo "seq $i: expected $name"; return 1; }
		i=$((i + 1))
	done
	jall "select(.type == \"summary\") | .errors == $n and .received == 0"
	responder_stop_all
}

@test "every IPv4 unreachable code has its name" {
	forged_codes 203.0.113.20 3 16 net-unreachable host-unreachable \
	    protocol-unreachable port-unreachable fragmentation-needed \
	    source-route-failed net-unknown host-unknown source-host-isolated \
	    net-prohibited host-prohibited tos-net-unreachable \
	    tos-host-unreachable admin-prohibited host-precedence-violation \
	    precedence-cutoff
}

@test "every IPv6 unreachable code has its name" {
	forged_codes 2001:db8:fd::20 1 8 no-route admin-prohibited \
	    beyond-scope address-unreachable port-unreachable \
	    source-policy-failed reject-route unreachable
}

@test "time exceeded codes (v4, v6)" {
	forged_codes 203.0.113.21 11 2 ttl-exceeded reassembly-timeout
	forged_codes 2001:db8:fd::21 3 2 ttl-exceeded reassembly-timeout
}

# forged_error ADDR TYPE,CODE NAME [ARGS...]: one error, text line checked.
forged_error()
{
	local addr=$1 tc=$2 name=$3
	shift 3
	responder_start x --addr "$addr" --error "$tc" "$@"
	run --separate-stderr mp -c 1 $FAST "$addr"
	echo "$output"
	[ "$status" -eq 1 ]
	grep -E "^$addr: seq=0 $name from [0-9a-f.:]+ \\(type ${tc%,*}, code ${tc#*,}\\)" <<<"$output"
	summary_of "$addr" | grep 'errors=1'
	responder_stop_all
}

@test "parameter problem (v4, v6)" {
	forged_error 203.0.113.22 12,0 parameter-problem --pointer 20
	forged_error 2001:db8:fd::22 4,0 parameter-problem --pointer 40
}

@test "source quench and redirect (v4)" {
	forged_error 203.0.113.23 4,0 source-quench
	forged_error 203.0.113.24 5,1 redirect --gateway 203.0.113.126
}

@test "packet too big forged by a far router (v4, v6)" {
	forged_error 203.0.113.25 3,4 fragmentation-needed --mtu 1000
	grep -E 'mtu=1000$' <<<"$output"
	forged_error 2001:db8:fd::25 2,0 packet-too-big --mtu 1300
	grep -E 'mtu=1300$' <<<"$output"
}

@test "the router address reported is the error's source" {
	forged_error 203.0.113.26 11,0 ttl-exceeded --from 203.0.113.77
	grep -F 'ttl-exceeded from 203.0.113.77 (type 11, code 0)' <<<"$output"
}

@test "RFC 4884 extension with an MPLS label stack is understood (v4, v6)" {
	forged_error 203.0.113.27 11,0 ttl-exceeded --mpls 42
	forged_error 2001:db8:fd::27 3,0 ttl-exceeded --mpls 42
}

@test "error quoting only 8 bytes of the probe (RFC 792) is reported" {
	forged_error 203.0.113.28 3,1 host-unreachable --quote 8
}

@test "errors are attributed to the probed target only" {
	responder_start x --addr 203.0.113.29 --error 3,1 --quote 8
	run --separate-stderr mp -c 1 $FAST --json 203.0.113.29 203.0.113.30
	echo "$output"
	# Sanity for the next test: errors are attributed to the right target.
	[ "$(jcount '.type == "error" and .addr == "203.0.113.29"')" -eq 1 ]
	[ "$(jcount '.type == "error" and .addr == "203.0.113.30"')" -eq 0 ]
}

@test "loss and replies mixed: exit 0 when every target answered once" {
	responder_start x --addr 203.0.113.31 --drop-every 2
	run --separate-stderr mp -c 2 $FAST --json 203.0.113.31 198.18.0.1
	[ "$status" -eq 0 ]
}
