/*
 * ndr: lookups in the compiled-in EOP response table.
 *
 * Does: map findings to predicted responses; find status codes in noisy text
 * (log lines with dsn=, said:, brackets, NDR blocks); choose among variants
 * that share a code by their text; RFC 3463 meanings as a fallback.
 * Does not: hold any EOP text of its own (that is data/ndr.txt), print, or
 * read files.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ndr.h"

/* True when the space-separated word list contains word. */
static bool word_list_has(const char *list, const char *word)
{
	size_t wl = strlen(word);
	for (const char *p = list; *p != '\0'; ) {
		while (*p == ' ')
			p++;
		size_t l = strcspn(p, " ");
		if (l == wl && strncmp(p, word, wl) == 0)
			return true;
		p += l;
	}
	return false;
}

/* The record listing finding in its predict field. */
const struct ndr_record *ndr_for_finding(const char *finding)
{
	for (size_t i = 0; i < ndr_table_len; i++) {
		if (word_list_has(ndr_table[i].predict, finding))
			return &ndr_table[i];
	}
	return NULL;
}

/* Extract "c.s.d" from a reply and replace its class. */
bool ndr_enhanced_with_class(const char *reply, char cls, char *out, size_t outlen)
{
	/* "550 5.7.64 text", or a status without a basic code: "4.7.4 text" */
	const char *p = reply;
	if (!(isdigit((unsigned char)p[0]) && p[1] == '.')) {
		p = strchr(reply, ' ');
		if (p == NULL)
			return false;
		p++;
	}
	size_t n = strspn(p, "0123456789.");
	if (n < 5 || !isdigit((unsigned char)p[0]) || p[1] != '.')
		return false;
	int w = snprintf(out, outlen, "%c%.*s", cls, (int)(n - 1), p + 1);
	return w > 0 && (size_t)w < outlen;
}

/* ---- finding codes in text ---- */

/* Length of an enhanced code "c.sss.ddd" at p (class 2, 4 or 5), 0 if none. */
static size_t enhanced_code_at(const char *p, const char *end)
{
	if (end - p < 5 || (p[0] != '2' && p[0] != '4' && p[0] != '5') || p[1] != '.')
		return 0;
	const char *q = p + 2;
	for (int part = 0; part < 2; part++) {
		size_t digits = 0;
		while (q < end && isdigit((unsigned char)*q) && digits < 4) {
			q++;
			digits++;
		}
		if (digits == 0 || digits > 3)
			return 0;
		if (part == 0) {
			if (q >= end || *q != '.')
				return 0;
			q++;
		}
	}
	if (q < end && (isdigit((unsigned char)*q) || (*q == '.' && q + 1 < end && isdigit((unsigned char)q[1]))))
		return 0;
	return (size_t)(q - p);
}

/* A basic reply code "NNN" ending just before p (spaces or '-' between), or NULL. */
static const char *basic_code_before(const char *start, const char *p)
{
	const char *q = p;
	while (q > start && (q[-1] == ' ' || q[-1] == '-'))
		q--;
	if (q == p || q - start < 3)
		return NULL;
	const char *b = q - 3;
	if (!isdigit((unsigned char)b[0]) || !isdigit((unsigned char)b[1]) || !isdigit((unsigned char)b[2]))
		return NULL;
	if (b > start && (isdigit((unsigned char)b[-1]) || b[-1] == '.'))
		return NULL;
	return b;
}

/* Recognise "eopguard: <finding>:" and keep the finding name. */
static void find_eopguard_reply(const char *text, size_t len, struct ndr_query *q)
{
	static const char tag[] = "eopguard: ";
	for (size_t i = 0; i + sizeof tag - 1 < len; i++) {
		if (memcmp(text + i, tag, sizeof tag - 1) != 0)
			continue;
		const char *f = text + i + sizeof tag - 1;
		size_t n = 0;
		while (f + n < text + len && n < sizeof q->finding - 1 && (islower((unsigned char)f[n]) || f[n] == '-'))
			n++;
		/* "eopguard: <finding>:" in replies; "eopguard: <finding>" alone as a quarantine reason */
		if (n > 0 && (f + n == text + len || f[n] == ':')) {
			memcpy(q->finding, f, n);
			q->finding[n] = '\0';
			/* eopguard's own enhanced code stands just before "eopguard: ". */
			const char *c = text + i;
			while (c > text && c[-1] == ' ')
				c--;
			while (c > text && (isdigit((unsigned char)c[-1]) || c[-1] == '.'))
				c--;
			if (c < text + i && (*c == '4' || *c == '5') && c[1] == '.')
				q->own_class = *c;
			return;
		}
	}
}

/* Find the status codes in text. */
void ndr_parse_input(const char *text, size_t len, struct ndr_query *q)
{
	memset(q, 0, sizeof *q);
	q->text = text;
	q->text_len = len;
	find_eopguard_reply(text, len, q);
	const char *end = text + len, *first = NULL;
	size_t first_len = 0;
	for (const char *p = text; p < end; p++) {
		if (p > text && (isdigit((unsigned char)p[-1]) || p[-1] == '.'))
			continue;
		size_t n = enhanced_code_at(p, end);
		if (n == 0 || n >= sizeof q->enhanced)
			continue;
		const char *b = basic_code_before(text, p);
		if (b != NULL && b[0] == p[0]) {
			memcpy(q->basic, b, 3);
			memcpy(q->enhanced, p, n);
			return;
		}
		if (first == NULL) {
			first = p;
			first_len = n;
		}
	}
	if (first != NULL)
		memcpy(q->enhanced, first, first_len);
}

/* ---- matching records ---- */

/* Split "c.s.d" into numbers; false when malformed. */
static bool split_code(const char *s, int *c, int *sub, int *det, const char **rest)
{
	char *e;
	*c = (int)strtol(s, &e, 10);
	if (*e != '.')
		return false;
	*sub = (int)strtol(e + 1, &e, 10);
	if (*e != '.')
		return false;
	*det = (int)strtol(e + 1, &e, 10);
	*rest = e;
	return true;
}

/* True when a record covers an enhanced code. */
bool ndr_record_covers(const struct ndr_record *r, const char *enhanced)
{
	int c1, s1, d1, c2, s2, d2;
	const char *rest1, *rest2;
	if (enhanced[0] == '\0' || r->code[0] == '-')
		return false;
	if (strchr(r->code, '-') == NULL)   /* the common case: one code, compare as text */
		return strcmp(r->code, enhanced) == 0;
	if (!split_code(r->code, &c1, &s1, &d1, &rest1) || !split_code(enhanced, &c2, &s2, &d2, &rest2))
		return false;
	if (c1 != c2 || s1 != s2)
		return false;
	if (*rest1 == '-')
		return d2 >= d1 && d2 <= atoi(rest1 + 1);
	return d1 == d2;
}

/* The input text, with a lower-case copy when one could be made. */
struct search_text {
	const char *text;
	const char *lower;   /* text in lower case (ASCII), or NULL */
	size_t len;
};

/* Longest needle folded on the stack; longer ones take the slow path. */
#define NEEDLE_MAX 512

/* Case-insensitive search, byte by byte: the path without a lower-case copy. */
static bool contains_nocase(const char *text, size_t len, const char *needle, size_t nl)
{
	int first_lower = tolower((unsigned char)needle[0]);
	int first_upper = toupper((unsigned char)needle[0]);
	for (size_t i = 0; i + nl <= len; i++) {
		int c = (unsigned char)text[i];
		if (c != first_lower && c != first_upper)
			continue;
		size_t k = 1;
		while (k < nl && tolower((unsigned char)text[i + k]) == tolower((unsigned char)needle[k]))
			k++;
		if (k == nl)
			return true;
	}
	return false;
}

/* True when needle (length nl, any case) occurs in t. */
static bool text_contains(const struct search_text *t, const char *needle, size_t nl)
{
	if (nl == 0 || nl > t->len)
		return false;
	if (t->lower == NULL || nl > NEEDLE_MAX)
		return contains_nocase(t->text, t->len, needle, nl);
	char low[NEEDLE_MAX];
	for (size_t i = 0; i < nl; i++)
		low[i] = (char)tolower((unsigned char)needle[i]);
	return memmem(t->lower, t->len, low, nl) != NULL;
}

/* The text of a reply after its basic and enhanced codes. */
static const char *reply_text(const char *reply)
{
	const char *p = reply;
	for (int skip = 0; skip < 2 && isdigit((unsigned char)*p); skip++) {
		p += strcspn(p, " ");
		p += strspn(p, " ");
	}
	return p;
}

/*
 * How well a record fits the text: the length of its whole reply text when
 * the input contains it, else of the longest "|"-separated alternative of
 * r->match found in it; 0 when nothing fits. What matched goes to *what.
 */
static size_t match_score(const struct ndr_record *r, const struct search_text *t, const char **what)
{
	const char *rt = reply_text(r->reply);
	size_t best = text_contains(t, rt, strlen(rt)) ? strlen(rt) : 0;
	*what = rt;
	for (const char *p = r->match; *p != '\0'; ) {
		size_t l = strcspn(p, "|");
		if (l > best && text_contains(t, p, l)) {
			best = l;
			*what = p;
		}
		p += l;
		if (*p == '|')
			p++;
	}
	return best;
}

/* The records that explain q, best first. */
size_t ndr_lookup(const struct ndr_query *q, const struct ndr_record **out, size_t max)
{
	return ndr_lookup_info(q, NDR_ORIGIN_UNKNOWN, out, max, NULL);
}

size_t ndr_lookup_info(const struct ndr_query *q, enum ndr_origin origin, const struct ndr_record **out, size_t max,
		       struct ndr_match_info *info)
{
	size_t n = 0, best = 0;
	bool by_code = false;
	const char *best_what = NULL;
	for (size_t i = 0; i < ndr_table_len; i++)
		by_code |= ndr_record_covers(&ndr_table[i], q->enhanced);
	if (info != NULL)
		memset(info, 0, sizeof *info);
	/* A code the table does not know is never explained by another code's text. */
	if (q->enhanced[0] != '\0' && !by_code)
		return 0;
	/* One lower-case copy of the text for all the searches below; without
	 * memory for it the searches compare byte by byte instead. */
	char *lower = malloc(q->text_len + 1);
	if (lower != NULL)
		for (size_t i = 0; i < q->text_len; i++)
			lower[i] = (char)tolower((unsigned char)q->text[i]);
	struct search_text t = { q->text, lower, q->text_len };
	/* The text score of every candidate, once: SIZE_MAX marks a non-candidate. */
	size_t score[NDR_TABLE_MAX];
	bool exact_best = false;
	for (size_t i = 0; i < ndr_table_len && i < NDR_TABLE_MAX; i++) {
		const struct ndr_record *r = &ndr_table[i];
		score[i] = SIZE_MAX;
		if (by_code && !ndr_record_covers(r, q->enhanced))
			continue;
		if (origin == NDR_NOT_MICROSOFT && r->origin[0] == '\0')
			continue;   /* a text only Microsoft writes cannot explain another server's reply */
		const char *what;
		score[i] = match_score(r, &t, &what);
		if (score[i] > best) {
			best = score[i];
			best_what = what;
		}
	}
	free(lower);
	/* among the best, an exact code beats a range */
	for (size_t i = 0; best > 0 && i < ndr_table_len && i < NDR_TABLE_MAX; i++)
		exact_best |= score[i] == best && strchr(ndr_table[i].code, '-') == NULL;
	if (info != NULL) {
		info->score = best;
		info->by_code = by_code;
		if (best_what != NULL && best > 0) {
			size_t l = best < sizeof info->words - 1 ? best : sizeof info->words - 1;
			memcpy(info->words, best_what, l);
			info->words[l] = '\0';
		}
	}
	if (!by_code && best == 0)
		return 0;
	/* Those with the best score (all candidates when none matched). */
	for (size_t i = 0; i < ndr_table_len && i < NDR_TABLE_MAX && n < max; i++) {
		if (score[i] != best)
			continue;
		if (exact_best && strchr(ndr_table[i].code, '-') != NULL)
			continue;
		out[n++] = &ndr_table[i];
	}
	return n;
}

/* Does a host name belong to Microsoft's mail services? */
static bool host_is_microsoft(const char *h, size_t n)
{
	static const char *const suffixes[] = { ".outlook.com", ".microsoft.com", ".mx.microsoft", ".hotmail.com",
						".live.com", ".msn.com", ".office365.com", ".exchangelabs.com" };
	for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
		size_t sl = strlen(suffixes[i]);
		if (n > sl && strncasecmp(h + n - sl, suffixes[i], sl) == 0)
			return true;
	}
	return false;
}

enum ndr_origin ndr_origin_of(const char *text, size_t len, char *host, size_t hostlen)
{
	static const char *const markers[] = {
		"outlook.com", "mx.microsoft", "microsoft.com", "hotmail.com", "TenantAttribution", "TenantInboundAttribution",
		"STOREDRV", "RESOLVER.", "Exchange Online", "Office 365", "postmaster.live.com", "ATTR", "SendAsDenied",
		"SmtpClientAuthentication", "[Hostname=", "InternalId=", ".prod.", "AS(20", "(AS1",
	};
	char *lower = malloc(len + 1);
	struct search_text t = { text, lower, len };
	if (lower != NULL)
		for (size_t i = 0; i < len; i++)
			lower[i] = (char)tolower((unsigned char)text[i]);
	bool marked = false;
	for (size_t i = 0; !marked && i < sizeof markers / sizeof markers[0]; i++)
		marked = text_contains(&t, markers[i], strlen(markers[i]));
	free(lower);
	if (host != NULL && hostlen > 0)
		host[0] = '\0';
	/* Postfix: "host NAME[ADDR] said:"; Sendmail: "reply=... from NAME." is rarer: the Postfix form only */
	const char *end = text + len;
	for (const char *p = text; p + 5 < end; p++) {
		if (memcmp(p, "host ", 5) != 0 || (p > text && isalnum((unsigned char)p[-1])))
			continue;
		const char *h = p + 5, *e = h;
		while (e < end && (isalnum((unsigned char)*e) || *e == '.' || *e == '-'))
			e++;
		if (e == h || e >= end || *e != '[')
			continue;
		if (host_is_microsoft(h, (size_t)(e - h)))
			return NDR_MICROSOFT;
		if (marked)
			return NDR_MICROSOFT;
		if (host != NULL && hostlen > 0)
			snprintf(host, hostlen, "%.*s", (int)(e - h), h);
		return NDR_NOT_MICROSOFT;
	}
	return marked ? NDR_MICROSOFT : NDR_ORIGIN_UNKNOWN;
}

const char *ndr_breaker_scope(const char *text, size_t len, char cause[16])
{
	struct ndr_query q;
	ndr_parse_input(text, len, &q);
	cause[0] = '\0';
	if (q.enhanced[0] == '\0')
		return NULL;
	const struct ndr_record *recs[16];
	size_t n = ndr_lookup(&q, recs, sizeof recs / sizeof recs[0]);
	if (n == 0 || recs[0]->breaker[0] == '\0')
		return NULL;
	for (size_t i = 1; i < n; i++) {
		if (strcmp(recs[i]->breaker, recs[0]->breaker) != 0)
			return NULL;
	}
	snprintf(cause, 16, "%s", q.enhanced);
	return recs[0]->breaker;
}

/* ---- RFC 3463 ---- */

/* Meaning of the class digit. */
const char *ndr_class_meaning(char cls)
{
	switch (cls) {
	case '2': return "success: the action worked";
	case '4': return "persistent transient failure: not delivered yet, the sending server retries";
	case '5': return "permanent failure: not delivered and not retried; the sender gets a bounce";
	default: return NULL;
	}
}

/* Meaning of the subject number. */
const char *ndr_subject_meaning(int subject)
{
	static const char *const subjects[] = {
		"other or undefined status", "addressing (the address itself)",
		"mailbox (the recipient's mailbox)", "mail system (the receiving system)",
		"network and routing", "mail delivery protocol (the SMTP exchange)",
		"message content or media", "security or policy",
	};
	return subject >= 0 && subject < 8 ? subjects[subject] : NULL;
}

/* Meaning of a subject.detail pair defined in RFC 3463. */
const char *ndr_detail_meaning(int subject, int detail)
{
	static const struct { int s, d; const char *text; } details[] = {
		{ 0, 0, "no more specific information" },
		{ 1, 0, "other address status" }, { 1, 1, "the mailbox does not exist" },
		{ 1, 2, "the destination system does not exist or does not accept mail" },
		{ 1, 3, "the mailbox address is malformed" }, { 1, 4, "the address is ambiguous" },
		{ 1, 5, "the destination mailbox address is valid" }, { 1, 6, "the mailbox has moved" },
		{ 1, 7, "the sender's address is malformed" }, { 1, 8, "the sender's system address is invalid" },
		{ 2, 0, "other mailbox status" }, { 2, 1, "the mailbox is disabled" },
		{ 2, 2, "the mailbox is full" }, { 2, 3, "the message is larger than the mailbox accepts" },
		{ 2, 4, "a mailing list expansion failed" },
		{ 3, 0, "other mail system status" }, { 3, 1, "the mail system is full" },
		{ 3, 2, "the system does not accept network messages" },
		{ 3, 3, "the system cannot handle a feature of the message" },
		{ 3, 4, "the message is too big for the system" }, { 3, 5, "the system is misconfigured" },
		{ 4, 0, "other network or routing status" }, { 4, 1, "no answer from the host" },
		{ 4, 2, "the connection was dropped" }, { 4, 3, "directory server failure" },
		{ 4, 4, "no route to the destination" }, { 4, 5, "the mail system is congested" },
		{ 4, 6, "a routing loop was detected" }, { 4, 7, "the delivery time expired" },
		{ 5, 0, "other protocol status" }, { 5, 1, "invalid command" }, { 5, 2, "syntax error" },
		{ 5, 3, "too many recipients" }, { 5, 4, "invalid command arguments" },
		{ 5, 5, "wrong protocol version" },
		{ 6, 0, "other media error" }, { 6, 1, "media not supported" },
		{ 6, 2, "conversion required but not allowed" }, { 6, 3, "conversion required but not supported" },
		{ 6, 4, "conversion done with loss" }, { 6, 5, "conversion failed" },
		{ 7, 0, "other security or policy status" }, { 7, 1, "delivery not authorized, message refused" },
		{ 7, 2, "mailing list expansion prohibited" }, { 7, 3, "security conversion required but not possible" },
		{ 7, 4, "security features not supported" }, { 7, 5, "cryptographic failure" },
		{ 7, 6, "cryptographic algorithm not supported" }, { 7, 7, "message integrity failure" },
	};
	for (size_t i = 0; i < sizeof details / sizeof details[0]; i++) {
		if (details[i].s == subject && details[i].d == detail)
			return details[i].text;
	}
	return NULL;
}
