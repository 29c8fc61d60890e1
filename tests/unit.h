/*
 * The small harness of the C unit tests (codec_test.c, engine_test.c):
 * checks that count and say what failed, and a main() that runs groups
 * by name.  Included once, by the test's one file, which defines
 * UNIT_NAME (its file name, for the failure lines) first.
 *
 * A test binary prints "ok - group" or "not ok - group" per group, the
 * failed checks as "# FAIL file:line: what", then "N checks, N failed".
 * Exit status 1 if any check failed, 2 for an unknown group.
 */
#ifndef MPING_UNIT_H
#define MPING_UNIT_H

#include <stddef.h>
#include <stdio.h>
#include <string.h>

static int	checks, failures;

static inline void
check(int ok, const char *what, int line)
{
	checks++;
	if (ok)
		return;
	failures++;
	printf("# FAIL %s:%d: %s\n", UNIT_NAME, line, what);
}

static inline void
check_eq(long long got, long long want, const char *what, int line)
{
	char buf[256];

	snprintf(buf, sizeof(buf), "%s (got %lld, want %lld)", what, got,
	    want);
	check(got == want, buf, line);
}

static inline void
check_str(const char *got, const char *want, const char *what, int line)
{
	checks++;
	if (got && want && strcmp(got, want) == 0)
		return;
	failures++;
	printf("# FAIL %s:%d: %s\n#   got:  %s\n#   want: %s\n", UNIT_NAME,
	    line, what, got ? got : "(null)", want ? want : "(null)");
}

#define CHECK(e)	check((e), #e, __LINE__)
#define CHECK_EQ(a, b)	check_eq((long long)(a), (long long)(b), \
			    #a " == " #b, __LINE__)
#define CHECK_STR(a, b)	check_str((a), (b), #a " == " #b, __LINE__)

struct unit_group {
	const char	*name;
	void		(*fn)(void);
};

static inline void
unit_run(const struct unit_group *g)
{
	int before = failures;

	g->fn();
	printf("%s - %s\n", failures == before ? "ok" : "not ok", g->name);
}

static inline const struct unit_group *
unit_find(const struct unit_group *g, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(g[i].name, name) == 0)
			return &g[i];
	return NULL;
}

/* The groups named in argv, in that order, or all of them. */
static inline int
unit_main(int argc, char **argv, const struct unit_group *g, size_t n)
{
	size_t i;
	int a;

	/* What ran is shown even if a group aborts. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (a = 1; a < argc; a++)
		if (unit_find(g, n, argv[a]) == NULL) {
			fprintf(stderr, "%s: no such group: %s\n", UNIT_NAME,
			    argv[a]);
			return 2;
		}
	for (i = 0; argc == 1 && i < n; i++)
		unit_run(&g[i]);
	for (a = 1; a < argc; a++)
		unit_run(unit_find(g, n, argv[a]));
	printf("%d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}

#endif
