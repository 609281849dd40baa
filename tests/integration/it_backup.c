/*
 * Backups against the real servers (tests/run): ClickHouse 18.16 and Ceph
 * radosgw. A table with every common column type is backed up by day; the
 * object must hash to the manifest's SHA-256, hold exactly the rows of the
 * range (loaded back into a scratch table, count and checksum compared),
 * and the manifest's count and checksum must be ClickHouse's. Then:
 * idempotence, --force, redoing an incomplete backup, timezones, refusals,
 * a cancel after the first part (no manifest, no multipart upload left), and
 * a backup much larger than the memory it may use.
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
#include <sys/resource.h>
#include <cmocka.h>

#include <openssl/evp.h>

#include "backup.h"
#include "backup_sql.h"
#include "clickhouse.h"
#include "codec.h"
#include "inventory.h"
#include "loop.h"
#include "s3.h"
#include "sql.h"
#include "util.h"
#include "xmalloc.h"
#include "integration/it_env.h"

#define MIB		(1024 * 1024)
#define PART_SIZE	(5 * MIB)
#define PARALLEL	3
#define BIG_ROWS	3000000

#if defined(__SANITIZE_ADDRESS__)
const char	*__asan_default_options(void);

/* Freed memory is not kept long, so the peak RSS check measures chops. */
const char *
__asan_default_options(void)
{
	return "quarantine_size_mb=8";
}
#endif

struct it {
	struct loop		*loop;
	struct ch_client	*ch;
	struct s3_client	*s3;
	struct cfg_s3		 cfg;
	char			 prefix[64];
	char			 db[32];
	char			 table[64];	/* db.types */
	char			 big[64];	/* db.big */
	char			 state[96];	/* XDG_STATE_HOME: audit */
	/*
	 * Dates relative to today, so every period has ended whenever the
	 * tests run: mon is the Monday of the week of today - 9; the types
	 * table has rows on mon + 2 .. mon + 4 (UTC), the big one on mon + 8.
	 */
	struct period_date	 today;
	struct period_date	 mon;
	char			 day[9][16];	/* mon + 0 .. mon + 8 */
	char			 week[16];	/* mon's ISO week */
};

#define BIG_DAY		8

/* ---------------------------------------------------------------- helpers */

static void
it_exec(struct it *t, const char *sql)
{
	struct ch_error	err;

	memset(&err, 0, sizeof err);
	if (ch_exec(t->ch, sql, &err) != 0)
		fail_msg("%s: %s", sql, err.message);
}

static struct ch_result *
it_query(struct it *t, const char *sql)
{
	struct ch_result	*res = NULL;
	struct ch_error		 err;

	memset(&err, 0, sizeof err);
	if (ch_query(t->ch, sql, &res, &err) != 0)
		fail_msg("%s: %s", sql, err.message);
	return res;
}

static struct manifest *
it_manifest(struct it *t, const char *id)
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

/* Whether an object exists. */
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
count_upload(void *arg, const struct s3_item *it)
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
	if (s3_list_uploads(t->s3, t->prefix, count_upload, &n, &e) != 0)
		fail_msg("list uploads: %s", e.message);
	return n;
}

struct sha_sink {
	EVP_MD_CTX	*ctx;
	struct codec	*dec;		/* NULL: hash only */
	struct buf	 plain;
	uint64_t	 n;
};

static size_t
sha_sink(void *arg, const char *data, size_t len)
{
	struct sha_sink	*s = arg;
	char		*cause = NULL;

	EVP_DigestUpdate(s->ctx, data, len);
	s->n += len;
	if (s->dec != NULL && codec_write(s->dec, data, len, &s->plain,
	    &cause) != 0)
		fail_msg("decompressing: %s", cause);
	return len;
}

/* The object's SHA-256 (hex) and, with dec, its decompressed bytes. */
static void
it_fetch(struct it *t, const char *key, char hex[65], struct codec *dec,
    struct buf *plain)
{
	struct sha_sink	 s = { EVP_MD_CTX_new(), dec, BUF_INIT, 0 };
	struct s3_error	 e;
	unsigned char	 md[32];
	unsigned int	 n, i;
	char		*cause = NULL;

	memset(&e, 0, sizeof e);
	EVP_DigestInit_ex(s.ctx, EVP_sha256(), NULL);
	if (s3_get(t->s3, key, 0, 0, sha_sink, &s, &e) != 0)
		fail_msg("get %s: %s", key, e.message);
	EVP_DigestFinal_ex(s.ctx, md, &n);
	EVP_MD_CTX_free(s.ctx);
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	if (dec != NULL && codec_finish(dec, &s.plain, &cause) != 0)
		fail_msg("decompressing: %s", cause);
	if (plain != NULL)
		*plain = s.plain;
	else
		buf_free(&s.plain);
}

/* Default options for a table's day (stream, zstd). */
static void
it_opts(struct backup_opts *o, const char *table, const char *day)
{
	char	*cause = NULL;

	memset(o, 0, sizeof *o);
	o->table = table;
	o->compression = CODEC_ZSTD;
	o->workers = 2;
	o->created_by = "it@test";
	if (day != NULL && period_parse_day(day, &o->period, &cause) != 0)
		fail_msg("%s", cause);
}

static enum backup_status
it_run(struct it *t, const struct backup_opts *o, struct backup_result *r)
{
	memset(r, 0, sizeof *r);
	return backup_run(t->loop, t->ch, t->s3, o, NULL, NULL, r, NULL);
}

/* Runs and expects one status; returns the result (clear it). */
static void
it_expect(struct it *t, const struct backup_opts *o, enum backup_status want,
    struct backup_result *r)
{
	enum backup_status	got = it_run(t, o, r);

	if (got != want)
		fail_msg("%s: %s, expected %s: %s", r->id != NULL ? r->id :
		    o->table, backup_status_name(got), backup_status_name(want),
		    r->error != NULL ? r->error : "(no error)");
}

/* count() and checksum of a table over a manifest's range and columns. */
static void
it_checksum(struct it *t, const char *table, const struct manifest *m,
    uint64_t *rows, char **sum)
{
	struct ch_result	*res;
	struct buf		 w = BUF_INIT, sql = BUF_INIT;
	char			*cause = NULL;

	if (backup_sql_where(&w, m->time_column, BACKUP_TIME_DATETIME,
	    m->from, m->to, m->timezone, &cause) != 0 ||
	    backup_sql_checksum(&sql, table, m->columns, m->n_columns,
	    buf_str(&w), &cause) != 0)
		fail_msg("%s", cause);
	res = it_query(t, buf_str(&sql));
	assert_int_equal(ch_result_uint64(res, 0, 0, rows), 0);
	*sum = xstrdup(ch_result_str(res, 0, 1));
	ch_result_free(res);
	buf_free(&w);
	buf_free(&sql);
}

/* ---------------------------------------------------------------- setup */

static void
it_create(struct it *t)
{
	char	sql[2048];

	snprintf(sql, sizeof sql, "CREATE DATABASE %s", t->db);
	it_exec(t, sql);
	snprintf(sql, sizeof sql, "CREATE TABLE %s (ts DateTime, day Date, "
	    "n Nullable(Int64), arr Array(String), amount Decimal(18, 4), "
	    "code FixedString(4), kind Enum8('a' = 1, 'b' = 2), uid UUID, "
	    "f Float64, s String, `we\\`ird\\tcol` Nullable(String), "
	    "mat UInt64 MATERIALIZED cityHash64(s)) ENGINE = MergeTree "
	    "PARTITION BY toYYYYMMDD(ts) ORDER BY ts", t->table);
	it_exec(t, sql);
	/* three days (UTC); NaN, infinities; tabs, newlines, quotes, bytes */
	snprintf(sql, sizeof sql, "INSERT INTO %s SELECT toDateTime("
	    "'%s 00:00:00', 'UTC') + number * 37 AS t, toDate(t, "
	    "'UTC'), if(number %% 3 = 0, NULL, toInt64(number) - 3000), "
	    "[toString(number), 'x\\ty', ''], toDecimal64(number / 7, 4), "
	    "toFixedString(toString(number %% 1000), 4), if(number %% 2 = 0, "
	    "'a', 'b'), generateUUIDv4(), multiIf(number %% 5 = 0, nan, "
	    "number %% 5 = 1, inf, number %% 5 = 2, -inf, number / 3), "
	    "concat('tab\\there\\nnew ''q\" `b` \\\\', unhex('00FF7F80'), "
	    "toString(number)), if(number %% 4 = 0, NULL, 'w') FROM "
	    "numbers(7000)", t->table, t->day[2]);
	it_exec(t, sql);
	snprintf(sql, sizeof sql, "CREATE TABLE %s (ts DateTime, n UInt64, "
	    "s String) ENGINE = MergeTree PARTITION BY toYYYYMMDD(ts) ORDER BY "
	    "ts", t->big);
	it_exec(t, sql);
	snprintf(sql, sizeof sql, "INSERT INTO %s SELECT toDateTime("
	    "'%s 00:00:00', 'UTC') + intDiv(number * 86400, %d), "
	    "cityHash64(number), concat(hex(cityHash64(number)), "
	    "hex(cityHash64(number, 7))) FROM numbers(%d)", t->big,
	    t->day[BIG_DAY], BIG_ROWS, BIG_ROWS);
	it_exec(t, sql);
}

static void
it_dates(struct it *t)
{
	struct period_date	d;
	int			i, y, w;

	period_date_from_days(util_wall_ms() / 86400000, &t->today);
	d = t->today;
	period_date_add(&d, -9);
	period_iso_week(&d, &y, &w);
	period_iso_monday(y, w, &t->mon);
	period_fmt_week(t->week, sizeof t->week, y, w);
	for (i = 0; i < 9; i++) {
		d = t->mon;
		period_date_add(&d, i);
		period_fmt_date(t->day[i], sizeof t->day[i], &d);
	}
}

/* Midnight UTC of mon + off. */
static int64_t
it_epoch(const struct it *t, int off)
{
	return (period_days_from_date(&t->mon) + off) * 86400;
}

static int
it_setup(void **state)
{
	struct it	*t = xcalloc(1, sizeof *t);
	struct http_tls	 tls = { NULL, false };

	t->loop = loop_new();
	t->ch = ch_new(t->loop, it_env("CHOPS_TEST_CH_URL"), "chops",
	    "chops-secret", &tls, 30000, 3000);
	memset(&t->cfg, 0, sizeof t->cfg);
	t->cfg.endpoint = (char *)it_env("CHOPS_TEST_S3_ENDPOINT");
	t->cfg.region = (char *)it_env("CHOPS_TEST_S3_REGION");
	t->cfg.bucket = (char *)it_env("CHOPS_TEST_S3_BUCKET");
	t->cfg.access_key = (char *)it_env("CHOPS_TEST_S3_ACCESS_KEY");
	t->cfg.secret_key = (char *)it_env("CHOPS_TEST_S3_SECRET_KEY");
	t->cfg.timeout_ms = 30000;
	t->cfg.connect_timeout_ms = 3000;
	t->cfg.part_size = PART_SIZE;
	t->cfg.parallel = PARALLEL;
	snprintf(t->prefix, sizeof t->prefix, "it-backup-%ld/", (long)getpid());
	t->cfg.prefix = t->prefix;
	t->s3 = s3_new(t->loop, &t->cfg);
	snprintf(t->db, sizeof t->db, "chops_itb_%ld", (long)getpid());
	snprintf(t->table, sizeof t->table, "%s.types", t->db);
	snprintf(t->big, sizeof t->big, "%s.big", t->db);
	/* every backup appends to the audit trail: not the user's */
	snprintf(t->state, sizeof t->state, "/tmp/chops-itbackup-%ld",
	    (long)getpid());
	setenv("XDG_STATE_HOME", t->state, 1);
	it_dates(t);
	it_create(t);
	*state = t;
	return 0;
}

struct it_keys {
	char	**v;
	size_t	  n;
};

static int
it_keep_key(void *arg, const struct s3_item *it)
{
	struct it_keys	*k = arg;

	k->v = xreallocarray(k->v, k->n + 1, sizeof *k->v);
	k->v[k->n++] = xstrdup(it->key);
	return 0;
}

static int
it_teardown(void **state)
{
	struct it		*t = *state;
	struct s3_list_opts	 o;
	struct it_keys		 k = { NULL, 0 };
	char			 sql[128];
	size_t			 i;

	if (t == NULL)
		return 0;
	memset(&o, 0, sizeof o);
	o.prefix = t->prefix;
	if (s3_list(t->s3, &o, it_keep_key, &k, NULL) == 0 && k.n > 0)
		s3_delete_objects(t->s3, (const char *const *)k.v, k.n, NULL);
	for (i = 0; i < k.n; i++)
		free(k.v[i]);
	free(k.v);
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

/* INSERT INTO table (cols) FORMAT Native, from a buffer. */
struct it_source {
	const struct buf	*b;
	size_t			 off;
};

static ssize_t
it_source(void *arg, char *buf, size_t len)
{
	struct it_source	*s = arg;
	size_t			 n = s->b->len - s->off;

	if (n > len)
		n = len;
	memcpy(buf, s->b->data + s->off, n);
	s->off += n;
	return (ssize_t)n;
}

/* Loads a backup's Native data into a new table shaped like the source. */
static void
it_load(struct it *t, const struct manifest *m, const struct buf *native,
    const char *into)
{
	struct it_source	 src = { native, 0 };
	struct buf		 sql = BUF_INIT;
	struct ch_error		 err;
	char			*cause = NULL;
	size_t			 i;

	if (sql_appendf(&sql, &cause, "CREATE TABLE %T AS %T", into,
	    m->table) != 0)
		fail_msg("%s", cause);
	it_exec(t, buf_str(&sql));
	buf_reset(&sql);
	sql_appendf(&sql, NULL, "INSERT INTO %T (", into);
	for (i = 0; i < m->n_columns; i++) {
		if (i > 0)
			buf_addstr(&sql, ", ");
		sql_appendf(&sql, NULL, "%Q", m->columns[i].name);
	}
	buf_addstr(&sql, ") FORMAT Native");
	memset(&err, 0, sizeof err);
	if (ch_import(t->ch, buf_str(&sql), it_source, &src, NULL, &err) != 0)
		fail_msg("loading %s: %s", into, err.message);
	buf_free(&sql);
}

static void
test_types_roundtrip(void **state)
{
	struct it		*t = *state;
	struct backup_opts	 o;
	struct backup_result	 r;
	struct manifest		*m;
	struct codec		*dec;
	struct buf		 native;
	char			 hex[65], *sum, *cause = NULL, into[80];
	uint64_t		 rows;

	it_opts(&o, t->table, t->day[3]);
	it_expect(t, &o, BACKUP_COMPLETE, &r);
	m = it_manifest(t, r.id);
	/* 86400 / 37 rows a day */
	assert_int_equal(r.rows, 2335);
	assert_int_equal(m->rows, 2335);
	assert_string_equal(m->checksum, r.checksum);
	assert_int_equal(m->size, r.bytes);
	assert_string_equal(m->timezone, "Etc/UTC");
	assert_int_equal(m->from, it_epoch(t, 3));
	assert_int_equal(m->to, it_epoch(t, 4));
	assert_string_equal(m->time_column, "ts");
	assert_int_equal(m->n_columns, 11);	/* not the MATERIALIZED */
	assert_string_equal(m->columns[10].name, "we`ird\tcol");
	assert_string_equal(m->created_by, "it@test");
	assert_string_equal(m->clickhouse_version, "18.16.1");
	assert_non_null(strstr(m->create_table, "MATERIALIZED"));
	/* the manifest's count and checksum are ClickHouse's, now */
	it_checksum(t, t->table, m, &rows, &sum);
	assert_int_equal(rows, m->rows);
	assert_string_equal(sum, m->checksum);
	free(sum);
	/* the object is what the manifest says */
	dec = codec_decoder_new(CODEC_ZSTD, &cause);
	it_fetch(t, m->key, hex, dec, &native);
	codec_free(dec);
	assert_string_equal(hex, m->sha256);
	/* and holds exactly the rows: load it back, count and checksum */
	snprintf(into, sizeof into, "%s.restored", t->db);
	it_load(t, m, &native, into);
	it_checksum(t, into, m, &rows, &sum);
	assert_int_equal(rows, m->rows);
	assert_string_equal(sum, m->checksum);
	free(sum);
	buf_free(&native);
	manifest_free(m);
	backup_result_clear(&r);
}

static void
test_skip_and_force(void **state)
{
	struct it		*t = *state;
	struct backup_opts	 o;
	struct backup_result	 r1, r2;
	struct manifest		*m;
	char			 hex[65];

	it_opts(&o, t->table, t->day[3]);
	it_expect(t, &o, BACKUP_SKIPPED, &r1);
	assert_int_equal(r1.rows, 2335);
	assert_non_null(r1.manifest);
	o.force = true;
	it_expect(t, &o, BACKUP_COMPLETE, &r2);
	assert_string_equal(r2.checksum, r1.checksum);
	assert_int_equal(r2.rows, r1.rows);
	m = it_manifest(t, r2.id);
	assert_true(m->created_at >= r1.manifest->created_at);
	it_fetch(t, m->key, hex, NULL, NULL);
	assert_string_equal(hex, m->sha256);
	manifest_free(m);
	backup_result_clear(&r1);
	backup_result_clear(&r2);
}

/* Data without a manifest, or replaced after it: taken again. */
static void
test_incomplete_redone(void **state)
{
	struct it		*t = *state;
	struct backup_opts	 o;
	struct backup_result	 r;
	struct manifest		*m;
	struct s3_error		 e;
	char			 hex[65], *key, *mkey;

	memset(&e, 0, sizeof e);
	it_opts(&o, t->table, t->day[2]);
	key = xasprintf("%s%s/daily/%s/data.native.zst", t->prefix,
	    t->table, t->day[2]);
	mkey = xasprintf("%s%s/daily/%s/manifest.json", t->prefix,
	    t->table, t->day[2]);
	assert_int_equal(s3_put(t->s3, key, "junk", 4, &e), 0);
	assert_false(it_exists(t, mkey));
	it_expect(t, &o, BACKUP_COMPLETE, &r);
	m = it_manifest(t, r.id);
	it_fetch(t, key, hex, NULL, NULL);
	assert_string_equal(hex, m->sha256);
	backup_result_clear(&r);
	/* the object replaced behind the manifest's back */
	assert_int_equal(s3_put(t->s3, key, "junk", 4, &e), 0);
	it_expect(t, &o, BACKUP_COMPLETE, &r);
	manifest_free(m);
	m = it_manifest(t, r.id);
	it_fetch(t, key, hex, NULL, NULL);
	assert_string_equal(hex, m->sha256);
	assert_int_equal(m->rows, 2336);
	manifest_free(m);
	backup_result_clear(&r);
	free(key);
	free(mkey);
}

static void
test_weekly_gzip(void **state)
{
	struct it		*t = *state;
	struct backup_opts	 o;
	struct backup_result	 r;
	struct manifest		*m;
	struct codec		*dec;
	struct buf		 native;
	char			 hex[65], *cause = NULL;

	it_opts(&o, t->table, NULL);
	assert_int_equal(period_parse_week(t->week, &o.period, &cause), 0);
	o.compression = CODEC_GZIP;
	it_expect(t, &o, BACKUP_COMPLETE, &r);
	assert_string_equal(r.id + strlen(t->table) + 8, t->week);
	assert_int_equal(r.rows, 7000);		/* mon + 2 .. mon + 4 */
	assert_non_null(strstr(r.key, "/data.native.gz"));
	m = it_manifest(t, r.id);
	assert_int_equal(m->from, it_epoch(t, 0));
	assert_int_equal(m->to - m->from, 7 * 86400);
	dec = codec_decoder_new(CODEC_GZIP, &cause);
	it_fetch(t, m->key, hex, dec, &native);
	codec_free(dec);
	assert_string_equal(hex, m->sha256);
	assert_true(native.len > m->size);
	buf_free(&native);
	manifest_free(m);
	backup_result_clear(&r);
}

/* Day boundaries in another zone: the server converts, tzcode agrees. */
static void
test_timezone(void **state)
{
	struct it		*t = *state;
	struct backup_opts	 o;
	struct backup_result	 r;
	struct period_time	 from, to;
	struct manifest		*m;
	struct ch_result	*res;
	int64_t			 a, b;
	char			 sql[256], *cause = NULL;

	it_opts(&o, t->table, t->day[4]);
	o.tz = "Asia/Tokyo";
	it_expect(t, &o, BACKUP_COMPLETE, &r);
	m = it_manifest(t, r.id);
	assert_string_equal(m->timezone, "Asia/Tokyo");
	period_bounds(&o.period, &from, &to);
	assert_int_equal(period_local_to_epoch("Asia/Tokyo", &from.civil, &a,
	    &cause), 0);
	assert_int_equal(period_local_to_epoch("Asia/Tokyo", &to.civil, &b,
	    &cause), 0);
	assert_int_equal(m->from, a);
	assert_int_equal(m->to, b);
	assert_int_equal(a, it_epoch(t, 4) - 9 * 3600);	/* UTC+9 */
	snprintf(sql, sizeof sql, "SELECT count() FROM %s WHERE toDate(ts, "
	    "'Asia/Tokyo') = '%s'", t->table, t->day[4]);
	res = it_query(t, sql);
	assert_int_equal(ch_result_int64(res, 0, 0, &a), 0);
	assert_int_equal(m->rows, a);
	ch_result_free(res);
	manifest_free(m);
	backup_result_clear(&r);
}

static void
it_refused(struct it *t, struct backup_opts *o, enum backup_status want,
    const char *text)
{
	struct backup_result	r;

	it_expect(t, o, want, &r);
	if (r.error == NULL || strstr(r.error, text) == NULL)
		fail_msg("expected \"%s\" in \"%s\"", text, r.error);
	assert_null(r.manifest);
	backup_result_clear(&r);
}

static void
test_refusals(void **state)
{
	struct it		*t = *state;
	struct backup_opts	 o;
	char			*mkey, nope[80];

	/* a day without a backup: each is refused before any writing */
	it_opts(&o, t->table, t->day[1]);
	o.read_only = true;
	it_refused(t, &o, BACKUP_REFUSED, "refused: read-only mode");
	it_opts(&o, t->table, t->day[1]);
	o.format = BACKUP_PARQUET;
	o.compression = CODEC_NONE;
	it_refused(t, &o, BACKUP_REFUSED, "cannot write Parquet");
	it_opts(&o, t->table, t->day[1]);
	o.engine = BACKUP_ENGINE_SERVER;
	o.s3_access_key = t->cfg.access_key;
	o.s3_secret_key = t->cfg.secret_key;
	it_refused(t, &o, BACKUP_REFUSED, "has no s3 table function (it needs "
	    "ClickHouse 19.15 or later); use --engine stream");
	snprintf(nope, sizeof nope, "%s.nope", t->db);
	it_opts(&o, nope, t->day[1]);
	it_refused(t, &o, BACKUP_FAILED, "does not exist");
	it_opts(&o, t->table, t->day[1]);
	o.time_column = "missing";
	it_refused(t, &o, BACKUP_INVALID, "has no column 'missing'");
	o.time_column = "s";
	it_refused(t, &o, BACKUP_INVALID, "a range needs a Date or DateTime");
	o.time_column = "mat";
	it_refused(t, &o, BACKUP_INVALID, "is not stored");
	it_opts(&o, "no_db_table", t->day[1]);
	it_refused(t, &o, BACKUP_INVALID, "DB.TABLE");
	it_opts(&o, t->table, t->day[1]);
	o.tz = "Mars/Olympus";
	it_refused(t, &o, BACKUP_FAILED, "Mars/Olympus");
	/* a period that has not ended would be skipped later as complete */
	it_opts(&o, t->table, "2099-01-01");
	it_refused(t, &o, BACKUP_INVALID, "period 2099-01-01 has not ended");
	/* nothing was written for any of them */
	mkey = xasprintf("%s%s/daily/%s/data.parquet", t->prefix,
	    t->table, t->day[1]);
	assert_false(it_exists(t, mkey));
	free(mkey);
	mkey = xasprintf("%s%s.nope/daily/%s/manifest.json",
	    t->prefix, t->db, t->day[1]);
	assert_false(it_exists(t, mkey));
	free(mkey);
	assert_int_equal(it_uploads(t), 0);
}

static bool
it_valgrind(void)
{
	const char	*p = getenv("LD_PRELOAD");

	return p != NULL && strstr(p, "vgpreload") != NULL;
}

static long
it_maxrss_kb(void)
{
	struct rusage	ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

/*
 * Far more data than memory may hold: parts in parallel, the export paused
 * while the uploader is full, and a peak that does not grow with the size.
 */
static void
test_big(void **state)
{
	struct it		*t = *state;
	struct backup_opts	 o;
	struct backup_result	 r;
	struct manifest		*m;
	char			 hex[65];
	long			 before, grew, bound;

	before = it_maxrss_kb();
	it_opts(&o, t->big, t->day[BIG_DAY]);
	it_expect(t, &o, BACKUP_COMPLETE, &r);
	grew = it_maxrss_kb() - before;
	print_message("big: %llu bytes, peak grew %ld KiB\n",
	    (unsigned long long)r.bytes, grew);
	/* valgrind's own memory counts as ours: the bound means nothing */
	if (it_valgrind())
		grew = 0;
	assert_int_equal(r.rows, BIG_ROWS);
	/* many more parts than in flight at once */
	assert_true(r.bytes > 4 * PARALLEL * (uint64_t)PART_SIZE);
	/* parts in flight and filling, queue, zstd, curl: not the object */
	bound = ((PARALLEL + 1) * PART_SIZE + 24 * MIB) / 1024;
#if defined(__SANITIZE_ADDRESS__)
	bound += bound / 2;	/* shadow memory and redzones */
#endif
	assert_true(grew < bound);
	assert_true((uint64_t)bound * 1024 < r.bytes);
	m = it_manifest(t, r.id);
	assert_int_equal(m->size, r.bytes);
	it_fetch(t, m->key, hex, NULL, NULL);
	assert_string_equal(hex, m->sha256);
	manifest_free(m);
	backup_result_clear(&r);
}

struct it_cancel {
	struct backup	*b;
	volatile int	 done;
	bool		 cancelled;
};

static void
it_cancel_progress(const struct backup_progress *p, void *arg)
{
	struct it_cancel	*c = arg;

	/* after the first part is stored */
	if (!c->cancelled && p->bytes_uploaded > 0) {
		c->cancelled = true;
		backup_cancel(c->b);
	}
}

static void
it_cancel_done(struct backup *b, void *arg)
{
	((struct it_cancel *)arg)->done = 1;
}

/* No query of ours left running on the big table (KILL QUERY worked). */
static void
it_wait_no_query(struct it *t)
{
	struct ch_result	*res;
	char			 sql[256];
	int64_t			 n = 1;
	int			 i;

	snprintf(sql, sizeof sql, "SELECT count() FROM system.processes WHERE "
	    "query LIKE '%%%s%%' AND query NOT LIKE '%%system.processes%%'",
	    t->db);
	for (i = 0; i < 100 && n != 0; i++) {
		res = it_query(t, sql);
		assert_int_equal(ch_result_int64(res, 0, 0, &n), 0);
		ch_result_free(res);
		if (n != 0)
			usleep(100000);
	}
	assert_int_equal(n, 0);
}

static void
test_cancel(void **state)
{
	struct it		*t = *state;
	struct it_cancel	 c = { NULL, 0, false };
	struct backup_opts	 o;
	struct backup_result	 r;
	struct manifest		*m;
	char			 hex[65], *mkey;

	it_opts(&o, t->big, t->day[BIG_DAY]);
	o.force = true;
	c.b = backup_start(t->loop, t->ch, t->s3, &o, it_cancel_progress,
	    it_cancel_done, &c);
	loop_run_until(t->loop, &c.done);
	backup_take_result(c.b, &r);
	backup_free(c.b);
	assert_true(c.cancelled);
	assert_int_equal(r.status, BACKUP_FAILED);
	assert_string_equal(r.error, "cancelled");
	/* no multipart upload is left behind */
	assert_int_equal(it_uploads(t), 0);
	it_wait_no_query(t);
	/* the complete backup it was redoing is untouched */
	mkey = backup_key_manifest(t->prefix, r.id);
	assert_true(it_exists(t, mkey));
	m = it_manifest(t, r.id);
	it_fetch(t, m->key, hex, NULL, NULL);
	assert_string_equal(hex, m->sha256);
	manifest_free(m);
	free(mkey);
	backup_result_clear(&r);
}

/* A fresh period cancelled: no manifest, no object, no upload. */
static void
test_cancel_fresh(void **state)
{
	struct it		*t = *state;
	struct it_cancel	 c = { NULL, 0, false };
	struct backup_opts	 o;
	struct backup_result	 r;
	char			*key, *cause = NULL, from[24], to[24];

	it_opts(&o, t->big, NULL);
	snprintf(from, sizeof from, "@%lld", (long long)it_epoch(t, BIG_DAY));
	snprintf(to, sizeof to, "@%lld", (long long)it_epoch(t, BIG_DAY + 1));
	if (period_parse_range(from, to, &o.period, &cause) != 0)
		fail_msg("%s", cause);
	c.b = backup_start(t->loop, t->ch, t->s3, &o, it_cancel_progress,
	    it_cancel_done, &c);
	loop_run_until(t->loop, &c.done);
	backup_take_result(c.b, &r);
	backup_free(c.b);
	assert_true(c.cancelled);
	assert_int_equal(r.status, BACKUP_FAILED);
	key = backup_key_manifest(t->prefix, r.id);
	assert_false(it_exists(t, key));
	free(key);
	key = backup_key_data(t->prefix, r.id, BACKUP_NATIVE, CODEC_ZSTD);
	assert_false(it_exists(t, key));
	free(key);
	assert_int_equal(it_uploads(t), 0);
	it_wait_no_query(t);
	backup_result_clear(&r);
}

/* The strip's state on mon + off, when that day is in the strip. */
static void
it_strip_is(const struct inventory *inv, const struct inv_table *tab,
    const struct it *t, int off, enum inv_day want)
{
	int64_t	k = period_days_from_date(&t->mon) + off -
		    period_days_from_date(&inv->strip_first);

	if (k < 0 || k >= INV_STRIP_DAYS)
		return;
	if (tab->strip[k] != want)
		fail_msg("%s day mon + %d: %s, expected %s", tab->name, off,
		    inv_day_name(tab->strip[k]), inv_day_name(want));
}

/* What the console's Backups pane shows for this run's prefix. */
static void
test_inventory(void **state)
{
	struct it		*t = *state;
	struct inventory_opts	 o;
	struct inventory	*inv;
	const struct inv_table	*tab;
	const struct inv_backup	*bk;
	char			*cause = NULL, id[128];
	int			 i;

	memset(&o, 0, sizeof o);
	o.fetch = INV_FETCH_ALL;
	o.today = t->today;
	if (inventory_load(t->loop, t->s3, &o, &inv, &cause) != 0)
		fail_msg("%s", cause);
	tab = inventory_table(inv, t->table);
	assert_non_null(tab);
	snprintf(id, sizeof id, "%s/daily/%s", t->table, t->day[3]);
	bk = inventory_find(inv, id);
	assert_non_null(bk);
	assert_true(bk->complete);
	assert_int_equal(bk->manifest->rows, 2335);
	assert_int_equal(bk->verified, INV_UNVERIFIED);
	/* the weekly backup covers mon .. mon + 6, nothing the day after */
	for (i = -1; i <= 7; i++)
		it_strip_is(inv, tab, t, i, i >= 0 && i <= 6 ?
		    INV_DAY_PRESENT : INV_DAY_MISSING);
	tab = inventory_table(inv, t->big);
	it_strip_is(inv, tab, t, BIG_DAY, INV_DAY_PRESENT);
	it_strip_is(inv, tab, t, BIG_DAY + 1, INV_DAY_MISSING);
	/* the cancelled adhoc backup left nothing to list */
	assert_int_equal(tab->n_backups, 1);
	assert_int_equal(inv->n_foreign, 0);
	inventory_free(inv);
}

struct it_inv_wait {
	volatile int	 done;
	char		*error;
};

static void
it_inv_done(struct inventory_op *op, const char *error, void *arg)
{
	struct it_inv_wait	*w = arg;

	w->error = error != NULL ? xstrdup(error) : NULL;
	w->done = 1;
}

static void
it_inv_never(struct inventory_op *op, const char *error, void *arg)
{
	fail_msg("callback after inventory_op_free");
}

/* The console's way: start, cancel (Esc), or drop it. */
static void
test_inventory_cancel(void **state)
{
	struct it		*t = *state;
	struct it_inv_wait	 w = { 0, NULL };
	struct inventory_opts	 o;
	struct inventory_op	*op;
	int			 i;

	memset(&o, 0, sizeof o);
	o.fetch = INV_FETCH_ALL;
	op = inventory_start(t->s3, &o, it_inv_done, &w);
	inventory_cancel(op);
	loop_run_until(t->loop, &w.done);
	assert_string_equal(w.error, "cancelled");
	assert_null(inventory_take(op));
	inventory_op_free(op);
	free(w.error);
	/* freed while running: no callback, nothing left on the loop */
	op = inventory_start(t->s3, &o, it_inv_never, NULL);
	inventory_op_free(op);
	for (i = 0; i < 20; i++)
		loop_once(t->loop, -1, 20);
	assert_int_equal(loop_active(t->loop), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_big),
		cmocka_unit_test(test_types_roundtrip),
		cmocka_unit_test(test_skip_and_force),
		cmocka_unit_test(test_incomplete_redone),
		cmocka_unit_test(test_weekly_gzip),
		cmocka_unit_test(test_timezone),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_cancel_fresh),
		cmocka_unit_test(test_inventory),
		cmocka_unit_test(test_inventory_cancel),
	};

	return cmocka_run_group_tests(tests, it_setup, it_teardown);
}
