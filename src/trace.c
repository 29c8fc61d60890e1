/*
 * --trace: hop tables, TTL windows and hop lines.  The engine (ping.c)
 * sends, matches and expires probes as in ping mode; this file decides
 * which probes to queue and what their outcomes mean for a trace.
 */
#include <sys/socket.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ping.h"
#include "rdns.h"
#include "trace.h"

#define ADDRLEN	(INET6_ADDRSTRLEN + 8)

int
trace_init(struct ping *p)
{
	struct trace *tr;

	if ((tr = calloc(1, sizeof(*tr))) == NULL)
		return -1;
	p->tr = tr;
	return 0;
}

void
trace_free(struct ping *p)
{
	struct trace *tr = p->tr;
	uint32_t i;

	if (tr == NULL)
		return;
	for (i = 0; i < tr->cap; i++) {
		free(tr->tt[i].hp);
		free(tr->tt[i].mpls);
	}
	free(tr->tt);
	free(tr->waiting);
	rdns_free(tr->rdns);
	free(tr);
	p->tr = NULL;
}

static struct hop_probe *
slot(const struct ping *p, const struct trace_target *tt, int ttl, int q)
{
	return &tt->hp[(size_t)(ttl - 1) * (size_t)p->c->queries + (size_t)q];
}

static struct trace_target *
tt_of(const struct ping *p, uint32_t target)
{
	struct trace *tr = p->tr;

	return target < tr->cap && tr->tt[target].running ?
	    &tr->tt[target] : NULL;
}

/* Queue the probes of every TTL the window now allows. */
static void
fill_window(struct ping *p, struct trace_target *tt, uint32_t target,
    int64_t now)
{
	struct job j;
	int q;

	while (!tt->done && !tt->idle && tt->next_ttl <= tt->limit &&
	    tt->next_ttl <= tt->printed + p->c->window) {
		for (q = 0; q < p->c->queries; q++) {
			j.due = now;
			j.target = target;
			j.seq = TRACE_SEQ(tt->next_ttl, q);
			j.attempt = 0;
			fifo_push(&p->q_period, &j);
		}
		tt->next_ttl++;
	}
}

int
trace_begin(struct ping *p, uint32_t target, int64_t now)
{
	struct trace *tr = p->tr;
	struct trace_target *tt;
	uint32_t cap;

	if (target >= tr->cap) {
		cap = tr->cap ? tr->cap : 64;
		while (cap <= target)
			cap *= 2;
		if ((tt = realloc(tr->tt, cap * sizeof(*tt))) == NULL)
			return -1;
		memset(tt + tr->cap, 0, (cap - tr->cap) * sizeof(*tt));
		tr->tt = tt;
		tr->cap = cap;
	}
	tt = &tr->tt[target];
	/* One allocation per target, none per probe. */
	tt->hp = calloc((size_t)p->c->max_hops * (size_t)p->c->queries,
	    sizeof(*tt->hp));
	if (tt->hp == NULL)
		return -1;
	tt->next_ttl = (uint16_t)p->c->first_hop;
	tt->printed = (uint8_t)(p->c->first_hop - 1);
	tt->limit = (uint8_t)p->c->max_hops;
	tt->running = 1;
	fill_window(p, tt, target, now);
	return 0;
}

int
trace_wanted(struct ping *p, uint32_t target, uint16_t seq)
{
	struct trace_target *tt = tt_of(p, target);

	/* Unsent: a job left over from an earlier round never sends a
	 * probe of this round twice. */
	return tt && !tt->done && !tt->idle && TRACE_TTL(seq) <= tt->limit &&
	    slot(p, tt, TRACE_TTL(seq), TRACE_QUERY(seq))->state == HP_UNSENT;
}

void
trace_sent(struct ping *p, uint32_t target, uint16_t seq, uint32_t serial)
{
	struct trace_target *tt = tt_of(p, target);
	struct hop_probe *h;

	if (tt == NULL || tt->done || tt->idle)
		return;
	h = slot(p, tt, TRACE_TTL(seq), TRACE_QUERY(seq));
	h->serial = serial;
	h->state = HP_SENT;
}

/* A seq we never queue (an error's quote is not trusted here). */
static int
bad_seq(const struct ping *p, uint16_t seq)
{
	return TRACE_TTL(seq) < p->c->first_hop ||
	    TRACE_TTL(seq) > p->c->max_hops ||
	    TRACE_QUERY(seq) >= p->c->queries;
}

int64_t
trace_serial(struct ping *p, uint32_t target, uint16_t seq)
{
	struct trace_target *tt = tt_of(p, target);
	struct hop_probe *h;

	if (tt == NULL || tt->done || tt->idle || bad_seq(p, seq))
		return -1;
	h = slot(p, tt, TRACE_TTL(seq), TRACE_QUERY(seq));
	return h->state == HP_UNSENT ? -1 : (int64_t)h->serial;
}

/*
 * The traceroute mark of an outcome: "" for time exceeded and replies,
 * !N !H !P !X !S !V !C !F-<mtu> for the unreachables that have a
 * traditional letter, !<code> for the other unreachable codes.
 */
static const char *
mtu_mark(const struct hop_probe *h, char *buf, size_t len)
{
	if (h->mtu == 0)
		return "!F";
	snprintf(buf, len, "!F-%u", (unsigned)h->mtu);
	return buf;
}

static const char *
mark_of(int family, const struct hop_probe *h, char *buf, size_t len)
{
	static const char *const v4[16] = { "!N", "!H", "!P", NULL, NULL,
		"!S", "!N", "!H", NULL, "!X", "!X", "!N", "!H", "!X", "!V",
		"!C" };
	static const char *const v6[8] = { "!N", "!X", "!S", "!H", "!P",
		"!X", "!X", NULL };
	int v4unreach = family == AF_INET && h->type == 3;
	int v6unreach = family == AF_INET6 && h->type == 1;

	switch (h->state) {
	case HP_LOCAL:
		switch (h->code) {
		case ENETUNREACH:	return "!N";
		case EHOSTUNREACH:	return "!H";
		case EACCES:
		case EPERM:		return "!X";
		case EMSGSIZE:		return mtu_mark(h, buf, len);
		default:		return "!L";
		}
	case HP_ERROR:
		if ((v4unreach && h->code == 4) ||
		    (family == AF_INET6 && h->type == 2))
			return mtu_mark(h, buf, len);
		if (v4unreach && h->code < 16 && v4[h->code])
			return v4[h->code];
		if (v6unreach && h->code < 8 && v6[h->code])
			return v6[h->code];
		if (v4unreach || v6unreach)
			snprintf(buf, len, "!%u", (unsigned)h->code);
		else
			snprintf(buf, len, "!T%u", (unsigned)h->type);
		return buf;
	default:
		return "";
	}
}

static const char *
error_name(int family, const struct hop_probe *h)
{
	if (h->state == HP_LOCAL)
		return local_error_name(family, h->code);
	return family == AF_INET ? icmp4_error_name(h->type, h->code) :
	    icmp6_error_name(h->type, h->code);
}

static void
fill_target(struct ping *p, struct record *r, uint32_t target, char *nbuf,
    char *abuf)
{
	const struct target *t = &p->tg->t[target];

	r->time = real_time();
	r->index = target;
	r->round = target < p->tr->cap ? (long)p->tr->tt[target].round : 0;
	r->target = target_name(p->tg, t, nbuf, ADDRLEN);
	r->addr = target_addr(t, abuf, ADDRLEN);
}

static int
answered(const struct hop_probe *h)
{
	return h->state >= HP_REPLY && h->state <= HP_LOCAL;
}

static const char *
from_str(int family, const struct hop_probe *h, char *buf, size_t len)
{
	if (h->state == HP_LOCAL)
		return "local";
	return addr16_str(family, h->from, buf, len);
}

/* The label stack a hop reported, if any, into a record. */
static void
hop_mpls(const struct trace_target *tt, int ttl, struct record *r)
{
	int i;

	for (i = 0; i < tt->nmpls; i++)
		if (tt->mpls[i].ttl == ttl) {
			r->mpls = tt->mpls[i].l;
			r->nmpls = tt->mpls[i].n;
		}
}

static void
emit_probe(struct ping *p, uint32_t target, int ttl, int q,
    const struct hop_probe *h)
{
	char nbuf[ADDRLEN], abuf[ADDRLEN], fbuf[ADDRLEN];
	int family = p->tg->t[target].family;
	struct record r;

	record_clear(&r, REC_PROBE);
	fill_target(p, &r, target, nbuf, abuf);
	r.ttl = ttl;
	r.probe = q;
	if (answered(h)) {
		r.from = from_str(family, h, fbuf, sizeof(fbuf));
		r.rtt_ms = h->rtt_ms;
		if (h->state != HP_LOCAL) {
			r.icmp_type = h->type;
			r.icmp_code = h->code;
		}
		if (h->state != HP_REPLY)
			r.error = error_name(family, h);
		if (h->mtu)
			r.mtu = h->mtu;
	}
	hop_mpls(p->tr->tt + target, ttl, &r);
	out_emit(p->out, &r);
}

/* Keep the first label stack a hop reports. */
static void
keep_mpls(struct trace_target *tt, int ttl, const struct icmp_msg *m)
{
	struct hop_mpls *hm;
	int i;

	if (m == NULL || m->nmpls == 0)
		return;
	for (i = 0; i < tt->nmpls; i++)
		if (tt->mpls[i].ttl == ttl)
			return;
	hm = realloc(tt->mpls, (size_t)(tt->nmpls + 1) * sizeof(*hm));
	if (hm == NULL)
		return;
	tt->mpls = hm;
	hm += tt->nmpls++;
	hm->ttl = (uint8_t)ttl;
	hm->n = m->nmpls;
	memcpy(hm->l, m->mpls, (size_t)m->nmpls * sizeof(hm->l[0]));
}

static int
heard(const struct ping *p, const struct trace_target *tt, int ttl)
{
	int q;

	for (q = 0; q < p->c->queries; q++)
		if (answered(slot(p, tt, ttl, q)))
			return 1;
	return 0;
}

static int
hop_complete(const struct ping *p, const struct trace_target *tt, int ttl)
{
	int q;

	for (q = 0; q < p->c->queries; q++)
		if (slot(p, tt, ttl, q)->state <= HP_SENT)
			return 0;
	return 1;
}

/* --names: 1 when every responder of the hop has its name (or none). */
static int
names_known(struct ping *p, const struct trace_target *tt, int family,
    int ttl)
{
	const struct hop_probe *h;
	const char *name;
	int q, known = 1;

	if (p->tr->rdns == NULL)
		return 1;
	for (q = 0; q < p->c->queries; q++) {
		h = slot(p, tt, ttl, q);
		if (answered(h) && h->state != HP_LOCAL &&
		    rdns_lookup(p->tr->rdns, family, h->from, &name) == 0)
			known = 0;
	}
	return known;
}

/*
 * The hop line: each distinct responder once (in the order they
 * answered the hop's probes), each probe's responder, RTT and mark.
 */
static void
emit_hop(struct ping *p, uint32_t target, int ttl)
{
	char nbuf[ADDRLEN], abuf[ADDRLEN];
	char fbuf[TRACE_MAX_QUERIES][ADDRLEN], mbuf[TRACE_MAX_QUERIES][16];
	const char *addrs[TRACE_MAX_QUERIES], *names[TRACE_MAX_QUERIES];
	const char *froms[TRACE_MAX_QUERIES], *marks[TRACE_MAX_QUERIES];
	double rtts[TRACE_MAX_QUERIES];
	const struct trace_target *tt = &p->tr->tt[target];
	int family = p->tg->t[target].family;
	const struct hop_probe *h;
	struct record r;
	long n = 0, i, lost = 0;
	int q;

	record_clear(&r, REC_HOP);
	fill_target(p, &r, target, nbuf, abuf);
	r.ttl = ttl;
	for (q = 0; q < p->c->queries; q++) {
		h = slot(p, tt, ttl, q);
		froms[q] = NULL;
		rtts[q] = NAN;
		marks[q] = NULL;
		if (!answered(h)) {
			lost++;
			continue;
		}
		froms[q] = from_str(family, h, fbuf[q], sizeof(fbuf[q]));
		rtts[q] = h->rtt_ms;
		marks[q] = mark_of(family, h, mbuf[q], sizeof(mbuf[q]));
		for (i = 0; i < n && strcmp(addrs[i], froms[q]) != 0; i++)
			;
		if (i == n) {
			names[n] = NULL;
			if (p->tr->rdns && h->state != HP_LOCAL)
				rdns_lookup(p->tr->rdns, family, h->from,
				    &names[n]);
			addrs[n++] = froms[q];
		}
	}
	r.addrs = addrs;
	r.naddrs = n;
	r.names = p->tr->rdns ? names : NULL;
	r.froms = froms;
	r.rtts = rtts;
	r.marks = marks;
	r.nprobes = p->c->queries;
	r.lost = lost;
	hop_mpls(tt, ttl, &r);
	out_emit(p->out, &r);
}

/* No more rounds of this trace: the run may end once every trace has. */
static void
trace_done(struct ping *p, uint32_t target)
{
	p->tr->tt[target].done = 1;
	p->tr->done++;
	p->tg->t[target].flags |= T_DONE;
}

/* Another round of this trace after this one (-c; 0: until stopped). */
static int
more_rounds(const struct ping *p, const struct trace_target *tt)
{
	return p->c->count == 0 || tt->round + 1 < p->c->count;
}

/*
 * A round is over: its verdict.  Then either the next round is queued
 * (-p after this one ended, on q_retry, which a trace does not otherwise
 * use: rounds end in order, so their due times are too), or, with last
 * set or no rounds left, the trace is done.
 */
static void
finish_trace(struct ping *p, uint32_t target, const char *stop, int last)
{
	char nbuf[ADDRLEN], abuf[ADDRLEN];
	struct trace_target *tt = &p->tr->tt[target];
	struct target *t = &p->tg->t[target];
	struct record r;
	struct job j;

	if (tt->reached)
		mark_alive(p, t);
	record_clear(&r, REC_TRACE);
	fill_target(p, &r, target, nbuf, abuf);
	r.reached = tt->reached;
	r.hops = tt->printed;
	r.stop = stop;
	out_emit(p->out, &r);
	/* Memory is held by the traces in flight only, not by all targets
	 * nor by traces between rounds (late answers check done and idle
	 * first). */
	free(tt->hp);
	free(tt->mpls);
	tt->hp = NULL;
	tt->mpls = NULL;
	tt->nmpls = 0;
	if (!last && more_rounds(p, tt)) {
		tt->idle = 1;
		j.due = mono_ns() + p->c->period_ns;
		j.target = target;
		j.seq = 0;
		j.attempt = 0;
		fifo_push(&p->q_retry, &j);
		return;
	}
	trace_done(p, target);
}

/* The next round of an idle trace: its hop table as new. */
int
trace_next_round(struct ping *p, uint32_t target, int64_t now)
{
	struct trace_target *tt = tt_of(p, target);

	if (tt == NULL || tt->done || !tt->idle)
		return 0;
	/* One allocation per round of a target, none per probe. */
	tt->hp = calloc((size_t)p->c->max_hops * (size_t)p->c->queries,
	    sizeof(*tt->hp));
	if (tt->hp == NULL) {
		/* Out of memory: the rounds so far are all there will be. */
		trace_done(p, target);
		return 0;
	}
	tt->stop = NULL;
	tt->next_ttl = (uint16_t)p->c->first_hop;
	tt->printed = (uint8_t)(p->c->first_hop - 1);
	tt->limit = (uint8_t)p->c->max_hops;
	tt->silent = 0;
	tt->reached = 0;
	tt->idle = 0;
	tt->round++;
	fill_window(p, tt, target, now);
	return 1;
}

static void
wait_for_names(struct trace *tr, uint32_t target)
{
	uint32_t *w;
	uint32_t i;

	for (i = 0; i < tr->nwaiting; i++)
		if (tr->waiting[i] == target)
			return;
	if (tr->nwaiting == tr->capwaiting) {
		i = tr->capwaiting ? tr->capwaiting * 2 : 16;
		if ((w = realloc(tr->waiting, i * sizeof(*w))) == NULL)
			return;
		tr->waiting = w;
		tr->capwaiting = i;
	}
	tr->waiting[tr->nwaiting++] = target;
}

/* Print every hop that is ready, in TTL order; end the trace if due. */
static void
advance(struct ping *p, uint32_t target, int64_t now)
{
	struct trace_target *tt = &p->tr->tt[target];
	int family = p->tg->t[target].family;
	int ttl;

	while (!tt->done && !tt->idle && tt->printed < tt->limit) {
		ttl = tt->printed + 1;
		if (!hop_complete(p, tt, ttl))
			break;
		if (!names_known(p, tt, family, ttl)) {
			wait_for_names(p->tr, target);
			break;
		}
		emit_hop(p, target, ttl);
		tt->printed = (uint8_t)ttl;
		tt->silent = heard(p, tt, ttl) ? 0 : (uint8_t)(tt->silent + 1);
		if (ttl == tt->limit)
			finish_trace(p, target, tt->stop ? tt->stop :
			    "max-hops", 0);
		else if (tt->silent >= p->c->max_timeouts)
			finish_trace(p, target, "max-timeouts", 0);
	}
	fill_window(p, tt, target, now);
}

void
trace_result(struct ping *p, const struct probe *pr,
    const struct trace_event *ev)
{
	struct trace_target *tt = tt_of(p, pr->target);
	int family = p->tg->t[pr->target].family;
	int ttl = TRACE_TTL(pr->seq), q = TRACE_QUERY(pr->seq);
	struct hop_probe *h;

	if (tt == NULL || tt->done || tt->idle || bad_seq(p, pr->seq))
		return;
	h = slot(p, tt, ttl, q);
	/* The serial: a late answer to an earlier round's probe of this
	 * hop is not this round's. */
	if (h->state != HP_SENT || h->serial != pr->serial)
		return;
	h->state = (uint8_t)ev->state;
	if (ev->from) {
		const char *name;

		memcpy(h->from, ev->from, 16);
		/* Ask for the name now, not when the hop is next to print:
		 * the lookups of all hops then run side by side. */
		if (p->tr->rdns && ev->state != HP_LOCAL)
			(void)rdns_lookup(p->tr->rdns, family, h->from, &name);
	}
	h->rtt_ms = (float)ev->rtt_ms;
	h->type = (uint8_t)ev->type;
	h->code = (uint8_t)ev->code;
	h->mtu = ev->mtu > 0 && ev->mtu < 65536 ? (uint16_t)ev->mtu : 0;
	if (ev->state == HP_EXCEEDED || ev->state == HP_ERROR)
		keep_mpls(tt, ttl, ev->msg);
	if (ttl <= tt->limit && (ev->state == HP_REPLY ||
	    ev->state == HP_ERROR || ev->state == HP_LOCAL)) {
		/* The destination, or the end of the road: nothing beyond
		 * this hop counts.  A reply wins over an error. */
		if (ttl < tt->limit || ev->state == HP_REPLY) {
			tt->reached = ev->state == HP_REPLY;
			tt->stop = tt->reached ? "reached" :
			    error_name(family, h);
		} else if (tt->stop == NULL) {
			tt->stop = error_name(family, h);
		}
		tt->limit = (uint8_t)ttl;
	}
	emit_probe(p, pr->target, ttl, q, h);
	advance(p, pr->target, mono_ns());
}

void
trace_names_ready(struct ping *p)
{
	struct trace *tr = p->tr;
	uint32_t i, n = tr->nwaiting;

	/*
	 * advance() may put a target back on the list: it lands at an
	 * index no greater than the one being handled, so the rest of this
	 * round is never overwritten.
	 */
	tr->nwaiting = 0;
	for (i = 0; i < n; i++)
		advance(p, tr->waiting[i], mono_ns());
}

static void
on_names(void *arg, int fd, unsigned what)
{
	struct ping *p = arg;

	(void)fd;
	(void)what;
	if (rdns_read(p->tr->rdns) > 0)
		trace_names_ready(p);
}

int
trace_start_names(struct ping *p, struct loop *l)
{
	if ((p->tr->rdns = rdns_start(4)) == NULL)
		return -1;
	return loop_add(l, rdns_fd(p->tr->rdns), on_names, p);
}

void
trace_end(struct ping *p, const char *why)
{
	struct trace_target *tt;
	struct record r;
	char nbuf[ADDRLEN], abuf[ADDRLEN];
	uint32_t i;
	int ttl, last;

	for (i = 0; i < p->tg->n; i++) {
		tt = i < p->tr->cap ? &p->tr->tt[i] : NULL;
		if (tt && tt->done)
			continue;
		if (tt && tt->idle) {
			/* Between rounds: the last one has its verdict. */
			trace_done(p, i);
			continue;
		}
		if (tt == NULL || !tt->running) {
			record_clear(&r, REC_TRACE);
			fill_target(p, &r, i, nbuf, abuf);
			r.reached = 0;
			r.hops = 0;
			r.stop = why;
			out_emit(p->out, &r);
			continue;
		}
		/* Print up to the last hop anyone answered, then stop. */
		for (last = 0, ttl = tt->printed + 1; ttl < tt->next_ttl &&
		    ttl <= tt->limit; ttl++)
			if (heard(p, tt, ttl))
				last = ttl;
		for (ttl = tt->printed + 1; ttl <= last; ttl++) {
			emit_hop(p, i, ttl);
			tt->printed = (uint8_t)ttl;
		}
		finish_trace(p, i, tt->limit == tt->printed && tt->stop ?
		    tt->stop : why, 1);
	}
}

int
trace_all_done(const struct ping *p)
{
	return p->tr->done >= p->tg->n;
}
