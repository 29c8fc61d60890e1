/*
 * The ping run mode: every target gets -c probes (or probes until the
 * run is stopped), one every -p; answers are counted, late, duplicate or
 * foreign; summaries at the end (and on SIGQUIT).
 */
#ifndef MPING_PING_H
#define MPING_PING_H

#include "engine.h"

/* Attach the ping mode to an engine; -1: no memory. */
int	ping_mode(struct engine *);

#endif
