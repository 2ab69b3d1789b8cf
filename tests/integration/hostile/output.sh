#!/bin/sh
# Hostile bytes in dumps, sent over real sockets: invalid UTF-8, NUL, ESC/OSC/CSI sequences, C1
# controls, DEL, TAB. The database keeps the bytes as received; no field is dropped from JSON
# (the store, --json, the HTTP API through --daemon); no control byte reaches a terminal raw
# (list, show, groups, stats, analyze, the append file, the log). docs/netoopsd.md, "Escaping".
set -u
cd "$(dirname "$0")/../../.." || exit 1
# shellcheck source=tests/integration/hostile/lib.sh
. tests/integration/hostile/lib.sh
hostile_begin output

# The divide oops with an invalid byte in comm and module, an OSC in a line, and a last line
# with a NUL, a CSI, a lone C1 byte and a DEL; a panic whose title carries OSC, TAB, an invalid
# byte, CSI, DEL and a C1 control written as valid UTF-8 (C2 9B).
E=$(printf '\351') ESC=$(printf '\033') BEL=$(printf '\007')
sed -e "s/Comm: insmod/Comm: ins${E}mod/" -e "s/\\[crash\\]/[cr${E}sh]/" \
	-e "s/divide error: 0000/divide error${ESC}]0;owned${BEL}: 0000/" \
	"$FIX/divide-6.1.txt" >"$W/bad.txt"
printf '[  412.127999] nul\000inside \033[2J\233 \177end\n' >>"$W/bad.txt"
printf '[   10.000000] Kernel panic - not syncing: VFS: \033]0;owned\007 bad\t\351 root\033[2J\177\302\233x\n[   10.000100] CPU: 1 PID: 1 Comm: sw\033[31mapper Not tainted 6.1.0-27-amd64 #1\n[   10.000200] Kernel Offset: disabled\n' >"$W/panic.txt"

P=$(free_port) H=$(free_port) DB=$W/o.db
[ "$H" != "$P" ] || H=$((P + 1))
check start h_start o --listen "127.0.0.1:$P" --db "$DB" --http "127.0.0.1:$H" \
	--append-file "$W/append.txt" --quiet-ms 500
check http-up h_wait 10 grep -q "http: serving" "$W/o.log"
send() { "$NXLOAD" --to "127.0.0.1:$P" --text "$1" --host "$2" --reason "$3" >>"$W/nxload.log"; }
check send send "$FIX/divide-6.1.txt" out-clean oops
check send-bad send "$W/bad.txt" out-bad oops
check send-panic send "$W/panic.txt" out-panic panic
check stored h_wait 10 sh -c "[ \"\$('$CTL' --db '$DB' --json list | jq length)\" -eq 3 ]"
# Ids by host, whatever order the store thread took them in.
id() { "$CTL" --db "$DB" --json list | jq ".[] | select(.host == \"$1\") | .id"; }
C=$(id out-clean) B=$(id out-bad) K=$(id out-panic)

# The database keeps the bytes as received: insXmod, "nul" NUL "inside", ESC ] 0 ; owned BEL
# (in the zstd frame the text is stored as, docs/netoopsd.md "Stored text").
raw_kept() {
	sqlite3 "$DB" "SELECT writefile('$W/b.stored', text) FROM dumps WHERE id = $B" >/dev/null
	case $(sqlite3 "$DB" "SELECT text_codec FROM dumps WHERE id = $B") in
	zstd) zstd -q -dc "$W/b.stored" ;;
	*) cat "$W/b.stored" ;;
	esac >"$W/b.text"
	hex=$(od -An -v -tx1 "$W/b.text" | tr -d ' \n' | tr abcdef ABCDEF)
	for want in 696E73E96D6F64 6E756C00696E73696465 1B5D303B6F776E656407 9B207F656E64; do
		case $hex in *"$want"*) ;; *) echo "raw text lacks $want"; return 1 ;; esac
	done
}
check db-keeps-bytes raw_kept

# What a terminal gets: no C0 byte but \n (and \t in a dump's text), no DEL, no C1, valid UTF-8.
tty_clean() {
	if LC_ALL=C grep -qP "[\\x00-\\x08$2\\x0b-\\x1f\\x7f]|\\xc2[\\x80-\\x9f]" "$1"; then
		echo "raw control bytes in $1:"
		LC_ALL=C grep -naP "[\\x00-\\x08$2\\x0b-\\x1f\\x7f]|\\xc2[\\x80-\\x9f]" "$1" | od -c | head
		return 1
	fi
	iconv -f UTF-8 -t UTF-8 "$1" >/dev/null
}
# out NAME ARGS...: netoopsctl ARGS into $W/NAME (with --db) and $W/NAME.http (with --daemon).
out() {
	o_name=$1; shift
	"$CTL" --db "$DB" "$@" >"$W/$o_name" &&
		"$CTL" --daemon "127.0.0.1:$H" "$@" >"$W/$o_name.http"
}
for q in list groups stats "show $C" "show $B" "show $K"; do
	n=$(echo "$q" | tr ' ' _)
	# shellcheck disable=SC2086 # the query's words
	check "$n-runs" out "$n" $q
	# shellcheck disable=SC2086
	check "$n-json-runs" out "$n.json" --json $q
	case $q in show*) tab='' ;; *) tab='\x09' ;; esac
	check "$n-tty-clean" tty_clean "$W/$n" "$tab"
	check "$n-http-tty-clean" tty_clean "$W/$n.http" "$tab"
	check "$n-json-clean" tty_clean "$W/$n.json" '\x09'
	[ "$q" = stats ] && continue	# the daemon's counters move on between the two reads
	check "$n-http-same" cmp "$W/$n" "$W/$n.http"
	check "$n-http-json-same" cmp "$W/$n.json" "$W/$n.json.http"
done
# Every key of the clean dump and its primary report is there in the hostile one, and as many
# call trace frames (json_pack dropped each frame whose module had an invalid byte).
shape() { jq -c '[keys, (.reports[0] | keys), (.reports[0].frames | length)]' "$1"; }
same_shape() { [ "$(shape "$W/show_$C.json")" = "$(shape "$W/show_$B.json")" ]; }
check no-field-dropped same_shape
check json-text jq -e '.text | contains("Comm: ins\\xe9mod ") and
	contains("error\u001b]0;owned\u0007: 0000") and
	endswith("nul\\x00inside \u001b[2J\\x9b \u007fend\n")' "$W/show_$B.json"
check json-fields jq -e '.reports[0] | .comm == "ins\\xe9mod" and
	([.frames[] | select(.func == "init_module" and .module == "cr\\xe9sh")] | length) == 3
	and (.modules | length) > 0' "$W/show_$B.json"
# (the title is normalised as syzbot does: the "0" of the OSC becomes NUM; docs/analysis.md)
TITLE='"kernel panic: VFS: \u001b]NUM;owned\u0007 bad\t\\xe9 root\u001b[2J\u007f\u009bx"'
check json-title jq -e ".title == $TITLE and .reports[0].comm == \"sw\\u001b[31mapper\"" \
	"$W/show_$K.json"
check json-list jq -e "[.[] | select(.title == $TITLE)] | length == 1" "$W/list.json"
check json-groups jq -e "[.[] | select(.title == $TITLE and .kernels == [\"6.1.0-27-amd64\"])] |
	length == 1" "$W/groups.json"
check list-title-escaped grep -qF 'VFS: \x1b]NUM;owned\x07 bad\x09\xe9 root\x1b[2J\x7f\xc2\x9bx' \
	"$W/list"
check show-comm-escaped grep -qF 'comm: ins\xe9mod' "$W/show_$B"
check show-module-escaped grep -qF 'init_module+0x14/0x1000 [cr\xe9sh]' "$W/show_$B"
# The whole text, past the NUL, escaped; tabs kept in the text.
check show-whole-text grep -qF 'nul\x00inside \x1b[2J\x9b \x7fend' "$W/show_$B"
check show-text-tab grep -qF "$(printf 'bad\t\\xe9 root')" "$W/show_$K"

# The API's own JSON, as curl would print it: no DEL or C1 control raw either, streamed or not.
api_raw() {
	for path in "/v1/reports/$B" "/v1/reports/$C" /v1/reports /v1/groups; do
		curl -sS "http://127.0.0.1:$H$path" >"$W/api.raw" || return 1
		jq -e . "$W/api.raw" >/dev/null || { echo "$path: not JSON"; return 1; }
		tty_clean "$W/api.raw" '\x09' || { echo "in $path"; return 1; }
	done
}
check api-json-tty-clean api_raw

# An HTTP error that quotes request bytes which are not UTF-8 is still answered, escaped.
http_error() {
	bash -c "exec 3<>/dev/tcp/127.0.0.1/$H &&
		printf 'GET /v1/reports?since=%%E9%%1B HTTP/1.0\r\n\r\n' >&3 && cat <&3" >"$W/http.err"
	head -n 1 "$W/http.err" | grep -q ' 400 ' &&
		sed '1,/^\r*$/d' "$W/http.err" | jq -e '.error | startswith("since: '"'"'\\xe9\u001b'"'"'")'
}
check http-error-escaped http_error

# The append file and the log are read with cat and less.
check append-tty-clean tty_clean "$W/append.txt" ''
check append-escaped grep -qF 'nul\x00inside \x1b[2J\x9b \x7fend' "$W/append.txt"
check append-title-escaped grep -qF \
	'==== netoops report '"$K"': kernel panic: VFS: \x1b]NUM;owned\x07 bad\x09\xe9' "$W/append.txt"
check log-tty-clean tty_clean "$W/o.log" '\x09'
check log-title-escaped grep -qF 'complete: kernel panic: VFS: \x1b]NUM;owned\x07 bad\x09' "$W/o.log"

# netoopsctl analyze on the same bytes in local files.
check analyze-runs sh -c "'$CTL' analyze '$W/bad.txt' '$W/panic.txt' >'$W/analyze'"
check analyze-tty-clean tty_clean "$W/analyze" '\x09'
check analyze-escaped grep -qF 'comm ins\xe9mod' "$W/analyze"
check analyze-title-escaped grep -qF 'title:     kernel panic: VFS: \x1b]NUM;owned\x07 bad\x09' \
	"$W/analyze"
check analyze-json sh -c "'$CTL' analyze --json '$W/bad.txt' '$W/panic.txt' >'$W/analyze.json'"
check analyze-json-clean tty_clean "$W/analyze.json" '\x09'
check analyze-json-fields jq -se ".[0].comm == \"ins\\\\xe9mod\" and
	([.[0].frames[] | select(.module == \"cr\\\\xe9sh\")] | length) == 3 and
	.[1].title == $TITLE" "$W/analyze.json"

check alive h_alive o
check clean-exit h_stop o
checks_end
