# shellcheck shell=sh
# free_port (sourced by the integration, hostile and benchmark scripts): a port nobody on this
# machine is bound to, for UDP and TCP alike, picked at random so parallel runs do not collide.
free_port() {
	for _ in $(seq 1000); do
		fp=$(( 20000 + $(od -An -N2 -tu2 /dev/urandom) % 40000 ))
		ss -Hlnut "sport = :$fp" | grep -q . || { echo "$fp"; return 0; }
	done
	echo "free_port: no free port found in 1000 tries" >&2
	return 1
}
