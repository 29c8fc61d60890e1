/*
 * The trace run mode (--trace): parallel traceroute.  Each target has a
 * table of hops x queries; probes of a window of TTLs are in flight at
 * once, and a hop's line is printed as soon as all its probes have an
 * outcome and every lower hop has been printed.
 */
#ifndef MPING_TRACE_H
#define MPING_TRACE_H

#include <stdint.h>

#include "engine.h"

struct rdns;
struct budget;
struct hopsum;
struct stopset;

/* What became of one probe. */
enum hop_state {
	HP_UNSENT = 0, HP_SENT, HP_REPLY, HP_EXCEEDED, HP_ERROR, HP_LOCAL,
	HP_TIMEOUT
};

/* One probe of one hop: 32 bytes. */
struct hop_probe {
	uint8_t	 from[16];	/* who answered (v4-mapped for IPv4) */
	uint32_t serial;	/* its probe's, see struct probe */
	float	 rtt_ms;
	uint16_t mtu;		/* packet too big / fragmentation needed */
	uint8_t	 state;		/* enum hop_state */
	uint8_t	 type, code;	/* as the method gave them; HP_LOCAL:
				   code is the errno */
	uint8_t	 pstate;	/* a reply's port state: PORT_OPEN, ... */
	uint16_t rtr;		/* the router paced for it (budget.h) + 1,
				   TRACE_TRIAL: on trial; TRACE_TIMED: it
				   waited for the router's token; 0: none;
				   TRACE_AGAIN: asked again (conf.again) */
};
#define TRACE_TRIAL	0x8000
#define TRACE_AGAIN	0x4000
#define TRACE_TIMED	0x2000
#define TRACE_RTR(r)	((unsigned)(r) & 0x1fff)
#define TRACE_ROUTERS	4095	/* budget_new keeps twice: index + 1 < TRACE_TIMED */

struct hop_mpls {
	uint8_t			ttl;
	int			n;
	struct mpls_label	l[ANSWER_MPLS_MAX];
};

struct trace_target {
	struct hop_probe	*hp;	/* [ttl - 1][query] */
	struct hop_mpls		*mpls;	/* hops that carried labels */
	int			 nmpls;
	const char		*stop;	/* why it stops at limit */
	const char		*cause;	/* why it was started
					   (trace_start), or NULL */
	uint16_t		 next_ttl;	/* next TTL to queue: up to
						   256 (past --max-hops 255),
						   so not a uint8_t */
	uint8_t			 printed;	/* last hop printed */
	uint8_t			 limit;		/* last hop that counts */
	uint8_t			 silent;	/* silent hops in a row */
	uint8_t			 retried;	/* the silent run's re-probes */
	uint8_t			 rerouter;	/* the last re-probed hop has a
						   known router */
	uint8_t			 giving_up;	/* printing a run, then stop */
	uint16_t		*known;		/* -c: each hop's router + 1
						   in the last round */
	struct hopsum		*sum;		/* the hops over the rounds
						   (-c, --report), or NULL */
	uint8_t			 running, done, reached;
	uint8_t			 pstate;	/* reached: the port's state */
	uint8_t			 idle;		/* between rounds (-c) */
	uint32_t		 round;		/* from 0 */
	/* --stop-set (stopset.h): forward from start, back below it one
	 * probe at a time (back: that probe's TTL; 0: the walk is over;
	 * again: it is sent a second time) until join, a node of the set;
	 * node: its last hop printed's. */
	uint32_t		 join, node;
	uint8_t			 start, back, again;
	uint8_t			 held;		/* waits for the first trace */
	uint8_t			 dest;		/* -c: the destination's hop in
						   an earlier round, 0: none */
	uint32_t		 began;		/* the round's start, ms of the
						   run rounded up (wraps;
						   padding that was there
						   anyway) */
};

struct trace {
	struct trace_target	*tt;		/* parallel to the targets */
	uint32_t		 cap;
	uint32_t		 done;		/* traces finished */
	struct rdns		*rdns;		/* --names */
	uint32_t		*waiting;	/* targets waiting for names */
	uint32_t		 nwaiting, capwaiting;
	struct budget		*bud;		/* routers' error budgets */
	/* Per family and TTL: the router that answered last + 1, and
	 * how many answers in a row named it. */
	uint16_t		 ttl_rtr[2][256];
	uint8_t			 ttl_agree[2][256];
	/* --stop-set: the set, or NULL; per family the first trace (the
	 * others wait for its end) and where the others start (0: not
	 * known yet). */
	struct stopset		*ss;
	uint32_t		 scout[2];
	uint8_t			 h[2];
	/* The first trace's last answer: when, and its slowest RTT. */
	int64_t			 scout_at[2];
	float			 scout_rtt[2];
};

/* seq of a probe: its TTL and its number within the hop. */
#define TRACE_SEQ(ttl, q)	((uint16_t)((ttl) << 4 | (q)))
#define TRACE_TTL(seq)		((seq) >> 4)
#define TRACE_QUERY(seq)	((seq) & 15)
#define TRACE_MAX_QUERIES	CONF_MAX_QUERIES

/* Attach the trace mode to an engine; -1: no memory. */
int	trace_mode(struct engine *);
/* --names: start the name workers and watch their answers. */
int	trace_names(struct engine *, struct loop *);
/*
 * For a mode that traces some targets when it decides (watch.c), with
 * the trace mode's state as the engine's: start target's trace now, its
 * records carrying cause (-1: no memory), or, at the run's end, stop it
 * with what it has and why.  A trace that ends goes idle (a next round
 * is put on the timer queue; trace_start starts it instead).
 */
int	trace_start(struct engine *, uint32_t target, int64_t now,
	    const char *cause);
void	trace_stop(struct engine *, uint32_t target, const char *why);

#endif
