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
#define ICMP4_TSTAMP		13
#define ICMP4_TSTAMPREPLY	14

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

size_t
icmp4_build_timestamp(uint8_t *buf, size_t cap, uint16_t id, uint16_t seq,
    uint32_t originate)
{
	uint8_t ts[12] = { originate >> 24, originate >> 16 & 0xff,
	    originate >> 8 & 0xff, originate & 0xff };
	size_t n = icmp_build_echo(buf, cap, ICMP4_TSTAMP, id, seq, ts,
	    sizeof(ts));

	if (n)
		put16(buf + 2, icmp_cksum(buf, n));
	return n;
}

/*
 * A timestamp request or reply: an echo's header, then the three
 * timestamps (a reply longer than that keeps the rest as data).
 */
static int
timestamp_fill(struct icmp_msg *m, const uint8_t *buf, size_t len)
{
	int i;

	if (len < ICMP_TS_LEN || icmp_echo_fill(m, buf, len,
	    m->type == ICMP4_TSTAMP) == -1)
		return -1;
	m->has_ts = 1;
	for (i = 0; i < 3; i++)
		m->ts[i] = get32(buf + 8 + 4 * i);
	return 0;
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

/*
 * The quoted datagram of an error: a sound IPv4 header, then what the
 * router kept of the rest (its header length and total length honoured).
 */
static int
parse_quote(const uint8_t *q, size_t qlen, struct icmp_msg *m)
{
	const uint8_t *l4 = NULL;
	size_t hl, tot;

	if ((hl = ip4_header(q, qlen, &tot)) == 0)
		return -1;
	m->quote_family = AF_INET;
	icmp_mapped(m->quote_src, q + 12);
	icmp_mapped(m->quote_dst, q + 16);
	/* A fragment offset (13 bits) other than 0: a later fragment,
	 * which starts inside the payload, with no transport header. */
	if ((get16(q + 6) & 0x1fff) == 0)
		l4 = q + hl;
	return icmp_quote_l4(m, q[9], l4, tot - hl, 1, ICMP4_ECHO);
}

/* An error: the quote, and what the type puts in the header's bytes 4-7. */
static int
parse_error(const uint8_t *buf, size_t len, struct icmp_msg *m)
{
	const uint8_t *ext = NULL;
	size_t qlen = len - 8, ext_len = 0;

	/* RFC 4884: byte 5 is the quote's length in 32-bit words. */
	if (m->type == ICMP4_UNREACH || m->type == ICMP4_TIMXCEED ||
	    m->type == ICMP4_PARAMPROB)
		qlen = icmp_split_ext(buf + 8, len - 8, buf[5], 4, &ext,
		    &ext_len);
	if (parse_quote(buf + 8, qlen, m) == -1)
		return -1;
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

static int
parse4(const uint8_t *buf, size_t len, int ip_header, struct icmp_msg *m)
{
	size_t hl, tot;

	if (ip_header) {
		if ((hl = ip4_header(buf, len, &tot)) == 0 || buf[9] != 1)
			return -1;
		m->ttl = buf[8];
		m->tos = buf[1];
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
	case ICMP4_TSTAMP:
	case ICMP4_TSTAMPREPLY:
		return timestamp_fill(m, buf, len);
	case ICMP4_UNREACH:
	case ICMP4_TIMXCEED:
	case ICMP4_PARAMPROB:
	case ICMP4_SOURCEQUENCH:
	case ICMP4_REDIRECT:
		return parse_error(buf, len, m);
	}
	return -1;
}

int
icmp4_parse(const uint8_t *buf, size_t len, int ip_header, struct icmp_msg *m)
{
	icmp_msg_reset(m);
	if (parse4(buf, len, ip_header, m) == -1) {
		icmp_msg_reset(m);
		return -1;
	}
	m->cls = icmp_classify(AF_INET, m->type);
	return 0;
}

const char *
icmp4_error_name(uint8_t type, uint8_t code)
{
	static const char *const unreach[] = {
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
