#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "resolve.h"

struct request {
	struct gaicb	 cb;
	struct addrinfo	 hints;
	struct resolver	*r;
	uint32_t	 no;
	uint32_t	 order;
	int		 done;
	int		 again;		/* a name resolved again: order is
					   its target (resolver_again) */
};

/*
 * Requests are allocated one by one: the array of pointers may grow while
 * glibc's threads hold their requests.  Once every request has finished,
 * the next one added starts the array afresh (a name resolved again every
 * few minutes must not grow it for ever).
 */
struct resolver {
	struct request	**req;
	uint32_t	 n, cap;
	uint32_t	 started;	/* req[0 .. started-1] were fired */
	unsigned	 pending;
	int		 family;
	int		 no_fds;	/* a lookup failed for want of them */
	int		 all;		/* every address, not the first */
	int		 gai_words;	/* errors in getaddrinfo's words */
	int		 pfd[2];
	resolve_done_fn	*done, *again_done;
	void		*arg;
};

struct resolver *
resolver_create(int family, resolve_done_fn *done, void *arg)
{
	struct resolver *r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->family = family;
	r->done = done;
	r->arg = arg;
	r->pfd[0] = r->pfd[1] = -1;
	return r;
}

void
resolver_all(struct resolver *r, int all)
{
	r->all = all;
}

void
resolver_gai_words(struct resolver *r, int on)
{
	r->gai_words = on;
}

/* An address of ai that an earlier entry of the list already gave. */
static int
seen_before(const struct addrinfo *list, const struct addrinfo *ai)
{
	for (; list != ai; list = list->ai_next)
		if (list->ai_addrlen == ai->ai_addrlen &&
		    memcmp(list->ai_addr, ai->ai_addr, ai->ai_addrlen) == 0)
			return 1;
	return 0;
}

/* Every request has finished (and its number was read): start afresh. */
static void
recycle(struct resolver *r)
{
	uint32_t i;

	if (r->pending || r->started < r->n)
		return;
	for (i = 0; i < r->n; i++) {
		free((char *)r->req[i]->cb.ar_name);
		free(r->req[i]);
	}
	r->n = r->started = 0;
}

static int
add_request(struct resolver *r, const char *name, uint32_t order, int again)
{
	struct request **a, *q;
	uint32_t cap;

	recycle(r);
	if (r->n == r->cap) {
		cap = r->cap ? r->cap * 2 : 64;
		if ((a = realloc(r->req, cap * sizeof(*a))) == NULL)
			return -1;
		r->req = a;
		r->cap = cap;
	}
	if ((q = calloc(1, sizeof(*q))) == NULL)
		return -1;
	if ((q->cb.ar_name = strdup(name)) == NULL) {
		free(q);
		return -1;
	}
	q->order = order;
	q->again = again;
	q->no = r->n;
	r->req[r->n++] = q;
	return 0;
}

int
resolver_add(struct resolver *r, const char *name, uint32_t order)
{
	return add_request(r, name, order, 0);
}

int
resolver_again(struct resolver *r, const char *name, uint32_t target)
{
	return add_request(r, name, target, 1);
}

void
resolver_on_again(struct resolver *r, resolve_done_fn *fn)
{
	r->again_done = fn;
}

/*
 * Runs on a thread of glibc's, started after the lookup is complete: it may
 * only write to the pipe.  A write of 4 bytes to a pipe is atomic (less
 * than PIPE_BUF).  Once the number is in the pipe, main may finish the
 * request and free every request and the resolver while this thread is
 * still inside write() (ASan's interceptor reads the buffer after the
 * system call): so the write reads only copies on this thread's stack.
 * Nothing else of ours is touched after the completion: glibc's worker
 * only dequeues its own record.
 */
static void
notify(union sigval v)
{
	const struct request *q = v.sival_ptr;
	uint32_t no = q->no;
	int fd = q->r->pfd[1];
	ssize_t n;

	do
		n = write(fd, &no, sizeof(no));
	while (n == -1 && errno == EINTR);
}

/*
 * Can the process open n more descriptors?  A lookup needs its own (the
 * hosts file, a DNS socket), and glibc reports a lookup that had none as
 * a name that does not resolve.
 */
static int
fds_left(int n)
{
	int fd[4], i, ok = 1;

	for (i = 0; i < n && i < 4; i++)
		if ((fd[i] = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 0)) == -1) {
			ok = errno != EMFILE && errno != ENFILE;
			break;
		}
	while (i-- > 0)
		close(fd[i]);
	return ok;
}

/* Fire one request; -1 (errno set) when glibc cannot take it. */
static int
fire(struct resolver *r, struct request *q)
{
	struct gaicb *list[1];
	struct sigevent sev;

	q->r = r;
	q->hints.ai_family = r->family;
	q->hints.ai_socktype = SOCK_DGRAM;
	/* No AI_ADDRCONFIG: it ignores loopback, so a host (or a
	 * namespace) with only loopback could resolve nothing. */
	q->cb.ar_request = &q->hints;
	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_THREAD;
	sev.sigev_notify_function = notify;
	sev.sigev_value.sival_ptr = q;
	list[0] = &q->cb;
	/* EAI_AGAIN or EAI_MEMORY: no thread or no memory for it.  The
	 * requests already started keep theirs. */
	if (getaddrinfo_a(GAI_NOWAIT, list, 1, &sev) != 0) {
		errno = EAGAIN;
		return -1;
	}
	r->pending++;
	return 0;
}

int
resolver_start(struct resolver *r)
{
	if (r->n == 0 && r->pfd[0] == -1)
		return -1;
	if (r->pfd[0] == -1) {
		if (pipe2(r->pfd, O_CLOEXEC) == -1)
			return -2;
		/* Only our end: a full pipe must block the writer, not
		 * lose it. */
		fcntl(r->pfd[0], F_SETFL, O_NONBLOCK);
	}
	/* Room for a lookup's own descriptor, or none could succeed. */
	if (r->started < r->n && !fds_left(1)) {
		errno = EMFILE;
		return -2;
	}
	for (; r->started < r->n; r->started++)
		if (fire(r, r->req[r->started]) == -1)
			return -2;
	return r->pfd[0];
}

static const char *
why_failed(struct resolver *r, int e)
{
	if (!fds_left(1)) {
		r->no_fds = 1;
		return "name lookup failed: too many open files";
	}
	if ((e == EAI_NONAME || e == EAI_NODATA) && !r->gai_words)
		return r->family ? "no address of the requested family" :
		    "name does not resolve";
	return gai_strerror(e);
}

static void
finish(struct resolver *r, struct request *q)
{
	struct addrinfo *ai = q->cb.ar_result, *p;
	int e = gai_error(&q->cb);

	if (q->done || e == EAI_INPROGRESS)
		return;
	q->done = 1;
	r->pending--;
	if (q->again && r->again_done)
		r->again_done(r->arg, q->cb.ar_name, q->order, e || !ai ?
		    NULL : ai->ai_addr, e || !ai ? why_failed(r, e) : NULL);
	else if (q->again)
		;
	else if (e != 0 || ai == NULL)
		r->done(r->arg, q->cb.ar_name, q->order, NULL,
		    why_failed(r, e));
	else if (!r->all)
		r->done(r->arg, q->cb.ar_name, q->order, ai->ai_addr,
		    NULL);
	else
		for (p = ai; p; p = p->ai_next)
			if (!seen_before(ai, p))
				r->done(r->arg, q->cb.ar_name, q->order,
				    p->ai_addr, NULL);
	if (ai)
		freeaddrinfo(ai);
	q->cb.ar_result = NULL;
}

void
resolver_read(struct resolver *r)
{
	uint32_t no[256];
	ssize_t n;
	ssize_t i;

	while ((n = read(r->pfd[0], no, sizeof(no))) > 0)
		for (i = 0; i < n / (ssize_t)sizeof(no[0]); i++)
			if (no[i] < r->n)
				finish(r, r->req[no[i]]);
}

int
resolver_no_fds(const struct resolver *r)
{
	return r ? r->no_fds : 0;
}

unsigned
resolver_count(const struct resolver *r)
{
	return r ? r->n : 0;
}

unsigned
resolver_pending(const struct resolver *r)
{
	return r ? r->pending : 0;
}

void
resolver_abandon(struct resolver *r)
{
	uint32_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++) {
		struct request *q = r->req[i];

		if (q->done || q->r == NULL)
			continue;
		q->done = 1;
		r->pending--;
		/* A name resolved again keeps the address it had. */
		if (!q->again)
			r->done(r->arg, q->cb.ar_name, q->order, NULL,
			    "name lookup did not finish");
	}
}

void
resolver_free(struct resolver *r)
{
	uint32_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n; i++) {
		free((char *)r->req[i]->cb.ar_name);
		free(r->req[i]);
	}
	free(r->req);
	if (r->pfd[0] != -1) {
		close(r->pfd[0]);
		close(r->pfd[1]);
	}
	free(r);
}
