/*
 * Unit tests of the all-paths mode (mda.h) on the rig of engine_test.c
 * (its fake method, fake clock and run loop; its groups are not run
 * here): a simulated network of per-flow load balancers answers every
 * probe from the interface its flow reaches, so each run is exact and
 * repeatable, with no socket, no root and no network.
 *
 *   hop 1  R1 198.51.100.1
 *   hop 2  A1 .21, A2 .22        (R1 hashes the flow over 2)
 *   hop 3  R3 198.51.100.3
 *   hop 4  B1 .41, B2 .42, B3 .43 (R3 hashes it over 3, another hash)
 *   hop 5  R5 198.51.100.5
 *   hop 6  the target 203.0.113.k
 *
 * usage: mda_test [group ...], as engine_test.
 */
#define main	engine_test_main
#include "engine_test.c"
#undef main

#include "mda.h"

#define NIF	6		/* interface records kept per kind */

/* ---- the simulated network ---- */

struct net {
	int	 silent_hop;	/* this hop never answers (0: none) */
	int	 error_hop;	/* this hop answers host unreachable (0) */
	int	 limited_hop;	/* this hop's router at Linux's ICMP limit */
	int64_t	 tokens_at;	/* limited: when the budget was last full */
	int	 tokens;	/* limited: answers left in the burst */
	int	 answered;	/* probes answered so far */
};

static uint32_t
mix(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x7feb352dU;
	x ^= x >> 15;
	x *= 0x846ca68bU;
	x ^= x >> 16;
	return x;
}

/* The interface of hop ttl that flow f to target t reaches. */
static int
iface_of(int ttl, uint32_t t, int f)
{
	switch (ttl) {
	case 2:
		return 21 + (int)(mix((uint32_t)f * 2654435761U ^ t) % 2);
	case 4:
		return 41 + (int)(mix((uint32_t)f ^ 0x9e3779b9U) % 3);
	default:
		return ttl;
	}
}

/*
 * Linux's limit at icmp_ratelimit=1000: a burst of 6, then one a second
 * (a token per second of fake time, 6 at most).
 */
static int
allowed(struct net *n)
{
	int64_t now = ms_now();

	if (n->tokens_at == 0)
		n->tokens = 6, n->tokens_at = now;
	while (now - n->tokens_at >= 1000 && n->tokens < 6) {
		n->tokens++;
		n->tokens_at += 1000;
	}
	if (n->tokens == 6)
		n->tokens_at = now;
	if (n->tokens == 0)
		return 0;
	n->tokens--;
	return 1;
}

/* What the network does with probe p. */
static void
deliver_probe(struct rig *r, struct net *n, const struct sent *p)
{
	int ttl = p->ttl, k = (int)p->h.target + 1;
	uint8_t from[16];

	if (ttl == n->silent_hop ||
	    (ttl == n->limited_hop && !allowed(n)))
		return;
	n->answered++;
	if (ttl >= 6) {
		answer(r, p, OC_REPLY, NULL, ms_now());
		return;
	}
	v4(from, 198, 51, 100, iface_of(ttl, (uint32_t)k, p->flow));
	answer(r, p, ttl == n->error_hop ? OC_ERROR : OC_EXCEEDED, from,
	    ms_now());
}

/* Answer every probe as it leaves, a millisecond at a time, to the end. */
static void
play(struct rig *r, struct net *n)
{
	int next = 0, guard = 0;
	struct fake *f;

	run_to(r, 0);
	while (!r->done && guard++ < 200000) {
		f = fake_of(r);
		while (next < f->nlog)
			deliver_probe(r, n, &f->log[next++]);
		run_to(r, ms_now() + 1);
	}
	CHECK(r->done);
	CHECK(fake_of(r)->nlog < MAXLOG);
}

/* ---- what the run wrote ---- */

struct mrec {
	enum rec_type	 type;
	long		 index, ttl, flows, sent, lost, hops, naddrs, round;
	int		 reached;
	char		 from[48], to[48], stop[40], addrs[160];
};

struct mcap {
	struct mrec	 r[512];
	int		 n;
};

static void
mcap_emit(struct out *o, const struct record *r)
{
	struct mcap *cp = o->view;
	struct mrec *c;
	long i;

	if (cp->n == 512 || r->type == REC_START || r->type == REC_END)
		return;
	c = &cp->r[cp->n++];
	memset(c, 0, sizeof(*c));
	c->type = r->type;
	c->index = r->index;
	c->ttl = r->ttl;
	c->flows = r->flows;
	c->sent = r->sent;
	c->lost = r->lost;
	c->hops = r->hops;
	c->naddrs = r->naddrs;
	c->round = r->round;
	c->reached = r->reached;
	copy(c->from, sizeof(c->from), r->from);
	copy(c->to, sizeof(c->to), r->to);
	copy(c->stop, sizeof(c->stop), r->stop);
	for (i = 0; r->type == REC_PATH && i < r->naddrs; i++)
		catn(c->addrs, sizeof(c->addrs), "%s", r->addrs[i] ?
		    r->addrs[i] + 11 : "*");
}

static const struct out_ops mcap_ops = { NULL, mcap_emit, NULL, NULL,
	cap_wants, NULL };

/* --all-paths with --confidence conf, n targets, the mode attached. */
static struct rig *
rig_mda(int n, int conf, struct mcap *cp)
{
	struct rig *r = rig_trace();

	r->c.mda = 1;
	r->c.confidence = conf;
	r->c.timeout_ns = 500 * MS;
	rig_go(r, n);
	r->e.mode->destroy(&r->e);
	if (mda_mode(&r->e) == -1)
		abort();
	memset(cp, 0, sizeof(*cp));
	r->out.ops = &mcap_ops;
	r->out.view = cp;
	return r;
}

static int
by_text(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Target index's hops and links, sorted, as "hop TTL last-octet" and
 * "link TTL from-to" words; the target itself is "T".
 */
static const char *
topology(const struct mcap *cp, long index, char *buf)
{
	char words[128][24], *w[128];
	const struct mrec *c;
	int i, n = 0;

	for (i = 0; i < cp->n && n < 128; i++) {
		c = &cp->r[i];
		if (c->index != index || (c->type != REC_HOP &&
		    c->type != REC_LINK))
			continue;
		if (c->type == REC_HOP)
			snprintf(words[n], sizeof(words[n]), "h%ld:%s", c->ttl,
			    c->from[0] == '2' ? "T" : c->from[0] ? c->from +
			    11 : "*");
		else
			snprintf(words[n], sizeof(words[n]), "l%ld:%s-%s",
			    c->ttl, c->from + 11, c->to[0] == '2' ? "T" :
			    c->to + 11);
		w[n] = words[n];
		n++;
	}
	qsort(w, (size_t)n, sizeof(w[0]), by_text);
	buf[0] = '\0';
	for (i = 0; i < n; i++)
		cat(buf, "%s", w[i]);
	return buf;
}

#define DIAMONDS "h1:1 h2:21 h2:22 h3:3 h4:41 h4:42 h4:43 h5:5 h6:T " \
	"l1:1-21 l1:1-22 l2:21-3 l2:22-3 l3:3-41 l3:3-42 l3:3-43 " \
	"l4:41-5 l4:42-5 l4:43-5 l5:5-T"

static const struct mrec *
verdict(const struct mcap *cp, long index)
{
	int i;

	for (i = 0; i < cp->n; i++)
		if (cp->r[i].type == REC_TRACE && cp->r[i].index == index)
			return &cp->r[i];
	return NULL;
}

/*
 * The stopping points the paper tabulates, as mda.c has them: each the
 * least n for which n flows over k + 1 next hops miss one with a
 * probability of at most 5% (1%), computed here in long double.
 */
static double
p_miss(int K, int n)
{
	long double p = 0, c = 1;
	int i;

	for (i = 1; i <= K; i++) {
		c = c * (K - i + 1) / i;
		p += (i % 2 ? 1 : -1) * c * powl((long double)(K - i) / K, n);
	}
	return (double)p;
}

static void
t_mda_table(void)
{
	int k, n, conf;
	double alpha;

	for (conf = 95; conf <= 99; conf += 4) {
		alpha = conf == 95 ? 0.05 : 0.01;
		for (k = 1; k <= MDA_MAX_WIDTH; k++) {
			n = mda_stop_probes(k, conf);
			CHECK(p_miss(k + 1, n) <= alpha);
			CHECK(p_miss(k + 1, n - 1) > alpha);
		}
	}
	CHECK_EQ(mda_stop_probes(1, 95), 6);
	CHECK_EQ(mda_stop_probes(2, 95), 11);
	CHECK_EQ(mda_stop_probes(1, 99), 8);
	CHECK_EQ(mda_stop_probes(0, 95), 6);
	CHECK_EQ(mda_stop_probes(99, 95), mda_stop_probes(32, 95));
}

/* The stopping points of what was found: us, and each interface. */
static long
floor_of(const struct mcap *cp, long index, int conf)
{
	int deg[256] = { 0 }, i, first = 0;
	long sum;

	for (i = 0; i < cp->n; i++) {
		if (cp->r[i].index != index)
			continue;
		if (cp->r[i].type == REC_HOP && cp->r[i].ttl == 1)
			first++;
		if (cp->r[i].type == REC_LINK)
			deg[atoi(strrchr(cp->r[i].from, '.') + 1)]++;
	}
	sum = mda_stop_probes(first, conf);
	for (i = 0; i < 256; i++)
		if (deg[i])
			sum += mda_stop_probes(deg[i], conf);
	return sum;
}

static void
t_mda_diamonds(void)
{
	static struct mcap cp;
	struct net n = { 0 };
	struct rig *r = rig_mda(1, 95, &cp);
	const struct mrec *v;
	char buf[TEXT];
	long fl;

	play(r, &n);
	CHECK_STR(topology(&cp, 0, buf), DIAMONDS);
	v = verdict(&cp, 0);
	CHECK(v && v->reached && v->hops == 6);
	CHECK_STR(v ? v->stop : NULL, "reached");
	fl = floor_of(&cp, 0, 95);
	CHECK_EQ(fl, 6 + 11 + 6 + 6 + 16 + 6 + 6 + 6 + 6);
	CHECK(v && v->sent >= fl && v->sent <= 2 * fl);
	CHECK_EQ(v ? v->sent : 0, fake_of(r)->nlog);
	rig_free(r);
}

/* 99%: the same network, more probes; five targets at once, each whole. */
static void
t_mda_many(void)
{
	static struct mcap cp;
	struct net n = { 0 };
	struct rig *r = rig_mda(5, 99, &cp);
	const struct mrec *v;
	char buf[TEXT];
	long k, total = 0;

	play(r, &n);
	for (k = 0; k < 5; k++) {
		CHECK_STR(topology(&cp, k, buf), DIAMONDS);
		v = verdict(&cp, k);
		CHECK(v && v->reached && v->sent >= floor_of(&cp, k, 99));
		total += v ? v->sent : 0;
	}
	CHECK_EQ(floor_of(&cp, 0, 99), 8 + 15 + 8 + 8 + 21 + 8 * 3 + 8);
	CHECK(total > 5 * floor_of(&cp, 0, 95));
	rig_free(r);
}

/* A hop that never answers: a silent hop, and the paths go on past it. */
static void
t_mda_silent(void)
{
	static struct mcap cp;
	struct net n = { .silent_hop = 3 };
	struct rig *r = rig_mda(1, 95, &cp);
	char buf[TEXT];

	play(r, &n);
	CHECK_STR(topology(&cp, 0, buf), "h1:1 h2:21 h2:22 h3:* h4:41 h4:42 "
	    "h4:43 h5:5 h6:T l1:1-21 l1:1-22 l4:41-5 l4:42-5 l4:43-5 l5:5-T");
	CHECK(verdict(&cp, 0) && verdict(&cp, 0)->reached);
	rig_free(r);
}

/* Every interface of a hop answers with an error: the paths end there. */
static void
t_mda_error(void)
{
	static struct mcap cp;
	struct net n = { .error_hop = 3 };
	struct rig *r = rig_mda(1, 95, &cp);
	const struct mrec *v;
	char buf[TEXT];

	play(r, &n);
	CHECK_STR(topology(&cp, 0, buf), "h1:1 h2:21 h2:22 h3:3 l1:1-21 "
	    "l1:1-22 l2:21-3 l2:22-3");
	v = verdict(&cp, 0);
	CHECK(v && !v->reached && v->hops == 3);
	CHECK_STR(v ? v->stop : NULL, "host-unreachable");
	rig_free(r);
}

/*
 * R3 at Linux's ICMP limit: what it does not answer goes again a second
 * later (twice at most), never two within half a second, and the
 * topology is whole.
 */
static void
t_mda_rate_limit(void)
{
	static struct mcap cp;
	struct net n = { .limited_hop = 3 };
	struct rig *r = rig_mda(1, 95, &cp);
	struct fake *f;
	int i, retries = 0;
	int64_t last = -1000, gap = 1000000;
	char buf[TEXT];

	play(r, &n);
	CHECK_STR(topology(&cp, 0, buf), DIAMONDS);
	f = fake_of(r);
	for (i = 0; i < f->nlog; i++) {
		if (f->log[i].h.attempt == 0)
			continue;
		retries++;
		CHECK(f->log[i].h.attempt <= 2);
		if (f->log[i].at - last < gap)
			gap = f->log[i].at - last;
		last = f->log[i].at;
	}
	CHECK(retries > 0);
	/* Paced by budget.c: a trial may go at twice the rate the model
	 * has settled on (tdef: trials double until one goes unanswered). */
	CHECK(gap >= 500);
	rig_free(r);
}

/*
 * -c 3: the rounds after the first send every flow to every hop; a path
 * record per path taken, its probes to the last hop counted.
 */
static void
t_mda_rounds(void)
{
	static struct mcap cp;
	struct net n = { 0 };
	struct rig *r;
	long flows = 0, sent = 0, paths = 0;
	char buf[TEXT];
	int i;

	r = rig_mda(1, 95, &cp);
	r->c.count = 3;
	r->c.period_ns = 100 * MS;
	play(r, &n);
	CHECK_STR(topology(&cp, 0, buf), DIAMONDS);
	for (i = 0; i < cp.n; i++) {
		if (cp.r[i].type != REC_PATH)
			continue;
		paths++;
		flows += cp.r[i].flows;
		sent += cp.r[i].sent;
		CHECK_EQ(cp.r[i].lost, 0);
		CHECK_EQ(cp.r[i].round, 2);
		CHECK(strncmp(cp.r[i].addrs, "1 2", 3) == 0);
	}
	CHECK(paths >= 2 && paths <= 6);
	CHECK_EQ(sent, 2 * flows);
	CHECK(verdict(&cp, 0) && verdict(&cp, 0)->round == 2);
	rig_free(r);
}

/* Interrupted: what was found so far, and why it ended. */
static void
t_mda_interrupt(void)
{
	static struct mcap cp;
	struct rig *r = rig_mda(2, 95, &cp);
	struct fake *f;
	int i;

	run_to(r, 0);
	f = fake_of(r);
	for (i = 0; i < f->nlog; i++)
		answer(r, &f->log[i], OC_EXCEEDED, router(1), 1);
	r->stop = 1;
	run_to(r, 10);
	CHECK(r->done);
	CHECK(verdict(&cp, 0) && verdict(&cp, 1));
	CHECK_STR(verdict(&cp, 0) ? verdict(&cp, 0)->stop : NULL,
	    "interrupted");
	rig_free(r);
}

static const struct unit_group mda_tests[] = {
	{ "mda-table", t_mda_table },
	{ "mda-diamonds", t_mda_diamonds },
	{ "mda-many", t_mda_many },
	{ "mda-silent", t_mda_silent },
	{ "mda-error", t_mda_error },
	{ "mda-rate-limit", t_mda_rate_limit },
	{ "mda-rounds", t_mda_rounds },
	{ "mda-interrupt", t_mda_interrupt },
};

int
main(int argc, char *argv[])
{
	return unit_main(argc, argv, mda_tests,
	    sizeof(mda_tests) / sizeof(mda_tests[0]));
}
