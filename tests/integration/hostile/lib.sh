# shellcheck shell=sh
# Shared set-up of the hostile-input scripts (sourced): paths of the build under test, a
# scratch folder, free ports, netoopsd started and stopped, named checks (tests/lib/checks.sh).
# Env from hostile.sh: HOSTILE_VARIANT (plain|san), HOSTILE_BUILD (its build folder) and
# HOSTILE_PLAIN (the plain build, whose nxload is the sender: the sender is not under test).

HOSTILE_VARIANT=${HOSTILE_VARIANT:-plain}
HB=${HOSTILE_BUILD:-build}
case $HB in /*) ;; *) HB=$PWD/$HB ;; esac
HP=${HOSTILE_PLAIN:-build}
case $HP in /*) ;; *) HP=$PWD/$HP ;; esac
NXD=$HB/netoopsd CTL=$HB/netoopsctl NXLOAD=$HP/tests/nxload
# shellcheck disable=SC2034 # used by the scripts that source this
FIX=tests/integration/fixtures
W=$(mktemp -d /tmp/netoops-hostile.XXXXXX)
h_pids=""
# ASan: a leak or error report fails the process; keep the reports in the logs.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:exitcode=99}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1:exitcode=98}"

h_cleanup() { for p in $h_pids; do kill -KILL "$p" 2>/dev/null; done; rm -rf "$W"; }
trap h_cleanup EXIT INT TERM

# shellcheck source=tests/lib/checks.sh
. tests/lib/checks.sh

# hostile_begin NAME: start the named checks of this script.
hostile_begin() {
	checks_begin "hostile-$HOSTILE_VARIANT/$1" "$W/check.out"
	make -s --no-print-directory BUILD="$HP" "$NXLOAD"
}

# shellcheck source=tests/lib/ports.sh
. tests/lib/ports.sh

# h_start NAME ARGS...: netoopsd in the background (pid in $W/NAME.pid, log $W/NAME.log);
# ready once it logs "listening on" for its sockets.
h_start() {
	h_name=$1; shift
	"$NXD" "$@" >"$W/$h_name.log" 2>&1 &
	echo $! >"$W/$h_name.pid"
	h_pids="$h_pids $!"
	for _ in $(seq 200); do
		grep -q "listening on" "$W/$h_name.log" && return 0
		kill -0 "$(cat "$W/$h_name.pid")" 2>/dev/null || break
		sleep 0.05
	done
	echo "netoopsd $h_name did not start:"; cat "$W/$h_name.log"
	return 1
}

# h_alive NAME: the daemon still runs.
h_alive() { kill -0 "$(cat "$W/$1.pid")" 2>/dev/null; }

# h_stop NAME: SIGTERM, wait; succeeds only if it exited 0 (under ASan: no error, no leak).
# A daemon already told to stop may have exited: its status is still waited for.
h_stop() {
	h_pid=$(cat "$W/$1.pid")
	kill -TERM "$h_pid" 2>/dev/null
	wait "$h_pid"
	h_rc=$?
	[ "$h_rc" -eq 0 ] || { echo "netoopsd $1 exited $h_rc:"; tail -n 30 "$W/$1.log"; }
	[ "$h_rc" -eq 0 ]
}

# h_wait SECONDS CMD...: poll until CMD succeeds.
h_wait() {
	h_end=$(( $(date +%s) + $1 )); shift
	while [ "$(date +%s)" -le "$h_end" ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

# h_count DB HOST: how many dumps from HOST are stored.
h_count() { "$CTL" --db "$1" --json list | jq "[.[] | select(.host == \"$2\")] | length"; }
