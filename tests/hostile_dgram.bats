#!/usr/bin/env bats
# The hostile responder again, but with mping as an ordinary user (nobody)
# on Linux ICMP datagram ("ping") sockets: the kernel, not mping, picks the
# echo id and filters replies by it, and ICMP errors arrive through the
# socket's error queue (IP_RECVERR / IPV6_RECVERR) instead of a raw socket.
# The client allows ping sockets for every group (lab.bash).
#
# Each test gives its responder its own addresses: 203.0.113.40-.63 and
# 2001:db8:fd::40-63.  A few tests at the end run as root (raw sockets).

bats_require_minimum_version 1.5.0
load lab

setup_file()	{ lab_up && lab_nobody_up; }
teardown_file()	{ lab_down; }
setup()		{ lab_require_root; }
teardown()	{ responder_stop_all; }

FAST="-p 100 -t 500"

# Sanity: as nobody mping really has no raw socket, only ping sockets.
@test "dgram: nobody gets ICMP datagram sockets, no raw socket (v4, v6)" {
	responder_start ok --addr 203.0.113.40 --addr 2001:db8:fd::40
	run --separate-stderr nobody -c 2 $FAST --json 203.0.113.40 2001:db8:fd::40
	echo "$output"; echo "$stderr"
	[ "$status" -eq 0 ]
	[ "$(jcount '.type == "summary" and .sent == 2 and .received == 2 and .lost == 0')" -eq 2 ]
	# The echo ids are the kernel's (ping socket port), not mping's pid;
	# the responder saw exactly the probes.
	[ "$(responder_log ok | grep -c 'af=4 .* seq=')" -eq 2 ]
	[ "$(responder_log ok | grep -c 'af=6 .* seq=')" -eq 2 ]
}

@test "dgram: duplicates counted as dups, received not doubled (v4, v6)" {
	responder_start d --addr 203.0.113.41 --addr 2001:db8:fd::41 --dup 2
	run --separate-stderr nobody -c 2 -p 200 -t 500 --json 203.0.113.41 2001:db8:fd::41
	echo "$output"; echo "$stderr"
	[ "$status" -eq 0 ]
	[ "$(jcount '.type == "summary" and .sent == 2 and .received == 2 and .dups == 4 and .lost == 0')" -eq 2 ]
	[ "$(jcount '.type == "reply" and .dup == true and .addr == "203.0.113.41"')" -eq 4 ]
	[ "$(jcount '.type == "reply" and .dup == true and .addr == "2001:db8:fd::41"')" -eq 4 ]
	[ "$(jcount '.type == "reply" and .dup != true')" -eq 4 ]
}

# dforged NAME V4 V6 MODE...: the responder answers every probe, but badly;
# with ping sockets the kernel still delivers these replies (the echo id is
# right), so mping itself must refuse them: nothing counts.
dforged()
{
	local name=$1 a4=$2 a6=$3
	shift 3
	responder_start "$name" --addr "$a4" --addr "$a6" "$@"
	run --separate-stderr nobody -c 2 $FAST --json "$a4" "$a6"
	echo "$* => $output"; echo "$stderr"
	[ "$status" -eq 1 ]
	[ "$(jcount '.type == "summary" and .sent == 2 and .received == 0 and .lost == 2 and .dups == 0')" -eq 2 ]
	[ "$(jcount '.type == "reply"')" -eq 0 ]
	[ "$(jcount '.type == "timeout"')" -eq 4 ]
	[ "$(responder_log "$name" | grep -c action=reply)" -eq 4 ]
}

@test "dgram: corrupted payload is not counted (v4, v6)" {
	dforged c 203.0.113.42 2001:db8:fd::42 --corrupt
}

@test "dgram: wrong echo seq is not counted (v4, v6)" {
	dforged s 203.0.113.43 2001:db8:fd::43 --wrong-seq
}

@test "dgram: truncated reply (8 payload bytes) is not counted (v4, v6)" {
	dforged t 203.0.113.44 2001:db8:fd::44 --truncate 8
}

@test "dgram: truncated reply (no payload at all) is not counted (v4, v6)" {
	dforged t 203.0.113.45 2001:db8:fd::45 --truncate 0
}

@test "dgram: wrong echo id is not counted (v4, v6)" {
	# The kernel drops these (no ping socket has that id), or mping does.
	dforged i 203.0.113.46 2001:db8:fd::46 --wrong-id
}

@test "dgram: reply from another source is never credited (v4, v6)" {
	responder_start f --addr 203.0.113.47 --addr 2001:db8:fd::47 \
	    --from 203.0.113.99 --from 2001:db8:fd::99
	run --separate-stderr nobody -c 2 $FAST --json 203.0.113.47 2001:db8:fd::47
	echo "$output"; echo "$stderr"
	[ "$status" -eq 1 ]
	[ "$(responder_log f | grep -c action=reply)" -eq 4 ]
	[ "$(jcount '.type == "summary" and .sent == 2 and .received == 0 and .lost == 2')" -eq 2 ]
	# Either the reply is not delivered on the (unconnected) ping socket,
	# or it is shown as foreign, from the spoofed address, never credited.
	[ "$(jcount '.type == "reply" and (.foreign != true or
	    (.from != "203.0.113.99" and .from != "2001:db8:fd::99"))')" -eq 0 ]
	# The unconnected ping socket does deliver it: shown once per probe.
	[ "$(jcount '.type == "reply" and .foreign == true and .from == "203.0.113.99"')" -eq 2 ]
	[ "$(jcount '.type == "reply" and .foreign == true and .from == "2001:db8:fd::99"')" -eq 2 ]
}

@test "dgram: delay 200 ms: rtt between 190 and 400 ms (v4, v6)" {
	responder_start d --addr 203.0.113.48 --addr 2001:db8:fd::48 --delay 200
	run --separate-stderr nobody -c 3 -p 100 -t 1000 --json 203.0.113.48 2001:db8:fd::48
	echo "$output"; echo "$stderr"
	[ "$status" -eq 0 ]
	[ "$(jcount '.type == "reply" and .rtt_ms >= 190 and .rtt_ms <= 400')" -eq 6 ]
	[ "$(jcount '.type == "summary" and .received == 3 and .lost == 0 and
	    .rtt_min_ms >= 190 and .rtt_max_ms <= 400')" -eq 2 ]
}

# derror ADDR TYPE,CODE NAME [RESPONDER ARGS...]: two probes (plus mping
# options in DERROR_ARGS), each answered
# with a forged error from ADDR itself; both come back through the ping
# socket's error queue, named, with the right type, code and source.
derror()
{
	local addr=$1 tc=$2 name=$3 type code
	shift 3
	type=${tc%,*} code=${tc#*,}
	responder_start x --addr "$addr" --error "$tc" "$@"
	run --separate-stderr nobody -c 2 $FAST ${DERROR_ARGS:-} --json "$addr"
	echo "$addr $tc $* => $output"; echo "$stderr"
	[ "$status" -eq 1 ]
	[ "$(responder_log x | grep -c 'seq=')" -eq 2 ]
	[ "$(jcount ".type == \"error\" and .addr == \"$addr\" and
	    .from == \"$addr\" and .icmp_type == $type and
	    .icmp_code == $code and .error == \"$name\"")" -eq 2 ]
	[ "$(jcount '.type == "error" and .seq == 0')" -eq 1 ]
	[ "$(jcount '.type == "error" and .seq == 1')" -eq 1 ]
	[ "$(jcount '.type == "reply"')" -eq 0 ]
	[ "$(jcount '.type == "summary" and .sent == 2 and .received == 0 and .errors == 2')" -eq 1 ]
	responder_stop_all
}

@test "dgram: forged unreachable with a code (v4, v6)" {
	derror 203.0.113.49 3,1 host-unreachable
	derror 203.0.113.50 3,13 admin-prohibited
	derror 2001:db8:fd::49 1,4 port-unreachable
	derror 2001:db8:fd::50 1,1 admin-prohibited
}

@test "dgram: forged time exceeded (v4, v6)" {
	derror 203.0.113.51 11,0 ttl-exceeded
	derror 2001:db8:fd::51 3,0 ttl-exceeded
}

@test "dgram: forged packet too big carries the mtu (v4 --df, v6)" {
	DERROR_ARGS=--df derror 203.0.113.52 3,4 fragmentation-needed --mtu 1000
	[ "$(jcount '.type == "error" and .mtu == 1000')" -eq 2 ]
	derror 2001:db8:fd::52 2,0 packet-too-big --mtu 1300
	[ "$(jcount '.type == "error" and .mtu == 1300')" -eq 2 ]
	DERROR_ARGS=--df derror 2001:db8:fd::59 2,0 packet-too-big --mtu 1300
	[ "$(jcount '.type == "error" and .mtu == 1300')" -eq 2 ]
}

# Without --df mping sets IP_PMTUDISC_DONT on its IPv4 sockets: its probes
# go out without DF, so no router can legitimately answer "fragmentation
# needed".  On a ping socket the kernel (ping_err) then only updates the
# path MTU and queues nothing: the forged error never reaches mping, and
# the probes simply time out.  (On a raw socket mping sees the packet and
# reports it: errors.bats.)
@test "dgram: v4 fragmentation-needed without --df is not delivered" {
	responder_start x --addr 203.0.113.60 --error 3,4 --mtu 1000
	run --separate-stderr nobody -c 2 $FAST --json 203.0.113.60
	echo "$output"; echo "$stderr"
	[ "$status" -eq 1 ]
	[ "$(responder_log x | grep -c 'seq=')" -eq 2 ]
	[ "$(jcount '.type == "error"')" -eq 0 ]
	[ "$(jcount '.type == "timeout"')" -eq 2 ]
	jall 'select(.type == "summary") | .sent == 2 and .received == 0 and
	    .errors == 0 and .lost == 2'
}

@test "dgram: RFC 4884 time exceeded with an MPLS extension (v4, v6)" {
	derror 203.0.113.53 11,0 ttl-exceeded --mpls 42
	derror 2001:db8:fd::53 3,0 ttl-exceeded --mpls 42
}

# RFC 792 errors quote the IP header and only the first 8 bytes of the
# datagram: here the echo header (type, code, checksum, id, seq) and no
# payload.  That is all the kernel needs: ping_err() looks the socket up by
# the quoted echo id, and the error queue entry carries the quoted seq in
# the offending header.  So the kernel delivers it on the ping socket, and
# mping must report it like any other error, matched to its probe by seq.
# (mping cannot check its payload cookie in such a quote; it still reports.)
@test "dgram: error quoting only 8 bytes (RFC 792) is reported (v4, v6)" {
	derror 203.0.113.54 3,1 host-unreachable --quote 8
	derror 2001:db8:fd::54 1,3 address-unreachable --quote 8
}

@test "dgram: errors for one target are not given to another" {
	responder_start x --addr 203.0.113.55 --error 3,1
	responder_start y --addr 203.0.113.56
	run --separate-stderr nobody -c 2 $FAST --json 203.0.113.55 203.0.113.56
	echo "$output"; echo "$stderr"
	[ "$(jcount '.type == "error" and .addr == "203.0.113.55"')" -eq 2 ]
	[ "$(jcount '.type == "error" and .addr == "203.0.113.56"')" -eq 0 ]
	jall 'select(.type == "summary" and .addr == "203.0.113.56") |
	    .received == 2 and .errors == 0'
}

# Root, raw sockets.

# to_full CMD...: CMD with its standard output on /dev/full.
to_full()
{
	"$@" >/dev/full
}

@test "raw: write error on stdout (>/dev/full): exit 4, one line" {
	responder_start w --addr 203.0.113.57
	run --separate-stderr to_full mp -c 2 $FAST 203.0.113.57
	echo "status=$status stderr=$stderr"
	[ "$status" -eq 4 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ ${stderr_lines[0]} == *"write error"* ]]
	run --separate-stderr to_full mp -c 2 $FAST --json 203.0.113.57
	echo "status=$status stderr=$stderr"
	[ "$status" -eq 4 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ ${stderr_lines[0]} == *"write error"* ]]
}

@test "dgram: write error on stdout (>/dev/full) as nobody: exit 4, one line" {
	responder_start w --addr 203.0.113.58
	run --separate-stderr to_full nobody -c 2 $FAST 203.0.113.58
	echo "status=$status stderr=$stderr"
	[ "$status" -eq 4 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ ${stderr_lines[0]} == *"write error"* ]]
}

# A ping socket with IP_RECVERR also keeps each ICMP error as the socket's
# pending error, which the next send returns instead of sending.  Without
# care, an error about one target fails the next probe to another.
@test "dgram: ICMP errors about some targets never fail probes to others" {
	local t
	t=$(for i in $(seq 1 20); do echo 2001:db8:e:1::$i 2001:db8:f1::$i; done)
	run --separate-stderr nobody -q -c 5 -p 100 -i 0.2 --json $t
	echo "$output"; echo "$stderr"
	[ "$status" -eq 1 ]
	# r2's unreachable route: every probe an error, from r2.
	[ "$(jcount '.type == "summary" and (.addr | startswith("2001:db8:e:1::")) and .sent == 5 and .errors == 5 and .received == 0')" -eq 20 ]
	# The reachable ones behind r3: every probe answered, no error.
	[ "$(jcount '.type == "summary" and (.addr | startswith("2001:db8:f1::")) and .sent == 5 and .received == 5 and .errors == 0')" -eq 20 ]
}
