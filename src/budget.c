/*
 * Routers' ICMP budgets.
 *
 * Linux (net/ipv4/icmp.c, icmpv4_xrlim_allow; net/ipv6/icmp.c,
 * icmpv6_xrlim_allow) limits the errors a router sends to one
 * destination with a token bucket in that destination's inet_peer
 * (inet_peer_xrlim_allow): a token every net.ipv4.icmp_ratelimit ms
 * (1000 by default), at most XRLIM_BURST_FACTOR = 6 saved up, one spent
 * per time-exceeded or unreachable (icmp_ratemask); a message refused
 * spends nothing.  ip_error (reject routes) spends the same peer's
 * tokens, so both kinds share one budget.  IPv6 uses
 * net.ipv6.icmp.ratelimit, shortened by the prefix length of the route
 * back to us (a /64: a quarter).  The global icmp_msgs_per_sec (1000,
 * burst 50) hardly matters to one prober.  Other vendors allow a few
 * per second in much the same way.
 *
 * So each router that answered gets the same bucket in our model,
 * starting from Linux's defaults.  A probe that finds the bucket empty
 * waits for a token (reserved ahead, up to a horizon: beyond it, it
 * asks again later, when the model may have learnt more).
 *
 * Learning a faster router: every answer is evidence.  Whatever the
 * router's rate, its bucket never holds more than BURST tokens, so n
 * answers within d prove a token time of at most d / (n - BURST)
 * (evidence(): a window of answers; a proof only makes the model
 * faster).  To see more answers than the model allows, probes it has no
 * token for go on trial while the rate is not settled: at once (a
 * refused message spends nothing of the router's budget, so a trial
 * never costs a paced probe its answer), a few at a time, twice as many
 * after each answer (slow start).  A router without limits is so known
 * within a few round trips, its first answers often enough.
 *
 * Silence.  A trial's right after the router's burst says nothing of
 * its rate (our own probes spent its savings): the first is forgiven,
 * the second settles the model where it is (stop trying).  The first
 * paced probe's silence says the savings the model assumed were not
 * there (our burst with answers still on their way, or a budget an
 * earlier run spent): the model's bucket is emptied.  Later ones are
 * loss, or a router slower than learnt.  A guessed token time backs off
 * (at most to Linux's default, never beyond what is proven).  The trace
 * mode asks again the probes whose silence is our own doing (a trial's,
 * a paced one sent before that first correction): not the path's loss.
 *
 * A reject route is another budget (budget_reject).
 */
#include <stdlib.h>
#include <string.h>

#include "budget.h"

#define BURST		6
#define FIRST_NS	1000000000LL	/* icmp_ratelimit's default */
#define REJECT_NS	2000000000LL	/* a reject route's answer: ip_error's
					   cost and icmp_ratelimit's token */
#define REJECT_BURST	2		/* route.error_burst (5 s) of them */
#define LATE_NS		2000000LL	/* a paced probe arrives after its
					   token (the router counts jiffies) */
#define FREE_NS		1000000LL	/* this fast: no limit (a jiffy) */
#define TRIAL_NS	5000000000LL	/* a trial never heard of: over */
#define SLACK_NS	4000000LL	/* a window of answers, as the router
					   saw it: return delays vary, and it
					   counts jiffies (HZ 250) */
#define WINDOW_NS	2000000000LL	/* evidence: a new window after */
#define TRIALS_MAX	32		/* on trial at once, at most */
#define SOON_NS		5000000LL	/* ask again while trials are out */
#define NOTHING		INT64_MAX	/* no token time proven */
#define EXCUSE_NS	2000000LL	/* budget_lost */
#define HEARD		8		/* answers' send times kept */
#define STRIKES		3		/* a lossy router's trials unanswered
					   in a row: its limit */

enum { B_LEARNING, B_SETTLED };

struct router {
	uint8_t	 addr[16];
	int64_t	 tokens;	/* ns of token time; < 0: reserved ahead */
	int64_t	 last;		/* when tokens was brought up to date */
	int64_t	 t_ns;		/* token time; 0: no limit seen */
	int64_t	 proof_ns;	/* the answers prove at most this */
	int64_t	 win_at;	/* the window of answers: its first */
	int64_t	 trial_at;	/* when the last trial was taken */
	int64_t	 silent_at;	/* when a paced probe's silence first
				   corrected the model; 0: not yet */
	uint32_t win_n;		/* answers in the window */
	uint32_t answers;
	uint8_t	 used, state;
	uint8_t	 trials;	/* on trial now */
	uint8_t	 allow;		/* on trial at once, at most */
	uint8_t	 fails;		/* silences while learning */
	uint8_t	 reject;	/* answers as a reject route */
	uint8_t	 lossy;		/* the path loses probes to it */
	uint8_t	 strikes;	/* trials unanswered in a row */
	uint8_t	 nheard;	/* next slot of heard */
	int64_t	 heard[HEARD];	/* send times of its last answers */
};

struct budget {
	struct router	*r;
	unsigned	 cap, n;
};

struct budget *
budget_new(unsigned cap)
{
	struct budget *b = calloc(1, sizeof(*b));

	if (b == NULL)
		return NULL;
	/* Twice the routers: short probe chains in the open table. */
	b->cap = cap * 2;
	if ((b->r = calloc(b->cap, sizeof(*b->r))) == NULL) {
		free(b);
		return NULL;
	}
	return b;
}

void
budget_free(struct budget *b)
{
	if (b == NULL)
		return;
	free(b->r);
	free(b);
}

static unsigned
hash16(const uint8_t a[16])
{
	uint32_t h = 2166136261u;
	int i;

	for (i = 0; i < 16; i++)
		h = (h ^ a[i]) * 16777619u;
	return h;
}

/* The slot of addr, or the empty one where it would go. */
static unsigned
slot_of(const struct budget *b, const uint8_t addr[16])
{
	unsigned i = hash16(addr) % b->cap;

	while (b->r[i].used && memcmp(b->r[i].addr, addr, 16) != 0)
		i = (i + 1) % b->cap;
	return i;
}

unsigned
budget_add(struct budget *b, const uint8_t addr[16], int64_t now)
{
	unsigned i = slot_of(b, addr);
	struct router *r = &b->r[i];

	if (r->used)
		return i;
	if (b->n * 2 >= b->cap)
		return BUDGET_NONE;
	b->n++;
	memcpy(r->addr, addr, 16);
	r->used = 1;
	r->t_ns = FIRST_NS;
	r->proof_ns = NOTHING;
	r->tokens = BURST * r->t_ns;
	r->last = now;
	r->allow = 1;
	return i;
}

static void
refill(struct router *r, int64_t now)
{
	if (now > r->last) {
		r->tokens += now - r->last;
		r->last = now;
	}
	if (r->tokens > (r->reject ? REJECT_BURST : BURST) * r->t_ns)
		r->tokens = (r->reject ? REJECT_BURST : BURST) * r->t_ns;
}

/* A new token time: what is saved or reserved keeps its count. */
static void
set_rate(struct router *r, int64_t t_ns)
{
	if (t_ns <= FREE_NS)
		t_ns = 0;
	if (r->t_ns && t_ns)
		r->tokens = (int64_t)((double)r->tokens * (double)t_ns /
		    (double)r->t_ns);
	r->t_ns = t_ns;
}

/* An answer of the router at now: what its number proves. */
static void
evidence(struct router *r, int64_t now)
{
	int64_t t;

	r->answers++;
	if (r->win_n == 0 || now - r->win_at > WINDOW_NS) {
		r->win_at = now;
		r->win_n = 0;
	}
	if (++r->win_n <= BURST || r->reject)
		return;
	t = (now - r->win_at + SLACK_NS) / (r->win_n - BURST);
	if (t < r->proof_ns)
		r->proof_ns = t;
	if (r->t_ns && t < r->t_ns)
		set_rate(r, t);
}

/* A probe the model has no token for may go on trial now. */
static int
may_try(struct router *r, int64_t now)
{
	if (r->trials && now - r->trial_at > TRIAL_NS)
		r->trials = 0;
	return r->state == B_LEARNING && r->trials < r->allow;
}

int64_t
budget_take(struct budget *b, unsigned i, int64_t now, int64_t horizon,
    int *test)
{
	struct router *r = &b->r[i];
	int64_t at;

	*test = 0;
	if (r->t_ns == 0)
		return now;
	refill(r, now);
	if (r->tokens < r->t_ns && may_try(r, now)) {
		r->trials++;
		r->trial_at = now;
		*test = 1;
		return now;
	}
	at = r->tokens >= r->t_ns ? now :
	    now + r->t_ns - r->tokens + LATE_NS;
	if (at - now > horizon)
		return -1;
	r->tokens -= r->t_ns;
	return at;
}

int64_t
budget_retake(const struct budget *b, unsigned i, int64_t now,
    int64_t horizon)
{
	const struct router *r = &b->r[i];

	/* A trial just taken: its answer, from a router without limits,
	 * is a round trip away and may free every probe waiting. */
	if (r->state == B_LEARNING && r->trials &&
	    now - r->trial_at < SOON_NS * 10 && SOON_NS < horizon)
		return now + SOON_NS;
	return now + horizon;
}

void
budget_reject(struct budget *b, unsigned i, int64_t now)
{
	struct router *r = &b->r[i];

	/* A router that also forwards for us keeps its model. */
	if (r->reject || r->answers)
		return;
	refill(r, now);
	set_rate(r, REJECT_NS);
	r->reject = 1;
	r->state = B_SETTLED;
	refill(r, now);
}

void
budget_paced(struct budget *b, unsigned i, int64_t now)
{
	evidence(&b->r[i], now);
}

void
budget_spent(struct budget *b, unsigned i, int64_t now)
{
	struct router *r = &b->r[i];

	evidence(r, now);
	if (r->t_ns == 0)
		return;
	refill(r, now);
	/* It had a token: however many answers come in at once, the
	 * model is not left owing more than the router was. */
	r->tokens -= r->t_ns;
	if (r->tokens < 0)
		r->tokens = 0;
}

int
budget_trial(struct budget *b, unsigned i, int answered)
{
	struct router *r = &b->r[i];

	if (r->trials)
		r->trials--;
	if (!answered) {
		/*
		 * A lossy router (budget_lost, budget_silent) loses trials
		 * as it loses paced probes: the path's loss, and it keeps
		 * its trials, until STRIKES in a row say it is its limit.
		 */
		if (++r->strikes < STRIKES && r->lossy)
			return 0;
		r->strikes = 0;
		/* The first silence may be our own burst's doing; and one
		 * taken before the model was corrected says nothing. */
		r->allow = 1;
		if ((r->silent_at == 0 || r->trial_at >= r->silent_at) &&
		    ++r->fails >= 2)
			r->state = B_SETTLED;
		return 1;
	}
	/* Its answer is counted by budget_spent (it took no token).  A
	 * limit leaves the trials after its first silence unanswered:
	 * one answered says that silence was not it. */
	r->strikes = 0;
	r->fails = 0;
	if (r->allow < TRIALS_MAX)
		r->allow *= 2;
	return 0;
}

/*
 * The path loses probes to router r: what it leaves unanswered is not
 * its limit but now and then loss (budget_trial), and it learns again
 * if its trials' silences had settled it, or a lossy path through
 * routers without limits would be paced at a token a second for the
 * rest of the run.
 */
static void
lossy(struct router *r)
{
	r->lossy = 1;
	if (r->reject)
		return;
	r->state = B_LEARNING;
	r->fails = 0;
}

void
budget_heard(struct budget *b, unsigned i, int64_t sent)
{
	struct router *r = &b->r[i];

	r->heard[r->nheard++ % HEARD] = sent;
}

/*
 * A token bucket that refused a probe has less than a token, and earns
 * the next in up to a token time: Linux's fastest by default is 62.5 ms
 * (net.ipv6.icmp.ratelimit's second over a route of prefix 0).  So an
 * answer to a probe sent less than EXCUSE_NS after a silent one (a
 * batch of one hop's probes) says that one was lost on the path, unless
 * a token came just in between: heard only counts probes whose time the
 * model did not choose (trials, probes not paced, and paced ones sent at
 * once on the savings it assumed), as it sends a paced probe that waited
 * when it expects a token, and so just as one may come.
 */
int
budget_lost(struct budget *b, unsigned i, int64_t sent, int trial)
{
	struct router *r = &b->r[i];
	int k;

	for (k = 0; k < HEARD; k++)
		if (r->heard[k] > sent && r->heard[k] - sent < EXCUSE_NS)
			break;
	if (k == HEARD)
		return 0;
	if (trial && r->trials)
		r->trials--;
	lossy(r);
	return 1;
}

void
budget_untried(struct budget *b, unsigned i)
{
	if (b->r[i].trials)
		b->r[i].trials--;
}

int
budget_silent(struct budget *b, unsigned i, int64_t sent, int64_t now)
{
	struct router *r = &b->r[i];
	int64_t t;
	int slower;

	if (r->answers == 0 || r->t_ns == 0)
		return 0;
	/* Sent on savings the model only assumed (see below): ours. */
	if (r->silent_at)
		if (sent < r->silent_at)
			return 1;
	/*
	 * It had no token when the model said it would.  A token time only
	 * guessed backs off (towards what the answers prove, at most
	 * Linux's default).  The first time, the savings the model assumed
	 * (our own burst, answers still on their way, or a budget an
	 * earlier run spent) were not there: nothing saved now, the probes
	 * sent until now ours to ask again, and no reason to stop learning.
	 * Then: loss, or a router slower than learnt.
	 */
	t = r->t_ns * 2;
	if (t > FIRST_NS)
		t = FIRST_NS;
	if (t > r->proof_ns)
		t = r->proof_ns;
	slower = t > r->t_ns;
	if (slower)
		set_rate(r, t);
	if (r->silent_at == 0) {
		r->allow = 1;
		refill(r, now);
		if (r->tokens > 0)
			r->tokens = 0;
		r->silent_at = now;
		return 1;
	}
	/* The model was as slow as it goes (Linux's default, or what
	 * the answers prove) and had that token: the path lost it. */
	if (!slower) {
		lossy(r);
		return 0;
	}
	r->allow = 1;
	if (++r->fails >= 2)
		r->state = B_SETTLED;
	return 0;
}
