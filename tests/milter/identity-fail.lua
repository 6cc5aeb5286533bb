-- A relay certificate file without its intermediate: every message is
-- deferred with the chain-incomplete reply, whatever its sender.
-- conf: tenant {
-- conf:   accepted_domains = {"contoso.test"}
-- conf:   attribution = "certificate"
-- conf:   certificate_domain = "mail.contoso.test"
-- conf: }
-- conf: identity {
-- conf:   client_cert = "@CERTS@/noint.pem"
-- conf:   client_key = "@CERTS@/good.key"
-- conf:   ca_file = "@CERTS@/root.pem"
-- conf: }
dofile(os.getenv("EOPGUARD_LIB"))
local conn = eg.connect()
local r = eg.send(conn, { qid = "ID1", from_env = "<app@contoso.test>", headers = { { "From", "app@contoso.test" } } })
eg.expect(r == SMFIR_REPLYCODE, "deferred")
local hint = "the issuer CN=Contoso Test Issuing CA 1 of CN=mail.contoso.test is neither sent nor a trusted root; " ..
	"append it after the leaf in identity.client_cert (its URL: http://pki.contoso.test/int.crt)"
eg.expect(eg.reply_is(conn, "451", "4.7.64", eg.reply_text("chain-incomplete",
	"550 5.7.64 TenantAttribution; Relay Access Denied", hint)), "451 4.7.64 eopguard: chain-incomplete with the missing issuer")
local log = eg.last_log_line()
eg.expect(eg.contains(log, "ID1: verdict=fail action=defer findings=chain-incomplete sender=<app@contoso.test>"), "log: " .. log)
local found = 0
for line in io.lines(os.getenv("EOPGUARD_LOG")) do
	if eg.contains(line, "identity: state=fail findings=chain-incomplete hint=\"the issuer CN=Contoso Test Issuing CA 1") then found = found + 1 end
end
eg.expect(found == 1, "the identity state was logged exactly once (found " .. found .. ")")
mt.disconnect(conn)
