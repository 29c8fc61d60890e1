#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sock.h"
#include "srcaddr.h"
#include "targets.h"

int
srcaddr_socket(int family, const struct conf *c, char *err, size_t errlen)
{
	struct sock s;
	int saved;

	memset(&s, 0, sizeof(s));
	s.family = family;
	s.fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP);
	if (s.fd == -1) {
		saved = errno;
		snprintf(err, errlen, "cannot open a UDP socket: %s",
		    strerror(saved));
		errno = saved;
		return -1;
	}
	return sock_setup(&s, c, err, errlen) == -1 ? -1 : s.fd;
}

int
srcaddr_init(struct srcaddr *sa, const struct conf *c)
{
	struct in_addr a4;

	memset(sa, 0, sizeof(*sa));
	if (c->source && inet_pton(AF_INET, c->source, &a4) == 1) {
		sa->fixed_family = AF_INET;
		sa->fixed[10] = sa->fixed[11] = 0xff;
		memcpy(sa->fixed + 12, &a4, 4);
	} else if (c->source && inet_pton(AF_INET6, c->source,
	    sa->fixed) == 1)
		sa->fixed_family = AF_INET6;
	sa->slot = calloc(SRCADDR_SLOTS, sizeof(*sa->slot));
	return sa->slot ? 0 : -1;
}

void
srcaddr_free(struct srcaddr *sa)
{
	free(sa->slot);
	sa->slot = NULL;
}

static unsigned
slot_of(const uint8_t dst[16], uint32_t scope)
{
	uint32_t h = 2166136261u ^ scope;	/* FNV-1a */
	int i;

	for (i = 0; i < 16; i++)
		h = (h ^ dst[i]) * 16777619u;
	return h % SRCADDR_SLOTS;
}

/* Ask the routing table: the port only has to be nonzero. */
static int
lookup(int fd, const struct sockaddr_storage *dst, uint8_t src[16])
{
	struct sockaddr_storage to = *dst, me;
	socklen_t len;

	if (dst->ss_family == AF_INET) {
		((struct sockaddr_in *)&to)->sin_port = htons(9);
		len = sizeof(struct sockaddr_in);
	} else {
		((struct sockaddr_in6 *)&to)->sin6_port = htons(9);
		len = sizeof(struct sockaddr_in6);
	}
	if (connect(fd, (struct sockaddr *)&to, len) == -1)
		return -1;
	len = sizeof(me);
	if (getsockname(fd, (struct sockaddr *)&me, &len) == -1)
		return -1;
	addr16_from_sockaddr((struct sockaddr *)&me, src);
	return 0;
}

int
srcaddr_get(struct srcaddr *sa, int fd, const struct sockaddr_storage *to,
    uint8_t src[16])
{
	struct srcaddr_slot *sl;
	uint8_t dst[16];
	uint32_t scope = 0;

	if (to->ss_family == sa->fixed_family) {
		memcpy(src, sa->fixed, 16);
		return 0;
	}
	addr16_from_sockaddr((const struct sockaddr *)to, dst);
	if (to->ss_family == AF_INET6)
		scope = ((const struct sockaddr_in6 *)to)->sin6_scope_id;
	sl = &sa->slot[slot_of(dst, scope)];
	if (sl->used && sl->scope == scope && memcmp(sl->dst, dst, 16) == 0) {
		memcpy(src, sl->src, 16);
		return 0;
	}
	if (lookup(fd, to, src) == -1)
		return -1;
	memcpy(sl->dst, dst, 16);
	memcpy(sl->src, src, 16);
	sl->scope = scope;
	sl->used = 1;
	return 0;
}
