/*
 * run: run another program (postconf, postqueue, postsuper, postcat) by
 * argv, never through a shell, and collect its standard output.
 */
#ifndef EOPGUARD_RUN_H
#define EOPGUARD_RUN_H

#include <stdbool.h>
#include <stddef.h>

#include "strbuf.h"

/*
 * Run argv[0] (looked up in PATH) with argv; its output goes into out (may
 * be NULL: discarded) and its standard error into err_out (may be NULL:
 * inherited). Returns the exit status, or -1 when it could not be run or
 * was killed (the reason in err).
 */
int run_program(const char *const argv[], struct strbuf *out, struct strbuf *err_out, char *err, size_t errlen);

#endif
