/* ICMP sockets: one per address family, raw where allowed, else datagram. */
#ifndef MPING_SOCK_H
#define MPING_SOCK_H

#include <sys/socket.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"

struct sock {
	int	 fd;
	int	 family;
	int	 raw;		/* raw socket (else Linux ping socket) */
	uint16_t id;		/* our echo id (raw only; ping sockets pick) */
	int	 ttl;		/* TTL / hop limit set now, -1: default */
};

/* A received packet or error-queue message. */
struct rx {
	uint8_t			*buf;
	size_t			 len;
	struct sockaddr_storage	 from;	/* source, or errqueue: original dst */
	int64_t			 when;		/* receive time, monotonic ns */
	int			 ttl;
	/* error queue only */
	int			 is_err;
	int			 ee_origin_local;
	int			 ee_errno;
	uint8_t			 ee_type, ee_code;
	uint32_t		 ee_info;
	struct sockaddr_storage	 offender;
	int			 has_offender;
};

/*
 * Open the family's socket.  Returns 0, or -1 with errno and a message in
 * err (EPERM/EACCES mean neither raw nor ping sockets are allowed).
 */
int	sock_open(struct sock *, int family, const struct conf *, char *err,
	    size_t errlen);
int	sock_set_ttl(struct sock *, int ttl);
/* Receive up to max packets; returns how many (0 when none are waiting). */
int	sock_recv(struct sock *, struct rx *, int max);
int	sock_recv_err(struct sock *, struct rx *);

#endif
