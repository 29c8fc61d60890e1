/*
 * Unit tests of routers' ICMP budgets (src/budget.c) with a fake clock:
 * one simulated router answering with Linux's token bucket
 * (inet_peer_xrlim_allow: a token every T, at most 6 saved, a refused
 * message spends nothing), probed as the trace mode does (budget_take,
 * then budget_paced / budget_spent / budget_trial / budget_silent with
 * each outcome, a silence of our own doing asked again).  Run by
 * tests/budget.bats: "ok - group" per group, exit 0 when all passed.
 */
#define UNIT_NAME	"budget_test.c"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "budget.h"
#include "unit.h"

#define MS		1000000LL
#define SEC		1000000000LL
#define HORIZON		(100 * MS)	/* trace.c's HORIZON_NS */
#define TIMEOUT		SEC		/* -t's default */
#define MAXP		4096

/* The router, as Linux keeps its budget for one destination (us). */
struct sim_router {
	int64_t	 t_ns;		/* token time; 0: no limit */
	int64_t	 tokens;	/* ns */
	int64_t	 last;
};

static int
router_allows(struct sim_router *s, int64_t at)
{
	if (s->t_ns == 0)
		return 1;
	s->tokens += at - s->last;
	s->last = at;
	if (s->tokens > 6 * s->t_ns)
		s->tokens = 6 * s->t_ns;
	if (s->tokens < s->t_ns)
		return 0;
	s->tokens -= s->t_ns;
	return 1;
}

/* One probe of the run: when it may be asked for a token, when it went,
 * when its outcome comes. */
struct sim_probe {
	int64_t	 ask;		/* -1: not waiting for a token */
	int64_t	 sent, done;	/* done: -1 in flight or waiting */
	int	 trial, answered, paced;
};

struct sim_result {
	int	 answered, lost, again;	/* again: asked again */
	int64_t	 end;			/* the last answer */
};

struct sim {
	struct budget		*b;
	unsigned		 i;
	struct sim_router	*rt;
	struct sim_probe	 p[MAXP];
	int			 n, unpaced;
	int64_t			 rtt;
	struct sim_result	 res;
};

/* The earliest event: a probe asking for its token or an outcome. */
static int64_t
next_event(const struct sim *s)
{
	int64_t t = INT64_MAX;
	int k;

	for (k = 0; k < s->n; k++) {
		if (s->p[k].ask >= 0 && s->p[k].ask < t)
			t = s->p[k].ask;
		if (s->p[k].ask < 0 && s->p[k].done > 0 && s->p[k].done < t)
			t = s->p[k].done;
	}
	return t;
}

/* Probe k asks for a token at now (the first ones go unpaced, as a
 * trace's first probes do before the router is known). */
static void
ask(struct sim *s, int k, int64_t now)
{
	struct sim_probe *p = &s->p[k];
	int64_t at = now;

	p->trial = 0;
	p->paced = k >= s->unpaced || p->sent > 0;
	if (p->paced)
		at = budget_take(s->b, s->i, now, HORIZON, &p->trial);
	if (at < 0) {
		p->ask = budget_retake(s->b, s->i, now, HORIZON);
		return;
	}
	p->ask = -1;
	p->sent = at;
	p->answered = router_allows(s->rt, at + s->rtt / 2);
	p->done = at + (p->answered ? s->rtt : TIMEOUT);
}

static void
outcome(struct sim *s, int k, int64_t now)
{
	struct sim_probe *p = &s->p[k];
	int again = 0;

	if (p->trial)
		budget_trial(s->b, s->i, p->answered);
	if (p->answered) {
		if (p->paced && !p->trial)
			budget_paced(s->b, s->i, now);
		else
			budget_spent(s->b, s->i, now);
		s->res.answered++;
		s->res.end = now;
		p->done = 0;
		return;
	}
	if (p->paced)
		again = p->trial || budget_silent(s->b, s->i, p->sent, now);
	p->done = 0;
	if (!again) {
		s->res.lost++;
		return;
	}
	s->res.again++;
	ask(s, k, now);
}

/*
 * n probes to the router rt, rtt apart from their answers, the first
 * unpaced ones without a token; the model made by start (its router
 * known from then).
 */
static struct sim_result
run(struct sim_router *rt, int n, int unpaced, int64_t rtt)
{
	static struct sim s;
	uint8_t addr[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff,
	    198, 18, 1, 1 };
	int64_t now;
	int k;

	memset(&s, 0, sizeof(s));
	s.b = budget_new(16);
	s.i = budget_add(s.b, addr, 0);
	s.rt = rt;
	s.n = n;
	s.unpaced = unpaced;
	s.rtt = rtt;
	for (k = 0; k < n; k++)
		s.p[k].ask = 0;
	while ((now = next_event(&s)) != INT64_MAX)
		for (k = 0; k < n; k++) {
			if (s.p[k].ask >= 0 && s.p[k].ask <= now)
				ask(&s, k, now);
			else if (s.p[k].ask < 0 && s.p[k].done > 0 &&
			    s.p[k].done <= now)
				outcome(&s, k, now);
		}
	budget_free(s.b);
	/* Shown with a failure. */
	printf("# %d probes: %d answered, %d lost, %d asked again, the "
	    "last at %.3f s\n", n, s.res.answered, s.res.lost, s.res.again,
	    (double)s.res.end / 1e9);
	return s.res;
}

/* Linux's defaults: a token a second, 6 saved.  Never faster than the
 * router allows, and no probe shown lost for it. */
static void
stock_router(void)
{
	struct sim_router rt = { SEC, 6 * SEC, 0 };
	struct sim_result r = run(&rt, 20, 3, MS);

	CHECK_EQ(r.answered, 20);
	CHECK_EQ(r.lost, 0);
	/* 6 at once, then one a second: 14 s at the least. */
	CHECK(r.end >= 14 * SEC);
	CHECK(r.end <= 20 * SEC);
	/* Trials that found no token, and the probes the model sent on
	 * savings the first answers had spent: a few, asked again. */
	CHECK(r.again <= 6);
}

/* No limit: known within a few round trips, then at full speed. */
static void
unlimited_router(void)
{
	struct sim_router rt = { 0, 0, 0 };
	struct sim_result r = run(&rt, 2000, 3, MS);

	CHECK_EQ(r.answered, 2000);
	CHECK_EQ(r.lost, 0);
	CHECK_EQ(r.again, 0);
	CHECK(r.end <= 50 * MS);
}

/* A token every 100 ms: learnt beyond Linux's default, though the first
 * trial comes right after the router's burst (and finds no token). */
static void
router_at_10(void)
{
	struct sim_router rt = { 100 * MS, 600 * MS, 0 };
	struct sim_result r = run(&rt, 106, 3, MS);

	CHECK_EQ(r.answered, 106);
	CHECK_EQ(r.lost, 0);
	/* 6 at once, then 100 at 10/s: 10 s at best; at Linux's default
	 * rate it would take 100 s. */
	CHECK(r.end >= 10 * SEC);
	CHECK(r.end <= 25 * SEC);
}

/* An earlier run spent the router's savings but one token: the model's
 * assumed burst finds nothing, its silence is not the path's loss. */
static void
spent_router(void)
{
	struct sim_router rt = { SEC, SEC, 0 };
	struct sim_result r = run(&rt, 10, 1, MS);

	CHECK_EQ(r.answered, 10);
	CHECK_EQ(r.lost, 0);
	CHECK(r.end >= 9 * SEC);
	CHECK(r.end <= 30 * SEC);
}

/* Real loss is not hidden: a router that answers none of a later run of
 * paced probes (its link went down) shows them lost. */
static void
real_loss_shows(void)
{
	struct sim_router rt = { SEC, 6 * SEC, 0 };
	struct sim_result r;

	/* No token ever again after the burst: as if the rest were
	 * dropped on the way. */
	rt.t_ns = 1000 * SEC;
	rt.tokens = 6 * rt.t_ns;
	r = run(&rt, 12, 0, MS);
	CHECK_EQ(r.answered, 6);
	CHECK(r.lost >= 1);
}

int
main(int argc, char **argv)
{
	static const struct unit_group groups[] = {
		{ "stock_router", stock_router },
		{ "unlimited_router", unlimited_router },
		{ "router_at_10", router_at_10 },
		{ "spent_router", spent_router },
		{ "real_loss_shows", real_loss_shows },
	};

	return unit_main(argc, argv, groups,
	    sizeof(groups) / sizeof(groups[0]));
}
