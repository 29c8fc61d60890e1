/*
 * short_send.so: an LD_PRELOAD shim for tests.  sendmmsg behaves like a
 * kernel whose queue is nearly full: every third call fails with ENOBUFS
 * and sends nothing; the others send only the first 1, 2 or 3 messages of
 * the batch and return that short count.
 *
 *	cc -shared -fPIC -o short_send.so short_send.c -ldl
 */
#define _GNU_SOURCE
#include <sys/socket.h>
#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>

static unsigned calls;

int
sendmmsg(int fd, struct mmsghdr *mm, unsigned int vlen, int flags)
{
	static int (*real)(int, struct mmsghdr *, unsigned int, int);
	unsigned take;

	if (real == NULL)
		real = (int (*)(int, struct mmsghdr *, unsigned int, int))
		    dlsym(RTLD_NEXT, "sendmmsg");
	calls++;
	if (calls % 3 == 0) {
		errno = ENOBUFS;
		return -1;
	}
	take = 1 + calls % 3;
	if (take > vlen)
		take = vlen;
	return real(fd, mm, take, flags);
}
