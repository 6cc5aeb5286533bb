/*
 * strbuf: bounded growable strings and the project's escaping rules.
 *
 * Does: allocation with a hard limit, appends, and escaping of untrusted
 * bytes for headers, SMTP replies, log lines and JSON.
 * Does not: know anything about mail; it never logs or aborts. Allocation
 * failure is recorded in sb->oom and the content stays a valid C string.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"

static char strbuf_empty[1];

/* Prepare an empty buffer limited to limit bytes. */
void strbuf_init(struct strbuf *sb, size_t limit)
{
	sb->data = strbuf_empty;
	sb->len = 0;
	sb->cap = 0;
	sb->limit = limit;
	sb->truncated = false;
	sb->oom = false;
}

/* Release the buffer's memory. */
void strbuf_free(struct strbuf *sb)
{
	if (sb->cap > 0)
		free(sb->data);
	strbuf_init(sb, sb->limit);
}

/* Drop the content but keep the allocation for reuse. */
void strbuf_reset(struct strbuf *sb)
{
	sb->len = 0;
	if (sb->cap > 0)
		sb->data[0] = '\0';
	sb->truncated = false;
	sb->oom = false;
}

/* True when nothing was cut and no allocation failed. */
bool strbuf_ok(const struct strbuf *sb)
{
	return !sb->truncated && !sb->oom;
}

/* Make room for want more bytes; returns how many of them fit. */
static size_t strbuf_reserve(struct strbuf *sb, size_t want)
{
	size_t room = sb->limit - sb->len;
	if (want > room) {
		want = room;
		sb->truncated = true;
	}
	if (sb->len + want + 1 <= sb->cap)
		return want;
	size_t ncap = sb->cap ? sb->cap : 64;
	while (ncap < sb->len + want + 1)
		ncap = ncap > (size_t)-1 / 2 ? sb->len + want + 1 : ncap * 2;
	if (ncap > sb->limit + 1)
		ncap = sb->limit + 1;
	char *n = sb->cap ? realloc(sb->data, ncap) : malloc(ncap);
	if (n == NULL) {
		sb->oom = true;
		size_t spare = sb->cap > 0 ? sb->cap - sb->len - 1 : 0;
		return spare < want ? spare : want;
	}
	if (sb->cap == 0)
		n[0] = '\0';
	sb->data = n;
	sb->cap = ncap;
	return want;
}

/* Append n raw bytes. */
void strbuf_append(struct strbuf *sb, const char *s, size_t n)
{
	size_t fit = strbuf_reserve(sb, n);
	if (fit == 0)
		return;
	memcpy(sb->data + sb->len, s, fit);
	sb->len += fit;
	sb->data[sb->len] = '\0';
}

/* Append a C string. */
void strbuf_puts(struct strbuf *sb, const char *s)
{
	strbuf_append(sb, s, strlen(s));
}

/* Append one byte. */
void strbuf_putc(struct strbuf *sb, char c)
{
	strbuf_append(sb, &c, 1);
}

/* Append formatted text (formats are ours, never data). */
void strbuf_printf(struct strbuf *sb, const char *fmt, ...)
{
	char small[256];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof small, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof small) {
		strbuf_append(sb, small, (size_t)n);
		return;
	}
	char *big = malloc((size_t)n + 1);
	if (big == NULL) {
		sb->oom = true;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	strbuf_append(sb, big, (size_t)n);
	free(big);
}

/* Append "\xHH" for one byte. */
/* Append all of s or none of it (an escape is never cut in half at the limit). */
static void strbuf_append_whole(struct strbuf *sb, const char *s, size_t n)
{
	if (n > sb->limit - sb->len) {
		sb->truncated = true;
		return;
	}
	strbuf_append(sb, s, n);
}

static void strbuf_put_hex_escape(struct strbuf *sb, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";
	char e[4] = { '\\', 'x', hex[c >> 4], hex[c & 15] };
	strbuf_append_whole(sb, e, sizeof e);
}

enum escape_mode { ESCAPE_TEXT, ESCAPE_REPLY, ESCAPE_TOKEN };

/* Shared body of the text, reply and token escapers. */
static void strbuf_put_escaped(struct strbuf *sb, const char *s, size_t n, enum escape_mode mode)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\\' || c == '"') {
			char e[2] = { '\\', (char)c };
			strbuf_append_whole(sb, e, sizeof e);
		} else if (c == '%' && mode == ESCAPE_REPLY) {
			strbuf_append_whole(sb, "%%", 2);
		} else if (c == ' ' && mode == ESCAPE_TOKEN) {
			strbuf_put_hex_escape(sb, c);
		} else if (c >= 0x20 && c < 0x7f) {
			strbuf_putc(sb, (char)c);
		} else {
			strbuf_put_hex_escape(sb, c);
		}
		if (sb->truncated || sb->oom)
			return;
	}
}

/* Append untrusted bytes for a header value or a log line. */
void strbuf_put_text_escaped(struct strbuf *sb, const char *s, size_t n)
{
	strbuf_put_escaped(sb, s, n, ESCAPE_TEXT);
}

/* Escape n untrusted bytes as text into a fixed buffer, cut to fit (always terminated). */
void strbuf_escape_into(char *out, size_t outlen, const char *s, size_t n)
{
	if (outlen == 0)
		return;
	struct strbuf sb;
	strbuf_init(&sb, outlen - 1);
	strbuf_put_text_escaped(&sb, s != NULL ? s : "", s != NULL ? n : 0);
	snprintf(out, outlen, "%s", sb.data != NULL ? sb.data : "");
	strbuf_free(&sb);
}

/* Append text that is already safe (escaped, or ours) to an SMTP reply: only '%' is doubled. */
void strbuf_puts_percent_doubled(struct strbuf *sb, const char *s)
{
	for (const char *p = s; *p != '\0' && !sb->truncated && !sb->oom; p++) {
		if (*p == '%')
			strbuf_append_whole(sb, "%%", 2);   /* never a lone '%' at the limit */
		else
			strbuf_putc(sb, *p);
	}
}

/* Append untrusted bytes for an SMTP reply set with smfi_setreply(). */
void strbuf_put_reply_escaped(struct strbuf *sb, const char *s, size_t n)
{
	strbuf_put_escaped(sb, s, n, ESCAPE_REPLY);
}

/* Append untrusted bytes as one space-free log token. */
void strbuf_put_token_escaped(struct strbuf *sb, const char *s, size_t n)
{
	strbuf_put_escaped(sb, s, n, ESCAPE_TOKEN);
}

/* Length of a valid UTF-8 sequence starting at s (0 if invalid). */
static size_t utf8_sequence_length(const unsigned char *s, size_t n)
{
	size_t len;
	unsigned min;
	unsigned cp;
	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0) {
		len = 2; cp = s[0] & 0x1f; min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3; cp = s[0] & 0x0f; min = 0x800;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4; cp = s[0] & 0x07; min = 0x10000;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* Append untrusted bytes as JSON string content. */
void strbuf_put_json_escaped(struct strbuf *sb, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	for (size_t i = 0; i < n; ) {
		unsigned char c = u[i];
		if (c == '"' || c == '\\') {
			strbuf_putc(sb, '\\');
			strbuf_putc(sb, (char)c);
			i++;
		} else if (c >= 0x20 && c < 0x7f) {
			strbuf_putc(sb, (char)c);
			i++;
		} else if (c == '\n') {
			strbuf_append(sb, "\\n", 2);
			i++;
		} else if (c == '\t') {
			strbuf_append(sb, "\\t", 2);
			i++;
		} else {
			size_t l = c >= 0x80 ? utf8_sequence_length(u + i, n - i) : 0;
			if (l == 2 && c == 0xc2 && u[i + 1] < 0xa0) {
				/* U+0080-U+009F: C1 controls, escaped like C0 ones */
				strbuf_printf(sb, "\\u%04x", u[i + 1]);
				i += 2;
			} else if (l > 1) {
				strbuf_append(sb, s + i, l);
				i += l;
			} else {
				strbuf_printf(sb, "\\u%04x", c);
				i++;
			}
		}
		if (sb->truncated || sb->oom)
			return;
	}
}

/* NUL-terminated form of strbuf_put_text_escaped. */
void strbuf_puts_text(struct strbuf *sb, const char *s)
{
	strbuf_put_text_escaped(sb, s, strlen(s));
}

/* NUL-terminated form of strbuf_put_json_escaped. */
void strbuf_puts_json(struct strbuf *sb, const char *s)
{
	strbuf_put_json_escaped(sb, s, strlen(s));
}
