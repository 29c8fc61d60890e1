/*
 * Sockets: one per address family per probe method (the method opens it,
 * raw where allowed, else datagram), batches of sends and receives.
 */
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
	uint16_t local_port;	/* bind to it (UDP --flow), 0: any; raw
				   TCP and UDP: the port hold_fd holds */
	/* Raw TCP and UDP only, else 0 (descriptors 0 to 2 are never ours:
	 * main.c opens /dev/null on a closed one): a socket holding our
	 * source port, so no other socket of the host gets it, and one to
	 * ask the routing table our source address with (srcaddr.h). */
	int	 hold_fd, route_fd;
	int	 ttl;		/* TTL / hop limit set now, -1: default */
	int	 ttl_conf;	/* the run's (--ttl), -1: the kernel's */
	/* Each datagram may carry its own TTL as a control message (else a
	 * batch has one, set on the socket: see method_send). */
	int	 ttl_each;
	uint32_t drops;		/* datagrams the kernel dropped, so far seen */
	int64_t	 emptied;	/* monotonic ns: a read left the queue empty */
};

/* A received packet or error-queue message. */
struct rx {
	uint8_t			*buf;
	size_t			 len;
	struct sockaddr_storage	 from;	/* source, or errqueue: original dst */
	int64_t			 when;		/* arrival, monotonic ns */
	int64_t			 read;		/* when we read it */
	int64_t			 real;		/* arrival, Unix ns */
	int			 ttl;
	int			 tos;	/* TOS / traffic class, -1 */
	/* error queue only */
	int			 is_err;
	int			 ee_origin_local;
	int			 ee_errno;
	uint8_t			 ee_type, ee_code;
	uint32_t		 ee_info;
	struct sockaddr_storage	 offender;
	int			 has_offender;
};

/* One outgoing datagram of a batch. */
struct tx {
	uint8_t			*buf;
	size_t			 len;
	struct sockaddr_storage	 to;
	socklen_t		 tolen;
	int			 ttl;	/* 0: the socket's, else this one's */
	int			 err;	/* set by sock_send_batch */
};

/*
 * Most datagrams per sock_send_batch.  16 saves nearly all the system
 * calls 64 would, and keeps what a probe's RTT may include of the sends
 * before it in its batch small.
 */
#define TX_BATCH	16

/*
 * A socket a method opened (fd, family, raw and id set): options from the
 * command line, receive buffer, stamps, source and interface.  Returns 0,
 * or -1 with errno and a message in err, the socket closed.
 */
int	sock_setup(struct sock *, const struct conf *, char *err,
	    size_t errlen);
/* Bind fd to -S and to port (0: any) of s's family; 0, or -1 and err. */
int	sock_bind(const struct sock *, int fd, uint16_t port,
	    const struct conf *, char *err, size_t errlen);
/* Close s and what it holds (hold_fd, route_fd). */
void	sock_close(struct sock *);
/* The error name of a send that the local kernel refused with errno err. */
const char *sock_error_name(int family, int err);
int	sock_set_ttl(struct sock *, int ttl);
/* Receive up to max packets; returns how many (0 when none are waiting). */
int	sock_recv(struct sock *, struct rx *, int max);
/* The same from the error queue (IP_RECVERR): rx[i].is_err says which
 * messages are errors with their details. */
int	sock_recv_err(struct sock *, struct rx *, int max);
/*
 * Send tx[0..n) (n <= TX_BATCH) with as few system calls as the kernel
 * allows, each with its own TTL (tx.ttl: a control message; with
 * s->ttl_each only).  Returns how many were dealt with, in order: each either sent
 * (err 0) or refused for good (err is its errno, e.g. EHOSTUNREACH).  A
 * return below n means the kernel's queue is full (errno EAGAIN, ENOBUFS
 * or EINTR): tx[ret..n) were not sent and may be sent again later.
 */
int	sock_send_batch(struct sock *, struct tx *, int n);
/* The route MTU to a destination (after a local EMSGSIZE), or -1. */
long	sock_path_mtu(const struct sock *, const struct conf *,
	    const struct sockaddr_storage *to, socklen_t tolen);
/* Datagrams the kernel dropped for want of receive buffer, in all. */
uint32_t sock_drops(struct sock *);

#endif
