/*
 * --trace's defaults that scale with the run: a handful of targets keeps
 * traceroute's three probes per hop; a large run sends one, asks a
 * silent hop once more and sends as fast as the routers' budgets
 * (budget.c) and the engine's batches allow.  An option given on the
 * command line always wins (conf.trace_auto).
 */
#ifndef MPING_SCALE_H
#define MPING_SCALE_H

#include <stdint.h>

#include "conf.h"

/* More targets than this: a large run. */
#define SCALE_LARGE	64

/* The defaults for a run of n targets (more: input left to read). */
void	scale_trace(struct conf *, uint32_t n, int more);

#endif
