#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rdns.h"
#include "targets.h"

#define REQ_LEN		17		/* family, address */
#define ANS_HDR		19		/* family, address, name length */
#define MAX_WORKERS	8

enum { R_PENDING = 1, R_DONE };

struct rdns_entry {
	uint8_t		addr[16];
	uint8_t		family, state;
	uint32_t	name;		/* arena offset + 1, 0: no name */
};

struct rdns {
	int			 req, ans;	/* our pipe ends */
	pid_t			 pid[MAX_WORKERS];
	int			 nworkers;
	struct rdns_entry	*e;
	uint32_t		 mask, n;
	char			*names;
	size_t			 names_len, names_cap;
	uint8_t			 buf[8192];	/* answers read so far */
	size_t			 buflen;
};

/*
 * A worker: one request at a time, one answer per request.  Requests are
 * REQ_LEN bytes and every write of them is atomic, so workers sharing the
 * pipe never read half of one.  Answers stay under PIPE_BUF for the same
 * reason.
 */
static void __attribute__((noreturn))
worker(int req, int ans)
{
	struct sockaddr_storage ss;
	uint8_t in[REQ_LEN], out[ANS_HDR + NI_MAXHOST];
	char host[NI_MAXHOST];
	socklen_t sl;
	size_t len, i;

	for (;;) {
		if (read(req, in, REQ_LEN) != REQ_LEN)
			_exit(0);
		memset(&ss, 0, sizeof(ss));
		if (in[0] == 4) {
			struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

			s4->sin_family = AF_INET;
			memcpy(&s4->sin_addr, in + 1 + 12, 4);
			sl = sizeof(*s4);
		} else {
			struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

			s6->sin6_family = AF_INET6;
			memcpy(&s6->sin6_addr, in + 1, 16);
			sl = sizeof(*s6);
		}
		len = 0;
		if (getnameinfo((struct sockaddr *)&ss, sl, host, sizeof(host),
		    NULL, 0, NI_NAMEREQD) == 0) {
			len = strnlen(host, sizeof(host) - 1);
			/* No control bytes reach a terminal from a PTR. */
			for (i = 0; i < len; i++)
				if ((unsigned char)host[i] < 0x20 ||
				    host[i] == 0x7f)
					host[i] = '?';
		}
		memcpy(out, in, REQ_LEN);
		out[17] = (uint8_t)(len >> 8);
		out[18] = (uint8_t)len;
		memcpy(out + ANS_HDR, host, len);
		if (write(ans, out, ANS_HDR + len) != (ssize_t)(ANS_HDR + len))
			_exit(0);
	}
}

/* Close every descriptor of ours but the worker's two pipe ends. */
static void
close_others(int a, int b)
{
	int fd, max = (int)sysconf(_SC_OPEN_MAX);

	if (max < 0 || max > 65536)
		max = 65536;
	for (fd = 3; fd < max; fd++)
		if (fd != a && fd != b)
			close(fd);
}

struct rdns *
rdns_start(int workers)
{
	struct rdns *r;
	int req[2], ans[2], i, null, e;
	pid_t pid;

	if (workers > MAX_WORKERS)
		workers = MAX_WORKERS;
	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->mask = 255;
	if ((r->e = calloc(r->mask + 1, sizeof(*r->e))) == NULL ||
	    pipe(req) == -1) {
		free(r->e);
		free(r);
		return NULL;
	}
	if (pipe(ans) == -1) {
		close(req[0]);
		close(req[1]);
		free(r->e);
		free(r);
		return NULL;
	}
	for (i = 0; i < workers; i++) {
		if ((pid = fork()) == -1)
			break;
		if (pid == 0) {
			/* Gone with the parent; Ctrl-C is the parent's. */
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			null = open("/dev/null", O_RDWR);
			if (null != -1) {
				dup2(null, 0);
				dup2(null, 1);
			}
			close_others(req[0], ans[1]);
			worker(req[0], ans[1]);
		}
		r->pid[r->nworkers++] = pid;
	}
	close(req[0]);
	close(ans[1]);
	r->req = req[1];
	r->ans = ans[0];
	fcntl(r->req, F_SETFL, O_NONBLOCK);
	fcntl(r->ans, F_SETFL, O_NONBLOCK);
	fcntl(r->req, F_SETFD, FD_CLOEXEC);
	fcntl(r->ans, F_SETFD, FD_CLOEXEC);
	if (r->nworkers == 0) {
		e = errno;		/* fork()'s, for the message */
		rdns_free(r);
		errno = e;
		return NULL;
	}
	return r;
}

int
rdns_fd(const struct rdns *r)
{
	return r->ans;
}

static struct rdns_entry *
find(struct rdns *r, const uint8_t addr[16], int insert)
{
	struct rdns_entry *e, *old;
	uint32_t i, oldmask;

	if (insert && (r->n + 1) * 2 > r->mask + 1) {
		old = r->e;
		oldmask = r->mask;
		if ((e = calloc((size_t)(oldmask + 1) * 2, sizeof(*e))) ==
		    NULL)
			return NULL;
		r->e = e;
		r->mask = oldmask * 2 + 1;
		for (i = 0; i <= oldmask; i++)
			if (old[i].state)
				*find(r, old[i].addr, 0) = old[i];
		free(old);
	}
	for (i = addr_hash(addr) & r->mask;; i = (i + 1) & r->mask) {
		e = &r->e[i];
		if (e->state == 0 || memcmp(e->addr, addr, 16) == 0)
			return e;
	}
}

int
rdns_lookup(struct rdns *r, int family, const uint8_t addr[16],
    const char **name)
{
	struct rdns_entry *e;
	uint8_t req[REQ_LEN];

	*name = NULL;
	if ((e = find(r, addr, 1)) == NULL)
		return 1;
	if (e->state == R_DONE) {
		*name = e->name ? r->names + e->name - 1 : NULL;
		return 1;
	}
	if (e->state == R_PENDING)
		return 0;
	memcpy(e->addr, addr, 16);
	e->family = family == AF_INET ? 4 : 6;
	e->state = R_PENDING;
	r->n++;
	req[0] = e->family;
	memcpy(req + 1, addr, 16);
	/* A full pipe: give up on this name rather than wait. */
	if (write(r->req, req, REQ_LEN) != REQ_LEN) {
		e->state = R_DONE;
		return 1;
	}
	return 0;
}

static void
answer(struct rdns *r, const uint8_t *a, size_t len)
{
	struct rdns_entry *e = find(r, a + 1, 0);
	size_t cap;
	char *n;

	if (e->state != R_PENDING)
		return;
	e->state = R_DONE;
	if (len == 0)
		return;
	if (r->names_len + len + 1 > r->names_cap) {
		cap = r->names_cap ? r->names_cap * 2 : 4096;
		while (cap < r->names_len + len + 1)
			cap *= 2;
		if ((n = realloc(r->names, cap)) == NULL)
			return;
		r->names = n;
		r->names_cap = cap;
	}
	memcpy(r->names + r->names_len, a + ANS_HDR, len);
	r->names[r->names_len + len] = '\0';
	e->name = (uint32_t)r->names_len + 1;
	r->names_len += len + 1;
}

int
rdns_read(struct rdns *r)
{
	ssize_t n;
	size_t off = 0, len;
	int got = 0;

	while ((n = read(r->ans, r->buf + r->buflen,
	    sizeof(r->buf) - r->buflen)) > 0) {
		r->buflen += (size_t)n;
		off = 0;
		while (r->buflen - off >= ANS_HDR) {
			len = (size_t)r->buf[off + 17] << 8 | r->buf[off + 18];
			if (r->buflen - off < ANS_HDR + len)
				break;
			answer(r, r->buf + off, len);
			got++;
			off += ANS_HDR + len;
		}
		memmove(r->buf, r->buf + off, r->buflen - off);
		r->buflen -= off;
	}
	return got;
}

void
rdns_free(struct rdns *r)
{
	int i;

	if (r == NULL)
		return;
	close(r->req);
	close(r->ans);
	for (i = 0; i < r->nworkers; i++) {
		kill(r->pid[i], SIGKILL);
		waitpid(r->pid[i], NULL, 0);
	}
	free(r->e);
	free(r->names);
	free(r);
}
