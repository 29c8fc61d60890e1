/*
 * What probe methods share: the keyed tag at the start of a payload, the
 * send of a batch at a TTL, and the names and marks of ICMP errors (every
 * method's errors on the way are ICMP).
 */
#include <sys/random.h>
#include <sys/socket.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "icmp.h"
#include "method.h"

/* getrandom, or a simple generator if it is not there (the bytes are
 * only filler, no secret). */
static void
random_bytes(uint8_t *p, size_t n)
{
	ssize_t got = getrandom(p, n, GRND_NONBLOCK);
	uint32_t x = 2463534242u;
	size_t i;

	for (i = got > 0 ? (size_t)got : 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = (uint8_t)x;
	}
}

void *
method_state_create(const struct conf *c, const struct targets *tg)
{
	struct method_state *ms;
	size_t i;

	if ((ms = calloc(1, sizeof(*ms))) == NULL)
		return NULL;
	ms->c = c;
	ms->tg = tg;
	if (tag_key_init(&ms->key) == -1 ||
	    (ms->pattern = malloc(c->size)) == NULL) {
		free(ms);
		return NULL;
	}
	for (i = 0; i < c->size; i++)
		ms->pattern[i] = (uint8_t)(i & 0xff);
	/* --random-data (fping -R): bytes drawn once, so that a link that
	 * compresses sees nothing to squeeze; replies still compare. */
	if (c->random_data)
		random_bytes(ms->pattern, c->size);
	return ms;
}

void
method_state_destroy(void *arg)
{
	struct method_state *ms = arg;

	free(ms->pattern);
	srcaddr_free(&ms->route);
	free(ms);
}

/*
 * The target a payload (or what an error quoted of it) was sent to, if
 * its tag verifies.  The index in the payload is untrusted until the tag,
 * keyed on that target's address, holds.
 */
int
method_tagged(const struct tag_key *key, const struct targets *tg,
    int family, const uint8_t *data, size_t len, struct probe_hdr *h)
{
	const struct target *t;
	uint32_t idx;

	if (data == NULL || len < TAG_HDR_LEN + TAG_LEN)
		return 0;
	idx = (uint32_t)data[4] << 24 | (uint32_t)data[5] << 16 |
	    (uint32_t)data[6] << 8 | data[7];
	if (idx >= tg->n)
		return 0;
	t = &tg->t[idx];
	return t->family == family && tag_check(key, data, len, t->addr,
	    h) == 0;
}

/* Redirect and source quench do not mean the probe is gone. */
enum outcome
method_icmp_outcome(enum icmp_class cls)
{
	switch (cls) {
	case ICMP_C_EXCEEDED:	return OC_EXCEEDED;
	case ICMP_C_REDIRECT:
	case ICMP_C_QUENCH:	return OC_ADVISORY;
	default:		return OC_ERROR;
	}
}

/*
 * An error quoting an echo request.  With a quote long enough to hold our
 * tag, the tag decides.  RFC 792 only promises 8 bytes of the original
 * datagram beyond its IP header: then the quoted id must be ours (raw
 * sockets; a ping socket's queue only holds our own), and the engine
 * matches the destination and seq to a probe in flight.
 */
int
method_send(void *arg, struct sock *s, struct tx *tx, int n)
{
	(void)arg;
	/* One TTL a batch: a TTL of 0 sets the run's back (watch.c's pings
	 * after a trace's batch). */
	if (!s->ttl_each && n > 0 && sock_set_ttl(s, tx[0].ttl ? tx[0].ttl :
	    s->ttl_conf) == -1)
		return 0;
	return sock_send_batch(s, tx, n);
}

/*
 * An ICMP error from a socket's error queue (m, parsed from rx) about the
 * probe a names: a local one is the kernel's verdict on a send (OC_LOCAL,
 * its errno; returns 1), else the error with its sender (the offender,
 * or the probe's destination if the kernel names none; returns 0).
 */
int
method_errqueue_from(const struct rx *rx, struct answer *a)
{
	if (rx->ee_origin_local) {
		a->kind = OC_LOCAL;
		a->err = rx->ee_errno;
		a->mtu = rx->ee_errno == EMSGSIZE ? (long)rx->ee_info : -1;
		return 1;
	}
	addr16_from_sockaddr((const struct sockaddr *)(rx->has_offender ?
	    &rx->offender : &rx->from), a->from);
	return 0;
}

int
method_errqueue_answer(int family, const struct rx *rx,
    const struct icmp_msg *m, struct answer *a)
{
	a->type = m->type;
	a->code = m->code;
	a->ttl = -1;
	a->size = (long)m->icmp_len;
	if (method_errqueue_from(rx, a))
		return 1;
	a->kind = method_icmp_outcome(m->cls);
	a->error = method_icmp_error_name(family, m->type, m->code);
	a->mtu = m->mtu;
	return 0;
}

const char *
method_icmp_error_name(int family, uint8_t type, uint8_t code)
{
	return family == AF_INET ? icmp4_error_name(type, code) :
	    icmp6_error_name(type, code);
}

const char *
method_mtu_mark(long mtu, char *buf, size_t len)
{
	if (mtu == 0)
		return "!F";
	snprintf(buf, len, "!F-%ld", mtu);
	return buf;
}

/*
 * traceroute's mark of an error: "" for time exceeded, !N !H !P !X !S !V
 * !C !F-<mtu> for the unreachables that have a traditional letter,
 * !<code> for the other unreachable codes, !T<type> for other errors.
 */
const char *
method_icmp_mark(int family, uint8_t type, uint8_t code, long mtu, char *buf,
    size_t len)
{
	static const char *const v4[16] = { "!N", "!H", "!P", NULL, NULL,
		"!S", "!N", "!H", NULL, "!X", "!X", "!N", "!H", "!X", "!V",
		"!C" };
	static const char *const v6[8] = { "!N", "!X", "!S", "!H", "!P",
		"!X", "!X", NULL };
	enum icmp_class cls = icmp_classify(family, type);
	int v4unreach = family == AF_INET && cls == ICMP_C_UNREACH;
	int v6unreach = family == AF_INET6 && cls == ICMP_C_UNREACH;

	if (cls == ICMP_C_EXCEEDED)
		return "";
	if ((v4unreach && code == 4) || cls == ICMP_C_TOO_BIG)
		return method_mtu_mark(mtu, buf, len);
	if (v4unreach && code < 16 && v4[code])
		return v4[code];
	if (v6unreach && code < 8 && v6[code])
		return v6[code];
	if (v4unreach || v6unreach)
		snprintf(buf, len, "!%u", (unsigned)code);
	else
		snprintf(buf, len, "!T%u", (unsigned)type);
	return buf;
}

