#!/bin/sh
# eopguardctl review --html: one self-contained page, checked in a real
# headless browser (Debian's chromium): the DOM it renders must hold the
# causes table and the chart's bars; a screenshot is kept beside the test
# log (tests/integration/review-html.png in the build tree). The log has
# causes over several hours and hostile text that must arrive escaped.
. "$top_srcdir/tests/lib/common.sh"
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
[ -n "$CHROMIUM" ] || die "chromium is not installed; run sh contrib/test.sh (it installs it)"
T_DIR=$(mktemp -d "${TMPDIR:-/tmp}/eopguard-html.XXXXXX") || die "mktemp"
trap 'rm -rf "$T_DIR"' EXIT
CTL="$top_builddir/eopguardctl"

# A day of a relay's log: refusals in three hours, one deferral later, a bounce with hostile text.
i=0
{
	for h in 08 08 08 09 09 11; do
		i=$((i + 1))
		q=$(printf 'A%04dQ' $i)
		echo "Nov 30 $h:10:0$((i % 10)) relay postfix/qmgr[5]: $q: from=<app$i@contoso.test>, size=300, nrcpt=1 (queue active)"
		echo "Nov 30 $h:10:0$((i % 10)) relay postfix/smtp[6]: $q: to=<u$i@fabrikam.example>, relay=contoso-test.mail.protection.outlook.com[52.101.1.1]:25, delay=1, delays=0/0/0/1, dsn=5.7.64, status=bounced (host contoso-test.mail.protection.outlook.com[52.101.1.1] said: 550 5.7.64 TenantAttribution; Relay Access Denied (in reply to end of DATA command))"
		echo "Nov 30 $h:10:0$((i % 10)) relay postfix/qmgr[5]: $q: removed"
	done
	echo "Nov 30 10:20:00 relay postfix/qmgr[5]: B0001Q: from=<erp@contoso.test>, size=300, nrcpt=1 (queue active)"
	echo "Nov 30 10:20:00 relay postfix/smtp[6]: B0001Q: to=<x@fabrikam.example>, relay=contoso-test.mail.protection.outlook.com[52.101.1.1]:25, delay=1, delays=0/0/0/1, dsn=4.4.62, status=deferred (host contoso-test.mail.protection.outlook.com[52.101.1.1] said: 451 4.4.62 Mail sent to the wrong Office 365 region. ATTR35 (in reply to end of DATA command))"
	echo "Nov 30 12:00:00 relay postfix/qmgr[5]: C0001Q: from=<evil<script>alert(1)</script>@x.example>, size=300, nrcpt=1 (queue active)"
	echo "Nov 30 12:00:00 relay postfix/smtp[6]: C0001Q: to=<\"><img src=x onerror=alert(2)>@y.example>, relay=mx.y.example[192.0.2.5]:25, delay=1, delays=0/0/0/1, dsn=5.0.0, status=bounced (host mx.y.example[192.0.2.5] said: 550 5.0.0 <script>alert(3)</script> & \"quoted\" (in reply to end of DATA command))"
} > "$T_DIR/mail.log"

"$CTL" review --html "$T_DIR/report.html" "$T_DIR/mail.log" > "$T_DIR/report.txt" 2>&1
rc=$?
t_check "review --html: exit 0 (got $rc)" test $rc -eq 0
t_grep "the text report still goes to standard output" "bounced 5.7.64: 550 5.7.64 TenantAttribution; Relay Access Denied" "$T_DIR/report.txt"
t_check "the page is self-contained: no script, no external source or link" sh -c "! grep -Eiq '<script|<[^>]*(src|href)=|@import|url\(' '$T_DIR/report.html'"
t_grep "hostile text is escaped in the page" '&lt;script&gt;alert(3)&lt;/script&gt; &amp; \&quot;quoted\&quot;' "$T_DIR/report.html"

# The browser's view: the DOM after parsing and layout.
BROWSER="$CHROMIUM --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run --user-data-dir=$T_DIR/profile"
timeout 120 $BROWSER --dump-dom "file://$T_DIR/report.html" > "$T_DIR/dom.html" 2>"$T_DIR/browser.err"
rc=$?
t_check "chromium rendered the page (exit $rc)" test $rc -eq 0 -a -s "$T_DIR/dom.html"
rows=$(grep -o '<tr class="cause">' "$T_DIR/dom.html" | wc -l)
t_check "the rendered causes table has the 3 causes ($rows rows)" test "$rows" -eq 3
t_check "the table is headed" grep -q '<th>status</th><th>code</th><th>reply</th>' "$T_DIR/dom.html"
bars=$(grep -o '<rect class="bar"' "$T_DIR/dom.html" | wc -l)
t_check "the chart has a bar per cause and hour with mail (5: 08, 09, 10, 11, 12 o'clock; got $bars)" test "$bars" -eq 5
t_check "the 08:00 bar holds the three refusals of that hour" grep -q 'data-bucket="[0-9-]*T08:00:00Z" data-count="3"' "$T_DIR/dom.html"
t_check "the legend names the causes" grep -q 'bounced 5.7.64' "$T_DIR/dom.html"
t_check "the browser made no script element out of the hostile text" sh -c "! grep -qi '<script' '$T_DIR/dom.html'"
t_check "... nor an img element" sh -c "! grep -qi '<img' '$T_DIR/dom.html'"
shot="$top_builddir/tests/integration/review-html.png"
mkdir -p "$(dirname "$shot")"
rm -f "$shot"
timeout 120 $BROWSER --screenshot="$shot" --window-size=1100,900 "file://$T_DIR/report.html" >/dev/null 2>>"$T_DIR/browser.err"
t_check "a screenshot of the page is kept: $shot" sh -c "[ \$(wc -c < '$shot') -gt 5000 ] && head -c 8 '$shot' | od -An -c | grep -q 'P   N   G'"

"$CTL" review --html "$T_DIR/no/such/dir/report.html" "$T_DIR/mail.log" > /dev/null 2> "$T_DIR/err"
rc=$?
t_check "an unwritable page: exit 74 (got $rc)" test $rc -eq 74
t_grep "... saying why" "eopguardctl review: --html $T_DIR/no/such/dir/report.html: No such file or directory" "$T_DIR/err"
"$CTL" review --html - "$T_DIR/mail.log" > "$T_DIR/stdout.html" 2>&1
t_check "--html - writes the page to standard output instead of the report" grep -q '^<!DOCTYPE html>' "$T_DIR/stdout.html"
t_done
