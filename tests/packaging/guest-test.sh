#!/bin/bash
# Runs inside the systemd guest of tests/packaging/systemd.sh (netoops-guest-test.service),
# printing one "NXT PASS|FAIL|NOTE NAME DETAIL" line per assertion on the serial console.
# Boot 1 (phase1): readiness, hardening, targets at boot, test dump, upgrade N -> N+1, panic.
# Boot 2 (phase2): purge, compared with the file list taken before the packages were installed.
# `guest-test.sh snapshot DIR` prints the file list a purge is compared on (used on the host too).
set -u
DB=/var/lib/netoops/netoops.db
APT="apt-get -y -q -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold"
export DEBIAN_FRONTEND=noninteractive

ok() { echo "NXT PASS $1 ${2:-}"; }
bad() { echo "NXT FAIL $1 ${2:-}"; }
t() { local n=$1; shift; if "$@" >/tmp/t.out 2>&1; then ok "$n"; else bad "$n" "$(tr '\n' ' ' </tmp/t.out | cut -c1-300)"; fi; }
main_pid() { systemctl show -p MainPID --value netoopsd; }
reports() { netoopsctl --db "$DB" --json list 2>/dev/null | grep -o '"id":' | wc -l; }

ready() {
	local st
	st=$(systemctl show -p Type,ActiveState,SubState,Result netoopsd | tr '\n' ' '); echo "$st"
	[[ $st == *Type=notify* && $st == *ActiveState=active* && $st == *SubState=running* ]] &&
		[ "$(ps -o user= -p "$(main_pid)")" = netoops ]
}
security() {
	local s
	s=$(systemd-analyze security --no-pager netoopsd.service | sed -n 's/.*Overall exposure level for netoopsd.service: \([0-9.]*\).*/\1/p')
	echo "NXT NOTE security systemd-analyze security netoopsd.service (running, in the guest): $s" >/dev/ttyS0
	echo "$s"; awk -v e="$s" 'BEGIN { exit !(e != "" && e + 0 <= 2.5) }'
}
targets_at_boot() {
	systemctl is-active netoops-targets.service && netoopsctl target list &&
		[ "$(cat /sys/kernel/config/netoops/collector/enabled)" = 1 ] &&
		netoopsctl target list | grep -qi '52:55:0a:00:02:02'
}
# a netconsole-style oops to the guest's own collector, one line per datagram
store_report() {
	local i line
	for i in 1 2 3; do
		for line in "[  100.0$i] BUG: kernel NULL pointer dereference, address: 0000000000000008" \
			"[  100.0$i] #PF: supervisor read access in kernel mode" \
			"[  100.0$i] Oops: 0000 [#1] PREEMPT SMP NOPTI" \
			"[  100.0$i] CPU: 0 PID: 1 Comm: swapper/0 Not tainted 6.1.0-57-amd64 #1 Debian" \
			"[  100.0$i] RIP: 0010:nxtest_before_upgrade+0x10/0x20" \
			"[  100.0$i] Call Trace:" "[  100.0$i]  <TASK>" \
			"[  100.0$i]  nxtest_caller+0x20/0x40" "[  100.0$i]  </TASK>" \
			"[  100.0$i] ---[ end trace 0000000000000000 ]---"; do
			printf '%s\n' "$line" >/dev/udp/127.0.0.1/2004
		done
		for _ in $(seq 30); do [ "$(reports)" -ge 1 ] && break 2; sleep 1; done
	done
	netoopsctl --db "$DB" list; [ "$(reports)" -ge 1 ]
}
schema() { sqlite3 "file:$DB?mode=ro" 'PRAGMA user_version'; }
upgrade() {
	OLDPID=$(main_pid); NBEFORE=$(reports)
	echo "# local change" >>/etc/netoops/netoopsd.conf
	apt-get update -q && $APT install --no-install-recommends netoopsd netoopsctl netoops-dkms
}
upgraded() {
	dpkg-query -W -f='${Package} ${Version}\n' netoopsd netoopsctl netoops-dkms
	[ "$(dpkg-query -W -f='${Version} ' netoopsd netoopsctl netoops-dkms)" = "$VERSION $VERSION $VERSION " ]
}
restarted() {
	for _ in $(seq 30); do systemctl is-active -q netoopsd && break; sleep 1; done
	echo "pid $OLDPID -> $(main_pid)"; [ "$(main_pid)" != "$OLDPID" ] && [ "$(main_pid)" != 0 ] && ready
}
# N+1's netoopsctl reads what N stored (its list format may differ: the count and the title)
report_kept() {
	local after; after=$(netoopsctl --db "$DB" list); echo "$after"
	[ "$NBEFORE" -ge 1 ] && [ "$(reports)" = "$NBEFORE" ] && [[ $after == *"NULL pointer dereference"* ]]
}
migrated() { local v; v=$(schema); echo "user_version $v (want $SCHEMA)"; [ "$v" = "$SCHEMA" ]; }
dkms_rebuilt() {
	dkms status netoops
	dkms status netoops | grep -q "netoops/$VERSION, $(uname -r), x86_64: installed" &&
		! dkms status netoops | grep -q "netoops/$PREV_VERSION"
}
etc_kept() { grep -q '^# local change' /etc/netoops/netoopsd.conf && grep -q '^collector ' /etc/netoops/targets.conf; }

# the file names under DIR a purge is compared on: what packages and their scripts may create
snapshot() {
	(cd "$1" && find etc usr var/lib -xdev \
		-path var/lib/apt -prune -o -path var/lib/dpkg -prune -o -path var/lib/systemd -prune -o \
		-path etc/ld.so.cache -prune -o -path 'var/lib/dkms/mok.*' -prune -o \
		-path usr/sbin/policy-rc.d -prune -o -path 'usr/lib/modules/*/modules.*' -prune -o \
		-print | sort)
}
purge_clean() {
	$APT purge netoopsd netoopsctl netoops-dkms || return 1
	snapshot / >/root/after-purge.list
	diff /root/before-install.list /root/after-purge.list | grep '^[<>]' >/tmp/extra
	echo "left or removed beyond the packages: $(tr '\n' ' ' </tmp/extra)"
	[ ! -s /tmp/extra ] && [ ! -e /var/lib/netoops ] && [ ! -e /var/lib/dkms/netoops ] &&
		! ls /usr/lib/modules/*/updates/dkms/netoops* 2>/dev/null
}

[ "${1:-}" != snapshot ] || { snapshot "$2"; exit; }
. /etc/netoops-guest-test.conf	# PREV_VERSION VERSION SCHEMA
exec >/dev/ttyS0 2>&1
if [ ! -e /root/phase1 ]; then
	touch /root/phase1
	t ready ready
	t hardened security
	t targets-applied-at-boot targets_at_boot
	t test-dump-sent netoopsctl test
	t report-stored store_report
	echo "NXT NOTE schema-before user_version $(schema) (version $PREV_VERSION)"
	t upgrade-from-repository upgrade
	t upgraded-to-"$VERSION" upgraded
	t netoopsd-restarted restarted
	t report-kept report_kept
	t schema-migrated migrated
	t dkms-rebuilt dkms_rebuilt
	t etc-netoops-kept etc_kept
	echo "NXT DONE phase1"
	sync; sleep 1
	echo 1 >/proc/sys/kernel/sysrq
	echo c >/proc/sysrq-trigger
else
	t purge-removes-only-its-own purge_clean
	echo "NXT DONE phase2"
	sync
	systemctl --no-block poweroff
fi
