/*
 * helper: a tiny process that keeps just enough privilege to read the
 * relay's certificate and key files for the daemon, because a relay's
 * private key is normally readable by root only.
 *
 * It answers one request at a time over a socketpair and hands back only
 * public parts (certificates, and the public key of a private key; see
 * tlsid_public_parts), plus the file's metadata. It serves only the
 * identity files named in the configuration it read itself (and re-reads
 * on reload), refuses what is not a regular file, never follows a symbolic
 * link that a non-root user could have planted, and runs as the daemon user
 * with CAP_DAC_READ_SEARCH alone. So a compromised daemon gains nothing by
 * asking it for other files: /etc/shadow is refused, and it cannot make the
 * helper write, chown or block.
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

/*
 * Fork the helper (call as root, before the privilege drop and before
 * threads). It loads conf_path itself for its list of files, then becomes
 * uid/gid keeping only CAP_DAC_READ_SEARCH.
 */
bool helper_start(struct helper *h, const char *conf_path, uid_t uid, gid_t gid, char *err, size_t errlen);
/* Ask the helper to read its configuration again (after a reload); false when it could not. */
bool helper_reload(struct helper *h);
/* tlsid_reader callback: ctx is the struct helper. Failures show as out->err (ECONNRESET: internal). */
void helper_read(void *ctx, const char *path, struct tlsid_file *out);
/* Like helper_read but without the content (metadata only), for change detection. */
void helper_stat(struct helper *h, const char *path, struct tlsid_file *out);
/* Stop the helper and reap it. */
void helper_stop(struct helper *h);

#endif
