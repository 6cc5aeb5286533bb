/*
 * privdrop: user/group lookups and the permanent switch away from root.
 *
 * Does: initgroups, setgid, setuid, and a check that setuid(0) now fails.
 * Does not: decide whether to drop (main does: only when running as root).
 */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "privdrop.h"

/* Resolve a user name. */
bool privdrop_lookup(const char *user, uid_t *uid, gid_t *gid, char *err, size_t errlen)
{
	errno = 0;
	struct passwd *pw = getpwnam(user);
	if (pw == NULL) {
		snprintf(err, errlen, "user '%s' does not exist%s%s; create it (useradd --system %s) or set "
			 "user = \"\"", user, errno ? ": " : "", errno ? strerror(errno) : "", user);
		return false;
	}
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	return true;
}

/* Resolve a group name. */
bool privdrop_lookup_group(const char *group, gid_t *gid, char *err, size_t errlen)
{
	struct group *gr = getgrnam(group);
	if (gr == NULL) {
		snprintf(err, errlen, "socket_group '%s' does not exist; create it or set socket_group = \"\"", group);
		return false;
	}
	*gid = gr->gr_gid;
	return true;
}

/* Drop to user permanently. */
bool privdrop_to(const char *user, char *err, size_t errlen)
{
	uid_t uid;
	gid_t gid;
	if (!privdrop_lookup(user, &uid, &gid, err, errlen))
		return false;
	if (initgroups(user, gid) != 0) {
		snprintf(err, errlen, "initgroups(%s): %s", user, strerror(errno));
		return false;
	}
	if (setgid(gid) != 0 || setuid(uid) != 0) {
		snprintf(err, errlen, "cannot switch to user %s: %s", user, strerror(errno));
		return false;
	}
	if (uid != 0 && (setuid(0) == 0 || geteuid() == 0)) {
		snprintf(err, errlen, "privileges were not dropped: root can still be regained");
		return false;
	}
	return true;
}
