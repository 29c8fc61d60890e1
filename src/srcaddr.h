/*
 * The source address the kernel would give a packet to a destination: a
 * raw socket's TCP and UDP checksums cover it (the pseudo-header), and
 * only the routing table knows it.  Asked once per destination of a
 * direct-mapped cache: connect() a UDP socket (nothing is sent, no name
 * is resolved) and getsockname() it.  The socket carries the run's -S and
 * -I (sock_setup), so the answer is the route the probes take.
 */
#ifndef MPING_SRCADDR_H
#define MPING_SRCADDR_H

#include <sys/socket.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"

#define SRCADDR_SLOTS	4096

struct srcaddr_slot {
	uint8_t	 dst[16];
	uint8_t	 src[16];
	uint32_t scope;		/* IPv6 link-local: the interface */
	int	 used;
};

/* The cache: SRCADDR_SLOTS slots, both families. */
struct srcaddr {
	struct srcaddr_slot	*slot;
	/* -S: the source of every packet of its family, no question asked */
	uint8_t			 fixed[16];
	int			 fixed_family;
};

/*
 * The family's socket to ask with, opened before privileges are dropped
 * (-I may need them): its descriptor, or -1 with errno and err.
 */
int	srcaddr_socket(int family, const struct conf *, char *err,
	    size_t errlen);
int	srcaddr_init(struct srcaddr *, const struct conf *);
void	srcaddr_free(struct srcaddr *);
/*
 * The source address toward to, asking through fd (srcaddr_socket of
 * to's family): 16 bytes, v4-mapped for IPv4.  0, or -1 with errno when
 * there is no route (the send will fail the same way).
 */
int	srcaddr_get(struct srcaddr *, int fd,
	    const struct sockaddr_storage *to, uint8_t src[16]);

#endif
