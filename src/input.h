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
	/*
	 * A chunk at a time (main's feed, while the engine runs): with
	 * chunked set, reading pauses once room targets were tried (each
	 * address and name counts, a duplicate too), a CIDR block in its
	 * middle; nowait: input_fd does not wait for its fd either.
	 */
	int			 chunked, nowait;
	uint32_t		 room;
	/* A usable family (NULL: both): 0 and why said via bad() if not. */
	int			(*usable)(void *, const char *, int family);
	struct input_block {			/* the block being expanded */
		char		*text;		/* as written; NULL: none */
		uint8_t		 a[16];		/* its next address */
		uint64_t	 left;		/* addresses still to go */
		int		 family, skip;	/* skip: the first (IPv4's
						   network address) */
	} blk;
	char			*buf;		/* input_fd's unfinished lines */
	size_t			 len;
	int			 cut, eof;
};

enum { INPUT_END = 0, INPUT_PAUSED = 1, INPUT_WAIT = 2 };

/* Learns the local broadcast addresses; -1 (errno set) if it cannot. */
int	input_init(struct input *);
void	input_free(struct input *);
/* Parse one target string (literal, CIDR or name); chunked, a block
 * may be left pending (input_resume). */
void	input_target(struct input *, const char *);
/* Go on with a pending block: INPUT_PAUSED while it is not finished. */
int	input_resume(struct input *);
/* A paused reading forgotten (its block, its lines): the next is new. */
void	input_drop(struct input *);
/* How many addresses s stands for (a block's size, 1 for anything else):
 * an upper bound of the targets it adds, for --max-targets. */
uint64_t input_size(const char *s);
/*
 * Read targets from fd, one per line, to its end or until stopped
 * (INPUT_END); -1 with errno if it cannot.  Chunked: INPUT_PAUSED when
 * the room is used up, INPUT_WAIT (nowait) when fd has nothing to read
 * now; call again with the same fd to go on.
 */
int	input_fd(struct input *, int fd);
/* Add a resolved address of name; reasons go to bad(). */
void	input_address(struct input *, const char *name, uint32_t order,
	    const struct sockaddr *);

#endif
