#include <sys/prctl.h>
#include <sys/socket.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "icmp.h"
#include "loop.h"
#include "ping.h"

#define SEND_BURST	256	/* sends before we look at replies again */
#define RX_BATCH	64
#define NS		1000000000LL
#define LINGER_NS	(50 * 1000000LL)
#define LINGER_MIN_NS	(5 * 1000000LL)

int64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * NS + ts.tv_nsec;
}

double
real_time(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int
ping_init(struct ping *p, const struct conf *c, struct targets *tg,
    struct out *o)
{
	size_t i, len;
	int n;

	memset(p, 0, sizeof(*p));
	p->c = c;
	p->tg = tg;
	p->out = o;
	p->s4.fd = p->s6.fd = -1;
	if (tag_key_init(&p->key) == -1)
		return -1;
	/*
	 * A slot per probe of a send batch, allocated once: no allocation
	 * per probe.  Big probes get fewer slots (at most about 1 MB).
	 */
	len = 8 + c->size;
	p->ntx = (int)((1 << 20) / len);
	if (p->ntx > TX_BATCH)
		p->ntx = TX_BATCH;
	if (p->ntx < 1)
		p->ntx = 1;
	p->pkt = malloc((size_t)p->ntx * len);
	p->tx = calloc((size_t)p->ntx, sizeof(*p->tx));
	if (p->pkt == NULL || p->tx == NULL)
		return -1;
	for (n = 0; n < p->ntx; n++) {
		p->tx[n].buf = p->pkt + (size_t)n * len;
		p->tx[n].len = len;
		for (i = 0; i < c->size; i++)
			p->tx[n].buf[8 + i] = (uint8_t)(i & 0xff);
	}
	/* Room for an IPv4 header, the reply, and a quoting error. */
	p->rxlen = c->size + 8 + 60 + 1280;
	p->nrx = RX_BATCH;
	p->rx = calloc((size_t)p->nrx, sizeof(*p->rx));
	p->rxbuf = malloc((size_t)p->nrx * p->rxlen);
	if (p->rx == NULL || p->rxbuf == NULL)
		return -1;
	for (n = 0; n < p->nrx; n++)
		p->rx[n].buf = p->rxbuf + (size_t)n * p->rxlen;
	p->start = p->next_send = mono_ns();
	if (c->trace && trace_init(p) == -1)
		return -1;
	return 0;
}

void
ping_free(struct ping *p)
{
	fifo_free(&p->q_period);
	fifo_free(&p->q_retry);
	pool_free(&p->pool);
	free(p->pkt);
	free(p->tx);
	free(p->rx);
	free(p->rxbuf);
	free(p->resp);
	trace_free(p);
}

/* Fill the parts of a record every per-probe event has. */
static void
event(struct ping *p, struct record *r, enum rec_type type,
    const struct target *t, long seq, char *nbuf, char *abuf)
{
	record_clear(r, type);
	r->time = real_time();
	r->index = t - p->tg->t;
	r->order = t->order;
	r->addr = target_addr(t, abuf, INET6_ADDRSTRLEN + 8);
	/* An address target's name is its address: one inet_ntop. */
	r->target = t->flags & T_NAMED ? target_name(p->tg, t, nbuf,
	    INET6_ADDRSTRLEN + 8) : r->addr;
	r->seq = seq;
}

/* The target's counts so far: summaries, and views that show them live. */
static void
counts(const struct target *t, struct record *r)
{
	long done;

	r->sent = t->sent;
	r->received = t->rtt.n;
	r->inflight = t->inflight;
	r->lost = (long)t->sent - t->rtt.n - t->inflight;
	done = (long)t->sent - t->inflight;
	r->loss_pct = done > 0 ? 100.0 * r->lost / done : 0.0;
	r->errors = t->errors;
	r->dups = t->dups;
	if (t->rtt.n) {
		r->rtt_min = t->rtt.min;
		r->rtt_avg = t->rtt.mean;
		r->rtt_max = t->rtt.max;
		r->rtt_stddev = stats_stddev(&t->rtt);
	}
}

/* Hand a per-probe event to the formatter, with the counts after it. */
static void
emit_event(struct ping *p, const struct target *t, struct record *r)
{
	counts(t, r);
	out_emit(p->out, r);
}

static struct sock *
sock_of(struct ping *p, const struct target *t)
{
	return t->family == AF_INET ? &p->s4 : &p->s6;
}

/* A probe has its outcome: the caller gives its slot back after use. */
static void
finish_probe(struct ping *p, struct target *t)
{
	t->inflight--;
	p->outstanding--;
}

const char *
local_error_name(int family, int err)
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

/* A probe that could not leave this host: report it like an ICMP error. */
static void
local_error(struct ping *p, struct target *t, uint32_t seq, int err,
    long mtu)
{
	char nbuf[INET6_ADDRSTRLEN + 8], abuf[INET6_ADDRSTRLEN + 8];
	struct record r;

	event(p, &r, REC_ERROR, t, seq, nbuf, abuf);
	r.from = "local";
	r.error = local_error_name(t->family, err);
	if (err == EMSGSIZE)
		r.mtu = mtu;
	else if (strcmp(r.error, "send-failed") == 0)
		r.reason = strerror(err);
	t->errors++;
	emit_event(p, t, &r);
}

/* A probe that failed on this host: an error, or a --trace hop. */
static void
local_failure(struct ping *p, struct probe *pr, int err, long mtu)
{
	struct target *t = &p->tg->t[pr->target];
	struct trace_event ev;

	finish_probe(p, t);
	if (p->tr == NULL) {
		local_error(p, t, pr->seq, err, mtu);
	} else {
		memset(&ev, 0, sizeof(ev));
		ev.state = HP_LOCAL;
		ev.rtt_ms = NAN;
		ev.code = err;
		ev.mtu = mtu;
		trace_result(p, pr, &ev);
	}
	pool_put(&p->pool, pr);
}

/*
 * Due probes go out in batches of up to TX_BATCH, all to one socket, each
 * in its own slot of p->pkt.  A batch is built from the heads of the
 * queues and the cursor without taking anything off them; only the probes
 * the kernel took (or refused for good) are then committed.  The rest go
 * back, not lost and not counted, to be built again later.
 */
struct batch {
	struct job	 job[TX_BATCH];
	uint32_t	 serial[TX_BATCH];	/* their probes' */
	uint8_t		 src[TX_BATCH];	/* 0 retry, 1 period, 2 cursor */
	uint32_t	 took[3];	/* jobs taken from each source */
	int		 n;
};

/*
 * --trace: the queue holds the probes of every trace's window; a target
 * whose turn comes queues its first window.  Probes of a trace that has
 * ended meanwhile are dropped unsent.
 */
static int
trace_job(struct ping *p, int64_t now, const struct batch *b, struct job *j)
{
	struct job *h;

	/* Rounds due (-c): their first windows join the queue. */
	while ((h = fifo_peek(&p->q_retry)) != NULL && h->due <= now) {
		trace_next_round(p, h->target, now);
		fifo_pop(&p->q_retry);
	}
	for (;;) {
		if ((h = fifo_at(&p->q_period, b->took[1])) != NULL) {
			if (trace_wanted(p, h->target, h->seq)) {
				*j = *h;
				return 1;
			}
			/* Only the head can be dropped; a batch under way
			 * ends here and the next one drops it. */
			if (b->took[1] > 0)
				return -1;
			fifo_pop(&p->q_period);
			continue;
		}
		if (p->cursor >= p->tg->n)
			return -1;
		if (trace_begin(p, p->cursor, now) == -1)
			return -1;
		p->cursor++;
	}
}

/*
 * The next probe due by now: retries first, then periodic probes, then
 * the first probe of targets not started yet.  Those need no queue: they
 * are the table from the cursor on, which also picks up names as they
 * resolve.  Returns the source (see struct batch), or -1.
 */
static int
next_job(struct ping *p, int64_t now, const struct batch *b, struct job *j)
{
	struct fifo *q[2] = { &p->q_retry, &p->q_period };
	struct job *h;
	int i;

	if (p->tr)
		return trace_job(p, now, b, j);
	for (i = 0; i < 2; i++)
		if ((h = fifo_at(q[i], b->took[i])) != NULL && h->due <= now) {
			*j = *h;
			return i;
		}
	if (p->cursor + b->took[2] >= p->tg->n)
		return -1;
	memset(j, 0, sizeof(*j));
	j->due = now;
	j->target = p->cursor + b->took[2];
	return 2;
}

static void
probe_build(struct ping *p, struct tx *tx, const struct job *j,
    uint32_t serial, int64_t sent)
{
	struct target *t = &p->tg->t[j->target];
	struct probe_hdr h;

	h.serial = serial;
	h.target = j->target;
	h.seq = j->seq;
	h.sent_us = (uint32_t)(sent / 1000);
	h.attempt = j->attempt;
	h.flags = 0;
	tag_write(&p->key, tx->buf + 8, &h, t->addr);
	/* Past 65,535 the ICMP seq wraps; the tag's seq and serial decide. */
	if (p->tr)
		icmp_echo_header_flow(tx->buf, tx->len, t->family == AF_INET6,
		    sock_of(p, t)->id, (uint16_t)j->seq, 8 + PAYLOAD_FLOW,
		    p->c->flow);
	else
		icmp_echo_header(tx->buf, tx->len, t->family == AF_INET6,
		    sock_of(p, t)->id, (uint16_t)j->seq);
	target_sockaddr(t, &tx->to, &tx->tolen);
}

/*
 * Up to max due probes, each in a slot of the pool, built in p->tx and
 * stamped as sent at sent.  With -i, one: the next may only go once this
 * one has left (see send_due).
 */
static void
batch_fill(struct ping *p, int64_t now, int64_t sent, struct batch *b,
    int max)
{
	struct probe *pr;
	struct job j;
	int src, family = 0;

	b->n = 0;
	b->took[0] = b->took[1] = b->took[2] = 0;
	if (max > p->ntx)
		max = p->ntx;
	if (p->c->interval_ns && max > 1)
		max = 1;
	while (b->n < max && p->next_send <= now &&
	    (src = next_job(p, now, b, &j)) >= 0) {
		if (b->n && p->tg->t[j.target].family != family)
			break;		/* one socket per batch */
		/* --trace: one TTL per batch, set on the socket before it
		 * (a TTL per message needs IP_TTL control messages, which
		 * not every kernel takes on ping sockets). */
		if (b->n && p->tr &&
		    TRACE_TTL(j.seq) != TRACE_TTL(b->job[0].seq))
			break;
		family = p->tg->t[j.target].family;
		if ((pr = pool_take(&p->pool)) == NULL) {
			p->nomem = 1;
			break;
		}
		pr->target = j.target;
		pr->seq = j.seq;
		pr->attempt = j.attempt;
		probe_build(p, &p->tx[b->n], &j, pr->serial, sent);
		b->serial[b->n] = pr->serial;
		b->job[b->n] = j;
		b->src[b->n++] = (uint8_t)src;
		b->took[src]++;
	}
}

/*
 * The next round of a target is due one period after this one was due,
 * not after it went out, or every round's delay would add up.  After a
 * stall (SIGSTOP, a loaded machine) the rounds missed are skipped, not
 * sent in a burst: the next one goes now and the phase is kept.
 */
static int64_t
next_round(const struct ping *p, int64_t due, int64_t now)
{
	int64_t next = due + p->c->period_ns;

	if (next < now)
		next += (now - next) / p->c->period_ns * p->c->period_ns;
	return next;
}

/* Batch probe i left (or failed for good): take its job off its source. */
static void
commit(struct ping *p, const struct batch *b, int i, int64_t now)
{
	const struct job *j = &b->job[i];
	struct target *t = &p->tg->t[j->target];
	struct probe *pr = pool_find(&p->pool, b->serial[i]);
	struct job next;

	if (b->src[i] == 0)
		fifo_pop(&p->q_retry);
	else if (b->src[i] == 1)
		fifo_pop(&p->q_period);
	else
		p->cursor++;
	t->last_serial = b->serial[i];
	if (j->attempt == 0) {
		t->sent++;
		p->sent++;
		t->inflight++;
		p->outstanding++;
	}
	if (p->tr)
		trace_sent(p, j->target, j->seq, b->serial[i]);
	if (p->tx[i].err)
		local_failure(p, pr, p->tx[i].err, p->tx[i].err == EMSGSIZE ?
		    sock_path_mtu(sock_of(p, t), p->c, &p->tx[i].to,
		    p->tx[i].tolen) : -1);
	if (p->tr)
		return;		/* trace.c queues what comes next */
	if (j->attempt)
		return;
	if (p->c->count && (uint64_t)j->seq + 1 >= p->c->count) {
		t->flags |= T_DONE;
		return;
	}
	next.due = next_round(p, j->due, now);
	next.target = j->target;
	next.seq = j->seq + 1;
	next.attempt = 0;
	if (fifo_push(&p->q_period, &next) == -1)
		p->nomem = 1;
}

static void
send_due(struct ping *p, int64_t now)
{
	struct batch b;
	struct sock *s;
	int64_t sent_at;
	int burst = 0, i, n;

	if (now < p->backoff)
		return;
	while (burst < SEND_BURST) {
		/*
		 * One clock read per batch, before it is built: the send
		 * time goes into the payloads.  A probe's RTT then includes
		 * building the batch and the kernel's sends before it in it
		 * (a few microseconds each, at most TX_BATCH - 1 of them),
		 * but it is never less than the real one.  Spreading the
		 * time over the call would guess, and guesses too late give
		 * RTTs of 0.
		 */
		sent_at = mono_ns();
		batch_fill(p, now, sent_at, &b, SEND_BURST - burst);
		if (b.n == 0)
			return;
		s = sock_of(p, &p->tg->t[b.job[0].target]);
		if (p->tr && sock_set_ttl(s, TRACE_TTL(b.job[0].seq)) == -1)
			n = 0;
		else
			n = sock_send_batch(s, p->tx, b.n);
		/* -i is a minimum: counted from when this one has left. */
		if (n > 0 && p->c->interval_ns)
			p->next_send = mono_ns() + p->c->interval_ns;
		for (i = 0; i < n; i++) {
			pool_append(&p->pool, pool_slot(&p->pool, b.serial[i]),
			    sent_at);
			commit(p, &b, i, now);
		}
		/* The kernel's queue is full: not lost, not yet sent. */
		for (i = n; i < b.n; i++)
			pool_put(&p->pool, pool_slot(&p->pool, b.serial[i]));
		burst += n;
		if (n < b.n) {
			p->backoff = now + 1000000;
			return;
		}
	}
}

/* A probe's time is up: retry it, or report it lost; its slot is freed. */
static void
time_out(struct ping *p, struct probe *pr, int64_t now)
{
	char nbuf[INET6_ADDRSTRLEN + 8], abuf[INET6_ADDRSTRLEN + 8];
	struct target *t = &p->tg->t[pr->target];
	struct trace_event ev;
	struct record r;
	struct job j;

	if (pr->attempt < p->c->retries) {
		j.due = now;
		j.target = pr->target;
		j.seq = pr->seq;
		j.attempt = (uint8_t)(pr->attempt + 1);
		if (fifo_push(&p->q_retry, &j) == -1)
			p->nomem = 1;
	} else if (p->tr) {
		finish_probe(p, t);
		memset(&ev, 0, sizeof(ev));
		ev.state = HP_TIMEOUT;
		ev.rtt_ms = NAN;
		trace_result(p, pr, &ev);
	} else {
		finish_probe(p, t);
		if (out_wants(p->out, REC_TIMEOUT)) {
			event(p, &r, REC_TIMEOUT, t, pr->seq, nbuf, abuf);
			emit_event(p, t, &r);
		}
	}
	pool_put(&p->pool, pr);
}

/* The pending list is in send order, so also in expiry order. */
static void
expire(struct ping *p, int64_t now)
{
	struct probe *pr;

	while ((pr = pool_oldest(&p->pool)) &&
	    pr->sent + p->c->timeout_ns <= now)
		time_out(p, pr, now);
}

static int
same_addr(const struct target *t, const struct sockaddr_storage *ss)
{
	uint8_t a[16];

	addr16_from_sockaddr((const struct sockaddr *)ss, a);
	return memcmp(a, t->addr, 16) == 0;
}

/* -b: count each host that answers a broadcast target once. */
static void
responder(struct ping *p, uint32_t target, const struct sockaddr_storage *ss)
{
	struct responder *r;
	uint8_t a[16];
	size_t i;

	addr16_from_sockaddr((const struct sockaddr *)ss, a);
	for (i = 0; i < p->nresp; i++)
		if (p->resp[i].target == target &&
		    memcmp(p->resp[i].addr, a, 16) == 0)
			return;
	if (p->nresp == p->capresp) {
		size_t cap = p->capresp ? p->capresp * 2 : 64;

		if ((r = realloc(p->resp, cap * sizeof(*r))) == NULL)
			return;
		p->resp = r;
		p->capresp = cap;
	}
	p->resp[p->nresp].target = target;
	memcpy(p->resp[p->nresp++].addr, a, 16);
}

static long
responders_of(const struct ping *p, uint32_t target)
{
	long n = 0;
	size_t i;

	for (i = 0; i < p->nresp; i++)
		n += p->resp[i].target == target;
	return n;
}

void
mark_alive(struct ping *p, struct target *t)
{
	char nbuf[INET6_ADDRSTRLEN + 8], abuf[INET6_ADDRSTRLEN + 8];
	struct record r;

	if (t->flags & T_ALIVE)
		return;
	t->flags |= T_ALIVE;
	p->answered++;
	if (p->c->alive) {
		event(p, &r, REC_ALIVE, t, -1, nbuf, abuf);
		out_emit(p->out, &r);
	}
}

/*
 * The target a payload (or what an error quoted of it) was sent to, if
 * its tag verifies and it matches the ICMP header's seq.  The index in
 * the payload is untrusted until the tag, keyed on that target's address,
 * holds.
 */
static struct target *
tagged_target(struct ping *p, const struct sock *s, const struct icmp_msg *m,
    struct probe_hdr *h)
{
	struct target *t;
	uint32_t idx;

	if (m->data_len < TAG_HDR_LEN + TAG_LEN)
		return NULL;
	idx = (uint32_t)m->data[4] << 24 | (uint32_t)m->data[5] << 16 |
	    (uint32_t)m->data[6] << 8 | m->data[7];
	if (idx >= p->tg->n)
		return NULL;
	t = &p->tg->t[idx];
	if (t->family != s->family || tag_check(&p->key, m->data, m->data_len,
	    t->addr, h) == -1 || (uint16_t)h->seq != m->seq)
		return NULL;
	return t;
}

/*
 * The round trip of what rx read, for a probe sent at sent.  sock.c has
 * made the kernel's stamp a monotonic time, and refused stamps from the
 * future or from before our last read of the socket; a stamp from before
 * the probe left is just as impossible (a wall-clock step forward between
 * arrival and read): then the time we read it is the best we have.
 */
static int64_t
rtt_ns(const struct rx *rx, int64_t sent)
{
	return (rx->when >= sent ? rx->when : rx->read) - sent;
}

/* When the probe of a verified payload left, from its own stamp. */
static int64_t
sent_of(const struct probe_hdr *h, const struct rx *rx)
{
	uint32_t age_us = (uint32_t)(rx->read / 1000) - h->sent_us;

	return rx->read - (int64_t)age_us * 1000;
}

/* --trace: a reply is the destination answering a probe. */
static void
trace_reply(struct ping *p, struct target *t, struct probe *pr,
    const uint8_t from[16], double rtt_ms)
{
	struct trace_event ev;

	if (pr == NULL)
		return;		/* late or duplicate: the hop has its answer */
	finish_probe(p, t);
	memset(&ev, 0, sizeof(ev));
	ev.state = HP_REPLY;
	ev.from = from;
	ev.rtt_ms = rtt_ms;
	ev.type = t->family == AF_INET ? 0 : 129;
	trace_result(p, pr, &ev);
	pool_put(&p->pool, pr);
}

/* --trace: an error is a router's answer (time exceeded) or a dead end. */
static void
trace_error(struct ping *p, struct sock *s, struct probe *pr,
    const struct icmp_msg *m, const uint8_t from[16], const struct rx *rx)
{
	struct trace_event ev;

	finish_probe(p, &p->tg->t[pr->target]);
	memset(&ev, 0, sizeof(ev));
	ev.state = m->type == (s->family == AF_INET ? 11 : 3) ? HP_EXCEEDED :
	    HP_ERROR;
	ev.from = from;
	ev.rtt_ms = (double)rtt_ns(rx, pr->sent) / 1e6;
	ev.type = m->type;
	ev.code = m->code;
	ev.mtu = m->mtu;
	ev.msg = m;
	trace_result(p, pr, &ev);
	pool_put(&p->pool, pr);
}

/*
 * Counted, late, duplicate or foreign.  The kernel's stamp judges a reply:
 * one that came within the timeout counts even if we read it later (the
 * loop stalled), one that came after it is late (and its probe times out
 * now if we had not seen that yet).  The probe of a late or duplicate
 * reply has left the pool; the payload has its send time.
 */
enum { R_COUNTED, R_LATE, R_DUP, R_FOREIGN };

static int
classify(struct ping *p, struct target *t, struct probe *pr,
    const struct probe_hdr *h, const struct rx *rx, int64_t *rtt)
{
	int64_t sent = pr ? pr->sent : sent_of(h, rx);

	*rtt = rtt_ns(rx, sent);
	if (!same_addr(t, &rx->from) && !(t->flags & T_BCAST))
		return R_FOREIGN;	/* our probe, someone else answered */
	if (*rtt > p->c->timeout_ns) {
		if (pr)
			time_out(p, pr, rx->read);
		return R_LATE;
	}
	if (pr) {
		stats_add(&t->rtt, (double)*rtt / 1e6);	/* received */
		if (*rtt > p->rtt_max)
			p->rtt_max = *rtt;
		finish_probe(p, t);
		pool_put(&p->pool, pr);
		if (t->flags & T_BCAST)
			responder(p, h->target, &rx->from);
		mark_alive(p, t);
		return R_COUNTED;
	}
	if (t->flags & T_BCAST) {
		responder(p, h->target, &rx->from);
		return R_COUNTED;
	}
	t->dups++;
	return R_DUP;
}

static void
on_reply(struct ping *p, struct sock *s, const struct icmp_msg *m,
    const struct rx *rx)
{
	char nbuf[INET6_ADDRSTRLEN + 8], abuf[INET6_ADDRSTRLEN + 8];
	char fbuf[INET6_ADDRSTRLEN];
	struct probe_hdr h;
	struct target *t;
	struct probe *pr;
	struct record r;
	int64_t rtt;
	uint8_t a[16];
	int kind;

	if ((t = tagged_target(p, s, m, &h)) == NULL)
		return;
	/* Raw sockets see every echo reply of the host: the id must be ours
	 * (ping sockets: the kernel already matched it). */
	if (s->raw && m->id != s->id)
		return;
	/* The tag covers the header; the rest must be our pattern. */
	if (m->data_len != p->c->size || memcmp(m->data + PAYLOAD_MIN,
	    p->pkt + 8 + PAYLOAD_MIN, p->c->size - PAYLOAD_MIN) != 0) {
		p->corrupt++;
		return;
	}
	pr = pool_find(&p->pool, h.serial);
	if (pr && (pr->target != h.target || pr->seq != h.seq ||
	    pr->attempt != h.attempt))
		pr = NULL;
	if (p->tr) {
		addr16_from_sockaddr((const struct sockaddr *)&rx->from, a);
		trace_reply(p, t, pr, a, pr ? (double)rtt_ns(rx, pr->sent) /
		    1e6 : NAN);
		return;
	}
	kind = classify(p, t, pr, &h, rx, &rtt);
	/* Names and addresses as text cost more than the rest: only if
	 * the record is written (not under -q, for one). */
	if (!out_wants(p->out, REC_REPLY))
		return;
	event(p, &r, REC_REPLY, t, h.seq, nbuf, abuf);
	addr16_from_sockaddr((const struct sockaddr *)&rx->from, a);
	r.from = addr16_str(s->family, a, fbuf, sizeof(fbuf));
	r.size = (long)m->icmp_len;
	r.ttl = m->ttl >= 0 ? m->ttl : rx->ttl;
	r.rtt_ms = (double)rtt / 1e6;
	r.foreign = kind == R_FOREIGN;
	r.late = kind == R_LATE;
	r.dup = kind == R_DUP;
	emit_event(p, t, &r);
}

/* Target i's probe with this seq, if it is the one a short quote means. */
static struct probe *
latest_probe(struct ping *p, uint32_t i, uint16_t seq)
{
	struct probe *pr;
	int64_t serial;

	/* A trace has many probes in flight: its seq names the probe. */
	serial = p->tr ? trace_serial(p, i, seq) : p->tg->t[i].last_serial;
	if (serial < 0)
		return NULL;
	pr = pool_find(&p->pool, (uint32_t)serial);
	return pr && pr->target == i && (uint16_t)pr->seq == seq ? pr : NULL;
}

/*
 * Which probe an error is about.  With a quote long enough to hold our
 * tag, the tag decides.  RFC 792 only promises 8 bytes of the original
 * datagram beyond its IP header: then the quoted id (raw sockets; a ping
 * socket's queue only holds our own), destination and seq must match the
 * target's latest probe.  Several targets on one address (two names, two
 * scopes) may match alike: then nobody is credited rather than a guess.
 */
static struct probe *
error_probe(struct ping *p, struct sock *s, const struct icmp_msg *m,
    const uint8_t dst[16])
{
	struct probe_hdr h;
	struct probe *pr, *found = NULL;
	int64_t i;
	uint32_t pos = 0;

	if (m->data_len >= TAG_HDR_LEN + TAG_LEN) {
		if (tagged_target(p, s, m, &h) == NULL)
			return NULL;
		pr = pool_find(&p->pool, h.serial);
		return pr && pr->target == h.target && pr->seq == h.seq &&
		    pr->attempt == h.attempt ? pr : NULL;
	}
	if (m->data_len != 0 || (s->raw && m->id != s->id))
		return NULL;
	/* Only probes in flight are found: several, and none is credited. */
	while ((i = targets_next(p->tg, dst, &pos)) >= 0)
		if ((pr = latest_probe(p, (uint32_t)i, m->seq)) != NULL) {
			if (found)
				return NULL;
			found = pr;
		}
	return found;
}

static void
on_error(struct ping *p, struct sock *s, const struct icmp_msg *m,
    const struct sockaddr_storage *from, const uint8_t dst[16],
    const struct rx *rx)
{
	char nbuf[INET6_ADDRSTRLEN + 8], abuf[INET6_ADDRSTRLEN + 8];
	char fbuf[INET6_ADDRSTRLEN];
	struct probe *pr;
	struct target *t;
	struct record r;
	uint8_t a[16];
	int advisory;

	if ((pr = error_probe(p, s, m, dst)) == NULL)
		return;
	t = &p->tg->t[pr->target];
	/* Redirect and source quench do not mean the probe is gone. */
	advisory = s->family == AF_INET && (m->type == 4 || m->type == 5);
	addr16_from_sockaddr((const struct sockaddr *)from, a);
	if (p->tr) {
		if (!advisory)
			trace_error(p, s, pr, m, a, rx);
		return;
	}
	event(p, &r, REC_ERROR, t, pr->seq, nbuf, abuf);
	r.from = addr16_str(s->family, a, fbuf, sizeof(fbuf));
	r.icmp_type = m->type;
	r.icmp_code = m->code;
	r.error = s->family == AF_INET ? icmp4_error_name(m->type, m->code) :
	    icmp6_error_name(m->type, m->code);
	if (m->mtu)
		r.mtu = m->mtu;
	t->errors++;
	if (!advisory)
		finish_probe(p, t);
	emit_event(p, t, &r);
	if (!advisory)
		pool_put(&p->pool, pr);
}

static void
on_packet(struct ping *p, struct sock *s, const struct rx *rx)
{
	struct icmp_msg m;
	int ok;

	if (s->family == AF_INET)
		/* IPv4 raw sockets include the IP header; ping sockets and
		 * every IPv6 socket do not. */
		ok = icmp4_parse(rx->buf, rx->len, s->raw, &m);
	else
		ok = icmp6_parse(rx->buf, rx->len, &m);
	if (ok == -1)
		return;
	if (m.kind == ICMP_KIND_REPLY)
		on_reply(p, s, &m, rx);
	else if (m.kind == ICMP_KIND_ERROR)
		on_error(p, s, &m, &rx->from, m.quote_dst, rx);
}

static void
on_errqueue(struct ping *p, struct sock *s, struct rx *rx)
{
	struct icmp_msg m;
	uint8_t dst[16];

	rx->len = p->rxlen;
	while (sock_recv_err(s, rx) >= 0) {
		if (!rx->is_err) {
			rx->len = p->rxlen;
			continue;
		}
		addr16_from_sockaddr((struct sockaddr *)&rx->from, dst);
		if (icmp_parse_errqueue(s->family, rx->ee_type, rx->ee_code,
		    rx->ee_info, rx->buf, rx->len, &m) == 0) {
			if (rx->ee_origin_local) {
				/* e.g. EMSGSIZE: the kernel's own verdict */
				struct probe *pr = error_probe(p, s, &m, dst);

				if (pr)
					local_failure(p, pr, rx->ee_errno,
					    rx->ee_errno == EMSGSIZE ?
					    (long)rx->ee_info : -1);
			} else {
				on_error(p, s, &m, rx->has_offender ?
				    &rx->offender : &rx->from, dst, rx);
			}
		}
		rx->len = p->rxlen;
	}
}

/*
 * Read what is waiting: at most 16 batches, or with until, every packet
 * that arrived by then (the queue is in arrival order, so a packet stamped
 * later means the rest came later too).
 */
static void
read_socket(struct ping *p, struct sock *s, int64_t until)
{
	int i, n, rounds = 0;

	do {
		for (i = 0; i < p->nrx; i++)
			p->rx[i].len = p->rxlen;
		n = sock_recv(s, p->rx, p->nrx);
		for (i = 0; i < n; i++)
			on_packet(p, s, &p->rx[i]);
	} while (n == p->nrx && (until ? p->rx[n - 1].when <= until :
	    ++rounds < 16));
}

static void
on_readable(void *arg, int fd, unsigned what)
{
	struct ping *p = arg;
	struct sock *s = fd == p->s4.fd ? &p->s4 : &p->s6;

	if (what & LOOP_ERR)
		on_errqueue(p, s, &p->rx[0]);
	if (what & LOOP_IN)
		read_socket(p, s, 0);
}

/*
 * Before probes time out, take in every answer the kernel received by
 * now: after a stall (SIGSTOP, a loaded machine) the replies that came in
 * time are waiting there, and must count.
 */
static void
drain(struct ping *p, int64_t now)
{
	struct probe *pr = pool_oldest(&p->pool);
	struct sock *s[2] = { &p->s4, &p->s6 };
	int i;

	if (pr == NULL || pr->sent + p->c->timeout_ns > now)
		return;
	for (i = 0; i < 2; i++)
		if (s[i]->fd != -1) {
			on_errqueue(p, s[i], &p->rx[0]);
			read_socket(p, s[i], now);
		}
}

static void
on_resolved(void *arg, int fd, unsigned what)
{
	struct ping *p = arg;

	(void)fd;
	(void)what;
	resolver_read(p->res);
}

static int
done(struct ping *p)
{
	if (resolver_pending(p->res))
		return 0;
	if (p->tr)
		return p->cursor >= p->tg->n && trace_all_done(p);
	/* No -c: until interrupted or -w; -a: until every target answered. */
	if (p->c->count == 0 && p->tg->n > 0)
		return p->c->alive && p->answered == p->tg->n;
	return p->outstanding == 0 && p->cursor >= p->tg->n &&
	    fifo_len(&p->q_period) == 0 && fifo_len(&p->q_retry) == 0;
}

static int64_t
next_wakeup(struct ping *p, int64_t now)
{
	struct fifo *q[2] = { &p->q_retry, &p->q_period };
	struct probe *pr;
	struct job *j;
	int64_t t = INT64_MAX, d;
	int i;

	for (i = 0; i < 3; i++) {
		if (i < 2 && (j = fifo_peek(q[i])) != NULL)
			d = j->due;
		else if (i == 2 && p->cursor < p->tg->n)
			d = now;
		else
			continue;
		if (d < p->next_send)
			d = p->next_send;
		if (d < p->backoff)
			d = p->backoff;
		if (d < t)
			t = d;
	}
	if ((pr = pool_oldest(&p->pool)) && pr->sent + p->c->timeout_ns < t)
		t = pr->sent + p->c->timeout_ns;
	if (p->c->deadline_ns && p->start + p->c->deadline_ns < t)
		t = p->start + p->c->deadline_ns;
	if (p->linger && p->linger < t)
		t = p->linger;
	if (t == INT64_MAX)
		return -1;
	return t > now ? t - now : 0;
}

/* run_counts.target_now */
static int
target_now(void *engine, long i, struct record *r, char *nbuf, char *abuf)
{
	struct ping *p = engine;

	if (i < 0 || i >= (long)p->tg->n)
		return -1;
	event(p, r, REC_SUMMARY, &p->tg->t[i], -1, nbuf, abuf);
	counts(&p->tg->t[i], r);
	return 0;
}

/*
 * Views that redraw on a clock (--live, the progress line): returns the
 * time to wait, shortened to their next redraw.
 */
static int64_t
tick(struct ping *p, int64_t wait)
{
	struct run_counts rc;
	int64_t now = mono_ns(), next;

	rc.sent = p->sent;
	rc.total = (uint64_t)p->c->count * p->tg->n;
	rc.targets = p->tg->n;
	rc.answered = p->answered;
	rc.elapsed = (double)(now - p->start) / 1e9;
	rc.target_now = target_now;
	rc.engine = p;
	next = out_tick(p->out, &rc, now);
	return next >= 0 && (wait < 0 || next < wait) ? next : wait;
}

/*
 * A duplicate comes about one round trip after the reply it copies: wait
 * twice the slowest round trip of the run, from 5 to 50 ms, never longer
 * than the timeout.
 */
static int64_t
linger_ns(const struct ping *p)
{
	int64_t l = 2 * p->rtt_max;

	if (l < LINGER_MIN_NS)
		l = LINGER_MIN_NS;
	if (l > LINGER_NS)
		l = LINGER_NS;
	return l < p->c->timeout_ns ? l : p->c->timeout_ns;
}

int
ping_run(struct ping *p, struct loop *l)
{
	int64_t now;

	/*
	 * A timed wait ends up to the timer slack late (50 us by default);
	 * -i is counted from each send, so every wake-up's delay would
	 * slow the rate down.  A microsecond is enough.
	 */
	(void)prctl(PR_SET_TIMERSLACK, 1000UL, 0UL, 0UL, 0UL);
	if (p->s4.fd != -1 && loop_add(l, p->s4.fd, on_readable, p) == -1)
		return -1;
	if (p->s6.fd != -1 && loop_add(l, p->s6.fd, on_readable, p) == -1)
		return -1;
	for (;;) {
		now = mono_ns();
		if (*p->sig_stop)
			break;
		if (*p->sig_quit) {
			*p->sig_quit = 0;
			ping_summaries(p);
		}
		if (p->c->deadline_ns && now >= p->start + p->c->deadline_ns)
			break;
		drain(p, now);
		expire(p, now);
		send_due(p, now);
		if (p->nomem) {
			errno = ENOMEM;
			return -1;
		}
		/*
		 * All answered: linger a moment so duplicates of the last
		 * replies are still seen and counted, then end.
		 */
		if (done(p)) {
			if (p->tr)
				break;
			if (p->linger == 0)
				p->linger = now + linger_ns(p);
			if (now >= p->linger)
				break;
		}
		if (out_flush(p->out) == -1) {
			p->write_error = errno;
			return -1;
		}
		/* Signals come as loop events; EINTR is a stop and continue
		 * (Ctrl-Z, SIGSTOP), which epoll_wait never restarts. */
		if (loop_poll(l, tick(p, next_wakeup(p, mono_ns()))) == -1 &&
		    errno != EINTR)
			return -1;
	}
	return 0;
}

int
ping_add_resolver(struct ping *p, struct loop *l, int fd)
{
	return loop_add(l, fd, on_resolved, p);
}

void
ping_summaries(struct ping *p)
{
	char nbuf[INET6_ADDRSTRLEN + 8], abuf[INET6_ADDRSTRLEN + 8];
	struct target *t;
	struct record r;
	uint32_t i, k, *order;

	if (p->tr)
		return;		/* a trace ends with its own record */
	/* In the order given, as fping does: names resolve in any order. */
	order = targets_in_order(p->tg);
	for (k = 0; k < p->tg->n; k++) {
		i = order ? order[k] : k;
		t = &p->tg->t[i];
		event(p, &r, REC_SUMMARY, t, -1, nbuf, abuf);
		if (t->flags & T_BCAST)
			r.responders = responders_of(p, i);
		emit_event(p, t, &r);
	}
	free(order);
}
