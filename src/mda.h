/*
 * The all-paths run mode (--trace --all-paths, or --mda): the Multipath
 * Detection Algorithm (Augustin, Friedman, Teixeira, "Measuring multipath
 * routing in the Internet", IEEE/ACM ToN 2011) for every target at once
 * on the one engine.  Each probe has a flow of its own; per hop, flows
 * are sent until, for every interface of the hop before, the stopping
 * rule rules out one more next hop than were found, at --confidence.
 * It records each interface and the links between hops (which flows
 * reached which interface at TTL h and h + 1).  With -c N, the rounds
 * after the first send every known flow again: loss and RTT per path.
 */
#ifndef MPING_MDA_H
#define MPING_MDA_H

#include "engine.h"

/* Flows per target at most, and interfaces per hop. */
#define MDA_MAX_FLOWS	CONF_MDA_FLOWS
#define MDA_MAX_WIDTH	32

/* seq of a probe: its flow and its TTL. */
#define MDA_SEQ(flow, ttl)	((uint32_t)(flow) << 8 | (uint32_t)(ttl))
#define MDA_TTL(seq)		((int)((seq) & 0xff))
#define MDA_FLOW(seq)		((uint32_t)(seq) >> 8)

/*
 * n_k: the probes through one interface that rule out k + 1 next hops
 * when k were found, at confidence 95 or 99 (k from 1 to MDA_MAX_WIDTH;
 * beyond, the last).
 */
int	mda_stop_probes(int k, int confidence);
/* Attach the mode to an engine; -1: no memory. */
int	mda_mode(struct engine *);

#endif
