/*
 * run: fork + execvp with the output captured through pipes.
 * Does not: interpret the output.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "run.h"

/* Read both pipes until both are closed. */
static void collect(int out_fd, int err_fd, struct strbuf *out, struct strbuf *err_out)
{
	struct pollfd p[2] = { { out_fd, POLLIN, 0 }, { err_fd, POLLIN, 0 } };
	struct strbuf *dest[2] = { out, err_out };
	int open_fds = (out_fd >= 0) + (err_fd >= 0);
	char buf[8192];
	while (open_fds > 0) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		for (int i = 0; i < 2; i++) {
			if (p[i].fd < 0 || p[i].revents == 0)
				continue;
			ssize_t r = read(p[i].fd, buf, sizeof buf);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0) {
				close(p[i].fd);
				p[i].fd = -1;
				open_fds--;
			} else if (dest[i] != NULL) {
				strbuf_append(dest[i], buf, (size_t)r);
			}
		}
	}
}

int run_program(const char *const argv[], struct strbuf *out, struct strbuf *err_out, char *err, size_t errlen)
{
	int o[2] = { -1, -1 }, e[2] = { -1, -1 };
	if (pipe2(o, O_CLOEXEC) != 0 || (err_out != NULL && pipe2(e, O_CLOEXEC) != 0)) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		for (int i = 0; i < 2; i++) {
			if (o[i] >= 0)
				close(o[i]);
		}
		return -1;
	}
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		close(o[0]);
		close(o[1]);
		if (e[0] >= 0) {
			close(e[0]);
			close(e[1]);
		}
		return -1;
	}
	if (pid == 0) {
		dup2(o[1], STDOUT_FILENO);
		if (e[1] >= 0)
			dup2(e[1], STDERR_FILENO);
		execvp(argv[0], (char *const *)argv);
		fprintf(stderr, "%s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(o[1]);
	if (e[1] >= 0)
		close(e[1]);
	collect(o[0], e[0], out, err_out);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			snprintf(err, errlen, "%s: waitpid: %s", argv[0], strerror(errno));
			return -1;
		}
	}
	if (!WIFEXITED(status)) {
		snprintf(err, errlen, "%s was killed by signal %d", argv[0], WTERMSIG(status));
		return -1;
	}
	if (WEXITSTATUS(status) == 127)
		snprintf(err, errlen, "%s could not be run (not installed, or not in PATH)", argv[0]);
	return WEXITSTATUS(status);
}
