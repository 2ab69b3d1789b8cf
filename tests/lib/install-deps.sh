#!/bin/sh
# Install the Debian packages that building and testing netoops need; does nothing when present.
# Everything the project needs on a fresh Debian 12 machine is listed here, and only here.
set -eu

PKGS="build-essential clang llvm libclang-rt-14-dev pkg-config
libssl-dev libsqlite3-dev sqlite3 libjansson-dev libmnl-dev libsystemd-dev libcmocka-dev
libmicrohttpd-dev libseccomp-dev libisal-dev libzstd-dev
linux-headers-amd64 bc kmod flex bison libelf-dev linux-source-6.1
qemu-system-x86 busybox-static cpio gzip xz-utils zstd
debootstrap syslog-ng-core iproute2 dwarves jq curl netcat-openbsd strace valgrind openssl
dkms dh-dkms debhelper devscripts fakeroot shellcheck"

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages:$missing" >&2
	echo "install-deps: run as root, or: apt-get install$missing" >&2
	exit 1
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
