/*
 * The audit trail against the real radosgw: records written locally (in a
 * temporary XDG_STATE_HOME) and to the bucket, read back merged, newest
 * first, without duplicates, and with secrets redacted.
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
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "audit.h"
#include "buf.h"
#include "loop.h"
#include "s3.h"
#include "util.h"
#include "xmalloc.h"
#include "integration/it_env.h"

struct it {
	struct loop		*loop;
	struct s3_client	*s3;
	struct cfg_s3		 cfg;
	char			 prefix[64];
	char			 state[128];
};

static struct it	it_g;

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

static int
setup(void **state)
{
	struct it	*t = &it_g;
	struct cfg_s3	*c = &t->cfg;

	snprintf(t->prefix, sizeof t->prefix, "it-audit-%ld/", (long)getpid());
	snprintf(t->state, sizeof t->state, "/tmp/it-audit-%ld",
	    (long)getpid());
	setenv("XDG_STATE_HOME", t->state, 1);
	c->endpoint = (char *)it_env("CHOPS_TEST_S3_ENDPOINT");
	c->region = (char *)it_env("CHOPS_TEST_S3_REGION");
	c->bucket = (char *)it_env("CHOPS_TEST_S3_BUCKET");
	c->prefix = t->prefix;
	c->access_key = (char *)it_env("CHOPS_TEST_S3_ACCESS_KEY");
	c->secret_key = (char *)it_env("CHOPS_TEST_S3_SECRET_KEY");
	c->timeout_ms = 20000;
	c->connect_timeout_ms = 2000;
	c->part_size = 5 * 1024 * 1024;
	c->parallel = 2;
	t->loop = loop_new();
	t->s3 = s3_new(t->loop, c);
	*state = t;
	return 0;
}

static int
teardown(void **state)
{
	struct it		*t = *state;
	char			*cmd;

	it_remove_prefix(t->s3, t->prefix);
	cmd = xasprintf("rm -rf '%s'", t->state);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", t->state);
	free(cmd);
	s3_free(t->s3);
	loop_free(t->loop);
	return 0;
}

static void
test_write_local_and_bucket(void **state)
{
	struct it		*t = *state;
	struct audit_rec	*r, *back;
	struct stat		 st;
	struct buf		 b = BUF_INIT;
	char			*path, *key, *cause = NULL, *dir;

	r = audit_begin("restore", "db1.events/daily/2026-11-28");
	audit_param(r, "mode", "replace");
	audit_param(r, "s3_secret_key", "hunter2");
	audit_param(r, "password", "hunter2");
	audit_end(r, "ok", NULL);
	assert_int_equal(audit_write(t->s3, r, &cause), 0);

	path = audit_local_path(&cause);
	assert_non_null(strstr(path, t->state));
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	dir = xasprintf("%s/chops", t->state);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	free(dir);

	key = audit_key(t->s3, r);
	assert_non_null(strstr(key, "_chops/audit/"));
	assert_int_equal(s3_get_buf(t->s3, key, 0, 0, &b, NULL), 0);
	assert_null(strstr(b.data, "hunter2"));
	assert_int_equal(audit_rec_parse(b.data, b.len, &back, &cause), 0);
	assert_string_equal(back->id, r->id);
	assert_string_equal(back->action, "restore");
	assert_string_equal(back->result, "ok");
	assert_int_equal(back->n_params, 3);
	assert_string_equal(back->params[1].value, "<redacted>");
	assert_int_equal(back->at_ms, r->at_ms);
	audit_rec_free(back);
	buf_free(&b);
	free(key);
	free(path);
	audit_rec_free(r);
}

/* A record as another host would write it: only in the bucket. */
static void
it_foreign(struct it *t, const char *id, int64_t at_ms, const char *action)
{
	struct audit_rec	*r;
	struct s3_error		 e;
	char			*key, *json;

	r = audit_begin(action, "db1.events");
	free(r->id);
	r->id = xstrdup(id);
	free(r->who);
	r->who = xstrdup("bob@other");
	r->at_ms = at_ms;
	audit_end(r, "failed", "S3 GET: connection refused");
	key = audit_key(t->s3, r);
	json = audit_rec_json(r);
	memset(&e, 0, sizeof e);
	assert_int_equal(s3_put(t->s3, key, json, strlen(json), &e), 0);
	free(json);
	free(key);
	audit_rec_free(r);
}

static void
test_read_merged(void **state)
{
	struct it		*t = *state;
	struct audit_list	 l = { 0 };
	struct audit_read_opts	 o = { .days = 3 };
	struct audit_rec	*r;
	char			*cause = NULL;
	int64_t			 now = util_wall_ms();
	size_t			 i, mine = 0;

	r = audit_begin("verify", "db1.events/daily/2026-11-28");
	audit_end(r, "ok", NULL);
	assert_int_equal(audit_write(t->s3, r, &cause), 0);
	it_foreign(t, "20000101T000000000Z-other-1-1", now + 5000, "backup");
	it_foreign(t, "20000101T000000000Z-other-1-2", now - 86400000, "prune");
	it_foreign(t, "20000101T000000000Z-other-1-3", now - 10 * 86400000LL,
	    "prune");

	assert_int_equal(audit_read(t->loop, t->s3, &o, &l), 0);
	assert_null(l.warning);
	assert_true(l.n >= 4);
	for (i = 0; i + 1 < l.n; i++)
		assert_true(l.recs[i]->at_ms >= l.recs[i + 1]->at_ms);
	assert_string_equal(l.recs[0]->who, "bob@other");
	assert_true(l.recs[0]->shared && !l.recs[0]->local);
	for (i = 0; i < l.n; i++) {
		assert_true(l.recs[i]->at_ms > now - 3 * 86400000LL);
		if (strcmp(l.recs[i]->id, r->id) == 0) {
			mine++;
			assert_true(l.recs[i]->local && l.recs[i]->shared);
		}
	}
	assert_int_equal(mine, 1);
	audit_list_clear(&l);

	o.limit = 2;
	assert_int_equal(audit_read(t->loop, t->s3, &o, &l), 0);
	assert_int_equal(l.n, 2);
	audit_list_clear(&l);
	audit_rec_free(r);
}

static void
test_bucket_down_keeps_local(void **state)
{
	struct it		*t = *state;
	struct cfg_s3		 c = t->cfg;
	struct s3_client	*down;
	struct audit_list	 l = { 0 };
	struct audit_rec	*r;
	char			*cause = NULL;

	c.endpoint = (char *)"http://127.0.0.1:9";
	c.timeout_ms = 2000;
	down = s3_new(t->loop, &c);
	s3_set_retries(down, 0);
	r = audit_begin("backup", "db1.events/daily/2026-11-29");
	audit_end(r, "failed", "no bucket");
	assert_int_equal(audit_write(down, r, &cause), -1);
	assert_non_null(strstr(cause, "audit trail"));
	free(cause);
	assert_int_equal(audit_read(t->loop, down, NULL, &l), 0);
	assert_non_null(l.warning);
	assert_true(l.n >= 1);
	assert_string_equal(l.recs[0]->id, r->id);
	audit_list_clear(&l);
	audit_rec_free(r);
	s3_free(down);
}

static void
test_parse_rejects(void **state)
{
	struct audit_rec	*r;
	char			*cause = NULL;

	assert_int_equal(audit_rec_parse("{", 1, &r, &cause), -1);
	free(cause);
	cause = NULL;
	assert_int_equal(audit_rec_parse("{\"id\":\"x\"}", 10, &r, &cause),
	    -1);
	free(cause);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_rejects),
		cmocka_unit_test(test_write_local_and_bucket),
		cmocka_unit_test(test_read_merged),
		cmocka_unit_test(test_bucket_down_keeps_local),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
