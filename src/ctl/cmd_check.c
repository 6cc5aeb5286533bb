/*
 * eopguardctl check: the setup report (contract section 8).
 * Exit 0 when nothing fails, 1 when something fails, 78 when the
 * configuration cannot be used, 64 on usage errors.
 */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <sysexits.h>

#include "check.h"
#include "tlsid.h"
#include "conf.h"
#include "ctl.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif

/* Run the configuration checks and print the report. */
int cmd_check(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = SYSCONFDIR "/eopguard/eopguard.conf";
	bool json = false;
	int ch;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:jh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': path = optarg; break;
		case 'j': json = true; break;
		case 'h':
			printf("usage: eopguardctl check [-c FILE] [--json]\n");
			return EX_OK;
		default:
			fprintf(stderr, "usage: eopguardctl check [-c FILE] [--json]\n");
			return EX_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "eopguardctl check: unexpected argument '%s'\n", argv[optind]);
		return EX_USAGE;
	}
	char err[CONF_ERR_MAX];
	struct conf *conf = NULL;
	struct check_report report = { 0 };
	struct strbuf out;
	strbuf_init(&out, 1 << 20);
	int rc;
	if (!conf_load(path, &conf, err, sizeof err)) {
		check_add(&report, CHECK_FAIL, "config", "%s", err);
		rc = EX_CONFIG;
	} else {
		check_all(conf, time(NULL), &tlsid_direct_reader, &report, NULL);
		rc = check_count(&report, CHECK_FAIL) > 0 ? 1 : 0;
	}
	if (json)
		check_format_json(&report, &out);
	else
		check_format_text(&report, &out);
	fputs(out.data, stdout);
	strbuf_free(&out);
	conf_free(conf);
	return rc;
}
