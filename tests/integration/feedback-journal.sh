#!/bin/sh
# feedback.log = "journal": the daemon follows the systemd journal with
# sd-journal. This machine runs no journald, so the test gives itself a
# private /run/log (a mount namespace of its own: the host's journal is not
# touched) and writes the system journal there with Debian's real
# systemd-journal-remote, which appends entries while eopguard follows.
if [ "${EG_JOURNAL_NS:-}" != 1 ]; then
	exec unshare --mount --propagation private env EG_JOURNAL_NS=1 sh "$0" "$@"
fi
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/postfix.sh"
REMOTE=/lib/systemd/systemd-journal-remote
[ -x "$REMOTE" ] || die "systemd-journal-remote is missing; run sh contrib/test.sh (it installs it)"
t_setup
mkdir -p /run/log
mount -t tmpfs tmpfs /run/log || die "cannot mount a private /run/log"
[ -d /var/log/journal ] && { mount -t tmpfs tmpfs /var/log/journal || die "cannot hide /var/log/journal"; }
MID=$(cat /etc/machine-id 2>/dev/null)
if [ -z "$MID" ]; then   # a minimal root may have none: a private one, for this namespace only
	od -An -N16 -tx1 /dev/urandom | tr -d ' \n' > "$T_DIR/machine-id"
	[ -f /etc/machine-id ] || die "/etc/machine-id is missing (sd-journal needs it)"
	mount --bind "$T_DIR/machine-id" /etc/machine-id || die "cannot bind a private machine-id"
	MID=$(cat /etc/machine-id)
fi
JDIR=/run/log/journal/$MID
mkdir -p "$JDIR"
J=$JDIR/system.journal
n=0
# entry IDENT MESSAGE: one entry in the journal export format, now.
entry() {
	n=$((n + 1))
	printf '__REALTIME_TIMESTAMP=%s000000\n__MONOTONIC_TIMESTAMP=%s\n_BOOT_ID=0123456789abcdef0123456789abcdef\n' "$(date +%s)" "$n"
	printf '_HOSTNAME=relay\nSYSLOG_IDENTIFIER=%s\nSYSLOG_PID=4242\nMESSAGE=%s\n\n' "$1" "$2"
}
append() {   # IDENT MESSAGE
	entry "$1" "$2" > "$T_DIR/entry"
	"$REMOTE" -o "$J" "$T_DIR/entry" > "$T_DIR/remote.out" 2>&1 || die "systemd-journal-remote: $(cat "$T_DIR/remote.out")"
}
append postfix/smtp "OLD11: to=<a@b.example>, relay=x.mail.protection.outlook.com[52.101.1.1]:25, dsn=4.7.64, status=deferred (host x said: 550 5.7.64 TenantAttribution; Relay Access Denied (in reply to end of DATA command))"
chmod 644 "$J"   # eopguard runs as nobody
eopguard_conf "$T_DIR/eopguard.conf" <<EOT
tenant {
  accepted_domains = {"contoso.test"}
  attribution = "ip"
}
feedback {
  log = "journal"
  open_for = 60
}
EOT
eopguard_start "$T_DIR/eopguard.conf"
LOG="$T_DIR/eopguard.log"
wait_for 10 grep -q "feedback: following the systemd journal" "$LOG"
t_grep "the daemon follows the journal" "feedback: following the systemd journal for EOP's answers" "$LOG"
sleep 1
append sshd "Accepted publickey for admin from 192.0.2.7 port 5000 ssh2"
append postfix-out/smtp "JRN11: to=<a@b.example>, relay=contoso-test.mail.protection.outlook.com[52.101.1.1]:25, delay=1, dsn=4.7.64, status=deferred (host contoso-test.mail.protection.outlook.com[52.101.1.1] said: 550 5.7.64 TenantAttribution; Relay Access Denied [journal] (in reply to end of DATA command))"
wait_for 15 grep -q "breaker: state=open" "$LOG" || t_fail "no breaker from the journal entry within 15 s"
t_grep "a refusal appended to the journal is read (Postfix instance postfix-out)" 'feedback: queue_id=JRN11 observed="550 5.7.64 TenantAttribution; Relay Access Denied [journal]" predicted="unknown"' "$LOG"
t_grep "... and trips the breaker" "breaker: state=open scope=relay cause=5.7.64" "$LOG"
t_nogrep "what was in the journal before the start is not fed back" "queue_id=OLD11" "$LOG"
append postfix/smtp "JRN22: to=<a@b.example>, relay=contoso-test.mail.protection.outlook.com[52.101.1.1]:25, delay=1, dsn=2.6.0, status=sent (250 2.6.0 Queued mail for delivery)"
wait_for 15 grep -q "reason=accepted" "$LOG" || t_fail "the accepted delivery in the journal did not close the breaker"
t_grep "an accepted delivery in the journal closes it" "breaker: state=closed scope=relay cause=5.7.64" "$LOG"
eopguard_stop
t_done
