#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sql.h"

static void
test_ident_valid(void **state)
{
	assert_true(sql_ident_valid("t"));
	assert_true(sql_ident_valid("_x9"));
	assert_true(sql_ident_valid("Events_2024"));
	assert_false(sql_ident_valid(""));
	assert_false(sql_ident_valid(NULL));
	assert_false(sql_ident_valid("9t"));
	assert_false(sql_ident_valid("a.b"));
	assert_false(sql_ident_valid("a-b"));
	assert_false(sql_ident_valid("a b"));
	assert_false(sql_ident_valid("a`b"));
	assert_false(sql_ident_valid("t;DROP"));
	assert_false(sql_ident_valid("caf\xc3\xa9"));
}

static void
test_split_table(void **state)
{
	char	*db, *table, *cause = NULL;

	assert_int_equal(sql_split_table("db1.events", &db, &table, &cause), 0);
	assert_string_equal(db, "db1");
	assert_string_equal(table, "events");
	free(db);
	free(table);

	assert_int_equal(sql_split_table("events", &db, &table, &cause), 0);
	assert_null(db);
	assert_string_equal(table, "events");
	free(table);

	assert_int_equal(sql_split_table("a.b.c", &db, &table, &cause), -1);
	assert_non_null(strstr(cause, "a.b.c"));
	free(cause);
	assert_int_equal(sql_split_table(".t", &db, &table, &cause), -1);
	free(cause);
	assert_int_equal(sql_split_table("db.", &db, &table, &cause), -1);
	free(cause);
	assert_int_equal(sql_split_table("d\nb.t", &db, &table, &cause), -1);
	/* control bytes are shown escaped, never raw */
	assert_null(strchr(cause, '\n'));
	assert_non_null(strstr(cause, "d\\x0ab.t"));
	free(cause);
	assert_null(db);
	assert_null(table);
}

static void
test_quote_ident(void **state)
{
	struct buf	b = BUF_INIT;

	sql_quote_ident(&b, "plain");
	assert_string_equal(buf_str(&b), "`plain`");
	buf_reset(&b);
	sql_quote_ident(&b, "we`ird\\name");
	assert_string_equal(buf_str(&b), "`we\\`ird\\\\name`");
	buf_reset(&b);
	sql_quote_ident(&b, "`; DROP TABLE t; --");
	assert_string_equal(buf_str(&b), "`\\`; DROP TABLE t; --`");
	buf_free(&b);
}

static void
test_quote_string(void **state)
{
	struct buf	b = BUF_INIT;
	const char	bin[] = { 'a', '\0', 'b', '\x01', '\x7f', '\xff', '\xc3',
			    '\xa9' };

	sql_quote_string(&b, "x'; DROP TABLE t; --", 20);
	assert_string_equal(buf_str(&b), "'x\\'; DROP TABLE t; --'");
	buf_reset(&b);
	sql_quote_string(&b, "a\\b\n\t\rc", 7);
	assert_string_equal(buf_str(&b), "'a\\\\b\\n\\t\\rc'");
	buf_reset(&b);
	/* a trailing backslash cannot escape the closing quote */
	sql_quote_string(&b, "x\\", 2);
	assert_string_equal(buf_str(&b), "'x\\\\'");
	buf_reset(&b);
	sql_quote_string(&b, bin, sizeof bin);
	assert_string_equal(buf_str(&b), "'a\\0b\\x01\\x7f\xff\xc3\xa9'");
	buf_reset(&b);
	sql_quote_string(&b, "", 0);
	assert_string_equal(buf_str(&b), "''");
	buf_free(&b);
}

static void
test_appendf(void **state)
{
	struct buf	 b = BUF_INIT;
	char		*cause = NULL;
	int		 rc;

	rc = sql_appendf(&b, &cause, "SELECT count() FROM %T WHERE %I = %S "
	    "AND n > %d AND m < %lld AND u = %llu AND p LIKE '100%%' FORMAT %N",
	    "db.t", "col", "it's", -3, -9000000000LL,
	    18446744073709551615ULL, "JSONCompact");
	assert_int_equal(rc, 0);
	assert_string_equal(buf_str(&b), "SELECT count() FROM `db`.`t` WHERE "
	    "`col` = 'it\\'s' AND n > -3 AND m < -9000000000 AND "
	    "u = 18446744073709551615 AND p LIKE '100%' FORMAT JSONCompact");
	buf_reset(&b);
	rc = sql_appendf(&b, &cause, "SELECT %B, %Q", "a\0b", (size_t)3,
	    "odd-name`x");
	assert_int_equal(rc, 0);
	assert_string_equal(buf_str(&b), "SELECT 'a\\0b', `odd-name\\`x`");
	buf_free(&b);
}

static void
test_appendf_rejects(void **state)
{
	static const char *bad[] = {
		"x'; DROP TABLE t; --", "t` UNION SELECT 1 --", "a b",
		"t\n", "", "1t", "db.t;", "a\\b",
	};
	struct buf	 b = BUF_INIT;
	char		*cause;
	size_t		 i;

	buf_addstr(&b, "keep");
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cause = NULL;
		assert_int_equal(sql_appendf(&b, &cause, "SELECT * FROM %I",
		    bad[i]), -1);
		assert_non_null(cause);
		assert_non_null(strstr(cause, "invalid"));
		free(cause);
		cause = NULL;
		assert_int_equal(sql_appendf(&b, &cause, "INSERT INTO %T",
		    bad[i]), -1);
		free(cause);
		cause = NULL;
		assert_int_equal(sql_appendf(&b, &cause, "FORMAT %N", bad[i]),
		    -1);
		free(cause);
	}
	/* nothing was appended by the failures */
	assert_string_equal(buf_str(&b), "keep");
	cause = NULL;
	assert_int_equal(sql_appendf(&b, &cause, "SELECT %s", "x"), -1);
	assert_non_null(strstr(cause, "unknown"));
	free(cause);
	cause = NULL;
	assert_int_equal(sql_appendf(&b, &cause, "SELECT 1 %"), -1);
	free(cause);
	cause = NULL;
	assert_int_equal(sql_appendf(&b, &cause, "%Q", ""), -1);
	free(cause);
	assert_string_equal(buf_str(&b), "keep");
	buf_free(&b);
}

static void
test_kill_query(void **state)
{
	struct buf	b = BUF_INIT;

	sql_kill_query(&b, "chops-1-2-abcd");
	assert_string_equal(buf_str(&b),
	    "KILL QUERY WHERE query_id = 'chops-1-2-abcd' SYNC");
	buf_reset(&b);
	sql_kill_query(&b, "x' OR 1 = 1 --");
	assert_string_equal(buf_str(&b),
	    "KILL QUERY WHERE query_id = 'x\\' OR 1 = 1 --' SYNC");
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ident_valid),
		cmocka_unit_test(test_split_table),
		cmocka_unit_test(test_quote_ident),
		cmocka_unit_test(test_quote_string),
		cmocka_unit_test(test_appendf),
		cmocka_unit_test(test_appendf_rejects),
		cmocka_unit_test(test_kill_query),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
