#!/bin/sh
# /init of the test guest: bring up eth0, configure netoops like the seed, run one test case.
#
# Kernel command line: netoops_case=CASE netoops_port=PORT [netoops_port2=PORT]
#   crash cases: divide null bug panic warn timer   (crash-test module modes; warn sets
#                panic_on_warn=1)
#   oom        seed setup (netoops_record_oom=1), then exhaust memory
#   test       seed setup, then echo test > /sys/kernel/netoops/netoops_trigger
#   reasons    seed setup, netoops_reasons=panic, oops (must not dump), then a test dump
#   big        seed setup, netoops_dump_bytes=1 MiB, 3 copies, 3000 more log lines, then panic
#   ipv6       one target fec0::15 -> fec0::2 (QEMU's host address), then panic
#   two        seed target1 -> PORT plus target2 -> PORT2, then panic
#   modparam   insmod netoops.ko netoops=<netconsole grammar, two targets>, then panic
#   configfs   malformed and busy writes must be refused; results on the console, then a
#              test dump
#   emerg      seed setup, netoops_reasons=oops,panic,emerg, then SysRq 'b' (emergency restart)
#   shutdown   seed setup, netoops_reasons=oops,panic,shutdown, then poweroff -f
#   netconsole-ext    Debian's netconsole.ko (no netoops.ko) via configfs, extended=1 (and
#                     release=1 where the kernel has it) to PORT; marker, a 1010-byte line
#                     (990 on 6.1; ncfrag fragments either way), then the crash-test divide oops;
#                     a second extended target to PORT2 (the host keeps its raw datagrams)
#   netconsole-basic  the same with netconsole= as module parameter, basic format; null oops
#   stack      netoops_stack=plain|bridge|bond|vlan|vlanbond (the address on eth0, on br0 over
#              eth0, on an active-backup bond0 over eth0, on VLAN 100 over eth0 or over bond0;
#              eth0 is whatever NIC the host gave: virtio-net, e1000, e1000e): 256 KiB dump, 3000 log lines, panic_on_oops=1, divide oops:
#              a whole 256 KiB dump for the oops and for the panic
#              vlan6: vlan, and a second target over it, IPv6 to PORT2 (tag pushed in software
#              on virtio-net: the headroom path); bondrelease: an active-backup bond over eth0
#              and eth1, the active slave eth0 released while enabled, a test dump must leave
#              on eth1 only, then the crash
#   oom-memcg  seed setup; SysRq f with no killable task (no dump: nobody is killed), then a
#              memory hog in a cgroup v2 with memory.max=16M twice (the first kill dumps, the
#              second is within netoops_oom_interval)
#   slow       seed setup, background forks and bridge add/delete (grace periods, expedited
#              ones too), crash-test mode slow (an oops whose dump takes 150 ms a datagram):
#              no RCU stall report, no lockup report
#   fec        seed setup, 1 copy + netoops_fec=50, 40000 log lines; test dumps of 64 KiB, 1 MiB
#              and 4 MiB (the module logs each one's parity time), then a 1 MiB panic dump;
#              the host relays the frames through tests/vm/lossrelay (drops at random and in
#              bursts)
#   nmi        seed setup, 256 KiB dump, 1000 log lines, kernel.unknown_nmi_panic=1; the host
#              sends an NMI (QEMU monitor); with netoops_stack= over that stack
#   nested     seed setup, panic_on_oops=1, crash-test mode nested (a fault inside the dump)
#   rqlock     seed setup, panic_on_oops=1, crash-test mode rqlock (oops with this CPU's
#              runqueue lock held); the host runs it with netoops_stack=bond, where the
#              driver frees netoops' skbs and so raises NET_TX
#   events     link down (a test dump skips the target at once), rename eth0 -> lan0 (the
#              target follows), enslave lan0 to br0 while enabled (the target follows the
#              address to br0), then a test dump, then br0 deleted (the target is disabled)
#   auth       seed target1 -> PORT plus target2 -> PORT2 (syslog-ng), the host key from
#              netoops_key= into netoops_key (which must not read back), a test dump signed,
#              then netoops_encrypt=1, panic_on_oops=1 and a divide oops: oops and panic encrypted
#   netconsole the kernel's netconsole to PORT, then sysrq crash (infrastructure check)
#   shell      an interactive shell on the console (debugging)
# Every line this script reports starts with "netoops-vm" and goes to /dev/kmsg.
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
hostname "nx-vm"

for w in $(cat /proc/cmdline); do
	case $w in netoops_*=*) eval "${w%%=*}='${w#*=}'" ;; esac
done
case=${netoops_case:-shell}
port=${netoops_port:-2004}
port2=${netoops_port2:-$((port + 1))}
MAC=52:55:0a:00:02:02
CT=/sys/kernel/config/netoops

say() { echo "netoops-vm: $*" >/dev/kmsg; }
finish() { sleep "${1:-1}"; say "done case=$case"; poweroff -f; }

# The marker goes into the log before anything is configured: the dump must still carry it.
echo "netoops-vm-marker case=$case port=$port" >/dev/kmsg

for m in $(grep -vx netconsole /mods/order); do insmod "/mods/$m.ko" || say "insmod $m failed"; done

# stack_mod NAME [ARGS]: a stack module and what it depends on (mkinitramfs.sh: NAME.list)
stack_mod() {
	while read -r m; do
		[ -e "/sys/module/$m" ] && continue
		# shellcheck disable=SC2086 # ARGS: module parameters, one word each
		if [ "$m" = "$1" ]; then insmod "/mods/$m.ko" $2; else insmod "/mods/$m.ko"; fi ||
			say "insmod $m failed"
	done <"/mods/$1.list"
}
wait_carrier() {	# dev: up to 10 s (a bridge port, a bond's first slave)
	for _ in $(seq 100); do
		[ "$(cat "/sys/class/net/$1/carrier" 2>/dev/null)" = 1 ] && return 0
		usleep 100000
	done
	say "no carrier on $1"
}
# IF: the device that holds the address and that netoops is bound to
IF=eth0
case ${netoops_stack:-plain} in
bridge)	stack_mod bridge
	brctl addbr br0; brctl addif br0 eth0; IF=br0 ;;
bondrelease)
	stack_mod bonding max_bonds=0
	echo +bond0 >/sys/class/net/bonding_masters
	echo active-backup >/sys/class/net/bond0/bonding/mode
	echo 100 >/sys/class/net/bond0/bonding/miimon
	echo +eth0 >/sys/class/net/bond0/bonding/slaves
	echo +eth1 >/sys/class/net/bond0/bonding/slaves; IF=bond0 ;;
bond|vlanbond)
	stack_mod bonding max_bonds=0
	echo +bond0 >/sys/class/net/bonding_masters
	echo active-backup >/sys/class/net/bond0/bonding/mode
	echo 100 >/sys/class/net/bond0/bonding/miimon
	echo +eth0 >/sys/class/net/bond0/bonding/slaves; IF=bond0 ;;
esac
case ${netoops_stack:-plain} in
vlan|vlan6|vlanbond)	# VLAN 100 over eth0 or over bond0
	stack_mod 8021q
	ip link set eth0 up; ip link set $IF up
	vconfig add $IF 100 >/dev/null; IF=$IF.100 ;;
esac
ip link set lo up
ip link set eth0 up
ip link set $IF up
ip addr add 10.0.2.15/24 dev $IF
ip -6 addr add fec0::15/64 dev $IF nodad 2>/dev/null
wait_carrier $IF
say "network: ${netoops_stack:-plain} on $(basename "$(readlink /sys/class/net/eth0/device/driver)"), address on $IF"

seed() {
	sed "s/@PORT@/$1/; s/\"eth0\" > dev_name/\"$IF\" > dev_name/" /netoops/seed-setup.sh \
		>/tmp/seed-setup.sh
	sh -e /tmp/seed-setup.sh || say "seed setup FAILED"
	say "configured target1 remote_port=$(cat $CT/target1/remote_port)" \
		"enabled=$(cat $CT/target1/enabled)"
}
load_netoops() { insmod /netoops/netoops.ko "$@" || say "insmod netoops.ko FAILED"; }
# target2: a second configfs target, to PORT2
target2() {
	t=$CT/target2
	mkdir $t
	echo 10.0.2.15 >$t/local_ip; echo 10.0.2.2 >$t/remote_ip
	echo $MAC >$t/remote_mac; echo "$port2" >$t/remote_port
	echo eth0 >$t/dev_name
	echo 1 >$t/enabled || say "enabling target2 FAILED"
}
crash() {	# mode [parameter]
	say "crashing with mode=$1"
	# shellcheck disable=SC2086 # the parameter: one word or none
	insmod /netoops/netoops_crashtest.ko mode="$1" $2
	say "crash-test module returned (mode=$1)"
}

# netconsole sends only what is logged once it runs: marker again, then a record longer
# than netconsole's 1000-byte datagram (header + text: ncfrag when extended), then an oops.
# 6.12 on take 1010 bytes from /dev/kmsg; 6.1 at most 992 (LOG_LINE_MAX): 990 there.
netconsole_crash() {
	say "netconsole running ($2)"
	echo "netoops-vm-marker case=$case port=$port" >/dev/kmsg
	for n in 99 97; do
		long=netoops-vm-long; i=0
		while [ $i -lt $n ]; do long="$long$(printf ' seg%03d-xy' $i)"; i=$((i + 1)); done
		(echo "$long :end" >/dev/kmsg) 2>/dev/null && break
	done
	say "long line: $((${#long} + 5)) bytes, $n segments"
	crash "$1"
	finish 2
}

# write VALUE FILE EXPECT: the write must fail with EXPECT ("EINVAL", "EBUSY", "any") or
# succeed ("ok").
check_write() {
	err=$( (echo "$1" >"$2") 2>&1 ) && got=ok || got=$err
	case $got in
	*"Invalid argument"*) short=EINVAL ;;
	*"busy"*) short=EBUSY ;;
	ok) short=ok ;;
	*) short="error:$got" ;;
	esac
	if [ "$3" = "$short" ] || { [ "$3" = any ] && [ "$short" != ok ]; }; then
		say "check ok: '$1' > ${2##*/} -> $short"
	else
		say "check FAIL: '$1' > ${2##*/} -> $short, want $3"
	fi
}
check_eq() {
	if [ "$2" = "$3" ]; then say "check ok: $1 = '$2'"
	else say "check FAIL: $1 = '$2', want '$3'"; fi
}

# filler N: N lines of about 85 bytes, at level 7 (into the log, not onto the console)
filler() {
	i=1
	while [ $i -le "$1" ]; do
		echo "<7>netoops-vm-filler $i: the quick brown fox jumps over the lazy dog 0123456789"
		i=$((i + 1))
	done >/dev/kmsg
}

wait_value() {	# file value: up to 10 s
	for _ in $(seq 100); do [ "$(cat "$1")" = "$2" ] && return 0; usleep 100000; done
}

tx_packets() { cat "/sys/class/net/$1/statistics/tx_packets"; }

# The active slave released while the target is enabled: the next dump leaves on eth1 only.
bondrelease_checks() {
	wait_carrier eth1
	echo -eth0 >/sys/class/net/bond0/bonding/slaves || say "check FAIL: cannot release eth0"
	wait_value /sys/class/net/bond0/bonding/active_slave eth1
	check_eq "active slave after releasing eth0" \
		"$(cat /sys/class/net/bond0/bonding/active_slave)" eth1
	check_eq "enabled after releasing eth0" "$(cat $CT/target1/enabled)" 1
	a0=$(tx_packets eth0) a1=$(tx_packets eth1)
	check_write test /sys/kernel/netoops/netoops_trigger ok
	b0=$(tx_packets eth0) b1=$(tx_packets eth1)
	say "test dump after the release: eth0 +$((b0 - a0)), eth1 +$((b1 - a1)) packets"
	check_eq "test dump frames on the released eth0" "$((b0 - a0))" 0
	check_eq "test dump frames on eth1 (20 or more)" "$((b1 - a1 >= 20))" 1
}

# A second target over the same VLAN, IPv6, to PORT2.
target6() {
	t=$CT/target6
	mkdir $t
	echo fec0::15 >$t/local_ip; echo fec0::2 >$t/remote_ip
	echo $MAC >$t/remote_mac; echo "$1" >$t/remote_port
	echo "$IF" >$t/dev_name
	echo 1 >$t/enabled || say "check FAIL: enabling the IPv6 target on $IF"
}

# An MTU below the datagram size after enable: every datagram is refused and counted, none
# sent; with the MTU back, the next dump goes out.
mtu_checks() {	# dev: the target's device
	t=$CT/target1
	e0=$(cat $t/transmit_errors)
	ip link set "$1" mtu 1200
	check_write test /sys/kernel/netoops/netoops_trigger any
	check_eq "transmit_errors after a dump at MTU 1200 (16 more)" \
		"$(cat $t/transmit_errors)" "$((e0 + 16))"
	check_eq "enabled at MTU 1200" "$(cat $t/enabled)" 1
	ip link set "$1" mtu 1500
	check_write test /sys/kernel/netoops/netoops_trigger ok
}

# Grace periods while the oops is dumped: forks (call_rcu) and bridges added and deleted
# (synchronize_rcu_expedited under RTNL), on the other CPU.
rcu_load() {
	stack_mod bridge
	while :; do (:); brctl addbr nxs0; brctl delbr nxs0; done >/dev/null 2>&1 &
	load_pid=$!
}

uptime_cs() { cut -d' ' -f1 /proc/uptime | tr -d .; }

stall_checks() {	# START: uptime before the crash, in 1/100 s
	d=$(($(uptime_cs) - $1))
	say "the slow oops dump took $((d / 100)).$((d % 100 / 10)) s"
	check_eq "the oops dump took longer than the RCU stall timeout (3 s)" "$((d > 300))" 1
	sleep 4
	kill "$load_pid"
	n=$(dmesg | grep -Eci 'rcu: INFO|detected (expedited )?stall|soft lockup|hard LOCKUP')
	check_eq "RCU stall or lockup reports after the slow oops dump" "$n" 0
	say "checks finished: $(dmesg | grep -c 'netoops-vm: check ok') ok," \
		"$(dmesg | grep -c 'netoops-vm: check FAIL') failed"
}

# memory.max=16M, a hog in it: the memory cgroup's OOM killer kills the hog.
memcg_hog() {
	sh -c 'echo $$ >/sys/fs/cgroup/hog/cgroup.procs && exec tail /dev/zero'
	say "memcg hog $1 ended"
}

oom_memcg_checks() {
	echo 1 >/proc/sys/kernel/sysrq
	echo f >/proc/sysrq-trigger	# nothing is killable: out_of_memory() kills nobody
	sleep 3
	mount -t cgroup2 none /sys/fs/cgroup
	echo +memory >/sys/fs/cgroup/cgroup.subtree_control
	mkdir /sys/fs/cgroup/hog
	echo 16M >/sys/fs/cgroup/hog/memory.max
	memcg_hog 1
	sleep 3
	memcg_hog 2	# within netoops_oom_interval (60 s): no second dump
}

# The test dump must come back at once when the target's link is down: it is skipped.
events_checks() {
	t=$CT/target1
	ip link set eth0 down
	s0=$(uptime_cs)
	check_write test /sys/kernel/netoops/netoops_trigger any
	s1=$(uptime_cs)
	say "a dump with the link down took $((s1 - s0))0 ms"
	check_eq "dump with the link down under 300 ms (skipped)" "$((s1 - s0 < 30))" 1
	ip link set eth0 name lan0 || say "check FAIL: cannot rename eth0"
	check_eq "dev_name after rename" "$(cat $t/dev_name)" lan0
	ip link set lan0 up
	wait_carrier lan0
	stack_mod bridge
	brctl addbr br0
	brctl addif br0 lan0
	ip addr del 10.0.2.15/24 dev lan0
	ip link set br0 up
	ip addr add 10.0.2.15/24 dev br0
	wait_carrier br0
	wait_value $t/dev_name br0
	check_eq "dev_name after enslaving lan0 to br0" "$(cat $t/dev_name)" br0
	check_eq "enabled after enslaving" "$(cat $t/enabled)" 1
	echo test >/sys/kernel/netoops/netoops_trigger || say "check FAIL: test dump via br0"
	mtu_checks br0
	ip link del br0 2>/dev/null || { ip link set br0 down; brctl delbr br0; }
	wait_value $t/enabled 0
	check_eq "enabled after br0 was deleted" "$(cat $t/enabled)" 0
	say "checks finished: $(dmesg | grep -c 'netoops-vm: check ok') ok," \
		"$(dmesg | grep -c 'netoops-vm: check FAIL') failed"
}

configfs_checks() {
	mount -t configfs configfs /sys/kernel/config
	t=$CT/bad
	mkdir $t
	for v in 1.2.3 256.1.1.1 10.0.2.15x hello; do check_write "$v" $t/local_ip EINVAL; done
	for v in 10.0.2 1.2.3.4.5 fec0::2::1; do check_write "$v" $t/remote_ip EINVAL; done
	for v in 52:55:0a:00:02 52:55:0a:00:02:02:03 zz:55:0a:00:02:02 52-55; do
		check_write "$v" $t/remote_mac EINVAL
	done
	for v in 65536 -1 abc 99999999999; do
		check_write "$v" $t/remote_port EINVAL
		check_write "$v" $t/local_port EINVAL
	done
	check_write maybe $t/enabled EINVAL
	check_write 0123456789abcdefXYZ $t/dev_name EINVAL
	check_write 02:00:00:00:00:01 $t/local_mac any
	# an unknown device is refused, at the latest when enabling
	if (echo nosuchdev0 >$t/dev_name) 2>/dev/null; then
		check_write 1 $t/enabled any
	else
		say "check ok: 'nosuchdev0' > dev_name -> refused"
	fi
	check_eq "enabled after refused enable" "$(cat $t/enabled)" 0
	rmdir $t
	# a good target: values read back as written, then busy while enabled
	t=$CT/target1
	mkdir $t
	check_write 10.0.2.15 $t/local_ip ok
	check_write 10.0.2.2 $t/remote_ip ok
	check_write $MAC $t/remote_mac ok
	check_write "$port" $t/remote_port ok
	check_write eth0 $t/dev_name ok
	check_eq remote_ip "$(cat $t/remote_ip)" 10.0.2.2
	check_eq remote_mac "$(cat $t/remote_mac)" $MAC
	check_eq remote_port "$(cat $t/remote_port)" "$port"
	check_write 1 $t/enabled ok
	check_eq enabled "$(cat $t/enabled)" 1
	check_eq "local_mac once enabled" "$(cat $t/local_mac)" "$(cat /sys/class/net/eth0/address)"
	check_write 10.0.2.3 $t/remote_ip EBUSY
	check_write 10.0.2.16 $t/local_ip EBUSY
	check_write 02:00:00:00:00:01 $t/remote_mac EBUSY
	check_write 1234 $t/remote_port EBUSY
	check_write 1234 $t/local_port EBUSY
	check_write lo $t/dev_name EBUSY
	check_eq "remote_port after EBUSY" "$(cat $t/remote_port)" "$port"
	for f in /sys/kernel/netoops/*; do
		m=$(stat -c %a "$f")
		case $m in *[2367]) say "check FAIL: ${f##*/} is world-writable ($m)" ;;
		*) say "check ok: ${f##*/} mode $m" ;; esac
	done
	say "checks finished: $(dmesg | grep -c 'netoops-vm: check ok') ok," \
		"$(dmesg | grep -c 'netoops-vm: check FAIL') failed"
}

case $case in
divide|null|bug|panic|timer)
	load_netoops; seed "$port"; crash "$case"; finish 1 ;;
warn)
	load_netoops; seed "$port"
	echo 1 >/proc/sys/kernel/panic_on_warn
	crash warn; finish 1 ;;
oom)
	load_netoops; seed "$port"
	say "exhausting memory (netoops_record_oom=$(cat /sys/kernel/netoops/netoops_record_oom))"
	tail /dev/zero
	say "memory hog ended"
	finish 5 ;;
test)
	load_netoops; seed "$port"
	echo test >/sys/kernel/netoops/netoops_trigger || say "test trigger write FAILED"
	finish 3 ;;
reasons)
	load_netoops; seed "$port"
	echo panic >/sys/kernel/netoops/netoops_reasons || say "netoops_reasons FAILED"
	say "reasons=$(cat /sys/kernel/netoops/netoops_reasons)"
	crash null
	sleep 1
	echo test >/sys/kernel/netoops/netoops_trigger || say "test trigger write FAILED"
	finish 3 ;;
big)
	load_netoops; seed "$port"
	echo 1048576 >/sys/kernel/netoops/netoops_dump_bytes || say "netoops_dump_bytes FAILED"
	echo 3 >/sys/kernel/netoops/netoops_copies || say "netoops_copies FAILED"
	filler 3000
	say "wrote 3000 filler lines; dump_bytes=$(cat /sys/kernel/netoops/netoops_dump_bytes)"
	crash panic ;;
fec)
	load_netoops; seed "$port"
	echo 1 >/sys/kernel/netoops/netoops_copies || say "netoops_copies FAILED"
	echo 50 >/sys/kernel/netoops/netoops_fec || say "netoops_fec FAILED"
	filler 40000
	echo "netoops-vm-marker case=$case port=$port" >/dev/kmsg
	for b in 65536 1048576 4194304; do
		echo $b >/sys/kernel/netoops/netoops_dump_bytes || say "netoops_dump_bytes $b FAILED"
		echo test >/sys/kernel/netoops/netoops_trigger || say "test dump of $b FAILED"
	done
	echo 1048576 >/sys/kernel/netoops/netoops_dump_bytes
	crash panic ;;
stack)
	load_netoops; seed "$port"
	[ "$netoops_stack" != vlan6 ] || target6 "$port2"
	[ "$netoops_stack" != bondrelease ] || bondrelease_checks
	echo 262144 >/sys/kernel/netoops/netoops_dump_bytes || say "netoops_dump_bytes FAILED"
	filler 3000
	# the boot's marker is older than the newest 256 KiB: log it again
	echo "netoops-vm-marker case=$case port=$port" >/dev/kmsg
	echo 1 >/proc/sys/kernel/panic_on_oops
	crash divide ;;
nmi)
	load_netoops; seed "$port"
	# ~190 datagrams: more than a target's 64 spare skbs (all a bond or VLAN had from NMI)
	echo 262144 >/sys/kernel/netoops/netoops_dump_bytes || say "netoops_dump_bytes FAILED"
	filler 1000
	echo 1 >/proc/sys/kernel/unknown_nmi_panic
	say "waiting for the NMI"
	sleep 60 ;;
oom-memcg)
	load_netoops; seed "$port"
	say "exhausting a memory cgroup (netoops_record_oom=$(cat /sys/kernel/netoops/netoops_record_oom))"
	oom_memcg_checks
	finish 3 ;;
slow)
	load_netoops; seed "$port"
	rcu_load
	s0=$(uptime_cs)
	crash slow
	stall_checks "$s0"
	finish 1 ;;
nested|rqlock)
	load_netoops; seed "$port"
	echo 1 >/proc/sys/kernel/panic_on_oops
	crash "$case" ;;
events)
	load_netoops; seed "$port"; events_checks
	finish 3 ;;
ipv6)
	load_netoops
	mount -t configfs configfs /sys/kernel/config
	t=$CT/target6
	mkdir $t
	echo fec0::15 >$t/local_ip; echo fec0::2 >$t/remote_ip
	echo $MAC >$t/remote_mac; echo "$port" >$t/remote_port
	echo eth0 >$t/dev_name
	echo 1 >$t/enabled || say "enabling the IPv6 target FAILED"
	say "configured ipv6 target $(cat $t/local_ip) -> [$(cat $t/remote_ip)]:$(cat $t/remote_port)"
	crash panic ;;
two)
	load_netoops; seed "$port"
	target2
	crash panic ;;
modparam)
	# a malformed netoops= fails the load with EINVAL
	err=$(insmod /netoops/netoops.ko "netoops=@10.0.2.15/eth0,$port@10.0.2.2/zz:zz" 2>&1) &&
		got=loaded || got=$err
	case $got in *"Invalid argument"*|*"Invalid parameters"*) say "check ok: bad netoops= -> $got" ;;
	*) say "check FAIL: bad netoops= -> $got, want EINVAL"; rmmod netoops ;; esac
	load_netoops "netoops=@10.0.2.15/eth0,$port@10.0.2.2/$MAC;6677@/eth0,$port2@10.0.2.2/$MAC"
	mount -t configfs configfs /sys/kernel/config 2>/dev/null
	# the running targets show up in configfs when their directory is made
	mkdir $CT/cmdline0 $CT/cmdline1
	check_eq "cmdline0 enabled" "$(cat $CT/cmdline0/enabled)" 1
	check_eq "cmdline0 remote_port" "$(cat $CT/cmdline0/remote_port)" "$port"
	check_eq "cmdline1 remote_port" "$(cat $CT/cmdline1/remote_port)" "$port2"
	check_eq "cmdline1 local_port" "$(cat $CT/cmdline1/local_port)" 6677
	check_eq "cmdline1 remote_ip" "$(cat $CT/cmdline1/remote_ip)" 10.0.2.2
	crash panic ;;
auth)
	load_netoops; seed "$port"
	target2
	k=/sys/kernel/netoops
	check_eq "netoops_key mode" "$(stat -c %a $k/netoops_key)" 200
	check_write "${netoops_key:-}" $k/netoops_key ok
	check_eq "netoops_key_installed" "$(cat $k/netoops_key_installed)" 1
	if got=$(cat $k/netoops_key 2>/dev/null) && [ -n "$got" ]; then
		say "check FAIL: netoops_key reads back"
	else
		say "check ok: netoops_key does not read back"
	fi
	echo test >$k/netoops_trigger || say "test trigger write FAILED"
	check_write 1 $k/netoops_encrypt ok
	echo 1 >/proc/sys/kernel/panic_on_oops
	crash divide ;;
configfs)
	load_netoops; configfs_checks
	echo test >/sys/kernel/netoops/netoops_trigger || say "test trigger write FAILED"
	finish 3 ;;
netconsole)
	insmod /mods/netconsole.ko "netconsole=@10.0.2.15/eth0,$port@10.0.2.2/$MAC" ||
		say "netconsole FAILED"
	echo 1 >/proc/sys/kernel/sysrq
	echo c >/proc/sysrq-trigger ;;
netconsole6)
	insmod /mods/netconsole.ko "netconsole=@fec0::15/eth0,$port@fec0::2/$MAC" ||
		say "netconsole FAILED"
	echo 1 >/proc/sys/kernel/sysrq
	echo c >/proc/sysrq-trigger ;;
emerg)
	load_netoops; seed "$port"
	echo oops,panic,emerg >/sys/kernel/netoops/netoops_reasons || say "netoops_reasons FAILED"
	say "crashing with sysrq b; reasons=$(cat /sys/kernel/netoops/netoops_reasons)"
	echo 1 >/proc/sys/kernel/sysrq
	echo b >/proc/sysrq-trigger ;;
shutdown)
	load_netoops; seed "$port"
	echo oops,panic,shutdown >/sys/kernel/netoops/netoops_reasons ||
		say "netoops_reasons FAILED"
	say "crashing by powering off; reasons=$(cat /sys/kernel/netoops/netoops_reasons)"
	poweroff -f ;;
netconsole-ext)
	insmod /mods/netconsole.ko || say "insmod netconsole FAILED"
	mount -t configfs configfs /sys/kernel/config
	t=/sys/kernel/config/netconsole/nx
	mkdir $t
	echo eth0 >$t/dev_name; echo 10.0.2.15 >$t/local_ip; echo 10.0.2.2 >$t/remote_ip
	echo $MAC >$t/remote_mac; echo "$port" >$t/remote_port
	echo 1 >$t/extended || say "netconsole extended FAILED"
	if [ -e $t/release ]; then
		echo 1 >$t/release || say "netconsole release FAILED"
	fi
	echo 1 >$t/enabled || say "enabling netconsole FAILED"
	# the same to PORT2, where the host keeps the raw datagrams (to see the ncfrag fragments)
	mkdir ${t}2
	echo eth0 >${t}2/dev_name; echo 10.0.2.15 >${t}2/local_ip; echo 10.0.2.2 >${t}2/remote_ip
	echo $MAC >${t}2/remote_mac; echo "$port2" >${t}2/remote_port; echo 1 >${t}2/extended
	echo 1 >${t}2/enabled || say "enabling the second netconsole target FAILED"
	netconsole_crash divide "extended=$(cat $t/extended) release=$(cat $t/release 2>/dev/null)" ;;
netconsole-basic)
	insmod /mods/netconsole.ko "netconsole=@10.0.2.15/eth0,$port@10.0.2.2/$MAC" ||
		say "insmod netconsole FAILED"
	netconsole_crash null basic ;;
shell)
	setsid cttyhack sh ;;
*)	say "unknown case '$case'" ;;
esac
finish 1
