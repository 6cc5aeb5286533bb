#!/bin/sh
# tenant.export with a real Postfix: the export's accepted domains and
# connectors decide. A connector whose certificate name no longer matches
# after an export update (picked up by a reload) defers mail with
# connector-missing; a disabled connector is connector-disabled; a domain
# with SendingFromDomainDisabled is not accepted for ip attribution; a broken
# export on reload keeps the running configuration.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/postfix.sh"
t_setup
C="$T_DIR/certs"
sh "$top_srcdir/tests/certs/mkcerts.sh" "$C" >/dev/null || die "mkcerts.sh"
chmod 755 "$C"
# export_with CERTNAME ENABLED [REJECT_DIRECT_SEND]: a tenant export with one OnPremises connector.
export_with() {
	cat > "$T_DIR/tenant.json.new" <<EOT
{"ExportedAt": "$(date -u +%Y-%m-%dT%H:%M:%SZ)",
 "AcceptedDomains": [
   {"DomainName": "contoso.test", "DomainType": "Authoritative", "MatchSubDomains": true},
   {"DomainName": "retired.test", "DomainType": "Authoritative", "SendingFromDomainDisabled": true}],
 "InboundConnectors": [
   {"Name": "Relay", "Enabled": $2, "ConnectorType": "OnPremises", "TlsSenderCertificateName": "$1",
    "SenderIPAddresses": [], "SenderDomains": ["smtp:*;1"]}],
 "OrganizationConfig": {"RejectDirectSend": ${3:-false}},
 "TransportConfig": {"SmtpClientAuthenticationDisabled": true}}
EOT
	mv "$T_DIR/tenant.json.new" "$T_DIR/tenant.json"
}
write_conf() {   # ATTRIBUTION
	eopguard_conf "$T_DIR/eopguard.conf" <<EOT
tenant {
  accepted_domains = {"relay.test", "*.retired.test"}
  attribution = "$1"
  certificate_domain = "mail.contoso.test"
  export = "$T_DIR/tenant.json"
}
identity {
  client_cert = "$C/good.pem"
  client_key = "$C/good.key"
  ca_file = "$C/root.pem"
}
policy { sender_not_accepted = "defer" }
EOT
}
reloaded() { [ "$(grep -c 'configuration reloaded' "$T_DIR/eopguard.log")" -ge "$1" ]; }
last_identity() { grep 'identity: state=' "$T_DIR/eopguard.log" | tail -1; }

export_with mail.contoso.test true
write_conf certificate
sink_start sink
eopguard_start "$T_DIR/eopguard.conf"
RELAY_PORT=
postfix_start relay RELAY_PORT "$SINK_PORT" </dev/null
t_check "start: the export's connector names the certificate: identity pass" sh -c "grep -q 'identity: state=pass' '$T_DIR/eopguard.log'"
send_mail "$RELAY_PORT" "$T_DIR/s1" --from app@eu.contoso.test --to u@example.net --header "From: app@contoso.test" --header "Subject: s1"
t_grep "start: mail passes" "<-  250 2.0.0 Ok: queued" "$T_DIR/s1"
"$top_builddir/eopguardctl" check -c "$T_DIR/eopguard.conf" > "$T_DIR/check1" 2>&1
t_grep "check: the export is named, with its counts" "PASS export $T_DIR/tenant.json (exported" "$T_DIR/check1"
t_grep "check: the connector that attributes the certificate" "PASS connector the inbound connector 'Relay' (TlsSenderCertificateName mail.contoso.test)" "$T_DIR/check1"
t_grep "check: a domain only eopguard.conf lists" "WARN export-domains eopguard.conf accepts relay.test, which the tenant export does not list" "$T_DIR/check1"
t_grep "check: a wildcard the tenant does not match" "WARN export-domains eopguard.conf accepts *.retired.test, but the tenant accepts retired.test without its subdomains: Set-AcceptedDomain -Identity retired.test -MatchSubDomains \$true" "$T_DIR/check1"
t_grep "check: a domain that may not send" "WARN export-sending-disabled retired.test is accepted but may not send" "$T_DIR/check1"

# The connector is changed in the tenant and exported again; a reload picks it up.
export_with relay.other.example true true
kill -USR1 "$EG_PID"
wait_for 10 reloaded 1 || t_fail "reload not logged"
wait_for 10 sh -c "grep 'identity: state=' '$T_DIR/eopguard.log' | tail -1 | grep -q connector-missing" ||
	t_fail "after the export update: $(last_identity)"
t_grep "export update: connector-missing with the fix" "findings=connector-missing,direct-send-rejected hint=\"no enabled OnPremises inbound connector in the tenant export names the certificate (mail.contoso.test); set it: Set-InboundConnector" "$T_DIR/eopguard.log"
send_mail "$RELAY_PORT" "$T_DIR/s2" --from app@contoso.test --to u@example.net --header "From: app@contoso.test" --header "Subject: s2"
t_grep "RejectDirectSend on: direct-send-rejected as well" "findings=connector-missing,direct-send-rejected" "$T_DIR/eopguard.log"
t_grep "export update: mail deferred with 451 4.7.64 connector-missing" '<** 451 4.7.64 eopguard: connector-missing: EOP would answer "550 5.7.64 TenantAttribution; Relay Access Denied"' "$T_DIR/s2"

# The connector is disabled.
export_with mail.contoso.test false
kill -USR1 "$EG_PID"
wait_for 10 reloaded 2 || t_fail "second reload not logged"
wait_for 10 sh -c "grep 'identity: state=' '$T_DIR/eopguard.log' | tail -1 | grep -q connector-disabled" ||
	t_fail "disabled connector: $(last_identity)"
t_grep "disabled connector: the command that enables it" "Set-InboundConnector -Identity 'Relay' -Enabled \$true" "$T_DIR/eopguard.log"

# A broken export: the reload fails with file:line:column, the running configuration stays.
printf '{\n  "AcceptedDomains": [\n' > "$T_DIR/tenant.json"
kill -USR1 "$EG_PID"
wait_for 10 grep -q "reload failed, keeping the running configuration: $T_DIR/eopguard.conf: tenant.export: $T_DIR/tenant.json:3:1: malformed JSON" "$T_DIR/eopguard.log" ||
	t_fail "no 'reload failed ... malformed JSON' line with the position"
t_check "broken export: eopguard still runs" kill -0 "$EG_PID"
run_rc=0; "$top_builddir/eopguard" -t -c "$T_DIR/eopguard.conf" > "$T_DIR/t.out" 2>&1 || run_rc=$?
t_check "broken export: -t exits 78" test "$run_rc" -eq 78

# ip attribution: SendingFromDomainDisabled keeps a domain out of the accepted ones.
export_with mail.contoso.test true
write_conf ip
kill -USR1 "$EG_PID"
wait_for 10 reloaded 3 || t_fail "third reload not logged"
send_mail "$RELAY_PORT" "$T_DIR/s3" --from app@retired.test --to u@example.net --header "From: app@contoso.test" --header "Subject: s3"
t_grep "SendingFromDomainDisabled: the sender is not accepted" "<** 451 4.7.64 eopguard: sender-not-accepted" "$T_DIR/s3"
send_mail "$RELAY_PORT" "$T_DIR/s4" --from app@eu.contoso.test --to u@example.net --header "From: app@contoso.test" --header "Subject: s4"
t_grep "MatchSubDomains: a subdomain of an exported domain is accepted" "<-  250 2.0.0 Ok: queued" "$T_DIR/s4"

# ip attribution and a route to EOP that may be IPv6: check --postfix says so.
cp -r "$T_DIR/relay/etc" "$T_DIR/etc6"
postconf -c "$T_DIR/etc6" -e "inet_protocols = all" "smtp_address_preference = any" >/dev/null 2>&1
"$top_builddir/eopguardctl" check -c "$T_DIR/eopguard.conf" --postfix-config "$T_DIR/etc6" > "$T_DIR/check6" 2>&1
t_grep "check --postfix: an IPv6 route with ip attribution fails" "FAIL ipv6-route inet_protocols = all and smtp_address_preference = any" "$T_DIR/check6"
postconf -c "$T_DIR/etc6" -e "smtp_address_preference = ipv4" >/dev/null 2>&1
"$top_builddir/eopguardctl" check -c "$T_DIR/eopguard.conf" --postfix-config "$T_DIR/etc6" > "$T_DIR/check4" 2>&1
t_grep "check --postfix: smtp_address_preference = ipv4 fixes it" "PASS postfix-ip-family" "$T_DIR/check4"
t_done
