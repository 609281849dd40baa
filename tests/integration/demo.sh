#!/usr/bin/env bash
# scripts/demo --no-console end to end: the demo starts its own stack (own
# temp dir, ports and PID list, next to the servers tests/run started),
# reports ready, chops accepts its config and sees the data, the moving
# exporter feed and Prometheus; a Ctrl-C (SIGINT) stops every process of
# the demo and removes its dir, and the test servers keep running.
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/lib/tap.sh
. "$here/../lib/tap.sh"

top=${CHOPS_SRCDIR:-$(cd "$here/../.." && pwd)}
cd "$top" || exit 1
CHOPS=${CHOPS_BIN:-./chops}
READY_TIMEOUT=${CHOPS_DEMO_READY_TIMEOUT:-240}

# short paths: ceph admin sockets must stay under 107 characters; not
# tmpfs: the harness's temp dir is neither
work=$(mktemp -d "${CHOPS_TEST_TMP:-/tmp}/demo.XXXXXX") || exit 1
demo_dir=$work/d
demo_pid=
pids=()

# the demo's processes, read from its PID list while it exists
read_pids() {
	local pid role dir
	[ -f "$demo_dir/pids" ] || return 0
	pids=()
	while read -r pid role dir; do
		[[ $pid =~ ^[0-9]+$ ]] && pids+=("$pid:$role")
	done <"$demo_dir/pids"
}

alive() {
	local line st
	read -r line 2>/dev/null <"/proc/$1/stat" || return 1
	st=${line##*) }
	st=${st%% *}
	[ "$st" != Z ] && [ "$st" != X ]
}

cleanup() {
	if [ -n "$demo_pid" ] && alive "$demo_pid"; then
		kill -TERM "$demo_pid" 2>/dev/null
		# shellcheck disable=SC2016 # eval expands it
		wait_until 60 eval '! alive "$demo_pid"'
	fi
	# last resort: the demo died without stopping its stack
	if [ -f "$demo_dir/pids" ]; then
		(
			for v in $(compgen -v CHOPS_TEST_); do unset "$v"; done
			export CHOPS_TEST_TMP=$demo_dir
			. "$top/tests/lib/servers.sh"
			stop_all
		) >/dev/null 2>&1
	fi
	rm -rf "$work"
}
trap cleanup EXIT

# ---------------------------------------------------------------- start

opts=(--no-console --dir "$demo_dir")
# never apt-get from a test run: on a machine missing packages, only the stack
if ! scripts/install-deps --check >/dev/null 2>&1; then
	echo "# some Debian packages are missing: running the demo with --no-install"
	opts+=(--no-install)
fi

# as from a terminal: an asynchronous command of a script ignores SIGINT,
# and bash cannot trap a signal ignored at start, so restore it
t0=$(_tap_usec)
python3 -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.execvp(sys.argv[1], sys.argv[1:])' scripts/demo "${opts[@]}" >"$work/demo.out" 2>&1 </dev/null &
demo_pid=$!

demo_ready() { [ -s "$demo_dir/ready" ] || ! alive "$demo_pid"; }
wait_until "$READY_TIMEOUT" demo_ready
if [ -s "$demo_dir/ready" ] && alive "$demo_pid"; then
	took=$((($(_tap_usec) - t0) / 1000000))
	tap_ok "scripts/demo --no-console reports ready (${took}s)"
else
	tap_fail "scripts/demo --no-console reports ready" "output:" "$(tail -n 60 "$work/demo.out")"
	tap_done
	exit 1
fi
ini=$(cat "$demo_dir/ready")
read_pids
banner_ok() { grep -qF "config: $ini" "$work/demo.out" && grep -q "Ctrl-C to stop" "$work/demo.out"; }
tap_check "the banner names the config and how to stop" banner_ok

# ---------------------------------------------------------------- config

mode() { stat -c %a "$1"; }
bad=
for f in "$ini" "$demo_dir"/secrets/*; do
	[ "$(mode "$f")" = 600 ] || bad+=" $f:$(mode "$f")"
done
if [ -z "$bad" ]; then tap_ok "config and secret files are mode 600"; else
	tap_fail "config and secret files are mode 600" "$bad"
fi
if grep -qE '^[[:space:]]*(password|access_key|secret_key)[[:space:]]*=' "$ini"; then
	tap_fail "no inline secret in the config" "$(cat "$ini")"
else
	tap_ok "no inline secret in the config"
fi
tap_check "the config has every section and the backup plan" \
	awk '/^\[clickhouse\]/{a++} /^\[s3\]/{a++} /^\[prometheus\]/{a++} /^\[kafka\]/{a++} /^\[ui\]/{a++}
	/^\[backup\.posting_daily\]/{a++} /^bucket = otus-project$/{a++} /^prefix = chops\/$/{a++}
	/^time_column = clickhoue_timestamp$/{a++} /^source = exporter$/{a++}
	END { exit a == 10 ? 0 : 1 }' "$ini"

# the demo's servers, from its config: never the harness's
ini_get() { awk -F' = ' -v s="[$1]" -v k="$2" '/^\[/ { in_s = ($0 == s) } in_s && $1 == k { print $2; exit }' "$ini"; }
ch_url=$(ini_get clickhouse url)
s3_url=$(ini_get s3 endpoint)
if [ -n "$ch_url" ] && [ "$ch_url" != "${CHOPS_TEST_CH_URL:-}" ] &&
	[ "$s3_url" != "${CHOPS_TEST_S3_ENDPOINT:-}" ] &&
	[ "$(ini_get kafka exporter_url)" != "${CHOPS_TEST_EXPORTER_URL:-}" ] &&
	[ "$(ini_get prometheus url)" != "${CHOPS_TEST_PROM_URL:-}" ]; then
	tap_ok "the demo's servers are its own (other ports than the harness's)"
else
	tap_fail "the demo's servers are its own (other ports than the harness's)" "$(cat "$ini")"
fi

# ---------------------------------------------------------------- chops status

# status JSON -> $work/s.json, exit code -> $rc
status() {
	env -u CLICKHOUSE_URL -u CLICKHOUSE_USER -u CLICKHOUSE_PASSWORD -u AWS_ACCESS_KEY_ID \
		-u AWS_SECRET_ACCESS_KEY -u AWS_REGION -u AWS_ENDPOINT_URL -u AWS_ENDPOINT_URL_S3 \
		-u PROMETHEUS_URL -u KAFKA_EXPORTER_URL -u CHOPS_CONFIG \
		"$CHOPS" --config "$ini" status --json >"$work/s.json" 2>"$work/s.err"
	rc=$?
}
# json EXPR: EXPR over d (the status JSON) is true
json() {
	python3 - "$work/s.json" "$1" <<-'PY'
	import json, sys
	try:
	    d = json.load(open(sys.argv[1]))
	    ok = eval(sys.argv[2], {"d": d, "grp": lambda n: [g for g in d["kafka"]["groups"] if g["group"] == n][0]})
	except Exception as e:
	    print("%s: %s" % (type(e).__name__, e))
	    ok = False
	if not ok:
	    print(open(sys.argv[1]).read()[:3000])
	sys.exit(0 if ok else 1)
	PY
}
# lag GROUP: from the last status
lag() { python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print([g for g in d["kafka"]["groups"] if g["group"] == sys.argv[2]][0]["lag"])' "$work/s.json" "$1"; }

status
if [ "$rc" -le 2 ]; then tap_ok "chops status loads the demo config (exit $rc)"; else
	tap_fail "chops status loads the demo config (exit $rc)" "$(cat "$work/s.err")"
fi
tap_check "clickhouse is up" json 'd["clickhouse"]["nodes"][0]["up"] is True'
tap_check "s3: bucket otus-project reachable, objects under chops/" \
	json 'd["s3"]["reachable"] and d["s3"]["bucket"] == "otus-project" and d["s3"]["prefix"] == "chops/" and d["s3"]["objects"] >= 8'
tap_check "kafka: groups clickhouse_posting (3 members) and audit_sink (1 member)" \
	json 'd["kafka"]["reachable"] and grp("clickhouse_posting")["members"] == 3 and grp("audit_sink")["members"] == 1 and grp("clickhouse_posting")["partitions"] == 12 and grp("audit_sink")["partitions"] == 3'

# ---------------------------------------------------------------- ClickHouse data

ch() {
	curl --noproxy '*' -sS -f -m 30 -K <(printf 'header = "X-ClickHouse-User: %s"\nheader = "X-ClickHouse-Key: %s"\n' \
		"$(ini_get clickhouse user)" "$(cat "$(ini_get clickhouse password_file)")") \
		--data-binary "$1" "$ch_url/"
}
out=$(ch "SELECT uniqExact(toDate(clickhoue_timestamp)), count(), countIf(toDate(clickhoue_timestamp) = yesterday())
	FROM otus.posting_data" 2>&1)
read -r days rows yrows <<<"$out"
if [ "${days:-0}" -ge 7 ] 2>/dev/null && [ "${rows:-0}" -ge 350000 ] && [ "${yrows:-0}" -ge 50000 ]; then
	tap_ok "otus.posting_data: $rows rows over $days days"
else
	tap_fail "otus.posting_data has rows for several days" "$out"
fi
out=$(ch "SELECT count() FROM system.parts WHERE database = 'otus' AND table = 'posting_data' AND active" 2>&1)
if [ "${out:-0}" -ge 8 ] 2>/dev/null; then tap_ok "otus.posting_data: $out active parts"; else
	tap_fail "otus.posting_data has a part per day at least" "$out"
fi

# ---------------------------------------------------------------- S3 objects

s3_curl=$(grep '^CHOPS_TEST_S3_CURL_CONFIG=' "$demo_dir/env" | cut -d= -f2-)
out=$(curl -sS -m 30 -K "$s3_curl" "$s3_url/otus-project?list-type=2&prefix=chops%2F" 2>&1)
n=$(grep -o '<Key>chops/legacy/posting_data_[0-9-]*\.parquet</Key>' <<<"$out" | wc -l)
if [ "$n" -ge 5 ]; then tap_ok "s3: $n legacy parquet files under chops/legacy/"; else
	tap_fail "s3: legacy parquet files under chops/legacy/" "$out"
fi
if "$CHOPS" backup --help >/dev/null 2>&1; then
	if grep -q 'daily backups of the last 7 days' "$work/demo.out" &&
		[ "$(grep -o '<Key>chops/[^<]*</Key>' <<<"$out" | grep -vc '<Key>chops/legacy/')" -ge 1 ]; then
		tap_ok "s3: backups made by chops backup under chops/"
	else
		tap_fail "s3: backups made by chops backup under chops/" "$(grep -i backup "$work/demo.out")" "$out"
	fi
else
	tap_skip "s3: backups made by chops backup under chops/" "no 'chops backup' in this build"
fi

# ---------------------------------------------------------------- the moving feed

status
lag1_post=$(lag clickhouse_posting 2>/dev/null)
lag1_audit=$(lag audit_sink 2>/dev/null)
sleep 4 # the feed moves every second; the lag must have moved
status
lag2_post=$(lag clickhouse_posting 2>/dev/null)
lag2_audit=$(lag audit_sink 2>/dev/null)
if [[ $lag1_audit =~ ^[0-9]+$ && $lag2_audit =~ ^[0-9]+$ ]] && [ "$lag2_audit" -gt "$lag1_audit" ]; then
	tap_ok "audit_sink falls behind: lag $lag1_audit -> $lag2_audit"
else
	tap_fail "audit_sink falls behind (lag grows)" "lag $lag1_audit -> $lag2_audit"
fi
if [[ $lag1_post =~ ^[0-9]+$ && $lag2_post =~ ^[0-9]+$ ]] &&
	{ [ "$lag2_post" -lt "$lag1_post" ] || [ "$lag2_post" -lt 20000 ]; }; then
	tap_ok "clickhouse_posting catches up: lag $lag1_post -> $lag2_post"
else
	tap_fail "clickhouse_posting catches up (lag shrinks or stays low)" "lag $lag1_post -> $lag2_post"
fi

# Prometheus scrapes the feed (every 2 s); the DR exporter is down on purpose
prom_up() {
	status
	json '{t["job"]: t["health"] for t in d["prometheus"]["targets"]}.get("kafka") == "up"' >/dev/null
}
wait_until 30 prom_up
tap_check "prometheus: the feed is up, kafka_dr down" \
	json '{t["job"]: t["health"] for t in d["prometheus"]["targets"]} == {"kafka": "up", "kafka_dr": "down", "prometheus": "up"}'

# ---------------------------------------------------------------- stop

read_pids
[ ${#pids[@]} -ge 7 ] || tap_fail "the demo registered its processes" "${pids[*]}"
kill -INT "$demo_pid"
t0=$(_tap_usec)
# shellcheck disable=SC2016 # eval expands it
wait_until 90 eval '! alive "$demo_pid"'
wait "$demo_pid" 2>/dev/null
rc=$?
took=$((($(_tap_usec) - t0) / 1000000))
if ! alive "$demo_pid"; then
	tap_ok "Ctrl-C stops the demo (exit $rc, ${took}s)"
	demo_pid=
else
	tap_fail "Ctrl-C stops the demo" "still running after 90s" "$(tail -n 20 "$work/demo.out")"
fi
left=()
for p in "${pids[@]}"; do alive "${p%%:*}" && left+=("$p"); done
if [ ${#left[@]} -eq 0 ]; then
	tap_ok "all ${#pids[@]} processes of the demo are gone"
else
	tap_fail "all processes of the demo are gone" "still running (pid:role): ${left[*]}"
fi
if [ ! -e "$demo_dir" ]; then tap_ok "the demo removed its dir"; else
	tap_fail "the demo removed its dir" "$(ls -la "$demo_dir")"
fi
tap_check "the demo said it stopped" grep -q '^demo: stopped' "$work/demo.out"

# the harness's servers were not touched
gone=
for v in CHOPS_TEST_CH_PID CHOPS_TEST_RGW_PID CHOPS_TEST_PROM_PID CHOPS_TEST_EXPORTER_PID; do
	[ -n "${!v:-}" ] && ! alive "${!v}" && gone+=" $v=${!v}"
done
if [ -z "$gone" ]; then tap_ok "the test servers still run"; else
	tap_fail "the test servers still run" "gone:$gone"
fi

tap_done
