/*
 * addr: RFC 5321 reverse-paths and RFC 5322 From fields.
 *
 * The From parser is a small tokenizer (comments, quoted strings, domain
 * literals and atoms become tokens; white space and folding vanish) feeding a
 * loop that reads one address at a time. Comments nest by counting, never by
 * recursion, so 100 KB of '(' costs one pass. Nothing here allocates.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "addr.h"

/* ---- reverse-path (RFC 5321) ---- */

/* Skip an obsolete source route "@a,@b:" at the start of a path. */
static const char *addr_skip_source_route(const char *p, const char *end)
{
	if (p >= end || *p != '@')
		return p;
	const char *colon = memchr(p, ':', (size_t)(end - p));
	return colon != NULL ? colon + 1 : p;
}

/* Find the '@' that separates local part and domain (quotes respected). */
static const char *addr_find_at(const char *p, const char *end)
{
	const char *at = NULL;
	bool quoted = false;
	for (; p < end; p++) {
		if (quoted && *p == '\\' && p + 1 < end) {
			p++;
		} else if (*p == '"') {
			quoted = !quoted;
		} else if (*p == '@' && !quoted) {
			at = p;
		}
	}
	return quoted ? NULL : at;
}

/*
 * Copy in[0..n) to out without RFC 5322 comments ("(...)", nested, with
 * backslash escapes) outside quoted strings: Postfix's smtpd drops them from
 * MAIL FROM before it relays the address. Returns the length written (at
 * most cap), or -1 with *why set (an unterminated comment, or too long).
 */
static long strip_comments(const char *in, size_t n, char *out, size_t cap, const char **why)
{
	size_t len = 0, depth = 0;
	bool quoted = false;
	for (size_t i = 0; i < n; i++) {
		char c = in[i];
		if (depth > 0) {
			if (c == '\\' && i + 1 < n)
				i++;
			else if (c == '(')
				depth++;
			else if (c == ')')
				depth--;
			continue;
		}
		if (!quoted && c == '(') {
			depth = 1;
			continue;
		}
		if (len + 2 > cap) {
			*why = "reverse-path longer than 256 characters";
			return -1;
		}
		out[len++] = c;
		if (quoted && c == '\\' && i + 1 < n)
			out[len++] = in[++i];
		else if (c == '"')
			quoted = !quoted;
	}
	if (depth > 0) {
		*why = "unterminated comment in reverse-path";
		return -1;
	}
	return (long)len;
}

/* Trim blanks at both ends of [*p, *end). */
static void trim_blanks(const char **p, const char **end)
{
	while (*p < *end && (**p == ' ' || **p == '\t'))
		(*p)++;
	while (*end > *p && ((*end)[-1] == ' ' || (*end)[-1] == '\t'))
		(*end)--;
}

/*
 * Unquote a quoted domain ("contoso.test" becomes contoso.test, as Postfix
 * relays it) into out; the unquoted text, or the input when not quoted.
 */
static void unquote_domain(const char *p, const char *end, char *out, size_t cap, const char **dp,
			   const char **dend)
{
	*dp = p;
	*dend = end;
	if (end - p < 2 || p[0] != '"' || end[-1] != '"')
		return;
	size_t len = 0;
	for (const char *q = p + 1; q < end - 1 && len + 1 < cap; q++) {
		if (*q == '\\' && q + 1 < end - 1)
			q++;
		out[len++] = *q;
	}
	*dp = out;
	*dend = out + len;
}

/*
 * Parse a MAIL FROM argument as the MTA will relay it: comments dropped,
 * nested angle brackets ("<<a@b>>") taken for one pair, a quoted domain
 * unquoted.
 */
bool addr_parse_path(const char *in, struct addr_path *out, const char **why)
{
	const char *dummy;
	if (why == NULL)
		why = &dummy;
	memset(out, 0, sizeof *out);
	char buf[2 * ADDR_PATH_MAX];
	long blen = strip_comments(in, strlen(in), buf, sizeof buf, why);
	if (blen < 0) {
		snprintf(out->address, sizeof out->address, "%.*s", ADDR_PATH_MAX, in);
		return false;
	}
	const char *p = buf, *end = buf + blen;
	trim_blanks(&p, &end);
	bool bracketed = false;
	while (end - p >= 2 && *p == '<' && end[-1] == '>') {
		p++;
		end--;
		trim_blanks(&p, &end);
		bracketed = true;
	}
	if ((!bracketed && p < end && *p == '<') || memchr(p, '<', (size_t)(end - p)) != NULL ||
	    memchr(p, '>', (size_t)(end - p)) != NULL) {
		*why = "unbalanced '<' in reverse-path";
		snprintf(out->address, sizeof out->address, "%.*s", (int)(end - p), p);
		return false;
	}
	if (p == end) {
		out->null_sender = true;
		return true;
	}
	if ((size_t)(end - p) > ADDR_PATH_MAX) {
		memcpy(out->address, p, ADDR_PATH_MAX);
		*why = "reverse-path longer than 256 characters";
		return false;
	}
	const char *route_end = addr_skip_source_route(p, end);
	const char *at = addr_find_at(route_end, end);
	char domain_buf[ADDR_PATH_MAX];
	const char *dp = at != NULL ? at + 1 : end, *dend = end;
	if (at != NULL)
		unquote_domain(at + 1, end, domain_buf, sizeof domain_buf, &dp, &dend);
	/* The address as relayed: local part, '@', the (unquoted) domain. */
	size_t local_len = at != NULL ? (size_t)(at - p) : (size_t)(end - p);
	snprintf(out->address, sizeof out->address, "%.*s%s%.*s", (int)local_len, p, at != NULL ? "@" : "",
		 (int)(dend - dp), dp);
	if (at == NULL || at == route_end) {
		*why = at == NULL ? "no '@' in the address" : "empty local part";
		return false;
	}
	if (at - route_end > ADDR_LOCAL_MAX) {
		*why = "local part longer than 64 characters";
		return false;
	}
	return domain_normalize(dp, (size_t)(dend - dp), out->domain, why);
}

/* ---- From field (RFC 5322) ---- */

enum tok_kind { TOK_END, TOK_ATOM, TOK_QSTRING, TOK_DLITERAL, TOK_SPECIAL, TOK_ERROR };

struct tok {
	enum tok_kind kind;
	const char *start;  /* for ATOM: the atom; SPECIAL: the character */
	size_t len;
};

struct lexer {
	const char *p, *end;
	const char *error;
};

/* Skip white space and (nested) comments. */
static void lex_skip_cfws(struct lexer *lx)
{
	while (lx->p < lx->end) {
		char c = *lx->p;
		if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			lx->p++;
			continue;
		}
		if (c != '(')
			return;
		size_t depth = 0;
		do {
			c = *lx->p;
			if (c == '\\' && lx->p + 1 < lx->end)
				lx->p++;
			else if (c == '(')
				depth++;
			else if (c == ')')
				depth--;
			lx->p++;
		} while (depth > 0 && lx->p < lx->end);
		if (depth > 0) {
			lx->error = "unterminated comment";
			return;
		}
	}
}

/* True for RFC 5322 specials that end an atom. */
static bool lex_is_special(char c)
{
	return strchr("()<>[]:;@\\,.\"", c) != NULL;
}

/* Read a quoted string or domain literal ending in close. */
static bool lex_delimited(struct lexer *lx, char close, struct tok *t)
{
	t->start = ++lx->p;
	while (lx->p < lx->end && *lx->p != close) {
		if (*lx->p == '\\' && lx->p + 1 < lx->end)
			lx->p++;
		else if (close == ']' && *lx->p == '[')
			break;
		lx->p++;
	}
	if (lx->p >= lx->end || *lx->p != close) {
		lx->error = close == '"' ? "unterminated quoted string" : "unterminated domain literal";
		return false;
	}
	t->len = (size_t)(lx->p - t->start);
	lx->p++;
	return true;
}

/* Produce the next token. */
static struct tok lex_next(struct lexer *lx)
{
	struct tok t = { TOK_END, lx->p, 0 };
	lex_skip_cfws(lx);
	if (lx->error != NULL) {
		t.kind = TOK_ERROR;
		return t;
	}
	if (lx->p >= lx->end)
		return t;
	char c = *lx->p;
	if (c == '"' || c == '[') {
		t.kind = c == '"' ? TOK_QSTRING : TOK_DLITERAL;
		if (!lex_delimited(lx, c == '"' ? '"' : ']', &t))
			t.kind = TOK_ERROR;
		return t;
	}
	if (c == ')' || c == ']' || c == '\\' || c == '\0') {
		lx->error = c == '\0' ? "NUL byte in field" : "unexpected character in address";
		t.kind = TOK_ERROR;
		return t;
	}
	if (lex_is_special(c)) {
		t.kind = TOK_SPECIAL;
		t.start = lx->p++;
		t.len = 1;
		return t;
	}
	t.kind = TOK_ATOM;
	t.start = lx->p;
	while (lx->p < lx->end && !lex_is_special(*lx->p) && *lx->p != ' ' && *lx->p != '\t' &&
	       *lx->p != '\r' && *lx->p != '\n' && *lx->p != '\0')
		lx->p++;
	t.len = (size_t)(lx->p - t.start);
	return t;
}

/* True when t is the special character c. */
static bool tok_is(const struct tok *t, char c)
{
	return t->kind == TOK_SPECIAL && t->start[0] == c;
}

struct from_parser {
	struct lexer lx;
	struct tok t;         /* current token */
	struct addr_from *out;
	const char *why;
};

/* Advance to the next token. */
static void fp_advance(struct from_parser *fp)
{
	fp->t = lex_next(&fp->lx);
	if (fp->t.kind == TOK_ERROR)
		fp->why = fp->lx.error;
}

/* Read a domain (dot-atom or literal) and record the mailbox. */
static bool fp_domain(struct from_parser *fp)
{
	char dom[DOMAIN_MAX + 2];
	size_t len = 0;
	if (fp->t.kind == TOK_DLITERAL) {
		fp->why = "address literal instead of a domain";
		return false;
	}
	for (;;) {
		if (fp->t.kind != TOK_ATOM) {
			fp->why = "missing domain after '@'";
			return false;
		}
		if (len + fp->t.len > DOMAIN_MAX) {
			fp->why = "domain longer than 253 characters";
			return false;
		}
		memcpy(dom + len, fp->t.start, fp->t.len);
		len += fp->t.len;
		fp_advance(fp);
		if (!tok_is(&fp->t, '.'))
			break;
		dom[len++] = '.';
		fp_advance(fp);
	}
	struct addr_from *o = fp->out;
	char norm[DOMAIN_MAX + 1];
	if (!domain_normalize(dom, len, norm, &fp->why))
		return false;
	if (o->count < ADDR_FROM_MAX)
		memcpy(o->mailbox[o->count].domain, norm, strlen(norm) + 1);
	o->count++;
	return true;
}

/* Read local-part "@" domain, starting at the first local-part word. */
static bool fp_addr_spec(struct from_parser *fp)
{
	size_t local_len = 0;
	for (;;) {
		if (fp->t.kind != TOK_ATOM && fp->t.kind != TOK_QSTRING) {
			fp->why = "invalid local part";
			return false;
		}
		local_len += fp->t.len;
		fp_advance(fp);
		if (!tok_is(&fp->t, '.'))
			break;
		local_len++;
		fp_advance(fp);
	}
	if (!tok_is(&fp->t, '@')) {
		fp->why = "no '@' in address";
		return false;
	}
	if (local_len > ADDR_LOCAL_MAX) {
		fp->why = "local part longer than 64 characters";
		return false;
	}
	fp_advance(fp);
	return fp_domain(fp);
}

/* Read "<" [route] addr-spec ">" with the current token after '<'. */
static bool fp_angle_addr(struct from_parser *fp)
{
	if (tok_is(&fp->t, '@')) {
		/* obs-route: "@a,@b:" */
		while (fp->t.kind != TOK_END && fp->t.kind != TOK_ERROR && !tok_is(&fp->t, ':') &&
		       !tok_is(&fp->t, '>'))
			fp_advance(fp);
		if (!tok_is(&fp->t, ':')) {
			fp->why = "malformed route in angle address";
			return false;
		}
		fp_advance(fp);
	}
	if (tok_is(&fp->t, '>')) {
		fp->why = "empty angle address";
		return false;
	}
	if (!fp_addr_spec(fp))
		return false;
	if (!tok_is(&fp->t, '>')) {
		fp->why = "missing '>' after address";
		return false;
	}
	fp_advance(fp);
	return true;
}

/*
 * Read one address: phrase words followed by '<' (name-addr), ':' (group)
 * or '@' (the words were a local part).
 */
static bool fp_address(struct from_parser *fp, bool in_group)
{
	struct lexer saved = fp->lx;
	struct tok first = fp->t;
	size_t words = 0;
	while (fp->t.kind == TOK_ATOM || fp->t.kind == TOK_QSTRING || tok_is(&fp->t, '.')) {
		words++;
		fp_advance(fp);
	}
	if (fp->t.kind == TOK_ERROR)
		return false;
	if (tok_is(&fp->t, '<')) {
		fp_advance(fp);
		return fp_angle_addr(fp);
	}
	if (tok_is(&fp->t, ':') && words > 0) {
		if (in_group) {
			fp->why = "group inside a group";
			return false;
		}
		fp->out->has_group = true;
		fp_advance(fp);
		while (fp->t.kind != TOK_END && fp->t.kind != TOK_ERROR && !tok_is(&fp->t, ';')) {
			if (tok_is(&fp->t, ',')) {
				fp_advance(fp);
				continue;
			}
			if (!fp_address(fp, true))
				return false;
		}
		if (!tok_is(&fp->t, ';')) {
			fp->why = fp->t.kind == TOK_ERROR ? fp->why : "group without ';'";
			return false;
		}
		fp_advance(fp);
		return true;
	}
	if (tok_is(&fp->t, '@') && words > 0) {
		/* Re-read the words as a local part. */
		fp->lx = saved;
		fp->t = first;
		return fp_addr_spec(fp);
	}
	fp->why = words == 0 ? "expected an address" : "no '@' in address";
	return false;
}

/* Parse a From field value into its mailboxes. */
bool addr_parse_from(const char *value, size_t n, struct addr_from *out, const char **why)
{
	const char *dummy;
	if (why == NULL)
		why = &dummy;
	memset(out, 0, sizeof *out);
	struct from_parser fp = { .lx = { value, value + n, NULL }, .out = out, .why = NULL };
	fp_advance(&fp);
	while (fp.t.kind != TOK_END) {
		if (fp.t.kind == TOK_ERROR) {
			*why = fp.why;
			return false;
		}
		if (tok_is(&fp.t, ',')) {   /* obs-mbox-list allows empty elements */
			fp_advance(&fp);
			continue;
		}
		if (!fp_address(&fp, false)) {
			*why = fp.why != NULL ? fp.why : "malformed address";
			return false;
		}
		if (fp.t.kind != TOK_END && !tok_is(&fp.t, ',')) {
			*why = fp.t.kind == TOK_ERROR ? fp.why : "junk after address";
			return false;
		}
	}
	if (out->count == 0) {
		*why = out->has_group ? "group with no mailbox" : "no address in From";
		return false;
	}
	if (out->has_group) {
		*why = "group syntax is not allowed in From";
		return false;
	}
	return true;
}
