#include <sys/prctl.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <grp.h>
#include <unistd.h>

#include "priv.h"

int
priv_drop(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2] = { { 0, 0, 0 }, { 0, 0, 0 } };
	uid_t uid = getuid();
	gid_t gid = getgid();
	uid_t r, e, s;
	int cap;

	/* A setuid-root copy: keep none of root's groups. */
	if (geteuid() == 0 && uid != 0 && setgroups(0, NULL) == -1)
		return -1;
	if (setresgid(gid, gid, gid) == -1 || setresuid(uid, uid, uid) == -1)
		return -1;
	/* As real root the uid stays 0, so drop the capabilities too. */
	for (cap = 0; cap <= CAP_LAST_CAP; cap++)
		prctl(PR_CAPBSET_DROP, cap, 0, 0, 0);
	if (syscall(SYS_capset, &hdr, data) == -1)
		return -1;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		return -1;
	if (getresuid(&r, &e, &s) == -1 || r != uid || e != uid || s != uid)
		return -1;
	/* Paranoia: a dropped setuid-root copy must not get root back. */
	if (uid != 0 && setuid(0) != -1)
		return -1;
	return 0;
}
