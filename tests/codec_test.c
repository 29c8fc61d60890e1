/*
 * Unit tests for the pure codecs (icmp.h, tag.h): decode real packets
 * and check every field, reject malformed ones, check SipHash-2-4 against
 * the paper.  Packets are built here byte by byte, with a checksum routine
 * of our own, so a bug in the codec cannot hide in the test.
 *
 * usage: codec_test [group ...]
 * Prints "ok - group" or "not ok - group" per group, the failed checks,
 * then "N checks, N failed".  Exit status 1 if any check failed, 2 for an
 * unknown group.
 */
#include <sys/socket.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "icmp.h"
#include "tag.h"
#include "l4.h"

#define UNIT_NAME	"codec_test.c"
#include "unit.h"



static const uint8_t us4[4] = { 192, 0, 2, 2 };
static const uint8_t router4[4] = { 192, 0, 2, 18 };
static const uint8_t target4[4] = { 203, 0, 113, 10 };
static const uint8_t mapped4[16] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 203, 0, 113, 10
};
static const uint8_t us6[16] = {
	0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2
};
static const uint8_t target6[16] = {
	0x20, 0x01, 0x0d, 0xb8, 0, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0a
};

#define ID	0x4d50
#define SEQ	7
#define PLEN	40

/* Two labels, as a router in an MPLS core reports them (RFC 4950). */
static const struct mpls_label labels[2] = {
	{ 16004, 0, 0, 1 },
	{ 24001, 5, 1, 1 },
};


static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

/* RFC 1071, written out again rather than trusting icmp_cksum(). */
static uint16_t
sum16(const uint8_t *p, size_t len)
{
	uint32_t s = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	while (s > 0xffff)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static void
payload(uint8_t *p)
{
	int i;

	for (i = 0; i < PLEN; i++)
		p[i] = (uint8_t)(0x30 + i);
}

/*
 * An IPv4 header of protocol proto with a correct checksum in front of
 * body; frag is the flags and fragment offset word.
 */
static size_t
ip4p(uint8_t *p, const uint8_t src[4], const uint8_t dst[4], uint8_t ttl,
    uint8_t proto, uint16_t frag, const uint8_t *body, size_t blen)
{
	memset(p, 0, 20);
	p[0] = 0x45;
	put16(p + 2, (uint16_t)(20 + blen));
	put16(p + 4, 0x1234);
	put16(p + 6, frag);
	p[8] = ttl;
	p[9] = proto;
	memcpy(p + 12, src, 4);
	memcpy(p + 16, dst, 4);
	put16(p + 10, sum16(p, 20));
	memmove(p + 20, body, blen);
	return 20 + blen;
}

/* An ICMP datagram, don't fragment. */
static size_t
ip4(uint8_t *p, const uint8_t src[4], const uint8_t dst[4], uint8_t ttl,
    const uint8_t *body, size_t blen)
{
	return ip4p(p, src, dst, ttl, 1, 0x4000, body, blen);
}

/* An IPv6 header (the kernel strips the outer one; quotes keep theirs). */
static size_t
ip6(uint8_t *p, const uint8_t src[16], const uint8_t dst[16], uint8_t nh,
    const uint8_t *body, size_t blen)
{
	memset(p, 0, 40);
	p[0] = 0x60;
	put16(p + 4, (uint16_t)blen);
	p[6] = nh;
	p[7] = 1;
	memcpy(p + 8, src, 16);
	memcpy(p + 24, dst, 16);
	memmove(p + 40, body, blen);
	return 40 + blen;
}

/*
 * An ICMP message: type, code, the 4 bytes after the checksum, body.
 * The ICMPv6 checksum needs the pseudo-header and the kernel checks it,
 * so v6 messages leave it 0, as icmp6_build_echo() does.
 */
static size_t
icmp(uint8_t *p, int v6, uint8_t type, uint8_t code, uint32_t rest,
    const uint8_t *body, size_t blen)
{
	memmove(p + 8, body, blen);
	p[0] = type;
	p[1] = code;
	p[2] = p[3] = 0;
	put32(p + 4, rest);
	if (!v6)
		put16(p + 2, sum16(p, 8 + blen));
	return 8 + blen;
}

static size_t
echo(uint8_t *p, int v6, uint8_t type)
{
	uint8_t pl[PLEN];

	payload(pl);
	return icmp(p, v6, type, 0, (uint32_t)ID << 16 | SEQ, pl, PLEN);
}

/* Our echo request to target4, as a router quotes it: 68 bytes. */
static size_t
request4(uint8_t *p)
{
	uint8_t e[8 + PLEN];

	echo(e, 0, 8);
	return ip4(p, us4, target4, 1, e, sizeof(e));
}

static size_t
request6(uint8_t *p)
{
	uint8_t e[8 + PLEN];

	echo(e, 1, 128);
	return ip6(p, us6, target6, 58, e, sizeof(e));
}

static const uint8_t mapped_us4[16] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 2
};

#define SPORT	33434
#define DPORT	53
#define TCPSEQ	0x89abcdefU

/* A UDP header and 12 bytes of payload (checksum left 0, as IPv4 may). */
static size_t
udp(uint8_t *p)
{
	size_t i;

	put16(p, SPORT);
	put16(p + 2, DPORT);
	put16(p + 4, 8 + 12);
	put16(p + 6, 0);
	for (i = 0; i < 12; i++)
		p[8 + i] = (uint8_t)(0xa0 + i);
	return 8 + 12;
}

/* A TCP SYN header of 20 bytes. */
static size_t
tcp(uint8_t *p)
{
	memset(p, 0, 20);
	put16(p, SPORT);
	put16(p + 2, DPORT);
	put32(p + 4, TCPSEQ);
	p[12] = 5 << 4;
	p[13] = 0x02;
	put16(p + 14, 64240);
	return 20;
}

/* What every error quoting something other than an echo request says. */
static void
check_not_echo(const struct icmp_msg *m)
{
	CHECK(m->quote_echo == 0);
	CHECK(m->id == 0 && m->seq == 0);
	CHECK(m->data == NULL && m->data_len == 0);
}

/* An error quoting our echo request: the old fields and the new ones. */
static void
check_echo_quote(const struct icmp_msg *m, int proto)
{
	CHECK(m->quote_echo == 1 && m->quote_proto == proto);
	CHECK(m->quote_l4 != NULL && m->quote_l4 + 8 == m->data);
	CHECK(m->quote_l4_len == m->data_len + 8);
	CHECK(m->id == ID && m->seq == SEQ);
}

/* RFC 4884 extension structure with one MPLS label stack object. */
static size_t
mpls_ext(uint8_t *p)
{
	size_t i, n = 4 + 4 + 4 * 2;

	memset(p, 0, n);
	p[0] = 0x20;
	put16(p + 4, 4 + 4 * 2);
	p[6] = 1;
	p[7] = 1;
	for (i = 0; i < 2; i++)
		put32(p + 8 + 4 * i, labels[i].label << 12 |
		    (uint32_t)labels[i].tc << 9 | (uint32_t)labels[i].s << 8 |
		    labels[i].ttl);
	put16(p + 2, sum16(p, n));
	return n;
}

static void
check_payload(const struct icmp_msg *m)
{
	uint8_t pl[PLEN];

	payload(pl);
	CHECK(m->data_len == PLEN);
	CHECK(m->data_len == PLEN && memcmp(m->data, pl, PLEN) == 0);
}

static void
check_mpls(const struct icmp_msg *m)
{
	int i;

	CHECK(m->nmpls == 2);
	for (i = 0; i < 2 && i < m->nmpls; i++) {
		CHECK(m->mpls[i].label == labels[i].label);
		CHECK(m->mpls[i].tc == labels[i].tc);
		CHECK(m->mpls[i].s == labels[i].s);
		CHECK(m->mpls[i].ttl == labels[i].ttl);
	}
}

static void
test_echo4(void)
{
	uint8_t p[256], e[128];
	struct icmp_msg m;
	size_t n;

	n = ip4(p, target4, us4, 61, e, echo(e, 0, 0));
	CHECK(icmp4_parse(p, n, 1, &m) == 0);
	CHECK(m.kind == ICMP_KIND_REPLY);
	CHECK(m.type == 0 && m.code == 0);
	CHECK(m.id == ID && m.seq == SEQ);
	CHECK(m.ttl == 61);
	CHECK(m.has_src && memcmp(m.src, target4, 4) == 0);
	CHECK(m.icmp_len == 8 + PLEN);
	CHECK(m.quote_family == 0 && m.nmpls == 0);
	CHECK(m.cls == ICMP_C_ECHO_REPLY && m.quote_proto == -1);
	CHECK(m.quote_l4 == NULL && m.quote_l4_len == 0 && !m.quote_echo);
	check_payload(&m);

	/* Datagram sockets: no IP header, so no TTL or source. */
	n = echo(p, 0, 0);
	CHECK(icmp4_parse(p, n, 0, &m) == 0);
	CHECK(m.kind == ICMP_KIND_REPLY);
	CHECK(m.id == ID && m.seq == SEQ);
	CHECK(m.ttl == -1 && !m.has_src);
	check_payload(&m);

	/* Loopback hands raw sockets our own request too. */
	n = echo(p, 0, 8);
	CHECK(icmp4_parse(p, n, 0, &m) == 0);
	CHECK(m.kind == ICMP_KIND_REQUEST && m.type == 8);
	CHECK(m.cls == ICMP_C_ECHO_REQUEST);
}

static void
test_unreach4(void)
{
	uint8_t p[256], q[128], e[256];
	struct icmp_msg m;
	size_t n;

	n = icmp(e, 0, 3, 1, 0, q, request4(q));
	n = ip4(p, router4, us4, 63, e, n);
	CHECK(icmp4_parse(p, n, 1, &m) == 0);
	CHECK(m.kind == ICMP_KIND_ERROR);
	CHECK(m.type == 3 && m.code == 1);
	CHECK(m.id == ID && m.seq == SEQ);
	CHECK(m.ttl == 63 && memcmp(m.src, router4, 4) == 0);
	CHECK(m.quote_family == AF_INET);
	CHECK(memcmp(m.quote_dst, mapped4, 16) == 0);
	CHECK(m.mtu == 0 && m.nmpls == 0);
	CHECK(m.cls == ICMP_C_UNREACH);
	CHECK(memcmp(m.quote_src, mapped_us4, 16) == 0);
	check_echo_quote(&m, 1);
	CHECK(m.quote_l4 == p + 20 + 8 + 20 && m.quote_l4_len == 8 + PLEN);
	check_payload(&m);
	CHECK_STR(icmp4_error_name(m.type, m.code), "host-unreachable");

	/* RFC 792 routers quote only the IP header and 8 bytes. */
	n = icmp(p, 0, 3, 3, 0, q, 28);
	CHECK(icmp4_parse(p, n, 0, &m) == 0);
	CHECK(m.kind == ICMP_KIND_ERROR && m.code == 3);
	CHECK(m.id == ID && m.seq == SEQ && m.data_len == 0);
	CHECK(memcmp(m.quote_dst, mapped4, 16) == 0);
	check_echo_quote(&m, 1);
}

static void
test_fragneeded4(void)
{
	uint8_t p[256], q[128], e[256];
	struct icmp_msg m;
	size_t n;

	n = icmp(e, 0, 3, 4, 1400, q, request4(q));
	n = ip4(p, router4, us4, 63, e, n);
	CHECK(icmp4_parse(p, n, 1, &m) == 0);
	CHECK(m.kind == ICMP_KIND_ERROR);
	CHECK(m.type == 3 && m.code == 4);
	CHECK(m.mtu == 1400);
	CHECK(m.cls == ICMP_C_UNREACH);
	CHECK(m.id == ID && m.seq == SEQ);
	check_echo_quote(&m, 1);
	check_payload(&m);
	CHECK_STR(icmp4_error_name(3, 4), "fragmentation-needed");
}

/* RFC 4884: quote padded to 128 bytes, byte 5 = its length in words. */
static void
test_timxceed4_mpls(void)
{
	uint8_t p[512], q[256], e[512];
	struct icmp_msg m;
	size_t n;

	memset(q, 0, sizeof(q));
	request4(q);
	n = 128 + mpls_ext(q + 128);
	n = icmp(e, 0, 11, 0, 128 / 4 << 16, q, n);
	n = ip4(p, router4, us4, 62, e, n);
	CHECK(icmp4_parse(p, n, 1, &m) == 0);
	CHECK(m.kind == ICMP_KIND_ERROR);
	CHECK(m.type == 11 && m.code == 0);
	CHECK(m.id == ID && m.seq == SEQ);
	CHECK(memcmp(m.quote_dst, mapped4, 16) == 0);
	/* The quoted IP total length (68) ends the data, not the padding. */
	check_payload(&m);
	check_mpls(&m);
	CHECK(m.cls == ICMP_C_EXCEEDED);
	/* The quote ends at the quoted total length, not the padding. */
	check_echo_quote(&m, 1);
	CHECK_STR(icmp4_error_name(11, 0), "ttl-exceeded");

	/* An extension with a bad checksum is ignored, the error is not. */
	e[8 + 128 + 2] ^= 0xff;
	put16(e + 2, 0);
	put16(e + 2, sum16(e, n - 20));
	n = ip4(p, router4, us4, 62, e, n - 20);
	CHECK(icmp4_parse(p, n, 1, &m) == 0);
	CHECK(m.kind == ICMP_KIND_ERROR && m.nmpls == 0);
}

static void
test_echo6(void)
{
	uint8_t p[256];
	struct icmp_msg m;
	size_t n;

	n = echo(p, 1, 129);
	CHECK(icmp6_parse(p, n, &m) == 0);
	CHECK(m.kind == ICMP_KIND_REPLY);
	CHECK(m.type == 129 && m.code == 0);
	CHECK(m.id == ID && m.seq == SEQ);
	CHECK(m.ttl == -1 && m.icmp_len == n);
	CHECK(m.cls == ICMP_C_ECHO_REPLY && m.quote_proto == -1);
	check_payload(&m);
}

static void
test_toobig6(void)
{
	uint8_t p[256], q[256];
	struct icmp_msg m;
	size_t n;

	n = icmp(p, 1, 2, 0, 1280, q, request6(q));
	CHECK(icmp6_parse(p, n, &m) == 0);
	CHECK(m.kind == ICMP_KIND_ERROR);
	CHECK(m.type == 2 && m.code == 0);
	CHECK(m.mtu == 1280);
	CHECK(m.id == ID && m.seq == SEQ);
	CHECK(m.quote_family == AF_INET6);
	CHECK(memcmp(m.quote_dst, target6, 16) == 0);
	CHECK(memcmp(m.quote_src, us6, 16) == 0);
	CHECK(m.cls == ICMP_C_TOO_BIG);
	check_echo_quote(&m, 58);
	CHECK(m.quote_l4 == p + 8 + 40);
	check_payload(&m);
	CHECK_STR(icmp6_error_name(2, 0), "packet-too-big");
}

/* RFC 4884 for ICMPv6: byte 4 is the quote's length in 64-bit words. */
static void
test_timxceed6_mpls(void)
{
	uint8_t p[512], q[256];
	struct icmp_msg m;
	size_t n;

	memset(q, 0, sizeof(q));
	request6(q);
	n = 128 + mpls_ext(q + 128);
	n = icmp(p, 1, 3, 0, (uint32_t)(128 / 8) << 24, q, n);
	CHECK(icmp6_parse(p, n, &m) == 0);
	CHECK(m.kind == ICMP_KIND_ERROR);
	CHECK(m.type == 3 && m.code == 0);
	CHECK(m.id == ID && m.seq == SEQ);
	CHECK(memcmp(m.quote_dst, target6, 16) == 0);
	/* IPv6 quotes are not cut at the payload length: padding is data. */
	CHECK(m.data_len == 128 - 48);
	check_echo_quote(&m, 58);
	CHECK(m.cls == ICMP_C_EXCEEDED);
	check_mpls(&m);
	CHECK_STR(icmp6_error_name(3, 0), "ttl-exceeded");
}

static void
test_unreach6_hbh(void)
{
	/* Hop-by-hop: next header ICMPv6, length 0, PadN of 4 bytes. */
	static const uint8_t hbh[8] = { 58, 0, 1, 4, 0, 0, 0, 0 };
	uint8_t p[256], q[256], e[128];
	struct icmp_msg m;
	size_t n;

	memcpy(e, hbh, 8);
	n = echo(e + 8, 1, 128);
	n = ip6(q, us6, target6, 0, e, 8 + n);
	n = icmp(p, 1, 1, 3, 0, q, n);
	CHECK(icmp6_parse(p, n, &m) == 0);
	CHECK(m.kind == ICMP_KIND_ERROR);
	CHECK(m.type == 1 && m.code == 3);
	CHECK(m.id == ID && m.seq == SEQ);
	CHECK(memcmp(m.quote_dst, target6, 16) == 0);
	check_payload(&m);
	check_echo_quote(&m, 58);
	CHECK(m.quote_l4 == p + 8 + 40 + 8);
	CHECK_STR(icmp6_error_name(1, 3), "address-unreachable");

	/*
	 * A later fragment does not carry our echo header: what looks like
	 * one is payload.  It was rejected; now it is an error quoting
	 * protocol 58 with no transport header.
	 */
	memcpy(e, "\x3a\0\0\x08\0\0\0\1", 8);
	n = echo(e + 8, 1, 128);
	n = ip6(q, us6, target6, 44, e, 8 + n);
	n = icmp(p, 1, 1, 3, 0, q, n);
	CHECK(icmp6_parse(p, n, &m) == 0 && m.kind == ICMP_KIND_ERROR);
	CHECK(m.quote_proto == 58 && m.quote_family == AF_INET6);
	CHECK(m.quote_l4 == NULL && m.quote_l4_len == 0);
	CHECK(memcmp(m.quote_dst, target6, 16) == 0);
	check_not_echo(&m);
}

static void
test_errqueue(void)
{
	uint8_t p[128];
	struct icmp_msg m;
	size_t n;

	n = echo(p, 0, 8);
	CHECK(icmp_parse_errqueue(AF_INET, 3, 4, 1400, p, n, &m) == 0);
	CHECK(m.kind == ICMP_KIND_ERROR);
	CHECK(m.type == 3 && m.code == 4 && m.mtu == 1400);
	CHECK(m.id == ID && m.seq == SEQ);
	CHECK(m.quote_family == AF_INET && m.cls == ICMP_C_UNREACH);
	check_echo_quote(&m, 1);
	CHECK(m.quote_l4 == p && m.quote_l4_len == n);
	check_payload(&m);

	CHECK(icmp_parse_errqueue(AF_INET, 11, 0, 0, p, n, &m) == 0);
	CHECK(m.type == 11 && m.mtu == 0 && m.cls == ICMP_C_EXCEEDED);
	/* The same with the protocol said. */
	CHECK(icmp_errqueue_parse(AF_INET, 1, 11, 0, 0, p, n, &m) == 0);
	CHECK(m.type == 11 && m.cls == ICMP_C_EXCEEDED);
	check_echo_quote(&m, 1);
	/* An echo request with a code, or a reply: not what we sent. */
	p[1] = 1;
	CHECK(icmp_errqueue_parse(AF_INET, 1, 11, 0, 0, p, n, &m) == -1);
	p[1] = 0;
	p[0] = 0;
	CHECK(icmp_errqueue_parse(AF_INET, 1, 11, 0, 0, p, n, &m) == -1);
	CHECK(m.kind == ICMP_KIND_OTHER && m.quote_proto == -1);
	p[0] = 8;

	/* Not our echo request (a v4 one on a v6 socket): rejected. */
	CHECK(icmp_parse_errqueue(AF_INET6, 2, 0, 1280, p, n, &m) == -1);
	CHECK(m.kind == ICMP_KIND_OTHER);

	n = echo(p, 1, 128);
	CHECK(icmp_parse_errqueue(AF_INET6, 2, 0, 1280, p, n, &m) == 0);
	CHECK(m.kind == ICMP_KIND_ERROR && m.quote_family == AF_INET6);
	CHECK(m.type == 2 && m.mtu == 1280 && m.cls == ICMP_C_TOO_BIG);
	CHECK(m.id == ID && m.seq == SEQ);
	check_echo_quote(&m, 58);
	check_payload(&m);
	CHECK(icmp_parse_errqueue(AF_INET6, 2, 0, 1280, p, 7, &m) == -1);
}

/*
 * The error queue of a UDP or TCP socket: the kernel gives back our own
 * datagram, which is no echo request, of any length (for UDP it starts
 * past the UDP header).  Accepted, handed back whole.
 */
static void
test_errqueue_l4(void)
{
	uint8_t p[128];
	struct icmp_msg m;
	size_t n;

	n = udp(p);
	CHECK(icmp_errqueue_parse(AF_INET, 17, 3, 3, 0, p + 8, n - 8, &m) ==
	    0);
	CHECK(m.kind == ICMP_KIND_ERROR && m.cls == ICMP_C_UNREACH);
	CHECK(m.type == 3 && m.code == 3 && m.quote_family == AF_INET);
	CHECK(m.quote_proto == 17 && m.quote_l4 == p + 8);
	CHECK(m.quote_l4_len == 12 && m.icmp_len == 12);
	check_not_echo(&m);
	CHECK(icmp_errqueue_parse(AF_INET, 17, 3, 4, 1400, p, 0, &m) == 0);
	CHECK(m.mtu == 1400 && m.quote_l4_len == 0);

	n = tcp(p);
	CHECK(icmp_errqueue_parse(AF_INET6, 6, 2, 0, 1280, p, n, &m) == 0);
	CHECK(m.cls == ICMP_C_TOO_BIG && m.mtu == 1280);
	CHECK(m.quote_proto == 6 && m.quote_l4 == p && m.quote_l4_len == 20);
	CHECK(get32(m.quote_l4 + 4) == TCPSEQ);
	check_not_echo(&m);
	CHECK(icmp_errqueue_parse(AF_INET6, 6, 3, 0, 0, p, n, &m) == 0);
	CHECK(m.cls == ICMP_C_EXCEEDED && m.mtu == 0);
	/* A v4 echo request on a v6 socket is no ICMPv6 echo: rejected. */
	n = echo(p, 0, 8);
	CHECK(icmp_errqueue_parse(AF_INET6, 58, 1, 0, 0, p, n, &m) == -1);
}

/*
 * A UDP probe's error: the ports are read from the quoted UDP header,
 * on a raw socket (IP header first) and a datagram one.
 */
static void
test_udp4(void)
{
	uint8_t p[256], q[128], u[64], e[256];
	struct icmp_msg m;
	size_t n, qlen;

	qlen = ip4p(q, us4, target4, 1, 17, 0x4000, u, udp(u));
	n = icmp(e, 0, 11, 0, 0, q, qlen);
	n = ip4(p, router4, us4, 63, e, n);
	CHECK(icmp4_parse(p, n, 1, &m) == 0);
	CHECK(m.kind == ICMP_KIND_ERROR && m.cls == ICMP_C_EXCEEDED);
	CHECK(m.type == 11 && m.ttl == 63);
	CHECK(m.quote_family == AF_INET && m.quote_proto == 17);
	CHECK(memcmp(m.quote_src, mapped_us4, 16) == 0);
	CHECK(memcmp(m.quote_dst, mapped4, 16) == 0);
	CHECK(m.quote_l4 == p + 20 + 8 + 20 && m.quote_l4_len == 20);
	CHECK(get16(m.quote_l4) == SPORT && get16(m.quote_l4 + 2) == DPORT);
	CHECK(m.quote_l4[8] == 0xa0);
	check_not_echo(&m);

	/* Port unreachable from the target, RFC 792's 8 bytes only. */
	n = icmp(p, 0, 3, 3, 0, q, 20 + 8);
	CHECK(icmp4_parse(p, n, 0, &m) == 0);
	CHECK(m.cls == ICMP_C_UNREACH && m.code == 3);
	CHECK(m.quote_proto == 17 && m.quote_l4_len == 8);
	CHECK(get16(m.quote_l4) == SPORT && get16(m.quote_l4 + 2) == DPORT);
	check_not_echo(&m);
	/* Fewer than 8 bytes: as much as there is. */
	n = icmp(p, 0, 3, 3, 0, q, 20 + 2);
	CHECK(icmp4_parse(p, n, 0, &m) == 0 && m.quote_l4_len == 2);
	n = icmp(p, 0, 3, 3, 0, q, 20);
	CHECK(icmp4_parse(p, n, 0, &m) == 0 && m.quote_l4_len == 0);
	CHECK(m.quote_l4 == p + 8 + 20);
	/* The IP header itself must be whole. */
	n = icmp(p, 0, 3, 3, 0, q, 19);
	CHECK(icmp4_parse(p, n, 0, &m) == -1 && m.quote_proto == -1);
	/* Its IHL is honoured: 4 bytes of options before the UDP header. */
	memmove(q + 24, q + 20, qlen - 20);
	memset(q + 20, 1, 4);	/* NOP options */
	q[0] = 0x46;
	put16(q + 2, (uint16_t)(qlen + 4));
	n = icmp(p, 0, 3, 3, 0, q, qlen + 4);
	CHECK(icmp4_parse(p, n, 0, &m) == 0);
	CHECK(m.quote_l4 == p + 8 + 24 && m.quote_l4_len == 20);
	CHECK(get16(m.quote_l4) == SPORT);
}

static void
test_udp6(void)
{
	uint8_t p[256], q[128], u[64];
	struct icmp_msg m;
	size_t n, qlen;

	qlen = ip6(q, us6, target6, 17, u, udp(u));
	n = icmp(p, 1, 1, 4, 0, q, qlen);
	CHECK(icmp6_parse(p, n, &m) == 0);
	CHECK(m.kind == ICMP_KIND_ERROR && m.cls == ICMP_C_UNREACH);
	CHECK(m.type == 1 && m.code == 4);
	CHECK(m.quote_family == AF_INET6 && m.quote_proto == 17);
	CHECK(memcmp(m.quote_src, us6, 16) == 0);
	CHECK(memcmp(m.quote_dst, target6, 16) == 0);
	CHECK(m.quote_l4 == p + 8 + 40 && m.quote_l4_len == 20);
	CHECK(get16(m.quote_l4) == SPORT && get16(m.quote_l4 + 2) == DPORT);
	check_not_echo(&m);
	CHECK_STR(icmp6_error_name(m.type, m.code), "port-unreachable");

	n = icmp(p, 1, 3, 0, 0, q, 40 + 8);
	CHECK(icmp6_parse(p, n, &m) == 0 && m.cls == ICMP_C_EXCEEDED);
	CHECK(m.quote_proto == 17 && m.quote_l4_len == 8);
	CHECK(get16(m.quote_l4 + 2) == DPORT);
}

/* RFC 792 routers quote 8 bytes of TCP: ports and sequence number. */
static void
test_tcp8(void)
{
	uint8_t p[256], q[128], t[64], e[256];
	struct icmp_msg m;
	size_t n;

	ip4p(q, us4, target4, 3, 6, 0x4000, t, tcp(t));
	n = icmp(e, 0, 11, 0, 0, q, 20 + 8);
	n = ip4(p, router4, us4, 62, e, n);
	CHECK(icmp4_parse(p, n, 1, &m) == 0);
	CHECK(m.kind == ICMP_KIND_ERROR && m.cls == ICMP_C_EXCEEDED);
	CHECK(m.quote_proto == 6 && m.quote_l4_len == 8);
	CHECK(get16(m.quote_l4) == SPORT && get16(m.quote_l4 + 2) == DPORT);
	CHECK(get32(m.quote_l4 + 4) == TCPSEQ);
	check_not_echo(&m);
	/* The whole header when the router quotes more. */
	n = icmp(p, 0, 3, 10, 0, q, 20 + 20);
	CHECK(icmp4_parse(p, n, 0, &m) == 0 && m.cls == ICMP_C_UNREACH);
	CHECK(m.quote_proto == 6 && m.quote_l4_len == 20);
	CHECK(m.quote_l4[13] == 0x02);

	ip6(q, us6, target6, 6, t, 20);
	n = icmp(p, 1, 3, 0, 0, q, 40 + 8);
	CHECK(icmp6_parse(p, n, &m) == 0 && m.cls == ICMP_C_EXCEEDED);
	CHECK(m.quote_proto == 6 && m.quote_l4_len == 8);
	CHECK(get32(m.quote_l4 + 4) == TCPSEQ);
	check_not_echo(&m);
}

/*
 * Extension headers between the quoted IPv6 header and UDP: hop-by-hop
 * (8 bytes), destination options (16), routing (24, type 0 left alone).
 */
static void
test_ext6_udp(void)
{
	uint8_t p[256], q[256], e[128];
	struct icmp_msg m;
	size_t n, x = 0;

	memset(e, 0, sizeof(e));
	e[x] = 60;			/* hop-by-hop, next: dest options */
	e[x + 2] = 1;
	e[x + 3] = 4;
	x += 8;
	e[x] = 43;			/* dest options, next: routing */
	e[x + 1] = 1;
	e[x + 2] = 1;
	e[x + 3] = 12;
	x += 16;
	e[x] = 17;			/* routing, next: UDP */
	e[x + 1] = 2;
	e[x + 2] = 4;			/* routing type 4 (segment routing) */
	x += 24;
	n = udp(e + x);
	n = ip6(q, us6, target6, 0, e, x + n);
	n = icmp(p, 1, 1, 0, 0, q, n);
	CHECK(icmp6_parse(p, n, &m) == 0 && m.cls == ICMP_C_UNREACH);
	CHECK(m.quote_proto == 17);
	CHECK(m.quote_l4 == p + 8 + 40 + 48 && m.quote_l4_len == 20);
	CHECK(get16(m.quote_l4) == SPORT && get16(m.quote_l4 + 2) == DPORT);
	CHECK(memcmp(m.quote_dst, target6, 16) == 0);
	check_not_echo(&m);

	/* Cut inside the routing header: the chain cannot be walked. */
	n = icmp(p, 1, 1, 0, 0, q, 40 + 8 + 16 + 4);
	CHECK(icmp6_parse(p, n, &m) == -1 && m.kind == ICMP_KIND_OTHER);
	/* Cut right behind it: UDP, nothing of it quoted. */
	n = icmp(p, 1, 1, 0, 0, q, 40 + 48);
	CHECK(icmp6_parse(p, n, &m) == 0 && m.quote_proto == 17);
	CHECK(m.quote_l4 == p + 8 + 88 && m.quote_l4_len == 0);

	/* A first fragment (offset 0, more fragments) has the header. */
	memcpy(e, "\x11\0\0\x01\0\0\0\1", 8);
	n = udp(e + 8);
	n = ip6(q, us6, target6, 44, e, 8 + n);
	n = icmp(p, 1, 3, 1, 0, q, n);
	CHECK(icmp6_parse(p, n, &m) == 0 && m.quote_proto == 17);
	CHECK(m.quote_l4 == p + 8 + 48 && get16(m.quote_l4) == SPORT);
}

/*
 * A later IPv4 fragment starts inside the payload: no transport header,
 * whatever its bytes look like (here, like our echo request).
 */
static void
test_frag4(void)
{
	uint8_t p[256], q[128], e[128];
	struct icmp_msg m;
	size_t n, qlen;

	qlen = ip4p(q, us4, target4, 1, 1, 0x2000 | 185, e, echo(e, 0, 8));
	n = icmp(p, 0, 11, 1, 0, q, qlen);
	CHECK(icmp4_parse(p, n, 0, &m) == 0);
	CHECK(m.kind == ICMP_KIND_ERROR && m.cls == ICMP_C_EXCEEDED);
	CHECK(m.quote_proto == 1 && m.quote_family == AF_INET);
	CHECK(m.quote_l4 == NULL && m.quote_l4_len == 0);
	CHECK(memcmp(m.quote_dst, mapped4, 16) == 0);
	check_not_echo(&m);
	CHECK_STR(icmp4_error_name(11, 1), "reassembly-timeout");

	/* UDP, the last fragment (no MF), with nothing past the IP header. */
	qlen = ip4p(q, us4, target4, 1, 17, 1, e, 0);
	n = icmp(p, 0, 3, 1, 0, q, qlen);
	CHECK(icmp4_parse(p, n, 0, &m) == 0 && m.quote_proto == 17);
	CHECK(m.quote_l4 == NULL && m.quote_l4_len == 0);

	/* The first fragment (MF, offset 0) has the echo header. */
	qlen = ip4p(q, us4, target4, 1, 1, 0x2000, e, echo(e, 0, 8));
	n = icmp(p, 0, 11, 1, 0, q, qlen);
	CHECK(icmp4_parse(p, n, 0, &m) == 0);
	check_echo_quote(&m, 1);
	check_payload(&m);
}

/*
 * A quote of ICMP that is no echo request is accepted as any other
 * protocol; one too short for the 8-byte header, or an echo request with
 * a code, is rejected as before.
 */
static void
test_icmp_quote(void)
{
	uint8_t p[256], q[128], e[128];
	struct icmp_msg m;
	size_t n, qlen;

	qlen = ip4(q, us4, target4, 1, e, echo(e, 0, 13));	/* timestamp */
	n = icmp(p, 0, 11, 0, 0, q, qlen);
	CHECK(icmp4_parse(p, n, 0, &m) == 0 && m.quote_proto == 1);
	CHECK(m.quote_l4 == p + 28 && m.quote_l4[0] == 13);
	check_not_echo(&m);
	n = icmp(p, 0, 11, 0, 0, q, 20 + 7);
	CHECK(icmp4_parse(p, n, 0, &m) == -1 && m.kind == ICMP_KIND_OTHER);
	request4(q);
	q[20 + 1] = 1;
	n = icmp(p, 0, 11, 0, 0, q, qlen);
	CHECK(icmp4_parse(p, n, 0, &m) == -1 && m.quote_l4 == NULL);

	echo(e, 1, 129);
	qlen = ip6(q, us6, target6, 58, e, 8 + PLEN);
	n = icmp(p, 1, 1, 0, 0, q, qlen);
	CHECK(icmp6_parse(p, n, &m) == 0 && m.quote_proto == 58);
	check_not_echo(&m);
	n = icmp(p, 1, 1, 0, 0, q, 40 + 7);
	CHECK(icmp6_parse(p, n, &m) == -1);
	request6(q);
	q[40 + 1] = 1;
	n = icmp(p, 1, 1, 0, 0, q, qlen);
	CHECK(icmp6_parse(p, n, &m) == -1);
}

/* Every type parse accepts has its class; the rest are OTHER. */
static void
test_classes(void)
{
	static const struct {
		uint8_t type;
		enum icmp_class cls;
	} v4[] = {
		{ 0, ICMP_C_ECHO_REPLY }, { 3, ICMP_C_UNREACH },
		{ 4, ICMP_C_QUENCH }, { 5, ICMP_C_REDIRECT },
		{ 8, ICMP_C_ECHO_REQUEST }, { 11, ICMP_C_EXCEEDED },
		{ 12, ICMP_C_PARAM }, { 13, ICMP_C_TS_REQUEST },
		{ 14, ICMP_C_TS_REPLY }, { 15, ICMP_C_OTHER },
	}, v6[] = {
		{ 1, ICMP_C_UNREACH }, { 2, ICMP_C_TOO_BIG },
		{ 3, ICMP_C_EXCEEDED }, { 4, ICMP_C_PARAM },
		{ 128, ICMP_C_ECHO_REQUEST }, { 129, ICMP_C_ECHO_REPLY },
		{ 133, ICMP_C_OTHER }, { 137, ICMP_C_OTHER },
	};
	uint8_t p[256], q[128], u[64];
	struct icmp_msg m;
	size_t i, n, qlen;
	int rc;

	qlen = ip4p(q, us4, target4, 1, 17, 0, u, udp(u));
	for (i = 0; i < sizeof(v4) / sizeof(v4[0]); i++) {
		CHECK(icmp_classify(AF_INET, v4[i].type) == v4[i].cls);
		n = icmp(p, 0, v4[i].type, 0, 0, q, qlen);
		rc = icmp4_parse(p, n, 0, &m);
		CHECK(rc == (v4[i].cls == ICMP_C_OTHER ? -1 : 0));
		CHECK(m.cls == v4[i].cls);
		CHECK(icmp_errqueue_parse(AF_INET, 17, v4[i].type, 0, 0, u, 8,
		    &m) == 0 && m.cls == v4[i].cls);
	}
	/* Fragmentation needed is unreachable, with its MTU. */
	n = icmp(p, 0, 3, 4, 576, q, qlen);
	CHECK(icmp4_parse(p, n, 0, &m) == 0 && m.cls == ICMP_C_UNREACH);
	CHECK(m.mtu == 576);

	qlen = ip6(q, us6, target6, 17, u, udp(u));
	for (i = 0; i < sizeof(v6) / sizeof(v6[0]); i++) {
		CHECK(icmp_classify(AF_INET6, v6[i].type) == v6[i].cls);
		n = icmp(p, 1, v6[i].type, 0, 0, q, qlen);
		rc = icmp6_parse(p, n, &m);
		CHECK(rc == (v6[i].cls == ICMP_C_OTHER ? -1 : 0));
		CHECK(m.cls == v6[i].cls);
		CHECK(icmp_errqueue_parse(AF_INET6, 17, v6[i].type, 0, 0, u, 8,
		    &m) == 0 && m.cls == v6[i].cls);
	}
}

static void
test_names(void)
{
	CHECK_STR(icmp4_error_name(3, 0), "net-unreachable");
	CHECK_STR(icmp4_error_name(3, 1), "host-unreachable");
	CHECK_STR(icmp4_error_name(3, 3), "port-unreachable");
	CHECK_STR(icmp4_error_name(3, 4), "fragmentation-needed");
	CHECK_STR(icmp4_error_name(3, 10), "host-prohibited");
	CHECK_STR(icmp4_error_name(3, 13), "admin-prohibited");
	CHECK_STR(icmp4_error_name(3, 99), "unreachable");
	CHECK_STR(icmp4_error_name(11, 0), "ttl-exceeded");
	CHECK_STR(icmp4_error_name(11, 1), "reassembly-timeout");
	CHECK_STR(icmp4_error_name(12, 0), "parameter-problem");
	CHECK_STR(icmp4_error_name(5, 1), "redirect");
	CHECK_STR(icmp6_error_name(1, 0), "no-route");
	CHECK_STR(icmp6_error_name(1, 1), "admin-prohibited");
	CHECK_STR(icmp6_error_name(1, 3), "address-unreachable");
	CHECK_STR(icmp6_error_name(1, 4), "port-unreachable");
	CHECK_STR(icmp6_error_name(1, 6), "reject-route");
	CHECK_STR(icmp6_error_name(1, 99), "unreachable");
	CHECK_STR(icmp6_error_name(2, 0), "packet-too-big");
	CHECK_STR(icmp6_error_name(3, 0), "ttl-exceeded");
	CHECK_STR(icmp6_error_name(3, 1), "reassembly-timeout");
	CHECK_STR(icmp6_error_name(4, 0), "parameter-problem");
}

static void
test_truncated(void)
{
	uint8_t p[256], q[256], e[256];
	struct icmp_msg m;
	size_t n, qlen;

	/* The quote stops inside the echo header: no id/seq to match. */
	qlen = request4(q);
	n = icmp(e, 0, 3, 1, 0, q, 20 + 4);
	n = ip4(p, router4, us4, 63, e, n);
	CHECK(icmp4_parse(p, n, 1, &m) == -1);
	CHECK(m.kind == ICMP_KIND_OTHER && m.data == NULL);
	/* ... or inside the IP header. */
	n = icmp(p, 0, 11, 0, 0, q, 16);
	CHECK(icmp4_parse(p, n, 0, &m) == -1);

	/* The quote's IHL (60 bytes) runs past the end of the packet. */
	q[0] = 0x4f;
	n = icmp(p, 0, 3, 1, 0, q, 20 + 8 + 8);
	CHECK(icmp4_parse(p, n, 0, &m) == -1);
	CHECK(m.kind == ICMP_KIND_OTHER);
	q[0] = 0x45;
	n = icmp(p, 0, 3, 1, 0, q, qlen);
	CHECK(icmp4_parse(p, n, 0, &m) == 0);

	/* So does the outer one, on a raw socket. */
	n = ip4(p, target4, us4, 61, e, echo(e, 0, 0));
	p[0] = 0x4f;
	CHECK(icmp4_parse(p, 40, 1, &m) == -1);
	CHECK(icmp4_parse(p, 20 + 8, 1, &m) == -1);

	/* ICMPv6: quote cut inside the quoted echo header. */
	request6(q);
	n = icmp(p, 1, 1, 3, 0, q, 40 + 4);
	CHECK(icmp6_parse(p, n, &m) == -1 && m.kind == ICMP_KIND_OTHER);
	n = icmp(p, 1, 1, 3, 0, q, 39);
	CHECK(icmp6_parse(p, n, &m) == -1);
	/* A hop-by-hop header whose length runs past the quote. */
	memcpy(e, "\x3a\x20\1\4\0\0\0\0", 8);
	n = echo(e + 8, 1, 128);
	n = ip6(q, us6, target6, 0, e, 8 + n);
	n = icmp(p, 1, 1, 3, 0, q, n);
	CHECK(icmp6_parse(p, n, &m) == -1);
	CHECK(icmp6_parse(p, 7, &m) == -1);
}

static void
test_cksum4(void)
{
	uint8_t p[256], e[128];
	struct icmp_msg m;
	size_t n;

	n = echo(p, 0, 0);
	CHECK(icmp4_parse(p, n, 0, &m) == 0);
	p[8 + 5] ^= 0x01;
	CHECK(icmp4_parse(p, n, 0, &m) == -1);
	CHECK(m.kind == ICMP_KIND_OTHER);

	/* Raw sockets: the ICMP checksum is checked behind the IP header. */
	n = ip4(p, target4, us4, 61, e, echo(e, 0, 0));
	CHECK(icmp4_parse(p, n, 1, &m) == 0);
	p[20 + 2] ^= 0x80;
	CHECK(icmp4_parse(p, n, 1, &m) == -1);

	/* An error is checked over the whole message, quote included. */
	n = request4(e);
	n = icmp(p, 0, 3, 1, 0, e, n);
	p[n - 1] ^= 0xff;
	CHECK(icmp4_parse(p, n, 0, &m) == -1);
}

static void
test_build(void)
{
	uint8_t p[128], h[128], pl[PLEN];
	struct icmp_msg m;
	size_t n;

	payload(pl);
	CHECK(icmp4_build_echo(p, 8 + PLEN - 1, ID, SEQ, pl, PLEN) == 0);
	n = icmp4_build_echo(p, sizeof(p), ID, SEQ, pl, PLEN);
	CHECK(n == 8 + PLEN);
	CHECK(p[0] == 8 && p[1] == 0 && sum16(p, n) == 0);
	CHECK(icmp4_parse(p, n, 0, &m) == 0 && m.kind == ICMP_KIND_REQUEST);
	CHECK(m.id == ID && m.seq == SEQ);
	check_payload(&m);
	memcpy(h + 8, pl, PLEN);
	icmp_echo_header(h, n, 0, ID, SEQ);
	CHECK(memcmp(h, p, n) == 0);

	n = icmp6_build_echo(p, sizeof(p), ID, SEQ, pl, PLEN);
	CHECK(n == 8 + PLEN);
	CHECK(p[0] == 128 && p[2] == 0 && p[3] == 0);
	CHECK(icmp6_parse(p, n, &m) == 0 && m.kind == ICMP_KIND_REQUEST);
	CHECK(m.id == ID && m.seq == SEQ);
	icmp_echo_header(h, n, 1, ID, SEQ);
	CHECK(memcmp(h, p, n) == 0);
}

/* SipHash paper, appendix A: key 00..0f, message 00..0e. */
static void
test_siphash(void)
{
	struct tag_key k = { 0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL };
	uint8_t msg[15];
	int i;

	for (i = 0; i < 15; i++)
		msg[i] = (uint8_t)i;
	CHECK(siphash24(&k, msg, 15) == 0xa129ca6149be45e5ULL);
	/* The reference implementation's vectors.h, lengths 0 and 8. */
	CHECK(siphash24(&k, msg, 0) == 0x726fdb47dd0e0e31ULL);
	CHECK(siphash24(&k, msg, 8) == 0x93f5f5799a932462ULL);
}

static void
test_tag(void)
{
	struct tag_key k = { 0x0123456789abcdefULL, 0xfedcba9876543210ULL };
	struct probe_hdr h = { .serial = 77, .target = 3,
	    .seq = 0x10000 + SEQ, .sent_us = 0x89abcdef, .attempt = 1,
	    .flags = 0x5a }, got;
	uint8_t pl[PAYLOAD_MIN], addr[16];
	size_t i;
	int bad = 0;

	memcpy(addr, mapped4, 16);
	memset(pl, 0xee, sizeof(pl));
	tag_write(&k, pl, &h, addr);
	memset(&got, 0, sizeof(got));
	CHECK(tag_check(&k, pl, sizeof(pl), addr, &got) == 0);
	CHECK(got.serial == 77 && got.target == 3 && got.seq == 0x10000 + SEQ);
	CHECK(got.sent_us == 0x89abcdef);
	CHECK(got.attempt == 1 && got.flags == 0x5a);
	/* A quote cut inside the tag cannot be verified. */
	CHECK(tag_check(&k, pl, TAG_HDR_LEN + TAG_LEN - 1, addr, &got) == -1);
	/* Every byte of header and tag counts. */
	for (i = 0; i < TAG_HDR_LEN + TAG_LEN; i++) {
		pl[i] ^= 0x04;
		if (tag_check(&k, pl, sizeof(pl), addr, &got) != -1)
			bad++;
		pl[i] ^= 0x04;
	}
	CHECK(bad == 0);
	/* Bytes past the tag (the trace flow bytes) do not. */
	pl[PAYLOAD_FLOW] ^= 0xff;
	CHECK(tag_check(&k, pl, sizeof(pl), addr, &got) == 0);
	/* A reply from another address, or under another key, is not ours. */
	addr[15] ^= 1;
	CHECK(tag_check(&k, pl, sizeof(pl), addr, &got) == -1);
	addr[15] ^= 1;
	/* IPv4's tag hashes its 4 address bytes: an IPv6 address that ends
	 * in them is another. */
	addr[0] = 0x20;
	CHECK(tag_check(&k, pl, sizeof(pl), addr, &got) == -1);
	addr[0] = 0;
	k.k1 ^= 1;
	CHECK(tag_check(&k, pl, sizeof(pl), addr, &got) == -1);
}

/*
 * --trace holds the checksum: whatever the seq and payload, the IPv4
 * checksum is the flow, and the message still verifies (sum 0xffff).
 */
static void
test_flow(void)
{
	uint8_t p[8 + 56];
	uint16_t seq, flow;
	size_t i;

	for (flow = 0; flow < 65535; flow += 4099)
		for (seq = 0; seq < 4096; seq += 97) {
			for (i = 8; i < sizeof(p); i++)
				p[i] = (uint8_t)(i * seq + flow);
			icmp_echo_header_flow(p, sizeof(p), 0, ID, seq, 8 + 20,
			    flow);
			CHECK((p[2] << 8 | p[3]) == flow);
			CHECK(icmp_cksum(p, sizeof(p)) == 0);
			CHECK(p[0] == 8 && (p[6] << 8 | p[7]) == seq);
			/* IPv6: the kernel's checksum is then constant, for
			 * our part of the sum is. */
			icmp_echo_header_flow(p, sizeof(p), 1, ID, seq, 8 + 20,
			    flow);
			CHECK(p[0] == 128 && p[2] == 0 && p[3] == 0);
			CHECK((uint16_t)~icmp_cksum(p, sizeof(p)) ==
			    (uint16_t)(0xffff - flow) ||
			    (flow == 0 && icmp_cksum(p, sizeof(p)) == 0xffff));
		}
}

/* The sum in the CPU's byte order against RFC 1071 written out: every
 * length, odd ones too, at every alignment, over bytes that carry. */
static void
test_cksum_any(void)
{
	uint8_t buf[4 + 300];
	size_t len, off, i;

	for (off = 0; off < 4; off++)
		for (len = 0; len <= 300; len++) {
			for (i = 0; i < len; i++)
				buf[off + i] = (uint8_t)(0xff - (i * 7 + len) % 23);
			CHECK(icmp_cksum(buf + off, len) == sum16(buf + off, len));
		}
	memset(buf, 0xff, sizeof(buf));
	CHECK(icmp_cksum(buf, 300) == sum16(buf, 300));
	memset(buf, 0, sizeof(buf));
	CHECK(icmp_cksum(buf, 300) == 0xffff);
}

static const uint8_t SRC4[16] = { [10] = 0xff, [11] = 0xff, 192, 0, 2, 2 };
static const uint8_t DST4[16] = { [10] = 0xff, [11] = 0xff, 203, 0, 113, 9 };
static const uint8_t SRC6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
static const uint8_t DST6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x23, [15] = 9 };

/* A segment whose stored checksum is right sums to 0 with its pseudo. */
static int
sound(int family, const uint8_t *src, const uint8_t *dst, uint8_t proto,
    const uint8_t *buf, size_t len)
{
	return l4_cksum(l4_pseudo_sum(family, src, dst, proto,
	    (uint32_t)len), buf, len) == 0;
}

/* A SYN built, checksummed (IPv4 and IPv6) and parsed back. */
static void
test_tcp_syn(void)
{
	uint8_t p[20 + TCP_SYN_LEN];
	struct l4_seg seg;

	tcp_build_syn(p + 20, 40000, 443, 0x89abcdefu, 1460);
	tcp_set_cksum(p + 20, TCP_SYN_LEN, l4_pseudo_sum(AF_INET, SRC4, DST4,
	    L4_TCP, TCP_SYN_LEN));
	CHECK(sound(AF_INET, SRC4, DST4, L4_TCP, p + 20, TCP_SYN_LEN));
	CHECK(!sound(AF_INET, SRC4, DST6, L4_TCP, p + 20, TCP_SYN_LEN));
	/* In front, the IPv4 header a raw socket reads. */
	memset(p, 0, 20);
	p[0] = 0x45;
	p[8] = 57;
	p[9] = L4_TCP;
	memcpy(p + 12, DST4 + 12, 4);
	CHECK_EQ(l4_parse(L4_TCP, p, sizeof(p), 1, &seg), 0);
	CHECK_EQ(seg.sport, 40000);
	CHECK_EQ(seg.dport, 443);
	CHECK_EQ(seg.seq, 0x89abcdefu);
	CHECK_EQ(seg.flags, TCP_SYN);
	CHECK_EQ(seg.ttl, 57);
	CHECK(seg.has_src && memcmp(seg.src, DST4, 16) == 0);
	CHECK_EQ(seg.len, TCP_SYN_LEN);
	/* Not TCP, a header cut short, a data offset past the end. */
	CHECK_EQ(l4_parse(L4_UDP, p, sizeof(p), 1, &seg), -1);
	CHECK_EQ(l4_parse(L4_TCP, p, 39, 1, &seg), -1);
	p[20 + 12] = 0xf0;
	CHECK_EQ(l4_parse(L4_TCP, p + 20, TCP_SYN_LEN, 0, &seg), -1);
	p[20 + 12] = 0x40;
	CHECK_EQ(l4_parse(L4_TCP, p + 20, TCP_SYN_LEN, 0, &seg), -1);
	tcp_build_syn(p, 1, 2, 3, 1440);
	tcp_set_cksum(p, TCP_SYN_LEN, l4_pseudo_sum(AF_INET6, SRC6, DST6,
	    L4_TCP, TCP_SYN_LEN));
	CHECK(sound(AF_INET6, SRC6, DST6, L4_TCP, p, TCP_SYN_LEN));
	CHECK_EQ(l4_parse(L4_TCP, p, TCP_SYN_LEN, 0, &seg), 0);
	CHECK_EQ(seg.ttl, -1);
}

/* Whatever checksum is asked for, the datagram carries it, and sound. */
static void
test_udp_cksum(void)
{
	uint8_t p[8 + 56];
	uint32_t want;
	size_t i;

	for (i = 8; i < sizeof(p); i++)
		p[i] = (uint8_t)(i * 7);
	for (want = 0; want <= 0xffff; want += 97) {
		udp_header(p, sizeof(p), 33434, 53);
		udp_cksum_set(p, sizeof(p), l4_pseudo_sum(AF_INET, SRC4, DST4,
		    L4_UDP, sizeof(p)), 8 + 26, (uint16_t)want);
		CHECK_EQ(p[6] << 8 | p[7], want ? want : 0xffff);
		CHECK(sound(AF_INET, SRC4, DST4, L4_UDP, p, sizeof(p)));
		udp_cksum_set(p, sizeof(p), l4_pseudo_sum(AF_INET6, SRC6, DST6,
		    L4_UDP, sizeof(p)), 8 + 26, (uint16_t)want);
		CHECK(sound(AF_INET6, SRC6, DST6, L4_UDP, p, sizeof(p)));
	}
	CHECK_EQ(p[0] << 8 | p[1], 33434);
	CHECK_EQ(p[4] << 8 | p[5], sizeof(p));
	/* Only the absorbing bytes moved: the tag before them stands. */
	for (i = 8; i < 8 + 26; i++)
		CHECK_EQ(p[i], (uint8_t)(i * 7));
}

/* The transport tags: each seq16 back, a forged or moved one refused. */
static void
test_tag_seq(void)
{
	struct tag_key k = { 0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL };
	uint32_t seq16, v, refused = 0;
	uint16_t back;

	for (seq16 = 0; seq16 < 0x10000; seq16 += 251) {
		v = tag_seq32(&k, DST4, 40000, 443, (uint16_t)seq16);
		CHECK(tag_seq32_check(&k, DST4, 40000, 443, v, &back) == 0 &&
		    back == seq16);
		refused += tag_seq32_check(&k, DST6, 40000, 443, v, &back) != 0;
		refused += tag_seq32_check(&k, DST4, 40001, 443, v, &back) != 0;
		refused += tag_seq32_check(&k, DST4, 40000, 443, v ^ 1,
		    &back) != 0;
		refused += tag_seq32_check(&k, DST4, 40000, 443, v + 0x10000,
		    &back) != 0;
	}
	/* 16-bit MACs: one in 65,536 forgeries may pass by chance. */
	CHECK(refused >= 4 * 261 - 1);
	CHECK(tag_mask16(&k, DST4, 1, 2) != tag_mask16(&k, DST4, 1, 3) ||
	    tag_mask16(&k, DST4, 1, 2) != tag_mask16(&k, DST6, 1, 2));
}

/*
 * ICMP timestamp request and reply (RFC 792 types 13, 14): built and
 * read field by field; the reply read behind an IPv4 header with TOS and
 * TTL; short ones and ones with a code refused.
 */
static void
test_timestamp4(void)
{
	uint8_t p[128], r[64], t[12];
	struct icmp_msg m;
	size_t n;

	CHECK(icmp4_build_timestamp(p, 19, ID, SEQ, 1) == 0);
	n = icmp4_build_timestamp(p, sizeof(p), ID, SEQ, 0xdeadbeef);
	CHECK(n == 20 && n == ICMP_TS_LEN);
	CHECK(p[0] == 13 && p[1] == 0 && sum16(p, n) == 0);
	CHECK(get16(p + 4) == ID && get16(p + 6) == SEQ);
	CHECK(get32(p + 8) == 0xdeadbeef && get32(p + 12) == 0 &&
	    get32(p + 16) == 0);
	CHECK(icmp4_parse(p, n, 0, &m) == 0 && m.kind == ICMP_KIND_REQUEST);
	CHECK(m.cls == ICMP_C_TS_REQUEST && m.has_ts && m.ts[0] == 0xdeadbeef);

	put32(t, 0xdeadbeef);
	put32(t + 4, 43200000);
	put32(t + 8, 43200001);
	n = icmp(r, 0, 14, 0, (uint32_t)ID << 16 | SEQ, t, sizeof(t));
	n = ip4(p, target4, us4, 57, r, n);
	p[1] = 0xb8;	/* DSCP EF: the codec reads the header's TOS */
	put16(p + 10, 0);
	put16(p + 10, sum16(p, 20));
	CHECK(icmp4_parse(p, n, 1, &m) == 0 && m.kind == ICMP_KIND_REPLY);
	CHECK(m.cls == ICMP_C_TS_REPLY && m.type == 14 && m.icmp_len == 20);
	CHECK(m.id == ID && m.seq == SEQ && m.ttl == 57 && m.tos == 0xb8);
	CHECK(m.has_ts && m.ts[0] == 0xdeadbeef && m.ts[1] == 43200000 &&
	    m.ts[2] == 43200001);
	CHECK(m.data == p + 28 && m.data_len == 12);
	/* Without the IP header (a datagram socket), no TOS, no TTL. */
	CHECK(icmp4_parse(r, 20, 0, &m) == 0 && m.tos == -1 && m.ttl == -1);
	/* Echo replies do not carry timestamps. */
	n = echo(r, 0, 0);
	CHECK(icmp4_parse(r, n, 0, &m) == 0 && !m.has_ts);
	/* 19 bytes, or a code: refused. */
	n = icmp(r, 0, 14, 0, (uint32_t)ID << 16 | SEQ, t, 11);
	CHECK(icmp4_parse(r, n, 0, &m) == -1 && !m.has_ts);
	n = icmp(r, 0, 14, 1, (uint32_t)ID << 16 | SEQ, t, sizeof(t));
	CHECK(icmp4_parse(r, n, 0, &m) == -1);
}

/* The MAC a timestamp request's originate carries: id, seq, address. */
static void
test_tag_mac32(void)
{
	struct tag_key k = { 0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL };
	struct tag_key k2 = { 1, 2 };
	uint32_t v = tag_mac32(&k, mapped4, ID, SEQ);

	CHECK(v == tag_mac32(&k, mapped4, ID, SEQ));
	CHECK(v != tag_mac32(&k, mapped4, ID, SEQ + 1));
	CHECK(v != tag_mac32(&k, mapped4, ID + 1, SEQ));
	CHECK(v != tag_mac32(&k, mapped_us4, ID, SEQ));
	CHECK(v != tag_mac32(&k2, mapped4, ID, SEQ));
}

static const struct unit_group tests[] = {
	{ "echo4", test_echo4 },
	{ "unreach4", test_unreach4 },
	{ "fragneeded4", test_fragneeded4 },
	{ "timxceed4-mpls", test_timxceed4_mpls },
	{ "echo6", test_echo6 },
	{ "toobig6", test_toobig6 },
	{ "timxceed6-mpls", test_timxceed6_mpls },
	{ "unreach6-hbh", test_unreach6_hbh },
	{ "errqueue", test_errqueue },
	{ "errqueue-l4", test_errqueue_l4 },
	{ "udp4", test_udp4 },
	{ "udp6", test_udp6 },
	{ "tcp8", test_tcp8 },
	{ "ext6-udp", test_ext6_udp },
	{ "frag4", test_frag4 },
	{ "icmp-quote", test_icmp_quote },
	{ "classes", test_classes },
	{ "names", test_names },
	{ "truncated", test_truncated },
	{ "cksum4", test_cksum4 },
	{ "cksum-any", test_cksum_any },
	{ "build", test_build },
	{ "flow", test_flow },
	{ "siphash", test_siphash },
	{ "tag", test_tag },
	{ "tcp-syn", test_tcp_syn },
	{ "udp-cksum", test_udp_cksum },
	{ "tag-seq", test_tag_seq },
	{ "timestamp4", test_timestamp4 },
	{ "tag-mac32", test_tag_mac32 },
};

int
main(int argc, char *argv[])
{
	return unit_main(argc, argv, tests, sizeof(tests) / sizeof(tests[0]));
}
