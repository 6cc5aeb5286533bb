/*
 * eopguardctl review: deferred, bounced and expired mail, milter refusals
 * and holds in Postfix and Sendmail logs, grouped by cause (eopguardctl(8),
 * review). Reads plain and gzip files (zlib), several files, or "-".
 *
 * Does: argument handling, reading (large buffers, lines split with
 * memchr), a progress line on a terminal, printing. The parsing and grouping
 * are review.c's.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

#include "conf.h"
#include "ctl.h"
#include "maillog.h"
#include "journal.h"
#include "review.h"

#define READ_CHUNK (1u << 20)
#define LINE_MAX_KEPT (64u * 1024)   /* longer lines are cut here (and still counted) */

static const char review_usage[] =
	"usage: eopguardctl review [-c FILE] [--json] [--html PAGE] [--since TIME] [--messages] [--journal] [--journal-file F] [FILE|- ...]\n"
	"  FILE        Postfix or Sendmail log, plain or .gz; several allowed; - is standard input\n"
	"              (default: /var/log/mail.log, or standard input when it is a pipe)\n"
	"  --since T   only events from T on: 2026-11-20, 2026-11-20T08:00, or 90m, 24h, 7d ago\n"
	"  --messages  also list every deferred, bounced, refused or held message\n"
	"  -c FILE     eopguard.conf, to mark sender domains that are not accepted\n"
	"  --json      one JSON document\n"
	"  --html PAGE also write one self-contained HTML page (causes table, chart per hour) to PAGE (- : instead of the report)\n"
	"  --journal   read the systemd journal (Postfix, Sendmail and eopguard lines) instead of a log file\n"
	"  --journal-file F  read this journal file (a copied journal; several allowed; implies --journal)\n";

/*
 * --since: ISO date/time, or N followed by s, m, h or d (ago). -1 when
 * invalid, also when N is so large that it reaches before 1970.
 */
static time_t parse_since(const char *s, time_t now)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (end != s && s[0] != '-' && s[0] != '+' && end[0] != '\0' && end[1] == '\0') {
		long long unit;
		switch (end[0]) {
		case 's': unit = 1; break;
		case 'm': unit = 60; break;
		case 'h': unit = 3600; break;
		case 'd': unit = 86400; break;
		default: return -1;
		}
		if (errno == ERANGE || v < 0 || v > (long long)now / unit)
			return -1;
		return now - (time_t)(v * unit);
	}
	return maillog_parse_iso(s, strlen(s));
}

#define PROGRESS_AFTER 2   /* seconds of reading before progress shows */

/*
 * Progress on stderr when it is a terminal: once the input has taken more
 * than PROGRESS_AFTER seconds, bytes and lines read and the rate, at most
 * once a second; nothing when stderr is not a terminal.
 */
struct progress {
	bool on;           /* stderr is a terminal */
	bool shown;        /* a progress line is on the screen */
	time_t last, start;
	unsigned long long bytes, lines;
	const char *name;
};

static void progress_tick(struct progress *p, size_t n)
{
	p->bytes += n;
	time_t now = time(NULL);
	if (!p->on || now == p->last || now - p->start < PROGRESS_AFTER)
		return;
	p->last = now;
	p->shown = true;
	double secs = (double)(now - p->start);
	fprintf(stderr, "\rreview: %s: %llu MB, %llu lines read, %.1f MB/s   ", p->name, p->bytes >> 20, p->lines,
		(double)p->bytes / 1048576.0 / secs);
}

/*
 * Feed the lines of an open gz stream to the review. A line longer than
 * LINE_MAX_KEPT is dropped whole and counted once as malformed. Returns
 * false with the reason in err when the stream cannot be read to its end
 * (a truncated .gz included).
 */
static bool feed_lines(struct review *r, gzFile gz, struct progress *prog, char *err, size_t errlen)
{
	char *buf = malloc(READ_CHUNK + LINE_MAX_KEPT);
	if (buf == NULL) {
		snprintf(err, errlen, "out of memory");
		return false;
	}
	size_t have = 0;
	bool skipping = false;   /* inside an overlong line, already counted */
	int n;
	while ((n = gzread(gz, buf + have, READ_CHUNK)) > 0) {
		progress_tick(prog, (size_t)n);
		size_t total = have + (size_t)n, start = 0;
		for (;;) {
			char *nl = memchr(buf + start, '\n', total - start);
			if (nl == NULL)
				break;
			size_t len = (size_t)(nl - (buf + start));
			prog->lines++;
			if (skipping)
				skipping = false;
			else if (len > LINE_MAX_KEPT)
				review_overlong_line(r);
			else
				review_line(r, buf + start, len);
			start += len + 1;
		}
		have = total - start;
		if (have > LINE_MAX_KEPT) {
			if (!skipping)
				review_overlong_line(r);
			skipping = true;
			have = 0;
		} else {
			memmove(buf, buf + start, have);
		}
	}
	if (have > 0 && !skipping)
		review_line(r, buf, have);
	free(buf);
	int zerr = Z_OK;
	const char *zmsg = gzerror(gz, &zerr);
	if (n < 0 || zerr != Z_OK) {
		if (zerr == Z_ERRNO)
			snprintf(err, errlen, "%s", strerror(errno));
		else if (zerr == Z_BUF_ERROR)
			snprintf(err, errlen, "truncated: the compressed data ends early (%s); the lines before it "
				 "are in the report", zmsg);
		else
			snprintf(err, errlen, "%s", zmsg);
		return false;
	}
	return true;
}

/* Feed one file (or stdin) to the review. Returns EX_OK, EX_NOINPUT or EX_DATAERR. */
static int review_file(struct review *r, const char *name, bool show_progress)
{
	gzFile gz;
	struct stat st;
	if (strcmp(name, "-") == 0) {
		gz = gzdopen(dup(STDIN_FILENO), "rb");
		st.st_size = 0;
	} else {
		if (stat(name, &st) != 0) {
			fprintf(stderr, "eopguardctl review: %s: %s\n", name, strerror(errno));
			return EX_NOINPUT;
		}
		gz = gzopen(name, "rb");
	}
	if (gz == NULL) {
		fprintf(stderr, "eopguardctl review: %s: %s\n", name, strerror(errno ? errno : ENOMEM));
		return EX_NOINPUT;
	}
	gzbuffer(gz, 256 * 1024);
	review_begin_file(r, strcmp(name, "-") == 0 ? "(stdin)" : name);
	struct progress prog = { show_progress, false, time(NULL), time(NULL), 0, 0,
				 strcmp(name, "-") == 0 ? "(stdin)" : name };
	char err[256];
	bool ok = feed_lines(r, gz, &prog, err, sizeof err);
	if (prog.shown)
		fputs("\r\033[K", stderr);
	gzclose(gz);
	if (!ok) {
		fprintf(stderr, "eopguardctl review: %s: %s\n", name, err);
		return EX_DATAERR;
	}
	return EX_OK;
}

#define JOURNAL_FILES_MAX 64

/* What --journal and --journal-file ask for. */
struct journal_request {
	bool on;
	const char *files[JOURNAL_FILES_MAX + 1];
	size_t n_files;
};

/* journal_feed's callback: one rebuilt line into the review. */
static void journal_line(void *ctx, const char *line, size_t len)
{
	review_line(ctx, line, len);
}

/* --journal: the journal's mail lines, with their real timestamps. EX_OK or EX_NOINPUT. */
static int review_journal(struct review *r, const struct journal_request *jr, time_t since)
{
	struct journal_source src = { jr->n_files > 0 ? jr->files : NULL, jr->n_files, since > 0 ? since : 0 };
	char err[512];
	unsigned long long entries = 0;
	review_begin_file(r, jr->n_files > 0 ? jr->files[0] : "(journal)");
	if (!journal_feed(&src, journal_line, r, &entries, err, sizeof err)) {
		fprintf(stderr, "eopguardctl review: %s\n", err);
		return EX_NOINPUT;
	}
	return EX_OK;
}

/* Parse options into opts; returns EX_OK or EX_USAGE. */
static int review_options(int argc, char **argv, struct review_options *opts, bool *json, const char **conf_path,
			  struct journal_request *jr, const char **html)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "html", required_argument, NULL, 'H' },
		{ "journal", no_argument, NULL, 'J' },
		{ "journal-file", required_argument, NULL, 'F' },
		{ "since", required_argument, NULL, 's' },
		{ "messages", no_argument, NULL, 'm' },
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "+c:jmh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'j': *json = true; break;
		case 'H':
			*html = optarg;
			opts->histogram = true;
			break;
		case 'J': jr->on = true; break;
		case 'F':
			if (jr->n_files >= JOURNAL_FILES_MAX) {
				fprintf(stderr, "eopguardctl review: at most %d --journal-file options\n", JOURNAL_FILES_MAX);
				return EX_USAGE;
			}
			jr->files[jr->n_files++] = optarg;
			jr->on = true;
			break;
		case 'm': opts->list_messages = true; break;
		case 'c': *conf_path = optarg; break;
		case 's':
			opts->since = parse_since(optarg, opts->now);
			if (opts->since < 0) {
				fprintf(stderr, "eopguardctl review: --since '%s': use 2026-11-20, 2026-11-20T08:00 or 24h\n", optarg);
				return EX_USAGE;
			}
			break;
		case 'h': fputs(review_usage, stdout); exit(EX_OK);
		default: fputs(review_usage, stderr); return EX_USAGE;
		}
	}
	return EX_OK;
}

/* --html PAGE: write the page (replacing PAGE via a temporary file beside it); EX_IOERR with a message on failure. */
static int write_html(struct review *r, const char *path)
{
	struct strbuf page;
	strbuf_init(&page, 256u << 20);
	review_format_html(r, &page);
	char tmp[4200];
	int rc = EX_OK;
	if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= sizeof tmp) {
		fprintf(stderr, "eopguardctl review: --html %s: path too long\n", path);
		strbuf_free(&page);
		return EX_IOERR;
	}
	errno = 0;
	FILE *fp = fopen(tmp, "wx");
	if (fp == NULL || !strbuf_ok(&page) || fwrite(page.data, 1, page.len, fp) != page.len || fflush(fp) != 0 ||
	    fsync(fileno(fp)) != 0) {
		fprintf(stderr, "eopguardctl review: --html %s: %s\n", path, fp == NULL || errno != 0 ? strerror(errno) : "page too large");
		rc = EX_IOERR;
	}
	if (fp != NULL && fclose(fp) != 0 && rc == EX_OK) {
		fprintf(stderr, "eopguardctl review: --html %s: %s\n", path, strerror(errno));
		rc = EX_IOERR;
	}
	if (rc == EX_OK && rename(tmp, path) != 0) {
		fprintf(stderr, "eopguardctl review: --html %s: %s\n", path, strerror(errno));
		rc = EX_IOERR;
	}
	if (rc != EX_OK)
		unlink(tmp);
	strbuf_free(&page);
	return rc;
}

/* Review the given logs and print the report. */
int cmd_review(int argc, char **argv)
{
	struct review_options opts = { .now = time(NULL) };
	struct tm lt;
	localtime_r(&opts.now, &lt);
	opts.utc_offset = lt.tm_gmtoff;
	bool json = false;
	const char *conf_path = NULL;
	struct journal_request jr = { 0 };
	const char *html = NULL;
	int rc = review_options(argc, argv, &opts, &json, &conf_path, &jr, &html);
	if (rc != EX_OK)
		return rc;
	struct conf *conf = NULL;
	char err[CONF_ERR_MAX];
	if (conf_path != NULL && !conf_load(conf_path, &conf, err, sizeof err)) {
		fprintf(stderr, "eopguardctl review: %s\n", err);
		return EX_CONFIG;
	}
	opts.accepted = conf != NULL ? conf->tenant.accepted : NULL;
	struct review *r = review_new(&opts);
	if (r == NULL) {
		conf_free(conf);
		fputs("eopguardctl review: out of memory\n", stderr);
		return EX_OSERR;
	}
	bool tty = isatty(STDERR_FILENO);
	rc = EX_OK;
	if (jr.on) {
		rc = review_journal(r, &jr, opts.since);
	} else if (optind >= argc) {
		const char *dflt = isatty(STDIN_FILENO) ? "/var/log/mail.log" : "-";
		rc = review_file(r, dflt, tty);
	}
	for (int i = optind; i < argc; i++) {
		int file_rc = review_file(r, argv[i], tty);
		if (file_rc != EX_OK && rc == EX_OK)
			rc = file_rc;
	}
	struct strbuf out;
	strbuf_init(&out, 512u << 20);
	if (html != NULL && strcmp(html, "-") != 0 && write_html(r, html) != EX_OK && rc == EX_OK)
		rc = EX_IOERR;
	if (html != NULL && strcmp(html, "-") == 0)
		review_format_html(r, &out);
	else if (json)
		review_format_json(r, &out);
	else
		review_format_text(r, &out);
	fwrite(out.data, 1, out.len, stdout);
	strbuf_free(&out);
	review_free(r);
	conf_free(conf);
	return rc;
}
