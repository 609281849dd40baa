/*
 * Verify against the real servers: backups of a table with every common
 * column type, taken with the real engine, verified at both levels; then a
 * flipped byte, a truncated object, a missing object, a missing backup, a
 * held lock, read-only mode, and drift in the source.
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
#include "verify.h"
#include "verify_record.h"
#include "integration/it_backups.h"

static struct itb	itb_g;
static char		*id_good;	/* 2026-11-28, never damaged */

static int
setup(void **state)
{
	itb_setup(&itb_g, "verify");
	id_good = itb_backup(&itb_g, itb_g.table, "2026-11-28");
	*state = &itb_g;
	return 0;
}

static int
teardown(void **state)
{
	itb_teardown(*state);
	free(id_good);
	return 0;
}

static enum verify_status
it_verify(struct itb *t, const char *id, enum verify_level level,
    bool drift, bool read_only, struct verify_result *r)
{
	struct verify_opts	o = { 0 };

	o.id = id;
	o.level = level;
	o.drift = drift;
	o.read_only = read_only;
	o.who = "tester@it";
	memset(r, 0, sizeof *r);
	return verify_run(t->loop, t->ch, t->s3, &o, NULL, NULL, r, NULL);
}

static void
it_expect(struct itb *t, const char *id, enum verify_level level,
    enum verify_status want, const char *error_has, struct verify_result *r)
{
	enum verify_status	got;

	got = it_verify(t, id, level, false, false, r);
	if (got != want)
		fail_msg("%s %s: %s, expected %s: %s", id,
		    verify_level_name(level), verify_status_name(got),
		    verify_status_name(want), r->error != NULL ? r->error :
		    "-");
	if (error_has != NULL && (r->error == NULL ||
	    strstr(r->error, error_has) == NULL))
		fail_msg("error '%s' lacks '%s'", r->error != NULL ? r->error :
		    "(none)", error_has);
}

/* The stored verdict, parsed. */
static struct verify_record *
it_record(struct itb *t, const char *key)
{
	struct verify_record	*rec = NULL;
	struct buf		 b = BUF_INIT;
	char			*cause = NULL;

	assert_non_null(key);
	assert_int_equal(s3_get_buf(t->s3, key, 0, 0, &b, NULL), 0);
	if (verify_record_parse(b.data, b.len, key, &rec, &cause) != 0)
		fail_msg("%s", cause);
	buf_free(&b);
	return rec;
}

static int
it_scratch_tables(struct itb *t)
{
	char	*v, sql[256];
	int	 n;

	/* this run's: verify_<time>_<pid>_<random> */
	snprintf(sql, sizeof sql, "SELECT count() FROM system.tables WHERE "
	    "database = 'chops_scratch' AND startsWith(name, 'verify_') AND "
	    "position(name, '_%ld_') > 0", (long)getpid());
	v = itb_scalar(t, sql);
	n = atoi(v);
	free(v);
	return n;
}

static void
test_object_ok(void **state)
{
	struct itb		*t = *state;
	struct verify_result	 r;
	struct verify_record	*rec;

	it_expect(t, id_good, VERIFY_OBJECT, VERIFY_OK, NULL, &r);
	assert_true(r.ok);
	assert_false(r.has_counts);
	assert_null(r.error);
	rec = it_record(t, r.record_key);
	assert_true(rec->ok);
	assert_int_equal(rec->level, VERIFY_OBJECT);
	assert_string_equal(rec->verified_by, "tester@it");
	verify_record_free(rec);
	verify_result_clear(&r);
}

static void
test_restore_level_ok(void **state)
{
	struct itb		*t = *state;
	struct verify_result	 r;
	struct verify_record	*rec;
	struct manifest		*m = itb_manifest(t, id_good);

	assert_true(m->rows > 2000);
	it_expect(t, id_good, VERIFY_RESTORE, VERIFY_OK, NULL, &r);
	assert_true(r.has_counts);
	assert_int_equal(r.rows, m->rows);
	assert_string_equal(r.checksum, m->checksum);
	assert_int_equal(r.expected_rows, m->rows);
	assert_string_equal(r.expected_checksum, m->checksum);
	assert_int_equal(it_scratch_tables(t), 0);
	rec = it_record(t, r.record_key);
	assert_true(rec->ok && rec->has_counts);
	assert_int_equal(rec->rows, m->rows);
	verify_record_free(rec);
	verify_result_clear(&r);
	manifest_free(m);
}

static void
test_flipped_byte(void **state)
{
	struct itb		*t = *state;
	struct verify_result	 r;
	struct verify_record	*rec;
	struct manifest		*m;
	char			*id;

	id = itb_backup(t, t->table, "2026-11-27");
	m = itb_manifest(t, id);
	itb_corrupt(t, m->key, m->size / 2, false);
	it_expect(t, id, VERIFY_OBJECT, VERIFY_MISMATCH, "SHA-256 mismatch",
	    &r);
	assert_false(r.ok);
	rec = it_record(t, r.record_key);
	assert_false(rec->ok);
	assert_non_null(strstr(rec->error, "SHA-256 mismatch"));
	verify_record_free(rec);
	verify_result_clear(&r);
	it_expect(t, id, VERIFY_RESTORE, VERIFY_MISMATCH, NULL, &r);
	assert_int_equal(it_scratch_tables(t), 0);
	verify_result_clear(&r);

	itb_corrupt(t, m->key, m->size / 3, true);
	it_expect(t, id, VERIFY_OBJECT, VERIFY_MISMATCH, "size mismatch", &r);
	verify_result_clear(&r);
	assert_int_equal(s3_delete(t->s3, m->key, NULL), 0);
	it_expect(t, id, VERIFY_RESTORE, VERIFY_MISMATCH, "is missing", &r);
	verify_result_clear(&r);
	manifest_free(m);
	free(id);
}

static void
test_no_such_backup(void **state)
{
	struct itb		*t = *state;
	struct verify_result	 r;

	it_expect(t, "nodb.nothing/daily/2026-11-28", VERIFY_OBJECT,
	    VERIFY_FAILED, "no backup", &r);
	assert_null(r.record_key);
	verify_result_clear(&r);
	it_expect(t, "not an id", VERIFY_OBJECT, VERIFY_INVALID, NULL, &r);
	verify_result_clear(&r);
}

static void
test_locked(void **state)
{
	struct itb		*t = *state;
	struct lock_opts	 o = { .operation = "backup",
				    .holder = "alice@elsewhere" };
	struct verify_result	 r;
	struct lock		*lk;
	char			*key;

	key = lock_key_backup(t->s3, id_good);
	lk = lock_new(t->loop, t->s3, key, &o);
	assert_int_equal(lock_acquire(lk), 0);
	it_expect(t, id_good, VERIFY_OBJECT, VERIFY_REFUSED,
	    "locked by alice@elsewhere since", &r);
	assert_null(r.record_key);
	verify_result_clear(&r);
	assert_int_equal(lock_release(lk), 0);
	lock_free(lk);
	free(key);
}

static void
test_read_only(void **state)
{
	struct itb		*t = *state;
	struct verify_result	 r;

	assert_int_equal(it_verify(t, id_good, VERIFY_RESTORE, false, true,
	    &r), VERIFY_REFUSED);
	assert_non_null(strstr(r.error, "read-only"));
	verify_result_clear(&r);
	assert_int_equal(it_verify(t, id_good, VERIFY_OBJECT, false, true,
	    &r), VERIFY_OK);
	assert_null(r.record_key);
	verify_result_clear(&r);
}

static void
test_drift(void **state)
{
	struct itb		*t = *state;
	struct verify_result	 r;
	char			 sql[256];

	assert_int_equal(it_verify(t, id_good, VERIFY_OBJECT, true, false,
	    &r), VERIFY_OK);
	assert_true(r.drift_checked);
	assert_false(r.drift);
	verify_result_clear(&r);
	snprintf(sql, sizeof sql, "INSERT INTO %s (ts, s) VALUES "
	    "('2026-11-28 12:00:00', 'late row')", t->table);
	itb_exec(t, sql);
	assert_int_equal(it_verify(t, id_good, VERIFY_RESTORE, true, false,
	    &r), VERIFY_OK);
	assert_true(r.ok);
	assert_true(r.drift_checked);
	assert_true(r.drift);
	assert_int_equal(r.source_rows, r.expected_rows + 1);
	verify_result_clear(&r);
	snprintf(sql, sizeof sql, "ALTER TABLE %s DELETE WHERE s = 'late row'",
	    t->table);
	itb_exec(t, sql);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_object_ok),
		cmocka_unit_test(test_restore_level_ok),
		cmocka_unit_test(test_flipped_byte),
		cmocka_unit_test(test_no_such_backup),
		cmocka_unit_test(test_locked),
		cmocka_unit_test(test_read_only),
		cmocka_unit_test(test_drift),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
