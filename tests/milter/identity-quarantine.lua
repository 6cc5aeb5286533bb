-- identity_failure = quarantine: mail is held, and the header carries the
-- identity findings and a hint for each; warnings do not change the verdict.
-- conf: tenant {
-- conf:   accepted_domains = {"contoso.test"}
-- conf:   attribution = "certificate"
-- conf:   certificate_domain = "mail.contoso.test"
-- conf: }
-- conf: identity {
-- conf:   client_cert = "@CERTS@/expired.pem"
-- conf:   client_key = "@CERTS@/good.key"
-- conf:   ca_file = "@CERTS@/root.pem"
-- conf: }
-- conf: policy { identity_failure = "quarantine" }
dofile(os.getenv("EOPGUARD_LIB"))
local conn = eg.connect()
local r = eg.send(conn, { qid = "IQ1", from_env = "<app@contoso.test>", headers = { { "From", "app@contoso.test" } } })
eg.expect(eg.accepted(r), "accepted into the hold queue")
eg.expect(mt.eom_check(conn, MT_QUARANTINE, "eopguard: cert-expired"), "quarantined for cert-expired")
local h = eg.header(conn)
eg.expect(eg.contains(h, "verdict=fail; action=quarantine;\n\tidentity=fail (cert-expired);"), "header: " .. h)
eg.expect(eg.contains(h, "predicted=\"454 4.7.0 Failed to establish appropriate TLS channel: CertificateExpired: Access Denied\""), "predicted 454 4.7.0")
eg.expect(eg.contains(eg.header(conn, "X-EOPGuard-Hint"), "cert-expired: the relay certificate CN=mail.contoso.test expired on 2021-01-01"), "hint names the date")
mt.disconnect(conn)
