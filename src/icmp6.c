/* ICMPv6 codec (RFC 4443, RFC 4884). Pure functions. */
#include <sys/socket.h>
#include <string.h>

#include "icmp.h"
#include "icmp_int.h"

#define ICMP6_UNREACH		1
#define ICMP6_TOOBIG		2
#define ICMP6_TIMXCEED		3
#define ICMP6_PARAMPROB		4
#define ICMP6_ECHO		128
#define ICMP6_ECHOREPLY		129

size_t
icmp6_build_echo(uint8_t *buf, size_t cap, uint16_t id, uint16_t seq,
    const uint8_t *payload, size_t plen)
{
	return icmp_build_echo(buf, cap, ICMP6_ECHO, id, seq, payload, plen);
}

/*
 * Walk the extension headers a router left in a quoted IPv6 datagram to
 * the transport protocol, which it returns, with *l4 the offset of its
 * header (0 for a later fragment, which has none).  -1 if the quote is
 * not an IPv6 datagram, or ends inside a header we have to step over.
 */
static int
ip6_upper(const uint8_t *q, size_t qlen, size_t *l4)
{
	size_t off = 40;
	uint8_t nh;

	if (qlen < 40 || (q[0] >> 4) != 6)
		return -1;
	nh = q[6];
	for (;;) {
		switch (nh) {
		case 0:		/* hop-by-hop */
		case 43:	/* routing */
		case 60:	/* destination options */
			if (off + 8 > qlen)
				return -1;
			nh = q[off];
			off += ((size_t)q[off + 1] + 1) * 8;
			break;
		case 44:	/* fragment: only a first one has the header */
			if (off + 8 > qlen)
				return -1;
			nh = q[off];
			if (get16(q + off + 2) & 0xfff8) {
				/* Its next header is the first fragment's. */
				*l4 = 0;
				return nh;
			}
			off += 8;
			break;
		default:
			*l4 = off;
			return nh;
		}
		if (off > qlen)
			return -1;
	}
}

/*
 * The quoted datagram of an error.  Unlike IPv4's total length, the
 * payload length does not cut it: what the router quoted is kept whole.
 */
static int
parse_quote(const uint8_t *q, size_t qlen, struct icmp_msg *m)
{
	size_t off;
	int proto;

	if ((proto = ip6_upper(q, qlen, &off)) == -1)
		return -1;
	m->quote_family = AF_INET6;
	memcpy(m->quote_src, q + 8, 16);
	memcpy(m->quote_dst, q + 24, 16);
	return icmp_quote_l4(m, proto, off ? q + off : NULL, qlen - off, 58,
	    ICMP6_ECHO);
}

static int
parse_error(const uint8_t *buf, size_t len, struct icmp_msg *m)
{
	const uint8_t *ext = NULL;
	size_t qlen = len - 8, ext_len = 0;

	/* RFC 4884: byte 4 is the quote's length in 64-bit words. */
	if (m->type == ICMP6_UNREACH || m->type == ICMP6_TIMXCEED)
		qlen = icmp_split_ext(buf + 8, len - 8, buf[4], 8, &ext,
		    &ext_len);
	if (parse_quote(buf + 8, qlen, m) == -1)
		return -1;
	m->kind = ICMP_KIND_ERROR;
	if (m->type == ICMP6_TOOBIG)
		m->mtu = get32(buf + 4);
	else if (m->type == ICMP6_PARAMPROB)
		m->pointer = get32(buf + 4);
	if (ext)
		icmp_parse_ext(ext, ext_len, m);
	return 0;
}

static int
parse6(const uint8_t *buf, size_t len, struct icmp_msg *m)
{
	if (len < 8)
		return -1;
	m->type = buf[0];
	m->code = buf[1];
	m->icmp_len = len;
	switch (m->type) {
	case ICMP6_ECHOREPLY:
	case ICMP6_ECHO:
		return icmp_echo_fill(m, buf, len, m->type == ICMP6_ECHO);
	case ICMP6_UNREACH:
	case ICMP6_TIMXCEED:
	case ICMP6_TOOBIG:
	case ICMP6_PARAMPROB:
		return parse_error(buf, len, m);
	}
	return -1;
}

int
icmp6_parse(const uint8_t *buf, size_t len, struct icmp_msg *m)
{
	icmp_msg_reset(m);
	if (parse6(buf, len, m) == -1) {
		icmp_msg_reset(m);
		return -1;
	}
	m->cls = icmp_classify(AF_INET6, m->type);
	return 0;
}

int
icmp_errqueue_parse(int family, int proto, uint8_t type, uint8_t code,
    uint32_t info, const uint8_t *orig, size_t len, struct icmp_msg *m)
{
	int icmp_proto = family == AF_INET6 ? 58 : 1;
	uint8_t echo = family == AF_INET6 ? ICMP6_ECHO : 8;

	icmp_msg_reset(m);
	/* A ping socket's queue holds only the echo requests it sent. */
	if (proto == icmp_proto && (len < 8 || orig[0] != echo))
		return -1;
	if (icmp_quote_l4(m, proto, orig, len, icmp_proto, echo) == -1) {
		icmp_msg_reset(m);
		return -1;
	}
	m->kind = ICMP_KIND_ERROR;
	m->cls = icmp_classify(family, type);
	m->type = type;
	m->code = code;
	m->quote_family = family;
	m->icmp_len = len;
	if ((family == AF_INET && type == 3 && code == 4) ||
	    (family == AF_INET6 && type == ICMP6_TOOBIG))
		m->mtu = info;
	else if ((family == AF_INET && type == 12) ||
	    (family == AF_INET6 && type == ICMP6_PARAMPROB))
		m->pointer = info;
	return 0;
}

int
icmp_parse_errqueue(int family, uint8_t type, uint8_t code, uint32_t info,
    const uint8_t *orig, size_t len, struct icmp_msg *m)
{
	return icmp_errqueue_parse(family, family == AF_INET6 ? 58 : 1, type,
	    code, info, orig, len, m);
}

const char *
icmp6_error_name(uint8_t type, uint8_t code)
{
	static const char *const unreach[] = {
		"no-route", "admin-prohibited", "beyond-scope",
		"address-unreachable", "port-unreachable",
		"source-policy-failed", "reject-route",
	};

	switch (type) {
	case ICMP6_UNREACH:
		if (code < sizeof(unreach) / sizeof(unreach[0]))
			return unreach[code];
		return "unreachable";
	case ICMP6_TOOBIG:
		return "packet-too-big";
	case ICMP6_TIMXCEED:
		return code == 1 ? "reassembly-timeout" : "ttl-exceeded";
	case ICMP6_PARAMPROB:
		return "parameter-problem";
	}
	return "error";
}
