/*
 * privdrop: give up root for good, in the fixed order setgroups, setgid,
 * setuid, then verify that root cannot be regained.
 */
#ifndef EOPGUARD_PRIVDROP_H
#define EOPGUARD_PRIVDROP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Look up user; fills uid/gid. False with a message when unknown. */
bool privdrop_lookup(const char *user, uid_t *uid, gid_t *gid, char *err, size_t errlen);
/* Look up a group by name. */
bool privdrop_lookup_group(const char *group, gid_t *gid, char *err, size_t errlen);
/* Become user for good. False with a message in err on any failure. */
bool privdrop_to(const char *user, char *err, size_t errlen);

#endif
