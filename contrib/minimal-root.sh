#!/bin/sh
# sh contrib/minimal-root.sh [COMMAND]: run a README command in a freshly
# bootstrapped minimal Debian 12 (debootstrap --variant=minbase bookworm,
# nothing else installed), as a newcomer's machine would be. COMMAND is
# "test" (sh contrib/test.sh, the default) or "quickstart".
#
# This catches what a machine that has grown packages over time hides: a
# package the scripts forget to install, a library only some images have.
# .ci/run runs it after the test suite on the CI machine itself.
#
# Needs root, debootstrap (installed when missing), unshare and chroot, and
# the Debian mirror this machine's apt already uses. The root lives under
# /var/tmp, gets private mounts of /proc, /dev, /dev/pts and a tmpfs /run of
# mode 0755 (in a mount namespace of its own, gone when the run ends), and is
# removed at the end; KEEP_ROOT=1 keeps it. Exit status: the command's.
set -eu
cd "$(dirname "$0")/.."
top=$(pwd)
cmd=${1:-test}
case $cmd in
test|quickstart) ;;
*) echo "usage: sh contrib/minimal-root.sh [test|quickstart]" >&2; exit 64 ;;
esac
[ "$(id -u)" -eq 0 ] || { echo "minimal-root: must run as root (debootstrap, chroot, mounts)" >&2; exit 77; }

if ! command -v debootstrap >/dev/null 2>&1; then
	echo "==> minimal-root: installing debootstrap"
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null ||
		{ echo "minimal-root: cannot install debootstrap" >&2; exit 69; }
fi

# The Debian mirror this machine's apt uses: deb822 sources first, then sources.list.
mirror=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
[ -n "$mirror" ] ||
	mirror=$(awk '$1 == "deb" && $3 ~ /^bookworm$/ { print $2; exit }' /etc/apt/sources.list 2>/dev/null || true)
[ -n "$mirror" ] || { echo "minimal-root: no Debian mirror found in this machine's apt sources" >&2; exit 69; }

work=$(mktemp -d /var/tmp/eopguard-minroot.XXXXXX)
root="$work/root"
# remove_root: only when nothing is mounted below it (the mounts live in the
# run's own namespace, so this is a guard, not a step).
remove_root() {
	if [ -n "${KEEP_ROOT:-}" ]; then
		echo "==> minimal-root: kept $root"
		return
	fi
	if grep -q " $work/" /proc/self/mounts; then
		echo "minimal-root: something is still mounted under $work; not removing it" >&2
		return
	fi
	rm -rf "$work"
}
trap remove_root EXIT

echo "==> minimal-root: debootstrap --variant=minbase bookworm into $root (about half a minute)"
started=$(date +%s)
if ! debootstrap --variant=minbase bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1; then
	tail -20 "$work/debootstrap.log"
	echo "not ok - minimal-root: debootstrap failed (log above)"
	exit 1
fi
echo "    done in $(($(date +%s) - started)) s: $(chroot "$root" dpkg-query -W | wc -l) packages"

# The project as it stands in this tree: tracked files and new ones not
# ignored (so uncommitted work is tried too), never build output.
mkdir -p "$root/src/eopguard"
if command -v git >/dev/null 2>&1 && git -C "$top" rev-parse --git-dir >/dev/null 2>&1; then
	git -C "$top" ls-files -z -co --exclude-standard |
		(cd "$top" && xargs -0 tar -cf - --no-recursion) | tar -xf - -C "$root/src/eopguard"
else
	tar -C "$top" --exclude=./_build --exclude=./.git -cf - . | tar -xf - -C "$root/src/eopguard"
fi
cp /etc/resolv.conf "$root/etc/resolv.conf"
# As in any chroot: packages installed inside must not start services.
printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"

case $cmd in
test) run="sh contrib/test.sh" ;;
quickstart) run="sh contrib/quickstart.sh" ;;
esac
echo "==> minimal-root: $run inside it"
# / of the chroot must be a mount point for the tests' own unshare --mount.
set +e
unshare --mount --propagation private sh -c '
	set -e
	r=$1
	mount --bind "$r" "$r"
	mount -t proc proc "$r/proc"
	mount --bind /dev "$r/dev"
	mount --bind /dev/pts "$r/dev/pts"
	mount -t tmpfs -o mode=0755 tmpfs "$r/run"
	exec chroot "$r" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root LANG=C.UTF-8 TERM=dumb CI="${CI:-}" FUZZ_SECONDS="${FUZZ_SECONDS:-5}" \
		sh -c "cd /src/eopguard && $2" </dev/null
' minimal-root "$root" "$run"
rc=$?
set -e
if [ $rc -eq 0 ]; then
	echo "ok - minimal-root: $run passed on a minimal Debian 12"
else
	echo "not ok - minimal-root: $run exited $rc on a minimal Debian 12"
fi
exit $rc
