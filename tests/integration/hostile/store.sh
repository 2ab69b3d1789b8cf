#!/bin/sh
# The store under faults, on a real daemon: what netoopsd says is stored is on disk first (strace
# shows the fsyncs before the log line); a database locked by another process for a minute loses
# nothing; a database it cannot write stops it before READY; files are 0640; setsockopt and
# thread failures (injected with strace) are reported, not ignored.
set -u
cd "$(dirname "$0")/../../.." || exit 1
# shellcheck source=tests/integration/hostile/lib.sh
. tests/integration/hostile/lib.sh
hostile_begin store

OOPS=$FIX/divide-6.1.txt
# The long lock once per suite run (plain); the ASan run holds it 15 s (that lost a dump too).
if [ "$HOSTILE_VARIANT" = plain ]; then LOCK_S=${STORE_LOCK_S:-60}; else LOCK_S=${STORE_LOCK_S:-15}; fi
NULLRECV=$HP/tests/nullrecv NOTIFYRECV=$HP/tests/notifyrecv
for tool in nullrecv:bench/nullrecv.c notifyrecv:tests/integration/notifyrecv.c; do
	[ -x "$HP/tests/${tool%%:*}" ] || ${CC:-cc} -O2 -std=c11 -D_GNU_SOURCE -Wall -Wextra \
		-Werror -o "$HP/tests/${tool%%:*}" "${tool#*:}"
done
# strace'd processes cannot be checked by LeakSanitizer (it needs ptrace itself).
TRACED_ASAN="$ASAN_OPTIONS:detect_leaks=0"

# s_traced NAME STRACE_ARGS... -- NETOOPSD_ARGS...: netoopsd under strace (trace files
# $W/NAME.tr.TID, one per thread); $W/NAME.pid is netoopsd's pid, ready at "listening on".
s_traced() {
	s_name=$1; shift
	s_args=""
	while [ "$1" != -- ]; do s_args="$s_args $1"; shift; done
	shift
	# shellcheck disable=SC2086 # s_args are separate strace options
	ASAN_OPTIONS=$TRACED_ASAN strace -ff -y $s_args -o "$W/$s_name.tr" "$NXD" "$@" \
		>"$W/$s_name.log" 2>&1 &
	echo $! >"$W/$s_name.strace"
	h_pids="$h_pids $!"
	for _ in $(seq 200); do
		s_pid=$(pgrep -P "$(cat "$W/$s_name.strace")" | head -n 1)
		[ -n "$s_pid" ] && grep -q "listening on" "$W/$s_name.log" &&
			{ echo "$s_pid" >"$W/$s_name.pid"; return 0; }
		sleep 0.05
	done
	echo "traced netoopsd $s_name did not start:"; cat "$W/$s_name.log"
	return 1
}

# s_traced_stop NAME: SIGTERM netoopsd, wait for strace to end.
s_traced_stop() {
	kill -TERM "$(cat "$W/$1.pid")" && wait "$(cat "$W/$1.strace")"
}

# stored DB: dumps in DB; stat_of DB KEY: one counter.
stored() { "$CTL" --db "$1" --json list | jq length; }
stat_of() { "$CTL" --db "$1" --json stats | jq ".counters.$2"; }
at_least() { [ "$(stored "$1")" -ge "$2" ]; }

# ---- 1. durability: fsync before "stored" ------------------------------------------------

# SQLite syncs with fdatasync where it can; either call makes the data durable.
SYNC='(fsync|fdatasync)'

# sync_before NAME PATH_END LOGGED: in the thread that logged LOGGED, an fsync or fdatasync of a
# file whose path ends in PATH_END returned before that log line was written.
sync_before() {
	t=$(grep -l "write(2<.*$3" "$W/$1".tr.*) || { echo "'$3' not traced"; return 1; }
	line_log=$(grep -n "write(2<.*$3" "$t" | head -n 1 | cut -d: -f1)
	line_sync=$(grep -nE "^$SYNC\([0-9]*<[^>]*$2>\) *= 0" "$t" | head -n 1 | cut -d: -f1)
	echo "$t: sync of *$2 at line ${line_sync:-none}, '$3' at line $line_log"
	[ -n "$line_sync" ] && [ "$line_sync" -lt "$line_log" ]
}

# group_commit NAME: under a burst, far fewer WAL fsyncs than stored dumps.
group_commit() {
	syncs=$(cat "$W/$1".tr.* | grep -cE "^$SYNC\\([0-9]*<[^>]*\\.db-wal>\\) *= 0")
	dumps=$(grep -c 'stored dump' "$W/$1.log")
	echo "$syncs WAL fsyncs for $dumps stored dumps"
	[ "$dumps" -ge 200 ] && [ $((syncs * 4)) -le "$dumps" ]
}

P=$(free_port) DB=$W/d/d.db
mkdir -p "$W/d"
check durable-start s_traced d -e trace=fsync,fdatasync,write -- --listen "127.0.0.1:$P" \
	--db "$DB" --append-file "$W/d/d.append" --quiet-ms 1000
check durable-one-dump "$NXLOAD" --to "127.0.0.1:$P" --text "$OOPS" --host durable-1
check durable-stored h_wait 10 at_least "$DB" 1
check durable-burst "$NXLOAD" --to "127.0.0.1:$P" --text "$OOPS" --hosts 200 --host burst \
	--window 200 --pad 8192
check durable-burst-stored h_wait 20 at_least "$DB" 201
check durable-stop s_traced_stop d
check wal-synced-before-stored-line sync_before d .db-wal 'stored dump 1 '
check append-synced-before-stored-line sync_before d d.append 'stored dump 1 '
# the directory of the new database (and its -wal), before netoopsd said it was listening
check db-directory-synced-before-listening sync_before d "$W/d" 'listening on'

check group-commit-shares-fsyncs group_commit d

# ---- 2. a database locked by another process -------------------------------------------

# s_lock DB: a sqlite3 shell holds BEGIN EXCLUSIVE on DB (fd 9 feeds it) until s_unlock.
s_lock() {
	rm -f "$W/lock.fifo" "$W/lock.out"
	mkfifo "$W/lock.fifo"
	sqlite3 "$1" <"$W/lock.fifo" >"$W/lock.out" 2>&1 9>&- &
	lock_pid=$!
	h_pids="$h_pids $lock_pid"
	exec 9>"$W/lock.fifo"
	printf ".timeout 10000\nBEGIN EXCLUSIVE;\nSELECT 'locked';\n" >&9
	h_wait 15 grep -q '^locked' "$W/lock.out" && ! grep -q Error "$W/lock.out"
}
# The shell stops once fd 9 closes; anything started meanwhile gets 9>&-, so it does not keep
# the fifo open.
s_unlock() {
	printf "COMMIT;\nSELECT 'unlocked';\n" >&9
	exec 9>&-
	h_wait 15 grep -q '^unlocked' "$W/lock.out" && wait "$lock_pid"
}

# syslog_count: datagrams the syslog stand-in received (it prints them when stopped).
syslog_count() {
	kill -TERM "$SYSLOG_PID" && wait "$SYSLOG_PID"
	n_fwd=$(sed -n 's/.*received=\([0-9]*\).*/\1/p' "$W/syslog.out")
	echo "forwarded ${n_fwd:-none}"
	[ "${n_fwd:-0}" -eq "$1" ]
}

# send_spread N SECONDS PREFIX PORT: N dumps of 32 KiB, spread over SECONDS.
send_spread() {
	for i in $(seq "$1"); do
		"$NXLOAD" --to "127.0.0.1:$4" --text "$OOPS" --pad 32768 --host "$3-$i" >/dev/null 9>&- ||
			return 1
		sleep "$(awk -v s="$2" -v n="$1" 'BEGIN { print s / n }')"
	done
}

appended() { grep -c '^==== end of netoops report' "$1"; }

P=$(free_port) SP=$(free_port) DB=$W/l.db N=20
# A small memory bound: the queues fill during the lock and the receive loop must wait.
check lock-start h_start l --listen "127.0.0.1:$P" --db "$DB" --append-file "$W/l.append" \
	--syslog "127.0.0.1:$SP" --quiet-ms 2000 --max-memory 1M --stats-interval-ms 200
check lock-taken s_lock "$DB"
t0=$(date +%s)
check lock-dumps-arrive send_spread "$N" $((LOCK_S - 5)) locked "$P"
sleep $((LOCK_S - ($(date +%s) - t0)))
check lock-blocked-logged grep -q 'database is locked by another process' "$W/l.log"
# The syslog stand-in from now on (it gives up after a minute without traffic).
"$NULLRECV" "$SP" 600000 >"$W/syslog.out" 9>&- &
SYSLOG_PID=$!
h_pids="$h_pids $SYSLOG_PID"
sleep 0.2
check lock-released s_unlock
check lock-all-stored h_wait 30 at_least "$DB" "$N"
check lock-unblocked-logged grep -q 'database unlocked after' "$W/l.log"
check lock-all-appended h_wait 5 sh -c "[ \$(grep -c '^==== end of netoops report' '$W/l.append') -eq $N ]"
check lock-queue-waited h_wait 5 sh -c "[ \$('$CTL' --db '$DB' --json stats | jq .counters.queue_waits) -gt 0 ]"
check lock-no-store-error sh -c "[ \$('$CTL' --db '$DB' --json stats | jq .counters.store_errors) -eq 0 ]"
check lock-alive h_alive l
check lock-clean-exit h_stop l
check lock-all-forwarded syslog_count "$N"

# A stall longer than quiet-ms with thousands of datagrams piling up unread: the time the
# receive loop waits for the store is not "quiet" time for reassembly, so no dump is expired
# before the rest of its datagrams are read (split), and no late copy is stored twice.
P=$(free_port) DB=$W/b.db NB=200
check burst-start h_start b --listen "127.0.0.1:$P" --db "$DB" --quiet-ms 1000 --max-memory 8M \
	--stats-interval-ms 200
check burst-locked s_lock "$DB"
check burst-send "$NXLOAD" --to "127.0.0.1:$P" --text "$OOPS" --pad 32768 --hosts "$NB" \
	--host burst --window 1 --rate 4000
check burst-released s_unlock
check burst-all-stored h_wait 60 at_least "$DB" "$NB"
sleep 2
check burst-each-once-complete sh -c "'$CTL' --db '$DB' --json list |
	jq -e 'length == $NB and all(.[]; .complete) and ([.[].host] | unique | length) == $NB'"
check burst-clean-exit h_stop b

# A stop while locked: the lock goes away within stop-wait-ms, the dump is stored.
P=$(free_port) DB=$W/s.db
check stop-locked-start h_start s --listen "127.0.0.1:$P" --db "$DB" --quiet-ms 500 \
	--stop-wait-ms 20000
check stop-locked-taken s_lock "$DB"
check stop-locked-send "$NXLOAD" --to "127.0.0.1:$P" --text "$OOPS" --host stop-1
check stop-locked-waits h_wait 10 grep -q 'database is locked by another process' "$W/s.log"
kill -TERM "$(cat "$W/s.pid")"
check stop-locked-waits-for-lock h_wait 10 grep -q 'stopping while the database is locked' "$W/s.log"
check stop-locked-released s_unlock
check stop-locked-clean-exit h_stop s
check stop-locked-dump-stored sh -c "[ \$('$CTL' --db '$DB' --json list | jq length) -eq 1 ]"

# The lock outlives stop-wait-ms, with the receive loop itself waiting on full queues: the
# stop is still bounded, and says what was lost.
P=$(free_port) DB=$W/b.db
check stop-bounded-start h_start b --listen "127.0.0.1:$P" --db "$DB" --quiet-ms 500 \
	--stop-wait-ms 1000 --max-memory 1M
check stop-bounded-taken s_lock "$DB"
check stop-bounded-send "$NXLOAD" --to "127.0.0.1:$P" --text "$OOPS" --pad 65536 --hosts 30 \
	--host full
check stop-bounded-waits h_wait 10 grep -q 'database is locked by another process' "$W/b.log"
sleep 2
t0=$(date +%s)
kill -TERM "$(cat "$W/b.pid")"
check stop-bounded-exits h_wait 20 sh -c "! kill -0 $(cat "$W/b.pid")"
check stop-bounded-in-time sh -c "echo took $(( $(date +%s) - t0 )) s; [ $(( $(date +%s) - t0 )) -le 15 ]"
check stop-bounded-says-lost grep -q 'giving up on' "$W/b.log"
# The receive loop was waiting on the full queues, so the store thread saw the pending signal
# before the loop could read it.
check stop-bounded-seen-while-loop-waits awk '/stopping while the database is locked/ { s = NR }
	/signal 15/ { g = NR } END { print "stop seen at line " s ", signal read at line " g; exit !(s && g && s < g) }' "$W/b.log"
s_unlock

# ---- 3. a database it cannot write: no READY, a message saying what to fix ---------------

# refused NAME HINT DB [WRAPPER...]: netoopsd on DB (run through WRAPPER, a command that execs
# it) exits non-zero before READY, and its message contains HINT.
refused() {
	r_name=$1 r_hint=$2 r_db=$3; shift 3
	rm -f "$W/$r_name.sock"
	"$NOTIFYRECV" "$W/$r_name.sock" 3 >"$W/$r_name.notify" &
	r_np=$!
	sleep 0.2
	chmod 0777 "$W/$r_name.sock"
	NOTIFY_SOCKET=$W/$r_name.sock "$@" "$NXD" --listen "127.0.0.1:$(free_port)" \
		--db "$r_db" --quiet-ms 500 >"$W/$r_name.log" 2>&1 &
	r_pid=$!	# the wrapper execs netoopsd: the same process
	h_pids="$h_pids $r_pid"
	if ! h_wait 10 sh -c "! kill -0 $r_pid"; then
		kill -TERM "$r_pid"; wait "$r_pid"; wait "$r_np"
		echo "netoopsd started on an unwritable database:"; cat "$W/$r_name.log"
		return 1
	fi
	wait "$r_pid"; r_rc=$?
	wait "$r_np"
	cat "$W/$r_name.log"
	echo "exit $r_rc; notify: $(cat "$W/$r_name.notify")"
	[ "$r_rc" -ne 0 ] && ! grep -q READY "$W/$r_name.notify" && grep -q "$r_hint" "$W/$r_name.log"
}

chmod 0711 "$W"
mkdir -p "$W/u"; chmod 0777 "$W/u"
# a valid database, to be made unwritable in each way
ASAN_OPTIONS=$TRACED_ASAN "$NXD" --db "$W/u/seed.db" --listen "127.0.0.1:$(free_port)" \
	>"$W/seed.log" 2>&1 &
seed_pid=$!
h_wait 10 grep -q "listening on" "$W/seed.log"
kill -TERM "$seed_pid"; wait "$seed_pid"

cp "$W/u/seed.db" "$W/u/ro.db"; chown nobody "$W/u/ro.db"; chmod 0444 "$W/u/ro.db"
check refuses-read-only-file refused ro "not writable by uid" "$W/u/ro.db" \
	setpriv --reuid=nobody --regid=nogroup --clear-groups
mkdir -p "$W/u/rodir"; cp "$W/u/seed.db" "$W/u/rodir/r.db"
chown -R nobody "$W/u/rodir"; chmod 0555 "$W/u/rodir"
check refuses-read-only-directory refused rodir "directory .* is not writable" "$W/u/rodir/r.db" \
	setpriv --reuid=nobody --regid=nogroup --clear-groups
cp "$W/u/seed.db" "$W/u/root.db"; chmod 0644 "$W/u/root.db"
check refuses-file-of-another-user refused other "chown it" "$W/u/root.db" \
	setpriv --reuid=nobody --regid=nogroup --clear-groups
mkdir -p "$W/u/mnt"; cp "$W/u/seed.db" "$W/u/mnt/m.db"
check refuses-read-only-mount refused mount "read-only file system" "$W/u/mnt/m.db" \
	unshare -m sh -c "mount --bind '$W/u/mnt' '$W/u/mnt' && mount -o remount,bind,ro '$W/u/mnt' && exec \"\$0\" \"\$@\""
mkdir -p "$W/u/dir.db"
check refuses-directory-as-db refused dirdb "is a directory" "$W/u/dir.db"

# A lock already held at start (beyond SQLite's 5 s wait) is refused before READY, saying so.
cp "$W/u/seed.db" "$W/u/locked.db"
check locked-at-start-taken s_lock "$W/u/locked.db"
check refuses-locked-at-start refused locked "locked by another process" "$W/u/locked.db"
s_unlock

# ---- 4. file modes: 0640 whatever the umask, narrower if the umask asks --------------------

# modes UMASK WANT: a fresh database, its -wal/-shm and the append file are created WANT.
modes() {
	m_dir=$W/m$1; mkdir -p "$m_dir"
	m_port=$(free_port)
	(umask "$1"; exec "$NXD" --listen "127.0.0.1:$m_port" --db "$m_dir/m.db" \
		--append-file "$m_dir/m.append" --quiet-ms 500 >"$m_dir/log" 2>&1) &
	m_pid=$!
	h_wait 10 grep -q "listening on" "$m_dir/log" || return 1
	"$NXLOAD" --to "127.0.0.1:$m_port" --text "$OOPS" --host modes >/dev/null
	h_wait 10 grep -q "stored dump" "$m_dir/log"
	m_got=$(stat -c '%a' "$m_dir/m.db" "$m_dir/m.db-wal" "$m_dir/m.db-shm" "$m_dir/m.append" | tr '\n' ' ')
	kill -TERM "$m_pid"; wait "$m_pid"
	echo "umask $1: $m_got (want $2 for all four)"
	[ "$m_got" = "$2 $2 $2 $2 " ]
}
check files-0640-under-umask-000 modes 000 640
check files-0640-under-umask-022 modes 022 640
check files-0600-under-umask-077 modes 077 600

# ---- 5. failures that used to go unnoticed ----------------------------------------------

P=$(free_port) DB=$W/o.db
# The first setsockopt of an IPv4 listener is SO_RXQ_OVFL.
check ovfl-failure-start s_traced o -e trace=setsockopt -e inject=setsockopt:error=ENOPROTOOPT:when=1 \
	-- --listen "127.0.0.1:$P" --db "$DB" --stats-interval-ms 200
check ovfl-failure-logged grep -q 'SO_RXQ_OVFL.*not counted' "$W/o.log"
check ovfl-failure-in-stats h_wait 5 sh -c "[ \$('$CTL' --db '$DB' --json stats | jq .counters.socket_overflow_unmeasured) -eq 1 ]"
check ovfl-failure-stop s_traced_stop o

# ...and the receive buffer settings are the second and third (one receive thread: with
# more, SO_REUSEPORT would come next and fail too).
P=$(free_port) DB=$W/r.db
check rcvbuf-failure-start s_traced r -e trace=setsockopt -e inject=setsockopt:error=EPERM:when=2+ \
	-- --listen "127.0.0.1:$P" --db "$DB" --receive-threads 1
check rcvbuf-failure-logged grep -q 'cannot set the receive buffer' "$W/r.log"
check rcvbuf-failure-stop s_traced_stop r

# IPV6_V6ONLY is the first setsockopt of an IPv6 listener: without it, refuse to start.
v6only_refused() {
	ASAN_OPTIONS=$TRACED_ASAN strace -f -o /dev/null -e trace=setsockopt \
		-e inject=setsockopt:error=ENOPROTOOPT:when=1 "$NXD" --listen "[::1]:$(free_port)" \
		--db "$W/v6.db" >"$W/v6.log" 2>&1 &
	v_pid=$!
	h_wait 5 sh -c "! kill -0 $v_pid" || { kill -TERM "$(pgrep -P $v_pid)"; wait "$v_pid"; cat "$W/v6.log"; return 1; }
	wait "$v_pid"; v_rc=$?
	cat "$W/v6.log"
	[ "$v_rc" -ne 0 ] && grep -q 'IPv6-only' "$W/v6.log"
}
check v6only-failure-refuses v6only_refused

# The threads cannot be created (the Nth clone3 fails): a clean refusal, the database closed
# (SQLite removes the -wal file only when the last connection closes properly).
thread_failure() {
	rm -f "$W/t.db" "$W/t.db-wal" "$W/t.db-shm"
	ASAN_OPTIONS=$TRACED_ASAN strace -f -o /dev/null -e trace=clone3 \
		-e "inject=clone3:error=EAGAIN:when=$1" "$NXD" --listen "127.0.0.1:$(free_port)" \
		--db "$W/t.db" >"$W/t$1.log" 2>&1 &
	t_pid=$!
	h_wait 10 sh -c "! kill -0 $t_pid" || { kill -TERM "$(pgrep -P $t_pid)"; wait "$t_pid"; return 1; }
	wait "$t_pid"; t_rc=$?
	cat "$W/t$1.log"; ls "$W"/t.db*
	[ "$t_rc" -ne 0 ] && grep -q 'cannot create the analysis and store threads' "$W/t$1.log" &&
		[ ! -e "$W/t.db-wal" ]
}
check store-thread-failure-closes-store thread_failure 1
check analysis-thread-failure-closes-store thread_failure 2

checks_end
