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
	uint32_t seq;
	uint8_t	 attempt;
	uint8_t	 ttl;		/* 0: the socket's own */
	uint8_t	 has_flow;	/* flow holds a Paris flow identity */
	uint8_t	 side;		/* 1: a side mode's job (engine.h) */
	uint16_t flow;
};

struct fifo {
	struct job	*e;
	size_t		 mask, head, tail;
};

int		 fifo_push(struct fifo *, const struct job *);
/* Push a job due earlier than the tail's: it goes where its due time
 * keeps the queue in order (O(jobs due after it)). */
int		 fifo_insert(struct fifo *, const struct job *);
struct job	*fifo_peek(struct fifo *);
/* The k-th job from the head, or NULL. */
struct job	*fifo_at(struct fifo *, size_t k);
void		 fifo_pop(struct fifo *);
size_t		 fifo_len(const struct fifo *);
void		 fifo_free(struct fifo *);

/*
 * The next rounds of a ping run (engine_round), in at most 8 bytes a
 * waiting target where a struct job takes 24.  An entry is a run of up
 * to 256 targets in a row due at the same time, which is how a ping run
 * pushes them: a batch's first probes leave at one time, to targets in
 * table order, and their next rounds are due a period later, in that
 * order, whatever batch they then go in.  Its due time is kept as 32
 * bits from its epoch's base.  An epoch is the 2^32 ns (4.3 s) round
 * the first due time pushed in it; a due time outside the tail's epoch
 * starts a new one (16 bytes, in a ring of their own).  Every target of
 * a ping run has the same period, so its rounds are pushed about in due
 * order and an epoch holds seconds of them; a due time far from its
 * neighbours (a stall's skipped rounds, a period of hours) is just as
 * exact, in an epoch of its own.  Entries keep their positions: the
 * epoch of an entry is the last one begun at or before it.
 */
#define ROUND_TARGETS	(1U << 24)	/* targets a run names (the most
					   --max-targets allows) */

struct round {
	uint32_t run;		/* first target | (targets in it - 1) << 24 */
	uint32_t off;		/* due - its epoch's base, ns */
};

struct epoch {
	size_t	 from;		/* position of its first entry */
	int64_t	 base;
};

struct rounds {
	struct round	*e;
	size_t		 mask, head, tail;	/* positions: they count on */
	size_t		 used;		/* targets of the head's run taken */
	size_t		 n;		/* targets in all */
	struct epoch	*ep;
	size_t		 epmask, ephead, eptail;
};

/* target < ROUND_TARGETS; -1: no memory. */
int		 rounds_push(struct rounds *, uint32_t target, int64_t due);
/* The k-th target from the head: 1 with *target and *due, or 0: none
 * (O(k)). */
int		 rounds_at(const struct rounds *, size_t k, uint32_t *target,
		    int64_t *due);
void		 rounds_pop(struct rounds *);
size_t		 rounds_len(const struct rounds *);
void		 rounds_free(struct rounds *);

/*
 * Per-target arrays that grow as names join the table: room for index i
 * in arr, *cap items of elem bytes.  Grown to the next power of two from
 * 256 that holds i, the new items zeroed.  Returns the array (arr itself
 * when i fits), or NULL without memory: then arr and *cap are unchanged.
 */
void		*array_room(void *arr, uint32_t *cap, uint32_t i, size_t elem);

enum probe_state { P_FREE, P_TAKEN, P_PENDING };

/*
 * One probe on the wire, in a slot of the probe pool.  Its serial (in the
 * payload) names the slot: slot = serial & mask.  A slot's serial moves on
 * by the pool's size each time the slot is taken, so the serial of a probe
 * long gone does not name the slot's next probe.  Only probes in flight
 * hold a slot: an answered, failed or timed-out probe gives it back at
 * once, so memory follows the probes in flight, not rate x timeout.
 * 32 bytes (a million probes in flight take 32 MB); the pool only grows,
 * to the most probes ever in flight at once.
 */
struct probe {
	int64_t	 sent;		/* monotonic ns */
	uint32_t serial;
	uint32_t prev, next;	/* pending list (free list: next), slots */
	uint32_t target;
	uint32_t seq;		/* the target's count; the wire has 16 bits */
	uint8_t	 attempt;
	uint8_t	 state;
	uint8_t	 side;		/* its job's */
};

/*
 * Every probe of a run with the same attempt number has the same timeout
 * (fping's backoff makes a retry's longer), so the pending probes in one
 * list per attempt, each in send order, are also in expiry order: append
 * at the tail, unlink an answered one from anywhere, expire from a head.
 * All O(1) (O(levels) to find the next expiry).
 */
#define POOL_LEVELS	101	/* attempts: the first and 100 retries */
/* Slots of a new pool: 8 KiB, so a run of a few targets starts without
 * touching more (4,096 slots were 30 page faults and 69,000 instructions
 * of a one-target run's start); it doubles as probes fly. */
#define POOL_FIRST	256

struct pool {
	struct probe	*e;
	uint32_t	 mask;		/* slots - 1 */
	uint32_t	 free;		/* free list, POOL_NIL if empty */
	uint32_t	 head[POOL_LEVELS], tail[POOL_LEVELS];	/* pending, by
					   attempt, oldest first */
	unsigned	 levels;	/* 1 + the highest attempt pending yet */
	uint32_t	 used;		/* slots taken */
};

#define POOL_NIL	UINT32_MAX

/* A free slot (state P_TAKEN, in no list), or NULL: no memory. */
struct probe	*pool_take(struct pool *);
/* Give a slot back (unlinking it if it is pending). */
void		 pool_put(struct pool *, struct probe *);
/* A taken probe has left: append it to its attempt's pending list. */
void		 pool_append(struct pool *, struct probe *, int64_t sent);
/* The oldest pending probe, or NULL. */
struct probe	*pool_oldest(struct pool *);
/* The oldest pending probe of attempt level, or NULL. */
struct probe	*pool_oldest_at(struct pool *, unsigned level);
/* The taken or pending probe with this serial, or NULL. */
struct probe	*pool_slot(struct pool *, uint32_t serial);
/* The pending probe with this serial, or NULL. */
struct probe	*pool_find(struct pool *, uint32_t serial);
/*
 * The pending probe to target whose serial ends in these 16 bits, or
 * NULL (a header field of 16 bits names it: one slot to look at while the
 * pool has at most 65,536, then one per 65,536 more).
 */
struct probe	*pool_find16(struct pool *, uint16_t serial16, uint32_t target);
void		 pool_free(struct pool *);

#endif
