# shellcheck shell=bash
# tests/lib/servers.sh - start and stop the REAL servers chops is tested
# against, on free loopback ports, in temp dirs. Source it from bash:
#
#   . tests/lib/servers.sh
#   start_clickhouse [DIR]      ClickHouse (Debian clickhouse-server)
#   start_radosgw [DIR]         Ceph mon + BlueStore OSD + radosgw (S3)
#   start_static [DIR [PORT]]   static HTTP server, DIR/metrics = kafka_exporter sample
#   start_prometheus [DIR]      Prometheus scraping the static server (job kafka)
#                               plus a target nothing listens on (job broken)
#   stop_clickhouse, restart_clickhouse, stop_radosgw, restart_radosgw (rgw only),
#   stop_static, stop_prometheus, restart_prometheus
#   stop_all                    stop everything registered, remove the temp dir
#   free_port [N]               print N free loopback TCP ports
#   chops_env_load              (re)load $CHOPS_TEST_ENV into this shell
#
# Every variable a start_* exports is also written to $CHOPS_TEST_ENV
# (KEY=value lines, default $CHOPS_TEST_TMP/env) so other processes can
# load it; sourcing this file loads it when it exists. It also works as a
# command, for C tests that stop a server mid-run:
#   tests/lib/servers.sh restart_clickhouse
#
# Processes are only ever stopped by PID, and only when their command line
# names this run's temp dir (so a reused PID is never signalled).
# CHOPS_TEST_KEEP=1 makes stop_all keep the temp dir (logs, data).

_CHOPS_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
_CHOPS_FIXTURES=$(cd "$_CHOPS_LIB_DIR/../fixtures" 2>/dev/null && pwd)

# fixed test credentials (never real ones)
CHOPS_TEST_CH_USER=chops
CHOPS_TEST_CH_PASSWORD=chops-secret
CHOPS_TEST_S3_ACCESS_KEY=chopsaccess
CHOPS_TEST_S3_SECRET_KEY=chopssecret0123456789
CHOPS_TEST_S3_BUCKET=chops-test
CHOPS_TEST_S3_REGION=us-east-1

: "${CHOPS_TEST_START_TIMEOUT:=60}"	# seconds to wait for a server to answer
: "${CHOPS_TEST_STOP_GRACE:=15}"	# seconds between SIGTERM and SIGKILL

# ------------------------------------------------------------------ helpers

_chops_say() { printf 'servers: %s\n' "$*" >&2; }

# microseconds since the epoch, without forking
_chops_usec() { local t=${EPOCHREALTIME/[.,]/}; printf '%s' "${t:-$(($(date +%s) * 1000000))}"; }

# elapsed seconds since a _chops_usec stamp, as "1.234"
_chops_since() {
	local d=$(($(_chops_usec) - $1))
	printf '%d.%03d' $((d / 1000000)) $((d % 1000000 / 1000))
}

# curl for loopback only: never through a proxy from the environment
_chops_curl() { curl --noproxy '*' -sS "$@"; }

# _chops_alive PID: the process exists and is not a zombie
_chops_alive() {
	local line st
	[ -n "$1" ] || return 1
	read -r line 2>/dev/null <"/proc/$1/stat" || return 1
	st=${line##*) }
	st=${st%% *}
	[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

# _chops_owned PID DIR: the process's command line names DIR
_chops_owned() {
	local c
	[ -n "$2" ] || return 1
	c=$(tr '\0' ' ' 2>/dev/null <"/proc/$1/cmdline") || return 1
	[[ $c == *"$2"* ]]
}

# _chops_stop_pids GRACE PID... : SIGTERM, wait up to GRACE s, then SIGKILL
_chops_stop_pids() {
	local grace=$1 p end live
	shift
	live=()
	for p; do _chops_alive "$p" && live+=("$p"); done
	[ ${#live[@]} -gt 0 ] || return 0
	kill -TERM "${live[@]}" 2>/dev/null || true
	end=$(($(_chops_usec) + grace * 1000000))
	while :; do
		local still=()
		for p in "${live[@]}"; do _chops_alive "$p" && still+=("$p"); done
		live=("${still[@]}")
		[ ${#live[@]} -gt 0 ] || return 0
		[ "$(_chops_usec)" -lt "$end" ] || break
		sleep 0.1
	done
	_chops_say "SIGKILL after ${grace}s: pid ${live[*]}"
	kill -KILL "${live[@]}" 2>/dev/null || true
	end=$(($(_chops_usec) + 5000000))
	while [ "$(_chops_usec)" -lt "$end" ]; do
		local still=()
		for p in "${live[@]}"; do _chops_alive "$p" && still+=("$p"); done
		live=("${still[@]}")
		[ ${#live[@]} -gt 0 ] || return 0
		sleep 0.1
	done
	_chops_say "could not stop pid ${live[*]}"
	return 1
}

# _chops_stop ROLE PID DIR: stop one registered process if it is ours
_chops_stop() {
	[ -n "$2" ] || return 0
	_chops_alive "$2" || return 0
	if ! _chops_owned "$2" "$3"; then
		_chops_say "not stopping pid $2 ($1): its command line does not name $3"
		return 0
	fi
	_chops_stop_pids "$CHOPS_TEST_STOP_GRACE" "$2"
}

# _chops_tail FILE...: the end of log files, for a failed start
_chops_tail() {
	local f
	for f; do
		[ -s "$f" ] || continue
		printf -- '---- last lines of %s\n' "$f" >&2
		tail -n 25 "$f" >&2
	done
}

# _chops_wait TIMEOUT PID CMD...: poll CMD until it succeeds; fail early if
# PID (when not empty) has died
_chops_wait() {
	local timeout=$1 pid=$2 end delay=0.05
	shift 2
	end=$(($(_chops_usec) + timeout * 1000000))
	while :; do
		"$@" >/dev/null 2>&1 && return 0
		if [ -n "$pid" ] && ! _chops_alive "$pid"; then
			_chops_say "pid $pid exited while waiting for: $*"
			return 1
		fi
		if [ "$(_chops_usec)" -ge "$end" ]; then
			_chops_say "timed out after ${timeout}s waiting for: $*"
			return 1
		fi
		sleep "$delay"
		case $delay in 0.05) delay=0.1 ;; 0.1) delay=0.2 ;; esac
	done
}

# ------------------------------------------------------------------ env file

# chops_test_init: create this run's temp dir and env file (idempotent)
chops_test_init() {
	if [ -n "${CHOPS_TEST_TMP:-}" ] && [ -d "$CHOPS_TEST_TMP" ]; then
		: "${CHOPS_TEST_ENV:=$CHOPS_TEST_TMP/env}"
	else
		# short (ceph admin sockets must stay under 107 characters) and
		# not tmpfs (BlueStore cannot use it)
		local base=/tmp
		[ "$(stat -f -c %T /tmp 2>/dev/null)" = tmpfs ] && base=/var/tmp
		CHOPS_TEST_TMP=$(mktemp -d "$base/cht.XXXXXX") || return 1
		_CHOPS_OWN_TMP=$CHOPS_TEST_TMP
		CHOPS_TEST_ENV=$CHOPS_TEST_TMP/env
	fi
	export CHOPS_TEST_TMP CHOPS_TEST_ENV
	mkdir -p "$CHOPS_TEST_TMP/log"
	[ -e "$CHOPS_TEST_ENV" ] || : >"$CHOPS_TEST_ENV"
	[ -e "$CHOPS_TEST_TMP/pids" ] || : >"$CHOPS_TEST_TMP/pids"
	grep -q '^CHOPS_TEST_TMP=' "$CHOPS_TEST_ENV" ||
		_chops_env_set CHOPS_TEST_TMP "$CHOPS_TEST_TMP" CHOPS_TEST_ENV "$CHOPS_TEST_ENV"
}

# _chops_env_set KEY VALUE [KEY VALUE]...: export, and record in $CHOPS_TEST_ENV
_chops_env_set() {
	local args=("$@") i pat=
	for ((i = 0; i < ${#args[@]}; i += 2)); do
		export "${args[i]}=${args[i + 1]}"
		pat+="${pat:+|}${args[i]}"
	done
	(
		flock 9
		{
			grep -Ev "^($pat)=" "$CHOPS_TEST_ENV" || true
			for ((i = 0; i < ${#args[@]}; i += 2)); do
				printf '%s=%s\n' "${args[i]}" "${args[i + 1]}"
			done
		} >"$CHOPS_TEST_ENV.new.$BASHPID"
		mv -f "$CHOPS_TEST_ENV.new.$BASHPID" "$CHOPS_TEST_ENV"
	) 9>>"$CHOPS_TEST_TMP/env.lock"
}

# chops_env_load: export every KEY=value of $CHOPS_TEST_ENV into this shell
chops_env_load() {
	[ -n "${CHOPS_TEST_ENV:-}" ] && [ -r "$CHOPS_TEST_ENV" ] || return 0
	local k v
	while IFS='=' read -r k v; do
		[[ $k =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || continue
		export "$k=$v"
	done <"$CHOPS_TEST_ENV"
}

# _chops_register PID ROLE DIR: remember a process for stop_all
_chops_register() { printf '%s %s %s\n' "$1" "$2" "$3" >>"$CHOPS_TEST_TMP/pids"; }

# free_port [N]: N distinct free loopback TCP ports, one a line. Ports
# already handed out in this run are not handed out again.
free_port() {
	local used=/dev/null
	[ -n "${CHOPS_TEST_TMP:-}" ] && [ -d "$CHOPS_TEST_TMP" ] && used=$CHOPS_TEST_TMP/ports.used
	python3 - "${1:-1}" "$used" <<'EOF'
import fcntl, socket, sys
n, path = int(sys.argv[1]), sys.argv[2]
with open(path, "a+") as f:
    fcntl.flock(f, fcntl.LOCK_EX)
    f.seek(0)
    used = {int(x) for x in f.read().split() if x.isdigit()}
    socks, ports = [], []
    while len(ports) < n:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.bind(("127.0.0.1", 0))
        socks.append(s)  # keep bound so one call never repeats a port
        p = s.getsockname()[1]
        if p not in used:
            ports.append(p)
    if path != "/dev/null":
        f.write("".join("%d\n" % p for p in ports))
print("\n".join(str(p) for p in ports))
EOF
}

# _chops_mkdir DIR DEFAULT: create DIR (or DEFAULT), print its absolute path
_chops_mkdir() {
	local d=${1:-$2}
	mkdir -p "$d" && (cd "$d" && pwd)
}

# ------------------------------------------------------------------ ClickHouse

# start_clickhouse [DIR]: exports CHOPS_TEST_CH_URL, CHOPS_TEST_CH_PID,
# CHOPS_TEST_CH_HTTP_PORT, CHOPS_TEST_CH_TCP_PORT, CHOPS_TEST_CH_DIR,
# CHOPS_TEST_CH_USER, CHOPS_TEST_CH_PASSWORD. Users: default (empty
# password) and chops / chops-secret. A second start in the same DIR
# reuses its ports and data.
start_clickhouse() {
	chops_test_init || return 1
	local dir http tcp
	dir=$(_chops_mkdir "${1:-}" "$CHOPS_TEST_TMP/clickhouse") || return 1
	if [ ! -s "$dir/ports" ]; then
		{ read -r http; read -r tcp; } < <(free_port 2)
		[ -n "$tcp" ] || { _chops_say "clickhouse: no free port"; return 1; }
		mkdir -p "$dir/data" "$dir/tmp" "$dir/user_files" "$dir/format_schemas" "$dir/log"
		_chops_ch_config "$dir" "$http" "$tcp" || return 1
		echo "$http $tcp" >"$dir/ports"
	fi
	_chops_ch_launch "$dir"
}

_chops_ch_config() {
	local dir=$1 http=$2 tcp=$3
	cat >"$dir/config.xml" <<EOF
<?xml version="1.0"?>
<!-- generated by tests/lib/servers.sh -->
<yandex>
    <logger>
        <level>information</level>
        <log>$dir/log/clickhouse-server.log</log>
        <errorlog>$dir/log/clickhouse-server.err.log</errorlog>
        <size>100M</size>
        <count>2</count>
    </logger>
    <http_port>$http</http_port>
    <tcp_port>$tcp</tcp_port>
    <listen_host>127.0.0.1</listen_host>
    <listen_try>0</listen_try>
    <max_connections>512</max_connections>
    <keep_alive_timeout>10</keep_alive_timeout>
    <max_concurrent_queries>100</max_concurrent_queries>
    <uncompressed_cache_size>67108864</uncompressed_cache_size>
    <mark_cache_size>67108864</mark_cache_size>
    <path>$dir/data/</path>
    <tmp_path>$dir/tmp/</tmp_path>
    <user_files_path>$dir/user_files/</user_files_path>
    <format_schema_path>$dir/format_schemas/</format_schema_path>
    <users_config>$dir/users.xml</users_config>
    <default_profile>default</default_profile>
    <default_database>default</default_database>
    <timezone>UTC</timezone>
    <mlock_executable>false</mlock_executable>
    <builtin_dictionaries_reload_interval>3600</builtin_dictionaries_reload_interval>
    <max_session_timeout>3600</max_session_timeout>
    <default_session_timeout>60</default_session_timeout>
    <remote_servers>
        <chops_test>
            <shard>
                <replica>
                    <host>127.0.0.1</host>
                    <port>$tcp</port>
                </replica>
            </shard>
        </chops_test>
    </remote_servers>
    <query_log>
        <database>system</database>
        <table>query_log</table>
        <partition_by>toYYYYMM(event_date)</partition_by>
        <flush_interval_milliseconds>1000</flush_interval_milliseconds>
    </query_log>
</yandex>
EOF
	cat >"$dir/users.xml" <<'EOF'
<?xml version="1.0"?>
<!-- generated by tests/lib/servers.sh: fixed test credentials -->
<yandex>
    <profiles>
        <default>
            <max_memory_usage>4000000000</max_memory_usage>
            <use_uncompressed_cache>0</use_uncompressed_cache>
            <load_balancing>random</load_balancing>
        </default>
        <readonly>
            <readonly>1</readonly>
        </readonly>
    </profiles>
    <users>
        <default>
            <password></password>
            <networks>
                <ip>::1</ip>
                <ip>127.0.0.1</ip>
            </networks>
            <profile>default</profile>
            <quota>default</quota>
        </default>
        <chops>
            <password>chops-secret</password>
            <networks>
                <ip>::1</ip>
                <ip>127.0.0.1</ip>
            </networks>
            <profile>default</profile>
            <quota>default</quota>
        </chops>
    </users>
    <quotas>
        <default>
            <interval>
                <duration>3600</duration>
                <queries>0</queries>
                <errors>0</errors>
                <result_rows>0</result_rows>
                <read_rows>0</read_rows>
                <execution_time>0</execution_time>
            </interval>
        </default>
    </quotas>
</yandex>
EOF
}

_chops_ch_ping() { [ "$(_chops_curl -m 2 "$1/ping" 2>/dev/null)" = "Ok." ]; }

_chops_ch_launch() {
	local dir=$1 http tcp pid t0
	read -r http tcp <"$dir/ports"
	t0=$(_chops_usec)
	clickhouse-server --config-file="$dir/config.xml" </dev/null >>"$dir/log/stdout.log" 2>&1 &
	pid=$!
	_chops_register "$pid" clickhouse "$dir"
	if ! _chops_wait "$CHOPS_TEST_START_TIMEOUT" "$pid" _chops_ch_ping "http://127.0.0.1:$http"; then
		_chops_say "clickhouse did not answer /ping on 127.0.0.1:$http"
		_chops_tail "$dir/log/clickhouse-server.err.log" "$dir/log/stdout.log" "$dir/log/clickhouse-server.log"
		_chops_stop clickhouse "$pid" "$dir"
		return 1
	fi
	_chops_env_set CHOPS_TEST_CH_URL "http://127.0.0.1:$http" \
		CHOPS_TEST_CH_HTTP_PORT "$http" CHOPS_TEST_CH_TCP_PORT "$tcp" \
		CHOPS_TEST_CH_PID "$pid" CHOPS_TEST_CH_DIR "$dir" \
		CHOPS_TEST_CH_USER "$CHOPS_TEST_CH_USER" CHOPS_TEST_CH_PASSWORD "$CHOPS_TEST_CH_PASSWORD"
	_chops_say "clickhouse up on 127.0.0.1:$http (tcp $tcp, pid $pid) in $(_chops_since "$t0")s"
}

stop_clickhouse() {
	[ -n "${CHOPS_TEST_CH_DIR:-}" ] || { _chops_say "stop_clickhouse: not started"; return 1; }
	_chops_stop clickhouse "${CHOPS_TEST_CH_PID:-}" "$CHOPS_TEST_CH_DIR" || return 1
	_chops_env_set CHOPS_TEST_CH_PID ""
}

restart_clickhouse() {
	stop_clickhouse || return 1
	_chops_ch_launch "$CHOPS_TEST_CH_DIR"
}

# ------------------------------------------------------------------ Ceph radosgw

# start_radosgw [DIR]: one mon, one BlueStore OSD on a sparse 10 GiB file,
# no mgr, radosgw (beast) on 127.0.0.1. Creates the S3 user and bucket.
# Exports CHOPS_TEST_S3_ENDPOINT, CHOPS_TEST_S3_ACCESS_KEY,
# CHOPS_TEST_S3_SECRET_KEY, CHOPS_TEST_S3_BUCKET, CHOPS_TEST_S3_REGION,
# CHOPS_TEST_S3_PORT, CHOPS_TEST_S3_CURL_CONFIG (a `curl -K` file with the
# credentials and SigV4 settings), CHOPS_TEST_MON_PID, CHOPS_TEST_OSD_PID,
# CHOPS_TEST_RGW_PID, CHOPS_TEST_RGW_DIR.
start_radosgw() {
	chops_test_init || return 1
	local dir fsid osd_uuid mon_port rgw_port pid t0 mkfs_pid out
	t0=$(_chops_usec)
	dir=$(_chops_mkdir "${1:-}" "$CHOPS_TEST_TMP/rgw") || return 1
	if [ $((${#dir} + 24)) -ge 107 ]; then
		_chops_say "radosgw: dir path too long for ceph admin sockets: $dir"
		return 1
	fi
	if [ "$(stat -f -c %T "$dir")" = tmpfs ]; then
		_chops_say "radosgw: $dir is on tmpfs, BlueStore needs a real file system"
		return 1
	fi
	if [ -e "$dir/ceph.conf" ]; then
		_chops_say "radosgw: $dir already holds a cluster (use restart_radosgw)"
		return 1
	fi
	mkdir -p "$dir/run" "$dir/log" "$dir/mon" "$dir/osd" "$dir/rgw"
	{ read -r mon_port; read -r rgw_port; } < <(free_port 2)
	[ -n "$rgw_port" ] || { _chops_say "radosgw: no free port"; return 1; }
	fsid=$(_chops_uuid) && osd_uuid=$(_chops_uuid) || return 1
	echo "$rgw_port" >"$dir/rgw_port"

	# no cephx (auth none); then every messenger mode must be crc, or
	# clients insist on "secure" mode and radosgw never comes up
	cat >"$dir/ceph.conf" <<EOF
# generated by tests/lib/servers.sh
[global]
fsid = $fsid
mon host = [v2:127.0.0.1:$mon_port]
public addr = 127.0.0.1
ms bind msgr1 = false
ms bind ipv6 = false
auth cluster required = none
auth service required = none
auth client required = none
ms cluster mode = crc
ms service mode = crc
ms client mode = crc
ms mon cluster mode = crc
ms mon service mode = crc
ms mon client mode = crc
run dir = $dir/run
pid file = $dir/run/\$name.pid
admin socket =
log file = $dir/log/\$name.log
log to stderr = false
err to stderr = false
mon data = $dir/mon
osd data = $dir/osd
keyring = $dir/keyring
client mount timeout = 60
rados mon op timeout = 60
paxos propose interval = 0.05
paxos min wait = 0.01
# librados asks for a newer osdmap on this tick (default 5 s)
objecter tick interval = 0.25
mon osd min down reporters = 1
osd pool default size = 1
osd pool default min size = 1
mon allow pool size one = true
mon allow pool delete = true
osd crush chooseleaf type = 0
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon max pg per osd = 1000
mon warn on pool no redundancy = false
mon data avail warn = 2
mon data avail crit = 1
osd objectstore = bluestore
bluestore block create = true
bluestore block size = 10737418240
bluestore fsck on mount = false
bluestore fsck on mkfs = false
bluestore cache autotune = false
bluestore cache size = 134217728
osd op num shards = 2
osd mon shutdown timeout = 2

[mon]
admin socket = $dir/run/\$name.asok

[osd]
admin socket = $dir/run/\$name.asok

[client.rgw.a]
admin socket = $dir/run/\$name.asok
rgw frontends = beast endpoint=127.0.0.1:$rgw_port
rgw data = $dir/rgw
rgw thread pool size = 32
rgw init timeout = 90
rgw enable usage log = false
EOF
	local conf=$dir/ceph.conf
	monmaptool --create --fsid "$fsid" --addv a "[v2:127.0.0.1:$mon_port]" \
		"$dir/monmap" >"$dir/log/monmaptool.out" 2>&1 &&
		ceph-mon -c "$conf" -i a --mkfs --monmap "$dir/monmap" \
			</dev/null >"$dir/log/mon-mkfs.out" 2>&1 || {
		_chops_say "radosgw: ceph-mon --mkfs failed"
		_chops_tail "$dir/log/monmaptool.out" "$dir/log/mon-mkfs.out" "$dir/log/mon.a.log"
		return 1
	}

	# the OSD's mkfs needs no monitor: run it while the monitor starts
	ceph-osd -c "$conf" -i 0 --mkfs --osd-uuid "$osd_uuid" \
		</dev/null >"$dir/log/osd-mkfs.out" 2>&1 &
	mkfs_pid=$!

	ceph-mon -f -c "$conf" -i a </dev/null >"$dir/log/mon.out" 2>&1 &
	pid=$!
	_chops_register "$pid" ceph-mon "$dir"
	_chops_env_set CHOPS_TEST_MON_PID "$pid" CHOPS_TEST_RGW_DIR "$dir"

	# `ceph` hangs forever without a monitor: always under timeout
	if ! out=$(timeout -k 5 40 ceph -c "$conf" --connect-timeout 30 osd new "$osd_uuid" 0 2>&1 </dev/null); then
		_chops_say "radosgw: 'ceph osd new' failed: $out"
		wait "$mkfs_pid"
		_chops_tail "$dir/log/mon.a.log" "$dir/log/mon.out"
		return 1
	fi
	if ! wait "$mkfs_pid"; then
		_chops_say "radosgw: ceph-osd --mkfs failed"
		_chops_tail "$dir/log/osd-mkfs.out" "$dir/log/osd.0.log"
		return 1
	fi

	ceph-osd -f -c "$conf" -i 0 </dev/null >"$dir/log/osd.out" 2>&1 &
	pid=$!
	_chops_register "$pid" ceph-osd "$dir"
	_chops_env_set CHOPS_TEST_OSD_PID "$pid"

	# creates the zone and pools, so it waits until the OSD is up
	if ! timeout -k 5 120 radosgw-admin -c "$conf" user create --uid=chops \
		--display-name="chops tests" --access-key="$CHOPS_TEST_S3_ACCESS_KEY" \
		--secret-key="$CHOPS_TEST_S3_SECRET_KEY" </dev/null >"$dir/log/user-create.out" 2>&1; then
		_chops_say "radosgw: radosgw-admin user create failed"
		_chops_tail "$dir/log/user-create.out" "$dir/log/osd.0.log" "$dir/log/mon.a.log"
		return 1
	fi

	# credentials for curl stay out of argv: `curl -K $CHOPS_TEST_S3_CURL_CONFIG`
	(
		umask 077
		cat >"$dir/s3.curl" <<EOF
# generated by tests/lib/servers.sh: fixed test credentials
user = "$CHOPS_TEST_S3_ACCESS_KEY:$CHOPS_TEST_S3_SECRET_KEY"
aws-sigv4 = "aws:amz:$CHOPS_TEST_S3_REGION:s3"
header = "x-amz-content-sha256: UNSIGNED-PAYLOAD"
noproxy = "*"
EOF
	)
	_chops_env_set CHOPS_TEST_S3_ENDPOINT "http://127.0.0.1:$rgw_port" \
		CHOPS_TEST_S3_PORT "$rgw_port" \
		CHOPS_TEST_S3_ACCESS_KEY "$CHOPS_TEST_S3_ACCESS_KEY" \
		CHOPS_TEST_S3_SECRET_KEY "$CHOPS_TEST_S3_SECRET_KEY" \
		CHOPS_TEST_S3_BUCKET "$CHOPS_TEST_S3_BUCKET" \
		CHOPS_TEST_S3_REGION "$CHOPS_TEST_S3_REGION" \
		CHOPS_TEST_S3_CURL_CONFIG "$dir/s3.curl"

	_chops_rgw_launch "$dir" || return 1

	local code
	code=$(curl -sS -K "$dir/s3.curl" -o "$dir/log/create-bucket.out" -w '%{http_code}' \
		-X PUT "http://127.0.0.1:$rgw_port/$CHOPS_TEST_S3_BUCKET" 2>&1)
	if [ "$code" != 200 ]; then
		_chops_say "radosgw: creating bucket $CHOPS_TEST_S3_BUCKET answered $code"
		_chops_tail "$dir/log/create-bucket.out" "$dir/log/client.rgw.a.log"
		return 1
	fi
	_chops_say "radosgw up on 127.0.0.1:$rgw_port, bucket $CHOPS_TEST_S3_BUCKET, in $(_chops_since "$t0")s"
}

_chops_uuid() {
	if command -v uuidgen >/dev/null 2>&1; then uuidgen; else cat /proc/sys/kernel/random/uuid; fi
}

# any HTTP status (even 403) means radosgw is serving
_chops_rgw_answers() {
	local code
	code=$(_chops_curl -o /dev/null -m 2 -w '%{http_code}' "$1/" 2>/dev/null)
	[ -n "$code" ] && [ "$code" != 000 ]
}

_chops_rgw_launch() {
	local dir=$1 port pid t0
	read -r port <"$dir/rgw_port"
	t0=$(_chops_usec)
	radosgw -f -c "$dir/ceph.conf" -n client.rgw.a </dev/null >>"$dir/log/rgw.out" 2>&1 &
	pid=$!
	_chops_register "$pid" radosgw "$dir"
	_chops_env_set CHOPS_TEST_RGW_PID "$pid"
	if ! _chops_wait "$CHOPS_TEST_START_TIMEOUT" "$pid" _chops_rgw_answers "http://127.0.0.1:$port"; then
		_chops_say "radosgw did not answer on 127.0.0.1:$port"
		_chops_tail "$dir/log/rgw.out" "$dir/log/client.rgw.a.log"
		_chops_stop radosgw "$pid" "$dir"
		return 1
	fi
	_chops_say "radosgw (pid $pid) answers on 127.0.0.1:$port after $(_chops_since "$t0")s"
}

# stop_radosgw / restart_radosgw: the S3 gateway only (same port, same
# data); the monitor and OSD keep running
stop_radosgw() {
	[ -n "${CHOPS_TEST_RGW_DIR:-}" ] || { _chops_say "stop_radosgw: not started"; return 1; }
	_chops_stop radosgw "${CHOPS_TEST_RGW_PID:-}" "$CHOPS_TEST_RGW_DIR" || return 1
	_chops_env_set CHOPS_TEST_RGW_PID ""
}

restart_radosgw() {
	stop_radosgw || return 1
	_chops_rgw_launch "$CHOPS_TEST_RGW_DIR"
}

# ------------------------------------------------------------------ static HTTP

# start_static [DIR [PORT]]: serve DIR on 127.0.0.1 (DIR/metrics starts as
# the kafka_exporter sample_t0.prom). Replace DIR/metrics atomically (write
# a temp file in DIR, then mv) to simulate time passing. Exports
# CHOPS_TEST_EXPORTER_URL (.../metrics), CHOPS_TEST_EXPORTER_DIR,
# CHOPS_TEST_EXPORTER_PORT, CHOPS_TEST_EXPORTER_PID.
start_static() {
	chops_test_init || return 1
	local dir port pid t0 log
	t0=$(_chops_usec)
	dir=$(_chops_mkdir "${1:-}" "$CHOPS_TEST_TMP/exporter") || return 1
	port=${2:-$(free_port)}
	[ -n "$port" ] || { _chops_say "static: no free port"; return 1; }
	[ -e "$dir/metrics" ] || cp "$_CHOPS_FIXTURES/kafka_exporter/sample_t0.prom" "$dir/metrics" || return 1
	log=$CHOPS_TEST_TMP/log/static-$port.log
	python3 -m http.server --bind 127.0.0.1 --directory "$dir" "$port" </dev/null >"$log" 2>&1 &
	pid=$!
	_chops_register "$pid" static "$dir"
	if ! _chops_wait "$CHOPS_TEST_START_TIMEOUT" "$pid" _chops_curl -f -o /dev/null -m 2 "http://127.0.0.1:$port/metrics"; then
		_chops_say "static server did not answer on 127.0.0.1:$port"
		_chops_tail "$log"
		_chops_stop static "$pid" "$dir"
		return 1
	fi
	_chops_env_set CHOPS_TEST_EXPORTER_URL "http://127.0.0.1:$port/metrics" \
		CHOPS_TEST_EXPORTER_DIR "$dir" CHOPS_TEST_EXPORTER_PORT "$port" \
		CHOPS_TEST_EXPORTER_PID "$pid"
	_chops_say "static server up on 127.0.0.1:$port (pid $pid) in $(_chops_since "$t0")s"
}

stop_static() {
	[ -n "${CHOPS_TEST_EXPORTER_DIR:-}" ] || { _chops_say "stop_static: not started"; return 1; }
	_chops_stop static "${CHOPS_TEST_EXPORTER_PID:-}" "$CHOPS_TEST_EXPORTER_DIR" || return 1
	_chops_env_set CHOPS_TEST_EXPORTER_PID ""
}

# ------------------------------------------------------------------ Prometheus

# start_prometheus [DIR]: needs start_static first. Scrapes it every second
# as job "kafka"; job "broken" targets a port nothing listens on. Exports
# CHOPS_TEST_PROM_URL, CHOPS_TEST_PROM_PID, CHOPS_TEST_PROM_PORT,
# CHOPS_TEST_PROM_DIR, CHOPS_TEST_PROM_BROKEN_TARGET (host:port).
start_prometheus() {
	chops_test_init || return 1
	local dir port broken
	[ -n "${CHOPS_TEST_EXPORTER_PORT:-}" ] || { _chops_say "start_prometheus: run start_static first"; return 1; }
	dir=$(_chops_mkdir "${1:-}" "$CHOPS_TEST_TMP/prometheus") || return 1
	if [ ! -s "$dir/ports" ]; then
		{ read -r port; read -r broken; } < <(free_port 2)
		[ -n "$broken" ] || { _chops_say "prometheus: no free port"; return 1; }
		mkdir -p "$dir/data"
		cat >"$dir/prometheus.yml" <<EOF
# generated by tests/lib/servers.sh
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: kafka
    metrics_path: /metrics
    static_configs:
      - targets: ['127.0.0.1:$CHOPS_TEST_EXPORTER_PORT']
  - job_name: broken
    metrics_path: /metrics
    static_configs:
      - targets: ['127.0.0.1:$broken']
EOF
		echo "$port $broken" >"$dir/ports"
	fi
	_chops_prom_launch "$dir"
}

_chops_prom_ready() { _chops_curl -f -o /dev/null -m 2 "$1/-/ready"; }

_chops_prom_launch() {
	local dir=$1 port broken pid t0
	read -r port broken <"$dir/ports"
	t0=$(_chops_usec)
	prometheus --config.file="$dir/prometheus.yml" --storage.tsdb.path="$dir/data" \
		--web.listen-address="127.0.0.1:$port" --web.enable-lifecycle \
		</dev/null >>"$dir/prometheus.log" 2>&1 &
	pid=$!
	_chops_register "$pid" prometheus "$dir"
	if ! _chops_wait "$CHOPS_TEST_START_TIMEOUT" "$pid" _chops_prom_ready "http://127.0.0.1:$port"; then
		_chops_say "prometheus did not become ready on 127.0.0.1:$port"
		_chops_tail "$dir/prometheus.log"
		_chops_stop prometheus "$pid" "$dir"
		return 1
	fi
	_chops_env_set CHOPS_TEST_PROM_URL "http://127.0.0.1:$port" CHOPS_TEST_PROM_PORT "$port" \
		CHOPS_TEST_PROM_PID "$pid" CHOPS_TEST_PROM_DIR "$dir" \
		CHOPS_TEST_PROM_BROKEN_TARGET "127.0.0.1:$broken"
	_chops_say "prometheus up on 127.0.0.1:$port (pid $pid) in $(_chops_since "$t0")s"
}

stop_prometheus() {
	[ -n "${CHOPS_TEST_PROM_DIR:-}" ] || { _chops_say "stop_prometheus: not started"; return 1; }
	_chops_stop prometheus "${CHOPS_TEST_PROM_PID:-}" "$CHOPS_TEST_PROM_DIR" || return 1
	_chops_env_set CHOPS_TEST_PROM_PID ""
}

restart_prometheus() {
	stop_prometheus || return 1
	_chops_prom_launch "$CHOPS_TEST_PROM_DIR"
}

# ------------------------------------------------------------------ stop_all

# stop_all: stop every process this run registered (by PID, and only if its
# command line names its dir), tmux servers of screen tests, then remove
# the temp dir this shell created (unless CHOPS_TEST_KEEP=1). Radosgw and
# the other servers go first, then the OSD, then the monitor (an OSD
# stopping without its monitor waits for it). Safe to call twice.
stop_all() {
	local reg=${CHOPS_TEST_TMP:-}/pids pid role dir sock
	if [ -n "${CHOPS_TEST_TMP:-}" ] && [ -f "$reg" ]; then
		for sock in "$CHOPS_TEST_TMP"/tmux.*/sock; do
			[ -S "$sock" ] && tmux -S "$sock" kill-server >/dev/null 2>&1
		done
		local -a first=() osd=() mon=()
		while read -r pid role dir; do
			[[ $pid =~ ^[0-9]+$ ]] || continue
			_chops_alive "$pid" || continue
			if ! _chops_owned "$pid" "$dir"; then
				_chops_say "not stopping pid $pid ($role): its command line does not name $dir"
				continue
			fi
			case $role in
			ceph-osd) osd+=("$pid") ;;
			ceph-mon) mon+=("$pid") ;;
			*) first+=("$pid") ;;
			esac
		done <"$reg"
		_chops_stop_pids "$CHOPS_TEST_STOP_GRACE" "${first[@]}"
		_chops_stop_pids "$CHOPS_TEST_STOP_GRACE" "${osd[@]}"
		_chops_stop_pids "$CHOPS_TEST_STOP_GRACE" "${mon[@]}"
	fi
	if [ -n "${_CHOPS_OWN_TMP:-}" ] && [ -d "$_CHOPS_OWN_TMP" ]; then
		if [ "${CHOPS_TEST_KEEP:-0}" = 1 ]; then
			_chops_say "kept $_CHOPS_OWN_TMP"
		else
			rm -rf "$_CHOPS_OWN_TMP"
		fi
	fi
	_CHOPS_OWN_TMP=
	return 0
}

# ------------------------------------------------------------------

chops_env_load

# run as a command: tests/lib/servers.sh FUNCTION [ARGS]
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	case ${1:-} in
	start_* | stop_* | restart_* | free_port) "$@" ;;
	*)
		echo "usage: $0 {start_clickhouse|stop_clickhouse|restart_clickhouse|start_radosgw|stop_radosgw|restart_radosgw|start_static|stop_static|start_prometheus|stop_prometheus|restart_prometheus|free_port} [ARGS]" >&2
		exit 2
		;;
	esac
fi
