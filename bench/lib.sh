# shellcheck shell=sh
# Shared by the benchmark scripts (sourced): corpus texts for nxload, and free ports.

# corpus_texts DIR: "--text FILE" for up to 16 realistic oopses of DIR (one per host in turn).
corpus_texts() {
	ct=""
	for f in $(find "$1" -type f | sort | head -n 16); do ct="$ct --text $f"; done
	[ -n "$ct" ] || { echo "bench: no corpus at $1" >&2; return 1; }
	echo "$ct"
}

# port: a UDP port nobody listens on.
port() {
	while :; do
		p=$(( 20000 + $(od -An -N2 -tu2 /dev/urandom) % 40000 ))
		ss -Hlun "sport = :$p" | grep -q . || { echo "$p"; return; }
	done
}
