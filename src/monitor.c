#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "monitor.h"
#include "prom.h"

/* --prom-file without -Q: rewritten this often. */
#define PROM_EVERY_NS	(10 * 1000000000LL)

enum { UD_UNKNOWN, UD_UP, UD_DOWN };

/* A target's counts when its interval began, and its interval's RTTs. */
struct ival {
	uint32_t	 sent, lost, errors, dups;
	struct stats	 rtt;
};

/* A target's runs of answered and missed probes. */
struct updown {
	uint32_t	 hits, misses;	/* in a row, now */
	uint32_t	 lost;		/* probes lost since it went down */
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
	int64_t			 next;	/* the next report is due, mono ns */
	double			 iv_start;	/* Unix time */
	struct prom		*prom;	/* --prom-file, or NULL */
	int			 prom_failed;	/* said so on stderr */
	int			 prom_only;	/* the last report: the file */
};

struct monitor *
monitor_create(const struct conf *c, int *nomem)
{
	struct monitor *m;

	char err[256];

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
	m->every = c->report_every_ns ? c->report_every_ns :
	    c->prom_file ? PROM_EVERY_NS : 0;
	return m;
}

void
monitor_free(struct monitor *m)
{
	if (m == NULL)
		return;
	free(m->iv);
	free(m->ud);
	prom_free(m->prom);
	free(m);
}

/* Room for target i (names join the table as they resolve): 0, or -1. */
static int
room(struct monitor *m, uint32_t i)
{
	uint32_t cap = m->cap ? m->cap : 256;
	void *p;

	if (i < m->cap)
		return 0;
	while (cap <= i)
		cap *= 2;
	if (m->every) {
		if ((p = realloc(m->iv, cap * sizeof(*m->iv))) == NULL)
			return -1;
		m->iv = p;
		memset(m->iv + m->cap, 0, (cap - m->cap) * sizeof(*m->iv));
	}
	if (m->c->down_after) {
		if ((p = realloc(m->ud, cap * sizeof(*m->ud))) == NULL)
			return -1;
		m->ud = p;
		memset(m->ud + m->cap, 0, (cap - m->cap) * sizeof(*m->ud));
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
	report_counts(t, &r);
	r.t_start = u->down_since;
	r.lost = u->lost;
	if (up) {
		r.t_end = u->hit_start;
		r.duration = u->hit_start - u->down_since;
	}
	out_emit(e->out, &r);
}

void
monitor_reply(struct monitor *m, struct engine *e, uint32_t i, double rtt)
{
	struct updown *u;

	if (m == NULL || room(m, i) == -1)
		return;
	if (m->iv)
		stats_add(&m->iv[i].rtt, rtt);
	if (m->ud == NULL)
		return;
	u = &m->ud[i];
	u->misses = 0;
	if (u->hits++ == 0)
		u->hit_start = real_time() - rtt / 1e3;
	if (u->state == UD_DOWN && u->hits >= m->c->up_after) {
		emit_change(e, i, u, 1);
		u->state = UD_UP;
	} else if (u->state == UD_UNKNOWN)
		u->state = UD_UP;
}

void
monitor_miss(struct monitor *m, struct engine *e, uint32_t i,
    int64_t sent_mono)
{
	struct updown *u;

	if (m == NULL || m->c->down_after == 0 || room(m, i) == -1)
		return;
	u = &m->ud[i];
	u->hits = 0;
	if (u->misses++ == 0)
		u->miss_start = real_time() -
		    (double)(engine_now(e) - sent_mono) / 1e9;
	if (u->state == UD_DOWN) {
		u->lost++;
		return;
	}
	if (u->misses >= m->c->down_after) {
		u->state = UD_DOWN;
		u->down_since = u->miss_start;
		u->lost = u->misses;
		emit_change(e, i, u, 0);
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
	report_counts(t, &all);
	/* Up: answered in this interval, or --down-after's verdict. */
	up = m->ud ? m->ud[i].state == UD_UP : m->iv[i].rtt.n > 0;
	prom_add(m->prom, iv, &all, up);
}

/* Target i's interval record, and its counts start again. */
static void
interval(struct monitor *m, struct engine *e, uint32_t i, double end)
{
	const struct target *t = &e->tg->t[i];
	struct ival *v = &m->iv[i];
	struct rec_text txt;
	struct record r;

	report_target(e->rep, &r, REC_INTERVAL, t, &txt);
	r.t_start = m->iv_start;
	r.t_end = end;
	report_counts(t, &r);
	if (!m->c->cumulative) {
		r.sent = t->sent - v->sent;
		r.received = v->rtt.n;
		r.lost = lost_of(t) - v->lost;
		r.errors = t->errors - v->errors;
		r.dups = t->dups - v->dups;
		/* Nothing ended in the interval: no loss to tell. */
		r.loss_pct = r.received + r.lost > 0 ? 100.0 * r.lost /
		    (r.received + r.lost) : NAN;
		report_rtts(&v->rtt, &r);
	}
	if (m->c->report_every_ns && !m->prom_only)
		out_emit(e->out, &r);
	if (m->prom)
		prom_target(m, e, i, &r);
	v->sent = t->sent;
	v->lost = (uint32_t)lost_of(t);
	v->errors = t->errors;
	v->dups = t->dups;
	memset(&v->rtt, 0, sizeof(v->rtt));
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

/* Every target's interval (-Q) and --prom-file lines, then the file. */
static void
report(struct monitor *m, struct engine *e)
{
	uint32_t i, k, *order;
	double end = real_time();

	if (m->prom && prom_begin(m->prom) == -1)
		prom_trouble(m);
	if (e->tg->n == 0 || room(m, e->tg->n - 1) == 0) {
		order = targets_in_order(e->tg);
		for (k = 0; k < e->tg->n; k++) {
			i = order ? order[k] : k;
			/* One that left had its last record then. */
			if (!(e->tg->t[i].flags & T_GONE))
				interval(m, e, i, end);
		}
		free(order);
	}
	if (m->prom && prom_commit(m->prom, end) == -1)
		prom_trouble(m);
	m->iv_start = end;
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
	if (now < m->next)
		return m->next;
	report(m, e);
	/* Reports keep their phase; one missed in a stall is skipped. */
	while (m->next <= now)
		m->next += m->every;
	return m->next;
}

void
monitor_finish(struct monitor *m, struct engine *e)
{
	/* The file's last state is the run's end (no interval record). */
	if (m && m->prom) {
		m->prom_only = 1;
		report(m, e);
	}
}
