#!/usr/bin/env bash
# tests/screen/backups.sh - the console's Backups pane against the real
# ClickHouse and radosgw started by tests/run: `chops --config F` in a
# detached tmux at 200x60, 120x40 and 80x24, read back with capture-pane,
# polling until the expected text shows (never sleeping a fixed time).
#
# Checks: a table with four days of rows, backed up by `chops backup` for
# three of them (a gap on the third day back), and a foreign *.parquet
# object under the prefix: the pane shows the table with its latest
# backup's rows, the strip with the gap, and the foreign object; drill down
# into the backups and one backup's objects, and back; b from the pane
# backs up the missing day with a progress bar, then "complete", and the
# strip fills; v verifies the latest backup; R on it shows the plan (the
# staging table, the partition and its rows), a wrong table name typed is
# refused, and after yesterday's partition is dropped the right name
# restores it (the count is back); a lists the backup and restore records;
# read-only mode refuses b and R; radosgw stopped shows the error in the
# pane while the ClickHouse pane keeps updating, and the pane recovers once
# it is back.
#
# Environment: CHOPS_BIN (default ./chops), CHOPS_SRCDIR, CHOPS_TEST_CH_URL,
# CHOPS_TEST_CH_USER, CHOPS_TEST_CH_PASSWORD, CHOPS_TEST_S3_ENDPOINT,
# CHOPS_TEST_S3_REGION, CHOPS_TEST_S3_BUCKET, CHOPS_TEST_S3_ACCESS_KEY,
# CHOPS_TEST_S3_SECRET_KEY, CHOPS_TEST_S3_CURL_CONFIG (tests/lib/servers.sh).

set -u

here=$(cd "$(dirname "$0")" && pwd)
srcdir=${CHOPS_SRCDIR:-$(cd "$here/../.." && pwd)}
bin=${CHOPS_BIN:-./chops}
case $bin in /*) ;; *) bin=$PWD/$bin ;; esac
servers=$srcdir/tests/lib/servers.sh

# shellcheck source=../lib/tap.sh
. "$srcdir/tests/lib/tap.sh"

if [ -z "${CHOPS_TEST_CH_URL:-}" ] || [ -z "${CHOPS_TEST_S3_ENDPOINT:-}" ]; then
	tap_skip "backups pane" "no ClickHouse or radosgw (run through tests/run)"
	tap_done
	exit
fi

tmp=$(mktemp -d "${CHOPS_TEST_TMP:-${TMPDIR:-/tmp}}/bkpane.XXXXXX") || exit 1
# the local audit trail goes here, not into the home directory
export XDG_STATE_HOME=$tmp/state
rgw_stopped=

cleanup() {
	tmux_stop
	[ -n "$rgw_stopped" ] && "$servers" restart_radosgw >/dev/null 2>&1
	ch_sql "DROP DATABASE IF EXISTS chops_bkscreen" >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# secrets stay in files, never on a command line
umask 077
printf '%s\n' "$CHOPS_TEST_CH_PASSWORD" >"$tmp/ch.pw"
printf '%s\n' "$CHOPS_TEST_S3_ACCESS_KEY" >"$tmp/s3.ak"
printf '%s\n' "$CHOPS_TEST_S3_SECRET_KEY" >"$tmp/s3.sk"
cat >"$tmp/ch.curl" <<EOF
header = "X-ClickHouse-User: $CHOPS_TEST_CH_USER"
header = "X-ClickHouse-Key: $CHOPS_TEST_CH_PASSWORD"
noproxy = "*"
silent
show-error
EOF

ch_sql() {
	curl -K "$tmp/ch.curl" -m 60 "$CHOPS_TEST_CH_URL/?${2:-}" --data-binary "$1"
}

# its own prefix: what other tests leave in the bucket never shows here
prefix=bkpane-test-$$-$RANDOM/
table=chops_bkscreen.events
cfg=$tmp/chops.ini
cat >"$cfg" <<EOF
[clickhouse]
urls = $CHOPS_TEST_CH_URL
user = $CHOPS_TEST_CH_USER
password_file = $tmp/ch.pw
timeout = 5s
connect_timeout = 1s
[s3]
endpoint = $CHOPS_TEST_S3_ENDPOINT
region = $CHOPS_TEST_S3_REGION
bucket = $CHOPS_TEST_S3_BUCKET
prefix = $prefix
access_key_file = $tmp/s3.ak
secret_key_file = $tmp/s3.sk
timeout = 3s
[ui]
refresh = 1s
s3_refresh = 3s
[backup.events]
table = $table
time_column = ts
schedule = daily
EOF

utf8=
locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$' && utf8=C.UTF-8

chops_start() {
	local size=$1
	shift
	tmux_start "$size" env -u NO_COLOR -u CHOPS_CONFIG -u CLICKHOUSE_URL \
		-u KAFKA_EXPORTER_URL -u PROMETHEUS_URL -u AWS_ACCESS_KEY_ID \
		-u AWS_SECRET_ACCESS_KEY ${utf8:+LANG=$utf8 LC_ALL=$utf8} \
		"$bin" --config "$cfg" --log "$tmp/chops.log" "$@"
}

has_re() { tmux_screen | grep -qE -- "$1"; }
lacks() { ! tmux_screen | grep -qF -- "$1"; }

check() {
	local name=$1
	shift
	if "$@"; then
		tap_ok "$name"
	else
		tap_fail "$name" "screen:" "$(tmux_screen 2>&1 | sed 's/^/|/')"
	fi
}

# pane_text TITLE: the columns of the pane whose frame bears TITLE
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

# the strip's glyphs: verified, present, missing, before the first backup
if [ -n "$utf8" ]; then P='▄' V='█' M='_' B='·'; else P='+' V='#' M='.' B=' '; fi
day() { printf '[%s%s]' "$P" "$V"; }
# oldest first, ending yesterday: 4 back present, 3 back missing, 2 and 1 present
gap_re="$B$(day)$M$(day)$(day)"
full_re="$B$(day)$(day)$(day)$(day)"

# ------------------------------------------------------------ data

# days as the server counts them (backups follow its timezone)
d1=$(ch_sql "SELECT today() - 1")
d2=$(ch_sql "SELECT today() - 2")
d3=$(ch_sql "SELECT today() - 3")
d4=$(ch_sql "SELECT today() - 4")
ch_sql "DROP DATABASE IF EXISTS chops_bkscreen" &&
	ch_sql "CREATE DATABASE chops_bkscreen" &&
	ch_sql "CREATE TABLE $table (ts DateTime, n UInt64, s String) ENGINE = MergeTree PARTITION BY toDate(ts) ORDER BY n" &&
	ch_sql "INSERT INTO $table SELECT toDateTime(today() - 1) + number % 80000, number, toString(number) FROM system.numbers LIMIT 777" &&
	ch_sql "INSERT INTO $table SELECT toDateTime(today() - 2) + number % 80000, number, toString(number) FROM system.numbers LIMIT 2000" &&
	ch_sql "INSERT INTO $table SELECT toDateTime(today() - 4) + number % 80000, number, toString(number) FROM system.numbers LIMIT 3000" &&
	ch_sql "INSERT INTO $table SELECT toDateTime(today() - 3) + number % 80000, number, concat(toString(number), toString(rand64()), toString(rand64())) FROM system.numbers LIMIT 4000000"
tap_check "a table with four days of rows" test "$(ch_sql "SELECT count() FROM $table")" = 4005777

backup_day() {
	env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u CHOPS_CONFIG \
		"$bin" --config "$cfg" backup --table "$table" --day "$1" --json \
		>"$tmp/backup.json" 2>"$tmp/backup.err" &&
		grep -q '"complete"' "$tmp/backup.json"
}
backups_made() { backup_day "$d1" && backup_day "$d2" && backup_day "$d4"; }
tap_check "chops backup: yesterday, 2 and 4 days back (a gap on 3)" backups_made

printf 'PAR1 not really parquet' >"$tmp/old.parquet"
curl -sS -f --noproxy '*' -K "$CHOPS_TEST_S3_CURL_CONFIG" -T "$tmp/old.parquet" \
	"$CHOPS_TEST_S3_ENDPOINT/$CHOPS_TEST_S3_BUCKET/${prefix}otus/posting_data_2024-01-01.parquet" >/dev/null
tap_check "a foreign parquet object under the prefix" test $? = 0

# ------------------------------------------------------------ 200x60

chops_start 200x60
check "200x60: the table shows in the Backups pane" tmux_wait_for "$table" 20
if [ "$(tmux_pane_status)" != running ]; then
	tap_fail "chops keeps running" "$(tmux_pane_status)" "$(tmux_screen)"
	tap_done
	exit
fi
bk_pane() { pane_text Backups; }
bk_has_re() { bk_pane | grep -qE -- "$1"; }
check "200x60: the latest backup's rows (777) and size" \
	wait_until 10 bk_has_re "[0-9]+h [0-9]{2}m +777 +[0-9.]+ [KMG]?i?B"
check "200x60: the strip shows the gap three days back" wait_until 5 bk_has_re "$gap_re"
check "200x60: the foreign object, with its size and date" \
	wait_until 5 bk_has_re "otus/posting_data_2024-01-01\.parquet +2[0-9] ?B +20[0-9]{2}-"
check "200x60: the header sums it up (latest, the gap)" \
	wait_until 5 has_re "latest [0-9]+h . 1 gap"

tmux_keys 3
tmux_keys Enter
check "drill-down: the table's backups" tmux_wait_for "Backups of $table" 5
check "drill-down: a backup per day, complete" \
	wait_until 5 has_re "$d4 +daily +3\.0k .*yes"
tmux_keys Enter
check "drill-down: a backup's objects" tmux_wait_for "Objects of $table/daily/" 5
check "drill-down: the data object and the manifest" \
	wait_until 5 has_re "manifest\.json +manifest"
tmux_keys Escape
tmux_keys Escape
check "Esc twice: back to the overview" tmux_wait_gone "Backups of $table" 5

tmux_keys b
check "b: a dialog prefilled from the plan (yesterday)" \
	wait_until 5 has_re "Back up $table|Plan events: daily"
check "b: the period prefilled is yesterday" tmux_wait_for "$d1" 5
tmux_keys C-u
tmux_keys -l "$d3"
tmux_keys Enter
check "b: the progress bar of the backup" wait_until 20 has_re "backup $table.*(prepare|checksum|transfer|recheck|finish)|ETA"
check "b: complete, announced" tmux_wait_for "$d3 complete" 60
check "b: the strip fills the gap" wait_until 15 bk_has_re "$full_re"
tmux_keys v
check "v: the latest backup verified, announced" \
	tmux_wait_for "verify $table/daily/$d1: ok" 30
check "v: the strip marks yesterday verified" wait_until 15 bk_has_re "$full_re" &&
	check "v: the latest shows verified" wait_until 5 bk_has_re "777 +[0-9.]+ [KMG]?i?B +yes"

# R: the plan, a wrong name, then the right one once the day is gone
id1=$table/daily/$d1
part1=${d1//-/}
count() { ch_sql "SELECT count() FROM $table"; }
tmux_keys R
check "R: the wizard checks first" wait_until 5 has_re "Restore $id1"
check "R: the plan names the staging table" \
	wait_until 30 has_re "staging table ${table}__restore_[0-9]{8}T[0-9]{6}"
check "R: the plan lists the partition and its rows" \
	wait_until 5 has_re "partition $part1: 777 rows now"
check "R: the modes, replace first" wait_until 5 has_re "Mode: +\[replace\] +append +staging only"
tmux_keys Enter
check "R: the table name is asked for" tmux_wait_for "Type the table name $table to confirm" 5
tmux_keys -l "chops_bkscreen.wrong"
tmux_keys Enter
check "R: a wrong name is refused" tmux_wait_for "that does not match" 5
ch_sql "ALTER TABLE $table DROP PARTITION '$d1'"
tap_check "yesterday's partition dropped" test "$(count)" = 4005000
tmux_keys C-u
tmux_keys -l "$table"
tmux_keys Enter
check "R: restored, announced" \
	tmux_wait_for "restore $id1 done: 777 rows checked; replaced in $table partition $part1" 60
restored() { [ "$(count)" = 4005777 ]; }
check "R: the rows are back (count)" wait_until 10 restored
staging_gone() { [ "$(ch_sql "SELECT count() FROM system.tables WHERE database = 'chops_bkscreen' AND name LIKE 'events__restore_%'")" = 0 ]; }
check "R: the staging table is dropped" wait_until 5 staging_gone

# a: the audit trail
tmux_keys a
check "a: the audit trail opens" tmux_wait_for "Audit trail" 5
check "a: the restore, newest first, ok" \
	wait_until 15 has_re "restore +$id1 +ok "
check "a: the backup taken from the pane" wait_until 5 has_re "backup +$table[^ ]* +complete"
tmux_keys Escape
check "a: Esc closes it" tmux_wait_gone "Audit trail" 5
tmux_stop

# ------------------------------------------------------------ 120x40: ~40 columns

chops_start 120x40
check "120x40: the table in the narrow pane" tmux_wait_for "bkscreen.events" 20
check "120x40: the strip and rows" wait_until 10 bk_has_re "$full_re 777"
tmux_stop

# ------------------------------------------------------------ 80x24

chops_start 80x24
tmux_keys 3
check "80x24: the table" tmux_wait_for "$table" 20
check "80x24: its latest rows and the strip" wait_until 10 has_re "777 .*$full_re"
check "80x24: the foreign object" tmux_wait_for "posting_data_2024-01-01.parquet" 5
tmux_keys Enter
check "80x24: drill-down" tmux_wait_for "Backups of $table" 5
tmux_keys Escape
check "80x24: back" tmux_wait_gone "Backups of" 5
tmux_stop

# ------------------------------------------------------------ read-only

chops_start 80x24 --read-only
tmux_keys 3
tmux_wait_for "$table" 20 >/dev/null
tmux_keys b
check "read-only: b is refused with a message" tmux_wait_for "read-only mode: not backing up" 5
tmux_keys R
check "read-only: R is refused with a message" tmux_wait_for "read-only mode: not restoring" 5
tmux_stop

# ------------------------------------------------------------ S3 down

ch_uptime() { pane_text ClickHouse | grep -oE 'uptime +[^ ]+( [0-9]+s)?' | head -1; }
chops_start 200x60
tmux_wait_for "$table" 20 >/dev/null
"$servers" stop_radosgw >/dev/null 2>&1 && rgw_stopped=1
tap_check "radosgw stopped" test -n "$rgw_stopped"
check "S3 down: the pane shows the error and the last good listing" \
	tmux_wait_for "S3 down, last good listing" 20
check "S3 down: the last good data stays" wait_until 2 bk_has_re "chops_bkscreen.* 777 "
u1=$(ch_uptime)
uptime_moved() { [ -n "$u1" ] && [ "$(ch_uptime)" != "$u1" ]; }
check "S3 down: the ClickHouse pane keeps updating" wait_until 10 uptime_moved
"$servers" restart_radosgw >/dev/null 2>&1 && rgw_stopped=
tap_check "radosgw back" test -z "$rgw_stopped"
check "S3 back: the pane recovers" tmux_wait_gone "S3 down" 40
tmux_keys q
tmux_stop

tap_done
