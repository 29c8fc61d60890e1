# tcp_lab.bash: the lab of tests/tcp.bats (issue 13: TCP and UDP probes
# through a firewall that drops ICMP echo), prefix mtp:
#
#   c ---- r1 ---- r2 (nftables) ---- d   TCP 443 and UDP 53 listeners
#           \       \                  /
#            \       +---- e          /   e: the responder, answering
#             +---- r2b --------------+      203.0.113.128/25, 2001:db8:e::/64
#
# link    IPv4                               IPv6
# c-r1    192.0.2.1 r1, 192.0.2.2 c          2001:db8:1::1 r1, ::2 c
# r1-r2   198.51.100.1 r1, .2 r2             2001:db8:12::1 r1, ::2 r2
# r2-d    203.0.113.1 r2, .2 d               2001:db8:23::1 r2, ::2 d
# r2-e    203.0.113.17 r2, .18 e             2001:db8:24::1 r2, ::2 e
# r1-r2b  198.51.100.17 r1, .18 r2b          2001:db8:13::1 r1, ::2 r2b
# r2b-d   203.0.113.33 r2b, .34 d            2001:db8:25::1 r2b, ::2 d
#
# r1 is a per-flow load balancer for d's second address (D2: 203.0.113.99,
# 2001:db8:99::1 on d's loopback): two equal routes, via r2 and via r2b,
# chosen by a hash of the 5-tuple in the headers (fib_multipath_hash_policy
# 3, fields 0x37: addresses, protocol, ports).  Not policy 1: it reuses the
# hash that the sending socket left on the packet (skb->l4_hash, random
# per socket, and a veth keeps it), so one connect() socket per probe
# would split a trace even with one 5-tuple, which no real router does.
# The rest of d's traffic goes through r2 only.
#
# r2 forwards no ICMP echo request (v4, v6) and passes TCP and UDP.  d
# accepts TCP on 443 (and closes at once) and echoes UDP on 53, in both
# families; nothing listens on 444.  e answers for the blocks routed to it
# (local routes) with tests/responder --udp/--tcp; its kernel's own RSTs
# and port unreachables are dropped (tcp_lab_quiet), so the crafted
# answers are the only ones.  The client has no ping_group_range.
# Usage (bats):
#	setup_file()	{ tcp_lab_up; }
#	teardown_file()	{ tcp_lab_down; }
#	teardown()	{ responder_stop_all; }
# The responders are lab.bash's (responder_start NAME ARGS..., in e; log
# $MTP_DIR/NAME.log): LAB and LAB_DIR name this lab.

. "${BATS_TEST_DIRNAME}/netns.bash"
. "${BATS_TEST_DIRNAME}/lab.bash"


R1_4=192.0.2.1 R1_6=2001:db8:1::1
R2_4=198.51.100.2 R2_6=2001:db8:12::2
D_4=203.0.113.2 D_6=2001:db8:23::2
C_4=192.0.2.2 C_6=2001:db8:1::2
R2B_4=198.51.100.18 R2B_6=2001:db8:13::2
D2_4=203.0.113.99 D2_6=2001:db8:99::1
# The router the responder plays (--from).
FAKE_4=198.51.100.77 FAKE_6=2001:db8:77::1

mtp_exec()
{
	local node=$1
	shift
	ip netns exec "$MTP-$node" "$@"
}

_mtp_link()
{
	netns_veth "$MTP-$1" "$2" "$MTP-$3" "$4"
}

_mtp_addr()
{
	local node=$1
	shift
	netns_addrs "$MTP-$node" "$@"
}

# _mtp_route NODE V4GW V6GW: default routes of NODE.
_mtp_route()
{
	ip -n "$MTP-$1" route add default via "$2" &&
	ip -n "$MTP-$1" -6 route add default via "$3"
}

_mtp_nodes()
{
	local n

	for n in c r1 r2 r2b d e; do
		netns_add "$MTP_DIR" "$MTP-$n" && netns_defaults "$MTP-$n" ||
		    return 1
		printf 'nameserver 127.0.0.1\n' \
		    >"$(netns_etc "$MTP_DIR" "$MTP-$n")/resolv.conf"
	done
	netns_sysctl "$MTP-c" net.ipv4.ping_group_range="1 0" &&
	netns_sysctl "$MTP-r1" net.ipv4.ip_forward=1 \
	    net.ipv6.conf.all.forwarding=1 &&
	netns_sysctl "$MTP-r2" net.ipv4.ip_forward=1 \
	    net.ipv6.conf.all.forwarding=1 &&
	netns_sysctl "$MTP-r2b" net.ipv4.ip_forward=1 \
	    net.ipv6.conf.all.forwarding=1 &&
	netns_sysctl "$MTP-r1" net.ipv4.fib_multipath_hash_policy=3 \
	    net.ipv4.fib_multipath_hash_fields=0x37 \
	    net.ipv6.fib_multipath_hash_policy=3 \
	    net.ipv6.fib_multipath_hash_fields=0x37 &&
	netns_sysctl "$MTP-e" net.ipv4.ip_nonlocal_bind=1 \
	    net.ipv6.ip_nonlocal_bind=1
}

_mtp_net()
{
	_mtp_link c eth0 r1 eth0 && _mtp_link r1 eth1 r2 eth0 &&
	_mtp_link r2 eth1 d eth0 && _mtp_link r2 eth2 e eth0 || return 1
	_mtp_addr c eth0 192.0.2.2/28 2001:db8:1::2/64 &&
	_mtp_addr r1 eth0 192.0.2.1/28 2001:db8:1::1/64 &&
	_mtp_addr r1 eth1 198.51.100.1/28 2001:db8:12::1/64 &&
	_mtp_addr r2 eth0 198.51.100.2/28 2001:db8:12::2/64 &&
	_mtp_addr r2 eth1 203.0.113.1/28 2001:db8:23::1/64 &&
	_mtp_addr r2 eth2 203.0.113.17/28 2001:db8:24::1/64 &&
	_mtp_addr d eth0 203.0.113.2/28 2001:db8:23::2/64 &&
	_mtp_addr e eth0 203.0.113.18/28 2001:db8:24::2/64 || return 1
	_mtp_route c 192.0.2.1 2001:db8:1::1 &&
	_mtp_route r1 198.51.100.2 2001:db8:12::2 &&
	_mtp_route r2 198.51.100.1 2001:db8:12::1 &&
	_mtp_route d 203.0.113.1 2001:db8:23::1 &&
	_mtp_route e 203.0.113.17 2001:db8:24::1 || return 1
	ip -n "$MTP-r2" route add 203.0.113.128/25 via 203.0.113.18 &&
	ip -n "$MTP-r2" -6 route add 2001:db8:e::/64 via 2001:db8:24::2 &&
	ip -n "$MTP-e" route add local 203.0.113.128/25 dev lo &&
	ip -n "$MTP-e" -6 route add local 2001:db8:e::/64 dev lo &&
	_mtp_balancer
}

# r1 balances D2 per flow over r2 and r2b.
_mtp_balancer()
{
	_mtp_link r1 eth2 r2b eth0 && _mtp_link r2b eth1 d eth1 &&
	_mtp_addr r1 eth2 198.51.100.17/28 2001:db8:13::1/64 &&
	_mtp_addr r2b eth0 198.51.100.18/28 2001:db8:13::2/64 &&
	_mtp_addr r2b eth1 203.0.113.33/28 2001:db8:25::1/64 &&
	_mtp_addr d eth1 203.0.113.34/28 2001:db8:25::2/64 &&
	_mtp_addr d lo $D2_4/32 $D2_6/128 &&
	_mtp_route r2b 198.51.100.17 2001:db8:13::1 || return 1
	ip -n "$MTP-r2" route add $D2_4 via 203.0.113.2 &&
	ip -n "$MTP-r2" -6 route add $D2_6 via 2001:db8:23::2 &&
	ip -n "$MTP-r2b" route add $D2_4 via 203.0.113.34 &&
	ip -n "$MTP-r2b" -6 route add $D2_6 via 2001:db8:25::2 &&
	ip -n "$MTP-r1" route add $D2_4 nexthop via 198.51.100.2 dev eth1 \
	    nexthop via 198.51.100.18 dev eth2 &&
	ip -n "$MTP-r1" -6 route add $D2_6 nexthop via 2001:db8:12::2 \
	    dev eth1 nexthop via 2001:db8:13::2 dev eth2
}

_mtp_firewall()
{
	mtp_exec r2 nft -f - <<-'NFT'
	table inet mtp {
		chain filt {
			type filter hook forward priority 0; policy accept;
			icmp type echo-request drop
			icmpv6 type echo-request drop
		}
	}
	NFT
}

# d: TCP 443 accepted and closed at once, UDP 53 echoed, both families.
_mtp_listeners()
{
	local i

	mtp_exec d python3 -c '
import select, socket
def sock(af, kind, port):
    s = socket.socket(af, kind)
    if af == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("::" if af == socket.AF_INET6 else "0.0.0.0", port))
    if kind == socket.SOCK_STREAM:
        s.listen(128)
    return s
tcp = [sock(af, socket.SOCK_STREAM, 443) for af in (socket.AF_INET, socket.AF_INET6)]
udp = [sock(af, socket.SOCK_DGRAM, 53) for af in (socket.AF_INET, socket.AF_INET6)]
print("ready", flush=True)
while True:
    for s in select.select(tcp + udp, [], [])[0]:
        if s in tcp:
            try:
                s.accept()[0].close()
            except OSError:
                pass
        else:
            data, peer = s.recvfrom(65535)
            s.sendto(data, peer)
' >"$MTP_DIR/listen.log" 2>&1 </dev/null 3>&- &
	for i in $(seq 50); do
		grep -qs ready "$MTP_DIR/listen.log" && return 0
		sleep 0.1
	done
	return 1
}

# tcp_lab_quiet NS: the kernel of NS sends no RST and no port unreachable
# of its own; the responder's (SO_MARK 0x6d70) go out.
tcp_lab_quiet()
{
	ip netns exec "$1" nft -f - <<-'NFT'
	table inet mtp_quiet {
		chain out {
			type filter hook output priority 0; policy accept;
			meta mark 0x6d70 accept
			tcp flags & rst == rst drop
			icmp type destination-unreachable icmp code port-unreachable drop
			icmpv6 type destination-unreachable icmpv6 code port-unreachable drop
		}
	}
	NFT
}

tcp_lab_up()
{
	netns_is_root || return 0
	netns_gc mtp
	export MTP="mtp-$$" LAB="mtp-$$" RESPONDER_NODE=e
	export MTP_DIR LAB_DIR RESPONDER
	MTP_DIR=$(netns_mkdir mtp) || return 1
	LAB_DIR=$MTP_DIR
	if ! _lab_responder || ! _mtp_nodes || ! _mtp_net ||
	    ! _mtp_firewall || ! tcp_lab_quiet "$MTP-e" || ! _mtp_listeners; then
		echo "tcp_lab_up: building the lab failed" >&2
		tcp_lab_down
		return 1
	fi
	netns_nobody_copy "$MTP_DIR" "$MPING"
}

tcp_lab_down()
{
	netns_is_root || return 0
	responder_stop_all
	netns_down "${MTP_DIR:-}" "${MTP:-}"
}


# Assertions on $output (JSON Lines of mping --json).

# tcp_replies_are D PORT STATE N: exactly N replies for target D, every one
# from D with port PORT and state STATE, and D's summary N sent N received.
tcp_replies_are()
{
	local d=$1 port=$2 state=$3 n=$4

	[ "$(jcount ".type == \"reply\" and .target == \"$d\"")" -eq "$n" ]
	[ "$(jcount ".type == \"reply\" and .target == \"$d\" and .from == \"$d\" and .port == $port and .state == \"$state\" and .dup == false")" -eq "$n" ]
	[ "$(jcount ".type == \"summary\" and .target == \"$d\" and .sent == $n and .received == $n and .errors == 0")" -eq 1 ]
}

# tcp_hops D: the hops of the trace to D as "TTL:ADDR ..." ("TTL:*" for a
# silent one), checking that no hop has more than one address.
tcp_hops()
{
	[ "$(jcount ".type == \"hop\" and .target == \"$1\" and (.addrs | length) > 1")" -eq 0 ] || return 1
	json_sel -r "select(.type == \"hop\" and .target == \"$1\") | \"\(.ttl):\(.addrs[0] // \"*\")\"" |
	    tr '\n' ' '
}

# tcp_log_count NAME PATTERN: lines of responder NAME's log matching the
# extended regular expression PATTERN.
tcp_log_count()
{
	grep -Ec -- "$2" "$MTP_DIR/$1.log"
}

# tcp_capture NAME ARGS...: mping ARGS in c (stdout to $MTP_DIR/NAME.out)
# while tcpdump listens on r1's side of the link to c; each TCP SYN that c
# sent becomes a line "SPORT DPORT SEQ" of $MTP_DIR/NAME.syns.
tcp_capture()
{
	local name=$1
	shift
	netns_capture_start "$MTP-r1" eth0 "$MTP_DIR/$name.pcap" \
	    "tcp and (src host $C_4 or src host $C_6)" || return 1
	mtp_exec c "$MPING" "$@" </dev/null >"$MTP_DIR/$name.out"
	netns_capture_stop
	tcpdump -nn -S -r "$MTP_DIR/$name.pcap" 2>/dev/null |
	    sed -nE 's/.* [0-9a-f:.]+\.([0-9]+) > [0-9a-f:.]+\.([0-9]+): Flags \[S\], seq ([0-9]+),.*/\1 \2 \3/p' \
	    >"$MTP_DIR/$name.syns"
}
