/*
 * Targets read while the engine runs (issue 17): the arguments, each -f
 * file and then standard input, in that order, a chunk at a time.  The
 * first probe leaves once the first chunk is in, and a CIDR block or a
 * long file is read as the probes need it.  New targets join the table
 * and the engine's cursor takes them up, as it takes up names that
 * resolve late; the run is not over before the input is exhausted.
 */
#ifndef MPING_FEED_H
#define MPING_FEED_H

#include "engine.h"
#include "input.h"
#include "loop.h"

struct feed {
	struct input	*in;
	struct engine	*e;		/* NULL before the run */
	struct loop	*l;
	char		**argv;
	int		 argc, next_arg;
	const char	**files;
	int		 nfiles, next_file;
	int		 std_in;	/* then standard input */
	int		 fd;		/* being read, -1: none */
	const char	*name;		/* its name, for messages */
	int		 in_loop;	/* fd waits in the loop */
	int		 ready;		/* the loop said fd is readable */
	int		*rfd;		/* the resolver's fd, -1 not in loop */
	uint32_t	 names;		/* in->names at the last lookups */
	/* A -f file opened, with main's messages: its fd, or -1. */
	int		(*open)(void *arg, const char *file);
	/* A file that could not be read to its end (errno). */
	void		(*failed)(void *arg, const char *file);
	/* The input is exhausted: called once, from the engine's step. */
	void		(*done)(void *arg);
	void		*arg;
	int		(*stop)(void *, int);	/* the input's, put back */
};

/*
 * The first chunk, before the run: waits (signals end the wait) until a
 * target or a name was read, or the input ended.  Arguments whose blocks
 * may hold more than --max-targets are read whole, so that such a run
 * is refused before anything is sent.  Returns 1 if input remains.
 */
int	feed_first(struct feed *);
/* The rest from the engine's steps (engine.feed). */
void	feed_attach(struct feed *, struct engine *, struct loop *, int *rfd);

#endif
