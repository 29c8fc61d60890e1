/*
 * --trace's defaults for the size of the run (scale.h).
 *
 * Why these: a trace's time is a few round trips per target, all targets
 * side by side, so a large run's time is the probes it sends.  Three per
 * hop triple them for an answer most hops give to the first; one, asked
 * again when silent, finds the same hops (a lost probe costs a timeout,
 * not a star).  The window stays 5: a wider one sends more probes beyond
 * the destination while its answer is on the way (8: 13 probes a target
 * in tests/trace_scale.bats' lab, against 10), and a large run's time
 * is its probes.  -i 0 leaves the pace to each router's learnt budget,
 * which is what limits its answers, and to the engine's batches.
 */
#include "scale.h"

#define LARGE_QUERIES	1

void
scale_trace(struct conf *c, uint32_t n, int more)
{
	if (!c->trace || c->mda || (n <= SCALE_LARGE && !more))
		return;
	if (c->trace_auto & TA_QUERIES) {
		c->queries = LARGE_QUERIES;
		c->again = 1;
	}
	if (c->trace_auto & TA_INTERVAL)
		c->interval_ns = 0;
}
