-- dry_run: every action becomes annotate; the header and log still say what would happen.
-- conf: dry_run = true
-- conf: tenant {
-- conf:   accepted_domains = {"contoso.test"}
-- conf:   attribution = "ip"
-- conf: }
-- conf: policy { sender_not_accepted = "reject" }
dofile(os.getenv("EOPGUARD_LIB"))
local conn = eg.connect()
local r = eg.send(conn, { qid = "DRY1", from_env = "<app@other.example>", headers = { { "From", "app@contoso.test" } } })
eg.expect(eg.accepted(r), "accepted despite reject policy")
eg.expect(eg.contains(eg.header(conn), "verdict=fail; action=accept;"), "header: fail, accept")
eg.expect(not mt.eom_check(conn, MT_QUARANTINE), "not quarantined")
local log = eg.last_log_line()
eg.expect(eg.contains(log, "DRY1: verdict=fail action=accept") and eg.contains(log, "dry_run=reject"), "log says what would have happened: " .. log)
mt.disconnect(conn)
