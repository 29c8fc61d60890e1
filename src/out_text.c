/* Text for people: one line per event, a summary line per target. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "out.h"

#define SGR_RESET	"\033[0m"

/* name, then v in decimal (inline: a literal name's length is known) */
static inline void
put_long(struct obuf *l, const char *name, long v)
{
	char buf[32];

	obuf_put(l, name);
	if (v >= 0)
		obuf_ulong(l, (unsigned long)v);
	else {
		snprintf(buf, sizeof(buf), "%ld", v);
		obuf_put(l, buf);
	}
}

/* d with prec decimals, then after (inline, as put_long) */
static inline void
put_fixed(struct obuf *l, double d, int prec, const char *after)
{
	obuf_fixed(l, d, prec);
	obuf_put(l, after);
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
	case REC_INTERIM:
	case REC_INTERVAL:
		return r->received == 0 ? "\033[31m" : r->lost > 0 ?
		    "\033[33m" : "\033[32m";
	case REC_UP:
		return "\033[32m";
	case REC_HOP:
		return r->lost == r->nprobes ? "\033[33m" : "";
	case REC_TRACE:
		return r->reached ? "\033[32m" : "\033[31m";
	case REC_LINK:
		return "";
	case REC_PATH:
		return r->lost > 0 ? "\033[33m" : "\033[32m";
	default:
		return "\033[31m";
	}
}

/* Names come from files, arguments and PTR records: see obuf_put_shown. */
static void
label(struct obuf *l, const struct record *r)
{
	/* An address target's name is its address, our own inet_ntop text
	 * (report.c): nothing to show safe, nothing to compare. */
	if (r->target == r->addr) {
		obuf_put(l, r->addr);
		return;
	}
	obuf_put_shown(l, r->target);
	if (r->addr && strcmp(r->target, r->addr) != 0) {
		obuf_put(l, " (");
		obuf_put(l, r->addr);
		obuf_put(l, ")");
	}
}

/* UDP, TCP: " port=443 open" (the state only if an answer gave one). */
static void
text_port(struct obuf *l, const struct record *r)
{
	if (r->port < 0)
		return;
	put_long(l, " port=", r->port);
	if (r->state) {
		obuf_put(l, " ");
		obuf_put(l, r->state);
	}
}

static void
text_reply(struct obuf *l, const struct record *r)
{
	put_long(l, ": seq=", r->seq);
	put_long(l, " bytes=", r->size);
	if (r->ttl >= 0)
		put_long(l, " ttl=", r->ttl);
	if (!isnan(r->rtt_ms)) {
		obuf_put(l, " rtt=");
		put_fixed(l, r->rtt_ms, 3, " ms");
	}
	if (r->state)
		text_port(l, r);
	if (r->dup)
		obuf_put(l, " (DUP!)");
	if (r->from && r->addr && strcmp(r->from, r->addr) != 0) {
		obuf_put(l, " from ");
		obuf_put(l, r->from);
	}
	if (r->foreign)
		obuf_put(l, " (not the target, not counted)");
	else if (r->late)
		obuf_put(l, " (late, not counted)");
}

static void
text_error(struct obuf *l, const struct record *r)
{
	put_long(l, ": seq=", r->seq);
	obuf_put(l, " ");
	obuf_put(l, r->error);
	obuf_put(l, " from ");
	obuf_put(l, r->from);
	if (r->icmp_type >= 0) {
		put_long(l, " (type ", r->icmp_type);
		put_long(l, ", code ", r->icmp_code);
		obuf_put(l, ")");
	} else if (r->reason) {
		obuf_put(l, " (");
		obuf_put(l, r->reason);
		obuf_put(l, ")");
	}
	if (r->mtu >= 0)
		put_long(l, " mtu=", r->mtu);
}

/*
 * min/avg/max/stddev.  Equal numbers are the same text: one reply (-c 1,
 * every summary of a sweep) has them all alike and no deviation, so its
 * number is written once and copied.
 */
static void
put_summary_rtts(struct obuf *l, const struct record *r)
{
	char buf[64];
	size_t n;

	if (r->rtt_avg != r->rtt_min || r->rtt_max != r->rtt_min) {
		put_fixed(l, r->rtt_min, 3, "/");
		put_fixed(l, r->rtt_avg, 3, "/");
		put_fixed(l, r->rtt_max, 3, "/");
		put_fixed(l, r->rtt_stddev, 3, " ms");
		return;
	}
	n = strlen(fmt_fixed(buf, sizeof(buf) - 1, r->rtt_min, 3));
	buf[n++] = '/';
	obuf_putn(l, buf, n);
	obuf_putn(l, buf, n);
	obuf_putn(l, buf, n);
	if (r->rtt_stddev == 0)
		obuf_put(l, "0.000 ms");
	else
		put_fixed(l, r->rtt_stddev, 3, " ms");
}

static void
text_summary(struct obuf *l, const struct record *r)
{
	put_long(l, ": sent=", r->sent);
	put_long(l, " received=", r->received);
	obuf_put(l, " loss=");
	if (isnan(r->loss_pct))
		obuf_put(l, "-");	/* an interval where nothing ended */
	else
		put_fixed(l, r->loss_pct, 0, "%");
	if (r->received > 0) {
		obuf_put(l, " rtt min/avg/max/stddev=");
		put_summary_rtts(l, r);
	}
	if (r->errors > 0)
		put_long(l, " errors=", r->errors);
	if (r->dups > 0)
		put_long(l, " dups=", r->dups);
	if (r->inflight > 0)
		put_long(l, " inflight=", r->inflight);
	if (r->responders >= 0)
		put_long(l, " responders=", r->responders);
	text_port(l, r);
	if (r->reason) {
		obuf_put(l, " (");
		obuf_put(l, r->reason);
		obuf_put(l, ")");
	}
}

/* A name's new address, or why it kept the one it had. */
static void
text_resolved(struct obuf *l, const struct record *r)
{
	if (r->reason) {
		obuf_put(l, ": does not resolve any more: ");
		obuf_put(l, r->reason);
		if (r->addr)
			obuf_put(l, " (probed at the address it had)");
		return;
	}
	obuf_put(l, ": resolved again, was ");
	obuf_put(l, r->from ? r->from : "no address");
}

/* SIGHUP: "reload: 2 joined, 1 left, 5 targets" */
static void
text_reload(struct obuf *l, const struct record *r)
{
	put_long(l, "reload: ", r->joined);
	put_long(l, " joined, ", r->left);
	put_long(l, " left, ", r->targets);
	obuf_put(l, " targets");
}

/* A Unix time as the local HH:MM:SS. */
static void
put_clock(struct obuf *l, double t)
{
	time_t s = (time_t)t;
	struct tm tm;
	char buf[16];

	if (localtime_r(&s, &tm) == NULL ||
	    strftime(buf, sizeof(buf), "%H:%M:%S", &tm) == 0)
		snprintf(buf, sizeof(buf), "?");
	obuf_put(l, buf);
}

/* -Q: "interval HH:MM:SS-HH:MM:SS", then the counts and the jitter. */
static void
text_interval(struct obuf *l, const struct record *r)
{
	obuf_put(l, ": interval ");
	put_clock(l, r->t_start);
	obuf_put(l, "-");
	put_clock(l, r->t_end);
	text_summary(l, r);
	if (!isnan(r->jitter)) {
		obuf_put(l, " jitter=");
		put_fixed(l, r->jitter, 3, " ms");
	}
}

/* "down since HH:MM:SS, N lost"; "up after S s down (from - to), N lost" */
static void
text_change(struct obuf *l, const struct record *r)
{
	if (r->type == REC_DOWN) {
		obuf_put(l, ": down since ");
		put_clock(l, r->t_start);
	} else {
		obuf_put(l, ": up after ");
		put_fixed(l, r->duration, 3, " s down (");
		put_clock(l, r->t_start);
		obuf_put(l, " to ");
		put_clock(l, r->t_end);
		obuf_put(l, ")");
	}
	put_long(l, ", lost=", r->lost);
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
	case REC_INTERIM:
	case REC_INTERVAL:
		return !c->alive && !c->unreach;
	case REC_DOWN:
	case REC_UP:
	case REC_ALIVE:
	case REC_UNREACHABLE:
	case REC_HOP_SUMMARY:
		return 1;
	case REC_TRACE:
		return !c->report;	/* tables only, as mtr -r */
	case REC_RESOLVED:
	case REC_RELOAD:
		return !c->alive && !c->unreach;
	case REC_HOP:
	case REC_LINK:
	case REC_PATH:
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
text_hop(struct obuf *l, const struct record *r)
{
	char buf[96];
	const char *shown = NULL;
	long q, i;

	snprintf(buf, sizeof(buf), ": %2d ", r->ttl);
	obuf_put(l, buf);
	for (q = 0; q < r->nprobes; q++) {
		if (r->froms[q] == NULL) {
			obuf_put(l, " *");
			continue;
		}
		if (shown == NULL || strcmp(shown, r->froms[q]) != 0) {
			shown = r->froms[q];
			for (i = 0; r->names && i < r->naddrs; i++)
				if (strcmp(r->addrs[i], shown) == 0 &&
				    r->names[i])
					break;
			obuf_put(l, " ");
			if (r->names && i < r->naddrs) {
				obuf_put_shown(l, r->names[i]);
				obuf_put(l, " (");
				obuf_put(l, shown);
				obuf_put(l, ")");
			} else
				obuf_put(l, shown);
		}
		if (!isnan(r->rtts[q])) {
			obuf_put(l, "  ");
			put_fixed(l, r->rtts[q], 3, " ms");
		}
		if (r->marks[q] && *r->marks[q]) {
			obuf_put(l, " ");
			obuf_put(l, r->marks[q]);
		}
	}
	for (i = 0; i < r->nmpls; i++) {
		snprintf(buf, sizeof(buf), " [MPLS label=%u tc=%u s=%u ttl=%u]",
		    (unsigned)r->mpls[i].label, (unsigned)r->mpls[i].tc,
		    (unsigned)r->mpls[i].s, (unsigned)r->mpls[i].ttl);
		obuf_put(l, buf);
	}
}

/* --stop-set: a hop another target's trace named, never probed by this
 * one: its responder (or "*"), and which trace. */
static void
text_shared(struct obuf *l, const struct record *r)
{
	char buf[16];

	snprintf(buf, sizeof(buf), ": %2d  ", r->ttl);
	obuf_put(l, buf);
	if (r->naddrs < 1) {
		obuf_put(l, "*");
	} else if (r->names && r->names[0]) {
		obuf_put_shown(l, r->names[0]);
		obuf_put(l, " (");
		obuf_put(l, r->addrs[0]);
		obuf_put(l, ")");
	} else {
		obuf_put(l, r->addrs[0]);
	}
	if (r->named_by) {
		obuf_put(l, "  shared with ");
		obuf_put_shown(l, r->named_by);
	}
}

/* --all-paths: "  rtt=min/avg/max ms", if any. */
static void
put_rtts(struct obuf *l, const struct record *r)
{
	if (isnan(r->rtt_min))
		return;
	obuf_put(l, "  rtt=");
	put_fixed(l, r->rtt_min, 3, "/");
	put_fixed(l, r->rtt_avg, 3, "/");
	put_fixed(l, r->rtt_max, 3, " ms");
}

/* --all-paths -c: "  loss=P% (lost/sent)". */
static void
put_loss(struct obuf *l, const struct record *r)
{
	obuf_put(l, "  loss=");
	put_fixed(l, r->loss_pct, 1, "%");
	put_long(l, " (", r->lost);
	put_long(l, "/", r->sent);
	obuf_put(l, ")");
}

/*
 * --all-paths: an interface of a hop on a line of its own, the hop's
 * number on its first only, so that a diamond's interfaces stand one
 * under the other; flows that reached it, RTTs, and with -c the loss on
 * the paths through it.
 */
static void
text_iface(struct obuf *l, const struct record *r, const struct conf *c)
{
	char buf[96];

	if (r->probe > 0)
		snprintf(buf, sizeof(buf), ":     ");
	else
		snprintf(buf, sizeof(buf), ": %2d  ", r->ttl);
	obuf_put(l, buf);
	if (r->from == NULL) {
		obuf_put(l, "*");
		return;
	}
	obuf_put(l, r->from);
	put_long(l, "  flows=", r->flows);
	put_rtts(l, r);
	if (c->count != 1 && r->sent > 0)
		put_loss(l, r);
	if (r->error) {
		obuf_put(l, "  ");
		obuf_put(l, r->error);
	}
}

/* A link between hops, under the first hop's interfaces. */
static void
text_link(struct obuf *l, const struct record *r)
{
	obuf_put(l, ":       ");
	obuf_put(l, r->from);
	obuf_put(l, " -> ");
	obuf_put(l, r->to);
	put_long(l, "  (flows=", r->flows);
	obuf_put(l, ")");
}

/* -c: a path, its interfaces hop by hop, its loss and RTT to the end. */
static void
text_path(struct obuf *l, const struct record *r)
{
	long i;

	obuf_put(l, ": path");
	for (i = 0; i < r->naddrs; i++) {
		obuf_put(l, i ? " > " : " ");
		obuf_put(l, r->addrs[i] ? r->addrs[i] : "*");
	}
	put_long(l, "  flows=", r->flows);
	put_loss(l, r);
	put_rtts(l, r);
}

static void
text_trace(struct obuf *l, const struct record *r, const struct conf *c)
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
	else if (strcmp(r->stop, "lost") == 0)
		snprintf(buf, sizeof(buf), ": no answer this round from hop "
		    "%ld, the destination's", r->hops);
	else if (strcmp(r->stop, "interrupted") == 0 ||
	    strcmp(r->stop, "deadline") == 0)
		snprintf(buf, sizeof(buf), ": %s at hop %ld", r->stop, r->hops);
	else {
		snprintf(buf, sizeof(buf), ": stopped at hop %ld: ", r->hops);
		obuf_put(l, buf);
		obuf_put(l, r->stop);
		buf[0] = '\0';
	}
	obuf_put(l, buf);
	if (r->reached)
		text_port(l, r);
	if (r->sent >= 0)
		put_long(l, ", all paths: probes=", r->sent);
	/* Not reached: the last hop that answered, when it is not the
	 * one named. */
	if (!r->reached && r->last_addr && r->last_hop != r->hops) {
		snprintf(buf, sizeof(buf), "; last answer: hop %ld, ",
		    r->last_hop);
		obuf_put(l, buf);
		obuf_put(l, r->last_addr);
	}
	if (r->cause) {
		obuf_put(l, " (traced: ");
		obuf_put(l, r->cause);
		obuf_put(l, ")");
	} else if (c->count != 1 && r->round >= 0) {
		/* -c: which round this was (from 1). */
		snprintf(buf, sizeof(buf), " (round %ld)", r->round + 1);
		obuf_put(l, buf);
	}
}

/*
 * The report table of -c N traces and --report, one per target, from its
 * hop-summary records:
 *
 *	TARGET: 198.19.0.9            Loss%   Snt     Last      Avg  ...
 *	  1.|-- 192.0.2.1              0.0%    30    0.061    0.057  ...
 *	  2.|-- 192.0.2.18            10.0%    30    ...
 *	    |  `|-- 192.0.2.22
 *	  3.|-- ???                  100.0%    30        -        -  ...
 *
 * mtr -r's shape (its hop prefix, its other responders' lines), the host
 * column as wide as the widest host (mtr -w), RTTs in ms with the three
 * decimals of mping's other output and of the JSON records.
 */
#define HOP_PREFIX	8	/* "  1.|-- " */
#define HOST_MIN	15	/* "255.255.255.255" */

static void
pad(struct obuf *l, size_t n)
{
	while (n-- > 0)
		obuf_putc(l, ' ');
}

static void
numbers(struct obuf *l, const struct record *r)
{
	const double rtt[5] = { r->rtt_last, r->rtt_avg, r->rtt_min,
	    r->rtt_max, r->rtt_stddev };
	char buf[64];
	int i;

	if (isnan(r->loss_pct))
		snprintf(buf, sizeof(buf), " %6s", "-");
	else
		snprintf(buf, sizeof(buf), " %5.1f%%", r->loss_pct);
	obuf_put(l, buf);
	snprintf(buf, sizeof(buf), " %5ld", r->sent);
	obuf_put(l, buf);
	for (i = 0; i < 5; i++) {
		if (isnan(rtt[i]))
			snprintf(buf, sizeof(buf), " %8s", "-");
		else
			snprintf(buf, sizeof(buf), " %8s",
			    fmt_fixed(buf + 32, 32, rtt[i], 3));
		obuf_put(l, buf);
	}
}

/* "TARGET: name (addr)" into buf; its length. */
static size_t
head_label(char *buf, size_t len, const struct record *r)
{
	char name[1024];

	shown_text(name, sizeof(name), r->target, 0);
	if (r->addr && strcmp(r->target, r->addr) != 0)
		snprintf(buf, len, "TARGET: %s (%s)", name, r->addr);
	else
		snprintf(buf, len, "TARGET: %s", name);
	return strlen(buf);
}

/* The head's label and the column names over the numbers. */
static void
head(struct obuf *l, const char *label, size_t n, size_t hw)
{
	obuf_put(l, label);
	if (n < HOP_PREFIX + hw)
		pad(l, HOP_PREFIX + hw - n);
	obuf_put(l, "  Loss%   Snt     Last      Avg     Best     Wrst"
	    "    StDev\n");
}

/* Responder i: "name (addr)", or the address; its width. */
static size_t
host(struct obuf *l, const struct record *r, long i)
{
	if (r->names && r->names[i]) {
		obuf_put_shown(l, r->names[i]);
		obuf_put(l, " (");
		obuf_put(l, r->addrs[i]);
		obuf_put(l, ")");
		return strlen(r->names[i]) + strlen(r->addrs[i]) + 3;
	}
	obuf_put(l, r->addrs[i]);
	return strlen(r->addrs[i]);
}

static void
table_hop(struct obuf *l, const struct record *r, const struct conf *c)
{
	size_t hw = r->name_width > HOST_MIN ? (size_t)r->name_width :
	    HOST_MIN, n;
	char buf[1200];
	long i;

	/* The host column under the whole head label, on every row. */
	n = head_label(buf, sizeof(buf), r);
	if (n > HOP_PREFIX + hw)
		hw = n - HOP_PREFIX;
	if (r->ttl == c->first_hop)
		head(l, buf, n, hw);
	snprintf(buf, sizeof(buf), "%3d.|-- ", r->ttl);
	obuf_put(l, buf);
	if (r->naddrs > 0)
		n = host(l, r, 0);
	else {
		obuf_put(l, "???");
		n = 3;
	}
	pad(l, hw > n ? hw - n : 0);
	numbers(l, r);
	for (i = 1; i < r->naddrs; i++) {
		obuf_put(l, "\n    |  `|-- ");
		(void)host(l, r, i);
	}
}

/* A table's row (-c N, --report); a line before a table under its
 * trace's lines. */
static void
text_table(struct obuf *l, const struct record *r, const struct conf *c)
{
	if (r->ttl == c->first_hop && !c->report)
		obuf_put(l, "\n");
	table_hop(l, r, c);
	obuf_put(l, "\n");
}

/* -D */
static void
stamp(struct obuf *l, const struct conf *c, const struct record *r)
{
	if (c->timestamp) {
		obuf_put(l, "[");
		put_fixed(l, r->time, 6, "] ");
	}
}

static void
text_record(struct obuf *l, const struct record *r, const struct conf *c)
{
	/* -a, -u: a bare list of names (-D: each with its time). */
	if (r->type == REC_ALIVE || r->type == REC_UNREACHABLE) {
		stamp(l, c, r);
		obuf_put_shown(l, r->target);
		obuf_put(l, "\n");
		return;
	}
	if (r->type == REC_HOP_SUMMARY) {
		text_table(l, r, c);
		return;
	}
	if (c->color)
		obuf_put(l, colour_of(r));
	stamp(l, c, r);
	/* --trace-down: a trace is indented under its down line. */
	if (r->cause)
		obuf_put(l, "    ");
	if (r->type == REC_RELOAD)
		text_reload(l, r);
	else
		label(l, r);
	switch (r->type) {
	case REC_RELOAD:
		break;
	case REC_RESOLVED:
		text_resolved(l, r);
		break;
	case REC_REPLY:
		text_reply(l, r);
		break;
	case REC_TIMEOUT:
		put_long(l, ": seq=", r->seq);
		obuf_put(l, " timeout");
		break;
	case REC_ERROR:
		text_error(l, r);
		break;
	case REC_HOP:
		if (r->shared)
			text_shared(l, r);
		else if (r->froms == NULL)
			text_iface(l, r, c);
		else
			text_hop(l, r);
		break;
	case REC_LINK:
		text_link(l, r);
		break;
	case REC_PATH:
		text_path(l, r);
		break;
	case REC_TRACE:
		text_trace(l, r, c);
		break;
	case REC_INTERVAL:
		text_interval(l, r);
		break;
	case REC_DOWN:
	case REC_UP:
		text_change(l, r);
		break;
	default:
		text_summary(l, r);
		break;
	}
	if (c->color)
		obuf_put(l, SGR_RESET);
	obuf_put(l, "\n");
}

static void
text_emit(struct out *o, const struct record *r)
{
	struct obuf own, *l;

	if (!text_wants(o, r->type))
		return;
	l = obuf_of(o, &own);
	text_record(l, r, o->conf);
	obuf_done(l, &own);
}

const struct out_ops out_text_ops = { obuf_view_begin, text_emit,
	obuf_view_finish, NULL, text_wants, obuf_view_drain };
