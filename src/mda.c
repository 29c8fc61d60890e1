/*
 * The all-paths run mode: the MDA, hop by hop, for every target at once.
 * A target explores one hop at a time (hop h): the probes its stopping
 * rule still wants go out together, and when the last of them has an
 * outcome the rule is asked again, until it wants none; then the next
 * hop.  The engine sends, matches and expires probes; this file decides
 * which flow goes to which TTL and what the answers mean.
 */
#include <sys/socket.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "budget.h"
#include "mda.h"

/* A cell of the flow table: an interface's index at the hop, or these. */
#define PC_NONE	0xff	/* not probed at this TTL */
#define PC_WAIT	0xfe	/* in flight */
#define PC_STAR	0xfd	/* no answer (or this host could not send it) */

struct mda_iface {
	uint8_t		 addr[16];
	struct stats	 rtt;
	uint32_t	 sent, lost;	/* probes whose flow maps here */
	uint8_t		 kind;		/* enum outcome of its answers */
	uint8_t		 type, code;	/* an error's, for its name */
	uint8_t		 pstate;	/* a reply's port state */
	uint16_t	 rtr;		/* its budget (budget.h) + 1, 0: none */
};

struct mda_hop {
	int			n;
	struct mda_iface	ifs[MDA_MAX_WIDTH];
};

/* A flow in the rounds after the first (-c): its probes to the last hop. */
struct mda_flow {
	uint32_t	 sent, lost;
	struct stats	 rtt;
};

/*
 * The probe of a cell (flow, TTL) last queued: its serial (a short quote
 * names it by its wire seq) and the router whose budget it was paced
 * for.
 */
struct mda_sent {
	uint32_t	 serial;
	uint16_t	 rtr;		/* budget index + 1 | these; 0: none */
};
#define RTR_INDEX	0x1fff	/* budget_new(MDA_ROUTERS): twice as many */
#define RTR_SURE	0x2000	/* paced for the interface its flow reached */
#define RTR_SCOUT	0x4000	/* unpaced, no router known at its TTL */
#define RTR_TRIAL	0x8000	/* paced, on trial (budget_take) */
#define MDA_ROUTERS	2048	/* slots: 4096, index + 1 < RTR_SURE */

/*
 * Pacing (src/budget.c): every probe is paced for the router it will
 * most likely reach (the interface its flow reached before, else one of
 * the hop's in turn, else the router any target last heard at that
 * TTL): it goes when that router's ICMP budget has an answer for it,
 * waits on the timer queue for one up to HORIZON_NS ahead, or asks again
 * after HORIZON_NS.  Where no router is known yet at a TTL, at most
 * MDA_SCOUTS probes go there unpaced (Linux's burst) until one has an
 * outcome: many targets' first probes never burst at a router unknown.
 *
 * Silence from a hop that answered (this target's probes, or any
 * target's at that TTL) is most likely a rate limit we misjudged (its
 * flow went to another router of the hop than paced for), not loss:
 * such a probe goes again after MDA_PAUSE_NS, paced, up to MDA_RETRIES
 * times, before its flow counts as silent there.
 */
#define MDA_RETRIES	2
#define MDA_PAUSE_NS	1000000000LL
#define HORIZON_NS	100000000LL
#define MDA_SCOUTS	6
#define MDA_STRIKES	3	/* unanswered trials in a row: a limit */
#define PREDICT_SCOUT	(BUDGET_NONE - 1)

struct mda_target {
	uint8_t		*cell;		/* [flow][ttl - 1] */
	struct mda_sent	*sent;		/* [flow][ttl - 1] */
	struct mda_flow	*flow;		/* [flow] */
	struct mda_hop	**hop;		/* [ttl - 1], NULL: none answered */
	uint32_t	 nflows, capflows;
	uint32_t	 inflight;	/* probes queued or in flight */
	uint32_t	 probes;	/* sent, every round */
	uint32_t	 round;		/* from 0: the discovery */
	int		 ttl;		/* the hop being explored */
	uint8_t		 silent;	/* silent hops in a row */
	uint8_t		 running, idle, done, reached;
	const char	*stop;
};

struct mda {
	struct mda_target	*tt;	/* parallel to the targets */
	uint32_t		 cap;
	uint32_t		 done;
	struct budget		*bud;	/* the routers' ICMP budgets */
	/* Per family and TTL: the router any target last heard there (+ 1),
	 * the unpaced probes in flight, whether any probe had an outcome. */
	uint16_t		 ttl_rtr[2][256];
	uint8_t			 scouts[2][256];
	uint8_t			 heard[2][256];
	/* Per budget: a trial went unanswered (the next one decides). */
	uint8_t			 strike[2 * MDA_ROUTERS];
};

#define MD(e)	((struct mda *)(e)->ms)

/*
 * n_k, computed offline with exact fractions: the least n for which n
 * probes spread uniformly over k + 1 next hops miss at least one of them
 * with probability at most 5% (1%), i.e. by inclusion-exclusion
 *   sum_{i=1}^{K} (-1)^(i+1) C(K,i) ((K-i)/K)^n <= alpha,  K = k + 1.
 * This is the MDA's per-branching-point bound (Veitch, Augustin,
 * Friedman, Teixeira, "Failure control in multipath route tracing",
 * INFOCOM 2009); the values for k <= 15 are those of the paper's table.
 */
static const uint16_t nk95[MDA_MAX_WIDTH] = {
	6, 11, 16, 21, 27, 33, 38, 44, 51, 57, 63, 70, 76, 83, 90, 96,
	103, 110, 117, 124, 131, 138, 145, 152, 159, 167, 174, 181, 189, 196,
	203, 211
};
static const uint16_t nk99[MDA_MAX_WIDTH] = {
	8, 15, 21, 28, 36, 43, 51, 58, 66, 74, 82, 90, 98, 106, 115, 123,
	132, 140, 149, 157, 166, 175, 183, 192, 201, 210, 219, 228, 237, 246,
	255, 264
};

int
mda_stop_probes(int k, int confidence)
{
	if (k < 1)
		k = 1;
	if (k > MDA_MAX_WIDTH)
		k = MDA_MAX_WIDTH;
	return confidence == 99 ? nk99[k - 1] : nk95[k - 1];
}

static void
target_free(struct engine *e, struct mda_target *mt)
{
	int h;

	if (mt->hop)
		for (h = 0; h < e->c->max_hops; h++)
			free(mt->hop[h]);
	free(mt->hop);
	free(mt->cell);
	free(mt->sent);
	free(mt->flow);
	mt->sent = NULL;
	mt->hop = NULL;
	mt->cell = NULL;
	mt->flow = NULL;
}

static void
mda_free(struct engine *e)
{
	struct mda *md = MD(e);
	uint32_t i;

	if (md == NULL)
		return;
	for (i = 0; i < md->cap; i++)
		target_free(e, &md->tt[i]);
	free(md->tt);
	budget_free(md->bud);
	free(md);
	e->ms = NULL;
}

static struct mda_target *
mt_of(const struct engine *e, uint32_t target)
{
	struct mda *md = MD(e);

	return target < md->cap && md->tt[target].running &&
	    !md->tt[target].done ? &md->tt[target] : NULL;
}

static uint8_t *
cell(const struct engine *e, const struct mda_target *mt, uint32_t f, int ttl)
{
	return &mt->cell[(size_t)f * (size_t)e->c->max_hops +
	    (size_t)(ttl - 1)];
}

static struct mda_sent *
sent_at(const struct engine *e, const struct mda_target *mt, uint32_t f,
    int ttl)
{
	return &mt->sent[(size_t)f * (size_t)e->c->max_hops +
	    (size_t)(ttl - 1)];
}

static int
fam_of(const struct engine *e, uint32_t target)
{
	return e->tg->t[target].family == AF_INET6;
}

/* One flow more (its cells unprobed), or -1: no more flows. */
static int64_t
new_flow(const struct engine *e, struct mda_target *mt)
{
	size_t row = (size_t)e->c->max_hops;
	struct mda_sent *sn;
	struct mda_flow *fl;
	uint32_t cap;
	uint8_t *c;

	if (mt->nflows == MDA_MAX_FLOWS)
		return -1;
	if (mt->nflows == mt->capflows) {
		cap = mt->capflows ? mt->capflows * 2 : 64;
		if ((c = realloc(mt->cell, cap * row)) == NULL)
			return -1;
		mt->cell = c;
		if ((sn = realloc(mt->sent, cap * row * sizeof(*sn))) == NULL)
			return -1;
		mt->sent = sn;
		if ((fl = realloc(mt->flow, cap * sizeof(*fl))) == NULL)
			return -1;
		mt->flow = fl;
		memset(c + mt->capflows * row, PC_NONE,
		    (cap - mt->capflows) * row);
		memset(sn + mt->capflows * row, 0, (cap - mt->capflows) *
		    row * sizeof(*sn));
		memset(fl + mt->capflows, 0, (cap - mt->capflows) *
		    sizeof(*fl));
		mt->capflows = cap;
	}
	return mt->nflows++;
}

static int
is_iface(uint8_t c)
{
	return c < PC_STAR;
}

/*
 * Whose budget the probe of job j will most likely spend (pacing,
 * above): a budget index (| RTR_SURE: its flow's own interface),
 * BUDGET_NONE (not paced: its TTL was silent), or PREDICT_SCOUT (nothing
 * heard at its TTL yet).
 */
static unsigned
predict(const struct engine *e, const struct mda_target *mt,
    const struct job *j)
{
	const struct mda *md = MD(e);
	const struct mda_hop *hp = mt->hop[j->ttl - 1];
	uint32_t f = MDA_FLOW(j->seq);
	uint8_t c = *cell(e, mt, f, j->ttl);
	int fam = fam_of(e, j->target), k;
	uint16_t r;

	if (hp && is_iface(c) && hp->ifs[c].rtr)
		return (hp->ifs[c].rtr - 1u) | RTR_SURE;
	for (k = 0; hp && k < hp->n; k++)
		if ((r = hp->ifs[(f + (uint32_t)k) % (uint32_t)hp->n].rtr))
			return r - 1u;
	if (md->ttl_rtr[fam][j->ttl])
		return md->ttl_rtr[fam][j->ttl] - 1u;
	return md->heard[fam][j->ttl] ? BUDGET_NONE : PREDICT_SCOUT;
}

/* Job j goes now, waits for its router's answer, or asks again later. */
static void
pace(struct engine *e, struct mda_target *mt, struct job *j, int64_t now)
{
	struct mda *md = MD(e);
	struct mda_sent *s = sent_at(e, mt, MDA_FLOW(j->seq), j->ttl);
	unsigned i = predict(e, mt, j);
	uint8_t *scouts = &md->scouts[fam_of(e, j->target)][j->ttl];
	int64_t due = now;
	int trial = 0;

	s->rtr = 0;
	if (i == PREDICT_SCOUT) {
		if (*scouts < MDA_SCOUTS) {
			++*scouts;
			s->rtr = RTR_SCOUT;
		} else {
			due = -1;
		}
	} else if (i != BUDGET_NONE) {
		due = budget_take(md->bud, i & RTR_INDEX, now, HORIZON_NS,
		    &trial);
		if (due >= 0)
			s->rtr = (uint16_t)(((i & RTR_INDEX) + 1) |
			    (i & RTR_SURE) | (trial ? RTR_TRIAL : 0));
	}
	j->due = due < 0 ? now + HORIZON_NS : due;
	if (j->due > now) {
		engine_timer(e, j);
		return;
	}
	j->due = 0;
	engine_queue(e, j);
}

/* Flow f's probe at this TTL (its own flow identity, method.h), paced;
 * its attempt-th retry after a pause. */
static void
queue_flow(struct engine *e, struct mda_target *mt, uint32_t target,
    uint32_t f, int ttl, int attempt)
{
	struct job j;

	memset(&j, 0, sizeof(j));
	j.target = target;
	j.seq = MDA_SEQ(f, ttl);
	j.ttl = (uint8_t)ttl;
	j.attempt = (uint8_t)attempt;
	j.has_flow = 1;
	j.flow = (uint16_t)f;
	if (attempt == 0) {
		mt->inflight++;
		pace(e, mt, &j, engine_now(e));
		return;
	}
	/* A retry is still in flight for the rule; its budget is asked
	 * when the pause is over (rtr 0: not reserved, see paced_due). */
	sent_at(e, mt, f, ttl)->rtr = 0;
	j.due = engine_now(e) + MDA_PAUSE_NS;
	engine_timer(e, &j);
}

/* A probe's timer: it has its router's answer now, or asks again. */
static void
paced_due(struct engine *e, struct mda_target *mt, const struct job *j,
    int64_t now)
{
	struct job k = *j;

	if (sent_at(e, mt, MDA_FLOW(j->seq), j->ttl)->rtr & RTR_INDEX) {
		k.due = 0;
		engine_queue(e, &k);
		return;
	}
	pace(e, mt, &k, now);
}

/* The first round: flow f at this TTL, its cell waiting. */
static void
send_flow(struct engine *e, struct mda_target *mt, uint32_t target,
    uint32_t f, int ttl)
{
	*cell(e, mt, f, ttl) = PC_WAIT;
	queue_flow(e, mt, target, f, ttl, 0);
}

/* An interface where flows end: the destination, or an error. */
static int
terminal(const struct mda_iface *v)
{
	return v->kind == OC_REPLY || v->kind == OC_ERROR;
}

/*
 * The flows of one group at hop h - 1 (an interface's index, or -1: any
 * flow, when the hop before has no interface), and what hop h knows of
 * them: the next hops found (a bit each), and how many were probed.
 */
struct group {
	int		 v;
	uint32_t	 next;
	int		 have;
	int		 shortage;	/* flows wanted that it has not */
};

static int
in_group(const struct engine *e, const struct mda_target *mt, uint32_t f,
    int h, int v)
{
	return v < 0 || *cell(e, mt, f, h - 1) == v;
}

static void
group_scan(const struct engine *e, const struct mda_target *mt, int h,
    struct group *g)
{
	uint32_t f;
	uint8_t c;

	g->next = 0;
	g->have = 0;
	for (f = 0; f < mt->nflows; f++) {
		if (!in_group(e, mt, f, h, g->v))
			continue;
		c = *cell(e, mt, f, h);
		if (c != PC_NONE)
			g->have++;
		if (is_iface(c))
			g->next |= 1u << c;
	}
}

/*
 * Probe up to n unprobed flows of the group at h; how many went.  Any
 * flow will do (v < 0): those with an interface at h - 1 first, so that
 * their answers show the links from it (a flow that met a silence or
 * an unprobed cell there, on a slow run, shows none).
 */
static int
send_fresh(struct engine *e, struct mda_target *mt, uint32_t target, int h,
    int v, int n)
{
	uint32_t f;
	int sent = 0, pass;

	for (pass = v < 0 && h > 1 ? 0 : 1; pass < 2; pass++)
		for (f = 0; f < mt->nflows && sent < n; f++)
			if (in_group(e, mt, f, h, v) &&
			    *cell(e, mt, f, h) == PC_NONE &&
			    (pass || is_iface(*cell(e, mt, f, h - 1)))) {
				send_flow(e, mt, target, f, h);
				sent++;
			}
	return sent;
}

/* n new flows at this TTL; how many there were room for. */
static int
send_new(struct engine *e, struct mda_target *mt, uint32_t target, int ttl,
    int n)
{
	int64_t f;
	int sent;

	for (sent = 0; sent < n && (f = new_flow(e, mt)) >= 0; sent++)
		send_flow(e, mt, target, (uint32_t)f, ttl);
	return sent;
}

/* The next hops found: bits set. */
static int
bits(uint32_t v)
{
	int n = 0;

	for (; v; v &= v - 1)
		n++;
	return n;
}

/*
 * What the stopping rule wants of one group at hop h: n_k flows of it
 * probed at h, k the next hops found so far (at least 1).  Unprobed flows
 * of the group go first; what they cannot give is the group's shortage.
 */
static int
group_wants(struct engine *e, struct mda_target *mt, uint32_t target,
    int h, struct group *g)
{
	int need, n;

	group_scan(e, mt, h, g);
	need = mda_stop_probes(bits(g->next), e->c->confidence) - g->have;
	if (need <= 0)
		return 0;
	n = send_fresh(e, mt, target, h, g->v, need);
	g->shortage = need - n;
	return n;
}

/*
 * Queue what hop mt->ttl still wants; 0: nothing, the hop is done.  New
 * flows make up the shortages: at h if any flow will do, else at h - 1
 * (the MDA's node control: a new flow reaches a given interface of a hop
 * w wide with the chance of one in w, so w new flows per flow short; the
 * groups short at once share them).
 */
static int
hop_wants(struct engine *e, struct mda_target *mt, uint32_t target)
{
	int h = mt->ttl, queued = 0, most = 0, i;
	const struct mda_hop *prev;
	struct group g;

	prev = h > e->c->first_hop ? mt->hop[h - 2] : NULL;
	g.shortage = 0;
	/* One interface before (found at the confidence asked): every flow
	 * passes it, new ones too, with no probe to show it. */
	if (prev == NULL || prev->n == 0 || (prev->n == 1 &&
	    !terminal(&prev->ifs[0]))) {
		g.v = -1;
		queued = group_wants(e, mt, target, h, &g);
		return queued + send_new(e, mt, target, h, g.shortage);
	}
	for (i = 0; i < prev->n; i++) {
		if (terminal(&prev->ifs[i]))
			continue;
		g.v = i;
		g.shortage = 0;
		queued += group_wants(e, mt, target, h, &g);
		most = g.shortage > most ? g.shortage : most;
	}
	return queued + send_new(e, mt, target, h - 1, most * prev->n);
}

/* The hop's interface with this address (its budget: rtr), added if
 * new; or PC_STAR. */
static uint8_t
iface_at(struct mda_target *mt, int h, const struct answer *a,
    unsigned rtr)
{
	struct mda_hop *hp = mt->hop[h - 1];
	struct mda_iface *v;
	int i;

	if (hp == NULL && (hp = mt->hop[h - 1] = calloc(1, sizeof(*hp))) ==
	    NULL)
		return PC_STAR;
	for (i = 0; i < hp->n; i++)
		if (memcmp(hp->ifs[i].addr, a->from, 16) == 0)
			break;
	if (i == hp->n) {
		/* Wider than MDA_MAX_WIDTH: the rest are not told apart. */
		if (hp->n == MDA_MAX_WIDTH)
			return PC_STAR;
		v = &hp->ifs[hp->n++];
		memcpy(v->addr, a->from, 16);
		v->kind = (uint8_t)a->kind;
		v->type = a->type;
		v->code = a->code;
	}
	v = &hp->ifs[i];
	if (rtr != BUDGET_NONE)
		v->rtr = (uint16_t)(rtr + 1);
	if (a->kind == OC_REPLY) {
		v->kind = OC_REPLY;
		v->pstate = (uint8_t)port_state_code(a->state);
	}
	return (uint8_t)i;
}

/* An answer from an interface: its counts. */
static void
iface_answered(struct mda_target *mt, int h, uint8_t i,
    const struct answer *a)
{
	struct mda_iface *v = &mt->hop[h - 1]->ifs[i];

	v->sent++;
	stats_add(&v->rtt, (double)a->rtt_ns / 1e6);
}

static int
answered(enum outcome kind)
{
	return kind == OC_REPLY || kind == OC_EXCEEDED || kind == OC_ERROR;
}

/* The first round: where flow f went at TTL h. */
static void
discovered(struct engine *e, struct mda_target *mt, uint32_t f, int h,
    const struct answer *a, unsigned rtr)
{
	uint8_t *c = cell(e, mt, f, h), i;

	if (*c != PC_WAIT)
		return;
	*c = PC_STAR;
	if (!answered(a->kind))
		return;
	if ((i = iface_at(mt, h, a, rtr)) == PC_STAR)
		return;
	*c = i;
	iface_answered(mt, h, i, a);
}

/*
 * A later round (-c): flow f again at TTL h, every flow at every hop up
 * to the last.  Silence is loss on the interface the flow reached before;
 * an answer counts for whoever sent it (a hop the flow had not been sent
 * to, or had no answer from, is learnt).  At the last hop, the flow's
 * own counts: its path's loss and RTT.
 */
static void
remeasured(struct engine *e, struct mda_target *mt, uint32_t f, int h,
    const struct answer *a, unsigned rtr)
{
	uint8_t *c = cell(e, mt, f, h), i = PC_STAR;
	struct mda_flow *fl = &mt->flow[f];

	if (answered(a->kind))
		i = iface_at(mt, h, a, rtr);
	if (h == mt->ttl) {
		fl->sent++;
		if (i == PC_STAR)
			fl->lost++;
		else
			stats_add(&fl->rtt, (double)a->rtt_ns / 1e6);
	}
	if (i != PC_STAR) {
		if (!is_iface(*c))
			*c = i;
		iface_answered(mt, h, i, a);
	} else if (is_iface(*c)) {
		mt->hop[h - 1]->ifs[*c].sent++;
		mt->hop[h - 1]->ifs[*c].lost++;
	} else {
		*c = PC_STAR;
	}
}

/*
 * A probe on trial at router p went unanswered: beyond its limit, or
 * lost.  A router at its limit leaves the next trials unanswered too; a
 * lossy one seldom does, and settling on one lost trial would pace it at
 * a token a second for the rest of the run (a crawl at 50 targets: with
 * 10% of the answers lost, 2 runs in 3 went on for minutes).  So a trial
 * unanswered is as if it never went until MDA_STRIKES in a row settle
 * the router (a lost answer often comes with others: a full socket
 * buffer, a burst dropped).
 */
static void
trial_silent(struct mda *md, unsigned p)
{
	if (++md->strike[p] < MDA_STRIKES) {
		budget_untried(md->bud, p);
		return;
	}
	md->strike[p] = 0;
	budget_trial(md->bud, p, 0);
}

/*
 * What an outcome teaches of the budget of the router its probe was
 * paced for, or came from: the budget of who answered, or BUDGET_NONE.
 */
static unsigned
learn(struct engine *e, struct mda_target *mt, const struct probe *pr,
    const struct answer *a)
{
	struct mda *md = MD(e);
	int h = MDA_TTL(pr->seq), fam = fam_of(e, pr->target);
	struct mda_sent *s = sent_at(e, mt, MDA_FLOW(pr->seq), h);
	unsigned p = (s->rtr & RTR_INDEX) - 1u, got;
	int paced = (s->rtr & RTR_INDEX) != 0, trial = s->rtr & RTR_TRIAL;
	uint16_t s0 = s->rtr;

	if ((s->rtr & RTR_SCOUT) && md->scouts[fam][h])
		md->scouts[fam][h]--;
	s->rtr = 0;
	if (a->kind == OC_LOCAL) {
		/* It never left: it asked nothing of the router. */
		if (trial)
			budget_untried(md->bud, p);
		return BUDGET_NONE;
	}
	md->heard[fam][h] = 1;
	if (!answered(a->kind)) {
		if (paced && trial)
			trial_silent(md, p);
		/* A flow that may have gone to another interface of the hop
		 * than paced for says nothing of this one's limit. */
		else if (paced && (s0 & RTR_SURE))
			(void)budget_silent(md->bud, p, pr->sent,
			    engine_now(e));
		return BUDGET_NONE;
	}
	if (paced && trial) {
		md->strike[p] = 0;
		budget_trial(md->bud, p, 1);
	}
	if ((got = budget_add(md->bud, a->from, engine_now(e))) == BUDGET_NONE)
		return got;
	/* Its answer spent a token we had not reserved with it. */
	if (!paced || p != got || trial)
		budget_spent(md->bud, got, engine_now(e));
	else
		budget_paced(md->bud, got, engine_now(e));
	md->ttl_rtr[fam][h] = (uint16_t)(got + 1);
	return got;
}

/*
 * A probe of the first round timed out: 1 if it goes again (still in
 * flight for the rule), 0 if its flow is silent at this hop.  Its hop
 * answered this target, or any target at that TTL: a rate limit more
 * likely than the end of the path.
 */
static int
retried(struct engine *e, struct mda_target *mt, const struct probe *pr)
{
	int h = MDA_TTL(pr->seq);
	const struct mda_hop *hp = mt->hop[h - 1];

	if (pr->attempt >= MDA_RETRIES || ((hp == NULL || hp->n == 0) &&
	    MD(e)->ttl_rtr[fam_of(e, pr->target)][h] == 0))
		return 0;
	queue_flow(e, mt, pr->target, MDA_FLOW(pr->seq), h,
	    pr->attempt + 1);
	return 1;
}

/* A record about a target's paths. */
static void
mda_record(struct engine *e, struct record *r, enum rec_type type,
    uint32_t target, struct rec_text *txt)
{
	report_target(e->rep, r, type, &e->tg->t[target], txt);
	r->round = target < MD(e)->cap ? (long)MD(e)->tt[target].round : 0;
}

static long
flows_at(const struct engine *e, const struct mda_target *mt, int h, int i)
{
	uint32_t f;
	long n = 0;

	for (f = 0; f < mt->nflows; f++)
		n += *cell(e, mt, f, h) == i;
	return n;
}

/*
 * The interfaces of a hop in address order, so that the text of a run
 * reads the same as the last one's, whatever order they answered in.
 */
static void
hop_order(const struct mda_hop *hp, uint8_t order[MDA_MAX_WIDTH])
{
	uint8_t t;
	int i, k;

	for (i = 0; i < hp->n; i++)
		order[i] = (uint8_t)i;
	for (i = 1; i < hp->n; i++)
		for (k = i; k > 0 && memcmp(hp->ifs[order[k - 1]].addr,
		    hp->ifs[order[k]].addr, 16) > 0; k--) {
			t = order[k];
			order[k] = order[k - 1];
			order[k - 1] = t;
		}
}

/* Interface i of hop h, the pos-th in order: a hop record of its own. */
static void
emit_iface(struct engine *e, uint32_t target, int h, int i, int pos)
{
	const struct mda_target *mt = &MD(e)->tt[target];
	const struct mda_iface *v = &mt->hop[h - 1]->ifs[i];
	int family = e->tg->t[target].family;
	const char *addrs[1];
	struct rec_text txt;
	struct record r;

	mda_record(e, &r, REC_HOP, target, &txt);
	r.ttl = h;
	r.probe = pos;
	r.from = addr16_str(family, v->addr, txt.from, sizeof(txt.from));
	addrs[0] = r.from;
	r.addrs = addrs;
	r.naddrs = 1;
	r.flows = flows_at(e, mt, h, i);
	r.sent = v->sent;
	r.lost = v->lost;
	r.received = (long)v->sent - (long)v->lost;
	r.loss_pct = v->sent ? 100.0 * v->lost / v->sent : NAN;
	report_rtts(&v->rtt, &r);
	r.jitter = NAN;
	if (v->kind == OC_ERROR)
		r.error = e->m->error_name(family, v->type, v->code);
	if (v->kind == OC_REPLY)
		r.state = port_state_name(v->pstate);
	out_emit(e->out, &r);
}

/* A hop where nobody answered: every flow probed there lost. */
static void
emit_silent(struct engine *e, uint32_t target, int h)
{
	static const char *const none[1];
	const struct mda_target *mt = &MD(e)->tt[target];
	struct rec_text txt;
	struct record r;
	uint32_t f;

	mda_record(e, &r, REC_HOP, target, &txt);
	r.ttl = h;
	r.addrs = none;
	r.naddrs = 0;
	r.flows = 0;
	r.lost = 0;
	for (f = 0; f < mt->nflows; f++)
		r.lost += *cell(e, mt, f, h) != PC_NONE;
	out_emit(e->out, &r);
}

/*
 * The links from hop h to hop h + 1, and how many flows took each.  Where
 * hop h is one interface that does not end the paths, every flow passed
 * it, as the stopping rule assumed (hop_wants), also those not probed or
 * not answered there: a flow that found an interface at h + 1 shows its
 * link.  (Else the flows sent to h + 1 that have no answer at h, which
 * the routers' hash may be the same for every target, could hide a link
 * from each target alike.)
 */
static void
emit_links(struct engine *e, uint32_t target, int h)
{
	uint16_t n[MDA_MAX_WIDTH][MDA_MAX_WIDTH];
	const struct mda_target *mt = &MD(e)->tt[target];
	const struct mda_hop *a = mt->hop[h - 1], *b = mt->hop[h];
	int family = e->tg->t[target].family, i, k;
	uint8_t oa[MDA_MAX_WIDTH], ob[MDA_MAX_WIDTH];
	char to[REPORT_ADDRLEN];
	struct rec_text txt;
	struct record r;
	uint8_t x, y;
	uint32_t f;

	memset(n, 0, sizeof(n));
	for (f = 0; f < mt->nflows; f++) {
		x = *cell(e, mt, f, h);
		if (a->n == 1 && !terminal(&a->ifs[0]))
			x = 0;
		y = *cell(e, mt, f, h + 1);
		if (is_iface(x) && is_iface(y) && n[x][y] < UINT16_MAX)
			n[x][y]++;
	}
	hop_order(a, oa);
	hop_order(b, ob);
	for (i = 0; i < a->n; i++)
		for (k = 0; k < b->n; k++) {
			if (n[oa[i]][ob[k]] == 0)
				continue;
			mda_record(e, &r, REC_LINK, target, &txt);
			r.ttl = h;
			r.from = addr16_str(family, a->ifs[oa[i]].addr,
			    txt.from, sizeof(txt.from));
			r.to = addr16_str(family, b->ifs[ob[k]].addr, to,
			    sizeof(to));
			r.flows = n[oa[i]][ob[k]];
			out_emit(e->out, &r);
		}
}

/* Flows f and g took the same path (the same answer at every hop). */
static int
same_path(const struct engine *e, const struct mda_target *mt, uint32_t f,
    uint32_t g)
{
	int first = e->c->first_hop;

	return memcmp(cell(e, mt, f, first), cell(e, mt, g, first),
	    (size_t)(mt->ttl - first + 1)) == 0;
}

/* The counts of every flow from f on that took f's path, into r. */
static void
path_counts(const struct engine *e, const struct mda_target *mt, uint32_t f,
    uint8_t *seen, struct record *r)
{
	double sum = 0, min = INFINITY, max = -INFINITY;
	const struct mda_flow *fl;
	uint32_t g, n = 0;

	r->flows = r->sent = r->lost = 0;
	for (g = f; g < mt->nflows; g++) {
		fl = &mt->flow[g];
		if (seen[g] || fl->sent == 0 || !same_path(e, mt, f, g))
			continue;
		seen[g] = 1;
		r->flows++;
		r->sent += fl->sent;
		r->lost += fl->lost;
		if (fl->rtt.n == 0)
			continue;
		sum += stats_mean(&fl->rtt) * fl->rtt.n;
		n += fl->rtt.n;
		min = fmin(stats_min(&fl->rtt), min);
		max = fmax(stats_max(&fl->rtt), max);
	}
	r->received = r->sent - r->lost;
	r->loss_pct = 100.0 * (double)r->lost / (double)r->sent;
	if (n) {
		r->rtt_min = min;
		r->rtt_avg = sum / n;
		r->rtt_max = max;
	}
}

/*
 * -c: a path record for each path the flows took (an interface per hop,
 * null where it never answered), with the loss and RTT of their probes
 * to its last hop in the rounds after the first.
 */
static void
emit_flow_paths(struct engine *e, uint32_t target)
{
	const struct mda_target *mt = &MD(e)->tt[target];
	int family = e->tg->t[target].family, h, k, nh;
	char (*buf)[REPORT_ADDRLEN];
	const char **addrs;
	struct rec_text txt;
	struct record r;
	uint8_t *seen, c;
	uint32_t f;

	nh = mt->ttl - e->c->first_hop + 1;
	seen = calloc(mt->nflows ? mt->nflows : 1, 1);
	buf = calloc((size_t)nh, sizeof(*buf));
	addrs = calloc((size_t)nh, sizeof(*addrs));
	for (f = 0; seen && buf && addrs && f < mt->nflows; f++) {
		if (seen[f] || mt->flow[f].sent == 0)
			continue;
		mda_record(e, &r, REC_PATH, target, &txt);
		for (k = 0, h = e->c->first_hop; h <= mt->ttl; h++, k++) {
			c = *cell(e, mt, f, h);
			addrs[k] = is_iface(c) ? addr16_str(family,
			    mt->hop[h - 1]->ifs[c].addr, buf[k],
			    sizeof(buf[k])) : NULL;
		}
		r.addrs = addrs;
		r.naddrs = nh;
		r.ttl = mt->ttl;
		path_counts(e, mt, f, seen, &r);
		out_emit(e->out, &r);
	}
	free(seen);
	free(buf);
	free(addrs);
}

/* The verdict: reached or why it stopped, the last hop, probes spent. */
static void
emit_verdict(struct engine *e, uint32_t target, const char *stop)
{
	const struct mda_target *mt = target < MD(e)->cap ?
	    &MD(e)->tt[target] : NULL;
	struct rec_text txt;
	struct record r;

	mda_record(e, &r, REC_TRACE, target, &txt);
	r.reached = mt && mt->reached;
	r.hops = mt && mt->running ? mt->ttl : 0;
	r.stop = stop;
	r.sent = mt ? mt->probes : 0;
	if (r.reached)
		r.state = report_port_state(&e->tg->t[target]);
	out_emit(e->out, &r);
}

/* Every hop explored, each interface, the links, then the verdict. */
static void
emit_paths(struct engine *e, uint32_t target, const char *stop)
{
	const struct mda_target *mt = &MD(e)->tt[target];
	int h, i, last = mt->ttl;
	uint8_t order[MDA_MAX_WIDTH];

	for (h = e->c->first_hop; mt->hop && h <= last; h++) {
		if (mt->hop[h - 1] == NULL || mt->hop[h - 1]->n == 0) {
			emit_silent(e, target, h);
			continue;
		}
		hop_order(mt->hop[h - 1], order);
		for (i = 0; i < mt->hop[h - 1]->n; i++)
			emit_iface(e, target, h, order[i], i);
		if (h < last && mt->hop[h])
			emit_links(e, target, h);
	}
	if (mt->round > 0)
		emit_flow_paths(e, target);
	emit_verdict(e, target, stop);
}

/* The reachable interface's port state, kept as the trace keeps it. */
static void
keep_reached(struct engine *e, uint32_t target)
{
	const struct mda_target *mt = &MD(e)->tt[target];
	const struct mda_hop *hp = mt->hop[mt->ttl - 1];
	struct target *t = &e->tg->t[target];
	int i;

	for (i = 0; hp && i < hp->n; i++)
		if (hp->ifs[i].kind == OC_REPLY) {
			report_keep_state(t,
			    port_state_name(hp->ifs[i].pstate));
			break;
		}
	report_alive(e->rep, t);
}

/* No more rounds: the records, and the memory back. */
static void
finish_target(struct engine *e, uint32_t target, const char *stop)
{
	struct mda_target *mt = &MD(e)->tt[target];

	if (mt->reached)
		keep_reached(e, target);
	emit_paths(e, target, stop);
	target_free(e, mt);
	mt->done = 1;
	MD(e)->done++;
	e->tg->t[target].flags |= T_DONE;
}

static int
more_rounds(const struct engine *e, const struct mda_target *mt)
{
	return e->c->count == 0 || mt->round + 1 < e->c->count;
}

/* A round is over: the next after -p (the timer queue), or the end. */
static void
round_over(struct engine *e, uint32_t target)
{
	struct mda_target *mt = &MD(e)->tt[target];
	struct job j;

	if (more_rounds(e, mt)) {
		mt->idle = 1;
		memset(&j, 0, sizeof(j));
		j.due = engine_now(e) + e->c->period_ns;
		j.target = target;
		engine_timer(e, &j);
		return;
	}
	finish_target(e, target, mt->stop);
}

/*
 * Hop mt->ttl has all the probes it wants: whether the paths end here.
 * They do where every interface is an end (the destination, an error),
 * after --max-timeouts silent hops in a row, or at --max-hops.
 */
static int
hop_ends(struct engine *e, struct mda_target *mt, int family)
{
	const struct mda_hop *hp = mt->hop[mt->ttl - 1];
	int i, open = 0, err = -1;

	if (hp == NULL || hp->n == 0) {
		if (++mt->silent >= e->c->max_timeouts) {
			mt->stop = "max-timeouts";
			return 1;
		}
	} else {
		mt->silent = 0;
		for (i = 0; i < hp->n; i++)
			if (hp->ifs[i].kind == OC_REPLY)
				mt->reached = 1;
			else if (hp->ifs[i].kind == OC_ERROR)
				err = i;
			else
				open++;
		if (open == 0) {
			mt->stop = mt->reached ? "reached" :
			    e->m->error_name(family, hp->ifs[err].type,
			    hp->ifs[err].code);
			return 1;
		}
		mt->reached = 0;
	}
	if (mt->ttl >= e->c->max_hops) {
		mt->stop = "max-hops";
		return 1;
	}
	return 0;
}

/* Nothing in flight: what the rule wants next, hop after hop. */
static void
explore(struct engine *e, uint32_t target)
{
	struct mda_target *mt = &MD(e)->tt[target];

	while (mt->inflight == 0) {
		if (hop_wants(e, mt, target) > 0)
			return;
		if (hop_ends(e, mt, e->tg->t[target].family)) {
			round_over(e, target);
			return;
		}
		mt->ttl++;
	}
}

static int
mda_begin(struct engine *e, uint32_t target, int64_t now)
{
	struct mda *md = MD(e);
	struct mda_target *mt;
	uint32_t cap;

	(void)now;
	if (target >= md->cap) {
		cap = md->cap ? md->cap : 64;
		while (cap <= target)
			cap *= 2;
		if ((mt = realloc(md->tt, cap * sizeof(*mt))) == NULL)
			return -1;
		memset(mt + md->cap, 0, (cap - md->cap) * sizeof(*mt));
		md->tt = mt;
		md->cap = cap;
	}
	mt = &md->tt[target];
	/* One allocation per hop that answers, one per 64 flows: none per
	 * probe. */
	if ((mt->hop = calloc((size_t)e->c->max_hops, sizeof(*mt->hop))) ==
	    NULL)
		return -1;
	mt->ttl = e->c->first_hop;
	mt->running = 1;
	explore(e, target);
	return 0;
}

/* A later round: every flow again at every hop up to the last. */
static void
mda_next_round(struct engine *e, const struct job *j, int64_t now)
{
	struct mda_target *mt = mt_of(e, j->target);
	uint32_t f;
	int h;

	/* A probe's (its TTL is never 0), not a round's. */
	if (mt != NULL && j->ttl != 0 && !mt->idle) {
		paced_due(e, mt, j, now);
		return;
	}
	if (mt == NULL || !mt->idle)
		return;
	mt->idle = 0;
	mt->round++;
	for (f = 0; f < mt->nflows; f++)
		for (h = e->c->first_hop; h <= mt->ttl; h++)
			queue_flow(e, mt, j->target, f, h, 0);
	if (mt->inflight == 0)
		round_over(e, j->target);
}

static int
mda_wanted(struct engine *e, const struct job *j)
{
	struct mda_target *mt = mt_of(e, j->target);

	return mt != NULL && !mt->idle;
}

/* Its serial, for a short quote (mda_serial). */

static void
mda_sent(struct engine *e, const struct job *j, uint32_t serial, int64_t now)
{
	struct mda_target *mt = mt_of(e, j->target);

	(void)now;
	if (mt == NULL)
		return;
	mt->probes++;
	sent_at(e, mt, MDA_FLOW(j->seq), j->ttl)->serial = serial;
}

/*
 * What became of a probe.  A reply's probe is settled here (late and
 * duplicate ones, whose probe has left, change nothing); an advisory
 * error changes nothing.  When the target's last probe in flight has its
 * outcome, the rule says what next.
 */
/* Whether pr is a probe of mt's that the rule waits for. */
static int
awaited(const struct engine *e, const struct mda_target *mt,
    const struct probe *pr)
{
	int h = MDA_TTL(pr->seq);

	return mt && !mt->idle && MDA_FLOW(pr->seq) < mt->nflows &&
	    h >= e->c->first_hop && h <= e->c->max_hops && mt->inflight > 0;
}

/* The outcome of a probe the rule waited for: its cell; when it was
 * the target's last in flight, what next. */
static void
counted(struct engine *e, struct mda_target *mt, const struct probe *pr,
    const struct answer *a, unsigned rtr)
{
	uint32_t f = MDA_FLOW(pr->seq);
	int h = MDA_TTL(pr->seq);

	if (mt->round == 0)
		discovered(e, mt, f, h, a, rtr);
	else
		remeasured(e, mt, f, h, a, rtr);
	if (--mt->inflight == 0) {
		if (mt->round == 0)
			explore(e, pr->target);
		else
			round_over(e, pr->target);
	}
}

static void
mda_outcome(struct engine *e, struct probe *pr, const struct answer *a,
    const struct rx *rx)
{
	struct mda_target *mt;
	unsigned rtr;

	(void)rx;
	if (a->kind == OC_ADVISORY || pr == NULL)
		return;
	mt = mt_of(e, pr->target);
	if (awaited(e, mt, pr)) {
		rtr = learn(e, mt, pr, a);
		if (mt->round != 0 || a->kind != OC_TIMEOUT ||
		    !retried(e, mt, pr))
			counted(e, mt, pr, a, rtr);
	}
	if (a->kind == OC_REPLY)
		engine_settle(e, pr);
}

/*
 * A short quote (RFC 792's 8 bytes of an echo request: id, seq and the
 * Paris checksum) names its probe by the wire seq, MDA_SEQ's low 16
 * bits: the TTL and the flow's low byte.  (UDP's checksum and TCP's
 * sequence name the probe's serial themselves: by_serial.)
 */
static int64_t
mda_serial(struct engine *e, uint32_t target, uint16_t seq16)
{
	struct mda_target *mt = mt_of(e, target);
	int ttl = seq16 & 0xff;
	int64_t found = -1;
	struct probe *pr;
	uint32_t f;

	if (mt == NULL || ttl < e->c->first_hop || ttl > e->c->max_hops)
		return -1;
	/* The wire seq has the low 8 bits of the flow: every 256th flow
	 * may be the one; the one in flight with that seq, if one only. */
	for (f = seq16 >> 8; f < mt->nflows; f += 256) {
		pr = pool_find(&e->pool, sent_at(e, mt, f, ttl)->serial);
		if (pr == NULL || pr->target != target ||
		    pr->seq != MDA_SEQ(f, ttl))
			continue;
		if (found >= 0)
			return -1;
		found = pr->serial;
	}
	return found;
}

/*
 * The end of the run (interrupted, deadline): each unfinished target
 * shows what it found, with that reason; one between rounds, its own.
 */
static void
mda_finish(struct engine *e, const char *why)
{
	struct mda_target *mt;
	uint32_t i;

	if (why == NULL)
		why = "deadline";
	for (i = 0; i < e->tg->n; i++) {
		mt = i < MD(e)->cap ? &MD(e)->tt[i] : NULL;
		if (mt && mt->done)
			continue;
		if (mt == NULL || !mt->running) {
			emit_verdict(e, i, why);
			continue;
		}
		finish_target(e, i, mt->idle || mt->round > 0 ? mt->stop :
		    why);
	}
}

static int
mda_all_done(struct engine *e, int64_t now)
{
	(void)now;
	return MD(e)->done >= e->tg->n;
}

static const struct mode mode_mda = {
	.begin = mda_begin,
	.wanted = mda_wanted,
	.sent = mda_sent,
	.timer = mda_next_round,
	.outcome = mda_outcome,
	.serial_of = mda_serial,
	.done = mda_all_done,
	.finish = mda_finish,
	.destroy = mda_free,
};

int
mda_mode(struct engine *e)
{
	struct mda *md;

	if ((md = e->ms = calloc(1, sizeof(struct mda))) == NULL)
		return -1;
	if ((md->bud = budget_new(MDA_ROUTERS)) == NULL) {
		free(md);
		e->ms = NULL;
		return -1;
	}
	e->mode = &mode_mda;
	return 0;
}
