/*
 * postconf: compare the running Postfix's settings with eopguard's
 * (eopguardctl check --postfix): the certificate files Postfix sends, the
 * relayhost, the TLS level, that eopguard is in smtpd_milters, and
 * milter_default_action.
 *
 * Pure: the caller runs postconf and passes its "name = value" output.
 */
#ifndef EOPGUARD_POSTCONF_H
#define EOPGUARD_POSTCONF_H

#include <stddef.h>

#include "checkreport.h"
#include "conf.h"

/* The parameters the comparison needs, for the postconf command line. */
extern const char *const postconf_parameters[];

/* Compare postconf output (n bytes of "name = value" lines) with conf. */
void postconf_compare(const struct conf *conf, const char *output, size_t n, struct check_report *report);

/* The milter socket as Postfix writes it ("unix:/path", "inet:host:port") from eopguard's form. */
void postconf_socket_form(const char *eopguard_socket, char *out, size_t outlen);

#endif
