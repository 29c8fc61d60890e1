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
 * Find the ICMPv6 header in a quoted IPv6 datagram, walking extension
 * headers a router may have left in place.  Returns its offset or 0.
 */
static size_t
ip6_upper(const uint8_t *q, size_t qlen)
{
	size_t off = 40;
	uint8_t nh;

	if (qlen < 40 || (q[0] >> 4) != 6)
		return 0;
	nh = q[6];
	for (;;) {
		switch (nh) {
		case 58:
			return off;
		case 0:		/* hop-by-hop */
		case 43:	/* routing */
		case 60:	/* destination options */
			if (off + 8 > qlen)
				return 0;
			nh = q[off];
			off += ((size_t)q[off + 1] + 1) * 8;
			break;
		case 44:	/* fragment: only a first fragment has our header */
			if (off + 8 > qlen || (get16(q + off + 2) & 0xfff8))
				return 0;
			nh = q[off];
			off += 8;
			break;
		default:
			return 0;
		}
		if (off > qlen)
			return 0;
	}
}

int
icmp6_parse(const uint8_t *buf, size_t len, struct icmp_msg *m)
{
	const uint8_t *ext = NULL, *q;
	size_t qlen, off, ext_len = 0;

	icmp_msg_reset(m);
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
		/* RFC 4884: byte 4 is the quote's length in 64-bit words. */
		qlen = icmp_split_ext(buf + 8, len - 8, buf[4], 8, &ext,
		    &ext_len);
		break;
	case ICMP6_TOOBIG:
	case ICMP6_PARAMPROB:
		qlen = len - 8;
		break;
	default:
		return -1;
	}
	q = buf + 8;
	off = ip6_upper(q, qlen);
	if (off == 0 || off + 8 > qlen || q[off] != ICMP6_ECHO ||
	    q[off + 1] != 0) {
		icmp_msg_reset(m);
		return -1;
	}
	m->kind = ICMP_KIND_ERROR;
	m->quote_family = AF_INET6;
	memcpy(m->quote_dst, q + 24, 16);
	m->id = get16(q + off + 4);
	m->seq = get16(q + off + 6);
	m->data = q + off + 8;
	m->data_len = qlen - off - 8;
	if (m->type == ICMP6_TOOBIG)
		m->mtu = get32(buf + 4);
	else if (m->type == ICMP6_PARAMPROB)
		m->pointer = get32(buf + 4);
	if (ext)
		icmp_parse_ext(ext, ext_len, m);
	return 0;
}

int
icmp_parse_errqueue(int family, uint8_t type, uint8_t code, uint32_t info,
    const uint8_t *orig, size_t len, struct icmp_msg *m)
{
	uint8_t echo = family == AF_INET6 ? ICMP6_ECHO : 8;

	icmp_msg_reset(m);
	if (len < 8 || orig[0] != echo || orig[1] != 0)
		return -1;
	m->kind = ICMP_KIND_ERROR;
	m->type = type;
	m->code = code;
	m->quote_family = family;
	m->id = get16(orig + 4);
	m->seq = get16(orig + 6);
	m->data = orig + 8;
	m->data_len = len - 8;
	m->icmp_len = len;
	if ((family == AF_INET && type == 3 && code == 4) ||
	    (family == AF_INET6 && type == ICMP6_TOOBIG))
		m->mtu = info;
	else if ((family == AF_INET && type == 12) ||
	    (family == AF_INET6 && type == ICMP6_PARAMPROB))
		m->pointer = info;
	return 0;
}

const char *
icmp6_error_name(uint8_t type, uint8_t code)
{
	static const char *unreach[] = {
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
