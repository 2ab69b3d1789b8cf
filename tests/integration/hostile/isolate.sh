#!/bin/sh
# Fault containment: a fault-injection build (make fault / san-fault) of netoopsd whose analysis
# worker crashes, aborts, hangs, exhausts its memory or makes forbidden system calls on request.
# Good dumps interleaved with each fault are all stored and analysed; the faulty ones are stored
# marked failed with the cause; the counters count every worker death; the daemon receives
# throughout; then the production netoopsctl reanalyze --failed analyses them.
set -u
cd "$(dirname "$0")/../../.." || exit 1
# shellcheck source=tests/integration/hostile/lib.sh
. tests/integration/hostile/lib.sh
hostile_begin isolate

# The kinds analyst_fault.c knows, with the cause each dump must be marked with.
kinds="segv abort hang alloc open socket lie-size lie-bytes"
case $HOSTILE_VARIANT in
san)
	FB=$PWD/build/san-fault target=san-fault
	# No RLIMIT_AS under ASan (its shadow memory is terabytes of address space), so the
	# unbounded allocation would eat the machine: that kind is left to the plain run.
	kinds="segv abort hang open socket lie-size lie-bytes"
	echo "NOTE hostile-san/isolate: fault kind 'alloc' skipped (RLIMIT_AS cannot apply under ASan)"
	# Let a segfault be a plain SIGSEGV: ASan's handler would need system calls the filter forbids.
	export ASAN_OPTIONS="$ASAN_OPTIONS:handle_segv=0"
	;;
*) FB=$PWD/build/fault target=fault ;;
esac
cause() {
	case $1 in
	segv | alloc) echo "killed by signal 11 (SIGSEGV)" ;;
	abort) echo "killed by signal 6 (SIGABRT)" ;;
	hang) echo "analysis took over" ;;
	open | socket) echo "killed by signal 31 (SIGSYS: a system call its seccomp filter forbids)" ;;
	lie-size) echo "worker sent an invalid reply: 4294967280 bytes for" ;;
	lie-bytes) echo "worker sent an invalid reply: " ;;
	esac
}

check fault-build make -s "$target"
check production-has-no-fault-code sh -c "[ \$(strings '$NXD' | grep -c NETOOPS-FAULT-INJECT) = 0 ] &&
	[ \$(strings '$CTL' | grep -c NETOOPS-FAULT-INJECT) = 0 ] &&
	[ \$(strings '$FB/netoopsd' | grep -c NETOOPS-FAULT-INJECT) -ge 1 ]"

# Settings that cannot work stop the daemon with a message saying what to fix.
bad_timeout() { "$NXD" --db "$W/x.db" --analysis-timeout-ms 5 2>&1 | grep -F "analysis-timeout-ms: 5 is out of range"; }
check bad-timeout-says-why bad_timeout
if [ "$(id -u)" -eq 0 ]; then
	bad_user() { "$NXD" --db "$W/x.db" --analysis-user no-such-user-here 2>&1 |
		grep -F "analysis-user: no user 'no-such-user-here'"; }
	check unknown-user-says-why bad_user
	root_user() { "$NXD" --db "$W/x.db" --analysis-user root 2>&1 | grep -F "is root"; }
	check root-user-refused root_user
fi

P=$(free_port) DB=$W/i.db
NXD_PROD=$NXD NXD=$FB/netoopsd
check start h_start i --listen "127.0.0.1:$P" --db "$DB" --quiet-ms 500 \
	--stats-interval-ms 200 --analysis-timeout-ms 1500
NXD=$NXD_PROD

send() { h=$1 t=$2; shift 2; "$NXLOAD" --to "127.0.0.1:$P" --text "$t" --host "$h" --quiet "$@"; }
dump_field() {
	"$CTL" --db "$DB" --json list | jq -r "[.[] | select(.host == \"$1\")][0].$2 // empty"
}
count_where() { "$CTL" --db "$DB" --json list | jq "[.[] | select($1)] | length"; }
# is_analysed HOST STATUS [CAUSE]: the dump from HOST is stored with that analysis status.
is_analysed() {
	[ "$(dump_field "$1" analysis)" = "$2" ] || { echo "$1: $(dump_field "$1" analysis)"; return 1; }
	[ $# -lt 3 ] || dump_field "$1" analysis_error | grep -F -- "$3"
}

crash_kinds=0 lie_kinds=0
for k in $kinds; do
	{ cat "$FIX/divide-6.1.txt"; echo "NETOOPS-FAULT-INJECT: $k"; } >"$W/fault-$k.txt"
	check "send-$k" send "fault-$k" "$W/fault-$k.txt"
	if [ "$k" = hang ]; then
		# The worker spins now; a dump sent meanwhile is received and stored all the same.
		sleep 0.5
		check during-hang-sent send during-hang "$FIX/divide-6.1.txt"
	fi
	check "send-good-after-$k" send "good-after-$k" "$FIX/divide-6.1.txt"
	check "$k-stored-failed" h_wait 20 is_analysed "fault-$k" failed "$(cause "$k")"
	check "good-after-$k-analysed" h_wait 20 is_analysed "good-after-$k" ok
	case $k in
	hang) ;;
	lie-*) lie_kinds=$((lie_kinds + 1)) ;;
	*) crash_kinds=$((crash_kinds + 1)) ;;
	esac
done
check during-hang-stored-and-analysed h_wait 10 is_analysed during-hang ok
check received-during-hang test "$(( $(dump_field during-hang received_ms) - \
	$(dump_field fault-hang received_ms) ))" -lt 1500
check good-titles sh -c "[ \"\$('$CTL' --db '$DB' --json list | jq -r '[.[] |
	select(.host | startswith(\"good\")) | .title] | unique | join(\",\")')\" = \
	'divide error in init_module' ]"
check fault-dump-show-says-why sh -c "'$CTL' --db '$DB' show \$('$CTL' --db '$DB' --json list |
	jq '[.[] | select(.host == \"fault-abort\")][0].id') | grep -F 'analysis: failed: worker killed by signal 6'"
# Each crash is tried on a second worker; the hang and the lies are not retried.
counters_right() {
	"$CTL" --db "$DB" --json stats | jq -e "
		.counters.analysis_crashes == $((2 * crash_kinds + lie_kinds)) and
		.counters.analysis_timeouts == 1 and
		.counters.analysis_restarts == $((2 * crash_kinds + lie_kinds + 1))"
}
check counters-count-every-death h_wait 5 counters_right
# A crash loop: every dump kills its worker. Restarts back off instead of spinning the CPU, and
# dumps that come while the next start is far off are stored at once, marked not analysed.
restarts() { "$CTL" --db "$DB" --json stats | jq .counters.analysis_restarts; }
before=$(restarts)
{ cat "$FIX/divide-6.1.txt"; echo "NETOOPS-FAULT-INJECT: segv"; } >"$W/loop.txt"
check crash-loop-sent send loop "$W/loop.txt" --hosts 12
loop_stored() { [ "$(count_where '.host | startswith("loop")')" -eq 12 ]; }
check crash-loop-all-stored h_wait 30 loop_stored
check crash-loop-skips-while-backing-off test "$(count_where '(.host | startswith("loop")) and
	.analysis == "none" and (.analysis_error | contains("restarting after"))')" -ge 6
check crash-loop-restarts-bounded h_wait 5 sh -c "[ \$('$CTL' --db '$DB' --json stats |
	jq .counters.analysis_restarts) -le $((before + 8)) ]"
sleep 2
check send-good-after-loop send good-after-loop "$FIX/divide-6.1.txt"
check good-after-loop-analysed h_wait 20 is_analysed good-after-loop ok
check daemon-memory-bounded sh -c "[ \$(awk '/VmHWM/ { print \$2 }' /proc/\$(cat '$W/i.pid')/status) -lt 400000 ]"
check alive h_alive i
check clean-exit h_stop i

n_faults=$(( $(echo "$kinds" | wc -w) + 12 ))
check failed-before test "$(count_where '.analysis != "ok"')" -eq "$n_faults"
# The fault build's netoopsctl reanalyze meets the same faults: it survives, each costs one dump.
fault_reanalyze() {
	"$FB/netoopsctl" --db "$DB" reanalyze --failed --timeout-ms 1000 >"$W/fre.out" 2>&1
	rc=$?
	cat "$W/fre.out"
	[ $rc -eq 1 ] && grep -q "reanalysed $n_faults of $n_faults: 0 ok" "$W/fre.out" &&
		grep -q "dump [0-9]*: worker killed by signal 11 (SIGSEGV), twice" "$W/fre.out" &&
		grep -q "dump [0-9]*: analysis took over 1000 ms" "$W/fre.out"
}
check ctl-survives-faults fault_reanalyze
check still-failed-after test "$(count_where '.analysis != "ok"')" -eq "$n_faults"

# The production build's netoopsctl analyses them now: the marker is only text there.
reanalyze() { "$CTL" --db "$DB" reanalyze --failed >"$W/re.out" 2>&1; rc=$?; cat "$W/re.out"; return $rc; }
# ... while a production netoopsd stores dumps into the same database: both get their way.
P2=$(free_port)
check start-production h_start p --listen "127.0.0.1:$P2" --db "$DB" --quiet-ms 500 \
	--stats-interval-ms 200
"$NXLOAD" --to "127.0.0.1:$P2" --text "$FIX/divide-6.1.txt" --host conc --hosts 200 \
	--quiet >/dev/null &
load=$!
check reanalyze-failed reanalyze
wait "$load"
conc_stored() { [ "$(count_where '.host | startswith("conc")')" -eq 200 ]; }
check concurrent-dumps-stored h_wait 20 conc_stored
check production-clean-exit h_stop p
check reanalyze-progress grep -q "reanalysed $n_faults of $n_faults" "$W/re.out"
check none-failed-after test "$(count_where '.analysis != "ok" or .n_reports < 1')" -eq 0
check fault-dump-titled test "$(dump_field fault-segv title)" = "divide error in init_module"
check group-counts-all test "$("$CTL" --db "$DB" --json groups | jq '.[0].count')" -eq \
	"$(count_where true)"
check rerun-finds-nothing sh -c "'$CTL' --db '$DB' reanalyze --failed | grep -q 'nothing to reanalyse'"
sed 's/^/    fault-build reanalyze: /' "$W/fre.out"
sed 's/^/    reanalyze: /' "$W/re.out"
checks_end
