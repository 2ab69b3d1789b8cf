#!/bin/bash
# Build a small x86_64 kernel from Debian's linux-source-6.1 with netoops built in (obj-y).
#
# usage: tests/builtin/build.sh      prints the path of the bzImage on stdout
# The tree is extracted once into $CACHE/builtin/linux-source-6.1; kmod/ (and the wire header
# it includes) is copied to drivers/net/netoops/ with a Makefile derived from kmod/Kbuild.
# The bzImage is cached as $CACHE/builtin/bzImage-HASH, HASH covering kmod/*.c kmod/*.h
# kmod/Kbuild include/netoops/*.h and this script: a second run builds nothing.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
CACHE=${NETOOPS_CACHE:-$REPO/.cache}
BC=$CACHE/builtin
SRC_TAR=/usr/src/linux-source-6.1.tar.xz
TREE=$BC/linux-source-6.1

log() { printf '[builtin %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { printf 'builtin: error: %s\n' "$*" >&2; exit 1; }

hash=$(cd "$REPO" && cat kmod/*.c kmod/*.h kmod/Kbuild include/netoops/*.h tests/builtin/build.sh |
	sha256sum | cut -c1-16)
img=$BC/bzImage-$hash
if [ -s "$img" ]; then
	log "cached: $img"
	echo "$img"
	exit 0
fi

mkdir -p "$BC"
exec 9>"$BC/lock"
flock 9	# one build at a time in the shared tree
if [ ! -e "$TREE/.extracted" ]; then
	[ -r "$SRC_TAR" ] || die "$SRC_TAR missing (apt-get install linux-source-6.1)"
	log "extracting $SRC_TAR"
	rm -rf "$TREE"
	tar -C "$BC" -xJf "$SRC_TAR"
	touch "$TREE/.extracted"
fi

# netoops as drivers/net/netoops/, built in
nd=$TREE/drivers/net/netoops
rm -rf "$nd"
mkdir -p "$nd/include/netoops"
cp "$REPO"/kmod/*.c "$REPO"/kmod/*.h "$nd/"
cp "$REPO"/include/netoops/*.h "$nd/include/netoops/"
# shellcheck disable=SC2016  # Makefile text, not shell
sed -e 's|\$(src)/\.\./include|$(src)/include|' -e 's/^obj-m += netoops\.o/obj-y += netoops.o/' \
	-e '/crashtest/d' "$REPO/kmod/Kbuild" >"$nd/Makefile"
grep -q '^obj-y += netoops.o' "$nd/Makefile" || die "kmod/Kbuild no longer has 'obj-m += netoops.o'"
# shellcheck disable=SC2016
grep -q 'netoops/' "$TREE/drivers/net/Makefile" ||
	echo 'obj-$(CONFIG_NETPOLL) += netoops/' >>"$TREE/drivers/net/Makefile"

# What netoops and the test need on top of tinyconfig; a change here reconfigures.
CONFIG_ARGS="-e 64BIT -e PRINTK -e PRINTK_TIME -e BUG -e KALLSYMS -e MAGIC_SYSRQ
	-e TTY -e SERIAL_8250 -e SERIAL_8250_CONSOLE
	-e BLK_DEV_INITRD -e RD_GZIP -e BINFMT_ELF -e BINFMT_SCRIPT
	-e DEVTMPFS -e PROC_FS -e SYSFS -e CONFIGFS_FS
	-e PCI -e NET -e INET -e IPV6 -e IP_PNP -e NETDEVICES -e NET_CORE
	-e VIRTIO_MENU -e VIRTIO_PCI -e VIRTIO_NET -e NETCONSOLE -e NETPOLL
	-d WLAN -d ETHERNET -d DRM -d SOUND -d USB_SUPPORT -d WIRELESS"
cd "$TREE"
if [ "$(cat .config.netoops-args 2>/dev/null)" != "$CONFIG_ARGS" ]; then
	log "configuring (tinyconfig + what netoops and the test need)"
	make -s ARCH=x86_64 tinyconfig >/dev/null
	# shellcheck disable=SC2086
	scripts/config $CONFIG_ARGS
	make -s ARCH=x86_64 olddefconfig >/dev/null
	for o in NETPOLL VIRTIO_NET PRINTK KALLSYMS MAGIC_SYSRQ SERIAL_8250_CONSOLE CONFIGFS_FS \
		IP_PNP IPV6 BLK_DEV_INITRD; do
		grep -qx "CONFIG_$o=y" .config || die "CONFIG_$o=y did not stick in $TREE/.config"
	done
	printf '%s' "$CONFIG_ARGS" >.config.netoops-args
fi

log "building bzImage (nice make -j2; the first build takes several minutes)"
start=$(date +%s)
nice make -s ARCH=x86_64 -j2 bzImage >"$BC/build.log" 2>&1 ||
	{ tail -n 30 "$BC/build.log" >&2; die "kernel build failed (log: $BC/build.log)"; }
grep -q netoops_init System.map || die "netoops is not in the kernel (System.map)"
log "built in $(($(date +%s) - start)) s"
cp arch/x86/boot/bzImage "$img.tmp"
mv "$img.tmp" "$img"
find "$BC" -maxdepth 1 -name "bzImage-*" ! -name "bzImage-$hash" -delete	# older kmod/ states
echo "$img"
