/*
 * cli (front layer, beside main.c): the command line -> struct conf.
 * A new option is one row of the table in cli.c; a rule between options
 * goes into cli.c's rules(), after the parse.
 */
#ifndef MPING_CLI_H
#define MPING_CLI_H

#include "conf.h"

/* mping's exit statuses, as mping(1) lists them. */
#define EXIT_NOREPLY	1
#define EXIT_BADTARGET	2
#define EXIT_USAGE	3
#define EXIT_SYSTEM	4

/*
 * Fill *c from argv, or say why not on stderr and exit 3 (--help and
 * --version exit 0).  *files: the -f FILEs (*nfiles of them, an array
 * to free); returns the index in argv of the first target (optind).
 */
int	cli_parse(int argc, char **argv, struct conf *c, const char ***files,
	    int *nfiles);

/*
 * The same from fping's command line (cli_fping.c), for mping called as
 * fping or fping6: fping's messages and exit statuses.
 */
int	cli_fping_parse(int argc, char **argv, struct conf *c,
	    const char ***files, int *nfiles);
struct input;
/* fping -g's targets (start end, or a CIDR block) into in. */
void	cli_fping_generate(struct input *in, int argc, char **argv);
struct targets;
/* fping -n, -d: targets from index from on shown by their PTR names. */
void	cli_fping_names(struct targets *, uint32_t from, int rdns);

#endif
