/*
 * hopsum.c without a network: hop records in, hop-summary records out,
 * kept by a formatter of the test's own.  Run by tests/hopsum_unit.bats.
 */
#define UNIT_NAME	"hopsum_test.c"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hopsum.h"
#include "unit.h"

#define MAXREC	32
#define NQ	3

/* What the formatter kept of each hop-summary record. */
struct kept {
	int	 ttl;
	char	 from[64], addrs[256], names[256];
	long	 naddrs, sent, received, lost, hops, width;
	double	 loss, last, min, avg, max, sd;
};

static struct kept	kept[MAXREC];
static int		nkept;

static void
join(char *buf, size_t len, const char *const *v, long n)
{
	size_t o = 0;
	long i;

	buf[0] = '\0';
	for (i = 0; v && i < n && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? " " : "",
		    v[i] ? v[i] : "-");
}

static void
keep_emit(struct out *o, const struct record *r)
{
	struct kept *k = &kept[nkept];

	(void)o;
	if (r->type != REC_HOP_SUMMARY || nkept == MAXREC)
		return;
	nkept++;
	k->ttl = r->ttl;
	snprintf(k->from, sizeof(k->from), "%s", r->from ? r->from : "null");
	join(k->addrs, sizeof(k->addrs), r->addrs, r->naddrs);
	join(k->names, sizeof(k->names), r->names, r->naddrs);
	k->naddrs = r->naddrs;
	k->sent = r->sent;
	k->received = r->received;
	k->lost = r->lost;
	k->hops = r->hops;
	k->width = r->name_width;
	k->loss = r->loss_pct;
	k->last = r->rtt_last;
	k->min = r->rtt_min;
	k->avg = r->rtt_avg;
	k->max = r->rtt_max;
	k->sd = r->rtt_stddev;
}

static int
keep_wants(const struct out *o, enum rec_type t)
{
	(void)o, (void)t;
	return 1;
}

static const struct out_ops keep_ops = { NULL, keep_emit, NULL, NULL,
	keep_wants, NULL };

static void	feed_to(struct hopsum *, const char *, int,
		    const char *const *, const double *, const char *const *);

/* A hop record of NQ probes: froms[q] NULL is a probe without answer. */
static void
feed(struct hopsum *s, int ttl, const char *const *froms,
    const double *rtts, const char *const *names)
{
	feed_to(s, NULL, ttl, froms, rtts, names);
}

/* The same, of a trace to addr. */
static void
feed_to(struct hopsum *s, const char *addr, int ttl,
    const char *const *froms, const double *rtts, const char *const *names)
{
	const char *addrs[NQ], *nm[NQ];
	struct record r;
	long n = 0, i, q;

	record_clear(&r, REC_HOP);
	for (q = 0; q < NQ; q++) {
		if (froms[q] == NULL)
			continue;
		for (i = 0; i < n && strcmp(addrs[i], froms[q]) != 0; i++)
			;
		if (i == n) {
			nm[n] = names ? names[q] : NULL;
			addrs[n++] = froms[q];
		}
	}
	r.ttl = ttl;
	r.addr = addr;
	r.froms = froms;
	r.rtts = rtts;
	r.nprobes = NQ;
	r.addrs = addrs;
	r.naddrs = n;
	r.names = names ? nm : NULL;
	CHECK_EQ(hopsum_add(s, &r), 0);
}

static void
emit(const struct hopsum *s)
{
	struct out o;
	struct record tmpl;

	memset(&o, 0, sizeof(o));
	o.ops = &keep_ops;
	record_clear(&tmpl, REC_HOP_SUMMARY);
	tmpl.target = "t";
	nkept = 0;
	hopsum_emit(s, &o, &tmpl);
}

static int
near(double a, double b)
{
	return fabs(a - b) < 1e-6;
}

/* Three rounds: hop 1 always answered; hop 2 by A twice, B once, and
 * lost; hop 3 never answered. */
static void
rounds(void)
{
	static const char *const one[NQ] = { "192.0.2.1", "192.0.2.1",
	    "192.0.2.1" };
	static const char *const two[3][NQ] = {
		{ "192.0.2.9", NULL, "192.0.2.8" },
		{ "192.0.2.8", "192.0.2.8", NULL },
		{ NULL, NULL, "192.0.2.9" } };
	static const char *const none[NQ] = { NULL, NULL, NULL };
	static const double r1[3][NQ] = { { 1, 2, 3 }, { 4, 5, 6 },
	    { 7, 8, 9 } };
	static const double r2[3][NQ] = { { 10, NAN, 20 }, { 30, 40, NAN },
	    { NAN, NAN, 50 } };
	static const double nan3[NQ] = { NAN, NAN, NAN };
	struct hopsum *s = hopsum_new();
	int i;

	CHECK(s != NULL);
	for (i = 0; i < 3; i++) {
		feed(s, 1, one, r1[i], NULL);
		feed(s, 2, two[i], r2[i], NULL);
		feed(s, 3, none, nan3, NULL);
	}
	emit(s);
	CHECK_EQ(nkept, 3);
	CHECK_EQ(kept[0].ttl, 1);
	CHECK_EQ(kept[0].sent, 9);
	CHECK_EQ(kept[0].received, 9);
	CHECK_EQ(kept[0].lost, 0);
	CHECK(near(kept[0].loss, 0));
	CHECK(near(kept[0].last, 9) && near(kept[0].min, 1) &&
	    near(kept[0].max, 9) && near(kept[0].avg, 5));
	/* Population standard deviation of 1..9: sqrt(60 / 9). */
	CHECK(near(kept[0].sd, sqrt(60.0 / 9.0)));
	CHECK_STR(kept[0].from, "192.0.2.1");
	/* Hop 2: 5 of 9 answered; 192.0.2.8 answered three times, first
	 * seen after 192.0.2.9 (twice): most answers first. */
	CHECK_EQ(kept[1].sent, 9);
	CHECK_EQ(kept[1].received, 5);
	CHECK_EQ(kept[1].lost, 4);
	CHECK(near(kept[1].loss, 400.0 / 9.0));
	CHECK(near(kept[1].last, 50) && near(kept[1].min, 10) &&
	    near(kept[1].max, 50) && near(kept[1].avg, 30));
	CHECK_STR(kept[1].from, "192.0.2.8");
	CHECK_STR(kept[1].addrs, "192.0.2.8 192.0.2.9");
	CHECK_EQ(kept[1].naddrs, 2);
	/* Hop 3: nobody; every RTT absent. */
	CHECK_EQ(kept[2].received, 0);
	CHECK(near(kept[2].loss, 100));
	CHECK_STR(kept[2].from, "null");
	CHECK_EQ(kept[2].naddrs, 0);
	CHECK(isnan(kept[2].last) && isnan(kept[2].min) &&
	    isnan(kept[2].avg) && isnan(kept[2].sd));
	/* Every row says the table's last hop and its widest host. */
	for (i = 0; i < 3; i++) {
		CHECK_EQ(kept[i].hops, 3);
		CHECK_EQ(kept[i].width, (long)strlen("192.0.2.1"));
	}
	hopsum_free(s);
}

/* A probe this host could not send ("local", no RTT) is lost, and its
 * "responder" listed; a table starts at the first TTL fed. */
static void
local(void)
{
	static const char *const f[NQ] = { "local", "local", "192.0.2.1" };
	static const double r[NQ] = { NAN, NAN, 2.5 };
	struct hopsum *s = hopsum_new();

	feed(s, 4, f, r, NULL);
	feed(s, 5, f, r, NULL);
	emit(s);
	CHECK_EQ(nkept, 2);
	CHECK_EQ(kept[0].ttl, 4);
	CHECK_EQ(kept[1].hops, 5);
	CHECK_EQ(kept[0].received, 1);
	CHECK_EQ(kept[0].lost, 2);
	CHECK_STR(kept[0].addrs, "local 192.0.2.1");
	hopsum_free(s);
}

/* --names: each responder's name as its hop record gave it; the widest
 * host is "name (addr)". */
static void
names(void)
{
	static const char *const f[NQ] = { "192.0.2.1", "192.0.2.2",
	    "192.0.2.2" };
	static const char *const nm[NQ] = { "r1.example", NULL, NULL };
	static const double r[NQ] = { 1, 2, 3 };
	struct hopsum *s = hopsum_new();

	feed(s, 1, f, r, nm);
	emit(s);
	CHECK_EQ(nkept, 1);
	CHECK_STR(kept[0].addrs, "192.0.2.2 192.0.2.1");
	CHECK_STR(kept[0].names, "- r1.example");
	CHECK_EQ(kept[0].width, (long)strlen("r1.example (192.0.2.1)"));
	hopsum_free(s);
}

/* More responders than a hop lists (16): all counted, 16 listed. */
static void
many(void)
{
	char a[20][NQ][32];
	const char *f[NQ];
	static const double r[NQ] = { 1, 1, 1 };
	struct hopsum *s = hopsum_new();
	int i, q;

	for (i = 0; i < 20; i++) {
		for (q = 0; q < NQ; q++) {
			snprintf(a[i][q], sizeof(a[i][q]), "198.51.100.%d",
			    i * NQ + q);
			f[q] = a[i][q];
		}
		feed(s, 1, f, r, NULL);
	}
	emit(s);
	CHECK_EQ(kept[0].sent, 60);
	CHECK_EQ(kept[0].received, 60);
	CHECK_EQ(kept[0].naddrs, 16);
	hopsum_free(s);
}

/*
 * Round 1 lost its three probes at the target's hop (3) and found the
 * target a hop further; rounds 2 and 3 found it at 3.  The table ends at
 * 3, as mtr's, with round 1's loss there; a trace whose target never
 * answered keeps every hop it printed.
 */
static void
past(void)
{
	static const char *const rtr[NQ] = { "192.0.2.1", "192.0.2.1",
	    "192.0.2.1" };
	static const char *const dst[NQ] = { "198.51.100.7", "198.51.100.7",
	    "198.51.100.7" };
	static const char *const none[NQ] = { NULL, NULL, NULL };
	static const char *const past4[NQ] = { "198.51.100.7",
	    "198.51.100.200", NULL };
	static const double r[NQ] = { 1, 2, 3 }, nan3[NQ] = { NAN, NAN, NAN };
	struct hopsum *s = hopsum_new();
	int i, round;

	for (round = 0; round < 3; round++) {
		feed_to(s, "198.51.100.7", 1, rtr, r, NULL);
		feed_to(s, "198.51.100.7", 2, rtr, r, NULL);
		feed_to(s, "198.51.100.7", 3, round ? dst : none,
		    round ? r : nan3, NULL);
		if (round == 0)
			feed_to(s, "198.51.100.7", 4, past4, r, NULL);
	}
	emit(s);
	CHECK_EQ(nkept, 3);
	CHECK_EQ(kept[2].ttl, 3);
	CHECK_EQ(kept[2].sent, 9);
	CHECK_EQ(kept[2].received, 6);
	CHECK_STR(kept[2].from, "198.51.100.7");
	for (i = 0; i < nkept; i++)
		CHECK_EQ(kept[i].hops, 3);
	/* The row left out does not widen the table. */
	CHECK_EQ(kept[0].width, (long)strlen("198.51.100.7"));
	hopsum_free(s);
	/* A responder that is not the target, past it: its rows stay. */
	s = hopsum_new();
	feed_to(s, "198.51.100.7", 1, rtr, r, NULL);
	feed_to(s, "198.51.100.7", 2, none, nan3, NULL);
	emit(s);
	CHECK_EQ(nkept, 2);
	CHECK_EQ(kept[0].hops, 2);
	hopsum_free(s);
}

static const struct unit_group groups[] = {
	{ "rounds", rounds }, { "local", local }, { "names", names },
	{ "many", many }, { "past", past },
};

int
main(int argc, char **argv)
{
	return unit_main(argc, argv, groups, sizeof(groups) /
	    sizeof(groups[0]));
}
