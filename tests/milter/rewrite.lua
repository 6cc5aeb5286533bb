-- sender_not_accepted = rewrite with rewrite.sender set: accepted, sender rewritten.
-- conf: tenant {
-- conf:   accepted_domains = {"contoso.test"}
-- conf:   attribution = "ip"
-- conf: }
-- conf: rewrite { sender = "relay@contoso.test" }
-- conf: policy { sender_not_accepted = "rewrite" }
dofile(os.getenv("EOPGUARD_LIB"))
local conn = eg.connect()
local r = eg.send(conn, { qid = "RW1", from_env = "<erp@erp.internal>", headers = { { "From", "erp@contoso.test" } } })
eg.expect(eg.accepted(r), "accepted")
local h = eg.header(conn)
eg.expect(eg.contains(h, "verdict=fail; action=rewrite;"), "verdict fail, action rewrite: " .. h)
eg.expect(eg.contains(h, "sender=rewritten (contoso.test)"), "sender=rewritten shows the new domain")
eg.expect(eg.contains(h, "predicted=\"550 5.7.64 Relay Access Denied ATTR36\""), "predicted ATTR36 without the rewrite")
eg.expect(eg.contains(eg.header(conn, "X-EOPGuard-Hint"), "sender-not-accepted: envelope sender domain erp.internal"), "hint names the domain")
eg.expect(eg.contains(eg.last_log_line(), "RW1: verdict=fail action=rewrite findings=sender-not-accepted sender=<erp@erp.internal>"), "log")
mt.disconnect(conn)
