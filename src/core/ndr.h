/*
 * ndr: the EOP response knowledge base (data/ndr.txt, compiled in by
 * ndr-gen.awk), lookups in it, and RFC 3463 explanations for codes it does
 * not list.
 *
 * Pure; the table is static and read-only, so returned pointers live for the
 * whole program. Inputs are untrusted text (log lines, NDR blocks); parsing
 * is bounded and never allocates.
 */
#ifndef EOPGUARD_NDR_H
#define EOPGUARD_NDR_H

#include <stdbool.h>
#include <stddef.h>

struct ndr_record {
	const char *code;     /* "5.7.64", a range "5.7.606-649", or "-" */
	const char *reply;    /* "550 5.7.64 TenantAttribution; Relay Access Denied" */
	const char *match;    /* "A|B": substrings telling variants apart; "" = default */
	const char *meaning;
	const char *owner;
	const char *fix;
	const char *predict;  /* space-separated finding names */
	const char *breaker;  /* "relay", "domain": a refusal that trips the feedback breaker; "" never */
	const char *origin;   /* "any": the text also comes from servers other than Microsoft's; "" Microsoft only */
};

/* Upper bound on the records in data/ndr.txt; the generated table asserts it. */
#define NDR_TABLE_MAX 512

extern const struct ndr_record ndr_table[];
extern const size_t ndr_table_len;

/* The record a finding predicts, or NULL when the finding predicts no refusal. */
const struct ndr_record *ndr_for_finding(const char *finding);

/*
 * Write into out the enhanced status code of reply with its class replaced by
 * cls ('4' or '5'): "550 5.7.64 ..." with '4' gives "4.7.64".
 * Returns false when the reply does not carry an enhanced code.
 */
bool ndr_enhanced_with_class(const char *reply, char cls, char *out, size_t outlen);

/* What was found in a piece of text. */
struct ndr_query {
	char basic[4];          /* "550", or "" when none precedes the code */
	char enhanced[16];      /* "5.7.64", or "" when the text has none */
	const char *text;       /* the input, for telling variants apart */
	size_t text_len;
	char finding[48];       /* set when the text is one of eopguard's own replies */
	char own_class;         /* with finding: '4' (deferral) or '5' (rejection), 0 unknown */
};

/* Find the status codes in text (a code, a reply, a log line, an NDR block). */
void ndr_parse_input(const char *text, size_t len, struct ndr_query *q);

/* True when a record covers an enhanced code (exactly or by its range). */
bool ndr_record_covers(const struct ndr_record *r, const char *enhanced);

/*
 * The records that explain q, best first; returns how many (at most max).
 * A code whose variants the text cannot tell apart gives all of them.
 * Without a code, records are found by their distinguishing text alone.
 */
size_t ndr_lookup(const struct ndr_query *q, const struct ndr_record **out, size_t max);

/*
 * The breaker scope ("relay" or "domain") of a refusal text, when every
 * record the text leaves possible agrees on one; NULL for anything that is
 * not an attribution, identity or route cause (or cannot be told apart).
 * The enhanced code found is copied into cause (16 bytes).
 */
const char *ndr_breaker_scope(const char *text, size_t len, char cause[16]);

/* How the best records were found. */
struct ndr_match_info {
	size_t score;          /* length of the text that matched; 0: by the code alone */
	char words[128];       /* the words of the input the records were matched on ("" for code only) */
	bool by_code;          /* the input's enhanced code is in the table */
};

/*
 * ndr_lookup with how it matched. A specific text beats a code-only match;
 * among records whose text matches equally, one with the exact code beats a
 * range; a code the table does not know is never explained by another
 * code's text (no records then). Records that describe Microsoft's texts only are left out when
 * origin is NDR_NOT_MICROSOFT.
 */
enum ndr_origin { NDR_ORIGIN_UNKNOWN, NDR_MICROSOFT, NDR_NOT_MICROSOFT };
size_t ndr_lookup_info(const struct ndr_query *q, enum ndr_origin origin, const struct ndr_record **out, size_t max,
		       struct ndr_match_info *info);

/*
 * Whose reply is this? NDR_MICROSOFT when it carries an EOP/Outlook.com
 * marker or names a Microsoft host, NDR_NOT_MICROSOFT when it names another
 * host ("host mx.example.net[192.0.2.1] said:"), else unknown. The other
 * host's name goes into host (may be NULL).
 */
enum ndr_origin ndr_origin_of(const char *text, size_t len, char *host, size_t hostlen);

/* RFC 3463 meanings; NULL when the value is not defined there. */
const char *ndr_class_meaning(char cls);
const char *ndr_subject_meaning(int subject);
const char *ndr_detail_meaning(int subject, int detail);

#endif
