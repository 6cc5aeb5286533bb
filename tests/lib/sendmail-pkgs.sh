# Fetches Debian's sendmail for tests/integration/sendmail.sh without
# installing it (it conflicts with postfix): apt-get download, then dpkg -x
# into a private root. What the binaries need is resolved from the packages'
# own Depends: every dependency not installed on this machine is fetched and
# unpacked as well, recursively; then ldd proves that nothing is missing.
# POSIX sh; source it.

# sendmail_pkg_installed NAME: true when package NAME is installed here.
sendmail_pkg_installed() {
	dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null | grep -q '^install ok installed$'
}

# sendmail_deps DEB: the dependencies of a .deb, one per line, each line
# the alternatives of one dependency separated by spaces, without versions
# or architecture qualifiers.
sendmail_deps() {
	dpkg-deb -f "$1" Pre-Depends Depends | sed 's/^[A-Za-z-]*: //' | tr ',' '\n' |
		sed -e 's/([^)]*)//g' -e 's/:[a-z0-9]*//g' -e 's/|/ /g' -e 's/^ *//' -e 's/ *$//' -e 's/  */ /g' |
		grep -v '^$'
}

# sendmail_fetch DIR: fetch sendmail-bin, sendmail-cf and what they need
# into DIR/debs and unpack them into DIR/root. Prints a line per stage.
sendmail_fetch() {
	sm_dir=$1
	rm -rf "$sm_dir/root" "$sm_dir/debs"
	mkdir -p "$sm_dir/debs" "$sm_dir/root" || return 1
	sm_want="sendmail-bin sendmail-cf"
	sm_seen=" "
	while [ -n "$sm_want" ]; do
		sm_next=
		for sm_p in $sm_want; do
			case $sm_seen in *" $sm_p "*) continue ;; esac
			sm_seen="$sm_seen$sm_p "
			echo "# sendmail: apt-get download $sm_p"
			if ! (cd "$sm_dir/debs" && apt-get download "$sm_p" >/dev/null 2>&1); then
				apt-get update -qq >/dev/null 2>&1
				(cd "$sm_dir/debs" && apt-get download "$sm_p" >/dev/null 2>&1) ||
					{ echo "# sendmail: apt-get download $sm_p failed (no access to Debian's archive?)"; return 1; }
			fi
			sm_deb=$(ls "$sm_dir/debs/${sm_p}_"*.deb 2>/dev/null | head -1)
			[ -n "$sm_deb" ] || { echo "# sendmail: no .deb for $sm_p after apt-get download"; return 1; }
			sm_deps=$(sendmail_deps "$sm_deb")
			sm_old_ifs=$IFS
			IFS='
'
			for sm_alts in $sm_deps; do
				IFS=$sm_old_ifs
				sm_have=false
				for sm_a in $sm_alts; do
					sendmail_pkg_installed "$sm_a" && sm_have=true && break
					case $sm_seen in *" $sm_a "*) sm_have=true; break ;; esac
				done
				$sm_have || sm_next="$sm_next $(sendmail_first_real $sm_alts)"
			done
			IFS=$sm_old_ifs
		done
		sm_want=$sm_next
	done
	for sm_deb in "$sm_dir"/debs/*.deb; do
		dpkg -x "$sm_deb" "$sm_dir/root" || { echo "# sendmail: dpkg -x $sm_deb failed"; return 1; }
	done
	echo "# sendmail: unpacked $(ls "$sm_dir"/debs | wc -l) packages into $sm_dir/root"
}

# sendmail_first_real ALTERNATIVE...: the first that is a real package
# (not purely virtual), or the first when none is known.
sendmail_first_real() {
	for sm_r in "$@"; do
		apt-cache show "$sm_r" >/dev/null 2>&1 && { echo "$sm_r"; return 0; }
	done
	echo "$1"
}

# sendmail_missing_libs DIR: print what the unpacked sendmail binary cannot
# find among this machine's libraries and DIR/root's (ldd's "not found").
sendmail_missing_libs() {
	LD_LIBRARY_PATH=$(sendmail_libpath "$1") ldd "$1/root/usr/libexec/sendmail/sendmail" 2>&1 | sed -n 's/^[[:space:]]*\([^ ]*\) => not found.*/\1/p'
}

# sendmail_libpath DIR: the LD_LIBRARY_PATH that makes the unpacked libraries visible.
sendmail_libpath() {
	sm_ma=$(gcc -print-multiarch 2>/dev/null)
	echo "$1/root/usr/lib/${sm_ma:-x86_64-linux-gnu}:$1/root/lib/${sm_ma:-x86_64-linux-gnu}"
}
