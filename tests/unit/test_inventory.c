/*
 * The inventory from a recorded radosgw listing (tests/fixtures/inventory),
 * and the key layout it relies on.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "backup_key.h"
#include "buf.h"
#include "inventory.h"
#include "s3_xml.h"
#include "xmalloc.h"

#define PREFIX	"rec/"

static char *
slurp(const char *rel, size_t *len)
{
	struct buf	 b = BUF_INIT;
	char		*path, chunk[4096];
	FILE		*f;
	size_t		 n;

	path = xasprintf("%s/inventory/%s", TEST_FIXTURES, rel);
	if ((f = fopen(path, "rb")) == NULL)
		fail_msg("cannot open %s", path);
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	free(path);
	*len = b.len;
	return buf_detach(&b);
}

/* An object of the recorded bucket, by key. */
static char *
slurp_object(const char *key, size_t *len)
{
	char	*rel, *text;

	assert_true(strncmp(key, PREFIX, strlen(PREFIX)) == 0);
	rel = xasprintf("objects/%s", key + strlen(PREFIX));
	text = slurp(rel, len);
	free(rel);
	return text;
}

static int
add_item(void *arg, const struct s3_item *it)
{
	inventory_add(arg, it);
	return 0;
}

/* The recorded listing, and the documents the plan asks for. */
static struct inventory *
load(enum inv_fetch fetch)
{
	static const struct period_date	 today = { 2026, 11, 29 };
	struct inventory		*inv = inventory_new(PREFIX, &today);
	struct inv_backup		*bk;
	struct s3_xml			*x;
	char				*text, name[32];
	size_t				 len, i, j;

	for (i = 1; i <= 2; i++) {
		snprintf(name, sizeof name, "list-%zu.xml", i);
		text = slurp(name, &len);
		x = s3_xml_parse(S3_XML_LIST_OBJECTS, text, len, add_item, inv);
		assert_null(s3_xml_error(x));
		s3_xml_free(x);
		free(text);
	}
	inventory_plan(inv, fetch);
	for (i = 0; i < inv->n_tables; i++) {
		for (j = 0; j < inv->tables[i].n_backups; j++) {
			bk = inv->tables[i].backups[j];
			if (!bk->fetch)
				continue;
			text = slurp_object(bk->manifest_key, &len);
			inventory_set_manifest(bk, text, len);
			free(text);
			if (bk->verify_key == NULL)
				continue;
			text = slurp_object(bk->verify_key, &len);
			inventory_set_verify(bk, text, len);
			free(text);
		}
	}
	inventory_finish(inv);
	return inv;
}

static const struct inv_backup *
find(const struct inventory *inv, const char *id)
{
	const struct inv_backup	*bk = inventory_find(inv, id);

	if (bk == NULL)
		fail_msg("no backup %s", id);
	return bk;
}

static void
test_listing(void **state)
{
	struct inventory	*inv = load(INV_FETCH_ALL);
	static const char	*foreign[] = {
		"rec/README.txt",
		"rec/otus.events/2026-11-20.parquet",
		"rec/otus.events/daily/2026-11-21/notes.txt",
		"rec/otus.events/daily/2026-13-01/manifest.json",
		"rec/otus.events/hourly/2026-11-20/data.native.zst",
		"rec/otus/daily/2026-11-20/data.native",
		"rec/posting_data/2026-11-20/part-0.parquet",
	};
	size_t			 i;

	assert_int_equal(inv->n_objects, 40);
	assert_int_equal(inv->n_reserved, 1);
	assert_int_equal(inv->n_tables, 2);
	assert_string_equal(inv->tables[0].name, "otus.events");
	assert_string_equal(inv->tables[1].name, "otus.other");
	assert_int_equal(inv->tables[0].n_backups, 12);
	assert_int_equal(inv->tables[1].n_backups, 2);
	assert_int_equal(inv->n_foreign, sizeof foreign / sizeof *foreign);
	for (i = 0; i < inv->n_foreign; i++)
		assert_string_equal(inv->foreign[i].key, foreign[i]);
	assert_int_equal(inv->foreign[0].size, 33);
	assert_string_equal(inv->foreign[0].last_modified,
	    "2026-11-29T13:25:58.068Z");
	/* sorted: daily by day, then weekly, then adhoc */
	assert_string_equal(inv->tables[0].backups[0]->id,
	    "otus.events/daily/2026-11-15");
	assert_string_equal(inv->tables[0].backups[10]->id,
	    "otus.events/weekly/2026-W47");
	assert_int_equal(inv->tables[0].backups[11]->kind, PERIOD_ADHOC);
	inventory_free(inv);
}

static void
test_backups(void **state)
{
	struct inventory	*inv = load(INV_FETCH_ALL);
	const struct inv_backup	*bk;

	bk = find(inv, "otus.events/daily/2026-11-15");
	assert_true(bk->complete);
	assert_int_equal(bk->verified, INV_UNVERIFIED);
	assert_int_equal(bk->manifest->rows, 100);
	assert_int_equal(bk->data->size, 100);
	assert_null(bk->problem);

	assert_int_equal(find(inv, "otus.events/daily/2026-11-16")->verified,
	    INV_VERIFIED);
	assert_int_equal(find(inv, "otus.events/daily/2026-11-17")->verified,
	    INV_VERIFY_FAILED);
	bk = find(inv, "otus.events/daily/2026-11-18");
	assert_int_equal(bk->n_verify, 2);
	assert_non_null(strstr(bk->verify_key, "verify-20261120T080000Z"));
	assert_int_equal(bk->verified, INV_VERIFY_STALE);
	assert_true(bk->complete);

	bk = find(inv, "otus.events/daily/2026-11-19");
	assert_false(bk->complete);
	assert_false(bk->has_manifest);
	assert_non_null(strstr(bk->problem, "no manifest"));

	bk = find(inv, "otus.events/daily/2026-11-20");
	assert_false(bk->complete);
	assert_non_null(strstr(bk->problem, "has 160 bytes, the manifest says "
	    "999"));

	bk = find(inv, "otus.events/daily/2026-11-21");
	assert_false(bk->complete);
	assert_true(bk->manifest_bad);
	assert_non_null(strstr(bk->problem, "manifest rec/otus.events/daily/"
	    "2026-11-21/manifest.json: not a JSON object"));

	bk = find(inv, "otus.events/daily/2026-11-22");
	assert_false(bk->complete);
	assert_null(bk->data);
	assert_non_null(strstr(bk->problem, "is missing"));

	bk = find(inv, "otus.events/daily/2026-11-23");
	assert_true(bk->complete);
	assert_int_equal(bk->n_data, 2);
	assert_string_equal(bk->data->key,
	    "rec/otus.events/daily/2026-11-23/data.native.gz");

	assert_true(find(inv, "otus.events/weekly/2026-W47")->complete);
	assert_true(find(inv, "otus.events/adhoc/20261124T000000Z_"
	    "20261125T000000Z")->complete);
	assert_int_equal(find(inv, "otus.other/daily/2026-11-27")->manifest->
	    compression, CODEC_GZIP);

	assert_string_equal(inventory_table(inv, "otus.events")->latest->id,
	    "otus.events/daily/2026-11-28");
	assert_string_equal(inventory_table(inv, "otus.other")->latest->id,
	    "otus.other/daily/2026-11-27");
	assert_null(inventory_table(inv, "otus.nope"));
	inventory_free(inv);
}

static void
test_strip(void **state)
{
	static const enum inv_day events[INV_STRIP_DAYS] = {
		INV_DAY_PRESENT,	/* 11-15 */
		INV_DAY_VERIFIED,	/* 11-16 */
		INV_DAY_PRESENT,	/* 11-17: failed, the week holds */
		INV_DAY_PRESENT,	/* 11-18 */
		INV_DAY_PRESENT,	/* 11-19: incomplete daily, the week */
		INV_DAY_PRESENT,
		INV_DAY_PRESENT,
		INV_DAY_PRESENT,	/* 11-22 */
		INV_DAY_PRESENT,	/* 11-23 */
		INV_DAY_MISSING,	/* 11-24: adhoc ranges do not count */
		INV_DAY_MISSING,
		INV_DAY_MISSING,
		INV_DAY_MISSING,
		INV_DAY_VERIFIED,	/* 11-28, yesterday */
	};
	struct inventory	*inv = load(INV_FETCH_ALL);
	const struct inv_table	*t;
	int			 i;

	assert_int_equal(inv->strip_first.day, 15);
	t = inventory_table(inv, "otus.events");
	for (i = 0; i < INV_STRIP_DAYS; i++) {
		if (t->strip[i] != events[i])
			fail_msg("day %d: %s, expected %s", i,
			    inv_day_name(t->strip[i]), inv_day_name(events[i]));
	}
	t = inventory_table(inv, "otus.other");
	for (i = 0; i < INV_STRIP_DAYS; i++) {
		assert_int_equal(t->strip[i], i == 11 ? INV_DAY_INCOMPLETE :
		    i == 12 ? INV_DAY_FAILED : INV_DAY_MISSING);
	}
	inventory_free(inv);
}

static void
test_fetch_plans(void **state)
{
	struct inventory	*inv;
	const struct inv_backup	*bk;

	/* recent: the strip's days and the latest; adhoc is outside */
	inv = load(INV_FETCH_RECENT);
	bk = find(inv, "otus.events/adhoc/20261124T000000Z_20261125T000000Z");
	assert_false(bk->fetch);
	assert_null(bk->manifest);
	assert_true(bk->complete);	/* listed with a manifest */
	assert_true(find(inv, "otus.events/weekly/2026-W47")->fetch);
	assert_true(find(inv, "otus.events/daily/2026-11-15")->fetch);
	assert_false(find(inv, "otus.events/daily/2026-11-19")->fetch);
	inventory_free(inv);

	/* none: what the listing says */
	inv = load(INV_FETCH_NONE);
	bk = find(inv, "otus.events/daily/2026-11-16");
	assert_true(bk->complete);
	assert_int_equal(bk->verified, INV_VERIFY_UNKNOWN);
	/* the size mismatch needs the manifest: not known yet */
	assert_true(find(inv, "otus.events/daily/2026-11-20")->complete);
	assert_false(find(inv, "otus.events/daily/2026-11-19")->complete);
	inventory_free(inv);
}

static const struct {
	const char		*key;
	enum backup_key_kind	 kind;
	const char		*id;
} key_cases[] = {
	{ "p/db.t/daily/2026-11-28/data.native.zst", BKEY_DATA,
	  "db.t/daily/2026-11-28" },
	{ "p/db.t/daily/2026-11-28/data.parquet", BKEY_DATA,
	  "db.t/daily/2026-11-28" },
	{ "p/db.t/weekly/2026-W53/manifest.json", BKEY_MANIFEST,
	  "db.t/weekly/2026-W53" },
	{ "p/db.t/weekly/2025-W53/manifest.json", BKEY_FOREIGN, NULL },
	{ "p/db.t/daily/2026-11-28/verify-20261129T120000Z.json", BKEY_VERIFY,
	  "db.t/daily/2026-11-28" },
	{ "p/db.t/daily/2026-11-28/verify-20261129T120000.json", BKEY_FOREIGN,
	  NULL },
	{ "p/db.t/adhoc/20261128T000000Z_20261128T120000Z/data.native",
	  BKEY_DATA, "db.t/adhoc/20261128T000000Z_20261128T120000Z" },
	{ "p/db.t/daily/2026-11-28/data.native.lz4", BKEY_FOREIGN, NULL },
	{ "p/db.t/daily/2026-11-28/x/manifest.json", BKEY_FOREIGN, NULL },
	{ "p/db-x.t/daily/2026-11-28/manifest.json", BKEY_FOREIGN, NULL },
	{ "p/t/daily/2026-11-28/manifest.json", BKEY_FOREIGN, NULL },
	{ "p/_chops/locks/x.json", BKEY_RESERVED, NULL },
	{ "q/db.t/daily/2026-11-28/manifest.json", BKEY_FOREIGN, NULL },
	{ "p/db.t/daily/2026-11-28/", BKEY_FOREIGN, NULL },
};

static void
test_keys(void **state)
{
	struct backup_key_info	 ki;
	enum backup_key_kind	 kind;
	enum period_kind	 pk;
	char			*s, *table, *period, *cause = NULL;
	size_t			 i;

	for (i = 0; i < sizeof key_cases / sizeof *key_cases; i++) {
		kind = backup_key_parse("p/", key_cases[i].key, &ki);
		if (kind != key_cases[i].kind)
			fail_msg("%s: kind %d", key_cases[i].key, kind);
		if (key_cases[i].id != NULL)
			assert_string_equal(ki.id, key_cases[i].id);
		backup_key_info_clear(&ki);
	}
	s = backup_key_data("p/", "db.t/daily/2026-11-28", BACKUP_NATIVE,
	    CODEC_ZSTD);
	assert_string_equal(s, "p/db.t/daily/2026-11-28/data.native.zst");
	free(s);
	s = backup_key_verify("", "db.t/daily/2026-11-28", 1795824000);
	assert_string_equal(s, "db.t/daily/2026-11-28/verify-20261128T000000Z."
	    "json");
	free(s);
	assert_null(backup_id_make("db.t", PERIOD_DAILY, "2026-11-31"));
	assert_null(backup_id_make("db.t;x", PERIOD_DAILY, "2026-11-28"));
	assert_int_equal(backup_id_parse("db.t/weekly/2026-W48", &table, &pk,
	    &period, &cause), 0);
	assert_string_equal(table, "db.t");
	assert_int_equal(pk, PERIOD_WEEKLY);
	free(table);
	free(period);
	assert_int_equal(backup_id_parse("db.t/monthly/2026-11", &table, &pk,
	    &period, &cause), -1);
	assert_non_null(strstr(cause, "bad kind"));
	free(cause);
	assert_int_equal(backup_id_parse("db.t/daily/2026-11-28/x", &table, &pk,
	    &period, &cause), -1);
	free(cause);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_listing),
		cmocka_unit_test(test_backups),
		cmocka_unit_test(test_strip),
		cmocka_unit_test(test_fetch_plans),
		cmocka_unit_test(test_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
