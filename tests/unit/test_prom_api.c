#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "prom_api.h"

#ifndef TEST_FIXTURES
#define TEST_FIXTURES "tests/fixtures"
#endif

/* Bodies recorded from Prometheus 2.42 (tests/fixtures/prom/api/). */
static void
read_body(const char *name, struct buf *b)
{
	char	 path[1024], chunk[4096];
	FILE	*f;
	size_t	 n;

	snprintf(path, sizeof path, "%s/prom/api/%s", TEST_FIXTURES, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(b, chunk, n);
	fclose(f);
}

static struct prom_reply *
parse_file(const char *name, long status, int targets)
{
	struct prom_reply	*r = calloc(1, sizeof *r);
	struct buf		 b = BUF_INIT;

	read_body(name, &b);
	if (targets)
		prom_reply_parse_targets(r, status, b.data, b.len);
	else
		prom_reply_parse_query(r, status, b.data, b.len);
	buf_free(&b);
	return r;
}

static struct prom_reply *
parse_string(const char *body, long status)
{
	struct prom_reply	*r = calloc(1, sizeof *r);

	prom_reply_parse_query(r, status, body, strlen(body));
	return r;
}

static void
test_vector(void **state)
{
	struct prom_reply	*r = parse_file("vector.json", 200, 0);
	const struct prom_series *s;

	assert_int_equal(r->status, PROM_OK);
	assert_null(r->error);
	assert_int_equal(r->type, PROM_RESULT_VECTOR);
	assert_int_equal(r->n_series, 3);
	s = &r->series[2];
	assert_string_equal(prom_series_label(s, "__name__"),
	    "kafka_consumergroup_lag");
	assert_string_equal(prom_series_label(s, "consumergroup"),
	    "clickhouse_posting");
	assert_string_equal(prom_series_label(s, "partition"), "7");
	assert_null(prom_series_label(s, "cluster"));
	assert_int_equal(s->n_points, 1);
	assert_int_equal(s->points[0].t_ms, 1795956794271LL);
	assert_true(s->points[0].v == 18466.0);
	assert_true(r->series[0].points[0].v == 2331266.0);
	prom_reply_free(r);

	r = parse_file("vector_empty.json", 200, 0);
	assert_int_equal(r->status, PROM_OK);
	assert_int_equal(r->type, PROM_RESULT_VECTOR);
	assert_int_equal(r->n_series, 0);
	prom_reply_free(r);
}

static void
test_matrix(void **state)
{
	struct prom_reply	*r = parse_file("matrix.json", 200, 0);

	assert_int_equal(r->status, PROM_OK);
	assert_int_equal(r->type, PROM_RESULT_MATRIX);
	assert_int_equal(r->n_series, 2);
	assert_int_equal(r->series[1].n_points, 2);
	assert_string_equal(prom_series_label(&r->series[1], "partition"),
	    "1");
	assert_int_equal(r->series[1].points[0].t_ms, 1795956791000LL);
	assert_int_equal(r->series[1].points[1].t_ms, 1795956793000LL);
	assert_true(r->series[1].points[1].v == 2331266.0);
	prom_reply_free(r);
}

static void
test_scalar_and_string(void **state)
{
	struct prom_reply	*r;

	r = parse_file("scalar.json", 200, 0);
	assert_int_equal(r->status, PROM_OK);
	assert_int_equal(r->type, PROM_RESULT_SCALAR);
	assert_int_equal(r->n_series, 1);
	assert_int_equal(r->series[0].n_labels, 0);
	assert_true(r->series[0].points[0].v == 3.0);
	assert_int_equal(r->series[0].points[0].t_ms, 1795956794343LL);
	prom_reply_free(r);

	r = parse_file("scalar_nan.json", 200, 0);
	assert_true(isnan(r->series[0].points[0].v));
	prom_reply_free(r);
	r = parse_file("scalar_inf.json", 200, 0);
	assert_true(isinf(r->series[0].points[0].v));
	assert_true(r->series[0].points[0].v > 0);
	prom_reply_free(r);

	r = parse_file("string.json", 200, 0);
	assert_int_equal(r->status, PROM_OK);
	assert_int_equal(r->type, PROM_RESULT_STRING);
	assert_string_equal(r->string, "hello");
	prom_reply_free(r);

	r = parse_string("{\"status\":\"success\",\"data\":{\"resultType\":"
	    "\"vector\",\"result\":[{\"metric\":{},\"value\":[1,\"-Inf\"]}]}}",
	    200);
	assert_int_equal(r->status, PROM_OK);
	assert_true(isinf(r->series[0].points[0].v));
	assert_true(r->series[0].points[0].v < 0);
	prom_reply_free(r);
}

static void
test_error_envelopes(void **state)
{
	struct prom_reply	*r;

	r = parse_file("error_bad_data.json", 400, 0);
	assert_int_equal(r->status, PROM_ERR_API);
	assert_int_equal(r->http_status, 400);
	assert_string_equal(r->error_type, "bad_data");
	assert_string_equal(r->error, "bad_data: invalid parameter \"query\": "
	    "1:28: parse error: unclosed left parenthesis");
	prom_reply_free(r);

	r = parse_file("error_execution.json", 422, 0);
	assert_int_equal(r->status, PROM_ERR_API);
	assert_string_equal(r->error_type, "execution");
	assert_non_null(strstr(r->error, "many-to-many matching not allowed"));
	prom_reply_free(r);

	/* an error envelope counts even on HTTP 200 */
	r = parse_string("{\"status\":\"error\",\"errorType\":\"timeout\","
	    "\"error\":\"query timed out\",\"warnings\":[\"w1\"]}", 200);
	assert_int_equal(r->status, PROM_ERR_API);
	assert_string_equal(r->error, "timeout: query timed out");
	assert_int_equal(r->n_warnings, 1);
	prom_reply_free(r);
}

static void
test_warnings(void **state)
{
	struct prom_reply	*r;

	r = parse_string("{\"status\":\"success\",\"warnings\":[\"partial "
	    "response\",\"second\"],\"data\":{\"resultType\":\"vector\","
	    "\"result\":[]}}", 200);
	assert_int_equal(r->status, PROM_OK);
	assert_int_equal(r->n_warnings, 2);
	assert_string_equal(r->warnings[0], "partial response");
	assert_string_equal(r->warnings[1], "second");
	prom_reply_free(r);
}

static const struct {
	const char		*body;
	long			 http;
	enum prom_status	 status;
	const char		*error;		/* prefix */
} bad[] = {
	{ "{\"status\":\"success\",\"data\":{\"resultType\":\"vec",
	  200, PROM_ERR_JSON, "malformed JSON in the response (near byte" },
	{ "", 200, PROM_ERR_JSON, "malformed JSON in the response" },
	{ "<html><body>Bad Gateway</body></html>\n", 502, PROM_ERR_HTTP,
	  "HTTP 502: <html><body>Bad Gateway</body></html>" },
	{ "", 404, PROM_ERR_HTTP, "HTTP 404: (empty body)" },
	{ "{\"status\":\"success\",\"data\":{}}", 503, PROM_ERR_HTTP,
	  "HTTP 503: {\"status\"" },
	{ "{\"data\":{}}", 200, PROM_ERR_JSON, "the response has no "
	  "\"status\":\"success\" or \"error\"" },
	{ "[1,2]", 200, PROM_ERR_JSON, "the response has no \"status\"" },
	{ "{\"status\":\"success\"}", 200, PROM_ERR_JSON,
	  "the response has no \"data\" object" },
	{ "{\"status\":\"success\",\"data\":{\"resultType\":\"tensor\"}}", 200,
	  PROM_ERR_JSON, "unknown resultType \"tensor\"" },
	{ "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\","
	  "\"result\":[{\"metric\":{},\"value\":[1,\"abc\"]}]}}", 200,
	  PROM_ERR_JSON, "malformed vector result in the response" },
	{ "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\","
	  "\"result\":[{\"metric\":{\"a\":1},\"value\":[1,\"1\"]}]}}", 200,
	  PROM_ERR_JSON, "malformed vector result" },
	{ "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\","
	  "\"result\":[{\"metric\":{},\"values\":[[1,\"1\"],[2]]}]}}", 200,
	  PROM_ERR_JSON, "malformed matrix result" },
	{ "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\","
	  "\"result\":\"3\"}}", 200, PROM_ERR_JSON, "malformed scalar result" },
};

static void
test_malformed(void **state)
{
	struct prom_reply	*r;
	size_t			 i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		r = parse_string(bad[i].body, bad[i].http);
		if (r->status != bad[i].status)
			fail_msg("body %zu: status %d, expected %d (%s)", i,
			    r->status, bad[i].status, r->error);
		assert_non_null(r->error);
		if (strncmp(r->error, bad[i].error, strlen(bad[i].error)) != 0)
			fail_msg("body %zu: got \"%s\", expected \"%s\"", i,
			    r->error, bad[i].error);
		assert_int_equal(r->http_status, bad[i].http);
		prom_reply_free(r);
	}
}

static void
test_targets(void **state)
{
	struct prom_reply		*r;
	const struct prom_target	*k, *b;

	r = parse_file("targets.json", 200, 1);
	assert_int_equal(r->status, PROM_OK);
	assert_int_equal(r->n_targets, 2);
	b = &r->targets[0];
	k = &r->targets[1];
	assert_string_equal(b->job, "broken");
	assert_int_equal(b->health, PROM_HEALTH_DOWN);
	assert_non_null(strstr(b->last_error, "connection refused"));
	assert_string_equal(k->job, "kafka");
	assert_string_equal(k->instance, "127.0.0.1:44353");
	assert_string_equal(k->scrape_pool, "kafka");
	assert_string_equal(k->scrape_url, "http://127.0.0.1:44353/metrics");
	assert_int_equal(k->health, PROM_HEALTH_UP);
	assert_string_equal(k->last_error, "");
	/* 2026-11-29T12:53:10.123614331Z */
	assert_int_equal(k->last_scrape_ms, 1795956790123LL);
	assert_true(fabs(k->last_scrape_duration_s - 0.005728596) < 1e-12);
	assert_string_equal(prom_target_label(k, "job"), "kafka");
	prom_reply_free(r);
}

static void
test_targets_times_and_errors(void **state)
{
	static const char body[] = "{\"status\":\"success\",\"data\":"
	    "{\"activeTargets\":[{\"labels\":{\"job\":\"a\"},\"health\":"
	    "\"unknown\",\"lastScrape\":\"0001-01-01T00:00:00Z\"},"
	    "{\"labels\":{},\"health\":\"up\",\"lastScrape\":"
	    "\"2024-01-15T10:23:45.5+01:30\"}]}}";
	struct prom_reply	*r = calloc(1, sizeof *r);

	assert_int_equal(prom_reply_parse_targets(r, 200, body,
	    sizeof body - 1), 0);
	assert_int_equal(r->targets[0].health, PROM_HEALTH_UNKNOWN);
	assert_int_equal(r->targets[0].last_scrape_ms, 0);
	assert_true(isnan(r->targets[0].last_scrape_duration_s));
	assert_string_equal(r->targets[1].job, "");
	/* 2024-01-15T08:53:45.5Z */
	assert_int_equal(r->targets[1].last_scrape_ms, 1705308825500LL);
	prom_reply_free(r);

	r = calloc(1, sizeof *r);
	assert_int_equal(prom_reply_parse_targets(r, 200, "{\"status\":"
	    "\"success\",\"data\":{}}", 32), -1);
	assert_int_equal(r->status, PROM_ERR_JSON);
	assert_string_equal(r->error, "the response has no \"activeTargets\" "
	    "list");
	prom_reply_free(r);

	r = calloc(1, sizeof *r);
	assert_int_equal(prom_reply_parse_targets(r, 200, "{\"status\":"
	    "\"success\",\"data\":{\"activeTargets\":[{\"lastScrape\":"
	    "\"yesterday\"}]}}", 78), -1);
	assert_string_equal(r->error, "malformed target 1 in the response");
	prom_reply_free(r);
}

static void
test_form_escape(void **state)
{
	struct buf	b = BUF_INIT;

	prom_form_escape(&b, "sum(rate(x{a=\"b c\",d=~\"1|2\"}[5m])) + 1&z");
	assert_string_equal(buf_str(&b), "sum%28rate%28x%7Ba%3D%22b%20c%22%2C"
	    "d%3D~%221%7C2%22%7D%5B5m%5D%29%29%20%2B%201%26z");
	buf_reset(&b);
	prom_form_escape(&b, "Zürich-._~");
	assert_string_equal(buf_str(&b), "Z%C3%BCrich-._~");
	buf_free(&b);
	assert_string_equal(prom_status_name(PROM_ERR_API), "Prometheus error");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vector),
		cmocka_unit_test(test_matrix),
		cmocka_unit_test(test_scalar_and_string),
		cmocka_unit_test(test_error_envelopes),
		cmocka_unit_test(test_warnings),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_targets),
		cmocka_unit_test(test_targets_times_and_errors),
		cmocka_unit_test(test_form_escape),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
