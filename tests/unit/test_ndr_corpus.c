/*
 * The public-sample corpus (tests/unit/data/eop-responses.txt): real
 * responses, each with its source, through the lookup eopguardctl explain
 * uses: the one right record, or none when none may explain it, or an
 * explicit "code only"; and whose reply it is.
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

#include "ndr.h"

struct sample {
	char source[512], text[2048], want[32], reply[256], origin[16];
	int line;
};

/* Copy the value of "name: value" into out when line starts with name; true when it did. */
static bool field(const char *line, const char *name, char *out, size_t outlen)
{
	size_t n = strlen(name);
	if (strncmp(line, name, n) != 0 || line[n] != ':')
		return false;
	const char *v = line + n + 1;
	v += strspn(v, " ");
	snprintf(out, outlen, "%.*s", (int)strcspn(v, "\n"), v);
	return true;
}

static const char *origin_name(enum ndr_origin o)
{
	return o == NDR_MICROSOFT ? "microsoft" : o == NDR_NOT_MICROSOFT ? "other" : "unknown";
}

/* Check one sample; returns a message on failure (static), NULL when right. */
static const char *check_sample(const struct sample *s)
{
	static char why[1024];
	struct ndr_query q;
	struct ndr_match_info info;
	const struct ndr_record *out[16];
	char host[256];
	enum ndr_origin origin = ndr_origin_of(s->text, strlen(s->text), host, sizeof host);
	ndr_parse_input(s->text, strlen(s->text), &q);
	size_t n = ndr_lookup_info(&q, origin, out, 16, &info);
	if (s->origin[0] != '\0' && strcmp(s->origin, origin_name(origin)) != 0) {
		snprintf(why, sizeof why, "origin %s, want %s", origin_name(origin), s->origin);
		return why;
	}
	if (strcmp(s->want, "class") == 0) {
		if (n != 0) {
			snprintf(why, sizeof why, "explained by \"%s\", want only its RFC 3463 class", out[0]->reply);
			return why;
		}
		return NULL;
	}
	if (strcmp(s->want, "code-only") == 0) {
		if (info.score != 0 || n == 0) {
			snprintf(why, sizeof why, "%zu records, score %zu (\"%s\"); want a code-only match", n, info.score,
				 info.words);
			return why;
		}
		return NULL;
	}
	if (n != 1) {
		snprintf(why, sizeof why, "%zu records (first \"%s\"), want exactly one with code %s", n,
			 n > 0 ? out[0]->reply : "-", s->want);
		return why;
	}
	if (strcmp(out[0]->code, s->want) != 0 || (s->reply[0] != '\0' && strstr(out[0]->reply, s->reply) == NULL)) {
		snprintf(why, sizeof why, "explained by %s \"%s\", want %s%s%s", out[0]->code, out[0]->reply, s->want,
			 s->reply[0] ? " with " : "", s->reply);
		return why;
	}
	return NULL;
}

static void test_public_samples(void **state)
{
	(void)state;
	char path[1024];
	const char *top = getenv("top_srcdir");
	snprintf(path, sizeof path, "%s/tests/unit/data/eop-responses.txt", top != NULL ? top : ".");
	FILE *fp = fopen(path, "r");
	if (fp == NULL)
		fail_msg("cannot open %s (set top_srcdir)", path);
	char line[4096];
	struct sample s;
	memset(&s, 0, sizeof s);
	int lineno = 0, samples = 0, failures = 0;
	bool in_sample = false;
	for (;;) {
		bool eof = fgets(line, sizeof line, fp) == NULL;
		lineno++;
		if (eof || strncmp(line, "%%", 2) == 0) {
			if (in_sample) {
				if (s.source[0] == '\0' || s.text[0] == '\0' || s.want[0] == '\0') {
					print_error("%s:%d: a sample needs source, text and want\n", path, s.line);
					failures++;
				} else {
					samples++;
					const char *why = check_sample(&s);
					if (why != NULL) {
						print_error("%s:%d: %s\n    text: %s\n    source: %s\n", path, s.line, why, s.text,
							    s.source);
						failures++;
					}
				}
			}
			if (eof)
				break;
			memset(&s, 0, sizeof s);
			s.line = lineno + 1;
			in_sample = true;
			continue;
		}
		if (line[0] == '#' || !in_sample)
			continue;
		if (!field(line, "source", s.source, sizeof s.source) && !field(line, "text", s.text, sizeof s.text) &&
		    !field(line, "want", s.want, sizeof s.want) && !field(line, "reply", s.reply, sizeof s.reply) &&
		    !field(line, "origin", s.origin, sizeof s.origin) && line[0] != '\n') {
			print_error("%s:%d: unknown field: %s", path, lineno, line);
			failures++;
		}
	}
	fclose(fp);
	if (samples < 40)
		fail_msg("only %d samples in %s; the corpus needs at least 40", samples, path);
	if (failures > 0)
		fail_msg("%d of %d public samples explained wrongly (above)", failures, samples);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_public_samples),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
