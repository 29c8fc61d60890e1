/*
 * The ICMP echo probe method: echo requests carrying the keyed tag in
 * their payload; echo replies and ICMP errors quoting our requests as
 * answers.  "The destination answered" is an echo reply.
 */
#include <sys/random.h>
#include <sys/socket.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bpf.h"
#include "icmp.h"
#include "method.h"

/*
 * Raw sockets see every ICMP message of the host; let the kernel drop the
 * types that can never concern us, echo requests included (on loopback we
 * would otherwise read our own requests back).
 */
static void
filter(struct sock *s)
{
	if (s->family == AF_INET) {
		struct icmp_filter f;

		f.data = ~(uint32_t)(1 << ICMP_ECHOREPLY |
		    1 << ICMP_DEST_UNREACH | 1 << ICMP_SOURCE_QUENCH |
		    1 << ICMP_REDIRECT | 1 << ICMP_TIME_EXCEEDED |
		    1 << ICMP_PARAMETERPROB);
		setsockopt(s->fd, SOL_RAW, ICMP_FILTER, &f, sizeof(f));
	} else {
		struct icmp6_filter f;

		memset(&f, 0xff, sizeof(f));	/* block all... */
#define PASS6(t)	(f.data[(t) >> 5] &= ~(1U << ((t) & 31)))
		PASS6(ICMPV6_ECHO_REPLY);
		PASS6(ICMPV6_DEST_UNREACH);
		PASS6(ICMPV6_PKT_TOOBIG);
		PASS6(ICMPV6_TIME_EXCEED);
		PASS6(ICMPV6_PARAMPROB);
#undef PASS6
		setsockopt(s->fd, IPPROTO_ICMPV6, ICMPV6_FILTER, &f,
		    sizeof(f));
	}
}

static void
open_error(int family, int err, char *msg, size_t len)
{
	if (err == EPERM || err == EACCES)
		snprintf(msg, len, "cannot open an ICMP socket: %s. Run as "
		    "root, or `setcap cap_net_raw+ep mping`, or allow ping "
		    "sockets with `sysctl -w net.ipv4.ping_group_range=\"0 "
		    "2147483647\"`", strerror(err));
	else
		snprintf(msg, len, "cannot open an %s socket: %s",
		    family == AF_INET ? "ICMP" : "ICMPv6", strerror(err));
}

static int
icmp_open(struct sock *s, int family, const struct conf *c, char *err,
    size_t errlen)
{
	int proto = family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	int saved;

	memset(s, 0, sizeof(*s));
	s->family = family;
	s->raw = 1;
	s->fd = socket(family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
	if (s->fd == -1 && (errno == EPERM || errno == EACCES)) {
		/*
		 * No CAP_NET_RAW: Linux ping sockets, allowed for the groups
		 * in net.ipv4.ping_group_range (both families).  The kernel
		 * then owns the echo id and only hands us our own replies;
		 * ICMP errors arrive on the error queue (IP_RECVERR).
		 */
		s->raw = 0;
		s->fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, proto);
	}
	if (s->fd == -1) {
		saved = errno;
		open_error(family, saved, err, errlen);
		errno = saved;
		return -1;
	}
	if (s->raw) {
		if (getrandom(&s->id, sizeof(s->id), 0) != sizeof(s->id))
			s->id = (uint16_t)getpid();
		filter(s);
		/* And of those, only our id's replies and errors quoting
		 * our requests: next to another process's sweep, its
		 * replies would cost us a read each (bpf.c).  Without it
		 * (it failed), every packet is still checked here. */
		bpf_icmp_echo(s->fd, family, s->id);
	}
	if (sock_setup(s, c, err, errlen) == -1)
		return -1;
	/*
	 * IPv6 ping sockets ignored IPV6_HOPLIMIT as a control message
	 * before Linux 5.18 (ping_v6_sendmsg had a TODO where it now calls
	 * ip6_datagram_send_ctl), so a hop limit per datagram would silently
	 * be the socket's: one per batch there, set on the socket.
	 */
	if (!s->raw && family == AF_INET6)
		s->ttl_each = 0;
	return 0;
}

static size_t
icmp_probe_len(const struct conf *c)
{
	return 8 + c->size;
}

/* Room for an IPv4 header, the reply, and a quoting error. */
static size_t
icmp_answer_len(const struct conf *c)
{
	return c->size + 8 + 60 + 1280;
}

static void
icmp_prepare(void *arg, uint8_t *buf, size_t len)
{
	struct method_state *im = arg;

	memcpy(buf + 8, im->pattern, len - 8);
}

static void
icmp_build(void *arg, const struct sock *s, struct tx *tx,
    const struct target *t, const struct probe_hdr *h, int flow)
{
	struct method_state *im = arg;

	tag_write(&im->key, tx->buf + 8, h, t->addr);
	/* Past 65,535 the ICMP seq wraps; the tag's seq and serial decide. */
	if (flow >= 0)
		icmp_echo_header_flow(tx->buf, tx->len, t->family == AF_INET6,
		    s->id, (uint16_t)h->seq, 8 + PAYLOAD_FLOW, (uint16_t)flow);
	else
		icmp_echo_header(tx->buf, tx->len, t->family == AF_INET6,
		    s->id, (uint16_t)h->seq);
	target_sockaddr(t, &tx->to, &tx->tolen);
}

/* A payload's tag, and the ICMP header's seq agrees with it. */
static int
tagged(const struct method_state *im, const struct sock *s,
    const struct icmp_msg *m, struct probe_hdr *h)
{
	return method_tagged(&im->key, im->tg, s->family, m->data,
	    m->data_len, h) && (uint16_t)h->seq == m->seq;
}

static void
answer_init(struct answer *a, const struct sock *s, const struct icmp_msg *m)
{
	memset(a, 0, sizeof(*a));
	a->family = s->family;
	a->type = m->type;
	a->code = m->code;
	a->ttl = m->ttl;
	a->size = (long)m->icmp_len;
}

static int
on_reply(struct method_state *im, const struct sock *s,
    const struct icmp_msg *m, const struct rx *rx, struct answer *a)
{
	answer_init(a, s, m);
	if (!tagged(im, s, m, &a->h))
		return 0;
	/* Raw sockets see every echo reply of the host: the id must be ours
	 * (ping sockets: the kernel already matched it). */
	if (s->raw && m->id != s->id)
		return 0;
	/* The tag covers the header; the rest must be our pattern. */
	if (m->data_len != im->c->size || memcmp(m->data + PAYLOAD_MIN,
	    im->pattern + PAYLOAD_MIN, im->c->size - PAYLOAD_MIN) != 0) {
		im->corrupt++;
		return 0;
	}
	a->kind = OC_REPLY;
	a->tagged = 1;
	addr16_from_sockaddr((const struct sockaddr *)&rx->from, a->from);
	if (a->ttl < 0)
		a->ttl = rx->ttl;
	a->tos = m->tos >= 0 ? m->tos : rx->tos;
	a->has_tos = a->tos >= 0;
	return 1;
}

static int
on_error(struct method_state *im, const struct sock *s,
    const struct icmp_msg *m, const uint8_t dst[16], struct answer *a)
{
	answer_init(a, s, m);
	/* The codecs hand back any quoted datagram; ours are echo requests
	 * (another one's id and seq read 0, which could pass for ours),
	 * with our id on a raw socket (as the socket filter and, for ping
	 * sockets, the kernel demand). */
	if (!m->quote_echo || (s->raw && m->id != s->id))
		return 0;
	if (m->data_len >= TAG_HDR_LEN + TAG_LEN) {
		if (!tagged(im, s, m, &a->h))
			return 0;
		a->tagged = 1;
	} else if (m->data_len != 0) {
		return 0;
	}
	memcpy(a->dst, dst, 16);
	a->seq16 = m->seq;
	a->kind = method_icmp_outcome(m->cls);
	a->error = s->family == AF_INET ? icmp4_error_name(m->type, m->code) :
	    icmp6_error_name(m->type, m->code);
	a->mtu = m->mtu;
	a->nmpls = m->nmpls;
	a->mpls = m->mpls;
	return 1;
}

/*
 * A packet from the socket.  IPv4 raw sockets include the IP header;
 * ping sockets and every IPv6 socket do not.
 */
static int
icmp_recognise(void *arg, const struct sock *s, const struct rx *rx,
    struct answer *a)
{
	struct method_state *im = arg;
	struct icmp_msg *m = &im->msg;
	int ok;

	if (s->family == AF_INET)
		ok = icmp4_parse(rx->buf, rx->len, s->raw, m);
	else
		ok = icmp6_parse(rx->buf, rx->len, m);
	if (ok == -1)
		return 0;
	if (m->kind == ICMP_KIND_REPLY)
		return on_reply(im, s, m, rx, a);
	if (m->kind != ICMP_KIND_ERROR || !on_error(im, s, m, m->quote_dst, a))
		return 0;
	addr16_from_sockaddr((const struct sockaddr *)&rx->from, a->from);
	return 1;
}

/*
 * The error queue (datagram sockets): the kernel hands back our own echo
 * request, the ICMP type and code it received and who sent it; or, from
 * the local kernel itself, an errno (EMSGSIZE: the route's MTU is known).
 */
static int
icmp_recognise_err(void *arg, const struct sock *s, const struct rx *rx,
    struct answer *a)
{
	struct method_state *im = arg;
	uint8_t dst[16];

	addr16_from_sockaddr((const struct sockaddr *)&rx->from, dst);
	if (icmp_errqueue_parse(s->family, s->family == AF_INET ?
	    IPPROTO_ICMP : IPPROTO_ICMPV6, rx->ee_type, rx->ee_code,
	    rx->ee_info, rx->buf, rx->len, &im->msg) == -1 ||
	    !on_error(im, s, &im->msg, dst, a))
		return 0;
	method_errqueue_from(rx, a);
	return 1;
}

const struct method method_icmp = {
	.name = "icmp",
	.open = icmp_open,
	.create = method_state_create,
	.destroy = method_state_destroy,
	.probe_len = icmp_probe_len,
	.answer_len = icmp_answer_len,
	.prepare = icmp_prepare,
	.build = icmp_build,
	.send = method_send,
	.recognise = icmp_recognise,
	.recognise_err = icmp_recognise_err,
	.error_name = method_icmp_error_name,
	.mark = method_icmp_mark,
};
