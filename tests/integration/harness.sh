#!/usr/bin/env bash
# Self-check of the test harness: every server tests/run started really
# answers, with the credentials and settings the integration tests use.
# Prints TAP. Needs the variables from tests/lib/servers.sh ($CHOPS_TEST_ENV).

here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/tap.sh"
. "$here/../lib/servers.sh"

curl_() { curl --noproxy '*' -sS -m 10 "$@"; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

missing=
for v in CHOPS_TEST_CH_URL CHOPS_TEST_CH_PID CHOPS_TEST_CH_TCP_PORT \
	CHOPS_TEST_S3_ENDPOINT CHOPS_TEST_S3_ACCESS_KEY CHOPS_TEST_S3_SECRET_KEY \
	CHOPS_TEST_S3_BUCKET CHOPS_TEST_S3_REGION CHOPS_TEST_S3_CURL_CONFIG \
	CHOPS_TEST_MON_PID CHOPS_TEST_OSD_PID CHOPS_TEST_RGW_PID \
	CHOPS_TEST_EXPORTER_URL CHOPS_TEST_EXPORTER_DIR CHOPS_TEST_PROM_URL CHOPS_TEST_PROM_PID; do
	[ -n "${!v:-}" ] || missing+=" $v"
done
if [ -z "$missing" ]; then tap_ok "environment has every CHOPS_TEST_ variable"; else
	tap_fail "environment has every CHOPS_TEST_ variable" "missing:$missing"
fi

# ---------------------------------------------------------------- ClickHouse
ch() { # USER KEY SQL (curl sends an empty header only as "Name;")
	local key="X-ClickHouse-Key;"
	[ -n "$2" ] && key="X-ClickHouse-Key: $2"
	curl_ -H "X-ClickHouse-User: $1" -H "$key" --data-binary "$3" "$CHOPS_TEST_CH_URL/"
}
out=$(ch chops chops-secret 'SELECT 1' 2>&1)
[ "$out" = 1 ] && tap_ok "clickhouse: SELECT 1 as user chops" || tap_fail "clickhouse: SELECT 1 as user chops" "$out"
out=$(ch default '' 'SELECT 1' 2>&1)
[ "$out" = 1 ] && tap_ok "clickhouse: SELECT 1 as default, empty key" || tap_fail "clickhouse: SELECT 1 as default, empty key" "$out"
code=$(curl_ -o /dev/null -w '%{http_code}' -H 'X-ClickHouse-User: chops' -H 'X-ClickHouse-Key: wrong' \
	--data-binary 'SELECT 1' "$CHOPS_TEST_CH_URL/" 2>&1)
[ "$code" = 401 ] && tap_ok "clickhouse: wrong password is 401" || tap_fail "clickhouse: wrong password is 401" "got $code"

# restart keeps port and data
ch chops chops-secret 'DROP TABLE IF EXISTS default.harness_restart' >/dev/null 2>&1
ch chops chops-secret 'CREATE TABLE default.harness_restart (x UInt32) ENGINE = MergeTree ORDER BY x' >/dev/null 2>&1
ch chops chops-secret 'INSERT INTO default.harness_restart VALUES (42)' >/dev/null 2>&1
old_url=$CHOPS_TEST_CH_URL old_pid=$CHOPS_TEST_CH_PID
log=$(mktemp)
# not in $(...): the new PID and URL must reach this shell
if restart_clickhouse >"$log" 2>&1 && [ "$CHOPS_TEST_CH_URL" = "$old_url" ] && [ "$CHOPS_TEST_CH_PID" != "$old_pid" ] &&
	[ "$(ch chops chops-secret 'SELECT x FROM default.harness_restart' 2>&1)" = 42 ]; then
	tap_ok "clickhouse: restart_clickhouse keeps port and data"
else
	tap_fail "clickhouse: restart_clickhouse keeps port and data" "$(cat "$log")" "url $old_url -> $CHOPS_TEST_CH_URL, pid $old_pid -> $CHOPS_TEST_CH_PID"
fi
ch chops chops-secret 'DROP TABLE IF EXISTS default.harness_restart' >/dev/null 2>&1

# ---------------------------------------------------------------- S3 (radosgw)
s3() { curl_ -K "$CHOPS_TEST_S3_CURL_CONFIG" "$@"; }
out=$(s3 -w '\n%{http_code}' "$CHOPS_TEST_S3_ENDPOINT/" 2>&1)
if [ "${out##*$'\n'}" = 200 ] && [[ $out == *"<Name>$CHOPS_TEST_S3_BUCKET</Name>"* ]]; then
	tap_ok "s3: signed ListBuckets shows $CHOPS_TEST_S3_BUCKET"
else
	tap_fail "s3: signed ListBuckets shows $CHOPS_TEST_S3_BUCKET" "$out"
fi
out=$(s3 -w '\n%{http_code}' "$CHOPS_TEST_S3_ENDPOINT/$CHOPS_TEST_S3_BUCKET" 2>&1)
if [ "${out##*$'\n'}" = 200 ] && [[ $out == *"<ListBucketResult"* ]]; then
	tap_ok "s3: signed ListObjects on $CHOPS_TEST_S3_BUCKET"
else
	tap_fail "s3: signed ListObjects on $CHOPS_TEST_S3_BUCKET" "$out"
fi
key=harness/$$.txt
body=$(mktemp)
printf 'hello chops\n' >"$body" # a file, not stdin: radosgw wants a Content-Length
put=$(s3 -o /dev/null -w '%{http_code}' -T "$body" "$CHOPS_TEST_S3_ENDPOINT/$CHOPS_TEST_S3_BUCKET/$key" 2>&1)
rm -f "$body"
got=$(s3 "$CHOPS_TEST_S3_ENDPOINT/$CHOPS_TEST_S3_BUCKET/$key" 2>&1)
del=$(s3 -o /dev/null -w '%{http_code}' -X DELETE "$CHOPS_TEST_S3_ENDPOINT/$CHOPS_TEST_S3_BUCKET/$key" 2>&1)
if [ "$put" = 200 ] && [ "$got" = "hello chops" ] && [ "$del" = 204 ]; then
	tap_ok "s3: put, get, delete an object"
else
	tap_fail "s3: put, get, delete an object" "put $put, get '$got', delete $del"
fi
bad=$(mktemp)
sed 's/^user = .*/user = "'"$CHOPS_TEST_S3_ACCESS_KEY"':not-the-secret"/' "$CHOPS_TEST_S3_CURL_CONFIG" >"$bad"
out=$(curl_ -K "$bad" -w '\n%{http_code}' "$CHOPS_TEST_S3_ENDPOINT/$CHOPS_TEST_S3_BUCKET" 2>&1)
rm -f "$bad"
if [ "${out##*$'\n'}" = 403 ] && [[ $out == *SignatureDoesNotMatch* ]]; then
	tap_ok "s3: wrong secret is 403 SignatureDoesNotMatch"
else
	tap_fail "s3: wrong secret is 403 SignatureDoesNotMatch" "$out"
fi
old_pid=$CHOPS_TEST_RGW_PID
if restart_radosgw >"$log" 2>&1 && [ "$CHOPS_TEST_RGW_PID" != "$old_pid" ] &&
	[ "$(s3 -o /dev/null -w '%{http_code}' "$CHOPS_TEST_S3_ENDPOINT/$CHOPS_TEST_S3_BUCKET" 2>&1)" = 200 ]; then
	tap_ok "s3: restart_radosgw keeps port and bucket"
else
	tap_fail "s3: restart_radosgw keeps port and bucket" "$(cat "$log")"
fi
rm -f "$log"

# ---------------------------------------------------------------- exporter + Prometheus
out=$(curl_ "$CHOPS_TEST_EXPORTER_URL" 2>&1)
[[ $out == *kafka_consumergroup_lag* ]] && tap_ok "exporter: /metrics serves kafka_exporter sample" ||
	tap_fail "exporter: /metrics serves kafka_exporter sample" "$(printf '%s' "$out" | head -5)"

target_health() { # JOB -> health of its one active target
	curl_ "$CHOPS_TEST_PROM_URL/api/v1/targets?state=active" 2>/dev/null |
		json "[t['health'] for t in d['data']['activeTargets'] if t['labels']['job']=='$1'][0]" 2>/dev/null
}
health_is() { [ "$(target_health "$1")" = "$2" ]; }
if wait_until 30 health_is kafka up; then tap_ok "prometheus: target kafka is up"; else
	tap_fail "prometheus: target kafka is up" "health: $(target_health kafka)"
fi
if wait_until 30 health_is broken down; then tap_ok "prometheus: target broken is down"; else
	tap_fail "prometheus: target broken is down" "health: $(target_health broken)"
fi
lag_series() {
	curl_ -G "$CHOPS_TEST_PROM_URL/api/v1/query" --data-urlencode 'query=kafka_consumergroup_lag' 2>/dev/null |
		json "len(d['data']['result'])" 2>/dev/null
}
has_lag() { n=$(lag_series) && [ "${n:-0}" -gt 0 ]; }
if wait_until 30 has_lag; then tap_ok "prometheus: kafka_consumergroup_lag has $(lag_series) series"; else
	tap_fail "prometheus: kafka_consumergroup_lag series present" "$(lag_series)"
fi

tap_done
