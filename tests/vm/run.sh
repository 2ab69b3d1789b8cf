#!/bin/bash
# The QEMU crash-test matrix: crash real Debian kernels running netoops.ko, check the dumps.
#
# usage: tests/vm/run.sh [-k "6.1 6.12 7.2"] [-c "CASE..."] [-r netoopsd|sink] [-j JOBS]
#   -k  kernels (default: all three)        -c  cases (default: all; see CASES below)
#   -r  receiver: netoopsd (the project's collector, default) or sink (tests/vm/udpsink +
#       tests/vm/dumpcheck: independent of the collector, for debugging)
#   -j  guests at a time (default 2)
# NETOOPS_VM_MATRIX_ONLY=1: skip what follows the matrix (demo/vm-target-test.sh, tests/builtin).
# NETOOPS_VM_PORT_BASE: first port of the cells (default 26000).
# Every cell is recorded with tests/lib/record.sh as vm/<kernel>/<case>; a table
# kernel x case is printed; the exit status is non-zero on any miss. Artifacts (serial logs,
# received dumps) are in build/vm/<kernel>-<case>/. Ports: 26000-26999, four per cell.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

CRASH_CASES="divide null bug panic warn timer"
EXTRA_CASES="syslog oom oom-memcg test reasons big ipv6 two modparam configfs emerg shutdown auth"
NETCONSOLE_CASES="netconsole-ext netconsole-basic"	# Debian's netconsole.ko, no netoops.ko
# NIC-STACK: a 256 KiB dump of an oops and of the panic after it, on e1000/e1000e (TX completions
# reaped in NAPI), the address on the NIC, on a bridge over it or on an active-backup bond,
# or bond, or on VLAN 100 over the NIC or over such a bond (frames through tests/vm/vlanrelay);
# bondrelease: two e1000, the active slave released while enabled; vlan6: virtio-net (no VLAN
# offload: the tag is pushed into the frame) with a second, IPv6 target over the VLAN
NIC_CASES="e1000-plain e1000-bridge e1000-bond e1000e-plain e1000e-bridge e1000e-bond
e1000-vlan e1000-vlanbond e1000-bondrelease virtio-vlan6"
CONTEXT_CASES="nmi nmi-e1000 nmi-vlanbond nested rqlock events slow"
FEC_CASES="fec"	# parity (issue 10): a 1 MiB panic dump through tests/vm/lossrelay
kernels=$KERNELS_ALL receiver=netoopsd jobs=2
cases="$CRASH_CASES $EXTRA_CASES $NETCONSOLE_CASES $NIC_CASES $CONTEXT_CASES $FEC_CASES"
while getopts "k:c:r:j:" o; do
	case $o in
	k) kernels=$OPTARG ;; c) cases=$OPTARG ;; r) receiver=$OPTARG ;; j) jobs=$OPTARG ;;
	*) sed -n '3,13p' "$0"; exit 2 ;;
	esac
done
BUILD_DIR=${BUILD:-build}	# BUILD itself is passed on unchanged (record.sh reads it)
case $BUILD_DIR in /*) ;; *) BUILD_DIR=$REPO/$BUILD_DIR ;; esac
OUT=$BUILD_DIR/vm
RUN_TIMEOUT=${NETOOPS_VM_TIMEOUT:-150}
mkdir -p "$OUT"
cd "$REPO" || exit 1

# ---- preparation: kernels, helpers, modules, initramfs ------------------------------------
"$VM_DIR/fetch-kernels.sh" $kernels >/dev/null || die "fetching kernels failed"
for t in udpsink dumpcheck vlanrelay lossrelay; do
	cc -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra -Werror -o "$OUT/$t" "$VM_DIR/$t.c" ||
		die "building tests/vm/$t.c failed"
done
if [ "$receiver" = netoopsd ]; then
	[ -x "$BUILD_DIR/netoopsd" ] && [ -x "$BUILD_DIR/netoopsctl" ] ||
		die "build/netoopsd or build/netoopsctl missing: run make userspace (or use -r sink)"
	# a private copy, so that a rebuild of the tree during the matrix cannot pull them away
	mkdir -p "$OUT/bin"
	cp "$BUILD_DIR/netoopsd" "$BUILD_DIR/netoopsctl" "$OUT/bin/"
fi
NETOOPSD=$OUT/bin/netoopsd NETOOPSCTL=$OUT/bin/netoopsctl
declare -A broken
for k in $kernels; do
	if ! "$VM_DIR/build-kmod.sh" "$k" || ! "$VM_DIR/mkinitramfs.sh" "$k" >/dev/null; then
		broken[$k]="module build failed"
	fi
done

# ---- receivers ---------------------------------------------------------------------------
# start_receiver DIR ADDR:PORT [NETOOPSD-OPTION...] -> pid on stdout; the receiver writes what
# it got into DIR.
start_receiver() {
	local dir=$1 addr=$2
	mkdir -p "$dir"
	case $receiver in
	netoopsd) "$NETOOPSD" --listen "$addr" --db "$dir/db.sqlite" --quiet-ms 2000 \
			-c /dev/null "${@:3}" >"$dir/receiver.log" 2>&1 & ;;
	sink) "$OUT/udpsink" -l "$addr" -o "$dir" -q 600 -t 900 >"$dir/receiver.log" 2>&1 & ;;
	esac
	echo $!
}
start_syslogng() {	# dir port -> pid; the seed's configuration, on loopback, in a temp dir
	local dir=$1 port=$2
	mkdir -p "$dir"
	cat >"$dir/syslog-ng.conf" <<-EOF
	@version: 3.38
	source netoops { udp(ip(127.0.0.1) port($port)); };
	destination oopslog { file("$dir/oops"); };
	log { source(netoops); destination(oopslog); };
	EOF
	syslog-ng -F --no-caps --cfgfile="$dir/syslog-ng.conf" --pidfile="$dir/syslog-ng.pid" \
		--persist-file="$dir/syslog-ng.persist" --control="$dir/syslog-ng.ctl" \
		>"$dir/receiver.log" 2>&1 &
	echo $!
}
wait_bound() {	# port: wait until something listens on it (receivers start in the background)
	for _ in $(seq 50); do
		ss -Hlun "sport = :$1" | grep -q . && return 0
		sleep 0.1
	done
	return 1
}
stop_pid() {	# the receivers are not children of this shell: poll until gone
	kill "$1" 2>/dev/null
	for _ in $(seq 50); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
	kill -9 "$1" 2>/dev/null
}

# collect DIR -> DIR/dumps: one line per received dump "reason complete textfile"
collect() {
	local dir=$1 id
	: >"$dir/dumps"
	case $receiver in
	netoopsd)
		"$NETOOPSCTL" --db "$dir/db.sqlite" list --json >"$dir/list.json" 2>>"$dir/receiver.log" ||
			return 0
		for id in $(jq -r '.[].id' "$dir/list.json"); do
			"$NETOOPSCTL" --db "$dir/db.sqlite" show "$id" --json >"$dir/show-$id.json" || continue
			jq -r '.text' "$dir/show-$id.json" >"$dir/dump-$id.txt"
			echo "$(jq -r '.reason' "$dir/show-$id.json") $(jq -r '.complete' "$dir/show-$id.json" |
				sed 's/true/yes/;s/false/no/') $dir/dump-$id.txt" >>"$dir/dumps"
		done ;;
	sink)
		mkdir -p "$dir/dumps.d"
		# shellcheck disable=SC2046
		"$OUT/dumpcheck" "$dir/dumps.d" $(find "$dir" -maxdepth 1 -name '[0-9]*' | sort) \
			>"$dir/dumpcheck.out"
		sed -n 's/^dump=\([0-9]*\) reason=\([a-z]*\) .* complete=\([a-z]*\)$/\2 \3 \1/p' \
			"$dir/dumpcheck.out" | while read -r r c n; do
			echo "$r $c $dir/dumps.d/$n.txt"
		done >>"$dir/dumps" ;;
	esac
}

# ---- expectations ------------------------------------------------------------------------
# What each case must produce: the reason of the dump and patterns its text must contain.
expect_reason() {
	case $1 in
	divide|null|bug|timer|syslog|netconsole-*|stack|rqlock|slow) echo oops ;;
	panic|warn|ipv6|two|modparam|big|nmi|nested|fec|auth) echo panic ;;
	oom|oom-memcg) echo oom ;;
	test|configfs|reasons|events) echo test ;;
	emerg|shutdown) echo "$1" ;;
	esac
}
expect_patterns() {	# case port [segments]: one extended regex per line
	echo "netoops-vm-marker case=$1 port=$2"
	case $1 in
	divide|syslog) echo 'divide error'; echo 'Call Trace:'
		echo 'netoops_crashtest_init\+0x[0-9a-f]+/0x[0-9a-f]+ \[netoops_crashtest\]' ;;
	null)	echo 'BUG: kernel NULL pointer dereference'; echo 'Call Trace:'
		echo 'crash_null' ;;
	bug)	echo 'kernel BUG at'; echo 'invalid opcode'; echo 'Call Trace:' ;;
	panic|ipv6|two|modparam|big)
		echo 'Kernel panic - not syncing: netoops_crashtest: panic\(\) on request'
		echo 'Call Trace:'
		if [ "$1" = big ]; then	# the whole 1 MiB log: 3000 lines logged before the crash
			echo 'netoops-vm-filler 1: the quick'; echo 'netoops-vm-filler 1500: the quick'
			echo 'netoops-vm-filler 3000: the quick'
		fi ;;
	stack)	echo 'divide error'; echo 'Call Trace:'
		echo 'netoops_crashtest_init\+0x[0-9a-f]+/0x[0-9a-f]+ \[netoops_crashtest\]'
		echo 'netoops-vm-filler 1500: the quick'; echo 'netoops-vm-filler 3000: the quick' ;;
	fec)	# the newest 1 MiB of 40000 lines: about the last 11000
		echo 'Kernel panic - not syncing: netoops_crashtest: panic\(\) on request'
		echo 'Call Trace:'; echo 'netoops-vm-filler 31000: the quick'
		echo 'netoops-vm-filler 40000: the quick' ;;
	auth)	echo 'divide error'; echo 'Kernel panic - not syncing: Fatal exception' ;;
	nmi)	echo 'Kernel panic - not syncing: NMI: Not continuing'; echo '<NMI>'
		echo 'netoops-vm-filler 1: the quick'; echo 'netoops-vm-filler 1000: the quick' ;;
	nested)	echo 'BUG: kernel NULL pointer dereference'; echo 'nested_pre'
		echo 'Kernel panic - not syncing: Fatal exception' ;;
	rqlock)	echo 'BUG: kernel NULL pointer dereference'; echo 'rqlock_pre'
		echo 'dequeue_task_fair' ;;
	events)	echo 'target target1: eth0 is now called lan0'
		echo 'target target1: lan0 was enslaved to br0: following the address there' ;;
	warn)	echo 'WARNING: .*netoops_crashtest\.c:[0-9]+'; echo 'netoops_crashtest: WARN\(\) on request'
		echo 'Kernel panic - not syncing: (kernel: )?panic_on_warn set'; echo 'Call Trace:' ;;
	timer)	echo 'oops in a timer callback'; echo 'BUG: kernel NULL pointer dereference'
		echo 'RIP: 0010:crash_null\+0x[0-9a-f]+/0x[0-9a-f]+ \[netoops_crashtest\]'
		echo 'call_timer_fn'; echo 'Call Trace:' ;;
	oom)	echo 'invoked oom-killer'; echo 'Out of memory: Killed process [0-9]+ \(tail\)' ;;
	oom-memcg) echo 'sysrq: Manual OOM execution'
		echo 'Memory cgroup out of memory: Killed process [0-9]+ \(tail\)' ;;
	slow)	echo 'BUG: kernel NULL pointer dereference'; echo 'RIP: 0010:crash_null'
		echo 'Call Trace:' ;;
	test)	echo 'configured target1' ;;
	reasons) echo 'BUG: kernel NULL pointer dereference'; echo 'crash-test module returned' ;;
	configfs) echo 'netoops-vm: checks finished: [0-9]+ ok, 0 failed' ;;
	emerg)	echo 'netoops-vm: crashing with sysrq b; reasons=oops,panic,emerg'
		echo 'sysrq: Resetting' ;;
	shutdown) echo 'netoops-vm: crashing by powering off; reasons=oops,panic,shutdown' ;;
	netconsole-ext|netconsole-basic)
		# the long line, whole: more than one netconsole datagram (ncfrag when extended)
		echo "netoops-vm-long( seg[0-9]{3}-xy){${3:-99}} :end\$"; echo 'Call Trace:'
		if [ "$1" = netconsole-ext ]; then
			echo 'divide error'
			echo 'netoops_crashtest_init\+0x[0-9a-f]+/0x[0-9a-f]+ \[netoops_crashtest\]'
		else
			echo 'BUG: kernel NULL pointer dereference'; echo 'crash_null'
		fi ;;
	esac
}

# netconsole_meta CASE JSON SERIAL KERNEL: format, title and release netoopsd stored
netconsole_meta() {
	local c=$1 json=$2 serial=$3 k=$4 fmt=netconsole title rel
	title='BUG: unable to handle kernel NULL pointer dereference in crash_null'
	if [ "$c" = netconsole-ext ]; then
		fmt=netconsole-extended title='divide error in netoops_crashtest_init'
	fi
	[ "$(jq -r .format "$json")" = "$fmt" ] ||
		{ echo "format $(jq -r .format "$json"), want $fmt"; return; }
	[ "$(jq -r .title "$json")" = "$title" ] ||
		{ echo "title '$(jq -r .title "$json")', want '$title'"; return; }
	# netconsole's release option (6.12 on): the chunk's release is the guest kernel's
	if grep -aq 'netoops-vm: netconsole running (extended=1 release=1)' "$serial"; then
		rel=$(cat "$VMC/k/$k/release")
		[ "$(jq -r .release "$json")" = "$rel" ] ||
			{ echo "release '$(jq -r .release "$json")', want '$rel'"; return; }
	fi
	echo ok
}

long_segments() {	# serial log -> how many segments the guest's long line has
	sed -n 's/.*netoops-vm: long line: [0-9]* bytes, \([0-9]*\) segments.*/\1/p' "$1" | head -n 1
}

# check_dumps DIR CASE PORT KERNEL -> prints "ok" or what is wrong
check_dumps() {
	local dir=$1 c=$2 port=$3 k=${4:-} want line reason file p missing=""
	want=$(expect_reason "$c")
	[ -s "$dir/dumps" ] || { echo "nothing delivered"; return; }
	line=$(awk -v r="$want" '$1 == r && $2 == "yes" { print; exit }' "$dir/dumps")
	if [ -z "$line" ]; then
		line=$(awk -v r="$want" '$1 == r { print; exit }' "$dir/dumps")
		if [ -n "$line" ]; then echo "incomplete ($want)"
		else echo "no $want dump (got: $(cut -d' ' -f1 "$dir/dumps" | tr '\n' ' '))"; fi
		return
	fi
	read -r reason _ file <<<"$line"
	while IFS= read -r p; do
		grep -Eaq -- "$p" "$file" || missing="$missing [$p]"
	done < <(expect_patterns "$c" "$port" "$(long_segments "$dir/../serial.log")")
	if [ -n "$missing" ]; then echo "complete $reason dump lacks:$missing"; return; fi
	if [[ $c == netconsole-* ]] && [ "$receiver" = netoopsd ]; then
		p=${file%/dump-*}/show-${file##*/dump-}
		p=$(netconsole_meta "$c" "${p%.txt}.json" "$dir/../serial.log" "$k")
		[ "$p" = ok ] || { echo "netconsole report: $p"; return; }
	fi
	# an oops while only panics are to be dumped: the test dump shows it, no oops dump may exist
	if [ "$c" = reasons ] && awk '$1 == "oops" { f = 1 } END { exit !f }' "$dir/dumps"; then
		echo "an oops was dumped although netoops_reasons=panic"; return
	fi
	# SysRq f killed nobody, the second memcg kill is within netoops_oom_interval: one dump
	if [ "$c" = oom-memcg ] && [ "$(awk '$1 == "oom"' "$dir/dumps" | wc -l)" != 1 ]; then
		echo "$(awk '$1 == "oom"' "$dir/dumps" | wc -l) oom dumps, want 1"; return
	fi
	# an oops in a timer is an oops in interrupt context: the panic that follows is dumped too;
	# with panic_on_oops=1 (stack, rqlock) likewise, and a stack's panic dump is whole as well
	case $c in
	timer|stack|rqlock)
		file=$(awk '$1 == "panic" && $2 == "yes" { print $3; exit }' "$dir/dumps")
		[ -n "$file" ] || { echo "no complete panic dump after the oops"; return; }
		for p in 'Kernel panic - not syncing: Fatal exception' \
			$([ "$c" != stack ] || echo 'netoops-vm-filler 3000: the quick'); do
			grep -Eaq -- "$p" "$file" || { echo "panic dump lacks [$p]"; return; }
		done ;;
	esac
	echo ok
}

# syslog-ng stores each datagram as a message: the oops must be readable in its file
syslog_file_check() {	# file port -> "ok" or what is missing
	local f=$1 port=$2 p
	[ -s "$f" ] || { echo "nothing delivered"; return; }
	for p in 'divide error' 'Call Trace:' 'netoops_crashtest_init' \
		"netoops-vm-marker case=divide port=$port"; do
		grep -aq -- "$p" "$f" || { echo "file lacks [$p]"; return; }
	done
	echo ok
}

# auth: test (signed), oops and panic (encrypted) stored complete and authenticated under
# auth = required, nothing forged; the seed's syslog-ng file shows the signed test dump as
# readable lines with their mac= field, and none of the encrypted text.
auth_check() {	# dir -> "ok" or what is wrong
	local dir=$1 r f=$1/syslog-ng/oops
	for r in test oops panic; do
		jq -e --arg r "$r" 'any(.[]; .reason == $r and .complete and .authenticated)' \
			"$dir/r1/list.json" >/dev/null || { echo "no complete authenticated $r dump"; return; }
	done
	jq -e 'all(.[]; .authenticated)' "$dir/r1/list.json" >/dev/null ||
		{ echo "an unauthenticated dump was stored"; return; }
	r=$("$NETOOPSCTL" --db "$dir/r1/db.sqlite" --json stats | jq -r '.counters.auth_forged')
	[ "$r" = 0 ] || { echo "$r datagrams counted forged"; return; }
	grep -aq 'configured target1' "$f" || { echo "syslog-ng file lacks the test dump's lines"; return; }
	grep -aEq 'NETOOPS1 nx-vm .* mac=[0-9a-f]{32}' "$f" ||
		{ echo "syslog-ng file lacks mac= headers"; return; }
	if grep -aq 'divide error' "$f"; then echo "the encrypted oops is readable in syslog-ng's file"
	else echo ok; fi
}

# send_nmi DIR: once the guest is ready, the NMI through QEMU's monitor (run-guest.sh -M)
send_nmi() {
	local dir=$1
	for _ in $(seq $((RUN_TIMEOUT * 5))); do
		if grep -aq 'netoops-vm: waiting for the NMI' "$dir/serial.log" 2>/dev/null; then
			sleep 1
			timeout 5 sh -c "echo nmi >'$dir/monitor.in'"
			return
		fi
		sleep 0.2
	done
}

# ---- one case ----------------------------------------------------------------------------
run_case() {	# kernel case port
	local k=$1 c=$2 port=$3 port2=$(($3 + 1)) dir=$OUT/$1-$2 mem=512 gcase=$2 rc
	local pids=() res extra=() guest=()
	rm -rf "$dir"; mkdir -p "$dir"
	[ "$c" != oom ] || mem=256
	[ "$c" != syslog ] || gcase=divide
	case $c in
	e1000-*|e1000e-*|virtio-*)
		guest=(-n "${c%%-*}"); gcase=stack; extra=("netoops_stack=${c#*-}") ;;
	nmi-vlanbond) guest=(-n e1000); gcase=nmi; extra=(netoops_stack=vlanbond) ;;
	nmi-*)	guest=(-n "${c#nmi-}"); gcase=nmi ;;
	rqlock)	extra=(netoops_stack=bond) ;;	# a bond frees netoops' skbs: NET_TX is raised
	esac
	case $c in
	*-bondrelease) guest+=(-2) ;;	# a second NIC, the bond's backup slave
	*-vlan6) pids+=("$(start_receiver "$dir/r2" "127.0.0.1:$port2")") ;;
	esac
	case $c in
	*-vlan|*-vlanbond|*-vlan6)	# QEMU's socket backend: raw frames to the relay, which checks the tag
		"$OUT/vlanrelay" -l "127.0.0.1:$((port + 2))" -f "127.0.0.1:$port" -v 100 \
			-6 "127.0.0.1:$port2" -o "$dir/relay.stats" >"$dir/relay.log" 2>&1 &
		pids+=("$!")
		guest+=(-S "$((port + 2)),$((port + 3))") ;;
	esac
	if [ "$c" = fec ]; then	# the lossy wire: QEMU's socket backend into lossrelay
		"$OUT/lossrelay" -l "127.0.0.1:$((port + 2))" -f "127.0.0.1:$port" -p 0.05 \
			-q 0.002 -b 20 -s "$port" -o "$dir/relay.stats" >"$dir/relay.log" 2>&1 &
		pids+=("$!")
		guest+=(-S "$((port + 2)),$((port + 3))")
		extra+=(log_buf_len=8M)
	fi
	case $gcase in
	big|stack) extra+=(log_buf_len=1M) ;;
	slow)	# a 3 s RCU stall timeout (the shortest) and a 4 s soft lockup threshold
		extra+=(rcupdate.rcu_cpu_stall_timeout=3 watchdog_thresh=2) ;;
	nmi)	extra+=(log_buf_len=1M); guest+=(-M "$dir/monitor")
		send_nmi "$dir" & ;;
	esac
	case $c in
	syslog) pids+=("$(start_syslogng "$dir/syslog-ng" "$port")") ;;
	auth)	# a fleet key, the guest's host key from it; the seed's syslog-ng on the second target
		"$NETOOPSCTL" key new "$dir/fleet" >/dev/null &&
			"$NETOOPSCTL" key derive "$dir/fleet" nx-vm "$dir/host.key" >/dev/null
		extra+=("netoops_key=$(head -c 64 "$dir/host.key")")
		pids+=("$(start_receiver "$dir/r1" "127.0.0.1:$port" --auth required \
			--fleet-key "$dir/fleet")")
		pids+=("$(start_syslogng "$dir/syslog-ng" "$port2")") ;;
	ipv6)	pids+=("$(start_receiver "$dir/r1" "[::1]:$port")") ;;
	*)	pids+=("$(start_receiver "$dir/r1" "127.0.0.1:$port")") ;;
	esac
	case $c in
	two|modparam) pids+=("$(start_receiver "$dir/r2" "127.0.0.1:$port2")") ;;
	netconsole-ext)	# a second netconsole target: its raw datagrams show the fragments
		mkdir -p "$dir/raw"
		"$OUT/udpsink" -l "127.0.0.1:$port2" -o "$dir/raw" -q 600 -t 900 \
			>"$dir/raw/sink.log" 2>&1 &
		pids+=("$!") ;;
	esac
	wait_bound "$port" || { echo "receiver did not start" >"$dir/result"; }
	local _
	for _ in 1 2; do
		"$VM_DIR/run-guest.sh" -k "$k" -l "$dir/serial.log" -m "$mem" -t "$RUN_TIMEOUT" \
			"${guest[@]}" -- "netoops_case=$gcase" "netoops_port=$port" \
			"netoops_port2=$port2" "${extra[@]}"
		rc=$?
		# a guest that died before its /init ran says nothing about netoops: boot it again
		grep -aq "netoops-vm-marker case=$gcase" "$dir/serial.log" && break
		cp "$dir/serial.log" "$dir/serial.noboot.log"
		log "$k $c: the guest did not reach /init (see $dir/serial.noboot.log); retrying"
	done
	sleep 2		# let the receiver drain its socket (netoopsd stores partial dumps on SIGTERM)
	# syslog-ng stops reading its socket on SIGTERM: on a loaded machine it may still be
	# working through the datagrams, so give it time before stopping it
	if [ "$c" = syslog ]; then
		for _ in $(seq 30); do
			[ "$(syslog_file_check "$dir/syslog-ng/oops" "$port")" = ok ] && break
			sleep 1
		done
	fi
	if [ "$c" = auth ]; then
		for _ in $(seq 30); do
			grep -aq 'configured target1' "$dir/syslog-ng/oops" 2>/dev/null && break
			sleep 1
		done
	fi
	for p in "${pids[@]}"; do stop_pid "$p"; done
	[ ! -s "$dir/result" ] || return 0
	if [ "$c" = syslog ]; then
		res=$(syslog_file_check "$dir/syslog-ng/oops" "$port")
	else
		collect "$dir/r1"
		res=$(check_dumps "$dir/r1" "$gcase" "$port" "$k")
		if [ "$res" = ok ] && [ -d "$dir/r2" ]; then
			collect "$dir/r2"
			res=$(check_dumps "$dir/r2" "$gcase" "$port")
			[ "$res" = ok ] || res="second target: $res"
		fi
		[ "$res" != ok ] || [ "$c" != auth ] || res=$(auth_check "$dir")
		# the long record must really have travelled as ncfrag fragments (header+text > 1000)
		if [ "$res" = ok ] && [ "$c" = netconsole-ext ] &&
			[ "$(grep -la 'ncfrag=' "$dir"/raw/[0-9]* 2>/dev/null | wc -l)" -lt 2 ]; then
			res="the raw capture on port $port2 holds no ncfrag fragments"
		fi
		# every frame to the collector must have carried the VLAN's tag
		if [ "$res" = ok ] && [ -f "$dir/relay.stats" ]; then
			read -r p <"$dir/relay.stats"
			case $c/$p in
			*" wrong_vid=0 untagged_udp=0 forwarded="[1-9]*) ;;
			fec/*" dropped_random="[1-9]*" dropped_burst="[1-9]*) ;;
			fec/*) res="loss relay dropped nothing at random or in bursts: $p" ;;
			*) res="VLAN relay: $p" ;;
			esac
		fi
		# a slow oops dump: no RCU stall or lockup report, on the console either
		if [ "$res" = ok ] && [ "$c" = slow ]; then
			p=$(grep -Eai 'rcu: INFO|detected (expedited )?stall|soft lockup|hard LOCKUP' \
				"$dir/serial.log" | head -n 1)
			[ -z "$p" ] || res="stall reported: ${p#*] }"
		fi
		# checks made inside the guest (configfs, modparam) report on the console
		if [ "$res" = ok ] && grep -aq 'netoops-vm: check FAIL' "$dir/serial.log"; then
			res="guest checks failed: $(grep -a 'netoops-vm: check FAIL' "$dir/serial.log" |
				sed 's/.*check FAIL: //' | head -n 3 | tr '\n' ';')"
		fi
	fi
	# loading and configuring netoops must not upset the kernel before the test crashes it
	local early
	early=$(awk '/netoops-vm: (crashing|exhausting|checks finished)/ { exit }
		/(WARNING|BUG):|Oops:|general protection/ { print; exit }' "$dir/serial.log")
	[ -z "$early" ] || res="kernel complained before the crash: ${early#*] }; $res"
	[ $rc -ne 124 ] || res="timeout (${RUN_TIMEOUT}s); $res"
	echo "$res" >"$dir/result"
}

# ---- the seed's script: the guests run it with only its addresses changed ----------------
seed_script=$REPO/tests/data/seed/netoops-seed-script.sh	# the seed document's script, copied
other=$(diff "$seed_script" "$VM_DIR/seed-setup.sh" |
	grep '^[<>]' | grep -Ev '^[<>] echo "[^"]*" > (local_ip|remote_ip|remote_mac|remote_port|dev_name)$')
seed_fail=0
if [ -n "$other" ]; then
	echo "tests/vm/seed-setup.sh differs from the seed's script beyond its addresses:"
	echo "$other"; seed_fail=1
fi
"$REPO/tests/lib/record.sh" vm/seed-script $((1 - seed_fail)) $seed_fail

# ---- the matrix --------------------------------------------------------------------------
rm -rf "$OUT"/*.first
log "receiver: $receiver; kernels: $kernels; cases: $cases; $jobs guests at a time"
port=${NETOOPS_VM_PORT_BASE:-26000}	# another base when several runs share the machine
for k in $kernels; do
	for c in $cases; do
		if [ -n "${broken[$k]:-}" ]; then
			mkdir -p "$OUT/$k-$c"; echo "${broken[$k]}" >"$OUT/$k-$c/result"
			continue
		fi
		while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
		log "start $k $c (port $port)"
		run_case "$k" "$c" "$port" &
		port=$((port + 4))
	done
done
wait

# ---- one more try for a cell that failed ---------------------------------------------------
# On a loaded 2-core CI machine, two TCG guests can starve a receiver. A failed cell runs once
# more; a pass the second time is shown as "ok (retry)" with the first failure listed below,
# so a flaky cell stays visible instead of turning the whole run red or being hidden.
for k in $kernels; do for c in $cases; do
	res=$(cat "$OUT/$k-$c/result" 2>/dev/null || echo "not run")
	[ "$res" != ok ] && [ -z "${broken[$k]:-}" ] || continue
	rm -rf "$OUT/$k-$c.first"; mv "$OUT/$k-$c" "$OUT/$k-$c.first"
	while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
	log "retry $k $c (port $port): first try: $res"
	run_case "$k" "$c" "$port" &
	port=$((port + 4))
done; done
wait

fail=0
echo
echo "kernel x case: ok = delivered, complete, reason and content as expected"
echo "  (MISSING: no dump of the expected reason; INCOMPLETE: parts missing; BAD: content)"
printf '%-17s' "case"
for k in $kernels; do printf ' %-14s' "$k"; done
echo
for c in $cases; do
	printf '%-17s' "$c"
	for k in $kernels; do
		res=$(cat "$OUT/$k-$c/result" 2>/dev/null || echo "not run")
		if [ "$res" = ok ]; then
			if [ -d "$OUT/$k-$c.first" ]; then printf ' %-14s' "ok (retry)"
			else printf ' %-14s' "ok"; fi
			"$REPO/tests/lib/record.sh" "vm/$k/$c" 1 0
		else
			case $res in
			timeout*) cell=TIMEOUT ;; incomplete*) cell=INCOMPLETE ;;
			"nothing delivered"|"no "*) cell=MISSING ;; "not run") cell="NOT RUN" ;;
			*) cell=BAD ;;
			esac
			printf ' %-14s' "$cell"
			"$REPO/tests/lib/record.sh" "vm/$k/$c" 0 1
			fail=1
		fi
	done
	echo
done
echo
for k in $kernels; do for c in $cases; do
	res=$(cat "$OUT/$k-$c/result" 2>/dev/null || echo "not run")
	[ "$res" = ok ] || echo "MISS $k/$c: $res (serial log: $OUT/$k-$c/serial.log)"
	[ ! -d "$OUT/$k-$c.first" ] || echo "RETRIED $k/$c: first try: $(cat "$OUT/$k-$c.first/result") (serial log: $OUT/$k-$c.first/serial.log)"
done; done
[ $seed_fail = 0 ] || fail=1
[ -z "${NETOOPS_VM_MATRIX_ONLY:-}" ] || exit $fail	# the matrix alone (-c cells while debugging)
[[ " $kernels " != *" 6.1 "* ]] || "$REPO/demo/vm-target-test.sh" || fail=1	# netoopsctl target add/watch/test in a guest (records vm-ctl)
[[ " $kernels " != *" 6.1 "* ]] || "$REPO/tests/builtin/run.sh" || fail=1	# netoops built into a 6.1 kernel, netoops= on its command line (records builtin/*)
exit $fail
