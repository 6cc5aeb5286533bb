# Installs the Debian 12 packages eopguard needs to build, test and run the
# quickstart, if they are missing. POSIX sh; source it, then call deps_install.
# Idempotent: does nothing (and needs no network) when all are present.

EOPGUARD_DEPS="gcc make autoconf automake pkg-config libmilter-dev libconfuse-dev libssl-dev \
zlib1g-dev libjson-c-dev libsystemd-dev systemd-journal-remote libcmocka-dev miltertest postfix swaks openssl iproute2 procps bsdutils valgrind \
clang libclang-rt-14-dev m4 util-linux man-db python3-prometheus-client postfix-pcre chromium build-essential debhelper lintian dpkg-dev fakeroot"

# deps_missing: print the packages from $EOPGUARD_DEPS that are not installed.
deps_missing() {
	for p in $EOPGUARD_DEPS; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || echo "$p"
	done
}

deps_install() {
	missing=$(deps_missing | tr '\n' ' ')
	[ -z "${missing% }" ] && return 0
	if [ "$(id -u)" -ne 0 ]; then
		echo "eopguard: missing Debian packages: $missing" >&2
		echo "eopguard: run this script as root, or: apt-get install $missing" >&2
		return 1
	fi
	n=$(echo $missing | wc -w)
	echo "==> installing $n missing Debian packages with apt-get (this may take a minute or two):"
	echo "    $missing"
	export DEBIAN_FRONTEND=noninteractive
	# Postfix must not configure or start the system instance: tests and the
	# quickstart run private instances of their own.
	echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
	echo "    apt-get update"
	apt-get update -qq || { echo "eopguard: apt-get update failed" >&2; return 1; }
	echo "    apt-get install (downloading and unpacking; quiet until done)"
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null ||
		{ echo "eopguard: apt-get install $missing failed" >&2; return 1; }
	echo "    installed"
}
