#!/usr/bin/env bats
# fping_engine.bats: the fping options that needed the engine (issue 14):
# --icmp-timestamp, --print-tos, --print-ttl, -k/--fwmark, and mping's own
# --icmp-timestamp and --fwmark.  A lab of its own:
#
#   c ---- t
#
# c   192.0.2.1/24, 2001:db8::1/64; 198.51.100.0/24 via t; nftables counts
#     what leaves c by ICMP type and by mark 42
# t   192.0.2.2/24, 2001:db8::2/64; TTL 77, hop limit 66; rejects
#     198.51.100.0/24 (unreachable route: ICMP host unreachable); its
#     kernel answers echo and timestamp requests.  For 192.0.2.3-5 a
#     forger (Python, raw socket) answers timestamp requests with TTL 200
#     (c drops the kernel's own replies from them, TTL 77): .3 with the
#     originate changed, .4 with it copied (what an on-path copier can
#     do), .5 with it copied but for the next seq
#
# Our fping is a link named fping to mping.  Debian's fping 5.1 has none
# of these options (5.2 has -k, 5.3 the others): lines are compared with
# fping's own format strings, numbers as numbers.

bats_require_minimum_version 1.5.0

. "${BATS_TEST_DIRNAME}/netns.bash"

MPING="${MPING:-$BATS_TEST_DIRNAME/../mping}"
T4=192.0.2.2 T6=2001:db8::2 UNR=198.51.100.9

fe_exec()
{
	local node=$1
	shift
	ip netns exec "$FE-$node" "$@"
}

_fe_build()
{
	local n etc

	for n in c t; do
		netns_add "$FE_DIR" "$FE-$n" && netns_defaults "$FE-$n" ||
		    return 1
		etc=$(netns_etc "$FE_DIR" "$FE-$n") || return 1
		printf 'nameserver 127.0.0.1\n' >"$etc/resolv.conf"
		printf '127.0.0.1 localhost\n' >"$etc/hosts"
	done
	netns_sysctl "$FE-t" net.ipv4.ip_default_ttl=77 \
	    net.ipv4.ip_forward=1 &&
	netns_sysctl "$FE-c" net.ipv4.ping_group_range="0 2147483647" &&
	ip -n "$FE-c" link add eth0 type veth peer name eth0 netns "$FE-t" &&
	ip -n "$FE-c" link set eth0 up && ip -n "$FE-t" link set eth0 up &&
	netns_sysctl "$FE-t" net.ipv6.conf.eth0.hop_limit=66 &&
	netns_addrs "$FE-c" eth0 192.0.2.1/24 2001:db8::1/64 &&
	netns_addrs "$FE-t" eth0 $T4/24 $T6/64 192.0.2.3/24 192.0.2.4/24 \
	    192.0.2.5/24 &&
	ip -n "$FE-c" route add 198.51.100.0/24 via $T4 &&
	ip -n "$FE-t" route add unreachable 198.51.100.0/24 || return 1
	fe_exec c nft -f - <<-'NFT'
	table inet fe {
		counter ts { }
		counter echo { }
		counter marked { }
		chain out {
			type filter hook output priority 0; policy accept;
			icmp type timestamp-request counter name ts
			icmp type echo-request counter name echo
			meta mark 42 counter name marked
		}
		chain in {
			type filter hook input priority 0; policy accept;
			ip saddr 192.0.2.3-192.0.2.5 ip ttl 77 icmp type timestamp-reply drop
		}
	}
	NFT
	cat >"$FE_DIR/forger.py" <<-'PY'
	import socket, struct, sys
	def cksum(b):
	    if len(b) % 2:
	        b += b"\0"
	    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
	    while s >> 16:
	        s = (s & 0xffff) + (s >> 16)
	    return ~s & 0xffff
	s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
	s.setsockopt(socket.IPPROTO_IP, socket.IP_HDRINCL, 1)
	open(sys.argv[1], "w").write("ready\n")
	while True:
	    p, _ = s.recvfrom(2048)
	    hl = (p[0] & 15) * 4
	    src, dst, m = p[12:16], p[16:20], p[hl:]
	    last = dst[3]
	    if m[0] != 13 or len(m) < 20 or last not in (3, 4, 5):
	        continue
	    ident, seq, orig = struct.unpack("!HHI", m[4:12])
	    if last == 3:
	        orig ^= 1
	    if last == 5:
	        seq = (seq + 1) & 0xffff
	    body = struct.pack("!BBHHHIII", 14, 0, 0, ident, seq, orig, 1, 2)
	    body = body[:2] + struct.pack("!H", cksum(body)) + body[4:]
	    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(body), 0, 0,
	        200, 1, 0, dst, src)
	    s.sendto(ip + body, (socket.inet_ntoa(src), 0))
	PY
}

_fe_forger()
{
	local i
	fe_exec t python3 "$FE_DIR/forger.py" "$FE_DIR/forger.ready" \
	    >"$FE_DIR/forger.log" 2>&1 </dev/null 3>&- &
	echo $! >"$FE_DIR/forger.pid"
	for i in $(seq 50); do
		[ -s "$FE_DIR/forger.ready" ] && return 0
		sleep 0.1
	done
	return 1
}

_fe_lab()	{ _fe_build && _fe_forger; }

setup_file()
{
	netns_lab_up FE fe _fe_lab || return 1
	netns_is_root || return 0
	mkdir -p "$FE_DIR/bin" &&
	ln -s "$(cd "$(dirname "$MPING")" && pwd)/mping" "$FE_DIR/bin/fping"
}

teardown_file()	{ netns_lab_down FE; }

setup()
{
	netns_is_root || skip "needs root"
	[ -n "${FE:-}" ] || skip "lab not built"
	fe_exec c nft reset counters table inet fe >/dev/null
}

# fp ARGS...: our fping in c; $output stdout, $stderr stderr.
fp()
{
	run --separate-stderr fp_timeout ip netns exec "$FE-c" \
	    "$FE_DIR/bin/fping" "$@"
	printf 'stdout:\n%s\nstderr:\n%s\nstatus: %s\n' "$output" \
	    "${stderr:-}" "$status"
}

# counted NAME: packets nftables counted in c's counter NAME.
counted()
{
	fe_exec c nft -j list counter inet fe "$1" |
	    jq '.nftables[] | select(.counter) | .counter.packets'
}

# ms_now: milliseconds since midnight UTC now.
ms_now()
{
	echo $(( $(date +%s%3N) % 86400000 ))
}

# near A B: two times of day in ms at most 2 s apart (clocks are shared).
near()
{
	local d=$(( $1 - $2 ))
	[ "${d#-}" -le 2000 ]
}

TSRE='^192\.0\.2\.2 : \[([01])\], 20 bytes, [0-9.]+ ms \([0-9.]+ avg, 0% loss\), timestamps: Originate=([0-9]+) Receive=([0-9]+) Transmit=([0-9]+) Localreceive=([0-9]+)$'

@test "fping --icmp-timestamp -c 2: timestamp requests only, fping's reply lines, times of day" {
	local before line
	before=$(ms_now)
	fp --icmp-timestamp -c 2 -p 100 $T4
	[ "$status" -eq 0 ]
	[ "$(wc -l <<<"$output")" -eq 2 ]
	for line in "${lines[@]}"; do
		[[ $line =~ $TSRE ]]
		near "${BASH_REMATCH[2]}" "$before"
		near "${BASH_REMATCH[3]}" "${BASH_REMATCH[2]}"
		near "${BASH_REMATCH[5]}" "${BASH_REMATCH[4]}"
		# Our send, their receive and transmit, our receive: in order
		# (one clock, to the millisecond).
		[ "${BASH_REMATCH[2]}" -le "${BASH_REMATCH[3]}" ]
		[ "${BASH_REMATCH[3]}" -le "${BASH_REMATCH[4]}" ]
		[ "${BASH_REMATCH[4]}" -le "${BASH_REMATCH[5]}" ]
	done
	[[ ${lines[0]} == "192.0.2.2 : [0], "* ]]
	[[ ${lines[1]} == "192.0.2.2 : [1], "* ]]
	[[ $stderr =~ ^"192.0.2.2 : xmt/rcv/%loss = 2/2/0%, min/avg/max = "[0-9.]+/[0-9.]+/[0-9.]+$ ]]
	[ "$(counted ts)" -eq 2 ]
	[ "$(counted echo)" -eq 0 ]
}

@test "fping --icmp-timestamp: alive forms (', timestamps' after 'is alive', none of the comma with -a)" {
	fp --icmp-timestamp $T4
	[ "$status" -eq 0 ]
	[[ $output =~ ^"192.0.2.2 is alive, timestamps: Originate="[0-9]+" Receive="[0-9]+" Transmit="[0-9]+" Localreceive="[0-9]+$ ]]
	fp -a --icmp-timestamp --print-ttl $T4
	[ "$status" -eq 0 ]
	[[ $output =~ ^"192.0.2.2 timestamps: Originate="[0-9]+" Receive="[0-9]+" Transmit="[0-9]+" Localreceive="[0-9]+" (TTL 77)"$ ]]
	[ "$(counted ts)" -eq 2 ]
}

@test "fping --icmp-timestamp: an ICMP error quoting our request is reported, the target unreachable" {
	fp --icmp-timestamp -r 0 -t 200 $UNR
	[ "$status" -eq 1 ]
	[ "$output" = "$UNR is unreachable" ]
	[ "$stderr" = "ICMP Host Unreachable from $T4 for ICMP Echo sent to $UNR" ]
	[ "$(counted ts)" -eq 1 ]
}

@test "fping --icmp-timestamp: a reply is credited only with the keyed originate of its own seq" {
	fp --icmp-timestamp -r 1 -t 300 192.0.2.3 192.0.2.4 192.0.2.5
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "192.0.2.4 is alive, timestamps: Originate=${lines[0]#*Originate=}" ]
	[[ ${lines[0]} == *" Receive=1 Transmit=2 Localreceive="* ]]
	[ "${lines[1]}" = "192.0.2.3 is unreachable" ]
	[ "${lines[2]}" = "192.0.2.5 is unreachable" ]
	[ "${#lines[@]}" -eq 3 ]
	# 1 to .4; 2 (a retry) to .3 and .5
	[ "$(counted ts)" -eq 5 ]
}

@test "fping --icmp-timestamp: IPv4 only, fixed size: fping's checks and words" {
	fp -6 --icmp-timestamp $T6
	[ "$status" -eq 1 ]
	[ "$stderr" = "$FE_DIR/bin/fping: ICMP Timestamp is IPv4 only" ]
	fp --icmp-timestamp -6 $T6
	[ "$status" -eq 1 ]
	[ "$stderr" = "$FE_DIR/bin/fping: can't specify both -4 and -6" ]
	fp --icmp-timestamp -b 56 $T4
	[ "$status" -eq 1 ]
	[ "$stderr" = "$FE_DIR/bin/fping: cannot change ICMP Timestamp size" ]
	[ "$(counted ts)" -eq 0 ]
}

@test "mping --icmp-timestamp: reply records with originate, receive, transmit; refusals" {
	run fp_timeout ip netns exec "$FE-c" "$MPING" --icmp-timestamp -c 3 \
	    -p 100 --json $T4
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(jcount '.type == "reply" and .size == 20 and .ttl == 77 and .tos == 0 and .originate <= .receive and .receive <= .transmit and .transmit <= .localreceive')" -eq 3 ]
	[ "$(jcount '.type == "summary" and .sent == 3 and .received == 3')" -eq 1 ]
	[ "$(counted ts)" -eq 3 ]
	[ "$(counted echo)" -eq 0 ]
	run "$MPING" --icmp-timestamp -6 ::1
	[ "$status" -eq 3 ]
	[ "$output" = "mping: --icmp-timestamp: ICMP timestamps are IPv4 only" ]
	run "$MPING" --icmp-timestamp --udp 127.0.0.1
	[ "$status" -eq 3 ]
	run "$MPING" --icmp-timestamp --trace 127.0.0.1
	[ "$status" -eq 3 ]
}

@test "fping --print-ttl --print-tos: the reply's TTL and TOS from the IP header (raw socket)" {
	fp --print-tos --print-ttl -O 0x20 $T4
	[ "$status" -eq 0 ]
	[ "$output" = "192.0.2.2 is alive (TOS 32) (TTL 77)" ]
	fp --print-ttl -c 1 $T4
	[ "$status" -eq 0 ]
	[[ $output =~ ^"192.0.2.2 : [0], 64 bytes, "[0-9.]+" ms ("[0-9.]+" avg, 0% loss) (TTL 77)"$ ]]
	fp -e --print-ttl $T4
	[[ $output =~ ^"192.0.2.2 is alive (TTL 77) ("[0-9.]+" ms)"$ ]]
}

@test "fping --print-ttl --print-tos: IPv6 hop limit and traffic class from control messages" {
	fp --print-tos --print-ttl -O 0x28 $T6
	[ "$status" -eq 0 ]
	[ "$output" = "2001:db8::2 is alive (TOS 40) (TTL 66)" ]
}

@test "fping --print-ttl --print-tos: ping sockets (no privilege) read them from control messages" {
	run --separate-stderr fp_timeout ip netns exec "$FE-c" setpriv \
	    --reuid=65534 --regid=65534 --clear-groups -- \
	    "$FE_DIR/bin/fping" --print-tos --print-ttl -O 0x10 $T4 $T6
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "192.0.2.2 is alive (TOS 16) (TTL 77)" ]
	[ "${lines[1]}" = "2001:db8::2 is alive (TOS 16) (TTL 66)" ]
}

@test "mping records: tos in JSON and as CSV's last column" {
	run fp_timeout ip netns exec "$FE-c" "$MPING" --tos 8 -c 1 --json $T4
	[ "$status" -eq 0 ]
	[ "$(jcount '.type == "reply" and .tos == 8 and .ttl == 77')" -eq 1 ]
	run fp_timeout ip netns exec "$FE-c" "$MPING" --tos 8 -c 1 --csv $T4
	echo "$output"
	[ "$status" -eq 0 ]
	# RFC 4180: CRLF
	[[ ${lines[0]} == *$',method,tos\r' ]]
	[[ ${lines[2]} == reply,*$',icmp,8\r' ]]
}

@test "fping -k 42: every probe leaves marked (nftables counts them)" {
	fp -k 42 -c 3 -p 100 -q $T4
	[ "$status" -eq 0 ]
	[ "$(counted echo)" -eq 3 ]
	[ "$(counted marked)" -eq 3 ]
	fp --fwmark=42 --icmp-timestamp $T4
	[ "$status" -eq 0 ]
	[ "$(counted marked)" -eq 4 ]
	fp $T4
	[ "$(counted marked)" -eq 4 ]
}

@test "fping -k: 0 is a usage error; without CAP_NET_ADMIN and CAP_NET_RAW (Linux 5.17 lets either set a mark) fping's perror, and the run goes on unmarked" {
	fp -k 0 $T4
	[ "$status" -eq 1 ]
	[[ ${stderr} == "Usage: "* ]]
	run --separate-stderr fp_timeout ip netns exec "$FE-c" capsh \
	    --drop=cap_net_admin,cap_net_raw -- -c "exec $FE_DIR/bin/fping -4 -k 42 $T4"
	echo "$output / $stderr"
	[ "$status" -eq 0 ]
	[ "$output" = "192.0.2.2 is alive" ]
	[ "$stderr" = "fwmark ipv4: Operation not permitted" ]
	[ "$(counted marked)" -eq 0 ]
	[ "$(counted echo)" -eq 1 ]
}

@test "mping --fwmark 42: marked probes; refused without CAP_NET_ADMIN and CAP_NET_RAW" {
	run fp_timeout ip netns exec "$FE-c" "$MPING" --fwmark 42 -c 2 -p 100 \
	    -q $T4 $T6
	[ "$status" -eq 0 ]
	[ "$(counted marked)" -eq 4 ]
	run fp_timeout ip netns exec "$FE-c" capsh --drop=cap_net_admin,cap_net_raw -- \
	    -c "exec $MPING --fwmark 42 -c 1 $T4"
	echo "$output"
	[ "$status" -eq 4 ]
	[[ $output == *"--fwmark 42: Operation not permitted"* ]]
	[ "$(counted marked)" -eq 4 ]
	run "$MPING" --fwmark 0 127.0.0.1
	[ "$status" -eq 3 ]
}

# codec GROUP: tests/codec_test.c's group GROUP (no network) passes.
codec()
{
	local bin=$BATS_FILE_TMPDIR/codec_test
	[ -x "$bin" ] || (cd "$BATS_TEST_DIRNAME/.." &&
	    cc -D_GNU_SOURCE -Isrc -o "$bin" tests/codec_test.c \
	    src/icmp_common.c src/icmp4.c src/icmp6.c src/tag.c src/l4.c)
	run "$bin" "$1"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "ok - $1" ]
}

@test "codec: ICMP timestamp request built, reply read (timestamps, TOS, TTL), short or coded refused" {
	codec timestamp4
}

@test "codec: the originate MAC depends on key, address, id and seq" {
	codec tag-mac32
}
