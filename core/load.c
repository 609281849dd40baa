/* Streaming a backup object into a table (see load.h). */
#include "load.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "backup_key.h"
#include "buf.h"
#include "clickhouse.h"
#include "codec.h"
#include "loop.h"
#include "manifest.h"
#include "restore_sql.h"
#include "s3.h"
#include "xmalloc.h"

/* Compact the queue once this much of its front has been sent. */
#define LOAD_COMPACT		(1024 * 1024)

struct load {
	struct loop		*loop;
	struct s3_client	*s3;
	struct ch_client	*ch;
	const struct manifest	*m;
	char			*table;
	char			*query_id;	/* the import's */
	load_done_fn		 done;
	void			*arg;

	enum load_status	 status;
	char			*error;
	bool			 freed;		/* free once things stop */
	EVP_MD_CTX		*sha;
	char			 sha_hex[65];
	struct codec		*dec;
	struct buf		 q;		/* decoded, not yet sent */
	size_t			 q_off;
	bool			 eof;		/* all in q, object checked */
	bool			 get_paused;
	bool			 imp_paused;
	struct load_progress	 prog;

	struct s3_op		*get;
	struct ch_req		*imp;
	struct loop_timer	*kick_get;
	struct loop_timer	*kick_imp;
	struct loop_timer	*stop_timer;
	struct loop_timer	*done_timer;
};

static void	ld_destroy(struct load *);

static size_t
ld_queued(const struct load *ld)
{
	return ld->q.len - ld->q_off;
}

static void
ld_done_timer(void *arg)
{
	struct load	*ld = arg;

	ld->done_timer = NULL;
	if (ld->freed)
		ld_destroy(ld);
	else
		ld->done(ld, ld->arg);
}

/* Once neither the GET nor the import runs: report. */
static void
ld_settle(struct load *ld)
{
	if (ld->get != NULL || ld->imp != NULL || ld->done_timer != NULL)
		return;
	if (ld->stop_timer != NULL) {
		loop_timer_cancel(ld->loop, ld->stop_timer);
		ld->stop_timer = NULL;
	}
	if (ld->status == LOAD_RUNNING)
		ld->status = LOAD_OK;
	ld->done_timer = loop_timer_add(ld->loop, 0, ld_done_timer, ld);
}

static void
ld_stop_timer(void *arg)
{
	struct load	*ld = arg;

	ld->stop_timer = NULL;
	if (ld->get != NULL)
		s3_op_cancel(ld->get);
	if (ld->imp != NULL)
		ch_req_cancel(ld->imp);
}

static void ld_fail(struct load *, enum load_status, const char *, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Records the first failure and stops whatever still runs, from the loop:
 * this may be called from inside a libcurl callback (the GET's sink), where
 * libcurl refuses to remove a transfer (CURLM_RECURSIVE_API_CALL) and the
 * cancel would silently not happen.
 */
static void
ld_fail(struct load *ld, enum load_status st, const char *fmt, ...)
{
	va_list	ap;

	if (ld->status != LOAD_RUNNING)
		return;
	ld->status = st;
	va_start(ap, fmt);
	ld->error = xvasprintf(fmt, ap);
	va_end(ap);
	if (ld->stop_timer == NULL)
		ld->stop_timer = loop_timer_add(ld->loop, 0, ld_stop_timer, ld);
}

static void
ld_kick_imp_timer(void *arg)
{
	struct load	*ld = arg;

	ld->kick_imp = NULL;
	if (ld->imp != NULL && ld->imp_paused) {
		ld->imp_paused = false;
		ch_req_resume(ld->imp);
	}
}

static void
ld_kick_get_timer(void *arg)
{
	struct load	*ld = arg;

	ld->kick_get = NULL;
	if (ld->get != NULL && ld->get_paused) {
		ld->get_paused = false;
		s3_op_resume(ld->get);
	}
}

static void
ld_kick_imp(struct load *ld)
{
	if (ld->imp_paused && ld->kick_imp == NULL)
		ld->kick_imp = loop_timer_add(ld->loop, 0, ld_kick_imp_timer,
		    ld);
}

/* ---------------------------------------------------------------- GET */

static size_t
ld_sink(void *arg, const char *data, size_t len)
{
	struct load	*ld = arg;
	char		*cause = NULL;

	if (ld->status != LOAD_RUNNING)
		return 0;
	if (ld->imp != NULL && ld_queued(ld) >= LOAD_HIGH_WATER) {
		ld->get_paused = true;
		return HTTP_SINK_PAUSE;
	}
	EVP_DigestUpdate(ld->sha, data, len);
	ld->prog.fetched += len;
	if (ld->prog.fetched > ld->m->size) {
		ld_fail(ld, LOAD_CORRUPT, "the object %s is larger than the "
		    "%llu bytes the manifest gives", ld->m->key,
		    (unsigned long long)ld->m->size);
		return 0;
	}
	if (ld->dec != NULL &&
	    codec_write(ld->dec, data, len, &ld->q, &cause) != 0) {
		ld_fail(ld, LOAD_CORRUPT, "the object %s does not decompress "
		    "(%s): %s", ld->m->key, codec_name(ld->m->compression),
		    cause);
		free(cause);
		return 0;
	}
	ld->prog.decoded = ld->q.len - ld->q_off + ld->prog.sent;
	ld_kick_imp(ld);
	return len;
}

/* The whole object is in: size and SHA-256 against the manifest. */
static void
ld_check_object(struct load *ld)
{
	unsigned char	md[EVP_MAX_MD_SIZE];
	unsigned int	n = 0, i;
	char		*cause = NULL;

	EVP_DigestFinal_ex(ld->sha, md, &n);
	for (i = 0; i < n && i < 32; i++)
		snprintf(ld->sha_hex + 2 * i, 3, "%02x", md[i]);
	if (ld->prog.fetched != ld->m->size) {
		ld_fail(ld, LOAD_CORRUPT, "size mismatch: the object %s is "
		    "%llu bytes, the manifest says %llu", ld->m->key,
		    (unsigned long long)ld->prog.fetched,
		    (unsigned long long)ld->m->size);
	} else if (strcmp(ld->sha_hex, ld->m->sha256) != 0) {
		ld_fail(ld, LOAD_CORRUPT, "SHA-256 mismatch: the object %s "
		    "hashes to %s, the manifest says %s", ld->m->key,
		    ld->sha_hex, ld->m->sha256);
	} else if (ld->dec != NULL &&
	    codec_finish(ld->dec, &ld->q, &cause) != 0) {
		ld_fail(ld, LOAD_CORRUPT, "the object %s does not decompress "
		    "(%s): %s", ld->m->key, codec_name(ld->m->compression),
		    cause);
		free(cause);
	}
}

static void
ld_get_done(struct s3_op *op, const struct s3_error *e, void *arg)
{
	struct load	*ld = arg;

	ld->get = NULL;
	s3_op_free(op);
	if (e != NULL && e->kind == S3_ERR_CANCELLED)
		ld_fail(ld, LOAD_CANCELLED, "cancelled");
	else if (e != NULL && s3_error_not_found(e))
		ld_fail(ld, LOAD_CORRUPT, "the data object %s is missing",
		    ld->m->key);
	else if (e != NULL)
		ld_fail(ld, LOAD_FAILED, "%s", e->message);
	else if (ld->status == LOAD_RUNNING) {
		ld_check_object(ld);
		ld->eof = true;
		ld_kick_imp(ld);
	}
	ld_settle(ld);
}

/* ---------------------------------------------------------------- import */

static ssize_t
ld_source(void *arg, char *buf, size_t len)
{
	struct load	*ld = arg;
	size_t		 n = ld_queued(ld);

	if (ld->status != LOAD_RUNNING)
		return -1;
	if (n == 0) {
		if (ld->eof)
			return 0;
		ld->imp_paused = true;
		return HTTP_SOURCE_PAUSE;
	}
	if (n > len)
		n = len;
	memcpy(buf, ld->q.data + ld->q_off, n);
	ld->q_off += n;
	ld->prog.sent += n;
	if (ld->q_off == ld->q.len) {
		buf_reset(&ld->q);
		ld->q_off = 0;
	} else if (ld->q_off >= LOAD_COMPACT) {
		buf_consume(&ld->q, ld->q_off);
		ld->q_off = 0;
	}
	if (ld->get_paused && ld_queued(ld) < LOAD_LOW_WATER &&
	    ld->kick_get == NULL)
		ld->kick_get = loop_timer_add(ld->loop, 0, ld_kick_get_timer,
		    ld);
	return (ssize_t)n;
}

static void
ld_imp_done(struct ch_req *req, void *arg)
{
	struct load		*ld = arg;
	const struct ch_error	*err = ch_req_error(req);

	ld->imp = NULL;
	if (err->kind == CH_ECANCELLED)
		ld_fail(ld, LOAD_CANCELLED, "cancelled");
	else if (err->kind != CH_OK)
		ld_fail(ld, LOAD_FAILED, "loading into %s: %s", ld->table,
		    err->message != NULL ? err->message : "failed");
	else if (!ld->eof)
		ld_fail(ld, LOAD_FAILED, "loading into %s: ClickHouse ended "
		    "the import before the end of the data", ld->table);
	ld_settle(ld);
}

static void
ld_start_import(struct load *ld)
{
	struct buf	 sql = BUF_INIT;
	struct ch_opts	 o = { 0 };
	char		*cause = NULL;

	if (rsql_insert(&sql, ld->table, ld->m->columns, ld->m->n_columns,
	    backup_format_ch(ld->m->format), &cause) != 0) {
		ld_fail(ld, LOAD_FAILED, "loading into %s: %s", ld->table,
		    cause);
		free(cause);
	} else if ((ld->dec = codec_decoder_new(ld->m->compression,
	    &cause)) == NULL) {
		ld_fail(ld, LOAD_FAILED, "decoder: %s", cause);
		free(cause);
	} else {
		ld->query_id = ch_new_query_id();
		o.query_id = ld->query_id;
		ld->imp = ch_import_start(ld->ch, buf_str(&sql), ld_source, ld,
		    &o, ld_imp_done, ld);
	}
	buf_free(&sql);
}

/* ---------------------------------------------------------------- public */

struct load *
load_start(struct loop *loop, struct s3_client *s3, struct ch_client *ch,
    const struct manifest *m, const char *table, load_done_fn done,
    void *arg)
{
	struct load	*ld = xcalloc(1, sizeof *ld);

	ld->loop = loop;
	ld->s3 = s3;
	ld->ch = ch;
	ld->m = m;
	ld->done = done;
	ld->arg = arg;
	ld->prog.total = m->size;
	ld->sha = EVP_MD_CTX_new();
	EVP_DigestInit_ex(ld->sha, EVP_sha256(), NULL);
	if (table != NULL) {
		ld->table = xstrdup(table);
		ld_start_import(ld);
	}
	if (ld->status == LOAD_RUNNING)
		ld->get = s3_get_start(s3, m->key, 0, 0, ld_sink, ld,
		    ld_get_done, ld);
	ld_settle(ld);
	return ld;
}

void
load_cancel(struct load *ld)
{
	ld_fail(ld, LOAD_CANCELLED, "cancelled");
}

static void
ld_destroy(struct load *ld)
{
	if (ld->kick_get != NULL)
		loop_timer_cancel(ld->loop, ld->kick_get);
	if (ld->kick_imp != NULL)
		loop_timer_cancel(ld->loop, ld->kick_imp);
	if (ld->stop_timer != NULL)
		loop_timer_cancel(ld->loop, ld->stop_timer);
	if (ld->done_timer != NULL)
		loop_timer_cancel(ld->loop, ld->done_timer);
	s3_op_free(ld->get);
	EVP_MD_CTX_free(ld->sha);
	codec_free(ld->dec);
	buf_free(&ld->q);
	free(ld->table);
	free(ld->query_id);
	free(ld->error);
	free(ld);
}

void
load_free(struct load *ld)
{
	if (ld == NULL)
		return;
	if (ld->imp != NULL) {
		/* the import's callback must run first: free after it */
		ld->freed = true;
		ld_fail(ld, LOAD_CANCELLED, "cancelled");
		if (ld->get != NULL) {
			s3_op_free(ld->get);
			ld->get = NULL;
		}
		return;
	}
	ld_destroy(ld);
}

enum load_status
load_status(const struct load *ld)
{
	return ld->status;
}

const char *
load_error(const struct load *ld)
{
	return ld->error;
}

const char *
load_query_id(const struct load *ld)
{
	return ld->query_id;
}

const char *
load_sha256(const struct load *ld)
{
	return ld->sha_hex[0] != '\0' ? ld->sha_hex : NULL;
}

void
load_progress(const struct load *ld, struct load_progress *p)
{
	*p = ld->prog;
}
