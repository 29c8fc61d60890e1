/*
 * The input a chunk at a time.  The table keeps about a chunk of targets
 * ahead of the engine's cursor: enough for many send batches, few enough
 * that a chunk costs a millisecond or two of a sweep's time.
 */
#include <errno.h>
#include <unistd.h>

#include "feed.h"

#define CHUNK	4096	/* targets (and names) read at a time */

static void
on_ready(void *arg, int fd, unsigned what)
{
	(void)fd;
	(void)what;
	((struct feed *)arg)->ready = 1;
}

/* The file read to its end, or one that failed: the next source. */
static void
close_fd(struct feed *f)
{
	if (f->in_loop)
		loop_del(f->l, f->fd);
	if (f->fd != STDIN_FILENO)
		close(f->fd);
	f->fd = -1;
	f->in_loop = f->ready = 0;
}

/*
 * The file being read: INPUT_END once it is (the next source's turn).
 * While the engine runs, a FIFO or a pipe with nothing to read waits in
 * the loop; a regular file is always readable (epoll refuses it).
 */
static int
read_fd(struct feed *f)
{
	int r;

	if (f->in_loop && !f->ready)
		return INPUT_WAIT;
	if (f->in_loop)
		loop_del(f->l, f->fd);
	f->in_loop = f->ready = 0;
	if ((r = input_fd(f->in, f->fd)) == INPUT_WAIT) {
		if (f->e && loop_add(f->l, f->fd, on_ready, f) == 0)
			f->in_loop = 1;
		return INPUT_WAIT;
	}
	if (r == -1)
		f->failed(f->arg, f->name);
	if (r != INPUT_PAUSED)
		close_fd(f);
	return r == INPUT_PAUSED ? r : INPUT_END;
}

/* The next file (standard input last): 0, or -1 when none is left. */
static int
open_next(struct feed *f)
{
	if (f->next_file < f->nfiles) {
		f->name = f->files[f->next_file++];
		f->fd = f->open(f->arg, f->name);
	} else if (f->std_in) {
		f->std_in = 0;
		f->name = "-";
		f->fd = STDIN_FILENO;
	} else
		return -1;
	return 0;
}

/*
 * Up to room targets from the sources in order: INPUT_PAUSED (more at
 * hand), INPUT_WAIT (the file has nothing now) or INPUT_END.
 */
static int
chunk(struct feed *f, uint32_t room)
{
	struct input *in = f->in;
	int r;

	in->room = room;
	while (!in->stopped && !in->nomem && !in->over_max) {
		if ((r = input_resume(in)) != INPUT_END)
			return r;
		if (in->room == 0)
			return INPUT_PAUSED;
		if (f->fd != -1) {
			if ((r = read_fd(f)) != INPUT_END)
				return r;
		} else if (f->next_arg < f->argc)
			input_target(in, f->argv[f->next_arg++]);
		else if (open_next(f) == -1)
			return INPUT_END;
	}
	return INPUT_END;
}

/* Whether the arguments' blocks may hold more than --max-targets. */
static int
args_too_many(const struct feed *f)
{
	uint64_t n = 0;
	int i;

	for (i = 0; i < f->argc && n <= f->in->tg->max; i++)
		n += input_size(f->argv[i]);
	return n > f->in->tg->max;
}

/* Reading done: the input as it was for a reading at once (SIGHUP). */
static void
feed_end(struct feed *f)
{
	struct input *in = f->in;

	if (f->fd != -1)
		close_fd(f);
	input_drop(in);
	in->chunked = in->nowait = 0;
	in->stop = f->stop;
	in->usable = NULL;
}

int
feed_first(struct feed *f)
{
	struct input *in = f->in;
	int r;

	f->fd = -1;
	f->stop = in->stop;
	if (args_too_many(f))
		for (; f->next_arg < f->argc && !in->stopped; f->next_arg++)
			input_target(in, f->argv[f->next_arg]);
	in->chunked = in->nowait = 1;
	while ((r = chunk(f, CHUNK)) == INPUT_WAIT &&
	    in->tg->n + in->names == 0)
		if ((in->stopped = f->stop(in->stop_arg, f->fd)))
			break;
	f->names = in->names;
	if (r == INPUT_END || in->stopped || in->over_max || in->nomem) {
		feed_end(f);
		return 0;
	}
	return 1;
}

/* Names read since the last time are looked up; the resolver's pipe
 * joins the loop if no name was looked up before. */
static void
lookups(struct feed *f)
{
	struct engine *e = f->e;
	int fd;

	if (f->names == f->in->names)
		return;
	f->names = f->in->names;
	if ((fd = resolver_start(e->res)) == -2)
		e->nomem = 1;
	else if (fd >= 0 && *f->rfd == -1) {
		if (engine_add_resolver(e, f->l, fd) == -1)
			e->nomem = 1;
		*f->rfd = fd;
	}
}

/* engine.feed: a chunk when the table has less than one not started. */
static int
feed_step(void *arg)
{
	struct feed *f = arg;
	struct engine *e = f->e;
	struct input *in = f->in;
	int r;

	if (e->tg->n - e->cursor >= CHUNK) {
		e->feed_now = 0;	/* the engine's sends wake it */
		return 1;
	}
	r = chunk(f, CHUNK);
	lookups(f);
	e->feed_now = r == INPUT_PAUSED;
	if (in->nomem)
		e->nomem = 1;
	/* Too many targets: the run ends here (exit status 3). */
	if (in->over_max)
		e->why = "too many targets";
	if (r != INPUT_END && !in->over_max && !in->nomem)
		return 1;
	feed_end(f);
	if (f->done)
		f->done(f->arg);
	return 0;
}

void
feed_attach(struct feed *f, struct engine *e, struct loop *l, int *rfd)
{
	f->e = e;
	f->l = l;
	f->rfd = rfd;
	/* The engine's loop looks at the signals: no look from the input
	 * (it would poll the loop inside the engine's step). */
	f->in->stop = NULL;
	e->feed = feed_step;
	e->feed_arg = f;
	e->feed_now = 1;
}
