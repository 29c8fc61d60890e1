#include <math.h>
#include <string.h>

#include "stats.h"

/* 24 and 48 bits, little-endian, to and from numbers (unrolled: this is
 * once per reply, and a compiler makes each one load or store). */
static uint32_t
get24(const uint8_t p[3])
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
}

static void
put24(uint8_t p[3], uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
}

static uint64_t
get48(const uint8_t p[6])
{
	return (uint64_t)get24(p) | (uint64_t)get24(p + 3) << 24;
}

static void
put48(uint8_t p[6], uint64_t v)
{
	put24(p, (uint32_t)(v & 0xffffff));
	put24(p + 3, (uint32_t)(v >> 24 & 0xffffff));
}

static double
m2_of(const struct stats *s)
{
	double v;

	memcpy(&v, s->m2, sizeof(v));
	return v;
}

uint32_t
stats_us(int64_t ns)
{
	if (ns <= 0)
		return 0;
	return ns >= (int64_t)UINT32_MAX * 1000 ? UINT32_MAX :
	    (uint32_t)((ns + 500) / 1000);
}

void
stats_add(struct stats *s, double ms)
{
	stats_add_us(s, stats_us((int64_t)llround(ms * 1e6)));
}

/* min, max and last: us, stopped at STATS_RTT_MAX. */
static void
add_extremes(struct stats *s, uint32_t us)
{
	uint32_t v = us < STATS_RTT_MAX ? us : STATS_RTT_MAX, last;

	if (s->n == 0 || v < get24(s->min))
		put24(s->min, v);
	if (s->n == 0 || v > get24(s->max))
		put24(s->max, v);
	if (s->n) {
		last = get24(s->last);
		s->jsum += (float)(v > last ? v - last : last - v);
	}
	put24(s->last, v);
}

/*
 * Welford's m2 about the exact mean (sum / n): d * (x - the new mean)
 * adds (x - mean)^2 * (n - 1) / n, never below 0.
 */
void
stats_add_us(struct stats *s, uint32_t us)
{
	uint64_t sum;
	double m2, d;

	add_extremes(s, us);
	if (s->n == 0) {	/* m2 stays 0: a sweep's one reply is cheap */
		s->n = 1;
		put48(s->sum, us);
		return;
	}
	sum = get48(s->sum);
	m2 = m2_of(s);
	d = us - (double)sum / s->n;
	s->n++;
	sum += us;
	m2 += d * (us - (double)sum / s->n);
	put48(s->sum, sum);
	memcpy(s->m2, &m2, sizeof(m2));
}

double
stats_min(const struct stats *s)
{
	return s->n ? get24(s->min) / 1e3 : NAN;
}

double
stats_max(const struct stats *s)
{
	return s->n ? get24(s->max) / 1e3 : NAN;
}

double
stats_mean(const struct stats *s)
{
	return s->n ? (double)get48(s->sum) / s->n / 1e3 : NAN;
}

/* Population standard deviation, as ping(8) and fping report it. */
double
stats_stddev(const struct stats *s)
{
	return s->n ? sqrt(m2_of(s) / s->n) / 1e3 : 0.0;
}

double
stats_jitter(const struct stats *s)
{
	return s->n > 1 ? s->jsum / 1e3 / (s->n - 1) : 0.0;
}

double
stats_jsum(const struct stats *s)
{
	return s->jsum / 1e3;
}
