/*
 * --live: a full-screen view, one row per target (per hop with --trace),
 * drawn with ANSI escapes only (no curses).  Records update the rows; the
 * screen is redrawn on the engine's tick, a few times a second, never per
 * packet.  Rows are keyed by the record's index (and the hop's TTL).  The
 * final summaries (the final rows of a trace) are printed as text after
 * the view is left.
 */
#include <sys/ioctl.h>
#include <errno.h>
#include <langinfo.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "out.h"

#define LIVE_TICK_NS	(200 * 1000000LL)
#define LIVE_HIST	32	/* recent RTTs kept per row */
#define LIVE_MAX_ROWS	4096	/* rows tracked; any more are only counted */
#define LIVE_LABEL_MAX	40
#define LIVE_NAME_MAX	256	/* of a name escaped, before it is cut */
/* Columns after the label: " %6s %6s" and four " %7s" */
#define LIVE_NUMBERS	(2 * 7 + 4 * 8)
#define LIVE_RECENT_MIN	8	/* RECENT keeps at least this, but in --trace */

/* Alternate screen, cursor hidden, no line wrap (rows are clipped). */
#define ENTER		"\033[?1049h\033[?25l\033[?7l\033[H\033[2J"
#define LEAVE		"\033[?7h\033[?25h\033[?1049l"

/* Marks in the history: a probe that timed out, or met an error. */
#define H_LOST		(-1.0f)
#define H_ERROR		(-2.0f)

struct row {
	char	*label;
	long	 order;			/* of the target, in what was given */
	long	 sent, received, lost;
	double	 loss_pct, last, avg, min, max;
	double	 sum;			/* --trace: the view counts itself */
	int	 named;			/* --trace: label has the responder */
	int	 who;			/* --trace: where in label it is */
	float	 hist[LIVE_HIST];	/* RTT ms, or H_LOST, H_ERROR */
	uint8_t	 nhist, head;
};

struct live {
	struct row	 *rows;
	struct row	 *kept;		/* --trace: rows as the rounds that
					   ended left them (labels aside) */
	size_t		  nrows;	/* allocated and cleared */
	struct row	**pick;		/* nrows: the rows drawn, in order */
	long		  bad;		/* bad targets seen */
	char		  bad_last[128];
	int		  utf8;
	int		  on_screen;
	int		  cols, lines;
	int64_t		  next;
	struct run_counts rc;		/* of the latest tick */
	int		  trace;	/* rows are hops */
	unsigned	  traces;	/* --trace: rounds of traces done */
	unsigned	  reached;	/* and those that got there */
	int		  first_hop, hops;	/* rows per trace */
	struct out	  text;		/* the inner formatter: summaries */
};

/*
 * An exit on an error (errx() anywhere, with the view on the screen) must
 * still give the terminal back, and atexit() passes its function nothing:
 * so the one thing kept outside the object is the descriptor of the
 * terminal in the view, plus one, 0 when none.  It is a flag of the kind
 * a signal handler may read (write(2) is async-signal-safe), and the only
 * file-scope state of the out layer.
 */
#if SIG_ATOMIC_MAX < INT_MAX
#error "sig_atomic_t cannot hold a file descriptor"
#endif
static volatile sig_atomic_t live_fd_on_screen;

static void
live_restore(void)
{
	const char *p = LEAVE;
	size_t n = sizeof(LEAVE) - 1;
	ssize_t k;
	int fd = (int)live_fd_on_screen - 1;

	if (fd < 0)
		return;
	live_fd_on_screen = 0;
	/* What the view's stream holds goes first, as fputs would have it. */
	fflush(NULL);
	while (n > 0) {
		if ((k = write(fd, p, n)) < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return;
		p += k;
		n -= (size_t)k;
	}
}

static void
live_begin(struct out *o)
{
	struct live *v;
	const char *cs;

	if ((v = calloc(1, sizeof(*v))) == NULL)
		return;
	/* Only to ask which character set the terminal speaks. */
	if (setlocale(LC_CTYPE, "") != NULL) {
		cs = nl_langinfo(CODESET);
		v->utf8 = strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0;
		setlocale(LC_CTYPE, "C");
	}
	if (o->conf->trace) {
		v->trace = 1;
		v->first_hop = o->conf->first_hop;
		v->hops = o->conf->max_hops - o->conf->first_hop + 1;
	}
	out_init_inner(&v->text, o);
	o->view = v;
	atexit(live_restore);
}

/*
 * Names may hold any bytes: every one that is not printable ASCII is
 * shown as \xNN (shown_text), which also keeps a label's width its length.
 */
static char *
make_label(const struct record *r)
{
	char name[LIVE_NAME_MAX], *s;
	size_t len;

	shown_text(name, sizeof(name), r->target, 1);
	len = strlen(name) + (r->addr ? strlen(r->addr) : 0) + 4;
	if ((s = malloc(len)) == NULL)
		return NULL;
	if (r->addr && strcmp(r->target, r->addr) != 0)
		snprintf(s, len, "%s (%s)", name, r->addr);
	else
		snprintf(s, len, "%s", name);
	return s;
}

/* --trace: "target ttl. responder", ??? until one answers; *at: where
 * the responder is (room for "???" there). */
static char *
hop_label(const struct record *r, int *at)
{
	const char *who = r->from ? r->from : "???";
	char name[LIVE_NAME_MAX], *s;
	size_t len;

	shown_text(name, sizeof(name), r->target, 1);
	len = strlen(name) + strlen(who) + 16;
	if ((s = malloc(len)) == NULL)
		return NULL;
	*at = snprintf(s, len, "%s %2d. ", name, r->ttl);
	snprintf(s + *at, len - (size_t)*at, "%s", who);
	return s;
}

/* rows (n of them) grown to m, the new ones cleared. */
static struct row *
grown(struct row *rows, size_t n, size_t m)
{
	size_t i;

	if ((rows = realloc(rows, m * sizeof(*rows))) == NULL)
		return NULL;
	memset(rows + n, 0, (m - n) * sizeof(*rows));
	for (i = n; i < m; i++)
		rows[i].last = rows[i].avg = rows[i].min = rows[i].max = NAN;
	return rows;
}

/* Row key (the target's index, or with --trace its hop's slot). */
static struct row *
row_at(struct live *v, long key)
{
	size_t n;
	struct row *rows, **pick;

	if (key < 0 || key >= LIVE_MAX_ROWS)
		return NULL;
	if ((size_t)key >= v->nrows) {
		/* Grows by doubling as names resolve: not per probe. */
		n = v->nrows ? v->nrows : 64;
		while (n <= (size_t)key)
			n *= 2;
		if (n > LIVE_MAX_ROWS)
			n = LIVE_MAX_ROWS;
		if ((pick = realloc(v->pick, n * sizeof(*pick))) == NULL)
			return NULL;
		v->pick = pick;
		if ((rows = grown(v->rows, v->nrows, n)) == NULL)
			return NULL;
		v->rows = rows;
		if (v->trace) {
			if ((rows = grown(v->kept, v->nrows, n)) == NULL)
				return NULL;
			v->kept = rows;
		}
		v->nrows = n;
	}
	return &v->rows[key];
}

static struct row *
row_of(struct live *v, const struct record *r)
{
	struct row *w;

	if ((w = row_at(v, r->index)) != NULL && w->label == NULL) {
		w->label = make_label(r);
		w->order = r->order;
	}
	return w;
}

/* --trace: the hop's row, labelled with its first responder. */
static struct row *
hop_row(struct live *v, const struct record *r)
{
	struct row *w;

	if (r->index < 0 || r->ttl < v->first_hop ||
	    r->index >= LIVE_MAX_ROWS / v->hops)
		return NULL;
	w = row_at(v, r->index * v->hops + (r->ttl - v->first_hop));
	if (w == NULL || (w->label && (w->named || r->from == NULL)))
		return w;
	free(w->label);
	w->label = hop_label(r, &w->who);
	w->named = r->from != NULL;
	return w;
}

/*
 * --trace: a round's verdict (its trace record) keeps its rows up to the
 * hop it ended at.  The rows beyond go back to what the rounds before
 * left (none: no row): probes sent past the destination before the end
 * was known (a lower hop's answers came late) answered from it too, and
 * are not hops.
 */
static void
round_over(struct live *v, const struct record *r)
{
	struct row *w, *k;
	size_t i;
	char *label;
	int ttl;

	if (r->index < 0 || r->index >= LIVE_MAX_ROWS / v->hops)
		return;
	for (ttl = v->first_hop; ttl < v->first_hop + v->hops; ttl++) {
		i = (size_t)(r->index * v->hops + (ttl - v->first_hop));
		if (i >= v->nrows || v->rows[i].label == NULL)
			continue;
		w = &v->rows[i];
		k = &v->kept[i];
		if (ttl <= r->hops) {
			*k = *w;
			k->label = NULL;
			continue;
		}
		label = w->label;
		if (k->sent == 0) {
			free(label);
			label = NULL;
		} else if (w->named && !k->named)
			strcpy(label + w->who, "???");
		*w = *k;
		w->label = label;
	}
}

static void
push(struct row *w, float x)
{
	w->hist[w->head] = x;
	w->head = (uint8_t)((w->head + 1) % LIVE_HIST);
	if (w->nhist < LIVE_HIST)
		w->nhist++;
}

static void
update(struct row *w, const struct record *r)
{
	w->sent = r->sent;
	w->received = r->received;
	w->lost = r->lost;
	/* Nothing finished yet: no loss to speak of. */
	w->loss_pct = r->inflight >= 0 && r->sent == r->inflight ? NAN :
	    r->loss_pct;
	w->avg = r->rtt_avg;
	w->min = r->rtt_min;
	w->max = r->rtt_max;
	switch (r->type) {
	case REC_REPLY:
		if (r->dup || r->late || r->foreign || isnan(r->rtt_ms))
			break;
		w->last = r->rtt_ms;
		push(w, (float)r->rtt_ms);
		break;
	case REC_TIMEOUT:
		push(w, H_LOST);
		break;
	case REC_ERROR:
		push(w, H_ERROR);
		break;
	default:
		break;
	}
}

/* --trace: one probe of the hop; time exceeded is an answer like a reply. */
static void
update_probe(struct row *w, const struct record *r)
{
	double x = r->rtt_ms;
	int local = r->from && strcmp(r->from, "local") == 0;

	w->sent++;
	if (r->from && !local && !isnan(x)) {
		w->received++;
		w->last = x;
		w->sum += x;
		w->avg = w->sum / (double)w->received;
		if (isnan(w->min) || x < w->min)
			w->min = x;
		if (isnan(w->max) || x > w->max)
			w->max = x;
		if (r->error && strcmp(r->error, "ttl-exceeded") != 0)
			push(w, H_ERROR);
		else
			push(w, (float)x);
	} else
		push(w, local ? H_ERROR : H_LOST);
	w->lost = w->sent - w->received;
	w->loss_pct = 100.0 * (double)w->lost / (double)w->sent;
}

static void
size_of(struct out *o, struct live *v)
{
	struct winsize ws;

	v->cols = 80;
	v->lines = 24;
	if (ioctl(fileno(o->fp), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 &&
	    ws.ws_row > 0) {
		v->cols = ws.ws_col;
		v->lines = ws.ws_row;
	}
}

/* Recent RTTs, oldest first, scaled to the largest one shown. */
static void
sparkline(FILE *fp, const struct live *v, const struct row *w, int width)
{
	static const char ascii[] = "_.-~=+*#";
	float x, hi = 0;
	int i, n = w->nhist < width ? w->nhist : width, level;

	for (i = 0; i < n; i++) {
		x = w->hist[(w->head + LIVE_HIST - n + i) % LIVE_HIST];
		if (x > hi)
			hi = x;
	}
	for (i = 0; i < n; i++) {
		x = w->hist[(w->head + LIVE_HIST - n + i) % LIVE_HIST];
		if (x == H_LOST || x == H_ERROR) {
			putc(x == H_LOST ? 'x' : '!', fp);
			continue;
		}
		level = hi > 0 ? (int)(x / hi * 7.0f + 0.5f) : 0;
		if (level > 7)
			level = 7;
		if (level < 0)
			level = 0;
		if (v->utf8)	/* U+2581..U+2588, the eighth blocks */
			fprintf(fp, "\xe2\x96%c", (char)(0x81 + level));
		else
			putc(ascii[level], fp);
	}
}

/*
 * The widest label of the n rows picked, within limits: a third of the
 * terminal and room for LIVE_RECENT_MIN of RECENT (hop labels hold two
 * addresses: half of it, RECENT or not).
 */
static int
label_width(const struct live *v, size_t n)
{
	size_t i, len, w = 6;
	int max = v->trace ? v->cols / 2 : v->cols / 3;

	for (i = 0; i < n; i++)
		if ((len = strlen(v->pick[i]->label)) > w)
			w = len;
	if (w > LIVE_LABEL_MAX)
		w = LIVE_LABEL_MAX;
	if (!v->trace && v->cols - LIVE_NUMBERS - 2 - LIVE_RECENT_MIN < max)
		max = v->cols - LIVE_NUMBERS - 2 - LIVE_RECENT_MIN;
	if ((int)w > max && max >= 6)
		w = (size_t)max;
	return (int)w;
}

static int
column_heads(const struct live *v, char *buf, size_t len, int lw)
{
	return snprintf(buf, len, "%-*s %6s %6s %7s %7s %7s %7s  %s", lw,
	    v->trace ? "TARGET / HOP" : "TARGET", "SENT", "LOSS", "LAST",
	    "AVG", "BEST", "WORST", "RECENT");
}

/* At most cols columns of s (ASCII). */
static void
clipped(FILE *fp, const char *s, int n, int cols)
{
	fwrite(s, 1, (size_t)(n < cols ? n : cols > 0 ? cols : 0), fp);
}

/* An RTT in at most 7 characters (the longest -t is 3600000 ms). */
static void
rtt_cell(char *buf, size_t len, double x)
{
	if (isnan(x))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, x < 1000 ? "%.3f" : x < 10000 ? "%.1f" :
		    "%.0f", x);
}

static void
draw_row(FILE *fp, const struct live *v, const struct row *w, int lw)
{
	char line[256], loss[16], r[4][16];
	const double x[4] = { w->last, w->avg, w->min, w->max };
	int i, n, cut = (int)strlen(w->label) > lw;

	for (i = 0; i < 4; i++)
		rtt_cell(r[i], sizeof(r[i]), x[i]);
	if (w->sent > 0 && !isnan(w->loss_pct))
		snprintf(loss, sizeof(loss), "%.1f%%", w->loss_pct);
	else
		snprintf(loss, sizeof(loss), "-");
	/* A label cut short ends in ~ within its lw columns. */
	n = snprintf(line, sizeof(line), "%-*.*s%s %6ld %6s %7s %7s %7s %7s",
	    cut ? lw - 1 : lw, cut ? lw - 1 : lw, w->label, cut ? "~" : "",
	    w->sent, loss, r[0], r[1], r[2], r[3]);
	if (n < 0 || n >= (int)sizeof(line))
		n = (int)strlen(line);
	clipped(fp, line, n, v->cols);
	if (v->cols - n > 2) {
		fputs("  ", fp);
		sparkline(fp, v, w, v->cols - n - 2);
	}
}

static int
by_order(const void *a, const void *b)
{
	const struct row *x = *(struct row *const *)a;
	const struct row *y = *(struct row *const *)b;

	return (x->order > y->order) - (x->order < y->order);
}

static int
answered_first(const void *a, const void *b)
{
	const struct row *x = *(struct row *const *)a;
	const struct row *y = *(struct row *const *)b;

	if ((x->received > 0) != (y->received > 0))
		return x->received > 0 ? -1 : 1;
	return by_order(a, b);
}

/*
 * The rows to draw, at most max, first in v->pick; returns how many.
 * Targets in the order they were given (a name's row takes its place
 * when the name has resolved), but when they do not all fit, the targets
 * that answered come first (a sweep's live hosts, not its silent
 * addresses).  Hops stay in the table's order: by target, then TTL.
 */
static size_t
pick_rows(struct live *v, size_t max, size_t tracked)
{
	size_t i, k = 0;

	for (i = 0; i < v->nrows; i++)
		if (v->rows[i].label != NULL)
			v->pick[k++] = &v->rows[i];
	/* No row yet: v->pick may not exist, and qsort wants a pointer. */
	if (!v->trace && k > 1)
		qsort(v->pick, k, sizeof(*v->pick), tracked > max ?
		    answered_first : by_order);
	return k < max ? k : max;
}

/*
 * Ping rows: every target from the first frame on, with the engine's
 * counts of now, not of the latest event (a silent target's first comes
 * -t after its first probe).
 */
static void
refresh(struct live *v)
{
	char nbuf[64], abuf[64];
	struct record r;
	struct row *w;
	long i;

	if (v->trace || v->rc.target_now == NULL)
		return;
	for (i = 0; i < (long)v->rc.targets && i < LIVE_MAX_ROWS; i++)
		if (v->rc.target_now(v->rc.engine, i, &r, nbuf, abuf) == 0 &&
		    (w = row_of(v, &r)) != NULL)
			update(w, &r);
}

/* Whether the k rows picked are the first k in the order given. */
static int
in_table_order(const struct live *v, size_t k)
{
	size_t i, before = 0;
	long last = -1;

	if (v->trace)
		return 1;
	for (i = 0; i < k; i++)
		if (v->pick[i]->order > last)
			last = v->pick[i]->order;
	for (i = 0; i < v->nrows; i++)
		if (v->rows[i].label && v->rows[i].order <= last)
			before++;
	return before == k;
}

/* The top line: what the run has done so far. */
static void
draw_title(FILE *fp, const struct live *v)
{
	char head[512];
	int n;

	if (v->trace)
		n = snprintf(head, sizeof(head), "mping --live --trace: %u "
		    "targets, %u traces done, %u reached, %llu probes sent, "
		    "%.1f s", v->rc.targets, v->traces, v->reached,
		    (unsigned long long)v->rc.sent, v->rc.elapsed);
	else
		n = snprintf(head, sizeof(head), "mping --live: %u targets, "
		    "%u answered, %llu probes sent, %.1f s", v->rc.targets,
		    v->rc.answered, (unsigned long long)v->rc.sent,
		    v->rc.elapsed);
	if (v->bad && n > 0 && (size_t)n < sizeof(head))
		snprintf(head + n, sizeof(head) - (size_t)n, "; %ld bad "
		    "(%s)", v->bad, v->bad_last);
	fprintf(fp, "\033[H\033[7m%-*.*s\033[0m\033[K", v->cols, v->cols,
	    head);
}

/* The last line when not all rows fit: which are not shown. */
static void
draw_more(FILE *fp, const struct live *v, size_t shown, size_t total)
{
	char line[512];
	int n;

	if (in_table_order(v, shown))
		n = snprintf(line, sizeof(line), "%zu-%zu of %zu %s not "
		    "shown: the terminal is too small", shown + 1, total,
		    total, v->trace ? "hops" : "targets");
	else
		n = snprintf(line, sizeof(line), "%zu of %zu targets not "
		    "shown (answered first): the terminal is too small",
		    total - shown, total);
	fputs("\r\n\033[7m", fp);
	clipped(fp, line, n, v->cols);
	fputs("\033[0m\033[K", fp);
}

static void
draw(struct out *o, struct live *v)
{
	FILE *fp = o->fp;
	size_t shown, i, tracked = 0, total;
	int lw, body;
	char head[512];
	int n;

	size_of(o, v);
	refresh(v);
	/* Rows not seen yet (a hop past the end of its trace, a target
	 * whose name is still resolving) take no line. */
	for (i = 0; i < v->nrows; i++)
		if (v->rows[i].label)
			tracked++;
	total = !v->trace && v->rc.targets > tracked ? v->rc.targets :
	    tracked;
	/* Two lines on top; the last line says what does not fit. */
	body = v->lines - 2;
	shown = tracked;
	if (body < 1)
		body = 1;
	if (total > (size_t)body)
		shown = (size_t)body - 1;
	if (shown > tracked)
		shown = tracked;
	shown = pick_rows(v, shown, tracked);
	lw = label_width(v, shown);
	draw_title(fp, v);
	n = column_heads(v, head, sizeof(head), lw);
	fputs("\r\n\033[1m", fp);
	clipped(fp, head, n, v->cols);
	fputs("\033[0m\033[K", fp);
	for (i = 0; i < shown; i++) {
		fputs("\r\n", fp);
		draw_row(fp, v, v->pick[i], lw);
		fputs("\033[K", fp);
	}
	if (total > (size_t)body)
		draw_more(fp, v, shown, total);
	fputs("\033[J", fp);
	fflush(fp);
}

/* --trace, after the view: every row as plain text, as traces are kept. */
static void
dump(struct out *o, struct live *v)
{
	char head[512];
	size_t i;
	int lw, n, k;

	/* As wide as the terminal, as the view was: a row never wraps. */
	size_of(o, v);
	n = (int)pick_rows(v, v->nrows, 0);
	lw = label_width(v, (size_t)n);
	k = column_heads(v, head, sizeof(head), lw);
	clipped(o->fp, head, k, v->cols);
	putc('\n', o->fp);
	for (i = 0; i < (size_t)n; i++) {
		draw_row(o->fp, v, v->pick[i], lw);
		putc('\n', o->fp);
	}
	fflush(o->fp);
}

static void
enter(struct out *o, struct live *v)
{
	fputs(ENTER, o->fp);
	v->on_screen = 1;
	live_fd_on_screen = fileno(o->fp) + 1;
}

static void
leave(struct out *o, struct live *v)
{
	if (!v->on_screen)
		return;
	/* The last state, then the terminal as it was. */
	draw(o, v);
	fputs(LEAVE, o->fp);
	fflush(o->fp);
	live_fd_on_screen = 0;
	v->on_screen = 0;
}

static void
live_emit(struct out *o, const struct record *r)
{
	struct live *v = o->view;
	struct row *w;

	if (v == NULL)
		return;
	switch (r->type) {
	case REC_REPLY:
	case REC_TIMEOUT:
	case REC_ERROR:
		if ((w = row_of(v, r)) != NULL)
			update(w, r);
		break;
	case REC_PROBE:
		if (v->trace && (w = hop_row(v, r)) != NULL)
			update_probe(w, r);
		break;
	case REC_TRACE:
		v->traces++;
		v->reached += r->reached;
		round_over(v, r);
		break;
	case REC_BAD_TARGET:
		v->bad++;
		snprintf(v->bad_last, sizeof(v->bad_last), "%s: %s",
		    r->target, r->reason);
		break;
	case REC_SUMMARY:
		if ((w = row_of(v, r)) != NULL)
			update(w, r);
		/* Summaries are for after the view, as text. */
		leave(o, v);
		if (v->text.ops) {
			out_emit(&v->text, r);
			/* Into the stream now, where the view writes too. */
			out_drain(&v->text);
		}
		break;
	default:
		break;
	}
}

static int64_t
live_tick(struct out *o, const struct run_counts *rc, int64_t now)
{
	struct live *v = o->view;

	if (v == NULL)
		return -1;
	v->rc = *rc;
	if (o->resized && *o->resized) {
		*o->resized = 0;
		v->next = now;
	}
	if (now < v->next)
		return v->next - now;
	if (!v->on_screen)
		enter(o, v);
	draw(o, v);
	v->next = now + LIVE_TICK_NS;
	return LIVE_TICK_NS;
}

static void
live_finish(struct out *o)
{
	struct live *v = o->view;
	size_t i;
	int shown;

	if (v == NULL)
		return;
	shown = v->on_screen;
	leave(o, v);
	if (v->trace && shown)
		dump(o, v);
	if (v->text.ops)
		out_finish(&v->text);
	for (i = 0; i < v->nrows; i++)
		free(v->rows[i].label);
	free(v->rows);
	free(v->kept);
	free(v->pick);
	free(v);
	o->view = NULL;
}

static int
live_wants(const struct out *o, enum rec_type t)
{
	if (o->conf->trace)
		return t == REC_PROBE || t == REC_TRACE ||
		    t == REC_BAD_TARGET;
	return t == REC_REPLY || t == REC_TIMEOUT || t == REC_ERROR ||
	    t == REC_BAD_TARGET || t == REC_SUMMARY;
}

const struct out_ops out_live_ops = { live_begin, live_emit, live_finish,
	live_tick, live_wants, NULL };
