-- Over TCP, eopguard replies to every step and takes the DATA step (packets
-- left without a reply would stall the MTA on Nagle and delayed ACKs); mail
-- is handled as over a unix socket.
-- tcp
-- conf: tenant {
-- conf:   accepted_domains = {"contoso.test"}
-- conf:   attribution = "ip"
-- conf: }
-- conf: policy { sender_not_accepted = "defer" }
dofile(os.getenv("EOPGUARD_LIB"))
local conn = eg.connect()
local r = eg.send(conn, { qid = "TCP1", from_env = "<app@contoso.test>", headers = { { "From", "app@contoso.test" } } })
eg.expect(eg.accepted(r), "accepted over TCP")
eg.expect(eg.contains(eg.header(conn), "verdict=pass; action=accept;"), "header added over TCP")
eg.expect(not mt.test_option(conn, SMFIP_NR_HDR), "no-reply for headers not negotiated over TCP")
eg.expect(not mt.test_option(conn, SMFIP_NR_MAIL), "no-reply for MAIL not negotiated over TCP")
eg.expect(not mt.test_option(conn, SMFIP_NODATA), "DATA step taken over TCP")
r = eg.send(conn, { qid = "TCP2", from_env = "<app@other.example>", headers = { { "From", "app@contoso.test" } } })
eg.expect(r == SMFIR_REPLYCODE, "second message on the same connection deferred")
mt.disconnect(conn)
