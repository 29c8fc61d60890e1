/*
 * The TCP probe method without privileges, as Butskoy traceroute's
 * tcpconn: each probe is a non-blocking connect() of a TCP socket of its
 * own to the target's --port.  The kernel's TCP state machine matches the
 * answer to that socket, so the socket names its probe exactly: the
 * connection completes (a SYN-ACK: the port is "open"), is refused (a
 * RST: "closed"; both mean the host is up), or an ICMP error about the
 * SYN lands in the socket's error queue (IP_RECVERR / IPV6_RECVERR).
 *
 * The engine waits on one descriptor per family: an epoll set of the
 * family's probe sockets, which .drain reads.  A probe holds a descriptor
 * and a kernel socket until it is answered or its time is up, so the
 * probes in flight are bounded by RLIMIT_NOFILE (see conn_bound); when
 * every one is taken, .send takes fewer probes (EAGAIN) and the engine
 * sends the rest later.
 */
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <dirent.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "icmp.h"
#include "method.h"

/* Descriptors left to the rest of mping (resolver, --names, files). */
#define FD_RESERVE	16
/* Probes in flight at most, whatever the descriptor limit. */
#define CONN_MAX	32768
#define EVENTS		64
#define ERRBUF		1400

/* What build leaves in a send slot for send: the probe and its flow. */
struct conn_probe {
	struct probe_hdr h;
	int		 flow;
};

/* A probe in flight: its socket, until it is answered or timed out. */
struct conn {
	int		 fd;		/* -1: over */
	int		 refused;	/* connect() said ECONNREFUSED at once */
	uint64_t	 pos;		/* its place in the ring (epoll data) */
	int64_t		 sent;		/* monotonic ns */
	struct probe_hdr h;
};

struct tcpconn {
	const struct conf	*c;
	struct conf		 sc;	/* c without -S: bound here (src) */
	const struct targets	*tg;
	/* The ring, in send order (so in expiry order): head is oldest. */
	struct conn		*ring;
	uint64_t		 head, tail;
	uint32_t		 size, open, bound;
	struct sockaddr_storage	 src[2];	/* -S per family, port 0 */
	socklen_t		 srclen[2];
	struct icmp_msg		 msg;
	uint8_t			 errbuf[ERRBUF];
};

typedef void answer_fn(void *, struct answer *, const struct rx *);

static int64_t
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/*
 * The family's "socket" is an epoll set of its probes' sockets, which
 * need no privilege: nothing is opened before the drop but this.
 */
static int
conn_open(struct sock *s, int family, const struct conf *c, char *err,
    size_t errlen)
{
	struct sock ps;

	/* One probe socket now, with the run's options, so that a bad -S,
	 * -I or --tos fails at start as with the other methods. */
	memset(&ps, 0, sizeof(ps));
	ps.family = family;
	ps.fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);
	if (ps.fd == -1) {
		snprintf(err, errlen, "cannot open a TCP socket: %s",
		    strerror(errno));
		return -1;
	}
	if (sock_setup(&ps, c, err, errlen) == -1)
		return -1;
	close(ps.fd);
	memset(s, 0, sizeof(*s));
	s->family = family;
	s->ttl = -1;
	if ((s->fd = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		snprintf(err, errlen, "cannot open an epoll set: %s",
		    strerror(errno));
		return -1;
	}
	return 0;
}

/* Descriptors open now (0 if /proc does not say: FD_RESERVE covers). */
static unsigned
fds_open(void)
{
	DIR *d = opendir("/proc/self/fd");
	unsigned n = 0;

	if (d == NULL)
		return 0;
	while (readdir(d) != NULL)
		n++;
	closedir(d);
	return n > 3 ? n - 3 : 0;	/* ".", "..", and d's own */
}

/*
 * One descriptor per probe in flight: the soft limit is raised to the
 * hard one (no privilege needed), and the probes get what is left after
 * the descriptors open now and FD_RESERVE.
 */
static uint32_t
conn_bound(void)
{
	struct rlimit rl;
	rlim_t used = fds_open() + FD_RESERVE;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return 1;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur <= used)
		return 1;
	return rl.rlim_cur - used > CONN_MAX ? CONN_MAX :
	    (uint32_t)(rl.rlim_cur - used);
}

/* -S once per family (getaddrinfo allocates: not once per probe). */
static void
conn_sources(struct tcpconn *tc)
{
	static const int fam[2] = { AF_INET, AF_INET6 };
	struct addrinfo hints, *res;
	int i;

	for (i = 0; i < 2 && tc->c->source; i++) {
		memset(&hints, 0, sizeof(hints));
		hints.ai_family = fam[i];
		hints.ai_flags = AI_NUMERICHOST | AI_PASSIVE;
		hints.ai_socktype = SOCK_STREAM;
		if (getaddrinfo(tc->c->source, NULL, &hints, &res) != 0)
			continue;
		memcpy(&tc->src[i], res->ai_addr, res->ai_addrlen);
		tc->srclen[i] = res->ai_addrlen;
		freeaddrinfo(res);
	}
}

static void *
conn_create(const struct conf *c, const struct targets *tg)
{
	struct tcpconn *tc;

	if ((tc = calloc(1, sizeof(*tc))) == NULL)
		return NULL;
	tc->c = c;
	tc->sc = *c;
	tc->sc.source = NULL;
	tc->tg = tg;
	tc->bound = conn_bound();
	tc->size = 2 * tc->bound;
	if ((tc->ring = calloc(tc->size, sizeof(*tc->ring))) == NULL) {
		free(tc);
		return NULL;
	}
	conn_sources(tc);
	return tc;
}

static void
conn_close(struct tcpconn *tc, struct conn *cn)
{
	if (cn->fd == -1)
		return;
	close(cn->fd);
	cn->fd = -1;
	tc->open--;
}

static void
conn_destroy(void *arg)
{
	struct tcpconn *tc = arg;

	for (; tc->head < tc->tail; tc->head++)
		conn_close(tc, &tc->ring[tc->head % tc->size]);
	free(tc->ring);
	free(tc);
}

/*
 * Probes that are over leave the ring; a socket whose time is up is
 * closed (its SYN may still be retransmitted before: see the man page).
 */
static void
conn_reap(struct tcpconn *tc, int64_t now)
{
	struct conn *cn;

	while (tc->head < tc->tail) {
		cn = &tc->ring[tc->head % tc->size];
		if (cn->fd != -1 && cn->sent + tc->c->timeout_ns > now)
			return;
		conn_close(tc, cn);
		tc->head++;
	}
}

/* The probe of a send slot: nothing goes on the wire from here. */
static size_t
conn_probe_len(const struct conf *c)
{
	(void)c;
	return sizeof(struct conn_probe);
}

static size_t
conn_answer_len(const struct conf *c)
{
	(void)c;
	return ERRBUF;
}

static void
conn_prepare(void *arg, uint8_t *buf, size_t len)
{
	(void)arg;
	memset(buf, 0, len);
}

static void
conn_build(void *arg, const struct sock *s, struct tx *tx,
    const struct target *t, const struct probe_hdr *h, int flow)
{
	struct tcpconn *tc = arg;
	struct conn_probe p;
	struct sockaddr_in *sin = (struct sockaddr_in *)&tx->to;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&tx->to;

	(void)s;
	p.h = *h;
	p.flow = flow;
	memcpy(tx->buf, &p, sizeof(p));
	target_sockaddr(t, &tx->to, &tx->tolen);
	if (t->family == AF_INET)
		sin->sin_port = htons(tc->c->port);
	else
		sin6->sin6_port = htons(tc->c->port);
}

/* Bind to -S (its family's) and to port flow (> 0), or any. */
static int
conn_bind(const struct tcpconn *tc, int fd, int family, int flow)
{
	struct sockaddr_storage ss;
	int i = family == AF_INET ? 0 : 1;
	socklen_t len = tc->srclen[i];

	memset(&ss, 0, sizeof(ss));
	if (len)
		memcpy(&ss, &tc->src[i], len);
	else
		len = family == AF_INET ? sizeof(struct sockaddr_in) :
		    sizeof(struct sockaddr_in6);
	ss.ss_family = (sa_family_t)family;
	if (flow > 0 && family == AF_INET)
		((struct sockaddr_in *)&ss)->sin_port = htons((uint16_t)flow);
	else if (flow > 0)
		((struct sockaddr_in6 *)&ss)->sin6_port = htons((uint16_t)flow);
	return bind(fd, (struct sockaddr *)&ss, len);
}

/*
 * A probe socket: the run's options as every socket has them (sock.c:
 * TTL, --tos, --df, -I, IP_RECVERR, stamps), then what is TCP's own.
 * TCP_SYNCNT 1, its minimum: the kernel resends an unanswered SYN once,
 * after about 1 s, instead of 6 times over 2 minutes.  SO_LINGER 0: close
 * answers a SYN-ACK with a RST and leaves no TIME_WAIT behind.  --flow N
 * (a trace): source port N for every probe, which needs SO_REUSEADDR, as
 * the probes before it hold the port too.
 */
static int
conn_socket(struct tcpconn *tc, int family, int ttl, int flow)
{
	struct sock ps;
	struct linger lg = { 1, 0 };
	char err[256];
	int i = family == AF_INET ? 0 : 1, one = 1;

	memset(&ps, 0, sizeof(ps));
	ps.family = family;
	ps.fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    IPPROTO_TCP);
	if (ps.fd == -1 || sock_setup(&ps, &tc->sc, err, sizeof(err)) == -1)
		return -1;
	if ((ttl && sock_set_ttl(&ps, ttl) == -1) ||
	    setsockopt(ps.fd, IPPROTO_TCP, TCP_SYNCNT, &one, sizeof(one)) ||
	    setsockopt(ps.fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)))
		goto fail;
	if (flow <= 0 && tc->srclen[i] == 0)
		return ps.fd;
	if (family == AF_INET6 && setsockopt(ps.fd, IPPROTO_IPV6,
	    IPV6_V6ONLY, &one, sizeof(one)))
		goto fail;
	if (flow > 0 && setsockopt(ps.fd, SOL_SOCKET, SO_REUSEADDR, &one,
	    sizeof(one)))
		goto fail;
	if (conn_bind(tc, ps.fd, family, flow) == 0)
		return ps.fd;
fail:
	i = errno;
	close(ps.fd);
	errno = i;
	return -1;
}

/*
 * A probe that cannot start.  For want of a descriptor, a kernel socket,
 * a local port or (--flow) its 4-tuple, which an earlier probe to the
 * same target holds (the kernel allows one connection per 4-tuple), it
 * waits (-1, EAGAIN) while probes of ours are in flight to free them.
 * Anything else (no route, a local firewall) is its outcome: tx->err.
 */
static int
conn_failed(const struct tcpconn *tc, struct tx *tx, int err)
{
	switch (err) {
	case EMFILE:
	case ENFILE:
	case ENOBUFS:
	case ENOMEM:
	case EAGAIN:
	case EADDRINUSE:
	case EADDRNOTAVAIL:
		if (tc->open > 0) {
			errno = EAGAIN;
			return -1;
		}
	}
	tx->err = err;
	return 0;
}

/*
 * Probe tx goes out: connect() sends its SYN.  On loopback the answer
 * may come within the call: connect() then returns 0 (open) or
 * ECONNREFUSED (closed, and the socket's error is then cleared, hence
 * cn->refused); the socket is ready at once and drain reports it.
 */
static int
conn_start(struct tcpconn *tc, const struct sock *s, int ttl, struct tx *tx,
    int64_t now)
{
	struct conn_probe p;
	struct conn *cn;
	struct epoll_event ev;
	int fd, r;

	memcpy(&p, tx->buf, sizeof(p));
	if ((fd = conn_socket(tc, s->family, ttl, p.flow)) == -1)
		return conn_failed(tc, tx, errno);
	r = connect(fd, (struct sockaddr *)&tx->to, tx->tolen) == 0 ? 0 : errno;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLOUT;
	ev.data.u64 = tc->tail;
	if ((r == 0 || r == EINPROGRESS || r == ECONNREFUSED) &&
	    epoll_ctl(s->fd, EPOLL_CTL_ADD, fd, &ev) == -1)
		r = errno;
	if (r != 0 && r != EINPROGRESS && r != ECONNREFUSED) {
		close(fd);
		return conn_failed(tc, tx, r);
	}
	cn = &tc->ring[tc->tail % tc->size];
	cn->fd = fd;
	cn->refused = r == ECONNREFUSED;
	cn->pos = tc->tail++;
	cn->sent = now;
	cn->h = p.h;
	tc->open++;
	return 0;
}

/* .send: each probe its socket, as long as the bound allows. */
static int
conn_send(void *arg, struct sock *s, struct tx *tx, int n)
{
	struct tcpconn *tc = arg;
	int64_t now = mono();
	int i;

	conn_reap(tc, now);
	for (i = 0; i < n; i++) {
		tx[i].err = 0;
		if (tc->open >= tc->bound || tc->tail - tc->head >= tc->size ||
		    conn_start(tc, s, tx[i].ttl, &tx[i], now) == -1) {
			errno = EAGAIN;
			return i;
		}
	}
	return n;
}

/* The answer of probe cn to target t, as far as every kind has it. */
static void
conn_answer(const struct tcpconn *tc, const struct conn *cn,
    struct answer *a, int family)
{
	memset(a, 0, sizeof(*a));
	a->tagged = 1;
	a->h = cn->h;
	a->family = family;
	a->ttl = -1;
	memcpy(a->dst, tc->tg->t[cn->h.target].addr, 16);
	memcpy(a->from, a->dst, 16);
}

/*
 * An ICMP error about the SYN, from the socket's error queue (the kernel
 * queues it with the quoted TCP header, and ends the connection: any
 * error in SYN_SENT is fatal to it).  1 and a, or 0: none there.
 */
static int
conn_icmp(struct tcpconn *tc, const struct sock *s, const struct conn *cn,
    struct rx *rx, struct answer *a)
{
	struct sock es;
	struct icmp_msg *m = &tc->msg;

	memset(&es, 0, sizeof(es));
	es.fd = cn->fd;
	es.family = s->family;
	rx->buf = tc->errbuf;
	rx->len = sizeof(tc->errbuf);
	if (sock_recv_err(&es, rx, 1) != 1 || !rx->is_err ||
	    icmp_errqueue_parse(s->family, IPPROTO_TCP, rx->ee_type,
	    rx->ee_code, rx->ee_info, rx->buf, rx->len, m) == -1)
		return 0;
	conn_answer(tc, cn, a, s->family);
	method_errqueue_answer(s->family, rx, m, a);
	return 1;
}

/*
 * When the SYN-ACK came: the kernel measured the handshake's round trip
 * from the SYN's departure (TCP_INFO, microseconds; its first sample is
 * that round trip itself), which a stall of mping does not lengthen.  A
 * SYN that was resent gives no such sample of the first one: then now,
 * when it is read.
 */
static int64_t
handshake_at(const struct conn *cn, int64_t now)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);
	int64_t at;

	if (getsockopt(cn->fd, IPPROTO_TCP, TCP_INFO, &ti, &len) == -1 ||
	    len < offsetof(struct tcp_info, tcpi_total_retrans) +
	    sizeof(ti.tcpi_total_retrans) || ti.tcpi_rtt == 0 ||
	    ti.tcpi_total_retrans)
		return now;
	at = cn->sent + (int64_t)ti.tcpi_rtt * 1000;
	return at < now ? at : now;
}

/*
 * What the connection says: a SYN-ACK completed it (open), a RST refused
 * it (closed).  1 and a; 0: not yet; -1: over without an answer (the
 * kernel gave up resending the SYN: ETIMEDOUT).
 */
static int
conn_state(const struct tcpconn *tc, const struct sock *s,
    const struct conn *cn, uint32_t events, int64_t now, struct rx *rx,
    struct answer *a)
{
	struct sockaddr_storage peer;
	socklen_t len = sizeof(int), plen = sizeof(peer);
	int err = 0;

	/* No kernel stamp for a RST: the time it is read. */
	memset(rx, 0, sizeof(*rx));
	rx->ttl = -1;
	rx->when = rx->read = now;
	if (getsockopt(cn->fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		err = errno;
	conn_answer(tc, cn, a, s->family);
	a->kind = OC_REPLY;
	a->port = tc->c->port;
	if (cn->refused || err == ECONNREFUSED) {
		a->state = "closed";
		return 1;
	}
	/* getpeername: ENOTCONN until the handshake is done. */
	if (err == 0 && getpeername(cn->fd, (struct sockaddr *)&peer,
	    &plen) == 0) {
		a->state = "open";
		rx->when = handshake_at(cn, now);
		return 1;
	}
	if (err == 0)
		return events & (EPOLLERR | EPOLLHUP) ? -1 : 0;
	if (err == ETIMEDOUT)
		return -1;
	a->kind = OC_LOCAL;
	a->state = NULL;
	a->err = err;
	a->mtu = -1;
	return 1;
}

/* A ready probe socket: its answer, if it has one yet; then it is over. */
static void
conn_event(struct tcpconn *tc, const struct sock *s,
    const struct epoll_event *ev, int64_t now, answer_fn *answer, void *ctx)
{
	struct conn *cn = &tc->ring[ev->data.u64 % tc->size];
	struct answer a;
	struct rx rx;
	int r = 0;

	if (cn->pos != ev->data.u64 || cn->fd == -1)
		return;
	memset(&rx, 0, sizeof(rx));
	if (ev->events & EPOLLERR)
		r = conn_icmp(tc, s, cn, &rx, &a);
	if (r == 0)
		r = conn_state(tc, s, cn, ev->events, now, &rx, &a);
	if (r == 0)
		return;
	conn_close(tc, cn);
	if (r == 1)
		answer(ctx, &a, &rx);
}

/* .drain: the family's ready probe sockets, then those whose time is up. */
static int
conn_drain(void *arg, struct sock *s, int64_t now, answer_fn *answer,
    void *ctx)
{
	struct tcpconn *tc = arg;
	struct epoll_event ev[EVENTS];
	int i, n, total = 0, rounds = 0;

	do {
		n = epoll_wait(s->fd, ev, EVENTS, 0);
		for (i = 0; i < n; i++)
			conn_event(tc, s, &ev[i], now, answer, ctx);
		total += n > 0 ? n : 0;
	} while (n == EVENTS && ++rounds < 16);
	conn_reap(tc, now);
	return total;
}

/* Never called: drain reads the sockets. */
static int
conn_recognise(void *arg, const struct sock *s, const struct rx *rx,
    struct answer *a)
{
	(void)arg;
	(void)s;
	(void)rx;
	(void)a;
	return 0;
}

const struct method method_tcpconn = {
	.name = "tcp",
	.open = conn_open,
	.create = conn_create,
	.destroy = conn_destroy,
	.probe_len = conn_probe_len,
	.answer_len = conn_answer_len,
	.prepare = conn_prepare,
	.build = conn_build,
	.send = conn_send,
	.recognise = conn_recognise,
	.recognise_err = conn_recognise,
	.error_name = method_icmp_error_name,
	.mark = method_icmp_mark,
	.drain = conn_drain,
};
