# shellcheck shell=bash
# shellcheck disable=SC2154 # top, RES, BIN, ... come from bench/run
# bench/lib/cases.sh - the six comparisons of bench/run (issue 5), each a
# case_NAME function. Sourced by bench/run after bench/lib/bench.sh, with
# the servers up and these exported: top RES BIN CHOPS INI DATA QUICK BUCKET
# CH_URL CH_CURL S3_ENDPOINT RCLONE_CONF S3CMD_CONF AWS_SHARED_CREDENTIALS_FILE
# AWS_CONFIG_FILE (the credentials always in files, never in argv).

# ------------------------------------------------------------------ helpers

# ch_sql SQL: one statement as the test user (credentials from a -K file)
ch_sql() { curl -K "$CH_CURL" -m 3600 --data-binary "$1" "$CH_URL/"; }

# rc ARGS: rclone on the bench remote; rclone 1.60 refuses an S3 remote
# while AWS_CA_BUNDLE is set
rc() { env -u AWS_CA_BUNDLE rclone --config "$RCLONE_CONF" "$@"; }

# rgw_gc: radosgw frees the space of overwritten or deleted objects only
# hours later (rgw_gc_obj_min_wait); the test cluster's 10 GiB OSD fills up
# with that garbage after a few gigabytes of backups, and then every write
# hangs. Collect it now (not timed).
rgw_gc() {
	timeout -k 5 600 radosgw-admin -c "$CHOPS_TEST_RGW_DIR/ceph.conf" gc process --include-all \
		</dev/null >/dev/null 2>&1
}

# mb BYTES: "12.3 MB"
mb() { awk -v b="$1" 'BEGIN { printf "%.1f MB", b / 1e6 }'; }
# thousands N: "1,000,000"
thousands() { printf '%s' "$1" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'; }

# chops_has COMMAND: this build of chops has the command
chops_has() { [ -x "$CHOPS" ] && "$CHOPS" "$1" --help >/dev/null 2>&1; }

# json_get FILE KEY: a top-level value of chops' --json output ("" if null)
json_get() {
	python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
v = d.get(sys.argv[2])
print("" if v is None else (str(v).lower() if isinstance(v, bool) else v))' "$1" "$2"
}

# ------------------------------------------------------------------ 4. parsing

case_parse() {
	local lines=1000000 file s l b
	[ "$QUICK" = 1 ] && lines=200000
	lines=${BENCH_PARSE_LINES:-$lines}
	file=$DATA/kafka-$lines.prom
	if [ ! -s "$file.info" ] || [ ! -s "$file" ]; then
		bench_say "parse: generating a $lines-line kafka_exporter exposition"
		"$top/bench/gen-exposition" --lines "$lines" "$file" 2>"$DATA/gen-$lines.log" ||
			bench_die "bench/gen-exposition failed: $(cat "$DATA/gen-$lines.log")"
		cp "$DATA/gen-$lines.log" "$file.desc"
	fi
	read -r _ l _ s _ b <"$file.info"
	export PROM_FILE=$file PROM_EXPECT="samples $s lines $l bytes $b"
	bench_value parse bytes "$b"
	bench_value parse size "$(thousands "$l") lines, $(thousands "$s") samples, $(mb "$b") in kafka_exporter 1.9's format ($(sed -n 's/.* bytes, //p' "$file.desc" 2>/dev/null)); read from the page cache"

	bench_contender parse chops chops "chops parser (bench/parse-driver)" \
		'bench/parse-driver FILE  (64 KiB reads, prom_parser_feed)' \
		'exec "$BIN/parse-driver" "$PROM_FILE"' '' check_parse_chops
	# exit 3: the linter's remarks (kafka_exporter's *_sum gauges), not an error
	bench_contender parse promtool peer "promtool check metrics" \
		'promtool check metrics < FILE' \
		'rc=0; promtool check metrics <"$PROM_FILE" || rc=$?; [ "$rc" != 3 ] || rc=0; exit "$rc"' \
		'' check_parse_promtool
	command -v promtool >/dev/null || bench_unavailable parse promtool "promtool (package prometheus)"
	bench_alternate parse chops promtool
}

check_parse_chops() {
	local got
	got=$(head -n 1 "$3")
	case $got in
	"$PROM_EXPECT "*) return 0 ;;
	*) echo "printed '$got', expected '$PROM_EXPECT ...'"; return 1 ;;
	esac
}

# only the linter's remarks may appear: a parse error names "error"
check_parse_promtool() {
	if grep -qi 'error' "$3" "$4"; then
		grep -hi -m1 'error' "$3" "$4"
		return 1
	fi
}

# ------------------------------------------------------------------ 3. listing

# the byte total bench/populate gives N objects
list_bytes() { awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++) s += 64 + (i * 7919) % 961; printf "%d", s }'; }

case_list() {
	local n=100000 t0 out secs
	[ "$QUICK" = 1 ] && n=10000
	n=${BENCH_LIST_OBJECTS:-$n}
	export LIST_N=$n LIST_PREFIX=list-$n/ LIST_BYTES
	LIST_BYTES=$(list_bytes "$n")
	bench_value list size "$(thousands "$n") objects of 64 to 1024 bytes ($(mb "$LIST_BYTES")) under one prefix, $((n / 1000 > 0 ? n / 1000 : 1)) \"directories\" of up to 1,000"

	# populate once; a kept bench dir keeps the objects
	out=$("$BIN/list-driver" --config "$INI" --prefix "$LIST_PREFIX" 2>/dev/null)
	if [ "$out" = "objects $n bytes $LIST_BYTES" ]; then
		bench_note list "The $(thousands "$n") objects were already there (bench dir kept from an earlier run): not populated again."
	else
		bench_say "list: populating $n objects (bench/populate, 32 PUTs in flight)"
		t0=$(bench_now)
		out=$("$BIN/populate" --config "$INI" --prefix "$LIST_PREFIX" --count "$n" --inflight 32 --progress) ||
			bench_die "populating $n objects failed"
		secs=$(bench_elapsed "$t0")
		bench_say "list: populated in ${secs}s: $out"
		bench_note list "Populating $(thousands "$n") objects took ${secs} s ($(awk -v n="$n" -v s="$secs" 'BEGIN { printf "%.0f", n / s }') PUT/s) with bench/populate: chops' S3 client on one event loop, 32 PUTs in flight over reused connections; radosgw (one BlueStore OSD) is the bottleneck."
	fi

	bench_contender list chops chops "chops S3 client (bench/list-driver)" \
		'bench/list-driver --config chops.ini --prefix PREFIX' \
		'exec "$BIN/list-driver" --config "$INI" --prefix "$LIST_PREFIX"' '' check_list_chops
	bench_contender list rclone peer "rclone lsf -R" \
		'rclone lsf -R --files-only --format sp bench:BUCKET/PREFIX' \
		'exec env -u AWS_CA_BUNDLE rclone --config "$RCLONE_CONF" lsf -R --files-only --format sp "bench:$BUCKET/$LIST_PREFIX"' \
		'' check_list_rclone
	bench_contender list rclone_fast peer "rclone lsf -R --fast-list" \
		'rclone lsf -R --fast-list --files-only --format sp bench:BUCKET/PREFIX' \
		'exec env -u AWS_CA_BUNDLE rclone --config "$RCLONE_CONF" lsf -R --fast-list --files-only --format sp "bench:$BUCKET/$LIST_PREFIX"' \
		'' check_list_rclone
	bench_contender list aws peer "aws s3 ls --recursive (Debian awscli)" \
		'/usr/bin/aws s3 ls --recursive s3://BUCKET/PREFIX --endpoint-url URL' \
		'exec /usr/bin/aws s3 ls --recursive "s3://$BUCKET/$LIST_PREFIX" --endpoint-url "$S3_ENDPOINT"' \
		'' check_list_cols
	bench_contender list s3cmd peer "s3cmd ls -r" \
		's3cmd -c s3cfg ls -r s3://BUCKET/PREFIX' \
		'exec s3cmd -c "$S3CMD_CONF" ls -r "s3://$BUCKET/$LIST_PREFIX"' '' check_list_cols
	command -v rclone >/dev/null || { bench_unavailable list rclone "rclone (package rclone)"; bench_unavailable list rclone_fast "rclone (package rclone)"; }
	[ -x /usr/bin/aws ] || bench_unavailable list aws "/usr/bin/aws (package awscli)"
	command -v s3cmd >/dev/null || bench_unavailable list s3cmd "s3cmd (package s3cmd)"
	bench_alternate list chops rclone rclone_fast aws s3cmd
}

check_list_chops() {
	local got
	got=$(cat "$3")
	[ "$got" = "objects $LIST_N bytes $LIST_BYTES" ] ||
		{ echo "printed '$got', expected 'objects $LIST_N bytes $LIST_BYTES'"; return 1; }
}

# "size;path" lines
check_list_rclone() {
	local got
	got=$(awk -F';' '{ n++; s += $1 } END { printf "objects %d bytes %d", n, s }' "$3")
	[ "$got" = "objects $LIST_N bytes $LIST_BYTES" ] || { echo "listed $got"; return 1; }
}

# "date time size key" lines (aws, s3cmd)
check_list_cols() {
	local got
	got=$(awk '{ n++; s += $3 } END { printf "objects %d bytes %d", n, s }' "$3")
	[ "$got" = "objects $LIST_N bytes $LIST_BYTES" ] || { echo "listed $got"; return 1; }
}

# ------------------------------------------------------------------ data for backup, restore, rss

# The table: 37 bytes a row in Native, one partition a day.
EVENTS_COLUMNS='ts, user_id, post_id, event_type, partition, offset'

# events_ensure DAY ROWS: the day holds exactly ROWS rows (inserted once)
events_ensure() {
	local day=$1 rows=$2 have t0
	have=$(ch_sql "SELECT count() FROM bench.events WHERE toDate(ts) = toDate('$day')") || return 1
	[ "$have" = "$rows" ] && return 0
	bench_say "data: inserting $rows rows for $day"
	t0=$(bench_now)
	[ "$have" = 0 ] || ch_sql "ALTER TABLE bench.events DROP PARTITION '$day'" || return 1
	ch_sql "INSERT INTO bench.events
SELECT toDateTime('$day 00:00:00') + intDiv(number * 86400, $rows) AS ts,
       cityHash64(number) % 5000000 AS user_id,
       toUInt32(cityHash64(number, 1) % 50000000) AS post_id,
       ['post_created', 'post_edited', 'post_deleted', 'comment_added',
        'reaction_added', 'post_viewed', 'post_viewed', 'post_viewed'][number % 8 + 1] AS event_type,
       toUInt16(number % 12) AS partition,
       41000000 + number AS offset
FROM numbers($rows)" || return 1
	# merge the day's parts now: no background merge during the timed runs
	ch_sql "OPTIMIZE TABLE bench.events PARTITION '$day' FINAL" || return 1
	bench_note data "Inserted $(thousands "$rows") rows for $day in $(bench_elapsed "$t0") s (INSERT ... SELECT FROM numbers, then OPTIMIZE FINAL)."
}

# events_setup: tables and both days; exports BIG_DAY BIG_ROWS SMALL_DAY
# SMALL_ROWS BACKUP_SQL NATIVE_BYTES ZST_FILE ZST_BYTES
EVENTS_READY=0
events_setup() {
	[ "$EVENTS_READY" = 1 ] && return 0
	export BIG_DAY=2024-03-01 SMALL_DAY=2024-03-02 BIG_ROWS SMALL_ROWS BACKUP_SQL NATIVE_BYTES ZST_FILE ZST_BYTES
	BIG_ROWS=27000000 SMALL_ROWS=2700000
	[ "$QUICK" = 1 ] && BIG_ROWS=1000000 SMALL_ROWS=100000
	BIG_ROWS=${BENCH_BACKUP_ROWS:-$BIG_ROWS}
	SMALL_ROWS=${BENCH_SMALL_ROWS:-$((BIG_ROWS / 10))}
	ch_sql "CREATE DATABASE IF NOT EXISTS bench" &&
		ch_sql "CREATE TABLE IF NOT EXISTS bench.events (
    ts DateTime, user_id UInt64, post_id UInt32, event_type String,
    partition UInt16, offset UInt64
) ENGINE = MergeTree PARTITION BY toDate(ts) ORDER BY (ts, user_id)" ||
		bench_die "cannot create bench.events"
	events_ensure "$BIG_DAY" "$BIG_ROWS" || bench_die "cannot fill $BIG_DAY"
	events_ensure "$SMALL_DAY" "$SMALL_ROWS" || bench_die "cannot fill $SMALL_DAY"
	BACKUP_SQL="SELECT $EVENTS_COLUMNS FROM bench.events WHERE ts >= toDateTime('$BIG_DAY 00:00:00') AND ts < toDateTime('$BIG_DAY 00:00:00') + 86400 FORMAT Native"
	# the size of the day in Native (what every contender must move), and
	# the day compressed once for the upload limit
	NATIVE_BYTES=$(curl -K "$CH_CURL" --data-binary "$BACKUP_SQL" "$CH_URL/" -o /dev/null -w '%{size_download}') ||
		bench_die "exporting $BIG_DAY failed"
	ZST_FILE=$DATA/day-$BIG_DAY-$BIG_ROWS.native.zst
	if [ ! -s "$ZST_FILE" ] || [ "$(cat "$ZST_FILE.native_bytes" 2>/dev/null)" != "$NATIVE_BYTES" ]; then
		(set -o pipefail; curl -K "$CH_CURL" --data-binary "$BACKUP_SQL" "$CH_URL/" | zstd -T0 -q -c >"$ZST_FILE") ||
			bench_die "compressing $BIG_DAY failed"
		echo "$NATIVE_BYTES" >"$ZST_FILE.native_bytes"
	fi
	ZST_BYTES=$(stat -c %s "$ZST_FILE")
	EVENTS_READY=1
}

# the count and checksum of a table's rows ("N H"), for verifying restores
events_sum() {
	ch_sql "SELECT count(), sum(cityHash64($EVENTS_COLUMNS)) FROM $1${2:+ WHERE $2} FORMAT TSV" | tr '\t' ' '
}

# object_native_bytes KEY: the object's bytes once decompressed
object_native_bytes() { rc cat "bench:$BUCKET/$1" | zstd -d -q -c | wc -c; }

# ------------------------------------------------------------------ 1. backup

case_backup() {
	events_setup
	bench_value backup size "one day of bench.events: $(thousands "$BIG_ROWS") rows, $(mb "$NATIVE_BYTES") in Native; $(mb "$ZST_BYTES") after \`zstd -T0\` (level 3)"

	export CHOPS_BACKUP_ARGS="--table bench.events --day $BIG_DAY"
	bench_contender backup chops chops "chops backup (stream engine, zstd)" \
		"chops --config chops.ini backup $CHOPS_BACKUP_ARGS --force --json" \
		'exec "$CHOPS" --config "$INI" backup $CHOPS_BACKUP_ARGS --force --json' prep_backup_gc check_backup_chops
	bench_contender backup rclone peer "curl | zstd -T0 | rclone rcat" \
		'curl -K ch.curl --data-binary "$SQL" URL | zstd -T0 | rclone rcat bench:BUCKET/shell/rclone.native.zst' \
		'curl -K "$CH_CURL" --data-binary "$BACKUP_SQL" "$CH_URL/" | zstd -T0 -q -c | env -u AWS_CA_BUNDLE rclone --config "$RCLONE_CONF" rcat "bench:$BUCKET/shell/rclone.native.zst"' \
		prep_backup_delete check_backup_shell
	bench_contender backup aws peer "curl | zstd -T0 | aws s3 cp -" \
		'curl -K ch.curl --data-binary "$SQL" URL | zstd -T0 | /usr/bin/aws s3 cp - s3://BUCKET/shell/aws.native.zst --endpoint-url URL' \
		'curl -K "$CH_CURL" --data-binary "$BACKUP_SQL" "$CH_URL/" | zstd -T0 -q -c | /usr/bin/aws s3 cp - "s3://$BUCKET/shell/aws.native.zst" --endpoint-url "$S3_ENDPOINT"' \
		prep_backup_delete check_backup_shell
	bench_contender backup export limit "limit: ClickHouse export to /dev/null" \
		'curl -K ch.curl --data-binary "$SQL" URL -o /dev/null' \
		'curl -K "$CH_CURL" --data-binary "$BACKUP_SQL" "$CH_URL/" -o /dev/null -w "%{size_download}\n"' \
		'' check_backup_export
	bench_contender backup upload limit "limit: rclone upload of the compressed bytes" \
		'rclone copyto day.native.zst bench:BUCKET/limit/upload.native.zst' \
		'exec env -u AWS_CA_BUNDLE rclone --config "$RCLONE_CONF" copyto "$ZST_FILE" "bench:$BUCKET/limit/upload.native.zst"' \
		prep_backup_delete check_backup_upload
	chops_has backup || bench_unavailable backup chops "chops backup"
	command -v rclone >/dev/null || { bench_unavailable backup rclone "rclone (package rclone)"; bench_unavailable backup upload "rclone (package rclone)"; }
	[ -x /usr/bin/aws ] || bench_unavailable backup aws "/usr/bin/aws (package awscli)"
	bench_alternate backup chops rclone aws export upload

	if [ -s "$RES/chops-backup.json" ]; then
		bench_note backup "chops' object: $(mb "$(json_get "$RES/chops-backup.json" bytes)") ($(json_get "$RES/chops-backup.json" key)); chops compresses with zstd level 1 on all cores, the pipelines with zstd's default level 3."
	fi
	bench_note backup "The pipelines' query (\`\$SQL\`): \`$BACKUP_SQL\`."
	bench_note backup "chops also counts and checksums the day's rows before and after the export (two more queries), confirms the object's size and writes a manifest; the pipelines do none of that."
	bench_note backup "The limits bound what any tool can do here: the slower one is the floor for a streaming backup. Target: chops at >= 70% of it."
}

# the object a contender writes is deleted before each run (not timed): a
# run that uploads nothing cannot pass for one that did (rclone copyto
# skips an unchanged object)
backup_key_of() {
	case $1 in
	rclone) echo shell/rclone.native.zst ;;
	aws) echo shell/aws.native.zst ;;
	upload) echo limit/upload.native.zst ;;
	esac
}
prep_backup_delete() {
	local key
	key=$(backup_key_of "$2")
	curl -sS -f -K "$CHOPS_TEST_S3_CURL_CONFIG" -m 60 -X DELETE "$S3_ENDPOINT/$BUCKET/$key" &&
		rgw_gc
}
# chops overwrites its backup (--force): only the garbage to collect
prep_backup_gc() { rgw_gc; }

check_backup_chops() {
	local st rows
	st=$(json_get "$3" status) rows=$(json_get "$3" rows)
	[ "$st" = complete ] || { echo "status '$st': $(json_get "$3" error)"; return 1; }
	[ "$rows" = "$BIG_ROWS" ] || { echo "$rows rows, expected $BIG_ROWS"; return 1; }
	cp "$3" "$RES/chops-backup.json"
}

check_backup_shell() {
	local key got
	key=$(backup_key_of "$2")
	got=$(object_native_bytes "$key") || { echo "cannot read $key back"; return 1; }
	[ "$got" = "$NATIVE_BYTES" ] || { echo "$key holds $got bytes of Native, expected $NATIVE_BYTES"; return 1; }
}

check_backup_export() {
	[ "$(cat "$3")" = "$NATIVE_BYTES" ] || { echo "exported $(cat "$3") bytes, expected $NATIVE_BYTES"; return 1; }
}

check_backup_upload() {
	local got
	got=$(rc size --json "bench:$BUCKET/limit/upload.native.zst" | python3 -c 'import json, sys; print(json.load(sys.stdin)["bytes"])')
	[ "$got" = "$ZST_BYTES" ] || { echo "uploaded object has $got bytes, expected $ZST_BYTES"; return 1; }
}

# ------------------------------------------------------------------ 2. restore

case_restore() {
	local id=
	events_setup
	export RESTORE_EXPECT RESTORE_ID=
	RESTORE_EXPECT=$(events_sum bench.events "toDate(ts) = toDate('$BIG_DAY')") || bench_die "cannot sum $BIG_DAY"
	bench_value restore size "the backup of $BIG_DAY: $(thousands "$BIG_ROWS") rows, $(mb "$NATIVE_BYTES") in Native, loaded into an empty table"

	# the pipeline restores the pipeline's backup (the same Native stream
	# in zstd): make it when the backup comparison did not run
	if [ "$(object_native_bytes shell/rclone.native.zst 2>/dev/null)" != "$NATIVE_BYTES" ]; then
		bench_say "restore: writing the shell backup to restore from"
		(set -o pipefail; curl -K "$CH_CURL" --data-binary "$BACKUP_SQL" "$CH_URL/" | zstd -T0 -q -c |
			rc rcat "bench:$BUCKET/shell/rclone.native.zst") || bench_die "cannot write the shell backup"
	fi
	if chops_has restore && chops_has backup; then
		# chops restores chops' backup of the same day
		if [ ! -s "$RES/chops-backup.json" ]; then
			"$CHOPS" --config "$INI" backup --table bench.events --day "$BIG_DAY" --json \
				>"$RES/chops-backup.json" 2>"$RES/chops-backup.err" || true
		fi
		id=$(json_get "$RES/chops-backup.json" id 2>/dev/null)
		RESTORE_ID=$id
	fi

	# restore ID --into DB.T --mode staging: loads and verifies a new
	# table, touches nothing else (issue 4's contract)
	bench_contender restore chops chops "chops restore (into a new table)" \
		'chops --config chops.ini restore ID --into bench.restore_chops --mode staging --yes --json' \
		'exec "$CHOPS" --config "$INI" restore "$RESTORE_ID" --into bench.restore_chops --mode staging --yes --json' \
		prep_restore_chops check_restore_chops
	# curl -T - streams stdin (chunked); --data-binary @- (what most people
	# type) first reads the whole stream into memory: both are measured
	bench_contender restore shell peer "rclone cat | zstd -d | curl -T - (streaming)" \
		'rclone cat bench:BUCKET/shell/rclone.native.zst | zstd -d | curl -K ch.curl -X POST -T - "URL/?query=INSERT INTO bench.restore_shell FORMAT Native"' \
		'env -u AWS_CA_BUNDLE rclone --config "$RCLONE_CONF" cat "bench:$BUCKET/shell/rclone.native.zst" | zstd -d -q -c | curl -K "$CH_CURL" -X POST -T - "$CH_URL/?query=INSERT%20INTO%20bench.restore_shell%20FORMAT%20Native"' \
		prep_restore_shell check_restore_shell
	bench_contender restore shell_buf peer "rclone cat | zstd -d | curl --data-binary @-" \
		'rclone cat bench:BUCKET/shell/rclone.native.zst | zstd -d | curl -K ch.curl --data-binary @- "URL/?query=INSERT INTO bench.restore_shell FORMAT Native"' \
		'env -u AWS_CA_BUNDLE rclone --config "$RCLONE_CONF" cat "bench:$BUCKET/shell/rclone.native.zst" | zstd -d -q -c | curl -K "$CH_CURL" --data-binary @- "$CH_URL/?query=INSERT%20INTO%20bench.restore_shell%20FORMAT%20Native"' \
		prep_restore_shell check_restore_shell
	if ! chops_has restore; then
		bench_unavailable restore chops "chops restore"
	elif [ -z "$id" ]; then
		bench_unavailable restore chops "chops backup (no backup to restore: $(_bench_tail "$RES/chops-backup.err"))"
	fi
	command -v rclone >/dev/null || { bench_unavailable restore shell "rclone (package rclone)"; bench_unavailable restore shell_buf "rclone (package rclone)"; }
	bench_alternate restore chops shell shell_buf
	bench_note restore "Before each run (not timed) the target table is dropped (chops creates its own from the backup's schema) or truncated (the pipeline needs it to exist). Each run is verified by the row count and sum(cityHash64(...)) of the restored table against the source day."
	bench_note restore "chops also checks the backup's count and checksum against its manifest after loading; the pipelines check nothing."
	bench_note restore "\`curl --data-binary @-\` reads all of its input into memory before it sends anything (see its peak RSS); \`curl -T -\` streams it. The target is measured against the faster of the two."
}

prep_restore_chops() { ch_sql "DROP TABLE IF EXISTS bench.restore_chops"; }
prep_restore_shell() {
	ch_sql "CREATE TABLE IF NOT EXISTS bench.restore_shell AS bench.events" &&
		ch_sql "TRUNCATE TABLE bench.restore_shell"
}

check_restore_table() {
	local got
	got=$(events_sum "$1") || { echo "cannot read $1"; return 1; }
	[ "$got" = "$RESTORE_EXPECT" ] || { echo "$1 has (count, checksum) $got, expected $RESTORE_EXPECT"; return 1; }
}
check_restore_chops() {
	[ "$(json_get "$3" ok)" = true ] || { echo "not ok: $(json_get "$3" error)"; return 1; }
	check_restore_table bench.restore_chops
}
check_restore_shell() { check_restore_table bench.restore_shell; }

# ------------------------------------------------------------------ 6. backup peak RSS

case_rss() {
	events_setup
	local small_bytes
	small_bytes=$(curl -K "$CH_CURL" --data-binary "SELECT $EVENTS_COLUMNS FROM bench.events WHERE toDate(ts) = toDate('$SMALL_DAY') FORMAT Native" "$CH_URL/" -o /dev/null -w '%{size_download}')
	bench_value rss size "$SMALL_DAY: $(thousands "$SMALL_ROWS") rows, $(mb "$small_bytes") in Native; $BIG_DAY: $(thousands "$BIG_ROWS") rows, $(mb "$NATIVE_BYTES") in Native"
	bench_contender rss small chops "chops backup, $(mb "$small_bytes") day" \
		"chops --config chops.ini backup --table bench.events --day $SMALL_DAY --force --json" \
		'exec "$CHOPS" --config "$INI" backup --table bench.events --day "$SMALL_DAY" --force --json' \
		prep_backup_gc check_rss_small
	bench_contender rss big chops "chops backup, $(mb "$NATIVE_BYTES") day" \
		"chops --config chops.ini backup --table bench.events --day $BIG_DAY --force --json" \
		'exec "$CHOPS" --config "$INI" backup --table bench.events --day "$BIG_DAY" --force --json' \
		prep_backup_gc check_rss_big
	if ! chops_has backup; then
		bench_unavailable rss small "chops backup"
		bench_unavailable rss big "chops backup"
	fi
	bench_alternate rss small big
	if [ "$QUICK" = 1 ]; then
		bench_value rss quick 1
		bench_note rss "At --quick sizes both days are smaller than what chops keeps in flight ((s3.parallel + 1) parts of s3.part_size, 80 MiB by default), so memory has not reached its plateau and the ratio says nothing: run without --quick."
	fi
	bench_note rss "Peak RSS is the kernel's ru_maxrss of the chops process (the same figure as VmHWM), read by bench/measure."
}

_check_rows() {
	local st rows
	st=$(json_get "$1" status) rows=$(json_get "$1" rows)
	[ "$st" = complete ] || { echo "status '$st': $(json_get "$1" error)"; return 1; }
	[ "$rows" = "$2" ] || { echo "$rows rows, expected $2"; return 1; }
}
check_rss_small() { _check_rows "$3" "$SMALL_ROWS"; }
check_rss_big() { _check_rows "$3" "$BIG_ROWS"; }

# ------------------------------------------------------------------ 5. the console

# Runs on the demo stack (scripts/demo --no-console): the console with all
# panes live, and htop, each alone in a detached tmux of 200x60 for the
# window; CPU time (utime + stime from /proc/PID/stat) and VmHWM of the
# process in the pane are read at the end of the window.

DEMO_PID='' DEMO_WHY=''
# demo_start: 0 when the stack is ready (DEMO_INI), else 1 and DEMO_WHY.
# Not in a subshell: DEMO_PID must reach demo_stop.
demo_start() {
	local dir=$RES/demo t0
	if [ ! -x "$top/chops" ]; then
		DEMO_WHY="./chops is not built (the demo stack runs ./chops)"
		return 1
	fi
	t0=$(bench_now)
	bench_say "console: starting the demo stack (scripts/demo --no-console)"
	setsid "$top/scripts/demo" --no-console --no-install --no-build --dir "$dir" \
		</dev/null >"$RES/demo.log" 2>&1 &
	DEMO_PID=$!
	while [ ! -s "$dir/ready" ]; do
		if ! kill -0 "$DEMO_PID" 2>/dev/null; then
			DEMO_WHY="scripts/demo exited: $(_bench_tail "$RES/demo.log")"
			DEMO_PID=
			return 1
		fi
		if [ "$(awk -v a="$t0" -v b="$(bench_now)" 'BEGIN { print (b - a > 600) }')" = 1 ]; then
			DEMO_WHY="scripts/demo not ready after 600 s"
			return 1
		fi
		sleep 1
	done
	export DEMO_INI
	DEMO_INI=$(cat "$dir/ready")
	bench_note console "The demo stack took $(bench_elapsed "$t0") s to start."
}

# stops the demo: SIGTERM to its process group (its trap stops the stack)
demo_stop() {
	[ -n "$DEMO_PID" ] || return 0
	kill -TERM -- "-$DEMO_PID" 2>/dev/null
	local i
	for ((i = 0; i < 120; i++)); do
		kill -0 "$DEMO_PID" 2>/dev/null || break
		sleep 0.5
	done
	wait "$DEMO_PID" 2>/dev/null
	DEMO_PID=
}

TMUX_SOCK=
tmux_setup() {
	local dir=$CHOPS_TEST_TMP/tmux.bench term=screen t
	mkdir -p "$dir/home"
	for t in tmux-256color screen-256color; do
		infocmp "$t" >/dev/null 2>&1 && { term=$t; break; }
	done
	cat >"$dir/tmux.conf" <<EOF
set -g default-terminal "$term"
set -g exit-empty off
set -g remain-on-exit on
set -g status off
set -g escape-time 0
EOF
	TMUX_SOCK=$dir/sock
	TMUX_CMD=(tmux -S "$TMUX_SOCK" -f "$dir/tmux.conf")
	TMUX_HOME=$dir/home
}

# console_once ID RUN SECONDS CMD...: one window; records the sample
console_once() {
	local id=$1 r=$2 secs=$3 sess pid end stat fields cpu hwm tck utf8=
	local -a f
	shift 3
	sess=$id-$r
	locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$' && utf8=C.UTF-8
	"${TMUX_CMD[@]}" new-session -d -s "$sess" -x 200 -y 60 \
		env HOME="$TMUX_HOME" XDG_CONFIG_HOME="$TMUX_HOME/.config" \
		CHOPS_THEMES_DIR="$top/themes" ${utf8:+LANG=$utf8 LC_ALL=$utf8} "$@" ||
		{ BENCH_WHY="tmux new-session failed"; return 1; }
	pid=$("${TMUX_CMD[@]}" display -p -t "$sess" '#{pane_pid}')
	end=$(($(date +%s) + secs))
	while [ "$(date +%s)" -lt "$end" ]; do
		sleep 0.5
		if ! stat=$(cat "/proc/$pid/stat" 2>/dev/null) || [ "$(awk '{ print $3 }' <<<"${stat##*)}")" = Z ]; then
			BENCH_WHY="exited before the end of the window: $("${TMUX_CMD[@]}" capture-pane -p -t "$sess" 2>/dev/null | grep -v '^$' | tail -n 3 | tr '\n' ' ')"
			"${TMUX_CMD[@]}" kill-session -t "$sess" 2>/dev/null
			return 1
		fi
	done
	stat=$(cat "/proc/$pid/stat")
	hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status")
	"${TMUX_CMD[@]}" capture-pane -p -t "$sess" >"$RES/runs/console-$sess.screen" 2>/dev/null
	"${TMUX_CMD[@]}" kill-session -t "$sess" 2>/dev/null
	# fields after "(comm)": state is 1, utime 12, stime 13
	fields=${stat##*) }
	tck=$(getconf CLK_TCK)
	read -r -a f <<<"$fields"
	cpu=$(awk -v u="${f[11]}" -v s="${f[12]}" -v t="$tck" 'BEGIN { printf "%.2f %.2f", u / t, s / t }')
	bench_sample console "$id" "$r" "$secs" ${cpu} "$hwm"
	printf 'bench: %-8s %-34s %s  CPU %s s  VmHWM %.1f MiB\n' console "${BENCH_LABEL[console/$id]}" \
		"$([ "$r" = 0 ] && echo warm-up || echo "run $r/$RUNS")" "$(awk -v c="$cpu" 'BEGIN { split(c, a, " "); print a[1] + a[2] }')" \
		"$(awk -v k="$hwm" 'BEGIN { print k / 1024 }')" >&2
}

case_console() {
	local secs=60 r id why
	[ "$QUICK" = 1 ] && secs=10
	secs=${BENCH_CONSOLE_SECONDS:-$secs}
	bench_value console seconds "$secs"
	bench_value console size "a window of $secs s per run, tmux 200x60, the demo stack (ClickHouse, radosgw, a moving kafka_exporter feed, Prometheus)"
	bench_contender console chops chops "chops console, all panes live" \
		'chops --config demo.ini   (in tmux 200x60)' '' '' ''
	bench_contender console htop ref "htop (reference)" 'htop   (in tmux 200x60)' '' '' ''
	command -v tmux >/dev/null || { bench_unavailable console chops "tmux"; bench_unavailable console htop "tmux"; return 0; }
	command -v htop >/dev/null || bench_unavailable console htop "htop (package htop)"
	if [ ! -x "$top/chops" ]; then
		bench_unavailable console chops "chops (./chops is not built; the demo stack runs it)"
		bench_unavailable console htop "the demo stack (./chops is not built)"
		return 0
	fi
	if ! demo_start; then
		why=$DEMO_WHY
		bench_say "console: $why"
		bench_state console chops failed "the demo stack did not start: $why"
		bench_state console htop failed "the demo stack did not start: $why"
		BENCH_FAILED=$((BENCH_FAILED + 1))
		demo_stop
		return 0
	fi
	tmux_setup
	declare -A dead=()
	bench_is_state console htop unavailable && dead[htop]=1
	for ((r = 0; r <= RUNS; r++)); do
		for id in chops htop; do
			[ -z "${dead[$id]:-}" ] || continue
			BENCH_WHY=
			local w=$secs
			[ "$r" = 0 ] && w=$((secs < 5 ? secs : 5))
			local ok=0
			case $id in
			chops) console_once chops "$r" "$w" "$CHOPS" --config "$DEMO_INI" && ok=1 ;;
			htop) console_once htop "$r" "$w" htop && ok=1 ;;
			esac
			[ "$ok" = 1 ] && continue
			dead[$id]=1
			if [ "$id" = chops ] && [ "$r" = 0 ] && grep -qiE 'usage|unknown|not built|needs a terminal|no console' <<<"$BENCH_WHY"; then
				bench_unavailable console chops "chops (the console): $BENCH_WHY"
			else
				bench_state console "$id" failed "run $r: $BENCH_WHY"
				bench_say "console: $id: FAILED: $BENCH_WHY"
				BENCH_FAILED=$((BENCH_FAILED + 1))
			fi
		done
	done
	demo_stop
	bench_note console "CPU time is utime + stime of the process in the pane (/proc/PID/stat), from its start to the end of the window, start-up included; peak RSS is its VmHWM. htop runs with its defaults (1.5 s refresh) as the reference for what a quiet terminal dashboard costs."
}
