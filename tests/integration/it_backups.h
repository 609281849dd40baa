/*
 * Shared by it_verify and it_restore: clients for the harness's servers, a
 * table with every common column type (three days of rows), backups of it
 * taken with the real backup engine, and small helpers.
 */
#ifndef CHOPS_IT_BACKUPS_H
#define CHOPS_IT_BACKUPS_H

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "backup.h"
#include "backup_sql.h"
#include "buf.h"
#include "clickhouse.h"
#include "loop.h"
#include "restore_sql.h"
#include "s3.h"
#include "util.h"
#include "xmalloc.h"
#include "integration/it_env.h"

struct itb {
	struct loop		*loop;
	struct ch_client	*ch;
	struct s3_client	*s3;
	struct cfg_s3		 cfg;
	char			 prefix[64];
	char			 db[32];
	char			 table[64];	/* db.types */
	char			 state[96];	/* XDG_STATE_HOME */
};

static inline void
itb_exec(struct itb *t, const char *sql)
{
	struct ch_error	err;

	memset(&err, 0, sizeof err);
	if (ch_exec(t->ch, sql, &err) != 0)
		fail_msg("%s: %s", sql, err.message);
}

static inline char *
itb_scalar(struct itb *t, const char *sql)
{
	struct ch_result	*res = NULL;
	struct ch_error		 err;
	char			*v;

	memset(&err, 0, sizeof err);
	if (ch_query(t->ch, sql, &res, &err) != 0)
		fail_msg("%s: %s", sql, err.message);
	v = xstrdup(ch_result_str(res, 0, 0) != NULL ?
	    ch_result_str(res, 0, 0) : "NULL");
	ch_result_free(res);
	return v;
}

/* "count checksum" of a whole table, with the backups' expression. */
static inline char *
itb_table_sum(struct itb *t, const char *table, const struct manifest *m)
{
	struct ch_result	*res = NULL;
	struct ch_error		 err;
	struct buf		 sql = BUF_INIT;
	char			*cause = NULL, *v;

	memset(&err, 0, sizeof err);
	if (rsql_checksum(&sql, table, m->columns, m->n_columns, &cause) != 0)
		fail_msg("%s", cause);
	if (ch_query(t->ch, buf_str(&sql), &res, &err) != 0)
		fail_msg("%s: %s", buf_str(&sql), err.message);
	v = xasprintf("%s %s", ch_result_str(res, 0, 0),
	    ch_result_str(res, 0, 1));
	ch_result_free(res);
	buf_free(&sql);
	return v;
}

static inline struct manifest *
itb_manifest(struct itb *t, const char *id)
{
	struct manifest	*m = NULL;
	struct buf	 b = BUF_INIT;
	struct s3_error	 e;
	char		*key, *cause = NULL;

	memset(&e, 0, sizeof e);
	key = backup_key_manifest(t->prefix, id);
	if (s3_get_buf(t->s3, key, 0, 0, &b, &e) != 0)
		fail_msg("get %s: %s", key, e.message);
	if (manifest_parse(buf_str(&b), b.len, key, &m, &cause) != 0)
		fail_msg("%s", cause);
	free(key);
	buf_free(&b);
	return m;
}

static inline void
itb_create(struct itb *t)
{
	char	sql[2048];

	snprintf(sql, sizeof sql, "CREATE DATABASE %s", t->db);
	itb_exec(t, sql);
	snprintf(sql, sizeof sql, "CREATE TABLE %s (ts DateTime, day Date, "
	    "n Nullable(Int64), arr Array(String), amount Decimal(18, 4), "
	    "code FixedString(4), kind Enum8('a' = 1, 'b' = 2), uid UUID, "
	    "f Float64, s String, `we\\`ird\\tcol` Nullable(String), "
	    "na Array(Nullable(Float64)), "
	    "mat UInt64 MATERIALIZED cityHash64(s)) ENGINE = MergeTree "
	    "PARTITION BY toDate(ts) ORDER BY ts", t->table);
	itb_exec(t, sql);
	/* three days (UTC); NaN, infinities; tabs, newlines, quotes, bytes */
	snprintf(sql, sizeof sql, "INSERT INTO %s SELECT toDateTime("
	    "'2026-11-27 00:00:00', 'UTC') + number * 37 AS t, toDate(t, "
	    "'UTC'), if(number %% 3 = 0, NULL, toInt64(number) - 3000), "
	    "[toString(number), 'x\\ty', ''], toDecimal64(number / 7, 4), "
	    "toFixedString(toString(number %% 1000), 4), if(number %% 2 = 0, "
	    "'a', 'b'), generateUUIDv4(), multiIf(number %% 5 = 0, nan, "
	    "number %% 5 = 1, inf, number %% 5 = 2, -inf, number / 3), "
	    "concat('tab\\there\\nnew ''q\" `b` \\\\', unhex('00FF7F80'), "
	    "toString(number)), if(number %% 4 = 0, NULL, 'w'), "
	    "[NULL, nan, toFloat64(number)] FROM numbers(7000)", t->table);
	itb_exec(t, sql);
}

static inline void
itb_setup(struct itb *t, const char *name)
{
	struct http_tls	tls = { NULL, false };

	t->loop = loop_new();
	t->ch = ch_new(t->loop, it_env("CHOPS_TEST_CH_URL"), "default", "",
	    &tls, 60000, 3000);
	memset(&t->cfg, 0, sizeof t->cfg);
	t->cfg.endpoint = (char *)it_env("CHOPS_TEST_S3_ENDPOINT");
	t->cfg.region = (char *)it_env("CHOPS_TEST_S3_REGION");
	t->cfg.bucket = (char *)it_env("CHOPS_TEST_S3_BUCKET");
	t->cfg.access_key = (char *)it_env("CHOPS_TEST_S3_ACCESS_KEY");
	t->cfg.secret_key = (char *)it_env("CHOPS_TEST_S3_SECRET_KEY");
	t->cfg.timeout_ms = 30000;
	t->cfg.connect_timeout_ms = 3000;
	t->cfg.part_size = 5 * 1024 * 1024;
	t->cfg.parallel = 2;
	snprintf(t->prefix, sizeof t->prefix, "it-%s-%ld/", name,
	    (long)getpid());
	t->cfg.prefix = t->prefix;
	t->s3 = s3_new(t->loop, &t->cfg);
	snprintf(t->db, sizeof t->db, "chops_it%s_%ld", name, (long)getpid());
	snprintf(t->table, sizeof t->table, "%s.types", t->db);
	snprintf(t->state, sizeof t->state, "/tmp/chops-it%s-%ld", name,
	    (long)getpid());
	setenv("XDG_STATE_HOME", t->state, 1);
	itb_create(t);
}

/* Collects keys: nothing may run the loop inside a listing's callback. */
static inline int
itb_collect(void *arg, const struct s3_item *item)
{
	struct buf	*b = arg;

	if (item->kind == S3_ITEM_OBJECT)
		buf_add(b, item->key, strlen(item->key) + 1);
	return 0;
}

static inline void
itb_teardown(struct itb *t)
{
	struct s3_list_opts	 o = { .prefix = t->prefix };
	struct buf		 b = BUF_INIT;
	char			 sql[128], *cmd;
	size_t			 off;

	s3_list(t->s3, &o, itb_collect, &b, NULL);
	for (off = 0; off < b.len; off += strlen(b.data + off) + 1)
		s3_delete(t->s3, b.data + off, NULL);
	buf_free(&b);
	snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s", t->db);
	itb_exec(t, sql);
	cmd = xasprintf("rm -rf '%s'", t->state);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", t->state);
	free(cmd);
	ch_free(t->ch);
	s3_free(t->s3);
	loop_free(t->loop);
}

/* A daily backup of a table with the real engine; returns the id. */
static inline char *
itb_backup(struct itb *t, const char *table, const char *day)
{
	struct backup_opts	 o;
	struct backup_result	 r;
	enum backup_status	 st;
	char			*cause = NULL, *id;

	memset(&o, 0, sizeof o);
	memset(&r, 0, sizeof r);
	o.table = table;
	o.time_column = "ts";
	o.tz = "UTC";
	o.compression = CODEC_ZSTD;
	o.workers = 1;
	o.created_by = "it@test";
	o.force = true;
	if (period_parse_day(day, &o.period, &cause) != 0)
		fail_msg("%s", cause);
	st = backup_run(t->loop, t->ch, t->s3, &o, NULL, NULL, &r, NULL);
	if (st != BACKUP_COMPLETE)
		fail_msg("backup %s: %s: %s", day, backup_status_name(st),
		    r.error != NULL ? r.error : "?");
	id = xstrdup(r.id);
	backup_result_clear(&r);
	return id;
}

/* Replaces an object's bytes by a copy with byte `at` flipped. */
static inline void
itb_corrupt(struct itb *t, const char *key, size_t at, bool truncate)
{
	struct buf	b = BUF_INIT;
	struct s3_error	e;

	memset(&e, 0, sizeof e);
	if (s3_get_buf(t->s3, key, 0, 0, &b, &e) != 0)
		fail_msg("get %s: %s", key, e.message);
	if (at >= b.len)
		fail_msg("%s has only %zu bytes", key, b.len);
	if (truncate)
		b.len = at;
	else
		b.data[at] ^= 0x01;
	if (s3_put(t->s3, key, b.data, b.len, &e) != 0)
		fail_msg("put %s: %s", key, e.message);
	buf_free(&b);
}

#endif
