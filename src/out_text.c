/* Text for people: one line per event, a summary line per target. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "out.h"

#define SGR_RESET	"\033[0m"

/*
 * A line is built in memory and written with one fwrite: stdio takes a
 * lock on every call, and a sweep writes a line per target.  A line too
 * long for the buffer is written in pieces; a missing string is left out.
 */
struct line {
	FILE	*fp;
	size_t	 n;
	char	 b[512];
};

static void
put(struct line *l, const char *s)
{
	size_t k;

	if (s == NULL)
		return;
	k = strlen(s);
	if (l->n + k > sizeof(l->b)) {
		fwrite(l->b, 1, l->n, l->fp);
		l->n = 0;
		if (k > sizeof(l->b)) {
			fwrite(s, 1, k, l->fp);
			return;
		}
	}
	memcpy(l->b + l->n, s, k);
	l->n += k;
}

/* name, then v in decimal */
static void
put_long(struct line *l, const char *name, long v)
{
	char buf[32];

	put(l, name);
	if (v >= 0)
		put(l, fmt_ulong(buf, sizeof(buf), (unsigned long)v));
	else {
		snprintf(buf, sizeof(buf), "%ld", v);
		put(l, buf);
	}
}

/* d with prec decimals, then after */
static void
put_fixed(struct line *l, double d, int prec, const char *after)
{
	char buf[64];

	put(l, fmt_fixed(buf, sizeof(buf), d, prec));
	put(l, after);
}

/* Green: answered; yellow: answered with a catch; red: not answered. */
static const char *
colour_of(const struct record *r)
{
	switch (r->type) {
	case REC_REPLY:
		return r->dup || r->foreign || r->late ? "\033[33m" :
		    "\033[32m";
	case REC_SUMMARY:
		return r->received == 0 ? "\033[31m" : r->lost > 0 ?
		    "\033[33m" : "\033[32m";
	case REC_HOP:
		return r->lost == r->nprobes ? "\033[33m" : "";
	case REC_TRACE:
		return r->reached ? "\033[32m" : "\033[31m";
	default:
		return "\033[31m";
	}
}

static void
label(struct line *l, const struct record *r)
{
	put(l, r->target);
	if (r->addr && strcmp(r->target, r->addr) != 0) {
		put(l, " (");
		put(l, r->addr);
		put(l, ")");
	}
}

static void
text_reply(struct line *l, const struct record *r)
{
	put_long(l, ": seq=", r->seq);
	put_long(l, " bytes=", r->size);
	if (r->ttl >= 0)
		put_long(l, " ttl=", r->ttl);
	if (!isnan(r->rtt_ms)) {
		put(l, " rtt=");
		put_fixed(l, r->rtt_ms, 3, " ms");
	}
	if (r->dup)
		put(l, " (DUP!)");
	if (r->from && r->addr && strcmp(r->from, r->addr) != 0) {
		put(l, " from ");
		put(l, r->from);
	}
	if (r->foreign)
		put(l, " (not the target, not counted)");
	else if (r->late)
		put(l, " (late, not counted)");
}

static void
text_error(struct line *l, const struct record *r)
{
	put_long(l, ": seq=", r->seq);
	put(l, " ");
	put(l, r->error);
	put(l, " from ");
	put(l, r->from);
	if (r->icmp_type >= 0) {
		put_long(l, " (type ", r->icmp_type);
		put_long(l, ", code ", r->icmp_code);
		put(l, ")");
	} else if (r->reason) {
		put(l, " (");
		put(l, r->reason);
		put(l, ")");
	}
	if (r->mtu >= 0)
		put_long(l, " mtu=", r->mtu);
}

static void
text_summary(struct line *l, const struct record *r)
{
	put_long(l, ": sent=", r->sent);
	put_long(l, " received=", r->received);
	put(l, " loss=");
	put_fixed(l, isnan(r->loss_pct) ? 0.0 : r->loss_pct, 0, "%");
	if (r->received > 0) {
		put(l, " rtt min/avg/max/stddev=");
		put_fixed(l, r->rtt_min, 3, "/");
		put_fixed(l, r->rtt_avg, 3, "/");
		put_fixed(l, r->rtt_max, 3, "/");
		put_fixed(l, r->rtt_stddev, 3, " ms");
	}
	if (r->errors > 0)
		put_long(l, " errors=", r->errors);
	if (r->dups > 0)
		put_long(l, " dups=", r->dups);
	if (r->inflight > 0)
		put_long(l, " inflight=", r->inflight);
	if (r->responders >= 0)
		put_long(l, " responders=", r->responders);
}

static int
text_wants(const struct out *o, enum rec_type t)
{
	const struct conf *c = o->conf;

	switch (t) {
	case REC_REPLY:
	case REC_TIMEOUT:
	case REC_ERROR:
		return !c->quiet && !c->alive && !c->unreach;
	case REC_SUMMARY:
		return !c->alive && !c->unreach;
	case REC_ALIVE:
	case REC_UNREACHABLE:
	case REC_TRACE:
		return 1;
	case REC_HOP:
		return !c->quiet;
	default:
		return 0;	/* start, end, bad-target (on stderr), probe */
	}
}

/*
 * A hop the traceroute way: each responder before the first RTT it
 * answered, "*" for a probe without answer, marks like !H after the RTT.
 */
static void
text_hop(struct line *l, const struct record *r)
{
	char buf[96];
	const char *shown = NULL;
	long q, i;

	snprintf(buf, sizeof(buf), ": %2d ", r->ttl);
	put(l, buf);
	for (q = 0; q < r->nprobes; q++) {
		if (r->froms[q] == NULL) {
			put(l, " *");
			continue;
		}
		if (shown == NULL || strcmp(shown, r->froms[q]) != 0) {
			shown = r->froms[q];
			for (i = 0; r->names && i < r->naddrs; i++)
				if (strcmp(r->addrs[i], shown) == 0 &&
				    r->names[i])
					break;
			put(l, " ");
			if (r->names && i < r->naddrs) {
				put(l, r->names[i]);
				put(l, " (");
				put(l, shown);
				put(l, ")");
			} else
				put(l, shown);
		}
		if (!isnan(r->rtts[q])) {
			put(l, "  ");
			put_fixed(l, r->rtts[q], 3, " ms");
		}
		if (r->marks[q] && *r->marks[q]) {
			put(l, " ");
			put(l, r->marks[q]);
		}
	}
	for (i = 0; i < r->nmpls; i++) {
		snprintf(buf, sizeof(buf), " [MPLS label=%u tc=%u s=%u ttl=%u]",
		    (unsigned)r->mpls[i].label, (unsigned)r->mpls[i].tc,
		    (unsigned)r->mpls[i].s, (unsigned)r->mpls[i].ttl);
		put(l, buf);
	}
}

static void
text_trace(struct line *l, const struct record *r, const struct conf *c)
{
	char buf[96];

	if (r->reached)
		snprintf(buf, sizeof(buf), ": reached in %ld hop%s", r->hops,
		    r->hops == 1 ? "" : "s");
	else if (strcmp(r->stop, "max-timeouts") == 0)
		snprintf(buf, sizeof(buf),
		    ": gave up after %d silent hops (hop %ld)",
		    c->max_timeouts, r->hops);
	else if (strcmp(r->stop, "max-hops") == 0)
		snprintf(buf, sizeof(buf), ": not reached within %ld hops",
		    r->hops);
	else if (strcmp(r->stop, "interrupted") == 0 ||
	    strcmp(r->stop, "deadline") == 0)
		snprintf(buf, sizeof(buf), ": %s at hop %ld", r->stop, r->hops);
	else {
		snprintf(buf, sizeof(buf), ": stopped at hop %ld: ", r->hops);
		put(l, buf);
		put(l, r->stop);
		return;
	}
	put(l, buf);
}

static void
text_emit(struct out *o, const struct record *r)
{
	struct line l;

	if (!text_wants(o, r->type))
		return;
	l.fp = o->fp;
	l.n = 0;
	if (r->type == REC_ALIVE || r->type == REC_UNREACHABLE) {
		put(&l, r->target);
		put(&l, "\n");
		fwrite(l.b, 1, l.n, l.fp);
		return;
	}
	if (o->conf->color)
		put(&l, colour_of(r));
	if (o->conf->timestamp) {
		put(&l, "[");
		put_fixed(&l, r->time, 6, "] ");
	}
	label(&l, r);
	switch (r->type) {
	case REC_REPLY:
		text_reply(&l, r);
		break;
	case REC_TIMEOUT:
		put_long(&l, ": seq=", r->seq);
		put(&l, " timeout");
		break;
	case REC_ERROR:
		text_error(&l, r);
		break;
	case REC_HOP:
		text_hop(&l, r);
		break;
	case REC_TRACE:
		text_trace(&l, r, o->conf);
		break;
	default:
		text_summary(&l, r);
		break;
	}
	if (o->conf->color)
		put(&l, SGR_RESET);
	put(&l, "\n");
	fwrite(l.b, 1, l.n, l.fp);
}

const struct out_ops out_text_ops = { NULL, text_emit, NULL, NULL,
	text_wants };
