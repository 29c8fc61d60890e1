/*
 * Routers' ICMP budgets: how fast each responding router may be asked
 * before its answers are rate-limited, learnt from its answers.  A small
 * open-addressed table keyed by address, sized once: no allocation per
 * probe, and a full table just stops learning (probes to routers not in
 * it are not paced).
 */
#ifndef MPING_BUDGET_H
#define MPING_BUDGET_H

#include <stdint.h>

#define BUDGET_NONE	0xffff

struct budget;

/* A table for up to cap routers (cap < 32768); NULL: no memory. */
struct budget	*budget_new(unsigned cap);
void		 budget_free(struct budget *);
/* Its index, added if new (BUDGET_NONE: table full). */
unsigned	 budget_add(struct budget *, const uint8_t addr[16], int64_t now);
/*
 * One answer of router i reserved for a probe: the time it may leave
 * (now, or later when the router's budget is spent), or -1: not within
 * horizon ns (nothing reserved).  *test: the probe goes on trial, beyond
 * the budget, to learn whether the router allows more.
 */
int64_t		 budget_take(struct budget *, unsigned i, int64_t now,
		    int64_t horizon, int *test);
/* When a probe that got -1 from budget_take asks again: now + horizon,
 * or sooner while router i's trials may free it. */
int64_t		 budget_retake(const struct budget *, unsigned i, int64_t now,
		    int64_t horizon);
/*
 * Router i answered with an error a reject route sends (unreachable),
 * before any other answer: Linux's ip_error takes route.error_cost (a
 * second, whatever the ICMP limits) from the same budget before
 * icmp_send takes its token, even when icmp_send then refuses, so such a
 * router is paced at a fixed two seconds an answer, two saved, and
 * never learnt faster.  (Call it before budget_spent or budget_paced.)
 */
void		 budget_reject(struct budget *, unsigned i, int64_t now);
/* Router i answered a probe paced for it, at now. */
void		 budget_paced(struct budget *, unsigned i, int64_t now);
/* Router i answered a probe that took nothing from its budget. */
void		 budget_spent(struct budget *, unsigned i, int64_t now);
/*
 * The outcome of a probe on trial: answered (1; its answer is then also
 * budget_spent's) or not (0).  1: its silence is of our own doing (not
 * the path's loss: ask again); 0: answered, or lost on a lossy path.
 */
int		 budget_trial(struct budget *, unsigned i, int answered);
/* Router i answered a probe sent at sent (the probe's clock), at a
 * time the model did not choose: on trial, not paced, or paced on
 * savings (budget_take gave it now, not a token's time). */
void		 budget_heard(struct budget *, unsigned i, int64_t sent);
/*
 * A probe paced for router i (on trial, if trial), sent at sent, went
 * unanswered.  1: the router answered a probe sent just after it
 * (budget_heard), which a router out of tokens cannot: the path lost it
 * (the router is lossy; a trial is taken back).  0: budget_trial or
 * budget_silent judge it.
 */
int		 budget_lost(struct budget *, unsigned i, int64_t sent,
		    int trial);
/* The probe on trial at router i will not go. */
void		 budget_untried(struct budget *, unsigned i);
/*
 * Router i, which answered before, left a paced probe sent at sent
 * without answer (known at now).  1: a silence of our own doing (the
 * model assumed savings the router did not have), to be asked again.
 */
int		 budget_silent(struct budget *, unsigned i, int64_t sent,
		    int64_t now);

#endif
