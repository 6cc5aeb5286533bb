#!/bin/sh
# The relay's certificate through a real Postfix: a file without its
# intermediate defers mail with "451 4.7.64 eopguard: chain-incomplete";
# putting the good chain in place makes the next message pass without a
# restart; a root-only key that stops matching is noticed although eopguard
# runs unprivileged; identity_failure = quarantine holds mail instead.
# Also: eopguardctl check's verdict and exit status for every fixture.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/postfix.sh"
t_setup
C="$T_DIR/certs"
sh "$top_srcdir/tests/certs/mkcerts.sh" "$C" >/dev/null || die "mkcerts.sh failed"
chmod 755 "$C"

# --- eopguardctl check for each fixture ---
check_fixture() {   # NAME CERT KEY WANT_STATUS WANT_TEXT
	cat > "$T_DIR/check.conf" <<EOT
user = "nobody"
tenant {
  accepted_domains = {"contoso.test"}
  certificate_domain = "mail.contoso.test"
  smarthost = "[contoso-test.mail.protection.outlook.com]:25"
}
identity {
  client_cert = "$C/$2"
  client_key = "$C/$3"
  ca_file = "$C/root.pem"
}
rewrite { sender = "relay@contoso.test" }
EOT
	"$top_builddir/eopguardctl" check -c "$T_DIR/check.conf" > "$T_DIR/check.out" 2>&1
	rc=$?
	if [ $rc -eq "$4" ] && grep -qF -- "$5" "$T_DIR/check.out"; then
		t_ok "check $1: exit $rc, '$5'"
	else
		t_fail "check $1: exit $rc (want $4), want '$5'"; sed 's/^/    | /' "$T_DIR/check.out"
	fi
}
check_fixture good good.pem good.key 0 "no failure predicted"
"$top_builddir/eopguardctl" check --nagios -c "$T_DIR/check.conf" > "$T_DIR/nagios.out" 2>&1
rc=$?
t_check "check --nagios on a good setup: exit 0 (OK)" test "$rc" -eq 0
t_check "check --nagios OK line with days_left" grep -Eq '^EOPGUARD (OK|WARNING) - .* \| failed=0 warnings=[0-9]+ days_left=[0-9]+$' "$T_DIR/nagios.out"
check_fixture noint noint.pem good.key 1 "FAIL chain-incomplete the issuer CN=Contoso Test Issuing CA 1"
check_fixture expired expired.pem good.key 1 "FAIL cert-expired the relay certificate CN=mail.contoso.test expired on 2021-01-01"
check_fixture notyet notyet.pem good.key 1 "FAIL cert-not-yet-valid"
check_fixture expiring expiring.pem good.key 0 "WARN cert-expiring"
check_fixture wrongname wrongname.pem good.key 1 "FAIL name-mismatch"
check_fixture wildcard wildcard.pem good.key 0 "PASS names certificate name *.contoso.test"
check_fixture selfsigned selfsigned.pem selfsigned.key 1 "FAIL self-signed"
check_fixture untrusted untrusted.pem good.key 1 "FAIL chain-untrusted"
check_fixture weakkey weakkey.pem weakkey.key 0 "WARN weak-key"
check_fixture sha1 sha1.pem good.key 0 "WARN weak-signature"
check_fixture serveronly serveronly.pem good.key 0 "WARN eku-no-clientauth"
check_fixture mismatch good.pem mismatch.key 1 "FAIL key-mismatch"
check_fixture outoforder outoforder.pem good.key 0 "WARN chain-order"
check_fixture garbage garbage.pem good.key 1 "FAIL cert-unreadable"
check_fixture empty empty.pem good.key 1 "FAIL cert-unreadable"
check_fixture der leaf.der good.key 1 "it is DER"
check_fixture directory adir good.key 1 "is a directory"
check_fixture missing nothing.pem good.key 1 "FAIL cert-missing"

# --- the daemon with a real Postfix ---
mkdir -p "$T_DIR/tls"
cp "$C/noint.pem" "$T_DIR/tls/relay-chain.pem"
cp "$C/good.key" "$T_DIR/tls/relay.key"
chmod 600 "$T_DIR/tls/relay.key"          # root-only, as on a real relay
write_conf() {
	eopguard_conf "$T_DIR/eopguard.conf" <<EOT
tenant {
  accepted_domains = {"contoso.test"}
  attribution = "certificate"
  certificate_domain = "mail.contoso.test"
}
identity {
  client_cert = "$T_DIR/tls/relay-chain.pem"
  client_key = "$T_DIR/tls/relay.key"
  ca_file = "$C/root.pem"
  recheck_interval = 300
}
policy { identity_failure = "$1" }
EOT
}
identity_logged() {   # wait until the log has N "identity:" lines
	wait_for 15 sh -c "[ \$(grep -c 'identity: state=' '$T_DIR/eopguard.log') -ge $1 ]"
}
write_conf defer
sink_start sink
eopguard_start "$T_DIR/eopguard.conf"
RELAY_PORT=
postfix_start relay RELAY_PORT "$SINK_PORT" </dev/null

t_grep "start-up: identity state logged with the hint" \
	'identity: state=fail findings=chain-incomplete hint="the issuer CN=Contoso Test Issuing CA 1 of CN=mail.contoso.test' "$T_DIR/eopguard.log"
send_mail "$RELAY_PORT" "$T_DIR/send1" --from app@contoso.test --to user@example.net \
	--header "From: app@contoso.test" --header "Subject: one"
t_grep "chain-incomplete: client sees 451 4.7.64 eopguard: chain-incomplete" \
	'<** 451 4.7.64 eopguard: chain-incomplete: EOP would answer "550 5.7.64 TenantAttribution; Relay Access Denied"; the issuer CN=Contoso Test Issuing CA 1' "$T_DIR/send1"
t_check "chain-incomplete: nothing reached the next hop" test "$(sink_count sink)" -eq 0

# Renewal done right: the good chain replaces the file; no restart.
cp "$C/good.pem" "$T_DIR/tls/relay-chain.pem.new" && mv "$T_DIR/tls/relay-chain.pem.new" "$T_DIR/tls/relay-chain.pem"
identity_logged 2 || t_fail "the replaced certificate file was not noticed within 15 s"
t_grep "file change noticed: identity passes" "identity: state=pass findings=-" "$T_DIR/eopguard.log"
send_mail "$RELAY_PORT" "$T_DIR/send2" --from app@contoso.test --to user@example.net \
	--header "From: app@contoso.test" --header "Subject: two"
t_grep "after the fix: accepted" "<-  250 2.0.0 Ok: queued" "$T_DIR/send2"
wait_for 20 sink_has sink 1 || t_fail "message two did not reach the next hop"
t_grep "after the fix: identity=pass in the header" "identity=pass;" "$(sink_message sink two)"

# The root-only key changes to one that does not match: eopguard (as nobody)
# still sees it, through its privileged helper.
cp "$C/mismatch.key" "$T_DIR/tls/relay.key"
chmod 600 "$T_DIR/tls/relay.key"
t_check "the key is root-only (root, 0600)" test "$(stat -c '%U %a' "$T_DIR/tls/relay.key")" = "root 600"
t_check "the daemon runs as nobody with no capability, so it cannot read the key itself" sh -c \
	"grep -q '^Uid:[[:space:]]*65534[[:space:]]' /proc/$EG_PID/status && grep -q '^CapEff:[[:space:]]*0000000000000000' /proc/$EG_PID/status"
identity_logged 3 || t_fail "the changed key was not noticed within 15 s"
t_grep "root-only key checked after the privilege drop" "identity: state=fail findings=key-mismatch" "$T_DIR/eopguard.log"
t_nogrep "no private key material in the log" "PRIVATE KEY" "$T_DIR/eopguard.log"

# Policy quarantine instead of defer (reload).
write_conf quarantine
kill -USR1 "$EG_PID"
wait_for 10 grep -q 'configuration reloaded' "$T_DIR/eopguard.log" || t_fail "reload not logged"
send_mail "$RELAY_PORT" "$T_DIR/send3" --from app@contoso.test --to user@example.net \
	--header "From: app@contoso.test" --header "Subject: three"
t_grep "quarantine: accepted" "<-  250 2.0.0 Ok: queued" "$T_DIR/send3"
held relay || t_fail "quarantine: no message in the hold queue within 10 s"
queue_json relay > "$T_DIR/queue.json"
t_grep "quarantine: held in Postfix's hold queue" '"queue_name": "hold"' "$T_DIR/queue.json"
t_grep "quarantine: logged" "verdict=fail action=quarantine findings=key-mismatch" "$T_DIR/eopguard.log"
t_check "held message did not reach the next hop" test "$(sink_count sink)" -eq 1
MAIL_CONFIG="$T_DIR/relay/etc" "$top_builddir/eopguardctl" release --dry-run -c "$T_DIR/eopguard.conf" > "$T_DIR/release.out" 2>&1
t_check "release --dry-run lists the message eopguard held, from its X-EOPGuard field" \
	grep -Eq '^[0-9A-Za-z]+ +hold +<app@contoso.test> +held +would release from hold' "$T_DIR/release.out"
t_grep "... naming eopguard's verdict" "held by eopguard: relay.test; verdict=fail; action=quarantine;" "$T_DIR/release.out"

# A renewal storm: certificate and key swapped between two good pairs 120
# times (each swap leaves them mismatched for a moment), ending on a good
# pair. Whatever the refresher read meanwhile, once the files rest it must
# judge them as they are: pass, within a few polls (it used to fingerprint
# after reading, and could keep a stale key-mismatch for recheck_interval).
i=0
while [ $i -lt 120 ]; do
	case $((i % 2)) in
	0) cert=rsa key=rsa ;;
	*) cert=good key=good ;;
	esac
	cp "$C/$cert.pem" "$T_DIR/tls/relay-chain.pem.new" && mv "$T_DIR/tls/relay-chain.pem.new" "$T_DIR/tls/relay-chain.pem"
	cp "$C/$key.key" "$T_DIR/tls/relay.key.new" && chmod 600 "$T_DIR/tls/relay.key.new" &&
		mv "$T_DIR/tls/relay.key.new" "$T_DIR/tls/relay.key"
	i=$((i + 1))
done
wait_for 10 sh -c "grep 'identity: state=' '$T_DIR/eopguard.log' | tail -1 | grep -q 'state=pass findings=-'" ||
	t_fail "after the renewal storm the identity is not pass: $(grep 'identity: state=' "$T_DIR/eopguard.log" | tail -1)"
t_check "after the renewal storm the files are judged as they are (pass)" \
	sh -c "grep 'identity: state=' '$T_DIR/eopguard.log' | tail -1 | grep -q 'state=pass findings=-'"

# check --postfix against this private instance: eopguard is in smtpd_milters
# and the default action is tempfail, but the test relay sends no certificate
# and has TLS off, which check must call out.
"$top_builddir/eopguardctl" check -c "$T_DIR/eopguard.conf" --postfix-config "$T_DIR/relay/etc" > "$T_DIR/pf.out" 2>&1
rc=$?
t_check "check --postfix: exit 1 (TLS off)" test $rc -eq 1
t_grep "check --postfix: milter found" "PASS postfix-milter smtpd_milters includes unix:$T_DIR/run/eopguard.sock" "$T_DIR/pf.out"
t_grep "check --postfix: default action" "PASS postfix-default-action milter_default_action = tempfail" "$T_DIR/pf.out"
t_grep "check --postfix: TLS level" "FAIL postfix-tls-level smtp_tls_security_level = none" "$T_DIR/pf.out"
t_grep "check --postfix: certificate file" "WARN postfix-cert-file Postfix sends smtp_tls_cert_file = (empty) but eopguard checks identity.client_cert = $T_DIR/tls/relay-chain.pem" "$T_DIR/pf.out"
"$top_builddir/eopguardctl" check -c "$T_DIR/eopguard.conf" --postfix-config "$T_DIR/nowhere" > "$T_DIR/pf2.out" 2>&1
t_grep "check --postfix with a wrong directory explains" "WARN postfix postconf -c $T_DIR/nowhere failed" "$T_DIR/pf2.out"
t_done
