/*
 * milter: the libmilter glue. The only file that includes libmilter/mfapi.h.
 */
#ifndef EOPGUARD_MILTER_H
#define EOPGUARD_MILTER_H

#include <stdbool.h>
#include <stddef.h>

#include "state.h"

/*
 * Register the filter and open the listening socket (as root, before the
 * privilege drop). False with a message in err on failure.
 */
bool milter_setup(struct daemon_state *st, const char *socket, long timeout, char *err, size_t errlen);
/* Run until SIGTERM/SIGINT/SIGHUP. Returns 0 on a clean stop. */
int milter_run(void);

#endif
