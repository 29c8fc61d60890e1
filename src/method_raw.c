/*
 * Raw transport sockets for the TCP and UDP methods (cap_net_raw): we
 * write the transport header ourselves, so a SYN carries our keyed
 * sequence number and a UDP datagram the checksum we choose.
 *
 * - The raw socket of protocol proto sees a copy of every segment or
 *   datagram of that protocol the host receives (answers are picked out
 *   by our source port), and with IP_RECVERR / IPV6_RECVERR the ICMP
 *   errors quoting what it sent, on its error queue, starting at the
 *   quoted transport header (raw_err(), rawv6_err()): a router's 8-byte
 *   quote still holds the ports, and the TCP sequence number or the UDP
 *   checksum.
 * - A socket of the protocol holds our source port (--flow N, else one
 *   the kernel picks), so no connection of the host takes it.  It never
 *   listens: to a SYN-ACK the kernel answers with a RST, which ends the
 *   half-open connection at the target at once (as zmap and nmap do).
 * - A UDP socket asks the routing table our source address, which the
 *   checksum's pseudo-header covers (srcaddr.h).
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bpf.h"
#include "l4.h"
#include "method.h"

static int
fail(struct sock *s, char *err, size_t errlen, const char *what)
{
	int saved = errno;

	if (what)
		snprintf(err, errlen, "%s: %s", what, strerror(saved));
	sock_close(s);
	errno = saved;
	return -1;
}

/* Bind fd to port of any address of the family (0: an ephemeral one). */
static int
bind_any(int family, int fd, uint16_t port)
{
	struct sockaddr_in6 a6;
	struct sockaddr_in a4;

	if (family == AF_INET) {
		memset(&a4, 0, sizeof(a4));
		a4.sin_family = AF_INET;
		a4.sin_port = htons(port);
		return bind(fd, (struct sockaddr *)&a4, sizeof(a4));
	}
	memset(&a6, 0, sizeof(a6));
	a6.sin6_family = AF_INET6;
	a6.sin6_port = htons(port);
	return bind(fd, (struct sockaddr *)&a6, sizeof(a6));
}

/* The socket that holds our source port; s->local_port is that port. */
static int
hold_port(struct sock *s, int proto, const struct conf *c, char *err,
    size_t errlen)
{
	struct sockaddr_storage me;
	socklen_t len = sizeof(me);
	int type = proto == IPPROTO_TCP ? SOCK_STREAM : SOCK_DGRAM;
	char what[64];

	snprintf(what, sizeof(what), "source port %u", (unsigned)c->flow);
	s->hold_fd = socket(s->family, type | SOCK_CLOEXEC, proto);
	if (s->hold_fd == -1) {
		s->hold_fd = 0;
		return fail(s, err, errlen, "cannot hold a source port");
	}
	/* IPv6 only: else it would take the IPv4 port too. */
	if (s->family == AF_INET6)
		setsockopt(s->hold_fd, IPPROTO_IPV6, IPV6_V6ONLY, &(int){ 1 },
		    sizeof(int));
	/* A UDP answer also lands here, unread: keep that queue tiny. */
	if (type == SOCK_DGRAM)
		setsockopt(s->hold_fd, SOL_SOCKET, SO_RCVBUF, &(int){ 1 },
		    sizeof(int));
	if (c->source ? sock_bind(s, s->hold_fd, c->flow, c, err, errlen) :
	    bind_any(s->family, s->hold_fd, c->flow))
		return fail(s, err, errlen, c->source ? NULL : what);
	if (getsockname(s->hold_fd, (struct sockaddr *)&me, &len) == -1)
		return fail(s, err, errlen, "cannot hold a source port");
	s->local_port = ntohs(((struct sockaddr_in *)&me)->sin_port);
	return 0;
}

int
method_raw_open(struct sock *s, int family, int proto, const struct conf *c,
    char *err, size_t errlen)
{
	int v4 = family == AF_INET;

	memset(s, 0, sizeof(*s));
	s->family = family;
	s->raw = 1;
	s->fd = socket(family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
	if (s->fd == -1) {
		int saved = errno;

		snprintf(err, errlen, "cannot open a raw %s socket: %s",
		    proto == IPPROTO_TCP ? "TCP" : "UDP", strerror(saved));
		errno = saved;
		return -1;
	}
	if (sock_setup(s, c, err, errlen) == -1)
		return -1;
	if (setsockopt(s->fd, v4 ? IPPROTO_IP : IPPROTO_IPV6,
	    v4 ? IP_RECVERR : IPV6_RECVERR, &(int){ 1 }, sizeof(int)) == -1)
		return fail(s, err, errlen, "socket option");
	if (hold_port(s, proto, c, err, errlen) == -1)
		return -1;
	/*
	 * The raw socket sees every segment or datagram of proto the host
	 * receives, our own probes too when they loop back (a target on
	 * this host): let the kernel keep only those from the probed port
	 * to ours, and for TCP only acknowledgements (a SYN-ACK or RST; our
	 * SYN has none, even if --flow picks the probed port); with
	 * --all-paths, to every flow's port (method_our_port).  Failing
	 * that, the methods check every packet anyway.
	 */
	bpf_ports(s->fd, family, c->port, s->local_port,
	    c->mda ? CONF_MDA_FLOWS : 1, proto == IPPROTO_TCP ? TCP_ACK : 0);
	if ((s->route_fd = srcaddr_socket(family, c, err, errlen)) == -1) {
		s->route_fd = 0;
		return fail(s, err, errlen, NULL);
	}
	return 0;
}

void *
method_raw_create(const struct conf *c, const struct targets *tg)
{
	struct method_state *ms = method_state_create(c, tg);

	if (ms && srcaddr_init(&ms->route, c) == -1) {
		method_state_destroy(ms);
		return NULL;
	}
	return ms;
}

uint16_t
method_flow_port(const struct sock *s, const struct conf *c, int flow)
{
	if (!c->mda || flow < 0)
		return s->local_port;
	return (uint16_t)(1024 + (s->local_port - 1024 + flow) % FLOW_PORTS);
}

/* The ports other than the held one are not held: an answer to them is
 * seen by the raw socket all the same (and the kernel may answer a
 * datagram to them with a port unreachable, which does no harm). */
int
method_our_port(const struct sock *s, const struct conf *c, uint16_t port)
{
	if (!c->mda)
		return port == s->local_port;
	return port >= 1024 && (port - s->local_port + FLOW_PORTS) %
	    FLOW_PORTS < CONF_MDA_FLOWS;
}
