/*
 * --format dot (with --all-paths): the paths found as a Graphviz graph.
 * Every interface is a node named by its address, so the targets whose
 * paths share routers share their nodes; its label carries its RTTs and
 * the loss through it (-c); every link is an edge labelled with the
 * flows that took it.  A strict digraph merges what several targets (or
 * records) say twice, so the formatter keeps no state: it writes each
 * record as it comes, and the graph's end at finish.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "out.h"

static void
dot_begin(struct out *o)
{
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

static void
dot_emit(struct out *o, const struct record *r)
{
	if (r->type == REC_HOP && r->from)
		dot_iface(o, r);
	else if (r->type == REC_LINK)
		fprintf(o->fp, "\t\"%s\" -> \"%s\" [label=\"%ld\"];\n",
		    r->from, r->to, r->flows);
}

static void
dot_finish(struct out *o)
{
	fputs("}\n", o->fp);
}

static int
dot_wants(const struct out *o, enum rec_type t)
{
	(void)o;
	return t == REC_HOP || t == REC_LINK;
}

const struct out_ops out_dot_ops = { dot_begin, dot_emit, dot_finish, NULL,
	dot_wants };
