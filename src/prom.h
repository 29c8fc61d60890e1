/*
 * --prom-file: the targets' counts as a Prometheus text exposition file,
 * rewritten whole at every report (written beside it, then renamed, so
 * node_exporter's textfile collector never reads half a file).  Fed
 * records: per target, its interval record and its counts so far.
 */
#ifndef MPING_PROM_H
#define MPING_PROM_H

#include <stddef.h>

#include "out.h"

struct prom;

/* NULL with a message in err (no memory, a path too long). */
struct prom	*prom_open(const char *path, char *err, size_t errlen);
void		 prom_free(struct prom *);
/* A new report: 0, or -1 (errno) if its scratch files cannot be made. */
int		 prom_begin(struct prom *);
/* Target's lines: its interval (iv), its counts so far (all), up or not. */
void		 prom_add(struct prom *, const struct record *iv,
		    const struct record *all, int up);
/* Write the file and rename it into place: 0, or -1 (errno). */
int		 prom_commit(struct prom *, double now);

#endif
