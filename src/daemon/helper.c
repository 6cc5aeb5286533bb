/*
 * helper: the privileged file reader and its client side.
 *
 * Does: fork; in the child close every other descriptor and serve
 * "R path" (read) and "S path" (metadata) requests with public parts only;
 * in the parent send requests and parse answers, with bounds on every length.
 * Does not: analyse certificates (tlsid does, in the daemon).
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helper.h"

#define PATH_LEN_MAX 4096

struct reply_header {
	int32_t err;
	uint32_t is_dir;
	uint32_t mode;
	uint32_t uid;
	int64_t mtime;
	int64_t size;
	uint64_t ino;
	uint32_t len;
};

/* Write all of buf. */
static bool write_full(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

/* Read exactly len bytes. */
static bool read_full(int fd, void *buf, size_t len)
{
	char *p = buf;
	while (len > 0) {
		ssize_t n = read(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

/* Serve one request; false when the daemon has gone. */
static bool serve_one(int fd)
{
	char op;
	uint32_t len;
	char path[PATH_LEN_MAX + 1];
	if (!read_full(fd, &op, 1) || !read_full(fd, &len, sizeof len) || len > PATH_LEN_MAX ||
	    !read_full(fd, path, len))
		return false;
	path[len] = '\0';
	struct tlsid_file f;
	tlsid_read_file(path, &f);
	char *pub = NULL;
	size_t publen = 0;
	if (f.err == 0 && op == 'R') {
		pub = tlsid_public_parts(f.data, f.len, &publen);
		if (pub == NULL)
			f.err = ENOMEM;
	}
	tlsid_file_free(&f);
	struct reply_header rh = { f.err, f.is_dir, (uint32_t)f.mode, (uint32_t)f.uid, f.mtime, f.size,
				   f.ino, (uint32_t)publen };
	bool ok = write_full(fd, &rh, sizeof rh) && write_full(fd, pub != NULL ? pub : "", publen);
	free(pub);
	return ok;
}

/* The child: keep only fd, then serve until the daemon closes its end. */
static void helper_main(int fd)
{
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	long maxfd = sysconf(_SC_OPEN_MAX);
	for (long i = 0; i < (maxfd > 0 && maxfd < 65536 ? maxfd : 65536); i++) {
		if (i != fd)
			close((int)i);
	}
	sigset_t none;
	sigemptyset(&none);
	pthread_sigmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_IGN);
	while (serve_one(fd))
		;
	_exit(0);
}

/* Fork the helper. */
bool helper_start(struct helper *h, char *err, size_t errlen)
{
	int sv[2];
	pthread_mutex_init(&h->lock, NULL);
	h->fd = -1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
		snprintf(err, errlen, "socketpair: %s", strerror(errno));
		return false;
	}
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return false;
	}
	if (pid == 0)
		helper_main(sv[1]);
	close(sv[1]);
	h->fd = sv[0];
	h->pid = pid;
	return true;
}

/* One request/answer round trip. */
static void helper_request(struct helper *h, char op, const char *path, struct tlsid_file *out)
{
	memset(out, 0, sizeof *out);
	uint32_t len = (uint32_t)strlen(path);
	struct reply_header rh;
	if (h == NULL || h->fd < 0 || len > PATH_LEN_MAX) {
		out->err = h == NULL || h->fd < 0 ? ECONNRESET : ENAMETOOLONG;   /* ECONNRESET: internal, see tlsid.h */
		return;
	}
	pthread_mutex_lock(&h->lock);
	bool ok = write_full(h->fd, &op, 1) && write_full(h->fd, &len, sizeof len) && write_full(h->fd, path, len) &&
		  read_full(h->fd, &rh, sizeof rh) && rh.len <= 2 * TLSID_FILE_MAX;
	if (ok) {
		out->data = malloc((size_t)rh.len + 1);
		ok = out->data != NULL && read_full(h->fd, out->data, rh.len);
	}
	pthread_mutex_unlock(&h->lock);
	if (!ok) {
		free(out->data);
		out->data = NULL;
		out->err = ECONNRESET;   /* the helper is gone: an internal error, not a finding */
		return;
	}
	out->data[rh.len] = '\0';
	out->len = rh.len;
	out->err = rh.err;
	out->is_dir = rh.is_dir != 0;
	out->mode = (mode_t)rh.mode;
	out->uid = (uid_t)rh.uid;
	out->mtime = (time_t)rh.mtime;
	out->size = (off_t)rh.size;
	out->ino = (ino_t)rh.ino;
	if (out->err != 0 || op == 'S') {
		free(out->data);
		out->data = NULL;
		out->len = 0;
	}
}

/* tlsid_reader callback. */
void helper_read(void *ctx, const char *path, struct tlsid_file *out)
{
	helper_request(ctx, 'R', path, out);
}

/* Metadata only. */
void helper_stat(struct helper *h, const char *path, struct tlsid_file *out)
{
	helper_request(h, 'S', path, out);
}

/* Stop and reap. */
void helper_stop(struct helper *h)
{
	if (h->fd < 0)
		return;
	close(h->fd);
	h->fd = -1;
	int status;
	waitpid(h->pid, &status, 0);
}
