# shellcheck shell=sh
# Shared by tests/fuzz/run.sh (smoke) and tests/fuzz/long.sh (sourced): building one target.
#
# A target tests/fuzz/fuzz_NAME.c links src/core/*.c and src/core/*/*.c; extra sources and libraries are named
# in comment lines of their own in the target (a folder ending in / stands for its *.c files,
# so a new file of that folder needs no edit; a glob would end the C comment):
#   /* fuzz-sources: src/netoopsd/config.c src/netoopsd/log.c src/store/ */
#   /* fuzz-libs: -lsqlite3 -ljansson */

# shellcheck disable=SC2034 # used by the scripts that source this
FUZZ_OUT=${BUILD:-build}/fuzz
FUZZ_CFLAGS="-g -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Iinclude -Isrc -fno-omit-frame-pointer"

# fuzz_tag SRC TAG: the text of SRC's "/* TAG: ... */" line (empty when absent).
fuzz_tag() {
	sed -n "s|^/\\* $2: \\(.*\\) \\*/\$|\\1|p" "$1" | head -n 1
}

# fuzz_build VARIANT SRC BIN: VARIANT plain (libFuzzer only, the fastest) or san
# (libFuzzer + ASan + UBSan, every UBSan finding fatal).
fuzz_build() {
	case $1 in
	plain) fb_flags="-O2 -fsanitize=fuzzer" ;;
	san) fb_flags="-O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all" ;;
	*) echo "fuzz: unknown build $1"; return 1 ;;
	esac
	fb_sources=""
	for fb_s in $(fuzz_tag "$2" fuzz-sources); do
		case $fb_s in
		*/) fb_sources="$fb_sources $(ls "$fb_s"*.c)" ;;
		*) fb_sources="$fb_sources $fb_s" ;;
		esac
	done
	fb_libs=$(fuzz_tag "$2" fuzz-libs)
	mkdir -p "$(dirname "$3")"
	# shellcheck disable=SC2086 # flag and file lists are meant to split
	clang $FUZZ_CFLAGS $fb_flags -o "$3" "$2" src/core/*.c src/core/*/*.c $fb_sources -lcrypto -lisal $fb_libs
}

# fuzz_seeds NAME DIR: copy NAME's corpus and regression seeds into DIR.
fuzz_seeds() {
	mkdir -p "$2"
	for d in "tests/fuzz/corpus/$1" "tests/fuzz/regress/$1"; do
		[ -d "$d" ] && cp -R "$d/." "$2/"
	done
	return 0
}

# fuzz_replay BIN NAME: run BIN once on each of NAME's regression seeds (a crash fails).
fuzz_replay() {
	[ -d "tests/fuzz/regress/$2" ] || return 0
	set -- "$1" "$2" "tests/fuzz/regress/$2"/*
	[ -e "$3" ] || return 0
	fr_bin=$1
	shift 2
	"$fr_bin" -timeout=10 "$@"
}

# fuzz_stat LOG NAME: one stat::NAME value from a -print_final_stats=1 log.
fuzz_stat() {
	sed -n "s/^stat::$2: *\\([0-9]*\\).*/\\1/p" "$1" | tail -n 1
}
