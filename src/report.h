/*
 * The one place that turns what happened into records: a target's part of
 * a record (its name, address, place and the time), its counts so far,
 * an answer's part (who sent it, its error), and -a's first answer.
 */
#ifndef MPING_REPORT_H
#define MPING_REPORT_H

#include <netinet/in.h>
#include <stdint.h>

#include "answer.h"
#include "conf.h"
#include "out.h"
#include "targets.h"

#define REPORT_ADDRLEN	(INET6_ADDRSTRLEN + 8)

/* The strings a record points into while it is written. */
struct rec_text {
	char	name[REPORT_ADDRLEN], addr[REPORT_ADDRLEN];
	char	from[REPORT_ADDRLEN];
};

struct report {
	struct out		*out;
	struct targets		*tg;
	const struct conf	*c;
	uint32_t		 answered;	/* targets that answered */
	long			 name_width;	/* widest target (fping) */
	double			 at;	/* >0: the time of every record made
					   now (a run's summaries: one clock
					   read, not one a target) */
};

double	real_time(void);
/* A record of type about target t, its strings in txt. */
void	report_target(const struct report *, struct record *, enum rec_type,
	    const struct target *, struct rec_text *);
/* The target's counts so far: summaries and per-probe events. */
void	report_counts(const struct report *, const struct target *,
	    struct record *);
/* RTT min/avg/max/stddev and jitter of s (NaN: none). */
void	report_rtts(const struct stats *, struct record *);
/* Who answered and with what error, into a record report_target made
 * for target t. */
void	report_answer(const struct report *, const struct target *t,
	    struct record *, const struct answer *, struct rec_text *);
/*
 * A port's state ("open", "closed", NULL: none) as a small number, for
 * tables that keep one per probe or per target, and back.
 */
enum { PORT_NONE, PORT_OPEN, PORT_CLOSED };
int	port_state_code(const char *);
const char *port_state_name(int);
/* The latest counted answer's state (if it has one) kept for t. */
void	report_keep_state(struct target *, const char *state);
/* The state kept for t: "open", "closed" or NULL. */
const char *report_port_state(const struct target *);
/* A target answered for the first time: count it (and -a prints it). */
void	report_alive(struct report *, struct target *);
/* -u: the targets that never answered, in the order given. */
void	report_unreachable(const struct report *);
/* The run's first and last records, and a target that cannot be used. */
void	report_start(const struct report *);
void	report_end(const struct report *, long dropped, int status);
void	report_bad(const struct report *, const char *shown,
	    const char *reason);

#endif
