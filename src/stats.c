#include <math.h>
#include <string.h>

#include "stats.h"

/* n bytes, little-endian, to and from a number. */
static uint64_t
get_le(const uint8_t *p, int n)
{
	uint64_t v = 0;

	while (n-- > 0)
		v = v << 8 | p[n];
	return v;
}

static void
put_le(uint8_t *p, int n, uint64_t v)
{
	int i;

	for (i = 0; i < n; i++, v >>= 8)
		p[i] = (uint8_t)v;
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

	if (s->n == 0 || v < get_le(s->min, 3))
		put_le(s->min, 3, v);
	if (s->n == 0 || v > get_le(s->max, 3))
		put_le(s->max, 3, v);
	if (s->n) {
		last = (uint32_t)get_le(s->last, 3);
		s->jsum += (float)(v > last ? v - last : last - v);
	}
	put_le(s->last, 3, v);
}

/*
 * Welford's m2 about the exact mean (sum / n): d * (x - the new mean)
 * adds (x - mean)^2 * (n - 1) / n, never below 0.
 */
void
stats_add_us(struct stats *s, uint32_t us)
{
	uint64_t sum = get_le(s->sum, 6);
	double m2 = m2_of(s), d;

	add_extremes(s, us);
	d = us - (s->n ? (double)sum / s->n : 0.0);
	s->n++;
	sum += us;
	m2 += d * (us - (double)sum / s->n);
	put_le(s->sum, 6, sum);
	memcpy(s->m2, &m2, sizeof(m2));
}

double
stats_min(const struct stats *s)
{
	return s->n ? get_le(s->min, 3) / 1e3 : NAN;
}

double
stats_max(const struct stats *s)
{
	return s->n ? get_le(s->max, 3) / 1e3 : NAN;
}

double
stats_mean(const struct stats *s)
{
	return s->n ? (double)get_le(s->sum, 6) / s->n / 1e3 : NAN;
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
