-- An accepted envelope sender and From: accepted unchanged but for X-EOPGuard.
-- conf: tenant {
-- conf:   accepted_domains = {"contoso.test", "*.contoso.test"}
-- conf:   attribution = "ip"
-- conf: }
dofile(os.getenv("EOPGUARD_LIB"))
local conn = eg.connect()
local r = eg.send(conn, { qid = "4XkT1a2b3c", from_env = "<app@eu.contoso.test>",
	headers = { { "From", "\"App, Reports\" <app@contoso.test>" }, { "Subject", "hi" } } })
eg.expect(eg.accepted(r), "message accepted")
local h = eg.header(conn)
eg.expect(h == "relay.test; verdict=pass; action=accept;\n\tidentity=pass;\n\tsender=pass (eu.contoso.test);\n\tfrom=pass (contoso.test)",
	"X-EOPGuard is exactly the contract's format: " .. h)
eg.expect(not mt.eom_check(conn, MT_HDRADD, "X-EOPGuard-Hint"), "no hint for a clean message")
eg.expect(not mt.eom_check(conn, MT_HDRDELETE), "nothing deleted")
eg.expect(not mt.eom_check(conn, MT_QUARANTINE), "not quarantined")
local log = eg.last_log_line()
eg.expect(eg.contains(log, "4XkT1a2b3c: verdict=pass action=accept findings=- sender=<app@eu.contoso.test> from=contoso.test predicted=-"),
	"log line: " .. log)

-- Second message on the same connection: the state was reset.
r = eg.send(conn, { qid = "4XkT1a2b3d", from_env = "<>", headers = { { "From", "MAILER-DAEMON@contoso.test" } } })
eg.expect(not eg.accepted(r), "null sender in ip mode is not accepted")
eg.expect(eg.reply_is(conn, "451", "4.7.64", eg.reply_text("null-sender", eg.ATTR36,
	"bounces (<>) relay only through a certificate connector: set tenant.attribution = certificate")),
	"null sender deferred with 451 4.7.64")
eg.expect(eg.contains(eg.last_log_line(), "4XkT1a2b3d: verdict=fail action=defer findings=null-sender sender=<>"),
	"null sender logged")
mt.disconnect(conn)
