# Shared by the packaging tests (sourced): paths, the cache, result counting.
# shellcheck shell=bash
# shellcheck disable=SC2034  # CACHE, VERSION, KVER_61: for the scripts that source this file
PKG_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$PKG_DIR/../.." && pwd)
CACHE=${NETOOPS_CACHE:-$REPO/.cache}
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$REPO/$BUILD ;; esac
# one directory per run: runs (make check, a developer) may overlap
mkdir -p "$BUILD/pkg"
PKG_OUT=${PKG_OUT:-$(mktemp -d "$BUILD/pkg/run.XXXXXX")}
export PKG_OUT
VERSION=$(dpkg-parsechangelog -l "$REPO/debian/changelog" -S Version)
KVER_61=$(cd /usr/src && ls -d linux-headers-6.1.*-amd64 2>/dev/null | sed 's/^linux-headers-//' | sort -V | tail -n 1)

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
