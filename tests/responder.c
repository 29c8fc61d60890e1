/*
 * responder: answer ICMP and ICMPv6 echo requests from user space, badly on
 * purpose, for the mping test suite.
 *
 * Run it in a namespace where the kernel ignores echo requests
 * (net.ipv4.icmp_echo_ignore_all=1, net.ipv6.icmp.echo_ignore_all=1).  It
 * reads requests on raw sockets and answers them as told; every request it
 * sees is logged on stdout as one line:
 *
 *	request af=4 from=192.0.2.2 to=203.0.113.1 id=1234 seq=0 size=56
 *	    ttl=62 tos=0 action=reply
 *
 * A single-threaded poll loop; replies wait in a queue until they are due.
 *
 *	--addr ADDR	answer only requests to ADDR (repeatable; default all)
 *	--delay MS	answer MS later; --jitter MS adds 0..MS at random
 *	--dup N		send each answer N+1 times
 *	--drop-every N	ignore every Nth request; --drop-first N the first N
 *	--silent	log requests, answer none
 *	--from ADDR	answer from ADDR instead of the address probed
 *	--ttl N		TTL / hop limit of the answer (default 64)
 *	--corrupt	flip a payload byte (checksum still right)
 *	--bad-checksum	wrong ICMP checksum (IPv4 only: the kernel computes
 *			ICMPv6 checksums on raw sockets)
 *	--wrong-id, --wrong-seq, --truncate N (payload bytes kept)
 *	--error T,C	answer with ICMP error type T code C (numbers of the
 *			request's family) quoting the request; --code-seq uses
 *			the request's seq as code; --mtu N, --pointer N,
 *			--gateway ADDR fill the second word; --quote N quotes
 *			only N bytes after the IP header; --mpls LABEL adds an
 *			RFC 4884 extension with an MPLS label stack object
 *	--error-ttl N	--error only for requests arriving with a TTL / hop
 *			limit of at most N (a router N hops further on, for
 *			--trace); the others get echo replies
 *	--pidfile FILE	written once the sockets are open
 *
 * Hostile extras (struct hostile; parse_hostile() takes them):
 *
 *	--garbage N	with each answer also send N packets of random ICMP:
 *			random type (never a request or redirect, so the
 *			client's kernel stays silent), length and contents;
 *			some are echo replies with the request's id and seq
 *			and a random payload, some errors with a random quote
 *	--garbage-only	send only the garbage, no answer (action=garbage)
 *	--seed N	seed of the garbage (default: time and pid), so a
 *			run can be repeated byte for byte
 *	--reorder N	hold answers until N are waiting, then send them
 *			newest first; fewer than N left at exit are never sent
 *	--quote-ihl N	errors: quoted IPv4 header length field set to N words
 *	--quote-len N	errors: quoted IPv4 total length / IPv6 payload
 *			length field set to N
 *	--quote-cut N	errors: quote only the first N bytes of the request,
 *			its IP header included (N < 20 or 40 cuts inside it)
 *	--quote-foreign	errors: the quoted seq is moved by 1000, so the quote
 *			is of a request that was never sent
 *	--quote-exthdr N  IPv6 errors: a hop-by-hop header of length field N
 *			(8 * (N + 1) bytes) is put in front of the quoted
 *			ICMPv6 header; only 8 bytes of it are really there
 *
 * UDP and TCP probes (struct l4conf; parse_l4() takes them): with --udp or
 * --tcp it also reads raw IPPROTO_UDP / IPPROTO_TCP sockets, which see a
 * copy of every such packet to the host, and answers probes as told.  TCP
 * segments other than a SYN (without ACK) are ignored.  Each probe seen is
 * logged as one line:
 *
 *	request af=4 proto=tcp from=192.0.2.2 to=203.0.113.130 sport=40000
 *	    dport=443 seq=305419896 size=0 ttl=1 tos=0 action=syn-ack
 *	request af=6 proto=udp from=... to=... sport=N dport=N cksum=N
 *	    size=N ttl=N tos=N action=port-unreach
 *
 * (size: payload bytes after the transport header; action: drop, error,
 * syn-ack, rst, port-unreach or none.)
 *
 *	--udp, --tcp	read UDP / TCP probes too
 *	--port N	only probes to destination port N (default: any)
 *	--error T,C	as for echo: an ICMP error quoting the probe, --quote N
 *			bytes after its IP header (8: RFC 792's 28-byte
 *			quote), from --from ADDR, only for probes arriving
 *			with a TTL of at most --error-ttl N; the other probes
 *			get the answers below
 *	--syn-ack	answer a SYN with a SYN-ACK from the probed address
 *			and port, acknowledging seq + 1
 *	--rst		answer a SYN with a RST (ACK set), acknowledging
 *			seq + 1
 *	--wrong-ack	acknowledge seq + 1 + 1000 instead: a forged answer
 *	--port-unreach	answer a UDP probe with a port unreachable from the
 *			probed address quoting all of it, as Linux does (a
 *			closed port; --quote is for --error only)
 *	--quote-foreign	UDP errors: the quoted payload is changed (XOR 0x5a)
 *			and its UDP checksum made right for it, so the quote
 *			is of a datagram that was never sent; TCP errors: the
 *			low 16 bits of the quoted seq move by 1000 (the bytes
 *			of echo's seq)
 *
 * The kernel of the responder's namespace answers probes too (a RST from a
 * closed TCP port, a port unreachable from a UDP one).  Every socket of
 * the responder carries SO_MARK 0x6d70 (RESPONDER_MARK), so that nftables
 * in its namespace can drop the kernel's answers and keep ours:
 *
 *	chain out { type filter hook output priority 0;
 *	    meta mark 0x6d70 accept
 *	    tcp flags & rst == rst drop
 *	    icmp type destination-unreachable
 *	        icmp code port-unreachable drop
 *	    icmpv6 type destination-unreachable
 *	        icmpv6 code port-unreachable drop }
 *	(tests/tcp_lab.bash: tcp_lab_quiet NS)
 */

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <sys/socket.h>
#include <sys/time.h>
#include <sys/types.h>

#include <netinet/in.h>
#include <netinet/icmp6.h>
#include <arpa/inet.h>
#include <linux/icmp.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAXPKT		65536
#define MAXADDRS	16
#define QUOTE4		548	/* 576 minus our IP and ICMP headers */
#define QUOTE6		1232	/* 1280 minus our IPv6 and ICMPv6 headers */
#define RESPONDER_MARK	0x6d70	/* SO_MARK of our sockets: "mp" */

union addr {
	struct in_addr	v4;
	struct in6_addr	v6;
};

struct conf {
	long		 delay;		/* ms */
	long		 jitter;	/* ms */
	int		 dup;
	int		 drop_every;
	int		 drop_first;
	int		 has_from4, has_from6;
	struct in_addr	 from4;
	struct in6_addr	 from6;
	int		 naddr4, naddr6;
	struct in_addr	 addr4[MAXADDRS];
	struct in6_addr	 addr6[MAXADDRS];
	int		 corrupt;
	int		 bad_checksum;
	int		 wrong_id;
	int		 wrong_seq;
	int		 truncate;	/* payload bytes kept, -1: all */
	int		 ttl;		/* reply TTL / hop limit, -1: 64 */
	int		 err_type;	/* -1: answer with an echo reply */
	int		 err_ttl;	/* --error-ttl, 0: every request */
	int		 err_code;
	int		 mtu;
	int		 pointer;
	int		 has_gateway;
	struct in_addr	 gateway;
	int		 mpls;		/* -1: no RFC 4884 extension */
	int		 quote;		/* ICMP bytes quoted, -1: as many as fit */
	int		 code_seq;	/* error code = request seq */
	int		 silent;	/* log requests, never answer */
	const char	*pidfile;
};

/* Hostile extras: see the header comment. */
struct hostile {
	int		 garbage;	/* random packets per answer */
	int		 garbage_only;
	int		 has_seed;
	uint64_t	 seed;
	int		 reorder;	/* answers held, 0: none */
	int		 quote_ihl;	/* -1: as received */
	int		 quote_len;	/* -1: as received */
	int		 quote_cut;	/* -1: no cut */
	int		 quote_foreign;
	int		 quote_exthdr;	/* -1: none */
};

/* UDP and TCP probes: see the header comment. */
struct l4conf {
	int		 udp, tcp;	/* read such probes */
	int		 port;		/* only to this port, 0: any */
	int		 syn_ack;
	int		 rst;
	int		 wrong_ack;
	int		 port_unreach;
};

/* A UDP or TCP probe as read off the wire. */
struct probe {
	int			 af;
	int			 proto;		/* IPPROTO_UDP, IPPROTO_TCP */
	union addr		 src, dst;
	const unsigned char	*l4;		/* transport header on */
	size_t			 l4len;
	int			 ttl, tos;
};

/* The responder's sockets (-1: not open). */
struct socks {
	int	icmp4, icmp6;
	int	tcp4, tcp6;
	int	udp4, udp6;
};

/* A reply waiting until it is due. */
struct pending {
	struct timespec	 due;
	int		 af;
	int		 proto;		/* of the IPv4 header / IPv6 socket */
	union addr	 src;
	union addr	 dst;
	int		 hlim;
	size_t		 len;
	unsigned char	*pkt;
};

static volatile sig_atomic_t	quit;
static struct pending		*queue;
static size_t			 nqueue;
static struct hostile		 hostile;
static struct pending		*held;		/* --reorder */
static size_t			 nheld;
static struct l4conf		 l4;

static void
usage(void)
{
	fprintf(stderr,
	    "usage: responder [--pidfile FILE] [--addr ADDR]... [--delay MS]\n"
	    "\t[--jitter MS] [--dup N] [--drop-every N] [--drop-first N]\n"
	    "\t[--from ADDR] [--corrupt] [--bad-checksum] [--wrong-id]\n"
	    "\t[--wrong-seq]"
	    " [--truncate N] [--ttl N] [--silent]\n"
	    "\t[--error TYPE,CODE [--code-seq] [--mtu N] [--pointer N]\n"
	    "\t [--gateway ADDR] [--quote N] [--mpls LABEL] [--error-ttl N]]\n"
	    "\t[--garbage N] [--garbage-only] [--seed N] [--reorder N]\n"
	    "\t[--quote-ihl N] [--quote-len N] [--quote-cut N]"
	    " [--quote-foreign]\n\t[--quote-exthdr N]\n"
	    "\t[--udp] [--tcp] [--port N] [--syn-ack | --rst] [--wrong-ack]\n"
	    "\t[--port-unreach]\n");
	exit(2);
}

static void
on_signal(int sig)
{
	(void)sig;
	quit = 1;
}

static long
number(const char *s, long min, long max)
{
	char	*end;
	long	 n;

	errno = 0;
	n = strtol(s, &end, 10);
	if (errno != 0 || *s == '\0' || *end != '\0' || n < min || n > max) {
		fprintf(stderr, "responder: bad number: %s\n", s);
		exit(2);
	}
	return n;
}

/* Parse ADDR as IPv4 or IPv6 into the matching pair of slots. */
static void
parse_addr(const char *s, struct in_addr *a4, int *has4, struct in6_addr *a6,
    int *has6)
{
	if (inet_pton(AF_INET, s, a4) == 1)
		*has4 = 1;
	else if (inet_pton(AF_INET6, s, a6) == 1)
		*has6 = 1;
	else {
		fprintf(stderr, "responder: bad address: %s\n", s);
		exit(2);
	}
}

/*
 * One hostile option at argv[*i]; returns 0 if it is not one.  Kept apart
 * from parse_args() so that these options stay easy to find and merge.
 */
static int
parse_hostile(int argc, char **argv, int *i, struct hostile *h)
{
	const char	*o = argv[*i];
	const char	*v = *i + 1 < argc ? argv[*i + 1] : NULL;

	if (strcmp(o, "--garbage-only") == 0) {
		h->garbage_only = 1;
		(*i)++;
		return 1;
	} else if (strcmp(o, "--quote-foreign") == 0) {
		h->quote_foreign = 1;
		(*i)++;
		return 1;
	}
	if (strcmp(o, "--garbage") != 0 && strcmp(o, "--seed") != 0 &&
	    strcmp(o, "--reorder") != 0 && strcmp(o, "--quote-ihl") != 0 &&
	    strcmp(o, "--quote-len") != 0 && strcmp(o, "--quote-cut") != 0 &&
	    strcmp(o, "--quote-exthdr") != 0)
		return 0;
	if (v == NULL)
		usage();
	*i += 2;
	if (strcmp(o, "--garbage") == 0)
		h->garbage = number(v, 0, 1000);
	else if (strcmp(o, "--seed") == 0) {
		h->seed = (uint64_t)number(v, 0, 0x7fffffff);
		h->has_seed = 1;
	} else if (strcmp(o, "--reorder") == 0)
		h->reorder = number(v, 0, 10000);
	else if (strcmp(o, "--quote-ihl") == 0)
		h->quote_ihl = number(v, 0, 15);
	else if (strcmp(o, "--quote-len") == 0)
		h->quote_len = number(v, 0, 0xffff);
	else if (strcmp(o, "--quote-cut") == 0)
		h->quote_cut = number(v, 0, MAXPKT);
	else
		h->quote_exthdr = number(v, 0, 255);
	return 1;
}

/* One UDP/TCP option at argv[*i]; returns 0 if it is not one. */
static int
parse_l4(int argc, char **argv, int *i, struct l4conf *l)
{
	const char	*o = argv[*i];
	int		*flag = NULL;

	if (strcmp(o, "--udp") == 0)
		flag = &l->udp;
	else if (strcmp(o, "--tcp") == 0)
		flag = &l->tcp;
	else if (strcmp(o, "--syn-ack") == 0)
		flag = &l->syn_ack;
	else if (strcmp(o, "--rst") == 0)
		flag = &l->rst;
	else if (strcmp(o, "--wrong-ack") == 0)
		flag = &l->wrong_ack;
	else if (strcmp(o, "--port-unreach") == 0)
		flag = &l->port_unreach;
	else if (strcmp(o, "--port") != 0)
		return 0;
	if (flag != NULL) {
		*flag = 1;
		(*i)++;
		return 1;
	}
	if (*i + 1 >= argc)
		usage();
	l->port = number(argv[*i + 1], 1, 65535);
	*i += 2;
	return 1;
}

static void
parse_args(int argc, char **argv, struct conf *c)
{
	int	 i, dummy;
	char	*comma;

	memset(c, 0, sizeof(*c));
	c->truncate = -1;
	c->ttl = -1;
	c->err_type = -1;
	c->mpls = -1;
	c->quote = -1;
	hostile.quote_ihl = hostile.quote_len = -1;
	hostile.quote_cut = hostile.quote_exthdr = -1;
	i = 1;
	while (i < argc) {
		if (parse_hostile(argc, argv, &i, &hostile) ||
		    parse_l4(argc, argv, &i, &l4))
			continue;
		const char	*o = argv[i++];
		const char	*v = i < argc ? argv[i] : NULL;

		if (strcmp(o, "--corrupt") == 0) {
			c->corrupt = 1;
			continue;
		} else if (strcmp(o, "--bad-checksum") == 0) {
			c->bad_checksum = 1;
			continue;
		} else if (strcmp(o, "--wrong-id") == 0) {
			c->wrong_id = 1;
			continue;
		} else if (strcmp(o, "--wrong-seq") == 0) {
			c->wrong_seq = 1;
			continue;
		} else if (strcmp(o, "--silent") == 0) {
			c->silent = 1;
			continue;
		} else if (strcmp(o, "--code-seq") == 0) {
			c->code_seq = 1;
			continue;
		}
		if (v == NULL)
			usage();
		i++;
		if (strcmp(o, "--pidfile") == 0)
			c->pidfile = v;
		else if (strcmp(o, "--delay") == 0)
			c->delay = number(v, 0, 3600000);
		else if (strcmp(o, "--jitter") == 0)
			c->jitter = number(v, 0, 3600000);
		else if (strcmp(o, "--dup") == 0)
			c->dup = number(v, 0, 100);
		else if (strcmp(o, "--drop-every") == 0)
			c->drop_every = number(v, 1, 1000000);
		else if (strcmp(o, "--drop-first") == 0)
			c->drop_first = number(v, 0, 1000000);
		else if (strcmp(o, "--truncate") == 0)
			c->truncate = number(v, 0, MAXPKT);
		else if (strcmp(o, "--ttl") == 0)
			c->ttl = number(v, 1, 255);
		else if (strcmp(o, "--mtu") == 0)
			c->mtu = number(v, 0, 0x7fffffff);
		else if (strcmp(o, "--pointer") == 0)
			c->pointer = number(v, 0, 0x7fffffff);
		else if (strcmp(o, "--quote") == 0)
			c->quote = number(v, 0, MAXPKT);
		else if (strcmp(o, "--error-ttl") == 0)
			c->err_ttl = number(v, 1, 255);
		else if (strcmp(o, "--mpls") == 0)
			c->mpls = number(v, 0, 0xfffff);
		else if (strcmp(o, "--from") == 0)
			parse_addr(v, &c->from4, &c->has_from4, &c->from6,
			    &c->has_from6);
		else if (strcmp(o, "--gateway") == 0) {
			if (inet_pton(AF_INET, v, &c->gateway) != 1)
				usage();
			c->has_gateway = 1;
		} else if (strcmp(o, "--addr") == 0) {
			if (c->naddr4 == MAXADDRS || c->naddr6 == MAXADDRS)
				usage();
			dummy = 0;
			parse_addr(v, &c->addr4[c->naddr4], &dummy,
			    &c->addr6[c->naddr6], &dummy);
			if (strchr(v, ':') != NULL)
				c->naddr6++;
			else
				c->naddr4++;
		} else if (strcmp(o, "--error") == 0) {
			if ((comma = strchr(v, ',')) == NULL)
				usage();
			*comma = '\0';
			c->err_type = number(v, 0, 255);
			c->err_code = number(comma + 1, 0, 255);
		} else
			usage();
	}
	if (l4.syn_ack && l4.rst)
		usage();
}

/* Internet checksum (RFC 1071). */
static uint16_t
cksum(const void *buf, size_t len)
{
	const unsigned char	*p = buf;
	uint32_t		 sum = 0;

	for (; len > 1; p += 2, len -= 2)
		sum += (uint32_t)p[0] << 8 | p[1];
	if (len == 1)
		sum += (uint32_t)p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

static void
put16(unsigned char *p, unsigned int v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void
put32(unsigned char *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v & 0xffff);
}

static struct timespec
due_time(const struct conf *c)
{
	struct timespec	ts;
	long		ms = c->delay;

	if (c->jitter > 0)
		ms += random() % (c->jitter + 1);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return ts;
}

/* Append a copy of p (and of its packet) to the list *list of *n. */
static void
push(struct pending **list, size_t *n, const struct pending *p)
{
	struct pending	*q;

	q = realloc(*list, (*n + 1) * sizeof(**list));
	if (q == NULL) {
		perror("responder: realloc");
		exit(1);
	}
	*list = q;
	q[*n] = *p;
	q[*n].pkt = malloc(p->len);
	if (q[*n].pkt == NULL) {
		perror("responder: malloc");
		exit(1);
	}
	memcpy(q[*n].pkt, p->pkt, p->len);
	(*n)++;
}

static void
enqueue(const struct pending *p)
{
	push(&queue, &nqueue, p);
}

/*
 * RFC 4884: pad the quote to 128 bytes, put its length (in 32-bit words for
 * ICMP, 64-bit for ICMPv6) in the header, and append an extension structure
 * holding one MPLS label stack object.  Returns the new body length.
 */
static size_t
add_mpls(unsigned char *icmp, size_t body, int af, int label)
{
	unsigned char	*ext;

	if (body > 128)
		body = 128;
	memset(icmp + 8 + body, 0, 128 - body);
	if (af == AF_INET)
		icmp[5] = 128 / 4;
	else
		icmp[4] = 128 / 8;
	ext = icmp + 8 + 128;
	memset(ext, 0, 12);
	ext[0] = 2 << 4;		/* version 2 */
	put16(ext + 4, 8);		/* object length */
	ext[6] = 1;			/* class: MPLS label stack */
	ext[7] = 1;			/* c-type: incoming stack */
	put32(ext + 8, (uint32_t)label << 12 | 1 << 8 | 1);	/* S=1, TTL 1 */
	memcpy(ext + 2, &(uint16_t){ cksum(ext, 12) }, 2);
	return 128 + 12;
}

/*
 * Build the ICMP part of the answer in out: an echo reply made from the
 * request, or an error quoting the request (quote: the request as it came
 * off the wire, IP header included).
 */
/* Whether the request being answered gets the --error (see take()). */
static int as_error;

static size_t
build_icmp(const struct conf *c, int af, unsigned char *out,
    const unsigned char *icmp, size_t icmplen, const unsigned char *quote,
    size_t quotelen)
{
	size_t	len, body;

	if (!as_error) {
		len = icmplen;
		if (c->truncate >= 0 && (size_t)c->truncate + 8 < len)
			len = c->truncate + 8;
		memcpy(out, icmp, len);
		out[0] = af == AF_INET ? ICMP_ECHOREPLY : ICMP6_ECHO_REPLY;
		out[1] = 0;
		if (c->wrong_id)
			put16(out + 4, ((out[4] << 8 | out[5]) ^ 0x5a5a) & 0xffff);
		if (c->wrong_seq)
			put16(out + 6, ((out[6] << 8 | out[7]) + 1) & 0xffff);
		if (c->corrupt && len > 8 + 20)
			out[len - 1] ^= 0x01;
		else if (c->corrupt && len > 8)
			out[8] ^= 0x01;
	} else {
		body = quotelen;
		if (c->quote >= 0 && quotelen - icmplen + c->quote < body)
			body = quotelen - icmplen + c->quote;
		if (body > (af == AF_INET ? QUOTE4 : QUOTE6))
			body = af == AF_INET ? QUOTE4 : QUOTE6;
		memset(out, 0, 8);
		out[0] = c->err_type;
		out[1] = c->code_seq ? icmp[7] : c->err_code;
		if (c->mtu != 0 && af == AF_INET)
			put16(out + 6, c->mtu);
		else if (c->mtu != 0)
			put32(out + 4, c->mtu);
		if (c->has_gateway)
			memcpy(out + 4, &c->gateway, 4);
		if (c->pointer != 0 && af == AF_INET)
			out[4] = c->pointer;
		else if (c->pointer != 0)
			put32(out + 4, c->pointer);
		memcpy(out + 8, quote, body);
		if (c->mpls >= 0)
			body = add_mpls(out, body, af, c->mpls);
		len = 8 + body;
	}
	if (af == AF_INET) {
		out[2] = out[3] = 0;
		memcpy(out + 2, &(uint16_t){ cksum(out, len) }, 2);
		if (c->bad_checksum)
			out[2] ^= 0xff;
	}
	return len;
}

/*
 * Put our own IPv4 header (IP_HDRINCL: any source goes) in front of the
 * message of protocol p->proto at buf + 20; IPv6 messages (at buf) need
 * none.  Sets p->len.
 */
static void
frame(struct pending *p, unsigned char *buf, size_t icmplen)
{
	if (p->af != AF_INET) {
		p->len = icmplen;
		return;
	}
	memset(buf, 0, 20);
	buf[0] = 0x45;
	buf[8] = p->hlim;
	buf[9] = p->proto;
	memcpy(buf + 12, &p->src.v4, 4);
	memcpy(buf + 16, &p->dst.v4, 4);
	p->len = 20 + icmplen;
	put16(buf + 2, p->len);
	memcpy(buf + 10, &(uint16_t){ cksum(buf, 20) }, 2);
}

/* --- hostile extras: --garbage, --reorder, --quote-* --- */

/* splitmix64: the same --seed gives the same garbage. */
static uint64_t
rnd(void)
{
	uint64_t	z;

	z = (hostile.seed += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/*
 * One random ICMP message for the request icmp in out; returns its length.
 * Never a request, redirect or neighbour discovery message, which the
 * client's kernel would act on.
 */
static size_t
garbage_icmp(int af, unsigned char *out, const unsigned char *icmp)
{
	static const unsigned char	err4[] = { 3, 4, 11, 12 };
	static const unsigned char	err6[] = { 1, 2, 3, 4 };
	size_t				len, i;
	int				kind = rnd() % 4;

	len = rnd() % 300;
	if (af == AF_INET6 && len < 4)
		len = 4;	/* room for the checksum the kernel writes */
	for (i = 0; i < len; i++)
		out[i] = rnd() & 0xff;
	if (len > 0 && kind == 0) {
		/* An echo reply to this very request, junk after the seq. */
		out[0] = af == AF_INET ? ICMP_ECHOREPLY : ICMP6_ECHO_REPLY;
		if (len > 1)
			out[1] = 0;
		if (len >= 8)
			memcpy(out + 4, icmp + 4, 4);
	} else if (len > 0 && kind == 1)
		out[0] = af == AF_INET ? err4[rnd() % 4] : err6[rnd() % 4];
	else if (len > 0 && af == AF_INET) {
		if (out[0] == 5 || out[0] == 8 || out[0] == 13 ||
		    out[0] == 15 || out[0] == 17)
			out[0] = 0;
	} else if (len > 0)
		out[0] = rnd() % 2 ? out[0] % 128 : ICMP6_ECHO_REPLY;
	/* Mostly a right checksum, so that parsers look further. */
	if (af == AF_INET && len >= 4) {
		out[2] = out[3] = 0;
		if (rnd() % 8 != 0)
			memcpy(out + 2, &(uint16_t){ cksum(out, len) }, 2);
	}
	return len;
}

/* Queue --garbage random packets to the sender of a request. */
static void
send_garbage(const struct pending *answer, const unsigned char *icmp)
{
	static unsigned char	 buf[512];
	struct pending		 p;
	int			 i;

	for (i = 0; i < hostile.garbage; i++) {
		p = *answer;
		frame(&p, buf, garbage_icmp(p.af, buf + (p.af == AF_INET ?
		    20 : 0), icmp));
		p.pkt = buf;
		enqueue(&p);
	}
}

/* --reorder: hold p; once enough are held, queue them newest first. */
static void
deliver(const struct conf *c, const struct pending *p)
{
	struct pending	*q;
	size_t		 i;

	if (hostile.reorder == 0) {
		enqueue(p);
		return;
	}
	push(&held, &nheld, p);
	if (nheld < (size_t)hostile.reorder)
		return;
	q = realloc(queue, (nqueue + nheld) * sizeof(*queue));
	if (q == NULL) {
		perror("responder: realloc");
		exit(1);
	}
	queue = q;
	for (i = nheld; i > 0; i--) {
		queue[nqueue] = held[i - 1];
		queue[nqueue++].due = due_time(c);
	}
	nheld = 0;
}

static void	foreign_udp(int, unsigned char *, size_t, size_t);

/* A copy of an error's quote with the lies of the --quote-* options. */
static const unsigned char *
lie_quote(int af, const unsigned char *quote, size_t *quotelen)
{
	static unsigned char	 q[MAXPKT + 48];
	size_t			 len = *quotelen, hl;

	memcpy(q, quote, len);
	hl = af == AF_INET ? (size_t)(q[0] & 0x0f) * 4 : 40;
	if (hostile.quote_foreign && len >= hl + 8 &&
	    q[af == AF_INET ? 9 : 6] == IPPROTO_UDP)
		foreign_udp(af, q, hl, len);
	else if (hostile.quote_foreign && len >= hl + 8)
		put16(q + hl + 6, ((q[hl + 6] << 8 | q[hl + 7]) + 1000) &
		    0xffff);
	if (af == AF_INET6 && hostile.quote_exthdr >= 0 && len >= 40) {
		memmove(q + 48, q + 40, len - 40);
		q[40] = q[6];
		q[41] = hostile.quote_exthdr;
		q[42] = 1;		/* PadN, 4 bytes */
		q[43] = 4;
		memset(q + 44, 0, 4);
		q[6] = 0;		/* hop-by-hop */
		len += 8;
		put16(q + 4, len - 40);
	}
	if (af == AF_INET && hostile.quote_ihl >= 0)
		q[0] = 0x40 | hostile.quote_ihl;
	if (hostile.quote_len >= 0)
		put16(q + (af == AF_INET ? 2 : 4), hostile.quote_len);
	if (hostile.quote_cut >= 0 && (size_t)hostile.quote_cut < len)
		len = hostile.quote_cut;
	*quotelen = len;
	return q;
}

/* --- end of hostile extras --- */

/* Queue the answer to one request, dup + 1 times. */
static void
answer(const struct conf *c, int af, const union addr *reqsrc,
    const union addr *reqdst, const unsigned char *icmp, size_t icmplen,
    const unsigned char *quote, size_t quotelen)
{
	static unsigned char	 buf[MAXPKT + 512];
	struct pending		 p;
	size_t			 off = af == AF_INET ? 20 : 0;
	int			 i;

	memset(&p, 0, sizeof(p));
	p.af = af;
	p.proto = af == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	p.dst = *reqsrc;
	p.src = *reqdst;
	if (af == AF_INET && c->has_from4)
		p.src.v4 = c->from4;
	if (af == AF_INET6 && c->has_from6)
		p.src.v6 = c->from6;
	p.hlim = c->ttl > 0 ? c->ttl : 64;
	p.due = due_time(c);
	if (hostile.garbage > 0)
		send_garbage(&p, icmp);
	if (hostile.garbage_only)
		return;
	if (as_error)
		quote = lie_quote(af, quote, &quotelen);
	frame(&p, buf, build_icmp(c, af, buf + off, icmp, icmplen, quote,
	    quotelen));
	p.pkt = buf;
	for (i = 0; i <= c->dup; i++)
		deliver(c, &p);
}

/*
 * IPv4 goes out of the ICMP socket whatever its protocol: with IP_HDRINCL
 * the header we wrote says which.  IPv6 raw sockets write the header
 * themselves, of their own protocol: a TCP answer needs the TCP socket.
 */
static void
send_one(const struct socks *sk, const struct pending *p)
{
	int	s6 = p->proto == IPPROTO_TCP ? sk->tcp6 : sk->icmp6;

	struct sockaddr_in	 sin;
	struct sockaddr_in6	 sin6;
	struct msghdr		 msg;
	struct iovec		 iov;
	struct cmsghdr		*cm;
	struct in6_pktinfo	*pi;
	union {
		char		buf[CMSG_SPACE(sizeof(struct in6_pktinfo)) +
				    CMSG_SPACE(sizeof(int))];
		struct cmsghdr	align;
	} ctl;

	memset(&msg, 0, sizeof(msg));
	iov.iov_base = p->pkt;
	iov.iov_len = p->len;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if (p->af == AF_INET) {
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_addr = p->dst.v4;
		msg.msg_name = &sin;
		msg.msg_namelen = sizeof(sin);
		if (sendmsg(sk->icmp4, &msg, 0) == -1)
			perror("responder: sendmsg");
		return;
	}
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_addr = p->dst.v6;
	msg.msg_name = &sin6;
	msg.msg_namelen = sizeof(sin6);
	memset(&ctl, 0, sizeof(ctl));
	msg.msg_control = ctl.buf;
	msg.msg_controllen = sizeof(ctl.buf);
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = IPPROTO_IPV6;
	cm->cmsg_type = IPV6_PKTINFO;
	cm->cmsg_len = CMSG_LEN(sizeof(*pi));
	pi = (struct in6_pktinfo *)(void *)CMSG_DATA(cm);
	pi->ipi6_addr = p->src.v6;
	cm = CMSG_NXTHDR(&msg, cm);
	cm->cmsg_level = IPPROTO_IPV6;
	cm->cmsg_type = IPV6_HOPLIMIT;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &p->hlim, sizeof(int));
	if (sendmsg(s6, &msg, 0) == -1)
		perror("responder: sendmsg6");
}

static int
wanted4(const struct conf *c, const struct in_addr *dst)
{
	int	i;

	if (c->naddr4 == 0 && c->naddr6 == 0)
		return 1;
	for (i = 0; i < c->naddr4; i++)
		if (c->addr4[i].s_addr == dst->s_addr)
			return 1;
	return 0;
}

static int
wanted6(const struct conf *c, const struct in6_addr *dst)
{
	int	i;

	if (c->naddr4 == 0 && c->naddr6 == 0)
		return 1;
	for (i = 0; i < c->naddr6; i++)
		if (memcmp(&c->addr6[i], dst, sizeof(*dst)) == 0)
			return 1;
	return 0;
}

/* Log a request and say whether to answer it (--drop-every). */
static int
take(const struct conf *c, int af, const union addr *src,
    const union addr *dst, const unsigned char *icmp, size_t icmplen,
    int ttl, int tos)
{
	static unsigned long	 seen;
	char			 s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];
	const char		*action;
	int			 keep;

	seen++;
	keep = !c->silent && seen > (unsigned long)c->drop_first &&
	    !(c->drop_every > 0 && seen % c->drop_every == 0);
	if (!keep)
		action = "drop";
	else if (hostile.garbage_only)
		action = "garbage";
	else if (c->err_type >= 0 && (c->err_ttl == 0 || ttl <= c->err_ttl))
		action = "error";
	else
		action = "reply";
	as_error = strcmp(action, "error") == 0;
	inet_ntop(af, src, s, sizeof(s));
	inet_ntop(af, dst, d, sizeof(d));
	printf("request af=%d from=%s to=%s id=%u seq=%u size=%zu ttl=%d "
	    "tos=%d action=%s\n", af == AF_INET ? 4 : 6, s, d,
	    icmp[4] << 8 | icmp[5], icmp[6] << 8 | icmp[7], icmplen - 8, ttl,
	    tos, action);
	fflush(stdout);
	return keep;
}

static void
recv4(const struct conf *c, int s)
{
	static unsigned char	 buf[MAXPKT];
	union addr		 src, dst;
	ssize_t			 n;
	size_t			 hl;

	if ((n = recv(s, buf, sizeof(buf), 0)) < 20)
		return;
	hl = (buf[0] & 0x0f) * 4;
	if ((size_t)n < hl + 8 || buf[hl] != ICMP_ECHO)
		return;
	memcpy(&src.v4, buf + 12, 4);
	memcpy(&dst.v4, buf + 16, 4);
	if (!wanted4(c, &dst.v4))
		return;
	if (take(c, AF_INET, &src, &dst, buf + hl, n - hl, buf[8], buf[1]))
		answer(c, AF_INET, &src, &dst, buf + hl, n - hl, buf, n);
}

/*
 * Read one packet of an IPv6 raw socket into buf, with its source,
 * destination, hop limit and traffic class from the ancillary data.
 * Returns its length, or -1.
 */
static ssize_t
read6(int s, unsigned char *buf, size_t len, union addr *src,
    union addr *dst, int *hlim, int *tclass)
{
	struct sockaddr_in6	 from;
	struct msghdr		 msg;
	struct iovec		 iov;
	struct cmsghdr		*cm;
	union {
		char		buf[512];
		struct cmsghdr	align;
	} ctl;
	ssize_t			 n;

	memset(&msg, 0, sizeof(msg));
	iov.iov_base = buf;
	iov.iov_len = len;
	msg.msg_name = &from;
	msg.msg_namelen = sizeof(from);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = ctl.buf;
	msg.msg_controllen = sizeof(ctl.buf);
	if ((n = recvmsg(s, &msg, 0)) == -1)
		return -1;
	memset(dst, 0, sizeof(*dst));
	*hlim = *tclass = -1;
	for (cm = CMSG_FIRSTHDR(&msg); cm != NULL; cm = CMSG_NXTHDR(&msg, cm)) {
		if (cm->cmsg_level != IPPROTO_IPV6)
			continue;
		if (cm->cmsg_type == IPV6_PKTINFO)
			memcpy(&dst->v6, CMSG_DATA(cm) + offsetof(struct
			    in6_pktinfo, ipi6_addr), sizeof(dst->v6));
		else if (cm->cmsg_type == IPV6_HOPLIMIT)
			memcpy(hlim, CMSG_DATA(cm), sizeof(int));
		else if (cm->cmsg_type == IPV6_TCLASS)
			memcpy(tclass, CMSG_DATA(cm), sizeof(int));
	}
	src->v6 = from.sin6_addr;
	return n;
}

/*
 * Raw IPv6 sockets deliver no IPv6 header; rebuild one in quote, in front
 * of the n bytes of protocol proto at buf, so that errors can quote the
 * packet.  Returns the quote's length.
 */
static size_t
quote6(unsigned char *quote, const union addr *src, const union addr *dst,
    int hlim, int tclass, int proto, const unsigned char *buf, size_t n)
{
	memset(quote, 0, 40);
	quote[0] = 0x60 | (tclass >> 4 & 0x0f);
	quote[1] = (tclass & 0x0f) << 4;
	put16(quote + 4, n);
	quote[6] = proto;
	quote[7] = hlim;
	memcpy(quote + 8, &src->v6, 16);
	memcpy(quote + 24, &dst->v6, 16);
	memcpy(quote + 40, buf, n);
	return 40 + n;
}

static void
recv6(const struct conf *c, int s)
{
	static unsigned char	 buf[MAXPKT], quote[MAXPKT + 40];
	union addr		 src, dst;
	ssize_t			 n;
	int			 hlim, tclass;
	size_t			 qlen;

	n = read6(s, buf, sizeof(buf), &src, &dst, &hlim, &tclass);
	if (n < 8 || buf[0] != ICMP6_ECHO_REQUEST)
		return;
	if (!wanted6(c, &dst.v6))
		return;
	if (!take(c, AF_INET6, &src, &dst, buf, n, hlim, tclass))
		return;
	qlen = quote6(quote, &src, &dst, hlim, tclass, IPPROTO_ICMPV6, buf, n);
	answer(c, AF_INET6, &src, &dst, buf, n, quote, qlen);
}

/* --- UDP and TCP probes: --udp, --tcp and their answers --- */

static uint32_t
get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* The UDP or TCP checksum of seg (its own field zero) from src to dst. */
static uint16_t
l4_cksum(int af, const union addr *src, const union addr *dst, int proto,
    const unsigned char *seg, size_t len)
{
	static unsigned char	 buf[MAXPKT + 40];
	size_t			 hl = af == AF_INET ? 12 : 40;

	if (len > MAXPKT)
		len = MAXPKT;
	memset(buf, 0, hl);
	if (af == AF_INET) {
		memcpy(buf, &src->v4, 4);
		memcpy(buf + 4, &dst->v4, 4);
		buf[9] = proto;
		put16(buf + 10, len);
	} else {
		memcpy(buf, &src->v6, 16);
		memcpy(buf + 16, &dst->v6, 16);
		put32(buf + 32, len);
		buf[39] = proto;
	}
	memcpy(buf + hl, seg, len);
	return cksum(buf, hl + len);
}

/*
 * --quote-foreign for a quoted UDP datagram (q: its IP header, hl bytes,
 * then the whole datagram): another payload with a right checksum, the
 * quote of a datagram never sent.  IPv4's checksum 0 (none) stays 0.
 */
static void
foreign_udp(int af, unsigned char *q, size_t hl, size_t len)
{
	union addr	src, dst;
	unsigned char	*udp = q + hl;
	size_t		 i, ulen = len - hl;
	uint16_t	 sum;

	for (i = 8; i < ulen; i++)
		udp[i] ^= 0x5a;
	if (af == AF_INET && udp[6] == 0 && udp[7] == 0)
		return;
	memcpy(&src, q + (af == AF_INET ? 12 : 8), af == AF_INET ? 4 : 16);
	memcpy(&dst, q + (af == AF_INET ? 16 : 24), af == AF_INET ? 4 : 16);
	udp[6] = udp[7] = 0;
	sum = l4_cksum(af, &src, &dst, IPPROTO_UDP, udp, ulen);
	memcpy(udp + 6, sum == 0 ? &(uint16_t){ 0xffff } : &sum, 2);
}

static int
wanted_probe(const struct conf *c, const struct probe *pr)
{
	if (pr->proto == IPPROTO_TCP && (pr->l4len < 20 ||
	    (pr->l4[13] & 0x12) != 0x02))
		return 0;	/* not a SYN: the client's RST, an ACK ... */
	if (pr->proto == IPPROTO_UDP && pr->l4len < 8)
		return 0;
	if (l4.port != 0 && (pr->l4[2] << 8 | pr->l4[3]) != l4.port)
		return 0;
	if (pr->af == AF_INET)
		return wanted4(c, &pr->dst.v4);
	return wanted6(c, &pr->dst.v6);
}

/* What to do with a probe: the action's name, NULL to drop it. */
static const char *
probe_action(const struct conf *c, const struct probe *pr, int keep)
{
	if (!keep)
		return NULL;
	if (c->err_type >= 0 && (c->err_ttl == 0 || pr->ttl <= c->err_ttl))
		return "error";
	if (pr->proto == IPPROTO_TCP && l4.syn_ack)
		return "syn-ack";
	if (pr->proto == IPPROTO_TCP && l4.rst)
		return "rst";
	if (pr->proto == IPPROTO_UDP && l4.port_unreach)
		return "port-unreach";
	return "none";
}

/* Log a probe (see the header comment); returns what to do with it. */
static const char *
take_probe(const struct conf *c, const struct probe *pr)
{
	static unsigned long	 seen;
	char			 s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];
	char			 what[32];
	const char		*action;
	size_t			 hl;
	int			 keep;

	seen++;
	keep = !c->silent && seen > (unsigned long)c->drop_first &&
	    !(c->drop_every > 0 && seen % c->drop_every == 0);
	action = probe_action(c, pr, keep);
	inet_ntop(pr->af, &pr->src, s, sizeof(s));
	inet_ntop(pr->af, &pr->dst, d, sizeof(d));
	if (pr->proto == IPPROTO_TCP) {
		hl = (size_t)(pr->l4[12] >> 4) * 4;
		snprintf(what, sizeof(what), "seq=%lu",
		    (unsigned long)get32(pr->l4 + 4));
	} else {
		hl = 8;
		snprintf(what, sizeof(what), "cksum=%u",
		    pr->l4[6] << 8 | pr->l4[7]);
	}
	printf("request af=%d proto=%s from=%s to=%s sport=%u dport=%u %s "
	    "size=%zu ttl=%d tos=%d action=%s\n", pr->af == AF_INET ? 4 : 6,
	    pr->proto == IPPROTO_TCP ? "tcp" : "udp", s, d,
	    pr->l4[0] << 8 | pr->l4[1], pr->l4[2] << 8 | pr->l4[3], what,
	    pr->l4len > hl ? pr->l4len - hl : 0, pr->ttl, pr->tos,
	    action != NULL ? action : "drop");
	fflush(stdout);
	return action;
}

/*
 * A SYN-ACK or a RST answering the SYN pr in out; returns its length.
 * A RST to a SYN has seq 0 and ACK set (RFC 793, "Reset Generation").
 */
static size_t
build_tcp(const struct probe *pr, int rst, unsigned char *out)
{
	uint16_t	sum;

	memset(out, 0, 20);
	memcpy(out, pr->l4 + 2, 2);
	memcpy(out + 2, pr->l4, 2);
	put32(out + 4, rst ? 0 : (uint32_t)random());
	put32(out + 8, get32(pr->l4 + 4) + 1 + (l4.wrong_ack ? 1000 : 0));
	out[12] = 5 << 4;
	out[13] = rst ? 0x14 : 0x12;	/* RST|ACK, SYN|ACK */
	put16(out + 14, rst ? 0 : 65535);
	sum = l4_cksum(pr->af, &pr->dst, &pr->src, IPPROTO_TCP, out, 20);
	memcpy(out + 16, &sum, 2);
	return 20;
}

/*
 * The ICMP error answering a probe in out (action "error": --error as
 * told; "port-unreach": a port unreachable quoting all of the probe);
 * returns its length.  quote: the probe with its IP header.
 */
static size_t
build_probe_error(const struct conf *c, const struct probe *pr,
    const char *action, const unsigned char *quote, size_t quotelen,
    unsigned char *out)
{
	struct conf	ec = *c;

	if (strcmp(action, "port-unreach") == 0) {
		ec.err_type = pr->af == AF_INET ? 3 : 1;
		ec.err_code = pr->af == AF_INET ? 3 : 4;
		ec.mtu = ec.pointer = ec.has_gateway = ec.code_seq = 0;
		ec.mpls = ec.quote = -1;
	}
	quote = lie_quote(pr->af, quote, &quotelen);
	return build_icmp(&ec, pr->af, out, pr->l4, pr->l4len, quote,
	    quotelen);
}

/*
 * Queue the answer to a probe, dup + 1 times: an ICMP error (from --from
 * if given, as a router on the way), or a SYN-ACK, RST or port
 * unreachable from the probed address (the target itself).
 */
static void
answer_probe(const struct conf *c, const struct probe *pr,
    const char *action, const unsigned char *quote, size_t quotelen)
{
	static unsigned char	 buf[MAXPKT + 512];
	struct pending		 p;
	size_t			 off = pr->af == AF_INET ? 20 : 0, len;
	int			 i, router = strcmp(action, "error") == 0;

	memset(&p, 0, sizeof(p));
	p.af = pr->af;
	p.proto = pr->af == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	p.dst = pr->src;
	p.src = pr->dst;
	if (router && pr->af == AF_INET && c->has_from4)
		p.src.v4 = c->from4;
	else if (router && pr->af == AF_INET6 && c->has_from6)
		p.src.v6 = c->from6;
	p.hlim = c->ttl > 0 ? c->ttl : 64;
	p.due = due_time(c);
	as_error = strcmp(action, "syn-ack") != 0 && strcmp(action, "rst") != 0;
	if (as_error)
		len = build_probe_error(c, pr, action, quote, quotelen,
		    buf + off);
	else {
		p.proto = IPPROTO_TCP;
		len = build_tcp(pr, strcmp(action, "rst") == 0, buf + off);
	}
	frame(&p, buf, len);
	p.pkt = buf;
	for (i = 0; i <= c->dup; i++)
		deliver(c, &p);
}

static void
probe_seen(const struct conf *c, const struct probe *pr,
    const unsigned char *quote, size_t quotelen)
{
	const char	*action;

	if (!wanted_probe(c, pr))
		return;
	action = take_probe(c, pr);
	if (action != NULL && strcmp(action, "none") != 0)
		answer_probe(c, pr, action, quote, quotelen);
}

/* A UDP or TCP packet of a raw IPv4 socket (IP header included). */
static void
recv_probe4(const struct conf *c, int s, int proto)
{
	static unsigned char	 buf[MAXPKT];
	struct probe		 pr;
	ssize_t			 n;
	size_t			 hl;

	if ((n = recv(s, buf, sizeof(buf), 0)) < 20)
		return;
	hl = (buf[0] & 0x0f) * 4;
	if ((size_t)n < hl + 8 || buf[9] != proto)
		return;
	memset(&pr, 0, sizeof(pr));
	pr.af = AF_INET;
	pr.proto = proto;
	memcpy(&pr.src.v4, buf + 12, 4);
	memcpy(&pr.dst.v4, buf + 16, 4);
	pr.l4 = buf + hl;
	pr.l4len = n - hl;
	pr.ttl = buf[8];
	pr.tos = buf[1];
	probe_seen(c, &pr, buf, n);
}

/* A UDP or TCP packet of a raw IPv6 socket (no IPv6 header). */
static void
recv_probe6(const struct conf *c, int s, int proto)
{
	static unsigned char	 buf[MAXPKT], quote[MAXPKT + 40];
	struct probe		 pr;
	ssize_t			 n;

	memset(&pr, 0, sizeof(pr));
	n = read6(s, buf, sizeof(buf), &pr.src, &pr.dst, &pr.ttl, &pr.tos);
	if (n < 8)
		return;
	pr.af = AF_INET6;
	pr.proto = proto;
	pr.l4 = buf;
	pr.l4len = n;
	probe_seen(c, &pr, quote, quote6(quote, &pr.src, &pr.dst, pr.ttl,
	    pr.tos, proto, buf, n));
}

/* --- end of UDP and TCP probes --- */

/*
 * Our mark on every socket: nftables in the responder's namespace tells
 * our answers from its kernel's by it (see the header comment).
 */
static int
marked(int s)
{
	int	mark = RESPONDER_MARK, buf = 8 << 20;

	if (s != -1 && setsockopt(s, SOL_SOCKET, SO_MARK, &mark,
	    sizeof(mark)) == -1) {
		perror("responder: SO_MARK");
		exit(1);
	}
	/* Room for a burst of many targets' probes (tests/trace_scale.bats:
	 * a thousand traces' at once) until the loop reads them. */
	if (s != -1)
		(void)setsockopt(s, SOL_SOCKET, SO_RCVBUFFORCE, &buf,
		    sizeof(buf));
	return s;
}

static int
open4(void)
{
	struct icmp_filter	filt;
	int			s, on = 1;

	if ((s = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)) == -1)
		return -1;
	filt.data = ~(1U << ICMP_ECHO);
	setsockopt(s, SOL_RAW, ICMP_FILTER, &filt, sizeof(filt));
	if (setsockopt(s, IPPROTO_IP, IP_HDRINCL, &on, sizeof(on)) == -1) {
		perror("responder: IP_HDRINCL");
		exit(1);
	}
	return marked(s);
}

/* The socket options of every IPv6 socket of ours. */
static int
setup6(int s)
{
	int	on = 1;

	setsockopt(s, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof(on));
	setsockopt(s, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &on, sizeof(on));
	setsockopt(s, IPPROTO_IPV6, IPV6_RECVTCLASS, &on, sizeof(on));
	/* Allow --from with an address that is not ours. */
	setsockopt(s, IPPROTO_IPV6, IPV6_FREEBIND, &on, sizeof(on));
	setsockopt(s, IPPROTO_IPV6, IPV6_TRANSPARENT, &on, sizeof(on));
	return marked(s);
}

static int
open6(void)
{
	struct icmp6_filter	filt;
	int			s;

	if ((s = socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6)) == -1)
		return -1;
	ICMP6_FILTER_SETBLOCKALL(&filt);
	ICMP6_FILTER_SETPASS(ICMP6_ECHO_REQUEST, &filt);
	setsockopt(s, IPPROTO_ICMPV6, ICMP6_FILTER, &filt, sizeof(filt));
	return setup6(s);
}

/*
 * A raw socket of protocol proto (UDP, TCP) in family af, if asked for.
 * Raw IPv6 sockets compute no checksum of these protocols: build_tcp()
 * does (IPV6_CHECKSUM stays off).
 */
static int
open_l4(int af, int proto, int want)
{
	int	s;

	if (!want)
		return -1;
	if ((s = socket(af, SOCK_RAW, proto)) == -1) {
		perror("responder: socket");
		exit(1);
	}
	return af == AF_INET ? marked(s) : setup6(s);
}

static void
open_all(struct socks *sk)
{
	sk->icmp4 = open4();
	sk->icmp6 = open6();
	if (sk->icmp4 == -1 && sk->icmp6 == -1) {
		perror("responder: socket");
		exit(1);
	}
	sk->tcp4 = open_l4(AF_INET, IPPROTO_TCP, l4.tcp);
	sk->tcp6 = open_l4(AF_INET6, IPPROTO_TCP, l4.tcp);
	sk->udp4 = open_l4(AF_INET, IPPROTO_UDP, l4.udp);
	sk->udp6 = open_l4(AF_INET6, IPPROTO_UDP, l4.udp);
}

/* ns from a to b. */
static long long
ns_between(const struct timespec *a, const struct timespec *b)
{
	return (long long)(b->tv_sec - a->tv_sec) * 1000000000LL +
	    (b->tv_nsec - a->tv_nsec);
}

/*
 * Send every queued reply that is due; return ms until the next one.  One
 * clock read and one pass that keeps the rest in order: a thousand
 * targets' probes at once (tests/trace_scale.bats) are not a quadratic
 * cost of moves and clock reads.
 */
static int
flush_due(const struct socks *sk)
{
	struct timespec	now;
	long long	ns, next = -1;
	size_t		i, k = 0;

	clock_gettime(CLOCK_MONOTONIC, &now);
	for (i = 0; i < nqueue; i++) {
		ns = ns_between(&now, &queue[i].due);
		if (ns <= 0) {
			send_one(sk, &queue[i]);
			free(queue[i].pkt);
			continue;
		}
		if (next < 0 || ns < next)
			next = ns;
		queue[k++] = queue[i];
	}
	nqueue = k;
	if (next < 0)
		return -1;
	/* Rounded up: a reply is never sent before it is due (--delay is
	 * a minimum), and poll() never wakes early to find nothing due. */
	next = (next + 999999) / 1000000;
	return next > 60000 ? 60000 : (int)next;
}

static void
write_pidfile(const char *path)
{
	FILE	*f;
	char	 tmp[4096];

	/* Write then rename, so a reader never sees a partial pid. */
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if ((f = fopen(tmp, "w")) == NULL || fprintf(f, "%ld\n",
	    (long)getpid()) < 0 || fclose(f) != 0 || rename(tmp, path) != 0) {
		perror("responder: pidfile");
		exit(1);
	}
}

/* Read what each ready socket holds. */
static void
read_ready(const struct conf *c, const struct socks *sk,
    const struct pollfd *pfd)
{
	if (pfd[0].revents & POLLIN)
		recv4(c, sk->icmp4);
	if (pfd[1].revents & POLLIN)
		recv6(c, sk->icmp6);
	if (pfd[2].revents & POLLIN)
		recv_probe4(c, sk->tcp4, IPPROTO_TCP);
	if (pfd[3].revents & POLLIN)
		recv_probe6(c, sk->tcp6, IPPROTO_TCP);
	if (pfd[4].revents & POLLIN)
		recv_probe4(c, sk->udp4, IPPROTO_UDP);
	if (pfd[5].revents & POLLIN)
		recv_probe6(c, sk->udp6, IPPROTO_UDP);
}

int
main(int argc, char **argv)
{
	struct conf		c;
	struct sigaction	sa;
	struct socks		sk;
	struct pollfd		pfd[6];
	int			i, timeout;

	parse_args(argc, argv, &c);
	srandom((unsigned int)time(NULL) ^ (unsigned int)getpid());
	if (!hostile.has_seed)
		hostile.seed = (uint64_t)time(NULL) << 20 ^ (uint64_t)getpid();
	open_all(&sk);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (c.pidfile != NULL)
		write_pidfile(c.pidfile);

	/* poll() ignores the sockets not open (-1). */
	pfd[0].fd = sk.icmp4;
	pfd[1].fd = sk.icmp6;
	pfd[2].fd = sk.tcp4;
	pfd[3].fd = sk.tcp6;
	pfd[4].fd = sk.udp4;
	pfd[5].fd = sk.udp6;
	for (i = 0; i < 6; i++)
		pfd[i].events = POLLIN;
	timeout = -1;
	while (!quit) {
		if (poll(pfd, 6, timeout) == -1 && errno != EINTR) {
			perror("responder: poll");
			return 1;
		}
		read_ready(&c, &sk, pfd);
		timeout = flush_due(&sk);
	}
	if (c.pidfile != NULL)
		unlink(c.pidfile);
	return 0;
}
