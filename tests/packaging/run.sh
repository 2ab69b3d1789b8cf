#!/bin/bash
# Packaging tests (`make check-packaging`): `make repo` builds the packages in clean bookworm and
# trixie chroots and publishes a signed repository; served over loopback HTTP, it installs with
# apt into fresh chroots of each suite (signatures checked, a tampered Release refused, only
# declared dependencies), DKMS builds and signs the module for each suite's kernel; then the
# bookworm packages under a real systemd in QEMU (tests/packaging/systemd.sh).
#
# usage: tests/packaging/run.sh        needs root; records packaging/* results
#   SUITES="bookworm"   only these suites;  NO_QEMU=1   skip the systemd guest;  NO_CHROOT=1
#                       only the systemd guest
#   PKG_REPO=DIR        test this repository (made by repo.sh with REPO_EXTRA_REFS=$PREV_REF)
#                       instead of building one
set -uo pipefail
# shellcheck source=tests/packaging/lib.sh
. "$(dirname "$0")/lib.sh"
mkdir -p "$PKG_OUT"
cd "$REPO" || exit 1
[ "$(id -u)" = 0 ] || { echo "packaging: needs root (dkms, debootstrap, chroot)"; tests/lib/record.sh packaging 0 1; exit 1; }
# the previous release, for the upgrade test: the last commit with schema version 2 (0.1.0)
PREV_REF=${PREV_REF:-63b68f4^}
HTTPD_PID=
START=$(date +%s)

finish() {
	[ -z "$HTTPD_PID" ] || kill "$HTTPD_PID" 2>/dev/null
	echo "packaging: $(( $(date +%s) - START )) s"
	if [ "$failed" -eq 0 ] && [ "${KEEP:-0}" != 1 ]; then
		rm -rf "$PKG_OUT"
		echo "packaging: $passed passed, $failed failed"
	else
		echo "packaging: $passed passed, $failed failed (artifacts in $PKG_OUT)"
	fi
	tests/lib/record.sh packaging "$passed" "$failed"
	[ "$failed" -eq 0 ]; exit
}

# ---- make repo, into this run's folder -------------------------------------------------------
REPODIR=${PKG_REPO:-$PKG_OUT/repo}
build_repo() {
	[ -n "${PKG_REPO:-}" ] || REPO_EXTRA_REFS=$PREV_REF REPO_EXTRA_SUITES=bookworm PKG_OUT=$PKG_OUT/r "$PKG_DIR/repo.sh" "$REPODIR" &&
		for s in $SUITES; do ls "$REPODIR/pool/$s/main/"; gpgv_ok "$s" || return 1; done
}
# the InRelease verifies with the exported public key alone
gpgv_ok() { gpgv --keyring "$REPODIR/netoops-archive-keyring.gpg" "$REPODIR/dists/$1/InRelease"; }
check repo-build build_repo
[ -s "$REPODIR/netoops-archive-keyring.gpg" ] || finish

# ---- served over loopback HTTP ---------------------------------------------------------------
PORT=$(free_port) || finish
# a tampered copy: one byte of the signed text of each InRelease changed
cp -a "$REPODIR" "$PKG_OUT/tampered"
sed -i 's/^Label: netoops$/Label: netoopz/' "$PKG_OUT"/tampered/dists/*/InRelease
rm -f "$PKG_OUT"/tampered/dists/*/Release.gpg
mkdir -p "$PKG_OUT/www"
ln -s "$REPODIR" "$PKG_OUT/www/good"; ln -s "$PKG_OUT/tampered" "$PKG_OUT/www/bad"
busybox httpd -f -p "127.0.0.1:$PORT" -h "$PKG_OUT/www" & HTTPD_PID=$!
URL=http://127.0.0.1:$PORT

# add_source ROOT SUITE WHICH: the two things a machine needs (docs/admin-guide.md): the key and
# a deb822 source with Signed-By
add_source() {
	install -D -m 0644 "$REPODIR/netoops-archive-keyring.gpg" "$1/usr/share/keyrings/netoops-archive-keyring.gpg"
	printf 'Types: deb\nURIs: %s/%s/\nSuites: %s\nComponents: main\nSigned-By: /usr/share/keyrings/netoops-archive-keyring.gpg\n' \
		"$URL" "$3" "$2" >"$1/etc/apt/sources.list.d/netoops.sources"
}

# a test MOK as a machine has one enrolled: dkms signs with /var/lib/dkms/mok.{key,pub}
MOK=$PKG_OUT/mok
openssl req -new -x509 -nodes -days 30 -subj "/CN=netoops test MOK" -newkey rsa:2048 \
	-keyout "$MOK.key" -outform DER -out "$MOK.pub" >/dev/null 2>&1 || die "openssl req failed"
# the certificate serial, which a module signature names as its sig_key
cert_serial() { openssl x509 -inform DER -in "$1" -noout -serial | sed 's/^serial=//' | tr 'a-f' 'A-F'; }

# ---- per suite: a fresh chroot, apt from the repository ---------------------------------------
suite_tests() {
	local s=$1 root=$PKG_OUT/chroot-$1
	R=$root S=$s
	check "$s/chroot" new_root "$root" "$s" minbase || return
	check "$s/tampered-release-refused" tampered
	check "$s/apt-install" apt_install
	[ -x "$root/usr/sbin/netoopsd" ] || return
	check "$s/only-declared-dependencies" declared_deps
	check "$s/library-names" lib_names
	check "$s/files-installed" files_present
	check "$s/user-netoops" user_created
	check "$s/units-enabled" units_enabled
	check "$s/binaries-run" binaries_run
	check "$s/dkms-built-for-headers" dkms_built
	check "$s/dkms-module-signed" dkms_signed
	check "$s/systemd-analyze-verify" verify_units
	check "$s/netoopsd-hardened" hardening
	check "$s/purge" purge
}
ir() { in_root "$R" "$S" "$@"; }
tampered() {
	add_source "$R" "$S" bad
	local out
	out=$(ir apt-get update 2>&1); echo "$out"
	ir sh -c 'apt-cache policy netoopsd | grep -q Candidate:.*[0-9]' && { echo "tampered repository used"; return 1; }
	case $out in *"$URL/bad"*"not signed"* | *"$URL/bad"*"signatures were invalid"* | *"$URL/bad"*NOSPLIT* | *"$URL/bad"*BADSIG* | *"$URL/bad"*"OpenPGP signature verification failed"*) ;;
	*) echo "apt did not report a bad signature"; return 1 ;; esac
}
apt_install() {
	add_source "$R" "$S" good
	# DKMS signs with the machine's MOK: bookworm has one enrolled (the test MOK); on trixie
	# dkms makes its own with openssl (a dependency of netoops-dkms)
	if [ "$S" = bookworm ]; then
		install -D -m 0600 "$MOK.key" "$R/var/lib/dkms/mok.key"
		install -D -m 0644 "$MOK.pub" "$R/var/lib/dkms/mok.pub"
	fi
	ir apt-get update -q && ir apt-get install -y -q --no-install-recommends \
		netoops-dkms netoopsctl netoopsd linux-headers-amd64 systemd man-db >"$PKG_OUT/apt-$S.log" 2>&1
	local rc=$?
	grep -i -E 'netoops|dkms|sign|error' "$PKG_OUT/apt-$S.log" | tail -n 30
	return $rc
}
# every library the binaries need came with the declared dependencies, and nothing from the
# repository but what was asked for (no Recommends pulled in)
declared_deps() {
	local b bad=0
	for b in /usr/sbin/netoopsd /usr/sbin/netoopsctl; do
		ir ldd "$b" | grep 'not found' && bad=1
	done
	ir dpkg-query -W -f='${Package} ${Version} ${Status}\n' netoopsd netoopsctl netoops-dkms
	[ $bad = 0 ] && [ "$(ir dpkg-query -W -f='${db:Status-Abbrev}\n' netoopsd netoopsctl netoops-dkms | grep -c '^ii')" = 3 ]
}
# packages built per suite: trixie's t64 library names, bookworm's plain ones
lib_names() {
	local dep
	dep=$(ir dpkg-query -W -f='${Depends}' netoopsd); echo "$dep"
	case $S in
	trixie) [[ $dep == *libmicrohttpd12t64* && $dep == *libssl3t64* ]] ;;
	*) [[ $dep == *libmicrohttpd12* && $dep != *t64* ]] ;;
	esac
}
files_present() {
	local f missing=0
	for f in /usr/sbin/netoopsd /usr/sbin/netoopsctl /etc/netoops/netoopsd.conf /usr/share/doc/netoopsctl/examples/targets.conf \
		/lib/systemd/system/netoopsd.service /lib/systemd/system/netoops-targets.service \
		/usr/lib/sysctl.d/60-netoopsd.conf /usr/src/netoops-$VERSION/dkms.conf \
		/usr/src/netoops-$VERSION/kmod/Makefile /usr/src/netoops-$VERSION/include/netoops/wire.h \
		/usr/share/man/man8/netoopsd.8.gz /usr/share/man/man8/netoopsctl.8.gz \
		/usr/share/man/man4/netoops.4.gz; do
		[ -e "$R$f" ] && echo "ok $f" || { echo "missing $f"; missing=1; }
	done
	return $missing
}
user_created() {
	local pw
	pw=$(ir getent passwd netoops) || { echo "no user netoops"; return 1; }
	echo "$pw"
	case $pw in *:/var/lib/netoops:/usr/sbin/nologin) ;; *) echo "home/shell"; return 1 ;; esac
	ir getent group netoops
}
units_enabled() {
	ls -l "$R/etc/systemd/system/multi-user.target.wants/"
	[ -L "$R/etc/systemd/system/multi-user.target.wants/netoopsd.service" ] &&
		[ -L "$R/etc/systemd/system/multi-user.target.wants/netoops-targets.service" ]
}
binaries_run() {
	local help usage bootid
	help=$(ir /usr/sbin/netoopsd --help 2>&1)
	usage=$(ir /usr/sbin/netoopsctl target 2>&1)
	bootid=$(ir /usr/sbin/netoopsctl boot-id 2>&1)
	printf '%s\n' "$help" "$usage" "$bootid"
	[[ $help == *--listen* && $usage == *"target add NAME --to"* &&
		$bootid == *"netoops module not loaded: run modprobe netoops"* ]]
}
# the suite's kernel headers (linux-headers-amd64) and the module DKMS built for them
suite_kver() { ls "$R/usr/src" | sed -n 's/^linux-headers-\(.*-amd64\)$/\1/p' | sort -V | tail -n 1; }
built_module() { ls "$R/lib/modules/$1/updates/dkms/$2.ko"* 2>/dev/null | head -n 1; }
dkms_built() {
	local k m f
	k=$(suite_kver); echo "headers: $k"
	[ -n "$k" ] || return 1
	ir dkms status netoops
	ir dkms status netoops | grep -q "netoops/$VERSION, $k, x86_64: installed" || return 1
	for m in netoops netoops_crashtest; do
		f=$(built_module "$k" "$m")
		[ -n "$f" ] || { echo "$m.ko not installed for $k"; return 1; }
		modinfo -F vermagic "$f" | grep -q "^$k " || { echo "$m: wrong vermagic"; return 1; }
	done
}
dkms_signed() {
	local k f signer key want
	k=$(suite_kver); f=$(built_module "$k" netoops)
	[ -n "$f" ] || return 1
	signer=$(modinfo -F signer "$f"); key=$(modinfo -F sig_key "$f" | tr -d ':')
	want=$(cert_serial "$R/var/lib/dkms/mok.pub")
	echo "signer '$signer' sig_key $key; /var/lib/dkms/mok.pub $want"
	[ -n "$key" ] && [ "$key" = "$want" ] || return 1
	[ "$S" != bookworm ] || [ "$signer" = "netoops test MOK" ]
}
verify_units() {
	ir systemd-analyze verify /lib/systemd/system/netoopsd.service \
		/lib/systemd/system/netoops-targets.service 2>&1 | tee "$PKG_OUT/verify.log"
	[ "${PIPESTATUS[0]}" = 0 ] && ! grep -q . "$PKG_OUT/verify.log"
}
hardening() {
	local sec=(systemd-analyze security --offline=yes --no-pager /lib/systemd/system/netoopsd.service)
	local exposure
	exposure=$(ir "${sec[@]}" 2>/dev/null |
		sed -n 's/.*Overall exposure level for netoopsd.service: \([0-9.]*\).*/\1/p')
	echo "exposure $exposure"
	echo "packaging: $S: systemd-analyze security netoopsd.service (offline): $exposure" >>"$PKG_OUT/measured"
	awk -v e="$exposure" 'BEGIN { exit !(e != "" && e + 0 <= 2.5) }'
}
purge() {
	ir apt-get purge -y -q netoopsd netoopsctl netoops-dkms >/dev/null &&
		[ ! -e "$R/var/lib/netoops" ] && [ ! -e "$R/etc/netoops" ] &&
		[ ! -e "$R/lib/systemd/system/netoopsd.service" ] &&
		[ -z "$(ls "$R/lib/modules/$(suite_kver)/updates/dkms/" 2>/dev/null)" ] &&
		! ir dkms status netoops | grep -q .
}

[ "${NO_CHROOT:-0}" = 1 ] || for s in $SUITES; do
	suite_tests "$s"
	[ "${KEEP:-0}" = 1 ] || rm -rf "$PKG_OUT/chroot-$s"
done
[ "${NO_QEMU:-0}" = 1 ] || [ ! -x "$PKG_DIR/systemd.sh" ] || {
	# shellcheck source=tests/packaging/systemd.sh
	. "$PKG_DIR/systemd.sh"
	systemd_tests
}
cat "$PKG_OUT/measured" 2>/dev/null
finish
