#!/bin/bash
# Symbolization end to end: a crash in the 6.1 guest, symbolized by netoopsd through a real
# debuginfod (Debian's package) on loopback that indexes the real linux-image-*-dbg package and
# the crash-test module; the lines checked against eu-addr2line on the same files; the same
# from a local debug tree without debuginfod; debuginfod down, then back.
#
# usage: tests/sym/run.sh        (make check-sym; records suite "sym")
#
# The ~860 MB debug package and debuginfod's index of it are cached under the VM tests' cache
# (.cache/vm/dbg, tests/sym/fetch-dbg.sh): the first run downloads and indexes them (minutes),
# later runs reuse both. One QEMU guest (TCG), niced.
# SC2015: "A && ok || bad" is meant (ok never fails); SC2317: the checks run through wait_for.
# shellcheck disable=SC2015,SC2317
set -euo pipefail
cd "$(dirname "$0")/../.."
REPO=$PWD
# shellcheck source=tests/vm/lib.sh
. tests/vm/lib.sh
# shellcheck source=tests/lib/ports.sh
. tests/lib/ports.sh
BUILD=${BUILD:-build}
NXD=$REPO/$BUILD/netoopsd
CTL=$REPO/$BUILD/netoopsctl
W=$(mktemp -d /tmp/netoops-sym.XXXXXX)
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
passed=0 failed=0
ok() { echo "ok: $*"; passed=$((passed + 1)); }
bad() { echo "FAIL: $*"; failed=$((failed + 1)); }
finish() {
	tests/lib/record.sh sym "$passed" "$failed"
	echo "sym: $passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
}
wait_for() {	# SECONDS COMMAND...
	local end=$(( $(date +%s) + $1 )); shift
	while [ "$(date +%s)" -le "$end" ]; do "$@" >/dev/null 2>&1 && return 0; sleep 0.5; done
	return 1
}

# ---- the files: debug package, the kernel, the crash-test module the guest runs ----
DBG=$(NETOOPS_CACHE=$CACHE tests/sym/fetch-dbg.sh)
rel=$(cat "$VMC/k/6.1/release")
VMLINUX=$DBG/root/usr/lib/debug/lib/modules/$rel/vmlinux
tests/vm/build-kmod.sh 6.1 >/dev/null
tests/vm/mkinitramfs.sh 6.1 "$W/initrd.cpio.gz" >/dev/null
mkdir -p "$W/ko"
# the module exactly as the guest loads it: out of this run's initramfs
(cd "$W/ko" && zcat "$W/initrd.cpio.gz" | cpio -id --quiet netoops/netoops_crashtest.ko &&
	mv netoops/netoops_crashtest.ko . && rmdir netoops)
CT=$W/ko/netoops_crashtest.ko
build_id() { eu-readelf -n "$1" | awk '/Build ID:/ { print $3; exit }'; }
vm_id=$(build_id "$VMLINUX"); ct_id=$(build_id "$CT")
[ -n "$vm_id" ] && [ -n "$ct_id" ] || { bad "no build IDs in $VMLINUX or $CT"; finish; }

# ---- debuginfod on loopback: the .deb (indexed once, the index cached) and the module ----
KODIR=$DBG/ko		# debuginfod scans it: this run's module, by its build ID
mkdir -p "$KODIR"
cp "$CT" "$KODIR/netoops_crashtest-$ct_id.ko"
DPORT=$(free_port)
start_debuginfod() {	# PORT
	# --fdcache-mintmp=0: a disk under 25% free (the default) must not make it drop every
	# file it unpacked at once
	nice debuginfod -p "$1" -d "$DBG/debuginfod.sqlite" -c 2 -t 0 -g 0 --fdcache-mintmp=0 -U -F \
		"$DBG/deb" "$KODIR" >>"$W/debuginfod.log" 2>&1 &
	dpid=$!
	pids="$pids $dpid"
}
served() { [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/buildid/$2/debuginfo")" = 200 ]; }
# the .deb indexed: its first module is served (right after vmlinux in the archive; the 630 MB
# vmlinux is not fetched here: netoopsd fetches it, once)
small_id=$(build_id "$DBG/root/usr/lib/debug/lib/modules/$rel/kernel/arch/x86/crypto/aegis128-aesni.ko")
start_debuginfod "$DPORT"
t0=$(date +%s)
if wait_for 1800 served "$DPORT" "$small_id" && wait_for 120 served "$DPORT" "$ct_id"; then
	ok "debuginfod serves vmlinux and the crash-test module ($(( $(date +%s) - t0 )) s to index)"
else
	bad "debuginfod did not serve the build IDs"; tail -5 "$W/debuginfod.log"; finish
fi

# ---- a crash in the 6.1 guest, stored, symbolized through debuginfod ----
export DEBUGINFOD_CACHE_PATH=$W/dcache
PORT=$(free_port)
"$NXD" --listen "127.0.0.1:$PORT" --db "$W/db" --quiet-ms 2000 --symbolize-retry-ms 1000 \
	--symbolize-timeout-ms 300000 \
	--debuginfod-urls "http://127.0.0.1:$DPORT" >"$W/netoopsd.log" 2>&1 &
pids="$pids $!"
wait_for 10 grep -q "listening on" "$W/netoopsd.log"
# the guest's inventory, as netoopsctl inventory reads it from /sys (the notes of these files)
inventory() {	# HOST BOOT PORT
	mkdir -p "$W/sys/kernel" "$W/sys/module/netoops_crashtest/notes"
	objcopy -O binary --only-section=.notes "$VMLINUX" "$W/sys/kernel/notes"
	objcopy -O binary --only-section=.note.gnu.build-id "$CT" \
		"$W/sys/module/netoops_crashtest/notes/.note.gnu.build-id"
	"$CTL" inventory --to "127.0.0.1:$3" --sysfs "$W/sys" --host "$1" --boot "$2" --release "$rel"
}
nice tests/vm/run-guest.sh -k 6.1 -l "$W/serial.log" -t 300 -i "$W/initrd.cpio.gz" -- \
	netoops_case=null "netoops_port=$PORT" &
gpid=$!
pids="$pids $gpid"
# the boot id is known once netoops.ko is loaded; the crash may be stored before it comes
wait_for 240 grep -q "netoops: ready, boot id" "$W/serial.log" || true
boot=$(sed -n 's/.*netoops: ready, boot id \([0-9a-f]*\).*/\1/p' "$W/serial.log" | head -n 1)
[ -n "$boot" ] && inventory nx-vm "$boot" "$PORT" >/dev/null
wait "$gpid" || true
state() { "$CTL" --db "$1" show --json "$2" | jq -r '.reports[0].symbolized.state // "pending"'; }
symbolized() { case $(state "$1" "$2") in ok|partial) return 0 ;; esac; return 1; }
if wait_for 300 symbolized "$W/db" 1; then
	ok "guest crash stored and symbolized via debuginfod ($(state "$W/db" 1))"
else
	bad "guest crash not symbolized: $(state "$W/db" 1)"; tail -20 "$W/netoopsd.log"; finish
fi
"$CTL" --db "$W/db" show --json 1 | jq '.reports[0].symbolized' >"$W/sym1.json"
"$CTL" --db "$W/db" show 1 >"$W/show1.txt"

# crash-test frames with netoops_crashtest.c:NN, vmlinux frames with kernel sources
jq -e '[.frames[] | select(.module == "netoops_crashtest" and (.file // "" | endswith("netoops_crashtest.c")) and .line > 0)] | length >= 2' "$W/sym1.json" >/dev/null &&
	ok "crash-test frames have netoops_crashtest.c lines" || bad "crash-test frames: $(jq -c '.frames[:3]' "$W/sym1.json")"
jq -e '[.frames[] | select(.module == null and .file != null)] | length >= 3' "$W/sym1.json" >/dev/null &&
	ok "vmlinux frames have source lines" || bad "vmlinux frames not resolved"
jq -e '.guilty_file | endswith("netoops_crashtest.c")' "$W/sym1.json" >/dev/null &&
	ok "guilty file is the crash-test module's source" || bad "guilty file $(jq -r .guilty_file "$W/sym1.json")"
grep -Eq 'netoops_crashtest\.c:[0-9]+$' "$W/show1.txt" && grep -q '\[inline\]' "$W/show1.txt" &&
	ok "netoopsctl show prints file:line and inlined calls" || bad "show: $(grep -m3 crash "$W/show1.txt")"

# ---- the same lines as eu-addr2line on the same files, the same addresses ----
agree=0 disagree=0
while IFS=$'\t' read -r func off mod rip file line inl; do
	f=$VMLINUX; [ "$mod" = null ] || f=$CT
	a=$off; [ "$rip" = true ] || [ "$off" = 0 ] || a=$((off - 1))
	# eu-addr2line -i: innermost location first, the outermost call last; FILE:LINE[:COLUMN]
	eu-addr2line -e "$f" -i "$(printf '%s+0x%x' "$func" "$a")" |
		sed -E 's/^(.*:[0-9]+):[0-9]+$/\1/' >"$W/eu"
	want=$(tail -n 1 "$W/eu"); want_in=$(head -n 1 "$W/eu")
	case $want in
	*"/$file:$line"|"$file:$line") agree=$((agree + 1)) ;;
	*) disagree=$((disagree + 1)); echo "  $func+$off: ours $file:$line, eu-addr2line $want" ;;
	esac
	if [ "$inl" != "" ]; then
		case $want_in in *"/$inl"|"$inl") ;; *) disagree=$((disagree + 1))
			echo "  $func+$off innermost: ours $inl, eu-addr2line $want_in" ;; esac
	fi
done < <(jq -r '.frames[] | select(.file != null) | [.func, .offset, (.module // "null"), .rip,
	.file, .line, (if (.inlined | length) > 0 then "\(.inlined[0].file):\(.inlined[0].line)" else "" end)] | @tsv' "$W/sym1.json")
[ "$agree" -ge 5 ] && [ "$disagree" -eq 0 ] &&
	ok "file:line agree with eu-addr2line ($agree frames)" || bad "eu-addr2line: $agree agree, $disagree differ"

# ---- a local tree, no debuginfod: netoopsctl symbolize and analyze give the same ----
"$CTL" --db "$W/db" symbolize 1 --json --debuginfo "$DBG/root/usr/lib/debug" --debuginfo "$W/ko" \
	| jq -S '.frames' >"$W/local.json"
jq -S '.frames' "$W/sym1.json" >"$W/dfd.json"
cmp -s "$W/local.json" "$W/dfd.json" && ok "local tree gives what debuginfod gave" ||
	bad "local tree differs: $(diff "$W/local.json" "$W/dfd.json" | head -5)"
"$CTL" --db "$W/db" show --json 1 | jq -r .text >"$W/dump.txt"
"$CTL" analyze --json "$W/dump.txt" --debuginfo "$DBG/root/usr/lib/debug" --debuginfo "$W/ko" |
	jq -S 'select(.primary) | .symbolized.frames' >"$W/analyze.json"
cmp -s "$W/analyze.json" "$W/dfd.json" && ok "analyze --debuginfo symbolizes the dump offline" ||
	bad "analyze --debuginfo differs"

# ---- debuginfod down: stored, deferred (counted), symbolized when it is back ----
kill "$dpid"; wait "$dpid" 2>/dev/null || true
PORT2=$(free_port)
# the client cache without the crash-test module: it must be fetched (vmlinux is not fetched
# again, which would only cost time)
cp -a "$W/dcache" "$W/dcache2"
rm -rf "${W:?}/dcache2/$ct_id"
export DEBUGINFOD_CACHE_PATH=$W/dcache2
"$NXD" --listen "127.0.0.1:$PORT2" --db "$W/db2" --quiet-ms 500 --symbolize-retry-ms 1000 \
	--debuginfod-urls "http://127.0.0.1:$DPORT" >"$W/netoopsd2.log" 2>&1 &
pids="$pids $!"
wait_for 10 grep -q "listening on" "$W/netoopsd2.log"
nxboot=$(printf '%08x%08x%08x%08x' 1 0 45063 0)	# nxload's boot id for its first host
inventory nx-vm "$nxboot" "$PORT2" >/dev/null
cc -O2 -std=c11 -D_GNU_SOURCE -Iinclude -Isrc -o "$W/nxload" bench/nxload.c "$BUILD/libnxcore.a" -lcrypto -lisal
# the stored dump again, from the same host and boot (nxload sends the text; ids from the dump)
"$W/nxload" --to "127.0.0.1:$PORT2" --text "$W/dump.txt" --host nx-vm --release "$rel" >/dev/null 2>&1 || true
deferred() { [ "$("$CTL" --db "$W/db2" --json stats | jq -r '.counters.symbolize_deferred // 0')" -ge 1 ]; }
if wait_for 30 deferred; then
	ok "debuginfod down: the report is stored and deferred ($(state "$W/db2" 1))"
else
	bad "debuginfod down: not deferred ($(state "$W/db2" 1))"
fi
start_debuginfod "$DPORT"
wait_for 120 served "$DPORT" "$ct_id" || true
if wait_for 300 symbolized "$W/db2" 1; then ok "debuginfod back: symbolized on retry"
else bad "debuginfod back: still $(state "$W/db2" 1)"; fi
finish
