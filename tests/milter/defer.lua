-- defer: 451 with the predicted enhanced code in class 4 and the contract's text;
-- rewrite without rewrite.sender acts as defer.
-- conf: tenant {
-- conf:   accepted_domains = {"contoso.test"}
-- conf:   attribution = "ip"
-- conf: }
-- conf: policy { sender_not_accepted = "rewrite" }
dofile(os.getenv("EOPGUARD_LIB"))
local conn = eg.connect()
local r = eg.send(conn, { qid = "DEF1", from_env = "<app@other.example>", headers = { { "From", "app@contoso.test" } } })
eg.expect(r == SMFIR_REPLYCODE, "a specific reply was set")
eg.expect(mt.eom_check(conn, MT_SMTPREPLY, "451", "4.7.64",
	"eopguard: sender-not-accepted: EOP would answer \"550 5.7.64 Relay Access Denied ATTR36\"; envelope sender domain other.example is not an accepted domain; add it to the tenant and tenant.accepted_domains, or set rewrite.sender"),
	"451 4.7.64 with the finding, the predicted NDR and the hint")
eg.expect(not mt.eom_check(conn, MT_HDRADD), "no header on a deferred message")
eg.expect(eg.contains(eg.last_log_line(), "DEF1: verdict=fail action=defer findings=sender-not-accepted"), "log says defer")
mt.disconnect(conn)
