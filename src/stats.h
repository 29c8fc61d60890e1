/* Streaming RTT statistics (Welford): O(1) memory per target. */
#ifndef MPING_STATS_H
#define MPING_STATS_H

#include <stdint.h>

struct stats {
	double	 mean, m2;	/* milliseconds */
	float	 min, max;
	uint32_t n;
};

void	stats_add(struct stats *, double ms);
double	stats_stddev(const struct stats *);

#endif
