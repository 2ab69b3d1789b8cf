#!/bin/sh
# `netoopsctl key` and `target add --key` as a user runs them: the fleet key file's mode and
# no overwrite, the host key of the published test vector, refusals of open key files,
# relative paths and bad host names, each with a message saying what to do.
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
CTL=$BUILD/netoopsctl
W=$(mktemp -d /tmp/netoops-key.XXXXXX)
trap 'rm -rf "$W"' EXIT INT TERM
. tests/lib/checks.sh
checks_begin ctl-key "$W/out"

fail() { echo "$*"; exit 1; }

# refused MESSAGE CMD...: CMD fails and says MESSAGE.
refused() (
	msg=$1; shift
	! "$@" >"$W/r" 2>&1 || fail "accepted: $*"
	grep -qF -- "$msg" "$W/r" || fail "message lacks '$msg': $(cat "$W/r")"
)

new_key() (
	"$CTL" key new "$W/fleet" >/dev/null || fail "exit $?"
	[ "$(stat -c %a "$W/fleet")" = 600 ] || fail "mode $(stat -c %a "$W/fleet")"
	grep -Eqx '[0-9a-f]{64}' "$W/fleet" || fail "not 64 hex digits: $(cat "$W/fleet")"
	cp "$W/fleet" "$W/fleet.before"
	refused "never overwritten" "$CTL" key new "$W/fleet"
	cmp -s "$W/fleet" "$W/fleet.before" || fail "the key changed"
)

# docs/protocol.md, "Test vectors": fleet key 00..1f, host web-17.
vector_host_key() (
	umask 077
	printf '%s\n' 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f >"$W/vfleet"
	"$CTL" key derive "$W/vfleet" web-17 "$W/web-17.key" >/dev/null || fail "exit $?"
	[ "$(cat "$W/web-17.key")" = \
		b410a5562b90566cc54385df0bb7136e88c317afd39bf1637e3718be6159332c ] ||
		fail "host key $(cat "$W/web-17.key")"
	[ "$(stat -c %a "$W/web-17.key")" = 600 ] || fail "mode $(stat -c %a "$W/web-17.key")"
)

open_files_refused() (
	umask 077
	"$CTL" key new "$W/f2" >/dev/null || fail "key new"
	chmod 640 "$W/f2"
	refused "chmod 600" "$CTL" key derive "$W/f2" web-1 "$W/x.key"
	chmod 604 "$W/f2"
	refused "chmod 600" "$CTL" key derive "$W/f2" web-1 "$W/x.key"
	chmod 600 "$W/f2"
	"$CTL" key derive "$W/f2" web-1 "$W/x.key" >/dev/null || fail "derive"
	chmod 644 "$W/x.key"
	refused "chmod 600" "$CTL" key install "$W/x.key"
	refused "chmod 600" "$CTL" target add main --to 192.0.2.1 --key "$W/x.key" --dry-run
	refused "absolute path" "$CTL" target add main --to 192.0.2.1 --key x.key --dry-run
	printf 'not a key\n' >"$W/bad.key"; chmod 600 "$W/bad.key"
	refused "64 hex digits" "$CTL" key install "$W/bad.key"
)

bad_host_refused() (
	umask 077
	"$CTL" key new "$W/f3" >/dev/null || fail "key new"
	refused "as the module sends it" "$CTL" key derive "$W/f3" "web 1" "$W/y.key"
	refused "as the module sends it" "$CTL" key derive "$W/f3" "" "$W/y.key"
	[ ! -e "$W/y.key" ] || fail "a key file was written"
	refused "usage:" "$CTL" key derive "$W/f3"
)

check new-key new_key
check vector-host-key vector_host_key
check open-files-refused open_files_refused
check bad-host-refused bad_host_refused
checks_end
