/*
 * The public log corpus (tests/unit/data/wild-logs.txt): real mail log
 * excerpts, each with the page it was published on, through the review
 * eopguardctl review runs; every "expect" must be in its JSON report and no
 * "absent" may be. The logs are read as of 2026-12-01 (their years are not
 * in classic syslog stamps).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "maillog.h"
#include "review.h"
#include "strbuf.h"

#define RECORD_LINES 64
#define RECORD_CHECKS 32

struct record {
	int line;                               /* where it starts in the file */
	char source[512];
	char *logs[RECORD_LINES];
	size_t n_logs;
	char *expect[RECORD_CHECKS], *absent[RECORD_CHECKS];
	size_t n_expect, n_absent;
};

/* The value after "name: " when line is that field (the rest of the line, newline cut), else NULL. */
static const char *field(char *line, const char *name)
{
	size_t n = strlen(name);
	if (strncmp(line, name, n) != 0 || line[n] != ':' || line[n + 1] != ' ')
		return NULL;
	line[strcspn(line, "\n")] = '\0';
	return line + n + 2;
}

static void record_clear(struct record *r)
{
	for (size_t i = 0; i < r->n_logs; i++)
		free(r->logs[i]);
	for (size_t i = 0; i < r->n_expect; i++)
		free(r->expect[i]);
	for (size_t i = 0; i < r->n_absent; i++)
		free(r->absent[i]);
	memset(r, 0, sizeof *r);
}

/* Run one record; returns how many of its checks failed (reported). */
static int record_check(const char *path, const struct record *rec)
{
	if (rec->source[0] == '\0' || rec->n_logs == 0 || rec->n_expect == 0) {
		print_error("%s:%d: a record needs source, log and expect\n", path, rec->line);
		return 1;
	}
	struct review_options o = { .now = maillog_parse_iso("2026-12-01", 10) };
	struct review *r = review_new(&o);
	assert_non_null(r);
	review_begin_file(r, "maillog");
	for (size_t i = 0; i < rec->n_logs; i++)
		review_line(r, rec->logs[i], strlen(rec->logs[i]));
	struct strbuf sb;
	strbuf_init(&sb, 1 << 20);
	review_format_json(r, &sb);
	int failures = 0;
	for (size_t i = 0; i < rec->n_expect; i++) {
		if (strstr(sb.data, rec->expect[i]) == NULL) {
			print_error("%s:%d: missing %s\n", path, rec->line, rec->expect[i]);
			failures++;
		}
	}
	for (size_t i = 0; i < rec->n_absent; i++) {
		if (strstr(sb.data, rec->absent[i]) != NULL) {
			print_error("%s:%d: must not say %s\n", path, rec->line, rec->absent[i]);
			failures++;
		}
	}
	if (failures > 0)
		print_error("    source: %s\n    report: %s\n", rec->source, sb.data);
	strbuf_free(&sb);
	review_free(r);
	return failures;
}

static void test_public_logs(void **state)
{
	(void)state;
	char path[1024];
	const char *top = getenv("top_srcdir");
	snprintf(path, sizeof path, "%s/tests/unit/data/wild-logs.txt", top != NULL ? top : ".");
	FILE *fp = fopen(path, "r");
	if (fp == NULL)
		fail_msg("cannot open %s (set top_srcdir)", path);
	char line[8192];
	struct record rec;
	memset(&rec, 0, sizeof rec);
	int lineno = 0, records = 0, failures = 0, log_lines = 0;
	bool in_record = false;
	for (;;) {
		bool eof = fgets(line, sizeof line, fp) == NULL;
		lineno++;
		if (eof || strncmp(line, "%%", 2) == 0) {
			if (in_record) {
				records++;
				log_lines += (int)rec.n_logs;
				failures += record_check(path, &rec);
			}
			record_clear(&rec);
			if (eof)
				break;
			rec.line = lineno;
			in_record = true;
			continue;
		}
		if (line[0] == '#' || !in_record || line[0] == '\n' || line[0] == ' ')
			continue;   /* comments, blank lines, continued "about" text */
		const char *v;
		if ((v = field(line, "source")) != NULL) {
			snprintf(rec.source, sizeof rec.source, "%s", v);
		} else if ((v = field(line, "log")) != NULL) {
			if (rec.n_logs < RECORD_LINES)
				rec.logs[rec.n_logs++] = strdup(v);
		} else if ((v = field(line, "expect")) != NULL) {
			if (rec.n_expect < RECORD_CHECKS)
				rec.expect[rec.n_expect++] = strdup(v);
		} else if ((v = field(line, "absent")) != NULL) {
			if (rec.n_absent < RECORD_CHECKS)
				rec.absent[rec.n_absent++] = strdup(v);
		} else if (field(line, "about") == NULL) {
			print_error("%s:%d: unknown field: %s", path, lineno, line);
			failures++;
		}
	}
	fclose(fp);
	if (records < 8)
		fail_msg("only %d records in %s", records, path);
	if (failures > 0)
		fail_msg("%d checks failed over %d public log excerpts (%d lines)", failures, records, log_lines);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_public_logs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
