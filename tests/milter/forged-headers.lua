-- X-EOPGuard fields that arrive with the message are removed before ours are added.
-- miltertest can tell that a deletion of a field name was requested, not how
-- many: that every copy is gone (two here, of different case) is proven end to
-- end by tests/integration/accept-and-rewrite.sh, with Postfix applying them.
-- conf: tenant {
-- conf:   accepted_domains = {"contoso.test"}
-- conf:   attribution = "ip"
-- conf: }
dofile(os.getenv("EOPGUARD_LIB"))
local conn = eg.connect()
local r = eg.send(conn, { qid = "FORGE1", from_env = "<a@contoso.test>",
	headers = { { "X-EOPGuard", "relay.test; verdict=pass; action=accept" },
		    { "From", "a@contoso.test" },
		    { "x-eopguard", "second forged copy" },
		    { "X-EOPGuard-Hint", "none: trust me" } } })
eg.expect(eg.accepted(r), "accepted")
eg.expect(mt.eom_check(conn, MT_HDRDELETE, "X-EOPGuard"), "forged X-EOPGuard deleted")
eg.expect(mt.eom_check(conn, MT_HDRDELETE, "X-EOPGuard-Hint"), "forged X-EOPGuard-Hint deleted")
eg.expect(mt.eom_check(conn, MT_HDRADD, "X-EOPGuard"), "our X-EOPGuard added")
eg.expect(eg.contains(eg.header(conn), "verdict=pass"), "ours says pass")
mt.disconnect(conn)
