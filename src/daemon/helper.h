/*
 * helper: a tiny process that stays root after the daemon drops privileges
 * and reads the configured certificate and key files for it, because a
 * relay's private key is normally readable by root only.
 *
 * It answers one request at a time over a socketpair and hands back only
 * public parts (certificates, and the public key of a private key; see
 * tlsid_public_parts), plus the file's metadata. No private key material
 * ever leaves it, so a compromised daemon gains nothing by asking it to read
 * other files.
 */
#ifndef EOPGUARD_HELPER_H
#define EOPGUARD_HELPER_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "tlsid.h"

struct helper {
	int fd;                /* -1 when not running */
	pid_t pid;
	pthread_mutex_t lock;  /* one request at a time */
};

/* Fork the helper (call as root, before the privilege drop and before threads). */
bool helper_start(struct helper *h, char *err, size_t errlen);
/* tlsid_reader callback: ctx is the struct helper. Failures show as out->err (ECONNRESET: internal). */
void helper_read(void *ctx, const char *path, struct tlsid_file *out);
/* Like helper_read but without the content (metadata only), for change detection. */
void helper_stat(struct helper *h, const char *path, struct tlsid_file *out);
/* Stop the helper and reap it. */
void helper_stop(struct helper *h);

#endif
