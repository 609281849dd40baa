#!/usr/bin/env bash
# tests/screen/kafka.sh - the console's Kafka lag pane against the real
# exporter feed and Prometheus started by tests/run: `chops --config F` in a
# detached tmux at 200x60, 80x24 and 120x40, read back with capture-pane,
# polling until the expected text shows (never sleeping a fixed time).
#
# Checks: both groups of the feed with their real lag; the feed swapped to
# the next sample changes the figures and turns audit_sink to WARN (lag
# growing), with its rates and lag in seconds; drill-down group -> topic ->
# partitions with the real offsets, sort (s, S), filter (/) and back (Esc);
# the scrape targets with `broken` down and its error; the exporter on a
# dead port shows its error while the ClickHouse pane keeps updating; an
# exporter that dies keeps its last figures on screen, dimmed, with the
# age of the data.
#
# The feed file is shared with the other tests: it is swapped atomically and
# put back as it was at the end.
#
# Environment: CHOPS_BIN (default ./chops), CHOPS_SRCDIR,
# CHOPS_TEST_EXPORTER_URL, CHOPS_TEST_EXPORTER_DIR, CHOPS_TEST_PROM_URL
# (tests/lib/servers.sh), and optionally CHOPS_TEST_CH_URL, _USER, _PASSWORD.

set -u

here=$(cd "$(dirname "$0")" && pwd)
srcdir=${CHOPS_SRCDIR:-$(cd "$here/../.." && pwd)}
bin=${CHOPS_BIN:-./chops}
case $bin in /*) ;; *) bin=$PWD/$bin ;; esac
fixtures=$srcdir/tests/fixtures/kafka_exporter

# shellcheck source=../lib/tap.sh
. "$srcdir/tests/lib/tap.sh"

if [ -z "${CHOPS_TEST_EXPORTER_URL:-}" ] || [ -z "${CHOPS_TEST_EXPORTER_DIR:-}" ] ||
	[ -z "${CHOPS_TEST_PROM_URL:-}" ]; then
	tap_skip "kafka lag pane" "no exporter feed or Prometheus (run through tests/run)"
	tap_done
	exit
fi

tmp=$(mktemp -d "${CHOPS_TEST_TMP:-${TMPDIR:-/tmp}}/kafkapane.XXXXXX") || exit 1
feed_pid=
metrics_saved=$tmp/metrics.saved
cp "$CHOPS_TEST_EXPORTER_DIR/metrics" "$metrics_saved" || exit 1

# serve FILE: what the exporter feed answers from now on (atomically)
serve() {
	cp "$1" "$CHOPS_TEST_EXPORTER_DIR/.metrics.kafkapane" &&
		mv -f "$CHOPS_TEST_EXPORTER_DIR/.metrics.kafkapane" \
			"$CHOPS_TEST_EXPORTER_DIR/metrics"
}

cleanup() {
	tmux_stop
	[ -n "$feed_pid" ] && kill "$feed_pid" 2>/dev/null
	serve "$metrics_saved"	# the feed as the other tests know it
	rm -rf "$tmp"
}
trap cleanup EXIT

# a loopback port nothing listens on
dead_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# secrets stay in files, never on a command line
umask 077
[ -n "${CHOPS_TEST_CH_PASSWORD:-}" ] && printf '%s\n' "$CHOPS_TEST_CH_PASSWORD" >"$tmp/ch.pw"

# write_config FILE EXPORTER_URL
write_config() {
	{
		if [ -n "${CHOPS_TEST_CH_URL:-}" ]; then
			printf '[clickhouse]\nurls = %s\nuser = %s\npassword_file = %s\n' \
				"$CHOPS_TEST_CH_URL" "${CHOPS_TEST_CH_USER:-default}" "$tmp/ch.pw"
			printf 'timeout = 2s\nconnect_timeout = 1s\n'
		fi
		printf '[kafka]\nexporter_url = %s\ntimeout = 2s\n' "$2"
		printf '[prometheus]\nurl = %s\n' "$CHOPS_TEST_PROM_URL"
		printf '[ui]\nrefresh = 500ms\n'
	} >"$1"
}

cfg=$tmp/chops.ini
write_config "$cfg" "$CHOPS_TEST_EXPORTER_URL"

# the binary must have the console (the probe has no terminal: it fails fast)
"$bin" --config "$cfg" </dev/null >"$tmp/probe.out" 2>&1
if grep -q "not available in this build" "$tmp/probe.out"; then
	tap_skip "kafka lag pane" "this chops has no console yet"
	tap_done
	exit
fi

utf8=
locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$' && utf8=C.UTF-8

# chops_start COLSxROWS CONFIG: the console in a fresh tmux, on the Kafka pane
chops_start() {
	tmux_start "$1" env -u NO_COLOR -u CHOPS_CONFIG -u CLICKHOUSE_URL \
		-u KAFKA_EXPORTER_URL -u PROMETHEUS_URL -u AWS_ACCESS_KEY_ID \
		-u AWS_SECRET_ACCESS_KEY ${utf8:+LANG=$utf8 LC_ALL=$utf8} \
		"$bin" --config "$2" --log "$tmp/chops.log"
	tmux_wait_for "Kafka lag" 10 >/dev/null
	tmux_keys 2	# its pane (its tab, when narrow)
}

# the inside of the pane whose frame is titled TITLE (side by side or a
# tab), in bash: a python3 per poll is too slow on a loaded machine
pane_of() {
	local title=$1 screen top left rest a w i=0 line
	local LC_ALL=${utf8:-${LC_ALL:-}}
	screen=$(tmux_screen) || return 1
	while IFS= read -r line; do
		i=$((i + 1))
		if [ "$i" -eq 2 ]; then
			top=$line
			case $top in
			*"─ $title"*) left=${top%%"─ $title"*}; left=${left%┌*} ;;
			*"- $title"*) left=${top%%"- $title"*}; left=${left%+*} ;;
			*) return 1 ;;
			esac
			a=$((${#left} + 1))
			rest=${top:a}
			rest=${rest%%[┐+]*}
			w=${#rest}
		elif [ "$i" -gt 2 ]; then
			printf '%s\n' "${line:a:w}"
		fi
	done <<<"$screen"
}

kafka_pane() { pane_of "Kafka lag"; }
kafka_has() { grep -qE -- "$1" <<<"$(kafka_pane)"; }
kafka_lacks() { ! kafka_has "$1"; }
ch_pane() { pane_of ClickHouse; }
exited_ok() { [ "$(tmux_pane_status)" = "exited 0" ]; }
header_has() { tmux_screen | head -n 1 | grep -qE -- "$1"; }

# check NAME CMD...: ok when CMD succeeds, else not ok with the screen
check() {
	local name=$1
	shift
	if "$@"; then
		tap_ok "$name"
	else
		tap_fail "$name" "screen:" "$(tmux_screen 2>&1 | sed 's/^/|/')"
	fi
}

# rows_in_order RE1 RE2 RE3: lines matching them come in that order
rows_in_order() {
	kafka_pane | python3 -c '
import re, sys
lines = sys.stdin.read().split("\n")
at = []
for pat in sys.argv[1:]:
    found = [i for i, l in enumerate(lines) if re.search(pat, l)]
    if not found:
        sys.exit(1)
    at.append(found[0])
sys.exit(0 if at == sorted(at) else 1)' "$@"
}

# the SGR codes in force where TEXT first starts on the screen
attrs_at() {
	tmux_screen -e | python3 -c '
import re, sys
text = sys.argv[1]
for line in sys.stdin.read().split("\n"):
    plain = re.sub(r"\x1b\[[0-9;]*m", "", line)
    if text not in plain:
        continue
    pos = line.find(text)
    cur = []
    for c in re.findall(r"\x1b\[([0-9;]*)m", line[:pos]):
        cur = [] if c in ("", "0") else cur + [c]
    print("at:" + ";".join(cur))
    break' "$1"
}

serve "$fixtures/sample_t0.prom"

# ------------------------------------------------------------ 200x60

chops_start 200x60 "$cfg"
check "200x60: audit_sink with its real lag (7.0M)" \
	wait_until 15 kafka_has 'audit_sink +7\.0M'
check "200x60: clickhouse_posting with its real lag (23.3k)" \
	wait_until 5 kafka_has 'clickhouse_posting +23\.3k'
check "200x60: members from the feed" kafka_has '3 members'
check "200x60: a steady feed is OK, in words" wait_until 10 kafka_has 'audit_sink .* OK .*1 member'
check "200x60: the reason says the lag is steady" kafka_has 'steady'
check "200x60: the header counts the targets up (1/2)" wait_until 15 header_has '1/2 targets'
check "200x60: the scrape targets below the groups, broken down" \
	wait_until 10 kafka_has 'broken down'

serve "$fixtures/sample_t1.prom"
check "the next sample: clickhouse_posting's lag changes (24.6k)" \
	wait_until 10 kafka_has 'clickhouse_posting +24\.6k'
check "audit_sink becomes WARN (lag growing)" wait_until 10 kafka_has 'audit_sink .* WARN '
# WARN lasts while the older sample is in the window (15 s): one screen
snap=$(kafka_pane)
snap_has() { grep -qE -- "$1" <<<"$snap"; }
check "the reason says the lag grew" snap_has 'lag grew from 7\.[0-9]+M to 7\.[0-9]+M'
check "rates from the offsets" snap_has 'consume [0-9.]+k?/s +produce [0-9.]+k?/s'
check "falling behind by N msg/s" snap_has 'falling behind by [0-9.]+ msg/s'
check "the lag in seconds" wait_until 10 kafka_has 'lag (~|>= )[0-9]+[smhd]'
check "a sparkline of the lag" snap_has '(▁|_).*(█|\^)'
tmux_keys q
check "q quits (exit 0)" wait_until 10 exited_ok

# ------------------------------------------------------------ 80x24

serve "$fixtures/sample_t0.prom"
chops_start 80x24 "$cfg"
check "80x24: audit_sink with its real lag (7.0M)" \
	wait_until 15 kafka_has 'audit_sink +7\.0M'
check "80x24: clickhouse_posting with its real lag (23.3k)" \
	kafka_has 'clickhouse_posting +23\.3k'
check "80x24: the state shows" wait_until 10 kafka_has 'audit_sink .* (OK|WARN|UNKNOWN) '

serve "$fixtures/sample_t1.prom"
check "80x24: the figures follow the feed" \
	wait_until 10 kafka_has 'clickhouse_posting +24\.6k'

tmux_keys g Enter
check "Enter: the group's topics" wait_until 5 kafka_has 'audit_events +7\.0M'
check "the topics view names the group and its state" kafka_has '^audit_sink +(OK|WARN) +lag 7\.0M'
tmux_keys Enter
check "Enter: the topic's partitions" wait_until 5 kafka_has 'audit_sink . audit_events'
check "each partition with its lag and real offsets" \
	kafka_has '^ +0 +2\.3M +.* 7536596 +9875713 '
check "all three partitions" rows_in_order '^ +0 ' '^ +1 ' '^ +2 '
tmux_keys s s s s	# part, lag, lag time, committed
check "s sorts by the committed offset" wait_until 5 kafka_has 'Committed(▲|\^)'
check "  ascending: 1, 0, 2" rows_in_order '^ +1 .*7530105' '^ +0 .*7536596' '^ +2 .*7541319'
tmux_keys S
check "S reverses it" wait_until 5 kafka_has 'Committed(▼|v)'
check "  descending: 2, 0, 1" rows_in_order '^ +2 .*7541319' '^ +0 .*7536596' '^ +1 .*7530105'
tmux_keys /
tmux_keys -l 9882060
tmux_keys Enter
check "/ filters the partitions" wait_until 5 kafka_has 'filter: 9882060'
only_two() { kafka_has '^ +2 +2\.3M' && kafka_lacks '^ +[01] +2\.3M'; }
check "  only partition 2 is left" only_two
tmux_keys Escape
check "Esc clears the filter first" wait_until 5 kafka_has '^ +1 +2\.3M'
tmux_keys Escape
check "Esc: back to the topics" wait_until 5 kafka_has '^Topic '
tmux_keys Escape
check "Esc: back to the groups" wait_until 5 kafka_has 'clickhouse_posting +24\.6k'

tmux_keys G Enter
check "the targets view" wait_until 5 kafka_has 'Prometheus scrape targets +1/2 up'
check "kafka is up" kafka_has '^kafka +up '
check "broken is down, with its error" \
	kafka_has '^broken +down +.*(refused|dial|connect|Get )'
tmux_keys Escape
check "Esc: back to the groups" wait_until 5 kafka_has 'audit_sink +7\.0M'
tmux_keys q
check "q quits (exit 0)" wait_until 10 exited_ok

# ------------------------------------------------------------ a dead exporter

dead=$(dead_port)
write_config "$tmp/dead.ini" "http://127.0.0.1:$dead/metrics"
chops_start 120x40 "$tmp/dead.ini"
check "dead port: the pane says the exporter is down" \
	wait_until 15 kafka_has 'kafka_exporter down'
check "  with the error" wait_until 5 kafka_has 'refused|connect'
check "  and that it never answered" kafka_has 'never answered'
check "  the header says down" wait_until 5 header_has 'Kafka lag.* down'
if [ -n "${CHOPS_TEST_CH_URL:-}" ]; then
	check "  the ClickHouse pane is up meanwhile" wait_until 15 header_has '1/1 up'
	before=$(ch_pane)
	ch_moved() { [ "$(ch_pane)" != "$before" ]; }
	check "  and keeps updating" wait_until 10 ch_moved
else
	tap_skip "  the ClickHouse pane is up meanwhile" "no ClickHouse"
	tap_skip "  and keeps updating" "no ClickHouse"
fi
check "  the scrape targets still show" kafka_has 'Scrape targets +[0-9]+/[0-9]+ up'
tmux_keys q
check "q quits (exit 0)" wait_until 10 exited_ok

# ------------------------------------------------------------ an exporter that dies

mkdir -p "$tmp/feed"
cp "$fixtures/sample_t0.prom" "$tmp/feed/metrics"
port=$(dead_port)
python3 -m http.server --bind 127.0.0.1 --directory "$tmp/feed" "$port" \
	</dev/null >"$tmp/feed.log" 2>&1 &
feed_pid=$!
feed_up() { curl --noproxy '*' -sf -o /dev/null -m 2 "http://127.0.0.1:$port/metrics"; }
wait_until 15 feed_up
write_config "$tmp/own.ini" "http://127.0.0.1:$port/metrics"
chops_start 200x60 "$tmp/own.ini"
check "own feed: clickhouse_posting at 23.3k" \
	wait_until 15 kafka_has 'clickhouse_posting +23\.3k'
live=$(attrs_at 23.3k)
kill "$feed_pid"
wait "$feed_pid" 2>/dev/null
feed_pid=
check "the feed stops: the pane says so" wait_until 15 kafka_has 'kafka_exporter down'
check "  with the age of the last good data" kafka_has 'last good data [0-9]+s ago'
check "  the last figures stay" kafka_has 'clickhouse_posting +23\.3k'
dimmed() { [ -n "$live" ] && [ "$(attrs_at 23.3k)" != "$live" ]; }
check "  dimmed" dimmed
tmux_keys q
check "q quits (exit 0)" wait_until 10 exited_ok

tap_done
