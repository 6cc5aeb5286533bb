-- reject: 550 with the predicted enhanced code.
-- conf: tenant {
-- conf:   accepted_domains = {"contoso.test"}
-- conf:   attribution = "ip"
-- conf: }
-- conf: policy {
-- conf:   sender_not_accepted = "reject"
-- conf:   from_invalid = "defer"
-- conf: }
dofile(os.getenv("EOPGUARD_LIB"))
local conn = eg.connect()
-- (miltertest invents a From field when a message has no header at all.)
local r = eg.send(conn, { qid = "REJ1", from_env = "<app@other.example>", headers = { { "Subject", "no From" } } })
eg.expect(r == SMFIR_REPLYCODE, "a specific reply was set")
-- Both fail; reject is stricter than defer, so the sender finding decides.
eg.expect(eg.reply_is(conn, "550", "5.7.64", eg.reply_text("sender-not-accepted", eg.ATTR36,
	"envelope sender domain other.example is not an accepted domain; add it to the tenant and tenant.accepted_domains, or set rewrite.sender")),
	"550 5.7.64 (strictest action wins)")
local log = eg.last_log_line()
eg.expect(eg.contains(log, "REJ1: verdict=fail action=reject findings=sender-not-accepted,from-missing"), "log: " .. log)
eg.expect(eg.contains(log, "predicted=\"550 5.7.64 Relay Access Denied ATTR36\""), "EOP answers at RCPT before DATA")
mt.disconnect(conn)
