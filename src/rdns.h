/*
 * Reverse names for --trace --names without blocking the loop: libc's
 * getnameinfo() blocks, so a few worker processes call it and answer
 * through a pipe.  Answers are cached; each address is asked once.
 */
#ifndef MPING_RDNS_H
#define MPING_RDNS_H

#include <stdint.h>

struct rdns;

/* Fork the workers (after privileges are dropped); NULL on failure. */
struct rdns	*rdns_start(int workers);
/* The descriptor the loop watches for answers. */
int		 rdns_fd(const struct rdns *);
/*
 * 1 when the answer is known (*name is NULL if the address has none),
 * 0 while it is being looked up (the first call asks a worker).
 */
int		 rdns_lookup(struct rdns *, int family, const uint8_t addr[16],
		    const char **name);
/* Take the answers that arrived; returns how many. */
int		 rdns_read(struct rdns *);
void		 rdns_free(struct rdns *);

#endif
