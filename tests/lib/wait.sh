# shellcheck shell=sh
# Waiting in the test and benchmark scripts (sourced): for a line in a daemon's log.

# wait_log FILE PATTERN [SECONDS]: until FILE has a line matching PATTERN (grep), at most SECONDS
# (default 5); else prints FILE and fails.
wait_log() {
	for _ in $(seq $(( ${3:-5} * 20 ))); do
		grep -q "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	cat "$1"
	return 1
}
