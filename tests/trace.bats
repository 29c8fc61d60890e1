#!/usr/bin/env bats
# --trace through the lab: c -- r1 -- r2 -- r3 -- d (lab.bash).  Hop
# addresses in order, the stop at the destination, unreachable marks from
# the router that sent them, giving up on a blackholed path, many targets
# at once, the constant checksum (Paris), ping sockets as nobody, MPLS
# labels and --names.

bats_require_minimum_version 1.5.0
load lab

setup_file()
{
	lab_up || return 1
	lab_nobody_up
}
teardown_file()	{ lab_down; }
setup()		{ lab_require_root; }
teardown()	{ responder_stop_all; }

R3_4=192.0.2.82
R3_6=2001:db8:26::2

# hops TARGET: the responders of each hop of TARGET, "ttl:addr,addr" lines.
hops()
{
	json_sel -r "select(.type == \"hop\" and .target == \"$1\") |
	    \"\(.ttl):\(.addrs | join(\",\"))\""
}

# trace_of TARGET: "reached hops stop" of TARGET's trace record.
trace_of()
{
	json_sel -r "select(.type == \"trace\" and .target == \"$1\") |
	    \"\(.reached) \(.hops) \(.stop)\""
}

@test "trace v4: three routers in order, then the destination" {
	run --separate-stderr mp --trace --json 198.19.0.1
	echo "$output"; echo "$stderr"
	[ "$status" -eq 0 ]
	[ "$(hops 198.19.0.1 | tr '\n' ' ')" = "1:$R1_4 2:$R2_4 3:$R3_4 4:198.19.0.1 " ]
	[ "$(trace_of 198.19.0.1)" = "true 4 reached" ]
	# Each printed hop: three probes, all answered, RTTs present.
	jall 'select(.type == "hop") | .lost == 0 and (.rtts_ms | length == 3 and all(. >= 0))'
	# Every probe of hops 1-4 was reported: time exceeded from the
	# routers, echo replies from the destination.
	[ "$(jcount '.type == "probe" and .ttl <= 3 and .icmp_type == 11 and .error == "ttl-exceeded"')" -eq 9 ]
	[ "$(jcount '.type == "probe" and .ttl == 4 and .icmp_type == 0 and .from == "198.19.0.1"')" -eq 3 ]
	[ "$(jcount '.type == "start" and .mode == "trace" and .max_hops == 30 and .queries == 3')" -eq 1 ]
	[ "$(jcount '.type == "end" and .answered == 1 and .exit_status == 0')" -eq 1 ]
}

@test "trace v6: three routers in order, then the destination" {
	run --separate-stderr mp --trace --json 2001:db8:f1::1
	echo "$output"; echo "$stderr"
	[ "$status" -eq 0 ]
	[ "$(hops 2001:db8:f1::1 | tr '\n' ' ')" = "1:$R1_6 2:$R2_6 3:$R3_6 4:2001:db8:f1::1 " ]
	[ "$(trace_of 2001:db8:f1::1)" = "true 4 reached" ]
	[ "$(jcount '.type == "probe" and .ttl <= 3 and .icmp_type == 3 and .error == "ttl-exceeded"')" -eq 9 ]
	[ "$(jcount '.type == "probe" and .ttl == 4 and .icmp_type == 129')" -eq 3 ]
}

@test "trace text: one line per hop in TTL order, then the verdict" {
	run --separate-stderr mp --trace 198.19.0.1 2001:db8:f1::1
	echo "$output"; echo "$stderr"
	[ "$status" -eq 0 ]
	local ms='  [0-9]+\.[0-9]{3} ms'
	grep -Ex "198\.19\.0\.1:  1  192\.0\.2\.1($ms){3}" <<<"$output"
	grep -Ex "198\.19\.0\.1:  3  192\.0\.2\.82($ms){3}" <<<"$output"
	grep -Ex "198\.19\.0\.1:  4  198\.19\.0\.1($ms){3}" <<<"$output"
	grep -Fx "198.19.0.1: reached in 4 hops" <<<"$output"
	grep -Ex "2001:db8:f1::1:  2  2001:db8:12::2($ms){3}" <<<"$output"
	grep -Fx "2001:db8:f1::1: reached in 4 hops" <<<"$output"
	# Per target, hops come out in order and nothing after the verdict.
	[ "$(grep '^198\.19\.0\.1: ' <<<"$output" | awk '{print $2}' | tr '\n' ' ')" = "1 2 3 4 reached " ]
	[ "$(grep -c . <<<"$output")" -eq 10 ]
}

@test "trace: --first-hop and --max-hops bound the hops; not reached is exit 1" {
	run --separate-stderr mp --trace --json --first-hop 2 --max-hops 3 198.19.0.2 2001:db8:f1::2
	echo "$output"; echo "$stderr"
	[ "$status" -eq 1 ]
	[ "$(hops 198.19.0.2 | tr '\n' ' ')" = "2:$R2_4 3:$R3_4 " ]
	[ "$(hops 2001:db8:f1::2 | tr '\n' ' ')" = "2:$R2_6 3:$R3_6 " ]
	[ "$(trace_of 198.19.0.2)" = "false 3 max-hops" ]
	[ "$(trace_of 2001:db8:f1::2)" = "false 3 max-hops" ]
	[ "$(jcount '.type == "probe" and .ttl == 1')" -eq 0 ]
	run --separate-stderr mp --trace --first-hop 2 --max-hops 3 198.19.0.2
	grep -Fx "198.19.0.2: not reached within 3 hops" <<<"$output"
}

@test "trace: unreachable routes stop at r3 with !H / !X / !N marks" {
	run --separate-stderr mp --trace --json 198.51.100.129 198.51.100.145 \
	    2001:db8:e:11::1 2001:db8:e:12::1
	echo "$output"; echo "$stderr"
	[ "$status" -eq 1 ]
	[ "$(hops 198.51.100.129 | tr '\n' ' ')" = "1:$R1_4 2:$R2_4 3:$R3_4 " ]
	[ "$(trace_of 198.51.100.129)" = "false 3 host-unreachable" ]
	[ "$(trace_of 198.51.100.145)" = "false 3 admin-prohibited" ]
	[ "$(trace_of 2001:db8:e:11::1)" = "false 3 no-route" ]
	[ "$(trace_of 2001:db8:e:12::1)" = "false 3 admin-prohibited" ]
	jall 'select(.type == "hop" and .addr == "198.51.100.129" and .ttl == 3) | .marks == ["!H","!H","!H"] and .froms == ["192.0.2.82","192.0.2.82","192.0.2.82"]'
	jall 'select(.type == "hop" and .addr == "198.51.100.145" and .ttl == 3) | .marks == ["!X","!X","!X"]'
	jall 'select(.type == "hop" and .addr == "2001:db8:e:11::1" and .ttl == 3) | .marks == ["!N","!N","!N"] and .addrs == ["2001:db8:26::2"]'
	jall 'select(.type == "hop" and .addr == "2001:db8:e:12::1" and .ttl == 3) | .marks == ["!X","!X","!X"]'
	# No hop beyond the router that said no.
	[ "$(jcount '.type == "hop" and .ttl > 3')" -eq 0 ]
}

@test "trace text: unreachable marks after each RTT, the reason at the end" {
	run --separate-stderr mp --trace 2001:db8:e:11::2
	echo "$output"; echo "$stderr"
	[ "$status" -eq 1 ]
	grep -Ex '2001:db8:e:11::2:  3  2001:db8:26::2(  [0-9.]+ ms !N){3}' <<<"$output"
	grep -Fx '2001:db8:e:11::2: stopped at hop 3: no-route' <<<"$output"
}

@test "trace: a blackholed path gives up after --max-timeouts silent hops" {
	run --separate-stderr mp --trace --json -t 300 --max-timeouts 3 \
	    198.51.100.161 2001:db8:e:13::1
	echo "$output"; echo "$stderr"
	[ "$status" -eq 1 ]
	[ "$(hops 198.51.100.161 | tr '\n' ' ')" = "1:$R1_4 2:$R2_4 3: 4: 5: " ]
	[ "$(hops 2001:db8:e:13::1 | tr '\n' ' ')" = "1:$R1_6 2:$R2_6 3: 4: 5: " ]
	[ "$(trace_of 198.51.100.161)" = "false 5 max-timeouts" ]
	[ "$(trace_of 2001:db8:e:13::1)" = "false 5 max-timeouts" ]
	jall 'select(.type == "hop" and .ttl >= 3) | .lost == 3 and .rtts_ms == [null,null,null]'
	run --separate-stderr mp --trace -t 300 --max-timeouts 3 198.51.100.162
	grep -Fx '198.51.100.162:  4  * * *' <<<"$output"
	grep -Fx "198.51.100.162: gave up after 3 silent hops (hop 5); last answer: hop 2, $R2_4" <<<"$output"
}

@test "trace: 20 targets take about the time of one" {
	local one twenty t t0
	t=$(seq 163 174 | sed 's/^/198.51.100./'; seq 1 8 | sed 's/^/2001:db8:e:13::/')
	# Blackholed paths: each trace waits out its silent hops.
	t0=$(date +%s%N)
	mp --trace -q -t 400 --max-timeouts 3 198.51.100.175 >/dev/null || true
	one=$((($(date +%s%N) - t0) / 1000000))
	t0=$(date +%s%N)
	mp --trace -q -t 400 --max-timeouts 3 $t >"$LAB_DIR/twenty.out" || true
	twenty=$((($(date +%s%N) - t0) / 1000000))
	echo "one: $one ms, twenty: $twenty ms"
	cat "$LAB_DIR/twenty.out"
	[ "$(grep -c 'gave up after 3 silent hops (hop 5)' "$LAB_DIR/twenty.out")" -eq 20 ]
	# Sequential tracing would take 20 times as long.
	[ "$twenty" -lt $((2 * one + 500)) ]
}

@test "trace: 1200 targets at -i 0 (batched sends): every trace complete, no probe lost" {
	local i j
	for i in 0 1 2 3; do
		for j in $(seq 1 250); do echo "198.19.$i.$j"; done
	done >"$LAB_DIR/t1200"
	for j in $(seq 1 200); do printf '2001:db8:f1::%x\n' "$j"; done \
	    >>"$LAB_DIR/t1200"
	# Three probes per hop, as given (a large run's default is one:
	# trace_scale.bats), and every probe of every trace: no stop set
	# (stopset.bats).
	run --separate-stderr mp --trace -i 0 --queries 3 --no-stop-set --json -f "$LAB_DIR/t1200"
	[ "$status" -eq 0 ]
	[ "$(jcount '.type == "trace" and .reached and .hops == 4')" -eq 1200 ]
	[ "$(jcount '.type == "probe"')" -eq $((1200 * 4 * 3)) ]
	[ "$(jcount '.type == "probe" and .from == null')" -eq 0 ]
	[ "$(jcount '.type == "hop" and .lost == 0')" -eq $((1200 * 4)) ]
}

@test "trace -c 3: three rounds per target, each complete, numbered in every record" {
	run --separate-stderr mp --trace -c 3 -p 50 --json 198.19.0.11 2001:db8:f1::11
	[ "$status" -eq 0 ]
	local t r
	for t in 198.19.0.11 2001:db8:f1::11; do
		for r in 0 1 2; do
			[ "$(jcount ".type == \"trace\" and .target == \"$t\" and .round == $r and .reached and .hops == 4")" -eq 1 ]
			[ "$(jcount ".type == \"hop\" and .target == \"$t\" and .round == $r and .lost == 0")" -eq 4 ]
			[ "$(jcount ".type == \"probe\" and .target == \"$t\" and .round == $r and .from != null")" -eq 12 ]
		done
	done
	[ "$(hops 198.19.0.11 | sort -u | tr '\n' ' ')" = "1:$R1_4 2:$R2_4 3:$R3_4 4:198.19.0.11 " ]
	# A round starts -p after the one before began (or as it ends, if it
	# took longer): never before the one before has ended.  A round's
	# start: its first probe's send time, a probe record's time less its
	# RTT (at most later: the record's time is when its answer was
	# handled, so the bound allows 5 ms of it).
	local starts
	for t in 198.19.0.11 2001:db8:f1::11; do
		starts=$(json_sel -s --arg t "$t" '[.[] | select(.target == $t)] |
		    [range(3) as $r | [.[] | select(.round == $r)] |
		    { start: ([.[] | select(.type == "probe" and .from != null) |
		      .time - .rtt_ms / 1000] | min),
		      end: ([.[] | select(.type == "trace")] | first.time) }]')
		echo "$t: $starts"
		jq -e '.[1].start - .[0].start >= 0.045 and
		    .[2].start - .[1].start >= 0.045 and
		    .[1].start > .[0].end and .[2].start > .[1].end' <<<"$starts"
	done
	run --separate-stderr mp --trace -c 2 -p 50 198.19.0.11
	[ "$status" -eq 0 ]
	[ "$(grep -c '^198\.19\.0\.11:  4  198\.19\.0\.11 ' <<<"$output")" -eq 2 ]
	grep -Fx "198.19.0.11: reached in 4 hops (round 1)" <<<"$output"
	grep -Fx "198.19.0.11: reached in 4 hops (round 2)" <<<"$output"
}

@test "trace -c: answers after the timeout count in no round" {
	# The target answers 300 ms late; probes time out after 100 ms and a
	# new round starts 10 ms after one ends, while the old answers are
	# still on their way.
	responder_start late --addr 203.0.113.72 --delay 300
	run --separate-stderr mp --trace -c 3 -p 10 -t 100 --first-hop 3 --max-hops 3 --json 203.0.113.72
	echo "$output"
	[ "$(jcount '.type == "probe" and .ttl == 3 and .from == null')" -eq 9 ]
	[ "$(jcount '.type == "probe" and .from != null')" -eq 0 ]
	[ "$(jcount '.type == "trace" and .reached == false')" -eq 3 ]
}

@test "trace: probes 0.1 ms apart by default, -i and --rate still rule" {
	run --separate-stderr mp --trace --json 198.19.0.12
	[ "$status" -eq 0 ]
	[ "$(json_sel 'select(.type == "start") | .interval_ms == 0.1')" = true ]
	local t0 ms
	t0=$(date +%s%N)
	run --separate-stderr mp --trace --json -i 2 198.19.0.12
	ms=$((($(date +%s%N) - t0) / 1000000))
	[ "$(json_sel 'select(.type == "start") | .interval_ms == 2')" = true ]
	# 4 hops x 3 probes, 2 ms apart: 22 ms of sending, 15 even if a stall
	# lets two probes go back to back (a lower bound: slowness adds to it).
	echo "took $ms ms"
	[ "$ms" -ge 15 ]
	run --separate-stderr mp --trace --json --rate 100 198.19.0.12
	[ "$(json_sel 'select(.type == "start") | .interval_ms == 10')" = true ]
}

# Record on r1 (before its TTL check) the TTL and ICMP checksum of every
# echo request that arrives from the client: nftables dynamic sets keep
# each distinct (ttl, checksum) pair once.
paris_watch()
{
	lab_exec r1 nft -f - <<-'EOF'
	table inet paris {
		set c4 { typeof ip ttl . icmp checksum; flags dynamic; }
		set c6 { typeof ip6 hoplimit . icmpv6 checksum; flags dynamic; }
		chain pre {
			type filter hook prerouting priority -300; policy accept;
			icmp type echo-request add @c4 { ip ttl . icmp checksum }
			icmpv6 type echo-request add @c6 { ip6 hoplimit . icmpv6 checksum }
		}
	}
	EOF
}

# paris_seen SET: "ttl checksum" lines seen, sorted by TTL.
paris_seen()
{
	lab_exec r1 nft -j list set inet paris "$1" |
	    jq -r '.nftables[] | select(.set) | .set.elem[]? | .concat | "\(.[0]) \(.[1])"' |
	    sort -n
}

paris_unwatch()
{
	lab_exec r1 nft delete table inet paris 2>/dev/null || true
}

@test "trace: every probe of a trace has the same ICMP checksum (Paris)" {
	paris_unwatch
	paris_watch
	run --separate-stderr mp --trace --flow 4660 198.19.0.3 2001:db8:f1::3
	echo "$output"
	[ "$status" -eq 0 ]
	paris_seen c4; paris_seen c6
	# IPv4: probes at TTL 1 to 4 (at least), all with checksum 0x1234
	# = 4660, as --flow asked.
	[ "$(paris_seen c4 | awk '{print $1}' | head -4 | tr '\n' ' ')" = "1 2 3 4 " ]
	[ "$(paris_seen c4 | awk '{print $2}' | sort -u)" = 4660 ]
	# IPv6: the kernel adds the pseudo-header, but one checksum for the
	# whole trace all the same.
	[ "$(paris_seen c6 | awk '{print $1}' | head -4 | tr '\n' ' ')" = "1 2 3 4 " ]
	[ "$(paris_seen c6 | awk '{print $2}' | sort -u | wc -l)" -eq 1 ]
	# Another flow, another checksum; the default flow is 0.
	paris_unwatch
	paris_watch
	run --separate-stderr mp --trace --flow 7 198.19.0.3
	[ "$(paris_seen c4 | awk '{print $2}' | sort -u)" = 7 ]
	paris_unwatch
	paris_watch
	run --separate-stderr mp --trace 198.19.0.3
	[ "$(paris_seen c4 | awk '{print $2}' | sort -u)" = 0 ]
	paris_unwatch
}

@test "trace as nobody: ping sockets, errors from the error queue (v4, v6)" {
	run --separate-stderr nobody --trace --json 198.19.0.4 2001:db8:f1::4
	echo "$output"; echo "$stderr"
	[ "$status" -eq 0 ]
	[ "$(hops 198.19.0.4 | tr '\n' ' ')" = "1:$R1_4 2:$R2_4 3:$R3_4 4:198.19.0.4 " ]
	[ "$(hops 2001:db8:f1::4 | tr '\n' ' ')" = "1:$R1_6 2:$R2_6 3:$R3_6 4:2001:db8:f1::4 " ]
	[ "$(jcount '.type == "probe" and .error == "ttl-exceeded"')" -eq 18 ]
}

@test "trace: MPLS labels of a crafted time exceeded are shown on the hop" {
	# The responder plays a label-switching router one hop in front of
	# itself: requests arriving with TTL 1 get time exceeded with an
	# RFC 4950 label stack, the others echo replies.
	# (Time exceeded is type 11 in ICMPv4, type 3 in ICMPv6.)
	responder_start mpls4 --addr 203.0.113.70 --error 11,0 --error-ttl 1 \
	    --mpls 24001
	responder_start mpls6 --addr 2001:db8:fd::70 --error 3,0 --error-ttl 1 \
	    --mpls 24001
	run --separate-stderr mp --trace --json 203.0.113.70 2001:db8:fd::70
	echo "$output"; echo "$stderr"
	[ "$status" -eq 0 ]
	[ "$(hops 203.0.113.70 | tr '\n' ' ')" = "1:$R1_4 2:$R2_4 3:203.0.113.70 4:203.0.113.70 " ]
	jall 'select(.type == "hop" and .ttl == 3) | .mpls[0].label == 24001 and .mpls[0].s == 1'
	jall 'select(.type == "hop" and .ttl != 3) | .mpls == null'
	[ "$(trace_of 2001:db8:fd::70)" = "true 4 reached" ]
	run --separate-stderr mp --trace 203.0.113.70
	grep -E '^203\.0\.113\.70:  3  203\.0\.113\.70(  [0-9.]+ ms){3} \[MPLS label=24001 tc=0 s=1 ttl=1\]$' <<<"$output"
}

@test "trace: routers that quote only 8 bytes (RFC 792) still match" {
	responder_start q8v4 --addr 203.0.113.71 --error 11,0 --error-ttl 2 \
	    --quote 8
	responder_start q8v6 --addr 2001:db8:fd::71 --error 3,0 --error-ttl 2 \
	    --quote 8
	run --separate-stderr mp --trace --json 203.0.113.71 2001:db8:fd::71
	echo "$output"; echo "$stderr"
	[ "$status" -eq 0 ]
	[ "$(hops 203.0.113.71 | tr '\n' ' ')" = "1:$R1_4 2:$R2_4 3:203.0.113.71 4:203.0.113.71 5:203.0.113.71 " ]
	[ "$(hops 2001:db8:fd::71 | tr '\n' ' ')" = "1:$R1_6 2:$R2_6 3:2001:db8:fd::71 4:2001:db8:fd::71 5:2001:db8:fd::71 " ]
	jall 'select(.type == "hop") | .lost == 0'
}

@test "trace --names: hop names from the hosts file, never blocking" {
	run --separate-stderr mp --trace --names --json 198.19.0.5
	echo "$output"; echo "$stderr"
	[ "$status" -eq 0 ]
	jall 'select(.type == "hop" and .ttl == 1) | .names == ["lab-r1"]'
	jall 'select(.type == "hop" and .ttl == 2) | .names == [null]'
	run --separate-stderr mp --trace --names 198.19.0.5
	grep -E '^198\.19\.0\.5:  1  lab-r1 \(192\.0\.2\.1\)(  [0-9.]+ ms){3}$' <<<"$output"
	grep -E '^198\.19\.0\.5:  2  192\.0\.2\.18(  [0-9.]+ ms){3}$' <<<"$output"
}

@test "trace: CSV has one layout, list cells joined by spaces" {
	run --separate-stderr mp --trace --csv 198.19.0.6
	echo "$output"
	[ "$status" -eq 0 ]
	head -1 <<<"$output" | grep -F 'type,time,target,addr,ttl,probe,from,rtt_ms,icmp_type,icmp_code,error,mtu,addrs,names,froms,rtts_ms,marks,lost,mpls,reached,hops,stop'
	python3 - "$output" <<-'EOF'
	import csv, io, sys
	rows = list(csv.reader(io.StringIO(sys.argv[1]), strict=True))
	head = rows[0]
	assert all(len(r) == len(head) for r in rows), "ragged rows"
	hops = [dict(zip(head, r)) for r in rows[1:] if r[0] == "hop"]
	assert [h["addrs"] for h in hops] == ["192.0.2.1", "192.0.2.18", "192.0.2.82", "198.19.0.6"], hops
	assert all(len(h["rtts_ms"].split(" ")) == 3 for h in hops)
	EOF
}

@test "trace: -q prints only the verdicts; usage errors for ping-only options" {
	run --separate-stderr mp --trace -q 198.19.0.7 2001:db8:f1::7
	[ "$status" -eq 0 ]
	[ "$output" = "198.19.0.7: reached in 4 hops
2001:db8:f1::7: reached in 4 hops" ]
	run --separate-stderr mp --trace -r 2 198.19.0.7
	[ "$status" -eq 3 ]
	[ "$stderr" = "mping: -r: not an option of --trace" ]
	run --separate-stderr mp --max-hops 3 198.19.0.7
	[ "$status" -eq 3 ]
	[ "$stderr" = "mping: --max-hops needs --trace" ]
	run --separate-stderr mp --trace --first-hop 9 --max-hops 3 198.19.0.7
	[ "$status" -eq 3 ]
	run --separate-stderr mp --trace --queries 11 198.19.0.7
	[ "$status" -eq 3 ]
	grep -F 'expected a whole number from 1 to 10' <<<"$stderr"
	run --separate-stderr mp --trace --progress 198.19.0.7
	[ "$status" -eq 3 ]
	[ "$stderr" = "mping: --progress: not an option of --trace" ]
}

@test "trace: SIGINT ends every trace with what it has" {
	ip netns exec "$LAB-c" "$MPING" --trace --json -t 3000 --max-timeouts 9 \
	    198.51.100.164 >"$LAB_DIR/int.out" </dev/null &
	local pid=$!
	sleep 1
	kill -INT "$pid"
	wait "$pid" || true
	output=$(cat "$LAB_DIR/int.out")
	echo "$output"
	[ "$(hops 198.51.100.164 | tr '\n' ' ')" = "1:$R1_4 2:$R2_4 " ]
	[ "$(trace_of 198.51.100.164)" = "false 2 interrupted" ]
	[ "$(jcount '.type == "end" and .exit_status == 1')" -eq 1 ]
}

@test "trace --df: a small MTU stops the trace with !F-1280 (v4, v6)" {
	run --separate-stderr mp --trace --df -s 1300 --json 203.0.113.150 2001:db8:fe::50
	echo "$output"; echo "$stderr"
	[ "$status" -eq 1 ]
	# r2 says it at hop 3: its link towards m has MTU 1280.  Every probe
	# gets its own answer (IPv6: --df sends past a learnt path MTU too).
	jall 'select(.type == "hop" and .ttl == 3) | .marks == ["!F-1280","!F-1280","!F-1280"]'
	[ "$(jcount '.type == "hop" and .ttl == 3 and .addrs == ["192.0.2.18"]')" -eq 1 ]
	[ "$(jcount '.type == "hop" and .ttl == 3 and .addrs == ["2001:db8:12::2"]')" -eq 1 ]
	[ "$(trace_of 203.0.113.150)" = "false 3 fragmentation-needed" ]
	[ "$(trace_of 2001:db8:fe::50)" = "false 3 packet-too-big" ]
	[ "$(jcount '.type == "probe" and .ttl == 3 and .mtu == 1280')" -eq 6 ]
}

@test "trace: a local reject route stops at hop 1, reported as local" {
	run --separate-stderr mp --trace --json 192.0.2.226 2001:db8:c:2::2
	echo "$output"; echo "$stderr"
	[ "$status" -eq 1 ]
	jall 'select(.type == "hop") | .ttl == 1 and .addrs == ["local"]'
	[ "$(trace_of 192.0.2.226)" = "false 1 host-unreachable" ]
	[ "$(trace_of 2001:db8:c:2::2)" = "false 1 admin-prohibited" ]
	run --separate-stderr mp --trace 192.0.2.226
	grep -Fx '192.0.2.226:  1  local !H !H !H' <<<"$output"
}

@test "trace --names: a silent DNS server delays hop lines, never the probing" {
	# A DNS server that never answers: each reverse lookup of an address
	# not in the hosts file waits out the resolver's 1 s timeout.
	ip netns exec "$LAB-c" python3 -c 'import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 53))
time.sleep(8)' &
	local dns=$! t0 ms i
	# Wait until it listens: a refused query fails at once.
	for i in $(seq 50); do
		ip netns exec "$LAB-c" ss -Hlun 'sport = :53' | grep -q . && break
		sleep 0.1
	done
	t0=$(date +%s%N)
	run --separate-stderr mp --trace --names --json 198.19.0.8 2001:db8:f1::8
	ms=$((($(date +%s%N) - t0) / 1000000))
	kill "$dns" 2>/dev/null || true
	echo "$output"; echo "$stderr"; echo "took $ms ms"
	[ "$status" -eq 0 ]
	[ "$(trace_of 198.19.0.8)" = "true 4 reached" ]
	[ "$(trace_of 2001:db8:f1::8)" = "true 4 reached" ]
	jall 'select(.type == "hop" and .ttl == 2) | .names == [null]'
	# Every probe had its answer long before the names came back...
	local last_probe first_hop
	last_probe=$(json_sel -s '[.[] | select(.type == "probe") | .time] | max')
	first_hop=$(json_sel -s '[.[] | select(.type == "hop" and .ttl > 1) | .time] | min')
	awk -v p="$last_probe" -v h="$first_hop" 'BEGIN { exit !(h - p > 0.5) }'
	# ...and the 7 lookups ran side by side, not one after another.
	[ "$ms" -lt 4000 ]
}
