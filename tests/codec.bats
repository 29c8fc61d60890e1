#!/usr/bin/env bats
# The pure codecs (icmp.h, tag.h) against hand-built packets: decoding of
# replies and errors field by field, rejection of malformed ones, SipHash.
# tests/codec_test.c does the checking; no root, no network.

bats_require_minimum_version 1.5.0

load unit

setup_file()
{
	cd "$BATS_TEST_DIRNAME/.." || return 1
	unit_build "$BATS_FILE_TMPDIR/codec_test" codec_test.c \
	    icmp_common.c icmp4.c icmp6.c tag.c l4.c
}

# group NAME: run one group of checks; it must pass and say so.
group()	{ unit_group "$BATS_FILE_TMPDIR/codec_test" "$1"; }

@test "IPv4 echo reply, with and without the IP header" {
	group echo4
}

@test "IPv4 host unreachable quoting our echo request" {
	group unreach4
}

@test "IPv4 fragmentation needed carries the next-hop MTU" {
	group fragneeded4
}

@test "IPv4 time exceeded with RFC 4884 extension and MPLS labels" {
	group timxceed4-mpls
}

@test "ICMPv6 echo reply" {
	group echo6
}

@test "ICMPv6 packet too big carries the MTU" {
	group toobig6
}

@test "ICMPv6 time exceeded with RFC 4884 extension and MPLS labels" {
	group timxceed6-mpls
}

@test "ICMPv6 unreachable quoting a request behind a hop-by-hop header; a later fragment is accepted without a transport header" {
	group unreach6-hbh
}

@test "IP_RECVERR error-queue messages" {
	group errqueue
}

@test "IP_RECVERR of a UDP or TCP socket: our datagram handed back whole" {
	group errqueue-l4
}

@test "IPv4 errors quoting UDP: ports read from the quote, IHL honoured" {
	group udp4
}

@test "ICMPv6 errors quoting UDP: ports read from the quote" {
	group udp6
}

@test "errors quoting only 8 bytes of TCP: ports and sequence number" {
	group tcp8
}

@test "ICMPv6 quote with extension headers before UDP" {
	group ext6-udp
}

@test "a later IPv4 fragment quoted has no transport header" {
	group frag4
}

@test "quoted ICMP: other than echo accepted, a cut or coded echo rejected" {
	group icmp-quote
}

@test "every ICMP and ICMPv6 type is classified (icmp_class)" {
	group classes
}

@test "error names are stable" {
	group names
}

@test "truncated quotes and header lengths beyond the packet are rejected" {
	group truncated
}

@test "a bad ICMP checksum is rejected" {
	group cksum4
}

@test "echo requests built match the in-place header and parse back" {
	group build
}

@test "SipHash-2-4 matches the paper's test vector" {
	group siphash
}

@test "tag_check accepts our tag and rejects any flipped byte" {
	group tag
}

@test "TCP SYN: built with a sound checksum (v4, v6), parsed back, bad headers refused" {
	group tcp-syn
}

@test "ICMP checksum in the CPU's byte order equals RFC 1071's, every length and alignment" {
	group cksum-any
}

@test "UDP checksum made to carry any value, still sound, the tag untouched" {
	group udp-cksum
}

@test "transport tags: seq16 back from a TCP sequence number, forgeries refused" {
	group tag-seq
}

@test "all groups together: exit 0, no failures" {
	run "$BATS_FILE_TMPDIR/codec_test"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output != *"not ok"* ]]
	[[ $output != *FAIL* ]]
	[ "$(grep -c '^ok - ' <<<"$output")" -eq 30 ]
	[[ ${lines[-1]} =~ ^[0-9]+\ checks,\ 0\ failed$ ]]
}

@test "an unknown group is an error, not a pass" {
	run "$BATS_FILE_TMPDIR/codec_test" no-such-group
	[ "$status" -eq 2 ]
	[[ $output == *"no such group"* ]]
}

@test "--trace: the checksum is held at the flow's value (Paris)" {
	group flow
}
