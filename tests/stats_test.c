/*
 * struct stats against exact arithmetic: RTTs in whole microseconds below
 * 10 s (and a few beyond what min and max keep), the mean from an integer
 * sum, the standard deviation from integer sums (n * sum(x^2) - sum(x)^2
 * is exact in unsigned __int128-free pieces: long double), jitter from
 * the differences.  Every value must print as the exact one does at the
 * microsecond (%.3f of milliseconds).  Prints "ok" and exits 0.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

static int bad;

/* a and b printed as mping prints milliseconds, or a near a half. */
static void
same(const char *what, int run, double got, long double want)
{
	char g[64], w[64];
	long double frac = want * 1000 - floorl(want * 1000);

	snprintf(g, sizeof(g), "%.3f", got);
	snprintf(w, sizeof(w), "%.3Lf", want);
	/* Within 1e-6 us of a half the exact value has no one rounding. */
	if (strcmp(g, w) != 0 && fabsl(frac - 0.5L) > 1e-6L && bad++ < 10)
		fprintf(stderr, "FAIL run %d %s: %s, exact %s\n", run, what, g,
		    w);
}

static uint32_t
rtt_of(int kind)
{
	switch (kind) {
	case 0:	return 1 + (uint32_t)(rand() % 2000);		/* LAN */
	case 1:	return 9000000 + (uint32_t)(rand() % 999999);	/* 9-10 s */
	default: return (uint32_t)(rand() % 10000000);		/* any < 10 s */
	}
}

static void
one_run(int run, int n, int kind)
{
	struct stats s;
	long double sum = 0, sq = 0, jsum = 0, mean, var;
	uint32_t x, prev = 0, min = UINT32_MAX, max = 0;
	int i;

	memset(&s, 0, sizeof(s));
	for (i = 0; i < n; i++) {
		x = rtt_of(kind);
		stats_add_us(&s, x);
		sum += x;
		sq += (long double)x * x;
		if (i)
			jsum += x > prev ? x - prev : prev - x;
		prev = x;
		min = x < min ? x : min;
		max = x > max ? x : max;
	}
	mean = sum / n;
	var = sq / n - mean * mean;
	same("min", run, stats_min(&s), min / 1e3L);
	same("max", run, stats_max(&s), max / 1e3L);
	same("avg", run, stats_mean(&s), mean / 1e3L);
	same("stddev", run, stats_stddev(&s), sqrtl(var > 0 ? var : 0) / 1e3L);
	if (n > 1 && kind == 0)	/* a float's sum: exact while it is small */
		same("jitter", run, stats_jitter(&s), jsum / (n - 1) / 1e3L);
	if (s.n != (uint32_t)n && bad++ < 10)
		fprintf(stderr, "FAIL run %d n\n", run);
}

int
main(void)
{
	struct stats s;
	int run;

	srand(17);
	for (run = 0; run < 3000; run++)
		one_run(run, 1 + rand() % (run % 10 == 0 ? 5000 : 40), run % 3);
	/* Beyond 24 bits: min and max stop at STATS_RTT_MAX, the mean not. */
	memset(&s, 0, sizeof(s));
	stats_add_us(&s, 20000000);
	stats_add_us(&s, 30000000);
	if (stats_max(&s) != STATS_RTT_MAX / 1e3 || stats_mean(&s) != 25000.0 ||
	    stats_stddev(&s) != 5000.0)
		fprintf(stderr, "FAIL long RTTs\n"), bad++;
	if (stats_us(1499) != 1 || stats_us(1500) != 2 || stats_us(-5) != 0)
		fprintf(stderr, "FAIL stats_us\n"), bad++;
	if (sizeof(struct stats) != 32)
		fprintf(stderr, "FAIL sizeof %zu\n", sizeof(s)), bad++;
	if (bad)
		return 1;
	printf("ok\n");
	return 0;
}
