#include <sys/socket.h>
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "input.h"

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
	int i;

	if (family == AF_INET6)
		return a[0] == 0xff;
	if ((a[12] & 0xf0) == 0xe0)
		return 1;
	for (i = 0; i < in->nbcast; i++)
		if (memcmp(in->bcast[i], a, 16) == 0)
			return 1;
	return 0;
}

void
input_init(struct input *in)
{
	struct ifaddrs *ifa, *p;
	uint8_t *b;

	/* 255.255.255.255 and every local subnet's directed broadcast. */
	b = in->bcast[in->nbcast++];
	memset(b, 0xff, 16);
	memset(b, 0, 10);
	if (getifaddrs(&ifa) == -1)
		return;
	for (p = ifa; p && in->nbcast < 64; p = p->ifa_next)
		/* ifa_broadaddr shares its storage with the point-to-point
		 * peer: only IFF_BROADCAST makes it a broadcast address. */
		if (p->ifa_addr && p->ifa_addr->sa_family == AF_INET &&
		    (p->ifa_flags & IFF_BROADCAST) && p->ifa_broadaddr &&
		    p->ifa_netmask &&
		    ((struct sockaddr_in *)(void *)p->ifa_netmask)->sin_addr.s_addr
		    != 0xffffffff)
			addr16_from_sockaddr(p->ifa_broadaddr,
			    in->bcast[in->nbcast++]);
	freeifaddrs(ifa);
}

static int
family_ok(struct input *in, const char *what, int family)
{
	if (in->conf->family && in->conf->family != family) {
		in->bad(in->arg, what, family == AF_INET ?
		    "is an IPv4 address, but -6 was given" :
		    "is an IPv6 address, but -4 was given");
		return 0;
	}
	return 1;
}

/* Returns 0 if added or a harmless duplicate, -1 if reported bad. */
static int
add(struct input *in, const char *what, int family, const uint8_t a[16],
    uint32_t scope, const char *name)
{
	uint8_t flags = 0;
	int64_t r;

	if (is_broadcast(in, family, a)) {
		if (!in->conf->broadcast) {
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
		in->bad(in->arg, what, "out of memory");
		return -1;
	}
	return 0;
}

void
input_address(struct input *in, const char *name, const struct sockaddr *sa)
{
	uint8_t a[16];
	uint32_t scope = 0;

	if (!family_ok(in, name, sa->sa_family))
		return;
	addr16_from_sockaddr(sa, a);
	if (sa->sa_family == AF_INET6)
		scope = ((const struct sockaddr_in6 *)(const void *)sa)->
		    sin6_scope_id;
	add(in, name, sa->sa_family, a, scope, name);
}

static void
cidr(struct input *in, const char *s, char *slash)
{
	uint8_t a[16];
	unsigned long prefix, bits, i;
	uint64_t count, n;
	char *end;
	int family, skip = 0, byte;

	*slash = '\0';
	memset(a, 0, sizeof(a));
	if (inet_pton(AF_INET, s, a + 12) == 1) {
		a[10] = a[11] = 0xff;
		family = AF_INET;
		bits = 32;
	} else if (inet_pton(AF_INET6, s, a) == 1) {
		family = AF_INET6;
		bits = 128;
	} else {
		*slash = '/';
		in->bad(in->arg, s, "not an IPv4 or IPv6 network address");
		return;
	}
	*slash = '/';
	prefix = strtoul(slash + 1, &end, 10);
	if (slash[1] < '0' || slash[1] > '9' || *end || prefix > bits) {
		in->bad(in->arg, s, family == AF_INET ?
		    "prefix length must be 0 to 32" :
		    "prefix length must be 0 to 128");
		return;
	}
	if (!family_ok(in, s, family))
		return;
	/* Clear the host bits: 198.51.100.7/24 means 198.51.100.0/24. */
	for (i = 128 - (bits - prefix); i < 128; i++)
		a[i / 8] &= (uint8_t)~(0x80 >> (i % 8));
	count = bits - prefix >= 63 ? UINT64_MAX :
	    (uint64_t)1 << (bits - prefix);
	/* Like fping -g: no network or broadcast address in IPv4 /0-/30. */
	if (family == AF_INET && prefix <= 30)
		skip = 1, count -= 2;
	if (count > in->tg->max || count > in->tg->max - in->tg->n) {
		in->over_max = 1;
		in->bad(in->arg, s, "block is larger than --max-targets allows");
		return;
	}
	targets_reserve(in->tg, (uint32_t)count);	/* else it grows */
	for (n = 0; n < count + (uint64_t)skip; n++) {
		if (stopping(in))
			return;
		if (!(skip && n == 0) && add(in, s, family, a, 0, NULL) == -1)
			return;
		for (byte = 15; byte >= 0 && ++a[byte] == 0; byte--)
			;
	}
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

	if (*s == '\0' || stopping(in))
		return;
	if ((slash = strchr(s, '/')) != NULL) {
		if ((copy = strdup(s)) == NULL) {
			in->bad(in->arg, s, "out of memory");
			return;
		}
		cidr(in, copy, copy + (slash - s));
		free(copy);
		return;
	}
	memset(a, 0, sizeof(a));
	if (inet_pton(AF_INET, s, a + 12) == 1) {
		a[10] = a[11] = 0xff;
		if (family_ok(in, s, AF_INET))
			add(in, s, AF_INET, a, 0, NULL);
		return;
	}
	/* IPv6 literals, with a %scope when there is one. */
	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_NUMERICHOST;
	hints.ai_family = AF_INET6;
	hints.ai_socktype = SOCK_DGRAM;
	if (strchr(s, ':') && getaddrinfo(s, NULL, &hints, &res) == 0) {
		if (family_ok(in, s, AF_INET6)) {
			addr16_from_sockaddr(res->ai_addr, a);
			add(in, s, AF_INET6, a, ((struct sockaddr_in6 *)
			    (void *)res->ai_addr)->sin6_scope_id,
			    strchr(s, '%') ? s : NULL);
		}
		freeaddrinfo(res);
		return;
	}
	if (strchr(s, ':') || strlen(s) > 253 || !name_chars(s)) {
		in->bad(in->arg, s, "not a valid address or host name");
		return;
	}
	in->resolve(in->arg, s);
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
	for (e = p + strlen(p); e > p && (e[-1] == '\r' || e[-1] == ' ' ||
	    e[-1] == '\t'); e--)
		;
	*e = '\0';
	if (*p)
		input_target(in, p);
}

/*
 * The complete lines of buf[0..len); returns the length of the unfinished
 * one left at the start of buf.  Beyond READ_MAX bytes a line is cut (no
 * target is that long, so the cut is in a comment or in junk).
 */
static size_t
lines(struct input *in, char *buf, size_t len, int *cut)
{
	char *p = buf, *nl;

	while (!in->stopped &&
	    (nl = memchr(p, '\n', len - (size_t)(p - buf))) != NULL) {
		if (!*cut)
			line(in, p, (size_t)(nl - p));
		*cut = 0;
		p = nl + 1;
	}
	len -= (size_t)(p - buf);
	if (len == READ_MAX) {
		if (!*cut)
			line(in, buf, len);
		*cut = 1;
		return 0;
	}
	memmove(buf, p, len);
	return len;
}

/*
 * With read(2), not stdio: stop() waits before each read until fd has
 * something, so a FIFO without a writer or a silent pipe never holds the
 * process where a signal cannot end it.
 */
int
input_fd(struct input *in, int fd)
{
	size_t len = 0;
	ssize_t n = 1;
	char *buf;
	int cut = 0, error = 0;

	if ((buf = malloc(READ_MAX + 1)) == NULL)
		return -1;
	while (n != 0 && !in->stopped && !error) {
		if (in->stop && (in->stopped = in->stop(in->stop_arg, fd)))
			break;
		n = read(fd, buf + len, READ_MAX - len);
		if (n > 0)
			len = lines(in, buf, len + (size_t)n, &cut);
		else if (n == -1 && errno != EAGAIN && errno != EINTR)
			error = errno;
	}
	if (n == 0 && len && !cut && !in->stopped)
		line(in, buf, len);
	free(buf);
	errno = error;
	return error ? -1 : 0;
}
