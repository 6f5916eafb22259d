#!/bin/sh
# Download Debian's linux-source-VER (an architecture-independent package)
# with a private apt configuration whose mirror is the one this machine's
# own apt sources use, and take out its tarball as
# DIR/linux-source-VER.tar.xz.  The suite: SUITE, or the one Debian serves
# VER from (6.1 bookworm, 6.12 trixie, 7.2 sid, 7.3 trixie-backports).
# Nothing is fetched when the tarball is there.
# Usage: fetch-kernel.sh VER DIR
set -eu
ver=$1
dir=$(mkdir -p "$2" && cd "$2" && pwd)
tarball=$dir/linux-source-$ver.tar.xz
[ -f "$tarball" ] && exit 0

case $ver in
6.1) suite=bookworm ;;
6.12) suite=trixie ;;
7.2) suite=sid ;;
7.3) suite=trixie-backports ;;
*) suite= ;;
esac
suite=${SUITE:-$suite}
[ -n "$suite" ] || { echo "fetch-kernel: which suite serves linux-source-$ver? Set SUITE" >&2; exit 1; }

mirror=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
	 sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*\/debian\)\/\{0,1\}$/\1/p' | head -n 1)
[ -n "$mirror" ] || mirror=$(sed -n 's/^deb[[:space:]]\{1,\}\(\[[^]]*\][[:space:]]*\)\{0,1\}\([^[:space:]]*\/debian\)\/\{0,1\}[[:space:]].*/\2/p' \
	/etc/apt/sources.list 2>/dev/null | head -n 1)
[ -n "$mirror" ] || { echo "fetch-kernel: no Debian mirror found in this machine's apt sources" >&2; exit 1; }

apt=$dir/apt-$suite
mkdir -p "$apt/state/lists/partial" "$apt/cache/archives/partial" "$apt/etc/preferences.d" "$dir/debs"
opts="-o Dir::Etc::SourceList=$apt/etc/sources.list -o Dir::Etc::SourceParts=/dev/null
      -o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts=$apt/etc/preferences.d
      -o Dir::State=$apt/state -o Dir::State::status=/dev/null -o Dir::Cache=$apt/cache
      -o Debug::NoLocking=1 -o Acquire::Retries=3 -o APT::Sandbox::User=root"

echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite main" \
	> "$apt/etc/sources.list"
# shellcheck disable=SC2086
if ! apt-get -q $opts update > "$apt/update.log" 2>&1 || grep -q '^E:' "$apt/update.log"; then
	cat "$apt/update.log" >&2
	exit 1
fi
cd "$dir/debs"
if ! ls linux-source-"$ver"_*_all.deb >/dev/null 2>&1; then
	# shellcheck disable=SC2086
	apt-get -q $opts download "linux-source-$ver" >/dev/null
fi
# The last in glob order, should a second version have been fetched.
for deb in linux-source-"$ver"_*_all.deb; do :; done

# The .deb holds /usr/src/linux-source-VER.tar.xz.
rm -rf "$dir/unpack-$ver"
dpkg-deb -x "$deb" "$dir/unpack-$ver"
[ -f "$dir/unpack-$ver/usr/src/linux-source-$ver.tar.xz" ] ||
	{ echo "fetch-kernel: $deb holds no linux-source-$ver.tar.xz" >&2; exit 1; }
mv "$dir/unpack-$ver/usr/src/linux-source-$ver.tar.xz" "$tarball"
rm -rf "$dir/unpack-$ver"
echo "fetch-kernel: $tarball (from $deb)"
