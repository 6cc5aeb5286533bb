#!/bin/sh
# sh contrib/quickstart.sh: install what is missing, build, and run eopguard
# for real: a private Postfix relay on 127.0.0.1 with eopguard as its milter
# and smtp-sink standing in for Exchange Online Protection. It sends sample
# mail for a healthy and a broken setup and shows the SMTP outcome, the
# headers that reached the next hop, eopguard's log and its check report.
# Nothing outside a temporary directory is touched; everything is stopped at
# the end. Needs root (Postfix's master starts as root).
set -eu
cd "$(dirname "$0")/.."
. contrib/lib/deps.sh
deps_install
. contrib/lib/build.sh
eopguard_build _build/main

top_srcdir=$(pwd)
top_builddir=$(pwd)/_build/main
export top_srcdir top_builddir
set +e
. tests/lib/common.sh
. tests/lib/postfix.sh
t_setup

say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

# show_send FILE: the relay's reply to the end of the message data.
show_send() {
	reply=$(awk '/^ -> \.$/ { want = 1; next } want && /^<(-|\*\*)/ { sub(/^<[-*]* */, ""); print; exit }' "$1")
	echo "    SMTP reply to the message: ${reply:-(none; see $1)}"
}

# show_headers SUBJECT: the X-EOPGuard fields as the next hop received them.
show_headers() {
	m=$(sink_message sink "$1")
	if [ "$m" = /dev/null ]; then
		echo "    (nothing reached the next hop)"
		return
	fi
	echo "    next hop received envelope sender $(sed -n 's/^X-Mail-Args: \([^ ]*\).*/\1/p' "$m" | head -1)"
	awk '/^$/ { exit } /^X-EOPGuard/ { on = 1 } /^[^ \t]/ && !/^X-EOPGuard/ { on = 0 } on { print "    " $0 }' "$m"
}

# send NAME FROM HEADER...: one message through the relay.
send() {
	name=$1 from=$2; shift 2
	send_mail "$RELAY_PORT" "$T_DIR/$name" --from "$from" --to someone@example.net \
		--header "Subject: $name" "$@"
}

write_conf() {
	eopguard_conf "$T_DIR/eopguard.conf" <<EOT
tenant {
  accepted_domains = {"contoso.test", "*.contoso.test"}
  attribution = "ip"
}
rewrite { sender = "$1" }
policy {
  sender_not_accepted = "rewrite"
  null_sender = "quarantine"
  from_invalid = "annotate"
}
EOT
}

say "Healthy setup: tenant accepts contoso.test and its subdomains; attribution by IP;"
echo "    senders outside the tenant are rewritten to relay@contoso.test"
write_conf relay@contoso.test
sed 's/^/    /' "$T_DIR/eopguard.conf"
sink_start sink
eopguard_start "$T_DIR/eopguard.conf"
RELAY_PORT=$(free_port)
postfix_start relay "$RELAY_PORT" "$SINK_PORT" </dev/null
echo "    Postfix relay on 127.0.0.1:$RELAY_PORT -> eopguard (unix socket) -> smtp-sink on 127.0.0.1:$SINK_PORT"

say "eopguardctl check"
"$top_builddir/eopguardctl" check -c "$T_DIR/eopguard.conf" | sed 's/^/    /'

say "1. An application sending as app@eu.contoso.test (accepted)"
send app-accepted app@eu.contoso.test --header "From: Billing <billing@contoso.test>"
show_send "$T_DIR/app-accepted"
wait_for 15 sink_has sink 1
show_headers app-accepted

say "2. An ERP system sending as erp@erp.internal (not accepted: EOP would answer 5.7.64 ATTR36)"
send erp-unaccepted erp@erp.internal --header "From: ERP <erp@contoso.test>"
show_send "$T_DIR/erp-unaccepted"
wait_for 15 sink_has sink 2
show_headers erp-unaccepted

say "3. A scanner that writes no From field (EOP would answer 5.7.512)"
send scanner-no-from scanner@contoso.test --data 'Subject: scanner-no-from\nX-Scanner: yes\n\nscan attached\n'
show_send "$T_DIR/scanner-no-from"
wait_for 15 sink_has sink 3
show_headers scanner-no-from

say "Broken setup: rewrite.sender removed (kill -USR1 reloads the configuration)"
write_conf ""
kill -USR1 "$EG_PID"
wait_for 5 grep -q 'configuration reloaded' "$T_DIR/eopguard.log"

say "4. The ERP system again: now deferred, the client keeps the mail and retries"
send erp-deferred erp@erp.internal --header "From: ERP <erp@contoso.test>"
show_send "$T_DIR/erp-deferred"
show_headers erp-deferred

say "5. A bounce (null sender <>) relayed with attribution by IP: held in Postfix's hold queue"
send bounce-held '<>' --header "From: MAILER-DAEMON@contoso.test"
show_send "$T_DIR/bounce-held"
sleep 1
queue_json relay | sed -n 's/.*"queue_name": "\([a-z]*\)", "queue_id": "\([0-9A-F]*\)".*/    postqueue -j: \2 in queue "\1" (release with postsuper -H \2)/p'

say "eopguard's log (one line per message)"
grep -v 'started on\|reloaded' "$T_DIR/eopguard.log" | sed 's/^/    /'

say "Postfix's log of the refusals and holds"
grep -E 'milter-(reject|hold)' "$T_DIR/relay/maillog" | sed 's/^/    /'

echo
echo "Done. Everything ran under $T_DIR and has been stopped."
echo "Next: man eopguard.conf (sh contrib/quickstart.sh built it in _build/main/man),"
echo "      contrib/postfix/main.cf.snippet and contrib/systemd/eopguard.service."
