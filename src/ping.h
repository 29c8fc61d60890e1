/* The ping engine: rounds, pacing, timeouts, retries, reply matching. */
#ifndef MPING_PING_H
#define MPING_PING_H

#include <signal.h>

#include "conf.h"
#include "loop.h"
#include "out.h"
#include "resolve.h"
#include "sched.h"
#include "sock.h"
#include "tag.h"
#include "targets.h"
#include "trace.h"

struct responder {
	uint32_t target;
	uint8_t	 addr[16];
};

struct ping {
	const struct conf	*c;
	struct targets		*tg;
	struct out		*out;
	struct resolver		*res;
	struct tag_key		 key;
	struct sock		 s4, s6;
	struct fifo		 q_period, q_retry;
	struct pool		 pool;		/* probes in flight */
	uint8_t			*pkt;		/* send slots, ntx of them */
	struct tx		*tx;
	int			 ntx;
	struct rx		*rx;		/* receive batch */
	uint8_t			*rxbuf;
	int			 nrx;
	size_t			 rxlen;
	int64_t			 start, next_send, backoff, linger;
	int64_t			 rtt_max;	/* slowest counted reply, ns */
	uint64_t		 outstanding;	/* probes not yet finished */
	uint64_t		 sent;		/* first probes sent */
	uint32_t		 answered;
	uint64_t		 corrupt;	/* replies with a bad payload */
	uint32_t		 cursor;	/* next target for its first probe */
	struct responder	*resp;
	size_t			 nresp, capresp;
	struct trace		*tr;		/* --trace, else NULL */
	volatile sig_atomic_t	*sig_stop, *sig_quit;
	int			 write_error;
	int			 nomem;		/* the pool or a queue could not grow */
};

int	ping_init(struct ping *, const struct conf *, struct targets *,
	    struct out *);
/*
 * Run until done, deadline or *sig_stop (the loop's signal events set it);
 * returns -1 on a system error.
 */
int	ping_run(struct ping *, struct loop *);
void	ping_summaries(struct ping *);
int	ping_add_resolver(struct ping *, struct loop *, int fd);
void	ping_free(struct ping *);
int64_t	mono_ns(void);
/* The error name of a send that the local kernel refused with errno err. */
const char *local_error_name(int family, int err);
/* A target answered for the first time: count it (and -a prints it). */
void	mark_alive(struct ping *, struct target *);
double	real_time(void);

#endif
