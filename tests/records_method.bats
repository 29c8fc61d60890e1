#!/usr/bin/env bats
# records_method.bats: every record about probes says how it probed
# (issue 13): method, and with UDP and TCP the port and the state an
# answer gave, in JSON, CSV and text, for ping and --trace, -a and -u.
#
#   c ---- r ---- d
#
# link   IPv4                          IPv6
# c-r    192.0.2.1 r, .2 c             2001:db8:1::1 r, ::2 c
# r-d    198.51.100.1 r, .2 d          2001:db8:2::1 r, ::2 d
#
# d: a TCP listener on 443 and a UDP echo on 5353 (python3), nothing on
# 444 or 33434.  d drops everything to its second address (198.51.100.3,
# 2001:db8:2::3): a sink, whose probes time out.  r rejects what it would
# forward to 203.0.113.0/24 (host unreachable) and 2001:db8:e::/64
# (address unreachable): error records.  d also answers for all of
# 198.18.0.0/24 (a local route) and has 2001:db8:100::/122 as 64
# addresses on lo (an IPv6 local route's port unreachables come from d's
# own address, not the target's): small sweeps.

bats_require_minimum_version 1.5.0

. "${BATS_TEST_DIRNAME}/netns.bash"

MPING="${MPING:-$BATS_TEST_DIRNAME/../mping}"

R_4=192.0.2.1 R_6=2001:db8:1::1
D_4=198.51.100.2 D_6=2001:db8:2::2
SINK_4=198.51.100.3 SINK_6=2001:db8:2::3
UNR_4=203.0.113.9 UNR_6=2001:db8:e::9

mrc_exec()
{
	local node=$1
	shift
	ip netns exec "$MRC-$node" "$@"
}

# rmp ARGS...: mping in the client.
rmp()
{
	mrc_exec c "$MPING" "$@" </dev/null
}

_mrc_services()
{
	mrc_exec d python3 -c '
import select, socket
def sock(fam, kind, port, addr):
    s = socket.socket(fam, kind)
    if fam == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    if kind == socket.SOCK_STREAM:
        s.listen(64)
    return s
# Bound to the first addresses of d: a datagram back comes from the address
# the probe went to, not from the sink beside it.
both = ((socket.AF_INET, "198.51.100.2"), (socket.AF_INET6, "2001:db8:2::2"))
tcp = [sock(f, socket.SOCK_STREAM, 443, a) for f, a in both]
udp = [sock(f, socket.SOCK_DGRAM, 5353, a) for f, a in both]
print("ready", flush=True)
while True:
    for s in select.select(tcp + udp, [], [])[0]:
        if s in tcp:
            s.accept()[0].close()
        else:
            data, peer = s.recvfrom(65535)
            s.sendto(data, peer)
' >"$MRC_DIR/services.log" 2>&1 3>&- &
	for n in $(seq 50); do
		grep -q ready "$MRC_DIR/services.log" && return 0
		sleep 0.1
	done
	return 1
}

_mrc_build()
{
	local n

	for n in c r d; do
		netns_add "$MRC_DIR" "$MRC-$n" && netns_defaults "$MRC-$n" ||
		    return 1
		printf 'nameserver 127.0.0.1\n' \
		    >"$(netns_etc "$MRC_DIR" "$MRC-$n")/resolv.conf"
	done
	netns_sysctl "$MRC-r" net.ipv4.ip_forward=1 \
	    net.ipv6.conf.all.forwarding=1
	netns_veth "$MRC-c" eth0 "$MRC-r" eth0 &&
	netns_veth "$MRC-r" eth1 "$MRC-d" eth0 || return 1
	netns_addrs "$MRC-c" eth0 192.0.2.2/28 2001:db8:1::2/64 &&
	netns_addrs "$MRC-r" eth0 192.0.2.1/28 2001:db8:1::1/64 &&
	netns_addrs "$MRC-r" eth1 198.51.100.1/28 2001:db8:2::1/64 &&
	netns_addrs "$MRC-d" eth0 198.51.100.2/28 2001:db8:2::2/64 \
	    198.51.100.3/28 2001:db8:2::3/64 || return 1
	ip -n "$MRC-c" route add default via 192.0.2.1 &&
	ip -n "$MRC-c" -6 route add default via 2001:db8:1::1 &&
	ip -n "$MRC-r" route add 203.0.113.0/24 via 198.51.100.2 &&
	ip -n "$MRC-r" -6 route add 2001:db8:e::/64 via 2001:db8:2::2 &&
	ip -n "$MRC-r" route add 198.18.0.0/24 via 198.51.100.2 &&
	ip -n "$MRC-r" -6 route add 2001:db8:100::/122 via 2001:db8:2::2 &&
	ip -n "$MRC-d" route add local 198.18.0.0/24 dev lo &&
	for n in $(seq 0 63); do
		printf 'addr add 2001:db8:100::%x/128 dev lo nodad\n' "$n"
	done | ip -n "$MRC-d" -batch - &&
	ip -n "$MRC-d" route add default via 198.51.100.1 &&
	ip -n "$MRC-d" -6 route add default via 2001:db8:2::1 || return 1
	mrc_exec r nft -f - <<-'NFT' || return 1
	table inet mrc {
		chain filt {
			type filter hook forward priority 0; policy accept;
			ip daddr 203.0.113.0/24 reject with icmp type host-unreachable
			ip6 daddr 2001:db8:e::/64 reject with icmpv6 type addr-unreachable
		}
	}
	NFT
	mrc_exec d nft -f - <<-'NFT' || return 1
	table inet mrc {
		chain inp {
			type filter hook input priority 0; policy accept;
			ip daddr 198.51.100.3 drop
			ip6 daddr 2001:db8:2::3 drop
		}
	}
	NFT
	_mrc_services
}

setup_file()
{
	netns_lab_up MRC mrc _mrc_build || return 1
	netns_is_root || return 0
	netns_nobody_copy "$MRC_DIR" "$MPING"
}

teardown_file()	{ netns_lab_down MRC; }

setup()
{
	netns_is_root || skip "needs root"
	[ -n "${MRC:-}" ] || skip "lab not built"
}

# The keys of every record of type $1 in $output are exactly $2 (a jq
# array), and there is at least one such record.
keys_are()
{
	[ "$(jcount ".type == \"$1\"")" -ge 1 ]
	jall "select(.type == \"$1\") | keys_unsorted == $2"
}

# Fields of ICMP records as before issue 13, then "method".
K_REPLY='"type","time","target","addr","from","seq","size","ttl","rtt_ms","dup","late","foreign"'
K_TIMEOUT='"type","time","target","addr","seq"'
K_ERROR='"type","time","target","addr","seq","from","icmp_type","icmp_code","error","mtu","reason"'
K_SUMMARY='"type","target","addr","sent","received","lost","inflight","loss_pct","errors","dups","rtt_min_ms","rtt_avg_ms","rtt_max_ms","rtt_stddev_ms","jitter_ms"'
K_LIST='"type","time","target","addr"'
K_PROBE='"type","time","target","addr","ttl","probe","from","rtt_ms","icmp_type","icmp_code","error","mtu","mpls","round"'
K_HOP='"type","time","target","addr","ttl","addrs","names","froms","rtts_ms","marks","lost","mpls","round"'
K_TRACE='"type","time","target","addr","reached","hops","stop","round"'

@test "icmp: every record about probes ends with method icmp, no port, no state (v4, v6)" {
	run rmp -c 2 -p 100 -t 300 --json $D_4 $D_6 $SINK_4 $SINK_6 $UNR_4 $UNR_6
	echo "$status $output"
	[ "$status" -eq 1 ]
	keys_are reply "[$K_REPLY,\"method\",\"tos\"]"
	keys_are timeout "[$K_TIMEOUT,\"method\"]"
	keys_are error "[$K_ERROR,\"method\"]"
	keys_are summary "[$K_SUMMARY,\"method\"]"
	[ "$(jcount '.type != "start" and .method == "icmp"')" -eq $((4 + 4 + 4 + 6)) ]
	[ "$(jcount '.type == "start" and .method == "icmp" and has("port") == false')" -eq 1 ]
	run rmp -c 1 -t 300 -a --json $D_4 $SINK_6
	keys_are alive "[$K_LIST,\"method\"]"
	run rmp -c 1 -t 300 -u --json $D_4 $SINK_6
	keys_are unreachable "[$K_LIST,\"method\"]"
	run rmp --trace -t 300 --json $D_4 $D_6
	echo "$output"
	[ "$status" -eq 0 ]
	keys_are probe "[$K_PROBE,\"method\"]"
	keys_are hop "[$K_HOP,\"method\"]"
	# A trace record also names the last hop heard (issue 16).
	keys_are trace "[$K_TRACE,\"last_hop\",\"last_addr\",\"method\"]"
	[ "$(jcount '.type != "start" and .method == "icmp"')" -eq $((12 + 4 + 2)) ]
}

@test "--udp ping: replies and summaries carry port and state, timeouts and errors the port only (v4, v6)" {
	run rmp --udp -c 2 -p 100 -t 300 --json $D_4 $D_6 $SINK_4 $SINK_6 $UNR_4 $UNR_6
	echo "$status $output"
	[ "$status" -eq 1 ]
	keys_are reply "[$K_REPLY,\"method\",\"port\",\"state\"]"
	keys_are timeout "[$K_TIMEOUT,\"method\",\"port\"]"
	keys_are error "[$K_ERROR,\"method\",\"port\"]"
	[ "$(jcount '.type == "reply" and .method == "udp" and .port == 33434 and .state == "closed"')" -eq 4 ]
	[ "$(jcount '.type == "timeout" and .method == "udp" and .port == 33434')" -eq 4 ]
	[ "$(jcount '.type == "error" and .method == "udp" and .port == 33434')" -eq 4 ]
	# Summaries: the state of the latest counted reply, none without one.
	[ "$(jcount ".type == \"summary\" and .method == \"udp\" and .port == 33434 and .state == \"closed\" and (.addr == \"$D_4\" or .addr == \"$D_6\")")" -eq 2 ]
	[ "$(jcount '.type == "summary" and .method == "udp" and .port == 33434 and has("state") == false')" -eq 4 ]
	run rmp --udp --port 5353 -c 2 -p 100 -t 300 --json $D_4 $D_6
	echo "$status $output"
	[ "$status" -eq 0 ]
	[ "$(jcount '(.type == "reply" or .type == "summary") and .method == "udp" and .port == 5353 and .state == "open"')" -eq 6 ]
}

@test "--tcp ping: 443 open, 444 closed, in replies and summaries (v4, v6)" {
	run rmp --tcp --port 443 -c 2 -p 100 -t 300 --json $D_4 $D_6
	echo "$status $output"
	[ "$status" -eq 0 ]
	[ "$(jcount '.type == "start" and .method == "tcp" and .port == 443')" -eq 1 ]
	keys_are reply "[$K_REPLY,\"method\",\"port\",\"state\"]"
	keys_are summary "[$K_SUMMARY,\"method\",\"port\",\"state\"]"
	[ "$(jcount '(.type == "reply" or .type == "summary") and .method == "tcp" and .port == 443 and .state == "open"')" -eq 6 ]
	run rmp -T --port 444 -c 2 -p 100 -t 300 --json $D_4 $D_6 $SINK_4
	echo "$status $output"
	[ "$status" -eq 1 ]
	[ "$(jcount '(.type == "reply" or .type == "summary") and .method == "tcp" and .port == 444 and .state == "closed"')" -eq 6 ]
	[ "$(jcount '.type == "timeout" and .method == "tcp" and .port == 444 and has("state") == false')" -eq 2 ]
}

@test "-a and -u with --tcp and --udp: alive records have the state, unreachable ones method and port (v4, v6)" {
	run rmp --tcp --port 443 -c 1 -t 300 -a --json $D_4 $SINK_4 $D_6 $SINK_6
	echo "$status $output"
	keys_are alive "[$K_LIST,\"method\",\"port\",\"state\"]"
	[ "$(jcount '.type == "alive" and .method == "tcp" and .port == 443 and .state == "open"')" -eq 2 ]
	run rmp --udp -c 1 -t 300 -u --json $D_4 $SINK_4 $D_6 $SINK_6
	echo "$status $output"
	keys_are unreachable "[$K_LIST,\"method\",\"port\"]"
	[ "$(jcount ".type == \"unreachable\" and .method == \"udp\" and .port == 33434 and (.addr == \"$SINK_4\" or .addr == \"$SINK_6\")")" -eq 2 ]
	# In text: the bare lists, for every method.
	for m in --tcp --udp ""; do
		run rmp $m -c 1 -t 300 -a $D_4 $SINK_4 $D_6 $SINK_6
		[ "$output" = "$D_4
$D_6" ]
		run rmp $m -c 1 -t 300 -u $D_4 $SINK_4 $D_6 $SINK_6
		[ "$output" = "$SINK_4
$SINK_6" ]
	done
}

@test "as nobody (connect() TCP, datagram UDP): the same method, port and state (v4, v6)" {
	run netns_nobody "$MRC-c" "$MRC_DIR/bin/mping" -T --port 443 -c 1 -t 300 --json $D_4 $D_6
	echo "$status $output"
	[ "$status" -eq 0 ]
	[ "$(jcount '(.type == "reply" or .type == "summary") and .method == "tcp" and .port == 443 and .state == "open"')" -eq 4 ]
	run netns_nobody "$MRC-c" "$MRC_DIR/bin/mping" -U -c 1 -t 300 --json $D_4 $D_6
	echo "$status $output"
	[ "$status" -eq 0 ]
	[ "$(jcount '(.type == "reply" or .type == "summary") and .method == "udp" and .port == 33434 and .state == "closed"')" -eq 4 ]
}

# trace_states M PORT STATE: a trace with method M to d's PORT: r's hop
# and its probes have no state, d's hop, probes and the verdict have STATE.
trace_states()
{
	local m=$1 port=$2 state=$3 d

	run rmp --trace $m --port "$port" -t 300 --json $D_4 $D_6
	echo "$status $output"
	[ "$status" -eq 0 ]
	jall "select(.type == \"probe\" and .ttl == 1) | keys_unsorted == [$K_PROBE,\"method\",\"port\"]"
	jall "select(.type == \"probe\" and .ttl == 2) | keys_unsorted == [$K_PROBE,\"method\",\"port\",\"state\"]"
	for d in $D_4 $D_6; do
		[ "$(jcount ".type == \"hop\" and .target == \"$d\" and .ttl == 1 and has(\"state\") == false and .port == $port")" -eq 1 ]
		[ "$(jcount ".type == \"probe\" and .target == \"$d\" and .ttl == 1 and has(\"state\") == false")" -eq 3 ]
		[ "$(jcount ".type == \"hop\" and .target == \"$d\" and .ttl == 2 and .addrs == [\"$d\"] and .state == \"$state\"")" -eq 1 ]
		[ "$(jcount ".type == \"probe\" and .target == \"$d\" and .ttl == 2 and .from == \"$d\" and .state == \"$state\"")" -eq 3 ]
		[ "$(jcount ".type == \"trace\" and .target == \"$d\" and .reached and .hops == 2 and .method == \"${m#--}\" and .port == $port and .state == \"$state\"")" -eq 1 ]
	done
	run rmp --trace $m --port "$port" -t 300 $D_4 $D_6
	grep -Fx "$D_4: reached in 2 hops port=$port $state" <<<"$output"
	grep -Fx "$D_6: reached in 2 hops port=$port $state" <<<"$output"
}

@test "--trace --tcp: the target's hop, probes and verdict have the port's state, r's none (v4, v6)" {
	trace_states --tcp 443 open
	trace_states --tcp 444 closed
}

@test "--trace --udp: the same with UDP, closed and open (v4, v6)" {
	trace_states --udp 33434 closed
	trace_states --udp 5353 open
	# An ICMP trace's verdict is as before.
	run rmp --trace -t 300 $D_4
	grep -Fx "$D_4: reached in 2 hops" <<<"$output"
}

# csv_cells FILE: every row as "type,method,port,state" by the header's
# names ("-": no such column), after checking that all rows have the
# header's width; the counts of each, sorted.
csv_cells()
{
	_csv_cells "$@" | sort | uniq -c | sed 's/^ *//' | tee /dev/stderr
}

_csv_cells()
{
	python3 - "$1" <<-'PY'
	import csv, sys
	rows = list(csv.reader(open(sys.argv[1], newline=""), strict=True))
	head = rows[0]
	assert all(len(r) == len(head) for r in rows), "ragged rows"
	for r in rows[1:]:
	    d = dict(zip(head, r))
	    print(",".join([d["type"], d.get("method", "-"), d.get("port", "-"), d.get("state", "-")]))
	PY
}

CSV_PING='type,time,target,addr,from,seq,size,ttl,rtt_ms,dup,late,foreign,icmp_type,icmp_code,error,mtu,reason,sent,received,lost,inflight,loss_pct,errors,dups,responders,rtt_min_ms,rtt_avg_ms,rtt_max_ms,rtt_stddev_ms,targets,answered,dropped,exit_status,jitter_ms'
CSV_TRACE='type,time,target,addr,ttl,probe,from,rtt_ms,icmp_type,icmp_code,error,mtu,addrs,names,froms,rtts_ms,marks,lost,mpls,reached,hops,stop,reason,targets,answered,dropped,exit_status,round'
CSV_SUMMARY='type,target,addr,sent,received,lost,inflight,loss_pct,errors,dups,responders,rtt_min_ms,rtt_avg_ms,rtt_max_ms,rtt_stddev_ms,jitter_ms'
CSV_VERDICT='type,time,target,addr,reached,hops,stop,round'

# csv_run NAME HEADER ARGS...: mping ARGS --csv into NAME.csv; its header
# is exactly HEADER.
csv_run()
{
	local f="$MRC_DIR/$1.csv" want=$2
	shift 2
	rmp "$@" --csv >"$f" || true
	echo "header: $(head -1 "$f")" >&2
	[ "$(head -1 "$f" | tr -d '\r')" = "$want" ]
}

@test "csv: method last, then port and state with UDP and TCP; rows say the same as JSON (v4, v6)" {
	csv_run icmp "$CSV_PING,method,tos" -c 1 -t 300 $D_4 $SINK_6
	[ "$(csv_cells "$MRC_DIR/icmp.csv")" = "1 end,,-,-
1 reply,icmp,-,-
1 start,,-,-
2 summary,icmp,-,-
1 timeout,icmp,-,-" ]
	csv_run tcp "$CSV_PING,method,port,state,tos" -T --port 443 -c 1 -t 300 $D_4 $SINK_6
	[ "$(csv_cells "$MRC_DIR/tcp.csv")" = "1 end,,,
1 reply,tcp,443,open
1 start,,,
1 summary,tcp,443,
1 summary,tcp,443,open
1 timeout,tcp,443," ]
	csv_run udpq "$CSV_SUMMARY,method,port,state" -U -q -c 1 -t 300 $D_6
	[ "$(csv_cells "$MRC_DIR/udpq.csv")" = "1 summary,udp,33434,closed" ]
	csv_run icmpq "$CSV_SUMMARY,method" -q -c 1 -t 300 $D_6
	[ "$(csv_cells "$MRC_DIR/icmpq.csv")" = "1 summary,icmp,-,-" ]
	csv_run trace "$CSV_TRACE,method,port,state" --trace -T --port 444 -t 300 $D_4
	[ "$(csv_cells "$MRC_DIR/trace.csv")" = "1 end,,,
1 hop,tcp,444,
1 hop,tcp,444,closed
3 probe,tcp,444,
3 probe,tcp,444,closed
1 start,,,
1 trace,tcp,444,closed" ]
	csv_run traceq "$CSV_VERDICT,method" --trace -q -t 300 $D_4
	[ "$(csv_cells "$MRC_DIR/traceq.csv")" = "1 trace,icmp,-,-" ]
}

@test "text: UDP and TCP replies and summaries show the port and its state; ICMP lines as before (v4, v6)" {
	run rmp -T --port 443 -c 1 -t 300 $D_4 $D_6 $SINK_4
	echo "$output"
	grep -Ex "$D_4: seq=0 bytes=[0-9]+ ttl=63 rtt=[0-9.]+ ms port=443 open" <<<"$output"
	grep -Ex "$D_6: seq=0 bytes=[0-9]+ ttl=63 rtt=[0-9.]+ ms port=443 open" <<<"$output"
	grep -Ex "$D_4: sent=1 received=1 loss=0% rtt min/avg/max/stddev=[0-9./]+ ms port=443 open" <<<"$output"
	grep -Ex "$D_6: sent=1 received=1 loss=0% rtt min/avg/max/stddev=[0-9./]+ ms port=443 open" <<<"$output"
	grep -Fx "$SINK_4: seq=0 timeout" <<<"$output"
	grep -Fx "$SINK_4: sent=1 received=0 loss=100% port=443" <<<"$output"
	run rmp -U -q -c 1 -t 300 $D_4 $D_6
	grep -Ex "$D_4: sent=1 received=1 loss=0% rtt min/avg/max/stddev=[0-9./]+ ms port=33434 closed" <<<"$output"
	grep -Ex "$D_6: sent=1 received=1 loss=0% rtt min/avg/max/stddev=[0-9./]+ ms port=33434 closed" <<<"$output"
	run rmp -c 1 -t 300 $D_4 $SINK_6
	grep -Ex "$D_4: seq=0 bytes=64 ttl=63 rtt=[0-9.]+ ms" <<<"$output"
	grep -Ex "$D_4: sent=1 received=1 loss=0% rtt min/avg/max/stddev=[0-9./]+ ms" <<<"$output"
	grep -Fx "$SINK_6: sent=1 received=0 loss=100%" <<<"$output"
}

# errqueue_calls BLOCK ARGS...: a UDP sweep of BLOCK under strace; prints
# "SINGLE BATCHED MESSAGES": recvmsg and recvmmsg calls on the error queue,
# and the messages the batched calls returned.
errqueue_calls()
{
	local block=$1 log="$MRC_DIR/strace.log"
	shift
	mrc_exec c strace -f -qq -e trace=recvmsg,recvmmsg -o "$log" \
	    "$MPING" -U -c 1 -i 0 -q -t 500 "$@" "$block" >"$MRC_DIR/sweep.out" </dev/null || true
	awk '/MSG_ERRQUEUE/ && /recvmsg\(/ {s++}
	    /MSG_ERRQUEUE/ && /recvmmsg\(/ {b++; if ($NF > 0) m += $NF}
	    END {print s + 0, b + 0, m + 0}' "$log"
}

@test "a UDP sweep reads its port unreachables in batches: recvmmsg, not a recvmsg each (v4, v6)" {
	local single batched msgs
	command -v strace >/dev/null || skip "strace is not installed"
	for block in 198.18.0.0/24 2001:db8:100::/122; do
		errqueue_calls $block >"$MRC_DIR/calls"
		read -r single batched msgs <"$MRC_DIR/calls"
		echo "$block: $single recvmsg, $batched recvmmsg for $msgs errors"
		[ "$(grep -c 'received=1 ' "$MRC_DIR/sweep.out")" -eq "$(wc -l <"$MRC_DIR/sweep.out")" ]
		[ "$single" -eq 0 ]
		# 254 targets (network and broadcast left out), IPv6 64.
		[ "$msgs" -eq "$(wc -l <"$MRC_DIR/sweep.out")" ]
		[ "$batched" -lt $((msgs / 2)) ]
	done
}
