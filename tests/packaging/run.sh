#!/bin/bash
# Packaging tests: the .debs build with dpkg-buildpackage; the module builds through DKMS for
# the 6.1 headers from what netoops-dkms ships; the .debs install with apt into a fresh Debian 12
# chroot (debootstrap, base cached) with their files, user and units; systemd-analyze verify.
#
# usage: tests/packaging/run.sh        needs root; records packaging/* results
set -uo pipefail
# shellcheck source=tests/packaging/lib.sh
. "$(dirname "$0")/lib.sh"
mkdir -p "$PKG_OUT"
cd "$REPO" || exit 1
[ "$(id -u)" = 0 ] || { echo "packaging: needs root (dkms, debootstrap, chroot)"; tests/lib/record.sh packaging 0 1; exit 1; }

finish() {
	if [ "$failed" -eq 0 ] && [ "${KEEP:-0}" != 1 ]; then
		rm -rf "$PKG_OUT"
		echo "packaging: $passed passed, $failed failed"
	else
		echo "packaging: $passed passed, $failed failed (artifacts in $PKG_OUT)"
	fi
	tests/lib/record.sh packaging "$passed" "$failed"
	[ "$failed" -eq 0 ]; exit
}

check debs-build "$PKG_DIR/build-debs.sh"
ls "$PKG_OUT"/netoops-dkms_*.deb "$PKG_OUT"/netoopsd_*.deb "$PKG_OUT"/netoopsctl_*.deb >/dev/null 2>&1 || finish

# ---- DKMS, from the package's own /usr/src tree, in a private DKMS tree -------------------
dkms_build() {
	local t=$PKG_OUT/dkms
	rm -rf "$t"; mkdir -p "$t/pkg" "$t/tree" "$t/install"
	dpkg-deb -x "$PKG_OUT"/netoops-dkms_*.deb "$t/pkg"
	[ -n "$KVER_61" ] || { echo "no linux-headers-6.1.*-amd64 installed"; return 1; }
	grep -q "^PACKAGE_VERSION=\"$VERSION\"" "$t/pkg/usr/src/netoops-$VERSION/dkms.conf" ||
		{ echo "dkms.conf has no PACKAGE_VERSION=$VERSION"; return 1; }
	local d=(dkms --dkmstree "$t/tree" --sourcetree "$t/pkg/usr/src" --installtree "$t/install"
		-m netoops -v "$VERSION" -k "$KVER_61")
	"${d[@]}" add && "${d[@]}" build
	local out=$t/tree/netoops/$VERSION/$KVER_61/x86_64/module
	ls -l "$out"
	for m in netoops netoops_crashtest; do
		f=$(ls "$out/$m.ko"* 2>/dev/null | head -n 1)
		[ -n "$f" ] || { echo "$m.ko not built"; return 1; }
		modinfo -F vermagic "$f" | grep -q "^$KVER_61 " || { echo "$m: wrong vermagic"; return 1; }
	done
}
check dkms-build-6.1 dkms_build

# ---- a fresh Debian 12 chroot ---------------------------------------------------------------
BASE=$CACHE/pkg/bookworm-minbase.tar
ROOT=$PKG_OUT/chroot
archive_uri() {
	awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }' \
		/etc/apt/sources.list.d/debian.sources 2>/dev/null
}
make_base() {
	mkdir -p "$CACHE/pkg"
	exec 9>"$CACHE/pkg/base.lock"
	flock 9	# one debootstrap at a time; the others wait for its tarball
	[ -s "$BASE" ] && return 0
	local uri tmp
	uri=$(archive_uri); uri=${uri:-http://deb.debian.org/debian}
	tmp=$(mktemp -d "$CACHE/pkg/debootstrap.XXXXXX")
	log "debootstrap --variant=minbase bookworm from $uri (once; cached in $BASE)"
	debootstrap --variant=minbase bookworm "$tmp" "$uri" >"$PKG_OUT/debootstrap.log" 2>&1 ||
		{ tail -n 20 "$PKG_OUT/debootstrap.log"; rm -rf "$tmp"; return 1; }
	tar -C "$tmp" -cf "$BASE.tmp" . && mv "$BASE.tmp" "$BASE"
	rm -rf "$tmp"
}
# in_root CMD...: run in the chroot with /proc, and the apt cache shared across runs
in_root() {
	unshare --mount --propagation private -- sh -c '
		mount -t proc proc "$0/proc" &&
		mount --bind "$1" "$0/var/cache/apt/archives" && shift &&
		exec chroot "$0" "$@"' "$ROOT" "$CACHE/pkg/archives" \
		env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C DEBIAN_FRONTEND=noninteractive "$@"
}
install_debs() {
	mkdir -p "$CACHE/pkg/archives/partial"
	make_base || return 1
	rm -rf "$ROOT"; mkdir -p "$ROOT"
	tar -C "$ROOT" -xf "$BASE"
	cp /etc/resolv.conf "$ROOT/etc/resolv.conf" 2>/dev/null
	mkdir -p "$ROOT/tmp/debs"
	cp "$PKG_OUT"/netoops-dkms_*.deb "$PKG_OUT"/netoopsd_*.deb "$PKG_OUT"/netoopsctl_*.deb "$ROOT/tmp/debs/"
	# no daemon may start inside the chroot
	printf '#!/bin/sh\nexit 101\n' >"$ROOT/usr/sbin/policy-rc.d"; chmod 755 "$ROOT/usr/sbin/policy-rc.d"
	in_root apt-get update -qq &&
	in_root sh -c 'apt-get install -y -q --no-install-recommends /tmp/debs/*.deb systemd man-db' \
		>"$PKG_OUT/apt.log" 2>&1
	local rc=$?
	tail -n 15 "$PKG_OUT/apt.log"
	return $rc
}
check apt-install-in-fresh-chroot install_debs
[ -x "$ROOT/usr/sbin/netoopsd" ] || finish

files_present() {
	local f missing=0
	for f in /usr/sbin/netoopsd /usr/sbin/netoopsctl /etc/netoops/netoopsd.conf /usr/share/doc/netoopsctl/examples/targets.conf \
		/lib/systemd/system/netoopsd.service /lib/systemd/system/netoops-targets.service \
		/usr/lib/sysctl.d/60-netoopsd.conf /usr/src/netoops-$VERSION/dkms.conf \
		/usr/src/netoops-$VERSION/kmod/Makefile /usr/src/netoops-$VERSION/include/netoops/wire.h \
		/usr/share/man/man8/netoopsd.8.gz /usr/share/man/man8/netoopsctl.8.gz \
		/usr/share/man/man4/netoops.4.gz; do
		[ -e "$ROOT$f" ] && echo "ok $f" || { echo "missing $f"; missing=1; }
	done
	return $missing
}
check files-installed files_present
user_created() {
	local pw
	pw=$(in_root getent passwd netoops) || { echo "no user netoops"; return 1; }
	echo "$pw"
	case $pw in *:/var/lib/netoops:/usr/sbin/nologin) ;; *) echo "home/shell"; return 1 ;; esac
	in_root getent group netoops
}
check user-netoops user_created
units_enabled() {
	ls -l "$ROOT/etc/systemd/system/multi-user.target.wants/"
	[ -L "$ROOT/etc/systemd/system/multi-user.target.wants/netoopsd.service" ] &&
		[ -L "$ROOT/etc/systemd/system/multi-user.target.wants/netoops-targets.service" ]
}
check units-enabled units_enabled
dkms_registered() { in_root dkms status netoops | tee /dev/stderr | grep -q "netoops/$VERSION"; }
check dkms-registered dkms_registered
binaries_run() {
	local help usage bootid
	help=$(in_root /usr/sbin/netoopsd --help 2>&1)
	usage=$(in_root /usr/sbin/netoopsctl target 2>&1)
	bootid=$(in_root /usr/sbin/netoopsctl boot-id 2>&1)
	printf '%s\n' "$help" "$usage" "$bootid"
	[[ $help == *--listen* && $usage == *"target add NAME --to"* &&
		$bootid == *"netoops module not loaded: run modprobe netoops"* ]]
}
check binaries-run binaries_run
verify_units() {
	in_root systemd-analyze verify /lib/systemd/system/netoopsd.service \
		/lib/systemd/system/netoops-targets.service 2>&1 | tee "$PKG_OUT/verify.log"
	[ "${PIPESTATUS[0]}" = 0 ] && ! grep -q . "$PKG_OUT/verify.log"
}
check systemd-analyze-verify verify_units
hardening() {
	local sec=(systemd-analyze security --offline=yes --no-pager /lib/systemd/system/netoopsd.service)
	in_root "${sec[@]}" 2>&1 | tail -n 3
	local exposure
	exposure=$(in_root "${sec[@]}" 2>/dev/null |
		sed -n 's/.*Overall exposure level for netoopsd.service: \([0-9.]*\).*/\1/p')
	echo "exposure $exposure"
	awk -v e="$exposure" 'BEGIN { exit !(e != "" && e + 0 <= 2.5) }'
}
check netoopsd-hardened hardening
purge() {
	in_root apt-get purge -y -q netoopsd >/dev/null && [ ! -e "$ROOT/var/lib/netoops" ] &&
		[ ! -e "$ROOT/lib/systemd/system/netoopsd.service" ]
}
check purge-netoopsd purge
finish
