#!/bin/bash
# netoops built into the kernel: targets from netoops= on the kernel command line, then a crash.
#
# usage: tests/builtin/run.sh
# Builds (or takes from the cache) a small 6.1 kernel with netoops built in (build.sh), boots
# it in QEMU (TCG) with two targets on the command line in netconsole's grammar, separated by
# ';' -- one with a source address, one without (netpoll takes eth0's address, which the ip=
# autoconfiguration set) -- and crashes it with SysRq c. Each target sends to its own netoopsd;
# both must have stored a complete dump of reason oops or panic with the crash and the marker.
# Records builtin/build and builtin/cmdline-two-targets (tests/lib/record.sh).
# Artifacts in build/builtin/: serial.log, rx1/ rx2/ (db, receiver.log, show-*.json).
# Host UDP ports: 28000 + 28001 (NETOOPS_BUILTIN_PORT overrides the first).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
BUILD_DIR=${BUILD:-build}
case $BUILD_DIR in /*) ;; *) BUILD_DIR=$REPO/$BUILD_DIR ;; esac
OUT=$BUILD_DIR/builtin
PORT=${NETOOPS_BUILTIN_PORT:-28000}
PORT2=$((PORT + 1))
MAC=52:55:0a:00:02:02
MARKER="netoops-builtin-marker port=$PORT"
TIMEOUT=${NETOOPS_VM_TIMEOUT:-240}
RECORD=$REPO/tests/lib/record.sh

log() { printf '[builtin %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
fail() { log "FAIL: $*"; "$RECORD" builtin/cmdline-two-targets 0 1; exit 1; }

rm -rf "$OUT"
mkdir -p "$OUT"
cd "$REPO" || exit 1

# ---- kernel ------------------------------------------------------------------------------
if ! img=$("$HERE/build.sh"); then
	"$RECORD" builtin/build 0 1
	fail "kernel build failed"
fi
"$RECORD" builtin/build 1 0

# ---- initramfs: busybox, /init writes the marker and crashes -------------------------------
bb=$(command -v busybox) || fail "busybox not found (apt-get install busybox-static)"
root=$OUT/initramfs
mkdir -p "$root"/{bin,dev,proc,sys}
cp "$bb" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
cat >"$root/init" <<EOF
#!/bin/sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
echo "netoops-builtin: eth0 \$(ip -4 -o addr show dev eth0 | awk '{print \$4}')" >/dev/kmsg
echo "$MARKER" >/dev/kmsg
echo c >/proc/sysrq-trigger
echo "netoops-builtin: still alive after sysrq c" >/dev/kmsg
poweroff -f
EOF
chmod 755 "$root/init"
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0 | gzip -6) \
	>"$OUT/initramfs.cpio.gz" || fail "cannot build the initramfs"

# ---- receivers: one netoopsd per target, so that each dump is attributable -----------------
if [ ! -x "$BUILD_DIR/netoopsd" ] || [ ! -x "$BUILD_DIR/netoopsctl" ]; then
	fail "build/netoopsd or build/netoopsctl missing: run make userspace"
fi
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; }
trap cleanup EXIT
for i in 1 2; do
	p=$PORT; [ $i = 1 ] || p=$PORT2
	mkdir -p "$OUT/rx$i"
	"$BUILD_DIR/netoopsd" --listen "127.0.0.1:$p" --db "$OUT/rx$i/db.sqlite" --quiet-ms 2000 \
		-c /dev/null >"$OUT/rx$i/receiver.log" 2>&1 &
	pids+=($!)
done
for p in $PORT $PORT2; do
	for _ in $(seq 50); do ss -Hlun "sport = :$p" | grep -q . && break; sleep 0.1; done
	ss -Hlun "sport = :$p" | grep -q . || fail "netoopsd does not listen on $p (rx*/receiver.log)"
done

# ---- guest -------------------------------------------------------------------------------
targets="@10.0.2.15/eth0,$PORT@10.0.2.2/$MAC;@/eth0,$PORT2@10.0.2.2/$MAC"
append="console=ttyS0 panic=-1 printk.devkmsg=on loglevel=7 no_timer_check"
append+=" ip=10.0.2.15::10.0.2.2:255.255.255.0::eth0:off netoops=$targets"
log "booting: $append"
start=$(date +%s)
rc=0
timeout --kill-after=5 "$TIMEOUT" qemu-system-x86_64 \
	-accel tcg,thread=single -smp 1 -m 256 \
	-nographic -no-reboot -monitor none -serial stdio \
	-kernel "$img" -initrd "$OUT/initramfs.cpio.gz" -append "$append" \
	-netdev user,id=n0,ipv4=on -device virtio-net-pci,netdev=n0 \
	</dev/null >"$OUT/serial.log" 2>&1 || rc=$?
log "guest ended after $(($(date +%s) - start)) s (qemu status $rc)"
[ $rc != 124 ] || fail "guest timed out after $TIMEOUT s (serial: $OUT/serial.log)"
sleep 3		# netoopsd stores a dump once the sender has been quiet for --quiet-ms
cleanup
wait 2>/dev/null

# ---- checks ------------------------------------------------------------------------------
grep -q 'netoops: target cmdline0: 10.0.2.15:' "$OUT/serial.log" ||
	fail "target cmdline0 not enabled at boot (serial: $OUT/serial.log)"
grep -q 'netoops: target cmdline1: 10.0.2.15:' "$OUT/serial.log" ||
	fail "target cmdline1 not enabled at boot (serial: $OUT/serial.log)"
check_rx() {	# dir port -> "" when a complete oops/panic dump with the crash and marker is stored
	local dir=$1 port=$2 id ok=""
	"$BUILD_DIR/netoopsctl" --db "$dir/db.sqlite" list --json >"$dir/list.json" 2>>"$dir/receiver.log" ||
		{ echo "port $port: nothing stored"; return; }
	for id in $(jq -r '.[].id' "$dir/list.json"); do
		"$BUILD_DIR/netoopsctl" --db "$dir/db.sqlite" show "$id" --json >"$dir/show-$id.json" ||
			continue
		jq -r '.text' "$dir/show-$id.json" >"$dir/dump-$id.txt"
		case $(jq -r .reason "$dir/show-$id.json") in oops|panic) ;; *) continue ;; esac
		[ "$(jq -r .complete "$dir/show-$id.json")" = true ] || continue
		grep -q 'sysrq_handle_crash' "$dir/dump-$id.txt" || continue
		grep -qF "$MARKER" "$dir/dump-$id.txt" || continue
		ok=$id
	done
	[ -n "$ok" ] || echo "port $port: no complete oops/panic dump with sysrq_handle_crash and the marker" \
		"($(jq -r 'map("\(.id):\(.reason)") | join(" ")' "$dir/list.json" 2>/dev/null))"
}
miss="$(check_rx "$OUT/rx1" "$PORT")$(check_rx "$OUT/rx2" "$PORT2")"
[ -z "$miss" ] || fail "$miss (artifacts: $OUT)"
log "ok: both command-line targets delivered a complete dump"
"$RECORD" builtin/cmdline-two-targets 1 0
