# Shared by demo/demo.sh and demo/vm-target-test.sh (sourced): build the guest, run netoopsd,
# boot the guest, wait for the crash report.
# shellcheck shell=bash
DEMO_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$DEMO_DIR/../tests/vm/lib.sh"
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$REPO/$BUILD ;; esac
CTL=$BUILD/netoopsctl
KERNEL=6.1

step() { printf '\n==> %s\n' "$*"; }

# A free UDP port in the range given (27000-27999 belongs to these scripts).
free_udp_port() {
	local p
	for p in $(shuf -i "$1-$2"); do
		ss -Hlun "sport = :$p" | grep -q . || { echo "$p"; return; }
	done
	die "no free UDP port in $1-$2"
}

# prepare_guest OUT: kernel, modules, initramfs with netoopsctl; progress on stderr.
prepare_guest() {
	"$VM_DIR/fetch-kernels.sh" "$KERNEL" >/dev/null || die "fetching the $KERNEL kernel failed"
	"$VM_DIR/build-kmod.sh" "$KERNEL" || die "building netoops.ko for $KERNEL failed"
	"$VM_DIR/mkinitramfs.sh" "$KERNEL" >/dev/null || die "building the initramfs failed"
	"$DEMO_DIR/mkoverlay.sh" "$KERNEL" "$1" || die "adding netoopsctl to the initramfs failed"
}

# start_collector DIR PORT: netoopsd on loopback (IPv4 and IPv6), SQLite in DIR; sets COLLECTOR_PID.
start_collector() {
	"$BUILD/netoopsd" --listen "127.0.0.1:$2" --listen "[::1]:$2" --db "$1/netoops.db" --quiet-ms 3000 \
		>"$1/netoopsd.log" 2>&1 &
	COLLECTOR_PID=$!
	local _
	for _ in $(seq 50); do
		ss -Hlun "sport = :$2" | grep -q . && return 0
		kill -0 "$COLLECTOR_PID" 2>/dev/null || break
		sleep 0.1
	done
	cat "$1/netoopsd.log" >&2
	die "netoopsd did not start"
}

# boot_guest DIR INITRD PORT MODE: boot, show the guest's own lines as they come, wait for the end.
boot_guest() {
	local dir=$1 initrd=$2 port=$3 mode=$4 rc=0 guest
	: >"$dir/console.log"
	"$VM_DIR/run-guest.sh" -k "$KERNEL" -l "$dir/console.log" -t 240 -i "$initrd" -- \
		"netoops_port=$port" "netoops_demo=$mode" &
	guest=$!
	# tail ends with the guest; the filter keeps the guest's own lines and the oops header
	tail --pid="$guest" -n +1 -F "$dir/console.log" 2>/dev/null |
		grep --line-buffered -E '^(demo:|check |NAME|[a-z0-9]+ +(yes|no) |target |boot id |test dump|netoopsctl:)|divide error|Kernel panic' |
		sed -u 's/^/    guest | /' || true
	wait "$guest" || rc=$?
	[ "$rc" -ne 124 ] || die "the guest did not finish within 240 s (see $dir/console.log)"
}

# wait_report DIR HOST REASON: the id of the first stored dump from HOST with REASON.
wait_report() {
	local _ id
	for _ in $(seq 150); do
		id=$("$CTL" --db "$1/netoops.db" list --json 2>/dev/null |
			jq -r --arg h "$2" --arg r "$3" \
			'[.[] | select(.host == $h and .reason == $r)][0].id // empty' 2>/dev/null)
		[ -n "$id" ] && { echo "$id"; return 0; }
		sleep 0.2
	done
	return 1
}
