/*
 * Hop summaries: a trace's hops over its rounds, from its hop records.
 * Memory grows with the hops and responders seen (a few per trace), never
 * per probe.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hopsum.h"
#include "report.h"
#include "stats.h"

/* Responders listed per hop; answers from more count in the hop only. */
#define HS_MAX_ADDRS	16

struct hs_addr {
	char	*addr;
	char	*name;		/* --names: its name, or NULL */
	long	 n;		/* its answers */
};

struct hs_hop {
	long		 sent, received;
	double		 last;		/* the latest RTT */
	struct stats	 rtt;
	struct hs_addr	*addr;		/* grown as responders come */
	int		 naddr;
};

struct hopsum {
	struct hs_hop	*hop;		/* [ttl - first] */
	int		 first, n;
	int		 dest;		/* lowest TTL the target answered
					   at, 0: none yet */
};

struct hopsum *
hopsum_new(void)
{
	return calloc(1, sizeof(struct hopsum));
}

void
hopsum_free(struct hopsum *s)
{
	int i, k;

	if (s == NULL)
		return;
	for (i = 0; i < s->n; i++) {
		for (k = 0; k < s->hop[i].naddr; k++) {
			free(s->hop[i].addr[k].addr);
			free(s->hop[i].addr[k].name);
		}
		free(s->hop[i].addr);
	}
	free(s->hop);
	free(s);
}

/* The hop at ttl, the table grown to it; NULL: no memory, or a TTL
 * below the first (hops come in order, from the first). */
static struct hs_hop *
hop_at(struct hopsum *s, int ttl)
{
	struct hs_hop *h;

	if (s->n == 0)
		s->first = ttl;
	if (ttl < s->first)
		return NULL;
	if (ttl - s->first >= s->n) {
		h = realloc(s->hop, (size_t)(ttl - s->first + 1) * sizeof(*h));
		if (h == NULL)
			return NULL;
		memset(h + s->n, 0, (size_t)(ttl - s->first + 1 - s->n) *
		    sizeof(*h));
		s->hop = h;
		s->n = ttl - s->first + 1;
	}
	return &s->hop[ttl - s->first];
}

/* The name the hop record gives addr (--names), or NULL. */
static const char *
name_in(const struct record *r, const char *addr)
{
	long i;

	for (i = 0; r->names && i < r->naddrs; i++)
		if (strcmp(r->addrs[i], addr) == 0)
			return r->names[i];
	return NULL;
}

/* One more answer from addr at hop h. */
static int
count_addr(struct hs_hop *h, const struct record *r, const char *addr)
{
	struct hs_addr *a;
	const char *name;
	int k;

	for (k = 0; k < h->naddr; k++)
		if (strcmp(h->addr[k].addr, addr) == 0) {
			h->addr[k].n++;
			return 0;
		}
	if (h->naddr == HS_MAX_ADDRS)
		return 0;
	/* One more slot per new responder: a few per hop, never per probe. */
	a = realloc(h->addr, (size_t)(h->naddr + 1) * sizeof(*a));
	if (a == NULL)
		return -1;
	h->addr = a;
	a += h->naddr;
	a->name = NULL;
	if ((a->addr = strdup(addr)) == NULL)
		return -1;
	name = name_in(r, addr);
	if (name && (a->name = strdup(name)) == NULL) {
		free(a->addr);
		a->addr = NULL;
		return -1;
	}
	a->n = 1;
	h->naddr++;
	return 0;
}

int
hopsum_add(struct hopsum *s, const struct record *r)
{
	struct hs_hop *h;
	long q;

	if (r->froms == NULL || (h = hop_at(s, r->ttl)) == NULL)
		return -1;
	for (q = 0; q < r->nprobes; q++) {
		h->sent++;
		if (r->froms[q] == NULL)
			continue;
		if (!isnan(r->rtts[q])) {
			h->received++;
			h->last = r->rtts[q];
			stats_add(&h->rtt, r->rtts[q]);
			/* Both are inet_ntop's text of an address (the
			 * target's and the answer's, no scope): one
			 * spelling per address, whatever the user typed
			 * (fe80::1%eth0, 2001:db8:0:0::1: r->target). */
			if (r->addr && strcmp(r->froms[q], r->addr) == 0 &&
			    (s->dest == 0 || r->ttl < s->dest))
				s->dest = r->ttl;
		}
		if (count_addr(h, r, r->froms[q]) == -1)
			return -1;
	}
	return 0;
}

/* The hop's responders, most answers first (the first seen of a tie). */
static int
ranked(const struct hs_hop *h, const struct hs_addr **by)
{
	const struct hs_addr *a;
	int i, k;

	for (i = 0; i < h->naddr; i++) {
		a = &h->addr[i];
		for (k = i; k > 0 && by[k - 1]->n < a->n; k--)
			by[k] = by[k - 1];
		by[k] = a;
	}
	return h->naddr;
}

/* A host as text's table shows it: "name (addr)", or the address. */
static size_t
host_width(const struct hs_addr *a)
{
	return strlen(a->addr) + (a->name ? strlen(a->name) + 3 : 0);
}

/*
 * The table's rows: to the lowest hop where the target answered, as mtr
 * (net_max()) shows them.  A round whose probes at the target's hop were
 * all lost found it a hop further; that hop line was printed as it
 * happened, but the table has no row past the target.
 */
static int
rows(const struct hopsum *s)
{
	if (s->dest >= s->first && s->dest - s->first < s->n)
		return s->dest - s->first + 1;
	return s->n;
}

/* The widest host of the table ("???": 3). */
static long
widest(const struct hopsum *s, int n)
{
	size_t w = 3, x;
	int i, k;

	for (i = 0; i < n; i++)
		for (k = 0; k < s->hop[i].naddr; k++)
			if ((x = host_width(&s->hop[i].addr[k])) > w)
				w = x;
	return (long)w;
}

/* The hop's numbers into r (a copy of the template). */
static void
hop_numbers(const struct hs_hop *h, struct record *r)
{
	r->sent = h->sent;
	r->received = h->received;
	r->lost = h->sent - h->received;
	r->loss_pct = h->sent ? 100.0 * (double)r->lost / (double)h->sent :
	    NAN;
	report_rtts(&h->rtt, r);
	r->jitter = NAN;
	r->rtt_last = h->received ? h->last : NAN;
}

void
hopsum_emit(const struct hopsum *s, struct out *o,
    const struct record *tmpl)
{
	const struct hs_addr *by[HS_MAX_ADDRS];
	const char *addrs[HS_MAX_ADDRS], *names[HS_MAX_ADDRS];
	struct record r;
	int i, k, n, named, last = rows(s);
	long width = widest(s, last);

	for (i = 0; i < last; i++) {
		r = *tmpl;
		r.ttl = s->first + i;
		r.hops = s->first + last - 1;
		r.name_width = width;
		n = ranked(&s->hop[i], by);
		for (k = named = 0; k < n; k++) {
			addrs[k] = by[k]->addr;
			names[k] = by[k]->name;
			named |= names[k] != NULL;
		}
		r.from = n ? addrs[0] : NULL;
		r.addrs = addrs;
		r.naddrs = n;
		r.names = named ? names : NULL;
		hop_numbers(&s->hop[i], &r);
		out_emit(o, &r);
	}
}
