#!/bin/bash
# `make repo`: build the source package, build its binary packages in clean chroots of each
# suite (bookworm, trixie) from only the declared Build-Depends, and publish a signed apt
# repository (apt-ftparchive + gpg) with one pool per suite.
#
# usage: tests/packaging/repo.sh [OUT]          (default OUT: build/repo; needs root)
#   NETOOPS_REPO_KEY=FPR   sign with this key of your gpg keyring (GNUPGHOME) instead of the
#                          test key, which is generated once under $NETOOPS_CACHE/pkg/test-key
#   SUITES="bookworm"      only these suites
#   REPO_EXTRA_REFS="REF"  also build these git commits (tests: upgrades), into the suites
#                          REPO_EXTRA_SUITES (default: all)
# Built packages are cached per suite and source content ($NETOOPS_CACHE/pkg/built/).
set -euo pipefail
# shellcheck source=tests/packaging/lib.sh
. "$(dirname "$0")/lib.sh"
OUT=${1:-$BUILD/repo}
case $OUT in /*) ;; *) OUT=$PWD/$OUT ;; esac
[ "$(id -u)" = 0 ] || die "make repo needs root (debootstrap, chroot)"
for t in debootstrap apt-ftparchive gpg dpkg-source; do
	command -v "$t" >/dev/null || die "$t not found: run tests/lib/install-deps.sh"
done
W=$PKG_OUT/repo-work
mkdir -p "$W"

# src_tree DIR [REF]: the source tree, from the working tree (tracked and new files, never build
# output) or from git commit REF.
src_tree() {
	local dir=$1 ref=${2:-}
	rm -rf "$dir"; mkdir -p "$dir"
	if [ -n "$ref" ]; then
		git -C "$REPO" archive "$ref" | tar -x -C "$dir"
	else
		(cd "$REPO" && git ls-files -co --exclude-standard -z | grep -zv '^\.cache/' |
			xargs -0 cp --parents -t "$dir")
	fi
}

# build_suite SUITE DSC: build DSC's binary packages in a fresh SUITE chroot with only the
# Build-Depends apt-get build-dep finds in the .dsc; print the folder of the results (cached).
build_suite() {
	local suite=$1 dsc=$2 key res root
	key=$(cat "${dsc%/*}/content.key")
	res=$PKGC/built/$suite-$(basename "$dsc" .dsc)-$key
	mkdir -p "$PKGC/built"
	(
		flock 9
		[ -e "$res/ok" ] && { touch "$res/ok"; exit 0; }
		root=$W/root-$suite
		log "$suite: building $(basename "$dsc") in a clean chroot (log: $res.log)"
		new_root "$root" "$suite" buildd || exit 1
		mkdir -p "$root/build"
		cp "$dsc" "${dsc%.dsc}".tar.* "$root/build/"
		{
			in_root "$root" "$suite" apt-get update -q &&
			in_root "$root" "$suite" apt-get build-dep -y -q --no-install-recommends \
				"/build/$(basename "$dsc")" &&
			in_root "$root" "$suite" sh -c "cd /build && dpkg-source -x $(basename "$dsc") src &&
				cd src && nice dpkg-buildpackage -b -us -uc"
		} >"$res.log" 2>&1 || { tail -n 30 "$res.log" >&2; rm -rf "$root"; exit 1; }
		rm -rf "$res"; mkdir -p "$res"
		cp "$root"/build/*.deb "$root"/build/*.buildinfo "$res/"
		touch "$res/ok"
		rm -rf "$root"
	) 9>"$res.lock" || return 1
	echo "$res"
}

# source_pkg NAME [REF]: the .dsc of the working tree (or REF), printed; content.key next to it
# names its content (file names and bytes, not times), the key of the binary-package cache
source_pkg() {
	local d=$W/src-$1
	src_tree "$d/netoops" "${2:-}"
	(cd "$d/netoops" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) |
		sha256sum | cut -c1-16 >"$d/content.key"
	(cd "$d" && dpkg-source -q -b netoops >/dev/null) || return 1
	ls "$d"/*.dsc
}

# signing_key: the fingerprint to sign with; the test key is made once (no passphrase, test only).
signing_key() {
	if [ -n "${NETOOPS_REPO_KEY:-}" ]; then
		gpg --batch --list-secret-keys "$NETOOPS_REPO_KEY" >/dev/null 2>&1 ||
			die "NETOOPS_REPO_KEY=$NETOOPS_REPO_KEY: no such secret key in ${GNUPGHOME:-~/.gnupg} (gpg --list-secret-keys)"
		echo "$NETOOPS_REPO_KEY"; return
	fi
	mkdir -p "$GNUPGHOME"; chmod 700 "$GNUPGHOME"
	(
		flock 9
		gpg --batch --list-secret-keys test@netoops.invalid >/dev/null 2>&1 ||
			gpg --batch --quiet --passphrase '' --quick-gen-key \
				'netoops TEST repository key (tests only) <test@netoops.invalid>' ed25519 sign never
	) 9>"$PKGC/test-key.lock" >&2
	gpg --batch --with-colons --list-secret-keys test@netoops.invalid | awk -F: '$1 == "fpr" { print $10; exit }'
}

# publish SUITE DIRS...: pool/SUITE/main, dists/SUITE/{Release,InRelease,Release.gpg}
publish() {
	local suite=$1 d; shift
	mkdir -p "$OUT/pool/$suite/main" "$OUT/dists/$suite/main/binary-amd64"
	for d in "$@"; do
		find "$d" -name '*.deb' ! -name '*-dbgsym_*' -exec cp -t "$OUT/pool/$suite/main/" {} +
	done
	(cd "$OUT" && apt-ftparchive packages "pool/$suite" >"dists/$suite/main/binary-amd64/Packages")
	gzip -9nk "$OUT/dists/$suite/main/binary-amd64/Packages"
	apt-ftparchive -o APT::FTPArchive::Release::Origin=netoops \
		-o APT::FTPArchive::Release::Label=netoops \
		-o APT::FTPArchive::Release::Suite="$suite" -o APT::FTPArchive::Release::Codename="$suite" \
		-o APT::FTPArchive::Release::Architectures="amd64 all" \
		-o APT::FTPArchive::Release::Components=main \
		release "$OUT/dists/$suite" >"$W/Release"
	mv "$W/Release" "$OUT/dists/$suite/Release"
	gpg --batch --yes -u "$FPR" --clearsign -o "$OUT/dists/$suite/InRelease" "$OUT/dists/$suite/Release"
	gpg --batch --yes -u "$FPR" -abs -o "$OUT/dists/$suite/Release.gpg" "$OUT/dists/$suite/Release"
}

[ -n "${NETOOPS_REPO_KEY:-}" ] || export GNUPGHOME=$PKGC/test-key
FPR=$(signing_key)
[ -n "$FPR" ] || die "no signing key"
dscs=$(source_pkg tree) extra=
n=0
for ref in ${REPO_EXTRA_REFS:-}; do
	n=$((n + 1)); extra="$extra $(source_pkg "ref$n" "$ref")"
done
rm -rf "$OUT.new"; mkdir -p "$OUT.new"
real_out=$OUT; OUT=$OUT.new
for suite in $SUITES; do
	dirs=()
	case " ${REPO_EXTRA_SUITES:-$SUITES} " in *" $suite "*) all="$dscs $extra" ;; *) all=$dscs ;; esac
	for dsc in $all; do dirs+=("$(build_suite "$suite" "$dsc")") || die "$suite: build of $(basename "$dsc") failed"; done
	publish "$suite" "${dirs[@]}"
done
gpg --batch --export "$FPR" >"$OUT/netoops-archive-keyring.gpg"
rm -rf "$real_out"; mv "$OUT" "$real_out"
rm -rf "$W"
# builds of other trees not used for two weeks
find "$PKGC/built" -mindepth 2 -maxdepth 2 -name ok -mtime +14 -printf '%h\n' | xargs -r rm -rf
[ -n "${NETOOPS_REPO_KEY:-}" ] || gpgconf --kill gpg-agent
log "repository in $real_out (suites: $SUITES; key $FPR)"
