/*
 * The UDP probe method: a datagram to --port carrying the keyed tag in its
 * payload.  "The destination answered" is a port unreachable from the
 * target itself (a closed port: the host is up) or a datagram back from
 * its port (an open one).  No privilege is needed: an ordinary UDP socket
 * per family, and IP_RECVERR / IPV6_RECVERR hand back each ICMP error
 * with the datagram it quotes, as Butskoy traceroute's default method
 * does.  All probes of a run share one 5-tuple per target (the socket's
 * port, --flow N picks it), so per-flow load balancers keep a trace on
 * one path.
 *
 * With cap_net_raw (method_udp_raw, the first choice) the datagrams go
 * out through a raw socket (method_raw.c) with a header we write: the
 * checksum is the low 16 bits of the probe's serial under a keyed mask
 * (any probe in flight, not only the latest), two payload bytes
 * absorbing the difference (Paris traceroute's trick).  A router that
 * quotes only RFC 792's 8 bytes still names the probe: the quoted ports
 * and checksum.  (A datagram socket's error queue starts past the UDP
 * header, so it never shows the checksum: without the privilege, such
 * short quotes name nobody.)
 */
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "icmp.h"
#include "l4.h"
#include "method.h"

static int
udp_open(struct sock *s, int family, const struct conf *c, char *err,
    size_t errlen)
{
	int saved;

	memset(s, 0, sizeof(*s));
	s->family = family;
	s->fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    IPPROTO_UDP);
	if (s->fd == -1) {
		saved = errno;
		snprintf(err, errlen, "cannot open a UDP socket: %s",
		    strerror(saved));
		errno = saved;
		return -1;
	}
	/* --flow N: the source port of every probe (0: one the kernel
	 * picks, the same for the whole run).  The IPv6 socket takes IPv6
	 * only: else its bind to N would take the IPv4 port N too, which
	 * the IPv4 socket holds (EADDRINUSE). */
	s->local_port = c->flow;
	if (family == AF_INET6 && setsockopt(s->fd, IPPROTO_IPV6, IPV6_V6ONLY,
	    &(int){ 1 }, sizeof(int)) == -1) {
		saved = errno;
		snprintf(err, errlen, "UDP socket option: %s", strerror(saved));
		close(s->fd);
		s->fd = -1;
		errno = saved;
		return -1;
	}
	if (sock_setup(s, c, err, errlen) == -1)
		return -1;
	/* IPv6: the source toward a target, asked when a port unreachable
	 * does not come from it (closed_port()); without, never asked. */
	if (family == AF_INET6 &&
	    (s->route_fd = srcaddr_socket(family, c, err, errlen)) == -1)
		s->route_fd = 0;
	return 0;
}

/* -s is the UDP payload; the kernel writes the header. */
static size_t
udp_probe_len(const struct conf *c)
{
	return c->size;
}

/* Room for a datagram back, or an error-queue message with its quote. */
static size_t
udp_answer_len(const struct conf *c)
{
	return c->size + 60 + 1280;
}

static void
udp_prepare(void *arg, uint8_t *buf, size_t len)
{
	struct method_state *um = arg;

	memcpy(buf, um->pattern, len);
}

static void
udp_build(void *arg, const struct sock *s, struct tx *tx,
    const struct target *t, const struct probe_hdr *h, int flow)
{
	struct method_state *um = arg;
	struct sockaddr_in *sin = (struct sockaddr_in *)&tx->to;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&tx->to;

	uint8_t a[16];

	(void)s;
	(void)flow;	/* the ports are the flow: one for the whole run */
	tag_write(&um->key, tx->buf, h, target_a16(um->tg, t, a));
	target_sockaddr(um->tg, t, &tx->to, &tx->tolen);
	if (t->family == AF_INET)
		sin->sin_port = htons(um->c->port);
	else
		sin6->sin6_port = htons(um->c->port);
}

static uint16_t
port_of(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)ss)->sin_port);
	return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
}

/*
 * A datagram from the probed port: an open port answered.  An echo
 * service sends our tag back, which names the probe; any other service's
 * answer is its target's latest probe in flight (the engine matches it).
 */
static int
open_port(struct method_state *um, const struct sock *s, const struct rx *rx,
    const uint8_t *data, size_t len, int ttl, struct answer *a)
{
	memset(a, 0, sizeof(*a));
	a->kind = OC_REPLY;
	a->family = s->family;
	a->state = "open";
	a->port = um->c->port;
	a->ttl = ttl;
	a->size = (long)len;
	addr16_from_sockaddr((const struct sockaddr *)&rx->from, a->from);
	if (method_tagged(&um->key, um->tg, s->family, data, len, &a->h)) {
		a->tagged = 1;
		return 1;
	}
	memcpy(a->dst, a->from, 16);
	a->latest = 1;
	return 1;
}

static int
udp_recognise(void *arg, const struct sock *s, const struct rx *rx,
    struct answer *a)
{
	struct method_state *um = arg;

	if (port_of(&rx->from) != um->c->port)
		return 0;
	return open_port(um, s, rx, rx->buf, rx->len, rx->ttl, a);
}

static int quoted_datagram(const struct method_state *, const struct sock *,
    const struct icmp_msg *, struct answer *);

/*
 * Port unreachable from the target itself: a closed port, the host up.
 * A target this host answers for through a local route (ip route add
 * local) is answered by this host's own kernel.  IPv4's icmp_send()
 * answers from the address probed; IPv6's icmp6_send() takes it only if
 * an interface has it, else a route lookup back to us picks the source:
 * the address our probe left from (::1 where the host has no other).
 * That error speaks for the target as well.
 */
static int
closed_port(struct method_state *um, const struct sock *s,
    const struct icmp_msg *m, const struct rx *rx, const struct answer *a)
{
	uint8_t port_unreach = s->family == AF_INET ? 3 : 4, src[16];

	if (m->cls != ICMP_C_UNREACH || m->code != port_unreach)
		return 0;
	if (memcmp(a->from, a->dst, 16) == 0)
		return 1;
	return s->family == AF_INET6 && s->route_fd > 0 &&
	    srcaddr_get(&um->route, s->route_fd, &rx->from, src) == 0 &&
	    memcmp(src, a->from, 16) == 0;
}

/*
 * The error queue: the ICMP error's type, code and sender, and what it
 * quoted of our datagram after its UDP header, where the tag is.  A
 * router that quoted only the header (RFC 792's 8 bytes) leaves no tag:
 * that error is not credited to anyone.  Local errors (EMSGSIZE) are
 * the kernel's own verdict on a send.
 */
static int
udp_recognise_err(void *arg, const struct sock *s, const struct rx *rx,
    struct answer *a)
{
	struct method_state *um = arg;
	struct icmp_msg *m = &um->msg;

	if (icmp_errqueue_parse(s->family, IPPROTO_UDP, rx->ee_type,
	    rx->ee_code, rx->ee_info, rx->buf, rx->len, m) == -1)
		return 0;
	memset(a, 0, sizeof(*a));
	a->family = s->family;
	addr16_from_sockaddr((const struct sockaddr *)&rx->from, a->dst);
	if (s->raw ? !quoted_datagram(um, s, m, a) :
	    !(a->tagged = method_tagged(&um->key, um->tg, s->family,
	    m->quote_l4, m->quote_l4_len, &a->h)))
		return 0;
	if (method_errqueue_answer(s->family, rx, m, a) == 0 &&
	    closed_port(um, s, m, rx, a)) {
		memcpy(a->from, a->dst, 16);
		a->kind = OC_REPLY;
		a->state = "closed";
		a->port = um->c->port;
		a->error = NULL;
		a->mtu = 0;
	}
	/* What came back of our payload, as a datagram socket sees it. */
	a->size = (long)m->icmp_len - (s->raw ? UDP_HDR_LEN : 0);
	return 1;
}

const struct method method_udp = {
	.name = "udp",
	.open = udp_open,
	.create = method_raw_create,	/* its route cache: closed_port() */
	.destroy = method_state_destroy,
	.probe_len = udp_probe_len,
	.answer_len = udp_answer_len,
	.prepare = udp_prepare,
	.build = udp_build,
	.send = method_send,
	.recognise = udp_recognise,
	.recognise_err = udp_recognise_err,
	.error_name = method_icmp_error_name,
	.mark = method_icmp_mark,
};

/* Raw: the UDP header and the payload. */

static int
raw_open(struct sock *s, int family, const struct conf *c, char *err,
    size_t errlen)
{
	return method_raw_open(s, family, IPPROTO_UDP, c, err, errlen);
}

static size_t
raw_probe_len(const struct conf *c)
{
	return UDP_HDR_LEN + c->size;
}

static void
raw_prepare(void *arg, uint8_t *buf, size_t len)
{
	udp_prepare(arg, buf + UDP_HDR_LEN, len - UDP_HDR_LEN);
}

static void
raw_build(void *arg, const struct sock *s, struct tx *tx,
    const struct target *t, const struct probe_hdr *h, int flow)
{
	struct method_state *um = arg;
	uint16_t dport = um->c->port, sport, want;
	uint8_t src[16], a[16];

	sport = method_flow_port(s, um->c, flow);
	tag_write(&um->key, tx->buf + UDP_HDR_LEN, h, target_a16(um->tg, t,
	    a));
	target_sockaddr(um->tg, t, &tx->to, &tx->tolen);
	udp_header(tx->buf, tx->len, sport, dport);
	want = (uint16_t)h->serial ^ tag_mask16(&um->key, a, sport, dport);
	/* No route: the send fails the same way and says so. */
	if (srcaddr_get(&um->route, s->route_fd, &tx->to, src) == 0)
		udp_cksum_set(tx->buf, tx->len, l4_pseudo_sum(t->family, src,
		    a, L4_UDP, (uint32_t)tx->len), UDP_HDR_LEN +
		    PAYLOAD_FLOW, want);
}

/* A datagram from the probed port to ours: an open port answered. */
static int
raw_recognise(void *arg, const struct sock *s, const struct rx *rx,
    struct answer *a)
{
	struct method_state *um = arg;
	struct l4_seg seg;
	const uint8_t *udp;

	if (l4_parse(L4_UDP, rx->buf, rx->len, s->family == AF_INET,
	    &seg) == -1 || !method_our_port(s, um->c, seg.dport) ||
	    seg.sport != um->c->port)
		return 0;
	udp = rx->buf + (rx->len - seg.len);
	return open_port(um, s, rx, udp + UDP_HDR_LEN, seg.len - UDP_HDR_LEN,
	    seg.ttl >= 0 ? seg.ttl : rx->ttl, a);
}

/*
 * The datagram an error quotes, from its UDP header on: its tag if the
 * quote holds it; else (8 bytes) its ports must be ours, and the checksum
 * gives the serial's low bits back (0 was sent as 0xffff: that one in 65,536
 * is not named by a short quote).
 */
static int
quoted_datagram(const struct method_state *um, const struct sock *s,
    const struct icmp_msg *m, struct answer *a)
{
	const uint8_t *q = m->quote_l4;
	uint16_t sport;

	if (q == NULL || m->quote_l4_len < UDP_HDR_LEN ||
	    !method_our_port(s, um->c, sport = (uint16_t)(q[0] << 8 | q[1])) ||
	    (q[2] << 8 | q[3]) != um->c->port)
		return 0;
	if (method_tagged(&um->key, um->tg, s->family, q + UDP_HDR_LEN,
	    m->quote_l4_len - UDP_HDR_LEN, &a->h))
		return a->tagged = 1;
	if (m->quote_l4_len - UDP_HDR_LEN >= TAG_HDR_LEN + TAG_LEN)
		return 0;	/* the whole tag is there, and wrong */
	a->serial16 = (uint16_t)(q[6] << 8 | q[7]) ^ tag_mask16(&um->key,
	    a->dst, sport, um->c->port);
	a->by_serial = 1;
	return 1;
}

const struct method method_udp_raw = {
	.name = "udp",
	.fallback = &method_udp,
	.open = raw_open,
	.create = method_raw_create,
	.destroy = method_state_destroy,
	.probe_len = raw_probe_len,
	.answer_len = udp_answer_len,
	.prepare = raw_prepare,
	.build = raw_build,
	.send = method_send,
	.recognise = raw_recognise,
	.recognise_err = udp_recognise_err,
	.error_name = method_icmp_error_name,
	.mark = method_icmp_mark,
};
