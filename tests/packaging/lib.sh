# Shared by the packaging tests and `make repo` (sourced): paths, the cache, cached Debian
# chroots of each suite, result counting.
# shellcheck shell=bash
# shellcheck disable=SC2034  # CACHE, VERSION, KVER_61: for the scripts that source this file
PKG_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$PKG_DIR/../.." && pwd)
CACHE=${NETOOPS_CACHE:-$REPO/.cache}
PKGC=$CACHE/pkg			# chroot tarballs and downloaded .debs, shared by every run
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$REPO/$BUILD ;; esac
# one directory per run: runs (make check, a developer) may overlap
mkdir -p "$BUILD/pkg"
PKG_OUT=${PKG_OUT:-$(mktemp -d "$BUILD/pkg/run.XXXXXX")}
export PKG_OUT
# shellcheck disable=SC2034 # used by the scripts that source this
VERSION=$(dpkg-parsechangelog -l "$REPO/debian/changelog" -S Version)
# The suites the repository serves: bookworm (Debian 12) and trixie (Debian 13, t64 names).
SUITES=${SUITES:-bookworm trixie}

log() { printf '[pkg %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { printf 'packaging: error: %s\n' "$*" >&2; exit 1; }

passed=0 failed=0
# check NAME COMMAND...: one assertion, counted and printed.
check() {
	local name=$1; shift
	if "$@" >"$PKG_OUT/check.out" 2>&1; then
		echo "PASS packaging/$name"; passed=$((passed + 1))
	else
		echo "FAIL packaging/$name"; sed 's/^/    /' "$PKG_OUT/check.out" | tail -n 20
		failed=$((failed + 1))
	fi
}

# The Debian archive the host already uses, so that no other mirror is ever contacted.
archive_uri() {
	local u
	u=$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }' \
		/etc/apt/sources.list.d/debian.sources 2>/dev/null)
	echo "${u:-http://deb.debian.org/debian}"
}

# base_tar SUITE VARIANT: print the cached debootstrap tarball of SUITE (minbase: install
# tests; buildd: build chroots), making it once. Locked: parallel runs wait for one debootstrap.
base_tar() {
	local suite=$1 variant=$2 tar tmp uri
	tar=$PKGC/$suite-$variant.tar
	mkdir -p "$PKGC"
	(
		flock 9
		[ -s "$tar" ] && exit 0
		uri=$(archive_uri)
		tmp=$(mktemp -d "$PKGC/debootstrap.XXXXXX")
		log "debootstrap --variant=$variant $suite from $uri (once; cached in $tar)"
		nice debootstrap --variant="$variant" "$suite" "$tmp" "$uri" >"$tmp.log" 2>&1 ||
			{ tail -n 20 "$tmp.log" >&2; rm -rf "$tmp" "$tmp.log"; exit 1; }
		rm -f "$tmp"/var/cache/apt/archives/*.deb	# debootstrap's downloads: not in the tarball
		tar -C "$tmp" -cf "$tar.tmp" . && mv "$tar.tmp" "$tar"
		rm -rf "$tmp" "$tmp.log"
	) 9>"$PKGC/$suite-$variant.lock" || return 1
	echo "$tar"
}

# new_root DIR SUITE VARIANT: a fresh chroot of SUITE in DIR, daemons kept from starting.
new_root() {
	local dir=$1 tar
	tar=$(base_tar "$2" "$3") || return 1
	rm -rf "$dir"; mkdir -p "$dir"
	tar -C "$dir" -xf "$tar"
	cp /etc/resolv.conf "$dir/etc/resolv.conf" 2>/dev/null
	printf '#!/bin/sh\nexit 101\n' >"$dir/usr/sbin/policy-rc.d"; chmod 755 "$dir/usr/sbin/policy-rc.d"
}

# in_root DIR SUITE CMD...: run in the chroot DIR with /proc, and SUITE's apt cache shared
# across runs, in a private mount namespace so nothing stays mounted whatever happens.
in_root() {
	local dir=$1 suite=$2; shift 2
	mkdir -p "$PKGC/archives-$suite/partial"
	unshare --mount --propagation private -- sh -c '
		mount -t proc proc "$0/proc" &&
		mount --bind "$1" "$0/var/cache/apt/archives" && shift &&
		exec chroot "$0" "$@"' "$dir" "$PKGC/archives-$suite" \
		env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C DEBIAN_FRONTEND=noninteractive "$@"
}

# free_port: an unused loopback port (the same helper the other suites use).
# shellcheck source=tests/lib/ports.sh
. "$REPO/tests/lib/ports.sh"
