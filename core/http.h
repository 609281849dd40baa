/*
 * HTTP requests on the event loop. A request is built, started (async, a
 * callback on completion) or performed (sync: runs the loop until done), then
 * inspected and freed. Bodies stream in both directions through callbacks;
 * without a sink the response body is collected in a buffer.
 *
 * Retries with exponential backoff happen only for requests marked
 * idempotent, only for transport failures and 5xx/429 answers, and only while
 * nothing was delivered to the sink and the upload body can be replayed
 * (a memory body, or a source with a rewind function).
 */
#ifndef CHOPS_HTTP_H
#define CHOPS_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <curl/curl.h>

#include "buf.h"

struct loop;
struct http_req;

/*
 * A sink returns len when it took everything, HTTP_SINK_PAUSE to be called
 * again with the same data after http_resume(), anything else to abort.
 * Sinks see only the body of 2xx answers; others are kept for the caller
 * (up to 64 KiB) in http_response_body(), so errors can be parsed.
 */
#define HTTP_SINK_PAUSE		((size_t)-1)
typedef size_t	(*http_sink_fn)(void *arg, const char *data, size_t len);
/*
 * A source fills up to len bytes and returns the count, 0 at the end,
 * HTTP_SOURCE_PAUSE when it has nothing yet (then http_resume()), or -1 on
 * error (aborts the transfer). No callback may run the loop (http_perform).
 */
#define HTTP_SOURCE_PAUSE	((ssize_t)-2)
typedef ssize_t	(*http_source_fn)(void *arg, char *buf, size_t len);
/* Restarts the source from its beginning (for retries); 0 ok, -1 cannot. */
typedef int	(*http_rewind_fn)(void *arg);
typedef void	(*http_done_fn)(struct http_req *, void *arg);

struct http_tls {
	const char	*ca_file;	/* NULL: system default */
	bool		 insecure;	/* disables peer and host verification */
};

struct http_limits {
	int64_t		connect_timeout_ms;	/* 0: 3 s */
	int64_t		timeout_ms;		/* whole request; 0: none */
	long		low_speed_bytes;	/* abort when below this ... */
	long		low_speed_secs;		/* ... for this long; 0: off */
	int		retries;		/* extra attempts if idempotent */
	int64_t		backoff_ms;		/* first delay; doubles; 0: 200 ms */
};

enum http_result {
	HTTP_PENDING = 0,	/* not finished */
	HTTP_OK,		/* a response arrived (look at the status) */
	HTTP_TRANSPORT,		/* no usable response: see http_error() */
	HTTP_CANCELLED,		/* http_cancel() or a sink/source abort */
};

struct http_req	*http_new(const char *method, const char *url);
void		 http_free(struct http_req *);

/* Adds "Name: value"; an empty value is sent as "Name;" (libcurl's form). */
void		 http_header(struct http_req *, const char *name,
		     const char *value);
/* Body from memory (copied). */
void		 http_body(struct http_req *, const void *, size_t);
/* Body from a callback; len -1: unknown (chunked). rewind may be NULL. */
void		 http_body_source(struct http_req *, http_source_fn,
		     http_rewind_fn, void *arg, int64_t len);
/* Streams the response body to a callback instead of the buffer. */
void		 http_sink(struct http_req *, http_sink_fn, void *arg);
void		 http_limits(struct http_req *, const struct http_limits *);
void		 http_tls(struct http_req *, const struct http_tls *);
void		 http_idempotent(struct http_req *, bool);
/*
 * Asks for a compressed response (CURLOPT_ACCEPT_ENCODING) that libcurl
 * decodes before the sink or the buffer sees it: "gzip", or "" for every
 * encoding this libcurl supports. NULL (the default) sends no header.
 */
void		 http_accept_encoding(struct http_req *, const char *);
/* AWS SigV4 via CURLOPT_AWS_SIGV4 ("aws:amz:REGION:s3"); secrets copied. */
void		 http_sigv4(struct http_req *, const char *provider,
		     const char *access_key, const char *secret_key);
/* Upload and download byte counters updated while running. */
void		 http_progress(const struct http_req *, uint64_t *sent,
		     uint64_t *received);

int		 http_start(struct loop *, struct http_req *, http_done_fn,
		     void *arg);
/* Starts and runs the loop until this request finishes. */
enum http_result http_perform(struct loop *, struct http_req *);
/* Stops the request; its done callback runs on the next loop turn. */
void		 http_cancel(struct http_req *);
/* Continues a transfer paused by its sink or source. */
void		 http_resume(struct http_req *);

enum http_result http_result(const struct http_req *);
long		 http_status(const struct http_req *);
/* Transport error in words, e.g. "connection refused (127.0.0.1:8123)". */
const char	*http_error(const struct http_req *);
CURLcode	 http_curl_code(const struct http_req *);
/* Response header value (case-insensitive name), NULL if absent. */
const char	*http_response_header(const struct http_req *, const char *);
/* The collected body (when no sink was set). */
const struct buf *http_response_body(const struct http_req *);
struct buf	*http_response_body_mut(struct http_req *);
const char	*http_url(const struct http_req *);
int64_t		 http_elapsed_ms(const struct http_req *);
int		 http_attempts(const struct http_req *);

#endif
