/*
 * checkreport: the setup report's type and its text and JSON forms: one
 * line per check, "PASS|WARN|FAIL <name> <detail>", then a summary.
 *
 * A leaf module (it depends on strbuf alone): the checks that fill a report
 * (check, route, tlsid, postconf) all build on it. A report is a
 * fixed-size value.
 */
#ifndef EOPGUARD_CHECKREPORT_H
#define EOPGUARD_CHECKREPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "strbuf.h"

enum check_status { CHECK_PASS, CHECK_WARN, CHECK_FAIL };

#define CHECK_LINES_MAX 768   /* a few dozen lines for each of up to CONF_TENANTS_MAX tenants */
#define CHECK_DETAIL_MAX 480

struct check_line {
	enum check_status status;
	char name[48];                       /* a finding id or a check name */
	char detail[CHECK_DETAIL_MAX + 1];
};

struct check_report {
	bool config_unusable;   /* the configuration did not load: no other check ran */
	size_t count;
	struct check_line lines[CHECK_LINES_MAX];
};

/* Add a line (ignored past CHECK_LINES_MAX). */
void check_add(struct check_report *r, enum check_status st, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Count of lines with a status. */
size_t check_count(const struct check_report *r, enum check_status st);

/* Text form: one line per check and a summary line. */
void check_format_text(const struct check_report *r, struct strbuf *out);
/* JSON form: {"checks":[{"status":..,"name":..,"detail":..}],"summary":{...}}. */
void check_format_json(const struct check_report *r, struct strbuf *out);
/*
 * Nagios/Icinga form: one line "EOPGUARD CRITICAL - name: detail | failed=1
 * warnings=0 days_left=12" (days_left when not_after is known, else left
 * out). Returns 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
 */
int check_format_nagios(const struct check_report *r, time_t not_after, time_t now, struct strbuf *out);

#endif
