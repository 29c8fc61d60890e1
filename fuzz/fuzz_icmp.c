/*
 * libFuzzer harness for the pure codecs in icmp.h and tag.h.
 *
 * The first input byte picks the entry point (SEL_*), the rest is what it
 * is fed.  Besides the sanitizers catching stray reads, every accepted
 * packet must satisfy what the rest of mping relies on: data lies inside
 * the buffer, just behind the echo header it came from, a quoted
 * transport header lies inside the quote, the class matches the type,
 * labels fit their fields, and so on.  A broken invariant calls abort().
 *
 * Seeds: fuzz/make_corpus.py writes fuzz/corpus/ with the same selectors.
 */
#include <sys/socket.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "icmp.h"
#include "tag.h"
#include "l4.h"

enum {
	SEL_ICMP4_IP,	/* icmp4_parse, raw socket: IPv4 header first */
	SEL_ICMP4,	/* icmp4_parse, datagram socket: ICMP header first */
	SEL_ICMP6,	/* icmp6_parse */
	SEL_ERRQ4,	/* icmp_errqueue_parse(AF_INET): type, code, info[4],
			 * proto, then the datagram */
	SEL_ERRQ6,	/* icmp_errqueue_parse(AF_INET6): same */
	SEL_TAG,	/* tag_check: addr[16], then the payload */
	SEL_ROUND4,	/* icmp4_build_echo -> icmp4_parse: id, seq, payload */
	SEL_ROUND6,	/* icmp6_build_echo -> icmp6_parse: id, seq, payload */
	SEL_L4,		/* l4_parse: flags (bit 0 TCP, bit 1 IPv4 header), then
			 * the packet */
	SEL_L4SUM,	/* udp_cksum_set: v6 flag, src[16], dst[16], want[2],
			 * then the datagram */
	SEL_ROUNDTS,	/* icmp4_build_timestamp -> icmp4_parse: id, seq,
			 * originate, TOS of the IPv4 header */
	SEL_MAX
};

#define ECHO4	8
#define ECHO6	128
#define BUILD_MAX	2048

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The SipHash paper's key, 00..0f; make_corpus.py tags its seeds with it. */
static const struct tag_key key = {
	0x0706050403020100ULL, 0x0f0e0d0c0b0a0908ULL
};

#define CHECK(e)	do { if (!(e)) abort(); } while (0)

static uint16_t
be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* p[0..n) lies inside buf[0..len). */
static int
inside(const uint8_t *p, size_t n, const uint8_t *buf, size_t len)
{
	return p >= buf && p <= buf + len && n <= (size_t)(buf + len - p);
}

static void
check_rejected(int rc, const struct icmp_msg *m)
{
	CHECK(rc == -1);
	CHECK(m->kind == ICMP_KIND_OTHER && m->cls == ICMP_C_OTHER);
	CHECK(m->data == NULL && m->data_len == 0);
	CHECK(m->id == 0 && m->seq == 0);
	CHECK(m->nmpls == 0 && m->quote_family == 0);
	CHECK(m->quote_proto == -1 && m->quote_echo == 0);
	CHECK(m->quote_l4 == NULL && m->quote_l4_len == 0);
	CHECK(!m->has_ts && m->tos == -1 && m->ttl == -1);
}

/* Timestamps only in a timestamp message, read from its data. */
static void
check_ts(const struct icmp_msg *m)
{
	int i;

	if (m->cls != ICMP_C_TS_REQUEST && m->cls != ICMP_C_TS_REPLY) {
		CHECK(!m->has_ts);
		return;
	}
	CHECK(m->has_ts && m->icmp_len >= 20 && m->data_len >= 12);
	for (i = 0; i < 3; i++)
		CHECK(m->ts[i] == be32(m->data + 4 * i));
}

/* The class of a type, written out again rather than trusting the codec. */
static enum icmp_class
want_class(int family, uint8_t type)
{
	static const uint8_t v4[] = { 0, 8, 11, 3, 255, 12, 5, 4, 13, 14 };
	static const uint8_t v6[] = { 129, 128, 3, 1, 2, 4, 255, 255, 255,
	    255 };
	const uint8_t *t = family == AF_INET6 ? v6 : v4;
	int c;

	/* v4[c - 1], v6[c - 1]: the type of class c, in enum order. */
	for (c = ICMP_C_ECHO_REPLY; c <= ICMP_C_LAST; c++)
		if (t[c - 1] == type && type != 255)
			return (enum icmp_class)c;
	return ICMP_C_OTHER;
}

/*
 * The echo fields: data lies in buf, just behind the 8-byte echo header
 * (the reply's own, or the quoted request's) that id and seq were read
 * from.
 */
static void
check_echo(const uint8_t *buf, size_t len, const struct icmp_msg *m)
{
	const uint8_t *echo;

	CHECK(m->data != NULL && inside(m->data, m->data_len, buf, len));
	CHECK(m->data - buf >= 8);
	echo = m->data - 8;
	CHECK(be16(echo + 4) == m->id && be16(echo + 6) == m->seq);
	CHECK(echo[1] == 0);
}

/*
 * An error's quote: its transport header inside buf; an echo request
 * there is always found, and id, seq and data come from it and from
 * nothing else.
 */
static void
check_quote(const uint8_t *buf, size_t len, const struct icmp_msg *m,
    int family)
{
	int icmp_proto = family == AF_INET6 ? 58 : 1;
	const uint8_t *l4 = m->quote_l4;

	CHECK(m->quote_family == family);
	CHECK(m->quote_proto >= 0 && m->quote_proto <= 255);
	if (l4 == NULL)
		CHECK(m->quote_l4_len == 0);
	else
		CHECK(inside(l4, m->quote_l4_len, buf, len));
	/* A quote of ICMP is whole or the error was rejected. */
	if (l4 && m->quote_proto == icmp_proto)
		CHECK(m->quote_l4_len >= 8);
	CHECK(m->quote_echo == (l4 && m->quote_proto == icmp_proto &&
	    l4[0] == (family == AF_INET6 ? ECHO6 : ECHO4)));
	if (!m->quote_echo) {
		CHECK(m->data == NULL && m->data_len == 0);
		CHECK(m->id == 0 && m->seq == 0);
		return;
	}
	check_echo(buf, len, m);
	CHECK(m->data == l4 + 8 && m->data_len == m->quote_l4_len - 8);
	CHECK(m->data_len <= m->icmp_len - 8);
}

/* What holds for every message, accepted or not. */
static void
check_msg(const uint8_t *buf, size_t len, int rc, const struct icmp_msg *m,
    int family)
{
	int i;

	if (rc != 0) {
		check_rejected(rc, m);
		return;
	}
	CHECK(m->kind == ICMP_KIND_REQUEST || m->kind == ICMP_KIND_REPLY ||
	    m->kind == ICMP_KIND_ERROR);
	CHECK(m->cls == want_class(family, m->type));
	CHECK(m->cls == icmp_classify(family, m->type));
	CHECK(m->icmp_len <= len);
	CHECK(m->nmpls >= 0 && m->nmpls <= ICMP_MPLS_MAX);
	for (i = 0; i < m->nmpls; i++) {
		CHECK(m->mpls[i].label < 1U << 20);
		CHECK(m->mpls[i].tc < 8 && m->mpls[i].s < 2);
	}
	if (m->kind == ICMP_KIND_ERROR) {
		check_quote(buf, len, m, family);
		return;
	}
	CHECK(m->icmp_len >= 8);
	check_echo(buf, len, m);
	check_ts(m);
	CHECK(m->data[-8] == m->type && m->code == 0);
	CHECK(m->data_len == m->icmp_len - 8);
	CHECK(m->quote_family == 0 && m->nmpls == 0);
	CHECK(m->quote_proto == -1 && !m->quote_echo);
	CHECK(m->quote_l4 == NULL && m->quote_l4_len == 0);
	CHECK(m->mtu == 0 && m->pointer == 0);
}

/*
 * An IPv4 quote q[0..qlen): addresses v4-mapped (as targets are stored),
 * the transport header right behind the quoted IP header, within its
 * total length, and only in a first fragment.
 */
static void
check_quote4(const uint8_t *q, size_t qlen, const struct icmp_msg *m)
{
	static const uint8_t mapped[12] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
	};
	size_t hl, tot;

	CHECK(qlen >= 20 && (q[0] >> 4) == 4);
	hl = (size_t)(q[0] & 0x0f) * 4;
	tot = be16(q + 2);
	CHECK(hl >= 20 && hl <= qlen);
	CHECK(memcmp(m->quote_dst, mapped, sizeof(mapped)) == 0);
	CHECK(memcmp(m->quote_src, mapped, sizeof(mapped)) == 0);
	CHECK(memcmp(m->quote_src + 12, q + 12, 4) == 0);
	CHECK(memcmp(m->quote_dst + 12, q + 16, 4) == 0);
	CHECK(m->quote_proto == q[9]);
	CHECK((m->quote_l4 == NULL) == ((be16(q + 6) & 0x1fff) != 0));
	if (m->quote_l4 == NULL)
		return;
	CHECK(m->quote_l4 == q + hl);
	CHECK(m->quote_l4_len <= qlen - hl);
	CHECK(tot < hl || m->quote_l4_len <= tot - hl);
}

static void
fuzz_icmp4(const uint8_t *buf, size_t len, int ip_header)
{
	struct icmp_msg m;
	size_t hl;
	int rc;

	rc = icmp4_parse(buf, len, ip_header, &m);
	check_msg(buf, len, rc, &m, AF_INET);
	if (rc != 0)
		return;
	if (ip_header) {
		hl = (size_t)(buf[0] & 0x0f) * 4;
		CHECK(m.ttl == buf[8] && m.has_src);
		CHECK(memcmp(m.src, buf + 12, 4) == 0);
		CHECK(hl + m.icmp_len <= len);
	} else {
		hl = 0;
		CHECK(m.ttl == -1 && !m.has_src);
		CHECK(m.icmp_len == len);
	}
	/* Raw sockets deliver unchecked packets; the codec must check. */
	CHECK(icmp_cksum(buf + hl, m.icmp_len) == 0);
	CHECK(buf[hl] == m.type && buf[hl + 1] == m.code);
	if (m.kind == ICMP_KIND_ERROR && m.type == 3 && m.code == 4)
		CHECK(m.mtu == be16(buf + hl + 6));
	else
		CHECK(m.mtu == 0);
	if (m.kind == ICMP_KIND_ERROR)
		check_quote4(buf + hl + 8, m.icmp_len - 8, &m);
	CHECK(icmp4_error_name(m.type, m.code) != NULL);
}

static void
fuzz_icmp6(const uint8_t *buf, size_t len)
{
	struct icmp_msg m;
	int rc;

	rc = icmp6_parse(buf, len, &m);
	check_msg(buf, len, rc, &m, AF_INET6);
	if (rc != 0)
		return;
	CHECK(m.icmp_len == len && m.ttl == -1 && !m.has_src);
	CHECK(buf[0] == m.type && buf[1] == m.code);
	if (m.kind == ICMP_KIND_ERROR) {
		/* The quoted IPv6 header's addresses, 8 + 8 bytes in. */
		CHECK(len >= 8 + 40 && (buf[8] >> 4) == 6);
		CHECK(memcmp(m.quote_src, buf + 8 + 8, 16) == 0);
		CHECK(memcmp(m.quote_dst, buf + 8 + 24, 16) == 0);
		/* Extension headers are 8-byte multiples. */
		CHECK(m.quote_l4 == NULL ||
		    (m.quote_l4 >= buf + 48 && (m.quote_l4 - buf) % 8 == 0));
		if (m.type == 2)
			CHECK(m.mtu == be32(buf + 4));
	}
	CHECK(icmp6_error_name(m.type, m.code) != NULL);
}

/*
 * Our own datagram back from the error queue: handed back whole, from
 * any protocol but the family's ICMP, where only an echo request is ours
 * (and the old entry point agrees).
 */
static void
fuzz_errqueue(const uint8_t *buf, size_t len, int family)
{
	int proto, icmp_proto = family == AF_INET6 ? 58 : 1;
	struct icmp_msg m, old;
	const char *name;
	uint32_t info;
	uint8_t type, code;
	int rc;

	if (len < 7)
		return;
	type = buf[0];
	code = buf[1];
	info = be32(buf + 2);
	proto = buf[6];
	buf += 7;
	len -= 7;
	rc = icmp_errqueue_parse(family, proto, type, code, info, buf, len,
	    &m);
	check_msg(buf, len, rc, &m, family);
	name = family == AF_INET6 ? icmp6_error_name(type, code) :
	    icmp4_error_name(type, code);
	CHECK(name != NULL && *name != '\0');
	if (proto == icmp_proto) {
		CHECK(icmp_parse_errqueue(family, type, code, info, buf, len,
		    &old) == rc);
		CHECK(memcmp(&old, &m, sizeof(m)) == 0);
	} else
		CHECK(rc == 0);
	if (rc != 0)
		return;
	CHECK(m.kind == ICMP_KIND_ERROR);
	CHECK(m.type == type && m.code == code);
	CHECK(m.quote_proto == proto);
	CHECK(m.quote_l4 == buf && m.quote_l4_len == len);
	CHECK(m.quote_echo == (proto == icmp_proto));
	if (m.quote_echo)
		CHECK(m.data == buf + 8 && m.data_len == len - 8);
	CHECK(m.mtu == 0 || m.mtu == info);
	CHECK(m.pointer == 0 || m.pointer == info);
}

/*
 * A payload that verifies must be exactly what tag_write makes of its
 * header; a payload we tag must verify, and stop verifying when any byte
 * of header, tag or address changes.
 */
static void
fuzz_tag(const uint8_t *buf, size_t len)
{
	uint8_t addr[16], p[TAG_HDR_LEN + TAG_LEN];
	struct probe_hdr h, h2;
	size_t i;

	if (len < sizeof(addr))
		return;
	memcpy(addr, buf, sizeof(addr));
	buf += sizeof(addr);
	len -= sizeof(addr);
	memset(&h, 0, sizeof(h));
	if (tag_check(&key, buf, len, addr, &h) == 0) {
		CHECK(len >= sizeof(p));
		tag_write(&key, p, &h, addr);
		CHECK(memcmp(p, buf, sizeof(p)) == 0);
	} else if (len < sizeof(p))
		return;

	memcpy(p, buf, sizeof(p));
	h.serial = be32(p);
	h.target = be32(p + 4);
	h.seq = be32(p + 8);
	h.sent_us = be32(p + 12);
	h.attempt = p[16];
	h.flags = p[17];
	tag_write(&key, p, &h, addr);
	CHECK(tag_check(&key, p, sizeof(p), addr, &h2) == 0);
	CHECK(h2.serial == h.serial && h2.target == h.target &&
	    h2.seq == h.seq && h2.sent_us == h.sent_us &&
	    h2.attempt == h.attempt &&
	    h2.flags == h.flags);
	CHECK(tag_check(&key, p, sizeof(p) - 1, addr, &h2) == -1);
	i = buf[len - 1] % sizeof(p);
	p[i] ^= 1;
	CHECK(tag_check(&key, p, sizeof(p), addr, &h2) == -1);
	p[i] ^= 1;
	addr[i % sizeof(addr)] ^= 0x80;
	CHECK(tag_check(&key, p, sizeof(p), addr, &h2) == -1);
}

/* Wrap an ICMP message in a minimal IPv4 header, as raw sockets see it. */
static size_t
ip4_wrap(uint8_t *ip, const uint8_t *icmp, size_t len)
{
	size_t tot = 20 + len;

	memset(ip, 0, 20);
	ip[0] = 0x45;
	ip[2] = tot >> 8;
	ip[3] = tot & 0xff;
	ip[8] = 64;
	ip[9] = 1;
	memcpy(ip + 20, icmp, len);
	return tot;
}

static void
fuzz_round(const uint8_t *buf, size_t len, int v6)
{
	static uint8_t pkt[BUILD_MAX], hdr[BUILD_MAX], ip[20 + BUILD_MAX];
	struct icmp_msg m;
	uint16_t id, seq;
	size_t n, plen;
	int rc;

	if (len < 4)
		return;
	id = be16(buf);
	seq = be16(buf + 2);
	buf += 4;
	plen = len - 4;
	if (plen > BUILD_MAX - 8)
		plen = BUILD_MAX - 8;

	n = v6 ? icmp6_build_echo(pkt, plen + 7, id, seq, buf, plen) :
	    icmp4_build_echo(pkt, plen + 7, id, seq, buf, plen);
	CHECK(n == 0);
	n = v6 ? icmp6_build_echo(pkt, sizeof(pkt), id, seq, buf, plen) :
	    icmp4_build_echo(pkt, sizeof(pkt), id, seq, buf, plen);
	CHECK(n == 8 + plen);
	rc = v6 ? icmp6_parse(pkt, n, &m) : icmp4_parse(pkt, n, 0, &m);
	check_msg(pkt, n, rc, &m, v6 ? AF_INET6 : AF_INET);
	CHECK(rc == 0 && m.kind == ICMP_KIND_REQUEST);
	CHECK(m.type == (v6 ? ECHO6 : ECHO4) && m.code == 0);
	CHECK(m.id == id && m.seq == seq && m.icmp_len == n);
	CHECK(m.data == pkt + 8 && m.data_len == plen);
	CHECK(plen == 0 || memcmp(m.data, buf, plen) == 0);

	/* The hot path writes the header in place; same bytes expected. */
	memset(hdr, 0xa5, 8);
	if (plen)
		memcpy(hdr + 8, buf, plen);
	icmp_echo_header(hdr, n, v6, id, seq);
	CHECK(memcmp(hdr, pkt, n) == 0);

	if (v6)
		return;
	n = ip4_wrap(ip, pkt, n);
	rc = icmp4_parse(ip, n, 1, &m);
	check_msg(ip, n, rc, &m, AF_INET);
	CHECK(rc == 0 && m.kind == ICMP_KIND_REQUEST && m.ttl == 64);
	CHECK(m.id == id && m.seq == seq && m.data_len == plen);
	CHECK(plen == 0 || memcmp(m.data, buf, plen) == 0);
}

/* A timestamp request built reads back, alone and behind an IP header. */
static void
fuzz_round_ts(const uint8_t *buf, size_t len)
{
	uint8_t pkt[ICMP_TS_LEN], ip[20 + ICMP_TS_LEN];
	struct icmp_msg m;
	uint16_t id, seq;
	uint32_t orig;
	size_t n;
	int rc;

	if (len < 9)
		return;
	id = be16(buf);
	seq = be16(buf + 2);
	orig = be32(buf + 4);
	CHECK(icmp4_build_timestamp(pkt, ICMP_TS_LEN - 1, id, seq, orig) ==
	    0);
	n = icmp4_build_timestamp(pkt, sizeof(pkt), id, seq, orig);
	CHECK(n == ICMP_TS_LEN);
	rc = icmp4_parse(pkt, n, 0, &m);
	check_msg(pkt, n, rc, &m, AF_INET);
	CHECK(rc == 0 && m.kind == ICMP_KIND_REQUEST);
	CHECK(m.cls == ICMP_C_TS_REQUEST && m.tos == -1);
	CHECK(m.id == id && m.seq == seq && m.ts[0] == orig &&
	    m.ts[1] == 0 && m.ts[2] == 0);
	n = ip4_wrap(ip, pkt, n);
	ip[1] = buf[8];
	rc = icmp4_parse(ip, n, 1, &m);
	check_msg(ip, n, rc, &m, AF_INET);
	CHECK(rc == 0 && m.tos == buf[8] && m.ttl == 64 && m.ts[0] == orig);
}

/* A parsed transport header lies inside the packet, as said. */
static void
fuzz_l4(const uint8_t *buf, size_t len)
{
	struct l4_seg seg;
	int proto, ip, rc;
	size_t hdr;

	if (len < 1)
		return;
	proto = buf[0] & 1 ? L4_TCP : L4_UDP;
	ip = (buf[0] & 2) != 0;
	rc = l4_parse(proto, buf + 1, len - 1, ip, &seg);
	if (rc == -1)
		return;
	hdr = proto == L4_TCP ? 20 : UDP_HDR_LEN;
	CHECK(seg.len >= hdr && seg.len <= len - 1);
	CHECK(ip ? seg.ttl >= 0 && seg.has_src : seg.ttl == -1 &&
	    !seg.has_src);
	CHECK(seg.sport == be16(buf + 1 + (len - 1 - seg.len)));
	CHECK(proto == L4_UDP || seg.seq == be32(buf + 1 + (len - 1 -
	    seg.len) + 4));
}

/* Whatever checksum is asked for, the datagram carries it, and sound. */
static void
fuzz_l4sum(const uint8_t *buf, size_t len)
{
	uint8_t d[UDP_HDR_LEN + 512];
	uint16_t want;
	size_t n;
	int fam;
	uint32_t ps;

	if (len < 35 + UDP_HDR_LEN + 2)
		return;
	fam = buf[0] & 1 ? AF_INET6 : AF_INET;
	want = be16(buf + 33);
	n = len - 35 > sizeof(d) ? sizeof(d) : len - 35;
	memcpy(d, buf + 35, n);
	ps = l4_pseudo_sum(fam, buf + 1, buf + 17, L4_UDP, (uint32_t)n);
	udp_cksum_set(d, n, ps, UDP_HDR_LEN, want);
	CHECK(be16(d + 6) == (want ? want : 0xffff));
	CHECK(l4_cksum(ps, d, n) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *buf;
	size_t len;

	if (size < 1)
		return 0;
	buf = data + 1;
	len = size - 1;
	switch (data[0] % SEL_MAX) {
	case SEL_ICMP4_IP:
		fuzz_icmp4(buf, len, 1);
		break;
	case SEL_ICMP4:
		fuzz_icmp4(buf, len, 0);
		break;
	case SEL_ICMP6:
		fuzz_icmp6(buf, len);
		break;
	case SEL_ERRQ4:
		fuzz_errqueue(buf, len, AF_INET);
		break;
	case SEL_ERRQ6:
		fuzz_errqueue(buf, len, AF_INET6);
		break;
	case SEL_TAG:
		fuzz_tag(buf, len);
		break;
	case SEL_ROUND4:
		fuzz_round(buf, len, 0);
		break;
	case SEL_ROUND6:
		fuzz_round(buf, len, 1);
		break;
	case SEL_L4:
		fuzz_l4(buf, len);
		break;
	case SEL_L4SUM:
		fuzz_l4sum(buf, len);
		break;
	case SEL_ROUNDTS:
		fuzz_round_ts(buf, len);
		break;
	}
	return 0;
}
