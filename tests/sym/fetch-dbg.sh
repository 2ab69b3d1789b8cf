#!/bin/bash
# Fetch the debug package (linux-image-<release>-dbg, ~860 MB) of the tested 6.1 kernel into the
# VM tests' cache, once, and unpack the parts the symbolization tests use.
#
# usage: tests/sym/fetch-dbg.sh      prints the directory it filled
#
# Idempotent: a second run downloads nothing. The kernel is the one tests/vm/fetch-kernels.sh
# pinned (.cache/vm/k/6.1/release and version). Result in .cache/vm/dbg/<release>/:
#   deb/linux-image-<release>-dbg_<version>_amd64.deb   the package, for debuginfod -U to index
#   root/usr/lib/debug/...                           vmlinux and the build-id links (local tree)
#   ready                                            "<release> <version>" when complete
set -euo pipefail
# shellcheck source=tests/vm/lib.sh
. "$(dirname "$0")/../vm/lib.sh"

"$VM_DIR/fetch-kernels.sh" 6.1 >/dev/null
rel=$(cat "$VMC/k/6.1/release")
ver=$(cat "$VMC/k/6.1/version")
dir=$VMC/dbg/$rel
mkdir -p "$dir"
exec 9>"$dir/lock"
flock 9
if [ -s "$dir/ready" ] && [ "$(cat "$dir/ready")" = "$rel $ver" ]; then
	echo "$dir"
	exit 0
fi
mkdir -p "$dir/deb"
deb=$(find "$dir/deb" -maxdepth 1 -name "linux-image-$rel-dbg_*.deb" | head -n 1)
if [ -z "$deb" ]; then
	apt_setup
	log "apt-get update (private lists in $APTDIR)"
	vapt_get -qq update
	log "downloading linux-image-$rel-dbg ($ver), ~860 MB, once"
	(cd "$dir/deb" && vapt_get -qq download "linux-image-$rel-dbg=$ver")
	deb=$(find "$dir/deb" -maxdepth 1 -name "linux-image-$rel-dbg_*.deb" | head -n 1)
	[ -n "$deb" ] || die "linux-image-$rel-dbg=$ver was not downloaded"
fi
# The local tree: vmlinux, a few modules (virtio, configfs: what the guest loads; the archive's
# first module, for tests/sym/run.sh to see the index served). The rest stays in the .deb.
log "unpacking vmlinux from $(basename "$deb")"
rm -rf "$dir/root"; mkdir -p "$dir/root"
dpkg-deb --fsys-tarfile "$deb" |
	tar -x -C "$dir/root" --wildcards "./usr/lib/debug/lib/modules/$rel/vmlinux" \
		"./usr/lib/debug/boot/*" "./usr/lib/debug/lib/modules/$rel/kernel/drivers/virtio/*" \
		"./usr/lib/debug/lib/modules/$rel/kernel/fs/configfs/*" \
		"./usr/lib/debug/lib/modules/$rel/kernel/arch/x86/crypto/aegis128-aesni.ko" 2>/dev/null || true
[ -s "$dir/root/usr/lib/debug/lib/modules/$rel/vmlinux" ] ||
	die "no vmlinux in $(basename "$deb")"
echo "$rel $ver" >"$dir/ready"
echo "$dir"
