#!/usr/bin/env bats
# What IPv4 probes carry on the wire: the DF bit and the IP ID (issue 17).
# As root (raw sockets) probes of at most 576 bytes go with DF and IP ID 0,
# which spares the kernel its shared ID table; bigger ones go without DF
# (a small link fragments them) unless --df; ping sockets (nobody) keep
# sending without DF, so their kernel drops a forged "fragmentation needed".
#
# A lab of its own, tagged "mdf":
#
#	c (client) c0 ---- e0 e (echo: the kernel answers 203.0.113.0/24)
#
#	c0 198.51.100.1/24, e0 198.51.100.2/24
#	c: 203.0.113.0/24 via e; e: local 203.0.113.0/24 dev lo

load netns
bats_require_minimum_version 1.5.0

MDF_REPO="$(cd "$BATS_TEST_DIRNAME/.." && pwd)"
MPING="${MPING:-$MDF_REPO/mping}"

_mdf_build()
{
	local n etc

	for n in c e; do
		netns_add "$MDF_DIR" "$MDF-$n" &&
		netns_defaults "$MDF-$n" || return 1
		etc=$(netns_etc "$MDF_DIR" "$MDF-$n") || return 1
		printf '127.0.0.1\tlocalhost\n' >"$etc/hosts"
		printf 'nameserver 127.0.0.1\n' >"$etc/resolv.conf"
	done
	ip -n "$MDF-c" link add c0 type veth peer name e0 netns "$MDF-e" &&
	ip -n "$MDF-c" addr add 198.51.100.1/24 dev c0 &&
	ip -n "$MDF-e" addr add 198.51.100.2/24 dev e0 &&
	ip -n "$MDF-c" link set c0 up &&
	ip -n "$MDF-e" link set e0 up &&
	ip -n "$MDF-c" route add 203.0.113.0/24 via 198.51.100.2 &&
	ip -n "$MDF-e" route add local 203.0.113.0/24 dev lo &&
	netns_sysctl "$MDF-c" net.ipv4.ping_group_range="0 65534" &&
	netns_nobody_copy "$MDF_DIR" "$MPING"
}

setup_file()	{ netns_lab_up MDF mdf _mdf_build; }
teardown_file()	{ netns_lab_down MDF; }

setup()
{
	netns_is_root || skip "needs root (network namespaces)"
}

# wire NAME WHO ARGS...: mping ARGS (as root, or as nobody) in the client
# while tcpdump reads c0; the probes' IP headers, one line each ("DF 0"),
# go to $MDF_DIR/NAME.hdr, the run's JSON to $output.
wire()
{
	local name=$1 who=$2 pcap=$MDF_DIR/$1.pcap
	shift 2
	netns_capture_start "$MDF-c" c0 "$pcap" \
	    'ip and dst net 203.0.113.0/24 and (icmp or udp)' || return 1
	if [ "$who" = nobody ]; then
		run --separate-stderr netns_nobody "$MDF-c" "$MDF_DIR/bin/mping" \
		    --json "$@"
	else
		run --separate-stderr ip netns exec "$MDF-c" "$MPING" --json \
		    "$@" </dev/null
	fi
	netns_capture_stop
	# "IP (tos 0x0, ttl 64, id 0, offset 0, flags [DF], ...": the flags
	# and the id of every first fragment (offset 0).
	tcpdump -nn -v -r "$pcap" 2>/dev/null |
	    sed -n 's/^.*IP (.* id \([0-9]*\), offset 0, flags \[\([^]]*\)\].*$/\2 \1/p' \
	    >"$MDF_DIR/$name.hdr"
}

# hdrs NAME: how many probes had each "FLAGS ID" (IDs other than 0 as "n").
hdrs()
{
	awk '{ print $1, ($2 == 0 ? 0 : "n") }' "$MDF_DIR/$1.hdr" |
	    sort | uniq -c | awk '{ print $1, $2, $3 }'
}

# sent NAME HDRS: the run `wire NAME` made ended with status 0, and its
# probes' headers counted as hdrs counts them were HDRS.
sent()
{
	echo "$output"; echo "$stderr"; cat "$MDF_DIR/$1.hdr"
	[ "$status" -eq 0 ]
	[ "$(hdrs "$1")" = "$2" ]
}

@test "root, default size: 6 ICMP probes to 3 targets go with DF and IP ID 0, all answered" {
	wire small root -c 2 -p 100 203.0.113.1 203.0.113.2 203.0.113.3
	sent small "6 DF 0"
	[ "$(jcount '.type == "reply" and .size == 64')" -eq 6 ]
}

@test "root, -s 548 (576 bytes): DF and IP ID 0; -s 549: no DF, IP IDs from the kernel" {
	wire edge root -c 2 -p 100 -s 548 203.0.113.4
	sent edge "2 DF 0"
	[ "$(jcount '.type == "reply" and .size == 556')" -eq 2 ]
	wire big root -c 2 -p 100 -s 549 203.0.113.4
	sent big "2 none n"
	[ "$(jcount '.type == "reply" and .size == 557')" -eq 2 ]
}

@test "root, --df -s 1000: DF on the big probes too" {
	wire df root -c 2 -p 100 --df -s 1000 203.0.113.5
	sent df "2 DF 0"
	[ "$(jcount '.type == "reply" and .size == 1008')" -eq 2 ]
}

@test "root, UDP probes: DF and IP ID 0, each port unreachable counted as closed" {
	wire udp root -c 2 -p 100 -U 203.0.113.6 203.0.113.7
	sent udp "4 DF 0"
	[ "$(jcount '.type == "reply" and .state == "closed"')" -eq 4 ]
}

@test "nobody (ping socket): probes without DF, all answered" {
	wire dgram nobody -c 2 -p 100 203.0.113.8 203.0.113.9
	sent dgram "4 none n"
	[ "$(jcount '.type == "reply"')" -eq 4 ]
}
