#include <sys/socket.h>
#include <string.h>

#include "l4.h"

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/* The unfolded sum of big-endian 16-bit words (an odd byte padded). */
static uint32_t
sum16(uint32_t sum, const uint8_t *p, size_t len)
{
	for (; len > 1; p += 2, len -= 2)
		sum += get16(p);
	if (len)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

static uint16_t
fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

uint32_t
l4_pseudo_sum(int family, const uint8_t src[16], const uint8_t dst[16],
    uint8_t proto, uint32_t len)
{
	int off = family == AF_INET ? 12 : 0;
	uint32_t sum;

	sum = sum16(0, src + off, (size_t)(16 - off));
	sum = sum16(sum, dst + off, (size_t)(16 - off));
	/* Up to 2^32 - 1 fits the sum without overflow here. */
	return sum + proto + (len >> 16) + (len & 0xffff);
}

uint16_t
l4_cksum(uint32_t pseudo, const uint8_t *buf, size_t len)
{
	return (uint16_t)~fold(sum16(fold(pseudo), buf, len));
}

/* The IPv4 header in front of a raw socket's packet: its length, or -1. */
static int
ip4_skip(int proto, const uint8_t *buf, size_t len, struct l4_seg *s)
{
	size_t ihl;

	if (len < 20 || buf[0] >> 4 != 4 || buf[9] != proto)
		return -1;
	ihl = (size_t)(buf[0] & 0x0f) * 4;
	if (ihl < 20 || ihl > len)
		return -1;
	s->ttl = buf[8];
	s->has_src = 1;
	memset(s->src, 0, 10);
	s->src[10] = s->src[11] = 0xff;
	memcpy(s->src + 12, buf + 12, 4);
	return (int)ihl;
}

int
l4_parse(int proto, const uint8_t *buf, size_t len, int ip_header,
    struct l4_seg *s)
{
	size_t hdr;
	int skip = 0;

	memset(s, 0, sizeof(*s));
	s->ttl = -1;
	if (ip_header && (skip = ip4_skip(proto, buf, len, s)) == -1)
		return -1;
	buf += skip;
	len -= (size_t)skip;
	hdr = proto == L4_TCP ? 20 : UDP_HDR_LEN;
	if ((proto != L4_TCP && proto != L4_UDP) || len < hdr)
		return -1;
	/* TCP: the data offset must hold the header it claims. */
	if (proto == L4_TCP && ((size_t)(buf[12] >> 4) * 4 < 20 ||
	    (size_t)(buf[12] >> 4) * 4 > len))
		return -1;
	s->sport = get16(buf);
	s->dport = get16(buf + 2);
	if (proto == L4_TCP) {
		s->seq = get32(buf + 4);
		s->ack = get32(buf + 8);
		s->flags = buf[13];
	}
	s->len = len;
	return 0;
}

void
tcp_build_syn(uint8_t *buf, uint16_t sport, uint16_t dport, uint32_t seq,
    uint16_t mss)
{
	memset(buf, 0, TCP_SYN_LEN);
	put16(buf, sport);
	put16(buf + 2, dport);
	put32(buf + 4, seq);
	buf[12] = (TCP_SYN_LEN / 4) << 4;	/* data offset */
	buf[13] = TCP_SYN;
	put16(buf + 14, 65535);			/* window */
	buf[20] = 2;				/* MSS option */
	buf[21] = 4;
	put16(buf + 22, mss);
}

void
tcp_set_cksum(uint8_t *seg, size_t len, uint32_t pseudo)
{
	put16(seg + 16, 0);
	put16(seg + 16, l4_cksum(pseudo, seg, len));
}

void
udp_header(uint8_t *buf, size_t len, uint16_t sport, uint16_t dport)
{
	put16(buf, sport);
	put16(buf + 2, dport);
	put16(buf + 4, (uint16_t)len);
	put16(buf + 6, 0);
}

/*
 * With the absorber a and the checksum field 0, the sum is S + a; the
 * stored checksum is ~(S + a).  For it to be want: a = ~want - S, in one's
 * complement arithmetic ~want + ~S.
 */
void
udp_cksum_set(uint8_t *buf, size_t len, uint32_t pseudo, size_t off,
    uint16_t want)
{
	uint16_t s;

	put16(buf + 6, 0);
	put16(buf + off, 0);
	s = fold(sum16(fold(pseudo), buf, len));
	put16(buf + off, fold((uint32_t)(uint16_t)~want + (uint16_t)~s));
	put16(buf + 6, want ? want : 0xffff);
}
