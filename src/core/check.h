/*
 * check: the checks that "eopguardctl check" and "eopguard -t" run: the
 * configuration itself, then the smart host and TLS identity (route and
 * tlsid), into a check report (checkreport.h).
 *
 * Pure: it inspects a loaded struct conf; printing is the caller's.
 */
#ifndef EOPGUARD_CHECK_H
#define EOPGUARD_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "checkreport.h"
#include "conf.h"

/* Run every configuration check on a loaded conf. */
void check_config(const struct conf *conf, struct check_report *r);

struct tlsid_reader;
struct tlsid_result;
/*
 * The smart host and TLS identity checks (route, tlsid): findings (cleared
 * first) and, when not NULL, report lines and what was concluded beyond the
 * findings. The identity refresher runs this; check_all adds it to the
 * configuration checks.
 */
void check_identity(const struct conf *conf, time_t now, const struct tlsid_reader *reader,
		    struct finding_list *findings, struct check_report *r, struct tlsid_result *result);

/*
 * Configuration, smart host and identity checks together: the full report
 * that eopguardctl check and eopguard -t print. Identity findings go to
 * findings when it is not NULL.
 */
void check_all(const struct conf *conf, time_t now, const struct tlsid_reader *reader, struct check_report *r,
	       struct finding_list *findings, struct tlsid_result *result);

#endif
