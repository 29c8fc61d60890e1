#!/usr/bin/env bats
# udp.bats: the UDP probe method (--udp, --port, issue 13) in a lab of its
# own, behind a firewall that drops ICMP echo (IPv4 and IPv6):
#
#   c ---- r1 ---- r2 (nftables) ---- d
#
# link    IPv4                             IPv6
# c-r1    192.0.2.1 r1, 192.0.2.2 c        2001:db8:1::1 r1, ::2 c
# r1-r2   198.51.100.1 r1, .2 r2           2001:db8:12::1 r1, ::2 r2
# r2-d    203.0.113.1 r2, .2 d             2001:db8:23::1 r2, ::2 d
#
# d: a UDP echo service on port 5353 (python3), on 5354 a service that
# answers "pong" to anything (no tag back), nothing on 33434.  r2
# forwards no ICMP echo request (v4, v6) and passes UDP.  r2 also rejects
# (nft) what it forwards to 203.0.113.128/25 with host unreachable and to
# 2001:db8:e:1::/64 with address unreachable, from 198.51.100.2 and
# 2001:db8:12::2.  (Not "unreachable" routes: IPv4's are rate limited by
# the global net.ipv4.route.error_cost, 5 errors then 1 a second, and
# IPv6's send no-route.)  The client has no ping_group_range, so
# nobody cannot open an ICMP datagram socket.

bats_require_minimum_version 1.5.0

. "${BATS_TEST_DIRNAME}/netns.bash"

MPING="${MPING:-$BATS_TEST_DIRNAME/../mping}"

R1_4=192.0.2.1 R1_6=2001:db8:1::1
R2_4=198.51.100.2 R2_6=2001:db8:12::2
D_4=203.0.113.2 D_6=2001:db8:23::2
UNR_4=203.0.113.130 UNR_6=2001:db8:e:1::1

mud_exec()
{
	local node=$1
	shift
	ip netns exec "$MUD-$node" "$@"
}

# ump ARGS...: mping in the client.
ump()
{
	mud_exec c "$MPING" "$@" </dev/null
}

_mud_link()
{
	ip -n "$MUD-$1" link add "$2" type veth peer name "$4" \
	    netns "$MUD-$3" &&
	ip -n "$MUD-$1" link set "$2" up &&
	ip -n "$MUD-$3" link set "$4" up
}

_mud_addr()
{
	local node=$1 dev=$2
	shift 2
	for a in "$@"; do
		case $a in
		*:*)	ip -n "$MUD-$node" addr add "$a" dev "$dev" nodad ;;
		*)	ip -n "$MUD-$node" addr add "$a" dev "$dev" ;;
		esac || return 1
	done
}

_mud_build()
{
	local n

	for n in c r1 r2 d; do
		netns_add "$MUD_DIR" "$MUD-$n" && netns_defaults "$MUD-$n" ||
		    return 1
		printf 'nameserver 127.0.0.1\n' \
		    >"$(netns_etc "$MUD_DIR" "$MUD-$n")/resolv.conf"
	done
	netns_sysctl "$MUD-c" net.ipv4.ping_group_range="1 0"
	for n in r1 r2; do
		netns_sysctl "$MUD-$n" net.ipv4.ip_forward=1 \
		    net.ipv6.conf.all.forwarding=1
	done
	_mud_link c eth0 r1 eth0 && _mud_link r1 eth1 r2 eth0 &&
	_mud_link r2 eth1 d eth0 || return 1
	_mud_addr c eth0 192.0.2.2/28 2001:db8:1::2/64 &&
	_mud_addr r1 eth0 192.0.2.1/28 2001:db8:1::1/64 &&
	_mud_addr r1 eth1 198.51.100.1/28 2001:db8:12::1/64 &&
	_mud_addr r2 eth0 198.51.100.2/28 2001:db8:12::2/64 &&
	_mud_addr r2 eth1 203.0.113.1/25 2001:db8:23::1/64 &&
	_mud_addr d eth0 203.0.113.2/25 2001:db8:23::2/64 || return 1
	ip -n "$MUD-c" route add default via 192.0.2.1 &&
	ip -n "$MUD-c" -6 route add default via 2001:db8:1::1 &&
	ip -n "$MUD-r1" route add default via 198.51.100.2 &&
	ip -n "$MUD-r1" -6 route add default via 2001:db8:12::2 &&
	ip -n "$MUD-r2" route add default via 198.51.100.1 &&
	ip -n "$MUD-r2" -6 route add default via 2001:db8:12::1 &&
	ip -n "$MUD-r2" route add 203.0.113.128/25 via 203.0.113.2 &&
	ip -n "$MUD-r2" -6 route add 2001:db8:e:1::/64 via 2001:db8:23::2 &&
	ip -n "$MUD-d" route add default via 203.0.113.1 &&
	ip -n "$MUD-d" -6 route add default via 2001:db8:23::1 || return 1
	mud_exec r2 nft -f - <<-'NFT' || return 1
	table inet mud {
		chain filt {
			type filter hook forward priority 0; policy accept;
			ip daddr 203.0.113.128/25 reject with icmp type host-unreachable
			ip6 daddr 2001:db8:e:1::/64 reject with icmpv6 type addr-unreachable
			icmp type echo-request drop
			icmpv6 type echo-request drop
		}
	}
	NFT
	# The UDP echo service on d, port 5353, both families.
	mud_exec d python3 -c '
import select, socket
s4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s4.bind(("0.0.0.0", 5353))
s6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
s6.bind(("::", 5353))
p4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
p4.bind(("0.0.0.0", 5354))
p6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
p6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
p6.bind(("::", 5354))
print("ready", flush=True)
while True:
    for s in select.select([s4, s6, p4, p6], [], [])[0]:
        data, peer = s.recvfrom(65535)
        s.sendto(data if s in (s4, s6) else b"pong", peer)
' >"$MUD_DIR/echo.log" 2>&1 3>&- &
	for n in $(seq 50); do
		grep -q ready "$MUD_DIR/echo.log" && return 0
		sleep 0.1
	done
	return 1
}

setup_file()
{
	netns_file_lab mud MUD _mud_build
}

teardown_file()
{
	netns_file_lab_down MUD
}

setup()
{
	netns_file_lab_ready MUD
}

@test "firewall drops echo: ICMP ping gets nothing, exit 1 (v4, v6)" {
	run ump -c 3 -p 100 -t 300 --json $D_4 $D_6
	echo "$status $output"
	[ "$status" -eq 1 ]
	[ "$(jcount '.type == "reply"')" -eq 0 ]
	[ "$(jcount '.type == "summary" and .sent == 3 and .received == 0')" -eq 2 ]
}

@test "--udp: 3/3 closed from d, port 33434, method in start (v4, v6)" {
	run ump --udp -c 3 -p 100 -t 300 --json $D_4 $D_6
	echo "$status $output"
	[ "$status" -eq 0 ]
	[ "$(jcount '.type == "start" and .method == "udp" and .port == 33434')" -eq 1 ]
	netns_replies_are $D_4 33434 closed 3
	netns_replies_are $D_6 33434 closed 3
	[ "$(jcount '.type == "error"')" -eq 0 ]
}

@test "--udp text: closed reply lines (v4, v6)" {
	run ump -U -c 1 -t 300 $D_4 $D_6
	echo "$status $output"
	[ "$status" -eq 0 ]
	grep -Ex "$D_4: seq=0 bytes=56 rtt=[0-9.]+ ms port=33434 closed" <<<"$output"
	grep -Ex "$D_6: seq=0 bytes=56 rtt=[0-9.]+ ms port=33434 closed" <<<"$output"
	[ "$(grep -c 'seq=' <<<"$output")" -eq 2 ]
}

@test "--udp --port 5353: the echo service answers, 3/3 open (v4, v6)" {
	run ump --method udp --port 5353 -c 3 -p 100 -t 300 --json $D_4 $D_6
	echo "$status $output"
	[ "$status" -eq 0 ]
	[ "$(jcount '.type == "start" and .method == "udp" and .port == 5353')" -eq 1 ]
	netns_replies_are $D_4 5353 open 3
	netns_replies_are $D_6 5353 open 3
	run ump --udp --port 5353 -c 1 -t 300 $D_4
	echo "$output"
	grep -Ex "$D_4: seq=0 bytes=56 ttl=62 rtt=[0-9.]+ ms port=5353 open" <<<"$output"
}

@test "--udp --port 5354: an answer without our tag is the latest probe's, open (v4, v6)" {
	run ump --udp --port 5354 -c 3 -p 100 -t 300 --json $D_4 $D_6
	echo "$status $output"
	[ "$status" -eq 0 ]
	netns_replies_are $D_4 5354 open 3
	netns_replies_are $D_6 5354 open 3
	[ "$(jcount '.type == "reply" and .size == 4')" -eq 6 ]
	[ "$(jcount '.type == "reply" and .dup == false and .foreign == false')" -eq 6 ]
}

@test "ICMP --trace stops after the firewall: r1, r2, then silence, exit 1 (v4, v6)" {
	run ump --trace -t 200 --max-timeouts 2 --json $D_4 $D_6
	echo "$status $output"
	[ "$status" -eq 1 ]
	netns_hops_are $D_4 $R1_4 $R2_4
	netns_hops_are $D_6 $R1_6 $R2_6
	[ "$(jcount '.type == "hop" and .lost == 3')" -eq 4 ]
	[ "$(jcount '.type == "trace" and .reached == false and .stop == "max-timeouts" and .hops == 4')" -eq 2 ]
}

@test "--trace --udp reaches d in 3 hops: r1, r2, d, exit 0 (v4, v6)" {
	run ump --trace --udp -t 500 --json $D_4 $D_6
	echo "$status $output"
	[ "$status" -eq 0 ]
	[ "$(jcount '.type == "start" and .method == "udp" and .port == 33434')" -eq 1 ]
	netns_hops_are $D_4 $R1_4 $R2_4 $D_4
	netns_hops_are $D_6 $R1_6 $R2_6 $D_6
	[ "$(jcount '.type == "hop"')" -eq 6 ]
	[ "$(jcount '.type == "trace" and .reached == true and .stop == "reached" and .hops == 3')" -eq 2 ]
}

@test "nobody without ping_group_range: ICMP exits 4, --udp works (v4, v6)" {
	for d in $D_4 $D_6; do
		run --separate-stderr netns_nobody "$MUD-c" "$MUD_DIR/bin/mping" -c 1 -t 300 $d
		echo "$status $output $stderr"
		[ "$status" -eq 4 ]
		[[ ${stderr_lines[0]} == mping:* ]]
		nogrep -q 'seq=' <<<"$output"
	done
	run --separate-stderr netns_nobody "$MUD-c" "$MUD_DIR/bin/mping" --udp -c 3 -p 100 -t 300 --json $D_4 $D_6
	echo "$status $output $stderr"
	[ "$status" -eq 0 ]
	netns_replies_are $D_4 33434 closed 3
	netns_replies_are $D_6 33434 closed 3
	run netns_nobody "$MUD-c" "$MUD_DIR/bin/mping" --trace --udp -t 500 --json $D_4 $D_6
	echo "$status $output"
	[ "$status" -eq 0 ]
	netns_hops_are $D_4 $R1_4 $R2_4 $D_4
	netns_hops_are $D_6 $R1_6 $R2_6 $D_6
}

# capture NAME ARGS...: mping ARGS in the client while tcpdump listens on
# r1's client side for UDP from c; the summary "SPORT DPORT" lines of what
# it saw go to $MUD_DIR/NAME.ports, the packet count to stdout.
capture()
{
	local name=$1
	shift
	netns_capture_start "$MUD-r1" eth0 "$MUD_DIR/$name.pcap" \
	    "udp and (src host 192.0.2.2 or src host 2001:db8:1::2)" ||
	    return 1
	ump "$@" >"$MUD_DIR/$name.out"
	netns_capture_stop
	tcpdump -nn -r "$MUD_DIR/$name.pcap" 2>/dev/null |
	    sed -E 's/.* ([0-9a-f:.]+)\.([0-9]+) > ([0-9a-f:.]+)\.([0-9]+): .*/\2 \4/' \
	    >"$MUD_DIR/$name.ports"
	cat "$MUD_DIR/$name.ports" >&2
	wc -l <"$MUD_DIR/$name.ports"
}

# paris_check D FLOW: one 5-tuple on the wire for a trace to D (3 hops x 3
# queries), source port FLOW if not empty.
paris_check()
{
	local d=$1 flow=$2 n
	n=$(capture paris --trace --udp -c 1 -t 500 ${flow:+--flow $flow} $d)
	echo "$d --flow ${flow:-none}: $n probes"
	[ "$n" -eq 9 ]
	[ "$(sort -u "$MUD_DIR/paris.ports" | wc -l)" -eq 1 ]
	[ "$(cut -d' ' -f2 "$MUD_DIR/paris.ports" | sort -u)" = 33434 ]
	[ -z "$flow" ] || [ "$(sort -u "$MUD_DIR/paris.ports")" = "$flow 33434" ]
	grep -Fx "$d: reached in 3 hops port=33434 closed" "$MUD_DIR/paris.out"
}

@test "Paris: one 5-tuple per trace on the wire (v4, v6)" {
	paris_check $D_4 ""
	paris_check $D_6 ""
}

@test "Paris: --flow 40000 makes the source port 40000 (v4)" {
	paris_check $D_4 40000
}

# Both sockets bind port N: the IPv6 one takes IPv6 only (IPV6_V6ONLY),
# or its bind fails with EADDRINUSE (the first build of the method did).
@test "Paris: --flow 40000 makes the source port 40000 (v6, and v4 beside it)" {
	paris_check $D_6 40000
	run ump --trace --udp --flow 40000 --json $D_4 $D_6
	echo "$status $output"
	[ "$status" -eq 0 ]
	[ "$(jcount '.type == "trace" and .reached')" -eq 2 ]
}

@test "an ICMP error on the way: host/address unreachable from r2, trace stops with !H (v4, v6)" {
	run ump --udp -c 3 -p 100 -t 300 --json $UNR_4 $UNR_6
	echo "$status $output"
	[ "$status" -eq 1 ]
	[ "$(jcount '.type == "reply"')" -eq 0 ]
	[ "$(jcount ".type == \"error\" and .target == \"$UNR_4\" and .from == \"$R2_4\" and .error == \"host-unreachable\"")" -eq 3 ]
	[ "$(jcount ".type == \"error\" and .target == \"$UNR_6\" and .from == \"$R2_6\" and .error == \"address-unreachable\"")" -eq 3 ]
	[ "$(jcount '.type == "error"')" -eq 6 ]
	run ump --trace --udp -t 500 $UNR_4 $UNR_6
	echo "$status $output"
	[ "$status" -eq 1 ]
	# hop 2 is r2's time exceeded, hop 3 r2's reject of the forwarded probe
	for d in $UNR_4/$R1_4/$R2_4 $UNR_6/$R1_6/$R2_6; do
		IFS=/ read -r t a b <<<"$d"
		grep -Ex "$t:  1  $a  [0-9.]+ ms  [0-9.]+ ms  [0-9.]+ ms" <<<"$output"
		grep -Ex "$t:  2  $b  [0-9.]+ ms  [0-9.]+ ms  [0-9.]+ ms" <<<"$output"
		grep -Ex "$t:  3  $b  [0-9.]+ ms !H  [0-9.]+ ms !H  [0-9.]+ ms !H" <<<"$output"
	done
	grep -Fx "$UNR_4: stopped at hop 3: host-unreachable" <<<"$output"
	grep -Fx "$UNR_6: stopped at hop 3: address-unreachable" <<<"$output"
	[ "${#lines[@]}" -eq 8 ]
}
