/*
 * ClickHouse node health without a server: the query built from 18.16's
 * capabilities and from a newer server's, a recorded 18.16 answer, a newer
 * answer, rates from two samples, and unknown figures.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "buf.h"
#include "ch_health.h"
#include "clickhouse.h"

/* The tables of database system on ClickHouse 18.16.1. */
static const char *const tables_18[] = {
	"aggregate_function_combinators", "asynchronous_metrics",
	"build_options", "clusters", "collations", "columns", "contributors",
	"data_type_families", "databases", "dictionaries", "events", "formats",
	"functions", "graphite_retentions", "macros", "merge_tree_settings",
	"merges", "metrics", "models", "mutations", "numbers", "numbers_mt",
	"one", "parts", "parts_columns", "processes", "replicas",
	"replication_queue", "settings", "table_engines", "table_functions",
	"tables", NULL,
};
static const char *const columns_18[] = {
	"mutations.database", "mutations.table", "mutations.mutation_id",
	"mutations.command", "mutations.create_time", "mutations.parts_to_do",
	"mutations.is_done", NULL,
};

/* A newer server: system.disks and mutations' failure reason. */
static const char *const tables_new[] = {
	"asynchronous_metrics", "backups", "clusters", "columns", "disks",
	"errors", "events", "kafka_consumers", "merge_tree_settings", "merges",
	"metrics", "mutations", "parts", "processes", "replicas",
	"replication_queue", "tables", NULL,
};
static const char *const columns_new[] = {
	"mutations.is_done", "mutations.latest_fail_reason",
	"mutations.latest_fail_time", "disks.name", "disks.free_space",
	"disks.total_space", NULL,
};

/* Recorded from ClickHouse 18.16.1: the health query's answer. */
static const char answer_18[] =
    "{\"meta\": [{\"name\": \"version\", \"type\": \"String\"}, "
    "{\"name\": \"uptime\", \"type\": \"Int64\"}, "
    "{\"name\": \"queries\", \"type\": \"UInt64\"}, "
    "{\"name\": \"memory\", \"type\": \"Nullable(Int64)\"}, "
    "{\"name\": \"delayed_inserts\", \"type\": \"Nullable(Int64)\"}, "
    "{\"name\": \"merges\", \"type\": \"UInt64\"}, "
    "{\"name\": \"parts\", \"type\": \"Tuple(UInt64, String, String, "
    "String)\"}, "
    "{\"name\": \"parts_limits\", \"type\": \"Tuple(String, String)\"}, "
    "{\"name\": \"replicas\", \"type\": \"Tuple(UInt64, UInt64, UInt64, "
    "UInt64)\"}, "
    "{\"name\": \"mutations\", \"type\": \"UInt64\"}, "
    "{\"name\": \"mutation_failures\", \"type\": \"Nullable(Nothing)\"}, "
    "{\"name\": \"events\", \"type\": \"Tuple(UInt64, UInt64)\"}, "
    "{\"name\": \"disk\", \"type\": \"Nullable(Nothing)\"}, "
    "{\"name\": \"discovered\", \"type\": \"Array(String)\"}], "
    "\"data\": [[\"18.16.1\", \"486\", \"1\", \"27168\", \"0\", \"0\", "
    "[\"3\", \"default\", \"tp\", \"2024-01-01\"], [\"150\", \"300\"], "
    "[\"0\", \"0\", \"0\", \"0\"], \"0\", null, [\"632771\", \"0\"], null, "
    "[]]], \"rows\": 1}";

/* A newer server's answer, with 64-bit integers unquoted in places. */
static const char answer_new[] =
    "{\"meta\": [{\"name\": \"version\", \"type\": \"String\"}, "
    "{\"name\": \"uptime\", \"type\": \"Int64\"}, "
    "{\"name\": \"queries\", \"type\": \"UInt64\"}, "
    "{\"name\": \"memory\", \"type\": \"Nullable(Int64)\"}, "
    "{\"name\": \"merges\", \"type\": \"UInt64\"}, "
    "{\"name\": \"parts\", \"type\": \"Tuple(UInt64, String, String, "
    "String)\"}, "
    "{\"name\": \"parts_limits\", \"type\": \"Tuple(String, String)\"}, "
    "{\"name\": \"replicas\", \"type\": \"Tuple(UInt64, UInt64, UInt64, "
    "UInt64)\"}, "
    "{\"name\": \"mutations\", \"type\": \"UInt64\"}, "
    "{\"name\": \"mutation_failures\", \"type\": \"Tuple(UInt64, "
    "String)\"}, "
    "{\"name\": \"events\", \"type\": \"Tuple(UInt64, UInt64)\"}, "
    "{\"name\": \"disk\", \"type\": \"Tuple(String, UInt64, UInt64, "
    "UInt64)\"}, "
    "{\"name\": \"discovered\", \"type\": \"Array(String)\"}], "
    "\"data\": [[\"23.8.1.94\", \"7200\", \"4\", null, \"2\", "
    "[\"120\", \"otus\", \"posting_data\", \"202401\"], "
    "[\"300\", \"600\"], [2, 1, 35, 7], \"3\", "
    "[\"1\", \"otus.posting_data 0000000001: Code: 6. bad cast\"], "
    "[\"1000\", \"10\"], [\"default\", \"1000\", \"4000\", \"1\"], "
    "[\"ch2\", \"ch3\", \"\"]]], \"rows\": 1}";

static void
add_rows(struct buf *b, const char *kind, const char *const *list,
    bool *first)
{
	for (; *list != NULL; list++) {
		buf_printf(b, "%s[\"%s\", \"%s\"]", *first ? "" : ", ", kind,
		    *list);
		*first = false;
	}
}

static struct ch_caps *
caps_of(const char *version, const char *const *tables,
    const char *const *columns)
{
	struct buf		 b = BUF_INIT;
	struct ch_result	*res = NULL;
	struct ch_caps		*caps = NULL;
	struct ch_error		 err;
	char			*cause = NULL;
	bool			 first = false;

	memset(&err, 0, sizeof err);
	buf_printf(&b, "{\"meta\": [{\"name\": \"k\", \"type\": \"String\"}, "
	    "{\"name\": \"v\", \"type\": \"String\"}], \"data\": [[\"version\", "
	    "\"%s\"]", version);
	add_rows(&b, "table", tables, &first);
	add_rows(&b, "column", columns, &first);
	buf_addstr(&b, "]}");
	assert_int_equal(ch_result_parse(b.data, b.len, &res, &err), 0);
	assert_int_equal(ch_caps_parse(res, &caps, &cause), 0);
	ch_result_free(res);
	buf_free(&b);
	return caps;
}

static struct ch_result *
parse(const char *body)
{
	struct ch_result	*res = NULL;
	struct ch_error		 err;

	memset(&err, 0, sizeof err);
	if (ch_result_parse(body, strlen(body), &res, &err) != 0)
		fail_msg("parse: %s", err.message);
	return res;
}

/* Every system.NAME in the query is a table the server has. */
static void
assert_tables_exist(const char *sql, const struct ch_caps *caps)
{
	const char	*p = sql;
	char		 name[64];
	size_t		 n;

	while ((p = strstr(p, "system.")) != NULL) {
		p += 7;
		for (n = 0; n < sizeof name - 1 &&
		    (isalnum((unsigned char)p[n]) || p[n] == '_'); n++)
			name[n] = p[n];
		name[n] = '\0';
		if (!ch_caps_has_table(caps, name))
			fail_msg("the query names system.%s: %s", name, sql);
	}
}

static void
test_sql_18_16(void **state)
{
	struct ch_caps	*caps = caps_of("18.16.1", tables_18, columns_18);
	char		*sql = ch_health_sql(caps, "chops-1-2-abc");

	assert_tables_exist(sql, caps);
	assert_non_null(strstr(sql, "system.processes WHERE query_id != "
	    "'chops-1-2-abc'"));
	assert_non_null(strstr(sql, "system.merge_tree_settings"));
	assert_non_null(strstr(sql, "system.replicas"));
	assert_non_null(strstr(sql, "system.events"));
	/* what 18.16 lacks is a NULL, never a reference */
	assert_null(strstr(sql, "system.disks"));
	assert_null(strstr(sql, "latest_fail_reason"));
	assert_non_null(strstr(sql, "NULL AS disk"));
	assert_non_null(strstr(sql, "NULL AS mutation_failures"));
	free(sql);
	ch_caps_free(caps);
}

static void
test_sql_newer(void **state)
{
	struct ch_caps	*caps = caps_of("23.8.1.94", tables_new, columns_new);
	char		*sql = ch_health_sql(caps, "q");

	assert_tables_exist(sql, caps);
	assert_non_null(strstr(sql, "FROM system.disks"));
	assert_non_null(strstr(sql, "latest_fail_reason != ''"));
	assert_null(strstr(sql, "NULL AS"));
	free(sql);
	ch_caps_free(caps);
}

static void
test_sql_bare_server(void **state)
{
	static const char *const none[] = { NULL };
	static const char *const only[] = { "one", NULL };
	struct ch_caps	*caps = caps_of("1.1", only, none);
	char		*sql = ch_health_sql(caps, "q' OR 1");

	assert_tables_exist(sql, caps);
	assert_null(strstr(sql, "system."));
	assert_non_null(strstr(sql, "NULL AS queries"));
	assert_non_null(strstr(sql, "NULL AS memory"));
	free(sql);
	ch_caps_free(caps);
}

static void
test_parse_18_16(void **state)
{
	struct ch_result	*res = parse(answer_18);
	struct ch_health_figs	 f;
	char			*cause = NULL;
	double			 ratio = 0;

	memset(&f, 0, sizeof f);
	assert_int_equal(ch_health_parse(res, &f, &cause), 0);
	assert_string_equal(f.version, "18.16.1");
	assert_true(f.uptime_s.known && f.uptime_s.v == 486);
	assert_true(f.queries.known && f.queries.v == 1);
	assert_true(f.memory.known && f.memory.v == 27168);
	assert_true(f.delayed_inserts.known && f.delayed_inserts.v == 0);
	assert_true(f.merges.known && f.merges.v == 0);
	assert_true(f.parts.known && f.parts.v == 3);
	assert_string_equal(f.parts_db, "default");
	assert_string_equal(f.parts_table, "tp");
	assert_string_equal(f.parts_partition, "2024-01-01");
	assert_true(f.parts_delay.known && f.parts_delay.v == 150);
	assert_true(f.parts_throw.known && f.parts_throw.v == 300);
	assert_true(ch_health_parts_ratio(&f, &ratio));
	assert_true(ratio > 0.0199 && ratio < 0.0201);
	assert_true(f.replicas.known && f.replicas.v == 0);
	assert_true(f.readonly_replicas.known && f.readonly_replicas.v == 0);
	/* no replicated tables: no delay to speak of, not a delay of 0 */
	assert_false(f.replica_delay_s.known || f.replica_queue.known);
	assert_true(f.mutations.known && f.mutations.v == 0);
	assert_false(f.mutations_failed.known);
	assert_null(f.mutation_error);
	assert_true(f.inserted_rows.known && f.inserted_rows.v == 632771);
	assert_true(f.failed_queries.known && f.failed_queries.v == 0);
	assert_false(f.inserted_rows_s.known || f.failed_queries_s.known);
	assert_false(f.disk_free.known || f.disk_total.known);
	assert_null(f.disk_name);
	assert_int_equal(f.n_discovered, 0);
	ch_health_figs_clear(&f);
	ch_result_free(res);
}

static void
test_parse_newer(void **state)
{
	struct ch_result	*res = parse(answer_new);
	struct ch_health_figs	 f;
	char			*cause = NULL;

	memset(&f, 0, sizeof f);
	assert_int_equal(ch_health_parse(res, &f, &cause), 0);
	assert_false(f.memory.known);		/* null: unknown, not 0 */
	assert_false(f.delayed_inserts.known);	/* column absent */
	assert_true(f.parts.known && f.parts.v == 120);
	assert_string_equal(f.parts_table, "posting_data");
	assert_true(f.replicas.known && f.replicas.v == 2);
	assert_true(f.readonly_replicas.known && f.readonly_replicas.v == 1);
	assert_true(f.replica_delay_s.known && f.replica_delay_s.v == 35);
	assert_true(f.replica_queue.known && f.replica_queue.v == 7);
	assert_true(f.mutations.known && f.mutations.v == 3);
	assert_true(f.mutations_failed.known && f.mutations_failed.v == 1);
	assert_non_null(strstr(f.mutation_error, "bad cast"));
	assert_string_equal(f.disk_name, "default");
	assert_true(f.disk_free.known && f.disk_free.v == 1000);
	assert_true(f.disk_total.known && f.disk_total.v == 4000);
	assert_int_equal(f.n_discovered, 2);
	assert_string_equal(f.discovered[1], "ch3");
	ch_health_figs_clear(&f);
	ch_result_free(res);
}

static void
test_parse_rejects(void **state)
{
	struct ch_result	*res = parse("{\"meta\": [{\"name\": \"x\", "
	    "\"type\": \"UInt8\"}], \"data\": [[1]]}");
	struct ch_health_figs	 f;
	char			*cause = NULL;

	memset(&f, 0, sizeof f);
	assert_int_equal(ch_health_parse(res, &f, &cause), -1);
	assert_non_null(strstr(cause, "health query"));
	assert_null(f.version);
	free(cause);
	ch_result_free(res);
}

static void
sample(struct ch_health_figs *f, int64_t ms, int64_t uptime, int64_t ins,
    int64_t failed)
{
	memset(f, 0, sizeof *f);
	f->taken_ms = ms;
	f->uptime_s.known = f->inserted_rows.known = true;
	f->failed_queries.known = true;
	f->uptime_s.v = uptime;
	f->inserted_rows.v = ins;
	f->failed_queries.v = failed;
}

static void
test_rates(void **state)
{
	struct ch_health_figs	prev, cur;

	sample(&prev, 1000, 10, 100, 5);
	ch_health_rates(&prev, NULL);
	assert_false(prev.inserted_rows_s.known || prev.failed_queries_s.known);

	sample(&cur, 3000, 12, 300, 9);
	ch_health_rates(&cur, &prev);
	assert_true(cur.inserted_rows_s.known && cur.failed_queries_s.known);
	assert_true(cur.inserted_rows_s.v > 99.99 &&
	    cur.inserted_rows_s.v < 100.01);
	assert_true(cur.failed_queries_s.v > 1.99 &&
	    cur.failed_queries_s.v < 2.01);

	/* a restart in between: the counters started again */
	sample(&cur, 3000, 1, 300, 9);
	ch_health_rates(&cur, &prev);
	assert_false(cur.inserted_rows_s.known || cur.failed_queries_s.known);

	/* a counter that went back, or one that is unknown */
	sample(&cur, 3000, 12, 50, 9);
	cur.failed_queries.known = false;
	ch_health_rates(&cur, &prev);
	assert_false(cur.inserted_rows_s.known || cur.failed_queries_s.known);

	/* no time between the two */
	sample(&cur, 1000, 10, 200, 5);
	ch_health_rates(&cur, &prev);
	assert_false(cur.inserted_rows_s.known);
}

static void
test_unknown_ratio(void **state)
{
	struct ch_health_figs	f;
	double			ratio = -1;

	memset(&f, 0, sizeof f);
	assert_false(ch_health_parts_ratio(&f, &ratio));
	f.parts.known = true;
	f.parts.v = 10;
	assert_false(ch_health_parts_ratio(&f, &ratio));
	f.parts_delay.known = true;		/* a limit of 0: no ratio */
	assert_false(ch_health_parts_ratio(&f, &ratio));
	f.parts_delay.v = 100;
	assert_true(ch_health_parts_ratio(&f, &ratio));
	assert_true(ratio > 0.099 && ratio < 0.101);
	ch_health_figs_clear(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sql_18_16),
		cmocka_unit_test(test_sql_newer),
		cmocka_unit_test(test_sql_bare_server),
		cmocka_unit_test(test_parse_18_16),
		cmocka_unit_test(test_parse_newer),
		cmocka_unit_test(test_parse_rejects),
		cmocka_unit_test(test_rates),
		cmocka_unit_test(test_unknown_ratio),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
