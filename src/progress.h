/*
 * The progress line of a sweep, on stderr: redrawn in place with \r a few
 * times a second, never in stdout, erased at the end.
 */
#ifndef MPING_PROGRESS_H
#define MPING_PROGRESS_H

#include <stdint.h>
#include <stdio.h>

#include "counts.h"

/* delay_ns: how long a run goes before the line first shows. */
struct progress	*progress_create(FILE *, int64_t delay_ns);
int64_t		 progress_tick(struct progress *, const struct run_counts *,
		    int64_t now);
/* Erase the line before stdout writes to the same terminal. */
void		 progress_hide(struct progress *);
/* Erase the line for good and free. */
void		 progress_free(struct progress *);

#endif
