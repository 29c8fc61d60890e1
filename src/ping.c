/*
 * The ping run mode.  The engine sends and matches; this file decides
 * when a target's next probe is due and what each answer counts as.
 */
#include <sys/socket.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "monitor.h"
#include "ping.h"

#define LINGER_NS	(50 * 1000000LL)
#define LINGER_MIN_NS	(5 * 1000000LL)

struct responder {
	uint32_t target;
	uint8_t	 addr[16];
};

struct ping {
	int64_t			 rtt_max;	/* slowest counted reply, ns */
	int64_t			 linger;	/* end of the wait, or 0 */
	struct responder	*resp;		/* -b: who answered whom */
	size_t			 nresp, capresp;
	struct monitor		*mon;		/* -Q, --down-after, or NULL */
	float			*rtts;		/* --rtts: -c per target, NaN: none */
	uint32_t		 rtts_cap;	/* targets it has room for */
	int			 rtts_nomem;	/* said once */
};

/* --rtts: target i's reply to probe seq took ms (the table grows as names
 * join the run; a target without room has only NaN). */
static void
rtts_keep(struct ping *p, const struct conf *c, uint32_t i, uint32_t seq,
    double ms)
{
	uint32_t cap = p->rtts_cap;
	float *v;
	size_t k;

	if (!c->rtts || seq >= c->count)
		return;
	if (i >= p->rtts_cap) {
		if ((v = array_room(p->rtts, &cap, i, c->count *
		    sizeof(*v))) == NULL) {
			if (!p->rtts_nomem)
				fprintf(stderr, "mping: --rtts: out of memory, "
				    "some summaries will lack RTTs\n");
			p->rtts_nomem = 1;
			return;
		}
		for (k = (size_t)p->rtts_cap * c->count;
		    k < (size_t)cap * c->count; k++)
			v[k] = NAN;
		p->rtts = v;
		p->rtts_cap = cap;
	}
	p->rtts[(size_t)i * c->count + seq] = (float)ms;
}

/* Target i's RTTs into out (c->count of them), for its summary. */
static void
rtts_fill(const struct ping *p, const struct conf *c, uint32_t i,
    double *out)
{
	uint32_t k;

	for (k = 0; k < c->count; k++)
		out[k] = i < p->rtts_cap ? p->rtts[(size_t)i * c->count + k] :
		    NAN;
}

static int
ping_first(struct engine *e, uint32_t target, int64_t now, struct job *j)
{
	(void)e;
	memset(j, 0, sizeof(*j));
	j->due = now;
	j->target = target;
	return 1;
}

/*
 * The next round of a target is due one period after this one was due,
 * not after it went out, or every round's delay would add up.  After a
 * stall (SIGSTOP, a loaded machine) the rounds missed are skipped, not
 * sent in a burst: the next one goes now and the phase is kept.
 */
static int64_t
next_round(const struct conf *c, int64_t due, int64_t now)
{
	int64_t next = due + c->period_ns;

	if (next < now)
		next += (now - next) / c->period_ns * c->period_ns;
	return next;
}

static void
ping_sent(struct engine *e, const struct job *j, uint32_t serial,
    int64_t now)
{
	struct target *t = &e->tg->t[j->target];

	t->last_serial = serial;
	if (j->attempt)
		return;
	if (e->c->count && (uint64_t)j->seq + 1 >= e->c->count) {
		t->flags |= T_DONE;
		return;
	}
	/* Its seq is j->seq + 1: the target's count of probes sent now. */
	engine_round(e, j->target, next_round(e->c, j->due, now));
}

/* A short quote names the target's latest probe. */
static int64_t
ping_serial_of(struct engine *e, uint32_t target, uint16_t seq16)
{
	(void)seq16;
	return e->tg->t[target].last_serial;
}

/* -b: count each host that answers a broadcast target once. */
static void
responder(struct ping *p, uint32_t target, const uint8_t a[16])
{
	struct responder *r;
	size_t i;

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

/*
 * Counted, late, duplicate or foreign.  The kernel's stamp judges a reply:
 * one that came within the timeout counts even if we read it later (the
 * loop stalled), one that came after it is late (and its probe times out
 * now if we had not seen that yet).  The probe of a late or duplicate
 * reply has left the pool; the payload has its send time.
 */
enum { R_COUNTED, R_LATE, R_DUP, R_FOREIGN };

static int
classify(struct engine *e, struct target *t, struct probe *pr,
    const struct answer *a, const struct rx *rx)
{
	struct ping *p = e->ms;
	uint8_t addr[16];

	if (memcmp(a->from, target_a16(e->tg, t, addr), 16) != 0 &&
	    !(t->flags & T_BCAST))
		return R_FOREIGN;	/* our probe, someone else answered */
	if (a->rtt_ns > conf_timeout(e->c, a->h.attempt)) {
		if (pr)
			engine_late(e, pr, rx->read);
		return R_LATE;
	}
	if (t->flags & T_BCAST)
		responder(p, a->h.target, a->from);
	if (pr) {
		stats_add_us(&t->rtt, stats_us(a->rtt_ns));	/* received */
		if (a->rtt_ns > p->rtt_max)
			p->rtt_max = a->rtt_ns;
		engine_settle(e, pr);
		report_keep_state(t, a->state);
		report_alive(e->rep, t);
		/* fping -X: enough targets answered, the run ends now. */
		if (e->c->fping.fast_reachable &&
		    e->rep->answered >= e->c->fping.min_reachable)
			e->why = "enough";
		return R_COUNTED;
	}
	if (t->flags & T_BCAST)
		return R_COUNTED;
	targets_count(e->tg, a->h.target, TC_DUPS);
	return R_DUP;
}

/* Hand a per-probe event to the formatter, with the counts after it. */
static void
emit_event(struct engine *e, const struct target *t, struct record *r)
{
	report_counts(e->rep, t, r);
	out_emit(e->out, r);
}

static void
reply_record(struct engine *e, struct target *t, const struct answer *a,
    int kind)
{
	struct rec_text txt;
	struct record r;

	report_target(e->rep, &r, REC_REPLY, t, &txt);
	r.seq = a->h.seq;
	r.probe = a->h.attempt;
	report_answer(e->rep, t, &r, a, &txt);
	/* In whole microseconds, as the summary's statistics. */
	r.rtt_ms = stats_us(a->rtt_ns) / 1e3;
	r.foreign = kind == R_FOREIGN;
	r.late = kind == R_LATE;
	r.dup = kind == R_DUP;
	emit_event(e, t, &r);
}

static void
on_reply(struct engine *e, struct probe *pr, const struct answer *a,
    const struct rx *rx)
{
	struct target *t = &e->tg->t[a->h.target];
	int counted = pr != NULL;	/* classify settles it */
	int64_t sent = pr ? pr->sent : 0;
	uint32_t seq = pr ? pr->seq : 0;
	int kind = classify(e, t, pr, a, rx);

	/* Names and addresses as text cost more than the rest: only if
	 * the record is written (not under -q, for one). */
	if (out_wants(e->out, REC_REPLY))
		reply_record(e, t, a, kind);
	/* After the reply's line: an up record follows what ended it. */
	if (counted && kind == R_COUNTED) {
		monitor_reply(((struct ping *)e->ms)->mon, e, a->h.target,
		    (double)a->rtt_ns / 1e6, sent, seq);
		rtts_keep(e->ms, e->c, a->h.target, a->h.seq,
		    (double)a->rtt_ns / 1e6);
	}
}

/* A probe that could not leave this host: reported like an ICMP error. */
static void
on_local(struct engine *e, struct target *t, uint32_t seq,
    const struct answer *a)
{
	struct rec_text txt;
	struct record r;

	report_target(e->rep, &r, REC_ERROR, t, &txt);
	r.seq = seq;
	r.from = "local";
	r.error = sock_error_name(t->family, a->err);
	if (a->err == EMSGSIZE)
		r.mtu = a->mtu;
	/* fping says strerror's words for every send error. */
	if (strcmp(r.error, "send-failed") == 0 || e->c->fping.on)
		r.reason = strerror(a->err);
	targets_count(e->tg, (uint32_t)(t - e->tg->t), TC_ERRORS);
	emit_event(e, t, &r);
}

/* A timeout or an ICMP error (an advisory one too) as a record. */
static void
failure_record(struct engine *e, struct target *t, const struct probe *pr,
    const struct answer *a)
{
	struct rec_text txt;
	struct record r;

	report_target(e->rep, &r, a->kind == OC_TIMEOUT ? REC_TIMEOUT :
	    REC_ERROR, t, &txt);
	r.seq = pr->seq;
	if (a->kind != OC_TIMEOUT) {
		report_answer(e->rep, t, &r, a, &txt);
		targets_count(e->tg, (uint32_t)(t - e->tg->t), TC_ERRORS);
	}
	emit_event(e, t, &r);
}

static void
ping_outcome(struct engine *e, struct probe *pr, const struct answer *a,
    const struct rx *rx)
{
	struct target *t;

	if (a->kind == OC_REPLY) {
		on_reply(e, pr, a, rx);
		return;
	}
	t = &e->tg->t[pr->target];
	if (a->kind == OC_LOCAL)
		on_local(e, t, pr->seq, a);
	else if (a->kind != OC_TIMEOUT || out_wants(e->out, REC_TIMEOUT))
		failure_record(e, t, pr, a);
	/* After the failure's line: a down record follows what ended it. */
	if (a->kind != OC_ADVISORY)
		monitor_miss(((struct ping *)e->ms)->mon, e, pr->target,
		    pr->sent);
}


/* Every probe of every target has its outcome (or -a: all answered). */
static int
finished(const struct engine *e)
{
	/* No -c: until interrupted or -w; -a: until every target answered. */
	if (e->c->count == 0 && e->tg->n > 0)
		return e->c->alive && e->rep->answered == targets_live(e->tg);
	return engine_idle(e);
}

/*
 * A duplicate comes about one round trip after the reply it copies: wait
 * twice the slowest round trip of the run, from 5 to 50 ms, never longer
 * than the timeout.
 */
static int64_t
linger_ns(const struct engine *e)
{
	const struct ping *p = e->ms;
	int64_t l = 2 * p->rtt_max;

	if (l < LINGER_MIN_NS)
		l = LINGER_MIN_NS;
	if (l > LINGER_NS)
		l = LINGER_NS;
	return l < e->c->timeout_ns ? l : e->c->timeout_ns;
}

/* All answered: linger a moment so duplicates of the last replies are
 * still seen and counted, then end. */
static int
ping_done(struct engine *e, int64_t now)
{
	struct ping *p = e->ms;

	if (!finished(e))
		return 0;
	if (p->linger == 0)
		p->linger = now + linger_ns(e);
	return now >= p->linger;
}

static int64_t
ping_wake(struct engine *e)
{
	const struct ping *p = e->ms;

	return p->linger ? p->linger : INT64_MAX;
}

/* Target i's summary (or interim) record; with its reason if its name
 * did not resolve (the latest time). */
static void
summary_of(struct engine *e, uint32_t i, enum rec_type type)
{
	struct ping *p = e->ms;
	struct rec_text txt;
	struct target *t = &e->tg->t[i];
	struct record r;
	double *rtts = NULL;

	report_target(e->rep, &r, type, t, &txt);
	r.state = report_port_state(t);
	r.reason = targets_why(e->tg, t);
	if (t->flags & T_BCAST)
		r.responders = responders_of(p, i);
	/* Not on the hot path: once per target at the end. */
	if (e->c->rtts && (rtts = malloc(e->c->count * sizeof(*rtts)))) {
		rtts_fill(p, e->c, i, rtts);
		r.rtts = rtts;
		r.nprobes = e->c->count;
	}
	emit_event(e, t, &r);
	free(rtts);
}

/* In the order given, as fping does: names resolve in any order.  A
 * target that left the run had its summary then. */
static void
summaries_of(struct engine *e, enum rec_type type)
{
	uint32_t i, k, *order = targets_in_order(e->tg);

	e->rep->at = real_time();
	for (k = 0; k < e->tg->n; k++) {
		i = order ? order[k] : k;
		if (!(e->tg->t[i].flags & T_GONE))
			summary_of(e, i, type);
	}
	e->rep->at = 0;
	free(order);
}

/* A target left the run (a reload): its final summary now. */
static void
ping_left(struct engine *e, uint32_t target)
{
	summary_of(e, target, REC_SUMMARY);
}

/* SIGQUIT: the counts so far, as records of their own. */
static void
interim(struct engine *e)
{
	summaries_of(e, REC_INTERIM);
}

static void
ping_finish(struct engine *e, const char *why)
{
	(void)why;
	monitor_finish(((struct ping *)e->ms)->mon, e);
	summaries_of(e, REC_SUMMARY);
}

static int64_t
ping_tick(struct engine *e, int64_t now)
{
	return monitor_tick(((struct ping *)e->ms)->mon, e, now);
}

static void
ping_destroy(struct engine *e)
{
	struct ping *p = e->ms;

	free(p->resp);
	free(p->rtts);
	monitor_free(p->mon);
	free(p);
	e->ms = NULL;
}

static const struct mode mode_ping = {
	.first = ping_first,
	.sent = ping_sent,
	.outcome = ping_outcome,
	.serial_of = ping_serial_of,
	.done = ping_done,
	.wake = ping_wake,
	.tick = ping_tick,
	.left = ping_left,
	.interim = interim,
	.finish = ping_finish,
	.destroy = ping_destroy,
};

int
ping_mode(struct engine *e)
{
	struct ping *p;
	int nomem;

	if ((p = e->ms = calloc(1, sizeof(struct ping))) == NULL)
		return -1;
	p->mon = monitor_create(e->c, &nomem);
	if (nomem) {
		free(p);
		e->ms = NULL;
		return -1;
	}
	e->mode = &mode_ping;
	return 0;
}
