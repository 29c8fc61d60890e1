/*
 * clockshim.so: an LD_PRELOAD shim for the mping tests (never linked into
 * mping) that bends the clocks mping reads.
 *
 *	CLOCKSHIM_SPEED=K	CLOCK_MONOTONIC runs K times faster from the
 *				start, and epoll waits are K times shorter: a
 *				run of 65,537 rounds at -p 1 takes 1/K of the
 *				time (so does -w)
 *	CLOCKSHIM_STEP=S	CLOCK_REALTIME reads S seconds ahead of the
 *				kernel's: the wall clock stepped forward after
 *				the packets were stamped and before mping read
 *				them (as NTP or an admin does)
 *
 * Build: cc -shared -fPIC -o clockshim.so tests/clockshim.c -ldl
 */

#define _GNU_SOURCE

#include <sys/epoll.h>

#include <dlfcn.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

static int (*real_gettime)(clockid_t, struct timespec *);
static int64_t speed = 1, step, origin;

static int64_t
ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
}

static void
set_ns(struct timespec *ts, int64_t v)
{
	ts->tv_sec = v / 1000000000;
	ts->tv_nsec = v % 1000000000;
}

__attribute__((constructor)) static void
init(void)
{
	struct timespec ts;
	const char *s;

	real_gettime = (int (*)(clockid_t, struct timespec *))
	    dlsym(RTLD_NEXT, "clock_gettime");
	if ((s = getenv("CLOCKSHIM_SPEED")) != NULL && atoll(s) > 0)
		speed = atoll(s);
	if ((s = getenv("CLOCKSHIM_STEP")) != NULL)
		step = atoll(s) * 1000000000LL;
	real_gettime(CLOCK_MONOTONIC, &ts);
	origin = ns(&ts);
}

int
clock_gettime(clockid_t id, struct timespec *ts)
{
	int r = real_gettime(id, ts);

	if (r == 0 && id == CLOCK_MONOTONIC && speed > 1)
		set_ns(ts, origin + (ns(ts) - origin) * speed);
	else if (r == 0 && id == CLOCK_REALTIME && step)
		set_ns(ts, ns(ts) + step);
	return r;
}

int
epoll_pwait2(int fd, struct epoll_event *ev, int max,
    const struct timespec *timeout, const sigset_t *mask)
{
	static int (*real)(int, struct epoll_event *, int,
	    const struct timespec *, const sigset_t *);
	struct timespec ts;

	if (real == NULL)
		real = (int (*)(int, struct epoll_event *, int,
		    const struct timespec *, const sigset_t *))
		    dlsym(RTLD_NEXT, "epoll_pwait2");
	if (timeout && speed > 1) {
		set_ns(&ts, ns(timeout) / speed);
		timeout = &ts;
	}
	return real(fd, ev, max, timeout, mask);
}

int
epoll_pwait(int fd, struct epoll_event *ev, int max, int ms,
    const sigset_t *mask)
{
	static int (*real)(int, struct epoll_event *, int, int,
	    const sigset_t *);

	if (real == NULL)
		real = (int (*)(int, struct epoll_event *, int, int,
		    const sigset_t *))dlsym(RTLD_NEXT, "epoll_pwait");
	if (ms > 0 && speed > 1)
		ms = (int)((ms + speed - 1) / speed);
	return real(fd, ev, max, ms, mask);
}
