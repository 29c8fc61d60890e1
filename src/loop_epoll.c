/* loop.h on Linux epoll. */
#include <sys/epoll.h>
#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "loop.h"

#define LOOP_MAX	8	/* two sockets and the resolver's pipe */

struct handler {
	int	 fd;
	loop_fn	*fn;
	void	*arg;
};

struct loop {
	int		epfd;
	int		have_pwait2;
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
			return epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
		}
	errno = ENOENT;
	return -1;
}

static int
wait_events(struct loop *l, struct epoll_event *ev, int max,
    int64_t timeout_ns, const sigset_t *sigmask)
{
	struct timespec ts;
	int n, ms;

	if (l->have_pwait2) {
		ts.tv_sec = timeout_ns / 1000000000;
		ts.tv_nsec = timeout_ns % 1000000000;
		n = epoll_pwait2(l->epfd, ev, max, timeout_ns < 0 ? NULL : &ts,
		    sigmask);
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
	return epoll_pwait(l->epfd, ev, max, ms, sigmask);
}

int
loop_poll(struct loop *l, int64_t timeout_ns, const sigset_t *sigmask)
{
	struct epoll_event ev[LOOP_MAX];
	struct handler *h;
	unsigned what;
	int i, n;

	n = wait_events(l, ev, LOOP_MAX, timeout_ns, sigmask);
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
	return n;
}
