/*
 * route: the smart host the MTA hands mail to, as EOP will judge it
 * (findings smarthost-legacy, smarthost-ip, smarthost-submission).
 *
 * Pure: looks at tenant.smarthost only (the Postfix relayhost comparison is
 * eopguardctl check --postfix's job).
 */
#ifndef EOPGUARD_ROUTE_H
#define EOPGUARD_ROUTE_H

#include "checkreport.h"
#include "conf.h"
#include "finding.h"

/* Strip "[...]" and ":port" from a relayhost-style value into host. */
void route_host(const char *smarthost, char *host, size_t hostlen);

/* True for a tenant MX endpoint host (*.mail.protection.outlook.com or *.mx.microsoft). */
bool route_is_tenant_mx(const char *host);

/* Check tenant.smarthost; findings to out, lines to report (may be NULL). */
void route_check(const struct conf *conf, struct finding_list *out, struct check_report *report);

#endif
