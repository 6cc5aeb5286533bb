# The Debian package step of contrib/test.sh: build eopguard_<version>_<arch>.deb
# with dpkg-buildpackage from a copy of the tree, lintian it, install it
# (dpkg -i, then apt-get -f install for its dependencies), run the installed
# daemon with the installed configuration through a private Postfix
# (tests/package/installed.sh), then remove and purge it and list what is
# left. POSIX sh; source it, then call package_test DIR; it prints ok/not ok
# lines and adds to $passed/$failed through step_check/step_fail.

# package_left_over LIST: the files of LIST (and /etc/eopguard) that still exist; status 0.
package_left_over() {
	while IFS= read -r f; do
		if [ -e "$f" ]; then echo "$f"; fi
	done < "$1"
	if [ -e /etc/eopguard ]; then echo /etc/eopguard; fi
	return 0
}

# package_test DIR: the whole step, building in DIR. Safe under set -e:
# every outcome is a counted check, never an exit.
package_test() {
	pkg_dir=$1
	rm -rf "$pkg_dir"
	mkdir -p "$pkg_dir/src"
	if command -v git >/dev/null 2>&1 && git rev-parse --git-dir >/dev/null 2>&1; then
		git ls-files -z -co --exclude-standard | xargs -0 tar -cf - --no-recursion | tar -xf - -C "$pkg_dir/src"
	else
		tar --exclude=./_build --exclude=./.git -cf - . | tar -xf - -C "$pkg_dir/src"
	fi
	echo "    dpkg-buildpackage -us -uc -b (in $pkg_dir/src)"
	if ! (cd "$pkg_dir/src" && dpkg-buildpackage -us -uc -b >"$pkg_dir/build.log" 2>&1); then
		tail -30 "$pkg_dir/build.log"
		step_fail "dpkg-buildpackage -us -uc -b builds the package (log: $pkg_dir/build.log)"
		return 0
	fi
	deb=$(ls "$pkg_dir"/eopguard_*_*.deb 2>/dev/null | head -1 || true)
	step_check "dpkg-buildpackage built $(basename "${deb:-nothing}")" test -n "${deb:-}"
	[ -n "${deb:-}" ] || return 0
	lintian --allow-root "$deb" >"$pkg_dir/lintian.out" 2>&1 || true
	step_check "lintian: no error and no warning (overrides carry their reason)" \
		sh -c "! grep -E '^(E|W): ' '$pkg_dir/lintian.out'"
	grep -E '^(E|W|I): ' "$pkg_dir/lintian.out" | sed 's/^/    lintian: /' || true
	dpkg --purge eopguard >/dev/null 2>&1 || true   # a package left by an earlier run
	export DEBIAN_FRONTEND=noninteractive
	if ! dpkg -i "$deb" >"$pkg_dir/install.log" 2>&1; then
		apt-get -f install -y -qq >>"$pkg_dir/install.log" 2>&1 || true
	fi
	step_check "dpkg -i installs it (apt-get -f install for what it depends on)" \
		sh -c "dpkg-query -W -f='\${Status}' eopguard | grep -q 'install ok installed'"
	step_check "postinst prints the two postconf lines instead of editing Postfix" \
		grep -q "postconf -e 'smtpd_milters = unix:/run/eopguard/eopguard.sock'" "$pkg_dir/install.log"
	step_check "/etc/eopguard/eopguard.conf is a conffile" sh -c "dpkg-query -W -f='\${Conffiles}' eopguard | grep -q /etc/eopguard/eopguard.conf"
	dpkg -L eopguard | while IFS= read -r f; do if [ -f "$f" ]; then echo "$f"; fi; done > "$pkg_dir/files" || true
	if (top_srcdir=$(pwd) sh tests/package/installed.sh >"$pkg_dir/installed.log" 2>&1); then
		step_check "the installed daemon with the installed configuration passes mail ($(tail -1 "$pkg_dir/installed.log"))" true
	else
		sed 's/^/    | /' "$pkg_dir/installed.log" | tail -30
		step_fail "the installed daemon with the installed configuration passes mail (tests/package/installed.sh)"
	fi
	dpkg --remove eopguard >"$pkg_dir/remove.log" 2>&1 || true
	step_check "dpkg --remove: the programs are gone" sh -c "[ ! -e /usr/sbin/eopguard ] && [ ! -e /usr/bin/eopguardctl ]"
	dpkg --purge eopguard >>"$pkg_dir/remove.log" 2>&1 || true
	left=$(package_left_over "$pkg_dir/files")
	step_check "dpkg --purge leaves no file behind${left:+ (left: $left)}" test -z "$left"
	step_check "dpkg --purge removes the eopguard user" sh -c "! getent passwd eopguard"
}
