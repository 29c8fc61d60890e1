/* Turning what the user typed (argv, -f files, stdin) into targets. */
#ifndef MPING_INPUT_H
#define MPING_INPUT_H

#include "conf.h"
#include "targets.h"

struct input {
	const struct conf	*conf;
	struct targets		*tg;
	uint32_t		*bcast;		/* the kernel's broadcast */
	size_t			 nbcast, capbcast;	/* addresses (IPv4) */
	int			 over_max;	/* --max-targets was hit */
	int			 nomem;		/* out of memory: stop */
	/* called for each name that is neither a literal nor a CIDR; 0:
	 * the name is a target already (a reload), it takes no place */
	int			(*resolve)(void *, const char *, uint32_t order);
	uint32_t		 names;		/* names handed to resolve */
	/* called for each target that cannot be used */
	void			(*bad)(void *, const char *, const char *);
	void			*arg;
	/*
	 * So that a signal can end the reading (NULL: never): with fd -1,
	 * only a look, every few thousand targets; with an fd, a wait until
	 * it is readable or a signal comes.  Non-zero: stop reading.
	 */
	int			(*stop)(void *, int fd);
	void			*stop_arg;
	int			 stopped;	/* stop() said so */
	int			 first_word;	/* a line's first word only
						   (fping's files) */
	unsigned		 since_look;	/* targets since its last look */
};

/* Learns the local broadcast addresses; -1 (errno set) if it cannot. */
int	input_init(struct input *);
void	input_free(struct input *);
/* Parse one target string (literal, CIDR or name). */
void	input_target(struct input *, const char *);
/* Read targets from fd, one per line, to its end or until stopped;
 * returns -1 with errno if it cannot. */
int	input_fd(struct input *, int fd);
/* Add a resolved address of name; reasons go to bad(). */
void	input_address(struct input *, const char *name, uint32_t order,
	    const struct sockaddr *);

#endif
