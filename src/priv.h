#ifndef MPING_PRIV_H
#define MPING_PRIV_H

/*
 * Give up every privilege for good: real uid/gid as effective and saved
 * ids, no supplementary groups, no capabilities, no new privileges.
 * Returns -1 if anything that should have worked did not.
 */
int	priv_drop(void);

#endif
