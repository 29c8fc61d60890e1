/*
 * The progress line.  It shares the terminal with stdout when both go to
 * it, so it is erased before each record is written and drawn again on
 * the next tick, after stdout was flushed: the two never interleave.
 */
#include <sys/ioctl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "progress.h"

#define PROGRESS_TICK_NS	(250 * 1000000LL)

struct progress {
	FILE	*fp;
	int	 shown;		/* the line is on the terminal */
	int	 hidden;	/* taken away for stdout: draw it again */
	int	 shared;	/* stdout writes to a terminal too */
	int64_t	 first, next;
};

struct progress *
progress_create(FILE *fp, int64_t delay_ns)
{
	struct progress *g;

	if ((g = calloc(1, sizeof(*g))) == NULL)
		return NULL;
	g->fp = fp;
	g->shared = isatty(STDOUT_FILENO);
	g->first = delay_ns;
	return g;
}

static int
width(FILE *fp)
{
	struct winsize ws;

	if (ioctl(fileno(fp), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1)
		return ws.ws_col;
	return 80;
}

static void
clock_str(char *buf, size_t len, double s)
{
	long t = (long)(s + 0.5);

	if (t >= 3600)
		snprintf(buf, len, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60,
		    t % 60);
	else
		snprintf(buf, len, "%ld:%02ld", t / 60, t % 60);
}

static void
draw(struct progress *g, const struct run_counts *rc)
{
	char line[256], eta[32];
	double rate = rc->elapsed > 0 ? (double)rc->sent / rc->elapsed : 0;
	uint64_t left;
	int n, w = width(g->fp) - 1;

	if (rc->total) {
		left = rc->total > rc->sent ? rc->total - rc->sent : 0;
		if (rate > 0)
			clock_str(eta, sizeof(eta), (double)left / rate);
		else
			snprintf(eta, sizeof(eta), "?");
		n = snprintf(line, sizeof(line), "sent %llu/%llu, answered "
		    "%u/%u targets, ", (unsigned long long)rc->sent,
		    (unsigned long long)rc->total, rc->answered, rc->targets);
		if (n >= 0 && (size_t)n < sizeof(line))
			n += snprintf(line + n, sizeof(line) - (size_t)n,
			    left ? "%llu remaining, %.0f/s, ETA %s" :
			    "all sent, waiting for replies",
			    (unsigned long long)left, rate, eta);
	} else {
		n = snprintf(line, sizeof(line), "sent %llu, answered %u/%u "
		    "targets, %.0f/s", (unsigned long long)rc->sent,
		    rc->answered, rc->targets, rate);
	}
	/* A wrapped line could not be taken back with \r. */
	if (n > w)
		n = w > 0 ? w : 0;
	if (n >= (int)sizeof(line))
		n = sizeof(line) - 1;
	fprintf(g->fp, "\r%.*s\033[K", n, line);
	fflush(g->fp);
	g->shown = 1;
	g->hidden = 0;
}

int64_t
progress_tick(struct progress *g, const struct run_counts *rc, int64_t now)
{
	if (g->first >= 0) {
		/* The first call starts the clock. */
		g->next = now + g->first;
		g->first = -1;
	}
	if (g->hidden)
		draw(g, rc);
	if (now < g->next)
		return g->next - now;
	draw(g, rc);
	g->next = now + PROGRESS_TICK_NS;
	return PROGRESS_TICK_NS;
}

void
progress_hide(struct progress *g)
{
	if (!g->shown || !g->shared)
		return;
	fputs("\r\033[K", g->fp);
	fflush(g->fp);
	g->shown = 0;
	g->hidden = 1;
}

void
progress_free(struct progress *g)
{
	if (g == NULL)
		return;
	if (g->shown) {
		fputs("\r\033[K", g->fp);
		fflush(g->fp);
	}
	free(g);
}
