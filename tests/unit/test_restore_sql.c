/* The SQL verify and restore build, and what they refuse to build. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "restore_sql.h"
#include "xmalloc.h"

static char *
create_like(const char *create, char **cause)
{
	struct buf	b = BUF_INIT;

	*cause = NULL;
	if (rsql_create_like(&b, "db1.t__restore_x", "db1.t", create,
	    cause) != 0) {
		buf_free(&b);
		return NULL;
	}
	return buf_detach(&b);
}

static void
test_create_like_renames(void **state)
{
	char	*out, *cause;

	out = create_like("CREATE TABLE db1.t ( ts DateTime,  v String) "
	    "ENGINE = MergeTree PARTITION BY toDate(ts) ORDER BY ts SETTINGS "
	    "index_granularity = 8192", &cause);
	assert_non_null(out);
	assert_string_equal(out, "CREATE TABLE `db1`.`t__restore_x` ( ts "
	    "DateTime,  v String) ENGINE = MergeTree PARTITION BY toDate(ts) "
	    "ORDER BY ts SETTINGS index_granularity = 8192");
	free(out);

	out = create_like("CREATE TABLE `db1`.`t`\n(\n    `ts` DateTime,\n"
	    "    `s` String DEFAULT 'a;b'\n)\nENGINE = MergeTree\nORDER BY ts",
	    &cause);
	assert_non_null(out);
	assert_non_null(strstr(out, "`db1`.`t__restore_x` (\n"));
	assert_non_null(strstr(out, "DEFAULT 'a;b'"));
	free(out);
}

static void
test_create_like_unreplicates(void **state)
{
	char	*out, *cause;

	out = create_like("CREATE TABLE db1.t (d Date, x UInt8) ENGINE = "
	    "ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/t', "
	    "'{replica}', x) PARTITION BY d ORDER BY x", &cause);
	assert_non_null(out);
	assert_non_null(strstr(out, "ENGINE = ReplacingMergeTree(x) "
	    "PARTITION BY d"));
	assert_null(strstr(out, "clickhouse/tables"));
	free(out);

	out = create_like("CREATE TABLE db1.t (d Date) ENGINE = "
	    "ReplicatedMergeTree('/p', 'r') ORDER BY d", &cause);
	assert_non_null(out);
	assert_non_null(strstr(out, "ENGINE = MergeTree() ORDER BY d"));
	free(out);
}

static void
test_create_like_refuses(void **state)
{
	static const struct {
		const char	*sql;
		const char	*why;
	} bad[] = {
		{ "CREATE TABLE db1.other (x UInt8) ENGINE = MergeTree ORDER "
		  "BY x", "is for db1.other" },
		{ "CREATE TABLE db1.t (x UInt8) ENGINE = Log", "MergeTree" },
		{ "CREATE TABLE db1.t (x UInt8) ENGINE = MergeTree ORDER BY x "
		  "AS SELECT * FROM secret.t", "AS SELECT" },
		{ "CREATE TABLE db1.t (x UInt8) ENGINE = MergeTree ORDER BY x; "
		  "DROP TABLE db1.t", "does not parse" },
		{ "CREATE TABLE db1.t (x UInt8) ENGINE = MergeTree ORDER BY "
		  "x)", "does not parse" },
		{ "CREATE TABLE db1.t (x UInt8) ORDER BY x", "no ENGINE" },
		{ "CREATE VIEW db1.t AS SELECT 1", "not a CREATE TABLE" },
		{ "CREATE TABLE db1.t ENGINE = MergeTree", "no column list" },
		{ "CREATE TABLE db1.t (x String DEFAULT 'open) ENGINE = "
		  "MergeTree", "no column list" },
		{ "DROP TABLE db1.t", "does not start" },
		{ "CREATE TABLE db1.t (x UInt8) ENGINE = MergeTree ENGINE = "
		  "MergeTree", "two ENGINE" },
	};
	char	*cause;
	size_t	 i;

	for (i = 0; i < sizeof bad / sizeof *bad; i++) {
		assert_null(create_like(bad[i].sql, &cause));
		assert_non_null(cause);
		if (strstr(cause, bad[i].why) == NULL)
			fail_msg("%s: '%s' lacks '%s'", bad[i].sql, cause,
			    bad[i].why);
		free(cause);
	}
}

static void
test_type_safe(void **state)
{
	assert_true(rsql_type_safe("Nullable(Int32)"));
	assert_true(rsql_type_safe("Enum8('a' = 1, 'b)--;' = -2)"));
	assert_true(rsql_type_safe("DateTime('Europe/Moscow')"));
	assert_true(rsql_type_safe("Array(Tuple(UInt8, Decimal(18, 4)))"));
	assert_false(rsql_type_safe("UInt8) ENGINE = Log --"));
	assert_false(rsql_type_safe("UInt8; DROP TABLE x"));
	assert_false(rsql_type_safe("Array(UInt8"));
	assert_false(rsql_type_safe("Enum8('a = 1)"));
	assert_false(rsql_type_safe("`x`"));
	assert_false(rsql_type_safe("UInt8 -- comment"));
	assert_false(rsql_type_safe(""));
}

static void
test_create_log(void **state)
{
	struct manifest_column	cols[] = {
		{ (char *)"ts", (char *)"DateTime" },
		{ (char *)"odd`name", (char *)"Nullable(String)" },
	};
	struct manifest_column	evil[] = {
		{ (char *)"x",
		  (char *)"UInt8) ENGINE = Memory AS SELECT 1 --" },
	};
	struct buf		b = BUF_INIT;
	char			*cause = NULL;

	assert_int_equal(rsql_create_log(&b, "chops_scratch.v_1", cols, 2,
	    &cause), 0);
	assert_string_equal(buf_str(&b), "CREATE TABLE `chops_scratch`.`v_1` "
	    "(`ts` DateTime, `odd\\`name` Nullable(String)) ENGINE = Log");
	buf_reset(&b);
	assert_int_equal(rsql_create_log(&b, "chops_scratch.v_1", evil, 1,
	    &cause), -1);
	assert_non_null(strstr(cause, "not one chops will put in DDL"));
	assert_int_equal(b.len, 0);
	free(cause);
	buf_free(&b);
}

static void
test_partition_ok(void **state)
{
	static const char *good[] = { "toDate(ts)", "toYYYYMM(ts)",
	    "toYYYYMMDD(`ts`)", "toMonday( ts )", "toStartOfHour(ts)" };
	static const char *bad[] = { "", "tuple()", "toHour(ts)",
	    "toDate(other)", "(toDate(ts), region)", "intDiv(ts, 3600)",
	    "ts", "toDate(ts, 'UTC')" };
	char	*cause = NULL;
	size_t	 i;

	for (i = 0; i < sizeof good / sizeof *good; i++) {
		if (rsql_partition_ok(good[i], "ts", BACKUP_TIME_DATETIME,
		    &cause) != 0)
			fail_msg("%s: %s", good[i], cause);
	}
	assert_int_equal(rsql_partition_ok("d", "d", BACKUP_TIME_DATE,
	    &cause), 0);
	for (i = 0; i < sizeof bad / sizeof *bad; i++) {
		cause = NULL;
		if (rsql_partition_ok(bad[i], "ts", BACKUP_TIME_DATETIME,
		    &cause) == 0)
			fail_msg("%s accepted", bad[i]);
		assert_non_null(cause);
		free(cause);
	}
}

static void
test_probe_sql(void **state)
{
	struct buf	b = BUF_INIT;
	char		*cause = NULL;

	assert_int_equal(rsql_probe_insert(&b, "chops_scratch.p", "ts",
	    BACKUP_TIME_DATETIME, 1000, 1000 + 86400, &cause), 0);
	assert_string_equal(buf_str(&b), "INSERT INTO `chops_scratch`.`p` "
	    "(`ts`) SELECT toDateTime(multiIf(number = 0, 999, number = 1, "
	    "87399, number = 2, 87400, 1000 + (number - 3) * 60)) FROM "
	    "system.numbers LIMIT 1443");
	buf_reset(&b);
	assert_int_equal(rsql_probe_insert(&b, "chops_scratch.p", "d",
	    BACKUP_TIME_DATE, 20000, 20007, &cause), 0);
	assert_non_null(strstr(buf_str(&b), "(19999 + number) FROM "
	    "system.numbers LIMIT 9"));
	buf_reset(&b);
	assert_int_equal(rsql_replace_partition(&b, "db1.t", "20261128",
	    "db1.t__restore_x", &cause), 0);
	assert_string_equal(buf_str(&b), "ALTER TABLE `db1`.`t` REPLACE "
	    "PARTITION ID '20261128' FROM `db1`.`t__restore_x`");
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_like_renames),
		cmocka_unit_test(test_create_like_unreplicates),
		cmocka_unit_test(test_create_like_refuses),
		cmocka_unit_test(test_type_safe),
		cmocka_unit_test(test_create_log),
		cmocka_unit_test(test_partition_ok),
		cmocka_unit_test(test_probe_sql),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
