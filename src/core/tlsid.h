/*
 * tlsid: the relay's TLS identity as EOP will judge it: certificate, key
 * and chain files the MTA sends, checked
 * against the trust store, the connector name and the accepted domains.
 *
 * Files are read through a tlsid_reader, so the same analysis runs on files
 * read directly (eopguardctl, start-up) or through the daemon's privileged
 * helper, which hands back only public parts. Results are findings (with
 * hints) and, for reports, check lines. Nothing here logs.
 */
#ifndef EOPGUARD_TLSID_H
#define EOPGUARD_TLSID_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "checkreport.h"
#include "conf.h"
#include "finding.h"

#define TLSID_FILE_MAX (1024 * 1024)   /* certificate and key files larger than this are refused */

/* One file as a reader saw it. */
struct tlsid_file {
	int err;           /* 0, or the errno of the failed open/read (EFBIG when too large) */
	bool is_dir;
	bool not_regular;  /* a FIFO, device or socket: never read (err is EINVAL) */
	mode_t mode;
	time_t mtime;
	off_t size;
	ino_t ino;
	char *data;        /* malloc'ed, NUL-terminated; NULL when err != 0 */
	size_t len;
};

struct tlsid_reader {
	/* Fill out for path (never fails as a call: errors go into out->err). */
	void (*read)(void *ctx, const char *path, struct tlsid_file *out);
	void *ctx;
};

/* Read a file directly (at most TLSID_FILE_MAX bytes). */
void tlsid_read_file(const char *path, struct tlsid_file *out);
/* The same with extra open(2) flags, such as O_NOFOLLOW. */
void tlsid_read_file_flags(const char *path, int open_flags, struct tlsid_file *out);
/* The reader that calls tlsid_read_file. */
extern const struct tlsid_reader tlsid_direct_reader;
/* Free a file's data. */
void tlsid_file_free(struct tlsid_file *f);

/*
 * The public parts of a PEM file: every certificate, and the public key of
 * any private key, as PEM. Returns a malloc'ed string (possibly empty) or
 * NULL when out of memory. Used by the privileged helper so that no private
 * key ever leaves it.
 */
char *tlsid_public_parts(const char *data, size_t len, size_t *outlen);

/*
 * True for an errno that says nothing about the files but about this
 * process (EMFILE, ENFILE, ENOMEM) or its helper (ECONNRESET: the
 * privileged reader is gone): such an error must never become a finding.
 */
bool tlsid_errno_is_internal(int err);

/* What a check concluded beyond its findings. */
struct tlsid_result {
	/*
	 * 0 when the identity was judged; otherwise the errno of an internal
	 * error (see tlsid_errno_is_internal) that stopped it: then the
	 * findings are not a judgement (none comes from that error) and the
	 * caller keeps the last good one and tries again soon.
	 */
	int internal_errno;
	bool unverified;             /* a file could not be read (access, internal error): at most "warn" */
	time_t leaf_not_after;       /* when the relay certificate expires; 0 when not known */
	char unverified_reason[CHECK_DETAIL_MAX + 1];   /* the first such reason, escaped */
};

/*
 * Check the identity a configuration describes. Findings go to out (with the
 * severities of conf's attribution mode); report, when not NULL, gets one
 * line per check; result, when not NULL, what was concluded beyond the
 * findings. now is the time validity is judged at.
 */
void tlsid_check(const struct conf *conf, time_t now, const struct tlsid_reader *reader,
		 struct finding_list *out, struct check_report *report, struct tlsid_result *result);

#endif
