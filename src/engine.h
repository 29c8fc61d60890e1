/*
 * The engine: probes in flight (the pool), queues, pacing, send batches,
 * expiry, wake-ups and the run loop.  A probe method (method.h) builds the
 * probes and recognises their answers; a run mode (struct mode, below)
 * says what to send and what an answer means.  The engine knows neither
 * ICMP nor traceroute.
 */
#ifndef MPING_ENGINE_H
#define MPING_ENGINE_H

#include <signal.h>
#include <stdint.h>

#include "answer.h"
#include "conf.h"
#include "loop.h"
#include "method.h"
#include "out.h"
#include "report.h"
#include "resolve.h"
#include "sched.h"
#include "sock.h"
#include "targets.h"

struct engine;

/*
 * A run mode: a table of functions and its own state (engine.ms).  Any
 * function may be NULL where said.
 */
struct mode {
	/*
	 * A target's turn came (table order): fill j with its first probe,
	 * with no side effect (the engine may ask again if the probe could
	 * not leave), and return 1; or return 0 for no probe.  NULL: use
	 * begin.
	 */
	int	(*first)(struct engine *, uint32_t target, int64_t now,
		    struct job *j);
	/* Or: start the target, queueing its probes (engine_queue); -1: no
	 * memory. */
	int	(*begin)(struct engine *, uint32_t target, int64_t now);
	/* Whether a queued probe is still wanted (NULL: always). */
	int	(*wanted)(struct engine *, const struct job *);
	/* The probe of job j left as serial (it may fail at once after). */
	void	(*sent)(struct engine *, const struct job *, uint32_t serial,
		    int64_t now);
	/* A job the mode put on the timer queue came due. */
	void	(*timer)(struct engine *, const struct job *, int64_t now);
	/*
	 * What became of a probe.  OC_REPLY: pr is NULL when the probe has
	 * left the pool (late, duplicate), and the mode settles pr itself
	 * (engine_settle, engine_late); any other outcome: pr is settled by
	 * the engine after this call, except an advisory (pr stays).
	 */
	void	(*outcome)(struct engine *, struct probe *pr,
		    const struct answer *, const struct rx *);
	/* Short quotes: the serial of target's probe with wire seq16, -1. */
	int64_t	(*serial_of)(struct engine *, uint32_t target,
		    uint16_t seq16);
	/* The run is over (its probes all done); NULL: never by itself. */
	int	(*done)(struct engine *, int64_t now);
	/* Absolute time the mode wants to be woken, or INT64_MAX. */
	int64_t	(*wake)(struct engine *);
	/* Periodic work (NULL: none): returns the time of the next tick. */
	int64_t	(*tick)(struct engine *, int64_t now);
	/* The target left the run (a reload): its final records now
	 * (NULL: none). */
	void	(*left)(struct engine *, uint32_t target);
	/* SIGQUIT: counts so far (NULL: nothing). */
	void	(*interim)(struct engine *);
	/* The end: its last records; why is NULL when it finished. */
	void	(*finish)(struct engine *, const char *why);
	void	(*destroy)(struct engine *);
};

struct engine {
	const struct conf	*c;
	struct targets		*tg;
	struct report		*rep;
	struct out		*out;
	struct resolver		*res;		/* names still resolving, NULL */
	const struct method	*m;
	void			*mst;		/* the method's state */
	const struct mode	*mode;
	void			*ms;		/* the mode's state */
	int64_t			(*clock)(void);	/* monotonic ns */
	struct sock		 s4, s6;
	struct fifo		 q_send;	/* the mode's probes, due order */
	struct rounds		 q_round;	/* ping's next rounds, due
						   order (engine_round) */
	struct fifo		 q_retry;	/* retries, due order */
	struct fifo		 q_timer;	/* the mode's timers, due order
						   (inserted in order) */
	/*
	 * A side mode (watch.c: a trace beside the pings) sets side while
	 * its functions run: the jobs it queues then go to q_side (due at
	 * once, in their order, after the due ones of q_send), are marked
	 * side, and their probes never count as the target's probes (sent,
	 * in flight) nor keep the engine from being idle (the side mode
	 * says when its work is done).  A job of TTL 0 goes with the
	 * run's (--ttl, or the kernel's).
	 */
	struct fifo		 q_side;
	uint8_t			 side;
	struct pool		 pool;		/* probes in flight */
	struct tx		*tx;		/* send slots, ntx of them */
	uint8_t			*pkt;
	int			 ntx;
	struct rx		*rx;		/* receive batch */
	uint8_t			*rxbuf;
	int			 nrx;
	size_t			 rxlen;
	int64_t			 start, next_send, backoff, next_tick;
	uint64_t		 outstanding;	/* probes not yet finished */
	uint64_t		 sent;		/* first probes sent */
	uint32_t		 cursor;	/* next target to start */
	volatile sig_atomic_t	*sig_stop, *sig_quit;
	/* Work of the front's on every step (names resolved again, a
	 * reload): returns when it wants the next, INT64_MAX: never. */
	int64_t			(*hook)(void *arg, int64_t now);
	void			*hook_arg;
	int64_t			 next_hook;
	/*
	 * Targets still being read (main's feed; NULL: all are in): called
	 * on every step, it adds what it has at hand and returns 0 once the
	 * input is exhausted; the run is not over before.  feed_now: it has
	 * more at hand (the engine does not wait).
	 */
	int			(*feed)(void *arg);
	void			*feed_arg;
	int			 feed_now;
	const char		*why;		/* why the run ended, or NULL;
						   a mode may set it to end
						   the run on an answer */
	int			 write_error;
	int64_t			 flushed;	/* output last flushed */
	int			 nomem;		/* a pool or queue could not grow */
};

int64_t	mono_ns(void);
/*
 * Set up with the method, before the mode is attached (engine.mode, .ms)
 * and the sockets given (engine.s4, .s6; fd -1: none).
 */
int	engine_init(struct engine *, const struct conf *, struct targets *,
	    struct report *, const struct method *);
void	engine_free(struct engine *);
/* One step at now: read, expire, send.  Returns 1 when the run is over. */
int	engine_step(struct engine *, int64_t now);
/* ns to wait from now for the next thing due, or -1. */
int64_t	engine_wait(struct engine *, int64_t now);
/* Run until done, a deadline or a signal; -1 on a system error. */
int	engine_run(struct engine *, struct loop *);
/* The last records of the run (the mode's finish). */
void	engine_finish(struct engine *);
int	engine_add_resolver(struct engine *, struct loop *, int fd);

/*
 * A target the cursor has passed starts again (its name resolved late):
 * its first probe is queued.  -1: no memory.
 */
int	engine_restart(struct engine *, uint32_t target);

/* For the modes. */
int64_t	engine_now(const struct engine *);
void	engine_queue(struct engine *, const struct job *);
void	engine_timer(struct engine *, const struct job *);
/* The mode's tick is due by t at the latest (its own work appeared). */
void	engine_tick_by(struct engine *, int64_t t);
/* No probe in flight, none queued, none to retry. */
int	engine_idle(const struct engine *);
/*
 * A ping round: target's next probe, due at due, of attempt 0 on the
 * run's TTL without a flow, its seq the target's count of probes sent
 * (t->sent) when it leaves.  It waits in at most 8 bytes (a run of
 * targets in a row due together, sched.h) where engine_queue's job takes
 * 24: for a mode with at most one round of a target waiting at a time,
 * as ping.
 */
void	engine_round(struct engine *, uint32_t target, int64_t due);
/* A probe has its outcome: counts, and its slot back. */
void	engine_settle(struct engine *, struct probe *);
/* A probe's answer came after its timeout: as if it had timed out. */
void	engine_late(struct engine *, struct probe *, int64_t now);
/* An answer as a method recognised it (also how tests inject one). */
void	engine_answer(struct engine *, struct answer *, const struct rx *);

#endif
