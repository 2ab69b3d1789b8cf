#!/bin/bash
# Fetch Debian kernels (image, modules, headers) and the sid/experimental build chroots into
# the cache.
#
# usage: tests/vm/fetch-kernels.sh [--refresh] [KERNEL...]  KERNEL: 6.1 6.12 7.2 7.3 (default: all)
#
# Idempotent: what is in ${NETOOPS_CACHE:-<repo>/.cache}/vm is reused and a second run downloads
# nothing. --refresh resolves the newest versions again. The host's apt state is never touched:
# a private source list, list directory and package cache live under .cache/vm/apt.
#
# Result per kernel K, in .cache/vm/k/K/:
#   release   the kernel release (uname -r), e.g. 6.1.0-56-amd64
#   version   the Debian package version
#   vmlinuz   the kernel image
#   modules/  the module tree (lib/modules/<release>)
#   kdir      the KDIR to build modules with (7.2, 7.3: a path inside their build chroot)
# and .cache/vm/versions lists "K release package-version" for every fetched kernel.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

refresh=0
if [ "${1:-}" = --refresh ]; then refresh=1; shift; fi
kernels=${*:-$KERNELS_ALL}

mkdir -p "$VMC"
exec 9>"$VMC/fetch.lock"
flock 9

lists_ready=0
apt_update() {
	[ $lists_ready = 1 ] && return
	apt_setup
	log "apt-get update (private lists in $APTDIR)"
	vapt_get -qq update
	lists_ready=1
}

# The Depends of one version of a metapackage, as "name" of its versioned kernel package.
meta_dep() {	# meta-package version-pattern dep-prefix
	vapt_cache show "$1" | awk -v pat="$2" -v pre="$3" '
		/^Version:/ { v = $2 }
		/^Depends:/ && v ~ pat { n = split($0, a, /[ ,]+/)
			for (i = 1; i <= n; i++) if (!found && index(a[i], pre) == 1) { print a[i]; found = 1 } }'
}
pkg_version() { vapt_cache show "$1" | awk '/^Version:/ && !v { v = $2; print v }'; }

# 6.1: the release of the host's installed headers (what `make -C kmod` builds against).
host_61_release() {
	local r
	r=$(dpkg-query -W -f='${Package} ${Status}\n' 'linux-headers-6.1.*-amd64' 2>/dev/null |
		awk '/ok installed/ { sub(/^linux-headers-/, "", $1); print $1 }' | sort -V | tail -n 1)
	echo "$r"
}

resolve() {	# K -> prints "release version"
	local k=$1 pkg rel
	case $k in
	6.1)	rel=$(host_61_release)
		if [ -z "$rel" ]; then
			pkg=$(meta_dep linux-headers-amd64 '^6\.1\.' linux-headers-6.1)
			rel=${pkg#linux-headers-}
		fi
		echo "$rel $(pkg_version "linux-image-$rel")" ;;
	6.12)	pkg=$(meta_dep linux-image-amd64 'bpo12' linux-image-6.12)
		rel=${pkg#linux-image-}
		echo "$rel $(pkg_version "$pkg")" ;;
	7.2)	pkg=$(meta_dep linux-image-amd64 '^7\.2\.' linux-image-7.2)
		rel=${pkg#linux-image-}
		echo "$rel $(pkg_version "$pkg")" ;;
	7.3)	# experimental: no ABI number in the names, the release is 7.3-amd64
		echo "7.3-amd64 $(pkg_version linux-binary-7.3-amd64)" ;;
	*)	die "unknown kernel '$k' (known: $KERNELS_ALL)" ;;
	esac
}

download() {	# dir pkg...
	local dir=$1; shift
	mkdir -p "$dir"
	(cd "$dir" && vapt_get -qq download "$@")
}

# Unpacked Debian headers refer to their -common tree by absolute path; point it into the copy.
fix_headers() {	# root release
	local mk=$1/usr/src/linux-headers-$2/Makefile
	sed -i "s|^include /usr/src/|include $1/usr/src/|" "$mk"
}

fetch_one() {
	local k=$1 dir=$VMC/k/$1 rel ver tmp
	if [ $refresh = 0 ] && [ -s "$dir/ready" ]; then
		# 6.1 follows the host's headers: refetch only when they changed
		[ "$k" != 6.1 ] || [ -z "$(host_61_release)" ] ||
			[ "$(host_61_release)" = "$(cat "$dir/release")" ] && return 0
	fi
	apt_update
	read -r rel ver < <(resolve "$k")
	[ -n "$rel" ] && [ -n "$ver" ] || die "cannot resolve kernel $k in the archive"
	if [ -s "$dir/ready" ] && [ "$(cat "$dir/release")" = "$rel" ] &&
		[ "$(cat "$dir/version")" = "$ver" ]; then
		return 0
	fi
	log "fetching kernel $k: $rel ($ver)"
	rm -rf "$dir"; mkdir -p "$dir"
	tmp=$dir/debs
	case $k in
	6.1)	download "$tmp" "linux-image-$rel=$ver"
		if [ ! -d "/usr/src/linux-headers-$rel" ]; then
			download "$tmp" "linux-headers-$rel=$ver" "linux-headers-${rel%-amd64}-common=$ver" \
				"linux-kbuild-6.1=$ver"
		fi ;;
	6.12)	download "$tmp" "linux-image-$rel=$ver" "linux-headers-$rel=$ver" \
			"linux-headers-${rel%-amd64}-common=$ver" "linux-kbuild-${rel%-amd64}=$ver" ;;
	7.2|7.3) download "$tmp" "linux-binary-$rel=$ver" "linux-modules-$rel=$ver" ;;
	esac
	for deb in "$tmp"/*.deb; do dpkg -x "$deb" "$dir/root"; done
	rm -rf "$tmp"
	local mods
	mods=$(find "$dir/root" -maxdepth 4 -type d -path "*/lib/modules/$rel" | head -n 1)
	[ -n "$mods" ] || die "no lib/modules/$rel in the packages of kernel $k"
	ln -sfn "${mods#"$dir"/}" "$dir/modules"
	if [ -f "$dir/root/boot/vmlinuz-$rel" ]; then
		ln -sfn "root/boot/vmlinuz-$rel" "$dir/vmlinuz"
	else
		ln -sfn "${mods#"$dir"/}/vmlinuz" "$dir/vmlinuz"
	fi
	[ -s "$dir/vmlinuz" ] || die "no kernel image for $k"
	case $k in
	6.1|6.12)
		if [ -d "$dir/root/usr/src/linux-headers-$rel" ]; then
			fix_headers "$dir/root" "$rel"
			echo "$dir/root/usr/src/linux-headers-$rel" >"$dir/kdir"
		else
			echo "/usr/src/linux-headers-$rel" >"$dir/kdir"
		fi ;;
	7.2|7.3) echo "/usr/src/linux-headers-$rel" >"$dir/kdir" ;;
	esac
	echo "$rel" >"$dir/release"
	echo "$ver" >"$dir/version"
	echo "$rel" >"$dir/ready"
}

# The sid chroot's base system (gcc-16), without kernel headers.
sid_base() {
	[ ! -f "$CHROOT/.netoops-base" ] || return 0
	log "debootstrap sid into $CHROOT"
	rm -rf "$CHROOT"
	debootstrap --variant=minbase --include=gcc-16,make,libc6-dev,bc,kmod \
		--keyring=/usr/share/keyrings/debian-archive-keyring.gpg \
		sid "$CHROOT" "$(archive_uri)" >"$VMC/debootstrap.log" 2>&1 ||
		die "debootstrap failed, see $VMC/debootstrap.log"
	touch "$CHROOT/.netoops-base"
}

# The experimental chroot: a copy of the sid chroot with experimental added to its sources.
exp_base() {
	[ ! -f "$EXP_CHROOT/.netoops-base" ] || return 0
	sid_base
	log "copying the sid chroot to $EXP_CHROOT, experimental enabled"
	rm -rf "$EXP_CHROOT"
	cp -a "$CHROOT" "$EXP_CHROOT.tmp"
	rm -rf "$EXP_CHROOT.tmp/build" "$EXP_CHROOT.tmp/.netoops-headers"
	echo "deb $(archive_uri) experimental main" \
		>"$EXP_CHROOT.tmp/etc/apt/sources.list.d/experimental.list"
	mv "$EXP_CHROOT.tmp" "$EXP_CHROOT"
	touch "$EXP_CHROOT/.netoops-base"
}

# chroot_ready K: the build chroot of K holds the headers of the fetched kernel K.
chroot_ready() {
	local k=$1 root rel ver
	root=$(chroot_of "$k")
	rel=$(cat "$VMC/k/$k/release"); ver=$(cat "$VMC/k/$k/version")
	if [ -f "$root/.netoops-headers" ] && [ "$(cat "$root/.netoops-headers")" = "$rel $ver" ]; then
		return 0
	fi
	case $k in 7.2) sid_base ;; 7.3) exp_base ;; esac
	log "installing linux-headers-$rel ($ver) in $root"
	in_root "$root" apt-get -qq -o Acquire::Check-Valid-Until=false update
	in_root "$root" DEBIAN_FRONTEND=noninteractive apt-get -qq -y --no-install-recommends \
		-o Acquire::Check-Valid-Until=false -t "$([ "$k" = 7.3 ] && echo experimental || echo sid)" \
		install "linux-headers-$rel=$ver" >/dev/null
	in_root "$root" apt-get -qq clean
	echo "$rel $ver" >"$root/.netoops-headers"
}

for k in $kernels; do
	fetch_one "$k"
	[ -z "$(chroot_of "$k")" ] || chroot_ready "$k"
done
for k in $KERNELS_ALL; do
	[ -s "$VMC/k/$k/ready" ] && echo "$k $(cat "$VMC/k/$k/release") $(cat "$VMC/k/$k/version")"
done >"$VMC/versions"
cat "$VMC/versions"
