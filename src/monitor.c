#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "monitor.h"
#include "prom.h"

/* --prom-file without -Q: rewritten this often. */
#define PROM_EVERY_NS	(10 * 1000000000LL)
/*
 * A report is written this many targets at a time, between the engine's
 * steps (about a millisecond of formatting): a million targets' report
 * never holds their probes back for longer than that.
 */
#define REPORT_SLICE	1024

/* UD_RISING: down, answering again, the up record waits for the
 * outage's probes still in flight (rise). */
enum { UD_UNKNOWN, UD_UP, UD_DOWN, UD_RISING };

/*
 * A target's counts when its interval began, and its interval's RTTs: 32
 * bytes (issue 15's budget).  The counts are kept modulo 2^16: an
 * interval's own count, a difference, is exact below 65,536, which the
 * command line guarantees (at most 65,535 probes per target in an
 * interval, retries included).  Jitter: the target's sum of |ΔRTT| now
 * less at the interval's first RTT, over the differences since.
 */
struct ival {
	uint16_t	 sent, lost, errors, dups;
	uint16_t	 n;		/* RTTs in the interval */
	uint16_t	 lag;		/* ms its last record came after its
					   report's start (a later slice;
					   padding that was there anyway) */
	float		 mean, m2;	/* Welford, ms */
	float		 min, max;
	float		 jsum;		/* the target's at the first RTT */
};

/* A target's runs of answered and missed probes. */
struct updown {
	uint32_t	 hits, misses;	/* in a row, now */
	uint32_t	 lost;		/* probes lost since it went down */
	uint32_t	 ended;		/* its probes that had their outcome */
	uint32_t	 owed;		/* sent before the run of answers,
					   still in flight */
	uint8_t		 state;
	double		 miss_start;	/* Unix time the run of misses began */
	double		 down_since;	/* the outage's start */
	double		 hit_start;	/* Unix time the run of answers began */
};

struct monitor {
	const struct conf	*c;
	struct ival		*iv;	/* -Q: one per target, or NULL */
	struct updown		*ud;	/* --down-after: one per target */
	uint32_t		 cap;
	int64_t			 every;	/* ns between reports, 0: none */
	double			 settle;	/* s: a probe's every attempt
					   has timed out */
	int64_t			 next;	/* the next report is due, mono ns */
	double			 iv_start;	/* Unix time */
	struct prom		*prom;	/* --prom-file, or NULL */
	int			 prom_failed;	/* said so on stderr */
	int			 prom_only;	/* the last report: the file */
	/* The report being written, slice by slice. */
	int			 busy;
	uint32_t		*order;	/* targets in order, or NULL */
	uint32_t		 at, count;	/* next of count */
	double			 end;	/* its start: the first slice's end */
	uint16_t		 lag;	/* this slice's, ms after end */
};

int64_t
monitor_every(const struct conf *c)
{
	return c->report_every_ns ? c->report_every_ns :
	    c->prom_file ? PROM_EVERY_NS : 0;
}

uint64_t
monitor_probes_max(const struct conf *c)
{
	int64_t every = monitor_every(c);

	if (every == 0 || c->period_ns <= 0)
		return 0;
	return ((uint64_t)every / (uint64_t)c->period_ns + 1) *
	    ((uint64_t)c->retries + 1);
}

struct monitor *
monitor_create(const struct conf *c, int *nomem)
{
	struct monitor *m;
	char err[256];
	unsigned a;

	*nomem = 0;
	if (c->report_every_ns == 0 && c->down_after == 0 &&
	    c->prom_file == NULL)
		return NULL;
	if ((m = calloc(1, sizeof(*m))) == NULL ||
	    (c->prom_file && (m->prom = prom_open(c->prom_file, err,
	    sizeof(err))) == NULL)) {
		free(m);
		*nomem = 1;
		return NULL;
	}
	m->c = c;
	m->every = monitor_every(c);
	for (a = 0; a <= c->retries; a++)
		m->settle += (double)conf_timeout(c, a) / 1e9;
	return m;
}

void
monitor_free(struct monitor *m)
{
	if (m == NULL)
		return;
	free(m->iv);
	free(m->ud);
	free(m->order);
	prom_free(m->prom);
	free(m);
}

/* Room for target i (names join the table as they resolve): 0, or -1. */
static int
room(struct monitor *m, uint32_t i)
{
	uint32_t cap = m->cap;
	void *p;

	if (i < m->cap)
		return 0;
	/* Both arrays grow alike from the same cap. */
	if (m->every) {
		if ((p = array_room(m->iv, &cap, i, sizeof(*m->iv))) == NULL)
			return -1;
		m->iv = p;
	}
	if (m->c->down_after) {
		cap = m->cap;
		if ((p = array_room(m->ud, &cap, i, sizeof(*m->ud))) == NULL)
			return -1;
		m->ud = p;
	}
	m->cap = cap;
	return 0;
}

static long
lost_of(const struct target *t)
{
	return (long)t->sent - (long)t->rtt.n - (long)t->inflight;
}

/* An up or down record of target i. */
static void
emit_change(struct engine *e, uint32_t i, const struct updown *u, int up)
{
	const struct target *t = &e->tg->t[i];
	struct rec_text txt;
	struct record r;

	report_target(e->rep, &r, up ? REC_UP : REC_DOWN, t, &txt);
	report_counts(e->rep, t, &r);
	r.t_start = u->down_since;
	r.lost = u->lost;
	if (up) {
		r.t_end = u->hit_start;
		r.duration = u->hit_start - u->down_since;
	}
	out_emit(e->out, &r);
}

/* A reply's RTT, ms, into its target's interval (after the target's). */
static void
ival_add(struct ival *v, const struct stats *all, double ms)
{
	double d, mean;

	/* The differences of the interval's own RTTs start here. */
	if (v->n == 0)
		v->jsum = (float)stats_jsum(all);
	if (v->n == 0 || ms < v->min)
		v->min = (float)ms;
	if (v->n == 0 || ms > v->max)
		v->max = (float)ms;
	v->n++;
	d = ms - v->mean;
	mean = v->mean + d / v->n;
	v->m2 += (float)(d * (ms - mean));
	v->mean = (float)mean;
}

/* The interval's RTTs as the record's (NaN when none came). */
static void
ival_rtts(const struct ival *v, const struct target *t, struct record *r)
{
	r->rtt_min = r->rtt_avg = r->rtt_max = r->rtt_stddev = NAN;
	r->jitter = NAN;
	if (v->n == 0)
		return;
	r->rtt_min = v->min;
	r->rtt_avg = v->mean;
	r->rtt_max = v->max;
	r->rtt_stddev = sqrt(v->m2 > 0 ? v->m2 / v->n : 0.0);
	if (v->n > 1)
		r->jitter = (stats_jsum(&t->rtt) - v->jsum) / (v->n - 1);
}

/* A probe's send time, Unix s (as miss_start and hit_start have it). */
static double
sent_real(struct engine *e, int64_t sent_mono)
{
	return real_time() - (double)(engine_now(e) - sent_mono) / 1e9;
}

/*
 * The up record of a rising target once none of its outage's probes is
 * in flight (or by force: its answers stopped, the run ends, or every
 * probe sent before them has timed out however many owed were counted),
 * so that its lost is the outage's, as the summary counts them.
 */
static void
rise(struct engine *e, uint32_t i, struct updown *u, int force)
{
	if (u->owed > 0 && !force)
		return;
	emit_change(e, i, u, 1);
	u->state = UD_UP;
	e->tg->t[i].down = 0;
}

void
monitor_reply(struct monitor *m, struct engine *e, uint32_t i, double rtt,
    int64_t sent_mono, uint32_t seq)
{
	struct updown *u;
	double sent;

	if (m == NULL || room(m, i) == -1)
		return;
	if (m->iv)
		ival_add(&m->iv[i], &e->tg->t[i].rtt, rtt);
	if (m->ud == NULL)
		return;
	u = &m->ud[i];
	sent = sent_real(e, sent_mono);
	u->misses = 0;
	if (u->hits > 0 && sent < u->hit_start && u->owed > 0)
		u->owed--;
	/* Its seq counts the target's probes sent before it (retries too,
	 * which only makes owed too many: the settle time ends those). */
	if (u->hits++ == 0) {
		u->hit_start = sent;
		u->owed = seq > u->ended ? seq - u->ended : 0;
	}
	u->ended++;
	if (u->state == UD_DOWN && u->hits >= m->c->up_after)
		u->state = UD_RISING;
	else if (u->state == UD_UNKNOWN)
		u->state = UD_UP;
	if (u->state == UD_RISING)
		rise(e, i, u, sent >= u->hit_start + m->settle);
}

void
monitor_miss(struct monitor *m, struct engine *e, uint32_t i,
    int64_t sent_mono)
{
	struct updown *u;
	double sent;

	if (m == NULL || m->c->down_after == 0 || room(m, i) == -1)
		return;
	u = &m->ud[i];
	sent = sent_real(e, sent_mono);
	u->ended++;
	/*
	 * A probe sent before the run of answers began, which times out
	 * after its first reply (the timeout is longer than the period): it
	 * went out while the target was down.  It ends no run of answers
	 * and starts no outage: one outage, one down and one up, whose
	 * lost counts it (rise waits for it).
	 */
	if (u->hits > 0 && sent < u->hit_start) {
		if (u->owed > 0)
			u->owed--;
		u->lost += u->state == UD_DOWN || u->state == UD_RISING;
		if (u->state == UD_RISING)
			rise(e, i, u, 0);
		return;
	}
	if (u->state == UD_RISING)
		rise(e, i, u, 1);
	u->hits = 0;
	if (u->misses++ == 0)
		u->miss_start = sent;
	if (u->state == UD_DOWN) {
		u->lost++;
		return;
	}
	if (u->misses >= m->c->down_after) {
		u->state = UD_DOWN;
		u->down_since = u->miss_start;
		u->lost = u->misses;
		emit_change(e, i, u, 0);
		e->tg->t[i].down = 1;
	}
}

/* Target i's lines of --prom-file: its interval, its counts so far. */
static void
prom_target(struct monitor *m, struct engine *e, uint32_t i,
    const struct record *iv)
{
	const struct target *t = &e->tg->t[i];
	struct rec_text txt;
	struct record all;
	int up;

	report_target(e->rep, &all, REC_SUMMARY, t, &txt);
	report_counts(e->rep, t, &all);
	/* Up: answered in this interval, or --down-after's verdict. */
	up = m->ud ? m->ud[i].state == UD_UP : m->iv[i].n > 0;
	prom_add(m->prom, iv, &all, up);
}

/*
 * Target i's interval record, and its counts start again.  Its counts are
 * cut now, in its slice of the report: its interval ends at the slice's
 * time (lag ms after the report's start), and the next begins there.
 */
static void
interval(struct monitor *m, struct engine *e, uint32_t i)
{
	const struct target *t = &e->tg->t[i];
	struct ival *v = &m->iv[i];
	struct rec_text txt;
	struct record r;

	report_target(e->rep, &r, REC_INTERVAL, t, &txt);
	r.t_start = m->iv_start + v->lag / 1e3;
	r.t_end = m->end + m->lag / 1e3;
	report_counts(e->rep, t, &r);
	if (!m->c->cumulative) {
		r.sent = (uint16_t)(t->sent - v->sent);
		r.received = v->n;
		r.lost = (uint16_t)((uint32_t)lost_of(t) - v->lost);
		r.errors = (uint16_t)(targets_counted(e->tg, i, TC_ERRORS) -
		    v->errors);
		r.dups = (uint16_t)(targets_counted(e->tg, i, TC_DUPS) -
		    v->dups);
		/* Nothing ended in the interval: no loss to tell. */
		r.loss_pct = r.received + r.lost > 0 ? 100.0 * r.lost /
		    (r.received + r.lost) : NAN;
		ival_rtts(v, t, &r);
	}
	if (m->c->report_every_ns && !m->prom_only)
		out_emit(e->out, &r);
	if (m->prom)
		prom_target(m, e, i, &r);
	memset(v, 0, sizeof(*v));
	v->lag = m->lag;
	v->sent = (uint16_t)t->sent;
	v->lost = (uint16_t)lost_of(t);
	v->errors = (uint16_t)targets_counted(e->tg, i, TC_ERRORS);
	v->dups = (uint16_t)targets_counted(e->tg, i, TC_DUPS);
}

/* --prom-file could not be written: say so once, and go on. */
static void
prom_trouble(struct monitor *m)
{
	if (!m->prom_failed)
		fprintf(stderr, "mping: --prom-file %s: %s (the run goes on)\n",
		    m->c->prom_file, strerror(errno));
	m->prom_failed = 1;
}

/* A report begins: its time, the targets it covers, the file's start. */
static void
report_begin(struct monitor *m, struct engine *e)
{
	m->end = real_time();
	if (m->prom && prom_begin(m->prom) == -1)
		prom_trouble(m);
	m->count = e->tg->n == 0 || room(m, e->tg->n - 1) == 0 ? e->tg->n : 0;
	m->order = targets_in_order(e->tg);
	m->at = 0;
	m->busy = 1;
}

/*
 * Up to max more targets' interval (-Q) and --prom-file lines; the last
 * slice commits the file.  A target's counts are cut when its record is
 * written: every probe counts in exactly one interval.  Names that joined
 * the table during the report wait for the next.
 */
static void
report_slice(struct monitor *m, struct engine *e, uint32_t max)
{
	double lag = ceil((real_time() - m->end) * 1e3);
	uint32_t i;

	/* The first slice cuts its counts in the step the report began;
	 * a later one after replies came meanwhile: whole ms up (its end
	 * is never before a reply it counts), so that an interval's end
	 * and the next one's start are the same number.  A report that
	 * takes over a minute keeps 65.535 s. */
	m->lag = (uint16_t)(m->at == 0 || lag < 0 ? 0 : lag > 65535 ? 65535 :
	    lag);
	for (; m->at < m->count && max > 0; m->at++, max--) {
		i = m->order ? m->order[m->at] : m->at;
		/* One that left had its last record then. */
		if (!(e->tg->t[i].flags & T_GONE))
			interval(m, e, i);
	}
	if (m->at < m->count)
		return;
	free(m->order);
	m->order = NULL;
	if (m->prom && prom_commit(m->prom, m->end) == -1)
		prom_trouble(m);
	m->iv_start = m->end;
	m->busy = 0;
}

int64_t
monitor_tick(struct monitor *m, struct engine *e, int64_t now)
{
	if (m == NULL || m->every == 0)
		return INT64_MAX;
	if (m->next == 0) {
		m->iv_start = real_time();
		return m->next = now + m->every;
	}
	if (!m->busy && now < m->next)
		return m->next;
	if (!m->busy) {
		report_begin(m, e);
		/* Reports keep their phase; one missed in a stall is skipped. */
		while (m->next <= now)
			m->next += m->every;
	}
	report_slice(m, e, REPORT_SLICE);
	return m->busy ? now : m->next;
}

void
monitor_finish(struct monitor *m, struct engine *e)
{
	uint32_t i;

	if (m == NULL)
		return;
	/* Interrupted: a probe still in flight is lost in no count. */
	for (i = 0; m->ud && i < m->cap && i < e->tg->n; i++)
		if (m->ud[i].state == UD_RISING)
			rise(e, i, &m->ud[i], 1);
	/* A report cut short by the end is finished first. */
	if (m->busy)
		report_slice(m, e, UINT32_MAX);
	/* The file's last state is the run's end (no interval record). */
	if (m->prom) {
		m->prom_only = 1;
		report_begin(m, e);
		report_slice(m, e, UINT32_MAX);
	}
}
