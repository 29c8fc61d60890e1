/*
 * The trace run mode: hop tables, TTL windows, hop lines, stop rules and
 * rounds.  The engine sends, matches and expires probes; this file
 * decides which probes to queue and what their outcomes mean.
 */
#include <sys/socket.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "budget.h"
#include "hopsum.h"
#include "rdns.h"
#include "stopset.h"
#include "trace.h"

#define ADDRLEN	REPORT_ADDRLEN

static void
trace_free(struct engine *e)
{
	struct trace *tr = e->ms;
	uint32_t i;

	if (tr == NULL)
		return;
	for (i = 0; i < tr->cap; i++) {
		free(tr->tt[i].hp);
		free(tr->tt[i].mpls);
		free(tr->tt[i].known);
		hopsum_free(tr->tt[i].sum);
	}
	budget_free(tr->bud);
	stopset_free(tr->ss);
	free(tr->tt);
	free(tr->waiting);
	rdns_free(tr->rdns);
	free(tr);
	e->ms = NULL;
}

#define TR(e)	((struct trace *)(e)->ms)

static struct hop_probe *
slot(const struct engine *e, const struct trace_target *tt, int ttl, int q)
{
	return &tt->hp[(size_t)(ttl - 1) * (size_t)e->c->queries + (size_t)q];
}

static struct trace_target *
tt_of(const struct engine *e, uint32_t target)
{
	struct trace *tr = TR(e);

	return target < tr->cap && tr->tt[target].running ?
	    &tr->tt[target] : NULL;
}

/* Timer jobs of a trace (job.attempt says which). */
enum { TJ_ROUND, TJ_REPROBE, TJ_PROBE, TJ_RETAKE };
/* How far ahead a paced probe reserves its router's answer; beyond, it
 * asks again then (the router's rate may be known better). */
#define HORIZON_NS	100000000LL
/*
 * The pause before a silent run's hop is probed again.  A token of
 * Linux's icmp_ratelimit (budget.c) is a second, but a reject route's
 * unreachable spends two of its peer's: ip_error (net/ipv4/route.c)
 * takes net.ipv4.route.error_cost from the same inet_peer tokens that
 * icmp_send's icmpv4_xrlim_allow then takes icmp_ratelimit from, so
 * such a router answers one probe per two seconds once its burst is
 * spent.
 */
#define REPROBE_NS	2000000000LL

static int
fam_of(const struct engine *e, uint32_t target)
{
	return e->tg->t[target].family == AF_INET6;
}

/*
 * Whose ICMP budget a probe at ttl spends: the router of the hop in the
 * trace's last round, or the router the last answers at this TTL (any
 * target's) agreed on; else none known (not paced: the first probes
 * of a trace, or of many, name the routers before most others go).
 */
static unsigned
predict(struct engine *e, const struct trace_target *tt, uint32_t target,
    int ttl)
{
	struct trace *tr = TR(e);
	int f = fam_of(e, target);

	if (tt->known && tt->known[ttl - 1])
		return tt->known[ttl - 1] - 1u;
	if (tr->ttl_agree[f][ttl] >= 2)
		return tr->ttl_rtr[f][ttl] - 1u;
	return BUDGET_NONE;
}

/* A probe goes when its router's budget has an answer for it. */
static void
queue_probe(struct engine *e, struct trace_target *tt, struct job *j,
    int64_t now)
{
	struct hop_probe *h = slot(e, tt, j->ttl, TRACE_QUERY(j->seq));
	unsigned i = predict(e, tt, j->target, j->ttl);
	int trial = 0;

	h->rtr &= TRACE_AGAIN;
	j->due = now;
	if (i != BUDGET_NONE) {
		j->due = budget_take(TR(e)->bud, i, now, HORIZON_NS, &trial);
		h->rtr |= (uint16_t)((i + 1) | (trial ? TRACE_TRIAL : 0) |
		    (j->due > now ? TRACE_TIMED : 0));
	}
	if (j->due < 0) {
		h->rtr &= TRACE_AGAIN;
		j->due = budget_retake(TR(e)->bud, i, now, HORIZON_NS);
		j->attempt = TJ_RETAKE;
		engine_timer(e, j);
		return;
	}
	if (j->due > now) {
		j->attempt = TJ_PROBE;
		engine_timer(e, j);
		return;
	}
	j->due = 0;
	engine_queue(e, j);
}

/* Probe q of hop ttl.  One flow for all a trace's probes (Paris
 * traceroute). */
static void
queue_query(struct engine *e, struct trace_target *tt, uint32_t target,
    int ttl, int q, int64_t now)
{
	struct job j;

	memset(&j, 0, sizeof(j));
	j.target = target;
	j.seq = TRACE_SEQ(ttl, q);
	j.ttl = (uint8_t)ttl;
	j.has_flow = 1;
	j.flow = e->c->flow;
	queue_probe(e, tt, &j, now);
}

/* The probes of the next TTL. */
static void
queue_ttl(struct engine *e, struct trace_target *tt, uint32_t target,
    int64_t now)
{
	int q;

	for (q = 0; q < e->c->queries; q++)
		queue_query(e, tt, target, tt->next_ttl, q, now);
	tt->next_ttl++;
}

static int	held_run(const struct engine *, const struct trace_target *);

/*
 * --stop-set, Doubletree's way (stopset.h).  The first trace of each
 * family runs as any; the others wait for its end, then start where it
 * ended (the hop it last heard: beyond, paths part), probe forward from
 * there as usual and backward below it one probe at a time, until a
 * hop answers from an interface of the set at that TTL: the hops below
 * it are that path's, printed as shared and never probed.  A hop whose
 * probe finds no such interface gets its other probes, and is the
 * set's for the traces after.
 */
static int
hold(struct engine *e, struct trace_target *tt, uint32_t target)
{
	struct trace *tr = TR(e);
	int f = fam_of(e, target);

	if (tr->ss == NULL || tr->h[f] != 0 || tr->scout[f] == target)
		return 0;
	if (tr->scout[f] == STOPSET_NONE) {
		tr->scout[f] = target;
		/* trace_tick now watches it (it sleeps with no scout). */
		engine_tick_by(e, engine_now(e));
		return 0;
	}
	tt->held = 1;
	return 1;
}

/* ms of the run at t, rounded up (up: 1) or down, wrapping after 49
 * days (a round's start). */
static uint32_t
run_ms(const struct engine *e, int64_t t, int up)
{
	return (uint32_t)(((uint64_t)(t - e->start) + (up ? 999999 : 0)) /
	    1000000);
}

/* A round's start: the walk back's first probe, below start. */
static void
walk_start(struct engine *e, struct trace_target *tt, uint32_t target,
    int64_t now)
{
	int h = TR(e)->ss ? TR(e)->h[fam_of(e, target)] : 0;

	tt->began = run_ms(e, now, 1);
	tt->join = tt->node = STOPSET_NONE;
	tt->start = tt->back = tt->again = 0;
	if (h <= e->c->first_hop)
		return;
	tt->next_ttl = (uint16_t)h;
	tt->start = (uint8_t)h;
	tt->back = (uint8_t)(h - 1);
	queue_query(e, tt, target, h - 1, 0, now);
}

static int	hop_complete(const struct engine *, const struct trace_target *,
		    int);

/*
 * The last TTL the window lets go: --window hops past the last printed,
 * or, while the hops below start are not, past start; start alone
 * until it has its outcomes (most paths end there).
 */
static int
window_end(const struct engine *e, const struct trace_target *tt)
{
	if (tt->printed >= tt->start - 1)
		return tt->printed + e->c->window;
	return tt->start - 1 + (hop_complete(e, tt, tt->start) ?
	    e->c->window : 1);
}

/* Queue the probes of every TTL the window now allows: a silent run
 * held back moves it on as printing would, until the run is long enough
 * to give up on. */
static void
fill_window(struct engine *e, struct trace_target *tt, uint32_t target,
    int64_t now)
{
	int run;

	while (!tt->done && !tt->idle && tt->next_ttl <= tt->limit) {
		run = held_run(e, tt);
		if (tt->next_ttl > window_end(e, tt) + run ||
		    (run >= e->c->max_timeouts && tt->stop == NULL))
			break;
		queue_ttl(e, tt, target, now);
	}
}

static int
trace_begin(struct engine *e, uint32_t target, int64_t now)
{
	struct trace *tr = TR(e);
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
	if (hold(e, tt, target))
		return 0;
	/* One allocation per target, none per probe. */
	tt->hp = calloc((size_t)e->c->max_hops * (size_t)e->c->queries,
	    sizeof(*tt->hp));
	if (tt->hp == NULL)
		return -1;
	tt->next_ttl = (uint16_t)e->c->first_hop;
	tt->printed = (uint8_t)(e->c->first_hop - 1);
	tt->limit = (uint8_t)e->c->max_hops;
	tt->running = 1;
	/* -c: each hop's router is expected again next round. */
	if (e->c->count != 1 && tt->known == NULL)
		tt->known = calloc((size_t)e->c->max_hops + 1,
		    sizeof(*tt->known));
	if (conf_hop_summary(e->c) && tt->sum == NULL)
		tt->sum = hopsum_new();
	walk_start(e, tt, target, now);
	fill_window(e, tt, target, now);
	return 0;
}

static int
trace_wanted(struct engine *e, const struct job *j)
{
	struct trace_target *tt = tt_of(e, j->target);
	uint32_t seq = j->seq;
	struct hop_probe *h;

	if (tt == NULL || tt->done || tt->idle)
		return 0;
	h = slot(e, tt, TRACE_TTL(seq), TRACE_QUERY(seq));
	/* Unsent: a job left over from an earlier round never sends a
	 * probe of this round twice. */
	if (h->state != HP_UNSENT)
		return 0;
	if (TRACE_TTL(seq) <= tt->limit)
		return 1;
	/* Beyond the end: a probe on trial that will not go frees its
	 * router for the next. */
	if (h->rtr & TRACE_TRIAL)
		budget_untried(TR(e)->bud, TRACE_RTR(h->rtr) - 1u);
	h->rtr &= TRACE_AGAIN;
	return 0;
}

static void
trace_sent(struct engine *e, const struct job *j, uint32_t serial,
    int64_t now)
{
	struct trace_target *tt = tt_of(e, j->target);
	uint32_t seq = j->seq;
	struct hop_probe *h;

	(void)now;
	if (tt == NULL || tt->done || tt->idle)
		return;
	h = slot(e, tt, TRACE_TTL(seq), TRACE_QUERY(seq));
	h->serial = serial;
	h->state = HP_SENT;
}

/* A seq we never queue (an error's quote is not trusted here). */
static int
bad_seq(const struct engine *e, uint16_t seq)
{
	return TRACE_TTL(seq) < e->c->first_hop ||
	    TRACE_TTL(seq) > e->c->max_hops ||
	    TRACE_QUERY(seq) >= e->c->queries;
}

static int64_t
trace_serial(struct engine *e, uint32_t target, uint16_t seq)
{
	struct trace_target *tt = tt_of(e, target);
	struct hop_probe *h;

	if (tt == NULL || tt->done || tt->idle || bad_seq(e, seq))
		return -1;
	h = slot(e, tt, TRACE_TTL(seq), TRACE_QUERY(seq));
	return h->state == HP_UNSENT ? -1 : (int64_t)h->serial;
}

/*
 * The traceroute mark of an outcome: "" for time exceeded and replies,
 * the method's mark of an error (!H, !X, ...), and for a probe this host
 * could not send, the mark of its errno (!L: any other).
 */
static const char *
mark_of(const struct engine *e, int family, const struct hop_probe *h,
    char *buf, size_t len)
{
	switch (h->state) {
	case HP_LOCAL:
		switch (h->code) {
		case ENETUNREACH:	return "!N";
		case EHOSTUNREACH:	return "!H";
		case EACCES:
		case EPERM:		return "!X";
		case EMSGSIZE:
			return method_mtu_mark(h->mtu, buf, len);
		default:		return "!L";
		}
	case HP_ERROR:
		return e->m->mark(family, h->type, h->code, h->mtu, buf, len);
	default:
		return "";
	}
}

static const char *
error_name(const struct engine *e, int family, const struct hop_probe *h)
{
	if (h->state == HP_LOCAL)
		return sock_error_name(family, h->code);
	return e->m->error_name(family, h->type, h->code);
}

/* A record about a target's trace, in its round. */
static void
trace_record(struct engine *e, struct record *r, enum rec_type type,
    uint32_t target, struct rec_text *txt)
{
	report_target(e->rep, r, type, &e->tg->t[target], txt);
	r->round = target < TR(e)->cap ? (long)TR(e)->tt[target].round : 0;
	r->cause = target < TR(e)->cap ? TR(e)->tt[target].cause : NULL;
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
emit_probe(struct engine *e, uint32_t target, int ttl, int q,
    const struct hop_probe *h)
{
	int family = e->tg->t[target].family;
	struct rec_text txt;
	struct record r;

	trace_record(e, &r, REC_PROBE, target, &txt);
	r.ttl = ttl;
	r.probe = q;
	if (answered(h)) {
		r.from = from_str(family, h, txt.from, sizeof(txt.from));
		r.rtt_ms = h->rtt_ms;
		if (h->state != HP_LOCAL) {
			r.icmp_type = h->type;
			r.icmp_code = h->code;
		}
		if (h->state != HP_REPLY)
			r.error = error_name(e, family, h);
		if (h->mtu)
			r.mtu = h->mtu;
		r.state = port_state_name(h->pstate);
	}
	hop_mpls(TR(e)->tt + target, ttl, &r);
	out_emit(e->out, &r);
}

/* Keep the first label stack a hop reports. */
static void
keep_mpls(struct trace_target *tt, int ttl, const struct answer *a)
{
	struct hop_mpls *hm;
	int i;

	if (a->nmpls == 0)
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
	hm->n = a->nmpls;
	memcpy(hm->l, a->mpls, (size_t)a->nmpls * sizeof(hm->l[0]));
}

static int
heard(const struct engine *e, const struct trace_target *tt, int ttl)
{
	int q;

	for (q = 0; q < e->c->queries; q++)
		if (answered(slot(e, tt, ttl, q)))
			return 1;
	return 0;
}

static int
hop_complete(const struct engine *e, const struct trace_target *tt, int ttl)
{
	int q;

	for (q = 0; q < e->c->queries; q++)
		if (slot(e, tt, ttl, q)->state <= HP_SENT)
			return 0;
	return 1;
}

/* --names: 1 when every responder of the hop has its name (or none). */
static int
names_known(struct engine *e, const struct trace_target *tt, int family,
    int ttl)
{
	const struct hop_probe *h;
	const char *name;
	int q, known = 1;

	if (TR(e)->rdns == NULL)
		return 1;
	for (q = 0; q < e->c->queries; q++) {
		h = slot(e, tt, ttl, q);
		if (answered(h) && h->state != HP_LOCAL &&
		    rdns_lookup(TR(e)->rdns, family, h->from, &name) == 0)
			known = 0;
	}
	return known;
}

/*
 * The hop line: each distinct responder once (in the order they
 * answered the hop's probes), each probe's responder, RTT and mark.
 */
static void
emit_hop(struct engine *e, uint32_t target, int ttl)
{
	char fbuf[TRACE_MAX_QUERIES][ADDRLEN], mbuf[TRACE_MAX_QUERIES][16];
	const char *addrs[TRACE_MAX_QUERIES], *names[TRACE_MAX_QUERIES];
	const char *froms[TRACE_MAX_QUERIES], *marks[TRACE_MAX_QUERIES];
	double rtts[TRACE_MAX_QUERIES];
	const struct trace_target *tt = &TR(e)->tt[target];
	int family = e->tg->t[target].family;
	const struct hop_probe *h;
	struct record r;
	long n = 0, i, lost = 0;
	int q;

	struct rec_text txt;

	trace_record(e, &r, REC_HOP, target, &txt);
	r.ttl = ttl;
	for (q = 0; q < e->c->queries; q++) {
		h = slot(e, tt, ttl, q);
		froms[q] = NULL;
		rtts[q] = NAN;
		marks[q] = NULL;
		if (!answered(h)) {
			lost++;
			continue;
		}
		froms[q] = from_str(family, h, fbuf[q], sizeof(fbuf[q]));
		if (r.state == NULL)
			r.state = port_state_name(h->pstate);
		rtts[q] = h->rtt_ms;
		marks[q] = mark_of(e, family, h, mbuf[q], sizeof(mbuf[q]));
		for (i = 0; i < n && strcmp(addrs[i], froms[q]) != 0; i++)
			;
		if (i == n) {
			names[n] = NULL;
			if (TR(e)->rdns && h->state != HP_LOCAL)
				rdns_lookup(TR(e)->rdns, family, h->from,
				    &names[n]);
			addrs[n++] = froms[q];
		}
	}
	r.addrs = addrs;
	r.naddrs = n;
	r.names = TR(e)->rdns ? names : NULL;
	r.froms = froms;
	r.rtts = rtts;
	r.marks = marks;
	r.nprobes = e->c->queries;
	r.lost = lost;
	hop_mpls(tt, ttl, &r);
	out_emit(e->out, &r);
	if (tt->sum)
		(void)hopsum_add(tt->sum, &r);
}

/*
 * --stop-set: a hop below the walk's stop, as the trace of target owner
 * found it (node n: its responder, or none), never with an RTT: this
 * trace sent it nothing.
 */
static void
emit_shared(struct engine *e, uint32_t target, int ttl, uint32_t n,
    uint32_t owner)
{
	const struct stopset_node *d = stopset_node(TR(e)->ss, n);
	int family = e->tg->t[target].family;
	const char *addrs[1], *names[1] = { NULL };
	struct rec_text txt, by;
	struct record r, o;

	trace_record(e, &r, REC_HOP, target, &txt);
	r.ttl = ttl;
	r.shared = 1;
	r.addrs = addrs;
	r.naddrs = 0;
	r.nprobes = 0;
	if (d != NULL && !d->silent) {
		addrs[r.naddrs++] = addr16_str(family, d->addr, txt.from,
		    sizeof(txt.from));
		if (TR(e)->rdns) {
			rdns_lookup(TR(e)->rdns, family, d->addr, &names[0]);
			r.names = names;
		}
	}
	report_target(e->rep, &o, REC_HOP, &e->tg->t[owner], &by);
	r.named_by = o.target;
	out_emit(e->out, &r);
}

/* The walk stopped at a node of the set: the hops up to it, shared. */
static int
inherit(struct engine *e, struct trace_target *tt, uint32_t target)
{
	const struct stopset_node *d;
	uint32_t path[256], i, owner;
	int ttl, top;

	if (tt->join == STOPSET_NONE ||
	    (d = stopset_node(TR(e)->ss, tt->join)) == NULL ||
	    d->ttl <= tt->printed)
		return 0;
	top = d->ttl;
	owner = d->owner;
	for (ttl = 0; ttl <= top; ttl++)
		path[ttl] = STOPSET_NONE;
	for (i = tt->join; (d = stopset_node(TR(e)->ss, i)) != NULL &&
	    d->ttl > tt->printed && d->ttl <= top; i = d->below)
		path[d->ttl] = i;
	/* A hop missing from the path (no memory when it was named): as
	 * one where nobody answered. */
	for (ttl = tt->printed + 1; ttl <= top; ttl++)
		emit_shared(e, target, ttl, path[ttl], owner);
	tt->printed = (uint8_t)top;
	tt->node = tt->join;
	return 1;
}

/* A hop printed joins the set, linked to the one below it. */
static void
remember(struct engine *e, struct trace_target *tt, uint32_t target,
    int ttl)
{
	const uint8_t *from = NULL;
	const struct hop_probe *h;
	int q;

	if (TR(e)->ss == NULL || ttl >= tt->limit)
		return;
	for (q = 0; q < e->c->queries && from == NULL; q++)
		if ((h = slot(e, tt, ttl, q))->state == HP_EXCEEDED)
			from = h->from;
	tt->node = stopset_add(TR(e)->ss, fam_of(e, target), from, ttl,
	    tt->node, target);
}

/*
 * The walk back's probe has its outcome: a router of the set at that
 * TTL stops the walk (the hops below are its path's); anything else
 * (another router, silence, the destination) gets the hop's other
 * probes, and the walk goes on below, down to the first hop.  Silence
 * where a router is known is first asked again (paced: a router whose
 * budget was spent answers it).
 */
static void
walk_back(struct engine *e, struct trace_target *tt, uint32_t target,
    int ttl, int q, const struct hop_probe *h)
{
	int64_t now = engine_now(e);
	int k;

	if (tt->back == 0 || ttl != tt->back || q != 0)
		return;
	if (h->state == HP_EXCEEDED && (tt->join = stopset_find(TR(e)->ss,
	    fam_of(e, target), h->from, ttl)) != STOPSET_NONE) {
		tt->back = 0;
		return;
	}
	if (h->state == HP_TIMEOUT && !tt->again &&
	    predict(e, tt, target, ttl) != BUDGET_NONE) {
		tt->again = 1;
		memset(slot(e, tt, ttl, 0), 0, sizeof(struct hop_probe));
		queue_query(e, tt, target, ttl, 0, now);
		return;
	}
	tt->again = 0;
	for (k = 1; k < e->c->queries; k++)
		queue_query(e, tt, target, ttl, k, now);
	tt->back = (uint8_t)(ttl > e->c->first_hop ? ttl - 1 : 0);
	if (tt->back)
		queue_query(e, tt, target, tt->back, 0, now);
}

/*
 * The first trace of its family ended: the others, held until now,
 * start at the last hop it heard (beyond it, paths part), or at
 * START_TTL when it heard none.
 */
#define START_TTL	3
static void
scouted(struct engine *e, uint32_t target, long last_hop, int64_t now)
{
	struct trace *tr = TR(e);
	int f = fam_of(e, target), h = last_hop > 0 ? (int)last_hop :
	    START_TTL;
	uint32_t i;

	if (tr->ss == NULL || tr->scout[f] != target || tr->h[f] != 0)
		return;
	h = h < e->c->first_hop ? e->c->first_hop : h > e->c->max_hops ?
	    e->c->max_hops : h;
	tr->h[f] = (uint8_t)h;
	for (i = 0; i < tr->cap; i++)
		if (tr->tt[i].held && fam_of(e, i) == f) {
			tr->tt[i].held = 0;
			if (trace_begin(e, i, now) == -1)
				e->nomem = 1;
		}
}

/*
 * The first trace need not be waited for to its end: once the hops it
 * printed end with a router named, every probe its window allows has
 * left (none waits for a router's token), and nothing more has come
 * for twice its slowest answer (at least SCOUT_QUIET_NS), what lies
 * beyond is a slow destination or silence: the others may start at its
 * last hop.  (A destination 600 ms away would otherwise hold 1,000
 * traces back 600 ms, and double the run.)
 */
#define SCOUT_QUIET_NS	20000000LL
#define SCOUT_TICK_NS	5000000LL
static int
scout_quiet(struct engine *e, int f, int64_t now)
{
	struct trace *tr = TR(e);
	struct trace_target *tt = &tr->tt[tr->scout[f]];
	int64_t quiet = (int64_t)(2e6 * tr->scout_rtt[f]);
	int ttl, q, end;

	if (tt->hp == NULL || tt->done || tt->idle ||
	    tt->printed < e->c->first_hop || !heard(e, tt, tt->printed))
		return 0;
	end = window_end(e, tt) < tt->limit ? window_end(e, tt) : tt->limit;
	for (ttl = tt->printed + 1; ttl <= end; ttl++)
		for (q = 0; q < e->c->queries; q++)
			if (slot(e, tt, ttl, q)->state == HP_UNSENT)
				return 0;
	if (quiet < SCOUT_QUIET_NS)
		quiet = SCOUT_QUIET_NS;
	return now - tr->scout_at[f] >= quiet;
}

static int64_t
trace_tick(struct engine *e, int64_t now)
{
	struct trace *tr = TR(e);
	int f, wait = 0;

	/* Only a family whose scout runs is watched: one never traced
	 * (IPv4 only) has nothing to release, and would wake the loop
	 * every SCOUT_TICK_NS for the whole run (hold() wakes the tick
	 * when a family's first trace starts). */
	for (f = 0; tr->ss && f < 2; f++) {
		if (tr->h[f] != 0 || tr->scout[f] == STOPSET_NONE)
			continue;
		wait = 1;
		if (scout_quiet(e, f, now))
			scouted(e, tr->scout[f], tr->tt[tr->scout[f]].printed,
			    now);
	}
	return wait ? now + SCOUT_TICK_NS : INT64_MAX;
}

/* An answer to the first trace: when, and how slow. */
static void
scout_heard(struct engine *e, uint32_t target, const struct hop_probe *h)
{
	struct trace *tr = TR(e);
	int f = fam_of(e, target);

	if (tr->ss == NULL || tr->scout[f] != target || tr->h[f] != 0)
		return;
	tr->scout_at[f] = engine_now(e);
	if (h->rtt_ms > tr->scout_rtt[f])
		tr->scout_rtt[f] = h->rtt_ms;
}

/* No more rounds of this trace: its hop summaries, if it keeps them;
 * the run may end once every trace is done. */
static void
trace_done(struct engine *e, uint32_t target)
{
	struct trace_target *tt = &TR(e)->tt[target];
	struct rec_text txt;
	struct record r;

	tt->done = 1;
	free(tt->known);
	tt->known = NULL;
	if (tt->sum) {
		trace_record(e, &r, REC_HOP_SUMMARY, target, &txt);
		hopsum_emit(tt->sum, e->out, &r);
		hopsum_free(tt->sum);
		tt->sum = NULL;
	}
	TR(e)->done++;
	e->tg->t[target].flags |= T_DONE;
}

/* Another round of this trace after this one (-c; 0: until stopped). */
static int
more_rounds(const struct engine *e, const struct trace_target *tt)
{
	return e->c->count == 0 || tt->round + 1 < e->c->count;
}

/* The last hop printed that anyone answered, and who. */
static void
last_heard(const struct engine *e, const struct trace_target *tt,
    int family, struct record *r, struct rec_text *txt)
{
	const struct hop_probe *h;
	int ttl, q;

	for (ttl = tt->printed; ttl >= e->c->first_hop; ttl--)
		for (q = 0; q < e->c->queries; q++) {
			h = slot(e, tt, ttl, q);
			if (!answered(h))
				continue;
			r->last_hop = ttl;
			r->last_addr = from_str(family, h, txt->from,
			    sizeof(txt->from));
			return;
		}
}

/*
 * The next round: -p after this one began, as mtr keeps its interval,
 * or at once when this one took longer (a lost probe's timeout, a
 * router's pacing): a lossy path keeps the period.  Rounds never
 * overlap (this one is over) and start at least -p apart: began was
 * rounded up and now is rounded down, so took is never more than the
 * round took (0 within its first ms).
 */
static int64_t
round_due(const struct engine *e, const struct trace_target *tt)
{
	int64_t now = engine_now(e);
	uint32_t ms = run_ms(e, now, 0) - tt->began;
	int64_t took = ms > UINT32_MAX / 2 ? 0 : (int64_t)ms * 1000000;

	return took < e->c->period_ns ? now + e->c->period_ns - took : now;
}

/*
 * A round is over: its verdict.  Then either the next round is queued
 * (round_due, on the engine's timer queue, which keeps due order), or,
 * with last set or no rounds left, the trace is done.
 */
static void
finish_trace(struct engine *e, uint32_t target, const char *stop, int last)
{
	struct trace_target *tt = &TR(e)->tt[target];
	struct target *t = &e->tg->t[target];
	struct rec_text txt;
	struct record r;
	struct job j;

	if (tt->reached) {
		report_keep_state(t, port_state_name(tt->pstate));
		report_alive(e->rep, t);
	}
	trace_record(e, &r, REC_TRACE, target, &txt);
	/* One fact: reached only with the destination's hop line. */
	r.reached = tt->reached && tt->printed == tt->limit;
	/* -c: the next rounds probe up to the destination's hop and no
	 * further, as mtr does; past it they would only find it again, a
	 * hop further whenever its answer at its own hop is lost. */
	if (r.reached && e->c->count != 1 && !e->c->trace_down)
		tt->dest = tt->printed;
	if (r.reached)
		r.state = port_state_name(tt->pstate);
	r.hops = tt->printed;
	r.stop = stop;
	last_heard(e, tt, t->family, &r, &txt);
	out_emit(e->out, &r);
	if (!last)
		scouted(e, target, r.last_hop, engine_now(e));
	/* Memory is held by the traces in flight only, not by all targets
	 * nor by traces between rounds (late answers check done and idle
	 * first). */
	free(tt->hp);
	free(tt->mpls);
	tt->hp = NULL;
	tt->mpls = NULL;
	tt->nmpls = 0;
	if (!last && more_rounds(e, tt)) {
		tt->idle = 1;
		memset(&j, 0, sizeof(j));
		j.due = round_due(e, tt);
		j.target = target;
		engine_timer(e, &j);
		return;
	}
	trace_done(e, target);
}

/* The next round of an idle trace is due: its hop table as new. */
static void
trace_next_round(struct engine *e, const struct job *j, int64_t now)
{
	struct trace_target *tt = tt_of(e, j->target);
	uint32_t target = j->target;

	if (tt == NULL || tt->done || !tt->idle)
		return;
	/* One allocation per round of a target, none per probe. */
	tt->hp = calloc((size_t)e->c->max_hops * (size_t)e->c->queries,
	    sizeof(*tt->hp));
	if (tt->hp == NULL) {
		/* Out of memory: the rounds so far are all there will be. */
		trace_done(e, target);
		return;
	}
	tt->stop = NULL;
	tt->next_ttl = (uint16_t)e->c->first_hop;
	tt->printed = (uint8_t)(e->c->first_hop - 1);
	tt->limit = (uint8_t)(tt->dest ? tt->dest : e->c->max_hops);
	tt->silent = 0;
	tt->retried = 0;
	tt->giving_up = 0;
	tt->reached = 0;
	tt->pstate = PORT_NONE;
	tt->idle = 0;
	tt->round++;
	walk_start(e, tt, target, now);
	fill_window(e, tt, target, now);
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

/* Probes beyond the printed hops still out, or queued. */
static int
pending_beyond(const struct engine *e, const struct trace_target *tt)
{
	int ttl;

	for (ttl = tt->printed + 1; ttl < tt->next_ttl && ttl <= tt->limit;
	    ttl++)
		if (!hop_complete(e, tt, ttl))
			return 1;
	return 0;
}

/* Complete silent hops right after the printed ones: a run held back. */
static int
held_run(const struct engine *e, const struct trace_target *tt)
{
	int ttl = tt->printed + 1;

	while (ttl < tt->next_ttl && ttl <= tt->limit &&
	    hop_complete(e, tt, ttl) && !heard(e, tt, ttl))
		ttl++;
	return ttl - tt->printed - 1;
}

/* A hop after ttl answered. */
static int
heard_beyond(const struct engine *e, const struct trace_target *tt, int ttl)
{
	for (ttl++; ttl < tt->next_ttl && ttl <= tt->limit; ttl++)
		if (heard(e, tt, ttl))
			return 1;
	return 0;
}

/*
 * A silent run long enough to give up on.  Not yet while probes beyond
 * it are out: a later hop's unreachable or the destination's reply is
 * never lost behind "gave up".  Then a hop of the run is probed again
 * after a pause (trace_reprobe): a router whose budget this run spent
 * (a reject route answers every TTL from its hop on) has a token again.
 * Once; twice, the second pause twice as long, when a router is known
 * at that hop (traces side by side may have spent its new token).
 */
static int
keep_trying(struct engine *e, struct trace_target *tt, uint32_t target)
{
	struct job j;

	if (pending_beyond(e, tt))
		return 1;
	if (tt->retried >= 2 || (tt->retried == 1 && !tt->rerouter))
		return 0;
	tt->retried++;
	memset(&j, 0, sizeof(j));
	j.due = engine_now(e) + REPROBE_NS * tt->retried;
	j.target = target;
	j.seq = tt->round;
	j.attempt = TJ_REPROBE;
	engine_timer(e, &j);
	return 1;
}

/*
 * Whether the next hop may be printed.  A silent hop is held back while
 * nothing beyond it answered and the trace's end is unknown: the run
 * may yet be a rate-limited router (probed again) rather than the end.
 * A run long enough, and tried again, is printed and given up on.
 */
static int
may_print(struct engine *e, struct trace_target *tt, uint32_t target,
    int ttl)
{
	int run;

	if (heard(e, tt, ttl) || tt->stop || tt->giving_up ||
	    heard_beyond(e, tt, ttl))
		return 1;
	run = held_run(e, tt);
	/* A run up to --max-hops can grow no longer: printed as it is. */
	if (tt->printed + run >= tt->limit)
		return 1;
	if (run < e->c->max_timeouts || keep_trying(e, tt, target))
		return 0;
	tt->giving_up = 1;
	return 1;
}

/* Print every hop that is ready, in TTL order; end the trace if due. */
static void
advance(struct engine *e, uint32_t target, int64_t now)
{
	struct trace_target *tt = &TR(e)->tt[target];
	int family = e->tg->t[target].family;
	int ttl;

	while (!tt->done && !tt->idle && tt->printed < tt->limit) {
		if (inherit(e, tt, target))
			continue;
		ttl = tt->printed + 1;
		if (!hop_complete(e, tt, ttl) ||
		    !may_print(e, tt, target, ttl))
			break;
		if (!names_known(e, tt, family, ttl)) {
			wait_for_names(TR(e), target);
			break;
		}
		emit_hop(e, target, ttl);
		remember(e, tt, target, ttl);
		tt->printed = (uint8_t)ttl;
		tt->silent = heard(e, tt, ttl) ? 0 : (uint8_t)(tt->silent + 1);
		if (tt->silent == 0)
			tt->retried = 0;
		/* Silent hops give up on a trace only while its end is
		 * unknown: once the destination answered (or an error
		 * stopped it), the hops up to it are printed. */
		if (ttl == tt->limit)
			finish_trace(e, target, tt->stop ? tt->stop :
			    ttl == tt->dest ? "lost" : "max-hops", 0);
		else if (tt->giving_up && tt->silent >= e->c->max_timeouts)
			finish_trace(e, target, "max-timeouts", 0);
	}
	fill_window(e, tt, target, now);
}

/*
 * The re-probe of a held silent run: its first hop whose router is
 * known (other targets, or the last round, named one there: a router
 * that answers every TTL from its hop on, such as a reject route's,
 * makes the whole run), else its first hop.  Its probes as new.
 */
static void
trace_reprobe(struct engine *e, struct trace_target *tt, uint32_t target,
    int64_t now)
{
	struct trace *tr = TR(e);
	int f = fam_of(e, target), run = held_run(e, tt), ttl, q;

	for (ttl = tt->printed + 1; ttl <= tt->printed + run; ttl++)
		if ((tt->known && tt->known[ttl - 1]) ||
		    tr->ttl_rtr[f][ttl])
			break;
	tt->rerouter = ttl <= tt->printed + run;
	if (!tt->rerouter)
		ttl = tt->printed + 1;
	for (q = 0; q < e->c->queries; q++) {
		memset(slot(e, tt, ttl, q), 0, sizeof(struct hop_probe));
		queue_query(e, tt, target, ttl, q, now);
	}
	advance(e, target, now);
}

/* A timer job of the trace came due: a round, a re-probe, a paced
 * probe. */
static void
trace_timer(struct engine *e, const struct job *j, int64_t now)
{
	struct trace_target *tt = tt_of(e, j->target);
	struct job q;

	if (j->attempt == TJ_ROUND) {
		trace_next_round(e, j, now);
		return;
	}
	if (tt == NULL || tt->done || tt->idle)
		return;
	if (j->attempt == TJ_PROBE) {
		q = *j;
		q.attempt = 0;
		q.due = 0;
		engine_queue(e, &q);
	} else if (j->attempt == TJ_RETAKE) {
		q = *j;
		q.attempt = 0;
		queue_probe(e, tt, &q, now);
	} else if (j->seq == tt->round && held_run(e, tt) > 0) {
		trace_reprobe(e, tt, j->target, now);
	} else {
		advance(e, j->target, now);
	}
}

/* The hop states of the outcomes a trace keeps. */
static enum hop_state
hop_state(enum outcome kind)
{
	switch (kind) {
	case OC_REPLY:		return HP_REPLY;
	case OC_EXCEEDED:	return HP_EXCEEDED;
	case OC_ERROR:		return HP_ERROR;
	case OC_LOCAL:		return HP_LOCAL;
	case OC_TIMEOUT:	return HP_TIMEOUT;
	default:		return HP_UNSENT;
	}
}

/* What the probe's answer says of its hop: who, how fast, which error. */
static void
hop_fill(struct engine *e, struct hop_probe *h, int family,
    const struct answer *a)
{
	const char *name;

	h->state = (uint8_t)hop_state(a->kind);
	if (a->kind != OC_LOCAL && a->kind != OC_TIMEOUT) {
		memcpy(h->from, a->from, 16);
		/* Ask for the name now, not when the hop is next to print:
		 * the lookups of all hops then run side by side. */
		if (TR(e)->rdns)
			(void)rdns_lookup(TR(e)->rdns, family, h->from, &name);
		h->rtt_ms = (float)((double)a->rtt_ns / 1e6);
	} else {
		h->rtt_ms = NAN;
	}
	h->type = a->kind == OC_LOCAL ? 0 : a->type;
	h->code = a->kind == OC_LOCAL ? (uint8_t)a->err : a->code;
	h->mtu = a->mtu > 0 && a->mtu < 65536 ? (uint16_t)a->mtu : 0;
	h->pstate = (uint8_t)(a->kind == OC_REPLY ? port_state_code(a->state) :
	    PORT_NONE);
}

/*
 * The destination, or the end of the road: nothing beyond this hop
 * counts.  A reply wins over an error.
 */
static void
hop_limit(struct engine *e, struct trace_target *tt, int family, int ttl,
    const struct hop_probe *h)
{
	/* A router where the destination was in an earlier round: the path
	 * grew, the rounds go on to --max-hops again. */
	if (ttl == tt->dest && h->state == HP_EXCEEDED) {
		tt->dest = 0;
		tt->limit = (uint8_t)e->c->max_hops;
		return;
	}
	if (ttl > tt->limit || (h->state != HP_REPLY &&
	    h->state != HP_ERROR && h->state != HP_LOCAL))
		return;
	if (ttl < tt->limit || h->state == HP_REPLY) {
		tt->reached = h->state == HP_REPLY;
		tt->pstate = tt->reached ? h->pstate : PORT_NONE;
		tt->stop = tt->reached ? "reached" : error_name(e, family, h);
	} else if (tt->stop == NULL) {
		tt->stop = error_name(e, family, h);
	}
	tt->limit = (uint8_t)ttl;
}

/* Per family and TTL: the router that answered there. */
static void
ttl_router(struct trace *tr, int f, int ttl, unsigned a)
{
	if (tr->ttl_rtr[f][ttl] != a + 1) {
		tr->ttl_rtr[f][ttl] = (uint16_t)(a + 1);
		tr->ttl_agree[f][ttl] = 1;
	} else if (tr->ttl_agree[f][ttl] < 255) {
		tr->ttl_agree[f][ttl]++;
	}
}

/* What an outcome of a probe sent at sent teaches of the budget of the
 * router it was paced for, or came from.  1: a silence of our own doing
 * (budget.h), to be asked again. */
static int
learn(struct engine *e, struct trace_target *tt, uint32_t target, int ttl,
    const struct hop_probe *h, int64_t sent)
{
	struct trace *tr = TR(e);
	unsigned p = TRACE_RTR(h->rtr) - 1u, a;
	int paced = TRACE_RTR(h->rtr) != 0;
	int trial = (h->rtr & TRACE_TRIAL) != 0;

	if (h->state == HP_TIMEOUT) {
		if (!paced || budget_lost(tr->bud, p, sent, trial))
			return 0;
		if (trial)
			return budget_trial(tr->bud, p, 0);
		return budget_silent(tr->bud, p, sent, engine_now(e));
	}
	if (paced && trial)
		budget_trial(tr->bud, p, 1);
	if (h->state != HP_EXCEEDED && h->state != HP_ERROR)
		return 0;
	a = budget_add(tr->bud, h->from, engine_now(e));
	if (a == BUDGET_NONE)
		return 0;
	if (!(h->rtr & TRACE_TIMED))
		budget_heard(tr->bud, a, sent);
	if (h->state == HP_ERROR)
		budget_reject(tr->bud, a, engine_now(e));
	/* Its answer spent a token we had not reserved with it. */
	if (!paced || p != a || trial)
		budget_spent(tr->bud, a, engine_now(e));
	else
		budget_paced(tr->bud, a, engine_now(e));
	ttl_router(tr, fam_of(e, target), ttl, a);
	if (tt->known)
		tt->known[ttl - 1] = (uint16_t)(a + 1);
	return 0;
}

/* A large run's one probe per hop (conf.again): silent, asked once
 * more before the hop is. */
static int
ask_again(const struct engine *e, const struct hop_probe *h)
{
	return e->c->again && h->state == HP_TIMEOUT &&
	    !(h->rtr & TRACE_AGAIN);
}

/*
 * Probe q of hop ttl as new: a silence of our own doing (beyond what its
 * router was known to allow: ours set) is not the path's loss, nor is
 * one probe's a silent hop.
 */
static void
ask_query(struct engine *e, struct trace_target *tt, uint32_t target,
    int ttl, int q, int ours)
{
	struct hop_probe *h = slot(e, tt, ttl, q);
	uint16_t asked = ours ? h->rtr & TRACE_AGAIN : TRACE_AGAIN;

	memset(h, 0, sizeof(*h));
	h->rtr = asked;
	queue_query(e, tt, target, ttl, q, engine_now(e));
}

/* A probe's outcome: its hop's slot, its line, maybe the next hops. */
static void
hop_result(struct engine *e, const struct probe *pr, const struct answer *a)
{
	struct trace_target *tt = tt_of(e, pr->target);
	int family = e->tg->t[pr->target].family;
	int ttl = TRACE_TTL(pr->seq), q = TRACE_QUERY(pr->seq);
	struct hop_probe *h;
	int again;

	if (tt == NULL || tt->done || tt->idle || bad_seq(e, pr->seq))
		return;
	h = slot(e, tt, ttl, q);
	/* The serial: a late answer to an earlier round's probe of this
	 * hop is not this round's. */
	if (h->state != HP_SENT || h->serial != pr->serial)
		return;
	hop_fill(e, h, family, a);
	scout_heard(e, pr->target, h);
	again = learn(e, tt, pr->target, ttl, h, pr->sent);
	/* Sent before the end was known (a paced hop below answered
	 * late): nothing beyond it counts. */
	if (ttl > tt->limit)
		return;
	if (again || ask_again(e, h)) {
		ask_query(e, tt, pr->target, ttl, q, again);
		return;
	}
	if (a->kind == OC_EXCEEDED || a->kind == OC_ERROR)
		keep_mpls(tt, ttl, a);
	hop_limit(e, tt, family, ttl, h);
	emit_probe(e, pr->target, ttl, q, h);
	walk_back(e, tt, pr->target, ttl, q, h);
	advance(e, pr->target, engine_now(e));
}

/*
 * A reply is the destination answering (late or duplicate ones, whose
 * probe has left, are not: the hop has its answer); an advisory error
 * (redirect) changes nothing.
 */
static void
trace_outcome(struct engine *e, struct probe *pr, const struct answer *a,
    const struct rx *rx)
{
	(void)rx;
	if (a->kind == OC_ADVISORY || pr == NULL)
		return;
	hop_result(e, pr, a);
	if (a->kind == OC_REPLY)
		engine_settle(e, pr);
}

static void
names_ready(struct engine *e)
{
	struct trace *tr = TR(e);
	uint32_t i, n = tr->nwaiting;

	/*
	 * advance() may put a target back on the list: it lands at an
	 * index no greater than the one being handled, so the rest of this
	 * round is never overwritten.
	 */
	tr->nwaiting = 0;
	for (i = 0; i < n; i++)
		advance(e, tr->waiting[i], engine_now(e));
}

static void
on_names(void *arg, int fd, unsigned what)
{
	struct engine *e = arg;

	(void)fd;
	(void)what;
	if (rdns_read(TR(e)->rdns) > 0)
		names_ready(e);
}

int
trace_names(struct engine *e, struct loop *l)
{
	if ((TR(e)->rdns = rdns_start(4)) == NULL)
		return -1;
	return loop_add(l, rdns_fd(TR(e)->rdns), on_names, e);
}

/*
 * The end of the run (interrupted, deadline): each unfinished trace
 * prints what it has, with that reason.  A run that ended by itself has
 * none left.
 */
static void
trace_finish(struct engine *e, const char *why)
{
	struct trace_target *tt;
	struct rec_text txt;
	struct record r;
	uint32_t i;

	if (why == NULL)
		why = "deadline";
	for (i = 0; i < e->tg->n; i++) {
		tt = i < TR(e)->cap ? &TR(e)->tt[i] : NULL;
		if (tt && tt->done)
			continue;
		if (tt && tt->idle) {
			/* Between rounds: the last one has its verdict. */
			trace_done(e, i);
			continue;
		}
		if (tt == NULL || !tt->running) {
			trace_record(e, &r, REC_TRACE, i, &txt);
			r.reached = 0;
			r.hops = 0;
			r.stop = why;
			out_emit(e->out, &r);
			continue;
		}
		trace_stop(e, i, why);
	}
}

void
trace_stop(struct engine *e, uint32_t i, const char *why)
{
	struct trace_target *tt = &TR(e)->tt[i];
	int ttl, last;

	/* Print up to the last hop anyone answered, then stop. */
	for (last = 0, ttl = tt->printed + 1; ttl < tt->next_ttl &&
	    ttl <= tt->limit; ttl++)
		if (heard(e, tt, ttl))
			last = ttl;
	for (ttl = tt->printed + 1; ttl <= last; ttl++) {
		emit_hop(e, i, ttl);
		tt->printed = (uint8_t)ttl;
	}
	finish_trace(e, i, tt->limit == tt->printed && tt->stop ?
	    tt->stop : why, 1);
}

int
trace_start(struct engine *e, uint32_t target, int64_t now,
    const char *cause)
{
	struct trace_target *tt = tt_of(e, target);
	struct job j;

	if (tt == NULL && trace_begin(e, target, now) == -1)
		return -1;
	if (tt != NULL) {
		/* Traced before: its next round, as new. */
		memset(&j, 0, sizeof(j));
		j.target = target;
		trace_next_round(e, &j, now);
		if (tt->hp == NULL)
			return -1;
	}
	TR(e)->tt[target].cause = cause;
	return 0;
}

/* Every trace has finished. */
static int
trace_all_done(struct engine *e, int64_t now)
{
	(void)now;
	return TR(e)->done >= e->tg->n;
}

static const struct mode mode_trace = {
	.begin = trace_begin,
	.wanted = trace_wanted,
	.sent = trace_sent,
	.timer = trace_timer,
	.tick = trace_tick,
	.outcome = trace_outcome,
	.serial_of = trace_serial,
	.done = trace_all_done,
	.finish = trace_finish,
	.destroy = trace_free,
};

int
trace_mode(struct engine *e)
{
	struct trace *tr;

	if ((e->ms = tr = calloc(1, sizeof(struct trace))) == NULL)
		return -1;
	if ((tr->bud = budget_new(TRACE_ROUTERS)) == NULL) {
		trace_free(e);
		return -1;
	}
	/* --stop-set; by default for traces of one round, not in the
	 * views that show each probe (--live), hop summaries (--report)
	 * nor --trace-down's. */
	tr->scout[0] = tr->scout[1] = STOPSET_NONE;
	if ((e->c->stop_set == STOPSET_ON || (!e->c->stop_set &&
	    e->c->count == 1 && !e->c->live && !e->c->trace_down &&
	    !conf_hop_summary(e->c))) &&
	    (tr->ss = stopset_new()) == NULL) {
		trace_free(e);
		return -1;
	}
	e->mode = &mode_trace;
	return 0;
}
