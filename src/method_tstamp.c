/*
 * The ICMP timestamp probe method (--icmp-timestamp, fping's too): IPv4
 * timestamp requests (RFC 792 type 13); timestamp replies (14) and ICMP
 * errors quoting our requests as answers.  "The destination answered" is
 * a timestamp reply.
 *
 * The message has no payload that a reply returns (Linux answers with
 * the 20 bytes of header and timestamps only), so the keyed tag cannot
 * ride in it as with echo.  What a reply echoes is the id, the seq and
 * the originate timestamp:
 *   id         this socket's random id (raw sockets see every reply of
 *              the host: another process's are not ours);
 *   seq        the low 16 bits of the probe's serial, which with the
 *              target's address name the probe in flight (by_serial);
 *   originate  tag_mac32: a 32-bit SipHash MAC, under the run's secret
 *              key, of the target's address, id and seq.
 * A blind spoofer must hit the MAC (1 in 2^32) for a seq that is in
 * flight to that target; one who sees our requests can copy them, as
 * with any tag.  The cost: the originate field holds no time, so the
 * Originate that is shown is our send time, computed (the reply's RTT
 * before its kernel arrival stamp), and a reply after its probe timed out, or a
 * duplicate, finds no probe in flight and is dropped.  Only raw sockets
 * can send this: Linux ping sockets send echo requests only.
 */
#include <sys/random.h>
#include <sys/socket.h>
#include <linux/icmp.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bpf.h"
#include "icmp.h"
#include "method.h"

#define QUOTED_TS_LEN	12	/* header, then the originate timestamp */

/* Raw sockets see every ICMP message of the host: keep what concerns us
 * (our own requests, looped back on loopback, stay out). */
static void
filter(struct sock *s)
{
	struct icmp_filter f;

	f.data = ~(uint32_t)(1 << ICMP_TIMESTAMPREPLY |
	    1 << ICMP_DEST_UNREACH | 1 << ICMP_SOURCE_QUENCH |
	    1 << ICMP_REDIRECT | 1 << ICMP_TIME_EXCEEDED |
	    1 << ICMP_PARAMETERPROB);
	setsockopt(s->fd, SOL_RAW, ICMP_FILTER, &f, sizeof(f));
}

static int
ts_open(struct sock *s, int family, const struct conf *c, char *err,
    size_t errlen)
{
	int saved;

	memset(s, 0, sizeof(*s));
	s->family = family;
	s->raw = 1;
	if (family != AF_INET) {
		snprintf(err, errlen, "ICMP timestamps are IPv4 only");
		s->fd = -1;
		errno = EAFNOSUPPORT;
		return -1;
	}
	s->fd = socket(family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    IPPROTO_ICMP);
	if (s->fd == -1) {
		saved = errno;
		snprintf(err, errlen, "cannot open an ICMP socket: %s (ICMP "
		    "timestamps need a raw socket: root, or cap_net_raw)",
		    strerror(saved));
		errno = saved;
		return -1;
	}
	if (getrandom(&s->id, sizeof(s->id), 0) != sizeof(s->id))
		s->id = (uint16_t)getpid();
	filter(s);
	/* And of those, only our id's replies and errors quoting our
	 * requests, as method_icmp.c's echo: next to another process's
	 * sweep, its errors (and another timestamp run's replies) would
	 * cost a read each.  Without it, every packet is still checked. */
	bpf_icmp_timestamp(s->fd, s->id);
	return sock_setup(s, c, err, errlen);
}

static size_t
ts_probe_len(const struct conf *c)
{
	(void)c;
	return ICMP_TS_LEN;
}

/* Room for an IPv4 header, the reply, and a quoting error. */
static size_t
ts_answer_len(const struct conf *c)
{
	(void)c;
	return ICMP_TS_LEN + 60 + 1280;
}

static void
ts_prepare(void *arg, uint8_t *buf, size_t len)
{
	(void)arg;
	memset(buf, 0, len);
}

static void
ts_build(void *arg, const struct sock *s, struct tx *tx,
    const struct target *t, const struct probe_hdr *h, int flow)
{
	struct method_state *ms = arg;
	uint16_t seq = (uint16_t)h->serial;
	uint8_t a[16];

	(void)flow;
	tx->len = icmp4_build_timestamp(tx->buf, ICMP_TS_LEN, s->id, seq,
	    tag_mac32(&ms->key, target_a16(ms->tg, t, a), s->id, seq));
	target_sockaddr(ms->tg, t, &tx->to, &tx->tolen);
}

static int
ts_reply(const struct method_state *ms, const struct sock *s,
    const struct icmp_msg *m, const struct rx *rx, struct answer *a)
{
	memset(a, 0, sizeof(*a));
	addr16_from_sockaddr((const struct sockaddr *)&rx->from, a->from);
	if (m->cls != ICMP_C_TS_REPLY || m->id != s->id ||
	    m->ts[0] != tag_mac32(&ms->key, a->from, m->id, m->seq))
		return 0;
	a->kind = OC_REPLY;
	a->family = s->family;
	a->type = m->type;
	a->ttl = m->ttl >= 0 ? m->ttl : rx->ttl;
	a->has_tos = 1;
	a->tos = m->tos >= 0 ? m->tos : rx->tos;
	a->size = (long)m->icmp_len;
	a->has_ts = 1;
	a->ts_recv = m->ts[1];
	a->ts_xmit = m->ts[2];
	a->arrived_real = rx->real;
	memcpy(a->dst, a->from, 16);
	a->by_serial = 1;
	a->serial16 = m->seq;
	return 1;
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/*
 * The request an error quotes: ours if its id is, and, when the router
 * quoted 12 bytes or more (most quote the whole datagram), if its
 * originate holds our MAC; RFC 792 only promises 8.
 */
static int
quoted_request(const struct method_state *ms, const struct sock *s,
    const struct icmp_msg *m, uint16_t *seq)
{
	const uint8_t *q = m->quote_l4;

	if (q == NULL || m->quote_proto != IPPROTO_ICMP ||
	    m->quote_l4_len < 8 || q[0] != ICMP_TIMESTAMP ||
	    (q[4] << 8 | q[5]) != s->id)
		return 0;
	*seq = (uint16_t)(q[6] << 8 | q[7]);
	return m->quote_l4_len < QUOTED_TS_LEN || get32(q + 8) ==
	    tag_mac32(&ms->key, m->quote_dst, s->id, *seq);
}

static int
ts_error(const struct method_state *ms, const struct sock *s,
    const struct icmp_msg *m, const struct rx *rx, struct answer *a)
{
	memset(a, 0, sizeof(*a));
	if (!quoted_request(ms, s, m, &a->serial16))
		return 0;
	a->by_serial = 1;
	a->family = s->family;
	a->type = m->type;
	a->code = m->code;
	a->ttl = m->ttl;
	a->size = (long)m->icmp_len;
	memcpy(a->dst, m->quote_dst, 16);
	a->kind = method_icmp_outcome(m->cls);
	a->error = icmp4_error_name(m->type, m->code);
	a->mtu = m->mtu;
	a->nmpls = m->nmpls;
	a->mpls = m->mpls;
	addr16_from_sockaddr((const struct sockaddr *)&rx->from, a->from);
	return 1;
}

/* A packet from the raw socket, IPv4 header first. */
static int
ts_recognise(void *arg, const struct sock *s, const struct rx *rx,
    struct answer *a)
{
	struct method_state *ms = arg;
	struct icmp_msg *m = &ms->msg;

	if (icmp4_parse(rx->buf, rx->len, 1, m) == -1)
		return 0;
	if (m->kind == ICMP_KIND_REPLY)
		return ts_reply(ms, s, m, rx, a);
	return m->kind == ICMP_KIND_ERROR && ts_error(ms, s, m, rx, a);
}

/* Raw sockets have no error queue of ICMP errors (IP_RECVERR is off). */
static int
ts_recognise_err(void *arg, const struct sock *s, const struct rx *rx,
    struct answer *a)
{
	(void)arg, (void)s, (void)rx, (void)a;
	return 0;
}

const struct method method_tstamp = {
	.name = "icmp",
	.open = ts_open,
	.create = method_state_create,
	.destroy = method_state_destroy,
	.probe_len = ts_probe_len,
	.answer_len = ts_answer_len,
	.prepare = ts_prepare,
	.build = ts_build,
	.send = method_send,
	.recognise = ts_recognise,
	.recognise_err = ts_recognise_err,
	.error_name = method_icmp_error_name,
	.mark = method_icmp_mark,
};
