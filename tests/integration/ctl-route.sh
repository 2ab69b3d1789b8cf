#!/bin/bash
# netoopsctl's route and neighbour resolution, in network namespaces built here with veth pairs:
# a collector on the host's link, a collector behind a gateway, IPv4 and IPv6, and the errors.
# The configfs half needs netoops.ko and is tested in the QEMU guest (demo/vm-target-test.sh).
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$PWD/$BUILD ;; esac
CTL=${CTL:-$BUILD/netoopsctl}
ID=$$
H=nxh$ID C=nxc$ID G=nxg$ID R=nxr$ID	# host, on-link collector, gateway, routed collector
WORK=$(mktemp -d /tmp/netoops-ctl.XXXXXX)

[ "$(id -u)" = 0 ] || { echo "ctl-route: needs root (ip netns)"; tests/lib/record.sh integration/ctl-route 0 1; exit 1; }
[ -x "$CTL" ] || { echo "ctl-route: $CTL not built"; tests/lib/record.sh integration/ctl-route 0 1; exit 1; }

cleanup() {
	for ns in $H $C $G $R; do ip netns del "$ns" 2>/dev/null; done
	rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }
mac_of() { nsx "$1" cat "/sys/class/net/$2/address"; }

topology() {
	for ns in $H $C $G $R; do ip netns add "$ns"; nsx "$ns" ip link set lo up; done
	# host h0 <-> collector c0 on one link
	ip link add h0 netns $H type veth peer name c0 netns $C
	nsx $H ip addr add 10.77.1.2/24 dev h0
	nsx $H ip addr add fd77:1::2/64 dev h0 nodad
	nsx $C ip addr add 10.77.1.1/24 dev c0
	nsx $C ip addr add fd77:1::1/64 dev c0 nodad
	# host h1 <-> gateway g0 ; gateway g1 <-> routed collector r0
	ip link add h1 netns $H type veth peer name g0 netns $G
	ip link add g1 netns $G type veth peer name r0 netns $R
	nsx $H ip addr add 10.77.2.2/24 dev h1
	nsx $H ip addr add fd77:2::2/64 dev h1 nodad
	nsx $G ip addr add 10.77.2.1/24 dev g0
	nsx $G ip addr add fd77:2::1/64 dev g0 nodad
	nsx $G ip addr add 10.77.3.1/24 dev g1
	nsx $G ip addr add fd77:3::1/64 dev g1 nodad
	nsx $R ip addr add 10.77.3.2/24 dev r0
	nsx $R ip addr add fd77:3::2/64 dev r0 nodad
	for l in "$H h0" "$H h1" "$C c0" "$G g0" "$G g1" "$R r0"; do
		set -- $l; nsx "$1" ip link set "$2" up
	done
	nsx $G sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
	nsx $H ip route add 10.77.3.0/24 via 10.77.2.1
	nsx $H ip -6 route add fd77:3::/64 via fd77:2::1
	nsx $R ip route add default via 10.77.3.1
	nsx $R ip -6 route add default via fd77:3::1
	# a route whose gateway does not exist: resolution must time out with a clear message
	nsx $H ip route add 10.77.9.0/24 via 10.77.1.99
}

# check NAME COMMAND...: one assertion, counted.
. tests/lib/checks.sh
checks_begin ctl-route "$WORK/out"

# resolved NS TO KEY=VALUE...: `target add --dry-run` resolves TO and prints exactly these values.
resolved() {
	local ns=$1 to=$2; shift 2
	nsx "$ns" "$CTL" target add t --to "$to" --dry-run --timeout 5 >"$WORK/dry" 2>&1 ||
		{ cat "$WORK/dry"; return 1; }
	cat "$WORK/dry"
	for kv in "$@"; do
		grep -qx -- "$kv" "$WORK/dry" || { echo "expected $kv"; return 1; }
	done
}

# fails NS TO PATTERN: resolving TO fails, with a message matching PATTERN.
fails() {
	local ns=$1 to=$2 pat=$3
	if nsx "$ns" "$CTL" target add t --to "$to" --dry-run --timeout 1 >"$WORK/err" 2>&1; then
		cat "$WORK/err"; echo "expected a failure"; return 1
	fi
	cat "$WORK/err"
	grep -q -- "$pat" "$WORK/err" || { echo "expected: $pat"; return 1; }
}

neigh_absent() { ! nsx $H ip neigh show "$@" | grep -q lladdr; }

topology
C0=$(mac_of $C c0) G0=$(mac_of $G g0)

check v4-neighbour-initially-absent neigh_absent 10.77.1.1 dev h0
check v4-direct resolved $H 10.77.1.1:27001 dev_name=h0 local_ip=10.77.1.2 remote_ip=10.77.1.1 \
	remote_mac=$C0 remote_port=27001 local_port=2004 gateway=
check v4-direct-neighbour-learnt sh -c "ip netns exec $H ip neigh show 10.77.1.1 dev h0 | grep -q $C0"
check v4-routed resolved $H 10.77.3.2 dev_name=h1 local_ip=10.77.2.2 remote_ip=10.77.3.2 \
	remote_mac=$G0 remote_port=2004 gateway=10.77.2.1
check v6-direct resolved $H '[fd77:1::1]:27002' dev_name=h0 local_ip=fd77:1::2 remote_ip=fd77:1::1 \
	remote_mac=$C0 remote_port=27002 gateway=
check v6-routed resolved $H fd77:3::2 dev_name=h1 local_ip=fd77:2::2 remote_ip=fd77:3::2 \
	remote_mac=$G0 remote_port=2004 gateway=fd77:2::1
check v6-routed-bracket-port resolved $H '[fd77:3::2]:27003' remote_port=27003 remote_mac=$G0

# The gateway's MAC changes (a replaced router): a fresh resolution follows it.
nsx $G ip link set g0 address 02:00:00:77:77:01
nsx $H ip neigh flush dev h1
check v4-routed-new-gateway-mac resolved $H 10.77.3.2 remote_mac=02:00:00:77:77:01

check err-no-route fails $H 10.99.0.1 "no route to 10.99.0.1"
check err-no-route-v6 fails $H 2001:db8::1 "no route to 2001:db8::1"
check err-local-address fails $H 10.77.1.2 "is an address of this machine"
check err-gateway-silent fails $H 10.77.9.5 "gateway 10.77.1.99 on h0 did not answer ARP"
nsx $C ip link set c0 down
check err-collector-silent fails $H 10.77.1.1 "collector 10.77.1.1 on h0 did not answer ARP"
nsx $C ip link set c0 up
nsx $H ip link set h1 down
check err-route-gone-with-link fails $H 10.77.3.2 "no route to 10.77.3.2"
nsx $H ip link set h1 up
nsx $H ip link set h0 mtu 1200
check err-small-mtu fails $H 10.77.1.1 "interface h0 has MTU 1200, netoops needs at least 1428: ip link set h0 mtu 1500"
nsx $H ip link set h0 mtu 1500
check err-bad-port fails $H 10.77.1.1:70000 "bad port"

# refused CMD... PATTERN: the command fails and says PATTERN.
refused() {
	local pat=${*: -1}
	if "${@:1:$#-1}" >"$WORK/r" 2>&1; then cat "$WORK/r"; echo "expected a failure"; return 1; fi
	cat "$WORK/r"; grep -q -- "$pat" "$WORK/r"
}
check err-bad-name refused "$CTL" target add a/b --to 10.77.1.1 --dry-run "bad target name"

# Without netoops.ko (this host has none loaded) the real add says what to do.
module_missing() {
	[ ! -d /sys/kernel/netoops ] || { echo "skip: module loaded on this host"; return 0; }
	! nsx $H env NETOOPS_TARGETS_CONF="$WORK/targets.conf" "$CTL" target add web --to 10.77.1.1 >"$WORK/o" 2>&1 &&
		grep -q "netoops module not loaded: run modprobe netoops" "$WORK/o" &&
		[ ! -e "$WORK/targets.conf" ]	# a target that does not work is not saved
}
check err-module-missing-real module_missing

# targets.conf: parsing errors name the line; apply without the module fails clearly.
printf 'web 10.77.1.1:520\n# comment\n\nbad line here\n' >"$WORK/bad.conf"
check conf-error-names-line refused env NETOOPS_TARGETS_CONF="$WORK/bad.conf" "$CTL" target apply \
	"bad.conf:4: expected 'NAME HOST\[:PORT\] \[key=PATH\]'"

# inventory without --to: one NETOOPSI datagram to each target's collector (on-link, routed).
inventory_to_targets() {
	printf 'near 10.77.1.1:2099\nfar 10.77.3.2:2099\n' >"$WORK/inv.conf"
	nsx $H ip route replace 10.77.3.0/24 via 10.77.2.1	# h1 was down: its route went
	nsx $C timeout 5 nc -u -l -W 1 10.77.1.1 2099 >"$WORK/inv-near" &
	nsx $R timeout 5 nc -u -l -W 1 10.77.3.2 2099 >"$WORK/inv-far" &
	sleep 0.5
	nsx $H env NETOOPS_TARGETS_CONF="$WORK/inv.conf" "$CTL" inventory >"$WORK/inv.out" || return 1
	wait
	grep -q '^NETOOPSI .* 0 inventory ' "$WORK/inv-near" && grep -q '^vmlinux [0-9a-f]*$' "$WORK/inv-near" &&
		grep -q '^NETOOPSI ' "$WORK/inv-far" && [ "$(grep -c '^sent ' "$WORK/inv.out")" -eq 2 ]
}
check inventory-to-every-target inventory_to_targets
printf '' >"$WORK/none.conf"
check inventory-no-target-says-what refused env NETOOPS_TARGETS_CONF="$WORK/none.conf" "$CTL" \
	inventory "no target in"

checks_end
