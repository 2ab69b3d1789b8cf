#!/bin/bash
# `make demo`: crash a Debian 6.1 kernel in QEMU whose netoops target was set up with one
# command, `netoopsctl target add demo --to 10.0.2.2:PORT`, and show the report netoopsd stored.
#
# Scratch files (database, logs, guest console) go to build/demo/. Port: 27000-27099.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

OUTD=$BUILD/demo
rm -rf "$OUTD"; mkdir -p "$OUTD"
PORT=$(free_udp_port 27000 27099)
cleanup() { [ -z "${COLLECTOR_PID:-}" ] || kill "$COLLECTOR_PID" 2>/dev/null || true; }
trap cleanup EXIT

step "1/5 Getting the Debian $KERNEL kernel, building netoops.ko for it and the guest's initramfs"
echo "    (downloads are cached in $VMC; the first run takes a few minutes)"
prepare_guest "$OUTD/initrd.gz"

step "2/5 Starting the collector: netoopsd on 127.0.0.1:$PORT, SQLite in $OUTD/netoops.db"
start_collector "$OUTD" "$PORT"

step "3/5 Booting the guest (QEMU, no KVM); it configures netoops and crashes itself"
echo "    the guest reaches this machine as 10.0.2.2 (QEMU user networking): netoopsctl finds"
echo "    the route, the interface, the source address and the next hop's MAC by itself"
boot_guest "$OUTD" "$OUTD/initrd.gz" "$PORT" demo

step "4/5 Waiting for netoopsd to store the report"
id=$(wait_report "$OUTD" nx-demo oops) || {
	tail -n 20 "$OUTD/netoopsd.log"; die "no report from the guest (console: $OUTD/console.log)"; }
echo "    report $id stored"

# symbolization runs after storing, off the receive path: a moment later
for _ in $(seq 50); do
	"$CTL" --db "$OUTD/netoops.db" show --json "$id" | jq -e '.reports[0].symbolized' >/dev/null &&
		break
	sleep 0.2
done

step "5/5 The report, as netoopsctl show prints it"
echo "    \$ netoopsctl --db $OUTD/netoops.db show $id"
"$CTL" --db "$OUTD/netoops.db" show "$id" >"$OUTD/report.txt"
sed -n '/^---- text ----$/q;p' "$OUTD/report.txt"
echo "---- text (the oops, from the $(wc -l <"$OUTD/report.txt") lines received) ----"
grep -m1 -B1 -A14 -E '(divide error|invalid opcode):' "$OUTD/report.txt" || true
grep -m1 'netoops-demo-marker' "$OUTD/report.txt" &&
	echo "    ^ logged at boot, long before the crash: the dump carries the backlog too"
grep -q 'netoops_crashtest\.c:[0-9]' "$OUTD/report.txt" &&
	echo "    the crash-test module's frames above carry their source lines (netoops_crashtest.c:NN)"
echo
echo "The whole text: $CTL --db $OUTD/netoops.db show $id"
echo "All reports:    $CTL --db $OUTD/netoops.db list"
