/*
 * Pure ICMP/ICMPv6 codecs: build echo requests, classify received packets.
 * Nothing here touches a socket, a clock or global state, so a fuzzer can
 * drive every entry point directly (see fuzz/).
 */
#ifndef MPING_ICMP_H
#define MPING_ICMP_H

#include <stddef.h>
#include <stdint.h>

enum icmp_kind {
	ICMP_KIND_OTHER = 0,	/* not ours to care about */
	ICMP_KIND_REQUEST,	/* an echo request (ours, looped back) */
	ICMP_KIND_REPLY,	/* an echo reply */
	ICMP_KIND_ERROR		/* an error quoting an echo request */
};

#define ICMP_MPLS_MAX	8

struct mpls_label {
	uint32_t label;
	uint8_t	 tc, s, ttl;
};

struct icmp_msg {
	enum icmp_kind	 kind;
	uint8_t		 type, code;	/* outer ICMP type and code */
	int		 ttl;		/* outer TTL/hop limit, -1 if unknown */
	uint16_t	 id, seq;	/* echo header, or the quoted one */
	const uint8_t	*data;		/* echo payload, or what is quoted of it */
	size_t		 data_len;
	size_t		 icmp_len;	/* ICMP bytes (header + data) */
	int		 has_src;	/* src[] holds the outer IPv4 source */
	uint8_t		 src[4];
	/* errors only */
	int		 quote_family;	/* AF_INET/AF_INET6 of the quote, 0 if none */
	uint8_t		 quote_dst[16];	/* quoted destination (IPv4: v4-mapped) */
	uint32_t	 mtu;		/* fragmentation needed/packet too big */
	uint32_t	 pointer;	/* parameter problem */
	uint8_t		 gateway[4];	/* IPv4 redirect */
	int		 nmpls;		/* RFC 4950 labels found in extensions */
	struct mpls_label mpls[ICMP_MPLS_MAX];
};

/* Internet checksum (RFC 1071) over buf; returns the value to store. */
uint16_t	icmp_cksum(const void *buf, size_t len);

/*
 * Build an echo request of 8 + plen bytes into buf (cap bytes).  IPv4 gets
 * its checksum; for IPv6 the kernel computes it (the pseudo-header needs
 * the source address, which only the kernel knows), so it is left 0.
 * Returns the length, or 0 if cap is too small.
 */
size_t	icmp4_build_echo(uint8_t *buf, size_t cap, uint16_t id, uint16_t seq,
	    const uint8_t *payload, size_t plen);
size_t	icmp6_build_echo(uint8_t *buf, size_t cap, uint16_t id, uint16_t seq,
	    const uint8_t *payload, size_t plen);

/*
 * Classify one received packet.  ip_header says whether buf starts with
 * the IPv4 header (raw sockets) or with the ICMP header (datagram
 * sockets).  IPv6 sockets never deliver the IPv6 header.  Returns 0 and
 * fills m for a well-formed echo request, reply or error quoting an echo
 * request; -1 for anything else (m->kind is then ICMP_KIND_OTHER).
 */
int	icmp4_parse(const uint8_t *buf, size_t len, int ip_header,
	    struct icmp_msg *m);
int	icmp6_parse(const uint8_t *buf, size_t len, struct icmp_msg *m);

/*
 * Error-queue messages (IP_RECVERR on datagram sockets): the kernel hands
 * back our own echo request plus the ICMP type/code/info it received.
 * Fills m as icmp4_parse would have for the error itself.
 */
int	icmp_parse_errqueue(int family, uint8_t type, uint8_t code,
	    uint32_t info, const uint8_t *orig, size_t len, struct icmp_msg *m);

/* Stable kebab-case name of an error, e.g. "host-unreachable". */
const char *icmp4_error_name(uint8_t type, uint8_t code);
const char *icmp6_error_name(uint8_t type, uint8_t code);



/*
 * Write the 8-byte echo header in front of a payload already at buf + 8
 * (the hot path fills the payload in place).  IPv4 gets its checksum.
 */
void	icmp_echo_header(uint8_t *buf, size_t len, int v6, uint16_t id,
	    uint16_t seq);
/* The same, holding the checksum at a value given by flow (--trace). */
void	icmp_echo_header_flow(uint8_t *buf, size_t len, int v6, uint16_t id,
	    uint16_t seq, size_t off, uint16_t flow);
#endif
