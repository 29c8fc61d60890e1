/*
 * --format dot (with --all-paths): the paths found as a Graphviz graph.
 * Every interface is a node named by its address, so the targets whose
 * paths share routers share their nodes; its label carries its RTTs and
 * the loss through it (-c); every link is an edge labelled with the
 * flows that took it.  A strict digraph merges what several targets (or
 * records) say twice, so the formatter writes each record as it comes,
 * and the graph's end at finish.  A hop where nobody answered is a '*'
 * node of its own (per target and hop: silent routers are not known to
 * be the same), between the hops around it, so that the paths stay
 * connected: the only state kept is the interfaces of the hop before
 * (a target's hop records come in TTL order).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "out.h"

#define DOT_WIDTH	32	/* interfaces of a hop remembered */
#define DOT_ADDRLEN	64

/* The hop records of one TTL of one target. */
struct dot_hop {
	int	 ttl;		/* 0: none yet */
	int	 silent;
	int	 n;
	char	 from[DOT_WIDTH][DOT_ADDRLEN];
};

struct dot {
	char		 target[256];
	struct dot_hop	 prev, cur;
};

static void
dot_begin(struct out *o)
{
	o->view = calloc(1, sizeof(struct dot));
	fputs("strict digraph mping {\n"
	    "\trankdir=LR;\n"
	    "\tnode [shape=box, fontname=\"monospace\", fontsize=10];\n"
	    "\t\"mping\" [shape=oval];\n", o->fp);
}

/* An interface: its node; the first hop's also an edge from us. */
static void
dot_iface(struct out *o, const struct record *r)
{
	char rtt[64] = "", loss[64] = "";

	if (!isnan(r->rtt_avg))
		snprintf(rtt, sizeof(rtt), "\\nrtt %.3f ms", r->rtt_avg);
	if (o->conf->count != 1 && r->sent > 0 && !isnan(r->loss_pct))
		snprintf(loss, sizeof(loss), "\\nloss %.1f%% (%ld/%ld)",
		    r->loss_pct, r->lost, r->sent);
	fprintf(o->fp, "\t\"%s\" [label=\"%s%s%s\"%s];\n", r->from, r->from,
	    rtt, loss, r->from && r->addr && strcmp(r->from, r->addr) == 0 ?
	    ", peripheries=2" : "");
	if (r->ttl == o->conf->first_hop)
		fprintf(o->fp, "\t\"mping\" -> \"%s\";\n", r->from);
}

/* The '*' node of target's silent hop ttl, as a quoted name. */
static void
star(FILE *fp, const char *target, int ttl)
{
	fprintf(fp, "\"* %s %d\"", target, ttl);
}

/* Hop record r's place after the hops before: a new TTL or target
 * moves the window. */
static void
dot_follow(struct dot *d, const struct record *r)
{
	const char *t = r->target ? r->target : "";

	if (strncmp(d->target, t, sizeof(d->target) - 1) != 0) {
		snprintf(d->target, sizeof(d->target), "%s", t);
		d->prev.ttl = d->cur.ttl = 0;
	}
	if (d->cur.ttl != r->ttl) {
		d->prev = d->cur;
		d->cur.ttl = r->ttl;
		d->cur.silent = d->cur.n = 0;
	}
}

/* Edges into hop r from the hop before it when either is silent (the
 * links between interfaces come as records of their own). */
static void
dot_bridge(struct out *o, const struct dot *d, const struct record *r,
    int silent)
{
	const struct dot_hop *p = &d->prev;
	int i;

	if (p->ttl != r->ttl - 1 || (!silent && !p->silent))
		return;
	for (i = 0; i < (p->silent ? 1 : p->n); i++) {
		fputc('\t', o->fp);
		if (p->silent)
			star(o->fp, d->target, p->ttl);
		else
			fprintf(o->fp, "\"%s\"", p->from[i]);
		fputs(" -> ", o->fp);
		if (silent)
			star(o->fp, d->target, r->ttl);
		else
			fprintf(o->fp, "\"%s\"", r->from);
		fputs(";\n", o->fp);
	}
}

/* A hop record: an interface, or the '*' of a silent hop. */
static void
dot_hop(struct out *o, const struct record *r)
{
	struct dot *d = o->view;
	int silent = r->from == NULL;

	if (d == NULL) {
		if (!silent)
			dot_iface(o, r);
		return;
	}
	dot_follow(d, r);
	if (silent) {
		d->cur.silent = 1;
		fputc('\t', o->fp);
		star(o->fp, d->target, r->ttl);
		fputs(" [label=\"*\", shape=circle];\n", o->fp);
		if (r->ttl == o->conf->first_hop) {
			fputs("\t\"mping\" -> ", o->fp);
			star(o->fp, d->target, r->ttl);
			fputs(";\n", o->fp);
		}
	} else {
		dot_iface(o, r);
		if (d->cur.n < DOT_WIDTH)
			snprintf(d->cur.from[d->cur.n++], DOT_ADDRLEN, "%s",
			    r->from);
	}
	dot_bridge(o, d, r, silent);
}

static void
dot_emit(struct out *o, const struct record *r)
{
	if (r->type == REC_HOP)
		dot_hop(o, r);
	else if (r->type == REC_LINK)
		fprintf(o->fp, "\t\"%s\" -> \"%s\" [label=\"%ld\"];\n",
		    r->from, r->to, r->flows);
}

static void
dot_finish(struct out *o)
{
	fputs("}\n", o->fp);
	free(o->view);
	o->view = NULL;
}

static int
dot_wants(const struct out *o, enum rec_type t)
{
	(void)o;
	return t == REC_HOP || t == REC_LINK;
}

const struct out_ops out_dot_ops = { dot_begin, dot_emit, dot_finish, NULL,
	dot_wants, NULL };
