/*
 * Restore against the real servers. The round trip: a table with every
 * common column type, a day backed up with the real engine, verified at
 * both levels, its partition dropped, restored with replace; the table's
 * count and checksum must equal the original's. Then: no confirmation, a
 * plan only, staging and append modes, a partition the backup covers only
 * partly, a schema that changed, read-only mode, a held lock, and
 * ClickHouse stopped in the middle of a restore (the target untouched).
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

#include "lock.h"
#include "manifest.h"
#include "restore.h"
#include "verify.h"
#include "integration/it_backups.h"

#define DAY	"2026-11-28"

static struct itb	itb_g;
static char		*id_day;

static int
setup(void **state)
{
	itb_setup(&itb_g, "restore");
	id_day = itb_backup(&itb_g, itb_g.table, DAY);
	*state = &itb_g;
	return 0;
}

static int
teardown(void **state)
{
	itb_teardown(*state);
	free(id_day);
	return 0;
}

static enum restore_status
it_restore(struct itb *t, const char *id, enum restore_mode mode,
    bool yes, const char *into, struct restore_result *r)
{
	struct restore_opts	o = { 0 };

	o.id = id;
	o.mode = mode;
	o.confirmed = yes;
	o.into = into;
	o.who = "tester@it";
	memset(r, 0, sizeof *r);
	return restore_run(t->loop, t->ch, t->s3, &o, NULL, NULL, r, NULL);
}

static void
it_expect(struct itb *t, const char *id, enum restore_mode mode, bool yes,
    enum restore_status want, const char *error_has,
    struct restore_result *r)
{
	enum restore_status	got = it_restore(t, id, mode, yes, NULL, r);

	if (got != want)
		fail_msg("restore %s %s: %s, expected %s: %s", id,
		    restore_mode_name(mode), restore_status_name(got),
		    restore_status_name(want), r->error != NULL ? r->error :
		    "-");
	if (error_has != NULL && (r->error == NULL ||
	    strstr(r->error, error_has) == NULL))
		fail_msg("error '%s' lacks '%s'", r->error != NULL ? r->error :
		    "(none)", error_has);
}

static bool
it_exists(struct itb *t, const char *table)
{
	char	sql[256], *v;
	bool	yes;

	snprintf(sql, sizeof sql, "EXISTS TABLE %s", table);
	v = itb_scalar(t, sql);
	yes = strcmp(v, "1") == 0;
	free(v);
	return yes;
}

/* Tables of this database whose name starts with prefix. */
static int
it_count_tables(struct itb *t, const char *prefix)
{
	char	sql[256], *v;
	int	n;

	snprintf(sql, sizeof sql, "SELECT count() FROM system.tables WHERE "
	    "database = '%s' AND startsWith(name, '%s')", t->db, prefix);
	v = itb_scalar(t, sql);
	n = atoi(v);
	free(v);
	return n;
}

static void
it_drop_day(struct itb *t, const char *table)
{
	char	sql[256];

	snprintf(sql, sizeof sql, "ALTER TABLE %s DROP PARTITION '%s'", table,
	    DAY);
	itb_exec(t, sql);
}

static void
test_round_trip(void **state)
{
	struct itb		*t = *state;
	struct manifest		*m = itb_manifest(t, id_day);
	struct verify_opts	 vo = { .id = id_day, .who = "tester@it" };
	struct verify_result	 vr;
	struct restore_result	 r;
	char			*before, *dropped, *after;

	vo.level = VERIFY_OBJECT;
	assert_int_equal(verify_run(t->loop, t->ch, t->s3, &vo, NULL, NULL,
	    &vr, NULL), VERIFY_OK);
	verify_result_clear(&vr);
	vo.level = VERIFY_RESTORE;
	assert_int_equal(verify_run(t->loop, t->ch, t->s3, &vo, NULL, NULL,
	    &vr, NULL), VERIFY_OK);
	verify_result_clear(&vr);

	before = itb_table_sum(t, t->table, m);
	it_drop_day(t, t->table);
	dropped = itb_table_sum(t, t->table, m);
	assert_string_not_equal(before, dropped);

	it_expect(t, id_day, RESTORE_REPLACE, true, RESTORE_OK, NULL, &r);
	assert_true(r.ok);
	assert_int_equal(r.rows, m->rows);
	assert_string_equal(r.checksum, m->checksum);
	assert_int_equal(r.n_parts, 1);
	assert_string_equal(r.parts[0].id, "20261128");
	assert_true(r.parts[0].done);
	assert_int_equal(r.parts[0].target_rows, 0);
	assert_int_equal(r.parts[0].backup_rows, m->rows);
	assert_false(r.staging_kept);
	assert_false(it_exists(t, r.staging));
	assert_null(r.warning);
	after = itb_table_sum(t, t->table, m);
	assert_string_equal(before, after);
	restore_result_clear(&r);

	/* replacing a day that is there changes nothing either */
	it_expect(t, id_day, RESTORE_REPLACE, true, RESTORE_OK, NULL, &r);
	free(after);
	after = itb_table_sum(t, t->table, m);
	assert_string_equal(before, after);
	restore_result_clear(&r);
	free(before);
	free(dropped);
	free(after);
	manifest_free(m);
}

static void
test_refused_without_yes(void **state)
{
	struct itb		*t = *state;
	struct manifest		*m = itb_manifest(t, id_day);
	struct restore_result	 r;
	struct restore_opts	 o = { .id = id_day, .mode = RESTORE_REPLACE,
				    .plan_only = true };
	char			*before, *after;

	before = itb_table_sum(t, t->table, m);
	it_expect(t, id_day, RESTORE_REPLACE, false, RESTORE_REFUSED,
	    "confirmation missing", &r);
	assert_non_null(r.plan);
	assert_non_null(strstr(r.plan, "partition 20261128:"));
	assert_int_equal(r.n_parts, 1);
	assert_false(r.target_touched);
	assert_false(it_exists(t, r.staging));
	restore_result_clear(&r);
	assert_int_equal(it_count_tables(t, "types__restore_"), 0);

	assert_int_equal(restore_run(t->loop, t->ch, t->s3, &o, NULL, NULL,
	    &r, NULL), RESTORE_PLANNED);
	assert_true(r.ok);
	assert_null(r.error);
	assert_int_equal(r.n_parts, 1);
	assert_true(r.parts[0].target_rows > 0);
	restore_result_clear(&r);

	after = itb_table_sum(t, t->table, m);
	assert_string_equal(before, after);
	free(before);
	free(after);
	manifest_free(m);
}

static void
test_staging_and_append(void **state)
{
	struct itb		*t = *state;
	struct manifest		*m = itb_manifest(t, id_day);
	struct restore_result	 r;
	char			*before, *after, into[96], *sum, *want;

	snprintf(into, sizeof into, "%s.copy", t->db);
	before = itb_table_sum(t, t->table, m);
	assert_int_equal(it_restore(t, id_day, RESTORE_STAGING, false, into,
	    &r), RESTORE_OK);
	assert_true(r.staging_kept);
	assert_string_equal(r.staging, into);
	sum = itb_table_sum(t, into, m);
	want = xasprintf("%llu %s", (unsigned long long)m->rows, m->checksum);
	assert_string_equal(sum, want);
	restore_result_clear(&r);
	free(sum);
	free(want);

	/* the staging table must be new */
	assert_int_equal(it_restore(t, id_day, RESTORE_STAGING, false, into,
	    &r), RESTORE_REFUSED);
	assert_non_null(strstr(r.error, "already exists"));
	restore_result_clear(&r);

	it_drop_day(t, t->table);
	it_expect(t, id_day, RESTORE_APPEND, true, RESTORE_OK, NULL, &r);
	assert_int_equal(r.n_parts, 1);
	assert_true(r.parts[0].done);
	restore_result_clear(&r);
	after = itb_table_sum(t, t->table, m);
	assert_string_equal(before, after);
	free(before);
	free(after);
	manifest_free(m);
}

static void
test_partly_covered_and_changed(void **state)
{
	struct itb		*t = *state;
	struct restore_result	 r;
	char			 sql[512], table[96], *id;

	snprintf(table, sizeof table, "%s.monthly", t->db);
	snprintf(sql, sizeof sql, "CREATE TABLE %s (ts DateTime, v String) "
	    "ENGINE = MergeTree PARTITION BY toYYYYMM(ts) ORDER BY ts", table);
	itb_exec(t, sql);
	snprintf(sql, sizeof sql, "INSERT INTO %s SELECT toDateTime("
	    "'2026-11-27 00:00:00', 'UTC') + number * 60, toString(number) "
	    "FROM numbers(4000)", table);
	itb_exec(t, sql);
	id = itb_backup(t, table, DAY);
	it_expect(t, id, RESTORE_REPLACE, true, RESTORE_REFUSED,
	    "only part of partition 202611", &r);
	assert_false(r.target_touched);
	restore_result_clear(&r);

	snprintf(sql, sizeof sql, "ALTER TABLE %s ADD COLUMN extra UInt8",
	    table);
	itb_exec(t, sql);
	it_expect(t, id, RESTORE_APPEND, true, RESTORE_REFUSED,
	    "changed since the backup", &r);
	restore_result_clear(&r);
	assert_int_equal(it_count_tables(t, "monthly__restore_"), 0);
	free(id);
}

static void
test_read_only_and_locked(void **state)
{
	struct itb		*t = *state;
	struct restore_opts	 o = { .id = id_day, .mode = RESTORE_STAGING,
				    .read_only = true };
	struct lock_opts	 lo = { .operation = "prune",
				    .holder = "alice@elsewhere" };
	struct restore_result	 r;
	struct lock		*lk;
	char			*key;

	assert_int_equal(restore_run(t->loop, t->ch, t->s3, &o, NULL, NULL,
	    &r, NULL), RESTORE_REFUSED);
	assert_non_null(strstr(r.error, "read-only"));
	restore_result_clear(&r);

	key = lock_key_table(t->s3, t->table);
	lk = lock_new(t->loop, t->s3, key, &lo);
	assert_int_equal(lock_acquire(lk), 0);
	it_expect(t, id_day, RESTORE_REPLACE, true, RESTORE_REFUSED,
	    "locked by alice@elsewhere since", &r);
	assert_non_null(strstr(r.error, "(prune, pid"));
	restore_result_clear(&r);
	assert_int_equal(lock_release(lk), 0);
	lock_free(lk);
	free(key);
}

static void
it_servers(const char *what)
{
	char	*cmd;

	cmd = xasprintf("bash '%s/tests/lib/servers.sh' %s >/dev/null 2>&1",
	    it_env("CHOPS_SRCDIR"), what);
	if (system(cmd) != 0)
		fail_msg("%s failed", cmd);
	free(cmd);
}

static void
stop_when_loading(const struct restore_progress *p, void *arg)
{
	int	*stopped = arg;

	if (*stopped == 0 && p->phase != NULL &&
	    strcmp(p->phase, "loading") == 0) {
		it_servers("stop_clickhouse");
		*stopped = 1;
	}
}

static void
test_clickhouse_stops(void **state)
{
	struct itb		*t = *state;
	struct manifest		*m = itb_manifest(t, id_day);
	struct restore_opts	 o = { .id = id_day, .mode = RESTORE_REPLACE,
				    .confirmed = true };
	struct restore_result	 r;
	char			*before, *after, sql[256];
	int			 stopped = 0;

	before = itb_table_sum(t, t->table, m);
	assert_int_equal(restore_run(t->loop, t->ch, t->s3, &o,
	    stop_when_loading, &stopped, &r, NULL), RESTORE_FAILED);
	assert_int_equal(stopped, 1);
	assert_false(r.target_touched);
	assert_non_null(strstr(r.error, "was not changed"));
	it_servers("restart_clickhouse");
	after = itb_table_sum(t, t->table, m);
	assert_string_equal(before, after);
	if (r.staging_kept && it_exists(t, r.staging)) {
		snprintf(sql, sizeof sql, "DROP TABLE %s", r.staging);
		itb_exec(t, sql);
	}
	restore_result_clear(&r);
	free(before);
	free(after);
	manifest_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_refused_without_yes),
		cmocka_unit_test(test_staging_and_append),
		cmocka_unit_test(test_partly_covered_and_changed),
		cmocka_unit_test(test_read_only_and_locked),
		cmocka_unit_test(test_clickhouse_stops),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
