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
	ICMP_KIND_ERROR		/* an error quoting a sound IP datagram */
};

/*
 * What a message is, whatever its family: the layers above speak these
 * words and never a type number.  IPv4 fragmentation needed is
 * ICMP_C_UNREACH (with mtu set); ICMPv6 packet too big is ICMP_C_TOO_BIG.
 */
enum icmp_class {
	ICMP_C_OTHER = 0,
	ICMP_C_ECHO_REPLY,
	ICMP_C_ECHO_REQUEST,
	ICMP_C_EXCEEDED,	/* time exceeded (TTL or reassembly) */
	ICMP_C_UNREACH,
	ICMP_C_TOO_BIG,		/* ICMPv6 only */
	ICMP_C_PARAM,		/* parameter problem */
	ICMP_C_REDIRECT,	/* IPv4 only (ICMPv6's is neighbour discovery) */
	ICMP_C_QUENCH,		/* IPv4 source quench */
	ICMP_C_TS_REQUEST,	/* IPv4 timestamp request (type 13) */
	ICMP_C_TS_REPLY		/* IPv4 timestamp reply (type 14) */
};
#define ICMP_C_LAST	ICMP_C_TS_REPLY

/* An ICMP timestamp message: the 8-byte header and three timestamps. */
#define ICMP_TS_LEN	20

#define ICMP_MPLS_MAX	8

struct mpls_label {
	uint32_t label;
	uint8_t	 tc, s, ttl;
};

struct icmp_msg {
	enum icmp_kind	 kind;
	enum icmp_class	 cls;		/* set for every message accepted */
	uint8_t		 type, code;	/* outer ICMP type and code */
	int		 ttl;		/* outer TTL/hop limit, -1 if unknown */
	int		 tos;		/* outer TOS (IPv4 header), -1 */
	/* Echo header and payload: the message's own (reply, request), or
	 * an error's quoted echo request (quote_echo); else 0 and NULL. */
	uint16_t	 id, seq;
	const uint8_t	*data;
	size_t		 data_len;
	size_t		 icmp_len;	/* ICMP bytes (header + data) */
	/* A timestamp request or reply (RFC 792): originate, receive and
	 * transmit, milliseconds since midnight UTC; they are data[0..12). */
	int		 has_ts;
	uint32_t	 ts[3];
	int		 has_src;	/* src[] holds the outer IPv4 source */
	uint8_t		 src[4];
	/* errors only: the quoted datagram, whatever its protocol */
	int		 quote_family;	/* AF_INET/AF_INET6 of the quote, 0 if none */
	int		 quote_proto;	/* its transport protocol (IPv6: after the
					 * extension headers), -1 if none */
	uint8_t		 quote_src[16];	/* quoted source (IPv4: v4-mapped) */
	uint8_t		 quote_dst[16];	/* quoted destination (IPv4: v4-mapped) */
	/* The quoted transport header and what follows it, as far as the
	 * quote goes: often only 8 bytes (RFC 792), maybe fewer.  NULL and 0
	 * for a non-first fragment, which carries no transport header. */
	const uint8_t	*quote_l4;
	size_t		 quote_l4_len;
	int		 quote_echo;	/* the quote is an echo request with
					 * its whole 8-byte header: id, seq,
					 * data, data_len are read from it */
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
/* A timestamp request (ICMP_TS_LEN bytes, checksummed), receive and
 * transmit 0; 0 if cap is too small. */
size_t	icmp4_build_timestamp(uint8_t *buf, size_t cap, uint16_t id,
	    uint16_t seq, uint32_t originate);

/*
 * Classify one received packet.  ip_header says whether buf starts with
 * the IPv4 header (raw sockets) or with the ICMP header (datagram
 * sockets).  IPv6 sockets never deliver the IPv6 header.  Returns 0 and
 * fills m for a well-formed echo request, reply, or error quoting a sound
 * IP header (of any protocol); -1 for anything else (m->kind is then
 * ICMP_KIND_OTHER).  A quoted echo request must be whole as ever: a quote
 * of ICMP cut inside its 8-byte header, or an echo request with a code,
 * is rejected, not taken for another protocol.
 */
int	icmp4_parse(const uint8_t *buf, size_t len, int ip_header,
	    struct icmp_msg *m);
int	icmp6_parse(const uint8_t *buf, size_t len, struct icmp_msg *m);

/*
 * Error-queue messages (IP_RECVERR): the kernel hands back our own
 * datagram of protocol proto (IPPROTO_ICMP, IPPROTO_ICMPV6, UDP, TCP...)
 * plus the ICMP type/code/info it received.  Fills m as icmp4_parse would
 * have for the error itself, with quote_l4 = orig.  Where orig starts is
 * the kernel's choice: at the transport header for ICMP, ICMPv6 and TCP,
 * but for UDP just past its 8-byte header (udp_err() queues from uh + 1):
 * the ports are the socket's own.  Without the IP header, quote_src and
 * quote_dst are left 0 (the caller has the address from msg_name).  For
 * proto ICMP(v6) of family, orig must be an echo request (ping sockets
 * only send those), as it always was.
 */
int	icmp_errqueue_parse(int family, int proto, uint8_t type, uint8_t code,
	    uint32_t info, const uint8_t *orig, size_t len, struct icmp_msg *m);
/* The same for the family's own ICMP (ping sockets). */
int	icmp_parse_errqueue(int family, uint8_t type, uint8_t code,
	    uint32_t info, const uint8_t *orig, size_t len, struct icmp_msg *m);

/* The class of an ICMP (family AF_INET) or ICMPv6 type. */
enum icmp_class	icmp_classify(int family, uint8_t type);

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
