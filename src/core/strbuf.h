/*
 * strbuf: a growable string with a hard upper bound, and the one place where
 * untrusted bytes are escaped for the places they may end up in (mail header
 * values, SMTP replies, log lines, JSON).
 *
 * A strbuf never grows past the limit given to strbuf_init(); appends that
 * would cross it are truncated and leave strbuf->truncated set, so callers
 * can report "value too long" instead of silently cutting text. The buffer is
 * always NUL terminated. Memory is owned by the strbuf; strbuf_free() frees it.
 */
#ifndef EOPGUARD_STRBUF_H
#define EOPGUARD_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

struct strbuf {
	char *data;       /* NUL-terminated, never NULL after strbuf_init */
	size_t len;       /* bytes used, excluding the NUL */
	size_t cap;       /* bytes allocated, including the NUL */
	size_t limit;     /* largest len this buffer may ever reach */
	bool truncated;   /* an append was cut at limit */
	bool oom;         /* an allocation failed; content is what fitted */
};

/* Prepare an empty buffer that will hold at most limit bytes of text. */
void strbuf_init(struct strbuf *sb, size_t limit);
/* Release the memory; the strbuf may be initialised again afterwards. */
void strbuf_free(struct strbuf *sb);
/* Forget the content, keep the allocation. */
void strbuf_reset(struct strbuf *sb);
/* True when the content is complete (nothing cut, no allocation failure). */
bool strbuf_ok(const struct strbuf *sb);

void strbuf_append(struct strbuf *sb, const char *s, size_t n);
void strbuf_puts(struct strbuf *sb, const char *s);
void strbuf_putc(struct strbuf *sb, char c);
/* printf-style append; the format must be a literal of ours. */
void strbuf_printf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Escapers. Each appends n bytes of untrusted input in a form that is safe
 * for one destination:
 *  - text:  printable ASCII kept; CR/LF/TAB/controls/8-bit/NUL become \xHH.
 *           Safe in a header value, a log line and a quoted-string once '"' and
 *           '\\' are also escaped (they are).
 *  - reply: as text, and '%' doubled, for smfi_setreply() which treats '%'
 *           as a format character.
 *  - json:  JSON string content (without the surrounding quotes); invalid
 *           UTF-8 and controls become \u00HH escapes of the raw byte.
 */
void strbuf_put_text_escaped(struct strbuf *sb, const char *s, size_t n);
void strbuf_put_reply_escaped(struct strbuf *sb, const char *s, size_t n);
void strbuf_put_json_escaped(struct strbuf *sb, const char *s, size_t n);
/* As text, and a space becomes \x20: for key=value tokens in log lines. */
void strbuf_put_token_escaped(struct strbuf *sb, const char *s, size_t n);

/*
 * Already-safe text (our own, or escaped with one of the above) for
 * smfi_setreply(): only '%' is doubled, nothing else changes.
 */
void strbuf_puts_percent_doubled(struct strbuf *sb, const char *s);

/*
 * Escape n untrusted bytes (as strbuf_put_text_escaped) into the fixed
 * buffer out of outlen bytes, cut to fit and always NUL-terminated: the one
 * way to put outside text into a struct's char array.
 */
void strbuf_escape_into(char *out, size_t outlen, const char *s, size_t n);

/* Convenience: NUL-terminated versions of the escapers. */
void strbuf_puts_text(struct strbuf *sb, const char *s);
void strbuf_puts_json(struct strbuf *sb, const char *s);

#endif
