#!/usr/bin/env bash
# chops status against the real servers started by tests/run: every figure
# comes from ClickHouse, radosgw, the exporter feed and Prometheus; a dead or
# silent source is reported within its timeout while the others still are.
set -u
. "$(dirname "$0")/../lib/tap.sh"

CHOPS=${CHOPS_BIN:-./chops}
tmp=$(mktemp -d)
silent_pid=
cleanup() {
	[ -n "$silent_pid" ] && kill "$silent_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

# the harness's secrets go in files, never on a command line
umask 077
printf '%s\n' "$CHOPS_TEST_CH_PASSWORD" >"$tmp/ch.pw"
printf '%s\n' "$CHOPS_TEST_S3_ACCESS_KEY" >"$tmp/s3.ak"
printf '%s\n' "$CHOPS_TEST_S3_SECRET_KEY" >"$tmp/s3.sk"

# write_config FILE CLICKHOUSE_URLS [EXTRA...]
write_config() {
	local file=$1 urls=$2
	shift 2
	cat >"$file" <<-INI
	[clickhouse]
	urls = $urls
	user = $CHOPS_TEST_CH_USER
	password_file = $tmp/ch.pw
	timeout = 2s
	connect_timeout = 1s
	[s3]
	endpoint = $CHOPS_TEST_S3_ENDPOINT
	region = $CHOPS_TEST_S3_REGION
	bucket = $CHOPS_TEST_S3_BUCKET
	prefix = status-test/
	access_key_file = $tmp/s3.ak
	secret_key_file = $tmp/s3.sk
	[prometheus]
	url = $CHOPS_TEST_PROM_URL
	[kafka]
	exporter_url = $CHOPS_TEST_EXPORTER_URL
	[ui]
	lag_warn = 100000000
	lag_crit = 200000000
	INI
	printf '%s\n' "$@" >>"$file"
}

# run_status CONFIG: JSON in $tmp/out.json, exit code in $rc
run_status() {
	env -u CLICKHOUSE_URL -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY \
	    -u AWS_ENDPOINT_URL -u AWS_ENDPOINT_URL_S3 -u PROMETHEUS_URL \
	    -u KAFKA_EXPORTER_URL -u CHOPS_CONFIG \
	    "$CHOPS" --config "$1" status --json >"$tmp/out.json" 2>"$tmp/err"
	rc=$?
}

# jq-like checks with python3: json_check 'EXPR' evaluates to True
json_check() {
	python3 - "$tmp/out.json" "$1" <<-'PY'
	import json, sys
	d = json.load(open(sys.argv[1]))
	ok = eval(sys.argv[2], {"d": d})
	if not ok:
	    print(json.dumps(d, indent=1)[:3000])
	sys.exit(0 if ok else 1)
	PY
}

# put one object under the prefix so the count is real
printf 'x' >"$tmp/obj"
curl -sS -f -K "$CHOPS_TEST_S3_CURL_CONFIG" \
    -T "$tmp/obj" "$CHOPS_TEST_S3_ENDPOINT/$CHOPS_TEST_S3_BUCKET/status-test/one" >/dev/null

write_config "$tmp/ok.ini" "$CHOPS_TEST_CH_URL"
# Prometheus needs a scrape or two before the kafka target is up
wait_until 30 sh -c "'$CHOPS' --config '$tmp/ok.ini' status --json |
    grep -q '\"health\":.*\"up\"'"
run_status "$tmp/ok.ini"
tap_check "healthy stack: clickhouse up with its real version" \
    json_check 'd["clickhouse"]["nodes"][0]["up"] and d["clickhouse"]["nodes"][0]["version"].startswith("18.16") and d["clickhouse"]["nodes"][0]["uptime_s"] >= 0'
tap_check "s3 reachable, objects counted under the prefix" \
    json_check 'd["s3"]["reachable"] and d["s3"]["objects"] == 1 and d["s3"]["bucket"] == "chops-test"'
tap_check "kafka groups with lag, members and topics from the exporter" \
    json_check '{g["group"]: (g["lag"], g["members"]) for g in d["kafka"]["groups"]} == {"audit_sink": (7008724, 1), "clickhouse_posting": (23300, 3)} and d["kafka"]["groups"][1]["topics"][0]["topic"] == "posting_data"'
tap_check "prometheus targets: kafka up, broken down with its error" \
    json_check '{t["job"]: t["health"] for t in d["prometheus"]["targets"]} == {"kafka": "up", "broken": "down"} and [t for t in d["prometheus"]["targets"] if t["job"] == "broken"][0]["last_error"]'
tap_check "a down target is a warning (exit 1)" test "$rc" -eq 1
tap_check "status says warn with the reason" \
    json_check 'd["status"] == "warn" and any("broken" in r for r in d["reasons"])'
if grep -qF -e "$CHOPS_TEST_CH_PASSWORD" -e "$CHOPS_TEST_S3_SECRET_KEY" "$tmp/out.json" "$tmp/err"; then
	tap_fail "no secret in the output"
else
	tap_ok "no secret in the output"
fi

# lag thresholds come from the config
write_config "$tmp/lag.ini" "$CHOPS_TEST_CH_URL" "lag_crit = 1000000" "lag_warn = 1000"
sed -i '/^lag_warn = 100000000$/d; /^lag_crit = 200000000$/d' "$tmp/lag.ini"
run_status "$tmp/lag.ini"
tap_check "lag over lag_crit is critical (exit 2)" test "$rc" -eq 2
tap_check "the critical group is named" \
    json_check 'd["status"] == "crit" and any("audit_sink" in r and "crit" in r for r in d["reasons"])'

# a stopped server: nothing listens on this port
dead=$(free_port 2>/dev/null || python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# a silent server: accepts TCP, never answers
python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16)
print(s.getsockname()[1], flush=True)
time.sleep(600)' >"$tmp/silent.port" &
silent_pid=$!
wait_until 10 test -s "$tmp/silent.port"
silent=$(cat "$tmp/silent.port")
write_config "$tmp/bad.ini" "$CHOPS_TEST_CH_URL, http://127.0.0.1:$dead, http://127.0.0.1:$silent"
start=$(date +%s)
run_status "$tmp/bad.ini"
took=$(( $(date +%s) - start ))
tap_check "a dead and a silent node make the status critical (exit 2)" test "$rc" -eq 2
tap_check "the dead node: connection refused" \
    json_check 'not d["clickhouse"]["nodes"][1]["up"] and "refused" in d["clickhouse"]["nodes"][1]["error"]'
tap_check "the silent node: timed out, not hung" \
    json_check 'not d["clickhouse"]["nodes"][2]["up"] and "timed out" in d["clickhouse"]["nodes"][2]["error"]'
tap_check "the healthy node and the other sources are still reported" \
    json_check 'd["clickhouse"]["nodes"][0]["up"] and d["s3"]["reachable"] and len(d["kafka"]["groups"]) == 2'
# bounded by the 2 s timeout (plus retries), far from a hang
tap_check "finished within its timeouts (took ${took}s)" test "$took" -lt 20

# wrong S3 secret: the real cause, not a generic failure
printf 'wrong-secret\n' >"$tmp/s3.sk"
run_status "$tmp/ok.ini"
tap_check "wrong S3 secret reported as SignatureDoesNotMatch" \
    json_check 'not d["s3"]["reachable"] and "SignatureDoesNotMatch" in d["s3"]["error"]'

# configuration errors are exit 3 with file:line
printf '[clickhouse]\ntimeout = 10x\n' >"$tmp/broken.ini"
run_status "$tmp/broken.ini"
tap_check "a bad config is exit 3" test "$rc" -eq 3
tap_check "the error names file:line" grep -q "broken.ini:2:" "$tmp/err"

tap_done
