/*
 * libFuzzer targets for everything eopguard parses from outside: From
 * fields, envelope paths, mail log lines, NDR texts, configuration files and
 * certificate/key files. One file, one target selected at compile time with
 * -DFUZZ_<NAME>; run.sh builds and runs them. Each target also checks the
 * invariants it can (escaped output has no control bytes).
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "conf.h"
#include "maillog.h"
#include "ndr.h"
#include "review.h"
#include "strbuf.h"
#include "tlsid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#if defined(FUZZ_FEEDBACK)
#include "feedback.h"
/* Each input line through the feedback parser and the breaker; what is kept is printable and bounded. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct feedback fb;
	static struct breaker b;
	static char *match[] = { "*.mail.protection.outlook.com", "127.0.0.1", "*.mx.microsoft" };
	struct conf_feedback conf = { .log = "", .n_match = 3, .open_for = 60 };
	for (size_t i = 0; i < 3; i++)
		conf.match[i] = match[i];
	feedback_init(&fb);
	breaker_init(&b, 60);
	feedback_note(&fb, "ABCDE1", "contoso.com", NULL);
	const char *p = (const char *)data, *end = p + size;
	time_t now = 1000;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		struct feedback_outcome o;
		feedback_line(&fb, &conf, p, len, &o);
		struct breaker_change chg, two[2];
		struct breaker_verdict v;
		if (o.kind == FEEDBACK_REFUSED) {
			if (o.reply < p || o.reply + o.reply_len > p + len)
				abort();   /* the reply is a slice of the line */
			breaker_refused(&b, o.scope, (int)(len % 3) - 1, o.domain, o.cause, o.reply, o.reply_len, now, &chg);
		} else if (o.kind == FEEDBACK_ACCEPTED) {
			breaker_accepted(&b, (int)(len % 3) - 1, o.domain, now, two);
		}
		breaker_admit(&b, (int)(len % 3) - 1, o.domain, now, &v, &chg);
		for (const char *s = v.reply; *s != '\0'; s++)
			if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
				abort();
		for (const char *s = o.qid; *s != '\0'; s++)
			if (!((*s >= '0' && *s <= '9') || (*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z')))
				abort();
		now += 7;
		p += len + 1;
	}
	return 0;
}
#elif defined(FUZZ_PQUEUE)
#include "pqueue.h"
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pqueue_entry e;
	char err[128];
	if (pqueue_parse_line((const char *)data, size, &e, err, sizeof err)) {
		const char *fields[] = { e.sender, e.reason, e.queue_id };
		for (size_t f = 0; f < 3; f++)
			for (const char *s = fields[f]; *s != '\0'; s++)
				if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
					abort();
	} else if (err[0] == '\0') {
		abort();
	}
	return 0;
}
#elif defined(FUZZ_EXPORT)
#include "export.h"
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tenant_export *e = NULL;
	char err[EXPORT_ERR_MAX];
	if (export_parse((const char *)data, size, "fuzz.json", &e, err, sizeof err)) {
		for (size_t i = 0; i < e->n_connectors; i++)
			for (const char *p = e->connectors[i].name; *p != '\0'; p++)
				if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
					abort();   /* names are escaped for display */
		export_connector_for(e, "mail.contoso.test", NULL);
		export_free(e);
	} else if (err[0] == '\0') {
		abort();   /* every failure says why */
	}
	return 0;
}
#elif defined(FUZZ_FROM)
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct addr_from f;
	const char *why = NULL;
	if (addr_parse_from((const char *)data, size, &f, &why))
		for (size_t i = 0; i < f.count && i < ADDR_FROM_MAX; i++)
			if (f.mailbox[i].domain[0] == '\0')
				abort();
	return 0;
}
#elif defined(FUZZ_PATH)
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = strndup((const char *)data, size);
	struct addr_path p;
	if (s != NULL) {
		addr_parse_path(s, &p, NULL);
		struct strbuf sb;
		strbuf_init(&sb, 4096);
		strbuf_put_reply_escaped(&sb, s, strlen(s));
		for (size_t i = 0; i < sb.len; i++)
			if ((unsigned char)sb.data[i] < 0x20 || (unsigned char)sb.data[i] >= 0x7f)
				abort();
		strbuf_free(&sb);
	}
	free(s);
	return 0;
}
#elif defined(FUZZ_MAILLOG)
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct review *r;
	struct maillog_event ev;
	maillog_parse((const char *)data, size, 2026, &ev);
	if (r == NULL) {
		struct review_options o = { .now = 1795392000, .table_max = 64 };
		r = review_new(&o);
		review_begin_file(r, "fuzz");
	}
	/* Lines separated by newlines, through the whole correlation. */
	const char *p = (const char *)data, *end = p + size;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		review_line(r, p, n);
		p += n + 1;
	}
	return 0;
}
#elif defined(FUZZ_NDR)
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ndr_query q;
	const struct ndr_record *out[8];
	ndr_parse_input((const char *)data, size, &q);
	size_t n = ndr_lookup(&q, out, 8);
	for (size_t i = 0; i < n; i++)
		if (out[i]->reply == NULL)
			abort();
	return 0;
}
#elif defined(FUZZ_CONF) || defined(FUZZ_CERT)
static char input_path[64];

/* Remove the temporary file at exit. */
static void remove_input_file(void)
{
	unlink(input_path);
}

/* Write the input to a private temporary file. */
static const char *input_file(const uint8_t *data, size_t size)
{
	if (input_path[0] == '\0') {
		snprintf(input_path, sizeof input_path, "/dev/shm/eopguard-fuzz-%ld", (long)getpid());
		atexit(remove_input_file);
	}
	FILE *fp = fopen(input_path, "w");
	if (fp == NULL)
		abort();
	fwrite(data, 1, size, fp);
	fclose(fp);
	return input_path;
}
#if defined(FUZZ_CONF)
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[CONF_ERR_MAX];
	struct conf *c = NULL;
	if (conf_load(input_file(data, size), &c, err, sizeof err))
		conf_free(c);
	return 0;
}
#else
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = input_file(data, size);
	size_t n;
	free(tlsid_public_parts((const char *)data, size, &n));
	struct conf c;
	memset(&c, 0, sizeof c);
	c.tenant.accepted = domain_set_new();
	c.tenant.certificate_domain = (char *)"mail.contoso.test";
	c.tenant.smarthost = (char *)"";
	c.identity.client_cert = (char *)path;
	c.identity.client_key = (char *)"";
	c.identity.client_chain = (char *)"";
	c.identity.ca_file = (char *)"";
	c.identity.ca_path = (char *)"/nonexistent";
	c.identity.server_cert = (char *)path;
	c.identity.server_name = (char *)"mail.contoso.test";
	c.identity.expiry_warning_days = 21;
	struct finding_list list;
	finding_list_clear(&list);
	tlsid_check(&c, 1795392000, &tlsid_direct_reader, &list, NULL, NULL);
	domain_set_free(c.tenant.accepted);
	return 0;
}
#endif
#else
#error "define one FUZZ_<TARGET>"
#endif
