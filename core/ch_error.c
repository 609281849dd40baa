/*
 * ClickHouse errors: exception text parsed into a code and one line for
 * people, errors from non-2xx answers, and exception text that the server
 * appended to a 200 answer after data had been streamed (see clickhouse.h).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "clickhouse.h"
#include "util.h"
#include "xmalloc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* Longest message taken from an answer that is not an exception. */
#define CH_MESSAGE_MAX		300

void
ch_error_clear(struct ch_error *err)
{
	if (err == NULL)
		return;
	free(err->message);
	free(err->query_id);
	memset(err, 0, sizeof *err);
}

const char *
ch_errkind_name(enum ch_errkind kind)
{
	static const char *names[] = {
		"ok", "server error", "authentication failed",
		"transport error", "timeout", "cancelled", "protocol error",
		"stopped by consumer", "usage error",
	};

	if ((size_t)kind >= nitems(names))
		return "unknown error";
	return names[kind];
}

void
ch_error_set(struct ch_error *err, enum ch_errkind kind, int code,
    char *message)
{
	free(err->message);
	err->kind = kind;
	err->code = code;
	err->message = message;
}

/* One clean line: control bytes and runs of spaces become one space. */
static char *
ch_clean_line(const char *s, size_t len, size_t max)
{
	struct buf	 b = BUF_INIT;
	unsigned char	 c;
	bool		 space = false;
	size_t		 i;

	for (i = 0; i < len && b.len < max; i++) {
		c = (unsigned char)s[i];
		if (c <= ' ' || c == 0x7f) {
			space = true;
			continue;
		}
		if (space && b.len > 0)
			buf_addc(&b, ' ');
		space = false;
		buf_addc(&b, (char)c);
	}
	if (i < len && b.len >= max)
		buf_addstr(&b, "...");
	return buf_detach(&b);
}

static bool
ch_starts(const char *s, size_t len, const char *prefix)
{
	size_t	n = strlen(prefix);

	return len >= n && memcmp(s, prefix, n) == 0;
}

/* The last occurrence of needle in [s, s+len), or NULL. */
static const char *
ch_last(const char *s, size_t len, const char *needle)
{
	size_t	n = strlen(needle), i;

	if (len < n)
		return NULL;
	for (i = len - n + 1; i-- > 0;) {
		if (memcmp(s + i, needle, n) == 0)
			return s + i;
	}
	return NULL;
}

/*
 * "Code: N" at s; returns the length of that prefix with *code, or 0.
 * *shape is 1 for ", e.displayText() = " after it, 2 for ". DB::".
 */
static size_t
ch_code_prefix(const char *s, size_t len, int *code, int *shape)
{
	size_t	i = 6;
	int	n = 0;

	if (!ch_starts(s, len, "Code: "))
		return 0;
	while (i < len && i < 15 && isdigit((unsigned char)s[i]))
		n = n * 10 + (s[i++] - '0');
	if (i == 6)
		return 0;
	*code = n;
	if (ch_starts(s + i, len - i, ", e.displayText() = ")) {
		*shape = 1;
		return i + 20;
	}
	if (ch_starts(s + i, len - i, ". DB::")) {
		*shape = 2;
		return i + 2;
	}
	return 0;
}

static void
ch_trim_end(const char *s, size_t *len)
{
	while (*len > 0 && isspace((unsigned char)s[*len - 1]))
		(*len)--;
}

int
ch_parse_exception(const char *text, size_t len, int *code, char **message)
{
	const char	*body, *cut, *nl;
	size_t		 skip, n;
	int		 shape = 0;

	while (len > 0 && isspace((unsigned char)*text)) {
		text++;
		len--;
	}
	*code = 0;
	skip = ch_code_prefix(text, len, code, &shape);
	if (skip == 0) {
		nl = memchr(text, '\n', len);
		*message = ch_clean_line(text, nl != NULL ?
		    (size_t)(nl - text) : len, CH_MESSAGE_MAX);
		return -1;
	}
	body = text + skip;
	n = len - skip;
	cut = ch_last(body, n, shape == 1 ? ", e.what() = " : " (version ");
	if (cut != NULL)
		n = (size_t)(cut - body);
	ch_trim_end(body, &n);
	if (ch_starts(body, n, "DB::Exception: ")) {
		body += 15;
		n -= 15;
	}
	*message = ch_clean_line(body, n, (size_t)-1);
	return 0;
}

/* Start of the text-only suffix of [s, s+len). */
static size_t
ch_text_start(const char *s, size_t len)
{
	unsigned char	c;
	size_t		i;

	for (i = len; i > 0; i--) {
		c = (unsigned char)s[i - 1];
		if ((c < 0x20 && c != '\n' && c != '\t' && c != '\r') ||
		    c == 0x7f)
			break;
	}
	return i;
}

/*
 * The text from `from` (past `skip` bytes) to `end` is the short last piece
 * of an exception: a class name or a version, nothing else.
 */
static bool
ch_exception_end(const char *from, size_t skip, const char *end,
    const char *allowed)
{
	size_t	n = (size_t)(end - from), i;

	ch_trim_end(from, &n);
	if (n <= skip || n > 128)
		return false;
	for (i = skip; i < n; i++) {
		if (!isalnum((unsigned char)from[i]) &&
		    strchr(allowed, from[i]) == NULL)
			return false;
	}
	/* "(version X)" closes its parenthesis */
	return from[0] != '(' || from[n - 1] == ')';
}

ssize_t
ch_find_trailing_error(const char *tail, size_t len)
{
	const char	*s, *end = tail + len, *p, *what, *ver;
	size_t		 n;
	bool		 old_end, new_end;
	int		 code, shape;

	s = tail + ch_text_start(tail, len);
	n = (size_t)(end - s);
	what = ch_last(s, n, ", e.what() = ");
	ver = ch_last(s, n, "(version ");
	old_end = what != NULL && ch_exception_end(what, 13, end, ":_ /.-");
	new_end = ver != NULL && ch_exception_end(ver, 9, end, " .()-_");
	if (!old_end && !new_end)
		return -1;
	for (p = s; (p = memmem(p, (size_t)(end - p), "Code: ", 6)) != NULL;
	    p++) {
		shape = 0;
		if (ch_code_prefix(p, (size_t)(end - p), &code, &shape) == 0)
			continue;
		if ((shape == 1 && old_end && p < what) ||
		    (shape == 2 && new_end && p < ver))
			return p - tail;
	}
	return -1;
}

/* Replaces every occurrence of the secret (if long enough to matter). */
static void
ch_scrub(char **message, const char *secret)
{
	struct buf	 b = BUF_INIT;
	const char	*s = *message, *hit;
	size_t		 n;

	if (s == NULL || secret == NULL || (n = strlen(secret)) < 4 ||
	    strstr(s, secret) == NULL)
		return;
	while ((hit = strstr(s, secret)) != NULL) {
		buf_add(&b, s, (size_t)(hit - s));
		buf_addstr(&b, "***");
		s = hit + n;
	}
	buf_addstr(&b, s);
	free(*message);
	*message = buf_detach(&b);
}

static bool
ch_auth_code(int code)
{
	return code == 192 || code == 193 || code == 194 || code == 516;
}

void
ch_error_from_answer(struct ch_error *err, long status, const char *body,
    size_t len, const char *user, const char *password)
{
	char	*msg;
	int	 code = 0, rc;

	rc = ch_parse_exception(body, len, &code, &msg);
	err->http_status = status;
	if (status == 401 || status == 403 || ch_auth_code(code)) {
		ch_error_set(err, CH_EAUTH, code, xasprintf("authentication "
		    "failed for user '%s' (HTTP %ld)%s%s", user, status,
		    *msg != '\0' ? ": " : "", msg));
	} else if (rc == 0)
		ch_error_set(err, CH_ESERVER, code, xasprintf("%s (code %d)",
		    msg, code));
	else if (*msg != '\0')
		ch_error_set(err, CH_EPROTOCOL, 0, xasprintf("HTTP %ld: %s",
		    status, msg));
	else
		ch_error_set(err, CH_EPROTOCOL, 0, xasprintf("HTTP %ld with "
		    "an empty answer", status));
	free(msg);
	ch_scrub(&err->message, password);
}

void
ch_error_scrub(struct ch_error *err, const char *secret)
{
	ch_scrub(&err->message, secret);
}

void
ch_error_midstream(struct ch_error *err, const char *text, size_t len)
{
	char	*msg;
	int	 code;

	ch_parse_exception(text, len, &code, &msg);
	ch_error_set(err, ch_auth_code(code) ? CH_EAUTH : CH_ESERVER, code,
	    xasprintf("%s (code %d, after the answer had started)", msg,
	    code));
	err->midstream = true;
	free(msg);
}
