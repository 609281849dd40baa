/*
 * The backup's last steps: the checksum again (the data must not have
 * changed while it was read), the object as S3 lists it, and the manifest,
 * written last.
 */
#include <stdlib.h>
#include <string.h>

#include "backup_int.h"
#include "clickhouse.h"
#include "loop.h"
#include "s3.h"
#include "util.h"
#include "xmalloc.h"

static const struct ch_opts commit_long = { .timeout_ms = -1 };

/* ---------------------------------------------------------------- recheck */

static void
commit_recheck_done(struct ch_req *req, void *arg)
{
	struct backup		*b = arg;
	struct ch_result	*res;
	const char		*sum;
	uint64_t		 rows;

	if (!backup_query_ok(b, req, "checking the range again", &res))
		return;
	sum = ch_result_str(res, 0, 1);
	if (ch_result_uint64(res, 0, 0, &rows) != 0 || sum == NULL) {
		backup_fail(b, BACKUP_FAILED, "checking the range again: "
		    "unexpected answer");
	} else if (rows != b->rows0 || strcmp(sum, b->sum0) != 0) {
		backup_fail(b, BACKUP_FAILED, "the rows of %s in this range "
		    "changed while they were read (before: %llu rows, checksum "
		    "%s; after: %llu rows, checksum %s); nothing was recorded: "
		    "run the backup again", b->table,
		    (unsigned long long)b->rows0, b->sum0,
		    (unsigned long long)rows, sum);
	} else if (b->engine == BACKUP_ENGINE_STREAM)
		backup_pipe_finish(b);	/* the upload completes, then confirm */
	else
		backup_confirm(b);
	ch_result_free(res);
}

void
backup_recheck(struct backup *b)
{
	backup_set_phase(b, BACKUP_PHASE_RECHECK);
	b->req = ch_query_start(b->ch, b->checksum_sql, &commit_long,
	    commit_recheck_done, b);
}

/* ---------------------------------------------------------------- confirm */

static int
commit_list_item(void *arg, const struct s3_item *it)
{
	struct backup	*b = arg;

	if (it->kind != S3_ITEM_OBJECT || strcmp(it->key, b->data_key) != 0)
		return 0;
	b->object_size = it->size;
	free(b->object_etag);
	b->object_etag = xstrdup(it->etag != NULL ? it->etag : "");
	return 1;
}

static void
commit_list_done(struct s3_op *op, const struct s3_error *e, void *arg)
{
	struct backup	*b = arg;

	s3_op_free(op);
	b->op = NULL;
	if (b->failed)
		backup_settle(b);
	else if (e != NULL)
		backup_fail(b, BACKUP_FAILED, "listing %s: %s", b->data_key,
		    e->message);
	else if (b->object_etag == NULL)
		backup_fail(b, BACKUP_FAILED, "the object %s is not in the "
		    "bucket after its upload", b->data_key);
	else if (b->engine == BACKUP_ENGINE_SERVER)
		backup_server_hash(b);
	else if (b->object_size != b->prog.bytes_compressed)
		backup_fail(b, BACKUP_FAILED, "S3 lists %llu bytes for %s, but "
		    "%llu were uploaded", (unsigned long long)b->object_size,
		    b->data_key, (unsigned long long)b->prog.bytes_compressed);
	else
		backup_commit_manifest(b);
}

/* The object as S3 lists it: it is there, with the size we sent. */
void
backup_confirm(struct backup *b)
{
	struct s3_list_opts	lo;

	backup_set_phase(b, BACKUP_PHASE_FINISH);
	memset(&lo, 0, sizeof lo);
	lo.prefix = b->data_key;
	free(b->object_etag);
	b->object_etag = NULL;
	b->op = s3_list_start(b->s3, &lo, commit_list_item, b,
	    commit_list_done, b);
}

/* ---------------------------------------------------------------- manifest */

static void
commit_fill(struct backup *b)
{
	struct manifest	*m = b->m;

	m->version = MANIFEST_VERSION;
	m->id = xstrdup(b->res.id);
	m->table = xstrdup(b->table);
	m->kind = b->period.kind;
	m->period = xstrdup(b->period.id);
	m->timezone = xstrdup(b->tz);
	m->from = b->period.from;
	m->to = b->period.to;
	m->rows = b->rows0;
	m->checksum = xstrdup(b->sum0);
	m->checksum_sql = xstrdup(b->checksum_sql);
	m->key = xstrdup(b->data_key);
	m->size = b->object_size;
	m->sha256 = xstrdup(b->sha256);
	m->etag = xstrdup(b->object_etag);
	m->format = b->format;
	m->compression = b->compression;
	m->engine = xstrdup(backup_engine_name(b->engine));
	m->created_at = util_wall_ms() / 1000;
	m->created_by = xstrdup(b->created_by);
	m->clickhouse_version = xstrdup(b->ch_version);
	m->chops_version = xstrdup(b->chops_version);
}

static ssize_t
commit_body_source(void *arg, char *buf, size_t len)
{
	struct backup	*b = arg;
	size_t		 n = b->body.len - b->body_off;

	if (b->failed)
		return -1;
	if (n > len)
		n = len;
	memcpy(buf, b->body.data + b->body_off, n);
	b->body_off += n;
	return (ssize_t)n;
}

static void
commit_manifest_done(struct s3_upload *up, const struct s3_error *e,
    void *arg)
{
	struct backup	*b = arg;

	b->up = NULL;
	/* e belongs to the upload: use it before freeing that */
	if (b->failed || e != NULL) {
		if (b->failed)
			backup_settle(b);
		else
			backup_fail(b, BACKUP_FAILED, "writing %s: %s",
			    b->manifest_key, e->message);
		s3_upload_free(up);
		return;
	}
	s3_upload_free(up);
	b->res.rows = b->m->rows;
	b->res.checksum = xstrdup(b->m->checksum);
	b->res.bytes = b->m->size;
	b->res.manifest = b->m;
	b->m = NULL;
	backup_succeed(b, BACKUP_COMPLETE);
}

/* Writes manifest.json: from now on the backup is complete. */
void
backup_commit_manifest(struct backup *b)
{
	char	*text, *cause = NULL;

	commit_fill(b);
	if ((text = manifest_serialize(b->m, &cause)) == NULL) {
		backup_fail(b, BACKUP_FAILED, "%s", cause);
		free(cause);
		return;
	}
	buf_reset(&b->body);
	buf_addstr(&b->body, text);
	free(text);
	b->body_off = 0;
	b->up = s3_upload_start(b->s3, b->manifest_key, commit_body_source, b,
	    commit_manifest_done, b);
}
