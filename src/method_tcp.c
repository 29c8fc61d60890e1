/*
 * The TCP probe method with cap_net_raw: a SYN to --port through a raw
 * socket (method_raw.c), its sequence number a keyed tag (tag_seq32).
 * "The destination answered" is a SYN-ACK (the port is open) or a RST
 * (closed), each acknowledging our sequence number + 1: the
 * acknowledgement must verify against the tag for the address it came
 * from, so a foreign or forged answer is never credited (as zmap
 * validates).  An ICMP error on the way quotes the SYN's ports and
 * sequence number in its first 8 bytes, so even RFC 792's short quote
 * names the probe.  Ports are fixed for the run (one 5-tuple per target:
 * Paris), probes told apart by their sequence numbers.
 *
 * The 16 bits the tag carries are the low bits of the probe's serial
 * (its slot in the engine's pool), so an answer names any probe in flight
 * to its target, not only the latest (pool_find16).
 *
 * Without cap_net_raw, .open fails with EPERM and main.c falls back to
 * method_tcpconn.c (connect() per probe).
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <errno.h>
#include <string.h>

#include "icmp.h"
#include "l4.h"
#include "method.h"

/*
 * Every TCP stack sets Don't Fragment on its segments; so do we (PROBE:
 * without heeding the path MTU the kernel learnt, a SYN is small).  It
 * also spares the kernel an IP ID per packet (ip_select_ident), which a
 * sweep to many addresses pays for.
 */
static int
tcp_open(struct sock *s, int family, const struct conf *c, char *err,
    size_t errlen)
{
	int v = IP_PMTUDISC_PROBE;

	if (method_raw_open(s, family, IPPROTO_TCP, c, err, errlen) == -1)
		return -1;
	if (family == AF_INET)
		setsockopt(s->fd, IPPROTO_IP, IP_MTU_DISCOVER, &v, sizeof(v));
	return 0;
}

/* A SYN; -s does not apply (a SYN carries no data). */
static size_t
tcp_probe_len(const struct conf *c)
{
	(void)c;
	return TCP_SYN_LEN;
}

/* An IPv4 header and a segment with options, or an error's quote. */
static size_t
tcp_answer_len(const struct conf *c)
{
	(void)c;
	return 60 + 60 + 1280;
}

static void
tcp_prepare(void *arg, uint8_t *buf, size_t len)
{
	(void)arg;
	memset(buf, 0, len);
}

/*
 * The MSS we offer: what a 1500-byte link carries.  A SYN without any
 * option looks like a scanner to some firewalls.
 */
static uint16_t
mss_of(int family)
{
	return family == AF_INET ? 1460 : 1440;
}

static void
tcp_build(void *arg, const struct sock *s, struct tx *tx,
    const struct target *t, const struct probe_hdr *h, int flow)
{
	struct method_state *ms = arg;
	uint16_t dport = ms->c->port, sport;
	uint8_t src[16], a[16];

	/* The ports are the flow: one for the whole run, or with
	 * --all-paths one per flow. */
	sport = method_flow_port(s, ms->c, flow);
	target_sockaddr(ms->tg, t, &tx->to, &tx->tolen);
	target_a16(ms->tg, t, a);
	tcp_build_syn(tx->buf, sport, dport, tag_seq32(&ms->key, a,
	    sport, dport, (uint16_t)h->serial), mss_of(t->family));
	/* No route: the send fails the same way and says so. */
	if (srcaddr_get(&ms->route, s->route_fd, &tx->to, src) == 0)
		tcp_set_cksum(tx->buf, TCP_SYN_LEN, l4_pseudo_sum(t->family,
		    src, a, L4_TCP, TCP_SYN_LEN));
}

/*
 * A SYN-ACK or RST from the probed port to ours that acknowledges a
 * sequence number we sent to that address.  The answer names the target
 * by its address and the probe by its serial's low bits; the engine finds
 * the probe.
 */
static int
tcp_recognise(void *arg, const struct sock *s, const struct rx *rx,
    struct answer *a)
{
	struct method_state *ms = arg;
	struct l4_seg seg;
	uint16_t serial16;

	if (l4_parse(L4_TCP, rx->buf, rx->len, s->family == AF_INET,
	    &seg) == -1 || !method_our_port(s, ms->c, seg.dport) ||
	    seg.sport != ms->c->port || !(seg.flags & TCP_ACK) ||
	    !(seg.flags & (TCP_SYN | TCP_RST)))
		return 0;
	memset(a, 0, sizeof(*a));
	addr16_from_sockaddr((const struct sockaddr *)&rx->from, a->from);
	if (tag_seq32_check(&ms->key, a->from, seg.dport, ms->c->port,
	    seg.ack - 1, &serial16) == -1)
		return 0;
	a->kind = OC_REPLY;
	a->family = s->family;
	a->state = seg.flags & TCP_RST ? "closed" : "open";
	a->port = ms->c->port;
	a->ttl = seg.ttl >= 0 ? seg.ttl : rx->ttl;
	a->size = (long)seg.len;
	memcpy(a->dst, a->from, 16);
	a->by_serial = 1;
	a->serial16 = serial16;
	return 1;
}

/* The SYN an error quotes: ours if its ports and sequence number are. */
static int
quoted_syn(const struct method_state *ms, const struct sock *s,
    const struct icmp_msg *m, const uint8_t dst[16], uint16_t *serial16)
{
	const uint8_t *q = m->quote_l4;
	uint16_t sport;
	uint32_t seq;

	if (q == NULL || m->quote_l4_len < 8 ||
	    !method_our_port(s, ms->c, sport = (uint16_t)(q[0] << 8 | q[1])) ||
	    (q[2] << 8 | q[3]) != ms->c->port)
		return 0;
	seq = (uint32_t)q[4] << 24 | (uint32_t)q[5] << 16 |
	    (uint32_t)q[6] << 8 | q[7];
	return tag_seq32_check(&ms->key, dst, sport, ms->c->port, seq,
	    serial16) == 0;
}

/*
 * The error queue: an ICMP error quoting one of our SYNs (from the
 * transport header on), or the kernel's own verdict on a send.
 */
static int
tcp_recognise_err(void *arg, const struct sock *s, const struct rx *rx,
    struct answer *a)
{
	struct method_state *ms = arg;
	struct icmp_msg *m = &ms->msg;

	if (icmp_errqueue_parse(s->family, IPPROTO_TCP, rx->ee_type,
	    rx->ee_code, rx->ee_info, rx->buf, rx->len, m) == -1)
		return 0;
	memset(a, 0, sizeof(*a));
	a->family = s->family;
	addr16_from_sockaddr((const struct sockaddr *)&rx->from, a->dst);
	if (!quoted_syn(ms, s, m, a->dst, &a->serial16))
		return 0;
	a->by_serial = 1;
	method_errqueue_answer(s->family, rx, m, a);
	return 1;
}

const struct method method_tcp = {
	.name = "tcp",
	.fallback = &method_tcpconn,
	.open = tcp_open,
	.create = method_raw_create,
	.destroy = method_state_destroy,
	.probe_len = tcp_probe_len,
	.answer_len = tcp_answer_len,
	.prepare = tcp_prepare,
	.build = tcp_build,
	.send = method_send,
	.recognise = tcp_recognise,
	.recognise_err = tcp_recognise_err,
	.error_name = method_icmp_error_name,
	.mark = method_icmp_mark,
};
