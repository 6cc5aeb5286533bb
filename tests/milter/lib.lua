-- Shared helpers for eopguard's miltertest scripts.
-- run-lua.sh starts eopguard with the script's configuration and exports
-- EOPGUARD_SOCKET; scripts call these helpers and fail with error().

eg = {}

function eg.connect()
	local conn = mt.connect(os.getenv("EOPGUARD_SOCKET"), 50, 0.1)
	if conn == nil then error("cannot connect to eopguard at " .. os.getenv("EOPGUARD_SOCKET")) end
	return conn
end

-- Send a message up to end-of-message, skipping the steps eopguard switched off.
-- msg = { qid=..., from_env=..., rcpt=..., headers={{name, value}, ...}, body=... }
function eg.send(conn, msg)
	if msg.qid ~= nil then mt.macro(conn, SMFIC_MAIL, "i", msg.qid) end
	local err = mt.mailfrom(conn, msg.from_env)
	if err ~= nil then error("mailfrom: " .. err) end
	if not mt.test_option(conn, SMFIP_NORCPT) then
		err = mt.rcptto(conn, msg.rcpt or "<user@example.net>")
		if err ~= nil then error("rcptto: " .. err) end
	end
	if not mt.test_option(conn, SMFIP_NODATA) then
		err = mt.data(conn)
		if err ~= nil then error("data: " .. err) end
		if mt.getreply(conn) ~= SMFIR_CONTINUE then error("data: no continue") end
	end
	for _, h in ipairs(msg.headers or {}) do
		err = mt.header(conn, h[1], h[2])
		if err ~= nil then error("header " .. h[1] .. ": " .. err) end
	end
	if not mt.test_option(conn, SMFIP_NOEOH) then
		err = mt.eoh(conn)
		if err ~= nil then error("eoh: " .. err) end
	end
	if not mt.test_option(conn, SMFIP_NOBODY) then
		err = mt.bodystring(conn, msg.body or "test\r\n")
		if err ~= nil then error("body: " .. err) end
	end
	err = mt.eom(conn)
	if err ~= nil then error("eom: " .. err) end
	return mt.getreply(conn)
end

function eg.expect(cond, what)
	if not cond then
		-- miltertest does not print the error() text, so say it first.
		mt.echo("not ok - " .. what)
		error("FAILED: " .. what)
	end
	mt.echo("ok - " .. what)
end

-- The value of the first X-EOPGuard field added, or "" when none.
function eg.header(conn, name)
	return mt.getheader(conn, name or "X-EOPGuard", 0) or ""
end

function eg.contains(s, sub)
	return string.find(s, sub, 1, true) ~= nil
end

-- True when end-of-message set exactly this reply. (miltertest's
-- MT_SMTPREPLY check only works with all three of code, status and text.)
function eg.reply_is(conn, code, status, text)
	return mt.eom_check(conn, MT_SMTPREPLY, code, status, text)
end

-- The reply text eopguard gives for a finding whose predicted NDR is ndr.
function eg.reply_text(finding, ndr, hint)
	return "eopguard: " .. finding .. ": EOP would answer \"" .. ndr .. "\"; " .. hint
end

eg.ATTR36 = "550 5.7.64 Relay Access Denied ATTR36"
eg.NDR512 = "550 5.7.512 Access denied, message must be RFC 5322 section 3.6.2 compliant"

-- The last line of eopguard's log file.
function eg.last_log_line()
	local last = ""
	for line in io.lines(os.getenv("EOPGUARD_LOG")) do last = line end
	return last
end

-- Reply to expect from end-of-message for an accepted message: SMFIR_CONTINUE
-- or SMFIR_ACCEPT, depending on the libmilter version.
function eg.accepted(r)
	return r == SMFIR_CONTINUE or r == SMFIR_ACCEPT
end
