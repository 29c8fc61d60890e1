/*
 * fping's output, byte for byte and stream for stream (fping 5.1's
 * fping.c: its printf and fprintf(stderr) calls), from records: the fping
 * front end's formatter.  Clients parse these lines, so each goes where
 * fping writes it, and stdout is flushed before anything goes to stderr
 * so that the two merged (2>&1) come in fping's order.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "out.h"
#include "out_fping_json.h"

struct fp_view {
	int		 width;		/* fping's max_hostname_len */
	int		 blank_done;	/* the line before the summaries */
	float		**rtts;		/* -C: each target's RTTs, -1: none */
	size_t		 nrtts;
	struct fp_totals tot;
	struct fp_split	*split;		/* -Q, by target index */
	size_t		 nsplit;
	int64_t		 next_report;	/* -Q: monotonic ns, 0: not yet */
	char		 shown[600];	/* -A with -n or -d: "name (addr)" */
	int		 charts_sent;	/* -N: the CHART lines are out */
	int		 quit;		/* SIGQUIT: the splits are due */
};

/* A line for stderr: stdout's lines so far go first. */
static void
to_stderr(struct out *o, const char *s)
{
	fflush(o->fp);
	fputs(s, stderr);
}

static const struct fping_opts *
fo(const struct out *o)
{
	return &o->conf->fping;
}

/*
 * A target as fping shows it: as given, or its address (-A).  fping knows
 * every address before it sends; names resolve while mping runs, so with
 * -A the column widens to each new address as it comes.
 */
static const char *
host(const struct out *o, const struct record *r)
{
	struct fp_view *v = o->view;
	int n;

	const char *s = r->addr;

	if (!fo(o)->addr || r->addr == NULL)
		return r->target;
	if (fo(o)->rdns) {
		snprintf(v->shown, sizeof(v->shown), "%s (%s)", r->target,
		    r->addr);
		s = v->shown;
	}
	if ((n = (int)strlen(s)) > v->width)
		v->width = n;
	return s;
}

/* fping's per-probe counts: probes done (answered or lost), and loss. */
static long
done_of(const struct record *r)
{
	return r->sent - (r->inflight > 0 ? r->inflight : 0);
}

static int
loss_of(const struct record *r)
{
	long done = done_of(r);

	return done > 0 ? (int)((done - r->received) * 100 / done) : 0;
}

static const char *
avg_text(char *buf, size_t len, const struct record *r)
{
	if (r->received > 0)
		return fping_tm(buf, len, r->rtt_avg);
	snprintf(buf, len, "NaN");
	return buf;
}

/*
 * -D's time of a reply or a timeout: Unix seconds (1712345678.12345), or
 * in --timestamp-format's form, local time; NULL without -D.
 */
static const char *
stamp_text(char *buf, size_t len, const struct out *o, const struct record *r)
{
	static const char *const fmt[] = { "%c", "%Y-%m-%dT%T%z",
	    "%Y-%m-%d %H:%M:%S" };
	int f = fo(o)->ts_format;
	time_t t = (time_t)r->time;
	struct tm tm;

	if (!fo(o)->timestamp)
		return NULL;
	if (f < 1 || f > 3 || localtime_r(&t, &tm) == NULL)
		snprintf(buf, len, "%.5f", r->time);
	else if (strftime(buf, len, fmt[f - 1], &tm) == 0)
		buf[0] = '\0';
	return buf;
}

/* -D's "[1712345678.12345] " on the lines of a reply or a timeout. */
static int
stamp(char *buf, size_t len, const struct out *o, const struct record *r)
{
	char t[128];

	return stamp_text(t, sizeof(t), o, r) ? snprintf(buf, len, "[%s] ",
	    t) : 0;
}

/* The per-probe line: "host : [i], ..." on stdout; ext after it. */
static void
probe_line(struct out *o, const struct record *r, const char *what,
    const char *ext)
{
	struct fp_view *v = o->view;
	char line[1024], avg[32];
	int n = stamp(line, sizeof(line), o, r);

	snprintf(line + n, sizeof(line) - n, "%-*s : [%ld], %s (%s avg, "
	    "%d%% loss)%s\n", v->width, host(o, r), r->seq, what,
	    avg_text(avg, sizeof(avg), r), loss_of(r), ext);
	fputs(line, o->fp);
}

/* " (TOS n)", " (TTL n)": what --print-tos, --print-ttl add. */
static int
header_ext(char *buf, size_t len, const char *what, int v)
{
	return v >= 0 ? snprintf(buf, len, " (%s %d)", what, v) :
	    snprintf(buf, len, " (%s unknown)", what);
}

/*
 * What fping adds to a reply's line (its print_recv_ext): the timestamps
 * of --icmp-timestamp (after "," unless -a; Localreceive is ours), then
 * the TOS and the TTL asked for.
 */
static const char *
reply_ext(char *buf, size_t len, const struct out *o, const struct record *r)
{
	const struct fping_opts *f = fo(o);
	int n = 0;

	buf[0] = '\0';
	if (o->conf->icmp_ts && r->ts_orig >= 0)
		n = snprintf(buf, len, "%s timestamps: Originate=%ld "
		    "Receive=%ld Transmit=%ld Localreceive=%ld", f->alive ?
		    "" : ",", r->ts_orig, r->ts_recv, r->ts_xmit,
		    r->ts_local);
	if (f->print_tos && n >= 0 && (size_t)n < len)
		n += header_ext(buf + n, len - n, "TOS", r->tos);
	if (f->print_ttl && n >= 0 && (size_t)n < len)
		header_ext(buf + n, len - n, "TTL", r->ttl);
	return buf;
}

/* A reply from another address than the target's: a foreign one (not
 * credited) or the answer to a broadcast or multicast target. */
static int
from_elsewhere(const struct record *r)
{
	return r->from && r->addr && strcmp(r->from, r->addr) != 0;
}

/* " [<- addr]": fping writes it to stderr, before its line's newline. */
static void
from_other(struct out *o, const struct record *r)
{
	char buf[128];

	snprintf(buf, sizeof(buf), " [<- %s]", r->from);
	to_stderr(o, buf);
}

static void
alive_line(struct out *o, const struct record *r)
{
	const struct fping_opts *f = fo(o);
	char line[1024], tm[32], ext[256];
	int n;

	if (!f->verbose && !f->alive)
		return;
	if (from_elsewhere(r))
		from_other(o, r);
	n = snprintf(line, sizeof(line), "%s%s%s", host(o, r),
	    f->verbose ? " is alive" : "", reply_ext(ext, sizeof(ext), o, r));
	if (f->elapsed && n < (int)sizeof(line))
		snprintf(line + n, sizeof(line) - n, " (%s ms)",
		    fping_tm(tm, sizeof(tm), r->rtt_ms));
	fputs(line, o->fp);
	fputc('\n', o->fp);
}

/* -C: keep each target's RTTs for the line at the end. */
static void
keep_rtt(struct out *o, const struct record *r, double ms)
{
	struct fp_view *v = o->view;
	size_t i = (size_t)r->index, n, k;
	float **p;

	if (!fo(o)->report_all || r->index < 0 || r->seq < 0 ||
	    (uint64_t)r->seq >= o->conf->count)
		return;
	if (i >= v->nrtts) {
		n = v->nrtts ? v->nrtts : 64;
		while (n <= i)
			n *= 2;
		if ((p = realloc(v->rtts, n * sizeof(*p))) == NULL)
			return;
		memset(p + v->nrtts, 0, (n - v->nrtts) * sizeof(*p));
		v->rtts = p, v->nrtts = n;
	}
	if (v->rtts[i] == NULL) {
		if ((v->rtts[i] = malloc(o->conf->count * sizeof(float))) ==
		    NULL)
			return;
		for (k = 0; k < o->conf->count; k++)
			v->rtts[i][k] = -1;
	}
	v->rtts[i][r->seq] = (float)ms;
}

/* -Q: the target's counts since the last report, or NULL. */
static struct fp_split *
split_of(struct out *o, long index)
{
	struct fp_view *v = o->view;
	struct fp_split *p;
	size_t n;

	/* -Q, and SIGQUIT's report in count and loop mode. */
	if (!(fo(o)->report_ns || fo(o)->summaries) || index < 0)
		return NULL;
	if ((size_t)index >= v->nsplit) {
		for (n = v->nsplit ? v->nsplit : 64; n <= (size_t)index; )
			n *= 2;
		if ((p = realloc(v->split, n * sizeof(*p))) == NULL)
			return NULL;
		memset(p + v->nsplit, 0, (n - v->nsplit) * sizeof(*p));
		v->split = p, v->nsplit = n;
	}
	return &v->split[index];
}

/* A probe done: answered after ms, or (ms < 0) lost. */
static void
split_count(struct out *o, const struct record *r, double ms)
{
	struct fp_split *s = split_of(o, r->index);

	if (s == NULL)
		return;
	s->sent++;
	if (ms < 0)
		return;
	if (s->recv == 0 || ms < s->min)
		s->min = ms;
	if (s->recv == 0 || ms > s->max)
		s->max = ms;
	s->sum += ms;
	s->recv++;
}

static void
count_reply(struct fp_totals *t, double ms)
{
	if (t->nrtt == 0 || ms < t->rtt_min)
		t->rtt_min = ms;
	if (t->nrtt == 0 || ms > t->rtt_max)
		t->rtt_max = ms;
	t->rtt_sum += ms;
	t->nrtt++;
}

/* fping discards a duplicate, saying so only when it prints no lines per
 * reply; a reply later than the timeout silently. */
static void
dup_line(struct out *o, const struct record *r)
{
	char line[1024], tm[32];

	if (fo(o)->per_recv || fo(o)->loop)
		return;
	snprintf(line, sizeof(line), "%s : duplicate for [%ld], %ld bytes, "
	    "%s ms", host(o, r), r->seq, r->size, fping_tm(tm, sizeof(tm),
	    r->rtt_ms));
	to_stderr(o, line);
	if (from_elsewhere(r))
		from_other(o, r);
	to_stderr(o, "\n");
}

static void
reply(struct out *o, const struct record *r)
{
	struct fp_view *v = o->view;
	char what[96], tm[128], ext[256];

	v->tot.received++;
	/* --check-source: fping discards it, counted as received (-s). */
	if (r->late || (r->foreign && fo(o)->check_source))
		return;
	if (r->dup) {
		dup_line(o, r);
		return;
	}
	/* Keyed matching: our probe, answered by another host; fping
	 * credits it, mping does not (the counts leave it out). */
	if (!r->foreign) {
		/* fping counts every try: the ones before timed out. */
		v->tot.sent += r->probe > 0 ? r->probe + 1 : 1;
		v->tot.timeouts += r->probe > 0 ? r->probe : 0;
		count_reply(&v->tot, r->rtt_ms);
		keep_rtt(o, r, r->rtt_ms);
		split_count(o, r, r->rtt_ms);
		if (r->received == 1)
			alive_line(o, r);
	}
	if (!fo(o)->per_recv)
		return;
	if (from_elsewhere(r))
		from_other(o, r);
	if (fo(o)->json) {
		fpj_reply(o->fp, stamp_text(tm, sizeof(tm), o, r), host(o, r),
		    r->seq, r->size, r->rtt_ms);
		return;
	}
	snprintf(what, sizeof(what), "%ld bytes, %s ms", r->size,
	    fping_tm(tm, sizeof(tm), r->rtt_ms));
	probe_line(o, r, what, reply_ext(ext, sizeof(ext), o, r));
}

static void
timeout(struct out *o, const struct record *r)
{
	struct fp_view *v = o->view;
	char tm[128];

	/* The last of 1 + -r tries (count and loop modes: 1). */
	v->tot.timeouts += o->conf->retries + 1;
	v->tot.sent += o->conf->retries + 1;
	split_count(o, r, -1);
	if (fo(o)->per_recv && fo(o)->json)
		fpj_timeout(o->fp, stamp_text(tm, sizeof(tm), o, r), host(o, r),
		    r->seq);
	else if (fo(o)->per_recv)
		probe_line(o, r, "timed out", "");
}

/* fping's names of ICMP errors (its icmp_type_str, icmp_unreach_str). */
static const char *const unreach_str[16] = {
	"ICMP Network Unreachable", "ICMP Host Unreachable",
	"ICMP Protocol Unreachable", "ICMP Port Unreachable",
	"ICMP Unreachable (Fragmentation Needed)",
	"ICMP Unreachable (Source Route Failed)",
	"ICMP Unreachable (Destination Network Unknown)",
	"ICMP Unreachable (Destination Host Unknown)",
	"ICMP Unreachable (Source Host Isolated)",
	"ICMP Unreachable (Communication with Network Prohibited)",
	"ICMP Unreachable (Communication with Host Prohibited)",
	"ICMP Unreachable (Network Unreachable For Type Of Service)",
	"ICMP Unreachable (Host Unreachable For Type Of Service)",
	"ICMP Unreachable (Communication Administratively Prohibited)",
	"ICMP Unreachable (Host Precedence Violation)",
	"ICMP Unreachable (Precedence cutoff in effect)"
};

static const char *
icmp4_name(int type, int code, char *buf, size_t len)
{
	switch (type) {
	case 3:
		return code >= 0 && code < 16 ? unreach_str[code] :
		    "ICMP Unreachable (Invalid Code)";
	case 4: return "ICMP Source Quench";
	case 5: return "ICMP Redirect";
	case 11: return "ICMP Time Exceeded";
	case 12: return "ICMP Parameter Problem";
	}
	snprintf(buf, len, "ICMP %d", type);
	return buf;
}

/* ICMPv6 in the same words (fping 5.1 reads ICMPv6 types as ICMPv4's:
 * mping names them for what they are). */
static const char *
icmp6_name(int type, int code, char *buf, size_t len)
{
	static const int v4code[] = { 0, 13, 1, 1, 3, 13, 13, 1 };

	switch (type) {
	case 1:
		return unreach_str[code >= 0 && code < 8 ? v4code[code] : 1];
	case 2: return unreach_str[4];
	case 3: return "ICMP Time Exceeded";
	case 4: return "ICMP Parameter Problem";
	case 137: return "ICMP Redirect";
	}
	snprintf(buf, len, "ICMP %d", type);
	return buf;
}

/* An ICMP error for our probe (stderr, not with -q), or a probe that
 * could not leave (fping says so only in its default mode). */
static void
error(struct out *o, const struct record *r)
{
	struct fp_view *v = o->view;
	char line[1024], buf[32];
	int v6 = r->addr && strchr(r->addr, ':') != NULL;

	if (r->from && strcmp(r->from, "local") == 0) {
		snprintf(line, sizeof(line), "%s: error while sending ping: "
		    "%s\n", host(o, r), r->reason ? r->reason : r->error);
		if (fo(o)->verbose)
			to_stderr(o, line);
		v->tot.sent++;
		split_count(o, r, -1);	/* fping counts it sent (-Q) */
		return;
	}
	v->tot.other++;
	snprintf(line, sizeof(line), "%s from %s for ICMP Echo sent to %s\n",
	    v6 ? icmp6_name(r->icmp_type, r->icmp_code, buf, sizeof(buf)) :
	    icmp4_name(r->icmp_type, r->icmp_code, buf, sizeof(buf)),
	    r->from, host(o, r));
	if (!fo(o)->quiet)
		to_stderr(o, line);
}

/* -C: "host : 0.10 0.12 -", every probe done. */
static void
rtt_list(struct out *o, const struct record *r, char *line, size_t len)
{
	struct fp_view *v = o->view;
	size_t n = strlen(line);
	long j, done = done_of(r);
	float *rt = (size_t)r->index < v->nrtts ? v->rtts[r->index] : NULL;
	char tm[32];

	for (j = 0; j < done && n + 16 < len; j++) {
		if (rt && (uint64_t)j < o->conf->count && rt[j] >= 0)
			n += snprintf(line + n, len - n, " %s",
			    fping_tm(tm, sizeof(tm), rt[j]));
		else
			n += snprintf(line + n, len - n, " -");
	}
	snprintf(line + n, len - n, "\n");
}

/* -o: fping's outage, the probes lost times the period, in ms. */
static long
outage_ms(const struct out *o, long lost)
{
	return (long)((double)lost * (double)o->conf->period_ns / 1e6);
}

/* -c, -l: "host : xmt/rcv/%loss = 3/3/0%, min/avg/max = a/b/c". */
static void
counts(const struct out *o, const struct record *r, char *line, size_t len)
{
	size_t n = strlen(line);
	char a[32], b[32], c[32];

	n += snprintf(line + n, len - n, " xmt/rcv/%%loss = %ld/%ld/%d%%",
	    done_of(r), r->received, loss_of(r));
	if (fo(o)->outage && n < len)
		n += snprintf(line + n, len - n, ", outage(ms) = %ld",
		    outage_ms(o, done_of(r) - r->received));
	if (r->received > 0 && n < len)
		n += snprintf(line + n, len - n, ", min/avg/max = %s/%s/%s",
		    fping_tm(a, sizeof(a), r->rtt_min),
		    fping_tm(b, sizeof(b), r->rtt_avg),
		    fping_tm(c, sizeof(c), r->rtt_max));
	if (n < len)
		snprintf(line + n, len - n, "\n");
}

/* -J: the summary, or -C's values, on stdout. */
static void
json_summary(struct out *o, const struct record *r)
{
	struct fp_view *v = o->view;
	double rtt[3] = { r->rtt_min, r->rtt_avg, r->rtt_max };
	long done = done_of(r);

	if (!fo(o)->report_all) {
		fpj_counts(o->fp, -1, host(o, r), done, r->received, rtt,
		    fo(o)->outage ? outage_ms(o, done - r->received) : -1);
		return;
	}
	if ((uint64_t)done > o->conf->count)
		done = (long)o->conf->count;
	fpj_values(o->fp, host(o, r), (size_t)r->index < v->nrtts ?
	    v->rtts[r->index] : NULL, done);
}

static void
summary(struct out *o, const struct record *r)
{
	const struct fping_opts *f = fo(o);
	struct fp_view *v = o->view;
	char line[8192];

	v->tot.targets++;
	v->tot.alive += r->received > 0;
	if (r->received <= 0 && (f->verbose || f->unreach))
		fprintf(o->fp, "%s%s\n", host(o, r), f->verbose ?
		    " is unreachable" : "");
	if (!f->summaries)
		return;
	if (f->json) {
		json_summary(o, r);
		return;
	}
	if (!v->blank_done && (f->verbose || f->per_recv))
		to_stderr(o, "\n");
	v->blank_done = 1;
	snprintf(line, sizeof(line), "%-*s :", v->width, host(o, r));
	if (f->report_all)
		rtt_list(o, r, line, sizeof(line));
	else
		counts(o, r, line, sizeof(line));
	to_stderr(o, line);
}

/* -s: fping's totals on stderr, at the end. */
static void
totals(struct out *o, double end)
{
	const struct fp_totals *t = &((struct fp_view *)o->view)->tot;
	double avg = t->nrtt ? t->rtt_sum / (double)t->nrtt : 0;
	char a[32], b[32], c[32];

	if (fo(o)->json) {
		fpj_stats(o->fp, t, end - t->start);
		return;
	}
	fflush(o->fp);
	fprintf(stderr, "\n %7ld targets\n %7ld alive\n %7ld unreachable\n"
	    " %7ld unknown addresses\n\n", t->targets, t->alive,
	    t->targets - t->alive, t->unknown);
	fprintf(stderr, " %7ld timeouts (waiting for response)\n"
	    " %7ld ICMP Echos sent\n %7ld ICMP Echo Replies received\n"
	    " %7ld other ICMP received\n\n", t->timeouts, t->sent,
	    t->received, t->other);
	fprintf(stderr, " %s ms (min round trip time)\n"
	    " %s ms (avg round trip time)\n %s ms (max round trip time)\n"
	    " %12.3f sec (elapsed real time)\n\n",
	    fping_tm(a, sizeof(a), t->nrtt ? t->rtt_min : 0),
	    fping_tm(b, sizeof(b), avg), fping_tm(c, sizeof(c),
	    t->nrtt ? t->rtt_max : 0), end - t->start);
}

/* A name with no address: "name: reason" on stderr, not with -q. */
static void
bad_target(struct out *o, const struct record *r)
{
	struct fp_view *v = o->view;
	char line[1024];

	v->tot.unknown++;
	snprintf(line, sizeof(line), "%s: %s\n", r->target, r->reason);
	if (!fo(o)->quiet)
		to_stderr(o, line);
	if (fo(o)->json)
		fpj_warning(o->fp, r->target, r->reason);
}

static void
fping_emit(struct out *o, const struct record *r)
{
	struct fp_view *v = o->view;

	if (v == NULL)
		return;		/* no memory for the view: nothing to say */
	switch (r->type) {
	case REC_START:
		v->width = r->name_width > 0 ? (int)r->name_width : 0;
		v->tot.start = r->time;
		break;
	case REC_REPLY: reply(o, r); break;
	case REC_TIMEOUT: timeout(o, r); break;
	case REC_ERROR: error(o, r); break;
	case REC_SUMMARY: summary(o, r); break;
	case REC_BAD_TARGET: bad_target(o, r); break;
	case REC_INTERIM: v->quit = 1; break;	/* one per target */
	case REC_END:
		if (fo(o)->stats)
			totals(o, r->time);
		if (fo(o)->min_reachable)
			fprintf(o->fp, "%s hosts reachable (required: %u, "
			    "reachable: %ld)\n", r->answered >=
			    (long)fo(o)->min_reachable ? "Enough" : "Not enough",
			    fo(o)->min_reachable, r->answered);
		break;
	default:
		break;
	}
}

static void
fping_begin(struct out *o)
{
	o->view = calloc(1, sizeof(struct fp_view));
}

static void
fping_finish(struct out *o)
{
	struct fp_view *v = o->view;
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < v->nrtts; i++)
		free(v->rtts[i]);
	free(v->rtts);
	free(v->split);
	free(v);
	o->view = NULL;
}

/* -Q: "host : xmt/rcv/%loss = ..." since the last report; reset. */
static void
split_line(struct out *o, const struct record *r, struct fp_split *s)
{
	struct fp_view *v = o->view;
	char line[1024], a[32], b[32], c[32];
	double rtt[3] = { s->min, s->recv ? s->sum / (double)s->recv : 0,
	    s->max };
	int n;

	if (fo(o)->json) {
		fpj_counts(o->fp, (long)time(NULL), host(o, r), s->sent,
		    s->recv, rtt, fo(o)->outage ? outage_ms(o, s->sent -
		    s->recv) : -1);
		memset(s, 0, sizeof(*s));
		return;
	}
	n = snprintf(line, sizeof(line), "%-*s : xmt/rcv/%%loss = %ld/%ld/"
	    "%ld%%", v->width, host(o, r), s->sent, s->recv, s->sent > 0 ?
	    (s->sent - s->recv) * 100 / s->sent : 0);
	if (fo(o)->outage && n < (int)sizeof(line))
		n += snprintf(line + n, sizeof(line) - n, ", outage(ms) = %ld",
		    outage_ms(o, s->sent - s->recv));
	if (s->recv > 0 && n < (int)sizeof(line))
		snprintf(line + n, sizeof(line) - n, ", min/avg/max = %s/%s/%s",
		    fping_tm(a, sizeof(a), rtt[0]), fping_tm(b, sizeof(b),
		    rtt[1]), fping_tm(c, sizeof(c), rtt[2]));
	fprintf(stderr, "%s\n", line);
	memset(s, 0, sizeof(*s));
}

static long long
ms_to_ns(double ms)
{
	return (long long)(ms * 1e6 + 0.5);
}

/* -N: the latency chart; its values only when some reply came. */
static void
netdata_latency(struct out *o, const char *id, const char *h,
    const struct fp_split *s)
{
	if (!((struct fp_view *)o->view)->charts_sent)
		fprintf(o->fp, "CHART fping.%s_latency '' 'FPing Latency' ms "
		    "'%s' fping.latency area 110000 %.0f\n"
		    "DIMENSION min minimum absolute 1 1000000\n"
		    "DIMENSION max maximum absolute 1 1000000\n"
		    "DIMENSION avg average absolute 1 1000000\n", id, h,
		    (double)fo(o)->report_ns / 1e9);
	fprintf(o->fp, "BEGIN fping.%s_latency\n", id);
	if (s->recv > 0)
		fprintf(o->fp, "SET min = %lld\nSET avg = %lld\n"
		    "SET max = %lld\n", ms_to_ns(s->min),
		    ms_to_ns(s->sum / (double)s->recv), ms_to_ns(s->max));
	fputs("END\n", o->fp);
}

/* fping -N: netdata's chart id of a target, the name as given with every
 * character that is not a letter or digit as '_'. */
static const char *
chart_id(const char *name, char *buf, size_t len)
{
	size_t i;

	for (i = 0; name[i] && i + 1 < len; i++)
		buf[i] = isalnum((unsigned char)name[i]) ? name[i] : '_';
	buf[i] = '\0';
	return buf;
}

/*
 * -N: a target's split as netdata's external plugin protocol (CHART and
 * DIMENSION lines the first time, then BEGIN, SET, END), on stdout; RTTs
 * in integer ns, as fping keeps them.
 */
static void
netdata(struct out *o, const struct record *r, struct fp_split *s)
{
	struct fp_view *v = o->view;
	double secs = (double)fo(o)->report_ns / 1e9;
	char id[600];
	const char *h = host(o, r);

	chart_id(r->target, id, sizeof(id));
	if (!v->charts_sent)
		fprintf(o->fp, "CHART fping.%s_packets '' 'FPing Packets' "
		    "packets '%s' fping.packets line 110020 %.0f\n"
		    "DIMENSION xmt sent absolute 1 1\n"
		    "DIMENSION rcv received absolute 1 1\n", id, h, secs);
	fprintf(o->fp, "BEGIN fping.%s_packets\nSET xmt = %ld\n"
	    "SET rcv = %ld\nEND\n", id, s->sent, s->recv);
	if (!v->charts_sent)
		fprintf(o->fp, "CHART fping.%s_quality '' 'FPing Quality' "
		    "percentage '%s' fping.quality area 110010 %.0f\n"
		    "DIMENSION returned '' absolute 1 1\n", id, h, secs);
	fprintf(o->fp, "BEGIN fping.%s_quality\nSET returned = %ld\nEND\n",
	    id, s->sent > 0 ? s->recv * 100 / s->sent : 0);
	netdata_latency(o, id, h, s);
	memset(s, 0, sizeof(*s));
}

/* -Q: every target's split, under the local time, on stderr. */
static void
splits(struct out *o, const struct run_counts *rc)
{
	struct fp_split *s, zero;
	struct record r;
	char nbuf[64], abuf[64];
	time_t now = time(NULL);
	struct tm tm;
	long i;

	fflush(o->fp);
	localtime_r(&now, &tm);
	if (!fo(o)->json && !fo(o)->netdata && (fo(o)->verbose ||
	    fo(o)->per_recv))
		fputc('\n', stderr);
	if (!fo(o)->json && !fo(o)->netdata)
		fprintf(stderr, "[%2.2d:%2.2d:%2.2d]\n", tm.tm_hour,
		    tm.tm_min, tm.tm_sec);
	for (i = 0; rc->target_now(rc->engine, i, &r, nbuf, abuf) == 0; i++) {
		memset(&zero, 0, sizeof(zero));
		s = split_of(o, i);
		if (fo(o)->netdata)
			netdata(o, &r, s ? s : &zero);
		else
			split_line(o, &r, s ? s : &zero);
	}
	((struct fp_view *)o->view)->charts_sent = 1;
	fflush(o->fp);
}

static int64_t
fping_tick(struct out *o, const struct run_counts *rc, int64_t now)
{
	struct fp_view *v = o->view;
	int64_t q = fo(o)->report_ns;

	if (v == NULL || rc->target_now == NULL)
		return -1;
	/* SIGQUIT: fping's report, now (with -N too, as fping). */
	if (v->quit) {
		v->quit = 0;
		splits(o, rc);
	}
	if (q <= 0)
		return -1;
	if (v->next_report == 0)
		v->next_report = now + q;
	if (now >= v->next_report) {
		splits(o, rc);
		while (now >= v->next_report)
			v->next_report += q;
	}
	return v->next_report - now;
}

static int
fping_wants(const struct out *o, enum rec_type t)
{
	(void)o;
	return t != REC_ALIVE && t != REC_UNREACHABLE && t != REC_PROBE &&
	    t != REC_HOP && t != REC_TRACE;
}

const struct out_ops out_fping_ops = { fping_begin, fping_emit,
	fping_finish, fping_tick, fping_wants, NULL };
