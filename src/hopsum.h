/*
 * A trace's hops over all its rounds (-c N, --report): each hop's probes
 * sent and answered, its RTTs, and every address that answered it, as mtr
 * counts them.  Fed the hop records the trace mode emits (so only the
 * hops it printed: a probe sent beyond the destination before the end
 * was known is no hop), it hands back one hop-summary record per hop.
 */
#ifndef MPING_HOPSUM_H
#define MPING_HOPSUM_H

#include "out.h"

struct hopsum;

/* NULL: no memory (the trace then has no summary). */
struct hopsum	*hopsum_new(void);
void		 hopsum_free(struct hopsum *);
/*
 * A hop record of one round (REC_HOP with froms): each probe sent, and
 * answered if it has an RTT; a probe this host could not send ("local")
 * is lost.  -1: no memory for a new hop or responder (not counted).
 */
int		 hopsum_add(struct hopsum *, const struct record *hop);
/*
 * One REC_HOP_SUMMARY per hop from the first seen to the last (no further
 * than the lowest hop where the target itself answered, as mtr), each a
 * copy of tmpl (the target's part) with the hop's numbers: ttl, from
 * (the address that answered most), addrs (every one, most answers
 * first) and names (when the hop records had them), sent, received,
 * lost, loss_pct, the RTTs (last, min, avg, max, stddev); hops is the
 * table's last TTL and name_width its widest host as text shows it.
 */
void		 hopsum_emit(const struct hopsum *, struct out *,
		    const struct record *tmpl);

#endif
