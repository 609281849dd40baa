/*
 * core/http against a real ClickHouse server: streamed bodies both ways
 * (with pause and resume), retries only where they are safe.
 */
#include "it_env.h"

#include <string.h>

#include "http.h"
#include "loop.h"
#include "xmalloc.h"

struct stream {
	struct loop	*loop;
	struct http_req	*req;
	uint64_t	 bytes;
	uint64_t	 lines;
	int		 calls;
	int		 pauses;
};

static void
resume_later(void *arg)
{
	struct stream	*s = arg;

	http_resume(s->req);
}

/* Pauses on every fourth call and resumes from a timer. */
static size_t
pausing_sink(void *arg, const char *data, size_t len)
{
	struct stream	*s = arg;
	size_t		 i;

	if (++s->calls % 4 == 0) {
		s->pauses++;
		loop_timer_add(s->loop, 1, resume_later, s);
		return HTTP_SINK_PAUSE;
	}
	for (i = 0; i < len; i++)
		s->lines += data[i] == '\n';
	s->bytes += len;
	return len;
}

static struct http_req *
ch_post(const char *url_suffix)
{
	char		*url = xasprintf("%s/%s", it_env("CHOPS_TEST_CH_URL"),
			    url_suffix);
	struct http_req	*req = http_new("POST", url);

	http_header(req, "X-ClickHouse-User", "default");
	http_header(req, "X-ClickHouse-Key", "");
	free(url);
	return req;
}

static void
test_streamed_download_with_pauses(void **state)
{
	struct stream	 s = { 0 };
	const char	*sql = "SELECT number FROM numbers(2000000) FORMAT TSV";

	s.loop = loop_new();
	s.req = ch_post("");
	http_body(s.req, sql, strlen(sql));
	http_sink(s.req, pausing_sink, &s);
	assert_int_equal(http_perform(s.loop, s.req), HTTP_OK);
	assert_int_equal(http_status(s.req), 200);
	assert_int_equal(s.lines, 2000000);
	assert_true(s.pauses > 0);
	/* the body went to the sink, not into memory */
	assert_int_equal(http_response_body(s.req)->len, 0);
	http_free(s.req);
	loop_free(s.loop);
}

struct chunks {
	const char	*text;
	size_t		 off;
};

static ssize_t
tiny_source(void *arg, char *buf, size_t len)
{
	struct chunks	*c = arg;
	size_t		 left = strlen(c->text) - c->off;

	if (left == 0)
		return 0;
	buf[0] = c->text[c->off++];	/* one byte at a time */
	return 1;
}

static void
test_chunked_upload_of_unknown_length(void **state)
{
	struct loop	*loop = loop_new();
	struct http_req	*req = ch_post("");
	struct chunks	 c = { "SELECT 40 + 2 FORMAT TSV", 0 };

	http_body_source(req, tiny_source, NULL, &c, -1);
	assert_int_equal(http_perform(loop, req), HTTP_OK);
	assert_int_equal(http_status(req), 200);
	assert_string_equal(buf_str(http_response_body(req)), "42\n");
	http_free(req);
	loop_free(loop);
}

static int
run_failing(bool idempotent, const char *sql, long *status)
{
	struct loop		*loop = loop_new();
	struct http_req		*req = ch_post("");
	struct http_limits	 lim = { .timeout_ms = 10000, .retries = 2,
				    .backoff_ms = 10 };
	int			 attempts;

	http_body(req, sql, strlen(sql));
	http_limits(req, &lim);
	http_idempotent(req, idempotent);
	assert_int_equal(http_perform(loop, req), HTTP_OK);
	*status = http_status(req);
	attempts = http_attempts(req);
	http_free(req);
	loop_free(loop);
	return attempts;
}

static void
test_retries_only_when_idempotent(void **state)
{
	long	status;

	/* throwIf is a server-side error: HTTP 500 */
	assert_int_equal(run_failing(true, "SELECT throwIf(1)", &status), 3);
	assert_int_equal(status, 500);
	assert_int_equal(run_failing(false, "SELECT throwIf(1)", &status), 1);
	assert_int_equal(status, 500);
	/* a client error is never retried */
	assert_int_equal(run_failing(true, "SELEKT 1", &status), 1);
	assert_int_equal(status, 400);
}

static void
test_response_headers(void **state)
{
	struct loop	*loop = loop_new();
	struct http_req	*req = ch_post("");
	const char	*sql = "SELECT 1";

	http_body(req, sql, strlen(sql));
	assert_int_equal(http_perform(loop, req), HTTP_OK);
	/* names are matched without regard to case */
	assert_non_null(http_response_header(req, "content-type"));
	assert_non_null(strstr(http_response_header(req, "Content-Type"),
	    "tab-separated"));
	assert_non_null(http_response_header(req,
	    "x-clickhouse-server-display-name"));
	assert_null(http_response_header(req, "X-No-Such-Header"));
	http_free(req);
	loop_free(loop);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_streamed_download_with_pauses),
		cmocka_unit_test(test_chunked_upload_of_unknown_length),
		cmocka_unit_test(test_retries_only_when_idempotent),
		cmocka_unit_test(test_response_headers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
