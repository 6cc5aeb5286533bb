/*
 * metricsfile: metrics_file, the Prometheus textfile, rewritten every
 * metrics_interval seconds by the refresher thread and once at stop.
 */
#ifndef EOPGUARD_METRICSFILE_H
#define EOPGUARD_METRICSFILE_H

#include "conf.h"

struct daemon_state;

/* Write metrics_file now (nothing when it is ""). */
void metrics_write(struct daemon_state *st, const struct conf *c);
/* Write it when metrics_interval has passed since the last write. */
void metrics_write_due(struct daemon_state *st, const struct conf *c);

#endif
