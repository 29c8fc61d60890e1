/*
 * fping's numbers as fping writes them, and its -J lines (fping 5.5's
 * JSON: one object per line, {"type": {fields}}, see its
 * doc/fping-json.md): the fping formatter (out_fping.c) counts, these
 * only write.
 */
#ifndef MPING_OUT_FPING_JSON_H
#define MPING_OUT_FPING_JSON_H

#include <stdio.h>

/* What fping counts for -s. */
struct fp_totals {
	long	 targets, alive, unknown, timeouts, sent, received, other;
	long	 nrtt;
	double	 rtt_min, rtt_max, rtt_sum;
	double	 start;
};

/* A target's counts: since the last -Q report, or (summary) in all. */
struct fp_split {
	long	 sent, recv;
	double	 min, max, sum;
};

/* fping's sprint_tm: ms with three significant digits or so. */
const char *fping_tm(char *buf, size_t len, double ms);

/* stamp: -D's time as text, or NULL for none. */
void	fpj_reply(FILE *, const char *stamp, const char *host, long seq,
	    long size, double rtt_ms);
void	fpj_timeout(FILE *, const char *stamp, const char *host, long seq);
/* "summary" at the end, or (now >= 0, Unix s) -Q's "intSum": probes
 * done, replies, RTT min, avg and max (with replies); outage_ms < 0: no
 * -o. */
void	fpj_counts(FILE *, long now, const char *host, long sent, long recv,
	    const double rtt[3], long outage_ms);
/* -C: each probe's RTT, < 0: null. */
void	fpj_values(FILE *, const char *host, const float *rtt, long n);
void	fpj_stats(FILE *, const struct fp_totals *, double elapsed);
void	fpj_warning(FILE *, const char *host, const char *message);

#endif
