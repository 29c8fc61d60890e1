/*
 * fping -J: the lines of fping 5.5's JSON output, field for field and
 * space for space as fping prints them (its output.c and stats.c), numbers
 * in fping's own forms (sprint_tm).  One difference: fping writes a name
 * into its string as it is; here '"', '\' and control characters are
 * escaped, so that every line is valid JSON whatever the name.
 */
#include <math.h>
#include <stdio.h>

#include "out_fping_json.h"

const char *
fping_tm(char *buf, size_t len, double ms)
{
	/* fping keeps nanoseconds in integers: truncate as it does. */
	double t = floor(ms * 1e6) / 1e6;

	if (t < 0.0)
		snprintf(buf, len, "%.2g", t);
	else if (t < 1.0)
		snprintf(buf, len, "%.3f", t);
	else if (t < 10.0)
		snprintf(buf, len, "%.2f", t);
	else if (t < 100.0)
		snprintf(buf, len, "%.1f", t);
	else if (t < 1000000.0)
		snprintf(buf, len, "%.0f", t);
	else
		snprintf(buf, len, "%.3e", t);
	return buf;
}

/* "key": "s", with s escaped. */
static void
str_field(FILE *fp, const char *key, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fprintf(fp, "\"%s\": \"", key);
	for (; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(fp, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(fp, "\\u%04x", *p);
		else
			fputc(*p, fp);
	}
	fputc('"', fp);
}

/* The object's opening, -D's stamp and the host. */
static void
open_obj(FILE *fp, const char *type, const char *stamp, const char *host)
{
	fprintf(fp, "{\"%s\": {", type);
	if (stamp)
		fprintf(fp, "\"timestamp\": \"%s\", ", stamp);
	str_field(fp, "host", host);
}

void
fpj_reply(FILE *fp, const char *stamp, const char *host, long seq, long size,
    double rtt_ms)
{
	char tm[32];

	open_obj(fp, "resp", stamp, host);
	fprintf(fp, ", \"seq\": %ld, \"size\": %ld, \"rtt\": %s}}\n", seq,
	    size, fping_tm(tm, sizeof(tm), rtt_ms));
}

void
fpj_timeout(FILE *fp, const char *stamp, const char *host, long seq)
{
	open_obj(fp, "timeout", stamp, host);
	fprintf(fp, ", \"seq\": %ld}}\n", seq);
}

/* fping writes "intSum"'s time with no space after its comma. */
void
fpj_counts(FILE *fp, long now, const char *host, long sent, long recv,
    const double rtt[3], long outage_ms)
{
	char a[32], b[32], c[32];

	if (now >= 0)
		fprintf(fp, "{\"intSum\": {\"time\": %ld,", now);
	else
		fprintf(fp, "{\"summary\": {");
	str_field(fp, "host", host);
	fprintf(fp, ", \"xmt\": %ld, \"rcv\": %ld, \"loss\": %ld", sent,
	    recv, sent > 0 ? (sent - recv) * 100 / sent : 0);
	if (outage_ms >= 0)
		fprintf(fp, ", \"outage(ms)\": %ld", outage_ms);
	if (recv > 0)
		fprintf(fp, ", \"rttMin\": %s, \"rttAvg\": %s, \"rttMax\": %s",
		    fping_tm(a, sizeof(a), rtt[0]), fping_tm(b, sizeof(b),
		    rtt[1]), fping_tm(c, sizeof(c), rtt[2]));
	fputs("}}\n", fp);
}

void
fpj_values(FILE *fp, const char *host, const float *rtt, long n)
{
	char tm[32];
	long j;

	fputs("{\"vSum\": {", fp);
	str_field(fp, "host", host);
	fputs(", \"values\": [", fp);
	for (j = 0; j < n; j++)
		fprintf(fp, "%s%s", j ? ", " : "", rtt && rtt[j] >= 0 ?
		    fping_tm(tm, sizeof(tm), rtt[j]) : "null");
	fputs("]}}\n", fp);
}

void
fpj_stats(FILE *fp, const struct fp_totals *t, double elapsed)
{
	char a[32], b[32], c[32];

	fprintf(fp, "{\"stats\": {\"targets\": %ld, \"alive\": %ld, "
	    "\"unreachable\": %ld, \"unknownAddresses\": %ld, "
	    "\"timeouts\": %ld, \"icmpEchosSent\": %ld, "
	    "\"icmpEchoRepliesReceived\": %ld, \"otherIcmpReceived\": %ld, ",
	    t->targets, t->alive, t->targets - t->alive, t->unknown,
	    t->timeouts, t->sent, t->received, t->other);
	fprintf(fp, "\"rttMin\": %s, \"rttAvg\": %s, \"rttMax\": %s, "
	    "\"elapsed\": %.3f}}\n",
	    fping_tm(a, sizeof(a), t->nrtt ? t->rtt_min : 0),
	    fping_tm(b, sizeof(b), t->nrtt ? t->rtt_sum / (double)t->nrtt : 0),
	    fping_tm(c, sizeof(c), t->nrtt ? t->rtt_max : 0), elapsed);
}

void
fpj_warning(FILE *fp, const char *host, const char *message)
{
	fputs("{\"warning\": {", fp);
	str_field(fp, "host", host);
	fputs(", ", fp);
	str_field(fp, "message", message);
	fputs("}}\n", fp);
}
