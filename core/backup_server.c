/*
 * The server engine: ClickHouse writes the object itself with INSERT INTO
 * FUNCTION s3(...), for servers that have the s3 table function. The
 * statement holds the S3 keys, so it is wiped after use and never logged;
 * errors pass through backup_sql_redact (backup_fail_ch). The server sends
 * the object to the same endpoint chops uses. Afterwards chops reads the
 * object back once for its SHA-256.
 */
#include <stdlib.h>
#include <string.h>

#include "backup_int.h"
#include "clickhouse.h"
#include "s3.h"
#include "s3_sign.h"
#include "xmalloc.h"

static const struct ch_opts server_long = { .timeout_ms = -1 };

static void
server_insert_done(struct ch_req *req, void *arg)
{
	struct backup	*b = arg;

	if (backup_query_ok(b, req, "writing the object from the server",
	    NULL))
		backup_recheck(b);
}

void
backup_server_start(struct backup *b)
{
	struct buf	 sql = BUF_INIT;
	char		*url, *cause = NULL;
	int		 rc;

	url = s3_url(s3_endpoint(b->s3), s3_bucket(b->s3), b->data_key, NULL);
	rc = backup_sql_server_insert(&sql, url, b->access_key, b->secret_key,
	    backup_format_ch(b->format), b->m->columns, b->m->n_columns,
	    b->compression, b->select_sql, &cause);
	free(url);
	if (rc != 0) {
		backup_fail(b, BACKUP_INVALID, "%s", cause);
		free(cause);
		return;
	}
	backup_set_phase(b, BACKUP_PHASE_TRANSFER);
	b->req = ch_exec_start(b->ch, buf_str(&sql), &server_long,
	    server_insert_done, b);
	explicit_bzero(sql.data, sql.cap);
	buf_free(&sql);
	backup_progress_begin(b);
}

static size_t
server_hash_sink(void *arg, const char *data, size_t len)
{
	struct backup	*b = arg;

	EVP_DigestUpdate(b->sha, data, len);
	b->prog.bytes_compressed += len;
	return len;
}

static void
server_hash_done(struct s3_op *op, const struct s3_error *e, void *arg)
{
	struct backup	*b = arg;
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 n = 0, i;

	s3_op_free(op);
	b->op = NULL;
	if (b->failed) {
		backup_settle(b);
		return;
	}
	if (e != NULL) {
		backup_fail(b, BACKUP_FAILED, "reading %s back: %s",
		    b->data_key, e->message);
		return;
	}
	if (b->prog.bytes_compressed != b->object_size) {
		backup_fail(b, BACKUP_FAILED, "reading %s back: %llu bytes, "
		    "listed with %llu", b->data_key,
		    (unsigned long long)b->prog.bytes_compressed,
		    (unsigned long long)b->object_size);
		return;
	}
	EVP_DigestFinal_ex(b->sha, md, &n);
	for (i = 0; i < n && i < 32; i++)
		snprintf(b->sha256 + 2 * i, 3, "%02x", md[i]);
	backup_commit_manifest(b);
}

/* The SHA-256 of the object the server wrote, read back once. */
void
backup_server_hash(struct backup *b)
{
	b->sha = EVP_MD_CTX_new();
	if (b->sha == NULL || EVP_DigestInit_ex(b->sha, EVP_sha256(),
	    NULL) != 1) {
		backup_fail(b, BACKUP_FAILED, "cannot start SHA-256");
		return;
	}
	b->prog.bytes_compressed = 0;
	b->op = s3_get_start(b->s3, b->data_key, 0, 0, server_hash_sink, b,
	    server_hash_done, b);
}
