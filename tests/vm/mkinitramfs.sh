#!/bin/bash
# Build the busybox initramfs for one test kernel; one image serves every test case.
#
# usage: tests/vm/mkinitramfs.sh KERNEL [OUTPUT]     KERNEL: 6.1 6.12 7.2
#        default OUTPUT: .cache/vm/initramfs/KERNEL.cpio.gz
#
# Contents: busybox (static), the kernel's configfs + virtio_net chain + e1000 + e1000e
# (+ netconsole), decompressed, in load order, and bridge, bonding and 8021q with their
# dependencies (loaded by the cases that stack devices); netoops.ko and netoops_crashtest.ko from build-kmod.sh (when
# built: without them only the netconsole cases work); the seed's setup script with only its
# addresses changed (tests/vm/seed-setup.sh); /init = tests/vm/guest-init.sh, which reads the
# case from the kernel command line (netoops_case=... netoops_port=...).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

k=${1:?usage: mkinitramfs.sh KERNEL [OUTPUT]}
out=${2:-$VMC/initramfs/$k.cpio.gz}
kd=$VMC/k/$k
[ -s "$kd/ready" ] || die "kernel $k not fetched: run tests/vm/fetch-kernels.sh $k"
bb=$(command -v busybox) || die "busybox not found (apt-get install busybox-static)"
file -L "$bb" 2>/dev/null | grep -q 'statically linked' || [ -x /bin/busybox ] ||
	die "busybox must be static (busybox-static)"

# configfs, then the NIC drivers (the virtio_net chain in dependency order); netconsole for
# the netconsole-* cases
MODULES="configfs failover net_failover virtio_ring virtio virtio_pci_legacy_dev
virtio_pci_modern_dev virtio_pci virtio_net e1000 e1000e netconsole"
STACK_MODULES="bridge bonding 8021q"

root=$(mktemp -d "$VMC/initramfs-$k.XXXXXX")
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,dev,proc,sys,tmp,mods,netoops} "$(dirname "$out")"
cp "$bb" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"

# mod_file NAME -> the module's file in the kernel's tree (empty: built in)
mod_file() {
	find -L "$kd/modules/kernel" -name "$1.ko" -o -name "$1.ko.xz" -o -name "$1.ko.zst" \
		-o -name "$1.ko.gz" | head -n 1
}
# add_mod NAME LIST: decompress NAME and, first, what it depends on into mods/; append the
# names in load order to mods/LIST (each module once)
add_mod() {
	local m=$1 list=$2 f d
	grep -qsx "$m" "$root/mods/$list" && return 0
	f=$(mod_file "$m")
	if [ -z "$f" ]; then
		echo "$m" >>"$root/mods/builtin"	# virtio is built in from 6.12 on
		return 0
	fi
	if [ ! -f "$root/mods/$m.ko" ]; then
		case $f in
		*.xz)	xz -dc "$f" ;;
		*.zst)	zstd -qdc "$f" ;;
		*.gz)	gzip -dc "$f" ;;
		*)	cat "$f" ;;
		esac >"$root/mods/$m.ko"
	fi
	for d in $(modinfo -F depends "$root/mods/$m.ko" | tr ',' ' '); do add_mod "$d" "$list"; done
	echo "$m" >>"$root/mods/$list"
}
for m in $MODULES; do add_mod "$m" order; done
# the stacks of the NIC cases, loaded by the guest only when a case asks (bonding makes
# bond0 when loaded): mods/NAME.list is NAME with its dependencies, in load order
for m in $STACK_MODULES; do add_mod "$m" "$m.list"; done
grep -qx virtio_net "$root/mods/order" || die "kernel $k has no virtio_net module"

b=$VMC/build/$k
for m in netoops.ko netoops_crashtest.ko; do
	if [ -f "$b/$m" ]; then cp "$b/$m" "$root/netoops/$m"
	else log "warning: $b/$m missing (run tests/vm/build-kmod.sh $k); initramfs without it"
	fi
done
cp "$VM_DIR/seed-setup.sh" "$root/netoops/seed-setup.sh"
cp "$VM_DIR/guest-init.sh" "$root/init"
chmod 755 "$root/init" "$root/netoops/seed-setup.sh"
cat "$kd/release" >"$root/netoops/release"

tmp=$(mktemp "$out.XXXXXX")
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0 | gzip -6) >"$tmp"
chmod 644 "$tmp"
mv "$tmp" "$out"	# atomic: a guest booting meanwhile sees the old or the new image
echo "$out"
