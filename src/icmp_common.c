/* Helpers shared by the IPv4 and IPv6 codecs. */
#include <sys/socket.h>
#include <string.h>

#include "icmp.h"
#include "icmp_int.h"

/*
 * RFC 1071's sum, added in the CPU's byte order: a ones' complement sum of
 * byte-swapped words is the byte-swapped sum (RFC 1071, 2(B)), so the
 * words are loaded as they lie, 64 bits at a time, and summed as 32-bit
 * halves (2^16 = 1 in ones' complement: halves fold alike); only the
 * result is turned to network order.
 */
uint16_t
icmp_cksum(const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint64_t sum = 0, q;
	uint32_t w;
	uint16_t h;
	uint8_t last[2] = { 0, 0 };

	for (; len > 7; p += 8, len -= 8) {
		memcpy(&q, p, 8);
		sum += (q & 0xffffffff) + (q >> 32);
	}
	if (len > 3) {
		memcpy(&w, p, 4);
		sum += w;
		p += 4;
		len -= 4;
	}
	if (len > 1) {
		memcpy(&h, p, 2);
		sum += h;
		p += 2;
		len -= 2;
	}
	if (len) {		/* the high byte of a last word */
		last[0] = p[0];
		memcpy(&h, last, 2);
		sum += h;
	}
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	h = (uint16_t)~sum;
	memcpy(last, &h, 2);
	return (uint16_t)(last[0] << 8 | last[1]);
}

size_t
icmp_build_echo(uint8_t *buf, size_t cap, uint8_t type, uint16_t id,
    uint16_t seq, const uint8_t *payload, size_t plen)
{
	if (cap < 8 || plen > cap - 8)
		return 0;
	buf[0] = type;
	buf[1] = 0;
	buf[2] = buf[3] = 0;
	put16(buf + 4, id);
	put16(buf + 6, seq);
	if (plen)
		memcpy(buf + 8, payload, plen);
	return 8 + plen;
}

/*
 * RFC 4884 extension structure: version 2 header (4 bytes, checksum over
 * the whole structure), then objects of (length, class, c-type).  Only the
 * MPLS label stack (class 1, c-type 1, RFC 4950) is decoded.  A structure
 * with a bad version or checksum is ignored, as the RFC says.
 */
void
icmp_parse_ext(const uint8_t *p, size_t len, struct icmp_msg *m)
{
	size_t off, olen, i;

	if (len < 4 || (p[0] >> 4) != 2)
		return;
	if (get16(p + 2) != 0 && icmp_cksum(p, len) != 0)
		return;
	for (off = 4; off + 4 <= len; off += olen) {
		olen = get16(p + off);
		if (olen < 4 || olen > len - off)
			return;
		if (p[off + 2] != 1 || p[off + 3] != 1)
			continue;
		for (i = off + 4; i + 4 <= off + olen; i += 4) {
			uint32_t v = get32(p + i);
			struct mpls_label *l;

			if (m->nmpls >= ICMP_MPLS_MAX)
				return;
			l = &m->mpls[m->nmpls++];
			l->label = v >> 12;
			l->tc = (v >> 9) & 7;
			l->s = (v >> 8) & 1;
			l->ttl = v & 0xff;
		}
	}
}

/*
 * Where the RFC 4884 "length" field says the original datagram ends, the
 * extension structure starts.  units is 4 (ICMP) or 8 (ICMPv6) bytes;
 * body is what follows the 8-byte ICMP header.  Returns the number of
 * bytes of quote, and sets *ext and *ext_len if an extension is present.
 */
size_t
icmp_split_ext(const uint8_t *body, size_t len, unsigned words,
    unsigned units, const uint8_t **ext, size_t *ext_len)
{
	size_t qlen = (size_t)words * units;

	*ext = NULL;
	*ext_len = 0;
	/* RFC 4884 4.: the original datagram is at least 128 bytes long. */
	if (words == 0 || qlen < 128 || qlen > len)
		return len;
	*ext = body + qlen;
	*ext_len = len - qlen;
	return qlen;
}

void
icmp_echo_header(uint8_t *buf, size_t len, int v6, uint16_t id,
    uint16_t seq)
{
	buf[0] = v6 ? 128 : 8;
	buf[1] = 0;
	buf[2] = buf[3] = 0;
	put16(buf + 4, id);
	put16(buf + 6, seq);
	if (!v6)
		put16(buf + 2, icmp_cksum(buf, len));
}

/*
 * Paris traceroute: per-flow load balancers hash the ICMP type, code and
 * checksum, so every probe of a trace must keep one checksum although its
 * seq and tag change.  The 16-bit word at off (even) absorbs the change:
 * it is chosen so that the ones' complement sum of the message is
 * 0xffff - flow, which makes the IPv4 checksum exactly flow.  For IPv6
 * the kernel adds the pseudo-header, the same for every probe to one
 * target, so that checksum is constant too.
 */
void
icmp_echo_header_flow(uint8_t *buf, size_t len, int v6, uint16_t id,
    uint16_t seq, size_t off, uint16_t flow)
{
	uint32_t sum, want = 0xffffu - flow;

	buf[0] = v6 ? 128 : 8;
	buf[1] = 0;
	buf[2] = buf[3] = 0;
	put16(buf + 4, id);
	put16(buf + 6, seq);
	buf[off] = buf[off + 1] = 0;
	sum = (uint16_t)~icmp_cksum(buf, len);	/* folded sum */
	/* x = want - sum in ones' complement: want + ~sum, folded. */
	sum = want + (~sum & 0xffffu);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	put16(buf + off, (uint16_t)sum);
	if (!v6)
		put16(buf + 2, icmp_cksum(buf, len));
}

void
icmp_msg_reset(struct icmp_msg *m)
{
	memset(m, 0, sizeof(*m));
	m->ttl = m->tos = -1;
	m->quote_proto = -1;
}

/* IPv4 addresses are kept v4-mapped, as targets store them. */
void
icmp_mapped(uint8_t dst[16], const uint8_t a4[4])
{
	memset(dst, 0, 10);
	dst[10] = dst[11] = 0xff;
	memcpy(dst + 12, a4, 4);
}

/*
 * The quoted transport header: l4[0..len) of protocol proto, or l4 NULL
 * for a later fragment.  Any protocol is handed back as it is, for the
 * probe method to judge.  Only a quote of our own protocol (icmp_proto)
 * is looked into: if it is an echo request, id, seq and data are read
 * from it.  A quote of ICMP too short to hold its 8-byte header, or an
 * echo request with a code, is malformed and rejected (-1), as it always
 * was: it may be our probe, cut where nothing can be matched.
 */
int
icmp_quote_l4(struct icmp_msg *m, int proto, const uint8_t *l4, size_t len,
    int icmp_proto, uint8_t echo)
{
	m->quote_proto = proto;
	m->quote_l4 = l4;
	m->quote_l4_len = l4 ? len : 0;
	if (l4 == NULL || proto != icmp_proto)
		return 0;
	if (len < 8 || (l4[0] == echo && l4[1] != 0))
		return -1;
	if (l4[0] != echo)
		return 0;
	m->quote_echo = 1;
	m->id = get16(l4 + 4);
	m->seq = get16(l4 + 6);
	m->data = l4 + 8;
	m->data_len = len - 8;
	return 0;
}

/* The ICMP and ICMPv6 type of each class; -1 where a family has none. */
static const int class_type[][2] = {
	[ICMP_C_ECHO_REPLY] = { 0, 129 },
	[ICMP_C_ECHO_REQUEST] = { 8, 128 },
	[ICMP_C_EXCEEDED] = { 11, 3 },
	[ICMP_C_UNREACH] = { 3, 1 },
	[ICMP_C_TOO_BIG] = { -1, 2 },
	[ICMP_C_PARAM] = { 12, 4 },
	[ICMP_C_REDIRECT] = { 5, -1 },
	[ICMP_C_QUENCH] = { 4, -1 },
	[ICMP_C_TS_REQUEST] = { 13, -1 },
	[ICMP_C_TS_REPLY] = { 14, -1 },
};

enum icmp_class
icmp_classify(int family, uint8_t type)
{
	int v6 = family == AF_INET6, c;

	for (c = ICMP_C_ECHO_REPLY; c <= ICMP_C_LAST; c++)
		if (class_type[c][v6] == type)
			return (enum icmp_class)c;
	return ICMP_C_OTHER;
}

/* An echo request or reply: header fields and the payload. */
int
icmp_echo_fill(struct icmp_msg *m, const uint8_t *buf, size_t len,
    int request)
{
	if (m->code != 0)
		return -1;
	m->kind = request ? ICMP_KIND_REQUEST : ICMP_KIND_REPLY;
	m->id = get16(buf + 4);
	m->seq = get16(buf + 6);
	m->data = buf + 8;
	m->data_len = len - 8;
	return 0;
}
