/* loop.h on Linux epoll. */
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "loop.h"

#define LOOP_MAX	8	/* two sockets, the resolver's and --names' pipes,
			   the signalfd, a file of targets being read */

struct handler {
	int	 fd;
	int	 quiet;		/* out of the interest list: run every poll */
	loop_fn	*fn;
	void	*arg;
};

struct loop {
	int		epfd;
	int		have_pwait2;
	int		sigfd;
	loop_sig_fn	*sig_fn;
	void		*sig_arg;
	struct handler	h[LOOP_MAX];
};

struct loop *
loop_create(void)
{
	struct loop *l;
	int i;

	if ((l = calloc(1, sizeof(*l))) == NULL)
		return NULL;
	if ((l->epfd = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		free(l);
		return NULL;
	}
	l->have_pwait2 = 1;
	l->sigfd = -1;
	for (i = 0; i < LOOP_MAX; i++)
		l->h[i].fd = -1;
	return l;
}

void
loop_free(struct loop *l)
{
	if (l == NULL)
		return;
	close(l->epfd);
	if (l->sigfd != -1)
		close(l->sigfd);
	free(l);
}

int
loop_add(struct loop *l, int fd, loop_fn *fn, void *arg)
{
	struct epoll_event ev = { 0 };
	int i;

	for (i = 0; i < LOOP_MAX && l->h[i].fd != -1; i++)
		;
	if (i == LOOP_MAX) {
		errno = ENOSPC;
		return -1;
	}
	/* EPOLLERR is always reported; we want it: it is the error queue. */
	ev.events = EPOLLIN;
	ev.data.u32 = (uint32_t)i;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) == -1)
		return -1;
	l->h[i].fd = fd;
	l->h[i].quiet = 0;
	l->h[i].fn = fn;
	l->h[i].arg = arg;
	return 0;
}

int
loop_del(struct loop *l, int fd)
{
	int i;

	for (i = 0; i < LOOP_MAX; i++)
		if (l->h[i].fd == fd) {
			l->h[i].fd = -1;
			if (l->h[i].quiet)
				return 0;
			return epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
		}
	errno = ENOENT;
	return -1;
}

int
loop_quiet(struct loop *l, int fd, int on)
{
	struct epoll_event ev = { 0 };
	int i;

	for (i = 0; i < LOOP_MAX && l->h[i].fd != fd; i++)
		;
	if (i == LOOP_MAX || fd == -1) {
		errno = ENOENT;
		return -1;
	}
	if (l->h[i].quiet == !!on)
		return 0;
	ev.events = EPOLLIN;
	ev.data.u32 = (uint32_t)i;
	if (epoll_ctl(l->epfd, on ? EPOLL_CTL_DEL : EPOLL_CTL_ADD, fd,
	    &ev) == -1)
		return -1;
	l->h[i].quiet = !!on;
	return 0;
}

static void
on_signalfd(void *arg, int fd, unsigned events)
{
	struct loop *l = arg;
	struct signalfd_siginfo si[8];
	ssize_t n, i;

	(void)events;
	while ((n = read(fd, si, sizeof(si))) > 0)
		for (i = 0; i < n / (ssize_t)sizeof(si[0]); i++)
			l->sig_fn(l->sig_arg, (int)si[i].ssi_signo);
}

/*
 * Why not the signal mask of epoll_pwait: it lets a signal in only when
 * the call sleeps.  With a timeout of 0, or a descriptor already ready,
 * the kernel restores the mask before it delivers anything, so a loop that
 * always has something due never takes a signal at all.  A signalfd is a
 * descriptor like the others: epoll reports it whatever the timeout.  The
 * signals stay blocked (a blocked signal is queued even when its action is
 * to ignore it, as a background job's SIGINT is) and are read here.
 */
int
loop_signals(struct loop *l, const sigset_t *set, loop_sig_fn *fn, void *arg)
{
	l->sigfd = signalfd(-1, set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (l->sigfd == -1)
		return -1;
	l->sig_fn = fn;
	l->sig_arg = arg;
	return loop_add(l, l->sigfd, on_signalfd, l);
}

static int
wait_events(struct loop *l, struct epoll_event *ev, int max,
    int64_t timeout_ns)
{
	struct timespec ts;
	int n, ms;

	if (l->have_pwait2) {
		ts.tv_sec = timeout_ns / 1000000000;
		ts.tv_nsec = timeout_ns % 1000000000;
		n = epoll_pwait2(l->epfd, ev, max, timeout_ns < 0 ? NULL : &ts,
		    NULL);
		if (n != -1 || errno != ENOSYS)
			return n;
		l->have_pwait2 = 0;	/* kernels before 5.11 */
	}
	if (timeout_ns < 0)
		ms = -1;
	else if (timeout_ns > (int64_t)1000 * 86400000)
		ms = 86400000;
	else	/* round up, or we would wake early and spin */
		ms = (int)((timeout_ns + 999999) / 1000000);
	return epoll_wait(l->epfd, ev, max, ms);
}

int
loop_poll(struct loop *l, int64_t timeout_ns)
{
	struct epoll_event ev[LOOP_MAX];
	struct handler *h;
	unsigned what;
	int i, n;

	n = wait_events(l, ev, LOOP_MAX, timeout_ns);
	for (i = 0; i < n; i++) {
		h = &l->h[ev[i].data.u32];
		if (h->fd == -1)
			continue;
		what = 0;
		if (ev[i].events & (EPOLLIN | EPOLLHUP))
			what |= LOOP_IN;
		if (ev[i].events & EPOLLERR)
			what |= LOOP_ERR;
		h->fn(h->arg, h->fd, what);
	}
	for (i = 0; i < LOOP_MAX; i++)
		if (l->h[i].fd != -1 && l->h[i].quiet)
			l->h[i].fn(l->h[i].arg, l->h[i].fd, LOOP_IN | LOOP_ERR);
	return n;
}
