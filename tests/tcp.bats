#!/usr/bin/env bats
# tcp.bats: TCP and UDP probes (--tcp, --udp, --port; issue 13) through a
# firewall that drops ICMP echo, IPv4 and IPv6, in the lab of
# tests/tcp_lab.bash (prefix mtp): c -- r1 -- r2 (drops echo) -- d (TCP 443
# open, 444 closed, UDP 53 echo), and e behind r2 where tests/responder
# crafts the answers: routers quoting 28 bytes, forged SYN-ACKs and RSTs,
# forged port unreachables.

bats_require_minimum_version 1.5.0

. "${BATS_TEST_DIRNAME}/tcp_lab.bash"

# Targets answered by the responder in e, one pair per test.
E_4=203.0.113.130 E_6=2001:db8:e::30

tmp() { mtp_exec c "$MPING" "$@" </dev/null; }

setup_file()	{ tcp_lab_up; }
teardown_file()	{ tcp_lab_down; }

setup()
{
	netns_is_root || skip "needs root"
	[ -n "${MTP:-}" ] || skip "lab not built"
}

teardown()
{
	netns_is_root || return 0
	responder_stop_all
}

@test "tcp lab: the firewall drops echo: ICMP ping gets nothing, exit 1 (v4, v6)" {
	run tmp -c 3 -p 100 -t 300 --json $D_4 $D_6
	echo "$status $output"
	[ "$status" -eq 1 ]
	[ "$(jcount '.type == "reply"')" -eq 0 ]
	[ "$(jcount '.type == "summary" and .sent == 3 and .received == 0')" -eq 2 ]
}

@test "--tcp --port 443 through the firewall: 3/3 open from d (v4, v6)" {
	run tmp --tcp --port 443 -c 3 -p 100 -t 300 --json $D_4 $D_6
	echo "$status $output"
	[ "$status" -eq 0 ]
	tcp_replies_are $D_4 443 open 3
	tcp_replies_are $D_6 443 open 3
	[ "$(jcount '.type == "error" or .type == "timeout"')" -eq 0 ]
	run tmp -T --port 443 -c 1 -t 300 $D_4 $D_6
	echo "$output"
	grep -Ex "$D_4: seq=0 bytes=[0-9]+ ttl=62 rtt=[0-9.]+ ms port=443 open" <<<"$output"
	grep -Ex "$D_6: seq=0 bytes=[0-9]+ ttl=62 rtt=[0-9.]+ ms port=443 open" <<<"$output"
}

@test "--tcp --port 444, no listener: 3/3 closed, the host is up, exit 0 (v4, v6)" {
	run tmp --method tcp --port 444 -c 3 -p 100 -t 300 --json $D_4 $D_6
	echo "$status $output"
	[ "$status" -eq 0 ]
	tcp_replies_are $D_4 444 closed 3
	tcp_replies_are $D_6 444 closed 3
	[ "$(jcount '.type == "error" or .type == "timeout"')" -eq 0 ]
}

@test "--udp --port 53 through the firewall: 3/3 open from d (v4, v6)" {
	run tmp --udp --port 53 -c 3 -p 100 -t 300 --json $D_4 $D_6
	echo "$status $output"
	[ "$status" -eq 0 ]
	tcp_replies_are $D_4 53 open 3
	tcp_replies_are $D_6 53 open 3
}

@test "tcp lab: ICMP --trace stops at the firewall: r1, r2, silence, exit 1 (v4, v6)" {
	run tmp --trace -t 200 --max-timeouts 2 --json $D_4 $D_6
	echo "$status $output"
	[ "$status" -eq 1 ]
	[ "$(tcp_hops $D_4)" = "1:$R1_4 2:$R2_4 3:* 4:* " ]
	[ "$(tcp_hops $D_6)" = "1:$R1_6 2:$R2_6 3:* 4:* " ]
	[ "$(jcount '.type == "trace" and .reached == false and .stop == "max-timeouts"')" -eq 2 ]
}

# trace_reaches_d RUN ARGS...: RUN (tmp, tmp_nobody) --trace ARGS reaches d
# in 3 hops, r1, r2, d, one address each, exit 0 (v4, v6).
trace_reaches_d()
{
	local run=$1
	shift
	run --separate-stderr $run "$@" --trace -t 300 --json $D_4 $D_6
	echo "$status $output $stderr"
	[ "$status" -eq 0 ]
	[ "$(tcp_hops $D_4)" = "1:$R1_4 2:$R2_4 3:$D_4 " ]
	[ "$(tcp_hops $D_6)" = "1:$R1_6 2:$R2_6 3:$D_6 " ]
	[ "$(jcount '.type == "hop" and .lost == 0')" -eq 6 ]
	[ "$(jcount '.type == "trace" and .reached == true and .stop == "reached" and .hops == 3')" -eq 2 ]
}

@test "--tcp --port 443 --trace reaches d: r1, r2, d, exit 0 (v4, v6)" {
	trace_reaches_d tmp --tcp --port 443
	run tmp -T --port 443 --trace -t 300 $D_4
	grep -Fx "$D_4: reached in 3 hops port=443 open" <<<"$output"
}

@test "--udp --port 53 --trace reaches d: r1, r2, d, exit 0 (v4, v6)" {
	trace_reaches_d tmp --udp --port 53
}

# short_quote_router PROTO-OPTIONS...: responders in e that play a router
# one hop in front of E_4 / E_6, answering probes that arrive with TTL 1
# with a time exceeded from FAKE_4 / FAKE_6 that quotes only 8 bytes after
# the IP header (RFC 792's 28 bytes), and the others as the target.
short_quote_router()
{
	responder_start q4 --addr $E_4 --error 11,0 --error-ttl 1 --quote 8 \
	    --from $FAKE_4 "$@" &&
	responder_start q6 --addr $E_6 --error 3,0 --error-ttl 1 --quote 8 \
	    --from $FAKE_6 "$@"
}

@test "--tcp --trace: a router quoting 28 bytes is matched by ports and seq (v4, v6)" {
	short_quote_router --tcp --syn-ack
	run tmp --tcp --port 443 --trace -t 300 --json $E_4 $E_6
	echo "$status $output"
	[ "$status" -eq 0 ]
	[ "$(tcp_hops $E_4)" = "1:$R1_4 2:$R2_4 3:$FAKE_4 4:$E_4 " ]
	[ "$(tcp_hops $E_6)" = "1:$R1_6 2:$R2_6 3:$FAKE_6 4:$E_6 " ]
	[ "$(jcount '.type == "hop" and .lost == 0')" -eq 8 ]
	[ "$(jcount ".type == \"probe\" and .ttl == 3 and .error == \"ttl-exceeded\"")" -eq 6 ]
	[ "$(tcp_log_count q4 'proto=tcp .* ttl=1 .*action=error$')" -eq 3 ]
	[ "$(tcp_log_count q6 'proto=tcp .* ttl=1 .*action=error$')" -eq 3 ]
}

# Needs the UDP method's short-quote matching (the UDP checksum encodes
# the probe), which the lead is adding to src/method_udp.c.
@test "--udp --trace: a router quoting 28 bytes is matched by ports and checksum (v4, v6)" {
	short_quote_router --udp --port-unreach
	run tmp --udp --trace -t 300 --json $E_4 $E_6
	echo "$status $output"
	[ "$(tcp_log_count q4 'proto=udp .* ttl=1 .*action=error$')" -eq 3 ]
	[ "$(tcp_log_count q6 'proto=udp .* ttl=1 .*action=error$')" -eq 3 ]
	[ "$status" -eq 0 ]
	[ "$(tcp_hops $E_4)" = "1:$R1_4 2:$R2_4 3:$FAKE_4 4:$E_4 " ]
	[ "$(tcp_hops $E_6)" = "1:$R1_6 2:$R2_6 3:$FAKE_6 4:$E_6 " ]
	[ "$(jcount '.type == "hop" and .lost == 0')" -eq 8 ]
}

# forged_vs_right NAME STATE OPTIONS...: responder NAME answers every TCP
# probe as OPTIONS say: with --wrong-ack nothing is credited (3 timeouts per
# target, exit 1), without it 3/3 STATE.
forged_vs_right()
{
	local name=$1 state=$2
	shift 2
	responder_start "$name-forged" --tcp --wrong-ack "$@"
	run tmp --tcp --port 443 -c 3 -p 100 -t 300 --json $E_4 $E_6
	echo "forged: $status $output"
	[ "$status" -eq 1 ]
	[ "$(jcount '.type == "reply"')" -eq 0 ]
	[ "$(jcount '.type == "summary" and .sent == 3 and .received == 0')" -eq 2 ]
	# The forged answers did go out: one per probe.
	[ "$(tcp_log_count "$name-forged" "proto=tcp .*dport=443 .*action=$name\$")" -eq 6 ]
	responder_stop_all
	responder_start "$name" --tcp "$@"
	run tmp --tcp --port 443 -c 3 -p 100 -t 300 --json $E_4 $E_6
	echo "right: $status $output"
	[ "$status" -eq 0 ]
	tcp_replies_are $E_4 443 "$state" 3
	tcp_replies_are $E_6 443 "$state" 3
}

@test "--tcp: a forged SYN-ACK (ack = seq + 1001) is never credited; ack = seq + 1 is, open (v4, v6)" {
	forged_vs_right syn-ack open --syn-ack
}

@test "--tcp: a forged RST (ack = seq + 1001) is never credited; ack = seq + 1 is, closed (v4, v6)" {
	forged_vs_right rst closed --rst
}

@test "--udp: a forged port unreachable (foreign quote) is never credited; the probe's is, closed (v4, v6)" {
	responder_start pu-forged --udp --port-unreach --quote-foreign
	run tmp --udp -c 3 -p 100 -t 300 --json $E_4 $E_6
	echo "forged: $status $output"
	[ "$status" -eq 1 ]
	[ "$(jcount '.type == "reply" or .type == "error"')" -eq 0 ]
	[ "$(jcount '.type == "summary" and .sent == 3 and .received == 0')" -eq 2 ]
	[ "$(tcp_log_count pu-forged 'proto=udp .*dport=33434 .*action=port-unreach$')" -eq 6 ]
	responder_stop_all
	responder_start pu --udp --port-unreach
	run tmp --udp -c 3 -p 100 -t 300 --json $E_4 $E_6
	echo "right: $status $output"
	[ "$status" -eq 0 ]
	tcp_replies_are $E_4 33434 closed 3
	tcp_replies_are $E_6 33434 closed 3
}

# paris_tcp D FLOW: one 5-tuple on the wire for a --tcp trace to D (3 hops x
# 3 queries, 9 SYNs, 9 sequence numbers), source port FLOW if not empty.
paris_tcp()
{
	local d=$1 flow=$2
	tcp_capture paris --tcp --port 443 --trace -t 300 ${flow:+--flow $flow} $d
	cat "$MTP_DIR/paris.syns" "$MTP_DIR/paris.out"
	[ "$(wc -l <"$MTP_DIR/paris.syns")" -eq 9 ]
	[ "$(cut -d' ' -f1,2 "$MTP_DIR/paris.syns" | sort -u | wc -l)" -eq 1 ]
	[ "$(cut -d' ' -f2 "$MTP_DIR/paris.syns" | sort -u)" = 443 ]
	[ "$(cut -d' ' -f3 "$MTP_DIR/paris.syns" | sort -u | wc -l)" -eq 9 ]
	[ -z "$flow" ] || [ "$(cut -d' ' -f1 "$MTP_DIR/paris.syns" | sort -u)" = "$flow" ]
	grep -Fx "$d: reached in 3 hops port=443 open" "$MTP_DIR/paris.out"
	grep -Ex "$d:  2  ($R2_4|$R2_6)(  [0-9.]+ ms){3}" "$MTP_DIR/paris.out"
}

@test "Paris --tcp: one 5-tuple per trace on the wire, one address per hop (v4, v6)" {
	paris_tcp $D_4 ""
	paris_tcp $D_6 ""
}

@test "Paris --tcp --flow 40000: the source port is 40000 (v4, v6)" {
	paris_tcp $D_4 40000
	paris_tcp $D_6 40000
}

# balanced_traces METHOD-OPTIONS...: traces to D2 (v4, v6) with --flow
# 40001..40016, through r1's per-flow load balancer: each one keeps to one
# path (one address at every hop, reached in 3), and the flows together
# take both paths (r2 and r2b at hop 2), so the balancer does split flows.
# mping runs as root, or as BALANCED_RUN says (tmp_nobody).
balanced_traces()
{
	local f got seen=""

	for f in $(seq 40001 40016); do
		run ${BALANCED_RUN:-tmp} "$@" --trace --flow $f -t 100 --json $D2_4 $D2_6
		# "TRACES HOPS TARGET=HOP2 TARGET=HOP2": traces reached in 3,
		# hops with one address, the address at hop 2 of each trace.
		got=$(json_sel -rs '[([.[] | select(.type == "trace" and .reached and .hops == 3)] | length | tostring),
		    ([.[] | select(.type == "hop" and .lost == 0 and (.addrs | length) == 1)] | length | tostring),
		    (.[] | select(.type == "hop" and .ttl == 2) | .target + "=" + .addrs[0])] | join(" ")')
		echo "--flow $f: $status $got"
		[ "$status" -eq 0 ]
		[[ $got == "2 6 "* ]]
		seen="$seen ${got#2 6 }"
	done
	for f in $D2_4=$R2_4 $D2_4=$R2B_4 $D2_6=$R2_6 $D2_6=$R2B_6; do
		[[ " $seen " == *" $f "* ]] || { echo "never $f"; return 1; }
	done
}

@test "Paris --tcp through a per-flow load balancer: one path per trace, both paths over 16 flows (v4, v6)" {
	balanced_traces --tcp --port 443
}

@test "Paris --udp through a per-flow load balancer: one path per trace, both paths over 16 flows (v4, v6)" {
	balanced_traces --udp
}

# tmp_nobody ARGS...: mping ARGS in c as nobody.
tmp_nobody()
{
	netns_nobody "$MTP-c" "$MTP_DIR/bin/mping" "$@"
}

# nobody_ping PORT STATE ARGS...: as nobody, -c 3 ARGS --port PORT to d
# gets 3/3 STATE (v4, v6).
nobody_ping()
{
	local port=$1 state=$2
	shift 2
	run --separate-stderr tmp_nobody "$@" --port $port -c 3 -p 100 -t 300 --json $D_4 $D_6
	echo "$status $output $stderr"
	[ "$status" -eq 0 ]
	tcp_replies_are $D_4 $port $state 3
	tcp_replies_are $D_6 $port $state 3
}

# As nobody (no cap_net_raw, no ping_group_range) --tcp falls back to one
# non-blocking connect() per probe (src/method_tcpconn.c).
@test "nobody: --tcp uses connect(): 443 open, 444 closed, trace reaches d (v4, v6)" {
	nobody_ping 443 open --tcp
	nobody_ping 444 closed --tcp
	trace_reaches_d tmp_nobody --tcp --port 443
}

@test "nobody: ICMP cannot start (exit 4), --udp --port 53 open and its trace reach d (v4, v6)" {
	run --separate-stderr tmp_nobody -c 1 -t 300 $D_4
	echo "$status $output $stderr"
	[ "$status" -eq 4 ]
	nobody_ping 53 open --udp
	trace_reaches_d tmp_nobody --udp --port 53
}

@test "nobody: Paris --tcp --flow (connect()) and --udp --flow through the load balancer: one path per trace (v4, v6)" {
	BALANCED_RUN=tmp_nobody balanced_traces --tcp --port 443
	BALANCED_RUN=tmp_nobody balanced_traces --udp
}
