/*
 * Keyed probe tags.  Every probe's payload starts with a small header and
 * a SipHash-2-4 MAC over it and the target address, keyed with a secret
 * drawn at start-up.  A reply is ours only if its tag verifies: replies for
 * another ping process, forged or corrupted ones are rejected without any
 * table of sent probes (the zmap/OpenBSD ping approach).
 */
#ifndef MPING_TAG_H
#define MPING_TAG_H

#include <stddef.h>
#include <stdint.h>

#define TAG_HDR_LEN	18	/* serial, target, seq, sent, attempt, flags */
#define TAG_LEN		8
#define PAYLOAD_MIN	28	/* header + tag + 2 trace bytes */
#define PAYLOAD_FLOW	26	/* offset of the 2 bytes --trace may adjust */

struct tag_key {
	uint64_t k0, k1;
};

struct probe_hdr {
	uint32_t serial;	/* the probe's slot, see struct probe */
	uint32_t target;	/* index in the target table */
	uint32_t seq;		/* all 32 bits; the ICMP header has 16 */
	/*
	 * Send time, monotonic microseconds modulo 2^32: a reply that comes
	 * after its probe timed out (and left the pool) still has an RTT,
	 * exact up to 71 minutes (-t is at most one hour).  Under the tag,
	 * so nobody else can make it up.
	 */
	uint32_t sent_us;
	uint8_t	 attempt;	/* 0, or the retry number */
	uint8_t	 flags;
};

int	tag_key_init(struct tag_key *);
uint64_t siphash24(const struct tag_key *, const uint8_t *, size_t);

/* Write header and tag for a probe to addr (16 bytes, v4-mapped or v6). */
void	tag_write(const struct tag_key *, uint8_t *payload,
	    const struct probe_hdr *, const uint8_t addr[16]);

/*
 * Verify a payload (or what an error quoted of it) against addr.  Returns
 * 0 and fills h if the tag is intact, -1 otherwise.
 */
int	tag_check(const struct tag_key *, const uint8_t *payload, size_t len,
	    const uint8_t addr[16], struct probe_hdr *h);

/*
 * Transport probes carry no payload the answer returns (a SYN-ACK or RST
 * echoes only ports and our sequence number + 1; a router may quote only
 * 8 bytes), so their tag is 16 or 32 bits in a header field.
 *
 * tag_mask16: a keyed mask for a probe's 16-bit number n16 (the low bits
 * of its serial) on the 5-tuple to addr (ports in host order): n16 ^ mask
 * is what goes on the wire (the UDP checksum), so nobody can predict it,
 * and ^ mask again reads it back.
 *
 * tag_seq32: a TCP sequence number: the masked n16 in its upper half, a
 * 16-bit keyed MAC over the 5-tuple and n16 in its lower half.
 * tag_seq32_check gives back n16 (0), or -1 if the MAC is wrong.  A
 * blind forger must hit the MAC (1 in 65,536) and a number that is in
 * flight to that target (mostly 1 in 65,536 more).
 */
uint16_t tag_mask16(const struct tag_key *, const uint8_t addr[16],
	    uint16_t sport, uint16_t dport);
uint32_t tag_seq32(const struct tag_key *, const uint8_t addr[16],
	    uint16_t sport, uint16_t dport, uint16_t n16);
/*
 * tag_mac32: a 32-bit keyed MAC of an ICMP timestamp request's id and seq
 * to addr, carried in its originate timestamp (which the reply echoes):
 * the message has no payload to hold a tag.
 */
uint32_t tag_mac32(const struct tag_key *, const uint8_t addr[16],
	    uint16_t id, uint16_t seq);
int	tag_seq32_check(const struct tag_key *, const uint8_t addr[16],
	    uint16_t sport, uint16_t dport, uint32_t v, uint16_t *n16);

#endif
