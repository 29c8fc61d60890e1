#!/usr/bin/env python3
"""Write the seed corpus for fuzz/fuzz_icmp: one real packet per file.

Each file starts with the selector byte that fuzz_icmp.c reads (see the
SEL_* values there), then the bytes its entry point gets.  Checksums are
correct (ICMPv6 ones over the pseudo-header of the addresses used), so
every seed reaches past the checksum test into the decoders.

Run from anywhere: python3 fuzz/make_corpus.py [DIR] (default fuzz/corpus).
"""

import os
import struct
import sys

SEL_ICMP4_IP = 0
SEL_ICMP4 = 1
SEL_ICMP6 = 2
SEL_ERRQ4 = 3
SEL_ERRQ6 = 4
SEL_TAG = 5
SEL_ROUND4 = 6
SEL_ROUND6 = 7
SEL_L4 = 8
SEL_L4SUM = 9
SEL_ROUNDTS = 10

# The harness keys tag_check with the SipHash paper's key, 00..0f.
KEY = bytes(range(16))

US4 = bytes([192, 0, 2, 2])
ROUTER4 = bytes([192, 0, 2, 18])
TARGET4 = bytes([203, 0, 113, 10])
US6 = bytes.fromhex("20010db8000100000000000000000002")
ROUTER6 = bytes.fromhex("20010db8001200000000000000000002")
TARGET6 = bytes.fromhex("20010db800fd0000000000000000000a")

ECHO_ID = 0x4d50
ECHO_SEQ = 7


def cksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def with_cksum(pkt, off, extra=b""):
    """Store the checksum of extra + pkt at pkt[off:off + 2]."""
    pkt = bytearray(pkt)
    pkt[off:off + 2] = b"\0\0"
    pkt[off:off + 2] = struct.pack("!H", cksum(bytes(extra) + bytes(pkt)))
    return bytes(pkt)


def rotl(x, b):
    return ((x << b) | (x >> (64 - b))) & 0xffffffffffffffff


def siphash24(key, msg):
    k0, k1 = struct.unpack("<QQ", key)
    v0 = 0x736f6d6570736575 ^ k0
    v1 = 0x646f72616e646f6d ^ k1
    v2 = 0x6c7967656e657261 ^ k0
    v3 = 0x7465646279746573 ^ k1
    mask = 0xffffffffffffffff

    def rounds(n):
        nonlocal v0, v1, v2, v3
        for _ in range(n):
            v0 = (v0 + v1) & mask; v1 = rotl(v1, 13); v1 ^= v0
            v0 = rotl(v0, 32)
            v2 = (v2 + v3) & mask; v3 = rotl(v3, 16); v3 ^= v2
            v0 = (v0 + v3) & mask; v3 = rotl(v3, 21); v3 ^= v0
            v2 = (v2 + v1) & mask; v1 = rotl(v1, 17); v1 ^= v2
            v2 = rotl(v2, 32)

    tail = len(msg) & ~7
    for i in range(0, tail, 8):
        m, = struct.unpack("<Q", msg[i:i + 8])
        v3 ^= m
        rounds(2)
        v0 ^= m
    b = (len(msg) & 0xff) << 56
    for i, c in enumerate(msg[tail:]):
        b |= c << (8 * i)
    v3 ^= b
    rounds(2)
    v0 ^= b
    v2 ^= 0xff
    rounds(4)
    return v0 ^ v1 ^ v2 ^ v3


def mapped(a4):
    return bytes(10) + b"\xff\xff" + a4


def probe_payload(addr16, size=40, serial=1, target=0, seq=ECHO_SEQ):
    """What mping puts in an echo: header, SipHash tag, flow bytes, pad."""
    hdr = struct.pack("!IIHBB", serial, target, seq, 0, 0)
    tag = struct.pack("<Q", siphash24(KEY, hdr + addr16))
    body = hdr + tag + b"\0\0"
    return body + bytes((i & 0xff for i in range(size - len(body))))


def ip4(src, dst, payload, ttl=64, proto=1, ident=0x1234, frag=0x4000):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident,
        frag, ttl, proto, 0, src, dst)
    return with_cksum(hdr, 10) + payload


def ip6(src, dst, payload, nh=58, hlim=64):
    return struct.pack("!IHBB16s16s", 0x60000000, len(payload), nh, hlim,
        src, dst) + payload


def pseudo6(src, dst, length):
    return src + dst + struct.pack("!I3xB", length, 58)


def udp(sport=33434, dport=53, payload=bytes(range(0xa0, 0xac))):
    """A UDP datagram; checksum 0 (none, for IPv4; the quote is not
    checked against it)."""
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


def tcp_syn(sport=33434, dport=80, seq=0x89abcdef):
    return struct.pack("!HHIIBBHHH", sport, dport, seq, 0, 5 << 4, 0x02,
        64240, 0, 0)


def echo4(typ, payload, ident=ECHO_ID, seq=ECHO_SEQ):
    return with_cksum(struct.pack("!BBHHH", typ, 0, 0, ident, seq) +
        payload, 2)


def echo6(typ, src, dst, payload, ident=ECHO_ID, seq=ECHO_SEQ):
    pkt = struct.pack("!BBHHH", typ, 0, 0, ident, seq) + payload
    return with_cksum(pkt, 2, pseudo6(src, dst, len(pkt)))


def error4(typ, code, rest, body):
    return with_cksum(struct.pack("!BBH4s", typ, code, 0, rest) + body, 2)


def error6(typ, code, rest, body, src=ROUTER6, dst=US6):
    pkt = struct.pack("!BBH4s", typ, code, 0, rest) + body
    return with_cksum(pkt, 2, pseudo6(src, dst, len(pkt)))


def mpls_ext(labels):
    """RFC 4884 extension structure holding one RFC 4950 label stack."""
    entries = b""
    for i, (label, tc, ttl) in enumerate(labels):
        s = 1 if i == len(labels) - 1 else 0
        entries += struct.pack("!I", label << 12 | tc << 9 | s << 8 | ttl)
    obj = struct.pack("!HBB", 4 + len(entries), 1, 1) + entries
    return with_cksum(b"\x20\0\0\0" + obj, 2)


def seeds():
    pay4 = probe_payload(mapped(TARGET4))
    pay6 = probe_payload(TARGET6)
    req4 = ip4(US4, TARGET4, echo4(8, pay4), ident=0x0101)
    req6 = echo6(128, US6, TARGET6, pay6)
    q6 = ip6(US6, TARGET6, req6, hlim=1)
    labels = [(16004, 0, 1), (24001, 5, 1)]

    yield "v4_echo_reply_ip", SEL_ICMP4_IP, ip4(TARGET4, US4,
        echo4(0, pay4), ttl=61)
    yield "v4_echo_reply", SEL_ICMP4, echo4(0, pay4)
    yield "v4_echo_request_ip", SEL_ICMP4_IP, ip4(US4, US4, echo4(8, pay4))
    yield "v4_host_unreach", SEL_ICMP4_IP, ip4(ROUTER4, US4,
        error4(3, 1, bytes(4), req4))
    # RFC 4884: pad the quote to 128 bytes, length in 32-bit words.
    quote = (req4 + bytes(128))[:128]
    yield "v4_time_exceeded_mpls", SEL_ICMP4_IP, ip4(ROUTER4, US4,
        error4(11, 0, struct.pack("!xBxx", len(quote) // 4),
        quote + mpls_ext(labels)))
    yield "v4_frag_needed", SEL_ICMP4_IP, ip4(ROUTER4, US4,
        error4(3, 4, struct.pack("!HH", 0, 1400), req4))
    yield "v4_port_unreach_noip", SEL_ICMP4, error4(3, 3, bytes(4),
        req4[:28])
    yield "v6_echo_reply", SEL_ICMP6, echo6(129, TARGET6, US6, pay6)
    yield "v6_packet_too_big", SEL_ICMP6, error6(2, 0,
        struct.pack("!I", 1280), q6)
    quote = (q6 + bytes(128))[:128]
    yield "v6_time_exceeded_mpls", SEL_ICMP6, error6(3, 0,
        struct.pack("!B3x", len(quote) // 8), quote + mpls_ext(labels))
    # Hop-by-hop header: next header 58, length 0, one PadN of 4 bytes.
    hbh = bytes([58, 0, 1, 4, 0, 0, 0, 0])
    q6hbh = ip6(US6, TARGET6, hbh + req6, nh=0)
    yield "v6_addr_unreach_hbh", SEL_ICMP6, error6(1, 3, bytes(4), q6hbh)
    yield "v6_frag_quote", SEL_ICMP6, error6(1, 4, bytes(4),
        ip6(US6, TARGET6, bytes([58, 0, 0, 0, 0, 0, 0, 1]) + req6, nh=44))
    # Quotes of other protocols: UDP and TCP, whole or RFC 792's 8 bytes.
    u4 = ip4(US4, TARGET4, udp(), ttl=1, proto=17)
    t4 = ip4(US4, TARGET4, tcp_syn(), ttl=1, proto=6)
    u6 = ip6(US6, TARGET6, udp(), nh=17, hlim=1)
    t6 = ip6(US6, TARGET6, tcp_syn(), nh=6, hlim=1)
    yield "v4_udp_ttl", SEL_ICMP4_IP, ip4(ROUTER4, US4,
        error4(11, 0, bytes(4), u4))
    yield "v4_udp_port_unreach8", SEL_ICMP4, error4(3, 3, bytes(4), u4[:28])
    yield "v4_tcp_ttl8", SEL_ICMP4_IP, ip4(ROUTER4, US4,
        error4(11, 0, bytes(4), t4[:28]))
    yield "v4_tcp_prohibited", SEL_ICMP4, error4(3, 13, bytes(4), t4)
    # A later fragment (offset 185 * 8) has no transport header.
    yield "v4_later_fragment", SEL_ICMP4, error4(11, 1, bytes(4),
        ip4(US4, TARGET4, bytes(range(48)), ttl=1, proto=17, frag=185))
    yield "v6_udp_port_unreach", SEL_ICMP6, error6(1, 4, bytes(4), u6,
        src=TARGET6)
    yield "v6_udp_ttl8", SEL_ICMP6, error6(3, 0, bytes(4), u6[:48])
    yield "v6_tcp_ttl8", SEL_ICMP6, error6(3, 0, bytes(4), t6[:48])
    yield "v6_tcp_too_big", SEL_ICMP6, error6(2, 0, struct.pack("!I", 1280),
        t6)
    # Hop-by-hop (8), destination options (16), routing (24), then UDP.
    ext = bytes([60, 0, 1, 4, 0, 0, 0, 0]) + \
        bytes([43, 1, 1, 12]) + bytes(12) + bytes([17, 2, 4, 0]) + bytes(20)
    yield "v6_udp_ext_headers", SEL_ICMP6, error6(1, 0, bytes(4),
        ip6(US6, TARGET6, ext + udp(), nh=0))
    # IP_RECVERR: type, code, info (ee_info, big-endian here), protocol,
    # our own datagram (UDP: from its payload on, as the kernel gives it).
    yield "errqueue4_frag_needed", SEL_ERRQ4, struct.pack("!BBIB", 3, 4,
        1400, 1) + echo4(8, pay4)
    yield "errqueue4_ttl", SEL_ERRQ4, struct.pack("!BBIB", 11, 0, 0, 1) + \
        echo4(8, pay4)
    yield "errqueue6_too_big", SEL_ERRQ6, struct.pack("!BBIB", 2, 0,
        1280, 58) + echo6(128, US6, TARGET6, pay6)
    yield "errqueue4_udp_port", SEL_ERRQ4, struct.pack("!BBIB", 3, 3, 0,
        17) + udp()[8:]
    yield "errqueue6_tcp_ttl", SEL_ERRQ6, struct.pack("!BBIB", 3, 0, 0,
        6) + tcp_syn()
    yield "tag_v4", SEL_TAG, mapped(TARGET4) + pay4
    yield "tag_v6", SEL_TAG, TARGET6 + pay6
    yield "round4", SEL_ROUND4, struct.pack("!HH", ECHO_ID, ECHO_SEQ) + pay4
    yield "round6", SEL_ROUND6, struct.pack("!HH", ECHO_ID, ECHO_SEQ) + pay6
    # What raw TCP and UDP sockets read: a SYN-ACK with its IPv4 header,
    # an IPv6 RST (no header), a UDP answer with and without one.
    synack = bytearray(tcp_syn(sport=80, dport=33434))
    synack[13] = 0x12
    rst = bytearray(tcp_syn(sport=443, dport=40000))
    rst[13] = 0x14
    yield "l4_synack_ip4", SEL_L4, bytes([3]) + ip4(TARGET4, US4,
        bytes(synack), proto=6)
    yield "l4_rst6", SEL_L4, bytes([1]) + bytes(rst)
    yield "l4_udp_ip4", SEL_L4, bytes([2]) + ip4(TARGET4, US4, udp(53,
        33434), proto=17)
    yield "l4_udp6", SEL_L4, bytes([0]) + udp(53, 33434)
    yield "l4sum4", SEL_L4SUM, bytes([0]) + mapped(US4) + \
        mapped(TARGET4) + struct.pack("!H", 0x1234) + udp() + bytes(30)
    yield "l4sum6_zero", SEL_L4SUM, bytes([1]) + US6 + TARGET6 + \
        struct.pack("!H", 0) + udp()
    # ICMP timestamps (--icmp-timestamp): a reply behind its IPv4 header
    # (TOS 0xb8), and our request quoted whole by a router.
    ts_reply = with_cksum(struct.pack("!BBHHHIII", 14, 0, 0, ECHO_ID,
        ECHO_SEQ, 0xdeadbeef, 43200000, 43200001), 2)
    yield "v4_timestamp_reply_ip", SEL_ICMP4_IP, bytes(ip4(TARGET4, US4,
        ts_reply, ttl=57)[:1]) + b"\xb8" + ip4(TARGET4, US4, ts_reply,
        ttl=57)[2:]
    ts_req = with_cksum(struct.pack("!BBHHHIII", 13, 0, 0, ECHO_ID,
        ECHO_SEQ, 0xdeadbeef, 0, 0), 2)
    yield "v4_timestamp_unreach", SEL_ICMP4_IP, ip4(ROUTER4, US4,
        error4(3, 1, bytes(4), ip4(US4, TARGET4, ts_req)))
    yield "round_ts", SEL_ROUNDTS, struct.pack("!HHIB", ECHO_ID, ECHO_SEQ,
        0xdeadbeef, 0xb8)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "corpus")
    os.makedirs(out, exist_ok=True)
    for name, sel, data in seeds():
        with open(os.path.join(out, name), "wb") as f:
            f.write(bytes([sel]) + data)


if __name__ == "__main__":
    main()
