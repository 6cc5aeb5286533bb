#!/bin/sh
# bench/review.sh [SIZE_MB]: how fast eopguardctl review reads a big Postfix
# log, side by side with pflogsumm and with "grep -c status=deferred" (the
# I/O floor), on the same generated file, warm cache. Prints MB/s, ratios
# and peak RSS of each, and the deferred/bounced counts each reports.
# Needs: a built tree (_build/main), pflogsumm and GNU time (installed if
# missing and run as root). Default size 1024 MB. Nothing is asserted.
set -eu
cd "$(dirname "$0")/.."
size_mb=${1:-1024}
ctl=${EOPGUARDCTL:-_build/main/eopguardctl}
[ -x "$ctl" ] || { echo "build first: sh contrib/test.sh (or configure && make in _build/main)"; exit 1; }
need=""
command -v pflogsumm >/dev/null 2>&1 || need="$need pflogsumm"
[ -x /usr/bin/time ] || need="$need time"
if [ -n "$need" ]; then
	[ "$(id -u)" -eq 0 ] || { echo "missing:$need (apt-get install$need)"; exit 1; }
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >/dev/null
fi
dir=${BENCH_DIR:-/tmp/eopguard-bench}
mkdir -p "$dir"
log="$dir/maillog-${size_mb}M"

if [ ! -s "$log" ]; then
	echo "==> generating a ${size_mb} MB Postfix log in $log"
	# A day of relay traffic: most mail sent, some deferred by EOP (ATTR35,
	# TLS), some bounced (5.7.64 variants, 5.7.512, recipients), milter
	# refusals and holds, eopguard verdict lines, and noise from other daemons.
	awk -v target=$((size_mb * 1024 * 1024)) 'BEGIN {
		srand(42); bytes = 0; n = 0
		mon = "Nov"; split("app1.contoso.com[10.0.0.5] scanner.contoso.com[10.0.0.9] erp.contoso.com[10.0.0.7] exch01.contoso.com[10.0.1.2]", hosts, " ")
		split("contoso.com eu.contoso.com erp.internal scan.local fabrikam.example", sdoms, " ")
		r1 = "550 5.7.64 TenantAttribution; Relay Access Denied [DB5EUR03FT012.eop-EUR03.prod.protection.outlook.com 2026-11-23T10:00:01.000Z 08DC]"
		r2 = "550 5.7.64 Relay Access Denied ATTR36 [AM4PR0501MB2209.eurprd05.prod.outlook.com]"
		r3 = "451 4.4.62 Mail sent to the wrong Office 365 region. ATTR35. For more information please go to  https://go.microsoft.com/fwlink/?linkid=865268"
		r4 = "454 4.7.0 Failed to establish appropriate TLS channel: CertificateExpired: Access Denied"
		r5 = "550 5.7.512 Access denied, message must be RFC 5322 section 3.6.2 compliant"
		r6 = "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup"
		while (bytes < target) {
			n++; t = n * 86400 / 8000000; h = int(t / 3600) % 24; m = int(t / 60) % 60; s = int(t) % 60
			d = 1 + int(n / 8000000) % 28
			ts = sprintf("%s %2d %02d:%02d:%02d relay", mon, d, h, m, s)
			q = sprintf("%X%05X", 4096 + n % 61000, n)
			host = hosts[1 + n % 4]; sd = sdoms[1 + (n * 7) % 5]; from = "user" (n % 97) "@" sd
			out = ts " postfix/smtpd[" (1000 + n % 50) "]: " q ": client=" host "\n"
			out = out ts " postfix/cleanup[" (2000 + n % 20) "]: " q ": message-id=<" n "@" sd ">\n"
			x = n % 1000
			if (x < 3) {
				out = out ts " eopguard[900]: " q ": verdict=fail action=defer findings=sender-not-accepted sender=<" from "> from=" sd " predicted=\"550 5.7.64 Relay Access Denied ATTR36\"\n"
				out = out ts " postfix/cleanup[" (2000 + n % 20) "]: " q ": milter-reject: END-OF-MESSAGE from " host ": 4.7.64 eopguard: sender-not-accepted: EOP would answer \"550 5.7.64 Relay Access Denied ATTR36\"; envelope sender domain " sd " is not an accepted domain; from=<" from "> to=<r" n "@fabrikam.example> proto=ESMTP helo=<app>\n"
			} else if (x < 4) {
				out = out ts " eopguard[900]: " q ": verdict=fail action=quarantine findings=null-sender sender=<> from=contoso.com predicted=\"550 5.7.64 Relay Access Denied ATTR36\"\n"
				out = out ts " postfix/cleanup[" (2000 + n % 20) "]: " q ": milter-hold: END-OF-MESSAGE from " host ": milter triggers HOLD action; from=<> to=<r" n "@fabrikam.example> proto=ESMTP helo=<app>\n"
			} else {
				out = out ts " eopguard[900]: " q ": verdict=pass action=accept findings=- sender=<" from "> from=" sd " predicted=-\n"
				out = out ts " postfix/qmgr[3000]: " q ": from=<" from ">, size=" (2000 + n % 5000) ", nrcpt=1 (queue active)\n"
				rcpt = "r" (n % 5000) "@fabrikam.example"
				pre = ts " postfix/smtp[" (4000 + n % 30) "]: " q ": to=<" rcpt ">, relay=contoso-com.mail.protection.outlook.com[52.101.68." (n % 250) "]:25, delay=0.8, delays=0.1/0/0.3/0.4, "
				if (x < 20) out = out pre "dsn=5.7.64, status=bounced (host contoso-com.mail.protection.outlook.com[52.101.68.1] said: " (x < 12 ? r1 : r2) " (in reply to RCPT TO command))\n"
				else if (x < 24) out = out pre "dsn=5.7.512, status=bounced (host contoso-com.mail.protection.outlook.com[52.101.68.1] said: " r5 " (in reply to end of DATA command))\n"
				else if (x < 27) out = out pre "dsn=5.1.10, status=bounced (host contoso-com.mail.protection.outlook.com[52.101.68.1] said: " r6 " (in reply to RCPT TO command))\n"
				else if (x < 60) out = out pre "dsn=4.4.62, status=deferred (host contoso-com.mail.protection.outlook.com[52.101.68.1] said: " (x < 45 ? r3 : r4) " (in reply to RCPT TO command))\n"
				else out = out pre "dsn=2.0.0, status=sent (250 2.0.0 OK <" n "@" sd "> [Hostname=DB5PR04MB0001.eurprd04.prod.outlook.com])\n"
				if (x >= 60 || x < 27) out = out ts " postfix/qmgr[3000]: " q ": removed\n"
			}
			if (n % 7 == 0) out = out ts " dovecot: imap-login: Login: user=<u" n ">, method=PLAIN, rip=10.0.2." (n % 250) ", lip=10.0.0.1, TLS\n"
			if (n % 11 == 0) out = out ts " postfix/smtpd[" (1000 + n % 50) "]: disconnect from " host " ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5\n"
			printf "%s", out; bytes += length(out)
		}
	}' > "$log"
fi
mb=$(( $(stat -c %s "$log") / 1048576 ))
cat "$log" > /dev/null   # warm the cache

# run NAME command...: wall seconds and peak RSS (KB) via GNU time.
run() {
	name=$1; shift
	/usr/bin/time -f "%e %M" -o "$dir/$name.time" "$@" > "$dir/$name.out" 2>/dev/null || true
	set -- $(tail -1 "$dir/$name.time")
	eval "${name}_s=$1 ${name}_kb=$2"
}
echo "==> timing on $log ($mb MB)"
run grep grep -c status=deferred "$log"
run review "$ctl" review --json "$log"
run pflogsumm pflogsumm --problems-first "$log"

rate() { awk -v mb="$mb" -v s="$1" 'BEGIN { printf "%.0f", (s > 0 ? mb / s : 0) }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }'; }
printf '\n%-28s %10s %10s %12s\n' "tool" "seconds" "MB/s" "peak RSS MB"
for t in grep review pflogsumm; do
	eval "s=\$${t}_s kb=\$${t}_kb"
	printf '%-28s %10s %10s %12s\n' "$t" "$s" "$(rate "$s")" "$((kb / 1024))"
done
echo
echo "review vs pflogsumm: $(ratio "$pflogsumm_s" "$review_s")x faster"
echo "review vs grep -c:   $(ratio "$review_s" "$grep_s")x the time of the I/O floor"
echo
echo "counts:"
echo "  grep -c status=deferred (events): $(cat "$dir/grep.out")"
sed -n 's/.*"totals":{\([^}]*\)}.*/  review totals: \1/p' "$dir/review.out" | head -1
grep -E '^ +[0-9]+ +(deferred|bounced)' "$dir/pflogsumm.out" | sed 's/^ */  pflogsumm: /' | head -4
