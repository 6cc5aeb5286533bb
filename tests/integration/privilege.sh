#!/bin/sh
# Root never acts on a path the daemon user controls: with symbolic links to
# a root-only file planted at the pidfile, socket and log paths (in
# directories the daemon user, nobody, may write), start, reload and stop
# leave that file untouched: content, owner and mode.
. "$top_srcdir/tests/lib/common.sh"
[ "$(id -u)" -eq 0 ] || die "must run as root (the daemon starts as root and drops to nobody)"
T_DIR=$(mktemp -d "${TMPDIR:-/tmp}/eopguard-priv.XXXXXX") || die "mktemp"
chmod 755 "$T_DIR"
EG_PID=
cleanup() {
	[ -n "$EG_PID" ] && kill "$EG_PID" 2>/dev/null && wait_for 10 sh -c "! kill -0 $EG_PID"
	rm -rf "$T_DIR"
}
trap cleanup EXIT
mkdir -p "$T_DIR/run" "$T_DIR/log" "$T_DIR/root-only"
chown nobody "$T_DIR/run" "$T_DIR/log"
chmod 700 "$T_DIR/root-only"
SECRET="$T_DIR/root-only/secret"
printf 'root only\n' > "$SECRET"
chmod 600 "$SECRET"
state() { stat -c '%u:%g %a %s' "$SECRET"; md5sum < "$SECRET"; }
before=$(state)
untouched() { [ "$(state)" = "$before" ]; }

cat > "$T_DIR/eg.conf" <<EOT
socket = "unix:$T_DIR/run/eg.sock"
user = "nobody"
pidfile = "$T_DIR/run/eg.pid"
log = "$T_DIR/log/eg.log"
authserv_id = "relay.test"
tenant {
  accepted_domains = {"contoso.test"}
  attribution = "ip"
}
EOT

# 1. the log path is a symlink: start refuses, the target is untouched
ln -s "$SECRET" "$T_DIR/log/eg.log"
"$top_builddir/eopguard" -c "$T_DIR/eg.conf" >"$T_DIR/start1" 2>&1; rc=$?
t_check "symlinked log: start refused with exit 78 (got $rc)" test "$rc" -eq 78
t_grep "symlinked log: the reason is given" "it is a symbolic link; eopguard does not follow one" "$T_DIR/start1"
t_check "symlinked log: the root-only file is untouched" untouched
rm -f "$T_DIR/log/eg.log"

# 1b. the log path is a hard link to the root-only file (possible where
# fs.protected_hardlinks is off; made here by root): refused, untouched
if ln "$SECRET" "$T_DIR/log/eg.log" 2>/dev/null; then
	"$top_builddir/eopguard" -c "$T_DIR/eg.conf" >"$T_DIR/start-hard" 2>&1; rc=$?
	t_check "hard-linked log: start refused with exit 78 (got $rc)" test "$rc" -eq 78
	t_grep "hard-linked log: the reason is given" "has 2 hard links" "$T_DIR/start-hard"
	t_check "hard-linked log: the root-only file is untouched" untouched
	rm -f "$T_DIR/log/eg.log"
else
	echo "SKIP - hard-linked log: this file system refuses the hard link"
fi

# 2. the socket path is a symlink: start refuses (exit 71), the target is untouched
ln -s "$SECRET" "$T_DIR/run/eg.sock"
"$top_builddir/eopguard" -c "$T_DIR/eg.conf" >"$T_DIR/start-sock" 2>&1; rc=$?
t_check "symlinked socket path: start refused with exit 71 (got $rc)" test "$rc" -eq 71
t_grep "symlinked socket path: the reason is given" "eg.sock: a symbolic link is in its place; remove it" "$T_DIR/start-sock"
t_check "symlinked socket path: the root-only file is untouched" untouched
rm -f "$T_DIR/run/eg.sock"

# 3. the pidfile is a symlink: start replaces it, never opens it
ln -s "$SECRET" "$T_DIR/run/eg.pid"
"$top_builddir/eopguard" -c "$T_DIR/eg.conf" >"$T_DIR/start2" 2>&1 || { cat "$T_DIR/start2"; die "eopguard did not start"; }
wait_for 5 sh -c "[ ! -L '$T_DIR/run/eg.pid' ] && [ -s '$T_DIR/run/eg.pid' ]" || die "no pidfile (or still the symlink)"
EG_PID=$(cat "$T_DIR/run/eg.pid")
t_check "symlinked pidfile: replaced by a regular file" sh -c "[ -f '$T_DIR/run/eg.pid' ] && [ ! -L '$T_DIR/run/eg.pid' ]"
t_check "the socket was created" test -S "$T_DIR/run/eg.sock"
t_check "start: the root-only file is untouched" untouched
t_check "the log file belongs to the daemon user (it can reopen it)" test "$(stat -c %U "$T_DIR/log/eg.log")" = nobody

# 4. the daemon user swaps the log for a symlink, then SIGUSR1 (the reopen)
mv "$T_DIR/log/eg.log" "$T_DIR/log/eg.log.1"
ln -s "$SECRET" "$T_DIR/log/eg.log"
kill -USR1 "$EG_PID"
wait_for 10 grep -q "still logging to the old destination" "$T_DIR/log/eg.log.1" ||
	t_fail "reload with a symlinked log: no 'still logging to the old destination' line"
t_check "reload: the root-only file is untouched" untouched
rm -f "$T_DIR/log/eg.log"
kill -USR1 "$EG_PID"
wait_for 10 test -s "$T_DIR/log/eg.log" || t_fail "reload after rotation: the new log file was not created"
t_grep "reload after rotation: logging goes to the new file" "configuration reloaded" "$T_DIR/log/eg.log"

# 5. the pidfile swapped for a symlink before the stop
rm -f "$T_DIR/run/eg.pid"
ln -s "$SECRET" "$T_DIR/run/eg.pid"
kill "$EG_PID"
wait_for 10 sh -c "! kill -0 $EG_PID" || t_fail "eopguard did not stop"
EG_PID=
t_check "stop: the root-only file is untouched" untouched
t_done
