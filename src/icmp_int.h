/* Internals shared by icmp4.c, icmp6.c and icmp_common.c. */
#ifndef MPING_ICMP_INT_H
#define MPING_ICMP_INT_H

#include <stddef.h>
#include <stdint.h>

#include "icmp.h"

static inline uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static inline void
put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

size_t	icmp_build_echo(uint8_t *, size_t, uint8_t, uint16_t, uint16_t,
	    const uint8_t *, size_t);
void	icmp_msg_reset(struct icmp_msg *);
void	icmp_mapped(uint8_t [16], const uint8_t [4]);
int	icmp_quote_l4(struct icmp_msg *, int, const uint8_t *, size_t, int,
	    uint8_t);
int	icmp_echo_fill(struct icmp_msg *, const uint8_t *, size_t, int);
void	icmp_parse_ext(const uint8_t *, size_t, struct icmp_msg *);
size_t	icmp_split_ext(const uint8_t *, size_t, unsigned, unsigned,
	    const uint8_t **, size_t *);

#endif
