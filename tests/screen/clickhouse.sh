#!/usr/bin/env bash
# tests/screen/clickhouse.sh - the console's ClickHouse pane against the real
# server started by tests/run: `chops --config F` in a detached tmux at
# 120x40 and 80x24, read back with capture-pane, polling until the expected
# text shows (never sleeping a fixed time).
#
# Checks: the server's real version and uptime; the tables view with a table
# this test filled; the running queries view with a long query this test
# started, killed with k and y (and gone from system.processes); the kill
# refused in read-only mode; ClickHouse stopped mid-run shows as down within
# its timeout while the rest of the console keeps updating, then comes back.
#
# Environment: CHOPS_BIN (default ./chops), CHOPS_SRCDIR, CHOPS_TEST_CH_URL,
# CHOPS_TEST_CH_USER, CHOPS_TEST_CH_PASSWORD (tests/lib/servers.sh), and
# optionally CHOPS_TEST_EXPORTER_URL / _DIR, CHOPS_TEST_PROM_URL, CHOPS_TEST_S3_*.

set -u

here=$(cd "$(dirname "$0")" && pwd)
srcdir=${CHOPS_SRCDIR:-$(cd "$here/../.." && pwd)}
bin=${CHOPS_BIN:-./chops}
case $bin in /*) ;; *) bin=$PWD/$bin ;; esac
servers=$srcdir/tests/lib/servers.sh

# shellcheck source=../lib/tap.sh
. "$srcdir/tests/lib/tap.sh"

if [ -z "${CHOPS_TEST_CH_URL:-}" ]; then
	tap_skip "clickhouse pane" "no ClickHouse (run through tests/run)"
	tap_done
	exit
fi

tmp=$(mktemp -d "${CHOPS_TEST_TMP:-${TMPDIR:-/tmp}}/chpane.XXXXXX") || exit 1
long_pids=()
long_ids=()
metrics_saved=

cleanup() {
	local p
	tmux_stop
	for p in "${long_pids[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${long_ids[@]}"; do	# a closed connection leaves it running
		ch_sql "KILL QUERY WHERE query_id = '$p' ASYNC" >/dev/null 2>&1
	done
	if [ -n "$metrics_saved" ]; then	# the feed as the other tests know it
		cp "$metrics_saved" "$CHOPS_TEST_EXPORTER_DIR/.metrics.chpane" &&
			mv -f "$CHOPS_TEST_EXPORTER_DIR/.metrics.chpane" \
				"$CHOPS_TEST_EXPORTER_DIR/metrics"
	fi
	ch_sql "DROP DATABASE IF EXISTS chops_screen" >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# secrets stay in files, never on a command line
umask 077
printf '%s\n' "$CHOPS_TEST_CH_PASSWORD" >"$tmp/ch.pw"
cat >"$tmp/ch.curl" <<EOF
header = "X-ClickHouse-User: $CHOPS_TEST_CH_USER"
header = "X-ClickHouse-Key: $CHOPS_TEST_CH_PASSWORD"
noproxy = "*"
silent
show-error
EOF

# ch_sql SQL [URL_PARAMS]: one statement over HTTP, as the test user
ch_sql() {
	curl -K "$tmp/ch.curl" -m 20 "$CHOPS_TEST_CH_URL/?${2:-}" --data-binary "$1"
}

# long_query ID: a query that runs for minutes (one-row blocks, so that a
# kill stops it at the next row), in the background
long_query() {
	ch_sql "SELECT sleep(0.5) FROM system.numbers LIMIT 600" \
		"query_id=$1&max_block_size=1" >/dev/null 2>&1 &
	long_pids+=("$!")
	long_ids+=("$1")
}

running() {
	[ "$(ch_sql "SELECT count() FROM system.processes WHERE query_id = '$1'")" = 1 ]
}
not_running() { ! running "$1"; }

cfg=$tmp/chops.ini
{
	printf '[clickhouse]\nurls = %s\nuser = %s\npassword_file = %s\n' \
		"$CHOPS_TEST_CH_URL" "$CHOPS_TEST_CH_USER" "$tmp/ch.pw"
	printf 'timeout = 2s\nconnect_timeout = 1s\n'
	if [ -n "${CHOPS_TEST_EXPORTER_URL:-}" ]; then
		printf '[kafka]\nexporter_url = %s\n' "$CHOPS_TEST_EXPORTER_URL"
	fi
	if [ -n "${CHOPS_TEST_PROM_URL:-}" ]; then
		printf '[prometheus]\nurl = %s\n' "$CHOPS_TEST_PROM_URL"
	fi
	if [ -n "${CHOPS_TEST_S3_ENDPOINT:-}" ]; then
		printf '%s\n' "$CHOPS_TEST_S3_ACCESS_KEY" >"$tmp/s3.ak"
		printf '%s\n' "$CHOPS_TEST_S3_SECRET_KEY" >"$tmp/s3.sk"
		printf '[s3]\nendpoint = %s\nregion = %s\nbucket = %s\n' \
			"$CHOPS_TEST_S3_ENDPOINT" "$CHOPS_TEST_S3_REGION" \
			"$CHOPS_TEST_S3_BUCKET"
		printf 'prefix = chpane-test/\naccess_key_file = %s\n' "$tmp/s3.ak"
		printf 'secret_key_file = %s\n' "$tmp/s3.sk"
	fi
	printf '[ui]\nrefresh = 1s\n'
} >"$cfg"

# the binary must have the console (the probe has no terminal: it fails fast)
"$bin" --config "$cfg" </dev/null >"$tmp/probe.out" 2>&1
if grep -q "not available in this build" "$tmp/probe.out"; then
	tap_skip "clickhouse pane" "this chops has no console yet"
	tap_done
	exit
fi

utf8=
locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$' && utf8=C.UTF-8

# chops_start COLSxROWS [chops options]: the console in a fresh tmux
chops_start() {
	local size=$1
	shift
	tmux_start "$size" env -u NO_COLOR -u CHOPS_CONFIG -u CLICKHOUSE_URL \
		-u KAFKA_EXPORTER_URL -u PROMETHEUS_URL -u AWS_ACCESS_KEY_ID \
		-u AWS_SECRET_ACCESS_KEY ${utf8:+LANG=$utf8 LC_ALL=$utf8} \
		"$bin" --config "$cfg" --log "$tmp/chops.log" "$@"
}

has_re() { tmux_screen | grep -qE -- "$1"; }
exited_ok() { [ "$(tmux_pane_status)" = "exited 0" ]; }

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

# pane_text TITLE: the columns of the pane whose frame bears TITLE (panes
# side by side), from its frame's top line
pane_text() {
	tmux_screen | PYTHONIOENCODING=utf-8 python3 -c '
import sys
lines = sys.stdin.read().split("\n")
top = lines[1] if len(lines) > 1 else ""
at = top.find(" " + sys.argv[1] + " ")
if at < 0:
    sys.exit(1)
a = top.rfind("\u250c", 0, at)
b = top.find("\u250c", at)
b = len(top) if b < 0 else b
for line in lines[1:-2]:
    print(line[a:b])' "$1"
}

ch_pane() { pane_text ClickHouse; }
node=${CHOPS_TEST_CH_URL#*://}

# ------------------------------------------------------------ data

ch_sql "DROP DATABASE IF EXISTS chops_screen" &&
	ch_sql "CREATE DATABASE chops_screen" &&
	ch_sql "CREATE TABLE chops_screen.pane_rows (d Date, n UInt64) ENGINE = MergeTree PARTITION BY d ORDER BY n" &&
	ch_sql "INSERT INTO chops_screen.pane_rows SELECT toDate('2024-03-01') + number % 3, number FROM system.numbers LIMIT 777"
tap_check "a table with 777 rows to find" test "$(ch_sql "SELECT count() FROM chops_screen.pane_rows")" = 777

# ------------------------------------------------------------ 120x40

chops_start 120x40
check "120x40: the server's real version shows" tmux_wait_for "18.16" 20
if [ "$(tmux_pane_status)" != running ]; then
	tap_fail "chops keeps running" "$(tmux_pane_status)" "$(tmux_screen)"
	tap_done
	exit
fi
check "120x40: its uptime shows" wait_until 5 has_re 'uptime +[0-9]+(s|m [0-9]{2}s|h [0-9]{2}m|d [0-9]{2}h)'
check "120x40: the header says the node is up" tmux_wait_for "1/1 up" 10

tmux_keys Enter
tmux_keys /
tmux_keys -l pane_rows
tmux_keys Enter
check "tables view: the table and its row count" \
	wait_until 15 has_re 'chops_screen\.pane_rows +777([^0-9]|$)'
tmux_keys Enter
check "Enter on a row: its details" tmux_wait_for "Rows: 777" 5
tmux_keys Escape
tmux_keys Escape	# the filter first

qid=chops-screen-long-$$
long_query "$qid"
wait_until 10 running "$qid"
tmux_keys Right
tmux_keys /
tmux_keys -l 'sleep(0.5)'
tmux_keys Enter
check "running queries view: the long query shows" tmux_wait_for "SELECT sleep(0.5)" 15
tmux_keys k
check "k asks before killing, naming the query" tmux_wait_for "Kill query $qid" 5
check "the question shows the start of the query" \
	tmux_wait_for "SELECT sleep(0.5) FROM system.numbers LIMIT 600" 5
tmux_keys y
check "y kills it: the status line says so" tmux_wait_for "$qid killed" 20
tap_check "the query is gone from system.processes" wait_until 20 not_running "$qid"
tmux_keys Escape Escape
check "Esc goes back to the node list" tmux_wait_for "uptime" 5

# ------------------------------------------------------------ 80x24, read-only

chops_start 80x24 --read-only
check "80x24: the version shows" tmux_wait_for "18.16" 20
check "80x24: the uptime shows" \
	wait_until 5 has_re 'uptime +[0-9]+(s|m [0-9]{2}s|h [0-9]{2}m|d [0-9]{2}h)'
check "80x24: the READ-ONLY badge" tmux_wait_for "READ-ONLY" 5
qid=chops-screen-ro-$$
long_query "$qid"
wait_until 10 running "$qid"
tmux_keys Enter Right
tmux_keys /
tmux_keys -l 'sleep(0.5)'
tmux_keys Enter
check "read-only: the long query shows" tmux_wait_for "SELECT sleep(0.5)" 15
tmux_keys k
check "read-only: k is refused with a message" \
	tmux_wait_for "read-only mode: not killing query $qid" 5
check "read-only: no confirmation was asked" _tmux_lacks "Kill query"
tap_check "read-only: the query still runs" running "$qid"
ch_sql "KILL QUERY WHERE query_id = '$qid' SYNC" >/dev/null
tmux_keys Escape Escape
tmux_wait_for "uptime" 5 >/dev/null
tmux_keys q
check "q quits (exit 0)" wait_until 10 exited_ok

# ------------------------------------------------------------ down and back

chops_start 120x40
check "before the stop: up" tmux_wait_for "1/1 up" 20
kafka=0
if tmux_screen | grep -q "Kafka lag" && ! tmux_screen | grep -q placeholder &&
	[ -n "${CHOPS_TEST_EXPORTER_DIR:-}" ]; then
	kafka=1
	metrics_saved=$tmp/metrics.saved
	cp "$CHOPS_TEST_EXPORTER_DIR/metrics" "$metrics_saved"
fi

# After SIGTERM the server still answers on open connections (the probe's)
# until it exits, which can take the whole grace period: time from its end.
if "$servers" stop_clickhouse >"$tmp/stop.log" 2>&1; then
	tap_ok "ClickHouse stopped mid-run"
else
	tap_fail "ClickHouse stopped mid-run" "$(cat "$tmp/stop.log")"
fi
t0=$(_tap_usec)
# connect timeout 1 s, request timeout 2 s, a refresh a second
check "the pane says down" tmux_wait_for "$node  down" 15
took=$((($(_tap_usec) - t0) / 1000))
tap_check "down within its timeout (${took} ms after the server exited)" \
	test "$took" -le 6000
check "the node's error shows" wait_until 10 has_re 'refused|timed out|cannot connect'
check "the age of its last good data shows" wait_until 10 has_re 'stale [0-9]+s'

# the rest of the console keeps updating meanwhile
clock=$(tmux_screen | head -n 1)
clock_moved() { [ "$(tmux_screen | head -n 1)" != "$clock" ]; }
check "the header keeps updating" wait_until 5 clock_moved
if [ "$kafka" = 1 ]; then
	before=$(pane_text "Kafka lag")
	serve_next() {	# the feed moves on; the lag pane must follow
		cp "$srcdir/tests/fixtures/kafka_exporter/sample_t1.prom" \
			"$CHOPS_TEST_EXPORTER_DIR/.metrics.chpane" &&
			mv -f "$CHOPS_TEST_EXPORTER_DIR/.metrics.chpane" \
				"$CHOPS_TEST_EXPORTER_DIR/metrics"
	}
	serve_next
	kafka_moved() { [ "$(pane_text "Kafka lag")" != "$before" ]; }
	check "the Kafka lag pane keeps changing" wait_until 15 kafka_moved
else
	tap_skip "the Kafka lag pane keeps changing" "no Kafka lag pane with data"
fi

if "$servers" restart_clickhouse >"$tmp/restart.log" 2>&1; then
	tap_ok "ClickHouse restarted"
else
	tap_fail "ClickHouse restarted" "$(cat "$tmp/stop.log" "$tmp/restart.log")"
fi
check "back up after the restart" tmux_wait_for "1/1 up" 30
check "its version again" tmux_wait_for "18.16" 10
back() { ! ch_pane | grep -qE "  down|stale"; }
check "the error and the age are gone" wait_until 10 back

tmux_keys q
check "q quits (exit 0)" wait_until 10 exited_ok

tap_done
