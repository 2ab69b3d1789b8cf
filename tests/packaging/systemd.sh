# The packages under a real systemd (sourced by run.sh, which serves the repository at $URL):
# a bookworm image with systemd as PID 1 boots in QEMU (TCG), with version N (PREV_REF) of the
# packages installed from the repository. Boot 1: netoopsd READY (Type=notify) as user netoops,
# `systemd-analyze security`, targets.conf applied at boot, `netoopsctl test` reaches the host's
# collector, a report is stored, the upgrade to N+1 from the repository keeps it (schema
# migrated), DKMS rebuilds, /etc/netoops kept; then a SysRq-c panic reaches the host's collector.
# Boot 2: purge removes what the packages created and nothing else.
# shellcheck shell=bash

SYS_SUITE=bookworm
# the image without netoops: systemd, a kernel with its initramfs and headers (cached)
sys_base() {
	local tar=$PKGC/$SYS_SUITE-systemd.tar root=$PKG_OUT/sysbase
	(
		flock 9
		[ -s "$tar" ] && exit 0
		log "$SYS_SUITE image with systemd, kernel and headers (once; cached in $tar)"
		new_root "$root" "$SYS_SUITE" minbase || exit 1
		in_root "$root" "$SYS_SUITE" apt-get update -q >/dev/null &&
		in_root "$root" "$SYS_SUITE" apt-get install -y -q --no-install-recommends systemd systemd-sysv \
			udev dbus kmod iproute2 procps sqlite3 initramfs-tools linux-image-amd64 \
			linux-headers-amd64 >"$PKG_OUT/sysbase.log" 2>&1 ||
			{ tail -n 20 "$PKG_OUT/sysbase.log"; exit 1; }
		rm -f "$root"/var/cache/apt/archives/*.deb
		tar -C "$root" -cf "$tar.tmp" . && mv "$tar.tmp" "$tar"
		rm -rf "$root"
	) 9>"$PKGC/$SYS_SUITE-systemd.lock"
}

GUEST_SCRIPT=$PKG_DIR/guest-test.sh
# sys_image: this run's image, N installed from the repository, as an ext4 disk image
sys_image() {
	local root=$PKG_OUT/sysroot new
	# shellcheck disable=SC2034 # read by ir (run.sh)
	R=$root S=$SYS_SUITE
	sys_base || return 1
	rm -rf "$root"; mkdir -p "$root"
	tar -C "$root" -xf "$PKGC/$SYS_SUITE-systemd.tar"
	cp /etc/resolv.conf "$root/etc/resolv.conf"
	add_source "$root" "$SYS_SUITE" good
	ir apt-get update -q >/dev/null || return 1
	# everything but netoops that N and N+1 need comes from Debian now: the guest reaches only
	# the repository on the host
	new=$( { ir apt-get install -s --no-install-recommends "netoopsd=$PREV_VERSION" \
			"netoopsctl=$PREV_VERSION" "netoops-dkms=$PREV_VERSION"
		ir apt-get install -s --no-install-recommends netoopsd netoopsctl netoops-dkms; } |
		awk '/^Inst / && $2 !~ /^netoops/ { print $2 }' | sort -u)
	echo "dependencies: $new"
	# shellcheck disable=SC2086
	ir apt-get install -y -q --no-install-recommends $new >"$PKG_OUT/sysdeps.log" 2>&1 ||
		{ tail -n 20 "$PKG_OUT/sysdeps.log"; return 1; }
	rm -f "$root/etc/apt/sources.list" "$root/etc/resolv.conf"
	mkdir -p "$root/etc/netoops"
	printf 'collector 10.0.2.2:%s\n' "$CPORT" >"$root/etc/netoops/targets.conf"	# the admin's
	sys_guest_setup "$root"
	bash "$GUEST_SCRIPT" snapshot "$root" >"$root/root/before-install.list"
	ir apt-get install -y -q --no-install-recommends "netoopsd=$PREV_VERSION" \
		"netoopsctl=$PREV_VERSION" "netoops-dkms=$PREV_VERSION" >"$PKG_OUT/sysinst.log" 2>&1 ||
		{ tail -n 20 "$PKG_OUT/sysinst.log"; return 1; }
	sed -i "s|$URL/|http://10.0.2.2:$PORT/|" "$root/etc/apt/sources.list.d/netoops.sources"
	rm -f "$root/usr/sbin/policy-rc.d"
	truncate -s 4G "$PKG_OUT/disk.img"
	mke2fs -q -t ext4 -d "$root" "$PKG_OUT/disk.img" || return 1
	cp "$root"/boot/vmlinuz-* "$PKG_OUT/vmlinuz"; cp "$root"/boot/initrd.img-* "$PKG_OUT/initrd"
	rm -rf "$root"
}
# networkd with DHCP, a quiet console, the test unit, the expected values
sys_guest_setup() {
	local root=$1
	echo nxguest >"$root/etc/hostname"
	mkdir -p "$root/etc/systemd/network"
	printf '[Match]\nName=eth0\n[Network]\nDHCP=ipv4\n' >"$root/etc/systemd/network/20-eth0.network"
	ir systemctl enable systemd-networkd.service systemd-networkd-wait-online.service >/dev/null 2>&1
	ir systemctl mask serial-getty@ttyS0.service getty@tty1.service >/dev/null 2>&1
	install -m 0755 "$GUEST_SCRIPT" "$root/usr/local/sbin/netoops-guest-test"
	printf 'PREV_VERSION=%s\nVERSION=%s\nSCHEMA=%s\n' "$PREV_VERSION" "$VERSION" "$SCHEMA" >"$root/etc/netoops-guest-test.conf"
	cat >"$root/etc/systemd/system/netoops-guest-test.service" <<-EOF
	[Unit]
	Description=netoops packaging test (tests/packaging/guest-test.sh)
	After=multi-user.target netoopsd.service netoops-targets.service network-online.target
	Wants=network-online.target
	[Service]
	Type=oneshot
	ExecStart=/usr/local/sbin/netoops-guest-test
	StandardOutput=tty
	StandardError=tty
	TTYPath=/dev/ttyS0
	[Install]
	WantedBy=multi-user.target
	EOF
	ir systemctl enable netoops-guest-test.service >/dev/null 2>&1
}

# sys_boot N: boot the image once (niced, TCG, one guest at a time), console in boot-N.log
sys_boot() {
	log "QEMU boot $1 (TCG; console $PKG_OUT/boot-$1.log)"
	local t0=$SECONDS
	timeout "${SYS_TIMEOUT:-1200}" nice qemu-system-x86_64 -m 1536 -smp 1 -display none -no-reboot \
		-kernel "$PKG_OUT/vmlinuz" -initrd "$PKG_OUT/initrd" \
		-append "root=/dev/vda rw console=ttyS0 panic=-1 net.ifnames=0 systemd.show_status=0" \
		-drive "file=$PKG_OUT/disk.img,format=raw,if=virtio" \
		-netdev user,id=n0 -device virtio-net-pci,netdev=n0 \
		-serial "file:$PKG_OUT/boot-$1.log" -monitor none >/dev/null 2>&1
	echo "packaging: systemd guest boot $1: $((SECONDS - t0)) s" >>"$PKG_OUT/measured"
}

# the guest reports one "NXT PASS|FAIL NAME [DETAIL]" line per assertion; count them as ours
guest_results() {
	local line name
	# (a line can reach the console twice: the unit's tty and the script's own redirection)
	grep -a '^NXT ' "$PKG_OUT/boot-$1.log" | tr -d '\r' | awk '!seen[$0]++' >"$PKG_OUT/nxt-$1" || true
	while read -r _ verdict name line; do
		case $verdict in
		DONE) ;;
		PASS) echo "PASS packaging/systemd/$name $line"; passed=$((passed + 1)) ;;
		NOTE) echo "packaging: systemd/$name: $line" | tee -a "$PKG_OUT/measured" ;;
		*) echo "FAIL packaging/systemd/$name $line"; failed=$((failed + 1)) ;;
		esac
	done <"$PKG_OUT/nxt-$1"
	grep -q "^NXT DONE phase$1" "$PKG_OUT/nxt-$1" || {
		echo "FAIL packaging/systemd/boot-$1-completed (last console lines:)"; failed=$((failed + 1))
		tail -n 25 "$PKG_OUT/boot-$1.log" | sed 's/^/    /'
	}
}

# at the host's collector: the guest's test dump and its panic
host_got() {
	local n
	n=$("$REPO/build/netoopsctl" --db "$PKG_OUT/host.db" --json list --reason "$1" | jq 'length')
	echo "reports with reason $1 from the guest: $n"
	[ "${n:-0}" -ge 1 ]
}

systemd_tests() {
	[ -x "$REPO/build/netoopsd" ] || make -C "$REPO" -s userspace >/dev/null || return
	PREV_VERSION=$(git -C "$REPO" show "$PREV_REF:debian/changelog" | dpkg-parsechangelog -l - -S Version)
	SCHEMA=$(sed -n 's/^#define NX_STORE_SCHEMA_VERSION \([0-9]*\).*/\1/p' "$REPO/src/store/store.h")
	CPORT=$(free_port) || return
	"$REPO/build/netoopsd" --listen "127.0.0.1:$CPORT" --db "$PKG_OUT/host.db" --quiet-ms 2000 \
		>"$PKG_OUT/host-netoopsd.log" 2>&1 &
	local cpid=$!
	check systemd/image sys_image
	if [ -s "$PKG_OUT/disk.img" ]; then
		sys_boot 1; guest_results 1
		sleep 3	# the panic's last datagrams, then the collector's quiet period
		check systemd/test-dump-reached-host host_got test
		check systemd/panic-reached-host host_got panic
		sys_boot 2; guest_results 2
	fi
	kill "$cpid" 2>/dev/null; wait "$cpid" 2>/dev/null
}
