/*
 * The S3 client against a real Ceph radosgw (CHOPS_TEST_S3_*), which checks
 * SigV4 signatures, payload hashes and Content-MD5 the way AWS does. Every
 * object goes under a prefix of this run, removed at the end.
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
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <cmocka.h>

#include <openssl/evp.h>

#include "loop.h"
#include "s3.h"
#include "s3_sign.h"
#include "util.h"
#include "xmalloc.h"
#include "integration/it_env.h"

#define MIB		(1024 * 1024)
#define PART_SIZE	(5 * MIB)

struct it {
	struct loop		*loop;
	struct s3_client	*c;
	char			 prefix[64];
	struct cfg_s3		 cfg;
};

/* The harness's settings, with our overrides. */
static void
it_cfg(struct cfg_s3 *cfg, const char *bucket, const char *access,
    const char *secret)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->endpoint = (char *)it_env("CHOPS_TEST_S3_ENDPOINT");
	cfg->region = (char *)it_env("CHOPS_TEST_S3_REGION");
	cfg->bucket = (char *)(bucket != NULL ? bucket :
	    it_env("CHOPS_TEST_S3_BUCKET"));
	cfg->prefix = (char *)"";
	cfg->access_key = (char *)(access != NULL ? access :
	    it_env("CHOPS_TEST_S3_ACCESS_KEY"));
	cfg->secret_key = (char *)(secret != NULL ? secret :
	    it_env("CHOPS_TEST_S3_SECRET_KEY"));
	cfg->timeout_ms = 20000;
	cfg->connect_timeout_ms = 2000;
	cfg->part_size = PART_SIZE;
	cfg->parallel = 3;
}

/* "PREFIX/rel" in a static buffer (one at a time). */
static const char *
it_key(struct it *t, const char *rel)
{
	static char	key[256];

	snprintf(key, sizeof key, "%s%s", t->prefix, rel);
	return key;
}

static void
it_put(struct it *t, const char *key, const char *data)
{
	struct s3_error	e;

	memset(&e, 0, sizeof e);
	if (s3_put(t->c, key, data, strlen(data), &e) != 0)
		fail_msg("put %s: %s", key, e.message);
}

/* The object's body; fails the test on error. Caller frees. */
static char *
it_get(struct it *t, const char *key, int64_t off, int64_t len)
{
	struct buf	b = BUF_INIT;
	struct s3_error	e;

	memset(&e, 0, sizeof e);
	if (s3_get_buf(t->c, key, off, len, &b, &e) != 0)
		fail_msg("get %s: %s", key, e.message);
	return buf_detach(&b);
}

static int
collect_key(void *arg, const struct s3_item *it)
{
	struct buf	*b = arg;

	buf_printf(b, "%s%s\n", it->kind == S3_ITEM_PREFIX ? "P " : "",
	    it->key);
	return 0;
}

static int
cmp_line(const void *a, const void *b)
{
	const char	*la = *(char *const *)a, *lb = *(char *const *)b;

	la += strncmp(la, "P ", 2) == 0 ? 2 : 0;
	lb += strncmp(lb, "P ", 2) == 0 ? 2 : 0;
	return strcmp(la, lb);
}

/*
 * Sorts the lines of s in place by key: within a page S3 sends objects and
 * common prefixes in separate runs, so only the set and the order of each
 * kind are defined.
 */
static void
sort_lines(char *s)
{
	char	**v = NULL, *p, *copy;
	size_t	  n = 0, i;

	copy = xstrdup(s);
	for (p = strtok(copy, "\n"); p != NULL; p = strtok(NULL, "\n")) {
		v = xreallocarray(v, n + 1, sizeof *v);
		v[n++] = p;
	}
	qsort(v, n, sizeof *v, cmp_line);
	*s = '\0';
	for (i = 0; i < n; i++) {
		strcat(s, v[i]);
		strcat(s, "\n");
	}
	free(v);
	free(copy);
}

/* Every key under prefix, one a line. Caller frees. */
static char *
it_list(struct it *t, const char *prefix, const char *delim, int max_keys)
{
	struct s3_list_opts	o = { prefix, delim, max_keys, 0 };
	struct buf		b = BUF_INIT;
	struct s3_error		e;

	memset(&e, 0, sizeof e);
	if (s3_list(t->c, &o, collect_key, &b, &e) != 0)
		fail_msg("list %s: %s", prefix, e.message);
	return buf_detach(&b);
}

static int
count_upload(void *arg, const struct s3_item *it)
{
	(*(int *)arg)++;
	return 0;
}

/* Multipart uploads still open under prefix. */
static int
it_open_uploads(struct it *t, const char *prefix)
{
	struct s3_error	e;
	int		n = 0;

	memset(&e, 0, sizeof e);
	if (s3_list_uploads(t->c, prefix, count_upload, &n, &e) != 0)
		fail_msg("list uploads: %s", e.message);
	return n;
}

struct upload_ref {
	char	*key;
	char	*id;
};

struct upload_refs {
	struct upload_ref	*v;
	size_t			 n;
};

static int
keep_upload(void *arg, const struct s3_item *it)
{
	struct upload_refs	*r = arg;

	r->v = xreallocarray(r->v, r->n + 1, sizeof *r->v);
	r->v[r->n].key = xstrdup(it->key);
	r->v[r->n++].id = xstrdup(it->upload_id);
	return 0;
}

struct keys {
	char	**v;
	size_t	  n;
};

static int
keep_key(void *arg, const struct s3_item *it)
{
	struct keys	*k = arg;

	k->v = xreallocarray(k->v, k->n + 1, sizeof *k->v);
	k->v[k->n++] = xstrdup(it->key);
	return 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
keys_free(struct keys *k)
{
	size_t	i;

	for (i = 0; i < k->n; i++)
		free(k->v[i]);
	free(k->v);
	k->v = NULL;
	k->n = 0;
}

/* Removes everything under the run's prefix, uploads included. */
static void
it_cleanup(struct it *t)
{
	struct s3_list_opts	o = { t->prefix, NULL, 0, 0 };
	struct upload_refs	r = { NULL, 0 };
	struct keys		k = { NULL, 0 };
	struct s3_error		e;
	size_t			i;

	memset(&e, 0, sizeof e);
	if (s3_list_uploads(t->c, t->prefix, keep_upload, &r, &e) == 0) {
		for (i = 0; i < r.n; i++) {
			s3_abort_upload(t->c, r.v[i].key, r.v[i].id, NULL);
			free(r.v[i].key);
			free(r.v[i].id);
		}
	}
	free(r.v);
	s3_error_clear(&e);
	if (s3_list(t->c, &o, keep_key, &k, &e) == 0 && k.n > 0)
		s3_delete_objects(t->c, (const char *const *)k.v, k.n, &e);
	s3_error_clear(&e);
	keys_free(&k);
}

static int
it_setup(void **state)
{
	struct it	*t = xcalloc(1, sizeof *t);

	t->loop = loop_new();
	it_cfg(&t->cfg, NULL, NULL, NULL);
	t->c = s3_new(t->loop, &t->cfg);
	snprintf(t->prefix, sizeof t->prefix, "chops-it-%ld-%lld/",
	    (long)getpid(), (long long)util_wall_ms());
	*state = t;
	return 0;
}

static int
it_teardown(void **state)
{
	struct it	*t = *state;

	it_cleanup(t);
	s3_free(t->c);
	loop_free(t->loop);
	free(t);
	return 0;
}

/* ---------------------------------------------------------------- tests */

static void
test_put_head_get_delete(void **state)
{
	struct it		*t = *state;
	struct s3_head_info	 h;
	struct s3_error		 e;
	char			*s, key[256], md5[33];

	memset(&h, 0, sizeof h);
	memset(&e, 0, sizeof e);
	snprintf(key, sizeof key, "%s", it_key(t, "basic/hello.txt"));
	it_put(t, key, "hello world");
	assert_int_equal(s3_head(t->c, key, &h, &e), 1);
	assert_int_equal(h.size, 11);
	s3_md5_hex("hello world", 11, md5);
	assert_string_equal(h.etag, md5);
	assert_true(h.mtime_ms > util_wall_ms() - 3600 * 1000);
	s3_head_info_clear(&h);

	s = it_get(t, key, 0, -1);
	assert_string_equal(s, "hello world");
	free(s);
	s = it_get(t, key, 6, 5);
	assert_string_equal(s, "world");
	free(s);
	s = it_get(t, key, 4, -1);
	assert_string_equal(s, "o world");
	free(s);
	s = it_get(t, key, 0, 1);
	assert_string_equal(s, "h");
	free(s);

	assert_int_equal(s3_delete(t->c, key, &e), 0);
	assert_int_equal(s3_head(t->c, key, &h, &e), 0);
	/* deleting what is not there is fine, as in S3 */
	assert_int_equal(s3_delete(t->c, key, &e), 0);
}

/* Keys that break signatures unless encoded exactly as AWS does. */
static const char *odd_keys[] = {
	"odd/with space.txt",
	"odd/unicode-\xc3\xbc\xe2\x82\xac\xf0\x9f\x98\x80.bin",
	"odd/paren(1).txt",
	"odd/star*.txt",
	"odd/colon:x",
	"odd/plus+x",
	"odd/eq=x",
	"odd/pct%41x",
	"odd/tilde~._-",
	"odd/amp&lt;x>'\"",
	"odd/q?x#y",
	"odd/semi;comma,at@dollar$!",
	"odd/sub dir/+=/x",
};

static void
test_odd_keys(void **state)
{
	struct it	*t = *state;
	struct keys	 all = { NULL, 0 };
	struct buf	 want = BUF_INIT;
	char		*s, key[256];
	size_t		 i;

	for (i = 0; i < nitems(odd_keys); i++) {
		snprintf(key, sizeof key, "%s", it_key(t, odd_keys[i]));
		it_put(t, key, odd_keys[i]);
		assert_int_equal(s3_head(t->c, key, NULL, NULL), 1);
		s = it_get(t, key, 0, -1);
		assert_string_equal(s, odd_keys[i]);
		free(s);
		all.v = xreallocarray(all.v, all.n + 1, sizeof *all.v);
		all.v[all.n++] = xstrdup(key);
	}
	/* the listing gives back every key exactly, in byte order */
	qsort(all.v, all.n, sizeof *all.v, cmp_str);
	for (i = 0; i < all.n; i++)
		buf_printf(&want, "%s\n", all.v[i]);
	s = it_list(t, it_key(t, "odd/"), NULL, 3);
	assert_string_equal(s, buf_str(&want));
	free(s);
	/* DeleteObjects carries them in XML (escaping &, <, >, quotes) */
	assert_int_equal(s3_delete_objects(t->c, (const char *const *)all.v,
	    all.n, NULL), 0);
	s = it_list(t, it_key(t, "odd/"), NULL, 0);
	assert_string_equal(s, "");
	free(s);
	buf_free(&want);
	keys_free(&all);
}

static int
stop_after_two(void *arg, const struct s3_item *it)
{
	return ++*(int *)arg >= 2;
}

/* Pages of two force continuation tokens; radosgw's hold the last key. */
static void
test_list_paging(void **state)
{
	static const char	*rel[] = {
		"ls/a/1", "ls/a/2", "ls/b/+=/1", "ls/c+=x", "ls/d /e", "ls/e",
		"ls/f=", "ls/g+",
	};
	struct it		*t = *state;
	struct s3_list_opts	 o;
	struct s3_error		 e;
	struct buf		 want = BUF_INIT;
	char			*s;
	size_t			 i;
	int			 n = 0;

	memset(&e, 0, sizeof e);
	for (i = 0; i < nitems(rel); i++)
		it_put(t, it_key(t, rel[i]), "x");
	for (i = 0; i < nitems(rel); i++)
		buf_printf(&want, "%s%s\n", t->prefix, rel[i]);
	s = it_list(t, it_key(t, "ls/"), NULL, 2);
	assert_string_equal(s, buf_str(&want));
	free(s);
	s = it_list(t, it_key(t, "ls/"), NULL, 1);
	assert_string_equal(s, buf_str(&want));
	free(s);

	/* a directory view: common prefixes and objects, paged */
	buf_reset(&want);
	buf_printf(&want, "P %sls/a/\nP %sls/b/\n%sls/c+=x\nP %sls/d /\n"
	    "%sls/e\n%sls/f=\n%sls/g+\n", t->prefix, t->prefix, t->prefix,
	    t->prefix, t->prefix, t->prefix, t->prefix);
	s = it_list(t, it_key(t, "ls/"), "/", 2);
	sort_lines(s);
	assert_string_equal(s, buf_str(&want));
	free(s);
	s = it_list(t, it_key(t, "ls/"), "/", 0);
	sort_lines(s);
	assert_string_equal(s, buf_str(&want));
	free(s);

	/* one page only, and a callback that stops early */
	o = (struct s3_list_opts){ it_key(t, "ls/"), NULL, 3, 1 };
	assert_int_equal(s3_list(t->c, &o, count_upload, &n, &e), 0);
	assert_int_equal(n, 3);
	n = 0;
	o = (struct s3_list_opts){ it_key(t, "ls/"), NULL, 0, 0 };
	assert_int_equal(s3_list(t->c, &o, stop_after_two, &n, &e), 0);
	assert_int_equal(n, 2);
	buf_free(&want);
}

/* A deterministic byte stream, hashed as it is produced. */
struct gen {
	uint64_t	 total;
	uint64_t	 pos;
	uint64_t	 state;
	size_t		 chunk;		/* at most this much a call */
	uint64_t	 fail_at;	/* -1 from here on; 0: never */
	uint64_t	 pause_at;	/* pause from here on; 0: never */
	EVP_MD_CTX	*sha;
};

static void
gen_init(struct gen *g, uint64_t total)
{
	memset(g, 0, sizeof *g);
	g->total = total;
	g->state = 0x9e3779b97f4a7c15ULL;
	g->chunk = 65537;
	g->sha = EVP_MD_CTX_new();
	EVP_DigestInit_ex(g->sha, EVP_sha256(), NULL);
}

static void
gen_digest(EVP_MD_CTX *ctx, char out[65])
{
	unsigned char	d[32];
	unsigned int	n = sizeof d, i;

	EVP_DigestFinal_ex(ctx, d, &n);
	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
	EVP_MD_CTX_free(ctx);
}

static ssize_t
gen_read(void *arg, char *buf, size_t len)
{
	struct gen	*g = arg;
	size_t		 i, n;

	if (g->fail_at != 0 && g->pos >= g->fail_at)
		return -1;
	if (g->pause_at != 0 && g->pos >= g->pause_at)
		return HTTP_SOURCE_PAUSE;
	n = len < g->chunk ? len : g->chunk;
	if (n > g->total - g->pos)
		n = (size_t)(g->total - g->pos);
	for (i = 0; i < n; i++) {
		g->state = g->state * 6364136223846793005ULL +
		    1442695040888963407ULL;
		buf[i] = (char)(g->state >> 56);
	}
	EVP_DigestUpdate(g->sha, buf, n);
	g->pos += n;
	return (ssize_t)n;
}

static size_t
sha_sink(void *arg, const char *data, size_t len)
{
	EVP_DigestUpdate(arg, data, len);
	return len;
}

/* The SHA-256 of an object, streamed. */
static void
it_get_sha(struct it *t, const char *key, char out[65])
{
	EVP_MD_CTX	*ctx = EVP_MD_CTX_new();
	struct s3_error	 e;

	memset(&e, 0, sizeof e);
	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	if (s3_get(t->c, key, 0, -1, sha_sink, ctx, &e) != 0)
		fail_msg("get %s: %s", key, e.message);
	gen_digest(ctx, out);
}

/* 3.5 parts of 5 MiB, three in flight: same bytes back, "-4" ETag. */
static void
test_multipart(void **state)
{
	struct it		*t = *state;
	struct s3_head_info	 h;
	struct s3_error		 e;
	struct gen		 g;
	char			 key[256], sent[65], got[65];
	uint64_t		 total = 3 * PART_SIZE + PART_SIZE / 2;

	memset(&h, 0, sizeof h);
	memset(&e, 0, sizeof e);
	snprintf(key, sizeof key, "%s", it_key(t, "mp/big.bin"));
	gen_init(&g, total);
	if (s3_upload(t->c, key, gen_read, &g, &e) != 0)
		fail_msg("upload: %s", e.message);
	gen_digest(g.sha, sent);
	assert_int_equal(s3_head(t->c, key, &h, &e), 1);
	assert_int_equal(h.size, total);
	assert_non_null(strstr(h.etag, "-4"));
	s3_head_info_clear(&h);
	it_get_sha(t, key, got);
	assert_string_equal(got, sent);
	assert_int_equal(it_open_uploads(t, t->prefix), 0);
}

/* Exactly one part's worth: multipart with one part (EOF comes later). */
static void
test_multipart_exact_part(void **state)
{
	struct it		*t = *state;
	struct s3_head_info	 h;
	struct gen		 g;
	char			 key[256], sent[65], got[65];

	memset(&h, 0, sizeof h);
	snprintf(key, sizeof key, "%s", it_key(t, "mp/one-part.bin"));
	gen_init(&g, PART_SIZE);
	assert_int_equal(s3_upload(t->c, key, gen_read, &g, NULL), 0);
	gen_digest(g.sha, sent);
	assert_int_equal(s3_head(t->c, key, &h, NULL), 1);
	assert_int_equal(h.size, PART_SIZE);
	s3_head_info_clear(&h);
	it_get_sha(t, key, got);
	assert_string_equal(got, sent);
}

/* Shorter than a part: one plain PUT; also the empty stream. */
static void
test_upload_small(void **state)
{
	struct it	*t = *state;
	struct gen	 g;
	char		 key[256], sent[65], got[65];

	snprintf(key, sizeof key, "%s", it_key(t, "mp/small.bin"));
	gen_init(&g, 100000);
	assert_int_equal(s3_upload(t->c, key, gen_read, &g, NULL), 0);
	gen_digest(g.sha, sent);
	it_get_sha(t, key, got);
	assert_string_equal(got, sent);

	snprintf(key, sizeof key, "%s", it_key(t, "mp/empty.bin"));
	gen_init(&g, 0);
	assert_int_equal(s3_upload(t->c, key, gen_read, &g, NULL), 0);
	gen_digest(g.sha, sent);
	it_get_sha(t, key, got);
	assert_string_equal(got, S3_EMPTY_SHA256);
}

/* The source fails after two parts: the upload is aborted, no object. */
static void
test_multipart_source_fails(void **state)
{
	struct it	*t = *state;
	struct s3_error	 e;
	struct gen	 g;
	char		 key[256];
	char		 sha[65];

	memset(&e, 0, sizeof e);
	snprintf(key, sizeof key, "%s", it_key(t, "mpfail/x.bin"));
	gen_init(&g, 10 * PART_SIZE);
	g.fail_at = 2 * PART_SIZE + 1000;
	assert_int_equal(s3_upload(t->c, key, gen_read, &g, &e), -1);
	gen_digest(g.sha, sha);
	assert_int_equal(e.kind, S3_ERR_SOURCE);
	assert_non_null(strstr(e.message, "source failed"));
	assert_int_equal(it_open_uploads(t, it_key(t, "mpfail/")), 0);
	assert_int_equal(s3_head(t->c, key, NULL, NULL), 0);
	s3_error_clear(&e);
}

struct cancel_state {
	struct s3_upload	*up;
	volatile int		 done;
	enum s3_err_kind	 kind;
	char			*upload_id;
};

static void
cancel_done(struct s3_upload *up, const struct s3_error *e, void *arg)
{
	struct cancel_state	*cs = arg;

	cs->kind = e != NULL ? e->kind : S3_ERR_NONE;
	cs->done = 1;
}

/*
 * A source with nothing more to give (paused) after two parts; once they
 * are stored, a cancel aborts the upload.
 */
static void
test_multipart_pause_cancel(void **state)
{
	struct it		*t = *state;
	struct cancel_state	 cs;
	struct gen		 g;
	uint64_t		 stored = 0;
	char			 sha[65];

	memset(&cs, 0, sizeof cs);
	gen_init(&g, 10 * PART_SIZE);
	g.pause_at = 2 * PART_SIZE + 7;
	cs.up = s3_upload_start(t->c, it_key(t, "mpcancel/x.bin"), gen_read,
	    &g, cancel_done, &cs);
	while (stored < 2 * PART_SIZE && !cs.done) {
		loop_once(t->loop, -1, 100);
		s3_upload_progress(cs.up, NULL, &stored);
	}
	assert_false(cs.done);
	assert_int_equal(s3_upload_parts(cs.up), 2);
	assert_non_null(s3_upload_id(cs.up));
	assert_int_equal(it_open_uploads(t, it_key(t, "mpcancel/")), 1);
	/* a resume with the source still empty changes nothing */
	s3_upload_resume(cs.up);
	assert_int_equal(s3_upload_parts(cs.up), 2);
	s3_upload_cancel(cs.up);
	loop_run_until(t->loop, &cs.done);
	assert_int_equal(cs.kind, S3_ERR_CANCELLED);
	s3_upload_free(cs.up);
	gen_digest(g.sha, sha);
	assert_int_equal(it_open_uploads(t, it_key(t, "mpcancel/")), 0);
}

/* Pausing then resuming delivers the same bytes. */
static void
test_multipart_pause_resume(void **state)
{
	struct it		*t = *state;
	struct cancel_state	 cs;
	struct gen		 g;
	char			 key[256], sent[65], got[65];
	uint64_t		 read = 0;

	memset(&cs, 0, sizeof cs);
	snprintf(key, sizeof key, "%s", it_key(t, "mpresume/x.bin"));
	gen_init(&g, PART_SIZE + 12345);
	g.pause_at = PART_SIZE / 3;
	cs.up = s3_upload_start(t->c, key, gen_read, &g, cancel_done, &cs);
	s3_upload_progress(cs.up, &read, NULL);
	assert_int_equal(read, PART_SIZE / 3 + 65537 - (PART_SIZE / 3) %
	    65537);
	loop_once(t->loop, -1, 50);
	g.pause_at = 0;
	s3_upload_resume(cs.up);
	loop_run_until(t->loop, &cs.done);
	assert_int_equal(cs.kind, S3_ERR_NONE);
	assert_int_equal(s3_upload_parts(cs.up), 2);
	s3_upload_free(cs.up);
	gen_digest(g.sha, sent);
	it_get_sha(t, key, got);
	assert_string_equal(got, sent);
}

/* An operation with other credentials or bucket; returns the error. */
static void
it_put_as(const char *bucket, const char *access, const char *secret,
    struct s3_error *e)
{
	struct loop		*loop = loop_new();
	struct cfg_s3		 cfg;
	struct s3_client	*c;

	it_cfg(&cfg, bucket, access, secret);
	c = s3_new(loop, &cfg);
	assert_int_equal(s3_put(c, "chops-it-denied", "x", 1, e), -1);
	s3_free(c);
	loop_free(loop);
}

static void
assert_contains(const char *s, const char *want)
{
	if (s == NULL || strstr(s, want) == NULL)
		fail_msg("'%s' does not contain '%s'", s ? s : "(null)", want);
}

static void
test_wrong_secret(void **state)
{
	struct loop		*loop = loop_new();
	struct cfg_s3		 cfg;
	struct s3_client	*c;
	struct s3_error		 e;

	memset(&e, 0, sizeof e);
	it_put_as(NULL, NULL, "wrong-secret-0123456789", &e);
	assert_int_equal(e.kind, S3_ERR_SERVER);
	assert_int_equal(e.status, 403);
	assert_string_equal(e.code, "SignatureDoesNotMatch");
	assert_contains(e.message, "SignatureDoesNotMatch");
	assert_contains(e.message, "secret key");
	assert_null(strstr(e.message, "wrong-secret"));
	assert_null(strstr(e.message, it_env("CHOPS_TEST_S3_ACCESS_KEY")));
	s3_error_clear(&e);

	/* HEAD has no error body: the client asks for the reason */
	it_cfg(&cfg, NULL, NULL, "wrong-secret-0123456789");
	c = s3_new(loop, &cfg);
	assert_int_equal(s3_head(c, "chops-it-anything", NULL, &e), -1);
	assert_string_equal(e.code, "SignatureDoesNotMatch");
	s3_error_clear(&e);
	s3_free(c);
	loop_free(loop);
}

static void
test_unknown_access_key(void **state)
{
	struct s3_error	e;

	memset(&e, 0, sizeof e);
	it_put_as(NULL, "NOSUCHACCESSKEY", NULL, &e);
	assert_int_equal(e.status, 403);
	assert_string_equal(e.code, "InvalidAccessKeyId");
	assert_contains(e.message, "access key is not known");
	assert_null(strstr(e.message, "NOSUCHACCESSKEY"));
	s3_error_clear(&e);
}

static void
test_missing_bucket(void **state)
{
	struct loop		*loop = loop_new();
	struct cfg_s3		 cfg;
	struct s3_client	*c;
	struct s3_list_opts	 o = { NULL, NULL, 0, 0 };
	struct s3_error		 e;
	int			 n = 0;

	memset(&e, 0, sizeof e);
	it_put_as("chops-no-such-bucket", NULL, NULL, &e);
	assert_int_equal(e.status, 404);
	assert_string_equal(e.code, "NoSuchBucket");
	assert_contains(e.message, "bucket 'chops-no-such-bucket' does not "
	    "exist");
	assert_false(s3_error_not_found(&e));
	s3_error_clear(&e);

	it_cfg(&cfg, "chops-no-such-bucket", NULL, NULL);
	c = s3_new(loop, &cfg);
	assert_int_equal(s3_list(c, &o, count_upload, &n, &e), -1);
	assert_string_equal(e.code, "NoSuchBucket");
	s3_error_clear(&e);
	/* a HEAD 404 could be either: the bucket is named as the cause */
	assert_int_equal(s3_head(c, "x", NULL, &e), -1);
	assert_string_equal(e.code, "NoSuchBucket");
	s3_error_clear(&e);
	s3_free(c);
	loop_free(loop);
}

static void
test_missing_key(void **state)
{
	struct it	*t = *state;
	struct buf	 b = BUF_INIT;
	struct s3_error	 e;

	memset(&e, 0, sizeof e);
	assert_int_equal(s3_get_buf(t->c, it_key(t, "nope"), 0, -1, &b, &e),
	    -1);
	/* the error body never reaches the sink */
	assert_int_equal(b.len, 0);
	assert_int_equal(e.status, 404);
	assert_string_equal(e.code, "NoSuchKey");
	assert_true(s3_error_not_found(&e));
	assert_contains(e.message, "no object");
	s3_error_clear(&e);
	assert_int_equal(s3_head(t->c, it_key(t, "nope"), NULL, &e), 0);
	buf_free(&b);
}

struct mem_source {
	const char	*data;
	size_t		 len;
	size_t		 off;
	int		 rewinds;
};

static ssize_t
mem_read(void *arg, char *buf, size_t len)
{
	struct mem_source	*m = arg;

	if (len > m->len - m->off)
		len = m->len - m->off;
	memcpy(buf, m->data + m->off, len);
	m->off += len;
	return (ssize_t)len;
}

static int
mem_rewind(void *arg)
{
	struct mem_source	*m = arg;

	m->off = 0;
	m->rewinds++;
	return 0;
}

struct many {
	struct mem_source	 src;
	struct s3_upload	*up;
	bool			 failed;
	int			*running;
};

static void
many_done(struct s3_upload *up, const struct s3_error *e, void *arg)
{
	struct many	*m = arg;

	m->failed = e != NULL;
	(*m->running)--;
	s3_upload_free(up);
}

/* Small objects, many at once (radosgw takes ~10 ms for each PUT). */
static void
it_put_many(struct it *t, char **keys, size_t n)
{
	struct many	*m = xcalloc(n, sizeof *m);
	size_t		 i, next = 0;
	int		 running = 0;

	while (next < n || running > 0) {
		while (next < n && running < 32) {
			m[next].src = (struct mem_source){ "d", 1, 0, 0 };
			m[next].running = &running;
			running++;
			s3_upload_start(t->c, keys[next], mem_read,
			    &m[next].src, many_done, &m[next]);
			next++;
		}
		loop_once(t->loop, -1, 100);
	}
	for (i = 0; i < n; i++)
		assert_false(m[i].failed);
	free(m);
}

/* 1500 keys: two DeleteObjects batches (1000 + 500). */
static void
test_delete_objects_1500(void **state)
{
	struct it	*t = *state;
	char		**keys;
	char		*s;
	size_t		 i, n = 1500;
	int		 count = 0;
	struct s3_list_opts o;

	keys = xcalloc(n, sizeof *keys);
	for (i = 0; i < n; i++)
		keys[i] = xasprintf("%sdel/%04zu", t->prefix, i);
	it_put_many(t, keys, n);
	o = (struct s3_list_opts){ it_key(t, "del/"), NULL, 0, 0 };
	assert_int_equal(s3_list(t->c, &o, count_upload, &count, NULL), 0);
	assert_int_equal(count, 1500);
	assert_int_equal(s3_delete_objects(t->c, (const char *const *)keys,
	    n, NULL), 0);
	s = it_list(t, it_key(t, "del/"), NULL, 0);
	assert_string_equal(s, "");
	free(s);
	for (i = 0; i < n; i++)
		free(keys[i]);
	free(keys);
}

/* A port with nothing listening: refused quickly, endpoint named. */
static void
test_connection_refused(void **state)
{
	struct sockaddr_in	 sa;
	socklen_t		 len = sizeof sa;
	struct loop		*loop = loop_new();
	struct cfg_s3		 cfg;
	struct s3_client	*c;
	struct s3_error		 e;
	char			 endpoint[64];
	int			 fd;
	int64_t			 t0;

	/* a port the kernel just gave out and nobody listens on */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	close(fd);
	snprintf(endpoint, sizeof endpoint, "http://127.0.0.1:%d",
	    ntohs(sa.sin_port));

	it_cfg(&cfg, NULL, NULL, NULL);
	cfg.endpoint = endpoint;
	c = s3_new(loop, &cfg);
	memset(&e, 0, sizeof e);
	t0 = util_now_ms();
	assert_int_equal(s3_put(c, "k", "x", 1, &e), -1);
	assert_true(util_now_ms() - t0 < 10000);	/* retries included */
	assert_int_equal(e.kind, S3_ERR_TRANSPORT);
	assert_contains(e.message, endpoint + 7);
	assert_contains(e.message, "refused");
	s3_error_clear(&e);
	s3_free(c);
	loop_free(loop);
}

static void
test_put_source(void **state)
{
	struct it		*t = *state;
	struct mem_source	 m = { "streamed body", 13, 0, 0 };
	struct s3_error		 e;
	char			*s;

	memset(&e, 0, sizeof e);
	if (s3_put_source(t->c, it_key(t, "src/a"), mem_read, mem_rewind, &m,
	    m.len, &e) != 0)
		fail_msg("put_source: %s", e.message);
	s = it_get(t, it_key(t, "src/a"), 0, -1);
	assert_string_equal(s, "streamed body");
	free(s);
}

struct list_async {
	volatile int	 done;
	bool		 ok;
	int		 n;
};

static void
list_async_done(struct s3_op *op, const struct s3_error *e, void *arg)
{
	struct list_async	*la = arg;

	la->ok = e == NULL;
	la->done = 1;
	s3_op_free(op);
}

/* The async listing while the loop runs; freeing from the callback. */
static void
test_list_async(void **state)
{
	struct it		*t = *state;
	struct list_async	 la = { 0, false, 0 };
	struct s3_list_opts	 o;
	int			 i;
	char			 rel[32];

	for (i = 0; i < 5; i++) {
		snprintf(rel, sizeof rel, "async/%d", i);
		it_put(t, it_key(t, rel), "a");
	}
	o = (struct s3_list_opts){ it_key(t, "async/"), NULL, 2, 0 };
	s3_list_start(t->c, &o, count_upload, &la.n, list_async_done, &la);
	loop_run_until(t->loop, &la.done);
	assert_true(la.ok);
	assert_int_equal(la.n, 5);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_put_head_get_delete),
		cmocka_unit_test(test_odd_keys),
		cmocka_unit_test(test_list_paging),
		cmocka_unit_test(test_multipart),
		cmocka_unit_test(test_multipart_exact_part),
		cmocka_unit_test(test_upload_small),
		cmocka_unit_test(test_multipart_source_fails),
		cmocka_unit_test(test_multipart_pause_cancel),
		cmocka_unit_test(test_multipart_pause_resume),
		cmocka_unit_test(test_wrong_secret),
		cmocka_unit_test(test_unknown_access_key),
		cmocka_unit_test(test_missing_bucket),
		cmocka_unit_test(test_missing_key),
		cmocka_unit_test(test_delete_objects_1500),
		cmocka_unit_test(test_connection_refused),
		cmocka_unit_test(test_put_source),
		cmocka_unit_test(test_list_async),
	};

	curl_global_init(CURL_GLOBAL_DEFAULT);
	/* e.g. CHOPS_IT_FILTER='test_multipart*' to run a few */
	if (getenv("CHOPS_IT_FILTER") != NULL)
		cmocka_set_test_filter(getenv("CHOPS_IT_FILTER"));
	return cmocka_run_group_tests(tests, it_setup, it_teardown);
}
