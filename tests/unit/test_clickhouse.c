#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "clickhouse.h"
#include "loop.h"
#include "sql.h"

/* Recorded from ClickHouse 18.16.1 (FORMAT JSONCompact, default settings). */
static const char types_body[] =
    "{\n"
    "\t\"meta\":\n\t[\n"
    "\t\t{\n\t\t\t\"name\": \"a\",\n\t\t\t\"type\": \"UInt8\"\n\t\t},\n"
    "\t\t{\n\t\t\t\"name\": \"u\",\n\t\t\t\"type\": \"UInt64\"\n\t\t},\n"
    "\t\t{\n\t\t\t\"name\": \"i\",\n\t\t\t\"type\": \"Int64\"\n\t\t},\n"
    "\t\t{\n\t\t\t\"name\": \"n\",\n\t\t\t\"type\": \"Float64\"\n\t\t},\n"
    "\t\t{\n\t\t\t\"name\": \"nl\",\n\t\t\t\"type\": \"Nullable(Nothing)\"\n\t\t},\n"
    "\t\t{\n\t\t\t\"name\": \"nn\",\n\t\t\t\"type\": \"Nullable(UInt8)\"\n\t\t},\n"
    "\t\t{\n\t\t\t\"name\": \"s\",\n\t\t\t\"type\": \"String\"\n\t\t},\n"
    "\t\t{\n\t\t\t\"name\": \"f\",\n\t\t\t\"type\": \"Float64\"\n\t\t},\n"
    "\t\t{\n\t\t\t\"name\": \"d\",\n\t\t\t\"type\": \"Date\"\n\t\t},\n"
    "\t\t{\n\t\t\t\"name\": \"arr\",\n\t\t\t\"type\": \"Array(UInt8)\"\n\t\t}\n"
    "\t],\n\n"
    "\t\"data\":\n\t[\n"
    "\t\t[1, \"18446744073709551615\", \"-5\", null, null, 3, "
    "\"a\\\"b\\\\c\\n\", 1.5, \"2020-01-02\", [1,2]],\n"
    "\t\t[2, \"0\", \"-9223372036854775808\", -0.25, null, null, \"\", "
    "-1e+300, \"1970-01-01\", []]\n"
    "\t],\n\n"
    "\t\"rows\": 2,\n\n"
    "\t\"statistics\":\n\t{\n"
    "\t\t\"elapsed\": 0.000153242,\n"
    "\t\t\"rows_read\": 1,\n"
    "\t\t\"bytes_read\": 1\n"
    "\t}\n"
    "}\n";

/* With output_format_json_quote_denormals=1 and quote_64bit_integers=0. */
static const char denormals_body[] =
    "{\"meta\": [{\"name\": \"n\", \"type\": \"Float64\"}, "
    "{\"name\": \"p\", \"type\": \"Float32\"}, "
    "{\"name\": \"m\", \"type\": \"Float64\"}, "
    "{\"name\": \"u\", \"type\": \"UInt64\"}],\n"
    "\"data\": [[\"nan\", \"inf\", \"-inf\", 42]], \"rows\": 1}\n";

static const char err_60[] = "Code: 60, e.displayText() = DB::Exception: "
    "Table default.nope doesn't exist., e.what() = DB::Exception\n";

static struct ch_result *
parse_ok(const char *body)
{
	struct ch_result	*res = NULL;
	struct ch_error		 err;

	memset(&err, 0, sizeof err);
	if (ch_result_parse(body, strlen(body), &res, &err) != 0)
		fail_msg("parse failed: %s", err.message);
	assert_int_equal(err.kind, CH_OK);
	return res;
}

static void
test_result_types(void **state)
{
	struct ch_result	*res = parse_ok(types_body);
	uint64_t		 u;
	int64_t			 i;
	double			 d;

	assert_int_equal(res->ncols, 10);
	assert_int_equal(res->nrows, 2);
	assert_string_equal(res->cols[1].name, "u");
	assert_string_equal(res->cols[1].type, "UInt64");
	assert_int_equal(ch_result_col(res, "arr"), 9);
	assert_int_equal(ch_result_col(res, "nothere"), -1);
	assert_int_equal(res->rows_read, 1);

	assert_int_equal(ch_result_uint64(res, 0, 0, &u), 0);
	assert_int_equal(u, 1);
	assert_int_equal(ch_result_uint64(res, 0, 1, &u), 0);
	assert_true(u == UINT64_MAX);
	assert_int_equal(ch_result_int64(res, 0, 1, &i), -1);	/* too big */
	assert_int_equal(ch_result_int64(res, 0, 2, &i), 0);
	assert_int_equal(i, -5);
	assert_int_equal(ch_result_uint64(res, 0, 2, &u), -1);	/* negative */
	assert_int_equal(ch_result_int64(res, 1, 2, &i), 0);
	assert_true(i == INT64_MIN);

	assert_string_equal(ch_result_str(res, 0, 6), "a\"b\\c\n");
	assert_string_equal(ch_result_str(res, 1, 6), "");
	assert_false(ch_result_is_null(res, 1, 6));
	assert_string_equal(ch_result_str(res, 0, 8), "2020-01-02");
	assert_string_equal(ch_result_str(res, 0, 9), "[1,2]");
	assert_string_equal(ch_result_str(res, 1, 9), "[]");

	assert_int_equal(ch_result_double(res, 0, 7, &d), 0);
	assert_true(d == 1.5);
	assert_int_equal(ch_result_double(res, 1, 7, &d), 0);
	assert_true(d == -1e300);
	assert_int_equal(ch_result_double(res, 1, 3, &d), 0);
	assert_true(d == -0.25);
	assert_int_equal(ch_result_int64(res, 0, 7, &i), -1);	/* 1.5 */
	ch_result_free(res);
}

static void
test_result_nulls(void **state)
{
	struct ch_result	*res = parse_ok(types_body);
	uint64_t		 u;
	double			 d;

	/* Nullable(UInt8): 3, then NULL */
	assert_false(ch_result_is_null(res, 0, 5));
	assert_int_equal(ch_result_uint64(res, 0, 5, &u), 0);
	assert_int_equal(u, 3);
	assert_true(ch_result_is_null(res, 1, 5));
	assert_null(ch_result_str(res, 1, 5));
	assert_int_equal(ch_result_uint64(res, 1, 5, &u), -1);
	assert_int_equal(ch_result_double(res, 1, 5, &d), -1);
	/* Nullable(Nothing) */
	assert_true(ch_result_is_null(res, 0, 4));
	/* nan in a plain Float64 arrives as null: read as NaN */
	assert_true(ch_result_is_null(res, 0, 3));
	assert_int_equal(ch_result_double(res, 0, 3, &d), 0);
	assert_true(isnan(d));
	/* out of range */
	assert_null(ch_result_str(res, 2, 0));
	assert_null(ch_result_str(res, 0, 10));
	assert_true(ch_result_is_null(res, 5, 5));
	ch_result_free(res);
}

static void
test_result_denormals(void **state)
{
	struct ch_result	*res = parse_ok(denormals_body);
	uint64_t		 u;
	double			 d;

	assert_int_equal(ch_result_double(res, 0, 0, &d), 0);
	assert_true(isnan(d));
	assert_int_equal(ch_result_double(res, 0, 1, &d), 0);
	assert_true(isinf(d) && d > 0);
	assert_int_equal(ch_result_double(res, 0, 2, &d), 0);
	assert_true(isinf(d) && d < 0);
	/* a 64-bit integer as a JSON number also reads */
	assert_int_equal(ch_result_uint64(res, 0, 3, &u), 0);
	assert_int_equal(u, 42);
	ch_result_free(res);
}

static void
expect_protocol(const char *body, size_t len, const char *needle)
{
	struct ch_result	*res = (struct ch_result *)1;
	struct ch_error		 err;

	memset(&err, 0, sizeof err);
	assert_int_equal(ch_result_parse(body, len, &res, &err), -1);
	assert_null(res);
	assert_int_equal(err.kind, CH_EPROTOCOL);
	if (strstr(err.message, needle) == NULL)
		fail_msg("'%s' not in '%s'", needle, err.message);
	ch_error_clear(&err);
}

static void
test_result_malformed(void **state)
{
	static const char trailing[] = "{\"meta\": [], \"data\": []}\nxyz";
	static const char width[] = "{\"meta\": [{\"name\": \"a\", "
	    "\"type\": \"UInt8\"}], \"data\": [[1], [1, 2]]}";

	expect_protocol("", 0, "empty answer");
	expect_protocol("{\"meta\": [", 10, "invalid JSON at byte");
	expect_protocol("<html>oops</html>", 17, "invalid JSON");
	expect_protocol(trailing, strlen(trailing), "after the JSON");
	expect_protocol("{\"data\": []}", 12, "\"meta\"");
	expect_protocol("{\"meta\": []}", 12, "\"data\"");
	expect_protocol(width, strlen(width), "wrong number of values in row 1");
	expect_protocol("{\"meta\": [{\"name\": 1}], \"data\": []}", 35,
	    "bad column");
	/* the length is honoured: no reading past it */
	expect_protocol("{\"meta\": [], \"data\": []}", 10, "invalid JSON");
}

static void
test_parse_exception(void **state)
{
	static const char newer[] = "Code: 60. DB::Exception: Table "
	    "default.nope does not exist. (UNKNOWN_TABLE) (version 23.8.1.94 "
	    "(official build))\n";
	static const char multi[] = "Code: 27, e.displayText() = DB::Exception:"
	    " Cannot parse input: expected \\t before: x\nRow 1:\nColumn 0, "
	    "e.what() = DB::Exception\n";
	char	*msg;
	int	 code;

	assert_int_equal(ch_parse_exception(err_60, strlen(err_60), &code,
	    &msg), 0);
	assert_int_equal(code, 60);
	assert_string_equal(msg, "Table default.nope doesn't exist.");
	free(msg);

	assert_int_equal(ch_parse_exception(newer, strlen(newer), &code, &msg),
	    0);
	assert_int_equal(code, 60);
	assert_string_equal(msg,
	    "Table default.nope does not exist. (UNKNOWN_TABLE)");
	free(msg);

	assert_int_equal(ch_parse_exception(multi, strlen(multi), &code, &msg),
	    0);
	assert_int_equal(code, 27);
	assert_null(strchr(msg, '\n'));
	free(msg);

	assert_int_equal(ch_parse_exception("<html>\n<body>Bad gateway", 24,
	    &code, &msg), -1);
	assert_int_equal(code, 0);
	assert_string_equal(msg, "<html>");
	free(msg);
	assert_int_equal(ch_parse_exception("", 0, &code, &msg), -1);
	assert_string_equal(msg, "");
	free(msg);
}

static void
test_error_from_answer(void **state)
{
	static const char auth[] = "Code: 193, e.displayText() = DB::Exception:"
	    " Wrong password for user chops, e.what() = DB::Exception\n";
	static const char echo[] = "Code: 62, e.displayText() = DB::Exception:"
	    " Syntax error near 'chops-secret', e.what() = DB::Exception\n";
	struct ch_error	err;

	memset(&err, 0, sizeof err);
	ch_error_from_answer(&err, 404, err_60, strlen(err_60), "chops",
	    "chops-secret");
	assert_int_equal(err.kind, CH_ESERVER);
	assert_int_equal(err.code, 60);
	assert_int_equal(err.http_status, 404);
	assert_false(err.midstream);
	assert_non_null(strstr(err.message, "doesn't exist"));
	ch_error_clear(&err);

	ch_error_from_answer(&err, 401, auth, strlen(auth), "chops",
	    "chops-secret");
	assert_int_equal(err.kind, CH_EAUTH);
	assert_int_equal(err.code, 193);
	assert_non_null(strstr(err.message, "authentication failed"));
	assert_non_null(strstr(err.message, "'chops'"));
	assert_null(strstr(err.message, "chops-secret"));
	ch_error_clear(&err);

	/* a server that echoes the secret back never gets it shown */
	ch_error_from_answer(&err, 400, echo, strlen(echo), "chops",
	    "chops-secret");
	assert_int_equal(err.code, 62);
	assert_null(strstr(err.message, "chops-secret"));
	assert_non_null(strstr(err.message, "***"));
	ch_error_clear(&err);

	ch_error_from_answer(&err, 502, "<html>Bad Gateway</html>\n", 25,
	    "u", "");
	assert_int_equal(err.kind, CH_EPROTOCOL);
	assert_string_equal(err.message, "HTTP 502: <html>Bad Gateway</html>");
	ch_error_clear(&err);
	ch_error_from_answer(&err, 503, "", 0, "u", "");
	assert_non_null(strstr(err.message, "HTTP 503"));
	ch_error_clear(&err);

	assert_string_equal(ch_errkind_name(CH_EAUTH), "authentication failed");
	assert_string_equal(ch_errkind_name(CH_EUSAGE), "usage error");
	assert_string_equal(ch_errkind_name((enum ch_errkind)99),
	    "unknown error");
}

/* Native-looking bytes (a UInt64 column) followed by `tail`. */
static char *
native_with(const char *tail, size_t *len)
{
	static const char head[] = "\x02\x00\x06number\x06UInt64";
	size_t	 n = sizeof head - 1, data = 4096, t = strlen(tail);
	char	*p = malloc(n + data + t);

	memcpy(p, head, n);
	memset(p + n, 0, data);
	p[n + 7] = '\x2a';
	memcpy(p + n + data, tail, t);
	*len = n + data + t;
	return p;
}

static void
test_trailing_error(void **state)
{
	static const char err395[] = "Code: 395, e.displayText() = "
	    "DB::Exception: Value passed to 'throwIf' function is non zero, "
	    "e.what() = DB::Exception\n";
	static const char newer[] = "Code: 395. DB::Exception: Value passed to"
	    " 'throwIf' function is non-zero. (FUNCTION_THROW_IF_VALUE_IS_NON_"
	    "ZERO) (version 23.8.1.94 (official build))\n";
	char	*p;
	size_t	 len;

	p = native_with(err395, &len);
	assert_int_equal(ch_find_trailing_error(p, len),
	    (ssize_t)(len - strlen(err395)));
	free(p);
	p = native_with(newer, &len);
	assert_int_equal(ch_find_trailing_error(p, len),
	    (ssize_t)(len - strlen(newer)));
	free(p);
	/* a clean Native stream */
	p = native_with("", &len);
	assert_int_equal(ch_find_trailing_error(p, len), -1);
	free(p);
	/* exception text inside the data, binary after it */
	p = native_with("\x50" "Code: 60, e.displayText() = DB::Exception: x, "
	    "e.what() = DB::Exception\n", &len);
	p = realloc(p, len + 3);
	memcpy(p + len, "\x00\x01\x02", 3);
	assert_int_equal(ch_find_trailing_error(p, len + 3), -1);
	free(p);
	/* the end of the stream must be a class name or a version */
	assert_int_equal(ch_find_trailing_error("Code: 1, e.displayText() = x, "
	    "e.what() = DB::Exception\"]]}\n", 59), -1);
	assert_int_equal(ch_find_trailing_error("Code: 1. DB::Exception: x "
	    "(version 1.2\n", 39), -1);
	assert_int_equal(ch_find_trailing_error("Code: 1. DB::Exception: x "
	    "(version 1.2)\n", 40), 0);
	/* text data that merely starts the same way */
	assert_int_equal(ch_find_trailing_error("x\tCode: 60\n", 11), -1);
	assert_int_equal(ch_find_trailing_error("Code: 60, e.displayText() = "
	    "never finished", 42), -1);
	assert_int_equal(ch_find_trailing_error("", 0), -1);
}

static void
test_midstream_json(void **state)
{
	struct buf		 b = BUF_INIT;
	struct ch_result	*res = NULL;
	struct ch_error		 err;
	int			 i;

	/* as seen: rows, then the exception glued to the last one */
	buf_addstr(&b, "{\n\t\"meta\":\n\t[\n\t\t{\n\t\t\t\"name\": \"number\",\n"
	    "\t\t\t\"type\": \"UInt64\"\n\t\t}\n\t],\n\n\t\"data\":\n\t[\n");
	for (i = 0; i < 50000; i++)
		buf_printf(&b, "\t\t[\"%d\"],\n", i);
	buf_addstr(&b, "\t\t[\"50000\"]Code: 395, e.displayText() = "
	    "DB::Exception: Value passed to 'throwIf' function is non zero, "
	    "e.what() = DB::Exception\n");
	memset(&err, 0, sizeof err);
	assert_int_equal(ch_result_parse(b.data, b.len, &res, &err), -1);
	assert_null(res);
	assert_int_equal(err.kind, CH_ESERVER);
	assert_int_equal(err.code, 395);
	assert_true(err.midstream);
	assert_non_null(strstr(err.message, "throwIf"));
	ch_error_clear(&err);
	buf_free(&b);

	/* a complete answer whose data quotes an exception is fine */
	res = parse_ok("{\"meta\": [{\"name\": \"e\", \"type\": \"String\"}], "
	    "\"data\": [[\"Code: 60, e.displayText() = DB::Exception: x, "
	    "e.what() = DB::Exception\\n\"]]}\n");
	assert_int_equal(res->nrows, 1);
	ch_result_free(res);
}

static void
test_query_id(void **state)
{
	char	*a = ch_new_query_id(), *b = ch_new_query_id();
	char	 prefix[64];
	size_t	 i, n;

	snprintf(prefix, sizeof prefix, "chops-%ld-", (long)getpid());
	assert_memory_equal(a, prefix, strlen(prefix));
	assert_string_not_equal(a, b);
	/* chops-PID-N-HEX12 */
	n = strlen(a);
	for (i = n - 12; i < n; i++)
		assert_non_null(strchr("0123456789abcdef", a[i]));
	assert_int_equal(a[n - 13], '-');
	/* safe inside a SQL string and a URL without escaping */
	for (i = 0; i < n; i++)
		assert_non_null(strchr("chops-0123456789abcdef", a[i]));
	free(a);
	free(b);
}

static void
test_kill_sql(void **state)
{
	struct buf	b = BUF_INIT;

	sql_kill_query(&b, "chops-12-3-00aa11bb22cc");
	assert_string_equal(buf_str(&b), "KILL QUERY WHERE query_id = "
	    "'chops-12-3-00aa11bb22cc' SYNC");
	buf_reset(&b);
	sql_kill_query(&b, "a'b\\c");
	assert_string_equal(buf_str(&b),
	    "KILL QUERY WHERE query_id = 'a\\'b\\\\c' SYNC");
	buf_free(&b);
}

static void
test_caps_parse(void **state)
{
	static const char body[] = "{\"meta\": [{\"name\": \"k\", \"type\": "
	    "\"String\"}, {\"name\": \"v\", \"type\": \"String\"}], \"data\": ["
	    "[\"version\", \"18.16.1\"], [\"uptime\", \"182\"], "
	    "[\"format\", \"Native\"], [\"format\", \"JSONCompact\"], "
	    "[\"function\", \"numbers\"], [\"function\", \"url\"], "
	    "[\"table\", \"processes\"], [\"table\", \"parts\"]]}";
	static const char newer[] = "{\"meta\": [{\"name\": \"k\", \"type\": "
	    "\"String\"}, {\"name\": \"v\", \"type\": \"String\"}], \"data\": ["
	    "[\"version\", \"23.8.1.94\"], [\"format\", \"Parquet\"], "
	    "[\"function\", \"s3\"], [\"table\", \"disks\"], "
	    "[\"table\", \"kafka_consumers\"], [\"table\", \"backups\"], "
	    "[\"table\", \"errors\"]]}";
	struct ch_result	*res;
	struct ch_caps		*caps;
	char			*cause = NULL;

	res = parse_ok(body);
	assert_int_equal(ch_caps_parse(res, &caps, &cause), 0);
	assert_string_equal(caps->version, "18.16.1");
	assert_int_equal(caps->uptime_s, 182);
	assert_false(caps->has_parquet || caps->has_s3 || caps->has_disks ||
	    caps->has_errors || caps->has_kafka_consumers || caps->has_backups);
	assert_true(ch_caps_has_table(caps, "processes"));
	assert_false(ch_caps_has_table(caps, "disks"));
	assert_true(ch_caps_has_format(caps, "Native"));
	assert_true(ch_caps_has_function(caps, "url"));
	ch_caps_free(caps);
	ch_result_free(res);

	res = parse_ok(newer);
	assert_int_equal(ch_caps_parse(res, &caps, &cause), 0);
	assert_true(caps->has_parquet && caps->has_s3 && caps->has_disks &&
	    caps->has_errors && caps->has_kafka_consumers && caps->has_backups);
	ch_caps_free(caps);
	ch_result_free(res);

	res = parse_ok("{\"meta\": [], \"data\": []}");
	assert_int_equal(ch_caps_parse(res, &caps, &cause), -1);
	assert_non_null(cause);
	free(cause);
	ch_result_free(res);
	assert_non_null(strstr(ch_caps_sql(), "system.table_functions"));
}

static void
sync_done(struct ch_req *req, void *arg)
{
	const struct ch_error	*err = ch_req_error(req);

	assert_int_equal(err->kind, CH_EUSAGE);
	assert_non_null(err->query_id);
	*(int *)arg = 1;
}

static void
test_client_url(void **state)
{
	struct loop		*loop = loop_new();
	struct ch_client	*c;
	struct ch_error		 err;
	struct ch_opts		 o;
	struct ch_setting	 bad = { "max_threads; DROP", "1" };
	int			 done = 0;

	/* credentials in the URL are dropped, never shown or sent */
	c = ch_new(loop, "http://bob:hunter22@127.0.0.1:8123/", "u", "pw",
	    NULL, 1000, 1000);
	assert_string_equal(ch_url(c), "http://127.0.0.1:8123/");
	/* a bad setting name fails the request, asynchronously */
	memset(&o, 0, sizeof o);
	o.settings = &bad;
	o.n_settings = 1;
	ch_query_start(c, "SELECT 1", &o, sync_done, &done);
	assert_int_equal(done, 0);
	loop_run_until(loop, &done);
	memset(&err, 0, sizeof err);
	assert_int_equal(ch_export(c, "SELECT 1", "Native; DROP", NULL, NULL,
	    NULL, &err), -1);
	assert_int_equal(err.kind, CH_EUSAGE);
	ch_error_clear(&err);
	ch_free(c);

	c = ch_new(loop, "ftp://bob:hunter22@host/", "u", "pw", NULL, 1000,
	    1000);
	assert_null(strstr(ch_url(c), "hunter22"));
	assert_int_equal(ch_exec(c, "SELECT 1", &err), -1);
	assert_int_equal(err.kind, CH_EUSAGE);
	assert_non_null(strstr(err.message, "invalid ClickHouse URL"));
	assert_null(strstr(err.message, "hunter22"));
	ch_error_clear(&err);
	ch_free(c);
	loop_free(loop);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_result_types),
		cmocka_unit_test(test_result_nulls),
		cmocka_unit_test(test_result_denormals),
		cmocka_unit_test(test_result_malformed),
		cmocka_unit_test(test_parse_exception),
		cmocka_unit_test(test_error_from_answer),
		cmocka_unit_test(test_trailing_error),
		cmocka_unit_test(test_midstream_json),
		cmocka_unit_test(test_query_id),
		cmocka_unit_test(test_kill_sql),
		cmocka_unit_test(test_caps_parse),
		cmocka_unit_test(test_client_url),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
