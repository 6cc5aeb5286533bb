/*
 * eopguardctl release: deliver the mail that waits because of EOP, once the
 * cause is fixed (eopguardctl(8)).
 *
 * Does: run the setup check (refuse while it fails, unless --force), list
 * Postfix's queue (postqueue -j), pick the messages eopguard held (hold
 * queue, with an X-EOPGuard field: postcat -h) and the deferred ones whose
 * last reply is an attribution, identity or route cause (src/core/pqueue.c),
 * release held mail (postsuper -H), re-queue deferred mail for immediate
 * delivery (postqueue -i), and close eopguard's breakers (SIGUSR2 to the
 * pid in its pidfile). The Postfix instance is the one Postfix's commands
 * use: MAIL_CONFIG from the environment, else the default. Without Postfix
 * (no MAIL_CONFIG and no working postconf) it acts on Sendmail: mailq -qQ
 * lists the quarantine, mailq the queue; quarantined mail is released with
 * sendmail -qQ -qI<id> -Q, deferred mail is run with sendmail -qI<id>.
 * Does not: touch any other mail.
 *
 * Exit: 0 done (also when nothing waits), 1 check fails (without --force) or
 * a message could not be released, 64 usage, 69 the queue cannot be read,
 * 78 the configuration cannot be used.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "breaker.h"
#include "check.h"
#include "conf.h"
#include "ctl.h"
#include "pqueue.h"
#include "run.h"
#include "strbuf.h"
#include "tlsid.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif

#define RELEASE_MAX 100000   /* messages listed at most */

static const char release_usage[] =
	"usage: eopguardctl release [-c FILE] [--dry-run] [--json] [--force] [QUEUE-ID...]\n"
	"  --dry-run   list what waits because of EOP and what would be done; change nothing\n"
	"  --json      the same as one JSON object\n"
	"  --force     release although eopguardctl check still reports a failure\n"
	"  QUEUE-ID    only these messages (default: all that wait because of EOP)\n"
	"Acts on the Postfix instance of MAIL_CONFIG (else the default one).\n";

struct waiting {
	struct pqueue_entry e;
	char cause[PQUEUE_REASON_MAX + 1];   /* shown: the NDR code, or what eopguard's field said */
	const char *action;                  /* what was (or would be) done */
	bool ok;
};

struct release_opts {
	const char *path;
	bool dry_run, json, force;
	char **ids;
	int n_ids;
};

/* Parse the options; returns -1 to go on, or an exit status. */
static int parse_opts(int argc, char **argv, struct release_opts *o)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' }, { "dry-run", no_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },         { "force", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },         { NULL, 0, NULL, 0 },
	};
	o->path = SYSCONFDIR "/eopguard/eopguard.conf";
	int ch;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:njfh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c': o->path = optarg; break;
		case 'n': o->dry_run = true; break;
		case 'j': o->json = true; break;
		case 'f': o->force = true; break;
		case 'h': fputs(release_usage, stdout); return EX_OK;
		default: fputs(release_usage, stderr); return EX_USAGE;
		}
	}
	o->ids = argv + optind;
	o->n_ids = argc - optind;
	for (int i = 0; i < o->n_ids; i++) {
		const char *id = o->ids[i];
		size_t n = strlen(id);
		if (n == 0 || n > PQUEUE_ID_MAX || strspn(id, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") != n) {
			fprintf(stderr, "eopguardctl release: '%s' is not a Postfix queue id (letters and digits, as mailq shows)\n", id);
			return EX_USAGE;
		}
	}
	return -1;
}

/* Was qid named on the command line (or were none named)? */
static bool selected(const struct release_opts *o, const char *qid)
{
	if (o->n_ids == 0)
		return true;
	for (int i = 0; i < o->n_ids; i++) {
		if (strcmp(o->ids[i], qid) == 0)
			return true;
	}
	return false;
}

/*
 * For a held message: true when eopguard held it (its X-EOPGuard field says
 * action=quarantine; mail that eopguard accepted and a Postfix rule held
 * is not ours to release), with the field's value (escaped) in out.
 */
static bool held_by_eopguard(const char *qid, char *out, size_t outlen)
{
	const char *argv[] = { "postcat", "-h", "-q", qid, NULL };
	struct strbuf hdr;
	strbuf_init(&hdr, 1 << 20);
	char err[256];
	int rc = run_program(argv, &hdr, NULL, err, sizeof err);
	const char *p = NULL;
	if (rc == 0 && strncmp(hdr.data, "X-EOPGuard: ", 12) == 0)
		p = hdr.data + 12;
	else if (rc == 0 && (p = strstr(hdr.data, "\nX-EOPGuard: ")) != NULL)
		p += 13;
	bool found = false;
	if (p != NULL) {
		/* the value with its folded continuation lines, unfolded */
		char value[PQUEUE_REASON_MAX + 1];
		size_t n = 0;
		for (; *p != '\0' && n < sizeof value - 1; p++) {
			if (*p == '\n' && p[1] != ' ' && p[1] != '\t')
				break;
			if (*p == '\n' || *p == '\t')
				continue;
			value[n++] = *p;
		}
		value[n] = '\0';
		found = strstr(value, "action=quarantine;") != NULL;
		breaker_escape(value, n, out, outlen);
	}
	strbuf_free(&hdr);
	return found;
}

/* Add one waiting message to the list (grown as needed); false when out of memory. */
static bool add_waiting(struct waiting **list, size_t *count, size_t *cap, const struct pqueue_entry *e,
			const char *cause)
{
	if (*count >= RELEASE_MAX)
		return true;
	if (*count == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		struct waiting *grown = realloc(*list, *cap * sizeof **list);
		if (grown == NULL)
			return false;
		*list = grown;
	}
	struct waiting *w = &(*list)[(*count)++];
	memset(w, 0, sizeof *w);
	w->e = *e;
	snprintf(w->cause, sizeof w->cause, "%s", cause);
	return true;
}

/* Is this host's MTA Postfix? MAIL_CONFIG set, or postconf answers. */
static bool mta_is_postfix(void)
{
	if (getenv("MAIL_CONFIG") != NULL)
		return true;
	const char *argv[] = { "postconf", "-h", "mail_version", NULL };
	char err[256];
	return run_program(argv, NULL, NULL, err, sizeof err) == 0;
}

struct mailq_ctx {
	const struct release_opts *o;
	struct waiting **list;
	size_t *count, cap;
	bool oom;
};

/* One Sendmail queue entry: eopguard's quarantined mail, or deferred mail with an attribution cause. */
static void on_mailq_entry(void *arg, const struct pqueue_entry *e)
{
	struct mailq_ctx *c = arg;
	if (!selected(c->o, e->queue_id))
		return;
	bool held = e->queue == PQ_HOLD && strncmp(e->reason, "eopguard:", 9) == 0;
	bool deferred = e->queue == PQ_DEFERRED && e->cause[0] != '\0';
	if ((held || deferred) && !add_waiting(c->list, c->count, &c->cap, e, held ? e->reason : e->cause))
		c->oom = true;
}

/* Sendmail's queue and quarantine; false with the reason in err. */
static bool list_waiting_sendmail(const struct release_opts *o, struct waiting **list, size_t *count, char *err,
				  size_t errlen)
{
	struct mailq_ctx c = { o, list, count, 0, false };
	*list = NULL;
	*count = 0;
	for (int quarantine = 1; quarantine >= 0; quarantine--) {
		const char *argv_q[] = { "mailq", "-qQ", NULL }, *argv_n[] = { "mailq", NULL };
		struct strbuf out;
		strbuf_init(&out, 256u << 20);
		char why[256] = "";
		int rc = run_program(quarantine ? argv_q : argv_n, &out, NULL, why, sizeof why);
		if (rc != 0) {
			snprintf(err, errlen, "neither Postfix (postconf) nor Sendmail's mailq%s works here (%s%sexit %d)",
				 quarantine ? " -qQ" : "", why, why[0] ? "; " : "", rc);
			strbuf_free(&out);
			return false;
		}
		pqueue_parse_mailq(out.data, out.len, quarantine, on_mailq_entry, &c);
		strbuf_free(&out);
	}
	if (c.oom)
		snprintf(err, errlen, "out of memory");
	return !c.oom;
}

/* Read the queue; false with the reason in err. */
static bool list_waiting(const struct release_opts *o, struct waiting **list, size_t *count, char *err, size_t errlen)
{
	const char *argv[] = { "postqueue", "-j", NULL };
	struct strbuf out, errs;
	strbuf_init(&out, 256u << 20);
	strbuf_init(&errs, 4096);
	char why[256] = "";
	int rc = run_program(argv, &out, &errs, why, sizeof why);
	if (rc != 0) {
		snprintf(err, errlen, "postqueue -j failed (%s%.*s); is Postfix running, and MAIL_CONFIG right?",
			 why[0] ? why : "", why[0] ? 0 : (int)strcspn(errs.data, "\n"), errs.data);
		strbuf_free(&out);
		strbuf_free(&errs);
		return false;
	}
	strbuf_free(&errs);
	*list = NULL;
	*count = 0;
	size_t cap = 0;
	for (char *line = out.data; *line != '\0';) {
		size_t len = strcspn(line, "\n");
		struct pqueue_entry e;
		char perr[128];
		if (len > 0 && pqueue_parse_line(line, len, &e, perr, sizeof perr) && selected(o, e.queue_id)) {
			char cause[PQUEUE_REASON_MAX + 1] = "";
			bool wanted = false;
			if (e.queue == PQ_HOLD && held_by_eopguard(e.queue_id, cause, sizeof cause))
				wanted = true;
			else if (e.queue == PQ_DEFERRED && e.cause[0] != '\0') {
				snprintf(cause, sizeof cause, "%s", e.cause);
				wanted = true;
			}
			if (wanted && !add_waiting(list, count, &cap, &e, cause)) {
				snprintf(err, errlen, "out of memory");
				strbuf_free(&out);
				return false;
			}
		}
		line += len;
		if (*line == '\n')
			line++;
	}
	strbuf_free(&out);
	return true;
}

/* Release one Sendmail message (or say what would be done). */
static void release_one_sendmail(struct waiting *w, bool dry_run)
{
	bool held = w->e.queue == PQ_HOLD;
	char sel[PQUEUE_ID_MAX + 4];
	snprintf(sel, sizeof sel, "-qI%s", w->e.queue_id);
	w->ok = true;
	if (dry_run) {
		w->action = held ? "would release from quarantine" : "would run now (sendmail -qI)";
		return;
	}
	const char *unq[] = { "sendmail", "-qQ", sel, "-Q", NULL };
	const char *run[] = { "sendmail", sel, NULL };
	char err[256];
	w->ok = run_program(held ? unq : run, NULL, NULL, err, sizeof err) == 0;
	if (held)
		w->action = w->ok ? "released from quarantine (sendmail -qQ -qI -Q); the next queue run delivers it"
				  : "FAILED: sendmail -qQ -qI -Q (run as root?)";
	else
		w->action = w->ok ? "delivery attempted now (sendmail -qI)" : "FAILED: sendmail -qI";
}

/* Release one message (or say what would be done). */
static void release_one(struct waiting *w, bool dry_run)
{
	bool held = w->e.queue == PQ_HOLD;
	w->action = held ? "released from hold (postsuper -H)" : "re-queued for delivery now (postqueue -i)";
	if (dry_run) {
		w->action = held ? "would release from hold" : "would re-queue for delivery now";
		w->ok = true;
		return;
	}
	const char *hold_argv[] = { "postsuper", "-H", w->e.queue_id, NULL };
	const char *defer_argv[] = { "postqueue", "-i", w->e.queue_id, NULL };
	char err[256];
	w->ok = run_program(held ? hold_argv : defer_argv, NULL, NULL, err, sizeof err) == 0;
	if (!w->ok)
		w->action = held ? "FAILED: postsuper -H (run as root?)" : "FAILED: postqueue -i";
	/* mail leaving the hold queue goes to the deferred queue; ask for it now too */
	if (w->ok && held)
		run_program(defer_argv, NULL, NULL, err, sizeof err);
}

/* Close eopguard's breakers: SIGUSR2 to the daemon named in pidfile. Returns what happened. */
static const char *close_breakers(const struct conf *conf, bool dry_run, char *detail, size_t len)
{
	detail[0] = '\0';
	FILE *fp = conf->pidfile[0] != '\0' ? fopen(conf->pidfile, "re") : NULL;
	long pid = 0;
	if (fp != NULL) {
		if (fscanf(fp, "%ld", &pid) != 1)
			pid = 0;
		fclose(fp);
	}
	if (pid <= 1) {
		snprintf(detail, len, "no pid in %s: eopguard does not run here, nothing to close", conf->pidfile);
		return "not-running";
	}
	char comm_path[64], comm[64] = "";
	snprintf(comm_path, sizeof comm_path, "/proc/%ld/comm", pid);
	fp = fopen(comm_path, "re");
	if (fp != NULL) {
		if (fgets(comm, sizeof comm, fp) == NULL)
			comm[0] = '\0';
		fclose(fp);
	}
	comm[strcspn(comm, "\n")] = '\0';
	if (strcmp(comm, "eopguard") != 0) {
		snprintf(detail, len, "pid %ld in %s is not eopguard (stale pidfile?)", pid, conf->pidfile);
		return "not-running";
	}
	if (dry_run) {
		snprintf(detail, len, "would send SIGUSR2 to eopguard pid %ld", pid);
		return "would-close";
	}
	if (kill((pid_t)pid, SIGUSR2) != 0) {
		snprintf(detail, len, "SIGUSR2 to eopguard pid %ld: %s", pid, strerror(errno));
		return "failed";
	}
	snprintf(detail, len, "SIGUSR2 sent to eopguard pid %ld", pid);
	return "closed";
}

static void print_text(const struct waiting *list, size_t n, size_t released, const char *breaker, const char *detail,
		       bool forced)
{
	size_t held = 0;
	if (n > 0)
		printf("%-14s %-9s %-32s %-10s %s\n", "QUEUE-ID", "QUEUE", "SENDER", "CAUSE", "DONE");
	for (size_t i = 0; i < n; i++) {
		held += list[i].e.queue == PQ_HOLD;
		char sender[ADDR_PATH_MAX + 3];
		snprintf(sender, sizeof sender, "<%s>", list[i].e.sender);
		printf("%-14s %-9s %-32s %-10s %s\n", list[i].e.queue_id, pqueue_queue_name(list[i].e.queue), sender,
		       list[i].e.queue == PQ_HOLD ? "held" : list[i].cause, list[i].action);
		if (list[i].e.queue == PQ_HOLD)
			printf("    held by eopguard: %s\n", list[i].cause);
		else
			printf("    last reply: %s\n", list[i].e.reason);
	}
	printf("%zu message%s wait%s because of EOP (%zu held, %zu deferred); %zu released%s\n", n, n == 1 ? "" : "s",
	       n == 1 ? "s" : "", held, n - held, released, forced ? " (--force: check still fails)" : "");
	printf("breaker: %s (%s)\n", breaker, detail);
}

static void print_json(const struct waiting *list, size_t n, size_t released, const char *breaker, const char *detail,
		       bool check_ok, bool dry_run)
{
	struct strbuf out;
	strbuf_init(&out, 64u << 20);
	strbuf_printf(&out, "{\"check\":\"%s\",\"dry_run\":%s,\"messages\":[", check_ok ? "pass" : "fail",
		      dry_run ? "true" : "false");
	for (size_t i = 0; i < n; i++) {
		const struct waiting *w = &list[i];
		strbuf_printf(&out, "%s{\"queue_id\":\"%s\",\"queue\":\"%s\",\"sender\":\"", i ? "," : "", w->e.queue_id,
			      pqueue_queue_name(w->e.queue));
		strbuf_puts_json(&out, w->e.sender);
		strbuf_puts(&out, "\",\"cause\":\"");
		strbuf_puts_json(&out, w->cause);
		strbuf_puts(&out, "\",\"last_reply\":\"");
		strbuf_puts_json(&out, w->e.reason);
		strbuf_printf(&out, "\",\"done\":\"%s\",\"ok\":%s}", w->action, w->ok ? "true" : "false");
	}
	strbuf_printf(&out, "],\"waiting\":%zu,\"released\":%zu,\"breaker\":\"%s\",\"breaker_detail\":\"", n, released,
		      breaker);
	strbuf_puts_json(&out, detail);
	strbuf_puts(&out, "\"}\n");
	fputs(out.data, stdout);
	strbuf_free(&out);
}

int cmd_release(int argc, char **argv)
{
	struct release_opts o = { 0 };
	int rc = parse_opts(argc, argv, &o);
	if (rc >= 0)
		return rc;
	char err[CONF_ERR_MAX];
	struct conf *conf = NULL;
	if (!conf_load(o.path, &conf, err, sizeof err)) {
		fprintf(stderr, "eopguardctl release: %s\n", err);
		return EX_CONFIG;
	}
	struct check_report report = { 0 };
	struct tlsid_result identity;
	memset(&identity, 0, sizeof identity);
	check_all(conf, time(NULL), &tlsid_direct_reader, &report, NULL, &identity);
	bool check_ok = check_count(&report, CHECK_FAIL) == 0;
	if (!check_ok && !o.force && !o.dry_run) {
		fprintf(stderr, "eopguardctl release: eopguardctl check still reports a failure, so released mail would be "
			"refused again:\n");
		for (size_t i = 0; i < report.count; i++) {
			if (report.lines[i].status == CHECK_FAIL)
				fprintf(stderr, "  FAIL %s %s\n", report.lines[i].name, report.lines[i].detail);
		}
		fprintf(stderr, "Fix it and run release again, or use --force (nothing was released).\n");
		conf_free(conf);
		return 1;
	}
	struct waiting *list = NULL;
	size_t n = 0;
	bool postfix = mta_is_postfix();
	if (!(postfix ? list_waiting(&o, &list, &n, err, sizeof err) : list_waiting_sendmail(&o, &list, &n, err, sizeof err))) {
		fprintf(stderr, "eopguardctl release: %s\n", err);
		conf_free(conf);
		return EX_UNAVAILABLE;
	}
	size_t released = 0;
	bool all_ok = true;
	for (size_t i = 0; i < n; i++) {
		if (postfix)
			release_one(&list[i], o.dry_run);
		else
			release_one_sendmail(&list[i], o.dry_run);
		released += list[i].ok && !o.dry_run;
		all_ok &= list[i].ok;
	}
	char detail[256];
	const char *breaker = close_breakers(conf, o.dry_run, detail, sizeof detail);
	if (o.json)
		print_json(list, n, released, breaker, detail, check_ok, o.dry_run);
	else
		print_text(list, n, released, breaker, detail, !check_ok);
	free(list);
	conf_free(conf);
	return all_ok && strcmp(breaker, "failed") != 0 ? EX_OK : 1;
}
