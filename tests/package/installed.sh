#!/bin/sh
# The installed Debian package, as an admin gets it: /usr/sbin/eopguard with
# the installed /etc/eopguard/eopguard.conf (only the tenant values and the
# runtime directory adapted for a private instance), run as root dropping to
# the eopguard user that postinst made, with the runtime directory as the
# unit makes it (root, 0755), through a private Postfix whose smtpd and
# cleanup run as postfix. The default install must pass mail.
# Run by contrib/test.sh after dpkg -i; top_srcdir must be set.
. "$top_srcdir/tests/lib/common.sh"
top_builddir=${top_builddir:-/nonexistent}
. "$top_srcdir/tests/lib/postfix.sh"
t_setup
EG=/usr/sbin/eopguard
[ -x "$EG" ] || die "$EG is not installed"
t_check "postinst made the eopguard system user" sh -c "getent passwd eopguard | grep -q ':/nonexistent:'"
t_check "postinst put it in group adm, to read the mail log for feedback.log" sh -c "id -nG eopguard | tr ' ' '\n' | grep -qx adm"
t_check "the status filter is installed as an example" test -f /usr/share/doc/eopguard/examples/eop-status-filter.pcre
R="$T_DIR/run-eopguard"
mkdir -m 0755 "$R"
# The installed configuration, with the runtime directory and the tenant adapted.
sed -e "/^socket \|^pidfile /s|/run/eopguard/|$R/|" \
    -e 's|^  accepted_domains      = .*|  accepted_domains      = {"contoso.test"}|' \
    -e 's|^  attribution           = .*|  attribution           = "ip"|' \
    -e "s|^log          = .*|log          = \"$T_DIR/eopguard.log\"|" \
    /etc/eopguard/eopguard.conf > "$T_DIR/eopguard.conf"
t_check "only the tenant, the log and the runtime directory differ from the installed file" \
	sh -c "[ \$(diff /etc/eopguard/eopguard.conf '$T_DIR/eopguard.conf' | grep -c '^>') -le 5 ]"
touch "$T_DIR/eopguard.log"
sink_start sink
"$EG" -c "$T_DIR/eopguard.conf" > "$T_DIR/start.out" 2>&1 || die "the installed eopguard did not start: $(cat "$T_DIR/start.out")"
wait_for 5 test -s "$R/eopguard.pid" || die "no pidfile in $R"
EG_PID=$(cat "$R/eopguard.pid")
T_PIDS="$T_PIDS $EG_PID"
t_check "the daemon runs as the eopguard user" test "$(ps -o user= -p "$EG_PID" | tr -d ' ')" = eopguard
RELAY_PORT=
postfix_start relay RELAY_PORT "$SINK_PORT" <<EOT
smtpd_milters = unix:$R/eopguard.sock
non_smtpd_milters = unix:$R/eopguard.sock
EOT
send_mail "$RELAY_PORT" "$T_DIR/send" --from app@contoso.test --to u@example.net --header "From: app@contoso.test" --header "Subject: installed"
t_grep "the default install passes mail (250)" "<-  250 2.0.0 Ok: queued" "$T_DIR/send"
wait_for 20 sink_has sink 1 || t_fail "the message did not reach the next hop"
t_grep "with eopguard's header" "action=accept;" "$(sink_message sink installed)"
t_check "the installed eopguardctl explains" sh -c "/usr/bin/eopguardctl explain 5.7.64 | grep -q TenantAttribution"
t_check "the installed man pages" sh -c "man -P cat eopguard.conf | grep -q 'export (string'"
t_done
