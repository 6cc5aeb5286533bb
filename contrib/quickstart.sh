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

# say TEXT: a heading, in bold only on a terminal.
if [ -t 1 ]; then
	say() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
else
	say() { printf '\n==> %s\n' "$*"; }
fi

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

C="$T_DIR/certs"
sh tests/certs/mkcerts.sh "$C" >/dev/null || die "cannot make the sample certificates"
mkdir -p "$T_DIR/tls"
cp "$C/good.pem" "$T_DIR/tls/relay-chain.pem"
cp "$C/good.key" "$T_DIR/tls/relay.key"
chmod 600 "$T_DIR/tls/relay.key"

# write_conf ATTRIBUTION REWRITE_SENDER: the tenant contoso.test, the sample certificates.
write_conf() {
	eopguard_conf "$T_DIR/eopguard.conf" <<EOT
tenant {
  accepted_domains = {"contoso.test", "*.contoso.test"}
  attribution = "$1"
  certificate_domain = "mail.contoso.test"
  smarthost = "[contoso-test.mail.protection.outlook.com]:25"
}
identity {
  client_cert = "$T_DIR/tls/relay-chain.pem"
  client_key = "$T_DIR/tls/relay.key"
  ca_file = "$C/root.pem"
}
rewrite { sender = "$2" }
policy {
  identity_failure = "defer"
  sender_not_accepted = "rewrite"
  null_sender = "quarantine"
  from_invalid = "annotate"
}
EOT
}

say "Healthy setup: tenant contoso.test, certificate connector for mail.contoso.test,"
echo "    relay certificate with its intermediate (the sample CA's root stands in for a public root)"
write_conf certificate relay@contoso.test
sed 's/^/    /' "$T_DIR/eopguard.conf"
sink_start sink
eopguard_start "$T_DIR/eopguard.conf"
RELAY_PORT=
postfix_start relay RELAY_PORT "$SINK_PORT" </dev/null
echo "    Postfix relay on 127.0.0.1:$RELAY_PORT -> eopguard (unix socket) -> smtp-sink on 127.0.0.1:$SINK_PORT (stands in for EOP)"

say "eopguardctl check"
"$top_builddir/eopguardctl" check -c "$T_DIR/eopguard.conf" | sed 's/^/    /'

say "1. An application sending as app@eu.contoso.test"
send app-accepted app@eu.contoso.test --header "From: Billing <billing@contoso.test>"
show_send "$T_DIR/app-accepted"
wait_for 15 sink_has sink 1
show_headers app-accepted

say "2. A scanner sending as scan@vendor.example (fine: the certificate identifies the tenant)"
send scanner-vendor scan@vendor.example --header "From: Scanner <scan@vendor.example>"
show_send "$T_DIR/scanner-vendor"
wait_for 15 sink_has sink 2
show_headers scanner-vendor

say "3. A script that writes no From field (EOP would answer 5.7.512)"
send script-no-from cron@contoso.test --data 'Subject: script-no-from\nX-Job: nightly\n\nreport attached\n'
show_send "$T_DIR/script-no-from"
wait_for 15 sink_has sink 3
show_headers script-no-from

say "Broken setup: the certificate was renewed, but the new file lacks the intermediate"
cp "$C/noint.pem" "$T_DIR/tls/relay-chain.pem.new" && mv "$T_DIR/tls/relay-chain.pem.new" "$T_DIR/tls/relay-chain.pem"
wait_for 15 grep -q 'identity: state=fail' "$T_DIR/eopguard.log"
echo "    eopguard noticed the new file by itself (no restart):"
grep 'identity: state=fail' "$T_DIR/eopguard.log" | sed 's/^/    /'

say "eopguardctl check now"
"$top_builddir/eopguardctl" check -c "$T_DIR/eopguard.conf" | grep -E '^(FAIL|WARN)|checks:' | sed 's/^/    /'

say "4. The application again: deferred, so the client keeps the mail instead of EOP bouncing it"
send app-deferred app@contoso.test --header "From: Billing <billing@contoso.test>"
show_send "$T_DIR/app-deferred"
show_headers app-deferred

say "eopguardctl explain on that reply"
reply=$(awk '/^ -> \.$/ { want = 1; next } want && /^<\*\*/ { sub(/^<[-*]* */, ""); print; exit }' "$T_DIR/app-deferred")
"$top_builddir/eopguardctl" explain "$reply" | sed 's/^/    /'

say "Fixed again: the full chain is put back"
cp "$C/good.pem" "$T_DIR/tls/relay-chain.pem.new" && mv "$T_DIR/tls/relay-chain.pem.new" "$T_DIR/tls/relay-chain.pem"
wait_for 15 sh -c "grep 'identity: state=' '$T_DIR/eopguard.log' | tail -1 | grep -q state=pass"
grep 'identity: state=' "$T_DIR/eopguard.log" | tail -1 | sed 's/^/    /'

say "Another tenant set-up: the connector identifies the relay by IP (kill -USR1 reloads)"
write_conf ip relay@contoso.test
kill -USR1 "$EG_PID"
wait_for 5 grep -q 'configuration reloaded' "$T_DIR/eopguard.log"

say "5. An ERP system sending as erp@erp.internal: not accepted, rewritten to relay@contoso.test"
send erp-rewritten erp@erp.internal --header "From: ERP <erp@contoso.test>"
show_send "$T_DIR/erp-rewritten"
wait_for 15 sink_has sink 4
show_headers erp-rewritten

say "6. A bounce (null sender <>): with IP attribution EOP cannot relay it; held in Postfix's hold queue"
send bounce-held '<>' --header "From: MAILER-DAEMON@contoso.test"
show_send "$T_DIR/bounce-held"
held relay || echo "    (not in the hold queue after 10 s)"
queue_json relay | sed -n 's/.*"queue_name": "\([a-z]*\)", "queue_id": "\([0-9A-F]*\)".*/    postqueue -j: \2 in queue "\1" (release with postsuper -H \2)/p'

say "eopguard's log"
grep -v 'started on' "$T_DIR/eopguard.log" | sed 's/^/    /'

say "Postfix's log of the refusals and holds"
grep -E 'milter-(reject|hold)' "$T_DIR/relay/maillog" | sed 's/^/    /'

say "eopguardctl review of eopguard's log and Postfix's (grouped by cause, with the fix)"
"$top_builddir/eopguardctl" review "$T_DIR/eopguard.log" "$T_DIR/relay/maillog" | sed 's/^/    /'

echo
echo "Done. Everything ran under $T_DIR and has been stopped."
B=_build/main
echo "Nothing was installed: the programs and man pages are in $B. Try them where they are:"
echo "    $B/eopguard -V"
echo "    $B/eopguardctl --help"
echo "    $B/eopguardctl explain 5.7.64"
echo "    man -l $B/man/eopguard.conf.5"
echo "or install them (eopguard in /usr/local/sbin, eopguardctl in /usr/local/bin, the man pages,"
echo "and the sample configuration as /usr/local/etc/eopguard/eopguard.conf):"
echo "    make -C $B install"
echo "after which 'eopguard -V', 'eopguardctl --help' and 'man eopguard.conf' work as they are."
echo "Then: contrib/postfix/main.cf.snippet and contrib/systemd/eopguard.service."
