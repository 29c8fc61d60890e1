#!/usr/bin/env bats
# tcpconn.bats: TCP probes without privileges (--tcp as nobody: a
# non-blocking connect() per probe, src/method_tcpconn.c, issue 13) in a
# lab of its own (IPv4 and IPv6):
#
#   c ---- r1 ---- r2 (nftables) ---- d
#
# link    IPv4                             IPv6
# c-r1    192.0.2.1 r1, 192.0.2.2 c        2001:db8:1::1 r1, ::2 c
# r1-r2   198.51.100.1 r1, .2 r2           2001:db8:12::1 r1, ::2 r2
# r2-d    203.0.113.1 r2, .2 d             2001:db8:23::1 r2, ::2 d
#
# d: a TCP listener on 8080 of its own addresses (python3), nothing on
# 8081, and a local route for 198.18.0.0/23 (510 addresses that answer a
# SYN with a RST).  r2 drops SYNs to port 8082, drops whatever it forwards
# to 198.18.2.0/24 and 2001:db8:d0::/64 (a sink), and rejects what it
# forwards to 203.0.113.128/25 with host unreachable and to
# 2001:db8:e:1::/64 with address unreachable (from 198.51.100.2,
# 2001:db8:12::2).  Every mping here runs as nobody, who may open no raw
# socket: the run falls back from raw SYNs to connect().

bats_require_minimum_version 1.5.0

. "${BATS_TEST_DIRNAME}/netns.bash"

MPING="${MPING:-$BATS_TEST_DIRNAME/../mping}"

R1_4=192.0.2.1 R1_6=2001:db8:1::1
R2_4=198.51.100.2 R2_6=2001:db8:12::2
D_4=203.0.113.2 D_6=2001:db8:23::2
UNR_4=203.0.113.130 UNR_6=2001:db8:e:1::1
SINK_4=198.18.2.1 SINK_6=2001:db8:d0::1

mtc_exec()
{
	local node=$1
	shift
	ip netns exec "$MTC-$node" "$@"
}

# tcn ARGS...: mping ARGS as nobody in the client.
tcn()
{
	netns_nobody "$MTC-c" "$MTC_DIR/bin/mping" "$@"
}

_mtc_routes()
{
	ip -n "$MTC-c" route add default via 192.0.2.1 &&
	ip -n "$MTC-c" -6 route add default via 2001:db8:1::1 &&
	ip -n "$MTC-r1" route add default via 198.51.100.2 &&
	ip -n "$MTC-r1" -6 route add default via 2001:db8:12::2 &&
	ip -n "$MTC-r2" route add default via 198.51.100.1 &&
	ip -n "$MTC-r2" -6 route add default via 2001:db8:12::1 &&
	ip -n "$MTC-r2" route add 203.0.113.128/25 via 203.0.113.2 &&
	ip -n "$MTC-r2" -6 route add 2001:db8:e:1::/64 via 2001:db8:23::2 &&
	ip -n "$MTC-r2" route add 198.18.0.0/23 via 203.0.113.2 &&
	ip -n "$MTC-d" route add default via 203.0.113.1 &&
	ip -n "$MTC-d" -6 route add default via 2001:db8:23::1 &&
	ip -n "$MTC-d" route add local 198.18.0.0/23 dev lo
}

_mtc_listener()
{
	mtc_exec d python3 -c '
import select, socket
ls = []
for fam, addr in ((socket.AF_INET, "203.0.113.2"),
                  (socket.AF_INET6, "2001:db8:23::2")):
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, 8080))
    s.listen(128)
    ls.append(s)
print("ready", flush=True)
while True:
    for s in select.select(ls, [], [])[0]:
        s.accept()[0].close()
' >"$MTC_DIR/listener.log" 2>&1 3>&- &
	for n in $(seq 50); do
		grep -q ready "$MTC_DIR/listener.log" && return 0
		sleep 0.1
	done
	return 1
}

_mtc_build()
{
	local n

	for n in c r1 r2 d; do
		netns_add "$MTC_DIR" "$MTC-$n" && netns_defaults "$MTC-$n" ||
		    return 1
		printf 'nameserver 127.0.0.1\n' \
		    >"$(netns_etc "$MTC_DIR" "$MTC-$n")/resolv.conf"
	done
	for n in r1 r2; do
		netns_sysctl "$MTC-$n" net.ipv4.ip_forward=1 \
		    net.ipv6.conf.all.forwarding=1
	done
	netns_veth $MTC-c eth0 $MTC-r1 eth0 &&
	netns_veth $MTC-r1 eth1 $MTC-r2 eth0 &&
	netns_veth $MTC-r2 eth1 $MTC-d eth0 || return 1
	netns_addrs $MTC-c eth0 192.0.2.2/28 2001:db8:1::2/64 &&
	netns_addrs $MTC-r1 eth0 192.0.2.1/28 2001:db8:1::1/64 &&
	netns_addrs $MTC-r1 eth1 198.51.100.1/28 2001:db8:12::1/64 &&
	netns_addrs $MTC-r2 eth0 198.51.100.2/28 2001:db8:12::2/64 &&
	netns_addrs $MTC-r2 eth1 203.0.113.1/25 2001:db8:23::1/64 &&
	netns_addrs $MTC-d eth0 203.0.113.2/25 2001:db8:23::2/64 &&
	_mtc_routes || return 1
	mtc_exec r2 nft -f - <<-'NFT' || return 1
	table inet mtc {
		chain filt {
			type filter hook forward priority 0; policy accept;
			ip daddr 203.0.113.128/25 reject with icmp type host-unreachable
			ip6 daddr 2001:db8:e:1::/64 reject with icmpv6 type addr-unreachable
			ip daddr 198.18.2.0/24 drop
			ip6 daddr 2001:db8:d0::/64 drop
			tcp dport 8082 drop
		}
	}
	NFT
	_mtc_listener
}

setup_file()
{
	netns_file_lab mtc MTC _mtc_build
}

teardown_file()
{
	netns_file_lab_down MTC
}

setup()
{
	netns_file_lab_ready MTC
}

@test "nobody --tcp: a listener is open, 3 sent 3 received (v4, v6)" {
	run --separate-stderr tcn --tcp --port 8080 -c 3 -p 100 -t 500 --json $D_4 $D_6
	echo "$status $output $stderr"
	[ "$status" -eq 0 ]
	netns_replies_are $D_4 8080 open 3
	netns_replies_are $D_6 8080 open 3
	[ -z "$stderr" ]
	run tcn -T --port 8080 -c 1 -t 500 $D_4 $D_6
	echo "$status $output"
	grep -Ex "$D_4: seq=0 bytes=[0-9]+ rtt=[0-9.]+ ms port=8080 open" <<<"$output"
	grep -Ex "$D_6: seq=0 bytes=[0-9]+ rtt=[0-9.]+ ms port=8080 open" <<<"$output"
}

@test "nobody --tcp: no listener is closed (a RST), 3 sent 3 received, exit 0 (v4, v6)" {
	run tcn --method tcp --port 8081 -c 3 -p 100 -t 500 --json $D_4 $D_6
	echo "$status $output"
	[ "$status" -eq 0 ]
	netns_replies_are $D_4 8081 closed 3
	netns_replies_are $D_6 8081 closed 3
	[ "$(jcount '.type == "error"')" -eq 0 ]
}

@test "nobody --tcp: a firewall drops the SYN: no answer, exit 1 (v4, v6)" {
	run tcn --tcp --port 8082 -c 2 -p 100 -t 300 --json $D_4 $D_6
	echo "$status $output"
	[ "$status" -eq 1 ]
	[ "$(jcount '.type == "reply" or .type == "error"')" -eq 0 ]
	[ "$(jcount '.type == "summary" and .sent == 2 and .received == 0 and .lost == 2')" -eq 2 ]
}

@test "nobody --tcp: host/address unreachable from r2 on the way, typed, exit 1 (v4, v6)" {
	run tcn --tcp --port 8080 -c 3 -p 100 -t 500 --json $UNR_4 $UNR_6
	echo "$status $output"
	[ "$status" -eq 1 ]
	[ "$(jcount '.type == "reply"')" -eq 0 ]
	[ "$(jcount ".type == \"error\" and .target == \"$UNR_4\" and .from == \"$R2_4\" and .error == \"host-unreachable\" and .seq <= 2")" -eq 3 ]
	[ "$(jcount ".type == \"error\" and .target == \"$UNR_6\" and .from == \"$R2_6\" and .error == \"address-unreachable\"")" -eq 3 ]
	[ "$(jcount '.type == "error"')" -eq 6 ]
	[ "$(jcount '.type == "summary" and .sent == 3 and .received == 0 and .errors == 3')" -eq 2 ]
}

@test "nobody --trace --tcp: r1, r2, then d open, exit 0 (v4, v6)" {
	run tcn --trace --tcp --port 8080 -t 500 --json $D_4 $D_6
	echo "$status $output"
	[ "$status" -eq 0 ]
	netns_hops_are $D_4 $R1_4 $R2_4 $D_4
	netns_hops_are $D_6 $R1_6 $R2_6 $D_6
	[ "$(jcount '.type == "hop"')" -eq 6 ]
	[ "$(jcount '.type == "trace" and .reached == true and .stop == "reached" and .hops == 3')" -eq 2 ]
	# The last hop's state, where hop records carry one.
	[ "$(jcount '.type == "hop" and .ttl == 3 and (.state // "open") == "open"')" -eq 2 ]
	run tcn --trace --tcp --port 8080 -t 500 $D_4
	echo "$output"
	grep -Ex "$D_4:  1  $R1_4  [0-9.]+ ms  [0-9.]+ ms  [0-9.]+ ms" <<<"$output"
	grep -Ex "$D_4:  2  $R2_4  [0-9.]+ ms  [0-9.]+ ms  [0-9.]+ ms" <<<"$output"
	grep -Ex "$D_4:  3  $D_4  [0-9.]+ ms  [0-9.]+ ms  [0-9.]+ ms" <<<"$output"
	grep -E "^$D_4: reached in 3 hops" <<<"$output"
}

@test "nobody --trace --tcp to an unreachable address: stops at hop 3 with !H (v4, v6)" {
	run tcn --trace --tcp --port 8080 -t 500 $UNR_4 $UNR_6
	echo "$status $output"
	[ "$status" -eq 1 ]
	for d in $UNR_4/$R1_4/$R2_4 $UNR_6/$R1_6/$R2_6; do
		IFS=/ read -r t a b <<<"$d"
		grep -Ex "$t:  1  $a  [0-9.]+ ms  [0-9.]+ ms  [0-9.]+ ms" <<<"$output"
		grep -Ex "$t:  2  $b  [0-9.]+ ms  [0-9.]+ ms  [0-9.]+ ms" <<<"$output"
		grep -Ex "$t:  3  $b  [0-9.]+ ms !H  [0-9.]+ ms !H  [0-9.]+ ms !H" <<<"$output"
	done
	grep -Fx "$UNR_4: stopped at hop 3: host-unreachable" <<<"$output"
	grep -Fx "$UNR_6: stopped at hop 3: address-unreachable" <<<"$output"
}

# peak_fds TRACE: from an strace -f of socket and close calls, the most
# TCP sockets open at once, then how many socket() calls failed.
peak_fds()
{
	awk '/socket\(AF_INET6?, SOCK_STREAM/ {
		if ($NF ~ /^[0-9]+$/) { open[$NF] = 1; n++; if (n > peak) peak = n }
		else failed++
	}
	/close\([0-9]+\) += 0/ {
		fd = $0; sub(/.*close\(/, "", fd); sub(/\).*/, "", fd)
		if (fd in open) { delete open[fd]; n-- }
	}
	END { print peak + 0, failed + 0 }' "$1"
}

@test "nobody --tcp, ulimit -n 64: 510 targets all answered, probes in flight bounded, no EMFILE" {
	run --separate-stderr mtc_exec c strace -f -qq -e trace=socket,close \
	    -o "$MTC_DIR/fds.strace" setpriv --reuid=65534 --regid=65534 \
	    --clear-groups -- bash -c 'ulimit -n 64 && exec "$@"' sh \
	    "$MTC_DIR/bin/mping" --tcp --port 8081 -c 1 -i 0 -t 2000 --json \
	    198.18.0.0/23 </dev/null
	echo "$status $stderr"
	[ "$status" -eq 0 ]
	nogrep -i 'too many open files' <<<"$stderr"
	[ "$(jcount '.type == "reply" and .state == "closed" and .port == 8081')" -eq 510 ]
	[ "$(jcount '.type == "summary" and .sent == 1 and .received == 1')" -eq 510 ]
	read -r peak failed < <(peak_fds "$MTC_DIR/fds.strace")
	echo "peak $peak sockets at once, $failed socket() calls failed"
	# One socket per probe, and one at start that checks the options.
	[ "$(grep -c 'socket(AF_INET, SOCK_STREAM' "$MTC_DIR/fds.strace")" -eq 511 ]
	[ "$failed" -eq 0 ]
	nogrep -q EMFILE "$MTC_DIR/fds.strace"
	# The bound was reached (-i 0 sends faster than RSTs are read) and
	# kept below the limit, with room for the other descriptors.
	[ "$peak" -ge 20 ] && [ "$peak" -le 56 ]
}

@test "nobody --tcp: no descriptor leak over a 3 s run (open, closed, unreachable, dropped)" {
	local pid i n max=0 samples=()

	# ip netns exec and setpriv exec: $! is mping itself.
	ip netns exec "$MTC-c" setpriv --reuid=65534 --regid=65534 \
	    --clear-groups -- "$MTC_DIR/bin/mping" --tcp --port 8080 -p 20 -t 100 -w 3 -q \
	    $D_4 $D_6 198.18.0.1 $UNR_4 $UNR_6 $SINK_4 $SINK_6 \
	    </dev/null >"$MTC_DIR/leak.out" 2>&1 &
	pid=$!
	sleep 0.3
	for i in $(seq 12); do
		n=$(ls /proc/$pid/fd 2>/dev/null | wc -l)
		samples+=("$n")
		[ "$n" -gt "$max" ] && max=$n
		sleep 0.2
	done
	wait $pid || true
	echo "fd counts: ${samples[*]}"
	cat "$MTC_DIR/leak.out"
	# 7 targets, one probe each per 20 ms: about 1000 probes.  The two
	# sinks hold at most 100/20 + 1 sockets each; everything else is
	# answered at once.
	[ "$max" -le 30 ]
	[ "${samples[11]}" -le $((samples[0] + 6)) ]
	grep -E "^$SINK_4: sent=(1[4-9][0-9]) received=0 loss=100%" "$MTC_DIR/leak.out"
	grep -E "^$D_4: sent=(1[4-9][0-9]) received=\\1 loss=0%" "$MTC_DIR/leak.out"
}

# syn_ports NAME ARGS...: mping ARGS as nobody while tcpdump listens on r1's
# client side for TCP from c; prints "SPORT DPORT" of each SYN it saw.
syn_ports()
{
	local name=$1 pid i
	shift
	# ip netns exec execs tcpdump: $! is tcpdump itself.
	ip netns exec "$MTC-r1" tcpdump -Z root -i eth0 -nn -U --immediate-mode \
	    -w "$MTC_DIR/$name.pcap" \
	    "tcp and (src host 192.0.2.2 or src host 2001:db8:1::2)" \
	    >/dev/null 2>"$MTC_DIR/$name.err" 3>&- &
	pid=$!
	for i in $(seq 50); do
		grep -qs 'listening on' "$MTC_DIR/$name.err" && break
		sleep 0.1
	done
	tcn "$@" >"$MTC_DIR/$name.out"
	sleep 0.3
	kill -INT $pid
	wait $pid || true
	tcpdump -nn -r "$MTC_DIR/$name.pcap" 2>/dev/null | grep -F 'Flags [S]' |
	    sed -E 's/.* ([0-9a-f:.]+)\.([0-9]+) > ([0-9a-f:.]+)\.([0-9]+): .*/\2 \4/'
}

@test "nobody --trace --tcp --flow 40000: every SYN from port 40000, reached (v4, v6)" {
	run syn_ports flow --trace --tcp --port 8080 --flow 40000 -t 500 $D_4 $D_6
	echo "$status $output"
	cat "$MTC_DIR/flow.out"
	[ "${#lines[@]}" -eq 18 ]
	[ "$(sort -u <<<"$output")" = "40000 8080" ]
	grep -Fx "$D_4: reached in 3 hops port=8080 open" "$MTC_DIR/flow.out"
	grep -Fx "$D_6: reached in 3 hops port=8080 open" "$MTC_DIR/flow.out"
	# Without --flow, the kernel picks a port per probe.
	run syn_ports noflow --trace --tcp --port 8080 -t 500 $D_4
	echo "$status $output"
	[ "${#lines[@]}" -eq 9 ]
	[ "$(sort -u <<<"$output" | wc -l)" -gt 1 ]
}
