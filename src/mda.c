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

/* A probe of the first round to send again: flow, TTL, attempt. */
struct mda_retry {
	uint32_t	 flow;
	uint8_t		 ttl, attempt;
};

/*
 * Silence from a hop that answered other probes is most likely the
 * router's ICMP rate limit (Linux: a burst of 6, then one a second per
 * source at icmp_ratelimit=1000, time exceeded and unreachable from one
 * budget), not loss: such a probe goes again, one a second per target,
 * up to MDA_RETRIES times, before its flow counts as silent there.
 */
#define MDA_RETRIES	2
#define MDA_PAUSE_NS	1000000000LL
/* Timer jobs: seq 0 a round's, MDA_SEQ_RETRY the next retry's. */
#define MDA_SEQ_RETRY	1

struct mda_target {
	uint8_t		*cell;		/* [flow][ttl - 1] */
	struct mda_flow	*flow;		/* [flow] */
	struct mda_retry *retry;	/* waiting, from retry[rhead] on */
	uint32_t	 nretry, rhead, capretry;
	struct mda_hop	**hop;		/* [ttl - 1], NULL: none answered */
	uint32_t	 nflows, capflows;
	uint32_t	 inflight;	/* probes queued or in flight */
	uint32_t	 probes;	/* sent, every round */
	uint32_t	 round;		/* from 0: the discovery */
	int		 ttl;		/* the hop being explored */
	uint8_t		 silent;	/* silent hops in a row */
	uint8_t		 running, idle, done, reached;
	uint8_t		 armed;		/* a retry timer is due */
	const char	*stop;
};

struct mda {
	struct mda_target	*tt;	/* parallel to the targets */
	uint32_t		 cap;
	uint32_t		 done;
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
	free(mt->flow);
	free(mt->retry);
	mt->retry = NULL;
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

/* One flow more (its cells unprobed), or -1: no more flows. */
static int64_t
new_flow(const struct engine *e, struct mda_target *mt)
{
	size_t row = (size_t)e->c->max_hops;
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
		if ((fl = realloc(mt->flow, cap * sizeof(*fl))) == NULL)
			return -1;
		mt->flow = fl;
		memset(c + mt->capflows * row, PC_NONE,
		    (cap - mt->capflows) * row);
		memset(fl + mt->capflows, 0, (cap - mt->capflows) *
		    sizeof(*fl));
		mt->capflows = cap;
	}
	return mt->nflows++;
}

/* Queue flow f's probe at this TTL: its own flow identity (method.h). */
static void
queue_flow(struct engine *e, struct mda_target *mt, uint32_t target,
    uint32_t f, int ttl)
{
	struct job j;

	memset(&j, 0, sizeof(j));
	j.target = target;
	j.seq = MDA_SEQ(f, ttl);
	j.ttl = (uint8_t)ttl;
	j.has_flow = 1;
	j.flow = (uint16_t)f;
	mt->inflight++;
	engine_queue(e, &j);
}

/* The first round: flow f at this TTL, its cell waiting. */
static void
send_flow(struct engine *e, struct mda_target *mt, uint32_t target,
    uint32_t f, int ttl)
{
	*cell(e, mt, f, ttl) = PC_WAIT;
	queue_flow(e, mt, target, f, ttl);
}

static int
is_iface(uint8_t c)
{
	return c < PC_STAR;
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

/* Probe up to n unprobed flows of the group at h; how many went. */
static int
send_fresh(struct engine *e, struct mda_target *mt, uint32_t target, int h,
    int v, int n)
{
	uint32_t f;
	int sent = 0;

	for (f = 0; f < mt->nflows && sent < n; f++)
		if (in_group(e, mt, f, h, v) && *cell(e, mt, f, h) == PC_NONE) {
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

/* The hop's interface with this address, added if new; or PC_STAR. */
static uint8_t
iface_at(struct mda_target *mt, int h, const struct answer *a)
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
    const struct answer *a)
{
	uint8_t *c = cell(e, mt, f, h), i;

	if (*c != PC_WAIT)
		return;
	*c = PC_STAR;
	if (!answered(a->kind))
		return;
	if ((i = iface_at(mt, h, a)) == PC_STAR)
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
    const struct answer *a)
{
	uint8_t *c = cell(e, mt, f, h), i = PC_STAR;
	struct mda_flow *fl = &mt->flow[f];

	if (answered(a->kind))
		i = iface_at(mt, h, a);
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

/* The retry timer of a target, if it is not due already. */
static void
arm_retry(struct engine *e, struct mda_target *mt, uint32_t target)
{
	struct job j;

	if (mt->armed || mt->rhead == mt->nretry)
		return;
	memset(&j, 0, sizeof(j));
	j.target = target;
	j.seq = MDA_SEQ_RETRY;
	j.due = engine_now(e) + MDA_PAUSE_NS;
	engine_timer(e, &j);
	mt->armed = 1;
}

/*
 * A probe of the first round timed out: 1 if it goes again (still in
 * flight for the rule), 0 if its flow is silent at this hop.
 */
static int
retried(struct engine *e, struct mda_target *mt, const struct probe *pr)
{
	const struct mda_hop *hp = mt->hop[MDA_TTL(pr->seq) - 1];
	struct mda_retry *r;
	uint32_t cap;

	if (pr->attempt >= MDA_RETRIES || hp == NULL || hp->n == 0)
		return 0;
	if (mt->rhead == mt->nretry)
		mt->rhead = mt->nretry = 0;
	if (mt->nretry == mt->capretry) {
		cap = mt->capretry ? mt->capretry * 2 : 16;
		if ((r = realloc(mt->retry, cap * sizeof(*r))) == NULL)
			return 0;
		mt->retry = r;
		mt->capretry = cap;
	}
	r = &mt->retry[mt->nretry++];
	r->flow = MDA_FLOW(pr->seq);
	r->ttl = (uint8_t)MDA_TTL(pr->seq);
	r->attempt = (uint8_t)(pr->attempt + 1);
	arm_retry(e, mt, pr->target);
	return 1;
}

/* The retry timer: the next probe waiting goes, and the timer again. */
static void
send_retry(struct engine *e, struct mda_target *mt, uint32_t target)
{
	const struct mda_retry *r;
	struct job j;

	mt->armed = 0;
	if (mt->rhead == mt->nretry)
		return;
	r = &mt->retry[mt->rhead++];
	memset(&j, 0, sizeof(j));
	j.target = target;
	j.seq = MDA_SEQ(r->flow, r->ttl);
	j.ttl = r->ttl;
	j.attempt = r->attempt;
	j.has_flow = 1;
	j.flow = (uint16_t)r->flow;
	engine_queue(e, &j);
	arm_retry(e, mt, target);
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

/* A hop where nobody answered. */
static void
emit_silent(struct engine *e, uint32_t target, int h)
{
	static const char *const none[1];
	struct rec_text txt;
	struct record r;

	mda_record(e, &r, REC_HOP, target, &txt);
	r.ttl = h;
	r.addrs = none;
	r.naddrs = 0;
	r.flows = 0;
	out_emit(e->out, &r);
}

/* The links from hop h to hop h + 1, and how many flows took each. */
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

	(void)now;
	if (mt != NULL && j->seq == MDA_SEQ_RETRY) {
		send_retry(e, mt, j->target);
		return;
	}
	if (mt == NULL || !mt->idle)
		return;
	mt->idle = 0;
	mt->round++;
	for (f = 0; f < mt->nflows; f++)
		for (h = e->c->first_hop; h <= mt->ttl; h++)
			queue_flow(e, mt, j->target, f, h);
	if (mt->inflight == 0)
		round_over(e, j->target);
}

static int
mda_wanted(struct engine *e, const struct job *j)
{
	struct mda_target *mt = mt_of(e, j->target);

	return mt != NULL && !mt->idle;
}

static void
mda_sent(struct engine *e, const struct job *j, uint32_t serial, int64_t now)
{
	struct mda_target *mt = mt_of(e, j->target);

	(void)serial;
	(void)now;
	if (mt)
		mt->probes++;
}

/*
 * What became of a probe.  A reply's probe is settled here (late and
 * duplicate ones, whose probe has left, change nothing); an advisory
 * error changes nothing.  When the target's last probe in flight has its
 * outcome, the rule says what next.
 */
static void
mda_outcome(struct engine *e, struct probe *pr, const struct answer *a,
    const struct rx *rx)
{
	struct mda_target *mt;
	uint32_t f;
	int h;

	(void)rx;
	if (a->kind == OC_ADVISORY || pr == NULL)
		return;
	mt = mt_of(e, pr->target);
	f = MDA_FLOW(pr->seq);
	h = MDA_TTL(pr->seq);
	if (mt && !mt->idle && f < mt->nflows && h >= e->c->first_hop &&
	    h <= e->c->max_hops && mt->inflight > 0 && !(mt->round == 0 &&
	    a->kind == OC_TIMEOUT && retried(e, mt, pr))) {
		if (mt->round == 0)
			discovered(e, mt, f, h, a);
		else
			remeasured(e, mt, f, h, a);
		if (--mt->inflight == 0) {
			if (mt->round == 0)
				explore(e, pr->target);
			else
				round_over(e, pr->target);
		}
	}
	if (a->kind == OC_REPLY)
		engine_settle(e, pr);
}

/* Short quotes name no probe here: every method's quote has the tag. */
static int64_t
mda_serial(struct engine *e, uint32_t target, uint16_t seq16)
{
	(void)e;
	(void)target;
	(void)seq16;
	return -1;
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
	if ((e->ms = calloc(1, sizeof(struct mda))) == NULL)
		return -1;
	e->mode = &mode_mda;
	return 0;
}
