/*
 * The watch run mode: the ping mode and the trace mode side by side, each
 * with its own state.  The engine holds one mode, so this one takes its
 * place and hands each call to the sub-mode it belongs to, with that
 * sub-mode's state, options and side mark in the engine while it runs
 * (enter, leave): ping.c and trace.c run unchanged, and the engine calls
 * they make (queue, settle, time out) stay theirs.  The trace's jobs are
 * side jobs (engine.h): their own queue, sent after the pings that are
 * due, never counted as the target's probes; their probes and a late
 * reply's payload say so, which is how an outcome finds its sub-mode.
 */
#include <stdlib.h>
#include <string.h>

#include "ping.h"
#include "trace.h"
#include "watch.h"

/* A sub-mode: its table, its state, the options it sees. */
struct sub {
	const struct mode	*mode;
	void			*ms;
	const struct conf	*c;
	uint8_t			 side;
};

/* What the engine held before a sub-mode took its place. */
struct saved {
	const struct mode	*mode;
	void			*ms;
	const struct conf	*c;
	uint8_t			 side;
};

#define W_TRACING	0x01	/* its trace is in flight */
#define W_TRACED	0x02	/* traced in this outage */

struct watch {
	struct sub	 ping, trace;
	/* The trace's options: rounds until stopped, so that a trace that
	 * ends goes idle and trace_start can start it again at the next
	 * outage (its next round's timer is dropped: see w_timer). */
	struct conf	 tc;
	uint8_t		*st;		/* W_* per target */
	uint32_t	 cap;
	uint32_t	 tracing;	/* traces in flight */
};

#define W(e)	((struct watch *)(e)->ms)

static void
enter(struct engine *e, const struct sub *s, struct saved *sv)
{
	sv->mode = e->mode;
	sv->ms = e->ms;
	sv->c = e->c;
	sv->side = e->side;
	e->mode = s->mode;
	e->ms = s->ms;
	e->c = s->c;
	e->side = s->side;
}

static void
leave(struct engine *e, struct sub *s, const struct saved *sv)
{
	s->ms = e->ms;
	e->mode = sv->mode;
	e->ms = sv->ms;
	e->c = sv->c;
	e->side = sv->side;
}

/* Room for target i (names join the table as they resolve): 0, -1. */
static int
room(struct watch *w, uint32_t i)
{
	uint8_t *p = array_room(w->st, &w->cap, i, sizeof(*w->st));

	if (p == NULL)
		return -1;
	w->st = p;
	return 0;
}

/* Why target t is to be traced now, or NULL. */
static const char *
cause_of(const struct engine *e, const struct target *t)
{
	if (t->down)
		return "down";
	/* Counted: its last probe has its outcome, and none counted. */
	if (e->c->count && (t->flags & T_DONE) && t->inflight == 0 &&
	    t->rtt.n == 0)
		return "never-answered";
	return NULL;
}

static void
start_trace(struct engine *e, struct watch *w, uint32_t i,
    const char *cause)
{
	struct saved sv;
	int r;

	enter(e, &w->trace, &sv);
	r = trace_start(e, i, engine_now(e), cause);
	leave(e, &w->trace, &sv);
	if (r == -1) {
		e->nomem = 1;
		return;
	}
	w->st[i] |= W_TRACING | W_TRACED;
	w->tracing++;
}

/*
 * After a ping outcome of target i: a trace if it is down (or never
 * answered) and not traced in this outage yet; up again, its next
 * outage may have one (once the trace in flight has ended).
 */
static void
after_ping(struct engine *e, struct watch *w, uint32_t i)
{
	const char *cause = cause_of(e, &e->tg->t[i]);

	if (room(w, i) == -1) {
		e->nomem = 1;
		return;
	}
	if (cause == NULL)
		w->st[i] &= (uint8_t)~W_TRACED;
	else if (!(w->st[i] & (W_TRACING | W_TRACED)))
		start_trace(e, w, i, cause);
}

/* After a trace outcome of target i: has its trace ended? */
static void
after_trace(struct watch *w, uint32_t i)
{
	const struct trace *tr = w->trace.ms;

	if (i >= w->cap || !(w->st[i] & W_TRACING) || i >= tr->cap ||
	    !(tr->tt[i].idle || tr->tt[i].done))
		return;
	w->st[i] &= (uint8_t)~W_TRACING;
	w->tracing--;
}

static int
w_first(struct engine *e, uint32_t target, int64_t now, struct job *j)
{
	struct watch *w = W(e);
	struct saved sv;
	int r;

	enter(e, &w->ping, &sv);
	r = w->ping.mode->first(e, target, now, j);
	leave(e, &w->ping, &sv);
	return r;
}

static int
w_wanted(struct engine *e, const struct job *j)
{
	struct watch *w = W(e);
	struct saved sv;
	int r;

	if (!j->side)
		return 1;	/* the ping mode wants every job */
	enter(e, &w->trace, &sv);
	r = w->trace.mode->wanted(e, j);
	leave(e, &w->trace, &sv);
	return r;
}

static void
w_sent(struct engine *e, const struct job *j, uint32_t serial, int64_t now)
{
	struct watch *w = W(e);
	struct sub *s = j->side ? &w->trace : &w->ping;
	struct saved sv;

	enter(e, s, &sv);
	s->mode->sent(e, j, serial, now);
	leave(e, s, &sv);
}

/*
 * Only the trace has timers: its next round, which is not wanted (one
 * trace per outage).  The trace stays idle until trace_start.
 */
static void
w_timer(struct engine *e, const struct job *j, int64_t now)
{
	(void)e;
	(void)j;
	(void)now;
}

static void
w_outcome(struct engine *e, struct probe *pr, const struct answer *a,
    const struct rx *rx)
{
	struct watch *w = W(e);
	/* A late or duplicate reply's probe has left: its payload says. */
	int side = pr ? pr->side : a->h.flags;
	uint32_t i = pr ? pr->target : a->h.target;
	struct sub *s = side ? &w->trace : &w->ping;
	struct saved sv;

	enter(e, s, &sv);
	s->mode->outcome(e, pr, a, rx);
	leave(e, s, &sv);
	if (side)
		after_trace(w, i);
	else
		after_ping(e, w, i);
}

/*
 * A short quote: a trace's probe if the target has one in flight with
 * that seq (the trace's seqs are small, a TTL and a query), else the
 * ping's latest.
 */
static int64_t
w_serial_of(struct engine *e, uint32_t target, uint16_t seq16)
{
	struct watch *w = W(e);
	struct saved sv;
	int64_t r = -1;

	if (target < w->cap && (w->st[target] & W_TRACING)) {
		enter(e, &w->trace, &sv);
		r = w->trace.mode->serial_of(e, target, seq16);
		leave(e, &w->trace, &sv);
	}
	if (r >= 0)
		return r;
	enter(e, &w->ping, &sv);
	r = w->ping.mode->serial_of(e, target, seq16);
	leave(e, &w->ping, &sv);
	return r;
}

/* A counted run ends when the pings have and no trace is in flight. */
static int
w_done(struct engine *e, int64_t now)
{
	struct watch *w = W(e);
	struct saved sv;
	int r;

	if (w->tracing)
		return 0;
	enter(e, &w->ping, &sv);
	r = w->ping.mode->done(e, now);
	leave(e, &w->ping, &sv);
	return r;
}

static int64_t
w_wake(struct engine *e)
{
	struct watch *w = W(e);
	struct saved sv;
	int64_t r;

	enter(e, &w->ping, &sv);
	r = w->ping.mode->wake(e);
	leave(e, &w->ping, &sv);
	return r;
}

static int64_t
w_tick(struct engine *e, int64_t now)
{
	struct watch *w = W(e);
	struct saved sv;
	int64_t r;

	enter(e, &w->ping, &sv);
	r = w->ping.mode->tick(e, now);
	leave(e, &w->ping, &sv);
	return r;
}

static void
w_interim(struct engine *e)
{
	struct watch *w = W(e);
	struct saved sv;

	enter(e, &w->ping, &sv);
	w->ping.mode->interim(e);
	leave(e, &w->ping, &sv);
}

/*
 * The end: each trace in flight prints what it has, its verdict marked
 * with why the run ended (interrupted, deadline); then the summaries.
 */
static void
w_finish(struct engine *e, const char *why)
{
	struct watch *w = W(e);
	struct saved sv;
	uint32_t i;

	enter(e, &w->trace, &sv);
	for (i = 0; i < w->cap && i < e->tg->n; i++)
		if (w->st[i] & W_TRACING)
			trace_stop(e, i, why ? why : "deadline");
	leave(e, &w->trace, &sv);
	enter(e, &w->ping, &sv);
	w->ping.mode->finish(e, why);
	leave(e, &w->ping, &sv);
}

static void
w_destroy(struct engine *e)
{
	struct watch *w = W(e);
	struct saved sv;
	struct sub *s[2] = { &w->ping, &w->trace };
	int k;

	for (k = 0; k < 2; k++)
		if (s[k]->mode) {
			enter(e, s[k], &sv);
			s[k]->mode->destroy(e);
			leave(e, s[k], &sv);
		}
	free(w->st);
	free(w);
	e->ms = NULL;
}

static const struct mode mode_watch = {
	.first = w_first,
	.wanted = w_wanted,
	.sent = w_sent,
	.timer = w_timer,
	.outcome = w_outcome,
	.serial_of = w_serial_of,
	.done = w_done,
	.wake = w_wake,
	.tick = w_tick,
	.interim = w_interim,
	.finish = w_finish,
	.destroy = w_destroy,
};

/* Attach sub-mode s with attach (ping_mode, trace_mode) and take it. */
static int
sub_mode(struct engine *e, struct sub *s, int (*attach)(struct engine *))
{
	e->mode = NULL;
	e->ms = NULL;
	if (attach(e) == -1)
		return -1;
	s->mode = e->mode;
	s->ms = e->ms;
	return 0;
}

int
watch_mode(struct engine *e)
{
	struct watch *w;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return -1;
	w->tc = *e->c;
	w->tc.count = 0;
	w->ping.c = e->c;
	w->trace.c = &w->tc;
	w->trace.side = 1;
	if (sub_mode(e, &w->ping, ping_mode) == -1 ||
	    sub_mode(e, &w->trace, trace_mode) == -1) {
		e->ms = w;
		w_destroy(e);
		e->mode = NULL;
		return -1;
	}
	e->mode = &mode_watch;
	e->ms = w;
	return 0;
}
