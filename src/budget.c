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
 * asks again later, when the model may have learnt more); but while the
 * router's rate is not known, one at a time goes on trial beyond what
 * the model allows: an answer halves the token time (the router allows more), silence
 * settles it (the last time that worked).
 */
#include <stdlib.h>
#include <string.h>

#include "budget.h"

#define BURST		6
#define FIRST_NS	1000000000LL	/* icmp_ratelimit's default */
#define LATE_NS		2000000LL	/* a paced probe arrives after its
					   token (the router counts jiffies) */
#define FREE_NS		1000000LL	/* faster than this: no limit */
#define TRIAL_NS	5000000000LL	/* a trial never heard of: over */

enum { B_LEARNING, B_SETTLED };

struct router {
	uint8_t	 addr[16];
	int64_t	 tokens;	/* ns of token time; < 0: reserved ahead */
	int64_t	 last;		/* when tokens was brought up to date */
	int64_t	 t_ns;		/* token time; 0: no limit seen */
	int64_t	 trial_at;	/* when the trial was taken */
	uint32_t answers;
	uint8_t	 used, state, trial;
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
	r->tokens = BURST * r->t_ns;
	r->last = now;
	return i;
}

static void
refill(struct router *r, int64_t now)
{
	if (now > r->last) {
		r->tokens += now - r->last;
		r->last = now;
	}
	if (r->tokens > BURST * r->t_ns)
		r->tokens = BURST * r->t_ns;
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
	/* A trial whose probe never went (its trace ended first). */
	if (r->trial && now - r->trial_at > TRIAL_NS)
		r->trial = 0;
	/*
	 * On trial: a probe right behind those already reserved, taking
	 * nothing, when the model then has less than half a token (the
	 * router's clock and ours differ by less).  A router that has
	 * saved up a burst answers it whatever its rate: a known limit.
	 */
	if (r->tokens < r->t_ns / 2 && r->state == B_LEARNING &&
	    !r->trial && -r->tokens <= horizon) {
		r->trial = 1;
		r->trial_at = now;
		*test = 1;
		return r->tokens < 0 ? now - r->tokens + LATE_NS : now;
	}
	at = r->tokens >= r->t_ns ? now :
	    now + r->t_ns - r->tokens + LATE_NS;
	if (at - now > horizon)
		return -1;
	r->tokens -= r->t_ns;
	return at;
}

void
budget_paced(struct budget *b, unsigned i)
{
	b->r[i].answers++;
}

void
budget_spent(struct budget *b, unsigned i, int64_t now)
{
	struct router *r = &b->r[i];

	r->answers++;
	if (r->t_ns == 0)
		return;
	refill(r, now);
	/* It had a token: however many answers come in at once, the
	 * model is not left owing more than the router was. */
	r->tokens -= r->t_ns;
	if (r->tokens < 0)
		r->tokens = 0;
}

void
budget_trial(struct budget *b, unsigned i, int answered)
{
	struct router *r = &b->r[i];

	r->trial = 0;
	if (!answered) {
		budget_silent(b, i);
		return;
	}
	r->answers++;
	r->t_ns /= 2;
	if (r->t_ns < FREE_NS)
		r->t_ns = 0;
}

void
budget_untried(struct budget *b, unsigned i)
{
	b->r[i].trial = 0;
}

void
budget_silent(struct budget *b, unsigned i)
{
	struct router *r = &b->r[i];

	/* Silence after answers: a limit, or loss; either way stop trying
	 * to go faster, back at the last token time that worked. */
	if (r->answers == 0 || r->state == B_SETTLED)
		return;
	r->state = B_SETTLED;
	if (r->t_ns && r->t_ns < FIRST_NS)
		r->t_ns *= 2;
}
