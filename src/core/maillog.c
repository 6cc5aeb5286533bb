/*
 * maillog: fast, allocation-free parsing of Postfix, Sendmail and eopguard
 * log lines.
 *
 * Does: timestamp, program, queue id, and the fields review needs, as slices
 * into the line. Every scan is bounded by the line length; NUL bytes and
 * truncated lines are handled like any other byte.
 * Does not: correlate lines (review.c) or explain codes (ndr.c).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "maillog.h"

/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
static long days_from_civil(long y, unsigned m, unsigned d)
{
	y -= m <= 2;
	long era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned month_from_march = m > 2 ? m - 3 : m + 9;
	unsigned doy = (153 * month_from_march + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long)doe - 719468;
}

/* n digits at p as a number, or -1. */
static long digits(const char *p, size_t n)
{
	long v = 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

/* ISO-8601 date and optional time with zone. */
time_t maillog_parse_iso(const char *s, size_t n)
{
	if (n < 10 || s[4] != '-' || s[7] != '-')
		return -1;
	long y = digits(s, 4), mo = digits(s + 5, 2), d = digits(s + 8, 2), h = 0, mi = 0, se = 0, off = 0;
	if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31)
		return -1;
	size_t i = 10;
	if (i < n && (s[i] == 'T' || s[i] == ' ')) {
		if (n < i + 6 || s[i + 3] != ':')
			return -1;
		h = digits(s + i + 1, 2);
		mi = digits(s + i + 4, 2);
		i += 6;
		if (i + 3 <= n && s[i] == ':') {
			se = digits(s + i + 1, 2);
			i += 3;
		}
		while (i < n && (s[i] == '.' || (s[i] >= '0' && s[i] <= '9')))
			i++;
		if (h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 60)
			return -1;
		if (i + 6 <= n && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':') {
			long oh = digits(s + i + 1, 2), om = digits(s + i + 4, 2);
			if (oh < 0 || om < 0)
				return -1;
			off = (oh * 3600 + om * 60) * (s[i] == '+' ? 1 : -1);
			i += 6;
		} else if (i < n && s[i] == 'Z') {
			i++;
		}
	}
	if (i != n)
		return -1;
	return (time_t)(days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + se - off);
}

/* Month number (1..12) of a three-letter English abbreviation, 0 if none. */
static int month_of(const char *p)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	int first = 0;
	switch (p[0]) {   /* start where the first letter can match */
	case 'J': first = 0; break;
	case 'F': first = 1; break;
	case 'M': first = 2; break;
	case 'A': first = 3; break;
	case 'S': first = 8; break;
	case 'O': first = 9; break;
	case 'N': first = 10; break;
	case 'D': first = 11; break;
	default: return 0;
	}
	for (int m = first; m < 12; m++) {
		if (memcmp(p, months + 3 * m, 3) == 0)
			return m + 1;
	}
	return 0;
}

/* Read the timestamp; returns the offset of what follows it (0 if none). */
static size_t parse_time(const char *l, size_t n, int year, time_t *when)
{
	*when = 0;
	if (n >= 16 && l[3] == ' ' && l[6] == ' ' && l[9] == ':' && l[12] == ':' && l[15] == ' ') {
		int m = month_of(l);
		long d = l[4] == ' ' ? digits(l + 5, 1) : digits(l + 4, 2);
		long h = digits(l + 7, 2), mi = digits(l + 10, 2), s = digits(l + 13, 2);
		if (m == 0 || d < 1 || h < 0 || mi < 0 || s < 0)
			return 0;
		*when = (time_t)(days_from_civil(year, (unsigned)m, (unsigned)d) * 86400 + h * 3600 + mi * 60 + s);
		return 16;
	}
	if (n >= 15 && l[3] == ' ' && l[5] == ' ' && l[8] == ':' && l[11] == ':' && l[14] == ' ') {
		/* "Mar 7 02:09:33 ": the day not padded, as some syslog daemons and pastes write it */
		int m = month_of(l);
		long d = digits(l + 4, 1), h = digits(l + 6, 2), mi = digits(l + 9, 2), s = digits(l + 12, 2);
		if (m == 0 || d < 1 || h < 0 || mi < 0 || s < 0)
			return 0;
		*when = (time_t)(days_from_civil(year, (unsigned)m, (unsigned)d) * 86400 + h * 3600 + mi * 60 + s);
		return 15;
	}
	if (n >= 20 && l[4] == '-' && l[10] == 'T') {
		/* RFC 5424 "<pri>1 " prefixes are rare in files; ISO stamps are common (rsyslog). */
		const char *sp = memchr(l, ' ', n);
		if (sp == NULL)
			return 0;
		time_t t = maillog_parse_iso(l, (size_t)(sp - l));
		if (t < 0)
			return 0;
		*when = t;
		return (size_t)(sp - l) + 1;
	}
	return 0;
}

/* True when s starts with the literal. */
static bool starts(struct slice s, const char *lit, size_t ln)
{
	return s.n >= ln && memcmp(s.p, lit, ln) == 0;
}
#define STARTS(s, lit) starts(s, lit, sizeof lit - 1)

/* Position of needle in s, or NULL. */
static const char *find(struct slice s, const char *needle, size_t nl)
{
	if (nl == 0 || s.n < nl)
		return NULL;
	const char *end = s.p + s.n - nl + 1;
	for (const char *p = s.p; p < end; p++) {
		p = memchr(p, needle[0], (size_t)(end - p));
		if (p == NULL)
			return NULL;
		if (memcmp(p, needle, nl) == 0)
			return p;
	}
	return NULL;
}
#define FIND(s, lit) find(s, lit, sizeof lit - 1)

/* The value of "name=" up to one of (at most two) stop characters, as a slice. */
static struct slice field(struct slice s, const char *name, size_t nl, const char *stops)
{
	const char *p = find(s, name, nl);
	struct slice r = { NULL, 0 };
	while (p != NULL && p > s.p && p[-1] != ' ' && p[-1] != ',')
		p = find((struct slice){ p + 1, (size_t)(s.p + s.n - p - 1) }, name, nl);
	if (p == NULL)
		return r;
	r.p = p + nl;
	const char *end = s.p + s.n;
	const char *q = r.p;
	char s0 = stops[0], s1 = stops[0] != '\0' ? stops[1] : '\0';
	if (s0 == '\0')
		q = end;
	else
		while (q < end && *q != s0 && (s1 == '\0' || *q != s1))
			q++;
	r.n = (size_t)(q - r.p);
	return r;
}
#define FIELD(s, lit, stops) field(s, lit, sizeof lit - 1, stops)

/* "<addr>" -> "addr". */
static struct slice unbracket(struct slice s)
{
	if (s.n >= 2 && s.p[0] == '<' && s.p[s.n - 1] == '>') {
		s.p++;
		s.n -= 2;
	}
	return s;
}

/* Text in the last parentheses of a delivery: "status=deferred (TEXT)". */
static struct slice paren_text(struct slice s, const char *after)
{
	struct slice r = { NULL, 0 };
	const char *open = after != NULL ? memchr(after, '(', (size_t)(s.p + s.n - after)) : NULL;
	if (open == NULL)
		return r;
	r.p = open + 1;
	r.n = (size_t)(s.p + s.n - r.p);
	if (r.n > 0 && r.p[r.n - 1] == ')')
		r.n--;
	return r;
}

/* Postfix "to=<a>, orig_to=<b>, relay=r, delay=d, delays=..., dsn=x, status=s (text)": one pass. */
static void postfix_delivery(struct slice m, struct maillog_event *ev)
{
	ev->kind = ML_MALFORMED;
	const char *p = m.p, *end = m.p + m.n;
	while (p < end) {
		const char *eq = memchr(p, '=', (size_t)(end - p));
		if (eq == NULL)
			return;
		size_t nl = (size_t)(eq - p);
		const char *v = eq + 1;
		if (nl == 6 && memcmp(p, "status", 6) == 0) {
			const char *sp = v;
			while (sp < end && *sp != ' ' && *sp != ',')
				sp++;
			size_t sl = (size_t)(sp - v);
			ev->status = sl == 4 && memcmp(v, "sent", 4) == 0 ? MS_SENT
				   : sl == 8 && memcmp(v, "deferred", 8) == 0 ? MS_DEFERRED
				   : sl == 7 && memcmp(v, "bounced", 7) == 0 ? MS_BOUNCED
				   : sl == 7 && memcmp(v, "expired", 7) == 0 ? MS_EXPIRED : MS_NONE;
			if (ev->status != MS_NONE)
				ev->kind = ML_DELIVERY;
			ev->reply = paren_text(m, sp);
			return;
		}
		const char *comma = memchr(v, ',', (size_t)(end - v));
		if (comma == NULL)
			return;
		struct slice val = { v, (size_t)(comma - v) };
		if (nl == 2 && memcmp(p, "to", 2) == 0)
			ev->to = unbracket(val);
		else if (nl == 5 && memcmp(p, "relay", 5) == 0)
			ev->relay = val;
		else if (nl == 3 && memcmp(p, "dsn", 3) == 0)
			ev->dsn = val;
		p = comma + 1;
		while (p < end && *p == ' ')
			p++;
	}
}

/* "... from host[ip]: REPLY; from=<a> to=<b> proto=..." (milter and smtpd rejects). */
static void reject_fields(struct slice m, struct maillog_event *ev)
{
	const char *fr = FIND(m, " from ");
	if (fr != NULL) {
		struct slice h = { fr + 6, (size_t)(m.p + m.n - fr - 6) };
		const char *colon = FIND(h, ": ");
		if (colon != NULL) {
			ev->relay = (struct slice){ h.p, (size_t)(colon - h.p) };
			ev->reply.p = colon + 2;
			/* the reply ends where Postfix's fields begin: "; from=" usually, "; to=" (VRFY)
			 * or "; proto=" (CONNECT) when there is no sender */
			struct slice tail = { ev->reply.p, (size_t)(m.p + m.n - ev->reply.p) };
			const char *semi = FIND(tail, "; from=");
			if (semi == NULL)
				semi = FIND(tail, "; to=");
			if (semi == NULL)
				semi = FIND(tail, "; proto=");
			ev->reply.n = semi != NULL ? (size_t)(semi - ev->reply.p) : tail.n;
		}
	}
	ev->from = unbracket(FIELD(m, "from=", " "));
	ev->to = unbracket(FIELD(m, "to=", " "));
}

/* The part of a Postfix line after "QID: ". */
static void postfix_message(struct slice prog, struct slice m, struct maillog_event *ev)
{
	(void)prog;
	if (STARTS(m, "to=")) {
		postfix_delivery(m, ev);
	} else if (STARTS(m, "from=")) {
		ev->from = unbracket(FIELD(m, "from=", ","));
		ev->kind = FIND(m, "status=expired") != NULL ? ML_EXPIRED : ML_FROM;
	} else if (STARTS(m, "removed")) {
		ev->kind = ML_REMOVED;
	} else if (STARTS(m, "client=")) {
		ev->kind = ML_CLIENT;
		ev->relay = FIELD(m, "client=", ",");
	} else if (STARTS(m, "milter-reject: ")) {
		ev->kind = ML_MILTER_REJECT;
		reject_fields(m, ev);
	} else if (STARTS(m, "milter-hold: ")) {
		ev->kind = ML_MILTER_HOLD;
		reject_fields(m, ev);
	} else if (STARTS(m, "reject: ")) {   /* NOQUEUE, or after the queue id was assigned (RCPT, DATA, BDAT, header) */
		ev->kind = ML_NOQUEUE_REJECT;
		reject_fields(m, ev);
	} else {
		ev->kind = ML_SKIP;
	}
}

/* Sendmail: "QID: to=..., stat=...", "QID: from=...", "QID: Milter: ... reject=". */
static void sendmail_message(struct slice m, struct maillog_event *ev)
{
	if (STARTS(m, "to=")) {
		ev->kind = ML_DELIVERY;
		ev->to = unbracket(FIELD(m, "to=", ","));
		ev->relay = FIELD(m, "relay=", ",");
		ev->dsn = FIELD(m, "dsn=", ",");
		struct slice st = FIELD(m, "stat=", "");
		ev->reply = st;
		if (STARTS(st, "Sent"))
			ev->status = MS_SENT;
		else if (STARTS(st, "Deferred"))
			ev->status = MS_DEFERRED;
		else if (ev->dsn.n > 0 && ev->dsn.p[0] == '5')
			ev->status = MS_BOUNCED;
		else if (ev->dsn.n > 0 && ev->dsn.p[0] == '4')
			ev->status = MS_DEFERRED;
		else if (ev->dsn.n == 0 && st.n > 0)
			ev->kind = ML_SKIP;   /* stat=queued, stat=quarantined, or a milter refusal echoed (counted from its Milter line) */
		else
			ev->kind = ML_MALFORMED;
		/* "Deferred: 451 4.4.62 text" -> the reply after "Deferred: " */
		if (ev->status == MS_DEFERRED && STARTS(st, "Deferred: ")) {
			ev->reply.p += 10;
			ev->reply.n -= 10;
		}
	} else if (STARTS(m, "from=")) {
		ev->kind = ML_FROM;
		ev->from = unbracket(FIELD(m, "from=", ","));
		ev->relay = FIELD(m, "relay=", ",");
	} else if (STARTS(m, "ruleset=")) {
		/* "ruleset=check_rcpt, arg1=<a@b>, relay=host [ip], reject=550 5.7.1 <a@b>... Relaying denied" */
		struct slice rej = FIELD(m, "reject=", "");
		if (rej.n > 0) {
			ev->kind = ML_NOQUEUE_REJECT;
			ev->reply = rej;
			ev->relay = FIELD(m, "relay=", ",");
			struct slice arg = unbracket(FIELD(m, "arg1=", ","));
			if (STARTS(m, "ruleset=check_rcpt"))
				ev->to = arg;
			else if (STARTS(m, "ruleset=check_mail"))
				ev->from = arg;
		}
	} else if (STARTS(m, "milter=")) {
		/* "milter=eopguard, quarantine=eopguard: chain-incomplete" */
		struct slice q = FIELD(m, "quarantine=", "");
		if (q.n > 0) {
			ev->kind = ML_MILTER_HOLD;
			ev->reply = q;
		}
	} else if (STARTS(m, "Milter")) {
		struct slice rej = FIELD(m, "reject=", "");
		struct slice q = FIELD(m, "quarantine=", "");
		if (rej.n > 0) {
			ev->kind = ML_MILTER_REJECT;
			ev->reply = rej;
		} else if (q.n > 0 || FIND(m, "quarantine") != NULL) {
			ev->kind = ML_MILTER_HOLD;
			ev->reply = q;
		}
	} else if (FIND(m, "DSN: Cannot send message") != NULL) {
		ev->kind = ML_EXPIRED;
	}
}

/* eopguard's "QID: verdict=... action=... findings=... sender=<...> from=..." line. */
static void eopguard_message(struct slice m, struct maillog_event *ev)
{
	if (!STARTS(m, "verdict="))
		return;
	ev->kind = ML_EOPGUARD;
	ev->verdict = FIELD(m, "verdict=", " ");
	ev->findings = FIELD(m, "findings=", " ");
	ev->from = unbracket(FIELD(m, "sender=", " "));
}

/* The raw value of "name":"value" in a JSON object line (no unescaping; up to the closing quote). */
static struct slice json_string_field(struct slice m, const char *key)
{
	char pat[40];
	int pl = snprintf(pat, sizeof pat, "\"%s\":\"", key);
	struct slice v = { NULL, 0 };
	if (pl <= 0 || (size_t)pl >= sizeof pat)
		return v;
	const char *p = memmem(m.p, m.n, pat, (size_t)pl);
	if (p == NULL)
		return v;
	p += pl;
	const char *end = m.p + m.n, *q = p;
	while (q < end && *q != '"') {
		if (*q == '\\' && q + 1 < end)
			q++;
		q++;
	}
	if (q >= end)
		return v;
	v.p = p;
	v.n = (size_t)(q - p);
	return v;
}

/*
 * eopguard's per-message line with log_format = "json":
 * {"event":"message","queue_id":"Q","verdict":"fail","action":"defer","findings":["a","b"],"sender":"s",...}
 * read into the same fields as the text line (findings: the first name, or "-").
 */
static void eopguard_json(struct slice m, struct maillog_event *ev)
{
	if (!STARTS(m, "{\"event\":\"message\""))
		return;
	ev->qid = json_string_field(m, "queue_id");
	ev->verdict = json_string_field(m, "verdict");
	ev->from = json_string_field(m, "sender");
	if (ev->from.p == NULL)
		ev->from = (struct slice){ "", 0 };
	static const char none[] = "-";
	ev->findings = (struct slice){ none, 1 };
	const char *f = memmem(m.p, m.n, "\"findings\":[\"", 13);
	if (f != NULL) {
		const char *s = f + 13, *end = m.p + m.n, *q = s;
		while (q < end && *q != '"')
			q++;
		if (q < end)
			ev->findings = (struct slice){ s, (size_t)(q - s) };
	}
	if (ev->qid.n == 7 && memcmp(ev->qid.p, "NOQUEUE", 7) == 0)
		ev->qid = (struct slice){ NULL, 0 };
	if (ev->verdict.n > 0)
		ev->kind = ML_EOPGUARD;
}

/* Alphanumeric ASCII, as a table (queue ids are scanned on every mail line). */
static const unsigned char alnum[256] = {
	['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
	['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1,
	['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1,
	['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1, ['Y'] = 1, ['Z'] = 1,
	['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1,
	['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1,
	['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1,
};

/* A queue id: 5+ alphanumerics followed by ": ". Returns its length, 0 if none. */
static size_t queue_id_len(struct slice m)
{
	size_t lim = m.n < 32 ? m.n : 32, i = 0;
	while (i < lim && alnum[(unsigned char)m.p[i]])
		i++;
	return i >= 5 && i + 1 < m.n && m.p[i] == ':' && m.p[i + 1] == ' ' ? i : 0;
}

/*
 * What comes before the syslog header in logs people paste or collect:
 * docker compose's "service  | ", a "<PRI>" (with RFC 5424's version "1 "),
 * the RFC 3339 stamp "docker logs -t" puts before the line, and what a
 * paste adds (indentation, "> " quoting, Markdown "**"). Returns how
 * many bytes to skip; *stamp_len is set to the length of a docker stamp
 * that was skipped (its time is used when the line's own stamp has no year).
 */
static size_t prefix_len(const char *l, size_t n, size_t *stamp_len)
{
	size_t off = 0;
	*stamp_len = 0;
	/* the common case first: a classic syslog stamp right at the start */
	if (n >= 16 && l[3] == ' ' && l[6] == ' ' && l[9] == ':')
		return 0;
	for (int round = 0; round < 4; round++) {
		const char *p = l + off;
		size_t left = n - off;
		/* pasted into a forum or a mail: indentation (a Markdown code block),
		 * quote marks ("> ", "> > ") and Markdown bold ("**") before the line */
		size_t q = 0;
		while (q < left && q < 64 && (p[q] == ' ' || p[q] == '\t' || p[q] == '>' || p[q] == '*'))
			q++;
		if (q > 0) {
			off += q;
			continue;
		}
		/* compose: a service name, spaces, "| " */
		size_t k = 0;
		while (k < left && k < 64 && (alnum[(unsigned char)p[k]] || p[k] == '_' || p[k] == '-' || p[k] == '.'))
			k++;
		size_t s = k;
		while (s < left && p[s] == ' ')
			s++;
		if (k > 0 && s + 1 < left && p[s] == '|' && p[s + 1] == ' ') {
			off += s + 2;
			continue;
		}
		/* "<PRI>" and an optional RFC 5424 version */
		if (left > 3 && p[0] == '<') {
			size_t d = 1;
			while (d < left && d < 4 && p[d] >= '0' && p[d] <= '9')
				d++;
			if (d > 1 && d < left && p[d] == '>') {
				off += d + 1;
				if (n - off > 2 && l[off] == '1' && l[off + 1] == ' ')
					off += 2;
				continue;
			}
		}
		/* "docker logs -t": an RFC 3339 stamp followed by another syslog stamp (checked by its
		 * shape first: ordinary ISO-stamped lines must not pay for parsing two stamps) */
		if (left > 20 && p[4] == '-' && p[7] == '-' && p[10] == 'T') {
			const char *sp = memchr(p + 19, ' ', left - 19 < 21 ? left - 19 : 21);
			const char *nx = sp != NULL ? sp + 1 : NULL;
			size_t nl = nx != NULL ? (size_t)(l + n - nx) : 0;
			bool classic_next = nl >= 16 && nx[3] == ' ' && nx[6] == ' ' && nx[9] == ':' && nx[12] == ':';
			bool iso_next = nl > 20 && nx[4] == '-' && nx[7] == '-' && nx[10] == 'T';
			if ((classic_next || iso_next) && maillog_parse_iso(p, (size_t)(sp - p)) > 0) {
				time_t t;
				size_t after = (size_t)(sp + 1 - l);
				if (after < n && parse_time(l + after, n - after, 1970, &t) > 0) {
					*stamp_len = (size_t)(sp - p);
					off = after;
					continue;
				}
			}
		}
		break;
	}
	return off;
}

/* A syslog "facility.level" token as busybox syslogd writes it before the program ("mail.info"). */
static bool is_facility_level(struct slice t)
{
	static const char *const levels[] = { "emerg", "alert", "crit", "err", "warn", "warning", "notice", "info", "debug" };
	const char *dot = memchr(t.p, '.', t.n);
	if (dot == NULL || dot == t.p)
		return false;
	size_t ln = (size_t)(t.p + t.n - dot - 1);
	for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++) {
		if (strlen(levels[i]) == ln && memcmp(dot + 1, levels[i], ln) == 0)
			return true;
	}
	return false;
}

/* A mail program's tag at the start of s ("postfix/smtp[12]: ", "sm-mta: ")? */
static bool starts_with_mail_program(struct slice s)
{
	return STARTS(s, "postfix") || STARTS(s, "sendmail[") || STARTS(s, "sm-mta[") || STARTS(s, "sm-msp-queue[") ||
	       STARTS(s, "sendmail:") || STARTS(s, "sm-mta:");
}

/* Parse one line into ev. */
void maillog_parse(const char *line, size_t len, int year, struct maillog_event *ev)
{
	memset(ev, 0, sizeof *ev);
	ev->kind = ML_SKIP;
	if (len > 0 && line[len - 1] == '\r')
		len--;
	size_t docker_stamp = 0;
	size_t pre = prefix_len(line, len, &docker_stamp);
	const char *docker = line;
	line += pre;
	len -= pre;
	struct slice rest;
	size_t off = parse_time(line, len, year, &ev->when);
	if (off > 0) {
		ev->local_time = off == 16 || off == 15;
		if (docker_stamp > 0 && ev->local_time) {
			/* the container's own stamp has the year and the zone */
			time_t t = maillog_parse_iso(docker, docker_stamp);
			if (t > 0) {
				ev->when = t;
				ev->local_time = false;
			}
		}
		/* a syslog-ng template's "<mail.notice>" before the host */
		if (off < len && line[off] == '<') {
			const char *gt = memchr(line + off, '>', len - off < 24 ? len - off : 24);
			if (gt != NULL && gt + 1 < line + len && gt[1] == ' ' &&
			    is_facility_level((struct slice){ line + off + 1, (size_t)(gt - (line + off + 1)) }))
				off = (size_t)(gt + 2 - line);
		}
		/* host */
		const char *sp = memchr(line + off, ' ', len - off);
		if (sp == NULL)
			return;
		rest = (struct slice){ sp + 1, (size_t)(line + len - sp - 1) };
		/* busybox: "host mail.info postfix/smtp[1]: ..." (not looked for when a program name is right there) */
		const char *sp2 = rest.n > 0 && rest.p[0] != 'p' && rest.p[0] != 'e' ? memchr(rest.p, ' ', rest.n) : NULL;
		if (sp2 != NULL && sp2 > rest.p && sp2[-1] != ':' &&
		    is_facility_level((struct slice){ rest.p, (size_t)(sp2 - rest.p) })) {
			rest.n -= (size_t)(sp2 + 1 - rest.p);
			rest.p = sp2 + 1;
		}
	} else {
		/* pasted without any syslog header: "postfix/smtp[123]: QID: to=..." */
		rest = (struct slice){ line, len };
		if (!starts_with_mail_program(rest))
			return;
	}
	const char *colon = FIND(rest, ": ");
	if (colon == NULL)
		return;
	struct slice prog = { rest.p, (size_t)(colon - rest.p) };
	const char *br = memchr(prog.p, '[', prog.n);
	if (br != NULL)
		prog.n = (size_t)(br - prog.p);
	struct slice m = { colon + 2, (size_t)(rest.p + rest.n - colon - 2) };
	bool postfix = STARTS(prog, "postfix") && memchr(prog.p, '/', prog.n) != NULL;
	bool sendmail = (prog.n == 6 && memcmp(prog.p, "sm-mta", 6) == 0) ||
			(prog.n == 8 && memcmp(prog.p, "sendmail", 8) == 0) ||
			(prog.n == 12 && memcmp(prog.p, "sm-msp-queue", 12) == 0) ||
			(prog.n == 23 && memcmp(prog.p, "sm-acceptingconnections", 23) == 0);
	bool eopguard = prog.n == 8 && memcmp(prog.p, "eopguard", 8) == 0;
	if (!postfix && !sendmail && !eopguard)
		return;
	if (eopguard && m.n > 0 && m.p[0] == '{') {
		eopguard_json(m, ev);
		return;
	}
	if (STARTS(m, "NOQUEUE: ")) {
		m.p += 9;
		m.n -= 9;
	} else {
		size_t ql = queue_id_len(m);
		if (ql > 0) {
			ev->qid = (struct slice){ m.p, ql };
			m.p += ql + 2;
			m.n -= ql + 2;
		} else if (!(sendmail && STARTS(m, "ruleset="))) {
			return;   /* connect/disconnect, warnings, statistics: not per message (Sendmail's check_relay has no id) */
		}
	}
	if (postfix)
		postfix_message(prog, m, ev);
	else if (sendmail)
		sendmail_message(m, ev);
	else
		eopguard_message(m, ev);
	if (ev->kind == ML_SKIP)
		ev->qid = (struct slice){ NULL, 0 };   /* "identity: ..." looks like a queue id */
}
