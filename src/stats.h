/* Streaming RTT statistics (Welford): O(1) memory per target. */
#ifndef MPING_STATS_H
#define MPING_STATS_H

#include <stdint.h>

struct stats {
	double	 mean, m2;	/* milliseconds */
	double	 jsum;		/* sum of |RTT - the RTT before it| */
	float	 min, max;
	float	 last;		/* the latest RTT */
	uint32_t n;
};

void	stats_add(struct stats *, double ms);
double	stats_stddev(const struct stats *);
/*
 * Jitter: the mean absolute difference of consecutive RTTs (as mtr and
 * icmplib compute it), 0 with fewer than two.
 */
double	stats_jitter(const struct stats *);

#endif
