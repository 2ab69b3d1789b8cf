#!/bin/sh
# The receive side (netoopsd/listener.c, loop.c, shards.c) on real sockets: datagrams the
# kernel drops are counted even when no datagram follows them (SO_RXQ_OVFL only reports drops
# with the next datagram); every datagram sent is either received or counted as
# socket_overflow. With two receive threads, one dump's datagrams sent from two ports (two
# 4-tuples the kernel would hash apart) meet in one reassembler: one complete row per dump;
# netconsole and legacy streams stay whole (sharded by their source address).
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

# Two receive threads. Half of each dump from one port, then all of it again from another.
P2=$(free_port) DB2=$W/s.db
send() {	# send HOST-PREFIX FORMAT LOSS: the same 16 dumps each time, from fresh ports
	"$NXLOAD" --to "127.0.0.1:$P2" --text "$FIX/divide-6.1.txt" --pad 16384 --hosts 16 \
		--host "$1" --format "$2" --copies 1 --loss "$3" --seed 11 --dump-time 1700000000 \
		>>"$W/shard.out"
}
check start-2 h_start s --listen "127.0.0.1:$P2" --db "$DB2" --receive-threads 2 \
	--quiet-ms 1500 --netconsole-quiet-ms 1500 --stats-interval-ms 200
check two-threads grep -q "2 receive threads" "$W/s.log"
send split netoops 0.5
send split netoops 0
# n_is N WHERE: N rows match (a function, so that h_wait asks again each time).
q_is() { [ "$(sqlite3 "file:$DB2?mode=ro" "$2")" -eq "$1" ]; }
n_is() { q_is "$1" "select count(*) from dumps where $2"; }
check one-row-per-dump h_wait 10 n_is 16 "host like 'split%' and complete"
sleep 2
check no-second-row n_is 16 "host like 'split%'"
# Streams (no host in the packets): one row per sender, complete where the format can say.
send nc nc-ext 0
send legacy legacy 0
# A stream split between threads would leave gaps in each part: incomplete rows.
check streams-legacy-whole h_wait 10 n_is 16 "format = 'legacy-v3' and complete"
check streams-netconsole-all h_wait 10 q_is 16 "select count(distinct source) from dumps
	where format like 'netconsole%'"
check streams-netconsole-whole n_is 0 "format like 'netconsole%' and not complete"
check alive-2 h_alive s
check clean-exit-2 h_stop s

# Four threads, --max-memory 16M: 12M for reassembly, 3M per thread. One dump may still take a
# quarter of all of it (3M), as with one thread: a 2 MiB dump is stored complete.
P3=$(free_port) DB3=$W/m.db
check start-4 h_start m --listen "127.0.0.1:$P3" --db "$DB3" --receive-threads 4 \
	--max-memory 16M --quiet-ms 1000
"$NXLOAD" --to "127.0.0.1:$P3" --text "$FIX/divide-6.1.txt" --pad 2097152 --host big \
	--rate 20000 >"$W/big.out"
big_complete() { [ "$(sqlite3 "file:$DB3?mode=ro" "select count(*) from dumps where host = 'big'
	and complete and text_len > 2000000")" -eq 1 ]; }
check big-dump-complete h_wait 10 big_complete
check clean-exit-4 h_stop m

# The analysis is behind (its worker spins on a fault-injected dump for 3 s; --max-memory 4M:
# room for about 30 16 KiB dumps in its queue): the 60 dumps that follow are not waited for by
# the receive loop (while it waits the kernel drops whatever comes, whole dumps); those that
# find the analysis queue full go to the store at once, marked not analysed.
case $HOSTILE_VARIANT in san) FT=san-fault ;; *) FT=fault ;; esac
check fault-build make -s "$FT"
P4=$(free_port) DB4=$W/b.db
NXD_PROD=$NXD NXD=$PWD/build/$FT/netoopsd
check start-behind h_start b --listen "127.0.0.1:$P4" --db "$DB4" --max-memory 4M \
	--quiet-ms 500 --analysis-timeout-ms 3000 --stats-interval-ms 200
NXD=$NXD_PROD
{ cat "$FIX/divide-6.1.txt"; echo "NETOOPS-FAULT-INJECT: hang"; } >"$W/hang.txt"
"$NXLOAD" --to "127.0.0.1:$P4" --text "$W/hang.txt" --host behind-hang >/dev/null
sleep 0.3
"$NXLOAD" --to "127.0.0.1:$P4" --text "$FIX/divide-6.1.txt" --pad 16384 --hosts 60 \
	--host behind --window 4 --rate 20000 >/dev/null
b_rows() { sqlite3 "file:$DB4?mode=ro" "select count(*) from dumps where host like 'behind-0%' $1"; }
unanalysed_early() { [ "$(b_rows "and analysis = 'none'")" -gt 0 ]; }
# Before the worker's deadline (3 s after the first dump): some stored already, not analysed.
check stored-unanalysed-while-behind h_wait 2 unanalysed_early
b_all() { [ "$(b_rows "and complete")" -eq 60 ]; }
check all-stored h_wait 20 b_all
b_counter() { "$CTL" --db "$DB4" --json stats | jq ".counters.$1 // 0"; }
b_counted() { [ "$(b_counter unanalysed_behind)" -eq "$(b_rows "and analysis = 'none'")" ]; }
check unanalysed-counted h_wait 5 b_counted
check no-queue-waits test "$(b_counter queue_waits)" -eq 0
check clean-exit-behind h_stop b
checks_end
