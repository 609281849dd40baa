/*
 * The ClickHouse drill-down views without a server: their SQL from 18.16's
 * capabilities and a newer server's, cell formatting, and the kill action's
 * refusals (which start no request).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "buf.h"
#include "ch_views.h"
#include "clickhouse.h"
#include "loop.h"

static struct ch_caps *
caps_of(const char *const *tables, const char *const *columns)
{
	struct buf		 b = BUF_INIT;
	struct ch_result	*res = NULL;
	struct ch_caps		*caps = NULL;
	struct ch_error		 err;
	char			*cause = NULL;

	memset(&err, 0, sizeof err);
	buf_addstr(&b, "{\"meta\": [{\"name\": \"k\", \"type\": \"String\"}, "
	    "{\"name\": \"v\", \"type\": \"String\"}], \"data\": "
	    "[[\"version\", \"18.16.1\"]");
	for (; *tables != NULL; tables++)
		buf_printf(&b, ", [\"table\", \"%s\"]", *tables);
	for (; *columns != NULL; columns++)
		buf_printf(&b, ", [\"column\", \"%s\"]", *columns);
	buf_addstr(&b, "]}");
	assert_int_equal(ch_result_parse(b.data, b.len, &res, &err), 0);
	assert_int_equal(ch_caps_parse(res, &caps, &cause), 0);
	ch_result_free(res);
	buf_free(&b);
	return caps;
}

static const char *const tables_18[] = {
	"merges", "mutations", "parts", "processes", "replicas", NULL,
};
static const char *const columns_18[] = {
	"merges.memory_usage", "mutations.is_done", NULL,
};
static const char *const columns_new[] = {
	"merges.memory_usage", "mutations.is_done",
	"mutations.latest_fail_reason", NULL,
};

static void
test_views_on_18_16(void **state)
{
	struct ch_caps	*caps = caps_of(tables_18, columns_18);
	char		*sql;
	size_t		 i;

	for (i = 0; i < ch_n_views; i++) {
		assert_true(ch_view_available(&ch_views[i], caps));
		sql = ch_view_sql(&ch_views[i], caps, "own");
		assert_non_null(sql);
		assert_non_null(strstr(sql, ch_views[i].table));
		free(sql);
	}
	sql = ch_view_sql(ch_view_find("mutations"), caps, NULL);
	assert_null(strstr(sql, "latest_fail_reason"));
	assert_non_null(strstr(sql, "ORDER BY is_done, create_time DESC"));
	free(sql);
	sql = ch_view_sql(ch_view_find("tables"), caps, NULL);
	assert_string_equal(sql, "SELECT database, table, any(engine) AS "
	    "engine_name, sum(rows) AS total_rows, sum(bytes_on_disk) AS "
	    "total_bytes, count() AS part_count, uniqExact(partition) AS "
	    "partition_count FROM system.parts WHERE active GROUP BY "
	    "database, table ORDER BY total_bytes DESC LIMIT 1000");
	free(sql);
	ch_caps_free(caps);
}

static void
test_views_newer_and_missing(void **state)
{
	static const char *const few[] = { "processes", NULL };
	static const char *const none[] = { NULL };
	struct ch_caps	*caps = caps_of(tables_18, columns_new);
	char		*sql;

	sql = ch_view_sql(ch_view_find("mutations"), caps, NULL);
	assert_non_null(strstr(sql, ", latest_fail_reason FROM"));
	free(sql);
	/* the runner's own query is left out, its id quoted */
	sql = ch_view_sql(ch_view_find("queries"), caps, "it's");
	assert_non_null(strstr(sql, "WHERE query_id != 'it\\'s' ORDER BY"));
	free(sql);
	ch_caps_free(caps);

	caps = caps_of(few, none);
	assert_false(ch_view_available(ch_view_find("replicas"), caps));
	assert_null(ch_view_sql(ch_view_find("replicas"), caps, NULL));
	assert_true(ch_view_available(ch_view_find("queries"), caps));
	assert_false(ch_view_available(ch_view_find("queries"), NULL));
	assert_null(ch_view_find("nope"));
	ch_caps_free(caps);
}

static void
test_cells(void **state)
{
	static const char body[] = "{\"meta\": ["
	    "{\"name\": \"query_id\", \"type\": \"String\"}, "
	    "{\"name\": \"elapsed\", \"type\": \"Float64\"}, "
	    "{\"name\": \"memory_usage\", \"type\": \"Int64\"}, "
	    "{\"name\": \"read_rows\", \"type\": \"UInt64\"}, "
	    "{\"name\": \"other\", \"type\": \"UInt8\"}], "
	    "\"data\": [[\"q1\", 200.5, \"1048576\", null, 7]]}";
	const struct ch_view	*v = ch_view_find("queries");
	struct ch_result	*res = NULL;
	struct ch_error		 err;
	char			 cell[64];

	memset(&err, 0, sizeof err);
	assert_int_equal(ch_result_parse(body, strlen(body), &res, &err), 0);
	ch_view_cell(v, res, 0, 0, cell, sizeof cell);
	assert_string_equal(cell, "q1");
	ch_view_cell(v, res, 0, 1, cell, sizeof cell);
	assert_string_equal(cell, "3m 20s");
	ch_view_cell(v, res, 0, 2, cell, sizeof cell);
	assert_string_equal(cell, "1.0 MiB");
	ch_view_cell(v, res, 0, 3, cell, sizeof cell);
	assert_string_equal(cell, "");			/* NULL */
	ch_view_cell(v, res, 0, 4, cell, sizeof cell);	/* not the view's */
	assert_string_equal(cell, "7");
	assert_null(ch_view_col_of(v, res, 4));
	assert_true(ch_view_col_of(v, res, 2)->right);
	ch_result_free(res);
}

static void
never_called(const struct ch_error *err, const char *outcome, void *arg)
{
	fail_msg("the kill callback ran");
}

static void
test_kill_refused(void **state)
{
	struct loop		*loop = loop_new();
	struct ch_client	*c;
	char			*cause = NULL;

	c = ch_new(loop, "http://127.0.0.1:1", "default", "", NULL, 1000,
	    1000);
	assert_int_equal(ch_kill_query_start(c, "q-1", true, never_called,
	    NULL, &cause), -1);
	assert_non_null(strstr(cause, "read-only"));
	assert_non_null(strstr(cause, "q-1"));
	free(cause);
	cause = NULL;
	assert_int_equal(ch_kill_query_start(c, "", false, never_called,
	    NULL, &cause), -1);
	assert_non_null(cause);
	free(cause);
	assert_int_equal(loop_active(loop), 0);
	ch_free(c);
	loop_free(loop);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_views_on_18_16),
		cmocka_unit_test(test_views_newer_and_missing),
		cmocka_unit_test(test_cells),
		cmocka_unit_test(test_kill_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
