/*
 * The stream engine's pipeline: ClickHouse export -> compressor -> SHA-256
 * -> multipart upload. Between the export's sink (push) and the uploader's
 * source (pull) sits a small queue of compressed bytes. Above
 * BACKUP_HIGH_WATER the sink pauses the HTTP transfer; once the uploader has
 * drained it below BACKUP_LOW_WATER (which it does only when it has room
 * for another part) the export resumes. Resumes go through zero-delay
 * timers, never from inside the other side's callback.
 */
#include <stdlib.h>
#include <string.h>

#include "backup_int.h"
#include "clickhouse.h"
#include "loop.h"
#include "s3.h"
#include "xmalloc.h"

/* The export may take as long as it takes; the client's stall limit holds. */
static const struct ch_opts pipe_opts = { .timeout_ms = -1 };

/* Hashes and counts what the compressor appended after `from`. */
static void
pipe_hash(struct backup *b, size_t from)
{
	size_t	n = b->q.len - from;

	if (n == 0)
		return;
	EVP_DigestUpdate(b->sha, b->q.data + from, n);
	b->prog.bytes_compressed += n;
}

static void
pipe_kick_upload_cb(void *arg)
{
	struct backup	*b = arg;

	b->kick_upload = NULL;
	if (b->up != NULL)
		s3_upload_resume(b->up);
}

static void
pipe_kick_upload(struct backup *b)
{
	if (b->kick_upload == NULL && b->up != NULL)
		b->kick_upload = loop_timer_add(b->loop, 0, pipe_kick_upload_cb,
		    b);
}

static void
pipe_kick_export_cb(void *arg)
{
	struct backup	*b = arg;

	b->kick_export = NULL;
	if (b->export != NULL && b->export_paused) {
		b->export_paused = false;
		ch_req_resume(b->export);	/* may call the sink again */
	}
}

static void
pipe_kick_export(struct backup *b)
{
	if (b->kick_export == NULL && b->export != NULL)
		b->kick_export = loop_timer_add(b->loop, 0, pipe_kick_export_cb,
		    b);
}

/* ClickHouse's data: compress it, or pause while the queue is full. */
static size_t
pipe_sink(void *arg, const char *data, size_t len)
{
	struct backup	*b = arg;
	size_t		 before = b->q.len;

	if (b->failed || b->sink_error != NULL)
		return 0;
	if (b->q.len - b->q_off >= BACKUP_HIGH_WATER) {
		b->export_paused = true;
		return HTTP_SINK_PAUSE;
	}
	if (codec_write(b->codec, data, len, &b->q, &b->sink_error) != 0)
		return 0;	/* the export fails; its callback says why */
	pipe_hash(b, before);
	b->prog.bytes_read += len;
	pipe_kick_upload(b);
	return len;
}

/* The uploader's source: what the compressor produced so far. */
static ssize_t
pipe_source(void *arg, char *buf, size_t len)
{
	struct backup	*b = arg;
	size_t		 avail = b->q.len - b->q_off, n;

	if (b->failed)
		return -1;
	if (avail == 0)
		return b->upload_eof ? 0 : HTTP_SOURCE_PAUSE;
	n = avail < len ? avail : len;
	memcpy(buf, b->q.data + b->q_off, n);
	b->q_off += n;
	if (b->q_off == b->q.len) {
		b->q.len = b->q_off = 0;
		b->q.data[0] = '\0';
	} else if (b->q_off >= BACKUP_LOW_WATER &&
	    b->q_off >= b->q.len - b->q_off) {
		/* each byte moves at most once more */
		buf_consume(&b->q, b->q_off);
		b->q_off = 0;
	}
	if (b->export_paused && b->q.len - b->q_off < BACKUP_LOW_WATER)
		pipe_kick_export(b);
	return (ssize_t)n;
}

static void
pipe_digest(struct backup *b)
{
	unsigned char	md[EVP_MAX_MD_SIZE];
	unsigned int	n = 0, i;

	EVP_DigestFinal_ex(b->sha, md, &n);
	for (i = 0; i < n && i < 32; i++)
		snprintf(b->sha256 + 2 * i, 3, "%02x", md[i]);
}

static void
pipe_export_done(struct ch_req *req, void *arg)
{
	struct backup		*b = arg;
	const struct ch_error	*e = ch_req_error(req);
	size_t			 before = b->q.len;
	char			*cause = NULL;

	b->export = NULL;
	if (b->failed) {
		backup_settle(b);
		return;
	}
	if (b->sink_error != NULL) {
		backup_fail(b, BACKUP_FAILED, "compressing: %s", b->sink_error);
		return;
	}
	if (e->kind != CH_OK) {
		backup_fail_ch(b, e->midstream ? "ClickHouse failed in the "
		    "middle of the export" : "exporting the rows", e);
		return;
	}
	if (codec_finish(b->codec, &b->q, &cause) != 0) {
		backup_fail(b, BACKUP_FAILED, "compressing: %s", cause);
		free(cause);
		return;
	}
	pipe_hash(b, before);
	pipe_digest(b);
	b->data_done = true;
	pipe_kick_upload(b);
	backup_recheck(b);
}

static void
pipe_upload_done(struct s3_upload *up, const struct s3_error *e, void *arg)
{
	struct backup	*b = arg;
	uint64_t	 stored;

	s3_upload_progress(up, NULL, &stored);
	b->prog.bytes_uploaded = stored;
	b->up = NULL;
	/* e belongs to the upload: use it before freeing that */
	if (b->failed)
		backup_settle(b);
	else if (e != NULL)
		backup_fail(b, BACKUP_FAILED, "uploading %s: %s", b->data_key,
		    e->message);
	else
		backup_confirm(b);
	s3_upload_free(up);
}

void
backup_pipe_start(struct backup *b)
{
	char	*cause = NULL;

	b->codec = codec_new(b->compression, b->level,
	    b->compression == CODEC_ZSTD ? b->workers : 0, &cause);
	if (b->codec == NULL) {
		backup_fail(b, BACKUP_FAILED, "%s", cause);
		free(cause);
		return;
	}
	b->sha = EVP_MD_CTX_new();
	if (b->sha == NULL || EVP_DigestInit_ex(b->sha, EVP_sha256(),
	    NULL) != 1) {
		backup_fail(b, BACKUP_FAILED, "cannot start SHA-256");
		return;
	}
	buf_reserve(&b->q, BACKUP_HIGH_WATER);
	b->q.data[0] = '\0';
	backup_set_phase(b, BACKUP_PHASE_TRANSFER);
	b->up = s3_upload_start(b->s3, b->data_key, pipe_source, b,
	    pipe_upload_done, b);
	b->export = ch_export_start(b->ch, b->select_sql,
	    backup_format_ch(b->format), pipe_sink, b, &pipe_opts,
	    pipe_export_done, b);
	backup_progress_begin(b);
}

/* The range did not change: the upload may end and complete. */
void
backup_pipe_finish(struct backup *b)
{
	b->upload_eof = true;
	pipe_kick_upload(b);
}

void
backup_pipe_release(struct backup *b)
{
	codec_free(b->codec);
	b->codec = NULL;
	EVP_MD_CTX_free(b->sha);
	b->sha = NULL;
	buf_free(&b->q);
	b->q_off = 0;
	free(b->sink_error);
	b->sink_error = NULL;
}
