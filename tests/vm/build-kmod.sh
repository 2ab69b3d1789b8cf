#!/bin/bash
# Build kmod/ (netoops.ko and the crash-test module) for one of the test kernels.
#
# usage: tests/vm/build-kmod.sh KERNEL        KERNEL: 6.1 6.12 7.2 7.3 (fetched by fetch-kernels.sh)
#
# The sources (kmod/ and include/, or $NETOOPS_KMOD_SRC/{kmod,include}) are copied into a
# per-kernel build tree so builds for different kernels never clobber each other:
# 6.1 and 6.12 build on the host with gcc-12, 7.2 inside the sid chroot with gcc-16, 7.3 inside
# the experimental chroot (a copy of the sid chroot).
# Output: .cache/vm/build/KERNEL/{netoops.ko,netoops_crashtest.ko} and build.log.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

k=${1:?usage: build-kmod.sh KERNEL}
kd=$VMC/k/$k
[ -s "$kd/ready" ] || "$VM_DIR/fetch-kernels.sh" "$k" >/dev/null
src=${NETOOPS_KMOD_SRC:-$REPO}
[ -f "$src/kmod/Makefile" ] || die "no $src/kmod/Makefile: the kernel module is not there yet"
kdir=$(cat "$kd/kdir")
out=$VMC/build/$k
mkdir -p "$out"
exec 8>"$out.lock"	# one build per kernel at a time (the demo reuses this script)
flock 8

copy_src() {	# destination directory
	rm -rf "$1"; mkdir -p "$1"
	cp -r "$src/kmod" "$1/kmod"
	[ ! -d "$src/include" ] || cp -r "$src/include" "$1/include"
	# never reuse objects that a build for another kernel left in the source tree
	find "$1" \( -name '*.o' -o -name '*.ko' -o -name '*.mod*' -o -name '.*.cmd' \
		-o -name Module.symvers -o -name modules.order \) -delete
}

case $k in
6.1|6.12)
	tree=$out/src
	copy_src "$tree"
	run() { nice make -C "$tree/kmod" KDIR="$kdir" "$@"; } ;;
7.2|7.3)
	root=$(chroot_of "$k")
	# one tree per output directory: caches that share the chroot never build in each other's
	name=netoops-$(printf '%s' "$out" | md5sum | cut -c1-8)
	tree=$root/build/$name
	copy_src "$tree"
	run() { in_root "$root" nice make -C "/build/$name/kmod" KDIR="$kdir" "$@"; } ;;
*)	die "unknown kernel '$k'" ;;
esac

if ! run -j2 >"$out/build.log" 2>&1; then
	tail -n 30 "$out/build.log" >&2
	die "building kmod for $k failed (full log: $out/build.log)"
fi
rm -f "$out"/*.ko
for m in netoops.ko netoops_crashtest.ko; do
	f=$(find "$tree/kmod" -name "$m" | head -n 1)
	[ -n "$f" ] || die "build for $k did not produce $m (log: $out/build.log)"
	cp "$f" "$out/$m"
done
if grep -qi 'warning:' "$out/build.log"; then
	log "build for $k has warnings:"; grep -i 'warning:' "$out/build.log" >&2
fi
log "built $(cat "$kd/release"): $(cd "$out" && ls ./*.ko | tr '\n' ' ')"
