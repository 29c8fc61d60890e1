/* Text for people: one line per event, a summary line per target. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "out.h"

#define SGR_RESET	"\033[0m"

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
label(FILE *fp, const struct record *r)
{
	if (r->addr && strcmp(r->target, r->addr) != 0)
		fprintf(fp, "%s (%s)", r->target, r->addr);
	else
		fputs(r->target, fp);
}

static void
text_reply(FILE *fp, const struct record *r)
{
	fprintf(fp, ": seq=%ld bytes=%ld", r->seq, r->size);
	if (r->ttl >= 0)
		fprintf(fp, " ttl=%d", r->ttl);
	if (!isnan(r->rtt_ms))
		fprintf(fp, " rtt=%.3f ms", r->rtt_ms);
	if (r->dup)
		fputs(" (DUP!)", fp);
	if (r->from && r->addr && strcmp(r->from, r->addr) != 0)
		fprintf(fp, " from %s", r->from);
	if (r->foreign)
		fputs(" (not the target, not counted)", fp);
	else if (r->late)
		fputs(" (late, not counted)", fp);
}

static void
text_summary(FILE *fp, const struct record *r)
{
	fprintf(fp, ": sent=%ld received=%ld loss=%.0f%%", r->sent,
	    r->received, isnan(r->loss_pct) ? 0.0 : r->loss_pct);
	if (r->received > 0)
		fprintf(fp, " rtt min/avg/max/stddev=%.3f/%.3f/%.3f/%.3f ms",
		    r->rtt_min, r->rtt_avg, r->rtt_max, r->rtt_stddev);
	if (r->errors > 0)
		fprintf(fp, " errors=%ld", r->errors);
	if (r->dups > 0)
		fprintf(fp, " dups=%ld", r->dups);
	if (r->inflight > 0)
		fprintf(fp, " inflight=%ld", r->inflight);
	if (r->responders >= 0)
		fprintf(fp, " responders=%ld", r->responders);
}

/*
 * A hop the traceroute way: each responder before the first RTT it
 * answered, "*" for a probe without answer, marks like !H after the RTT.
 */
static void
text_hop(FILE *fp, const struct record *r)
{
	const char *shown = NULL;
	long q, i;

	fprintf(fp, ": %2d ", r->ttl);
	for (q = 0; q < r->nprobes; q++) {
		if (r->froms[q] == NULL) {
			fputs(" *", fp);
			continue;
		}
		if (shown == NULL || strcmp(shown, r->froms[q]) != 0) {
			shown = r->froms[q];
			for (i = 0; r->names && i < r->naddrs; i++)
				if (strcmp(r->addrs[i], shown) == 0 &&
				    r->names[i])
					break;
			if (r->names && i < r->naddrs)
				fprintf(fp, " %s (%s)", r->names[i], shown);
			else
				fprintf(fp, " %s", shown);
		}
		if (!isnan(r->rtts[q]))
			fprintf(fp, "  %.3f ms", r->rtts[q]);
		if (r->marks[q] && *r->marks[q])
			fprintf(fp, " %s", r->marks[q]);
	}
	for (i = 0; i < r->nmpls; i++)
		fprintf(fp, " [MPLS label=%u tc=%u s=%u ttl=%u]",
		    (unsigned)r->mpls[i].label, (unsigned)r->mpls[i].tc,
		    (unsigned)r->mpls[i].s, (unsigned)r->mpls[i].ttl);
}

static void
text_trace(FILE *fp, const struct record *r, const struct conf *c)
{
	if (r->reached)
		fprintf(fp, ": reached in %ld hop%s", r->hops,
		    r->hops == 1 ? "" : "s");
	else if (strcmp(r->stop, "max-timeouts") == 0)
		fprintf(fp, ": gave up after %d silent hops (hop %ld)",
		    c->max_timeouts, r->hops);
	else if (strcmp(r->stop, "max-hops") == 0)
		fprintf(fp, ": not reached within %ld hops", r->hops);
	else if (strcmp(r->stop, "interrupted") == 0 ||
	    strcmp(r->stop, "deadline") == 0)
		fprintf(fp, ": %s at hop %ld", r->stop, r->hops);
	else
		fprintf(fp, ": stopped at hop %ld: %s", r->hops, r->stop);
}

static void
text_emit(struct out *o, const struct record *r)
{
	FILE *fp = o->fp;

	switch (r->type) {
	case REC_REPLY:
	case REC_TIMEOUT:
	case REC_ERROR:
		if (o->conf->quiet || o->conf->alive || o->conf->unreach)
			return;
		break;
	case REC_SUMMARY:
		if (o->conf->alive || o->conf->unreach)
			return;
		break;
	case REC_ALIVE:
	case REC_UNREACHABLE:
		fprintf(fp, "%s\n", r->target);
		return;
	case REC_HOP:
		if (o->conf->quiet)
			return;
		break;
	case REC_TRACE:
		break;
	default:
		return;		/* start, end, bad-target (on stderr) */
	}
	if (o->conf->color)
		fputs(colour_of(r), fp);
	if (o->conf->timestamp)
		fprintf(fp, "[%.6f] ", r->time);
	label(fp, r);
	switch (r->type) {
	case REC_REPLY:
		text_reply(fp, r);
		break;
	case REC_TIMEOUT:
		fprintf(fp, ": seq=%ld timeout", r->seq);
		break;
	case REC_ERROR:
		fprintf(fp, ": seq=%ld %s from %s", r->seq, r->error,
		    r->from);
		if (r->icmp_type >= 0)
			fprintf(fp, " (type %d, code %d)", r->icmp_type,
			    r->icmp_code);
		else if (r->reason)
			fprintf(fp, " (%s)", r->reason);
		if (r->mtu >= 0)
			fprintf(fp, " mtu=%ld", r->mtu);
		break;
	case REC_HOP:
		text_hop(fp, r);
		break;
	case REC_TRACE:
		text_trace(fp, r, o->conf);
		break;
	default:
		text_summary(fp, r);
		break;
	}
	if (o->conf->color)
		fputs(SGR_RESET, fp);
	putc('\n', fp);
}

const struct out_ops out_text_ops = { NULL, text_emit, NULL, NULL };
