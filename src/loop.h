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
 * Wait up to timeout_ns (-1: no limit) and run the callbacks of ready
 * descriptors.  Signals are unblocked to sigmask only during the wait, so
 * a signal that arrives while the caller works is never lost between its
 * check and the wait.  Returns the number of ready descriptors, 0 on
 * timeout, -1 with errno EINTR when a signal came.
 */
int		 loop_poll(struct loop *, int64_t timeout_ns,
		    const sigset_t *sigmask);

#endif
