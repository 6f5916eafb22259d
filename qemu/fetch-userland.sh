#!/bin/sh
# Download riscv64 Debian packages for the guest (default: busybox-static)
# into DIR/debs, with a private apt configuration whose mirror is the one
# this machine's own apt sources use.  --deps adds every package they
# depend on.  Usage: fetch-userland.sh DIR [--deps] [PKG...]
set -eu
dir=$(mkdir -p "$1" && cd "$1" && pwd)
shift
deps=
if [ "${1:-}" = --deps ]; then
	deps=1
	shift
fi
[ $# -gt 0 ] || set -- busybox-static
# trixie; its alias "stable" is tried too, since a mirror can serve one
# of the two names mid-sync.
suites=${GUEST_SUITES:-trixie stable}

mirror=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
	 sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*\/debian\)\/\{0,1\}$/\1/p' | head -n 1)
[ -n "$mirror" ] || mirror=$(sed -n 's/^deb[[:space:]]\{1,\}\(\[[^]]*\][[:space:]]*\)\{0,1\}\([^[:space:]]*\/debian\)\/\{0,1\}[[:space:]].*/\2/p' \
	/etc/apt/sources.list 2>/dev/null | head -n 1)
[ -n "$mirror" ] || { echo "fetch-userland: no Debian mirror found in this machine's apt sources" >&2; exit 1; }

apt=$dir/apt
mkdir -p "$apt/state/lists/partial" "$apt/cache/archives/partial" "$apt/etc/preferences.d" "$dir/debs"
opts="-o Dir::Etc::SourceList=$apt/etc/sources.list -o Dir::Etc::SourceParts=/dev/null
      -o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts=$apt/etc/preferences.d
      -o Dir::State=$apt/state -o Dir::State::status=/dev/null -o Dir::Cache=$apt/cache
      -o APT::Architecture=riscv64 -o APT::Architectures=riscv64 -o Debug::NoLocking=1
      -o Acquire::Retries=3 -o APT::Sandbox::User=root"

if [ ! -f "$apt/updated" ] || [ -n "$(find "$apt/updated" -mtime +1)" ]; then
	ok=
	for suite in $suites; do
		echo "deb [arch=riscv64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $suite main" \
			> "$apt/etc/sources.list"
		# shellcheck disable=SC2086
		if apt-get -q $opts update > "$apt/update.log" 2>&1 &&
		   ! grep -q '^E:' "$apt/update.log"; then
			ok=1
			break
		fi
	done
	[ -n "$ok" ] || { cat "$apt/update.log" >&2; exit 1; }
	touch "$apt/updated"
fi
if [ -n "$deps" ]; then
	# shellcheck disable=SC2086,SC2046
	set -- $(apt-cache $opts depends --recurse --no-recommends --no-suggests \
		--no-conflicts --no-breaks --no-replaces --no-enhances "$@" |
		grep -v '^[ <]' | sort -u)
fi
cd "$dir/debs"
for pkg in "$@"; do
	ls "${pkg}"_*_riscv64.deb >/dev/null 2>&1 && continue
	# shellcheck disable=SC2086
	apt-get -q $opts download "$pkg:riscv64" >/dev/null
done
