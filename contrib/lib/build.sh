# Out-of-tree build used by contrib/test.sh and contrib/quickstart.sh.
# POSIX sh; source it from the top of the source tree.

# eopguard_build DIR CONFIGURE-ARGS...: autoreconf once, configure and build in DIR.
eopguard_build() {
	dir=$1; shift
	top=$(pwd)
	if [ ! -x "$top/configure" ] || [ "$top/configure.ac" -nt "$top/configure" ] ||
	   [ "$top/Makefile.am" -nt "$top/configure" ]; then
		echo "==> autoreconf"
		autoreconf -fi >/dev/null 2>&1 || { autoreconf -fi; return 1; }
	fi
	mkdir -p "$dir"
	echo "==> configure $* && make (in $dir)"
	(cd "$dir" && "$top/configure" -q "$@" && make -s -j"$(nproc 2>/dev/null || echo 2)") ||
		{ echo "==> build in $dir failed" >&2; return 1; }
}
