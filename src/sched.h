/*
 * O(1) scheduling structures.  Every probe of a run has the same timeout
 * and every target the same period, so plain FIFOs stay sorted by due
 * time: no heap, no scan over targets.
 */
#ifndef MPING_SCHED_H
#define MPING_SCHED_H

#include <stddef.h>
#include <stdint.h>

struct job {
	int64_t	 due;
	uint32_t target;
	uint16_t seq;
	uint8_t	 attempt;
};

struct fifo {
	struct job	*e;
	size_t		 mask, head, tail;
};

int		 fifo_push(struct fifo *, const struct job *);
struct job	*fifo_peek(struct fifo *);
/* The k-th job from the head, or NULL. */
struct job	*fifo_at(struct fifo *, size_t k);
void		 fifo_pop(struct fifo *);
size_t		 fifo_len(const struct fifo *);
void		 fifo_free(struct fifo *);

enum probe_state { P_PENDING, P_ANSWERED, P_FAILED, P_TIMEDOUT };

/*
 * One probe on the wire, found again by its serial (in the payload): the
 * serial is its position in the ring, so it needs no field of its own.
 * 16 bytes, so a million probes in flight take 16 MB.
 */
struct probe {
	int64_t	 sent;		/* monotonic ns */
	uint32_t target;
	uint16_t seq;
	uint8_t	 attempt;
	uint8_t	 state;
};

struct ring {
	struct probe	*e;
	uint32_t	 mask, head, tail;	/* serials */
};

struct probe	*ring_push(struct ring *, uint32_t *serial);
void		 ring_unpush(struct ring *);
struct probe	*ring_head(struct ring *);
void		 ring_pop(struct ring *);
struct probe	*ring_find(struct ring *, uint32_t serial);
/* The serial of a probe that is in the ring. */
uint32_t	 ring_serial(const struct ring *, const struct probe *);
void		 ring_free(struct ring *);

#endif
