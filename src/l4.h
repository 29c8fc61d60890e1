/*
 * Pure codecs for the transport headers of UDP and TCP probes: build a
 * SYN or a UDP header, parse what a raw TCP or UDP socket reads, and the
 * checksums over the pseudo-header (RFC 768, 793, 8200 8.1).  Nothing
 * here touches a socket: the fuzzer drives l4_parse directly.
 *
 * Addresses are 16 bytes, IPv4 ones v4-mapped (as struct target has them).
 */
#ifndef MPING_L4_H
#define MPING_L4_H

#include <stddef.h>
#include <stdint.h>

#define L4_TCP		6
#define L4_UDP		17
#define UDP_HDR_LEN	8
#define TCP_SYN_LEN	24	/* a 20-byte header and an MSS option */

#define TCP_FIN		0x01
#define TCP_SYN		0x02
#define TCP_RST		0x04
#define TCP_ACK		0x10

struct l4_seg {
	uint16_t	 sport, dport;
	uint32_t	 seq, ack;	/* TCP only */
	uint8_t		 flags;		/* TCP only */
	int		 ttl;		/* from the IPv4 header, else -1 */
	int		 has_src;	/* src: the IPv4 header's source */
	uint8_t		 src[16];
	size_t		 len;		/* transport bytes, header included */
};

/*
 * One packet of a raw socket of protocol proto (L4_TCP or L4_UDP).
 * ip_header: buf starts with the IPv4 header (IPv4 raw sockets); IPv6 raw
 * sockets deliver the transport header first.  Returns 0 and fills s for
 * a well-formed header of proto, -1 otherwise.
 */
int	l4_parse(int proto, const uint8_t *buf, size_t len, int ip_header,
	    struct l4_seg *s);

/* The unfolded sum of the pseudo-header of a segment of len bytes. */
uint32_t l4_pseudo_sum(int family, const uint8_t src[16],
	    const uint8_t dst[16], uint8_t proto, uint32_t len);
/* The checksum to store: pseudo-header sum plus buf (its field 0). */
uint16_t l4_cksum(uint32_t pseudo, const uint8_t *buf, size_t len);

/* A SYN of TCP_SYN_LEN bytes into buf, checksum 0 (l4_cksum fills it). */
void	tcp_build_syn(uint8_t *buf, uint16_t sport, uint16_t dport,
	    uint32_t seq, uint16_t mss);
/* Write a whole checksum into a TCP segment. */
void	tcp_set_cksum(uint8_t *seg, size_t len, uint32_t pseudo);

/* The 8-byte UDP header of a datagram of len bytes, checksum 0. */
void	udp_header(uint8_t *buf, size_t len, uint16_t sport, uint16_t dport);
/*
 * Make a UDP datagram's checksum come out as want (Paris traceroute's
 * trick): the two bytes at buf + off (off even) absorb the difference,
 * then the checksum is stored.  A want of 0 is sent as 0xffff, its equal
 * in one's complement (0 would mean "no checksum").
 */
void	udp_cksum_set(uint8_t *buf, size_t len, uint32_t pseudo, size_t off,
	    uint16_t want);

#endif
