/*
 * The event loop: file descriptor callbacks and a timed wait.  Each kernel
 * mechanism lives in one small file behind these functions (loop_epoll.c;
 * a kqueue backend would be loop_kqueue.c).  Timers are not the loop's
 * business: the scheduler knows its next deadline and passes it to
 * loop_poll, which keeps the loop O(1) whatever the number of probes.
 */
#ifndef MPING_LOOP_H
#define MPING_LOOP_H

#include <signal.h>
#include <stdint.h>

#define LOOP_IN		0x1	/* readable */
#define LOOP_ERR	0x2	/* error queue has something (EPOLLERR) */

struct loop;
typedef void	loop_fn(void *arg, int fd, unsigned events);

struct loop	*loop_create(void);
void		 loop_free(struct loop *);
int		 loop_add(struct loop *, int fd, loop_fn *, void *arg);
int		 loop_del(struct loop *, int fd);

/*
 * Quiet a descriptor (on 1) for a caller that reads it at every turn
 * anyway, as a sweep sending as fast as it can does: it leaves the
 * kernel's interest list, and loop_poll runs its callback at every call
 * (LOOP_IN | LOOP_ERR), ready or not.  Why: while a socket is in an epoll
 * set, every datagram it receives, and every one it sent that the device
 * frees, wakes its wait queue, which takes two locks with interrupts off
 * (the queue's and epoll's) per packet, even when nobody sleeps.  on 0
 * puts it back before the caller waits; what came meanwhile is reported
 * at once.
 */
int		 loop_quiet(struct loop *, int fd, int on);

/*
 * Signals as events: each signal of set that comes runs fn from
 * loop_poll, like a ready descriptor, also when loop_poll does not wait
 * (timeout 0) and however busy the caller is.  The caller blocks set in
 * every thread before it starts any; the signals stay blocked for good, so
 * one that comes while the caller works waits for the next loop_poll and
 * is never lost between the caller's check and the wait.  On epoll this
 * is a signalfd; a kqueue backend would use EVFILT_SIGNAL.
 */
typedef void	loop_sig_fn(void *arg, int sig);
int		 loop_signals(struct loop *, const sigset_t *set, loop_sig_fn *,
		    void *arg);

/*
 * Wait up to timeout_ns (-1: no limit) and run the callbacks of ready
 * descriptors and signals.  Returns the number of ready descriptors, 0 on
 * timeout, -1 on error.
 */
int		 loop_poll(struct loop *, int64_t timeout_ns);

#endif
