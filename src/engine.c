/*
 * The engine: what every run does whatever it probes with and whatever it
 * measures.  Probes are sent in batches from the mode's queue, the retry
 * queue and the targets not started yet; answers are read, recognised by
 * the method, matched to their probe in the pool and handed to the mode;
 * probes nobody answered expire in send order.
 */
#include <sys/prctl.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine.h"

#define SEND_BURST	256	/* sends before we look at answers again */
#define RX_BATCH	64
#define NS		1000000000LL
#define FLUSH_NS	(100 * 1000000LL)	/* output waits at most */

int64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * NS + ts.tv_nsec;
}

int64_t
engine_now(const struct engine *e)
{
	return e->clock();
}

/*
 * A slot per probe of a send batch, allocated once: no allocation per
 * probe.  Big probes get fewer slots (at most about 1 MB).
 */
static int
tx_slots(struct engine *e)
{
	size_t len = e->m->probe_len(e->c);
	int n;

	e->ntx = (int)((1 << 20) / len);
	if (e->ntx > TX_BATCH)
		e->ntx = TX_BATCH;
	if (e->ntx < 1)
		e->ntx = 1;
	e->pkt = malloc((size_t)e->ntx * len);
	e->tx = calloc((size_t)e->ntx, sizeof(*e->tx));
	if (e->pkt == NULL || e->tx == NULL)
		return -1;
	for (n = 0; n < e->ntx; n++) {
		e->tx[n].buf = e->pkt + (size_t)n * len;
		e->tx[n].len = len;
		e->m->prepare(e->mst, e->tx[n].buf, len);
	}
	return 0;
}

static int
rx_slots(struct engine *e)
{
	int n;

	e->rxlen = e->m->answer_len(e->c);
	e->nrx = RX_BATCH;
	e->rx = calloc((size_t)e->nrx, sizeof(*e->rx));
	e->rxbuf = malloc((size_t)e->nrx * e->rxlen);
	if (e->rx == NULL || e->rxbuf == NULL)
		return -1;
	for (n = 0; n < e->nrx; n++)
		e->rx[n].buf = e->rxbuf + (size_t)n * e->rxlen;
	return 0;
}

int
engine_init(struct engine *e, const struct conf *c, struct targets *tg,
    struct report *rep, const struct method *m)
{
	memset(e, 0, sizeof(*e));
	e->c = c;
	e->tg = tg;
	e->rep = rep;
	e->out = rep->out;
	e->m = m;
	e->clock = mono_ns;
	e->s4.fd = e->s6.fd = -1;
	if ((e->mst = m->create(c, tg)) == NULL)
		return -1;
	if (tx_slots(e) == -1 || rx_slots(e) == -1)
		return -1;
	e->start = e->next_send = e->clock();
	return 0;
}

void
engine_free(struct engine *e)
{
	if (e->mode && e->mode->destroy)
		e->mode->destroy(e);
	if (e->mst)
		e->m->destroy(e->mst);
	fifo_free(&e->q_send);
	rounds_free(&e->q_round);
	fifo_free(&e->q_retry);
	fifo_free(&e->q_timer);
	fifo_free(&e->q_side);
	pool_free(&e->pool);
	free(e->pkt);
	free(e->tx);
	free(e->rx);
	free(e->rxbuf);
}

/* j marked as the side mode's while it runs (struct engine). */
static void
push(struct engine *e, struct fifo *q, const struct job *j)
{
	struct job k = *j;

	k.side = e->side;
	if (fifo_push(q, &k) == -1)
		e->nomem = 1;
}

void
engine_queue(struct engine *e, const struct job *j)
{
	push(e, e->side ? &e->q_side : &e->q_send, j);
}

void
engine_timer(struct engine *e, const struct job *j)
{
	struct job k = *j;

	k.side = e->side;
	/* Timers come due in any order (trace pacing): kept in due order. */
	if (fifo_insert(&e->q_timer, &k) == -1)
		e->nomem = 1;
}

void
engine_tick_by(struct engine *e, int64_t t)
{
	if (t < e->next_tick)
		e->next_tick = t;
}

static struct sock *
sock_of(struct engine *e, const struct target *t)
{
	return t->family == AF_INET ? &e->s4 : &e->s6;
}

void
engine_round(struct engine *e, uint32_t target, int64_t due)
{
	struct job j;

	if (e->side) {		/* a side mode's jobs are all in q_side */
		memset(&j, 0, sizeof(j));
		j.due = due;
		j.target = target;
		j.seq = e->tg->t[target].sent;
		engine_queue(e, &j);
	} else if (rounds_push(&e->q_round, target, due) == -1)
		e->nomem = 1;
}

int
engine_idle(const struct engine *e)
{
	return e->outstanding == 0 && fifo_len(&e->q_send) == 0 &&
	    rounds_len(&e->q_round) == 0 && fifo_len(&e->q_retry) == 0;
}

/* A probe has its outcome: it is no longer in flight. */
static void
landed(struct engine *e, const struct probe *pr)
{
	if (pr->side)
		return;
	e->tg->t[pr->target].inflight--;
	e->outstanding--;
}

void
engine_settle(struct engine *e, struct probe *pr)
{
	landed(e, pr);
	pool_put(&e->pool, pr);
}

/* Hand a non-reply outcome to the mode (its counts already say the
 * probe has landed), then give the slot back. */
static void
conclude(struct engine *e, struct probe *pr, const struct answer *a,
    const struct rx *rx)
{
	landed(e, pr);
	/* A target that left has had its last record: no more. */
	if (!(e->tg->t[pr->target].flags & T_GONE))
		e->mode->outcome(e, pr, a, rx);
	pool_put(&e->pool, pr);
}

/* Not a target's to probe (any more): it left, or has no address. */
static int
unprobed(const struct engine *e, uint32_t target)
{
	const struct target *t = &e->tg->t[target];

	return (t->flags & T_GONE) || t->family == 0;
}

/* A probe that could not leave this host: an outcome like an error. */
static void
local_failure(struct engine *e, struct probe *pr, int err, long mtu)
{
	struct answer a;

	memset(&a, 0, sizeof(a));
	a.kind = OC_LOCAL;
	a.family = e->tg->t[pr->target].family;
	a.err = err;
	a.mtu = mtu;
	a.ttl = -1;
	conclude(e, pr, &a, NULL);
}

/* A probe's time is up: retry it, or it is lost; its slot is freed. */
static void
time_out(struct engine *e, struct probe *pr, int64_t now)
{
	struct answer a;
	struct job j;

	if (pr->attempt < e->c->retries && !unprobed(e, pr->target)) {
		memset(&j, 0, sizeof(j));
		j.due = now;
		j.target = pr->target;
		j.seq = pr->seq;
		j.attempt = (uint8_t)(pr->attempt + 1);
		j.side = pr->side;
		if (fifo_push(&e->q_retry, &j) == -1)
			e->nomem = 1;
		pool_put(&e->pool, pr);
		return;
	}
	memset(&a, 0, sizeof(a));
	a.kind = OC_TIMEOUT;
	a.family = e->tg->t[pr->target].family;
	a.ttl = -1;
	conclude(e, pr, &a, NULL);
}

void
engine_late(struct engine *e, struct probe *pr, int64_t now)
{
	time_out(e, pr, now);
}

/*
 * The pending probe that times out first, or NULL; *at: when.  Each
 * attempt's list is in send order, so also in expiry order: only their
 * heads can be next.
 */
static struct probe *
next_expiry(struct engine *e, int64_t *at)
{
	struct probe *pr, *best = NULL;
	unsigned k;
	int64_t t;

	for (k = 0; k < e->pool.levels; k++) {
		if ((pr = pool_oldest_at(&e->pool, k)) == NULL)
			continue;
		t = pr->sent + conf_timeout(e->c, k);
		if (best == NULL || t < *at)
			best = pr, *at = t;
	}
	return best;
}

static void
expire(struct engine *e, int64_t now)
{
	struct probe *pr;
	int64_t at;

	while ((pr = next_expiry(e, &at)) && at <= now)
		time_out(e, pr, now);
}

/*
 * Due probes go out in batches of up to TX_BATCH, all to one socket, each
 * in its own send slot.  A batch is built from the heads of the queues
 * and the cursor without taking anything off them; only the probes the
 * kernel took (or refused for good) are then committed.  The rest go
 * back, not lost and not counted, to be built again later.
 */
struct batch {
	struct job	 job[TX_BATCH];
	uint32_t	 serial[TX_BATCH];	/* their probes' */
	uint8_t		 src[TX_BATCH];	/* 0 retry, 1 mode's queue, 2 cursor,
					   3 side queue, 4 rounds */
	uint32_t	 took[5];	/* jobs taken from each source */
	int		 n;
};

/* The mode's timers that are due (trace rounds): run them first. */
static void
run_timers(struct engine *e, int64_t now)
{
	struct job *h, j;

	while ((h = fifo_peek(&e->q_timer)) != NULL && h->due <= now) {
		j = *h;
		fifo_pop(&e->q_timer);
		e->mode->timer(e, &j, now);
	}
}

static struct fifo *
fifo_of(struct engine *e, int src)
{
	return src == 0 ? &e->q_retry : src == 1 ? &e->q_send : &e->q_side;
}

/* Job k of queue src (struct batch) into *j: 1, or 0: none.  A round's
 * seq is its target's count (engine_round). */
static int
queue_at(struct engine *e, int src, size_t k, struct job *j)
{
	const struct job *h;
	uint32_t target;
	int64_t due;

	if (src == 4) {
		if (!rounds_at(&e->q_round, k, &target, &due))
			return 0;
		memset(j, 0, sizeof(*j));
		j->due = due;
		j->target = target;
		j->seq = e->tg->t[target].sent;
		return 1;
	}
	if ((h = fifo_at(fifo_of(e, src), k)) == NULL)
		return 0;
	*j = *h;
	return 1;
}

/* The head of source src is taken (or dropped). */
static void
queue_pop(struct engine *e, int src)
{
	if (src == 2)
		e->cursor++;
	else if (src == 4)
		rounds_pop(&e->q_round);
	else
		fifo_pop(fifo_of(e, src));
}

/*
 * The head of one of the mode's queues at the batch's look-ahead, if due
 * and still wanted.  Only the head can be dropped: a batch under way
 * ends at an unwanted job and the next batch drops it.  1: *j; 0: none;
 * -1: end the batch.
 */
static int
queued_job(struct engine *e, int src, int64_t now, const struct batch *b,
    struct job *j)
{
	while (queue_at(e, src, b->took[src], j) && j->due <= now) {
		if (!unprobed(e, j->target) && (e->mode->wanted == NULL ||
		    e->mode->wanted(e, j)))
			return 1;
		if (b->took[src] > 0)
			return -1;
		queue_pop(e, src);
	}
	return 0;
}

/*
 * The next probe due by now: retries first, then the mode's queue, then
 * the first probe of targets not started yet.  Those need no queue: they
 * are the table from the cursor on, which also picks up names as they
 * resolve.  Returns the source (see struct batch), or -1.
 */
static int
next_job(struct engine *e, int64_t now, const struct batch *b,
    struct job *j)
{
	struct job *h;
	uint32_t t;
	int r;

	run_timers(e, now);
	/* A retry of a target that left since: dropped at the head. */
	while (b->took[0] == 0 && (h = fifo_peek(&e->q_retry)) != NULL &&
	    h->due <= now && unprobed(e, h->target))
		fifo_pop(&e->q_retry);
	if ((h = fifo_at(&e->q_retry, b->took[0])) != NULL && h->due <= now) {
		*j = *h;
		return 0;
	}
	for (;;) {
		if ((r = queued_job(e, 1, now, b, j)) != 0)
			return r > 0 ? 1 : -1;
		if ((r = queued_job(e, 4, now, b, j)) != 0)
			return r > 0 ? 4 : -1;
		/* After the due pings: a side trace never delays them. */
		if ((r = queued_job(e, 3, now, b, j)) != 0)
			return r > 0 ? 3 : -1;
		t = e->cursor + b->took[2];
		if (t >= e->tg->n)
			return -1;
		if (unprobed(e, t)) {
			if (b->took[2] > 0)
				return -1;
			e->cursor++;
			continue;
		}
		if (e->mode->first) {
			if (e->mode->first(e, t, now, j) == 1)
				return 2;
			/* No probe for it: skip it once nothing is taken. */
			if (b->took[2] > 0)
				return -1;
			e->cursor++;
			continue;
		}
		/* begin queues the target's probes: it starts now. */
		if (b->took[2] > 0)
			return -1;
		if (e->mode->begin(e, t, now) == -1) {
			e->nomem = 1;
			return -1;
		}
		e->cursor++;
	}
}

static void
probe_build(struct engine *e, struct tx *tx, const struct job *j,
    uint32_t serial, int64_t sent)
{
	struct target *t = &e->tg->t[j->target];
	struct probe_hdr h;

	h.serial = serial;
	h.target = j->target;
	h.seq = j->seq;
	h.sent_us = (uint32_t)(sent / 1000);
	h.attempt = j->attempt;
	h.flags = j->side;	/* a late reply's probe has left the pool */
	e->m->build(e->mst, sock_of(e, t), tx, t, &h,
	    j->has_flow ? (int)j->flow : -1);
}

/*
 * Up to max due probes, each in a slot of the pool, built in e->tx and
 * stamped as sent at sent.  With -i, one: the next may only go once this
 * one has left (see send_due).  One socket per batch; each probe carries
 * its TTL (sock.c: a control message), so a trace's batch of many TTLs
 * is one system call, except on a socket that takes none (s.ttl_each:
 * IPv6 ping sockets, see method_icmp.c), whose batch has one TTL.
 */
static void
batch_fill(struct engine *e, int64_t now, int64_t sent, struct batch *b,
    int max)
{
	struct probe *pr;
	struct job j;
	int src, family = 0;

	b->n = 0;
	memset(b->took, 0, sizeof(b->took));
	if (max > e->ntx)
		max = e->ntx;
	if (e->c->interval_ns && max > 1)
		max = 1;
	while (b->n < max && e->next_send <= now &&
	    (src = next_job(e, now, b, &j)) >= 0) {
		if (b->n && (e->tg->t[j.target].family != family ||
		    (j.ttl != b->job[0].ttl &&
		    !sock_of(e, &e->tg->t[j.target])->ttl_each)))
			break;
		family = e->tg->t[j.target].family;
		if ((pr = pool_take(&e->pool)) == NULL) {
			e->nomem = 1;
			break;
		}
		pr->target = j.target;
		pr->seq = j.seq;
		pr->attempt = j.attempt;
		pr->side = j.side;
		probe_build(e, &e->tx[b->n], &j, pr->serial, sent);
		e->tx[b->n].ttl = j.ttl;
		b->serial[b->n] = pr->serial;
		b->job[b->n] = j;
		b->src[b->n++] = (uint8_t)src;
		b->took[src]++;
	}
}

/* Batch probe i left (or failed for good): take its job off its source. */
static void
commit(struct engine *e, const struct batch *b, int i, int64_t now)
{
	const struct job *j = &b->job[i];
	struct target *t = &e->tg->t[j->target];
	struct probe *pr = pool_find(&e->pool, b->serial[i]);

	queue_pop(e, b->src[i]);
	if (j->attempt == 0 && !j->side) {
		t->sent++;
		e->sent++;
		t->inflight++;
		e->outstanding++;
	}
	e->mode->sent(e, j, b->serial[i], now);
	if (e->tx[i].err)
		local_failure(e, pr, e->tx[i].err, e->tx[i].err == EMSGSIZE ?
		    sock_path_mtu(sock_of(e, t), e->c, &e->tx[i].to,
		    e->tx[i].tolen) : -1);
}

static void
send_due(struct engine *e, int64_t now)
{
	struct batch b;
	struct sock *s;
	int64_t sent_at;
	int burst = 0, i, n;

	if (now < e->backoff)
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
		sent_at = e->clock();
		batch_fill(e, now, sent_at, &b, SEND_BURST - burst);
		if (b.n == 0)
			return;
		s = sock_of(e, &e->tg->t[b.job[0].target]);
		n = e->m->send(e->mst, s, e->tx, b.n);
		/* -i is a minimum: counted from when this one has left. */
		if (n > 0 && e->c->interval_ns)
			e->next_send = e->clock() + e->c->interval_ns;
		for (i = 0; i < n; i++) {
			pool_append(&e->pool, pool_slot(&e->pool, b.serial[i]),
			    sent_at);
			commit(e, &b, i, now);
		}
		/* The kernel's queue is full: not lost, not yet sent. */
		for (i = n; i < b.n; i++)
			pool_put(&e->pool, pool_slot(&e->pool, b.serial[i]));
		burst += n;
		if (n < b.n) {
			e->backoff = now + 1000000;
			return;
		}
	}
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

/* Target i's probe with this seq, if it is the one a short quote means. */
static struct probe *
latest_probe(struct engine *e, uint32_t i, uint16_t seq, int any_seq)
{
	struct probe *pr;
	int64_t serial;

	serial = e->mode->serial_of(e, i, seq);
	if (serial < 0)
		return NULL;
	pr = pool_find(&e->pool, (uint32_t)serial);
	return pr && pr->target == i && (any_seq || (uint16_t)pr->seq == seq) ?
	    pr : NULL;
}

/*
 * Which probe an answer is about.  A verified tag names it (if it is
 * still in flight).  A transport tag (by_serial) names the low 16 bits of
 * its serial, which with the destination find any probe in flight.  RFC
 * 792 only promises 8 bytes of the original datagram beyond its IP
 * header: then the method matched what it could (for ICMP, the id), and
 * the destination and wire seq must match one target's latest probe.  Several targets on one address (two names, two
 * scopes) may match alike: then nobody is credited rather than a guess.
 */
static struct probe *
probe_of(struct engine *e, const struct answer *a)
{
	struct probe *pr, *found = NULL;
	uint32_t pos = 0;
	int64_t i;

	if (a->tagged) {
		pr = pool_find(&e->pool, a->h.serial);
		return pr && pr->target == a->h.target &&
		    pr->seq == a->h.seq && pr->attempt == a->h.attempt ?
		    pr : NULL;
	}
	while ((i = targets_next(e->tg, a->dst, &pos)) >= 0)
		if ((pr = a->by_serial ? pool_find16(&e->pool, a->serial16,
		    (uint32_t)i) : latest_probe(e, (uint32_t)i, a->seq16,
		    a->latest)) != NULL) {
			if (found)
				return NULL;
			found = pr;
		}
	return found;
}

void
engine_answer(struct engine *e, struct answer *a, const struct rx *rx)
{
	struct probe *pr = probe_of(e, a);

	/* The answer of a target that left (its last record is out): its
	 * probe, if still in flight, just expires. */
	if (a->tagged && a->h.target < e->tg->n &&
	    (e->tg->t[a->h.target].flags & T_GONE))
		return;

	if (a->kind == OC_REPLY) {
		if (!a->tagged) {
			/* A reply without our tag (a service's own datagram)
			 * is its target's latest probe in flight, or nothing. */
			if (pr == NULL)
				return;
			a->h.serial = pr->serial;
			a->h.target = pr->target;
			a->h.seq = pr->seq;
			a->h.attempt = pr->attempt;
			a->h.flags = pr->side;
		}
		a->rtt_ns = rtt_ns(rx, pr ? pr->sent : sent_of(&a->h, rx));
		e->mode->outcome(e, pr, a, rx);
		return;
	}
	if (pr == NULL)
		return;
	a->rtt_ns = rtt_ns(rx, pr->sent);
	if (a->kind == OC_LOCAL)
		local_failure(e, pr, a->err, a->mtu);
	else if (a->kind == OC_ADVISORY || (a->kind == OC_ERROR &&
	    e->c->error_waits))
		e->mode->outcome(e, pr, a, rx);
	else
		conclude(e, pr, a, rx);
}

/* The error queue, in batches, until it is empty. */
static void
read_errqueue(struct engine *e, struct sock *s)
{
	struct answer a;
	int i, n;

	do {
		for (i = 0; i < e->nrx; i++)
			e->rx[i].len = e->rxlen;
		n = sock_recv_err(s, e->rx, e->nrx);
		for (i = 0; i < n; i++)
			if (e->rx[i].is_err && e->m->recognise_err(e->mst, s,
			    &e->rx[i], &a))
				engine_answer(e, &a, &e->rx[i]);
	} while (n == e->nrx);
}

/*
 * Read what is waiting: at most 16 batches, or with until, every packet
 * that arrived by then (the queue is in arrival order, so a packet stamped
 * later means the rest came later too).
 */
static void
read_socket(struct engine *e, struct sock *s, int64_t until)
{
	struct answer a;
	int i, n, rounds = 0;

	do {
		for (i = 0; i < e->nrx; i++)
			e->rx[i].len = e->rxlen;
		n = sock_recv(s, e->rx, e->nrx);
		for (i = 0; i < n; i++)
			if (e->m->recognise(e->mst, s, &e->rx[i], &a))
				engine_answer(e, &a, &e->rx[i]);
	} while (n == e->nrx && (until ? e->rx[n - 1].when <= until :
	    ++rounds < 16));
}

/* A method's drain hands its answers here (method.h). */
static void
drained(void *ctx, struct answer *a, const struct rx *rx)
{
	engine_answer(ctx, a, rx);
}

static void
on_readable(void *arg, int fd, unsigned what)
{
	struct engine *e = arg;
	struct sock *s = fd == e->s4.fd ? &e->s4 : &e->s6;

	if (e->m->drain) {
		e->m->drain(e->mst, s, e->clock(), drained, e);
		return;
	}
	if (what & LOOP_ERR)
		read_errqueue(e, s);
	if (what & LOOP_IN)
		read_socket(e, s, 0);
}

/*
 * Before probes time out, take in every answer the kernel received by
 * now: after a stall (SIGSTOP, a loaded machine) the replies that came in
 * time are waiting there, and must count.
 */
static void
drain(struct engine *e, int64_t now)
{
	struct sock *s[2] = { &e->s4, &e->s6 };
	int64_t at;
	int i;

	if (next_expiry(e, &at) == NULL || at > now)
		return;
	for (i = 0; i < 2; i++)
		if (s[i]->fd != -1 && e->m->drain)
			e->m->drain(e->mst, s[i], now, drained, e);
		else if (s[i]->fd != -1) {
			read_errqueue(e, s[i]);
			read_socket(e, s[i], now);
		}
}

static void
on_resolved(void *arg, int fd, unsigned what)
{
	struct engine *e = arg;

	(void)fd;
	(void)what;
	resolver_read(e->res);
}

/* A first probe queued: a ping round goes with the others, behind them. */
static void
queue_first(struct engine *e, const struct job *j)
{
	if (j->attempt == 0 && j->ttl == 0 && !j->has_flow &&
	    j->seq == e->tg->t[j->target].sent)
		engine_round(e, j->target, j->due);
	else
		engine_queue(e, j);
}

int
engine_restart(struct engine *e, uint32_t target)
{
	struct job j;
	int64_t now = e->clock();

	if (target >= e->cursor)
		return 0;	/* its turn is still to come */
	/* The mode's queue is in due order and only its head is looked
	 * at: due now, the probe leaves once the jobs ahead of it are due,
	 * within one period. */
	if (e->mode->begin)
		return e->mode->begin(e, target, now);
	if (e->mode->first(e, target, now, &j) == 1)
		queue_first(e, &j);
	return e->nomem ? -1 : 0;
}

int
engine_add_resolver(struct engine *e, struct loop *l, int fd)
{
	return loop_add(l, fd, on_resolved, e);
}

/*
 * Whether the run is over: every target started, no name still
 * resolving, and the mode says so.  A stop (signal, deadline) is decided
 * in engine_step.
 */
static int
done(struct engine *e, int64_t now)
{
	if (e->feed || (e->res && resolver_pending(e->res)))
		return 0;
	if (e->cursor < e->tg->n || e->mode->done == NULL)
		return 0;
	return e->mode->done(e, now);
}

int
engine_step(struct engine *e, int64_t now)
{
	if (e->sig_stop && *e->sig_stop) {
		e->why = "interrupted";
		return 1;
	}
	if (e->sig_quit && *e->sig_quit) {
		*e->sig_quit = 0;
		if (e->mode->interim)
			e->mode->interim(e);
	}
	if (e->c->deadline_ns && now >= e->start + e->c->deadline_ns) {
		e->why = "deadline";
		return 1;
	}
	drain(e, now);
	if (e->feed && e->feed(e->feed_arg) == 0)
		e->feed = NULL;
	/* the mode ended the run on an answer (fping -X), or the feed */
	if (e->why)
		return 1;
	expire(e, now);
	send_due(e, now);
	if (e->mode->tick && now >= e->next_tick)
		e->next_tick = e->mode->tick(e, now);
	if (e->hook)
		e->next_hook = e->hook(e->hook_arg, now);
	if (e->nomem)
		return -1;
	return done(e, now);
}

static int64_t
earliest(const struct engine *e, int64_t d, int64_t t)
{
	if (d < e->next_send)
		d = e->next_send;
	if (d < e->backoff)
		d = e->backoff;
	return d < t ? d : t;
}

int64_t
engine_wait(struct engine *e, int64_t now)
{
	struct fifo *q[4] = { &e->q_retry, &e->q_send, &e->q_timer,
		&e->q_side };
	struct job *j;
	int64_t t = INT64_MAX, d;
	uint32_t target;
	int i;

	for (i = 0; i < 4; i++)
		if ((j = fifo_peek(q[i])) != NULL)
			t = earliest(e, j->due, t);
	if (rounds_at(&e->q_round, 0, &target, &d))
		t = earliest(e, d, t);
	if (e->cursor < e->tg->n)
		t = earliest(e, now, t);
	if (e->feed && e->feed_now)
		t = now;
	if (next_expiry(e, &d) && d < t)
		t = d;
	if (e->c->deadline_ns && e->start + e->c->deadline_ns < t)
		t = e->start + e->c->deadline_ns;
	if (e->mode->wake && (d = e->mode->wake(e)) < t)
		t = d;
	if (e->mode->tick && e->next_tick < t)
		t = e->next_tick;
	if (e->hook && e->next_hook < t)
		t = e->next_hook;
	if (t == INT64_MAX)
		return -1;
	return t > now ? t - now : 0;
}

/* run_counts.target_now: a name points into the table's arena, an
 * address is copied to the caller's buffer, which outlives this call. */
static int
target_now(void *engine, long i, struct record *r, char *nbuf, char *abuf)
{
	struct engine *e = engine;
	const struct target *t;
	struct rec_text txt;

	(void)nbuf;
	if (i < 0 || i >= (long)e->tg->n)
		return -1;
	t = &e->tg->t[i];
	report_target(e->rep, r, REC_SUMMARY, t, &txt);
	r->addr = r->addr ? strcpy(abuf, txt.addr) : NULL;
	if (!(t->flags & T_NAMED))
		r->target = r->addr;
	report_counts(e->rep, t, r);
	return 0;
}

/*
 * Views that redraw on a clock (--live, the progress line): returns the
 * time to wait, shortened to their next redraw.
 */
static int64_t
views(struct engine *e, int64_t wait)
{
	struct run_counts rc;
	int64_t now = e->clock(), next;

	rc.sent = e->sent;
	rc.total = (uint64_t)e->c->count * e->tg->n;
	rc.targets = e->tg->n;
	rc.answered = e->rep->answered;
	rc.elapsed = (double)(now - e->start) / 1e9;
	rc.target_now = target_now;
	rc.engine = e;
	next = out_tick(e->out, &rc, now);
	return next >= 0 && (wait < 0 || next < wait) ? next : wait;
}

/*
 * The output, before the loop waits.  A terminal's after every step.  A
 * file's or a pipe's (out.hold) at most every FLUSH_NS: a sweep's records
 * go out in a few large writes, not a write per step.  Records written
 * when the last flush is older than that go out at once (a ping's reply
 * line a second after the one before), later ones within FLUSH_NS (the
 * wait is cut short for them); so do the reports a reader waits for (-Q,
 * SIGQUIT, an outage: out.urgent).  -1 on a write error.
 */
static int
flush_output(struct engine *e, int64_t now, int64_t *wait)
{
	struct out *o = e->out;
	int64_t left = e->flushed + FLUSH_NS - now;

	if (!o->pending)
		return 0;
	if (o->hold && !o->urgent && left > 0) {
		if (*wait < 0 || *wait > left)
			*wait = left;
		return 0;
	}
	e->flushed = now;
	return out_flush(o);
}

/*
 * A run with something due at every turn (a sweep at -i 0) reads its
 * sockets at every turn anyway: after BUSY_TURNS such turns in a row its
 * sockets leave epoll's interest list (loop_quiet: what that saves the
 * kernel per packet), and they go back before the first wait.  A paced
 * run, which waits between sends, never leaves it.
 */
#define BUSY_TURNS	4

static int
quiet_sockets(struct engine *e, struct loop *l, int on)
{
	if (e->s4.fd != -1 && loop_quiet(l, e->s4.fd, on) == -1)
		return -1;
	if (e->s6.fd != -1 && loop_quiet(l, e->s6.fd, on) == -1)
		return -1;
	return 0;
}

/* One turn of the loop after a step: output, then wait for what is due. */
static int
turn(struct engine *e, struct loop *l, int *busy)
{
	int64_t wait = views(e, engine_wait(e, e->clock()));

	if (flush_output(e, e->clock(), &wait) == -1) {
		e->write_error = errno;
		return -1;
	}
	*busy = wait == 0 ? *busy + 1 : 0;
	if ((*busy == 0 || *busy == BUSY_TURNS) &&
	    quiet_sockets(e, l, *busy != 0) == -1)
		return -1;
	/* Signals come as loop events; EINTR is a stop and continue
	 * (Ctrl-Z, SIGSTOP), which epoll_wait never restarts. */
	if (loop_poll(l, wait) == -1 && errno != EINTR)
		return -1;
	return 0;
}

int
engine_run(struct engine *e, struct loop *l)
{
	int r, busy = 0, saved;

	/*
	 * A timed wait ends up to the timer slack late (50 us by default);
	 * -i is counted from each send, so every wake-up's delay would
	 * slow the rate down.  A microsecond is enough.
	 */
	(void)prctl(PR_SET_TIMERSLACK, 1000UL, 0UL, 0UL, 0UL);
	if (e->s4.fd != -1 && loop_add(l, e->s4.fd, on_readable, e) == -1)
		return -1;
	if (e->s6.fd != -1 && loop_add(l, e->s6.fd, on_readable, e) == -1)
		return -1;
	while ((r = engine_step(e, e->clock())) == 0 &&
	    (r = turn(e, l, &busy)) == 0)
		;
	if (r == -1 && e->nomem)
		errno = ENOMEM;
	/* The sockets back in epoll: later polls (the names' pipe) must
	 * not read them. */
	saved = errno;
	(void)quiet_sockets(e, l, 0);
	errno = saved;
	return r == -1 ? -1 : 0;
}

void
engine_finish(struct engine *e)
{
	e->mode->finish(e, e->why);
}
