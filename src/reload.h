/*
 * A run that lasts (issue 15): its names resolved again every
 * --resolve-every seconds, its -f files read again on SIGHUP.  Both run
 * from the engine's hook, on the loop: a signal only sets a flag.
 */
#ifndef MPING_RELOAD_H
#define MPING_RELOAD_H

#include <signal.h>
#include <stdint.h>
#include <sys/socket.h>

#include "engine.h"
#include "input.h"
#include "loop.h"
#include "resolve.h"

struct reload {
	struct engine		*e;
	struct input		*in;
	struct loop		*l;
	volatile sig_atomic_t	*sig_hup;
	/* Read every -f file again (main's reading, with its messages). */
	void			(*read_files)(void *arg);
	void			*arg;
	int			 files;		/* -f FILEs to read again */
	int			 rfd;		/* the resolver's, in the loop */
	int64_t			 next_refresh;	/* INT64_MAX: never */
	/* While the files are read again: */
	uint32_t		*names;		/* hash: name target + 1 */
	uint32_t		 names_mask;
	uint32_t		 joined;
	uint32_t		 names_joined;	/* of joined: resolving */
};

/*
 * Attach to the engine (its hook).  files: whether there is a -f FILE
 * other than stdin; rfd: the resolver's descriptor if it is in the loop
 * already, else -1.
 */
void	reload_attach(struct reload *, struct engine *, struct input *,
	    struct loop *, int files, int rfd);
/*
 * input.resolve while the files are read again: 1 if the name is a
 * target already (it stays), 0 if it is new (it joins: resolve it).
 */
int	reload_known_name(struct reload *, const char *name);
/* Whether the files are being read again (names are then checked). */
int	reload_reading(const struct reload *);
/* The resolver's answer for a name resolved again (resolve_done_fn). */
void	reload_resolved(void *arg, const char *name, uint32_t target,
	    const struct sockaddr *, const char *error);
void	reload_free(struct reload *);

#endif
