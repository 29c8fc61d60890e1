/*
 * failmalloc.so: an LD_PRELOAD shim for the mping tests (never linked into
 * mping) that makes large allocations fail, as a full address space
 * (ulimit -v) does, while small ones still succeed.
 *
 *	FAILMALLOC_MIN=N	malloc(), calloc() and realloc() of N bytes or
 *				more return NULL with errno ENOMEM
 *	FAILMALLOC_CALLOC_ONLY=1  only calloc() fails: mping's target table
 *				grows its array with realloc() and its hash
 *				with calloc(), so the hash fails while the
 *				array still grows (the path to a NULL or
 *				full hash)
 *
 * Under ASan, set ASAN_OPTIONS=verify_asan_link_order=0.
 *
 * Build: cc -shared -fPIC -o failmalloc.so tests/failmalloc.c -ldl
 */

#define _GNU_SOURCE

#include <dlfcn.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static void (*real_free)(void *);
static size_t limit = SIZE_MAX;
static int calloc_only;

/* dlsym may allocate before the real functions are known. */
static char early[4096];
static size_t early_used;

static void *
early_alloc(size_t n)
{
	void *p;

	n = (n + 15) & ~(size_t)15;
	if (early_used + n > sizeof(early))
		return NULL;
	p = early + early_used;
	early_used += n;
	return p;
}

__attribute__((constructor)) static void
init(void)
{
	const char *s;

	real_free = (void (*)(void *))dlsym(RTLD_NEXT, "free");
	real_malloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "malloc");
	real_calloc = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "calloc");
	real_realloc = (void *(*)(void *, size_t))dlsym(RTLD_NEXT,
	    "realloc");
	if ((s = getenv("FAILMALLOC_MIN")) != NULL && atoll(s) > 0)
		limit = (size_t)atoll(s);
	calloc_only = (s = getenv("FAILMALLOC_CALLOC_ONLY")) != NULL &&
	    atoi(s) != 0;
}

static int
refused(size_t n)
{
	if (n < limit)
		return 0;
	errno = ENOMEM;
	return 1;
}

void *
malloc(size_t n)
{
	if (real_malloc == NULL)
		return early_alloc(n);
	return !calloc_only && refused(n) ? NULL : real_malloc(n);
}

void *
calloc(size_t n, size_t size)
{
	void *p;

	if (real_calloc == NULL) {
		p = size && n > SIZE_MAX / size ? NULL : early_alloc(n * size);
		return p;	/* static storage: already zero */
	}
	if (size && n > SIZE_MAX / size)
		return real_calloc(n, size);
	return refused(n * size) ? NULL : real_calloc(n, size);
}

void *
realloc(void *p, size_t n)
{
	return !calloc_only && refused(n) ? NULL : real_realloc(p, n);
}

void
free(void *p)
{
	if ((char *)p >= early && (char *)p < early + sizeof(early))
		return;
	if (real_free)
		real_free(p);
}
