/*
 * The watch run mode (--trace-down): the ping mode, and beside it the
 * trace mode for the targets that go down (--down-after's down record)
 * or, in a counted run, never answered by their last probe.  One trace
 * per target per outage, over the same sockets and probe method, while
 * every target keeps its pings.
 */
#ifndef MPING_WATCH_H
#define MPING_WATCH_H

#include "engine.h"

/* Attach the watch mode to an engine; -1: no memory. */
int	watch_mode(struct engine *);

#endif
