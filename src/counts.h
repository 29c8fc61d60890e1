/*
 * What the engine tells views that redraw on a clock (the --live view,
 * the progress line) at each tick.  A header of its own: out.c and
 * progress.c both read it, and neither includes the other's.
 */
#ifndef MPING_COUNTS_H
#define MPING_COUNTS_H

#include <stdint.h>

struct record;

struct run_counts {
	uint64_t	 sent;		/* first probes sent, not retries */
	uint64_t	 total;		/* probes the run will send; 0: open */
	uint32_t	 targets, answered;
	double		 elapsed;	/* seconds since the start */
	/*
	 * The target at index i as a summary record as of now (an event's
	 * counts are those of its time: a timeout comes -t after its send),
	 * its strings in nbuf and abuf (64 bytes each); -1 past the end.
	 * Called with engine.  NULL when the engine does not tell.
	 */
	int		(*target_now)(void *engine, long i, struct record *,
			    char *nbuf, char *abuf);
	void		*engine;
};

#endif
