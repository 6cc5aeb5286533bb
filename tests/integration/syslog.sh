#!/bin/sh
# log = "syslog": eopguard's lines reach /dev/log with the configured
# syslog_facility, and a reload that changes syslog_facility takes effect
# (it used to be ignored until a restart). /dev/log is a private logsink in
# eopguard's own mount namespace; the facility is read from each message's
# <PRI>.
. "$top_srcdir/tests/lib/common.sh"
[ "$(id -u)" -eq 0 ] || die "must run as root (unshare --mount)"
T_DIR=$(mktemp -d /run/eopguard-syslog.XXXXXX) || die "mktemp in /run"
chmod 755 "$T_DIR"
EG_PID= SINK_PID=
cleanup() {
	[ -n "$EG_PID" ] && kill "$EG_PID" 2>/dev/null && wait "$EG_PID" 2>/dev/null
	[ -n "$SINK_PID" ] && kill "$SINK_PID" 2>/dev/null && wait "$SINK_PID" 2>/dev/null
	rm -rf "$T_DIR"
}
trap cleanup EXIT
"$top_builddir/tests/tools/logsink" "$T_DIR/devlog" "$T_DIR/syslog" relay --facility >/dev/null 2>&1 &
SINK_PID=$!
wait_for 5 test -S "$T_DIR/devlog" || die "logsink did not start"
conf() {   # FACILITY
	cat > "$T_DIR/eg.conf" <<EOT
user = ""
pidfile = ""
log = "syslog"
syslog_facility = "$1"
tenant {
  accepted_domains = {"contoso.test"}
  attribution = "ip"
}
EOT
}
conf mail
mkdir -p "$T_DIR/realdev"
unshare --mount sh -c "mount --bind /dev '$T_DIR/realdev' && mount -t tmpfs none /dev && \
for n in null zero urandom random; do touch /dev/\$n && mount --bind '$T_DIR/realdev/'\$n /dev/\$n; done && \
ln -s '$T_DIR/devlog' /dev/log && exec '$top_builddir/eopguard' -f -c '$T_DIR/eg.conf' -p 'unix:$T_DIR/eg.sock'" \
	>"$T_DIR/eg.out" 2>&1 &
EG_PID=$!
wait_for 10 grep -q "eopguard.*started on" "$T_DIR/syslog" || die "no start line in syslog: $(cat "$T_DIR/eg.out")"
t_grep "start-up logged with facility mail (2)" "facility=2 " "$T_DIR/syslog"
conf local3
kill -USR1 "$EG_PID"
wait_for 10 grep -q "configuration reloaded" "$T_DIR/syslog" || t_fail "no reload line"
t_check "after the reload: facility local3 (19)" sh -c "grep 'configuration reloaded' '$T_DIR/syslog' | tail -1 | grep -q '^facility=19 '"
conf "nonsense"
kill -USR1 "$EG_PID"
wait_for 10 grep -q "reload failed" "$T_DIR/syslog" || t_fail "no 'reload failed' line"
t_check "a failed reload keeps local3" sh -c "grep 'reload failed' '$T_DIR/syslog' | tail -1 | grep -q '^facility=19 '"
t_done
