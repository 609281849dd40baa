#!/usr/bin/env bash
# The backup commands' contract (issue 4, "Commands"), end to end through the
# real chops binary against the real ClickHouse and radosgw started by
# tests/run: backup (day, again, --force, --plan), list (backups and a
# foreign object), verify at both levels, restore (refused without --yes,
# then replace after the day's partition was dropped: count and checksum as
# before), prune (--dry-run; refused without --dry-run or --yes), the usage
# errors (exit 3) and status. Its own database and its own S3 prefix.
set -u
. "$(dirname "$0")/../lib/tap.sh"

CHOPS=${CHOPS_BIN:-./chops}
tmp=$(mktemp -d)
run_tag=$$$RANDOM
db=chops_cli_$run_tag
tbl=events
table=$db.$tbl
prefix=backups-cli-$run_tag/

ch() {
	curl --noproxy '*' -sS --fail-with-body -m 60 -H @"$tmp/ch.headers" \
	    --data-binary @- "$CHOPS_TEST_CH_URL/" <<<"$1"
}
cleanup() {
	[ -s "$tmp/ch.headers" ] && ch "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1
	rm -rf "$tmp"
}
trap cleanup EXIT

# the harness's secrets go in files, never on a command line
umask 077
printf '%s\n' "$CHOPS_TEST_CH_PASSWORD" >"$tmp/ch.pw"
printf '%s\n' "$CHOPS_TEST_S3_ACCESS_KEY" >"$tmp/s3.ak"
printf '%s\n' "$CHOPS_TEST_S3_SECRET_KEY" >"$tmp/s3.sk"
printf 'X-ClickHouse-User: %s\nX-ClickHouse-Key: %s\n' \
    "$CHOPS_TEST_CH_USER" "$CHOPS_TEST_CH_PASSWORD" >"$tmp/ch.headers"
# the local audit trail stays in the temp dir
mkdir -p "$tmp/state"

# write_config [EXTRA LINE...]
write_config() {
	cat >"$tmp/chops.ini" <<-INI
	[clickhouse]
	urls = $CHOPS_TEST_CH_URL
	user = $CHOPS_TEST_CH_USER
	password_file = $tmp/ch.pw
	timeout = 60s
	[s3]
	endpoint = $CHOPS_TEST_S3_ENDPOINT
	region = $CHOPS_TEST_S3_REGION
	bucket = $CHOPS_TEST_S3_BUCKET
	prefix = $prefix
	access_key_file = $tmp/s3.ak
	secret_key_file = $tmp/s3.sk
	INI
	if [ -n "${CHOPS_TEST_PROM_URL:-}" ]; then
		printf '[prometheus]\nurl = %s\n' "$CHOPS_TEST_PROM_URL" >>"$tmp/chops.ini"
	fi
	if [ -n "${CHOPS_TEST_EXPORTER_URL:-}" ]; then
		printf '[kafka]\nexporter_url = %s\n' "$CHOPS_TEST_EXPORTER_URL" >>"$tmp/chops.ini"
	fi
	printf '[ui]\nlag_warn = 100000000\nlag_crit = 200000000\n' >>"$tmp/chops.ini"
	[ $# -gt 0 ] && printf '%s\n' "$@" >>"$tmp/chops.ini"
	return 0
}

# run NAME ARGS...: chops ARGS; stdout in $tmp/NAME.out, stderr in
# $tmp/NAME.err, exit code in $rc; $tmp/out.json is the last stdout
n_run=0
run() {
	local name=$1
	shift
	n_run=$((n_run + 1))
	env -u CLICKHOUSE_URL -u CLICKHOUSE_USER -u CLICKHOUSE_PASSWORD \
	    -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_ENDPOINT_URL \
	    -u AWS_ENDPOINT_URL_S3 -u PROMETHEUS_URL -u KAFKA_EXPORTER_URL \
	    -u CHOPS_CONFIG XDG_STATE_HOME="$tmp/state" \
	    "$CHOPS" --config "$tmp/chops.ini" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" </dev/null
	rc=$?
	cp "$tmp/$name.out" "$tmp/out.json"
	last="chops $* (exit $rc)"
	last_name=$name
}

# the last command's output, for a failure report
last_output() {
	printf 'command: %s\n' "$last"
	printf 'stdout:\n%s\n' "$(head -c 3000 "$tmp/out.json")"
	printf 'stderr:\n%s\n' "$(head -c 2000 "$tmp/$last_name.err")"
}

# json_check 'EXPR': EXPR over the last stdout (as d) is true; the variables
# V_* of the environment are in v (v["D"] for V_D)
json_check() {
	python3 - "$tmp/out.json" "$1" <<-'PY'
	import json, os, re, sys
	d = json.load(open(sys.argv[1]))
	v = {k[2:]: x for k, x in os.environ.items() if k.startswith("V_")}
	ok = eval(sys.argv[2], {"d": d, "v": v, "re": re})
	sys.exit(0 if ok else 1)
	PY
}

# check NAME 'EXPR' [EXIT]: the last command exited EXIT (default 0) and
# printed JSON satisfying EXPR
check() {
	local name=$1 expr=$2 want=${3:-0} why=()
	[ "$rc" -eq "$want" ] || why+=("expected exit $want, got $rc")
	json_check "$expr" 2>"$tmp/py.err" || why+=("expected: $expr" "$(cat "$tmp/py.err")")
	if [ ${#why[@]} -eq 0 ]; then
		tap_ok "$name"
	else
		tap_fail "$name" "${why[@]}" "$(last_output)"
	fi
}

# check_rc NAME EXIT: the last command exited EXIT
check_rc() {
	if [ "$rc" -eq "$2" ]; then
		tap_ok "$1"
	else
		tap_fail "$1" "expected exit $2, got $rc" "$(last_output)"
	fi
}

# table_sums: "count checksum" of the whole table
table_sums() {
	ch "SELECT count(), toString(sum(cityHash64(*))) FROM $table" | tr '\t' ' '
}

# ------------------------------------------------------------------ setup

write_config
# the day boundaries are the server's: take the dates from it
read -r D Y OLD < <(ch "SELECT toString(today() - 2), toString(today() - 1), toString(today() - 10)" | tr '\t' ' ')
export V_DB=$db V_TABLE=$table V_D=$D V_Y=$Y V_OLD=$OLD V_PREFIX=$prefix
setup_ok=1
{
	ch "CREATE DATABASE $db" &&
	ch "CREATE TABLE $table (ts DateTime, n UInt64, s String, x Nullable(Float64))
	    ENGINE = MergeTree PARTITION BY toDate(ts) ORDER BY (ts, n)" &&
	# a few days, a different row count each, yesterday being the plan's
	ch "INSERT INTO $table SELECT toDateTime(today() - 10) + number * 60, number,
	    concat('old\t', toString(number)), if(number % 3 = 0, NULL, number / 7)
	    FROM system.numbers LIMIT 50" &&
	ch "INSERT INTO $table SELECT toDateTime(today() - 3) + number * 37, number,
	    concat('three \'q\'', toString(number)), number * 1.5 FROM system.numbers LIMIT 120" &&
	ch "INSERT INTO $table SELECT toDateTime(today() - 2) + number * 11, number,
	    concat('day\n', toString(number)), if(number % 5 = 0, NULL, -number / 3)
	    FROM system.numbers LIMIT 1000" &&
	ch "INSERT INTO $table SELECT toDateTime(today() - 1) + number * 29, number * 2,
	    toString(number), number FROM system.numbers LIMIT 300"
} >"$tmp/setup.log" 2>&1 || setup_ok=0
if [ "$setup_ok" = 1 ] && [ -n "$D" ]; then
	tap_ok "setup: $table with four days of rows (day under test $D)"
else
	tap_fail "setup: $table with four days of rows" "$(cat "$tmp/setup.log")"
	tap_done
	exit 1
fi
before=$(table_sums)
day_rows=$(ch "SELECT count() FROM $table WHERE toDate(ts) = '$D'")
y_rows=$(ch "SELECT count() FROM $table WHERE toDate(ts) = '$Y'")
export V_DAY_ROWS=$day_rows V_Y_ROWS=$y_rows
ID=$table/daily/$D
export V_ID=$ID

# a foreign object under the prefix, before any backup (the old DAG's kind)
printf 'PAR1 not really parquet PAR1' >"$tmp/foreign.parquet"
foreign_key=${prefix}old-dag/$db/2026-01-01.parquet
V_FOREIGN_SIZE=$(stat -c %s "$tmp/foreign.parquet")
export V_FOREIGN_KEY=$foreign_key V_FOREIGN_SIZE
if curl -sS -f -K "$CHOPS_TEST_S3_CURL_CONFIG" -T "$tmp/foreign.parquet" \
    "$CHOPS_TEST_S3_ENDPOINT/$CHOPS_TEST_S3_BUCKET/$foreign_key" >"$tmp/put.log" 2>&1; then
	tap_ok "setup: a foreign .parquet object under the prefix"
else
	tap_fail "setup: a foreign .parquet object under the prefix" "$(cat "$tmp/put.log")"
fi

# ------------------------------------------------------------------ backup

# backup JSON: {id, status, rows, checksum (decimal string), bytes, key, error}
backup_shape='set(d) >= {"id", "status", "rows", "checksum", "bytes", "key", "error"}'

run backup1 backup --table "$table" --day "$D" --json
# the checksum is the manifest's query (doc/backup-format.md "The checksum":
# sum(cityHash64(...)) over the columns, Nullable ones as isNull(c),
# assumeNotNull(c)), run again here on the server
curl -sS -f -K "$CHOPS_TEST_S3_CURL_CONFIG" -o "$tmp/manifest.json" \
    "$CHOPS_TEST_S3_ENDPOINT/$CHOPS_TEST_S3_BUCKET/$prefix$ID/manifest.json" 2>"$tmp/get.log"
checksum_sql=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["checksum"]["sql"])' "$tmp/manifest.json" 2>>"$tmp/get.log")
read -r sql_rows V_DAY_SUM < <(ch "$checksum_sql" 2>>"$tmp/get.log" | tr '\t' ' ')
export V_DAY_SUM
if [ -n "$checksum_sql" ] && [ "${sql_rows:-}" = "$day_rows" ] &&
    grep -q 'cityHash64(' <<<"$checksum_sql"; then
	tap_ok "backup: the manifest's checksum.sql counts the day's rows"
else
	tap_fail "backup: the manifest's checksum.sql counts the day's rows" \
	    "sql: $checksum_sql" "rows: ${sql_rows:-} (want $day_rows)" "$(cat "$tmp/get.log")"
fi
backup_key=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("key"))' "$tmp/out.json" 2>/dev/null)
backup_bytes=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("bytes"))' "$tmp/out.json" 2>/dev/null)
check "backup --table --day: complete, exit 0" \
    "$backup_shape and d['id'] == v['ID'] and d['status'] == 'complete' and d['error'] is None"
check "backup: rows and bytes" \
    "d['rows'] == int(v['DAY_ROWS']) and isinstance(d['bytes'], int) and d['bytes'] > 0"
check "backup: the checksum is a decimal string, the checksum query's sum" \
    "isinstance(d['checksum'], str) and re.fullmatch('[0-9]+', d['checksum']) is not None and d['checksum'] == v['DAY_SUM']"
check "backup: the key is under the prefix, in the backup's folder" \
    "isinstance(d['key'], str) and d['key'].startswith(v['PREFIX'] + v['TABLE'] + '/daily/' + v['D'] + '/')"
# the object is really there, with that size
size=$(curl -sS -f -I -K "$CHOPS_TEST_S3_CURL_CONFIG" \
    "$CHOPS_TEST_S3_ENDPOINT/$CHOPS_TEST_S3_BUCKET/$backup_key" 2>&1 |
    tr -d '\r' | sed -n 's/^[Cc]ontent-[Ll]ength: //p')
if [ -n "$size" ] && [ "$size" = "$backup_bytes" ]; then
	tap_ok "backup: the object is in S3 with that size"
else
	tap_fail "backup: the object is in S3 with that size" \
	    "key $backup_key, bytes $backup_bytes, HEAD size '${size}'"
fi

run backup2 backup --table "$table" --day "$D" --json
check "backup again: skipped, exit 0" \
    "$backup_shape and d['id'] == v['ID'] and d['status'] == 'skipped'"

run backup3 backup --table "$table" --day "$D" --force --json
check "backup --force: complete again, same rows and checksum" \
    "$backup_shape and d['status'] == 'complete' and d['rows'] == int(v['DAY_ROWS']) and d['checksum'] == v['DAY_SUM'] and d['error'] is None"
backup_key=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("key"))' "$tmp/out.json" 2>/dev/null)

# an old day, for prune to delete
run backup_old backup --table "$table" --day "$OLD" --json
check "backup of an old day ($OLD): complete" \
    "d['id'] == v['TABLE'] + '/daily/' + v['OLD'] and d['status'] == 'complete' and d['rows'] == 50"

# a plan: daily, so yesterday
write_config "[backup.cli]" "table = $table" "time_column = ts" \
    "schedule = daily" "keep_days = 5" "keep_weeks = 2"
run backup_plan backup --plan cli --json
check "backup --plan (daily): yesterday's backup, complete" \
    "$backup_shape and d['id'] == v['TABLE'] + '/daily/' + v['Y'] and d['status'] == 'complete' and d['rows'] == int(v['Y_ROWS'])"
run backup_plan2 backup --plan cli --json
check "backup --plan again: skipped" \
    "d['id'] == v['TABLE'] + '/daily/' + v['Y'] and d['status'] == 'skipped'"

# ------------------------------------------------------------------ list

list_entry='[b for b in d["backups"] if b["id"] == v["ID"]]'
run list1 list --json
check "list: backups[] with every field" \
    "len(d['backups']) == 3 and all(set(b) >= {'id', 'table', 'kind', 'period', 'rows', 'bytes', 'created_at', 'created_by', 'complete', 'verified'} for b in d['backups'])"
check "list: the day's backup as taken, complete, not yet verified" \
    "len($list_entry) == 1 and (lambda b: b['table'] == v['TABLE'] and b['kind'] == 'daily' and b['period'] == v['D'] and b['rows'] == int(v['DAY_ROWS']) and b['bytes'] > 0 and b['complete'] is True and b['verified'] is False and isinstance(b['created_at'], str) and b['created_at'] != '' and '@' in b['created_by'])(${list_entry}[0])"
check "list: the plan's backup of yesterday" \
    "any(b['id'] == v['TABLE'] + '/daily/' + v['Y'] and b['rows'] == int(v['Y_ROWS']) and b['complete'] for b in d['backups'])"
check "list: the foreign object with its key, size and date" \
    "[(f['key'], f['size']) for f in d['foreign'] if f['key'].endswith('.parquet')] == [(v['FOREIGN_KEY'], int(v['FOREIGN_SIZE']))] and all(set(f) >= {'key', 'size', 'last_modified'} and f['last_modified'] for f in d['foreign'])"
run list2 list --table "$table" --json
check "list --table: only that table's backups" \
    "len(d['backups']) == 3 and all(b['table'] == v['TABLE'] for b in d['backups'])"

# ------------------------------------------------------------------ verify

verify_shape='set(d) >= {"id", "level", "ok", "rows", "checksum", "expected_rows", "expected_checksum", "error"}'
run verify_obj verify "$ID" --level object --json
check "verify --level object: ok, exit 0" \
    "$verify_shape and d['id'] == v['ID'] and d['level'] == 'object' and d['ok'] is True and d['error'] is None"
check "verify object: expected rows and checksum from the manifest" \
    "d['expected_rows'] == int(v['DAY_ROWS']) and d['expected_checksum'] == v['DAY_SUM']"
run verify_res verify "$ID" --level restore --json
check "verify --level restore: ok, exit 0" \
    "$verify_shape and d['id'] == v['ID'] and d['level'] == 'restore' and d['ok'] is True and d['error'] is None"
check "verify restore: rows and checksum loaded equal the manifest's" \
    "d['rows'] == int(v['DAY_ROWS']) == d['expected_rows'] and d['checksum'] == d['expected_checksum'] == v['DAY_SUM']"
run verify_def verify "$ID" --json
check "verify without --level: ok" \
    "$verify_shape and d['ok'] is True and d['level'] in ('object', 'restore')"
scratch=$(ch "SELECT count() FROM system.tables WHERE database = '$db' AND name != '$tbl'")
if [ "$scratch" = 0 ]; then
	tap_ok "verify: no scratch table left in $db"
else
	tap_fail "verify: no scratch table left in $db" \
	    "$(ch "SELECT name FROM system.tables WHERE database = '$db'")"
fi
run list3 list --json
check "list after verify: the day's backup is verified" \
    "len($list_entry) == 1 and ${list_entry}[0]['verified'] is True"

# ------------------------------------------------------------------ restore

run restore_no restore "$ID" --mode replace
check_rc "restore --mode replace without --yes: refused, exit 2" 2
# the plan names the target and the partition it would replace
if grep -qF "$table" "$tmp/restore_no.err" && grep -qF "${D//-/}" "$tmp/restore_no.err"; then
	tap_ok "restore without --yes: the plan is on stderr"
else
	tap_fail "restore without --yes: the plan is on stderr" "$(last_output)"
fi
now=$(table_sums)
others=$(ch "SELECT groupArray(name) FROM system.tables WHERE database = '$db' AND name != '$tbl'")
if [ "$now" = "$before" ] && [ "$others" = "[]" ]; then
	tap_ok "restore without --yes: nothing changed"
else
	tap_fail "restore without --yes: nothing changed" \
	    "before: $before" "now: $now" "other tables: $others"
fi

# drop the day, so that the restore has to bring it back
ch "ALTER TABLE $table DROP PARTITION ID '${D//-/}'" >/dev/null
dropped=$(table_sums)
if [ "$dropped" != "$before" ] && [ "${dropped%% *}" -eq $((${before%% *} - day_rows)) ]; then
	tap_ok "the day's partition dropped ($day_rows rows fewer)"
else
	tap_fail "the day's partition dropped" "before: $before" "now: $dropped"
fi

restore_shape='set(d) >= {"id", "ok", "mode", "target", "staging", "rows", "checksum", "partitions", "error"}'
run restore_yes restore "$ID" --mode replace --yes --json
check "restore --mode replace --yes: ok, exit 0" \
    "$restore_shape and d['id'] == v['ID'] and d['ok'] is True and d['mode'] == 'replace' and d['target'] == v['TABLE'] and d['error'] is None"
check "restore: staging name, rows, checksum and the partition replaced" \
    "isinstance(d['staging'], str) and d['staging'].startswith(v['DB'] + '.') and d['rows'] == int(v['DAY_ROWS']) and d['checksum'] == v['DAY_SUM'] and isinstance(d['partitions'], list) and len(d['partitions']) == 1"
after=$(table_sums)
if [ "$after" = "$before" ]; then
	tap_ok "restore: the table's count() and sum(cityHash64(*)) as before the backup"
else
	tap_fail "restore: the table's count() and sum(cityHash64(*)) as before the backup" \
	    "before: $before" "after: $after"
fi
others=$(ch "SELECT groupArray(name) FROM system.tables WHERE database = '$db' AND name != '$tbl'")
if [ "$others" = "[]" ]; then
	tap_ok "restore: the staging table is dropped after success"
else
	tap_fail "restore: the staging table is dropped after success" "tables: $others"
fi

# ------------------------------------------------------------------ prune

run prune_dry prune --dry-run --json
check "prune --dry-run --json: delete[] and keep[], exit 0" \
    "isinstance(d['delete'], list) and isinstance(d['keep'], list)"
check "prune --dry-run: the old day (keep_days 5) would go, the recent ones stay" \
    "[e['id'] for e in d['delete'] if e['kind'] == 'backup'] == [v['TABLE'] + '/daily/' + v['OLD']] and sorted(e['id'] for e in d['keep'] if e['kind'] == 'backup') == [v['ID'], v['TABLE'] + '/daily/' + v['Y']] and all(e['reason'] for e in d['delete'] + d['keep'])"
run list4 list --json
check "prune --dry-run deleted nothing" "len(d['backups']) == 3"

run prune_no prune --json
check_rc "prune without --dry-run or --yes: refused, exit 2" 2
run list5 list --json
check "prune without --yes deleted nothing" "len(d['backups']) == 3"

# ------------------------------------------------------------------ usage

usage_case() {
	local name=$1
	shift
	run usage "$@"
	if [ "$rc" -eq 3 ] && [ -s "$tmp/usage.err" ]; then
		tap_ok "$name: exit 3"
	else
		tap_fail "$name: exit 3, with a message on stderr" "$(last_output)"
	fi
}
usage_case "unknown option" backup --table "$table" --day "$D" --bogus
usage_case "--day and --week together" backup --table "$table" --day "$D" --week 2026-W48
usage_case "bad date (2026-02-30)" backup --table "$table" --day 2026-02-30
usage_case "bad date (28.11.2026)" backup --table "$table" --day 28.11.2026
usage_case "bad week" backup --table "$table" --week 2026-W60
usage_case "--table without a period" backup --table "$table"
usage_case "list: unknown option" list --bogus
usage_case "verify: no id" verify
usage_case "verify: bad --level" verify "$ID" --level deep
usage_case "restore: bad --mode" restore "$ID" --mode overwrite
usage_case "prune: --dry-run and --yes together" prune --dry-run --yes
usage_case "unknown command" frobnicate

# ------------------------------------------------------------------ status, audit

run status status --json
check "status --json still fine: clickhouse up, s3 reachable" \
    "d['clickhouse']['nodes'][0]['up'] and d['s3']['reachable']" "$rc"
if [ "$rc" -le 2 ]; then tap_ok "status: exit $rc (not a usage error)"; else tap_fail "status: exit $rc" "$(last_output)"; fi

run audit audit --json
check "audit --json: the backups, verifies and restores of $table are in the trail" \
    "{'backup', 'verify', 'restore'} <= {r['action'] for r in d['records'] if v['TABLE'] in (r['target'] or '')}"

if grep -qF -e "$CHOPS_TEST_CH_PASSWORD" -e "$CHOPS_TEST_S3_SECRET_KEY" "$tmp"/*.out "$tmp"/*.err; then
	tap_fail "no secret in any output" "$(grep -lF -e "$CHOPS_TEST_CH_PASSWORD" -e "$CHOPS_TEST_S3_SECRET_KEY" "$tmp"/*.out "$tmp"/*.err)"
else
	tap_ok "no secret in any output ($n_run commands)"
fi

tap_done
