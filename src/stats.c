#include <math.h>

#include "stats.h"

void
stats_add(struct stats *s, double ms)
{
	double d;

	if (s->n == 0 || ms < s->min)
		s->min = (float)ms;
	if (s->n == 0 || ms > s->max)
		s->max = (float)ms;
	if (s->n)
		s->jsum += fabs(ms - s->last);
	s->last = (float)ms;
	s->n++;
	d = ms - s->mean;
	s->mean += d / s->n;
	s->m2 += d * (ms - s->mean);
}

/* Population standard deviation, as ping(8) and fping report it. */
double
stats_stddev(const struct stats *s)
{
	return s->n ? sqrt(s->m2 / s->n) : 0.0;
}

double
stats_jitter(const struct stats *s)
{
	return s->n > 1 ? s->jsum / (s->n - 1) : 0.0;
}
