/*
 * helper: the privileged file reader and its client side.
 *
 * Does: fork; in the child close every other descriptor, load the
 * configuration for the list of identity files, drop to the daemon user
 * with CAP_DAC_READ_SEARCH only, and serve "R path" (public parts), "S path"
 * (metadata) and "L" (reload the list) for listed files only; in the parent
 * send requests and parse answers, with bounds on every length.
 * Does not: analyse certificates (tlsid does, in the daemon).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conf.h"
#include "helper.h"

#define PATH_LEN_MAX 4096

struct reply_header {
	int32_t err;
	uint32_t is_dir;
	uint32_t mode;
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

#define FILES_PER_CONF CONF_IDENTITY_FILES_MAX   /* every tenant's identity files */

/*
 * What the helper may read: the identity files of the configuration it
 * loaded itself, and of the one before (the daemon may ask for those once
 * more while its own reload completes).
 */
struct allowed_files {
	const char *conf_path;
	char *cur[FILES_PER_CONF], *prev[FILES_PER_CONF];
	size_t n_cur, n_prev;
};

/* Load conf_path again for the list; false (the list unchanged) when it does not load. */
static bool allowed_reload(struct allowed_files *a)
{
	char err[CONF_ERR_MAX];
	struct conf *c = NULL;
	if (!conf_load(a->conf_path, &c, err, sizeof err))
		return false;
	const char *files[FILES_PER_CONF];
	size_t n_files = conf_identity_files(c, files);
	for (size_t i = 0; i < a->n_prev; i++)
		free(a->prev[i]);
	memcpy(a->prev, a->cur, sizeof a->cur);
	a->n_prev = a->n_cur;
	a->n_cur = 0;
	for (size_t i = 0; i < n_files; i++) {
		if ((a->cur[a->n_cur] = strdup(files[i])) != NULL)
			a->n_cur++;
	}
	conf_free(c);
	return true;
}

/* True when path is one of the listed files. */
static bool allowed_has(const struct allowed_files *a, const char *path)
{
	for (size_t i = 0; i < a->n_cur; i++) {
		if (strcmp(a->cur[i], path) == 0)
			return true;
	}
	for (size_t i = 0; i < a->n_prev; i++) {
		if (strcmp(a->prev[i], path) == 0)
			return true;
	}
	return false;
}

/*
 * 0 when path may be opened, with *open_flags for open(2): O_NOFOLLOW for
 * what is not a symbolic link (so that one swapped in meanwhile is not
 * followed either), nothing for a link that only root could have placed
 * (the link and its directory belong to root, and the directory is writable
 * by nobody else, as in /etc/letsencrypt/live). Otherwise the errno to
 * answer with.
 */
static int path_is_safe(const char *path, int *open_flags)
{
	struct stat st;
	*open_flags = O_NOFOLLOW;
	if (lstat(path, &st) != 0)
		return errno;
	if (!S_ISLNK(st.st_mode))
		return 0;
	*open_flags = 0;
	char dir[PATH_LEN_MAX + 1];
	snprintf(dir, sizeof dir, "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash == NULL)
		snprintf(dir, sizeof dir, ".");
	else if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	struct stat ds;
	if (st.st_uid != 0 || lstat(dir, &ds) != 0 || ds.st_uid != 0 || (ds.st_mode & (S_IWGRP | S_IWOTH)) != 0)
		return ELOOP;
	return 0;
}

/* Serve one request; false when the daemon has gone. */
static bool serve_one(int fd, struct allowed_files *allowed)
{
	char op;
	uint32_t len;
	char path[PATH_LEN_MAX + 1];
	if (!read_full(fd, &op, 1) || !read_full(fd, &len, sizeof len) || len > PATH_LEN_MAX ||
	    !read_full(fd, path, len))
		return false;
	path[len] = '\0';
	struct tlsid_file f;
	int open_flags = 0;
	memset(&f, 0, sizeof f);
	if (op == 'L')
		f.err = allowed_reload(allowed) ? 0 : EINVAL;
	else if (op != 'R' && op != 'S')
		f.err = EINVAL;
	else if (!allowed_has(allowed, path))
		f.err = EPERM;   /* not an identity file of the configuration */
	else if ((f.err = path_is_safe(path, &open_flags)) == 0)
		tlsid_read_file_flags(path, open_flags, &f);
	char *pub = NULL;
	size_t publen = 0;
	if (f.err == 0 && op == 'R') {
		pub = tlsid_public_parts(f.data, f.len, &publen);
		if (pub == NULL)
			f.err = ENOMEM;
	}
	tlsid_file_free(&f);
	struct reply_header rh;
	memset(&rh, 0, sizeof rh);   /* no uninitialised padding on the wire */
	rh.err = f.err;
	rh.is_dir = f.is_dir;
	rh.mode = (uint32_t)f.mode;
	rh.mtime = f.mtime;
	rh.size = f.size;
	rh.ino = f.ino;
	rh.len = (uint32_t)publen;
	bool ok = write_full(fd, &rh, sizeof rh) && write_full(fd, pub != NULL ? pub : "", publen);
	free(pub);
	return ok;
}

/*
 * Become uid/gid keeping CAP_DAC_READ_SEARCH only: enough to read the
 * listed files whatever their permissions, nothing more (no write, chown or
 * signal as root). False when that cannot be had.
 */
static bool keep_read_capability_only(uid_t uid, gid_t gid)
{
	if (prctl(PR_SET_KEEPCAPS, 1) != 0 || setgroups(0, NULL) != 0 || setgid(gid) != 0 || setuid(uid) != 0)
		return false;
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];
	memset(data, 0, sizeof data);
	data[CAP_TO_INDEX(CAP_DAC_READ_SEARCH)].permitted = CAP_TO_MASK(CAP_DAC_READ_SEARCH);
	data[CAP_TO_INDEX(CAP_DAC_READ_SEARCH)].effective = CAP_TO_MASK(CAP_DAC_READ_SEARCH);
	if (syscall(SYS_capset, &hdr, data) != 0)
		return false;
	prctl(PR_SET_KEEPCAPS, 0);
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	return getuid() == uid && geteuid() == uid && (uid == 0 || setuid(0) != 0);
}

/* The child: keep only fd, load the list, drop privileges, then serve until the daemon closes its end. */
static void helper_main(int fd, const char *conf_path, uid_t uid, gid_t gid)
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
	struct allowed_files allowed = { conf_path, { NULL }, { NULL }, 0, 0 };
	/* Y: ready; C: the configuration did not load; P: the privilege change failed */
	char ready = !allowed_reload(&allowed) ? 'C' : !keep_read_capability_only(uid, gid) ? 'P' : 'Y';
	if (!write_full(fd, &ready, 1) || ready != 'Y')
		_exit(1);
	while (serve_one(fd, &allowed))
		;
	_exit(0);
}

/* Fork the helper and wait until it is ready. */
bool helper_start(struct helper *h, const char *conf_path, uid_t uid, gid_t gid, char *err, size_t errlen)
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
	if (pid == 0) {
		close(sv[0]);
		helper_main(sv[1], conf_path, uid, gid);
	}
	close(sv[1]);
	char ready = 'N';
	if (!read_full(sv[0], &ready, 1) || ready != 'Y') {
		if (ready == 'C')
			snprintf(err, errlen, "the key-reading helper cannot load %s; see what eopguard -t -c %s says",
				 conf_path, conf_path);
		else if (ready == 'P')
			snprintf(err, errlen, "the key-reading helper cannot become the daemon user keeping only "
				 "CAP_DAC_READ_SEARCH (a container without that capability?); give the container "
				 "CAP_DAC_READ_SEARCH, or set user = \"\" to run without dropping root");
		else
			snprintf(err, errlen, "the key-reading helper exited before it was ready");
		close(sv[0]);
		waitpid(pid, NULL, 0);
		return false;
	}
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

/* Reload the helper's list of files. */
bool helper_reload(struct helper *h)
{
	struct tlsid_file f;
	helper_request(h, 'L', "", &f);
	tlsid_file_free(&f);
	return f.err == 0;
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
