# Shared settings for the VM test scripts (sourced, not run): paths, cache, apt wrapper.
# shellcheck shell=bash

VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$VM_DIR/../.." && pwd)
CACHE=${NETOOPS_CACHE:-$REPO/.cache}
VMC=$CACHE/vm			# everything these scripts download or build
# shellcheck disable=SC2034  # read by the scripts that source this file
KERNELS_ALL="6.1 6.12 7.2 7.3"
CHROOT=$VMC/sid-chroot		# sid build chroot for kernels built with gcc-16
EXP_CHROOT=$VMC/exp-chroot	# a copy of it with experimental enabled: 7.3 headers

log() { printf '[vm %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { printf 'vm: error: %s\n' "$*" >&2; exit 1; }

# The archive URIs the host already uses, so no other mirror is ever contacted.
archive_uri() {
	local f=/etc/apt/sources.list.d/debian.sources u
	if [ -r "$f" ]; then
		u=$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }' "$f")
	fi
	[ -n "${u:-}" ] || u=$(awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' /etc/apt/sources.list 2>/dev/null)
	[ -n "${u:-}" ] || die "cannot find the Debian archive URI in /etc/apt/sources.list.d/debian.sources"
	echo "$u"
}
security_uri() {
	awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i ~ /security/) { print $i; exit } }' \
		/etc/apt/sources.list.d/debian.sources 2>/dev/null
}

# apt-get/apt-cache with a private source list, list state and cache: the host's apt
# state is never read for package lists nor written.
APTDIR=$VMC/apt
apt_opts() {
	echo "-o Dir::Etc::SourceList=$APTDIR/sources.list -o Dir::Etc::SourceParts=$APTDIR/parts.d" \
	     "-o Dir::State::Lists=$APTDIR/lists -o Dir::Cache=$APTDIR/cache" \
	     "-o Dir::State::status=$APTDIR/status -o Debug::NoLocking=0" \
	     "-o Acquire::Check-Valid-Until=false -o APT::Get::List-Cleanup=0 -o APT::Sandbox::User=root"
}
# shellcheck disable=SC2046
vapt_get() { apt-get $(apt_opts) "$@"; }
# shellcheck disable=SC2046
vapt_cache() { apt-cache $(apt_opts) "$@"; }

apt_setup() {
	local uri sec key=/usr/share/keyrings/debian-archive-keyring.gpg
	mkdir -p "$APTDIR/lists/partial" "$APTDIR/cache/archives/partial" "$APTDIR/parts.d"
	: >>"$APTDIR/status"
	uri=$(archive_uri); sec=$(security_uri)
	{
		echo "deb [signed-by=$key] $uri bookworm main"
		echo "deb [signed-by=$key] $uri bookworm-updates main"
		echo "deb [signed-by=$key] $uri bookworm-backports main"
		[ -z "$sec" ] || echo "deb [signed-by=$key] $sec bookworm-security main"
		echo "deb [signed-by=$key check-valid-until=no] $uri sid main"
		echo "deb [signed-by=$key check-valid-until=no] $uri experimental main"
	} >"$APTDIR/sources.list.new"
	mv "$APTDIR/sources.list.new" "$APTDIR/sources.list"
}

# Run a command inside a build chroot (in_root DIR CMD...; in_chroot: the sid chroot) with
# /proc mounted, in a private mount namespace so nothing stays mounted afterwards, whatever
# happens.
in_root() {
	local root=$1; shift
	unshare --mount --propagation private -- sh -c \
		'mount -t proc proc "$0/proc" && exec chroot "$0" "$@"' "$root" \
		env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C "$@"
}
in_chroot() { in_root "$CHROOT" "$@"; }

# The build chroot of kernel K (empty: built on the host with gcc-12).
chroot_of() {
	case $1 in
	7.2) echo "$CHROOT" ;;
	7.3) echo "$EXP_CHROOT" ;;
	esac
}

