/*
 * eopguard: the milter daemon: eopguard [-c FILE] [-f] [-t] [-p SOCKET] [-V]
 * [-h], exit 0, 64 usage, 78 configuration, 71 other start-up failure
 * (eopguard(8)).
 *
 * Does: command line, configuration, socket permissions, pidfile,
 * daemonising, privilege drop, the SIGUSR1 reload thread, clean stop.
 * Start-up errors are reported once on stderr with a sysexits status.
 * Does not: handle mail (milter.c) or hold policy logic (src/core).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "check.h"
#include "tlsid.h"
#include "conf.h"
#include "identity.h"
#include "log.h"
#include "metricsfile.h"
#include "milter.h"
#include "privdrop.h"
#include "state.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif

struct options {
	const char *conf_path;
	const char *socket;     /* -p, or NULL */
	bool foreground;
	bool test_only;
};

/* Usage text to fp. */
static void usage(FILE *fp)
{
	fprintf(fp, "usage: eopguard [-c FILE] [-f] [-t] [-p SOCKET] [-V] [-h]\n"
		    "  -c FILE    configuration file (default %s/eopguard/eopguard.conf)\n"
		    "  -f         stay in the foreground and log to stderr as well\n"
		    "  -t         check the configuration, print the report, exit\n"
		    "  -p SOCKET  listen on SOCKET (unix:/path, local:/path, inet:PORT@HOST, inet6:PORT@HOST)\n"
		    "  -V         print the version\n"
		    "  -h         this help\n"
		    "SIGUSR1 reloads the configuration; SIGUSR2 closes the feedback breakers; SIGTERM stops.\n", SYSCONFDIR);
}

/* Parse argv; exits on -h, -V and usage errors. */
static void parse_args(int argc, char **argv, struct options *o)
{
	static char default_conf[] = SYSCONFDIR "/eopguard/eopguard.conf";
	o->conf_path = default_conf;
	int ch;
	while ((ch = getopt(argc, argv, "c:ftp:Vh")) != -1) {
		switch (ch) {
		case 'c': o->conf_path = optarg; break;
		case 'f': o->foreground = true; break;
		case 't': o->test_only = true; break;
		case 'p': o->socket = optarg; break;
		case 'V': printf("eopguard %s\n", PACKAGE_VERSION); exit(EX_OK);
		case 'h': usage(stdout); exit(EX_OK);
		default: usage(stderr); exit(EX_USAGE);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "eopguard: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		exit(EX_USAGE);
	}
	char why[512];
	if (o->socket != NULL && !conf_socket_valid(o->socket, why, sizeof why)) {
		fprintf(stderr, "eopguard: -p %s\n", why);
		exit(EX_USAGE);
	}
}

/* -t: print the check report and return its exit status. */
static int run_self_test(const struct conf *conf)
{
	struct check_report report = { 0 };
	struct strbuf out;
	strbuf_init(&out, 1 << 20);
	check_all(conf, time(NULL), &tlsid_direct_reader, &report, NULL, NULL);
	check_format_text(&report, &out);
	fputs(out.data, stdout);
	strbuf_free(&out);
	return check_count(&report, CHECK_FAIL) > 0 ? 1 : 0;
}

/* The filesystem path of a unix socket spec, or NULL for inet sockets. */
static const char *socket_path(const char *spec)
{
	if (strncmp(spec, "unix:", 5) == 0)
		return spec + 5;
	if (strncmp(spec, "local:", 6) == 0)
		return spec + 6;
	return spec[0] == '/' ? spec : NULL;
}

/*
 * Give the unix socket libmilter just created its owner and group. Its mode
 * came from the umask at creation, so no chmod is needed; the owner is set
 * with lchown after lstat proves the path is still a socket, so a symbolic
 * link planted in its place (the directory may be the daemon user's) is
 * never followed by root.
 */
static bool fix_socket_permissions(const char *spec, uid_t uid, gid_t gid, char *err, size_t errlen)
{
	const char *path = socket_path(spec);
	if (path == NULL)
		return true;
	struct stat st;
	if (lstat(path, &st) != 0) {
		snprintf(err, errlen, "socket %s: %s after creating it", path, strerror(errno));
		return false;
	}
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "socket %s: not a socket any more after creating it; refusing to change its "
			 "owner", path);
		return false;
	}
	if (lchown(path, uid, gid) != 0) {
		snprintf(err, errlen, "socket %s: cannot set owner/group: %s", path, strerror(errno));
		return false;
	}
	return true;
}

/*
 * True when pid is a live eopguard: not a zombie (a daemon killed with -9
 * may linger as one), and not another program that got the number since
 * (then the pidfile is stale). Without /proc, any live process counts.
 */
static bool process_is_eopguard(pid_t pid)
{
	if (kill(pid, 0) != 0 && errno != EPERM)
		return false;
	char path[64], buf[512];
	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return true;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return true;
	buf[n] = '\0';
	/* "pid (comm) state ...": comm may hold spaces or parentheses, so take the last ')' */
	char *open_paren = strchr(buf, '('), *close_paren = strrchr(buf, ')');
	if (open_paren == NULL || close_paren == NULL || close_paren[1] != ' ')
		return true;
	if (close_paren[2] == 'Z' || close_paren[2] == 'X')
		return false;
	*close_paren = '\0';
	return strncmp(open_paren + 1, "eopguard", 8) == 0;
}

/*
 * Refuse to start when the pidfile names a live process. What is not a
 * process id (garbage, 0, 1, a number beyond pid_t) is a stale pidfile.
 */
static bool pidfile_check(const char *path, char *err, size_t errlen)
{
	if (path[0] == '\0')
		return true;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return true;
	char buf[32];
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return true;
	buf[n] = '\0';
	char *end;
	errno = 0;
	long long pid = strtoll(buf, &end, 10);
	bool is_pid = errno == 0 && end != buf && (*end == '\n' || *end == '\0') && pid > 1 && pid <= INT_MAX;
	if (is_pid && process_is_eopguard((pid_t)pid)) {
		snprintf(err, errlen, "already running as pid %lld (pidfile %s); stop it first", pid, path);
		return false;
	}
	return true;
}

/*
 * The log destination can be opened: a file that exists must be writable,
 * otherwise its directory must exist (the daemon creates the file).
 */
static bool log_path_usable(const struct conf *conf, char *err, size_t errlen)
{
	const char *path = conf->log;
	if (strcmp(path, "syslog") == 0 || strcmp(path, "stderr") == 0)
		return true;
	char where[CONF_ERR_MAX / 2];
	conf_where(conf, conf->line.log, where, sizeof where);
	struct stat st;
	if (lstat(path, &st) == 0) {
		if (S_ISLNK(st.st_mode)) {   /* as the start refuses it (O_NOFOLLOW), so does -t */
			snprintf(err, errlen, "%slog: %s is a symbolic link; eopguard does not follow one, name the file",
				 where, path);
			return false;
		}
		if (S_ISDIR(st.st_mode)) {
			snprintf(err, errlen, "%slog: %s is a directory; name a file", where, path);
			return false;
		}
		if (access(path, W_OK) != 0) {
			snprintf(err, errlen, "%slog: cannot write %s: %s", where, path, strerror(errno));
			return false;
		}
		return true;
	}
	char dir[4096];
	snprintf(dir, sizeof dir, "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = '\0';
	else if (slash != NULL)
		*slash = '\0';
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%slog: the directory of %s does not exist; create it or change log", where, path);
		return false;
	}
	return true;
}

/*
 * Write our pid into a new file: an old one (a stale pidfile, or whatever
 * the daemon user put there, a symbolic link included) is unlinked, never
 * opened, and the new file is created with O_EXCL|O_NOFOLLOW, then given
 * to the daemon user through its descriptor.
 */
static bool pidfile_write(const char *path, uid_t uid, gid_t gid, char *err, size_t errlen)
{
	if (path[0] == '\0')
		return true;
	if (unlink(path) != 0 && errno != ENOENT) {
		snprintf(err, errlen, "pidfile %s: cannot replace it: %s", path, strerror(errno));
		return false;
	}
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		snprintf(err, errlen, "pidfile %s: %s; create its directory or change pidfile", path, strerror(errno));
		return false;
	}
	char line[32];
	int n = snprintf(line, sizeof line, "%ld\n", (long)getpid());
	bool ok = write(fd, line, (size_t)n) == n;
	if (!ok)
		snprintf(err, errlen, "pidfile %s: cannot write: %s", path, strerror(errno));
	if (ok && geteuid() == 0 && fchown(fd, uid, gid) != 0) {
		/* Not fatal: only its removal at stop, as the daemon user, may fail. */
	}
	close(fd);
	return ok;
}

/*
 * Raise the soft limit on open files to the hard one (every MTA connection
 * holds a descriptor), and set where the refresher warns: at 90% of it.
 */
static void raise_descriptor_limit(struct daemon_state *st)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			(void)getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > UINT_MAX)
		return;
	st->descriptor_limit = (unsigned)rl.rlim_cur;
	unsigned own = 16;   /* log, listener, helper, pipes: a limit below this is not worth a warning level */
	st->descriptors_warn_at = st->descriptor_limit > own ? st->descriptor_limit / 10 * 9 : 1;
}

/* Detach from the terminal. */
static bool daemonize(char *err, size_t errlen)
{
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		return false;
	}
	if (pid > 0)
		_exit(EX_OK);
	setsid();
	if (chdir("/") != 0) {
		snprintf(err, errlen, "chdir /: %s", strerror(errno));
		return false;
	}
	int fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
		if (fd > STDERR_FILENO)
			close(fd);
	}
	return true;
}

/* The open_for of the current configuration. */
static long current_open_for(struct daemon_state *st)
{
	struct snapshot *snap = state_acquire(st);
	long v = snap->conf->feedback.open_for;
	state_release(snap);
	return v;
}

/*
 * Reload thread: wait for SIGUSR1 and re-read the configuration, or for
 * SIGUSR2 (eopguardctl release) and close the breakers.
 */
static void *reload_thread(void *arg)
{
	struct daemon_state *st = arg;
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	for (;;) {
		int sig;
		if (sigwait(&set, &sig) != 0)
			continue;
		if (atomic_load(&st->stopping))
			return NULL;
		if (sig == SIGUSR2) {
			feedbackd_close_all(st, "release", current_open_for(st));
			continue;
		}
		char err[CONF_ERR_MAX];
		/* The helper first, so that it serves the new files by the time the refresher asks. */
		bool helper_ok = st->helper.fd < 0 || helper_reload(&st->helper);
		bool reloaded = state_reload(st, err, sizeof err);
		if (reloaded && !helper_ok)   /* (when the reload fails too, its own line says why) */
			log_msg(&st->log, LOG_WARNING, "reload: the key-reading helper could not read the new "
				"configuration and serves the previous files; restart eopguard if the identity files moved");
		atomic_fetch_add(reloaded ? &st->reloads_ok : &st->reloads_failed, 1);
		feedbackd_close_all(st, "reload", current_open_for(st));
		if (reloaded)
			identity_wake(st);
		else
			log_msg(&st->log, LOG_ERR, "reload failed, keeping the running configuration: %s", err);
		/* The log is reopened either way: after rotation it must not wait for a good config. */
		struct snapshot *snap = state_acquire(st);
		if (!log_open(&st->log, snap->conf->log, snap->conf->syslog_facility, st->foreground, (uid_t)-1, err,
			      sizeof err))
			log_msg(&st->log, LOG_ERR, "reload: %s; still logging to the old destination", err);
		if (reloaded)
			log_msg(&st->log, LOG_INFO, "configuration reloaded from %s (socket, socket_mode, socket_group, "
				"user and pidfile changes need a restart)", st->conf_path);
		state_release(snap);
	}
	return NULL;
}

/*
 * Resolve the user and group the daemon and socket will belong to. The
 * user is looked up whenever one is named (also by a non-root -t), so that
 * -t and a real start agree; errors carry the option's file:line.
 */
static bool resolve_ids(const struct conf *conf, uid_t *uid, gid_t *gid, gid_t *sock_gid, bool *drop,
			char *err, size_t errlen)
{
	char where[CONF_ERR_MAX / 2], why[CONF_ERR_MAX / 2];
	*uid = geteuid();
	*gid = getegid();
	*drop = geteuid() == 0 && conf->user[0] != '\0';
	uid_t user_uid;
	gid_t user_gid;
	if (conf->user[0] != '\0' && !privdrop_lookup(conf->user, &user_uid, &user_gid, why, sizeof why)) {
		conf_where(conf, conf->line.user, where, sizeof where);
		snprintf(err, errlen, "%s%s", where, why);
		return false;
	}
	if (*drop) {
		*uid = user_uid;
		*gid = user_gid;
	}
	*sock_gid = *gid;
	if (conf->socket_group[0] != '\0' && !privdrop_lookup_group(conf->socket_group, sock_gid, why, sizeof why)) {
		conf_where(conf, conf->line.socket_group, where, sizeof where);
		snprintf(err, errlen, "%s%s", where, why);
		return false;
	}
	return true;
}

/* What start-up would refuse in the configuration itself (exit 78), for -t and a real start alike. */
static bool preflight(const struct conf *conf, char *err, size_t errlen)
{
	uid_t uid;
	gid_t gid, sock_gid;
	bool drop;
	return resolve_ids(conf, &uid, &gid, &sock_gid, &drop, err, errlen) && log_path_usable(conf, err, errlen);
}

/* Everything from opening the socket to the privilege drop. */
static int start(struct daemon_state *st, struct conf *conf, const struct options *o)
{
	char err[CONF_ERR_MAX];
	uid_t uid;
	gid_t gid, sock_gid;
	bool drop;
	if (!preflight(conf, err, sizeof err) || !resolve_ids(conf, &uid, &gid, &sock_gid, &drop, err, sizeof err)) {
		fprintf(stderr, "eopguard: %s\n", err);
		return EX_CONFIG;
	}
	if (!pidfile_check(conf->pidfile, err, sizeof err)) {
		fprintf(stderr, "eopguard: %s\n", err);
		return EX_OSERR;
	}
	if (!log_open(&st->log, conf->log, conf->syslog_facility, o->foreground, drop ? uid : (uid_t)-1, err,
		      sizeof err)) {
		char where[CONF_ERR_MAX / 2];
		conf_where(conf, conf->line.log, where, sizeof where);
		fprintf(stderr, "eopguard: %s%s\n", where, err);
		return EX_CONFIG;
	}
	const char *sock_path = socket_path(conf->socket);
	struct stat sock_st;
	if (sock_path != NULL && lstat(sock_path, &sock_st) == 0 && !S_ISSOCK(sock_st.st_mode)) {
		fprintf(stderr, "eopguard: socket %s: %s is in its place; remove it (eopguard replaces only a stale "
			"socket)\n", sock_path, S_ISLNK(sock_st.st_mode) ? "a symbolic link" : "a file that is not a socket");
		return EX_OSERR;
	}
	mode_t old_umask = umask(0777 & ~conf->socket_mode);
	raise_descriptor_limit(st);
	bool ok = milter_setup(st, conf->socket, conf->timeout, err, sizeof err);
	umask(old_umask);
	ok = ok && fix_socket_permissions(conf->socket, uid, sock_gid, err, sizeof err);
	ok = ok && (o->foreground || daemonize(err, sizeof err));
	ok = ok && pidfile_write(conf->pidfile, uid, gid, err, sizeof err);
	/* The helper keeps root to read root-only key files; it must exist before the drop. */
	ok = ok && (!drop || helper_start(&st->helper, st->conf_path, uid, gid, err, sizeof err));
	if (ok)
		identity_init(st);
	ok = ok && (!drop || privdrop_to(conf->user, err, sizeof err));
	if (!ok) {
		fprintf(stderr, "eopguard: %s\n", err);
		log_msg(&st->log, LOG_ERR, "cannot start: %s", err);
		return EX_OSERR;
	}
	return EX_OK;
}

int main(int argc, char **argv)
{
	struct options o = { 0 };
	parse_args(argc, argv, &o);
	/* Reloads happen after the chdir("/") of daemonizing: keep the path absolute. */
	static char conf_abs[PATH_MAX];
	if (realpath(o.conf_path, conf_abs) != NULL)
		o.conf_path = conf_abs;
	char err[CONF_ERR_MAX];
	struct conf *conf = NULL;
	if (!conf_load(o.conf_path, &conf, err, sizeof err)) {
		fprintf(stderr, "eopguard: %s\n", err);
		return EX_CONFIG;
	}
	if (o.socket != NULL) {
		free(conf->socket);
		conf->socket = strdup(o.socket);
	}
	if (o.test_only) {
		if (!preflight(conf, err, sizeof err)) {
			fprintf(stderr, "eopguard: %s\n", err);
			conf_free(conf);
			return EX_CONFIG;
		}
		int rc = run_self_test(conf);
		conf_free(conf);
		return rc;
	}
	static struct daemon_state st;
	log_init_stderr(&st.log);
	st.tcp_socket = strncmp(conf->socket, "inet", 4) == 0;
	st.started = time(NULL);
	if (!state_init(&st, o.conf_path, conf, o.foreground) || !feedbackd_init(&st)) {
		fprintf(stderr, "eopguard: out of memory\n");
		return EX_OSERR;
	}
	/*
	 * Block the signals before any thread exists: libmilter's signal thread
	 * waits for HUP/TERM/INT, our reload thread for USR1; no other thread
	 * may take them.
	 */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	int rc = start(&st, conf, &o);
	if (rc != EX_OK)
		return rc;
	pthread_t reloader;
	pthread_create(&reloader, NULL, reload_thread, &st);
	if (!identity_start(&st))
		log_msg(&st.log, LOG_ERR, "cannot start the identity refresher; the identity is judged once, at start-up");
	if (!feedbackd_start(&st))
		log_msg(&st.log, LOG_ERR, "cannot start the feedback thread; feedback.log is not followed");
	log_msg(&st.log, LOG_INFO, "eopguard %s started on %s (config %s, user %s)", PACKAGE_VERSION,
		conf->socket, o.conf_path, geteuid() == 0 ? "root" : conf->user);
	/* A reload frees conf; keep what the stop needs (neither can change without a restart). */
	char *pidfile = strdup(conf->pidfile);
	char *sock = socket_path(conf->socket) != NULL ? strdup(socket_path(conf->socket)) : NULL;
	conf = NULL;
	rc = milter_run();
	log_msg(&st.log, LOG_INFO, "eopguard stopping");
	struct snapshot *last = state_acquire(&st);
	metrics_write(&st, last->conf);   /* the final counts */
	state_release(last);
	/* In a root-only runtime directory (the shipped unit's) the daemon user may not remove
	 * it; the service manager removes the directory at stop, so that is not worth a warning. */
	if (pidfile != NULL && pidfile[0] != '\0' && unlink(pidfile) != 0 && errno != ENOENT && errno != EACCES)
		log_msg(&st.log, LOG_WARNING, "cannot remove pidfile %s: %s", pidfile, strerror(errno));
	free(pidfile);
	/* libmilter leaves its unix socket behind; a stale one is also replaced at start. */
	if (sock != NULL)
		unlink(sock);
	free(sock);
	atomic_store(&st.stopping, true);
	pthread_kill(reloader, SIGUSR1);
	pthread_join(reloader, NULL);
	identity_stop(&st);
	feedbackd_stop(&st);
	helper_stop(&st.helper);
	state_destroy(&st);
	log_close(&st.log);
	return rc == 0 ? EX_OK : EX_SOFTWARE;
}
