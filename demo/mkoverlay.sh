#!/bin/bash
# Build the demo's initramfs: tests/vm's image for KERNEL plus an overlay archive with
# build/netoopsctl, its shared libraries and ld.so, and demo/guest-init.sh as /init.
#
# usage: demo/mkoverlay.sh KERNEL OUTPUT
# The kernel unpacks concatenated cpio archives in order, so the overlay's files win.
set -euo pipefail
. "$(dirname "$0")/../tests/vm/lib.sh"

k=${1:?usage: mkoverlay.sh KERNEL OUTPUT}
out=${2:?usage: mkoverlay.sh KERNEL OUTPUT}
b=${BUILD:-build}; case $b in /*) ;; *) b=$REPO/$b ;; esac
ctl=${NETOOPSCTL:-$b/netoopsctl}
base=$VMC/initramfs/$k.cpio.gz
[ -x "$ctl" ] || die "$ctl missing: run make userspace"
[ -s "$base" ] || die "no $base: run tests/vm/mkinitramfs.sh $k"

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/etc/netoops"
cp "$ctl" "$root/bin/netoopsctl"
cp "$REPO/demo/guest-init.sh" "$root/init"
chmod 755 "$root/init"
# every library the dynamic linker resolves, and the linker itself, at the same paths
for lib in $(ldd "$ctl" | awk '/=> \// { print $3 } /^\t\/.*ld-linux/ { print $1 }'); do
	mkdir -p "$root$(dirname "$lib")"
	cp -L "$lib" "$root$lib"
done
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0 | gzip -6) >"$out.overlay"
cat "$base" "$out.overlay" >"$out"
rm -f "$out.overlay"
