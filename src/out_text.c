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

/* A time in ms as "%.3f", then after. */
static void
ms(FILE *fp, double d, const char *after)
{
	char buf[64];

	fputs(fmt_fixed(buf, sizeof(buf), d, 3), fp);
	fputs(after, fp);
}

static void
text_reply(FILE *fp, const struct record *r)
{
	fprintf(fp, ": seq=%ld bytes=%ld", r->seq, r->size);
	if (r->ttl >= 0)
		fprintf(fp, " ttl=%d", r->ttl);
	if (!isnan(r->rtt_ms)) {
		fputs(" rtt=", fp);
		ms(fp, r->rtt_ms, " ms");
	}
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
	char buf[64];

	fprintf(fp, ": sent=%ld received=%ld loss=%s%%", r->sent,
	    r->received, fmt_fixed(buf, sizeof(buf), isnan(r->loss_pct) ?
	    0.0 : r->loss_pct, 0));
	if (r->received > 0) {
		fputs(" rtt min/avg/max/stddev=", fp);
		ms(fp, r->rtt_min, "/");
		ms(fp, r->rtt_avg, "/");
		ms(fp, r->rtt_max, "/");
		ms(fp, r->rtt_stddev, " ms");
	}
	if (r->errors > 0)
		fprintf(fp, " errors=%ld", r->errors);
	if (r->dups > 0)
		fprintf(fp, " dups=%ld", r->dups);
	if (r->inflight > 0)
		fprintf(fp, " inflight=%ld", r->inflight);
	if (r->responders >= 0)
		fprintf(fp, " responders=%ld", r->responders);
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
		return 1;
	default:
		return 0;	/* start, end, bad-target (on stderr) */
	}
}

static void
text_emit(struct out *o, const struct record *r)
{
	FILE *fp = o->fp;

	if (!text_wants(o, r->type))
		return;
	if (r->type == REC_ALIVE || r->type == REC_UNREACHABLE) {
		fprintf(fp, "%s\n", r->target);
		return;
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
	default:
		text_summary(fp, r);
		break;
	}
	if (o->conf->color)
		fputs(SGR_RESET, fp);
	putc('\n', fp);
}

const struct out_ops out_text_ops = { NULL, text_emit, NULL, text_wants };
