/* IPv4 ICMP codec (RFC 792, RFC 1191, RFC 4884). Pure functions. */
#include <sys/socket.h>
#include <string.h>

#include "icmp.h"
#include "icmp_int.h"

#define ICMP4_ECHOREPLY		0
#define ICMP4_UNREACH		3
#define ICMP4_SOURCEQUENCH	4
#define ICMP4_REDIRECT		5
#define ICMP4_ECHO		8
#define ICMP4_TIMXCEED		11
#define ICMP4_PARAMPROB		12

size_t
icmp4_build_echo(uint8_t *buf, size_t cap, uint16_t id, uint16_t seq,
    const uint8_t *payload, size_t plen)
{
	size_t n = icmp_build_echo(buf, cap, ICMP4_ECHO, id, seq, payload,
	    plen);

	if (n)
		put16(buf + 2, icmp_cksum(buf, n));
	return n;
}

/* Strip an IPv4 header; returns its length or 0 if it is not one. */
static size_t
ip4_header(const uint8_t *p, size_t len, size_t *total)
{
	size_t hl, tot;

	if (len < 20 || (p[0] >> 4) != 4)
		return 0;
	hl = (size_t)(p[0] & 0x0f) * 4;
	if (hl < 20 || hl > len)
		return 0;
	tot = get16(p + 2);
	/* A quote may be cut short; a total beyond it is not an error. */
	*total = (tot >= hl && tot < len) ? tot : len;
	return hl;
}

/* The quoted datagram of an error must be our echo request. */
static int
parse_quote(const uint8_t *q, size_t qlen, struct icmp_msg *m)
{
	size_t hl, tot;

	if ((hl = ip4_header(q, qlen, &tot)) == 0 || q[9] != 1)
		return -1;
	if (tot < hl + 8 || q[hl] != ICMP4_ECHO || q[hl + 1] != 0)
		return -1;
	m->quote_family = AF_INET;
	memset(m->quote_dst, 0, 10);	/* v4-mapped, as targets store it */
	m->quote_dst[10] = m->quote_dst[11] = 0xff;
	memcpy(m->quote_dst + 12, q + 16, 4);
	m->id = get16(q + hl + 4);
	m->seq = get16(q + hl + 6);
	m->data = q + hl + 8;
	m->data_len = tot - hl - 8;
	return 0;
}

int
icmp4_parse(const uint8_t *buf, size_t len, int ip_header, struct icmp_msg *m)
{
	const uint8_t *ext;
	size_t hl, tot, qlen, ext_len;

	icmp_msg_reset(m);
	if (ip_header) {
		if ((hl = ip4_header(buf, len, &tot)) == 0 || buf[9] != 1)
			return -1;
		m->ttl = buf[8];
		m->has_src = 1;
		memcpy(m->src, buf + 12, 4);
		buf += hl;
		len = tot - hl;
	}
	if (len < 8)
		return -1;
	/* Raw sockets hand us whatever arrived; the kernel did not check. */
	if (icmp_cksum(buf, len) != 0)
		return -1;
	m->type = buf[0];
	m->code = buf[1];
	m->icmp_len = len;
	switch (m->type) {
	case ICMP4_ECHOREPLY:
	case ICMP4_ECHO:
		return icmp_echo_fill(m, buf, len, m->type == ICMP4_ECHO);
	case ICMP4_UNREACH:
	case ICMP4_TIMXCEED:
	case ICMP4_PARAMPROB:
		/* RFC 4884: byte 5 is the quote's length in 32-bit words. */
		qlen = icmp_split_ext(buf + 8, len - 8, buf[5], 4, &ext,
		    &ext_len);
		break;
	case ICMP4_SOURCEQUENCH:
	case ICMP4_REDIRECT:
		qlen = len - 8;
		ext = NULL;
		ext_len = 0;
		break;
	default:
		return -1;
	}
	if (parse_quote(buf + 8, qlen, m) == -1) {
		icmp_msg_reset(m);
		return -1;
	}
	m->kind = ICMP_KIND_ERROR;
	if (m->type == ICMP4_UNREACH && m->code == 4)
		m->mtu = get16(buf + 6);
	else if (m->type == ICMP4_PARAMPROB)
		m->pointer = buf[4];
	else if (m->type == ICMP4_REDIRECT)
		memcpy(m->gateway, buf + 4, 4);
	if (ext)
		icmp_parse_ext(ext, ext_len, m);
	return 0;
}

const char *
icmp4_error_name(uint8_t type, uint8_t code)
{
	static const char *unreach[] = {
		"net-unreachable", "host-unreachable", "protocol-unreachable",
		"port-unreachable", "fragmentation-needed",
		"source-route-failed", "net-unknown", "host-unknown",
		"source-host-isolated", "net-prohibited", "host-prohibited",
		"tos-net-unreachable", "tos-host-unreachable",
		"admin-prohibited", "host-precedence-violation",
		"precedence-cutoff",
	};

	switch (type) {
	case ICMP4_UNREACH:
		if (code < sizeof(unreach) / sizeof(unreach[0]))
			return unreach[code];
		return "unreachable";
	case ICMP4_TIMXCEED:
		return code == 1 ? "reassembly-timeout" : "ttl-exceeded";
	case ICMP4_PARAMPROB:
		return "parameter-problem";
	case ICMP4_SOURCEQUENCH:
		return "source-quench";
	case ICMP4_REDIRECT:
		return "redirect";
	}
	return "error";
}
