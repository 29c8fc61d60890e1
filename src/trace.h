/*
 * --trace: parallel traceroute over the ping engine.  Each target has a
 * table of hops x queries; probes of a window of TTLs are in flight at
 * once, and a hop's line is printed as soon as all its probes have an
 * outcome and every lower hop has been printed.
 */
#ifndef MPING_TRACE_H
#define MPING_TRACE_H

#include <stdint.h>

#include "icmp.h"

struct ping;
struct probe;
struct rdns;
struct loop;

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
	uint8_t	 type, code;	/* ICMP answer; for HP_LOCAL, code is errno */
};

struct hop_mpls {
	uint8_t			ttl;
	int			n;
	struct mpls_label	l[ICMP_MPLS_MAX];
};

struct trace_target {
	struct hop_probe	*hp;	/* [ttl - 1][query] */
	struct hop_mpls		*mpls;	/* hops that carried labels */
	int			 nmpls;
	const char		*stop;	/* why it stops at limit */
	uint16_t		 next_ttl;	/* next TTL to queue: up to
						   256 (past --max-hops 255),
						   so not a uint8_t */
	uint8_t			 printed;	/* last hop printed */
	uint8_t			 limit;		/* last hop that counts */
	uint8_t			 silent;	/* silent hops in a row */
	uint8_t			 running, done, reached;
	uint8_t			 idle;		/* between rounds (-c) */
	uint32_t		 round;		/* from 0 */
};

/* One probe's outcome, as the engine saw it. */
struct trace_event {
	enum hop_state		 state;
	const uint8_t		*from;		/* 16 bytes, or NULL */
	double			 rtt_ms;
	int			 type, code;	/* HP_LOCAL: code is errno */
	long			 mtu;
	const struct icmp_msg	*msg;		/* for MPLS labels */
};

struct trace {
	struct trace_target	*tt;		/* parallel to the targets */
	uint32_t		 cap;
	uint32_t		 done;		/* traces finished */
	struct rdns		*rdns;		/* --names */
	uint32_t		*waiting;	/* targets waiting for names */
	uint32_t		 nwaiting, capwaiting;
};

/* seq of a probe: its TTL and its number within the hop. */
#define TRACE_SEQ(ttl, q)	((uint16_t)((ttl) << 4 | (q)))
#define TRACE_TTL(seq)		((seq) >> 4)
#define TRACE_QUERY(seq)	((seq) & 15)
#define TRACE_MAX_QUERIES	10

int	trace_init(struct ping *);
void	trace_free(struct ping *);
/* Start a target's trace: queue the probes of its first window. */
int	trace_begin(struct ping *, uint32_t target, int64_t now);
/* -c: start the next round of a trace that is between rounds. */
int	trace_next_round(struct ping *, uint32_t target, int64_t now);
/* Whether a queued probe is still wanted (its trace may have ended). */
int	trace_wanted(struct ping *, uint32_t target, uint16_t seq);
void	trace_sent(struct ping *, uint32_t target, uint16_t seq,
	    uint32_t serial);
/* The serial of a target's probe with this seq, or -1. */
int64_t	trace_serial(struct ping *, uint32_t target, uint16_t seq);
void	trace_result(struct ping *, const struct probe *,
	    const struct trace_event *);
/* --names: start the name workers and watch their answers. */
int	trace_start_names(struct ping *, struct loop *);
/* Reverse names arrived: retry the hops that wait for them. */
void	trace_names_ready(struct ping *);
/* End of run: print what unfinished traces have, with this reason. */
void	trace_end(struct ping *, const char *why);
/* Every started trace is finished. */
int	trace_all_done(const struct ping *);

#endif
