#include <sys/socket.h>
#include <sys/random.h>
#include <arpa/inet.h>
#include <linux/errqueue.h>
#include <linux/sock_diag.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sock.h"

/*
 * Receive buffer: what a reply costs the kernel (its sk_buff's truesize:
 * 832 bytes for a 64-byte echo reply on loopback, 2304 for 1408 bytes;
 * the kernel doubles the size asked for, which leaves room), and the
 * bounds: at least the usual default, at most 32 MB (64 MB charged).
 */
#define REPLY_COST(size)	((double)(size) + 1024)
#define RCVBUF_MIN		(256 << 10)
#define RCVBUF_MAX		(32 << 20)

static int
on(int fd, int level, int opt)
{
	int one = 1;

	return setsockopt(fd, level, opt, &one, sizeof(one));
}

int
sock_bind(const struct sock *s, int fd, uint16_t port, const struct conf *c,
    char *err, size_t errlen)
{
	struct addrinfo hints, *res;
	char num[8];
	int e;

	if (c->source == NULL && port == 0)
		return 0;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = s->family;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	hints.ai_socktype = SOCK_DGRAM;
	snprintf(num, sizeof(num), "%u", (unsigned)port);
	if ((e = getaddrinfo(c->source, num, &hints, &res)) != 0) {
		/* A source of the other family simply doesn't apply here. */
		snprintf(err, errlen, "source %s: not an %s address",
		    c->source, s->family == AF_INET ? "IPv4" : "IPv6");
		errno = EINVAL;
		return -1;
	}
	e = bind(fd, res->ai_addr, res->ai_addrlen);
	freeaddrinfo(res);
	if (e == -1 && port)
		snprintf(err, errlen, "source port %u: %s", (unsigned)port,
		    strerror(errno));
	else if (e == -1)
		snprintf(err, errlen, "source %s: %s", c->source,
		    strerror(errno));
	return e;
}

void
sock_close(struct sock *s)
{
	if (s->fd != -1)
		close(s->fd);
	if (s->hold_fd > 2)
		close(s->hold_fd);
	if (s->route_fd > 2)
		close(s->route_fd);
	s->fd = -1;
	s->hold_fd = s->route_fd = 0;
}

/*
 * Room for every reply that can be on its way at once, so that a stall
 * (a stopped or starved process) loses none: the probes of one timeout at
 * the rate asked for, and no more than --max-targets probes per period.
 * The targets are not known yet: they are read after the privilege drop.
 */
static int
rcvbuf_size(const struct conf *c)
{
	double n, per_period;

	per_period = (double)c->max_targets * (1 + c->retries) *
	    ((double)c->timeout_ns / (double)c->period_ns + 1);
	n = c->interval_ns > 0 ? (double)c->timeout_ns /
	    (double)c->interval_ns + 256 : per_period;
	if (n > per_period)
		n = per_period;
	n *= REPLY_COST(c->size);
	return n < RCVBUF_MIN ? RCVBUF_MIN : n > RCVBUF_MAX ? RCVBUF_MAX :
	    (int)n;
}

/*
 * Past net.core.rmem_max only with SO_RCVBUFFORCE, which needs
 * CAP_NET_ADMIN: root and setuid-root copies have it until the drop.
 * Otherwise the kernel caps SO_RCVBUF at rmem_max without a word.
 */
static void
rcvbuf(struct sock *s, const struct conf *c)
{
	int bytes = rcvbuf_size(c);

	if (setsockopt(s->fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes,
	    sizeof(bytes)) == -1)
		setsockopt(s->fd, SOL_SOCKET, SO_RCVBUF, &bytes,
		    sizeof(bytes));
}

/*
 * --fwmark: SO_MARK, for policy routing and nftables; it needs
 * CAP_NET_ADMIN (since Linux 5.17 CAP_NET_RAW will do), which root (or a
 * setuid-root copy) still has here: sockets are opened before the drop.
 * Called as fping, a refusal is only fping's perror and the run goes on
 * unmarked, as fping's does.
 */
static int
mark(struct sock *s, const struct conf *c, char *err, size_t errlen)
{
	if (c->fwmark == 0 || setsockopt(s->fd, SOL_SOCKET, SO_MARK,
	    &c->fwmark, sizeof(c->fwmark)) == 0)
		return 0;
	if (c->fping.on) {
		fprintf(stderr, "fwmark %s: %s\n", s->family == AF_INET ?
		    "ipv4" : "ipv6", strerror(errno));
		return 0;
	}
	snprintf(err, errlen, "--fwmark %u: %s (it needs CAP_NET_ADMIN or "
	    "CAP_NET_RAW)",
	    c->fwmark, strerror(errno));
	return -1;
}

/*
 * Linux sockets default to path MTU discovery, which sets DF on every
 * packet: without --df we must say DONT, or big probes die at a small link
 * instead of being fragmented.  --df uses PROBE: DF set, but the kernel
 * does not refuse our sends on what it learnt about the path MTU.
 *
 * A raw socket's probes of at most 576 bytes (IPv4's minimum datagram
 * every host takes, far under any link's MTU: the IP and 8-byte ICMP or UDP
 * headers and the payload) go with PROBE too.  Without DF (or with the
 * kernel's default, WANT, which may fragment locally) every packet's IP ID
 * comes from the kernel's shared hash (__ip_select_ident: 5% of a sweep's
 * CPU, a cache miss per destination); a DF packet the kernel will not
 * fragment gets ID 0 (RFC 6864's atomic datagram).  Ping sockets keep
 * DONT: their kernel then drops a "fragmentation needed", which without DF
 * is forged (hostile_dgram.bats).
 */
static int
pmtu_mode(const struct sock *s, const struct conf *c)
{
	if (c->df || (s->raw && c->size <= 576 - 20 - 8))
		return IP_PMTUDISC_PROBE;
	return IP_PMTUDISC_DONT;
}

static int
options(struct sock *s, const struct conf *c, char *err, size_t errlen)
{
	int v4 = s->family == AF_INET, v;

	rcvbuf(s, c);
	/*
	 * Kernel receive time, so a busy loop does not inflate RTTs.  Every
	 * control message asked for costs each datagram a put_cmsg: drops
	 * are counted at the end (SO_MEMINFO, sock_drops), not by
	 * SO_RXQ_OVFL on each datagram.
	 */
	on(s->fd, SOL_SOCKET, SO_TIMESTAMPNS);
	if (mark(s, c, err, errlen) == -1)
		return -1;
	if (v4) {
		/*
		 * TTL and TOS of each reply as control messages: what ping
		 * sockets and UDP/TCP ones learn of them.  A raw IPv4 socket
		 * reads them in the IP header itself (icmp4.c, l4.c): none
		 * asked for.  IPv6 sockets never see theirs: only
		 * IPV6_HOPLIMIT and IPV6_TCLASS tell.
		 */
		if (!s->raw) {
			on(s->fd, IPPROTO_IP, IP_RECVTTL);
			on(s->fd, IPPROTO_IP, IP_RECVTOS);
		}
		if (!s->raw)	/* ping sockets get errors only this way */
			on(s->fd, IPPROTO_IP, IP_RECVERR);
		if (c->tos >= 0 && setsockopt(s->fd, IPPROTO_IP, IP_TOS,
		    &c->tos, sizeof(c->tos)) == -1)
			goto fail;
		v = pmtu_mode(s, c);
		if (setsockopt(s->fd, IPPROTO_IP, IP_MTU_DISCOVER, &v,
		    sizeof(v)) == -1)
			goto fail;
		if (c->broadcast && on(s->fd, SOL_SOCKET, SO_BROADCAST) == -1)
			goto fail;
	} else {
		on(s->fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT);
		on(s->fd, IPPROTO_IPV6, IPV6_RECVTCLASS);
		if (!s->raw)
			on(s->fd, IPPROTO_IPV6, IPV6_RECVERR);
		if (c->tos >= 0 && setsockopt(s->fd, IPPROTO_IPV6,
		    IPV6_TCLASS, &c->tos, sizeof(c->tos)) == -1)
			goto fail;
		/*
		 * --df: no local fragmentation, and (PROBE) sends are checked
		 * against the interface MTU, not the path MTU learnt from an
		 * earlier packet too big: every big probe goes out and gets
		 * its own answer, as with IPv4.
		 */
		v = IPV6_PMTUDISC_PROBE;
		if (c->df && (on(s->fd, IPPROTO_IPV6, IPV6_DONTFRAG) == -1 ||
		    setsockopt(s->fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &v,
		    sizeof(v)) == -1))
			goto fail;
	}
	if (c->ttl >= 0 && sock_set_ttl(s, c->ttl) == -1)
		goto fail;
	if (c->iface && setsockopt(s->fd, SOL_SOCKET, SO_BINDTODEVICE,
	    c->iface, (socklen_t)strlen(c->iface) + 1) == -1) {
		snprintf(err, errlen, "interface %s: %s", c->iface,
		    strerror(errno));
		return -1;
	}
	return sock_bind(s, s->fd, s->local_port, c, err, errlen);
fail:
	snprintf(err, errlen, "socket option: %s", strerror(errno));
	return -1;
}

/*
 * A socket a probe method made (fd, family, raw set): the run's options,
 * then bound to the source and interface asked for.  Closed on failure.
 */
int
sock_setup(struct sock *s, const struct conf *c, char *err, size_t errlen)
{
	int saved;

	s->ttl = -1;
	s->ttl_conf = c->ttl;
	s->ttl_each = 1;
	if (options(s, c, err, errlen) == -1) {
		saved = errno;
		close(s->fd);
		s->fd = -1;
		errno = saved;
		return -1;
	}
	return 0;
}

const char *
sock_error_name(int family, int err)
{
	switch (err) {
	case ENETUNREACH:	return "net-unreachable";
	case EHOSTUNREACH:	return "host-unreachable";
	case EACCES:
	case EPERM:		return "admin-prohibited";
	case EMSGSIZE:
		return family == AF_INET ? "fragmentation-needed" :
		    "packet-too-big";
	default:		return "send-failed";
	}
}

int
sock_set_ttl(struct sock *s, int ttl)
{
	int rc;

	if (ttl == s->ttl)
		return 0;
	if (s->family == AF_INET)
		rc = setsockopt(s->fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl));
	else
		rc = setsockopt(s->fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl,
		    sizeof(ttl));
	if (rc == 0)
		s->ttl = ttl;
	return rc;
}

/*
 * sendmmsg stops at the first message that fails and, if it sent any
 * before it, returns their count and drops the error: the next call,
 * starting at that message, fails on it again and tells us why.
 */
/* A control message of one int. */
union cmsg_int {
	struct cmsghdr	h;
	char		b[CMSG_SPACE(sizeof(int))];
};

/*
 * A datagram's own TTL (IP_TTL, Linux 3.13 on raw, ping and UDP sockets)
 * or hop limit (IPV6_HOPLIMIT), so that one sendmmsg carries a trace's
 * probes of every TTL: the socket option would hold one per call.
 */
static void
ttl_cmsg(const struct sock *s, struct msghdr *m, union cmsg_int *c, int ttl)
{
	memset(c, 0, sizeof(*c));
	c->h.cmsg_level = s->family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6;
	c->h.cmsg_type = s->family == AF_INET ? IP_TTL : IPV6_HOPLIMIT;
	c->h.cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(&c->h), &ttl, sizeof(int));
	m->msg_control = c;
	m->msg_controllen = sizeof(*c);
}

int
sock_send_batch(struct sock *s, struct tx *tx, int n)
{
	struct mmsghdr mm[TX_BATCH];
	struct iovec iov[TX_BATCH];
	union cmsg_int cm[TX_BATCH];
	int i, r, done = 0, retried = -1;

	if (n > TX_BATCH)
		n = TX_BATCH;
	memset(mm, 0, (size_t)n * sizeof(mm[0]));
	for (i = 0; i < n; i++) {
		iov[i].iov_base = tx[i].buf;
		iov[i].iov_len = tx[i].len;
		mm[i].msg_hdr.msg_name = &tx[i].to;
		mm[i].msg_hdr.msg_namelen = tx[i].tolen;
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
		if (s->ttl_each && tx[i].ttl > 0)
			ttl_cmsg(s, &mm[i].msg_hdr, &cm[i], tx[i].ttl);
		tx[i].err = 0;
	}
	while (done < n) {
		r = sendmmsg(s->fd, mm + done, (unsigned)(n - done), 0);
		if (r > 0) {
			done += r;
			continue;
		}
		if (r == 0)
			errno = EAGAIN;
		if (errno == EAGAIN || errno == ENOBUFS || errno == EINTR)
			break;
		/*
		 * A ping socket with IP_RECVERR also keeps each ICMP error
		 * it queues as the socket's pending error, and the next send
		 * returns that error instead of sending (the kernel clears
		 * it as it returns it).  The ICMP error itself is read from
		 * the error queue; this datagram is simply sent again, and
		 * only a second failure is its own.
		 */
		if (!s->raw && retried != done) {
			retried = done;
			continue;
		}
		tx[done++].err = errno;
	}
	return done;
}

static int64_t
clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/*
 * The kernel stamps packets with CLOCK_REALTIME, which may jump; RTTs are
 * on CLOCK_MONOTONIC.  Read both clocks together and carry over only the
 * stamp's age: arrival = monotonic now - (realtime now - stamp).  A step
 * of the wall clock between arrival and read shows as an age that cannot
 * be: negative (a step back), or older than the last read that left the
 * queue empty (a step forward; the packet would have been read then).
 * The arrival is then the time of this read.
 */
struct clocks {
	int64_t	real, mono;
};

static void
clocks_now(struct clocks *c)
{
	c->real = clock_ns(CLOCK_REALTIME);
	c->mono = clock_ns(CLOCK_MONOTONIC);
}

static void
cmsgs(struct msghdr *m, struct rx *r,
    const struct clocks *now, int64_t oldest)
{
	struct cmsghdr *c;
	struct timespec ts;
	struct sock_extended_err ee;
	struct sockaddr *off;
	int64_t age;

	r->when = r->read = now->mono;
	for (c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c)) {
		if (c->cmsg_level == SOL_SOCKET &&
		    c->cmsg_type == SCM_TIMESTAMPNS) {
			memcpy(&ts, CMSG_DATA(c), sizeof(ts));
			age = now->real - ((int64_t)ts.tv_sec * 1000000000 +
			    ts.tv_nsec);
			if (age > 0 && now->mono - age >= oldest)
				r->when = now->mono - age;
		} else if ((c->cmsg_level == IPPROTO_IP &&
		    c->cmsg_type == IP_TTL) || (c->cmsg_level ==
		    IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT)) {
			memcpy(&r->ttl, CMSG_DATA(c), sizeof(int));
		} else if (c->cmsg_level == IPPROTO_IP &&
		    c->cmsg_type == IP_TOS) {
			/* IPv4's is one byte, IPv6's IPV6_TCLASS an int. */
			r->tos = *(const unsigned char *)CMSG_DATA(c);
		} else if (c->cmsg_level == IPPROTO_IPV6 &&
		    c->cmsg_type == IPV6_TCLASS) {
			memcpy(&r->tos, CMSG_DATA(c), sizeof(int));
		} else if ((c->cmsg_level == IPPROTO_IP &&
		    c->cmsg_type == IP_RECVERR) || (c->cmsg_level ==
		    IPPROTO_IPV6 && c->cmsg_type == IPV6_RECVERR)) {
			memcpy(&ee, CMSG_DATA(c), sizeof(ee));
			r->is_err = 1;
			r->ee_errno = (int)ee.ee_errno;
			r->ee_type = ee.ee_type;
			r->ee_code = ee.ee_code;
			r->ee_info = ee.ee_info;
			r->ee_origin_local = ee.ee_origin ==
			    SO_EE_ORIGIN_LOCAL;
			off = SO_EE_OFFENDER((struct sock_extended_err *)
			    (void *)CMSG_DATA(c));
			if (off->sa_family == AF_INET ||
			    off->sa_family == AF_INET6) {
				memcpy(&r->offender, off,
				    off->sa_family == AF_INET ?
				    sizeof(struct sockaddr_in) :
				    sizeof(struct sockaddr_in6));
				r->has_offender = 1;
			}
		}
	}
	r->real = now->real - (now->mono - r->when);
}

/*
 * Control data of one message: a stamp, a TTL, a drop count, and on the
 * error queue a sock_extended_err with its offender (about 200 bytes
 * with every option on).
 */
#define CBUF	256
#define RX_MAX	64

struct rx_batch {
	struct mmsghdr	mm[RX_MAX];
	struct iovec	iov[RX_MAX];
	char		cbuf[RX_MAX][CBUF];
};

/* b's headers for rx[0..max): returns max, cut to RX_MAX.  named: ask
 * the kernel for each message's source address. */
static int
batch_prepare(struct rx_batch *b, struct rx *rx, int max, int named)
{
	int i;

	if (max > RX_MAX)
		max = RX_MAX;
	for (i = 0; i < max; i++) {
		b->iov[i].iov_base = rx[i].buf;
		b->iov[i].iov_len = rx[i].len;
		memset(&b->mm[i].msg_hdr, 0, sizeof(b->mm[i].msg_hdr));
		if (named) {
			b->mm[i].msg_hdr.msg_name = &rx[i].from;
			b->mm[i].msg_hdr.msg_namelen = sizeof(rx[i].from);
		}
		b->mm[i].msg_hdr.msg_iov = &b->iov[i];
		b->mm[i].msg_hdr.msg_iovlen = 1;
		b->mm[i].msg_hdr.msg_control = b->cbuf[i];
		b->mm[i].msg_hdr.msg_controllen = CBUF;
	}
	return max;
}

/* What every message read has, before its control data says more. */
static void
rx_reset(struct rx *r, const struct mmsghdr *mm)
{
	r->len = mm->msg_len;
	r->ttl = r->tos = -1;
	r->is_err = 0;
	r->has_offender = 0;
}

/*
 * A raw IPv4 socket's datagrams start with their IP header (IP_HDRINCL or
 * not: it only changes what we send), so their source is read from it
 * rather than asked for: the kernel's copy of it (move_addr_to_user) was
 * 0.7% of a sweep's CPU.  A datagram too short for a header gets an
 * unspecified source, and no codec accepts it anyway.
 */
static void
source_from_header(struct rx *r)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)(void *)&r->from;

	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	if (r->len >= 20)
		memcpy(&sin->sin_addr, r->buf + 12, 4);
}

int
sock_recv(struct sock *s, struct rx *rx, int max)
{
	struct rx_batch b;
	struct clocks now;
	int64_t before;
	int i, n, header = s->raw && s->family == AF_INET;

	max = batch_prepare(&b, rx, max, !header);
	before = clock_ns(CLOCK_MONOTONIC);
	n = recvmmsg(s->fd, b.mm, (unsigned)max, MSG_DONTWAIT, NULL);
	if (n <= 0) {
		if (n == 0 || errno == EAGAIN)
			s->emptied = before;
		return n == -1 && errno != EAGAIN && errno != EINTR ? -1 : 0;
	}
	clocks_now(&now);
	for (i = 0; i < n; i++) {
		rx_reset(&rx[i], &b.mm[i]);
		if (header)
			source_from_header(&rx[i]);
		cmsgs(&b.mm[i].msg_hdr, &rx[i], &now, s->emptied);
	}
	/* Fewer than asked for: everything that came before the call. */
	if (n < max)
		s->emptied = before;
	return n;
}

/*
 * recvmmsg takes MSG_ERRQUEUE like recvmsg (Linux passes the flags to
 * each recvmsg it makes, and stops without an error at EAGAIN once it
 * has one message): a sweep's port unreachables come in batches, not one
 * system call each.
 */
int
sock_recv_err(struct sock *s, struct rx *rx, int max)
{
	struct rx_batch b;
	struct clocks now;
	int i, n;

	max = batch_prepare(&b, rx, max, 1);
	n = recvmmsg(s->fd, b.mm, (unsigned)max, MSG_ERRQUEUE | MSG_DONTWAIT,
	    NULL);
	if (n <= 0)
		return 0;
	clocks_now(&now);
	for (i = 0; i < n; i++) {
		rx_reset(&rx[i], &b.mm[i]);
		/* The error queue is read apart: no bound from the other
		 * reads. */
		cmsgs(&b.mm[i].msg_hdr, &rx[i], &now, INT64_MIN);
	}
	return n;
}

/*
 * The datagrams the kernel dropped: the socket's own counter (SO_MEMINFO,
 * Linux 4.6), read at the end.  SO_RXQ_OVFL would say it on each datagram
 * (a control message each), but only with a later one, and ping sockets
 * not at all.
 */
uint32_t
sock_drops(struct sock *s)
{
	uint32_t mi[SK_MEMINFO_VARS];
	socklen_t len = sizeof(mi);

	if (s->fd != -1 && getsockopt(s->fd, SOL_SOCKET, SO_MEMINFO, mi,
	    &len) == 0 && len > SK_MEMINFO_DROPS * sizeof(mi[0]) &&
	    mi[SK_MEMINFO_DROPS] > s->drops)
		s->drops = mi[SK_MEMINFO_DROPS];
	return s->drops;
}

/*
 * The MTU behind a local EMSGSIZE: a failed send carries no number (only
 * the error queue's ee_info does, and raw sockets keep no error queue),
 * and IP_MTU answers only on a connected socket.  So ask a UDP socket
 * connected to the same destination, through the same -I device: the
 * route's MTU, as ping(8) reports it.  -1 if the kernel does not say.
 */
long
sock_path_mtu(const struct sock *s, const struct conf *c,
    const struct sockaddr_storage *to, socklen_t tolen)
{
	int fd, mtu = -1;
	socklen_t len = sizeof(mtu);

	if ((fd = socket(s->family, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (c->iface)
		setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, c->iface,
		    (socklen_t)strlen(c->iface) + 1);
	if (connect(fd, (const struct sockaddr *)to, tolen) == -1 ||
	    getsockopt(fd, s->family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6,
	    s->family == AF_INET ? IP_MTU : IPV6_MTU, &mtu, &len) == -1)
		mtu = -1;
	close(fd);
	return mtu;
}
