#!/bin/sh
# eopguardctl review --journal on a real journal: entries written in the
# journal export format and turned into a journal file by Debian's
# systemd-journal-remote (no hand-made imitation of the format), then read
# with sd-journal. Mail programs' lines are selected, others skipped; the
# entries keep their real timestamps (one from 2024: no year guessed);
# --since seeks; a journal that cannot be opened exits 66 and says why.
. "$top_srcdir/tests/lib/common.sh"
REMOTE=/lib/systemd/systemd-journal-remote
[ -x "$REMOTE" ] || die "systemd-journal-remote is missing; run sh contrib/test.sh (it installs it)"
T_DIR=$(mktemp -d "${TMPDIR:-/tmp}/eopguard-journal.XXXXXX") || die "mktemp"
trap 'rm -rf "$T_DIR"' EXIT
CTL="$top_builddir/eopguardctl"
# entry USEC IDENT PID MESSAGE: one entry in the journal export format.
n=0
entry() {
	n=$((n + 1))
	printf '__CURSOR=s=0123456789abcdef0123456789abcdef;i=%x\n__REALTIME_TIMESTAMP=%s\n__MONOTONIC_TIMESTAMP=%s\n' "$n" "$1" "$n"
	printf '_BOOT_ID=0123456789abcdef0123456789abcdef\n_HOSTNAME=relay\nSYSLOG_IDENTIFIER=%s\nSYSLOG_PID=%s\nMESSAGE=%s\n\n' "$2" "$3" "$4"
}
T1=1735689599000000   # 2024-12-31T23:59:59Z
T2=1796032800000000   # 2026-11-30T10:00:00Z
{
	entry $T1 postfix/qmgr 101 "AAAAA1: from=<app@contoso.test>, size=100, nrcpt=1 (queue active)"
	entry $T1 postfix/smtp 102 "AAAAA1: to=<a@fabrikam.example>, relay=x[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=5.7.64, status=bounced (host x[192.0.2.1] said: 550 5.7.64 TenantAttribution; Relay Access Denied (in reply to RCPT TO command))"
	entry $T1 sshd 50 "Accepted publickey for admin from 192.0.2.7 port 5000 ssh2"
	entry $T2 eopguard 60 "BBBBB2: verdict=fail action=defer findings=sender-not-accepted sender=<erp@erp.internal> from=contoso.test predicted=\"550 5.7.64 Relay Access Denied ATTR36\""
	entry $T2 postfix/cleanup 103 "BBBBB2: milter-reject: END-OF-MESSAGE from app[192.0.2.9]: 4.7.64 eopguard: sender-not-accepted: EOP would answer \"550 5.7.64 Relay Access Denied ATTR36\"; h; from=<erp@erp.internal> to=<b@fabrikam.example> proto=ESMTP helo=<app>"
	entry $T2 kernel 0 "eth0: link up"
} > "$T_DIR/mail.export"
"$REMOTE" -o "$T_DIR/mail.journal" "$T_DIR/mail.export" > "$T_DIR/remote.out" 2>&1 || die "systemd-journal-remote: $(cat "$T_DIR/remote.out")"
t_check "journalctl reads the journal file it made" sh -c "journalctl --file='$T_DIR/mail.journal' -q -o cat | grep -q 'TenantAttribution'"

"$CTL" review --json --journal-file "$T_DIR/mail.journal" > "$T_DIR/all.json" 2>&1; rc=$?
t_check "review --journal-file: exit 0 (got $rc)" test "$rc" -eq 0
t_grep "only the mail programs' 4 lines are read (sshd, kernel left out)" '"lines":4,"skipped":0,"malformed":0}' "$T_DIR/all.json"
t_grep "the bounce, with its real 2024 time (no year guessed)" '"status":"bounced","messages":1,"recipients":1,"events":1,"first":"2024-12-31T23:59:59Z"' "$T_DIR/all.json"
t_grep "eopguard's refusal grouped under its finding" '"finding":"sender-not-accepted","status":"milter-rejected","messages":1' "$T_DIR/all.json"
"$CTL" review --json --since 2026-01-01 --journal-file "$T_DIR/mail.journal" > "$T_DIR/since.json" 2>&1
t_grep "--since seeks in the journal: the 2024 bounce is left out" '"bounced":0,' "$T_DIR/since.json"
t_grep "--since: the 2026 refusal stays" '"milter_rejected":1,' "$T_DIR/since.json"
"$CTL" review --journal-file "$T_DIR/nope.journal" > "$T_DIR/nope.out" 2>&1; rc=$?
t_check "a journal that cannot be opened: exit 66 (got $rc)" test "$rc" -eq 66
t_grep "... and says why" "eopguardctl review: cannot open the journal: No such file or directory" "$T_DIR/nope.out"
t_done
