/*
 * failsend.so: an LD_PRELOAD shim for the mping tests (never linked into
 * mping) that makes sends on ICMP sockets fail now and then, the way a full
 * socket buffer or qdisc does.  Other sockets (a resolver's, say) are left
 * alone.
 *
 *	FAILSEND_EVERY=N	every Nth ICMP message fails (0, the default:
 *				none)
 *	FAILSEND_ERRNO=NAME	ENOBUFS (default), EAGAIN or EINTR
 *	FAILSEND_MMSG=MODE	how sendmmsg() fails: "whole" (default): every
 *				Nth call fails with -1, each call counting as
 *				one message (a batch of N or more would
 *				otherwise never get through); "short": every
 *				Nth message fails, the messages before it are
 *				sent and their count returned (-1 if it is the
 *				first), as the kernel does
 *	FAILSEND_LOG=FILE	kept up to date with one line
 *				"sent=S failed=F" (messages), opened at load
 *				time so that a privilege drop does not matter
 *
 * sendto(), sendmsg() and sendmmsg() are intercepted.  A failed message
 * (or call) uses up its place in the count, so the retry goes through.
 *
 * Build: cc -shared -fPIC -o failsend.so tests/failsend.c -ldl
 */

#define _GNU_SOURCE

#include <sys/socket.h>
#include <sys/types.h>

#include <netinet/in.h>

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef ssize_t	(*sendto_fn)(int, const void *, size_t, int,
		    const struct sockaddr *, socklen_t);
typedef ssize_t	(*sendmsg_fn)(int, const struct msghdr *, int);
typedef int	(*sendmmsg_fn)(int, struct mmsghdr *, unsigned int, int);

static unsigned long	every;
static int		fail_errno = ENOBUFS;
static int		mmsg_short;
static int		logfd = -1;
static unsigned long	nseen, nsent, nfailed;

__attribute__((constructor))
static void
failsend_init(void)
{
	const char	*s;

	if ((s = getenv("FAILSEND_EVERY")) != NULL)
		every = strtoul(s, NULL, 10);
	if ((s = getenv("FAILSEND_ERRNO")) != NULL) {
		if (strcmp(s, "EAGAIN") == 0)
			fail_errno = EAGAIN;
		else if (strcmp(s, "EINTR") == 0)
			fail_errno = EINTR;
	}
	if ((s = getenv("FAILSEND_MMSG")) != NULL && strcmp(s, "short") == 0)
		mmsg_short = 1;
	if ((s = getenv("FAILSEND_LOG")) != NULL)
		logfd = open(s, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
}

static void *
real(const char *name)
{
	void	*f;

	if ((f = dlsym(RTLD_NEXT, name)) == NULL)
		abort();
	return f;
}

static int
is_icmp(int fd)
{
	int		proto;
	socklen_t	len = sizeof(proto);

	if (getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &proto, &len) == -1)
		return 0;
	return proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6;
}

/* Fixed width, rewritten in place: the file is right even after _exit. */
static void
log_counts(void)
{
	char	line[64];
	int	n;

	if (logfd == -1)
		return;
	n = snprintf(line, sizeof(line), "sent=%-10lu failed=%-10lu\n",
	    nsent, nfailed);
	if (n > 0 && pwrite(logfd, line, (size_t)n, 0) == -1)
		return;
}

/* Whether the next ICMP message is one to fail. */
static int
next_fails(void)
{
	nseen++;
	return every > 0 && nseen % every == 0;
}

/* A refused call: counted and logged, errno as configured. */
static int
refuse(void)
{
	nfailed++;
	log_counts();
	errno = fail_errno;
	return -1;
}

/* What a real single-message send returned, counted if it went out. */
static ssize_t
counted(int fd, ssize_t n)
{
	int saved = errno;

	if (n >= 0 && is_icmp(fd)) {
		nsent++;
		log_counts();
	}
	errno = saved;
	return n;
}

ssize_t
sendto(int fd, const void *buf, size_t len, int flags,
    const struct sockaddr *to, socklen_t tolen)
{
	if (is_icmp(fd) && next_fails())
		return refuse();
	return counted(fd,
	    ((sendto_fn)real("sendto"))(fd, buf, len, flags, to, tolen));
}

ssize_t
sendmsg(int fd, const struct msghdr *msg, int flags)
{
	if (is_icmp(fd) && next_fails())
		return refuse();
	return counted(fd, ((sendmsg_fn)real("sendmsg"))(fd, msg, flags));
}

int
sendmmsg(int fd, struct mmsghdr *vec, unsigned int vlen, int flags)
{
	sendmmsg_fn	 f = (sendmmsg_fn)real("sendmmsg");
	unsigned int	 i;
	int		 n, saved;

	if (!is_icmp(fd))
		return f(fd, vec, vlen, flags);
	if (!mmsg_short) {
		/* The whole call fails: it counts as one message. */
		if (next_fails())
			return refuse();
	} else {
		/* Send the messages before the first one that fails. */
		for (i = 0; i < vlen; i++)
			if (next_fails())
				break;
		if (i < vlen) {
			if (i == 0)
				return refuse();
			nfailed++;
			vlen = i;
		}
	}
	n = f(fd, vec, vlen, flags);
	saved = errno;
	if (n > 0)
		nsent += (unsigned long)n;
	log_counts();
	errno = saved;
	return n;
}
