#include <sys/socket.h>
#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "input.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK		270
#endif
#ifndef NETLINK_GET_STRICT_CHK
#define NETLINK_GET_STRICT_CHK	12
#endif

#define LOOK_EVERY	4096	/* targets between looks for a signal */
#define READ_MAX	65536	/* bytes of a line that count */

/* Whether a signal ends the reading: a system call, so not every time. */
static int
stopping(struct input *in)
{
	if (!in->stopped && in->stop && ++in->since_look >= LOOK_EVERY) {
		in->since_look = 0;
		in->stopped = in->stop(in->stop_arg, -1);
	}
	return in->stopped;
}

/* Addresses that reach many hosts: ours to refuse unless -b was given. */
static int
is_broadcast(const struct input *in, int family, const uint8_t a[16])
{
	uint32_t v4;
	size_t i;

	if (family == AF_INET6)
		return a[0] == 0xff;
	memcpy(&v4, a + 12, 4);
	/* Multicast, and the limited broadcast the kernel always knows. */
	if ((a[12] & 0xf0) == 0xe0 || v4 == 0xffffffff)
		return 1;
	for (i = 0; i < in->nbcast; i++)
		if (in->bcast[i] == v4)
			return 1;
	return 0;
}

static int
keep_broadcast(struct input *in, const struct rtattr *rta)
{
	uint32_t *b;
	size_t cap;

	if (RTA_PAYLOAD(rta) != 4)
		return 0;
	if (in->nbcast == in->capbcast) {
		cap = in->capbcast ? in->capbcast * 2 : 16;
		if ((b = realloc(in->bcast, cap * sizeof(*b))) == NULL)
			return -1;
		in->bcast = b;
		in->capbcast = cap;
	}
	memcpy(&in->bcast[in->nbcast++], RTA_DATA(rta), 4);
	return 0;
}

/* One message of the route dump: 1 at its end, -1 on an error. */
static int
route_msg(struct input *in, const struct nlmsghdr *nh)
{
	const struct rtmsg *rt = NLMSG_DATA(nh);
	const struct rtattr *rta;
	int len;

	if (nh->nlmsg_type == NLMSG_DONE)
		return 1;
	if (nh->nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *e = NLMSG_DATA(nh);

		errno = e->error < 0 ? -e->error : EPROTO;
		return -1;
	}
	if (nh->nlmsg_type != RTM_NEWROUTE || rt->rtm_family != AF_INET ||
	    rt->rtm_type != RTN_BROADCAST)
		return 0;
	len = (int)RTM_PAYLOAD(nh);
	for (rta = RTM_RTA(rt); RTA_OK(rta, len); rta = RTA_NEXT(rta, len))
		if (rta->rta_type == RTA_DST && keep_broadcast(in, rta) == -1)
			return -1;
	return 0;
}

/* Read the route dump's answers until its end; -1 on an error. */
static int
route_dump(struct input *in, int fd)
{
	union { struct nlmsghdr nh; char b[32768]; } buf;
	struct sockaddr_nl from;
	socklen_t flen;
	const struct nlmsghdr *nh;
	ssize_t n;
	int r;

	for (;;) {
		flen = sizeof(from);
		n = recvfrom(fd, &buf, sizeof(buf), 0,
		    (struct sockaddr *)&from, &flen);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		if (from.nl_pid != 0)		/* not the kernel */
			continue;
		for (nh = &buf.nh; NLMSG_OK(nh, (unsigned)n);
		    nh = NLMSG_NEXT(nh, n))
			if ((r = route_msg(in, nh)) != 0)
				return r == 1 ? 0 : -1;
	}
}

/*
 * The local broadcast addresses as the kernel sees them: the destinations
 * of its RTN_BROADCAST routes (every table: a VRF keeps its own), the very
 * routes that make sendto() demand SO_BROADCAST.  getifaddrs() is no
 * guide: for an address added without "brd" glibc reports the address
 * itself as the broadcast address, while the kernel still has a broadcast
 * route for the subnet's last address.
 */
int
input_init(struct input *in)
{
	struct { struct nlmsghdr nh; struct rtmsg rt; } req;
	int fd, r, e, one = 1;

	if ((fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
	    NETLINK_ROUTE)) == -1)
		return -1;
	/* Linux 4.20 and later then dump only the broadcast routes, not a
	 * router's whole table; older kernels dump all, route_msg() picks. */
	(void)setsockopt(fd, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one,
	    sizeof(one));
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = sizeof(req);
	req.nh.nlmsg_type = RTM_GETROUTE;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nh.nlmsg_seq = 1;
	req.rt.rtm_family = AF_INET;
	req.rt.rtm_type = RTN_BROADCAST;
	r = send(fd, &req, sizeof(req), 0) == -1 ? -1 : route_dump(in, fd);
	e = errno;
	close(fd);
	errno = e;
	return r;
}

void
input_free(struct input *in)
{
	free(in->bcast);
	in->bcast = NULL;
	free(in->buf);
	in->buf = NULL;
	free(in->blk.text);
	in->blk.text = NULL;
	in->nbcast = in->capbcast = 0;
}

/* An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is that IPv4 address. */
static int
addr_family(int family, const uint8_t a[16])
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };

	return memcmp(a, mapped, 12) == 0 ? AF_INET : family;
}

static int
family_ok(struct input *in, const char *what, int family)
{
	if (in->conf->family && in->conf->family != family) {
		/* fping: getaddrinfo's word for it (EAI_ADDRFAMILY). */
		in->bad(in->arg, what, in->conf->fping.on ?
		    gai_strerror(EAI_ADDRFAMILY) : family == AF_INET ?
		    "is an IPv4 address, but -6 was given" :
		    "is an IPv6 address, but -4 was given");
		return 0;
	}
	return 1;
}

/*
 * A target's place in what the user gave (--live shows rows in it): every
 * address is added as it is read, but a name only when it has resolved,
 * so each name reserves its place when it is read.
 */
static uint32_t
next_order(const struct input *in)
{
	return in->tg->n + in->names;
}

/* Returns 0 if added or a harmless duplicate, -1 if it was not added. */
static int
add(struct input *in, const char *what, int family, const uint8_t a[16],
    uint32_t scope, const char *name, uint8_t flags, uint32_t order)
{
	int64_t r;

	if ((family = addr_family(family, a)) == AF_INET)
		scope = 0;
	/* fping pings these without asking (its -b is the size), on a
	 * socket without SO_BROADCAST as fping's: an IPv4 broadcast is
	 * then refused by the kernel at each send (EACCES), as fping's. */
	if (is_broadcast(in, family, a)) {
		if (!in->conf->broadcast && !in->conf->fping.on) {
			in->bad(in->arg, what, "is a broadcast or multicast "
			    "address; use -b to allow it");
			return -1;
		}
		flags |= T_BCAST;
	}
	r = targets_add(in->tg, family, a, scope, name, flags);
	if (r == TARGET_FULL) {
		in->over_max = 1;
		in->bad(in->arg, what, "too many targets (see --max-targets)");
		return -1;
	}
	if (r == TARGET_NOMEM) {
		in->nomem = 1;
		return -1;
	}
	if (r >= 0)
		in->tg->t[r].order = order;
	return 0;
}

void
input_address(struct input *in, const char *name, uint32_t order,
    const struct sockaddr *sa)
{
	uint8_t a[16];
	uint32_t scope = 0;

	addr16_from_sockaddr(sa, a);
	if (!family_ok(in, name, addr_family(sa->sa_family, a)))
		return;
	if (sa->sa_family == AF_INET6)
		scope = ((const struct sockaddr_in6 *)(const void *)sa)->
		    sin6_scope_id;
	/* Each name is a target of its own, even on a shared address. */
	add(in, name, sa->sa_family, a, scope, name, T_BYNAME, order);
}

/*
 * A broadcast address inside a block is left out, not the rest of the
 * block: a /23 holding a local /24 loses only that /24's broadcast address.
 */
static void
skip_broadcast(const char *block, int family, const uint8_t a[16])
{
	char buf[INET6_ADDRSTRLEN];

	fprintf(stderr, "mping: %s: skipping %s, a broadcast address "
	    "(-b includes it)\n", block, addr16_str(family, a, buf,
	    sizeof(buf)));
}

/*
 * A block's first address (host bits cleared: 198.51.100.7/24 means
 * 198.51.100.0/24), its family and size; NULL, or why it is no block.
 * s is cut at slash while it is read, and restored.
 */
static const char *
block_parse(char *s, char *slash, uint8_t a[16], int *family,
    uint64_t *count, int *skip)
{
	unsigned long prefix, bits, i;
	char *end;

	*slash = '\0';
	memset(a, 0, 16);
	if (inet_pton(AF_INET, s, a + 12) == 1) {
		a[10] = a[11] = 0xff;
		*family = AF_INET;
		bits = 32;
	} else if (inet_pton(AF_INET6, s, a) == 1) {
		*family = AF_INET6;
		bits = 128;
	} else {
		*slash = '/';
		return "not an IPv4 or IPv6 network address";
	}
	*slash = '/';
	prefix = strtoul(slash + 1, &end, 10);
	if (slash[1] < '0' || slash[1] > '9' || *end || prefix > bits)
		return *family == AF_INET ? "prefix length must be 0 to 32" :
		    "prefix length must be 0 to 128";
	for (i = 128 - (bits - prefix); i < 128; i++)
		a[i / 8] &= (uint8_t)~(0x80 >> (i % 8));
	*count = bits - prefix >= 63 ? UINT64_MAX :
	    (uint64_t)1 << (bits - prefix);
	/* Like fping -g: no network or broadcast address in IPv4 /0-/30. */
	if ((*skip = *family == AF_INET && prefix <= 30))
		*count -= 2;
	return NULL;
}

uint64_t
input_size(const char *s)
{
	uint8_t a[16];
	uint64_t count;
	char *copy, *slash;
	int family, skip;

	if ((slash = strchr(s, '/')) == NULL || (copy = strdup(s)) == NULL)
		return 1;
	if (block_parse(copy, copy + (slash - s), a, &family, &count, &skip))
		count = 1;
	free(copy);
	return count;
}

/* The room of a chunk is used up, or the table full: the reading pauses
 * (the first target past --max-targets is the one named). */
static int
paused(const struct input *in)
{
	return in->chunked && (in->room == 0 || in->over_max);
}

/* One target (address or name) tried: less room in the chunk. */
static void
take_room(struct input *in)
{
	if (in->chunked && in->room > 0)
		in->room--;
}

static void
block_end(struct input *in)
{
	free(in->blk.text);
	in->blk.text = NULL;
	in->blk.left = 0;
}

/* The block's addresses, up to the room there is (all unless chunked). */
static int
expand(struct input *in)
{
	struct input_block *b = &in->blk;
	int byte;

	for (; b->left > 0; b->left--) {
		if (stopping(in))
			break;
		if (paused(in))
			return INPUT_PAUSED;
		if (b->skip)
			b->skip = 0;
		else if (!in->conf->broadcast &&
		    is_broadcast(in, b->family, b->a))
			skip_broadcast(b->text, b->family, b->a);
		else {
			take_room(in);
			if (add(in, b->text, b->family, b->a, 0, NULL, 0,
			    next_order(in)) == -1)
				break;
		}
		for (byte = 15; byte >= 0 && ++b->a[byte] == 0; byte--)
			;
	}
	block_end(in);
	return INPUT_END;
}

void
input_drop(struct input *in)
{
	block_end(in);
	in->len = 0;
	in->cut = in->eof = 0;
}

int
input_resume(struct input *in)
{
	return in->blk.text ? expand(in) : INPUT_END;
}

/* Whether the input takes targets of family (a socket for it). */
static int
usable(struct input *in, const char *what, int family)
{
	return family_ok(in, what, family) && (in->usable == NULL ||
	    in->usable(in->arg, what, family));
}

/* A CIDR block, s (malloc'd) kept while it is expanded. */
static void
cidr(struct input *in, char *s, char *slash)
{
	struct input_block *b = &in->blk;
	const char *why;

	if ((why = block_parse(s, slash, b->a, &b->family, &b->left,
	    &b->skip))) {
		in->bad(in->arg, s, why);
	} else if (!usable(in, s, b->family)) {
		;
	/* Addresses already given (overlapping blocks) are no new targets:
	 * only the block alone is measured against --max-targets here. */
	} else if (b->left > in->tg->max) {
		in->over_max = 1;
		in->bad(in->arg, s, "block is larger than --max-targets allows");
	} else if (targets_reserve(in->tg, (uint32_t)b->left) == -1) {
		in->nomem = 1;
	} else {
		b->left += (uint64_t)b->skip;
		b->text = s;
		expand(in);
		return;
	}
	free(s);
}

/* Control characters and spaces are never part of a host name. */
static int
name_chars(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

void
input_target(struct input *in, const char *s)
{
	struct addrinfo hints, *res;
	char *slash, *copy;
	uint8_t a[16];

	if (*s == '\0' || in->nomem || stopping(in))
		return;
	if ((slash = strchr(s, '/')) != NULL) {
		if ((copy = strdup(s)) == NULL) {
			in->nomem = 1;
			return;
		}
		cidr(in, copy, copy + (slash - s));
		return;
	}
	take_room(in);
	memset(a, 0, sizeof(a));
	if (inet_pton(AF_INET, s, a + 12) == 1) {
		a[10] = a[11] = 0xff;
		if (usable(in, s, AF_INET))
			add(in, s, AF_INET, a, 0, NULL, 0, next_order(in));
		return;
	}
	/* IPv6 literals, with a %scope when there is one. */
	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_NUMERICHOST;
	hints.ai_family = AF_INET6;
	hints.ai_socktype = SOCK_DGRAM;
	if (strchr(s, ':') && getaddrinfo(s, NULL, &hints, &res) == 0) {
		addr16_from_sockaddr(res->ai_addr, a);
		if (usable(in, s, addr_family(AF_INET6, a)))
			add(in, s, AF_INET6, a, ((struct sockaddr_in6 *)
			    (void *)res->ai_addr)->sin6_scope_id,
			    strchr(s, '%') ? s : NULL, 0, next_order(in));
		freeaddrinfo(res);
		return;
	}
	if (strchr(s, ':') || strlen(s) > 253 || !name_chars(s)) {
		in->bad(in->arg, s, "not a valid address or host name");
		return;
	}
	if (in->resolve(in->arg, s, next_order(in)))
		in->names++;
}

/* A line: '#' starts a comment; blanks, CR and surrounding space ignored. */
static void
line(struct input *in, char *p, size_t n)
{
	char *e;

	if (memchr(p, '\0', n) != NULL) {
		in->bad(in->arg, "(line with a NUL byte)",
		    "not a valid address or host name");
		return;
	}
	p[n] = '\0';
	if ((e = strchr(p, '#')) != NULL)
		*e = '\0';
	for (; *p == ' ' || *p == '\t'; p++)
		;
	if (in->first_word)
		p[strcspn(p, " \t\r\v\f")] = '\0';
	for (e = p + strlen(p); e > p && (e[-1] == '\r' || e[-1] == ' ' ||
	    e[-1] == '\t'); e--)
		;
	*e = '\0';
	if (*p)
		input_target(in, p);
}

/*
 * The complete lines of buf[0..len), up to a pause; returns the length of
 * what is left at the start of buf (the unfinished line, and any lines
 * after a pause).  Beyond READ_MAX bytes a line is cut (no target is that
 * long, so the cut is in a comment or in junk).
 */
static size_t
lines(struct input *in, char *buf, size_t len, int *cut)
{
	char *p = buf, *nl;

	while (!in->stopped && !paused(in) &&
	    (nl = memchr(p, '\n', len - (size_t)(p - buf))) != NULL) {
		if (!*cut)
			line(in, p, (size_t)(nl - p));
		*cut = 0;
		p = nl + 1;
	}
	len -= (size_t)(p - buf);
	if (len == READ_MAX && !paused(in)) {
		if (!*cut)
			line(in, buf, len);
		*cut = 1;
		return 0;
	}
	memmove(buf, p, len);
	return len;
}

/* Whether fd has something to read (or its end) now. */
static int
readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) != 0;
}

/* One read into the buffer: 1 read, 0 nothing now, -1 with errno. */
static int
read_more(struct input *in, int fd)
{
	ssize_t n;

	if (in->nowait && !readable(fd))
		return 0;
	if (!in->nowait && in->stop &&
	    (in->stopped = in->stop(in->stop_arg, fd)))
		return 1;
	n = read(fd, in->buf + in->len, READ_MAX - in->len);
	if (n > 0)
		in->len += (size_t)n;
	else if (n == 0) {
		/* The last line, even without its newline. */
		if (in->len && !in->cut)
			line(in, in->buf, in->len);
		in->len = 0;
		in->eof = 1;
	} else if (errno != EAGAIN && errno != EINTR)
		return -1;
	return 1;
}

/*
 * With read(2), not stdio: stop() waits before each read until fd has
 * something, so a FIFO without a writer or a silent pipe never holds the
 * process where a signal cannot end it (nowait: the caller's loop waits).
 * A pause keeps the block and the lines not read yet for the next call.
 */
int
input_fd(struct input *in, int fd)
{
	int r = 1, error = 0;

	if (in->buf == NULL && (in->buf = malloc(READ_MAX + 1)) == NULL)
		return -1;
	for (;;) {
		if (input_resume(in) == INPUT_PAUSED)
			return INPUT_PAUSED;
		in->len = lines(in, in->buf, in->len, &in->cut);
		if (paused(in))
			return INPUT_PAUSED;
		if (in->eof || in->stopped || r == -1)
			break;
		if ((r = read_more(in, fd)) == 0)
			return INPUT_WAIT;
		if (r == -1)
			error = errno;
	}
	input_drop(in);
	errno = error;
	return error ? -1 : INPUT_END;
}
