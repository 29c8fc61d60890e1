/* SipHash-2-4 (Aumasson and Bernstein) and the probe tag built on it. */
#include <sys/random.h>
#include <errno.h>
#include <string.h>

#include "tag.h"

#define ROTL(x, b)	(uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND do {							\
	v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32);	\
	v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;				\
	v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;				\
	v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32);	\
} while (0)

static uint64_t
le64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	memcpy(&v, p, 8);	/* one load where the CPU is little-endian */
	(void)i;
#else
	for (i = 7; i >= 0; i--)
		v = v << 8 | p[i];
#endif
	return v;
}

uint64_t
siphash24(const struct tag_key *k, const uint8_t *in, size_t len)
{
	uint64_t v0 = 0x736f6d6570736575ULL ^ k->k0;
	uint64_t v1 = 0x646f72616e646f6dULL ^ k->k1;
	uint64_t v2 = 0x6c7967656e657261ULL ^ k->k0;
	uint64_t v3 = 0x7465646279746573ULL ^ k->k1;
	uint64_t b = (uint64_t)len << 56, m;
	size_t i, left = len & 7;

	for (i = 0; i + 8 <= len; i += 8) {
		m = le64(in + i);
		v3 ^= m;
		SIPROUND;
		SIPROUND;
		v0 ^= m;
	}
	while (left--)
		b |= (uint64_t)in[i + left] << (8 * left);
	v3 ^= b;
	SIPROUND;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return v0 ^ v1 ^ v2 ^ v3;
}

int
tag_key_init(struct tag_key *k)
{
	uint8_t b[16];
	size_t got = 0;
	ssize_t n;

	while (got < sizeof(b)) {
		n = getrandom(b + got, sizeof(b) - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	k->k0 = le64(b);
	k->k1 = le64(b + 8);
	return 0;
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static void
hdr_put(uint8_t *p, const struct probe_hdr *h)
{
	put32(p, h->serial);
	put32(p + 4, h->target);
	put32(p + 8, h->seq);
	put32(p + 12, h->sent_us);
	p[16] = h->attempt;
	p[17] = h->flags;
}

/*
 * The MAC of a header and its destination.  An IPv4 destination
 * (::ffff:a.b.c.d) as its 4 bytes: 22 bytes in, three SipHash blocks
 * instead of five (a tag is made and checked once for every probe of a
 * sweep).  The length SipHash hashes in keeps the two forms apart.
 */
static uint64_t
tag_of(const struct tag_key *k, const uint8_t *hdr, const uint8_t addr[16])
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0xff, 0xff };
	uint8_t in[TAG_HDR_LEN + 16];

	memcpy(in, hdr, TAG_HDR_LEN);
	if (memcmp(addr, mapped, sizeof(mapped)) == 0) {
		memcpy(in + TAG_HDR_LEN, addr + 12, 4);
		return siphash24(k, in, TAG_HDR_LEN + 4);
	}
	memcpy(in + TAG_HDR_LEN, addr, 16);
	return siphash24(k, in, sizeof(in));
}

void
tag_write(const struct tag_key *k, uint8_t *payload,
    const struct probe_hdr *h, const uint8_t addr[16])
{
	uint64_t t;
	int i;

	hdr_put(payload, h);
	t = tag_of(k, payload, addr);
	for (i = 0; i < TAG_LEN; i++)
		payload[TAG_HDR_LEN + i] = (uint8_t)(t >> (8 * i));
}

int
tag_check(const struct tag_key *k, const uint8_t *payload, size_t len,
    const uint8_t addr[16], struct probe_hdr *h)
{
	uint64_t t;
	uint8_t diff = 0;
	int i;

	if (len < TAG_HDR_LEN + TAG_LEN)
		return -1;
	t = tag_of(k, payload, addr);
	/* Constant time, so timing tells a forger nothing about the tag. */
	for (i = 0; i < TAG_LEN; i++)
		diff |= payload[TAG_HDR_LEN + i] ^ (uint8_t)(t >> (8 * i));
	if (diff)
		return -1;
	h->serial = get32(payload);
	h->target = get32(payload + 4);
	h->seq = get32(payload + 8);
	h->sent_us = get32(payload + 12);
	h->attempt = payload[16];
	h->flags = payload[17];
	return 0;
}

/* SipHash of addr, the ports and a 16-bit word; what tells the uses apart
 * is the last byte. */
static uint64_t
flow_hash(const struct tag_key *k, const uint8_t addr[16], uint16_t sport,
    uint16_t dport, uint16_t word, uint8_t use)
{
	uint8_t in[23];

	memcpy(in, addr, 16);
	in[16] = (uint8_t)(sport >> 8);
	in[17] = (uint8_t)sport;
	in[18] = (uint8_t)(dport >> 8);
	in[19] = (uint8_t)dport;
	in[20] = (uint8_t)(word >> 8);
	in[21] = (uint8_t)word;
	in[22] = use;
	return siphash24(k, in, sizeof(in));
}

uint16_t
tag_mask16(const struct tag_key *k, const uint8_t addr[16], uint16_t sport,
    uint16_t dport)
{
	return (uint16_t)flow_hash(k, addr, sport, dport, 0, 'm');
}

uint32_t
tag_seq32(const struct tag_key *k, const uint8_t addr[16], uint16_t sport,
    uint16_t dport, uint16_t seq16)
{
	uint16_t hi = seq16 ^ tag_mask16(k, addr, sport, dport);
	uint16_t mac = (uint16_t)flow_hash(k, addr, sport, dport, seq16, 's');

	return (uint32_t)hi << 16 | mac;
}

int
tag_seq32_check(const struct tag_key *k, const uint8_t addr[16],
    uint16_t sport, uint16_t dport, uint32_t v, uint16_t *seq16)
{
	uint16_t seq = (uint16_t)(v >> 16) ^ tag_mask16(k, addr, sport, dport);

	if (tag_seq32(k, addr, sport, dport, seq) != v)
		return -1;
	*seq16 = seq;
	return 0;
}

uint32_t
tag_mac32(const struct tag_key *k, const uint8_t addr[16], uint16_t id,
    uint16_t seq)
{
	return (uint32_t)flow_hash(k, addr, id, 0, seq, 't');
}
