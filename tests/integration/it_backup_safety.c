/*
 * Backup safety against the real servers (tests/run): the period lock and
 * the audit trail, taken by the backup engine itself so the console and the
 * command line both get them. Two backups of the same period at once: one
 * runs, the other is refused naming the holder; a lock held elsewhere is a
 * refusal; every backup leaves an audit record; radosgw stopped in the
 * middle of the upload is a clear failure that leaves no manifest and
 * nothing complete (the abort cannot reach S3 either: the error names the
 * multipart upload left behind, the only one there).
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

#include "audit.h"
#include "backup.h"
#include "backup_key.h"
#include "clickhouse.h"
#include "codec.h"
#include "lock.h"
#include "loop.h"
#include "s3.h"
#include "util.h"
#include "xmalloc.h"
#include "integration/it_env.h"

#define MIB		(1024 * 1024)
#define SMALL_ROWS	200000
#define BIG_ROWS	2500000

struct it {
	struct loop		*loop;
	struct ch_client	*ch;
	struct s3_client	*s3;
	struct cfg_s3		 cfg;
	char			 prefix[64];
	char			 db[32];
	char			 small[64];	/* db.small */
	char			 big[64];	/* db.big */
	char			 state[96];	/* XDG_STATE_HOME */
	char			 day[16];	/* a day that has ended */
	bool			 rgw_stopped;
};

static struct it	*it_global;	/* for the teardown's restart */

/* ---------------------------------------------------------------- helpers */

static void
it_exec(struct it *t, const char *sql)
{
	struct ch_error	err;

	memset(&err, 0, sizeof err);
	if (ch_exec(t->ch, sql, &err) != 0)
		fail_msg("%s: %s", sql, err.message);
}

static bool
it_exists(struct it *t, const char *key)
{
	struct s3_error	e;
	int		r;

	memset(&e, 0, sizeof e);
	if ((r = s3_head(t->s3, key, NULL, &e)) < 0)
		fail_msg("head %s: %s", key, e.message);
	return r == 1;
}

static int
it_count_item(void *arg, const struct s3_item *item)
{
	(*(int *)arg)++;
	return 0;
}

static int
it_uploads(struct it *t)
{
	struct s3_error	e;
	int		n = 0;

	memset(&e, 0, sizeof e);
	if (s3_list_uploads(t->s3, t->prefix, it_count_item, &n, &e) != 0)
		fail_msg("list uploads: %s", e.message);
	return n;
}

struct it_upload {
	char	*key;
	char	*id;
	int	 n;
};

static int
it_keep_upload(void *arg, const struct s3_item *item)
{
	struct it_upload	*u = arg;

	if (u->n++ == 0) {
		u->key = xstrdup(item->key);
		u->id = xstrdup(item->upload_id != NULL ? item->upload_id : "");
	}
	return 0;
}

static void
it_opts(struct it *t, struct backup_opts *o, const char *table,
    const char *who)
{
	char	*cause = NULL;

	memset(o, 0, sizeof *o);
	o->table = table;
	o->time_column = "ts";
	o->tz = "UTC";
	o->compression = CODEC_ZSTD;
	o->workers = 2;
	o->created_by = who;
	o->force = true;
	if (period_parse_day(t->day, &o->period, &cause) != 0)
		fail_msg("%s", cause);
}

static char *
it_id(const char *table, const char *day)
{
	return xasprintf("%s/daily/%s", table, day);
}

/* Runs tests/lib/servers.sh (CHOPS_TEST_ENV comes from tests/run). */
static int
it_servers(const char *what)
{
	char	*cmd;
	int	 rc;

	cmd = xasprintf("bash '%s/tests/lib/servers.sh' %s >&2",
	    it_env("CHOPS_SRCDIR"), what);
	rc = system(cmd);
	free(cmd);
	return rc;
}

/* The audit records of this run for a backup id, from the bucket too. */
static size_t
it_audit(struct it *t, const char *id, const char *result, bool *shared)
{
	struct audit_read_opts	o;
	struct audit_list	l;
	size_t			i, n = 0;

	memset(&o, 0, sizeof o);
	o.days = 2;
	if (audit_read(t->loop, t->s3, &o, &l) != 0)
		fail_msg("reading the audit trail");
	for (i = 0; i < l.n; i++) {
		if (strcmp(l.recs[i]->action, "backup") != 0 ||
		    l.recs[i]->target == NULL ||
		    strcmp(l.recs[i]->target, id) != 0 ||
		    strcmp(l.recs[i]->result, result) != 0)
			continue;
		n++;
		if (shared != NULL)
			*shared = l.recs[i]->shared;
	}
	audit_list_clear(&l);
	return n;
}

/* ---------------------------------------------------------------- setup */

static int
it_setup(void **state)
{
	struct it		*t = xcalloc(1, sizeof *t);
	struct http_tls		 tls = { NULL, false };
	struct period_date	 d;
	char			 sql[1024];

	t->loop = loop_new();
	t->ch = ch_new(t->loop, it_env("CHOPS_TEST_CH_URL"), "chops",
	    "chops-secret", &tls, 30000, 3000);
	t->cfg.endpoint = (char *)it_env("CHOPS_TEST_S3_ENDPOINT");
	t->cfg.region = (char *)it_env("CHOPS_TEST_S3_REGION");
	t->cfg.bucket = (char *)it_env("CHOPS_TEST_S3_BUCKET");
	t->cfg.access_key = (char *)it_env("CHOPS_TEST_S3_ACCESS_KEY");
	t->cfg.secret_key = (char *)it_env("CHOPS_TEST_S3_SECRET_KEY");
	t->cfg.timeout_ms = 30000;
	t->cfg.connect_timeout_ms = 3000;
	t->cfg.part_size = 5 * MIB;
	t->cfg.parallel = 2;
	snprintf(t->prefix, sizeof t->prefix, "it-safety-%ld/",
	    (long)getpid());
	t->cfg.prefix = t->prefix;
	t->s3 = s3_new(t->loop, &t->cfg);
	snprintf(t->db, sizeof t->db, "chops_itsafe_%ld", (long)getpid());
	snprintf(t->small, sizeof t->small, "%s.small", t->db);
	snprintf(t->big, sizeof t->big, "%s.big", t->db);
	snprintf(t->state, sizeof t->state, "/tmp/chops-itsafety-%ld",
	    (long)getpid());
	setenv("XDG_STATE_HOME", t->state, 1);

	period_date_from_days(util_wall_ms() / 86400000 - 3, &d);
	period_fmt_date(t->day, sizeof t->day, &d);

	snprintf(sql, sizeof sql, "CREATE DATABASE %s", t->db);
	it_exec(t, sql);
	snprintf(sql, sizeof sql, "CREATE TABLE %s (ts DateTime, n UInt64, "
	    "s String) ENGINE = MergeTree PARTITION BY toYYYYMMDD(ts) ORDER BY "
	    "ts", t->small);
	it_exec(t, sql);
	snprintf(sql, sizeof sql, "INSERT INTO %s SELECT toDateTime("
	    "'%s 00:00:00', 'UTC') + intDiv(number * 86400, %d), number, "
	    "hex(cityHash64(number)) FROM numbers(%d)", t->small, t->day,
	    SMALL_ROWS, SMALL_ROWS);
	it_exec(t, sql);
	snprintf(sql, sizeof sql, "CREATE TABLE %s (ts DateTime, n UInt64, "
	    "s String) ENGINE = MergeTree PARTITION BY toYYYYMMDD(ts) ORDER BY "
	    "ts", t->big);
	it_exec(t, sql);
	/* incompressible enough for several 5 MiB parts */
	snprintf(sql, sizeof sql, "INSERT INTO %s SELECT toDateTime("
	    "'%s 00:00:00', 'UTC') + intDiv(number * 86400, %d), "
	    "cityHash64(number), concat(hex(cityHash64(number)), "
	    "hex(cityHash64(number, 7))) FROM numbers(%d)", t->big, t->day,
	    BIG_ROWS, BIG_ROWS);
	it_exec(t, sql);
	it_global = t;
	*state = t;
	return 0;
}

static int
it_collect(void *arg, const struct s3_item *item)
{
	struct buf	*b = arg;

	if (item->kind == S3_ITEM_OBJECT)
		buf_add(b, item->key, strlen(item->key) + 1);
	return 0;
}

static int
it_teardown(void **state)
{
	struct it		*t = *state;
	struct s3_list_opts	 o;
	struct buf		 b = BUF_INIT;
	char			 sql[128];
	size_t			 off;

	if (t == NULL)
		return 0;
	if (t->rgw_stopped && it_servers("restart_radosgw") != 0)
		fprintf(stderr, "radosgw could not be restarted\n");
	memset(&o, 0, sizeof o);
	o.prefix = t->prefix;
	s3_list(t->s3, &o, it_collect, &b, NULL);
	for (off = 0; off < b.len; off += strlen(b.data + off) + 1)
		s3_delete(t->s3, b.data + off, NULL);
	buf_free(&b);
	snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s", t->db);
	it_exec(t, sql);
	snprintf(sql, sizeof sql, "rm -rf '%s'", t->state);
	if (system(sql) != 0)
		fprintf(stderr, "could not remove %s\n", t->state);
	s3_free(t->s3);
	ch_free(t->ch);
	loop_free(t->loop);
	free(t);
	return 0;
}

/* ---------------------------------------------------------------- tests */

struct it_pair {
	struct backup	*b;
	volatile int	 done;
};

static void
it_pair_done(struct backup *b, void *arg)
{
	((struct it_pair *)arg)->done = 1;
}

/* Two backups of one period at once: one runs, the other is refused. */
static void
test_concurrent(void **state)
{
	struct it		*t = *state;
	struct it_pair		 p[2];
	struct backup_opts	 o[2];
	struct backup_result	 r[2];
	const char		*who[2] = { "alice@host-a", "bob@host-b" };
	char			*id, *key;
	int			 i, win, lose;
	bool			 shared = false;

	memset(p, 0, sizeof p);
	for (i = 0; i < 2; i++) {
		it_opts(t, &o[i], t->small, who[i]);
		p[i].b = backup_start(t->loop, t->ch, t->s3, &o[i], NULL,
		    it_pair_done, &p[i]);
	}
	while (!p[0].done || !p[1].done)
		loop_once(t->loop, -1, 250);
	for (i = 0; i < 2; i++) {
		backup_take_result(p[i].b, &r[i]);
		backup_free(p[i].b);
	}
	win = r[0].status == BACKUP_COMPLETE ? 0 : 1;
	lose = 1 - win;
	if (r[win].status != BACKUP_COMPLETE)
		fail_msg("no backup ran: %s / %s", r[0].error, r[1].error);
	assert_int_equal(r[lose].status, BACKUP_REFUSED);
	assert_non_null(r[lose].error);
	/* the refusal names the holder and since when */
	if (strstr(r[lose].error, who[win]) == NULL ||
	    strstr(r[lose].error, "since") == NULL)
		fail_msg("refusal does not name %s: %s", who[win],
		    r[lose].error);

	/* released at the end: the next backup of the period runs */
	id = it_id(t->small, t->day);
	key = lock_key_backup(t->s3, id);
	assert_false(it_exists(t, key));
	free(key);

	/* both are in the audit trail, locally and in the bucket */
	assert_int_equal(it_audit(t, id, "complete", &shared), 1);
	assert_true(shared);
	assert_int_equal(it_audit(t, id, "refused", NULL), 1);
	free(id);
	backup_result_clear(&r[0]);
	backup_result_clear(&r[1]);
}

/* A lock held by another operator refuses; once released, it runs. */
static void
test_held_elsewhere(void **state)
{
	struct it		*t = *state;
	struct lock_opts	 lo;
	struct lock		*lk;
	struct backup_opts	 o;
	struct backup_result	 r;
	char			*id, *key;

	id = it_id(t->small, t->day);
	key = lock_key_backup(t->s3, id);
	memset(&lo, 0, sizeof lo);
	lo.operation = "restore";
	lo.target = id;
	lo.holder = "carol@elsewhere";
	lk = lock_new(t->loop, t->s3, key, &lo);
	assert_int_equal(lock_acquire(lk), 0);

	it_opts(t, &o, t->small, "dave@here");
	memset(&r, 0, sizeof r);
	assert_int_equal(backup_run(t->loop, t->ch, t->s3, &o, NULL, NULL, &r,
	    NULL), BACKUP_REFUSED);
	if (strstr(r.error, "carol@elsewhere") == NULL ||
	    strstr(r.error, "since") == NULL)
		fail_msg("refusal does not name the holder: %s", r.error);
	/* nothing was written, and the lock is still carol's */
	assert_int_equal(lock_state(lk), LOCK_HELD);
	backup_result_clear(&r);

	assert_int_equal(lock_release(lk), 0);
	lock_free(lk);
	memset(&r, 0, sizeof r);
	assert_int_equal(backup_run(t->loop, t->ch, t->s3, &o, NULL, NULL, &r,
	    NULL), BACKUP_COMPLETE);
	assert_false(it_exists(t, key));
	backup_result_clear(&r);
	free(key);
	free(id);
}

struct it_stop {
	struct backup	*b;
	volatile int	 done;
	bool		 stopped;
	struct it	*t;
};

static void
it_stop_progress(const struct backup_progress *p, void *arg)
{
	struct it_stop	*s = arg;

	/* once the first part is stored */
	if (!s->stopped && p->bytes_uploaded > 0) {
		s->stopped = true;
		s->t->rgw_stopped = true;
		if (it_servers("stop_radosgw") != 0)
			fprintf(stderr, "stop_radosgw failed\n");
	}
}

static void
it_stop_done(struct backup *b, void *arg)
{
	((struct it_stop *)arg)->done = 1;
}

/* radosgw stopped in the middle of the upload: a clear failure. */
static void
test_radosgw_stopped(void **state)
{
	struct it		*t = *state;
	struct it_stop		 s = { NULL, 0, false, t };
	struct backup_opts	 o;
	struct backup_result	 r;
	struct it_upload	 u;
	struct s3_error		 e;
	char			*id, *key;

	it_opts(t, &o, t->big, "it@test");
	s.b = backup_start(t->loop, t->ch, t->s3, &o, it_stop_progress,
	    it_stop_done, &s);
	loop_run_until(t->loop, &s.done);
	backup_take_result(s.b, &r);
	backup_free(s.b);
	if (!s.stopped)
		fail_msg("the backup ended before a part was stored: %s",
		    backup_status_name(r.status));
	assert_int_equal(r.status, BACKUP_FAILED);
	assert_non_null(r.error);
	fprintf(stderr, "# failure: %s\n", r.error);
	/* the error names the S3 endpoint that stopped answering */
	if (strstr(r.error, t->cfg.endpoint) == NULL &&
	    strstr(r.error, "S3") == NULL && strstr(r.error, "s3") == NULL)
		fail_msg("unclear failure: %s", r.error);

	assert_int_equal(it_servers("restart_radosgw"), 0);
	t->rgw_stopped = false;

	id = it_id(t->big, t->day);
	key = backup_key_manifest(t->prefix, id);
	assert_false(it_exists(t, key));
	free(key);
	key = backup_key_data(t->prefix, id, BACKUP_NATIVE, CODEC_ZSTD);
	assert_false(it_exists(t, key));
	free(key);
	/*
	 * With S3 down the abort cannot succeed either: the error must say
	 * so, naming the upload, and that upload must be the only one left
	 * (aborted here; an operator would use the id from the error).
	 */
	memset(&u, 0, sizeof u);
	memset(&e, 0, sizeof e);
	if (s3_list_uploads(t->s3, t->prefix, it_keep_upload, &u, &e) != 0)
		fail_msg("list uploads: %s", e.message);
	if (u.n != 0) {
		assert_int_equal(u.n, 1);
		assert_non_null(strstr(r.error, "also failed"));
		assert_non_null(strstr(r.error, u.id));
		if (s3_abort_upload(t->s3, u.key, u.id, &e) != 0)
			fail_msg("abort %s: %s", u.id, e.message);
	}
	free(u.key);
	free(u.id);
	assert_int_equal(it_uploads(t), 0);
	/* the failure is in the trail (at least locally) */
	assert_true(it_audit(t, id, "failed", NULL) >= 1);
	free(id);
	backup_result_clear(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_concurrent),
		cmocka_unit_test(test_held_elsewhere),
		cmocka_unit_test(test_radosgw_stopped),
	};

	return cmocka_run_group_tests(tests, it_setup, it_teardown);
}
