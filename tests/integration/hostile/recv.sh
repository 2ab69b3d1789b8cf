#!/bin/sh
# The receive side (netoopsd/listener.c, loop.c) on real sockets: datagrams the kernel drops
# are counted even when no datagram follows them (SO_RXQ_OVFL only reports drops with the
# next datagram); every datagram sent is either received or counted as socket_overflow.
set -u
cd "$(dirname "$0")/../../.." || exit 1
# shellcheck source=tests/integration/hostile/lib.sh
. tests/integration/hostile/lib.sh
hostile_begin recv

P=$(free_port) DB=$W/r.db
counter() { "$CTL" --db "$DB" --json stats | jq ".counters.$1 // 0"; }
# all_counted SENT: received + socket_overflow = SENT, and some were dropped.
all_counted() {
	r=$(counter datagrams_received) o=$(counter socket_overflow)
	echo "received $r, socket_overflow $o, sent $1"
	[ "$o" -gt 0 ] && [ $((r + o)) -eq "$1" ]
}

check start h_start r --listen "127.0.0.1:$P" --db "$DB" --rcvbuf 64K --quiet-ms 1000 \
	--stats-interval-ms 200
# Stopped, the daemon reads nothing: the small buffer fills, the kernel drops the rest, and
# no datagram after the drops will report them.
kill -STOP "$(cat "$W/r.pid")"
"$NXLOAD" --to "127.0.0.1:$P" --text "$FIX/divide-6.1.txt" --pad 131072 --hosts 4 \
	--host recv --copies 1 --seed 5 >"$W/load.out"
kill -CONT "$(cat "$W/r.pid")"
sent=$(tr ' ' '\n' <"$W/load.out" | sed -n 's/^sent=//p')
check drops-after-last-counted h_wait 10 all_counted "$sent"
all_counted "$sent"
check alive h_alive r
check clean-exit h_stop r
checks_end
