/*
 * Retention planning from synthetic inventories: windows and their edges,
 * daily and weekly, the newest verified backup kept however old,
 * incomplete backups, tables without a plan, and partitions dropped only
 * when verified backups that survive the prune cover them.
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
#include "config.h"
#include "inventory.h"
#include "manifest.h"
#include "retention.h"
#include "verify_record.h"
#include "xmalloc.h"

#define PREFIX	"p/"
#define TABLE	"otus.ev"
#define SHA	"c44f5356e5a07fab7e71487fd212be9e" \
		"2df1b73072b4ad67098e9182fb43c22b"

/* today: Sunday 2026-11-29 (ISO week 48, Monday 2026-11-23) */
static const struct period_date	today = { 2026, 11, 29 };

enum { F_MANIFEST = 1, F_VERIFIED = 2, F_FAILED = 4, F_FOREIGN = 8 };

struct fx {
	struct inventory	*inv;
	struct buf		 keys;
	const char		**keyv;
	size_t			 n_keys;
	char			*docs[64][3];	/* id, manifest, verify */
	size_t			 n_docs;
	struct ret_plan		*plan;
};

static void
fx_item(struct fx *f, const char *key, uint64_t size)
{
	struct s3_item	it;

	memset(&it, 0, sizeof it);
	it.kind = S3_ITEM_OBJECT;
	it.key = key;
	it.size = size;
	it.etag = "";
	it.last_modified = "2026-11-29T00:00:00.000Z";
	inventory_add(f->inv, &it);
	buf_add(&f->keys, key, strlen(key) + 1);
}

static char *
fx_manifest(const char *id, enum period_kind kind, const char *period,
    int64_t from, int64_t to, const char *key)
{
	struct manifest	*m = manifest_new();
	char		*text, *cause = NULL;

	m->version = 1;
	m->id = xstrdup(id);
	m->table = xstrdup(TABLE);
	manifest_add_column(m, "ts", "DateTime");
	m->create_table = xstrdup("CREATE TABLE otus.ev (ts DateTime) "
	    "ENGINE = MergeTree PARTITION BY toDate(ts) ORDER BY ts");
	m->time_column = xstrdup("ts");
	m->kind = kind;
	m->period = xstrdup(period);
	m->timezone = xstrdup("UTC");
	m->from = from;
	m->to = to;
	m->rows = 10;
	m->checksum = xstrdup("123");
	m->checksum_sql = xstrdup("SELECT 1");
	m->key = xstrdup(key);
	m->size = 100;
	m->sha256 = xstrdup(SHA);
	m->etag = xstrdup("");
	m->format = BACKUP_NATIVE;
	m->compression = CODEC_ZSTD;
	m->engine = xstrdup("stream");
	m->created_at = 1795900000;
	m->created_by = xstrdup("t@h");
	m->clickhouse_version = xstrdup("18.16.1");
	m->chops_version = xstrdup("0.1.0");
	if ((text = manifest_serialize(m, &cause)) == NULL)
		fail_msg("%s", cause);
	manifest_free(m);
	return text;
}

static char *
fx_verify(const char *id, bool ok)
{
	struct verify_record	*v = verify_record_new();
	char			*text, *cause = NULL;

	v->version = 1;
	v->id = xstrdup(id);
	v->level = VERIFY_OBJECT;
	v->ok = ok;
	v->object_sha256 = xstrdup(SHA);
	v->expected_rows = 10;
	v->expected_checksum = xstrdup("123");
	v->error = ok ? NULL : xstrdup("sha256 mismatch");
	v->verified_at = 1795900000;
	v->verified_by = xstrdup("t@h");
	v->chops_version = xstrdup("0.1.0");
	if ((text = verify_record_serialize(v, &cause)) == NULL)
		fail_msg("%s", cause);
	verify_record_free(v);
	return text;
}

/* The instants of a period in UTC. */
static void
fx_range(enum period_kind kind, const char *period, int64_t *from,
    int64_t *to)
{
	struct period_spec	 s;
	struct period_date	 d;
	char			*cause = NULL;

	if (period_parse_id(kind, period, &s, &cause) != 0)
		fail_msg("%s", cause);
	if (kind == PERIOD_DAILY)
		d = s.day;
	else
		period_iso_monday(s.iso_year, s.iso_week, &d);
	*from = period_days_from_date(&d) * 86400;
	*to = *from + (kind == PERIOD_DAILY ? 1 : 7) * 86400;
}

static void
fx_backup(struct fx *f, enum period_kind kind, const char *period, int flags)
{
	char	*id = backup_id_make(TABLE, kind, period), *key, *dir;
	char	**doc = f->docs[f->n_docs++];
	int64_t	 from, to;

	dir = backup_key_dir(PREFIX, id);
	key = backup_key_data(PREFIX, id, BACKUP_NATIVE, CODEC_ZSTD);
	fx_item(f, key, 100);
	doc[0] = id;
	doc[1] = doc[2] = NULL;
	if (flags & F_MANIFEST) {
		fx_range(kind, period, &from, &to);
		doc[1] = fx_manifest(id, kind, period, from, to, key);
		free(key);
		key = backup_key_manifest(PREFIX, id);
		fx_item(f, key, strlen(doc[1]));
	}
	if (flags & (F_VERIFIED | F_FAILED)) {
		doc[2] = fx_verify(id, (flags & F_VERIFIED) != 0);
		free(key);
		key = backup_key_verify(PREFIX, id, 1795900000);
		fx_item(f, key, strlen(doc[2]));
	}
	free(key);
	if (flags & F_FOREIGN) {
		key = xasprintf("%snotes.txt", dir);
		fx_item(f, key, 5);
		free(key);
	}
	free(dir);
}

static int
fx_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void
fx_finish(struct fx *f)
{
	struct inv_backup	*bk;
	size_t			 i, off;

	for (i = 0; i < f->n_docs; i++) {
		bk = (struct inv_backup *)inventory_find(f->inv,
		    f->docs[i][0]);
		if (f->docs[i][1] != NULL)
			inventory_set_manifest(bk, f->docs[i][1],
			    strlen(f->docs[i][1]));
		if (f->docs[i][2] != NULL)
			inventory_set_verify(bk, f->docs[i][2],
			    strlen(f->docs[i][2]));
	}
	inventory_finish(f->inv);
	for (off = 0; off < f->keys.len;
	    off += strlen(f->keys.data + off) + 1) {
		f->keyv = xreallocarray(f->keyv, f->n_keys + 1,
		    sizeof *f->keyv);
		f->keyv[f->n_keys++] = f->keys.data + off;
	}
	if (f->n_keys > 0)
		qsort(f->keyv, f->n_keys, sizeof *f->keyv, fx_cmp);
}

static struct fx *
fx_new(void)
{
	struct fx	*f = xcalloc(1, sizeof *f);

	f->inv = inventory_new(PREFIX, &today);
	f->plan = xcalloc(1, sizeof *f->plan);
	return f;
}

static void
fx_free(struct fx *f)
{
	size_t	i;

	for (i = 0; i < f->n_docs; i++) {
		free(f->docs[i][0]);
		free(f->docs[i][1]);
		free(f->docs[i][2]);
	}
	inventory_free(f->inv);
	buf_free(&f->keys);
	free(f->keyv);
	ret_plan_free(f->plan);
	free(f);
}

static void
fx_plan(struct fx *f, const struct ret_policy *pol,
    const struct ret_parts *parts, ret_drift_fn drift)
{
	struct ret_table_in	in;

	fx_finish(f);
	memset(&in, 0, sizeof in);
	in.table = TABLE;
	in.inv = inventory_table(f->inv, TABLE);
	in.prefix = PREFIX;
	in.keys = f->keyv;
	in.n_keys = f->n_keys;
	in.policy = pol;
	in.today = today;
	in.now = period_days_from_date(&today) * 86400 + 12 * 3600;
	in.parts = parts;
	in.drift = drift;
	ret_plan_table(f->plan, &in);
}

/* The entry of that kind and name, in delete (del) or keep. */
static const struct ret_entry *
fx_entry(const struct fx *f, bool del, enum ret_kind kind, const char *name)
{
	const struct ret_entry	*v = del ? f->plan->del : f->plan->keep;
	size_t			 n = del ? f->plan->n_del : f->plan->n_keep, i;

	for (i = 0; i < n; i++) {
		if (v[i].kind == kind && strcmp(v[i].name, name) == 0)
			return &v[i];
	}
	return NULL;
}

static void
assert_reason(const struct ret_entry *e, const char *part)
{
	assert_non_null(e);
	if (strstr(e->reason, part) == NULL)
		fail_msg("reason '%s' lacks '%s'", e->reason, part);
}

static size_t
fx_count(const struct fx *f, bool del, enum ret_kind kind)
{
	const struct ret_entry	*v = del ? f->plan->del : f->plan->keep;
	size_t			 n = del ? f->plan->n_del : f->plan->n_keep, i;
	size_t			 c = 0;

	for (i = 0; i < n; i++)
		c += v[i].kind == kind;
	return c;
}

#define ID(p)	TABLE "/daily/" p
#define WID(p)	TABLE "/weekly/" p

static const struct ret_policy	pol_7_4 = { TABLE, 7, 4, 0 };

/* ---------------------------------------------------------------- backups */

static void
test_daily_window(void **state)
{
	struct fx	*f = fx_new();

	fx_backup(f, PERIOD_DAILY, "2026-11-20", F_MANIFEST);
	fx_backup(f, PERIOD_DAILY, "2026-11-21", F_MANIFEST);
	fx_backup(f, PERIOD_DAILY, "2026-11-22", F_MANIFEST);
	fx_backup(f, PERIOD_DAILY, "2026-11-28", F_MANIFEST | F_VERIFIED);
	fx_plan(f, &pol_7_4, NULL, NULL);
	/* the window starts on 2026-11-22: today - 7 */
	assert_reason(fx_entry(f, true, RET_BACKUP, ID("2026-11-20")),
	    "older than keep_days 7 (before 2026-11-22)");
	assert_non_null(fx_entry(f, true, RET_BACKUP, ID("2026-11-21")));
	assert_reason(fx_entry(f, false, RET_BACKUP, ID("2026-11-22")),
	    "inside the window");
	assert_non_null(fx_entry(f, false, RET_BACKUP, ID("2026-11-28")));
	assert_int_equal(fx_count(f, true, RET_BACKUP), 2);
	/* every object of a deleted backup is listed, in its directory */
	assert_int_equal(fx_count(f, true, RET_OBJECT), 4);
	assert_reason(fx_entry(f, true, RET_OBJECT,
	    PREFIX ID("2026-11-20") "/data.native.zst"), "in backup");
	assert_non_null(fx_entry(f, true, RET_OBJECT,
	    PREFIX ID("2026-11-20") "/manifest.json"));
	assert_null(fx_entry(f, true, RET_OBJECT,
	    PREFIX ID("2026-11-22") "/manifest.json"));
	fx_free(f);
}

static void
test_newest_verified_kept(void **state)
{
	struct fx	*f = fx_new();

	fx_backup(f, PERIOD_DAILY, "2026-10-01", F_MANIFEST | F_VERIFIED);
	fx_backup(f, PERIOD_DAILY, "2026-10-02", F_MANIFEST | F_VERIFIED);
	fx_backup(f, PERIOD_DAILY, "2026-10-03", F_MANIFEST | F_FAILED);
	fx_backup(f, PERIOD_DAILY, "2026-11-27", F_MANIFEST);
	fx_plan(f, &pol_7_4, NULL, NULL);
	assert_reason(fx_entry(f, false, RET_BACKUP, ID("2026-10-02")),
	    "newest verified");
	assert_non_null(fx_entry(f, true, RET_BACKUP, ID("2026-10-01")));
	/* a failed verification does not protect */
	assert_non_null(fx_entry(f, true, RET_BACKUP, ID("2026-10-03")));
	/* its verify record goes with it */
	assert_int_equal(fx_count(f, true, RET_OBJECT), 6);
	fx_free(f);
}

static void
test_weekly_window(void **state)
{
	struct fx		*f = fx_new();
	struct ret_policy	 all_weeks = { TABLE, 7, -1, 0 };

	fx_backup(f, PERIOD_WEEKLY, "2026-W43", F_MANIFEST);
	fx_backup(f, PERIOD_WEEKLY, "2026-W44", F_MANIFEST);
	fx_backup(f, PERIOD_WEEKLY, "2026-W47", F_MANIFEST);
	fx_backup(f, PERIOD_DAILY, "2026-11-10", F_MANIFEST);
	fx_plan(f, &pol_7_4, NULL, NULL);
	/* Monday 2026-11-23 - 4 weeks = 2026-10-26, W44's Monday */
	assert_reason(fx_entry(f, true, RET_BACKUP, WID("2026-W43")),
	    "weekly backup older than keep_weeks 4 (before 2026-10-26)");
	assert_reason(fx_entry(f, false, RET_BACKUP, WID("2026-W44")),
	    "inside the window (keep_weeks 4");
	assert_non_null(fx_entry(f, false, RET_BACKUP, WID("2026-W47")));
	assert_non_null(fx_entry(f, true, RET_BACKUP, ID("2026-11-10")));
	fx_free(f);

	/* keep_weeks -1: weeklies all kept, dailies still pruned */
	f = fx_new();
	fx_backup(f, PERIOD_WEEKLY, "2026-W01", F_MANIFEST);
	fx_backup(f, PERIOD_DAILY, "2026-11-10", F_MANIFEST);
	fx_plan(f, &all_weeks, NULL, NULL);
	assert_reason(fx_entry(f, false, RET_BACKUP, WID("2026-W01")),
	    "no keep_weeks limit");
	assert_non_null(fx_entry(f, true, RET_BACKUP, ID("2026-11-10")));
	fx_free(f);
}

static void
test_incomplete(void **state)
{
	struct fx		*f = fx_new();
	const struct ret_entry	*e;

	fx_backup(f, PERIOD_DAILY, "2026-11-10", F_FOREIGN);
	fx_backup(f, PERIOD_DAILY, "2026-11-27", 0);
	fx_plan(f, &pol_7_4, NULL, NULL);
	assert_reason(fx_entry(f, true, RET_BACKUP, ID("2026-11-10")),
	    "incomplete (no manifest)");
	assert_reason(fx_entry(f, true, RET_BACKUP, ID("2026-11-10")),
	    "garbage");
	assert_non_null(fx_entry(f, true, RET_OBJECT,
	    PREFIX ID("2026-11-10") "/data.native.zst"));
	/* foreign objects are never deleted, even in a deleted backup */
	e = fx_entry(f, false, RET_OBJECT,
	    PREFIX ID("2026-11-10") "/notes.txt");
	assert_reason(e, "never deleted");
	assert_string_equal(e->id, ID("2026-11-10"));
	/* inside the window, incomplete or not */
	assert_non_null(fx_entry(f, false, RET_BACKUP, ID("2026-11-27")));
	assert_int_equal(f->plan->n_del, 2);
	fx_free(f);
}

static void
test_no_plan_and_adhoc(void **state)
{
	struct fx	*f = fx_new();
	size_t		 i;

	fx_backup(f, PERIOD_DAILY, "2025-01-01", F_MANIFEST);
	fx_backup(f, PERIOD_WEEKLY, "2025-W01", 0);
	fx_plan(f, NULL, NULL, NULL);
	assert_int_equal(f->plan->n_del, 0);
	assert_int_equal(f->plan->n_keep, 2);
	for (i = 0; i < f->plan->n_keep; i++)
		assert_reason(&f->plan->keep[i], "no retention plan");
	fx_free(f);

	f = fx_new();
	fx_backup(f, PERIOD_DAILY, "2025-01-01", F_MANIFEST);
	fx_item(f, PREFIX TABLE "/adhoc/20250101T000000Z_20250102T000000Z/"
	    "data.native.zst", 10);
	fx_plan(f, &pol_7_4, NULL, NULL);
	assert_reason(fx_entry(f, false, RET_BACKUP, TABLE "/adhoc/"
	    "20250101T000000Z_20250102T000000Z"), "adhoc");
	assert_non_null(fx_entry(f, true, RET_BACKUP, ID("2025-01-01")));
	fx_free(f);
}

static void
test_unread_manifest_kept(void **state)
{
	struct fx	*f = fx_new();

	fx_backup(f, PERIOD_DAILY, "2026-10-01", F_MANIFEST);
	free(f->docs[0][1]);
	f->docs[0][1] = NULL;		/* listed, never read */
	fx_plan(f, &pol_7_4, NULL, NULL);
	assert_reason(fx_entry(f, false, RET_BACKUP, ID("2026-10-01")),
	    "manifest not read");
	fx_free(f);
}

static void
test_policies(void **state)
{
	struct config		*cfg = NULL;
	struct ret_policy	*v;
	char			*cause = NULL;
	size_t			 n;

	if (config_load_string("[backup.a]\ntable = d.t\ntime_column = ts\n"
	    "keep_days = 3\nkeep_weeks = 9\ndata_keep_days = 30\n"
	    "[backup.b]\ntable = d.t\ntime_column = ts\nschedule = weekly\n"
	    "keep_days = 5\nkeep_weeks = 2\ndata_keep_days = 10\n"
	    "[backup.c]\ntable = d.u\ntime_column = ts\n", "t.ini", &cfg,
	    &cause) != 0)
		fail_msg("%s", cause);
	v = ret_policies(cfg, &n);
	assert_int_equal(n, 2);
	assert_string_equal(v[0].table, "d.t");
	assert_int_equal(v[0].keep_days, 5);
	assert_int_equal(v[0].keep_weeks, 9);
	assert_int_equal(v[0].data_keep_days, 30);
	assert_int_equal(v[1].data_keep_days, 0);
	free(v);
	config_free(cfg);
}

/* ---------------------------------------------------------------- data */

/* A partition of one day (UTC), rows all over it. */
static void
fx_part(struct ret_parts *ps, const char *day)
{
	struct ret_part		*p;
	struct period_spec	 s;
	char			*cause = NULL, id[16];
	size_t			 i, j;

	if (period_parse_day(day, &s, &cause) != 0)
		fail_msg("%s", cause);
	ps->v = xreallocarray(ps->v, ps->n + 1, sizeof *ps->v);
	p = &ps->v[ps->n++];
	p->partition = xstrdup(day);
	for (i = j = 0; day[i] != '\0'; i++) {
		if (day[i] != '-')
			id[j++] = day[i];
	}
	id[j] = '\0';
	p->partition_id = xstrdup(id);
	p->min_time = period_days_from_date(&s.day) * 86400;
	p->max_time = p->min_time + 86400 - 1;
	p->rows = 24;
}

static void
test_data_uncovered(void **state)
{
	struct fx		*f = fx_new();
	struct ret_policy	 pol = { TABLE, 100, 4, 7 };
	struct ret_parts	 ps = { .time_column = xstrdup("ts") };
	const struct ret_entry	*e;

	fx_backup(f, PERIOD_DAILY, "2026-11-01", F_MANIFEST | F_VERIFIED);
	fx_backup(f, PERIOD_DAILY, "2026-11-02", F_MANIFEST);
	fx_part(&ps, "2026-11-01");
	fx_part(&ps, "2026-11-02");
	fx_part(&ps, "2026-11-03");
	fx_part(&ps, "2026-11-22");
	fx_part(&ps, "2026-11-28");
	fx_plan(f, &pol, &ps, NULL);
	e = fx_entry(f, true, RET_PARTITION, "2026-11-01");
	assert_reason(e, "covered by verified " ID("2026-11-01"));
	assert_string_equal(e->partition_id, "20261101");
	assert_int_equal(e->rows, 24);
	/* complete but not verified: does not count */
	e = fx_entry(f, false, RET_PARTITION, "2026-11-02");
	assert_true(e->blocking);
	assert_reason(e, "not covered by a verified backup (none from "
	    "2026-11-02T00:00:00Z)");
	assert_true(fx_entry(f, false, RET_PARTITION, "2026-11-03")->blocking);
	/* the newest row 2026-11-22T23:59:59Z is after now - 7 days */
	assert_reason(fx_entry(f, false, RET_PARTITION, "2026-11-22"),
	    "inside data_keep_days 7");
	assert_false(fx_entry(f, false, RET_PARTITION, "2026-11-22")->blocking);
	assert_non_null(fx_entry(f, false, RET_PARTITION, "2026-11-28"));
	assert_int_equal(f->plan->n_blocking, 2);
	ret_parts_clear(&ps);
	fx_free(f);
}

/* Backups this prune deletes cover nothing; a weekly covers its days. */
static void
test_data_cover(void **state)
{
	struct fx		*f = fx_new();
	struct ret_policy	 pol = { TABLE, 7, 4, 3 };
	struct ret_parts	 ps = { .time_column = xstrdup("ts") };
	struct ret_part		*month;

	fx_backup(f, PERIOD_DAILY, "2026-11-01", F_MANIFEST | F_VERIFIED);
	fx_backup(f, PERIOD_DAILY, "2026-11-25", F_MANIFEST | F_VERIFIED);
	fx_backup(f, PERIOD_WEEKLY, "2026-W47", F_MANIFEST | F_VERIFIED);
	fx_part(&ps, "2026-11-01");
	fx_part(&ps, "2026-11-17");
	fx_part(&ps, "2026-11-25");
	/* a month partition: W47 and the daily do not cover it */
	fx_part(&ps, "2026-10-01");
	month = &ps.v[ps.n - 1];
	month->max_time = month->min_time + 31 * 86400 - 1;
	fx_plan(f, &pol, &ps, NULL);
	assert_non_null(fx_entry(f, true, RET_BACKUP, ID("2026-11-01")));
	assert_reason(fx_entry(f, false, RET_PARTITION, "2026-11-01"),
	    "not covered");
	assert_reason(fx_entry(f, true, RET_PARTITION, "2026-11-17"),
	    "covered by verified " WID("2026-W47"));
	assert_reason(fx_entry(f, true, RET_PARTITION, "2026-11-25"),
	    ID("2026-11-25"));
	assert_true(fx_entry(f, false, RET_PARTITION, "2026-10-01")->blocking);
	assert_int_equal(f->plan->n_blocking, 2);
	ret_parts_clear(&ps);
	fx_free(f);
}

static int
drift_changed(void *arg, const struct inv_backup *bk, char **why)
{
	*why = xstrdup("11 rows now");
	return strstr(bk->id, "11-02") != NULL;
}

static void
test_data_drift(void **state)
{
	struct fx		*f = fx_new();
	struct ret_policy	 pol = { TABLE, 100, 4, 7 };
	struct ret_parts	 ps = { .time_column = xstrdup("ts") };

	fx_backup(f, PERIOD_DAILY, "2026-11-01", F_MANIFEST | F_VERIFIED);
	fx_backup(f, PERIOD_DAILY, "2026-11-02", F_MANIFEST | F_VERIFIED);
	fx_part(&ps, "2026-11-01");
	fx_part(&ps, "2026-11-02");
	fx_plan(f, &pol, &ps, drift_changed);
	assert_non_null(fx_entry(f, true, RET_PARTITION, "2026-11-01"));
	assert_reason(fx_entry(f, false, RET_PARTITION, "2026-11-02"),
	    "no longer matches the table: 11 rows now");
	assert_int_equal(f->plan->n_blocking, 1);
	ret_parts_clear(&ps);
	fx_free(f);
}

static void
test_data_other_column(void **state)
{
	struct fx		*f = fx_new();
	struct ret_policy	 pol = { TABLE, 100, 4, 7 };
	struct ret_parts	 ps = { .time_column = xstrdup("created") };
	struct ret_parts	 none = { 0 };

	fx_backup(f, PERIOD_DAILY, "2026-11-01", F_MANIFEST | F_VERIFIED);
	fx_part(&ps, "2026-11-01");
	fx_plan(f, &pol, &ps, NULL);
	/* the backup slices by ts, the partitions by created */
	assert_true(fx_entry(f, false, RET_PARTITION, "2026-11-01")->blocking);
	ret_parts_clear(&ps);
	fx_free(f);

	f = fx_new();
	fx_backup(f, PERIOD_DAILY, "2026-11-27", F_MANIFEST);
	fx_plan(f, &pol, &none, NULL);
	assert_reason(fx_entry(f, false, RET_PARTITION, "*"),
	    "no Date or DateTime column");
	assert_int_equal(f->plan->n_blocking, 1);
	fx_free(f);
}

int
main(void)
{
	const struct CMUnitTest	tests[] = {
		cmocka_unit_test(test_daily_window),
		cmocka_unit_test(test_newest_verified_kept),
		cmocka_unit_test(test_weekly_window),
		cmocka_unit_test(test_incomplete),
		cmocka_unit_test(test_no_plan_and_adhoc),
		cmocka_unit_test(test_unread_manifest_kept),
		cmocka_unit_test(test_policies),
		cmocka_unit_test(test_data_uncovered),
		cmocka_unit_test(test_data_cover),
		cmocka_unit_test(test_data_drift),
		cmocka_unit_test(test_data_other_column),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
