/*
 * The SQL the backup engine sends: exact statements, hostile names quoted
 * or refused, the server engine's secrets redacted. Also the compressors
 * the stream engine feeds.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "backup.h"
#include "backup_sql.h"
#include "codec.h"
#include "xmalloc.h"

static const struct manifest_column cols[] = {
	{ (char *)"ts", (char *)"DateTime" },
	{ (char *)"amount", (char *)"Nullable(Decimal(18, 4))" },
	{ (char *)"id", (char *)"UUID" },
	{ (char *)"tags", (char *)"Array(String)" },
	{ (char *)"we`ird\\ name\n", (char *)"String" },
	{ (char *)"x'); DROP TABLE t; --", (char *)"Int8" },
	{ (char *)"ns", (char *)"Array(Nullable(String))" },
	{ (char *)"lc", (char *)"LowCardinality(Nullable(String))" },
	{ (char *)"n", (char *)"Nullable(Int64)" },
};
#define NCOLS	(sizeof cols / sizeof *cols)

static char *
where(const char *col, enum backup_time_kind kind)
{
	struct buf	 b = BUF_INIT;
	char		*cause = NULL;

	assert_int_equal(backup_sql_where(&b, col, kind, 1795813200,
	    1795899600, "Europe/Moscow", &cause), 0);
	return buf_detach(&b);
}

static void
test_where(void **state)
{
	char	*w;

	w = where("ts", BACKUP_TIME_DATETIME);
	assert_string_equal(w, " WHERE `ts` >= toDateTime(1795813200) AND "
	    "`ts` < toDateTime(1795899600)");
	free(w);
	w = where("day", BACKUP_TIME_DATE);
	assert_string_equal(w, " WHERE `day` >= toDate(toDateTime(1795813200), "
	    "'Europe/Moscow') AND `day` < toDate(toDateTime(1795899600), "
	    "'Europe/Moscow')");
	free(w);
	/* a hostile time column is quoted, not pasted */
	w = where("t` >= 0 OR 1 --", BACKUP_TIME_DATETIME);
	assert_string_equal(w, " WHERE `t\\` >= 0 OR 1 --` >= toDateTime("
	    "1795813200) AND `t\\` >= 0 OR 1 --` < toDateTime(1795899600)");
	free(w);
}

static void
test_checksum_and_select(void **state)
{
	struct buf	 b = BUF_INIT;
	char		*w = where("ts", BACKUP_TIME_DATETIME), *cause = NULL;

	assert_int_equal(backup_sql_checksum(&b, "otus.events", cols, NCOLS, w,
	    &cause), 0);
	assert_string_equal(buf_str(&b), "SELECT count(), sum(cityHash64(`ts`, "
	    "isNull(`amount`), toString(assumeNotNull(`amount`)), "
	    "toString(`id`), `tags`, `we\\`ird\\\\ name\n`, "
	    "`x'); DROP TABLE t; --`, toString(`ns`), isNull(`lc`), "
	    "assumeNotNull(`lc`), isNull(`n`), assumeNotNull(`n`))) FROM "
	    "`otus`.`events` WHERE `ts` >= toDateTime(1795813200) AND `ts` < "
	    "toDateTime(1795899600)");
	buf_reset(&b);
	assert_int_equal(backup_sql_select(&b, "otus.events", cols, 1, w,
	    &cause), 0);
	assert_string_equal(buf_str(&b), "SELECT `ts` FROM `otus`.`events` "
	    "WHERE `ts` >= toDateTime(1795813200) AND `ts` < toDateTime("
	    "1795899600)");
	buf_reset(&b);

	/* table names are identifiers, never quoted garbage */
	assert_int_equal(backup_sql_select(&b, "otus.ev`ents", cols, 1, w,
	    &cause), -1);
	assert_non_null(strstr(cause, "invalid table name"));
	free(cause);
	assert_int_equal(backup_sql_checksum(&b, "otus.events; DROP", cols, 1,
	    w, &cause), -1);
	free(cause);
	assert_int_equal(backup_sql_select(&b, "otus.events", cols, 0, w,
	    &cause), -1);
	free(cause);
	/* no range, no statement */
	assert_int_equal(backup_sql_select(&b, "otus.events", cols, 1, "",
	    &cause), -1);
	free(cause);
	assert_int_equal(b.len, 0);
	buf_free(&b);
	free(w);
}

static void
test_info_queries(void **state)
{
	struct period_civil	 c[2] = { { 2026, 11, 28, 0, 0, 0 },
				    { 2026, 11, 29, 0, 0, 0 } };
	struct buf		 b = BUF_INIT;
	char			*cause = NULL;

	assert_int_equal(backup_sql_info(&b, NULL, &cause), 0);
	assert_string_equal(buf_str(&b), "SELECT timezone() AS tz, version() "
	    "AS version, toString(toDate(now(), timezone())) AS today, "
	    "toUnixTimestamp(now()) AS now");
	buf_reset(&b);
	assert_int_equal(backup_sql_info(&b, "Europe/Mos'cow", &cause), 0);
	assert_string_equal(buf_str(&b), "SELECT timezone() AS tz, version() "
	    "AS version, toString(toDate(now(), 'Europe/Mos\\'cow')) AS today, "
	    "toUnixTimestamp(now()) AS now");
	buf_reset(&b);
	assert_int_equal(backup_sql_to_epoch(&b, "Asia/Tokyo", c, 2, &cause),
	    0);
	assert_string_equal(buf_str(&b), "SELECT toUnixTimestamp(toDateTime("
	    "'2026-11-28 00:00:00', 'Asia/Tokyo')), toUnixTimestamp(toDateTime("
	    "'2026-11-29 00:00:00', 'Asia/Tokyo'))");
	buf_reset(&b);
	assert_int_equal(backup_sql_table(&b, "otus", "ev'ents", &cause), 0);
	assert_string_equal(buf_str(&b), "SELECT engine, create_table_query "
	    "FROM system.tables WHERE database = 'otus' AND name = "
	    "'ev\\'ents'");
	buf_reset(&b);
	assert_int_equal(backup_sql_columns(&b, "otus", "events", &cause), 0);
	assert_string_equal(buf_str(&b), "SELECT name, type, default_kind, "
	    "is_in_partition_key FROM system.columns WHERE database = 'otus' "
	    "AND table = 'events'");
	buf_reset(&b);
	assert_int_equal(backup_sql_progress(&b, "chops-1-2-x'", &cause), 0);
	assert_string_equal(buf_str(&b), "SELECT read_rows, read_bytes FROM "
	    "system.processes WHERE query_id = 'chops-1-2-x\\''");
	buf_free(&b);
}

static void
test_server_insert(void **state)
{
	struct buf	 b = BUF_INIT, sel = BUF_INIT;
	const char	*secrets[] = { "AKIA'KEY", "s3cr3t/with+chars" };
	char		*w = where("ts", BACKUP_TIME_DATETIME), *cause = NULL;
	char		*msg;

	assert_int_equal(backup_sql_select(&sel, "otus.events", cols, 2, w,
	    &cause), 0);
	assert_int_equal(backup_sql_server_insert(&b, "http://s3:9000/bk/p/"
	    "otus.events/daily/2026-11-28/data.native.zst", secrets[0],
	    secrets[1], "Native", cols, 2, CODEC_ZSTD, buf_str(&sel), &cause),
	    0);
	assert_string_equal(buf_str(&b), "INSERT INTO FUNCTION s3("
	    "'http://s3:9000/bk/p/otus.events/daily/2026-11-28/"
	    "data.native.zst', "
	    "'AKIA\\'KEY', 's3cr3t/with+chars', 'Native', '`ts` DateTime, "
	    "`amount` Nullable(Decimal(18, 4))', 'zstd') SELECT `ts`, `amount` "
	    "FROM `otus`.`events` WHERE `ts` >= toDateTime(1795813200) AND "
	    "`ts` < toDateTime(1795899600)");

	/* whatever quotes the statement never shows the keys */
	msg = backup_sql_redact(buf_str(&b), secrets, 2);
	assert_null(strstr(msg, "AKIA"));
	assert_null(strstr(msg, "s3cr3t"));
	assert_non_null(strstr(msg, "'<redacted>', '<redacted>'"));
	free(msg);
	msg = backup_sql_redact("Code: 499, e.displayText() = key AKIA'KEY "
	    "denied", secrets, 2);
	assert_string_equal(msg, "Code: 499, e.displayText() = key <redacted> "
	    "denied");
	free(msg);
	msg = backup_sql_redact(NULL, secrets, 2);
	assert_string_equal(msg, "");
	free(msg);

	/* uncompressed: no compression argument (servers before 20.x) */
	buf_reset(&b);
	assert_int_equal(backup_sql_server_insert(&b, "http://s3/bk/k", "a",
	    "b", "Parquet", cols, 1, CODEC_NONE, buf_str(&sel), &cause), 0);
	assert_non_null(strstr(buf_str(&b), "'Parquet', '`ts` DateTime') "
	    "SELECT"));
	buf_reset(&b);
	assert_int_equal(backup_sql_server_insert(&b, "u", "a", "b", "Na tive",
	    cols, 1, CODEC_NONE, buf_str(&sel), &cause), -1);
	free(cause);
	assert_int_equal(backup_sql_server_insert(&b, "u", "a", "b", "Native",
	    cols, 1, CODEC_NONE, "DROP TABLE x", &cause), -1);
	free(cause);
	buf_free(&b);
	buf_free(&sel);
	free(w);
}

static const struct {
	const char		*type;
	enum backup_time_kind	 kind;
} time_cases[] = {
	{ "DateTime", BACKUP_TIME_DATETIME },
	{ "DateTime('Europe/Moscow')", BACKUP_TIME_DATETIME },
	{ "DateTime64(3)", BACKUP_TIME_DATETIME },
	{ "DateTime64(3, 'UTC')", BACKUP_TIME_DATETIME },
	{ "Nullable(DateTime)", BACKUP_TIME_DATETIME },
	{ "Date", BACKUP_TIME_DATE },
	{ "Date32", BACKUP_TIME_DATE },
	{ "Nullable(Date)", BACKUP_TIME_DATE },
	{ "String", BACKUP_TIME_NONE },
	{ "DateTimeX", BACKUP_TIME_NONE },
	{ "Array(DateTime)", BACKUP_TIME_NONE },
	{ "UInt32", BACKUP_TIME_NONE },
	{ "Nullable(", BACKUP_TIME_NONE },
};

static void
test_time_kind(void **state)
{
	size_t	i;

	for (i = 0; i < sizeof time_cases / sizeof *time_cases; i++) {
		if (backup_sql_time_kind(time_cases[i].type) !=
		    time_cases[i].kind)
			fail_msg("%s", time_cases[i].type);
	}
}

/* Compresses in uneven pieces, then decompresses and compares. */
static void
roundtrip(enum codec_kind kind, int workers)
{
	struct buf	 in = BUF_INIT, z = BUF_INIT, out = BUF_INIT;
	struct codec	*c;
	char		*cause = NULL;
	size_t		 i, off, n;

	for (i = 0; i < 3000000; i++)
		buf_addc(&in, (char)(i % 251 < 200 ? 'a' + i % 7 : i * 131));
	c = codec_new(kind, 0, workers, &cause);
	assert_non_null(c);
	for (off = 0, n = 1; off < in.len; off += n, n = n * 3 % 70001 + 1) {
		if (n > in.len - off)
			n = in.len - off;
		assert_int_equal(codec_write(c, in.data + off, n, &z,
		    &cause), 0);
	}
	assert_int_equal(codec_finish(c, &z, &cause), 0);
	codec_free(c);
	if (kind != CODEC_NONE)
		assert_true(z.len < in.len / 2);
	c = codec_decoder_new(kind, &cause);
	for (off = 0; off < z.len; off += 4093) {
		n = z.len - off < 4093 ? z.len - off : 4093;
		assert_int_equal(codec_write(c, z.data + off, n, &out, &cause),
		    0);
	}
	assert_int_equal(codec_finish(c, &out, &cause), 0);
	codec_free(c);
	assert_int_equal(out.len, in.len);
	assert_memory_equal(out.data, in.data, in.len);
	/* a truncated stream is an error, not a short success */
	if (kind != CODEC_NONE) {
		c = codec_decoder_new(kind, &cause);
		buf_reset(&out);
		assert_int_equal(codec_write(c, z.data, z.len - 3, &out,
		    &cause), 0);
		assert_int_equal(codec_finish(c, &out, &cause), -1);
		assert_non_null(strstr(cause, "ends in the middle"));
		free(cause);
		codec_free(c);
	}
	buf_free(&in);
	buf_free(&z);
	buf_free(&out);
}

static void
test_codecs(void **state)
{
	enum codec_kind	k;

	roundtrip(CODEC_ZSTD, 0);
	roundtrip(CODEC_ZSTD, 2);
	roundtrip(CODEC_GZIP, 0);
	roundtrip(CODEC_NONE, 0);
	assert_int_equal(codec_parse("zstd", &k), 0);
	assert_int_equal(k, CODEC_ZSTD);
	assert_int_equal(codec_parse("lz4", &k), -1);
	assert_string_equal(codec_ext(CODEC_GZIP), ".gz");
}

static void
test_names(void **state)
{
	enum backup_engine	e;

	assert_int_equal(backup_engine_parse("server", &e), 0);
	assert_int_equal(e, BACKUP_ENGINE_SERVER);
	assert_int_equal(backup_engine_parse("clickhouse", &e), -1);
	assert_string_equal(backup_status_name(BACKUP_SKIPPED), "skipped");
	assert_string_equal(backup_phase_name(BACKUP_PHASE_TRANSFER),
	    "transfer");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_where),
		cmocka_unit_test(test_checksum_and_select),
		cmocka_unit_test(test_info_queries),
		cmocka_unit_test(test_server_insert),
		cmocka_unit_test(test_time_kind),
		cmocka_unit_test(test_codecs),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
