/*
 * out_state_test: formatters keep their state in their own object.
 *
 *	csv	a ping CSV run, then a trace CSV run, in one process: the
 *		trace rows must be those a fresh process writes (a column
 *		table kept in file-scope statics would be the ping run's)
 *	live	--live hands a summary to its inner formatter: the same
 *		line the text formatter writes
 *	exit	--live on the screen, then exit(1) as errx does: the
 *		terminal is given back (the screen's LEAVE is the last bytes)
 *
 * Prints "N checks, F failed"; exit status 1 if any failed.
 */
#include <sys/wait.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "out.h"

#define LEAVE	"\033[?7h\033[?25h\033[?1049l"

static long checks, failed;

static void
check(int ok, const char *what, const char *got, const char *want)
{
	checks++;
	if (!ok) {
		failed++;
		printf("%s:\n got: %s\nwant: %s\n", what, got, want);
	}
}

/* What a formatter wrote into fp, as a string (static, overwritten). */
static const char *
written(FILE *fp)
{
	static char buf[8192];
	size_t n;

	fflush(fp);
	rewind(fp);
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	return buf;
}

static void
hop_record(struct record *r)
{
	static const char *const froms[] = { "192.0.2.1", NULL };
	static const char *const marks[] = { "", "" };
	static const char *const addrs[] = { "192.0.2.1" };
	static const double rtts[] = { 1.5, NAN };

	record_clear(r, REC_HOP);
	r->time = 1700000000.25;
	r->index = r->order = 0;
	r->target = r->addr = "198.51.100.7";
	r->ttl = 1;
	r->froms = froms;
	r->marks = marks;
	r->rtts = rtts;
	r->nprobes = 2;
	r->addrs = addrs;
	r->naddrs = 1;
	r->lost = 1;
	r->round = 0;
}

static void
summary_record(struct record *r)
{
	record_clear(r, REC_SUMMARY);
	r->index = r->order = 0;
	r->target = "lab-host";
	r->addr = "198.51.100.7";
	r->sent = 4;
	r->received = 3;
	r->lost = 1;
	r->loss_pct = 25.0;
	r->rtt_min = 0.5;
	r->rtt_avg = 1.0;
	r->rtt_max = 1.5;
	r->rtt_stddev = 0.25;
}

/* One run: begin, the record, finish; what it wrote, malloc'd. */
static char *
run(const struct conf *c, const struct record *r)
{
	struct out o;
	FILE *fp = tmpfile();
	char *s;

	if (fp == NULL) {
		perror("tmpfile");
		exit(2);
	}
	out_init(&o, fp, c);
	out_emit(&o, r);
	out_finish(&o);
	s = strdup(written(fp));
	fclose(fp);
	return s;
}

static void
test_csv(void)
{
	struct conf ping, trace;
	struct record r;
	char *fresh, *after;
	pid_t pid;
	int fd[2];
	char buf[8192];
	ssize_t n;

	memset(&ping, 0, sizeof(ping));
	ping.format = FMT_CSV;
	ping.count = 1;
	trace = ping;
	trace.trace = 1;
	trace.first_hop = 1;
	trace.max_hops = 30;
	hop_record(&r);
	/* The trace rows of a fresh process, from a child. */
	fflush(stdout);
	if (pipe(fd) == -1 || (pid = fork()) == -1) {
		perror("fork");
		exit(2);
	}
	if (pid == 0) {
		fresh = run(&trace, &r);
		if (write(fd[1], fresh, strlen(fresh)) < 0)
			_exit(2);
		_exit(0);
	}
	close(fd[1]);
	n = read(fd[0], buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	waitpid(pid, NULL, 0);
	close(fd[0]);
	free(run(&ping, &r));
	after = run(&trace, &r);
	check(strcmp(after, buf) == 0 && strstr(buf, "hop,") != NULL,
	    "csv: trace rows after a ping run", after, buf);
	free(after);
}

static void
test_live(void)
{
	struct conf text, live;
	struct record r;
	char *a, *b;

	memset(&text, 0, sizeof(text));
	text.count = 1;
	live = text;
	live.live = 1;
	summary_record(&r);
	a = run(&text, &r);
	b = run(&live, &r);
	check(strcmp(a, b) == 0 && strstr(a, "lab-host") != NULL,
	    "live: summary through the inner formatter", b, a);
	free(a);
	free(b);
}

static void
test_exit(void)
{
	struct conf live;
	struct run_counts rc;
	struct out o;
	FILE *fp = tmpfile();
	const char *s;
	size_t n;
	pid_t pid;

	memset(&live, 0, sizeof(live));
	live.count = 1;
	live.live = 1;
	fflush(stdout);		/* the child's exit flushes its copy */
	if (fp == NULL || (pid = fork()) == -1) {
		perror("fork");
		exit(2);
	}
	if (pid == 0) {
		memset(&rc, 0, sizeof(rc));
		out_init(&o, fp, &live);
		out_tick(&o, &rc, 1);
		exit(1);	/* as errx would, with the view shown */
	}
	waitpid(pid, NULL, 0);
	s = written(fp);
	n = strlen(s);
	check(n > strlen(LEAVE) && strncmp(s, "\033[?1049h", 8) == 0 &&
	    strcmp(s + n - strlen(LEAVE), LEAVE) == 0,
	    "exit: the terminal given back", "(the view without LEAVE)",
	    "the view, then LEAVE");
	fclose(fp);
}

int
main(void)
{
	test_csv();
	test_live();
	test_exit();
	printf("%ld checks, %ld failed\n", checks, failed);
	return failed != 0;
}
