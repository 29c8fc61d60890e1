/*
 * floor: the least work a ping sweep can do, as a yardstick for mping.
 *
 * One ICMP echo request per target on a raw socket (one per family), sent
 * as fast as the kernel takes them, while replies are read (recvmmsg, or
 * recv one by one) and counted (matched by echo id and by a target index
 * in the payload).
 * Stops when every target answered or after QUIET ms without a reply.
 * No clocks per probe, no tags, no checksum verification, no output but
 * the number of targets that answered.
 *
 * usage: floor [-d] [-l] [-m BATCH] [-R BATCH] [-r RCVBUF] [-t]
 *              [-w QUIET_MS] target...
 *
 *   -d        IPv4 requests with DF, which the kernel will not fragment
 *             (IP_PMTUDISC_PROBE), as mping sends probes of up to 576
 *             bytes: such a packet's IP ID is 0, not one from the kernel's
 *             shared hash (__ip_select_ident, about 5% of a sweep's CPU)
 *
 *   -l        list the targets, one per line, and exit (nothing is sent)
 *   -m BATCH  sendmmsg BATCH requests per system call (default 1: sendto)
 *   -R BATCH  recvmmsg up to BATCH replies per system call (default 64, at
 *             most 64; 1: recv, one system call per reply)
 *   -r BYTES  receive buffer (default 8 MiB, as mping)
 *   -w MS     stop after MS ms without a reply once all are sent (2000)
 *   -t        ask the kernel for a receive time stamp of every reply (with
 *             -R above 1; recv has no room for it)
 *             (SO_TIMESTAMPNS, as mping does for its RTTs): the cost of
 *             the stamps alone, the floor reads and ignores them
 *
 * A target is ADDR, ADDR/LEN (every address of the block; for IPv4
 * prefixes up to /30 the network and broadcast addresses are left out, as
 * mping and fping do), ADDR+N (N consecutive addresses from ADDR) or
 * @FILE (one address per line).  IPv6 blocks must be /104 or longer.
 *
 * Like mping's engine, it reads replies after every 256 requests sent, so
 * the receive buffer cannot overflow during a long burst.  The two
 * variants bench/run times: "-m 1 -R 1" (no batching at all) and "-m 64
 * -R 64" (both directions batched: the floor issue 17 measures against).
 */
#define _GNU_SOURCE
#include <sys/socket.h>
#include <sys/random.h>
#include <arpa/inet.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <netinet/in.h>
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PAYLOAD		56
#define PKTLEN		(8 + PAYLOAD)
#define MAGIC		0x464c5230u	/* "FLR0" */
#define DRAIN_EVERY	256
#define RXB		64
#define RXLEN		256
#define MAXB		1024

static uint32_t	*v4;		/* network order */
static struct in6_addr *v6;
static size_t	 n4, n6, cap4, cap6;
static uint8_t	*seen;		/* one bit per target: v4 first, then v6 */
static size_t	 answered;
static int	 rxbatch = RXB;	/* -R */
static int	 stamps;	/* -t */
static uint16_t	 ident;
static uint32_t	 base_sum;	/* v4 ICMP checksum of the constant parts */

static void
die(const char *what)
{
	perror(what);
	exit(2);
}

static void
add4(uint32_t a)
{
	if (n4 == cap4) {
		cap4 = cap4 ? cap4 * 2 : 4096;
		if ((v4 = realloc(v4, cap4 * sizeof(*v4))) == NULL)
			die("realloc");
	}
	v4[n4++] = htonl(a);
}

static void
add6(const struct in6_addr *a)
{
	if (n6 == cap6) {
		cap6 = cap6 ? cap6 * 2 : 4096;
		if ((v6 = realloc(v6, cap6 * sizeof(*v6))) == NULL)
			die("realloc");
	}
	v6[n6++] = *a;
}

/* a += k on the low 64 bits of an IPv6 address. */
static void
inc6(struct in6_addr *a, uint64_t k)
{
	uint64_t lo = 0;
	int i;

	for (i = 8; i < 16; i++)
		lo = lo << 8 | a->s6_addr[i];
	lo += k;
	for (i = 15; i >= 8; i--) {
		a->s6_addr[i] = (uint8_t)lo;
		lo >>= 8;
	}
}

static void target(const char *spec);

static void
target_file(const char *path)
{
	char line[256], *p;
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");

	if (f == NULL)
		die(path);
	while (fgets(line, sizeof(line), f)) {
		for (p = line; *p && *p != '\n' && *p != '#' && *p != ' ' &&
		    *p != '\t' && *p != '\r'; p++)
			;
		*p = '\0';
		if (line[0])
			target(line);
	}
	if (f != stdin)
		fclose(f);
}

static void
target(const char *spec)
{
	char buf[128], *sep;
	unsigned long long k, cnt = 1;
	int len = -1, fam;
	struct in_addr a4;
	struct in6_addr a6;
	uint32_t a, first, last;

	if (spec[0] == '@') {
		target_file(spec + 1);
		return;
	}
	if (strlen(spec) >= sizeof(buf)) {
		fprintf(stderr, "floor: bad target %s\n", spec);
		exit(2);
	}
	strcpy(buf, spec);
	if ((sep = strchr(buf, '/')) != NULL) {
		*sep = '\0';
		len = atoi(sep + 1);
	} else if ((sep = strchr(buf, '+')) != NULL) {
		*sep = '\0';
		cnt = strtoull(sep + 1, NULL, 10);
	}
	if (inet_pton(AF_INET, buf, &a4) == 1)
		fam = AF_INET;
	else if (inet_pton(AF_INET6, buf, &a6) == 1)
		fam = AF_INET6;
	else {
		fprintf(stderr, "floor: bad target %s\n", spec);
		exit(2);
	}
	if (fam == AF_INET) {
		a = ntohl(a4.s_addr);
		if (len >= 0) {
			if (len > 32)
				goto bad;
			first = len ? a & ~(uint32_t)0 << (32 - len) : 0;
			last = first | (len ? ~(~(uint32_t)0 << (32 - len)) :
			    ~(uint32_t)0);
			if (len <= 30) {
				first++;
				last--;
			}
			for (a = first;; a++) {
				add4(a);
				if (a == last)
					break;
			}
		} else
			for (k = 0; k < cnt; k++)
				add4(a + (uint32_t)k);
		return;
	}
	if (len >= 0) {
		if (len < 104 || len > 128)
			goto bad;
		cnt = 1ULL << (128 - len);
		/* clear the host bits (they all lie in the last 3 bytes) */
		for (k = (unsigned)len; k < 128; k++)
			a6.s6_addr[k / 8] &= (uint8_t)~(0x80 >> (k % 8));
	}
	for (k = 0; k < cnt; k++) {
		add6(&a6);
		inc6(&a6, 1);
	}
	return;
bad:
	fprintf(stderr, "floor: bad prefix %s\n", spec);
	exit(2);
}

static void
put_payload(uint8_t *p, uint8_t type, uint32_t idx)
{
	int i;

	p[0] = type;
	p[1] = 0;
	p[2] = p[3] = 0;
	p[4] = ident >> 8;
	p[5] = ident & 0xff;
	p[6] = (idx >> 8) & 0xff;	/* seq: low bits of the index */
	p[7] = idx & 0xff;
	p[8] = MAGIC >> 24;
	p[9] = (MAGIC >> 16) & 0xff;
	p[10] = (MAGIC >> 8) & 0xff;
	p[11] = MAGIC & 0xff;
	p[12] = idx >> 24;
	p[13] = (idx >> 16) & 0xff;
	p[14] = (idx >> 8) & 0xff;
	p[15] = idx & 0xff;
	for (i = 16; i < PKTLEN; i++)
		p[i] = (uint8_t)i;
}

/* Only the index words change from probe to probe: add them to the sum of
 * the rest (RFC 1624 style) instead of summing 64 bytes every time. */
static void
cksum4(uint8_t *p, uint32_t idx)
{
	uint32_t s = base_sum + (idx & 0xffff) + (idx >> 16) + (idx & 0xffff);

	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	s = ~s & 0xffff;
	p[2] = (uint8_t)(s >> 8);
	p[3] = (uint8_t)s;
}

static void
mark(uint32_t idx)
{
	if (!(seen[idx >> 3] & (1u << (idx & 7)))) {
		seen[idx >> 3] |= (uint8_t)(1u << (idx & 7));
		answered++;
	}
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static void
match(const uint8_t *icmp, size_t len, uint8_t want, size_t lo, size_t hi)
{
	uint32_t idx;

	if (len < 16 || icmp[0] != want ||
	    (uint16_t)(icmp[4] << 8 | icmp[5]) != ident ||
	    get32(icmp + 8) != MAGIC)
		return;
	idx = get32(icmp + 12);
	if (idx >= lo && idx < hi)
		mark(idx);
}

static struct mmsghdr rmm[RXB];
static struct iovec riov[RXB];
static uint8_t rbuf[RXB][RXLEN];
static uint8_t rctl[RXB][64];	/* -t: room for the time stamp */

/* One reply with recv (-R 1) into rbuf[0], as recvmmsg would: 1, or -1. */
static int
recv1(int fd)
{
	ssize_t k = recv(fd, rbuf[0], RXLEN, MSG_DONTWAIT);

	if (k < 0)
		return -1;
	rmm[0].msg_len = (unsigned)k;
	return 1;
}

/* Read everything queued on fd; returns the number of packets. */
static size_t
drain(int fd, int fam)
{
	size_t total = 0;
	int i, n;
	const uint8_t *p;
	size_t hl;

	if (fd < 0)
		return 0;
	for (;;) {
		for (i = 0; i < rxbatch; i++) {
			rmm[i].msg_hdr.msg_control = stamps ? rctl[i] : NULL;
			rmm[i].msg_hdr.msg_controllen = stamps ?
			    sizeof(rctl[i]) : 0;
		}
		n = rxbatch == 1 ? recv1(fd) : recvmmsg(fd, rmm,
		    (unsigned)rxbatch, MSG_DONTWAIT, NULL);
		if (n <= 0) {
			if (n == -1 && errno != EAGAIN && errno != EINTR)
				die("recvmmsg");
			return total;
		}
		for (i = 0; i < n; i++) {
			p = rbuf[i];
			if (fam == AF_INET) {
				if (rmm[i].msg_len < 20)
					continue;
				hl = (size_t)(p[0] & 15) * 4;
				if (rmm[i].msg_len < hl)
					continue;
				match(p + hl, rmm[i].msg_len - hl,
				    ICMP_ECHOREPLY, 0, n4);
			} else
				match(p, rmm[i].msg_len, ICMPV6_ECHO_REPLY,
				    n4, n4 + n6);
		}
		total += (size_t)n;
		if (n < rxbatch)
			return total;
	}
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait until fd may take more, reading replies meanwhile. */
static void
wait_send(int fd, int fd4, int fd6)
{
	struct pollfd pf[3];
	int n = 0;

	pf[n].fd = fd;
	pf[n++].events = POLLOUT;
	if (fd4 >= 0) {
		pf[n].fd = fd4;
		pf[n++].events = POLLIN;
	}
	if (fd6 >= 0) {
		pf[n].fd = fd6;
		pf[n++].events = POLLIN;
	}
	poll(pf, (nfds_t)n, 1);
	drain(fd4, AF_INET);
	drain(fd6, AF_INET6);
}

int
main(int argc, char **argv)
{
	int ch, batch = 1, rcvbuf = 8 << 20, quiet = 2000, list = 0, df = 0;
	int pmtu = IP_PMTUDISC_PROBE;
	int fd4 = -1, fd6 = -1, fd, i, k, n;
	size_t total, next = 0, since = 0;
	static uint8_t pkt[MAXB][PKTLEN];
	static struct mmsghdr mm[MAXB];
	static struct iovec iov[MAXB];
	static struct sockaddr_in sin[MAXB];
	static struct sockaddr_in6 sin6[MAXB];
	uint8_t tmp[PKTLEN];
	int64_t last;

	while ((ch = getopt(argc, argv, "dlm:R:r:tw:")) != -1)
		switch (ch) {
		case 'd':
			df = 1;
			break;
		case 'l':
			list = 1;
			break;
		case 'm':
			batch = atoi(optarg);
			break;
		case 'R':
			rxbatch = atoi(optarg);
			break;
		case 'r':
			rcvbuf = atoi(optarg);
			break;
		case 't':
			stamps = 1;
			break;
		case 'w':
			quiet = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: floor [-d] [-l] [-m batch] [-R batch] "
			    "[-r rcvbuf] [-t] [-w quiet_ms] target...\n");
			return 2;
		}
	if (batch < 1 || batch > MAXB)
		batch = batch < 1 ? 1 : MAXB;
	if (rxbatch < 1 || rxbatch > RXB)
		rxbatch = rxbatch < 1 ? 1 : RXB;
	for (i = optind; i < argc; i++)
		target(argv[i]);
	total = n4 + n6;
	if (list) {
		char a[INET6_ADDRSTRLEN];
		size_t j;

		for (j = 0; j < n4; j++)
			puts(inet_ntop(AF_INET, &v4[j], a, sizeof(a)));
		for (j = 0; j < n6; j++)
			puts(inet_ntop(AF_INET6, &v6[j], a, sizeof(a)));
		return fflush(stdout) == 0 ? 0 : 2;
	}
	if (total == 0 || total > UINT32_MAX)
		return 2;
	if ((seen = calloc(total / 8 + 1, 1)) == NULL)
		die("calloc");
	if (getrandom(&ident, sizeof(ident), 0) != sizeof(ident))
		ident = (uint16_t)getpid();

	if (n4) {
		struct icmp_filter f = { ~(1u << ICMP_ECHOREPLY) };

		if ((fd4 = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK,
		    IPPROTO_ICMP)) == -1)
			die("socket");
		setsockopt(fd4, SOL_RAW, ICMP_FILTER, &f, sizeof(f));
		if (df && setsockopt(fd4, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu,
		    sizeof(pmtu)) == -1)
			die("IP_MTU_DISCOVER");
		if (stamps && setsockopt(fd4, SOL_SOCKET, SO_TIMESTAMPNS,
		    &stamps, sizeof(stamps)) == -1)
			die("SO_TIMESTAMPNS");
		if (setsockopt(fd4, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
		    sizeof(rcvbuf)) == -1)
			setsockopt(fd4, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
			    sizeof(rcvbuf));
	}
	if (n6) {
		struct icmp6_filter f;

		memset(&f, 0xff, sizeof(f));
		f.data[ICMPV6_ECHO_REPLY >> 5] &=
		    ~(1u << (ICMPV6_ECHO_REPLY & 31));
		if ((fd6 = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK,
		    IPPROTO_ICMPV6)) == -1)
			die("socket");
		setsockopt(fd6, IPPROTO_ICMPV6, ICMPV6_FILTER, &f, sizeof(f));
		if (stamps && setsockopt(fd6, SOL_SOCKET, SO_TIMESTAMPNS,
		    &stamps, sizeof(stamps)) == -1)
			die("SO_TIMESTAMPNS");
		if (setsockopt(fd6, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
		    sizeof(rcvbuf)) == -1)
			setsockopt(fd6, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
			    sizeof(rcvbuf));
	}

	/* Constant parts of the IPv4 checksum: the packet with index 0. */
	put_payload(tmp, ICMP_ECHO, 0);
	{
		uint32_t s = 0;

		for (i = 0; i < PKTLEN; i += 2)
			s += (uint32_t)tmp[i] << 8 | tmp[i + 1];
		base_sum = s;
	}
	for (i = 0; i < RXB; i++) {
		riov[i].iov_base = rbuf[i];
		riov[i].iov_len = RXLEN;
		rmm[i].msg_hdr.msg_iov = &riov[i];
		rmm[i].msg_hdr.msg_iovlen = 1;
	}
	for (i = 0; i < batch; i++) {
		iov[i].iov_base = pkt[i];
		iov[i].iov_len = PKTLEN;
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
		sin[i].sin_family = AF_INET;
		sin6[i].sin6_family = AF_INET6;
	}
	/* Templates: only index, seq, checksum and address change. */
	for (i = 0; i < batch; i++)
		put_payload(pkt[i], ICMP_ECHO, 0);

	while (next < total) {
		int v6now = next >= n4;
		size_t end = v6now ? total : n4;

		k = (int)(end - next < (size_t)batch ? end - next :
		    (size_t)batch);
		fd = v6now ? fd6 : fd4;
		for (i = 0; i < k; i++) {
			uint32_t idx = (uint32_t)(next + (size_t)i);
			uint8_t *p = pkt[i];

			p[6] = (idx >> 8) & 0xff;
			p[7] = idx & 0xff;
			p[12] = idx >> 24;
			p[13] = (idx >> 16) & 0xff;
			p[14] = (idx >> 8) & 0xff;
			p[15] = idx & 0xff;
			if (v6now) {
				p[0] = ICMPV6_ECHO_REQUEST;
				p[2] = p[3] = 0;	/* the kernel sums */
				sin6[i].sin6_addr = v6[idx - n4];
				mm[i].msg_hdr.msg_name = &sin6[i];
				mm[i].msg_hdr.msg_namelen = sizeof(sin6[i]);
			} else {
				p[0] = ICMP_ECHO;
				cksum4(p, idx);
				sin[i].sin_addr.s_addr = v4[idx];
				mm[i].msg_hdr.msg_name = &sin[i];
				mm[i].msg_hdr.msg_namelen = sizeof(sin[i]);
			}
		}
		if (batch == 1)
			n = sendto(fd, pkt[0], PKTLEN, 0,
			    mm[0].msg_hdr.msg_name,
			    mm[0].msg_hdr.msg_namelen) == -1 ? -1 : 1;
		else
			n = sendmmsg(fd, mm, (unsigned)k, 0);
		if (n == -1) {
			if (errno == EAGAIN || errno == ENOBUFS ||
			    errno == EINTR) {
				wait_send(fd, fd4, fd6);
				continue;
			}
			n = 1;	/* this target cannot be reached: skip it */
		}
		next += (size_t)n;
		since += (size_t)n;
		if (since >= DRAIN_EVERY) {
			since = 0;
			drain(fd4, AF_INET);
			drain(fd6, AF_INET6);
		}
	}
	last = now_ms();
	while (answered < total) {
		struct pollfd pf[2];
		int64_t left = last + quiet - now_ms();
		int m = 0;

		if (left <= 0)
			break;
		if (fd4 >= 0) {
			pf[m].fd = fd4;
			pf[m++].events = POLLIN;
		}
		if (fd6 >= 0) {
			pf[m].fd = fd6;
			pf[m++].events = POLLIN;
		}
		if (poll(pf, (nfds_t)m, (int)left) > 0 &&
		    drain(fd4, AF_INET) + drain(fd6, AF_INET6) > 0)
			last = now_ms();
	}
	printf("%zu\n", answered);
	return 0;
}
