/*
 * What a long-running ping tells besides its replies (the ping mode calls
 * it): interval reports every -Q seconds (what each target did in the
 * interval just ended, or since the start with --cumulative), and up /
 * down changes (--down-after N probes missed in a row, --up-after M
 * answered in a row again), with the outage they close; --prom-file
 * rewritten at every report (every -Q, else every 10 s) and at the end.  Its state is
 * allocated only when asked for: a million targets pay nothing without.
 */
#ifndef MPING_MONITOR_H
#define MPING_MONITOR_H

#include <stdint.h>

#include "engine.h"

struct monitor;

/* ns between reports (-Q, else --prom-file's 10 s), 0: none. */
int64_t		 monitor_every(const struct conf *);
/* The most probes one target can be sent in an interval (retries too). */
uint64_t	 monitor_probes_max(const struct conf *);
/* NULL when nothing is asked (or no memory: then *nomem is set). */
struct monitor	*monitor_create(const struct conf *, int *nomem);
void		 monitor_free(struct monitor *);
/* A counted reply of target i (its RTT, its probe's seq), a probe lost
 * or failed; each with its probe's send time (the engine's clock). */
void		 monitor_reply(struct monitor *, struct engine *, uint32_t i,
		    double rtt_ms, int64_t sent_mono, uint32_t seq);
void		 monitor_miss(struct monitor *, struct engine *, uint32_t i,
		    int64_t sent_mono);
/* The run's end: --prom-file written a last time. */
void		 monitor_finish(struct monitor *, struct engine *);
/* The mode's tick: interval records when one is due; next tick time. */
int64_t		 monitor_tick(struct monitor *, struct engine *, int64_t now);

#endif
