-- Sender-controlled bytes never break a reply, a header or a log line.
-- conf: tenant {
-- conf:   accepted_domains = {"contoso.test"}
-- conf:   attribution = "ip"
-- conf: }
-- conf: policy { sender_not_accepted = "defer" }
dofile(os.getenv("EOPGUARD_LIB"))
local conn = eg.connect()
-- '%', CR, LF, quote and 8-bit bytes in an unparseable envelope sender.
local r = eg.send(conn, { qid = "H1", from_env = "<a%n\"b\r\nX-Evil: 1\195\169@>", headers = { { "From", "a@contoso.test" } } })
eg.expect(r == SMFIR_REPLYCODE, "deferred")
eg.expect(mt.eom_check(conn, MT_SMTPREPLY, "451", "4.7.64",
	"eopguard: sender-not-accepted: EOP would answer \"550 5.7.64 Relay Access Denied ATTR36\"; envelope sender <a%%n\\\"b\\x0d\\x0aX-Evil: 1\\xc3\\xa9@> has no valid domain; fix the sending application or set rewrite.sender"),
	"reply escapes %, quotes, CR, LF and 8-bit bytes")
local log = eg.last_log_line()
eg.expect(eg.contains(log, "sender=<a%n\\\"b\\x0d\\x0aX-Evil:\\x201\\xc3\\xa9@>"), "log token escaped: " .. log)

-- an address after a comment nested 400 deep (miltertest itself crashes on
-- fields over about 1 KB; longer fields are covered by the unit and Postfix tests),
-- then a From full of junk bytes.
local big = string.rep("(", 400) .. "x" .. string.rep(")", 400) .. " a@contoso.test"
r = eg.send(conn, { qid = "H2", from_env = "<a@contoso.test>", headers = { { "From", big } } })
eg.expect(eg.accepted(r), "deeply nested From handled")
eg.expect(eg.contains(eg.header(conn), "from=pass (contoso.test)"), "address found behind 400 nested comments")
r = eg.send(conn, { qid = "H2b", from_env = "<a@contoso.test>", headers = { { "From", string.rep("(", 400) .. "a@contoso.test" } } })
eg.expect(eg.contains(eg.header(conn), "from=invalid"), "unterminated comment is invalid")
r = eg.send(conn, { qid = "H3", from_env = "<a@contoso.test>", headers = { { "From", "\255\254<<>>@@,,;;::\"" } } })
eg.expect(eg.accepted(r), "junk From handled")
eg.expect(eg.contains(eg.header(conn), "from=invalid"), "junk From invalid")
mt.disconnect(conn)
