#!/bin/sh
# /init of the demo guest: configure netoops with `netoopsctl target add` (only the collector's
# address given), then crash the seed's way. Overlaid on tests/vm's initramfs (its modules).
#
# Kernel command line: netoops_port=PORT netoops_demo=demo|check
#   demo   target add, target list, boot-id, then the crash-test module's divide error
#   check  the VM test: also IPv6, apply from targets.conf, del, errors and a test dump first
# Lines for the host start with "demo:" (progress) or "check ok:" / "check FAIL:" (the VM test).
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
hostname "nx-demo"
exec >/dev/console 2>&1

for w in $(cat /proc/cmdline); do
	case $w in netoops_*=*) eval "${w%%=*}='${w#*=}'" ;; esac
done
port=${netoops_port:-2004}
mode=${netoops_demo:-demo}
CTL=/bin/netoopsctl

say() { echo "demo: $*"; }
ok() { echo "check ok: $*"; }
bad() { echo "check FAIL: $*"; }
run() { echo "demo: guest# $*"; "$@"; }

echo "netoops-demo-marker: logged at boot, long before the crash" >/dev/kmsg
for m in $(grep -vx netconsole /mods/order); do insmod "/mods/$m.ko" 2>/dev/null; done
ip link set lo up
ip link set eth0 up
ip addr add 10.0.2.15/24 dev eth0
ip route add default via 10.0.2.2
echo 0 >/proc/sys/net/ipv6/conf/eth0/accept_dad	# busybox ip has no "nodad"
ip -6 addr add fec0::15/64 dev eth0
insmod /netoops/netoops.ko || say "insmod netoops.ko FAILED"

checks() {
	out=$($CTL target add bad --to 10.0.2.15 2>&1) && bad "own address accepted" ||
		{ case $out in *"address of this machine"*) ok "own address refused: $out" ;;
		  *) bad "own address: $out" ;; esac; }
	out=$($CTL target add v6 --to "[fec0::2]:$port" 2>&1) && ok "IPv6 target added: $out" ||
		bad "IPv6 target: $out"
	mac6=$(cat /sys/kernel/config/netoops/v6/remote_mac 2>/dev/null)
	# QEMU's user network answers neighbour discovery for fec0::2 with this MAC (not ARP's)
	[ "$mac6" = 52:56:00:00:00:02 ] && ok "IPv6 next-hop MAC $mac6" || bad "IPv6 MAC '$mac6'"
	# a test dump through the IPv6 target alone (the host checks it came over IPv6)
	echo 0 >/sys/kernel/config/netoops/demo/enabled
	run $CTL test && sleep 2
	n=$(cat /sys/kernel/config/netoops/v6/dumps_sent)
	[ "$n" = 1 ] && ok "IPv6 target sent the second test dump" || bad "v6 dumps_sent $n"
	echo 1 >/sys/kernel/config/netoops/demo/enabled
	out=$($CTL target del v6 2>&1) && [ ! -d /sys/kernel/config/netoops/v6 ] &&
		ok "del: $out" || bad "del: $out"
	grep -q '^v6 ' /etc/netoops/targets.conf && bad "del left v6 in targets.conf" ||
		ok "del removed v6 from targets.conf"
}

# wait_mac MAC: up to 10 s for target demo's remote_mac to become MAC
wait_mac() {
	for _ in $(seq 50); do
		[ "$(cat /sys/kernel/config/netoops/demo/remote_mac)" = "$1" ] && return 0
		sleep 0.2
	done
	return 1
}

# `target watch` follows a neighbour change (a replaced router) and goes back when it is undone.
watch_checks() {
	$CTL target watch >/tmp/watch.log 2>&1 &
	wpid=$!
	sleep 1
	arp -i eth0 -s 10.0.2.2 02:00:00:00:00:99
	wait_mac 02:00:00:00:00:99 && ok "watch followed the new next-hop MAC" ||
		bad "watch: remote_mac $(cat /sys/kernel/config/netoops/demo/remote_mac)"
	arp -i eth0 -d 10.0.2.2
	wait_mac 52:55:0a:00:02:02 && ok "watch re-resolved the real MAC" ||
		bad "watch: remote_mac $(cat /sys/kernel/config/netoops/demo/remote_mac)"
	kill $wpid
	sed 's/^/demo: watch| /' /tmp/watch.log
}

after_add() {
	t=/sys/kernel/config/netoops/demo
	[ "$(cat $t/enabled)" = 1 ] && ok "enabled" || bad "not enabled"
	[ "$(cat $t/dev_name)" = eth0 ] && ok "dev_name eth0" || bad "dev_name $(cat $t/dev_name)"
	[ "$(cat $t/local_ip)" = 10.0.2.15 ] && ok "local_ip 10.0.2.15" || bad "local_ip $(cat $t/local_ip)"
	[ "$(cat $t/remote_mac)" = 52:55:0a:00:02:02 ] && ok "remote_mac of the gateway" ||
		bad "remote_mac $(cat $t/remote_mac)"
	grep -q "^demo 10.0.2.2:$port\$" /etc/netoops/targets.conf && ok "saved in targets.conf" ||
		bad "targets.conf: $(cat /etc/netoops/targets.conf)"
	# apply from the saved file re-creates a removed target exactly
	echo 0 >$t/enabled && rmdir $t
	out=$($CTL target apply 2>&1) && [ "$(cat $t/enabled 2>/dev/null)" = 1 ] &&
		ok "apply re-created it: $out" || bad "apply: $out"
	out=$($CTL target apply 2>&1)
	case $out in *unchanged*) ok "apply again: $out" ;; *) bad "apply again: $out" ;; esac
	watch_checks
	run $CTL test && sleep 2
	n=$(cat $t/dumps_sent)
	[ "$n" -ge 1 ] && ok "dumps_sent $n after the test dump" || bad "dumps_sent $n"
	checks
}

say "guest booted: $(uname -r), eth0 $(ip -4 -o addr show eth0 | awk '{print $4}')"
run $CTL target add demo --to "10.0.2.2:$port" || say "target add FAILED"
run $CTL target list
run $CTL boot-id
say "boot id of this guest: $(tr -d - </proc/sys/kernel/random/boot_id)"
[ "$mode" = check ] && after_add
run $CTL target list
say "crashing: insmod netoops_crashtest.ko mode=divide (the seed's divide-by-zero in init)"
insmod /netoops/netoops_crashtest.ko mode=divide
say "insmod was killed by the oops; an oops is not a panic, so this kernel lives on. Powering off."
sleep 1
poweroff -f
