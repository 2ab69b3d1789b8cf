# shellcheck shell=sh
# Helpers for the integration scenarios: a daemon on free loopback ports, a sender, JSON checks.
# Sourced by run.sh; every function works inside $WORK (a fresh temp directory).

BUILD=${BUILD:-build}
NXD=${NXD:-$BUILD/netoopsd}
CTL=${CTL:-$BUILD/netoopsctl}
NXLOAD=$BUILD/tests/nxload
SHARED=${NETOOPS_SHARED:-$(pwd)/tests/data}
CORPUS=$SHARED/corpus/oops-dev

# shellcheck source=tests/lib/ports.sh
. tests/lib/ports.sh

# start_daemon NAME ARGS...: netoopsd in the background, its pid in $WORK/NAME.pid.
start_daemon() {
	name=$1; shift
	"$NXD" "$@" >"$WORK/$name.log" 2>&1 &
	echo $! >"$WORK/$name.pid"
	# Ready once every socket is bound (it logs "listening on" for each).
	for _ in $(seq 100); do
		grep -q "listening on" "$WORK/$name.log" && return 0
		kill -0 "$(cat "$WORK/$name.pid")" 2>/dev/null || break
		sleep 0.05
	done
	echo "netoopsd $name did not start:"; cat "$WORK/$name.log"
	return 1
}

stop_daemon() {
	pid=$(cat "$WORK/$1.pid" 2>/dev/null) || return 0
	kill -TERM "$pid" 2>/dev/null
	for _ in $(seq 200); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.05; done
	kill -KILL "$pid" 2>/dev/null
	return 1
}

# send ADDR:PORT ARGS...: one dump (or many hosts') with nxload.
send() {
	to=$1; shift
	"$NXLOAD" --to "$to" "$@" >>"$WORK/nxload.log" 2>&1
}

# q DB JQ-FILTER [ARGS...]: jq over `netoopsctl --db DB --json list`.
q() {
	db=$1; filter=$2; shift 2
	"$CTL" --db "$db" --json list "$@" | jq -r "$filter"
}

# wait_until SECONDS COMMAND...: poll until COMMAND succeeds.
wait_until() {
	t=$1; shift
	end=$(( $(date +%s) + t ))
	while [ "$(date +%s)" -le "$end" ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

# has_dump DB HOST: a dump from HOST is stored.
has_dump() {
	[ "$(q "$1" "[.[] | select(.host == \"$2\")] | length")" -ge 1 ]
}

# field DB HOST FIELD: FIELD of the newest dump from HOST.
field() {
	q "$1" "[.[] | select(.host == \"$2\")] | last | .$3"
}

# A corpus oops the analyser is expected to title; override with NX_IT_OOPS.
oops_file() {
	echo "${NX_IT_OOPS:-$CORPUS/abrt/1_oops.test}"
}
