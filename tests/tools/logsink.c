/*
 * logsink SOCKET OUTFILE HOST [--facility]: a minimal syslog receiver for
 * tests. Binds a unix datagram socket, and appends every message to OUTFILE
 * as a classic log line ("Nov 23 10:00:01 HOST prog[pid]: text"), dropping
 * the <PRI> prefix syslog(3) sends, or with --facility putting
 * "facility=N " (PRI / 8) before it. Stops on SIGTERM. Used to capture what a
 * real sendmail logs (tests/integration/sendmail.sh) and which facility
 * eopguard logs with (tests/integration/syslog.sh).
 */
#include "config.h"

#include <signal.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	if (argc != 4 && !(argc == 5 && strcmp(argv[4], "--facility") == 0)) {
		fprintf(stderr, "usage: logsink SOCKET OUTFILE HOST [--facility]\n");
		return 64;
	}
	int show_facility = argc == 5;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(argv[1]) >= sizeof sa.sun_path) {
		fprintf(stderr, "logsink: socket path too long\n");
		return 64;
	}
	memcpy(sa.sun_path, argv[1], strlen(argv[1]) + 1);
	unlink(argv[1]);
	int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		perror("logsink: bind");
		return 71;
	}
	chmod(argv[1], 0666);
	FILE *out = fopen(argv[2], "a");
	if (out == NULL) {
		perror("logsink: open");
		return 73;
	}
	struct sigaction act = { .sa_handler = on_term };
	sigaction(SIGTERM, &act, NULL);
	char buf[8192];
	while (!stop) {
		ssize_t n = recv(fd, buf, sizeof buf - 1, 0);
		if (n <= 0)
			continue;
		while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\0'))
			n--;
		buf[n] = '\0';
		char *p = buf;
		int pri = -1;
		if (*p == '<') {
			char *gt = strchr(p, '>');
			if (gt != NULL) {
				pri = atoi(p + 1);
				p = gt + 1;
			}
		}
		if (show_facility)
			fprintf(out, "facility=%d ", pri >= 0 ? pri / 8 : -1);
		/* "Mmm dd hh:mm:ss " (16 chars), then tag: insert the host name */
		if (strlen(p) > 16)
			fprintf(out, "%.15s %s %s\n", p, argv[3], p + 16);
		else
			fprintf(out, "%s\n", p);
		fflush(out);
	}
	unlink(argv[1]);
	return 0;
}
