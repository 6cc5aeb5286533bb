-- quarantine: accepted into the MTA's hold queue, headers added.
-- conf: tenant {
-- conf:   accepted_domains = {"contoso.test"}
-- conf:   attribution = "ip"
-- conf: }
-- conf: policy { sender_not_accepted = "quarantine" }
dofile(os.getenv("EOPGUARD_LIB"))
local conn = eg.connect()
local r = eg.send(conn, { qid = "Q1", from_env = "<app@other.example>", headers = { { "From", "app@contoso.test" } } })
eg.expect(eg.accepted(r), "accepted (held, not refused)")
eg.expect(mt.eom_check(conn, MT_QUARANTINE, "eopguard: sender-not-accepted"), "quarantined with the finding as reason")
eg.expect(eg.contains(eg.header(conn), "verdict=fail; action=quarantine;"), "header says quarantine")
mt.disconnect(conn)
