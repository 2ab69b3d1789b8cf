#!/bin/bash
# Boot a test kernel in QEMU (TCG) with the test initramfs; the serial console goes to a file.
#
# usage: tests/vm/run-guest.sh -k KERNEL -l LOGFILE [-m MEM_MB] [-t TIMEOUT_S] [-i INITRD]
#                              [-s SMP] [-n NIC] [-2] [-M FIFO] [-S PEER,LOCAL] [--] [KERNEL-ARGS...]
#   e.g.  tests/vm/run-guest.sh -k 6.1 -l /tmp/divide.log -- netoops_case=divide netoops_port=26010
#
# The guest has one NIC on QEMU's user network (guest 10.0.2.15, host reachable as
# 10.0.2.2 -> 127.0.0.1, and fec0::2), boots with panic=-1 and QEMU runs with -no-reboot, so a
# panic or a poweroff ends QEMU. -n picks the NIC: virtio (virtio-net-pci, the default), e1000
# or e1000e (both reap TX completions in NAPI); -2 adds a second one of the same kind on a
# user network of its own (eth1: the same addresses, also delivered to the host). -M FIFO gives QEMU's monitor on the pipes
# FIFO.in/FIFO.out (made here): `echo nmi >FIFO.in` sends the guest an NMI. -S PEER,LOCAL
# replaces the user network by QEMU's socket backend: every frame the guest sends goes as one
# UDP datagram from 127.0.0.1:LOCAL to 127.0.0.1:PEER (tests/vm/vlanrelay.c reads them).
# No KVM: -enable-kvm hangs on these machines, TCG works.
# Exit status: QEMU's, or 124 when the timeout expired.
# Single-threaded TCG by default: with multi-threaded TCG, 7.2 guests sometimes oopsed (int3)
# while the kernel patched its own code at boot. NETOOPS_VM_ACCEL overrides -accel.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

k="" logf="" mem=512 tmo=120 initrd="" smp=2 nic=virtio mon="" sock="" second=()
while [ $# -gt 0 ]; do
	case $1 in
	-k) k=$2; shift 2 ;;
	-l) logf=$2; shift 2 ;;
	-m) mem=$2; shift 2 ;;
	-t) tmo=$2; shift 2 ;;
	-i) initrd=$2; shift 2 ;;
	-s) smp=$2; shift 2 ;;
	-n) nic=$2; shift 2 ;;
	-2) second=(-netdev "user,id=n1,ipv4=on,ipv6=on"); shift ;;
	-M) mon=$2; shift 2 ;;
	-S) sock=$2; shift 2 ;;
	--) shift; break ;;
	-*) die "unknown option $1 (see the usage at the top of $0)" ;;
	*) break ;;
	esac
done
[ -n "$k" ] && [ -n "$logf" ] || die "usage: run-guest.sh -k KERNEL -l LOGFILE [-m MB] [-t S] [-- ARGS]"
kd=$VMC/k/$k
[ -s "$kd/ready" ] || die "kernel $k not fetched: run tests/vm/fetch-kernels.sh $k"
initrd=${initrd:-$VMC/initramfs/$k.cpio.gz}
[ -s "$initrd" ] || die "no initramfs $initrd: run tests/vm/mkinitramfs.sh $k"

case $nic in
virtio) dev=virtio-net-pci ;;
e1000|e1000e) dev=$nic ;;
*) die "unknown NIC '$nic' (virtio, e1000, e1000e)" ;;
esac
netdev=user,id=n0,ipv4=on,ipv6=on
[ -z "$sock" ] || netdev="socket,id=n0,udp=127.0.0.1:${sock%,*},localaddr=127.0.0.1:${sock#*,}"
[ ${#second[@]} = 0 ] || second+=(-device "$dev,netdev=n1")
monitor=(-monitor none)
if [ -n "$mon" ]; then
	rm -f "$mon.in" "$mon.out"; mkfifo "$mon.in" "$mon.out"
	monitor=(-chardev "pipe,id=mon0,path=$mon" -mon "chardev=mon0,mode=readline")
fi

# no_timer_check: on a loaded host TCG can miss the IO-APIC timer check and panic at boot
append="console=ttyS0 panic=-1 printk.devkmsg=on loglevel=7 no_timer_check $*"
mkdir -p "$(dirname "$logf")"
rc=0
timeout --kill-after=5 "$tmo" qemu-system-x86_64 \
	-machine q35 -accel "${NETOOPS_VM_ACCEL:-tcg,thread=single}" -smp "$smp" -m "$mem" \
	-nographic -no-reboot "${monitor[@]}" -serial stdio \
	-kernel "$kd/vmlinuz" -initrd "$initrd" -append "$append" \
	-netdev "$netdev" -device "$dev,netdev=n0" "${second[@]}" \
	</dev/null >"$logf" 2>&1 || rc=$?
exit $rc
