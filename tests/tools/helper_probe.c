/*
 * helper_probe: plays a compromised eopguard daemon against the real
 * key-reading helper (src/daemon/helper.c). As root it starts the helper
 * for a configuration, then drops to the daemon user as the daemon does,
 * and asks the helper for each path on the command line, reading (R) and
 * stat-ing (S) it. Prints one line per request, then the helper's uid and
 * effective capabilities from /proc, for tests/integration/privilege.sh.
 *
 * Usage: helper_probe CONF USER [--install FILE] [--reload] PATH...
 * (--install copies FILE over CONF, so that a following --reload sees it.)
 */
#include "config.h"

#include <errno.h>
#include <pwd.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "helper.h"

/* The helper's "Uid:" and "CapEff:" lines. */
static void print_status(pid_t pid)
{
	char path[64], line[256];
	snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
	FILE *fp = fopen(path, "r");
	if (fp == NULL)
		return;
	while (fgets(line, sizeof line, fp) != NULL) {
		if (strncmp(line, "Uid:", 4) == 0 || strncmp(line, "CapEff:", 7) == 0 ||
		    strncmp(line, "CapPrm:", 7) == 0)
			printf("helper %s", line);
	}
	fclose(fp);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: helper_probe CONF USER [--install FILE] [--reload] PATH...\n");
		return 64;
	}
	struct passwd *pw = getpwnam(argv[2]);
	if (pw == NULL) {
		fprintf(stderr, "helper_probe: no user %s\n", argv[2]);
		return 67;
	}
	struct helper h;
	char err[512];
	if (!helper_start(&h, argv[1], pw->pw_uid, pw->pw_gid, err, sizeof err)) {
		printf("helper_start failed: %s\n", err);
		return 1;
	}
	/* now the "daemon" gives up root, as eopguard does after starting the helper */
	if (setgroups(0, NULL) != 0 || setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0) {
		fprintf(stderr, "helper_probe: cannot drop to %s\n", argv[2]);
		return 1;
	}
	print_status(h.pid);
	for (int i = 3; i < argc; i++) {
		if (strcmp(argv[i], "--install") == 0 && i + 1 < argc) {
			FILE *in = fopen(argv[++i], "r"), *out = fopen(argv[1], "w");
			char buf[4096];
			size_t n;
			while (in != NULL && out != NULL && (n = fread(buf, 1, sizeof buf, in)) > 0)
				fwrite(buf, 1, n, out);
			printf("install %s\n", in != NULL && out != NULL ? "ok" : "failed");
			if (in != NULL)
				fclose(in);
			if (out != NULL)
				fclose(out);
			continue;
		}
		if (strcmp(argv[i], "--reload") == 0) {
			printf("reload %s\n", helper_reload(&h) ? "ok" : "failed");
			continue;
		}
		struct tlsid_file f;
		time_t t0 = time(NULL);
		helper_read(&h, argv[i], &f);
		printf("R %s: err=%s len=%zu private=%s seconds=%ld\n", argv[i], f.err ? strerror(f.err) : "0", f.len,
		       f.data != NULL && strstr(f.data, "PRIVATE KEY") != NULL ? "yes" : "no", (long)(time(NULL) - t0));
		tlsid_file_free(&f);
		helper_stat(&h, argv[i], &f);
		printf("S %s: err=%s size=%lld ino=%llu\n", argv[i], f.err ? strerror(f.err) : "0", (long long)f.size,
		       (unsigned long long)f.ino);
	}
	fflush(stdout);
	helper_stop(&h);
	return 0;
}
