-- From checks: missing, several fields, unparseable, group; from_invalid = defer gives 451 4.7.512.
-- conf: tenant {
-- conf:   accepted_domains = {"contoso.test"}
-- conf:   attribution = "ip"
-- conf: }
-- conf: policy { from_invalid = "defer" }
dofile(os.getenv("EOPGUARD_LIB"))
local conn = eg.connect()
local function invalid(why)
	return "From field is not RFC 5322 compliant (" .. why .. "); the sending application must write one valid address"
end
local cases = {
	{ name = "missing From", headers = { { "Subject", "x" } }, finding = "from-missing",
	  hint = "the sending application must write a From field" },
	{ name = "two From fields", headers = { { "From", "a@contoso.test" }, { "From", "b@contoso.test" } }, finding = "from-invalid",
	  hint = "the message has 2 From fields; the sending application must write exactly one" },
	{ name = "no @", headers = { { "From", "Reports Daemon" } }, finding = "from-invalid", hint = invalid("no '@' in address") },
	{ name = "unbalanced quote", headers = { { "From", "\"App <a@contoso.test>" } }, finding = "from-invalid",
	  hint = invalid("unterminated quoted string") },
	{ name = "group", headers = { { "From", "Team: a@contoso.test;" } }, finding = "from-invalid",
	  hint = invalid("group syntax is not allowed in From") },
}
for i, c in ipairs(cases) do
	local r = eg.send(conn, { qid = "FI" .. i, from_env = "<a@contoso.test>", headers = c.headers })
	eg.expect(r == SMFIR_REPLYCODE and eg.reply_is(conn, "451", "4.7.512", eg.reply_text(c.finding, eg.NDR512, c.hint)),
		c.name .. ": 451 4.7.512 " .. c.hint)
	eg.expect(eg.contains(eg.last_log_line(), "FI" .. i .. ": verdict=fail action=defer findings=" .. c.finding), c.name .. ": logged as " .. c.finding)
end
-- Several mailboxes are fine with a Sender field.
local r = eg.send(conn, { qid = "FI9", from_env = "<a@contoso.test>",
	headers = { { "From", "a@contoso.test, (comment) B <b@contoso.test>" }, { "Sender", "a@contoso.test" } } })
eg.expect(eg.accepted(r), "two mailboxes with Sender accepted")
mt.disconnect(conn)
