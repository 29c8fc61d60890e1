/*
 * Streaming RTT statistics (Welford): O(1) memory, 32 bytes.  RTTs are
 * kept in whole microseconds, the precision every output shows: the mean
 * (a 48-bit sum: 8.9 years of round trips) and the standard deviation (a
 * double) are exact to the microsecond; min, max and the RTT before the
 * next (for jitter) have 24 bits, exact up to 16.777215 s, where longer
 * RTTs stop (STATS_RTT_MAX); jitter's sum is a float (seven digits).
 */
#ifndef MPING_STATS_H
#define MPING_STATS_H

#include <stdint.h>

#define STATS_RTT_MAX	0xffffffu	/* us: min, max, last stop here */

struct stats {
	uint32_t n;
	float	 jsum;		/* sum of |RTT - the RTT before it|, us */
	uint32_t m2[2];		/* a double, sum of (RTT - mean)^2 in us^2,
				   as halves: 4-byte alignment, no padding */
	uint8_t	 min[3], max[3], last[3];	/* us, little-endian */
	uint8_t	 sum[6];	/* us, little-endian */
	uint8_t	 spare;
};

/* An RTT of ns nanoseconds in whole microseconds (half up). */
uint32_t stats_us(int64_t ns);
void	stats_add(struct stats *, double ms);
void	stats_add_us(struct stats *, uint32_t us);
/* In milliseconds; NaN without RTTs. */
double	stats_min(const struct stats *);
double	stats_max(const struct stats *);
double	stats_mean(const struct stats *);
double	stats_stddev(const struct stats *);
/*
 * Jitter: the mean absolute difference of consecutive RTTs (as mtr and
 * icmplib compute it), 0 with fewer than two.
 */
double	stats_jitter(const struct stats *);
/* The sum behind it (ms), for jitter over a part of the RTTs. */
double	stats_jsum(const struct stats *);

#endif
