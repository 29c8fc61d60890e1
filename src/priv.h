#ifndef MPING_PRIV_H
#define MPING_PRIV_H

/*
 * First thing at start-up: empty the capability bounding set, take the
 * real user's ids (a setuid-root copy stops being root), and keep only
 * CAP_NET_RAW and CAP_NET_ADMIN of the capabilities held, for the sockets.
 * Returns -1 if anything that should have worked did not.
 */
int	priv_limit(void);

/*
 * Once the sockets are open, give up every privilege for good: real
 * uid/gid as effective and saved ids, no supplementary groups (setuid
 * root), no capabilities, no new privileges.  Returns -1 on failure.
 */
int	priv_drop(void);

#endif
