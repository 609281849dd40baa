#!/usr/bin/env bash
# tests/screen/framework.sh - the console framework, through the real
# binary: `chops` with no command in a detached tmux of fixed size on a
# private socket, read back with capture-pane, polling (never sleeping) until
# the expected text shows. Placeholder panes are forced with
# CHOPS_PLACEHOLDER_PANES=1, so no server is needed.
#
#   tests/screen/framework.sh        (TAP on stdout)
#
# Environment: CHOPS_BIN (default ./chops), CHOPS_SRCDIR (default: two
# levels above this script), CHOPS_TEST_TMP or TMPDIR for the temp dir.

set -u

here=$(cd "$(dirname "$0")" && pwd)
srcdir=${CHOPS_SRCDIR:-$(cd "$here/../.." && pwd)}
bin=${CHOPS_BIN:-./chops}
case $bin in /*) ;; *) bin=$PWD/$bin ;; esac

# shellcheck source=tests/lib/tap.sh
. "$srcdir/tests/lib/tap.sh"

tmpdir=$(mktemp -d "${CHOPS_TEST_TMP:-${TMPDIR:-/tmp}}/screen.XXXXXX") || exit 1
T=(tmux -S "$tmpdir/sock" -f "$tmpdir/tmux.conf")
S=
n_session=0

cleanup() {
	"${T[@]}" kill-server >/dev/null 2>&1
	rm -rf "$tmpdir"
}
trap cleanup EXIT

term=screen
for t in tmux-256color screen-256color; do
	if infocmp "$t" >/dev/null 2>&1; then
		term=$t
		break
	fi
done
cat >"$tmpdir/tmux.conf" <<EOF
set -g default-terminal "$term"
set -g exit-empty off
set -g remain-on-exit on
set -g status off
set -g escape-time 0
set -g history-limit 100
EOF
mkdir -p "$tmpdir/home" "$tmpdir/xdg" "$tmpdir/themes"
printf '; empty: defaults\n' >"$tmpdir/chops.ini"
utf8=
if locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$'; then
	utf8=C.UTF-8
	export LC_ALL=$utf8	# for the patterns below, too
fi

# ------------------------------------------------------------ helpers

# start COLSxROWS [VAR=value...] [-- chops arguments]: a new session
start() {
	local size=$1 cols rows vars=()
	shift
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		vars+=("$1")
		shift
	done
	[ "${1:-}" = -- ] && shift
	cols=${size%x*}
	rows=${size#*x}
	[ -n "$S" ] && "${T[@]}" kill-session -t "$S" >/dev/null 2>&1
	n_session=$((n_session + 1))
	S=chops$n_session
	"${T[@]}" new-session -d -s "$S" -x "$cols" -y "$rows" \
		env -u NO_COLOR HOME="$tmpdir/home" XDG_CONFIG_HOME="$tmpdir/xdg" \
		CHOPS_CONFIG="$tmpdir/chops.ini" CHOPS_THEMES_DIR="$srcdir/themes" \
		CHOPS_PLACEHOLDER_PANES=1 ${utf8:+LANG=$utf8 LC_ALL=$utf8} \
		"${vars[@]}" \
		sh -c 'ulimit -c 0; "$@"; echo "EXIT=$?"' sh "$bin" "$@"
}

screen() { "${T[@]}" capture-pane -p -t "$S" "$@"; }
line() { screen | sed -n "${1}p"; }
keys() { "${T[@]}" send-keys -t "$S" "$@"; }
resize() { "${T[@]}" resize-window -t "$S" -x "$1" -y "$2"; }
alt_on() { "${T[@]}" display -p -t "$S" '#{alternate_on}'; }

has() { screen | grep -qF -- "$1"; }
lacks() { ! has "$1"; }
# with the scrollback, wrapped lines joined (what the shell printed after)
has_all() { screen -J -S - | grep -qF -- "$1"; }

# wait_for TEXT [TIMEOUT]: until TEXT is on the screen
wait_for() {
	wait_until "${2:-10}" has "$1" && return 0
	printf '# timed out waiting for "%s"\n' "$1"
	return 1
}

wait_gone() {
	wait_until "${2:-10}" lacks "$1" && return 0
	printf '# timed out waiting for "%s" to go\n' "$1"
	return 1
}

# check NAME CMD...: ok if CMD succeeds, else not ok with the screen
check() {
	local name=$1
	shift
	if "$@"; then
		tap_ok "$name"
	else
		tap_fail "$name" "screen:" "$(screen | sed 's/^/|/')"
	fi
}

# the pane frames' top line: which titles it holds
frame_titles() {
	local l t n=0
	l=$(line 2)
	for t in ClickHouse "Kafka lag" Backups; do
		case $l in *"$t"*) n=$((n + 1)) ;; esac
	done
	printf '%s' "$n"
}

columns_up() { [ "$(frame_titles)" = 3 ]; }
tabs_up() { [ "$(frame_titles)" = 1 ] && line 1 | grep -q '1 ClickHouse'; }

# every line between header and footer is inside a frame: nothing left over
frames_clean() {
	local rows=$1 i l lines
	mapfile -t lines < <(screen)
	[ "${#lines[@]}" -ge "$rows" ] || return 1
	for ((i = 1; i < rows - 1; i++)); do
		l=${lines[i]}
		case $l in
		[┌│└]*[┐│┘]) ;;
		*) printf '# line %d: %s\n' "$((i + 1))" "$l"; return 1 ;;
		esac
	done
	case ${lines[rows - 1]} in *Quit*) return 0 ;; esac
	return 1
}

# the distinct SGR sequences on screen
sgr_set() { screen -e | grep -ao $'\e\[[0-9;]*m' | sort -u; }

# true when an SGR sequence sets a colour (30-37, 38, 40-48, 90-107)
has_colour() {
	local seq p
	while read -r seq; do
		seq=${seq#$'\e['}
		seq=${seq%m}
		IFS=';' read -ra p <<<"$seq"
		for x in "${p[@]}"; do
			case $x in
			3[0-8] | 4[0-8] | 9[0-7] | 10[0-7]) return 0 ;;
			esac
		done
	done < <(sgr_set)
	return 1
}

has_attr() { sgr_set | grep -qE $'\e\\[([0-9;]*;)?(1|7)(;[0-9;]*)?m'; }

chops_pid() {
	local sh
	sh=$("${T[@]}" display -p -t "$S" '#{pane_pid}')
	ps -o pid= --ppid "$sh" | tr -d ' ' | head -n 1
}

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# back at the shell, which printed chops' exit status; no alternate screen.
# (tmux may scroll the main screen when the pane starts, so look in the
# scrollback too.)
quit_clean() {
	wait_until 10 has_all "EXIT=0" && [ "$(alt_on)" = 0 ]
}

# ------------------------------------------------------------ 80x24

if [ ! -x "$bin" ]; then
	tap_fail "chops binary at $bin" "build it first (make), or set CHOPS_BIN"
	tap_done
	exit
fi

row2_has() { line 2 | grep -qF -- "$1"; }
header_clock() {
	line 1 | grep -qE 'chops.*2 Kafka lag.*3 Backups.*[0-9]{2}:[0-9]{2}:[0-9]{2}'
}
footer_hints() { line "$1" | grep -q Help && line "$1" | grep -q Quit; }
opens_tabs() { wait_for row-00-alpha && wait_until 5 tabs_up; }
opens_columns() {
	wait_for row-00-alpha && wait_until 5 columns_up && frames_clean "$1"
}
tab_moved() {
	wait_until 5 row2_has "Kafka lag" && line 1 | grep -q '2 Kafka lag'
}
filtered() {
	wait_for "1/2 of 50" && has row-01-bravo && has row-27-bravo &&
	    lacks row-00-alpha
}
unfiltered() { wait_for row-00-alpha && wait_gone "filter: bravo"; }
filter_cancelled() {
	wait_gone "Filter:" && has row-00-alpha && lacks "no rows match"
}
columns_header() { line 4 | grep -qE "$1"; }
help_shown() {
	wait_for "Help: keys" && has "Quit chops" && has "Next colour theme" &&
	    has "Move down"
}
help_closed() { wait_gone "Help: keys" && has Quit; }
crashed_clean() {
	wait_until 10 has_all "EXIT=139" && [ "$(alt_on)" = 0 ]
}
too_small_quits() {
	wait_for "terminal too small" && keys q && quit_clean
}
colours_changed() { [ "$(sgr_set)" != "$1" ]; }
mono() { wait_for row-00-alpha && ! has_colour && has_attr; }
opens_quits() { wait_for row-00-alpha && keys q && quit_clean; }
read_only_badge() { wait_for row-00-alpha && line 1 | grep -q READ-ONLY; }
broken_theme() { wait_for row-00-alpha && wait_for "broken.ini:2:"; }
dumb() {
	wait_until 10 has_all "EXIT=3" && has_all \
	    "the console needs a terminal; for a one-shot summary run 'chops status'"
}

start 80x24
check "80x24: opens in tabs, one pane at full width" opens_tabs
check "80x24: header shows profile, sources and clock" header_clock
check "80x24: footer shows key hints from the key table" footer_hints 24
check "80x24: nothing overlaps (every body line inside the frame)" \
	frames_clean 24

keys Tab
check "Tab switches to the next pane" tab_moved
keys BTab
check "BTab goes back" wait_until 5 row2_has ClickHouse

keys /
wait_for "Filter:" >/dev/null
keys -l bravo
keys Enter
check "/ filter narrows the list" filtered
keys Escape
check "Esc clears the filter" unfiltered

keys /
wait_for "Filter:" >/dev/null
keys -l zzz
keys Escape
check "Esc cancels the filter line" filter_cancelled

keys s
check "s sorts by the first column (indicator shown)" \
	wait_until 5 columns_header '#(▲|\^) '
keys s s S
check "s cycles columns, S reverses (value, highest first)" \
	wait_until 5 columns_header 'value(▼|v)'

keys '?'
check "? shows help generated from the key table" help_shown
keys Escape
check "Esc closes help" help_closed

keys g D
check "D asks to type the name of the selected row" wait_for "Type its name"
keys -l wrong
keys Enter
check "a wrong name is refused" wait_for "does not match"
keys Escape
check "Esc cancels the confirmation" wait_gone "Type its name"

keys T
check "T switches theme (status says which)" wait_for "theme: high contrast"

keys q
check "q quits and restores the terminal (no alternate screen)" quit_clean

# ------------------------------------------------------------ sizes

start 120x40
check "120x40: three panes side by side" opens_columns 40
keys F10
check "F10 quits" quit_clean

start 200x60
check "200x60: three panes side by side" opens_columns 60

resize 80 24
check "resize 200x60 -> 80x24: tabs, redrawn clean" \
	eval 'wait_until 5 tabs_up && wait_until 5 frames_clean 24'
resize 200 60
check "resize 80x24 -> 200x60: columns, redrawn clean" \
	eval 'wait_until 5 columns_up && wait_until 5 frames_clean 60'
resize 79 24
check "smaller than 80x24: says so" \
	wait_for "terminal too small (79x24), need 80x24"
resize 100 30
check "back to 100x30: tabs again" \
	eval 'wait_until 5 tabs_up && wait_until 5 frames_clean 30'

pid=$(chops_pid)
before=$(cpu_ticks "$pid")
sleep 3	# measuring, not waiting for output
after=$(cpu_ticks "$pid")
check "idle: next to no CPU in 3 s ($((after - before)) ticks)" \
	test $((after - before)) -le 5

kill -TERM "$pid"
check "SIGTERM ends it cleanly, terminal restored" quit_clean

start 80x24
wait_for row-00-alpha >/dev/null
kill -SEGV "$(chops_pid)"
check "a crash (SIGSEGV) restores the terminal first" crashed_clean

start 79x24
check "79x24 at start: too small, and q still quits" too_small_quits

# ------------------------------------------------------------ colours

start 120x40
wait_for row-00-alpha >/dev/null
before=$(sgr_set)
keys T
wait_for "theme: high contrast" >/dev/null
check "T changes the colours on screen" wait_until 5 colours_changed "$before"
keys q
quit_clean >/dev/null

start 120x40 NO_COLOR=1
check "NO_COLOR=1: no colour at all, attributes only" mono
keys q
quit_clean >/dev/null

for t in xterm-256color screen tmux-256color vt100; do
	if ! infocmp "$t" >/dev/null 2>&1; then
		tap_skip "TERM=$t" "no terminfo entry"
		continue
	fi
	start 80x24 TERM="$t"
	check "TERM=$t: opens and quits" opens_quits
done
start 80x24 TERM=vt100
check "TERM=vt100: monochrome" mono
keys q

# ------------------------------------------------------------ options

start 80x24 -- --read-only
check "--read-only: READ-ONLY badge in the header" read_only_badge
keys D
check "--read-only: D is refused" wait_for "read-only: not deleting"
keys q

printf '[roles]\nheader = red;blue;blink\n' >"$tmpdir/themes/broken.ini"
start 80x24 CHOPS_THEMES_DIR="$tmpdir/themes" -- --theme broken
check "a broken theme: built-in colours, file:line in the status line" \
	broken_theme
keys q

# ------------------------------------------------------------ no terminal

start 80x24 TERM=dumb
check "TERM=dumb: says to use chops status, exit 3" dumb

out=$(env CHOPS_CONFIG="$tmpdir/chops.ini" CHOPS_PLACEHOLDER_PANES=1 \
	"$bin" </dev/null 2>&1 >/dev/null)
rc=$?
if [ "$rc" = 3 ] && printf '%s' "$out" |
	grep -q "needs a terminal; for a one-shot summary run 'chops status'"; then
	tap_ok "no tty: the message, exit 3"
else
	tap_fail "no tty: the message, exit 3" "exit $rc: $out"
fi

tap_done
