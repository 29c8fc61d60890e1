/*
 * Concurrent name resolution that never blocks the loop.  Names are handed
 * to glibc's getaddrinfo_a; each completion writes the request's number to
 * a pipe the event loop watches, so resolved targets join the run while
 * slower names are still being looked up.
 */
#ifndef MPING_RESOLVE_H
#define MPING_RESOLVE_H

#include <sys/socket.h>
#include <stdint.h>

struct resolver;

/* order: what resolver_add was given with the name. */
typedef void	resolve_done_fn(void *arg, const char *name, uint32_t order,
		    const struct sockaddr *sa, const char *error);

struct resolver	*resolver_create(int family, resolve_done_fn *, void *arg);
/* -m: report every address of a name (each once), not the first only. */
void		 resolver_all(struct resolver *, int all);
/* Failures as gai_strerror words them ("Name or service not known"), as
 * fping prints them; else mping's own words. */
void		 resolver_gai_words(struct resolver *, int on);
int		 resolver_add(struct resolver *, const char *name,
		    uint32_t order);
/*
 * Resolve a name again (--resolve-every): its answer goes to the function
 * resolver_on_again set (order: the target given here), -m or not, the
 * first address only.
 */
int		 resolver_again(struct resolver *, const char *name,
		    uint32_t target);
void		 resolver_on_again(struct resolver *, resolve_done_fn *);
/*
 * Fire the requests added since the last start (it may be called again
 * while earlier ones are still under way); returns the fd to watch (the
 * same every time), -1 if there never was a name, -2 (errno set) if they
 * cannot be started (no pipe, no thread).
 */
int		 resolver_start(struct resolver *);
/* Called when the fd is readable: reports finished names. */
void		 resolver_read(struct resolver *);
unsigned	 resolver_pending(const struct resolver *);
/* Whether a lookup failed because the process had no descriptor left
 * (the name is reported as failed; the run ends with exit status 4). */
int		 resolver_no_fds(const struct resolver *);
/* Names added (since the last time all had finished), started or not. */
unsigned	 resolver_count(const struct resolver *);
/* Report every unfinished name as such (at the end of a run). */
void		 resolver_abandon(struct resolver *);
void		 resolver_free(struct resolver *);

#endif
