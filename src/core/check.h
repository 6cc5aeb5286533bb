/*
 * check: the setup report that "eopguardctl check" and "eopguard -t" print
 * (contract section 8): one line per check, "PASS|WARN|FAIL <name> <detail>",
 * then a summary.
 *
 * Pure: it inspects a loaded struct conf; printing is the caller's, from the
 * text this module formats. A report is a fixed-size value.
 */
#ifndef EOPGUARD_CHECK_H
#define EOPGUARD_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "conf.h"
#include "strbuf.h"

enum check_status { CHECK_PASS, CHECK_WARN, CHECK_FAIL };

#define CHECK_LINES_MAX 64
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

/* Run every configuration check on a loaded conf. */
void check_config(const struct conf *conf, struct check_report *r);

struct tlsid_reader;
/*
 * Configuration, smart host and identity checks together: the full report.
 * Identity findings go to findings when it is not NULL.
 */
void check_all(const struct conf *conf, time_t now, const struct tlsid_reader *reader, struct check_report *r,
	       struct finding_list *findings);

/* Count of lines with a status. */
size_t check_count(const struct check_report *r, enum check_status st);

/* Text form: one line per check and a summary line. */
void check_format_text(const struct check_report *r, struct strbuf *out);
/* JSON form: {"checks":[{"status":..,"name":..,"detail":..}],"summary":{...}}. */
void check_format_json(const struct check_report *r, struct strbuf *out);

#endif
