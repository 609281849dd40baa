/* Small helpers shared by every part of core: time, numbers, durations. */
#ifndef CHOPS_UTIL_H
#define CHOPS_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define nitems(a) (sizeof (a) / sizeof (a)[0])

/* Monotonic clock in milliseconds (for timeouts, rates, ages). */
int64_t	 util_now_ms(void);
/* Wall clock in milliseconds since the epoch (for display and records). */
int64_t	 util_wall_ms(void);

/*
 * Durations: "500ms", "10s", "2m", "1h" (a bare number is seconds).
 * Returns 0 and sets *ms, or -1 with *cause (caller frees).
 */
int	 util_parse_duration(const char *, int64_t *ms, char **cause);
/* Sizes: "5242880", "8MiB", "64KiB", "1GiB", "10MB". */
int	 util_parse_size(const char *, uint64_t *bytes, char **cause);
/* Booleans: true/false, yes/no, on/off, 1/0. */
int	 util_parse_bool(const char *, bool *, char **cause);

/*
 * Numbers independent of the locale (curses calls setlocale, which changes
 * strtod). Accepts NaN, +Inf, -Inf, exponent form. Returns 0 when the whole
 * string [s, s+len) is a number, -1 otherwise.
 */
int	 util_strtod(const char *s, size_t len, double *out);
/* Whole decimal integers, the whole string or -1. */
int	 util_strtoll(const char *s, size_t len, long long *out);
int	 util_strtoull(const char *s, size_t len, unsigned long long *out);

/* Human forms for screens and messages: "1.5 GiB", "3m 20s", "12.3k". */
void	 util_fmt_bytes(char *, size_t, double bytes);
void	 util_fmt_duration(char *, size_t, int64_t ms);
void	 util_fmt_count(char *, size_t, double n);
/* "2026-11-29T12:00:00Z" from epoch milliseconds. */
void	 util_fmt_iso8601(char *, size_t, int64_t wall_ms);

/* Trim ASCII white space in place; returns s. */
char	*util_trim(char *s);
/* Overwrite a secret before freeing it. NULL is fine. */
void	 util_free_secret(char *);
/* user@host for records such as manifests and audit lines. */
char	*util_user_at_host(void);

#endif
