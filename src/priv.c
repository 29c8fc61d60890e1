/*
 * Privileges in two steps.  priv_limit() runs first thing in main: it
 * empties the capability bounding set, gives a setuid-root copy the real
 * user's ids back, and keeps only the capabilities the sockets need.
 * Options are parsed after it; priv_drop() clears even those once the
 * sockets are open.
 */
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <errno.h>
#include <grp.h>
#include <stdint.h>
#include <unistd.h>

#include "priv.h"

/* Raw sockets; SO_RCVBUFFORCE (a receive buffer beyond rmem_max). */
#define SOCKET_CAPS	(1U << CAP_NET_RAW | 1U << CAP_NET_ADMIN)

/* The first 32 capabilities (all mping deals with): permitted, effective. */
static int
caps_get(uint32_t *prm, uint32_t *eff)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &hdr, d) == -1)
		return -1;
	*prm = d[0].permitted;
	*eff = d[0].effective;
	return 0;
}

/* Permitted and effective become caps (inheritable: none). */
static int
caps_set(uint32_t caps)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2] = { { caps, caps, 0 },
	    { 0, 0, 0 } };

	return (int)syscall(SYS_capset, &hdr, d);
}

/*
 * Emptying the bounding set needs CAP_SETPCAP, which root and a setuid
 * root copy have only until setresuid() takes the uid away: so it comes
 * first.  A file-capability copy (cap_net_raw+ep) never has CAP_SETPCAP
 * and keeps its bounding set; PR_SET_NO_NEW_PRIVS makes that harmless.
 */
static int
bounding_drop(uint32_t prm)
{
	int cap;

	if (!(prm & 1U << CAP_SETPCAP))
		return 0;
	for (cap = 0; cap <= CAP_LAST_CAP; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == -1 &&
		    errno != EINVAL)
			return -1;
	return 0;
}

/* Real user and group ids as effective and saved ones too. */
static int
ids_drop(void)
{
	uid_t uid = getuid();
	gid_t gid = getgid();

	/* A setuid-root copy: keep none of root's groups. */
	if (geteuid() == 0 && uid != 0 && setgroups(0, NULL) == -1)
		return -1;
	return setresgid(gid, gid, gid) == -1 ||
	    setresuid(uid, uid, uid) == -1 ? -1 : 0;
}

int
priv_limit(void)
{
	uint32_t prm, eff;

	if (caps_get(&prm, &eff) == -1 || bounding_drop(prm) == -1)
		return -1;
	/* Keep the permitted capabilities across the change of uid. */
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) == -1 || ids_drop() == -1 ||
	    prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) == -1)
		return -1;
	return caps_set(prm & SOCKET_CAPS);
}

int
priv_drop(void)
{
	uid_t uid = getuid();
	uid_t r, e, s;

	if (ids_drop() == -1 || caps_set(0) == -1)
		return -1;
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		return -1;
	if (getresuid(&r, &e, &s) == -1 || r != uid || e != uid || s != uid)
		return -1;
	/* Paranoia: a dropped setuid-root copy must not get root back. */
	if (uid != 0 && setuid(0) != -1)
		return -1;
	return 0;
}
