/*
 * Locks against the real radosgw (CHOPS_TEST_S3_*): refusal naming the
 * holder, release, stale takeover, refresh, losing a lock, and concurrent
 * acquirers (in one loop and in separate processes) of which exactly one
 * wins. Everything lives under a prefix of this run, removed at the end.
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
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "buf.h"
#include "lock.h"
#include "loop.h"
#include "s3.h"
#include "util.h"
#include "xmalloc.h"
#include "integration/it_env.h"

#define IT_ID		"db1.events/daily/2026-11-28"
#define N_RACERS	8

struct it {
	struct loop		*loop;
	struct s3_client	*s3;
	struct cfg_s3		 cfg;
	char			 prefix[64];
	char			*key;
};

static struct it	it_g;

static void
it_cfg(struct cfg_s3 *cfg, const char *prefix)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->endpoint = (char *)it_env("CHOPS_TEST_S3_ENDPOINT");
	cfg->region = (char *)it_env("CHOPS_TEST_S3_REGION");
	cfg->bucket = (char *)it_env("CHOPS_TEST_S3_BUCKET");
	cfg->prefix = (char *)prefix;
	cfg->access_key = (char *)it_env("CHOPS_TEST_S3_ACCESS_KEY");
	cfg->secret_key = (char *)it_env("CHOPS_TEST_S3_SECRET_KEY");
	cfg->timeout_ms = 20000;
	cfg->connect_timeout_ms = 2000;
	cfg->part_size = 5 * 1024 * 1024;
	cfg->parallel = 2;
}

/* Collects keys: nothing may run the loop inside a listing's callback. */
static int
it_collect(void *arg, const struct s3_item *item)
{
	struct buf	*b = arg;

	if (item->kind == S3_ITEM_OBJECT)
		buf_add(b, item->key, strlen(item->key) + 1);
	return 0;
}

static void
it_remove_prefix(struct s3_client *s3, const char *prefix)
{
	struct s3_list_opts	 o = { .prefix = prefix };
	struct buf		 b = BUF_INIT;
	size_t			 off;

	s3_list(s3, &o, it_collect, &b, NULL);
	for (off = 0; off < b.len; off += strlen(b.data + off) + 1)
		s3_delete(s3, b.data + off, NULL);
	buf_free(&b);
}

static void
it_clean(struct it *t)
{
	it_remove_prefix(t->s3, t->prefix);
}

static int
setup(void **state)
{
	struct it	*t = &it_g;

	snprintf(t->prefix, sizeof t->prefix, "it-lock-%ld-%lld/",
	    (long)getpid(), (long long)util_wall_ms());
	it_cfg(&t->cfg, t->prefix);
	t->loop = loop_new();
	t->s3 = s3_new(t->loop, &t->cfg);
	t->key = lock_key_backup(t->s3, IT_ID);
	*state = t;
	return 0;
}

static int
teardown(void **state)
{
	struct it	*t = *state;

	it_clean(t);
	free(t->key);
	s3_free(t->s3);
	loop_free(t->loop);
	return 0;
}

/* Runs the loop for about ms milliseconds (timers, refreshes). */
static void
it_spin(struct it *t, int64_t ms)
{
	int64_t	end = util_now_ms() + ms;

	while (util_now_ms() < end)
		loop_once(t->loop, -1, end - util_now_ms());
}

static struct lock *
it_lock(struct it *t, const char *holder, const char *op, int64_t ttl_ms,
    int64_t refresh_ms)
{
	struct lock_opts	o = { 0 };

	o.operation = op;
	o.target = IT_ID;
	o.holder = holder;
	o.ttl_ms = ttl_ms;
	o.refresh_ms = refresh_ms;
	o.skew_ms = -1;
	o.settle_ms = -1;
	return lock_new(t->loop, t->s3, t->key, &o);
}

/* The holder named in the object now, or NULL when there is none. */
static char *
it_holder(struct it *t)
{
	struct buf		 b = BUF_INIT;
	struct lock_info	 li;
	char			*cause = NULL, *h = NULL;

	if (s3_get_buf(t->s3, t->key, 0, 0, &b, NULL) == 0 &&
	    lock_info_parse(b.data, b.len, &li, &cause) == 0) {
		h = xstrdup(li.holder);
		lock_info_clear(&li);
	}
	free(cause);
	buf_free(&b);
	return h;
}

static void
test_keys(void **state)
{
	struct it	*t = *state;
	char		*k;

	assert_non_null(strstr(t->key, "_chops/locks/db1.events/daily/"
	    "2026-11-28.lock"));
	assert_true(strncmp(t->key, t->prefix, strlen(t->prefix)) == 0);
	k = lock_key_table(t->s3, "db1.events");
	assert_string_equal(k + strlen(t->prefix),
	    "_chops/locks/db1.events.lock");
	free(k);
	assert_null(lock_key_table(t->s3, "no dots"));
	assert_null(lock_key_backup(t->s3, "db.t/daily/2026-13-01"));
}

static void
test_conditional_put(void **state)
{
	struct it		*t = *state;
	struct s3_put_cond	 absent = { .if_none_match = true };
	struct s3_put_cond	 match = { 0 };
	struct s3_error		 e;
	char			*key, *etag = NULL, *etag2 = NULL;

	memset(&e, 0, sizeof e);
	key = xasprintf("%scond", t->prefix);
	assert_int_equal(s3_put_cond(t->s3, key, "a", 1, &absent, &etag, &e),
	    0);
	assert_non_null(etag);
	assert_int_equal(s3_put_cond(t->s3, key, "b", 1, &absent, NULL, &e),
	    1);
	assert_true(s3_error_precondition(&e));
	s3_error_clear(&e);
	match.if_match = "0123456789abcdef0123456789abcdef";
	assert_int_equal(s3_put_cond(t->s3, key, "c", 1, &match, NULL, &e), 1);
	s3_error_clear(&e);
	match.if_match = etag;
	assert_int_equal(s3_put_cond(t->s3, key, "d", 1, &match, &etag2, &e),
	    0);
	assert_string_not_equal(etag, etag2);
	s3_delete(t->s3, key, NULL);
	free(etag);
	free(etag2);
	free(key);
}

static void
test_acquire_refuse_release(void **state)
{
	struct it	*t = *state;
	struct lock	*a, *b;
	const char	*msg;
	char		*want, *h;

	a = it_lock(t, "alice@host-a", "backup", 0, 0);
	assert_int_equal(lock_acquire(a), 0);
	assert_int_equal(lock_state(a), LOCK_HELD);

	b = it_lock(t, "bob@host-b", "restore", 0, 0);
	assert_int_equal(lock_acquire(b), 1);
	assert_int_equal(lock_state(b), LOCK_BUSY);
	msg = lock_message(b);
	want = xasprintf("locked by alice@host-a since ");
	assert_non_null(strstr(msg, want));
	free(want);
	want = xasprintf("(backup, pid %ld); expires in 1", (long)getpid());
	assert_non_null(strstr(msg, want));	/* 14m or 15m */
	free(want);
	assert_string_equal(lock_holder(b)->holder, "alice@host-a");

	assert_int_equal(lock_release(a), 0);
	assert_int_equal(lock_state(a), LOCK_RELEASED);
	assert_null(h = it_holder(t));
	assert_int_equal(lock_acquire(b), 0);
	assert_non_null(h = it_holder(t));
	assert_string_equal(h, "bob@host-b");
	free(h);
	assert_int_equal(lock_release(b), 0);
	lock_free(a);
	lock_free(b);
}

static void
test_stale_takeover(void **state)
{
	struct it	*t = *state;
	struct lock	*a, *b;
	char		*h;

	a = it_lock(t, "alice@host-a", "backup", 1000, 60000);
	assert_int_equal(lock_acquire(a), 0);
	lock_free(a);			/* crashed: never released */
	b = it_lock(t, "bob@host-b", "backup", 0, 0);
	assert_int_equal(lock_acquire(b), 1);	/* not stale yet */
	it_spin(t, 2100);
	assert_int_equal(lock_acquire(b), 0);
	h = it_holder(t);
	assert_string_equal(h, "bob@host-b");
	free(h);
	assert_int_equal(lock_release(b), 0);
	lock_free(b);
}

static void
test_refresh_keeps_it(void **state)
{
	struct it	*t = *state;
	struct lock	*a, *b;
	int64_t		 first;

	a = it_lock(t, "alice@host-a", "backup", 2000, 400);
	assert_int_equal(lock_acquire(a), 0);
	first = lock_holder(a)->expires_at;
	it_spin(t, 3500);	/* well past the first expiry */
	assert_int_equal(lock_state(a), LOCK_HELD);
	assert_true(lock_holder(a)->expires_at > first);
	b = it_lock(t, "bob@host-b", "backup", 0, 0);
	assert_int_equal(lock_acquire(b), 1);
	assert_int_equal(lock_release(a), 0);
	lock_free(a);
	lock_free(b);
}

static void
lost_cb(struct lock *lk, void *arg)
{
	(*(int *)arg)++;
}

/* Somebody else's record written over ours (as a takeover would). */
static void
it_put_theirs(struct it *t)
{
	struct lock_info	 li = { 0 };
	char			*json;

	li.holder = (char *)"bob@host-b";
	li.operation = (char *)"backup";
	li.target = (char *)IT_ID;
	li.token = (char *)"b0b";
	li.pid = 1;
	li.started_at = util_wall_ms() / 1000;
	li.expires_at = li.started_at + 600;
	json = lock_info_json(&li, li.started_at);
	assert_int_equal(s3_put(t->s3, t->key, json, strlen(json), NULL), 0);
	free(json);
}

static void
test_lost_and_release_leaves_theirs(void **state)
{
	struct it	*t = *state;
	struct lock	*a;
	int		 lost = 0;
	char		*h;

	a = it_lock(t, "alice@host-a", "backup", 60000, 300);
	lock_on_lost(a, lost_cb, &lost);
	assert_int_equal(lock_acquire(a), 0);
	it_put_theirs(t);
	it_spin(t, 1000);	/* the next refresh meets a changed ETag */
	assert_int_equal(lost, 1);
	assert_int_equal(lock_state(a), LOCK_LOST);
	assert_non_null(strstr(lock_message(a), "taken over"));
	/* releasing a lost lock never deletes the new holder's */
	lock_release(a);
	h = it_holder(t);
	assert_string_equal(h, "bob@host-b");
	free(h);
	lock_free(a);

	/* nor does releasing one whose object changed under it */
	s3_delete(t->s3, t->key, NULL);
	a = it_lock(t, "alice@host-a", "backup", 60000, 0);
	assert_int_equal(lock_acquire(a), 0);
	it_put_theirs(t);
	lock_release(a);
	assert_int_equal(lock_state(a), LOCK_LOST);
	h = it_holder(t);
	assert_string_equal(h, "bob@host-b");
	free(h);
	lock_free(a);
	s3_delete(t->s3, t->key, NULL);
}

static void
test_unreadable_lock(void **state)
{
	struct it	*t = *state;
	struct lock	*a;

	assert_int_equal(s3_put(t->s3, t->key, "garbage", 7, NULL), 0);
	a = it_lock(t, "alice@host-a", "backup", 0, 0);
	assert_int_equal(lock_acquire(a), -1);
	assert_int_equal(lock_state(a), LOCK_FAILED);
	assert_non_null(strstr(lock_message(a), "unreadable"));
	lock_free(a);
	s3_delete(t->s3, t->key, NULL);
}

static void
race_done(struct lock *lk, void *arg)
{
	(*(int *)arg)++;
}

/* Racers in one loop: their PUTs are in flight together. */
static void
test_race_in_loop(void **state)
{
	struct it	*t = *state;
	struct lock	*lk[N_RACERS];
	volatile int	 done = 0;
	char		 who[32];
	int		 i, held = 0, busy = 0, finished = 0;

	for (i = 0; i < N_RACERS; i++) {
		snprintf(who, sizeof who, "racer%d@host", i);
		lk[i] = it_lock(t, who, "backup", 0, 0);
	}
	for (i = 0; i < N_RACERS; i++)
		lock_acquire_start(lk[i], race_done, &finished);
	while (finished < N_RACERS)
		loop_once(t->loop, -1, 1000);
	for (i = 0; i < N_RACERS; i++) {
		held += lock_state(lk[i]) == LOCK_HELD;
		busy += lock_state(lk[i]) == LOCK_BUSY;
	}
	assert_int_equal(held, 1);
	assert_int_equal(busy, N_RACERS - 1);
	for (i = 0; i < N_RACERS; i++) {
		lock_release(lk[i]);
		lock_free(lk[i]);
	}
	(void)done;
	assert_null(it_holder(t));
}

/* A child process: its own loop and client; exit 0 held, 1 busy. */
static int
race_child(struct it *t, int i, int go_fd)
{
	struct loop		*loop = loop_new();
	struct s3_client	*s3 = s3_new(loop, &t->cfg);
	struct lock_opts	 o = { .operation = "backup", .skew_ms = -1 };
	struct lock		*lk;
	char			 who[32], c;
	int			 rc;

	snprintf(who, sizeof who, "proc%d@host", i);
	o.holder = who;
	lk = lock_new(loop, s3, t->key, &o);
	if (read(go_fd, &c, 1) != 1)
		return 3;
	rc = lock_acquire(lk);
	if (rc == 0)
		it_spin(&(struct it){ .loop = loop }, 500);
	lock_free(lk);		/* held: left for the parent to check */
	s3_free(s3);
	loop_free(loop);
	return rc == 0 ? 0 : rc == 1 ? 1 : 2;
}

static void
test_race_processes(void **state)
{
	struct it	*t = *state;
	pid_t		 pid[N_RACERS];
	int		 go[2], i, st, held = 0, busy = 0;
	char		*h;

	assert_int_equal(pipe(go), 0);
	for (i = 0; i < N_RACERS; i++) {
		if ((pid[i] = fork()) == 0) {
			close(go[1]);
			_exit(race_child(t, i, go[0]));
		}
	}
	close(go[0]);
	for (i = 0; i < N_RACERS; i++)
		assert_int_equal(write(go[1], "g", 1), 1);
	close(go[1]);
	for (i = 0; i < N_RACERS; i++) {
		assert_int_equal(waitpid(pid[i], &st, 0), pid[i]);
		assert_true(WIFEXITED(st));
		held += WEXITSTATUS(st) == 0;
		busy += WEXITSTATUS(st) == 1;
	}
	assert_int_equal(held, 1);
	assert_int_equal(busy, N_RACERS - 1);
	h = it_holder(t);
	assert_non_null(h);
	assert_true(strncmp(h, "proc", 4) == 0);
	free(h);
	s3_delete(t->s3, t->key, NULL);
}

static void
test_describe(void **state)
{
	struct lock_info	li = { 0 };
	char			*s;

	li.holder = (char *)"alice@host";
	li.operation = (char *)"backup";
	li.pid = 123;
	li.started_at = 1795921212;	/* 2026-11-29T03:00:12Z */
	li.expires_at = li.started_at + 15 * 60;
	s = lock_describe(&li, li.started_at + 60);
	assert_string_equal(s, "locked by alice@host since "
	    "2026-11-29T03:00:12Z (backup, pid 123); expires in 14m");
	free(s);
	s = lock_describe(&li, li.expires_at + 125);
	assert_non_null(strstr(s, "expired 2m ago"));
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_describe),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_conditional_put),
		cmocka_unit_test(test_acquire_refuse_release),
		cmocka_unit_test(test_stale_takeover),
		cmocka_unit_test(test_refresh_keeps_it),
		cmocka_unit_test(test_lost_and_release_leaves_theirs),
		cmocka_unit_test(test_unreadable_lock),
		cmocka_unit_test(test_race_in_loop),
		cmocka_unit_test(test_race_processes),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
