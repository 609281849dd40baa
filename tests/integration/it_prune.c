/*
 * Retention against the real servers (tests/run): ClickHouse 18.16 and
 * Ceph radosgw. A table with rows on each of the last twelve days (UTC) is
 * backed up by day with the real engine, one backup verified with the real
 * verify; then prune:
 *
 *   - refuses without confirmation and in read-only mode;
 *   - dry run lists exactly the old and incomplete backups' objects, and
 *     keeps the newest verified backup although it is old;
 *   - --yes deletes exactly those (the listing shows them gone);
 *   - --data refuses while old partitions are not covered by verified
 *     backups, listing them; refuses a partition whose rows changed since
 *     its backup; and once every old day is backed up and verified, drops
 *     exactly those partitions (rows counted before and after).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "backup.h"
#include "backup_key.h"
#include "buf.h"
#include "clickhouse.h"
#include "loop.h"
#include "retention.h"
#include "s3.h"
#include "util.h"
#include "verify.h"
#include "xmalloc.h"
#include "integration/it_env.h"

#define DAYS		12	/* rows on today - 12 .. today - 1 */
#define ROWS_PER_DAY	24

struct it {
	struct loop		*loop;
	struct ch_client	*ch;
	struct s3_client	*s3;
	struct cfg_s3		 cfg;
	char			 prefix[64];
	char			 db[40];
	char			 table[64];
	char			 state[96];
	int64_t			 today;		/* days since the epoch, UTC */
	struct ret_policy	 pol;
};

static struct it	T;

/* ---------------------------------------------------------------- helpers */

static void
it_exec(const char *sql)
{
	struct ch_error	err = { 0 };

	if (ch_exec(T.ch, sql, &err) != 0)
		fail_msg("%s: %s", sql, err.message);
}

static uint64_t
it_count(void)
{
	struct ch_result	*res = NULL;
	struct ch_error		 err = { 0 };
	uint64_t		 n = 0;
	char			 sql[128];

	snprintf(sql, sizeof sql, "SELECT count() FROM %s", T.table);
	if (ch_query(T.ch, sql, &res, &err) != 0)
		fail_msg("%s: %s", sql, err.message);
	assert_int_equal(ch_result_uint64(res, 0, 0, &n), 0);
	ch_result_free(res);
	return n;
}

/* "YYYY-MM-DD" of today - ago (static buffers, a few at a time). */
static const char *
it_day(int ago)
{
	static char		 bufs[8][16];
	static int		 next;
	struct period_date	 d;
	char			*s = bufs[next++ % 8];

	period_date_from_days(T.today - ago, &d);
	period_fmt_date(s, 16, &d);
	return s;
}

static char *
it_id(int ago)
{
	return xasprintf("%s/daily/%s", T.table, it_day(ago));
}

static void
it_backup(int ago)
{
	struct backup_opts	 o;
	struct backup_result	 r;
	enum backup_status	 st;
	char			*cause = NULL;

	memset(&o, 0, sizeof o);
	memset(&r, 0, sizeof r);
	o.table = T.table;
	o.time_column = "ts";
	o.tz = "UTC";
	o.compression = CODEC_ZSTD;
	o.workers = 1;
	o.created_by = "it@test";
	o.force = true;
	if (period_parse_day(it_day(ago), &o.period, &cause) != 0)
		fail_msg("%s", cause);
	st = backup_run(T.loop, T.ch, T.s3, &o, NULL, NULL, &r, NULL);
	if (st != BACKUP_COMPLETE)
		fail_msg("backup %s: %s: %s", it_day(ago),
		    backup_status_name(st), r.error != NULL ? r.error : "?");
	backup_result_clear(&r);
}

static void
it_verify(int ago)
{
	struct verify_opts	 o = { 0 };
	struct verify_result	 r;
	enum verify_status	 st;
	char			*id = it_id(ago);

	memset(&r, 0, sizeof r);
	o.id = id;
	o.level = VERIFY_OBJECT;
	o.who = "it@test";
	st = verify_run(T.loop, T.ch, T.s3, &o, NULL, NULL, &r, NULL);
	if (st != VERIFY_OK)
		fail_msg("verify %s: %s: %s", id, verify_status_name(st),
		    r.error != NULL ? r.error : "?");
	verify_result_clear(&r);
	free(id);
}

static int
it_collect(void *arg, const struct s3_item *item)
{
	struct buf	*b = arg;

	if (item->kind == S3_ITEM_OBJECT)
		buf_add(b, item->key, strlen(item->key) + 1);
	return 0;
}

/* Every key under the table's directory, NUL-separated. */
static void
it_list(struct buf *b)
{
	struct s3_list_opts	 o = { 0 };
	struct s3_error		 e = { 0 };
	char			*dir = xasprintf("%s%s/", T.prefix, T.table);

	o.prefix = dir;
	buf_reset(b);
	if (s3_list(T.s3, &o, it_collect, b, &e) != 0)
		fail_msg("list: %s", e.message);
	free(dir);
}

static bool
it_listed(const struct buf *b, const char *key)
{
	size_t	off;

	for (off = 0; off < b->len; off += strlen(b->data + off) + 1) {
		if (strcmp(b->data + off, key) == 0)
			return true;
	}
	return false;
}

static enum ret_status
it_prune(bool dry_run, bool data, const struct ret_policy *ov,
    struct ret_plan **plan)
{
	struct ret_opts	o = { 0 };

	o.table = T.table;
	o.data = data;
	o.dry_run = dry_run;
	o.confirmed = !dry_run;
	o.policies = &T.pol;
	o.n_policies = 1;
	o.override = ov;
	o.who = "it@test";
	return retention_run(T.loop, T.ch, T.s3, &o, plan);
}

/* Keys of the deleted objects, in plan order. */
static size_t
it_del_count(const struct ret_plan *p, enum ret_kind kind)
{
	size_t	i, n = 0;

	for (i = 0; i < p->n_del; i++)
		n += p->del[i].kind == kind;
	return n;
}

static bool
it_planned(const struct ret_plan *p, bool del, enum ret_kind kind,
    const char *name)
{
	const struct ret_entry	*v = del ? p->del : p->keep;
	size_t			 n = del ? p->n_del : p->n_keep, i;

	for (i = 0; i < n; i++) {
		if (v[i].kind == kind && strcmp(v[i].name, name) == 0)
			return true;
	}
	return false;
}

/* ---------------------------------------------------------------- setup */

static int
setup(void **state)
{
	struct http_tls	tls = { NULL, false };
	char		sql[512];

	T.loop = loop_new();
	T.ch = ch_new(T.loop, it_env("CHOPS_TEST_CH_URL"), "default", "",
	    &tls, 60000, 3000);
	T.cfg.endpoint = (char *)it_env("CHOPS_TEST_S3_ENDPOINT");
	T.cfg.region = (char *)it_env("CHOPS_TEST_S3_REGION");
	T.cfg.bucket = (char *)it_env("CHOPS_TEST_S3_BUCKET");
	T.cfg.access_key = (char *)it_env("CHOPS_TEST_S3_ACCESS_KEY");
	T.cfg.secret_key = (char *)it_env("CHOPS_TEST_S3_SECRET_KEY");
	T.cfg.timeout_ms = 30000;
	T.cfg.connect_timeout_ms = 3000;
	T.cfg.part_size = 5 * 1024 * 1024;
	T.cfg.parallel = 2;
	snprintf(T.prefix, sizeof T.prefix, "it-prune-%ld/", (long)getpid());
	T.cfg.prefix = T.prefix;
	T.s3 = s3_new(T.loop, &T.cfg);
	snprintf(T.db, sizeof T.db, "chops_itprune_%ld", (long)getpid());
	snprintf(T.table, sizeof T.table, "%s.ev", T.db);
	snprintf(T.state, sizeof T.state, "/tmp/chops-itprune-%ld",
	    (long)getpid());
	setenv("XDG_STATE_HOME", T.state, 1);
	T.today = util_wall_ms() / 86400000;
	T.pol.table = T.table;
	T.pol.keep_days = 7;
	T.pol.keep_weeks = 4;
	T.pol.data_keep_days = 5;
	snprintf(sql, sizeof sql, "CREATE DATABASE %s", T.db);
	it_exec(sql);
	snprintf(sql, sizeof sql, "CREATE TABLE %s (ts DateTime, v UInt64) "
	    "ENGINE = MergeTree PARTITION BY toDate(ts) ORDER BY ts", T.table);
	it_exec(sql);
	/* one row an hour on each of the last DAYS days (UTC) */
	snprintf(sql, sizeof sql, "INSERT INTO %s SELECT toDateTime(%lld + "
	    "number * 3600), number FROM numbers(%d)", T.table,
	    (long long)(T.today - DAYS) * 86400, DAYS * ROWS_PER_DAY);
	it_exec(sql);
	return 0;
}

static int
teardown(void **state)
{
	struct buf	b = BUF_INIT;
	struct s3_list_opts o = { .prefix = T.prefix };
	char		sql[128], *cmd;
	size_t		off;

	s3_list(T.s3, &o, it_collect, &b, NULL);
	for (off = 0; off < b.len; off += strlen(b.data + off) + 1)
		s3_delete(T.s3, b.data + off, NULL);
	buf_free(&b);
	snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s", T.db);
	it_exec(sql);
	cmd = xasprintf("rm -rf '%s'", T.state);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", T.state);
	free(cmd);
	ch_free(T.ch);
	s3_free(T.s3);
	loop_free(T.loop);
	return 0;
}

/* ---------------------------------------------------------------- tests */

/* Backups of days 12, 11 (verified), 10 and 2 ago; day 13: incomplete. */
static void
test_refusals(void **state)
{
	struct ret_opts	 o = { 0 };
	struct ret_plan	*plan = NULL;
	char		*id, *key;

	it_backup(12);
	it_backup(11);
	it_backup(10);
	it_backup(2);
	it_verify(11);
	id = it_id(13);
	key = backup_key_data(T.prefix, id, BACKUP_NATIVE, CODEC_ZSTD);
	if (s3_put(T.s3, key, "x", 1, NULL) != 0)
		fail_msg("put %s", key);
	free(key);
	free(id);

	o.table = T.table;
	o.policies = &T.pol;
	o.n_policies = 1;
	assert_int_equal(retention_run(T.loop, T.ch, T.s3, &o, &plan),
	    RET_REFUSED);
	assert_non_null(strstr(plan->error, "confirmation missing"));
	assert_int_equal(plan->n_del, 0);
	ret_plan_free(plan);
	o.confirmed = true;
	o.read_only = true;
	assert_int_equal(retention_run(T.loop, T.ch, T.s3, &o, &plan),
	    RET_REFUSED);
	assert_non_null(strstr(plan->error, "read-only"));
	ret_plan_free(plan);
}

static void
test_backups(void **state)
{
	struct ret_plan	*plan = NULL;
	struct buf	 keys = BUF_INIT;
	char		*id[4], *want[5];
	size_t		 i;

	id[0] = it_id(13);
	id[1] = it_id(12);
	id[2] = it_id(10);
	id[3] = it_id(11);
	want[0] = backup_key_data(T.prefix, id[0], BACKUP_NATIVE, CODEC_ZSTD);
	want[1] = backup_key_data(T.prefix, id[1], BACKUP_NATIVE, CODEC_ZSTD);
	want[2] = backup_key_manifest(T.prefix, id[1]);
	want[3] = backup_key_data(T.prefix, id[2], BACKUP_NATIVE, CODEC_ZSTD);
	want[4] = backup_key_manifest(T.prefix, id[2]);

	assert_int_equal(it_prune(true, false, NULL, &plan), RET_OK);
	assert_int_equal(it_del_count(plan, RET_BACKUP), 3);
	assert_int_equal(it_del_count(plan, RET_OBJECT), 5);
	for (i = 0; i < 5; i++) {
		if (!it_planned(plan, true, RET_OBJECT, want[i]))
			fail_msg("%s is not in the dry run", want[i]);
	}
	assert_true(it_planned(plan, false, RET_BACKUP, id[3]));
	ret_plan_free(plan);
	it_list(&keys);
	for (i = 0; i < 5; i++)
		assert_true(it_listed(&keys, want[i]));

	assert_int_equal(it_prune(false, false, NULL, &plan), RET_OK);
	assert_int_equal(it_del_count(plan, RET_OBJECT), 5);
	for (i = 0; i < plan->n_del; i++)
		assert_true(plan->del[i].done);
	ret_plan_free(plan);
	it_list(&keys);
	for (i = 0; i < 5; i++) {
		if (it_listed(&keys, want[i]))
			fail_msg("%s is still there", want[i]);
	}
	/* the newest verified backup, old as it is, and the recent one */
	free(want[0]);
	want[0] = backup_key_manifest(T.prefix, id[3]);
	assert_true(it_listed(&keys, want[0]));
	free(want[1]);
	want[1] = it_id(2);
	free(want[2]);
	want[2] = backup_key_manifest(T.prefix, want[1]);
	assert_true(it_listed(&keys, want[2]));

	/* nothing left to do */
	assert_int_equal(it_prune(true, false, NULL, &plan), RET_OK);
	assert_int_equal(plan->n_del, 0);
	ret_plan_free(plan);
	for (i = 0; i < 5; i++)
		free(want[i]);
	for (i = 0; i < 4; i++)
		free(id[i]);
	buf_free(&keys);
}

/* Days ago whose partition is older than data_keep_days now. */
static bool
it_old(int ago)
{
	int64_t	newest = (T.today - ago) * 86400 + 23 * 3600;

	return newest < util_wall_ms() / 1000 - T.pol.data_keep_days * 86400;
}

static void
it_expect_blocking(const struct ret_plan *p, int skip, const char *why)
{
	size_t	i, n = 0;
	int	ago;

	for (ago = DAYS; ago >= 1; ago--) {
		if (!it_old(ago) || ago == skip)
			continue;
		n++;
		for (i = 0; i < p->n_keep; i++) {
			if (p->keep[i].kind == RET_PARTITION &&
			    strcmp(p->keep[i].name, it_day(ago)) == 0)
				break;
		}
		if (i == p->n_keep || !p->keep[i].blocking)
			fail_msg("partition %s is not listed as uncovered",
			    it_day(ago));
		if (why != NULL && strstr(p->keep[i].reason, why) == NULL)
			fail_msg("%s: %s", it_day(ago), p->keep[i].reason);
	}
	assert_int_equal(p->n_blocking, n);
}

static void
test_data(void **state)
{
	struct ret_policy	 keep30 = { NULL, 30, RET_UNSET, RET_UNSET };
	struct ret_plan		*plan = NULL;
	uint64_t		 rows = (uint64_t)DAYS * ROWS_PER_DAY;
	size_t			 n_old = 0;
	int			 ago;
	char			 sql[256];

	/* only day 11 is covered by a verified backup */
	assert_int_equal(it_prune(false, true, NULL, &plan), RET_REFUSED);
	assert_non_null(strstr(plan->error, "cannot be dropped"));
	it_expect_blocking(plan, 11, "not covered by a verified backup");
	assert_true(it_planned(plan, true, RET_PARTITION, it_day(11)));
	ret_plan_free(plan);
	assert_int_equal(it_count(), rows);

	for (ago = DAYS; ago >= 1; ago--) {
		if (!it_old(ago))
			continue;
		n_old++;
		if (ago != 11) {
			it_backup(ago);
			it_verify(ago);
		}
	}
	/* a late row after its backup: day 9 no longer matches it */
	snprintf(sql, sizeof sql, "INSERT INTO %s VALUES (%lld, 7)", T.table,
	    (long long)(T.today - 9) * 86400 + 1800);
	it_exec(sql);
	assert_int_equal(it_prune(true, true, &keep30, &plan), RET_REFUSED);
	assert_int_equal(plan->n_blocking, 1);
	assert_true(it_planned(plan, false, RET_PARTITION, it_day(9)));
	ret_plan_free(plan);

	it_backup(9);
	it_verify(9);
	assert_int_equal(it_prune(false, true, &keep30, &plan), RET_OK);
	assert_int_equal(it_del_count(plan, RET_PARTITION), n_old);
	assert_int_equal(it_del_count(plan, RET_BACKUP), 0);
	for (ago = DAYS; ago >= 1; ago--)
		assert_true(it_planned(plan, it_old(ago), RET_PARTITION,
		    it_day(ago)));
	ret_plan_free(plan);
	assert_int_equal(it_count(), rows + 1 - n_old * ROWS_PER_DAY - 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_backups),
		cmocka_unit_test(test_data),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
