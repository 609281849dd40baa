# shellcheck shell=bash
# bench/lib/bench.sh - recording and running comparisons for bench/run.
#
# A comparison (bench_cmp) has contenders (bench_contender). Each contender
# is a bash command line run as `bash -o pipefail -euc CMD` under
# bench/measure (wall time, user+sys CPU and peak RSS of the whole
# pipeline), with an optional untimed PREP function before each run and a
# CHECK function after it that must confirm the result (counts, sizes,
# rows) before the time is kept. bench_alternate runs one warm-up per
# contender, then RUNS rounds of every contender in turn: A B C A B C ...
#
# Needs: RES (results dir), BIN (measure), RUNS, BENCH_RUN_TIMEOUT, and the
# variables the commands use, exported.

# ------------------------------------------------------------------ output

bench_say() { printf 'bench: %s\n' "$*" >&2; }
bench_die() {
	printf 'bench: error: %s\n' "$*" >&2
	exit 1
}

# bench_now: seconds since the epoch with microseconds ("1700000000.123456")
bench_now() { printf '%s' "${EPOCHREALTIME/,/.}"; }
# bench_elapsed T0: seconds since bench_now T0, as "12.3"
bench_elapsed() { awk -v a="$1" -v b="$(bench_now)" 'BEGIN { printf "%.1f", b - a }'; }

_bench_tsv() {
	local f=$1
	shift
	local IFS=$'\t'
	printf '%s\n' "$*" >>"$RES/$f"
}

bench_meta() { _bench_tsv meta.tsv "$@"; }			# SECTION KEY VALUE
bench_cmp() { _bench_tsv cmp.tsv "$@"; }			# CMP KIND TITLE
bench_value() { _bench_tsv values.tsv "$@"; }			# CMP KEY VALUE
bench_note() { _bench_tsv notes.tsv "$@"; }			# CMP TEXT
bench_state() { _bench_tsv state.tsv "$@"; }			# CMP ID STATE NOTE
bench_sample() { _bench_tsv samples.tsv "$@"; }		# CMP ID RUN WALL USER SYS RSS

declare -gA BENCH_CMD=() BENCH_PREP=() BENCH_CHECK=() BENCH_LABEL=()

# bench_contender CMP ID ROLE LABEL DISPLAY CMD [PREP] [CHECK]
# ROLE: chops, peer, limit or ref. DISPLAY is the command as the results
# file shows it (no machine paths, no secrets); CMD what actually runs.
bench_contender() {
	local c=$1 id=$2
	_bench_tsv cont.tsv "$c" "$id" "$3" "$4" "$5"
	BENCH_LABEL[$c/$id]=$4
	BENCH_CMD[$c/$id]=$6
	BENCH_PREP[$c/$id]=${7:-}
	BENCH_CHECK[$c/$id]=${8:-}
}

# bench_unavailable CMP ID WHAT: shown as "not available ...: WHAT"
bench_unavailable() {
	bench_state "$1" "$2" unavailable "$3"
	bench_say "$1: ${BENCH_LABEL[$1/$2]:-$2}: not available: $3"
}

# bench_is_state CMP ID STATE
bench_is_state() {
	[ -s "$RES/state.tsv" ] || return 1
	awk -F'\t' -v c="$1" -v i="$2" -v s="$3" '$1 == c && $2 == i { last = $3 }
		END { exit !(last == s) }' "$RES/state.tsv"
}

# ------------------------------------------------------------------ running

# _bench_one CMP ID RUN: one measured run; 0 when it ran and checked out
_bench_one() {
	local c=$1 id=$2 r=$3 tag out err m prep check why wall user sys rss code
	tag=$c-$id-$r
	out=$RES/runs/$tag.out err=$RES/runs/$tag.err m=$RES/runs/$tag.m
	prep=${BENCH_PREP[$c/$id]} check=${BENCH_CHECK[$c/$id]}
	if [ -n "$prep" ] && ! why=$("$prep" "$c" "$id" 2>&1); then
		BENCH_WHY="preparing run $r failed: ${why:-(no message)}"
		return 1
	fi
	"$BIN/measure" "$m" timeout -k 10 "$BENCH_RUN_TIMEOUT" \
		bash -o pipefail -euc "${BENCH_CMD[$c/$id]}" >"$out" 2>"$err" </dev/null
	read -r wall user sys rss code <"$m" || {
		BENCH_WHY="run $r: no measurement"
		return 1
	}
	if [ "$code" != 0 ]; then
		BENCH_WHY="run $r: exit status $code$( [ "$code" = 124 ] && printf ' (timed out after %ss)' "$BENCH_RUN_TIMEOUT"): $(_bench_tail "$err")"
		return 1
	fi
	if [ -n "$check" ] && ! why=$("$check" "$c" "$id" "$out" "$err" 2>&1); then
		BENCH_WHY="run $r: result not verified: ${why:-(no message)}"
		return 1
	fi
	bench_sample "$c" "$id" "$r" "$wall" "$user" "$sys" "$rss"
	BENCH_LAST_WALL=$wall BENCH_LAST_RSS=$rss
	return 0
}

# the last lines of a file, on one line, for a message
_bench_tail() { tail -n 3 "$1" 2>/dev/null | tr '\n' ' ' | sed 's/ *$//' | cut -c1-300; }

# bench_alternate CMP ID...: warm-up, then RUNS alternating rounds of the
# contenders that are not unavailable. A contender whose run fails or does
# not check out is marked FAILED and left out of the following rounds.
bench_alternate() {
	local c=$1 r id ids=()
	shift
	for id; do
		bench_is_state "$c" "$id" unavailable || ids+=("$id")
	done
	[ ${#ids[@]} -gt 0 ] || return 0
	declare -A dead=()
	for ((r = 0; r <= RUNS; r++)); do
		for id in "${ids[@]}"; do
			[ -z "${dead[$id]:-}" ] || continue
			BENCH_WHY=
			if _bench_one "$c" "$id" "$r"; then
				printf 'bench: %-8s %-40s %-9s %8.3f s  %7.1f MiB\n' "$c" \
					"${BENCH_LABEL[$c/$id]:0:40}" \
					"$([ "$r" = 0 ] && echo 'warm-up' || printf 'run %d/%d' "$r" "$RUNS")" \
					"$BENCH_LAST_WALL" "$(awk -v k="$BENCH_LAST_RSS" 'BEGIN { printf "%.1f", k / 1024 }')" >&2
			else
				dead[$id]=1
				bench_state "$c" "$id" failed "$BENCH_WHY"
				bench_say "$c: ${BENCH_LABEL[$c/$id]}: FAILED: $BENCH_WHY"
				BENCH_FAILED=$((BENCH_FAILED + 1))
			fi
		done
	done
}
