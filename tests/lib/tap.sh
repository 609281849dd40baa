# shellcheck shell=bash
# tests/lib/tap.sh - TAP output and polling helpers for shell tests
# (tests/integration/*.sh, tests/screen/*.sh). Source it from bash:
#
#   . "$(dirname "$0")/../lib/tap.sh"
#   tap_ok NAME                  ok N - NAME
#   tap_fail NAME [REASON...]    not ok N - NAME, then each REASON as "# ..."
#   tap_skip NAME REASON         ok N - NAME # SKIP REASON
#   tap_check NAME CMD...        tap_ok if CMD succeeds, else tap_fail with its output
#   tap_done                     prints the plan 1..N; returns 1 if anything failed,
#                                so it can end the script
#   wait_until TIMEOUT CMD...    run CMD until it succeeds (polling, no fixed
#                                sleeps); 1 after TIMEOUT seconds
#
# Screen tests drive a program in a private tmux server:
#   tmux_start COLSxROWS CMD [ARGS...]   start CMD in a detached COLSxROWS pane
#   tmux_screen [capture-pane options]   the visible screen as text (-e: with colours)
#   tmux_wait_for TEXT TIMEOUT           until TEXT (fixed string) is on screen
#   tmux_wait_gone TEXT TIMEOUT          until TEXT is no longer on screen
#   tmux_keys KEY...                     tmux send-keys (e.g. q, Enter, C-c, -l "text")
#   tmux_pane_status                     "running", or "exited N" once CMD has ended
#                                        (N is 128+signal if it was killed)
#   tmux_stop                            kill this tmux server (also done at exit)
#
# tests/run runs every script from the project root with the servers'
# variables exported (see tests/lib/servers.sh), plus CHOPS_SRCDIR (the
# project root) and CHOPS_BIN (the chops executable).

_tap_n=0
_tap_failed=0

tap_ok() {
	_tap_n=$((_tap_n + 1))
	printf 'ok %d - %s\n' "$_tap_n" "$1"
}

tap_fail() {
	local name=$1 line
	shift
	_tap_n=$((_tap_n + 1))
	_tap_failed=$((_tap_failed + 1))
	printf 'not ok %d - %s\n' "$_tap_n" "$name"
	for line in "$@"; do
		printf '%s\n' "$line" | sed 's/^/# /'
	done
}

tap_skip() {
	_tap_n=$((_tap_n + 1))
	printf 'ok %d - %s # SKIP %s\n' "$_tap_n" "$1" "${2:-}"
}

tap_check() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then
		tap_ok "$name"
	else
		tap_fail "$name" "command: $*" "$out"
	fi
}

tap_done() {
	printf '1..%d\n' "$_tap_n"
	[ "$_tap_failed" -eq 0 ]
}

# microseconds since the epoch
_tap_usec() { local t=${EPOCHREALTIME/[.,]/}; printf '%s' "${t:-$(($(date +%s) * 1000000))}"; }

# "2.5" -> 2500000
_tap_sec_to_usec() {
	local s=$1 i f
	i=${s%%.*}
	f=
	[ "$i" != "$s" ] && f=${s#*.}
	f=${f}000000
	printf '%d' $((10#${i:-0} * 1000000 + 10#${f:0:6}))
}

wait_until() {
	local timeout=$1 end delay=0.02
	shift
	end=$(($(_tap_usec) + $(_tap_sec_to_usec "$timeout")))
	while :; do
		"$@" && return 0
		[ "$(_tap_usec)" -lt "$end" ] || return 1
		sleep "$delay"
		case $delay in 0.02) delay=0.05 ;; 0.05) delay=0.1 ;; 0.1) delay=0.2 ;; esac
	done
}

# ------------------------------------------------------------------ tmux

_TAP_TMUX_DIR=
_TAP_TMUX=()

tmux_start() {
	local size=$1 cols rows base conf term
	shift
	cols=${size%x*}
	rows=${size#*x}
	[ -n "$_TAP_TMUX_DIR" ] && tmux_stop
	# under the run's temp dir, so tests/run can kill a leftover server;
	# short, because a socket path must stay under 108 characters
	base=${CHOPS_TEST_TMP:-${TMPDIR:-/tmp}}
	_TAP_TMUX_DIR=$(mktemp -d "$base/tmux.XXXXXX") || return 1
	term=screen
	infocmp screen-256color >/dev/null 2>&1 && term=screen-256color
	conf=$_TAP_TMUX_DIR/tmux.conf
	cat >"$conf" <<EOF
set -g default-terminal "$term"
set -g remain-on-exit on
set -g status off
set -g history-limit 2000
set -g escape-time 0
EOF
	_TAP_TMUX=(tmux -S "$_TAP_TMUX_DIR/sock" -f "$conf")
	# stop the tmux server when the script ends, unless it has its own trap
	[ -z "$(trap -p EXIT)" ] && trap tmux_stop EXIT
	# CMD runs under sh, which records its exit status (tmux 3.3 does not
	# always report #{pane_dead_status})
	"${_TAP_TMUX[@]}" new-session -d -s chops -x "$cols" -y "$rows" \
		sh -c '"$@"; echo $? >"$0.tmp" && mv "$0.tmp" "$0"' "$_TAP_TMUX_DIR/status" "$@"
}

# shellcheck disable=SC2120 # options are for callers
tmux_screen() {
	[ ${#_TAP_TMUX[@]} -gt 0 ] || return 1
	"${_TAP_TMUX[@]}" capture-pane -p -t chops "$@"
}

_tmux_has() { tmux_screen 2>/dev/null | grep -qF -- "$1"; }
_tmux_lacks() { ! _tmux_has "$1"; }

tmux_wait_for() {
	wait_until "${2:-10}" _tmux_has "$1" && return 0
	printf '# timed out after %ss waiting for "%s"; screen:\n' "${2:-10}" "$1"
	tmux_screen 2>&1 | sed 's/^/# |/'
	return 1
}

tmux_wait_gone() {
	wait_until "${2:-10}" _tmux_lacks "$1" && return 0
	printf '# timed out after %ss waiting for "%s" to go; screen:\n' "${2:-10}" "$1"
	tmux_screen 2>&1 | sed 's/^/# |/'
	return 1
}

tmux_keys() {
	[ ${#_TAP_TMUX[@]} -gt 0 ] || return 1
	"${_TAP_TMUX[@]}" send-keys -t chops "$@"
}

tmux_pane_status() {
	local st dead
	if [ -n "$_TAP_TMUX_DIR" ] && read -r st 2>/dev/null <"$_TAP_TMUX_DIR/status"; then
		printf 'exited %s\n' "$st"
		return
	fi
	dead=$("${_TAP_TMUX[@]}" display-message -p -t chops '#{pane_dead}' 2>/dev/null)
	# dead without a status: its shell was killed too
	if [ "$dead" = 1 ]; then printf 'exited ?\n'; else printf 'running\n'; fi
}

tmux_stop() {
	[ -n "$_TAP_TMUX_DIR" ] || return 0
	"${_TAP_TMUX[@]}" kill-server >/dev/null 2>&1
	rm -rf "$_TAP_TMUX_DIR"
	_TAP_TMUX_DIR=
	_TAP_TMUX=()
	return 0
}
