#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "prom.h"

/* One metric family: its lines gather in a scratch file until the end. */
struct family {
	const char	*name, *type, *help;
};

enum { M_UP, M_SENT, M_RECV, M_LOST, M_ERR, M_DUP, M_LOSS, M_MIN, M_AVG,
	M_MAX, M_SDEV, M_JIT, M_N };

static const struct family families[M_N] = {
	{ "mping_up", "gauge", "1 if the target answered in the last "
	    "report's interval (with --down-after: is not down), else 0" },
	{ "mping_sent_total", "counter", "Probes sent (not retries)" },
	{ "mping_received_total", "counter", "Probes answered" },
	{ "mping_lost_total", "counter", "Probes that went unanswered" },
	{ "mping_errors_total", "counter", "ICMP errors received" },
	{ "mping_duplicates_total", "counter", "Duplicate replies" },
	{ "mping_loss_ratio", "gauge", "Share of the probes that ended in "
	    "the last interval without an answer" },
	{ "mping_rtt_min_seconds", "gauge", "Shortest RTT, last interval" },
	{ "mping_rtt_avg_seconds", "gauge", "Mean RTT, last interval" },
	{ "mping_rtt_max_seconds", "gauge", "Longest RTT, last interval" },
	{ "mping_rtt_stddev_seconds", "gauge",
	    "Standard deviation of the RTTs, last interval" },
	{ "mping_jitter_seconds", "gauge", "Mean absolute difference of "
	    "consecutive RTTs, last interval" },
};

struct prom {
	char	*path, *tmp;
	FILE	*f[M_N];
};

struct prom *
prom_open(const char *path, char *err, size_t errlen)
{
	struct prom *p = calloc(1, sizeof(*p));
	size_t n = strlen(path) + 5;

	if (p == NULL || (p->path = strdup(path)) == NULL ||
	    (p->tmp = malloc(n)) == NULL) {
		snprintf(err, errlen, "--prom-file: %s", strerror(ENOMEM));
		prom_free(p);
		return NULL;
	}
	snprintf(p->tmp, n, "%s.tmp", path);
	return p;
}

static void
close_all(struct prom *p)
{
	int i;

	for (i = 0; i < M_N; i++) {
		if (p->f[i])
			fclose(p->f[i]);
		p->f[i] = NULL;
	}
}

void
prom_free(struct prom *p)
{
	if (p == NULL)
		return;
	close_all(p);
	free(p->path);
	free(p->tmp);
	free(p);
}

int
prom_begin(struct prom *p)
{
	int i;

	close_all(p);
	for (i = 0; i < M_N; i++)
		if ((p->f[i] = tmpfile()) == NULL) {
			close_all(p);
			return -1;
		}
	return 0;
}

/* A label value: backslash, double quote and line feed escaped. */
static void
put_label(FILE *f, const char *name, const char *v)
{
	fprintf(f, "%s=\"", name);
	for (; v && *v; v++) {
		if (*v == '\\' || *v == '"')
			fputc('\\', f);
		if (*v == '\n')
			fputs("\\n", f);
		else
			fputc(*v, f);
	}
	fputc('"', f);
}

static void
line(struct prom *p, int m, const struct record *r, double v)
{
	FILE *f = p->f[m];

	fprintf(f, "%s{", families[m].name);
	put_label(f, "target", r->target);
	fputc(',', f);
	put_label(f, "addr", r->addr);
	/* Counts whole; times to the microsecond's 6 digits (stored as
	 * floats, more would be noise). */
	if (isnan(v))
		fputs("} NaN\n", f);
	else if (strcmp(families[m].type, "counter") == 0)
		fprintf(f, "} %.0f\n", v);
	else
		fprintf(f, "} %.6g\n", v);
}

void
prom_add(struct prom *p, const struct record *iv, const struct record *all,
    int up)
{
	if (p->f[0] == NULL)
		return;
	line(p, M_UP, all, up);
	line(p, M_SENT, all, (double)all->sent);
	line(p, M_RECV, all, (double)all->received);
	line(p, M_LOST, all, (double)all->lost);
	line(p, M_ERR, all, (double)all->errors);
	line(p, M_DUP, all, (double)all->dups);
	line(p, M_LOSS, all, iv->loss_pct / 100);
	line(p, M_MIN, all, iv->rtt_min / 1e3);
	line(p, M_AVG, all, iv->rtt_avg / 1e3);
	line(p, M_MAX, all, iv->rtt_max / 1e3);
	line(p, M_SDEV, all, iv->rtt_stddev / 1e3);
	line(p, M_JIT, all, iv->jitter / 1e3);
}

/* Family after family: all lines of a metric together, as the format
 * wants, each after its HELP and TYPE. */
static int
write_out(struct prom *p, FILE *out, double now)
{
	char buf[8192];
	size_t n;
	int i;

	for (i = 0; i < M_N; i++) {
		fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", families[i].name,
		    families[i].help, families[i].name, families[i].type);
		rewind(p->f[i]);
		while ((n = fread(buf, 1, sizeof(buf), p->f[i])) > 0)
			if (fwrite(buf, 1, n, out) != n)
				return -1;
		if (ferror(p->f[i]))
			return -1;
	}
	fprintf(out, "# HELP mping_report_time_seconds When mping wrote this "
	    "file, Unix time\n# TYPE mping_report_time_seconds gauge\n"
	    "mping_report_time_seconds %.3f\n", now);
	return ferror(out) ? -1 : 0;
}

int
prom_commit(struct prom *p, double now)
{
	FILE *out;
	int rc, saved;

	if (p->f[0] == NULL)
		return -1;
	if ((out = fopen(p->tmp, "w")) == NULL) {
		close_all(p);
		return -1;
	}
	rc = write_out(p, out, now);
	saved = errno;
	close_all(p);
	if (fclose(out) == EOF && rc == 0)
		rc = -1, saved = errno;
	if (rc == 0 && rename(p->tmp, p->path) == 0)
		return 0;
	if (rc == 0)
		saved = errno;
	unlink(p->tmp);
	errno = saved;
	return -1;
}
