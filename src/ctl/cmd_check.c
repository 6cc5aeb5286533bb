/*
 * eopguardctl check: the setup report, one "PASS|WARN|FAIL name detail"
 * line per check and a summary (eopguardctl(8)).
 * Exit 0 when nothing fails, 1 when something fails, 78 when the
 * configuration cannot be used, 64 on usage errors.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <sys/wait.h>
#include <unistd.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sysexits.h>

#include "check.h"
#include "postconf.h"
#include "strbuf.h"
#include "tlsid.h"
#include "conf.h"
#include "ctl.h"
#include "run.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif

static const char check_usage[] =
	"usage: eopguardctl check [-c FILE] [--json | --nagios] [--postfix] [--postfix-config DIR]\n"
	"  --nagios               one line for Nagios/Icinga, exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN\n"
	"  --postfix              also compare with the running Postfix's settings (postconf)\n"
	"  --postfix-config DIR   ... of the Postfix instance whose main.cf is in DIR\n";

/* Run postconf (argv only, no shell) and collect its output; false with a reason in err. */
static bool run_postconf(const char *config_dir, struct strbuf *out, char *err, size_t errlen)
{
	const char *argv[32];
	size_t n = 0;
	argv[n++] = "postconf";
	if (config_dir != NULL) {
		argv[n++] = "-c";
		argv[n++] = config_dir;
	}
	for (size_t i = 0; postconf_parameters[i] != NULL && n < 30; i++)
		argv[n++] = postconf_parameters[i];
	argv[n] = NULL;
	char why[256] = "";
	int rc = run_program(argv, out, NULL, why, sizeof why);
	if (rc != 0) {
		snprintf(err, errlen, "postconf%s%s failed (%s%s%d); is Postfix installed and the directory right?",
			 config_dir ? " -c " : "", config_dir ? config_dir : "", why, why[0] ? "; exit " : "exit ", rc);
		return false;
	}
	return true;
}

/* The --postfix comparison lines. */
static void check_postfix(const struct conf *conf, const char *config_dir, struct check_report *report)
{
	struct strbuf out;
	char err[512];
	strbuf_init(&out, 1 << 20);
	if (run_postconf(config_dir, &out, err, sizeof err))
		postconf_compare(conf, out.data, out.len, report);
	else
		check_add(report, CHECK_WARN, "postfix", "%s", err);
	strbuf_free(&out);
}

/*
 * The names eopguard looks up at start-up (user, socket_group): a name that
 * does not exist stops the daemon, so check reports it as a configuration
 * that cannot be used, with the option's file:line, as eopguard -t does.
 */
static bool names_exist(const struct conf *conf, struct check_report *report)
{
	char where[CONF_ERR_MAX / 2];
	bool ok = true;
	if (conf->user[0] != '\0' && getpwnam(conf->user) == NULL) {
		conf_where(conf, conf->line.user, where, sizeof where);
		check_add(report, CHECK_FAIL, "config", "%suser '%s' does not exist; create it (useradd --system %s) "
			  "or set user = \"\"", where, conf->user, conf->user);
		ok = false;
	}
	if (conf->socket_group[0] != '\0' && getgrnam(conf->socket_group) == NULL) {
		conf_where(conf, conf->line.socket_group, where, sizeof where);
		check_add(report, CHECK_FAIL, "config", "%ssocket_group '%s' does not exist; create it or set socket_group = \"\"", where, conf->socket_group);
		ok = false;
	}
	return ok;
}

/* Run the configuration checks and print the report. */
int cmd_check(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "postfix", no_argument, NULL, 'P' },
		{ "postfix-config", required_argument, NULL, 'D' },
		{ "config", required_argument, NULL, 'c' },
		{ "nagios", no_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = SYSCONFDIR "/eopguard/eopguard.conf";
	bool json = false, postfix = false, nagios = false;
	const char *postfix_dir = NULL;
	int ch;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:jh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': path = optarg; break;
		case 'j': json = true; break;
		case 'N': nagios = true; break;
		case 'P': postfix = true; break;
		case 'D': postfix = true; postfix_dir = optarg; break;
		case 'h':
			fputs(check_usage, stdout);
			return EX_OK;
		default:
			fputs(check_usage, stderr);
			return EX_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "eopguardctl check: unexpected argument '%s'\n", argv[optind]);
		return EX_USAGE;
	}
	if (json && nagios) {
		fprintf(stderr, "eopguardctl check: --json and --nagios are two different outputs; choose one\n");
		return EX_USAGE;
	}
	char err[CONF_ERR_MAX];
	struct conf *conf = NULL;
	struct check_report report = { 0 };
	struct strbuf out;
	strbuf_init(&out, 1 << 20);
	int rc;
	struct tlsid_result identity;
	memset(&identity, 0, sizeof identity);
	if (!conf_load(path, &conf, err, sizeof err)) {
		check_add(&report, CHECK_FAIL, "config", "%s", err);
		report.config_unusable = true;
		rc = EX_CONFIG;
	} else if (!names_exist(conf, &report)) {
		report.config_unusable = true;
		rc = EX_CONFIG;
	} else {
		check_all(conf, time(NULL), &tlsid_direct_reader, &report, NULL, &identity);
		if (postfix)
			check_postfix(conf, postfix_dir, &report);
		rc = check_count(&report, CHECK_FAIL) > 0 ? 1 : 0;
	}
	if (nagios) {
		/* the monitoring-plugins contract: one line, exit 0/1/2/3 */
		rc = check_format_nagios(&report, identity.leaf_not_after, time(NULL), &out);
	} else if (json)
		check_format_json(&report, &out);
	else
		check_format_text(&report, &out);
	fputs(out.data, stdout);
	strbuf_free(&out);
	conf_free(conf);
	return rc;
}
