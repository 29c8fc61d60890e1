/*
 * failalloc.so: an LD_PRELOAD shim for the mping tests (never linked into
 * mping) that makes large calloc() calls fail, the way an exhausted
 * address space (ulimit -v) does, while everything smaller still works.
 *
 *	FAILALLOC_CALLOC_OVER=N	calloc() of N bytes or more returns NULL
 *				with ENOMEM (unset or 0: none fails)
 *
 * Only calloc() is intercepted: mping's target table grows its array with
 * realloc() and its hash with calloc(), so the hash fails while the array
 * still grows (the path to a NULL or full hash).  Under ASan, set
 * ASAN_OPTIONS=verify_asan_link_order=0: the real calloc() is then ASan's.
 *
 * Build: cc -shared -fPIC -o failalloc.so tests/failalloc.c -ldl
 */

#define _GNU_SOURCE

#include <dlfcn.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void	*(*real_calloc)(size_t, size_t);

/* dlsym() may itself call calloc(): serve it from here meanwhile. */
static unsigned char	early[4096];
static size_t		early_used;
static int		looking_up;

static void *
early_calloc(size_t n, size_t size)
{
	size_t len = (n * size + 15) & ~(size_t)15;
	void *p;

	if (len > sizeof(early) - early_used)
		return NULL;
	p = early + early_used;
	early_used += len;
	return p;		/* static storage: already zero */
}

void *
calloc(size_t n, size_t size)
{
	const char *over;
	unsigned long long limit;

	if (real_calloc == NULL) {
		if (looking_up)
			return early_calloc(n, size);
		looking_up = 1;
		real_calloc = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT,
		    "calloc");
		looking_up = 0;
		if (real_calloc == NULL)
			return early_calloc(n, size);
	}
	over = getenv("FAILALLOC_CALLOC_OVER");
	limit = over ? strtoull(over, NULL, 10) : 0;
	if (limit && size && n >= (limit + size - 1) / size) {
		errno = ENOMEM;
		return NULL;
	}
	return real_calloc(n, size);
}
