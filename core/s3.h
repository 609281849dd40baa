/*
 * An S3 client on the event loop: path-style URLs, SigV4 through libcurl,
 * streaming list/get, and a multipart uploader fed by a source callback.
 *
 * Keys are full object keys: the configured prefix is not added for you
 * (s3_key() does that). Operations that take a `struct s3_error *` return 0
 * on success and -1 with the error filled in (clear it with
 * s3_error_clear()); the error pointer may be NULL when the caller does not
 * care. Secrets never appear in errors.
 *
 * Retries: GET, HEAD, PUT, DELETE, list pages, DeleteObjects (deleting twice
 * is harmless) and CompleteMultipartUpload (AWS documents that it may be
 * retried; a retry after a lost answer gets NoSuchUpload, reported as such)
 * are retried on transport errors and 5xx. InitiateMultipartUpload is not:
 * a retry could leave an orphan upload behind.
 *
 * Timeouts: timeout_ms bounds small requests (HEAD, DELETE, list pages,
 * initiate/complete/abort). Data transfers (GET, PUT, parts) instead fail
 * when no byte moves for timeout_ms, so large objects are not cut off.
 */
#ifndef CHOPS_S3_H
#define CHOPS_S3_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "buf.h"
#include "config.h"
#include "http.h"
#include "s3_xml.h"

struct loop;
struct s3_client;

enum s3_err_kind {
	S3_ERR_NONE = 0,
	S3_ERR_TRANSPORT,	/* no answer (refused, timeout, TLS): names
				   the endpoint */
	S3_ERR_SERVER,		/* S3 answered with an error: status, code */
	S3_ERR_PROTOCOL,	/* an answer that could not be understood */
	S3_ERR_SOURCE,		/* the caller's source or sink failed */
	S3_ERR_CANCELLED,
	S3_ERR_USAGE,		/* a request S3 cannot express (too big) */
};

struct s3_error {
	enum s3_err_kind kind;
	long		 status;	/* HTTP status; 0 when there was none */
	char		*code;		/* S3 code ("NoSuchKey") or NULL */
	char		*detail;	/* the server's Message or NULL */
	char		*request_id;	/* for the server's logs, or NULL */
	char		*message;	/* for the user: what failed and why */
};

void		 s3_error_clear(struct s3_error *);
/* 404, NoSuchKey, NoSuchUpload: the thing is not there. */
bool		 s3_error_not_found(const struct s3_error *);

/* Copies what it needs from cfg (including secrets, wiped on free). */
struct s3_client *s3_new(struct loop *, const struct cfg_s3 *);
void		 s3_free(struct s3_client *);
const char	*s3_bucket(const struct s3_client *);
const char	*s3_endpoint(const struct s3_client *);
/* The configured prefix plus rel (caller frees). */
char		*s3_key(const struct s3_client *, const char *rel);
/* Extra attempts for retryable requests (default 3). */
void		 s3_set_retries(struct s3_client *, int);

/* ---------------------------------------------------------------- listing */

struct s3_list_opts {
	const char	*prefix;	/* NULL or "": the whole bucket */
	const char	*delimiter;	/* NULL: flat; "/": directory view */
	int		 max_keys;	/* per page; 0: server default (1000) */
	int		 max_pages;	/* 0: all */
};

/*
 * Calls fn for every object (S3_ITEM_OBJECT) and common prefix
 * (S3_ITEM_PREFIX) in key order, page after page, while each page streams
 * in. fn returning nonzero stops the listing (not an error).
 */
int		 s3_list(struct s3_client *, const struct s3_list_opts *,
		     s3_item_fn, void *arg, struct s3_error *);

/* Multipart uploads in progress under prefix (S3_ITEM_UPLOAD entries). */
int		 s3_list_uploads(struct s3_client *, const char *prefix,
		     s3_item_fn, void *arg, struct s3_error *);
int		 s3_abort_upload(struct s3_client *, const char *key,
		     const char *upload_id, struct s3_error *);

/* ---------------------------------------------------------------- objects */

struct s3_head_info {
	uint64_t	 size;
	char		*etag;		/* no quotes ("...-N": multipart) */
	int64_t		 mtime_ms;	/* Last-Modified; -1 when absent */
	char		*content_type;	/* NULL when absent */
};

void		 s3_head_info_clear(struct s3_head_info *);
/* 1: exists (info filled, may be NULL); 0: not found; -1: error. */
int		 s3_head(struct s3_client *, const char *key,
		     struct s3_head_info *, struct s3_error *);

/* Memory body: Content-MD5 and the body's SHA-256 are sent. */
int		 s3_put(struct s3_client *, const char *key, const void *,
		     size_t, struct s3_error *);
/*
 * Body from a source of known length (UNSIGNED-PAYLOAD). rewind (may be
 * NULL) lets failed attempts be retried.
 */
int		 s3_put_source(struct s3_client *, const char *key,
		     http_source_fn, http_rewind_fn, void *arg, uint64_t len,
		     struct s3_error *);

/*
 * Streams an object (or the range [off, off+len); len <= 0: to the end) to
 * sink. The sink sees only the object's bytes, never an error body.
 */
int		 s3_get(struct s3_client *, const char *key, int64_t off,
		     int64_t len, http_sink_fn, void *arg, struct s3_error *);
/* Same, into a buffer (appended). */
int		 s3_get_buf(struct s3_client *, const char *key, int64_t off,
		     int64_t len, struct buf *, struct s3_error *);

/* Deleting a key that does not exist succeeds, as in S3. */
int		 s3_delete(struct s3_client *, const char *key,
		     struct s3_error *);
/*
 * DeleteObjects in batches of at most 1000 keys (Content-MD5 sent, as AWS
 * requires). Fails if any key could not be deleted; the message names the
 * first one and the count.
 */
int		 s3_delete_objects(struct s3_client *, const char *const *keys,
		     size_t n, struct s3_error *);

/* ---------------------------------------------------------------- async */

/*
 * Operations in flight on the loop. The done callback runs once; the error
 * is NULL on success and valid only during the call. s3_op_free() may be
 * called from the done callback, or before it to drop the operation
 * silently (no callback).
 */
struct s3_op;
typedef void	(*s3_op_done_fn)(struct s3_op *, const struct s3_error *,
		     void *arg);

struct s3_op	*s3_list_start(struct s3_client *, const struct s3_list_opts *,
		     s3_item_fn, void *item_arg, s3_op_done_fn, void *arg);
struct s3_op	*s3_get_start(struct s3_client *, const char *key, int64_t off,
		     int64_t len, http_sink_fn, void *sink_arg, s3_op_done_fn,
		     void *arg);
/* The done callback follows with S3_ERR_CANCELLED (or success if late). */
void		 s3_op_cancel(struct s3_op *);
/* After a GET sink returned HTTP_SINK_PAUSE: call it again. */
void		 s3_op_resume(struct s3_op *);
void		 s3_op_free(struct s3_op *);
/* GET: body bytes delivered so far; list: entries delivered so far. */
uint64_t	 s3_op_count(const struct s3_op *);

/*
 * Conditional writes, the building block of locks (lock.h). radosgw 16.2
 * honours both atomically (tested with concurrent writers), as do AWS (since
 * 2024) and MinIO. A server that ignores them simply overwrites.
 */
struct s3_put_cond {
	bool		 if_none_match;	/* only if the key does not exist */
	const char	*if_match;	/* only if its ETag is this one */
};

/* 412 Precondition Failed: the condition did not hold. */
bool		 s3_error_precondition(const struct s3_error *);
/*
 * PUT of a memory body under conditions (cond may be NULL). Returns 0 and
 * the new ETag in *etag (may be NULL; NULL when the server sent none), 1
 * when the condition failed (e says so), -1 on error.
 */
int		 s3_put_cond(struct s3_client *, const char *key, const void *,
		     size_t, const struct s3_put_cond *, char **etag,
		     struct s3_error *);

/* The same on the loop; the body is copied. */
struct s3_op	*s3_put_start(struct s3_client *, const char *key,
		     const void *, size_t, const struct s3_put_cond *,
		     s3_op_done_fn, void *arg);
/* A HEAD: a missing key fails with s3_error_not_found() true. */
struct s3_op	*s3_head_start(struct s3_client *, const char *key,
		     s3_op_done_fn, void *arg);
struct s3_op	*s3_delete_start(struct s3_client *, const char *key,
		     s3_op_done_fn, void *arg);
/*
 * In the done callback of a successful GET, HEAD or PUT: what the answer's
 * headers said (size, ETag, Last-Modified). Zeroed otherwise.
 */
const struct s3_head_info *s3_op_info(const struct s3_op *);

/* ---------------------------------------------------------------- multipart */

/*
 * Uploads whatever the source produces, of unknown length. The source (same
 * contract as http_source_fn) is read in parts of part_size; up to
 * `parallel` parts are in memory and in flight at once. A stream shorter
 * than one part becomes a single PUT. On any failure (a part failing after
 * its retries, the source returning -1, a cancel) the multipart upload is
 * aborted before the done callback runs, so nothing is left behind.
 *
 * The source may return HTTP_SOURCE_PAUSE when it has nothing yet; call
 * s3_upload_resume() when it has.
 */
struct s3_upload;
typedef void	(*s3_upload_done_fn)(struct s3_upload *,
		     const struct s3_error *, void *arg);

struct s3_upload *s3_upload_start(struct s3_client *, const char *key,
		     http_source_fn, void *source_arg, s3_upload_done_fn,
		     void *arg);
void		 s3_upload_resume(struct s3_upload *);
/* Stops reading, cancels parts, aborts; done follows with CANCELLED. */
void		 s3_upload_cancel(struct s3_upload *);
/*
 * May be called from the done callback. Called earlier, it cancels and
 * lets the abort finish on the loop before the memory goes.
 */
void		 s3_upload_free(struct s3_upload *);
/* Bytes read from the source, and bytes the server has acknowledged. */
void		 s3_upload_progress(const struct s3_upload *, uint64_t *read,
		     uint64_t *stored);
/* Parts started (0: a single PUT); the upload id (NULL if none). */
int		 s3_upload_parts(const struct s3_upload *);
const char	*s3_upload_id(const struct s3_upload *);
/* The object's ETag after success; NULL or "" when the server sent none. */
const char	*s3_upload_etag(const struct s3_upload *);

/* Runs an upload to the end. */
int		 s3_upload(struct s3_client *, const char *key, http_source_fn,
		     void *source_arg, struct s3_error *);

#endif
