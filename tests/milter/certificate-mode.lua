-- attribution = certificate: an envelope sender outside the accepted domains
-- is "neutral" (the certificate carries the relay), a null sender passes.
-- conf: tenant {
-- conf:   accepted_domains = {"contoso.test"}
-- conf:   attribution = "certificate"
-- conf:   certificate_domain = "mail.contoso.test"
-- conf: }
-- conf: identity {
-- conf:   client_cert = "@CERTS@/good.pem"
-- conf:   client_key = "@CERTS@/good.key"
-- conf:   ca_file = "@CERTS@/root.pem"
-- conf: }
-- conf: policy { sender_not_accepted = "reject" }
dofile(os.getenv("EOPGUARD_LIB"))
local conn = eg.connect()
local r = eg.send(conn, { qid = "CERT1", from_env = "<scanner@vendor.example>",
	headers = { { "From", "scanner@vendor.example" } } })
eg.expect(eg.accepted(r), "accepted in certificate mode")
local h = eg.header(conn)
eg.expect(eg.contains(h, "verdict=warn; action=accept;"), "verdict warn (From not accepted): " .. h)
eg.expect(eg.contains(h, "identity=pass;"), "a good certificate: identity=pass")
eg.expect(eg.contains(h, "sender=neutral (vendor.example)"), "sender=neutral")
eg.expect(eg.contains(h, "from=warn (vendor.example)"), "from=warn")
eg.expect(not eg.contains(h, "predicted="), "no prediction without a failure")
eg.expect(eg.contains(eg.header(conn, "X-EOPGuard-Hint"), "from-not-accepted: From domain vendor.example"), "hint")

r = eg.send(conn, { qid = "CERT2", from_env = "<>", headers = { { "From", "postmaster@contoso.test" } } })
eg.expect(eg.accepted(r), "null sender accepted in certificate mode")
eg.expect(eg.contains(eg.header(conn), "sender=null;"), "sender=null")
mt.disconnect(conn)
