/*
 * eopguardctl: the admin tool (check, explain, review; eopguardctl(8)).
 * Dispatches to the sub-commands and turns an unwritable output into exit 74.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "ctl.h"

/* Usage text. */
static void usage(FILE *fp)
{
	fprintf(fp, "usage: eopguardctl COMMAND [OPTIONS]\n"
		    "  check   [-c FILE] [--json | --nagios] [--postfix] [--postfix-config DIR]\n"
		    "          check the configuration and the relay's identity (and Postfix's settings)\n"
		    "  explain [--json] CODE-OR-TEXT\n"
		    "          explain an Exchange Online response (- reads stdin)\n"
		    "  review  [-c FILE] [--json] [--html PAGE] [--since T] [--messages] [--journal] [FILE|- ...]\n"
		    "          deferred and bounced mail by cause\n"
		    "  release [-c FILE] [--dry-run] [--json] [--force] [QUEUE-ID...]\n"
		    "          deliver the mail that waits because of EOP, once check passes\n"
		    "  probe   [-c FILE] [--json] [--host HOST[:PORT]] [--from ADDR --to ADDR]\n"
		    "          connect to the smart host as the MTA would and report EOP's answers\n"
		    "  -V, --version  print the version\n"
		    "Run 'eopguardctl COMMAND -h' for a command's options; see eopguardctl(8).\n");
}

/* Run the command named by argv[1]. */
static int dispatch(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EX_USAGE;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "check") == 0)
		return cmd_check(argc - 1, argv + 1);
	if (strcmp(cmd, "explain") == 0)
		return cmd_explain(argc - 1, argv + 1);
	if (strcmp(cmd, "review") == 0)
		return cmd_review(argc - 1, argv + 1);
	if (strcmp(cmd, "release") == 0)
		return cmd_release(argc - 1, argv + 1);
	if (strcmp(cmd, "probe") == 0)
		return cmd_probe(argc - 1, argv + 1);
	if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
		usage(stdout);
		return EX_OK;
	}
	if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0) {
		printf("eopguardctl %s\n", PACKAGE_VERSION);
		return EX_OK;
	}
	fprintf(stderr, "eopguardctl: unknown command '%s'\n", cmd);
	usage(stderr);
	return EX_USAGE;
}

/*
 * A report that did not reach its reader is a failure: flush standard
 * output and check it (a full disk, a closed pipe), then exit 74.
 */
int main(int argc, char **argv)
{
	int rc = dispatch(argc, argv);
	errno = 0;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "eopguardctl: cannot write the output: %s\n", errno ? strerror(errno) : "write error");
		return EX_IOERR;
	}
	return rc;
}
