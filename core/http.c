#include "http.h"
#include "loop.h"
#include "util.h"
#include "xmalloc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Non-2xx bodies are kept for error parsing, up to this much. */
#define HTTP_ERROR_BODY_MAX	(64 * 1024)

struct http_req {
	char			*method;
	char			*url;
	struct curl_slist	*headers;
	CURL			*easy;
	struct loop		*loop;

	/* upload */
	struct buf		 body;		/* memory body */
	bool			 has_body;
	size_t			 body_off;
	http_source_fn		 source;
	http_rewind_fn		 rewind;
	void			*source_arg;
	int64_t			 source_len;

	/* download */
	http_sink_fn		 sink;
	void			*sink_arg;
	struct buf		 resp;
	char			**resp_headers;	/* "name\0value" pairs */
	size_t			 n_resp_headers;

	struct http_limits	 limits;
	char			*ca_file;
	bool			 insecure;
	bool			 idempotent;
	char			*accept_encoding;	/* NULL: none */
	char			*sigv4;
	char			*access_key;
	char			*secret_key;

	/* state */
	http_done_fn		 done;
	void			*done_arg;
	enum http_result	 result;
	long			 status;
	CURLcode		 code;
	char			 errbuf[CURL_ERROR_SIZE];
	char			*error;
	int			 attempts;
	uint64_t		 sent, received, delivered;
	int64_t			 started_ms, elapsed_ms;
	bool			 running;
	bool			 cancelled;
	struct loop_timer	*timer;		/* retry or deferred completion */
};

struct http_req *
http_new(const char *method, const char *url)
{
	struct http_req	*req;

	req = xcalloc(1, sizeof *req);
	req->method = xstrdup(method);
	req->url = xstrdup(url);
	req->source_len = -1;
	return req;
}

static void
http_clear_response(struct http_req *req)
{
	size_t	i;

	for (i = 0; i < req->n_resp_headers; i++)
		free(req->resp_headers[i]);
	free(req->resp_headers);
	req->resp_headers = NULL;
	req->n_resp_headers = 0;
	buf_reset(&req->resp);
	req->status = 0;
	req->errbuf[0] = '\0';
	free(req->error);
	req->error = NULL;
}

void
http_free(struct http_req *req)
{
	if (req == NULL)
		return;
	if (req->timer != NULL)
		loop_timer_cancel(req->loop, req->timer);
	if (req->easy != NULL) {
		if (req->running)
			loop_remove_easy(req->loop, req->easy);
		curl_easy_cleanup(req->easy);
	}
	http_clear_response(req);
	curl_slist_free_all(req->headers);
	buf_free(&req->body);
	buf_free(&req->resp);
	free(req->method);
	free(req->url);
	free(req->ca_file);
	free(req->accept_encoding);
	free(req->sigv4);
	util_free_secret(req->access_key);
	util_free_secret(req->secret_key);
	free(req);
}

void
http_header(struct http_req *req, const char *name, const char *value)
{
	char	*line;

	/* libcurl drops "Name:" with no value; "Name;" sends it empty */
	if (value == NULL || *value == '\0')
		line = xasprintf("%s;", name);
	else
		line = xasprintf("%s: %s", name, value);
	req->headers = curl_slist_append(req->headers, line);
	explicit_bzero(line, strlen(line));	/* may carry a key */
	free(line);
}

void
http_body(struct http_req *req, const void *data, size_t len)
{
	buf_reset(&req->body);
	buf_add(&req->body, data, len);
	req->has_body = true;
	req->source = NULL;
}

void
http_body_source(struct http_req *req, http_source_fn fn, http_rewind_fn rw,
    void *arg, int64_t len)
{
	req->source = fn;
	req->rewind = rw;
	req->source_arg = arg;
	req->source_len = len;
	req->has_body = false;
}

void
http_sink(struct http_req *req, http_sink_fn fn, void *arg)
{
	req->sink = fn;
	req->sink_arg = arg;
}

void
http_limits(struct http_req *req, const struct http_limits *l)
{
	req->limits = *l;
}

void
http_tls(struct http_req *req, const struct http_tls *tls)
{
	free(req->ca_file);
	req->ca_file = tls->ca_file != NULL ? xstrdup(tls->ca_file) : NULL;
	req->insecure = tls->insecure;
}

void
http_idempotent(struct http_req *req, bool yes)
{
	req->idempotent = yes;
}

void
http_accept_encoding(struct http_req *req, const char *encodings)
{
	free(req->accept_encoding);
	req->accept_encoding = encodings != NULL ? xstrdup(encodings) : NULL;
}

void
http_sigv4(struct http_req *req, const char *provider, const char *access_key,
    const char *secret_key)
{
	free(req->sigv4);
	util_free_secret(req->access_key);
	util_free_secret(req->secret_key);
	req->sigv4 = xstrdup(provider);
	req->access_key = xstrdup(access_key);
	req->secret_key = xstrdup(secret_key);
}

void
http_progress(const struct http_req *req, uint64_t *sent, uint64_t *received)
{
	if (sent != NULL)
		*sent = req->sent;
	if (received != NULL)
		*received = req->received;
}

/* ---------------------------------------------------------------- callbacks */

static size_t
http_write_cb(char *data, size_t size, size_t n, void *arg)
{
	struct http_req	*req = arg;
	size_t		 len = size * n, r;
	long		 status = 0;

	if (req->cancelled)
		return 0;
	curl_easy_getinfo(req->easy, CURLINFO_RESPONSE_CODE, &status);
	if (req->sink == NULL || status < 200 || status > 299) {
		if (req->sink == NULL || req->resp.len < HTTP_ERROR_BODY_MAX)
			buf_add(&req->resp, data, len);
		req->received += len;
		return len;
	}
	r = req->sink(req->sink_arg, data, len);
	if (r == HTTP_SINK_PAUSE)
		return CURL_WRITEFUNC_PAUSE;
	if (r == len) {
		req->received += len;
		req->delivered += len;
	}
	return r == len ? len : 0;
}

static size_t
http_read_cb(char *dst, size_t size, size_t n, void *arg)
{
	struct http_req	*req = arg;
	size_t		 len = size * n;
	ssize_t		 r;

	if (req->cancelled)
		return CURL_READFUNC_ABORT;
	if (req->source == NULL) {
		if (len > req->body.len - req->body_off)
			len = req->body.len - req->body_off;
		memcpy(dst, req->body.data + req->body_off, len);
		req->body_off += len;
		req->sent += len;
		return len;
	}
	r = req->source(req->source_arg, dst, len);
	if (r == HTTP_SOURCE_PAUSE)
		return CURL_READFUNC_PAUSE;
	if (r < 0)
		return CURL_READFUNC_ABORT;
	req->sent += (uint64_t)r;
	return (size_t)r;
}

/* Ends a transfer cancelled from inside a callback, even an idle one. */
static int
http_xferinfo_cb(void *arg, curl_off_t dltotal, curl_off_t dlnow,
    curl_off_t ultotal, curl_off_t ulnow)
{
	struct http_req	*req = arg;

	return req->cancelled ? 1 : 0;
}

static size_t
http_header_cb(char *line, size_t size, size_t n, void *arg)
{
	struct http_req	*req = arg;
	size_t		 len = size * n;
	char		*colon, *pair, *value;

	if (len >= 5 && strncmp(line, "HTTP/", 5) == 0) {
		/* a new response (after 100 Continue, or a retry) */
		http_clear_response(req);
		return len;
	}
	colon = memchr(line, ':', len);
	if (colon == NULL)
		return len;
	pair = xstrndup(line, len);
	pair[colon - line] = '\0';
	value = util_trim(pair + (colon - line) + 1);
	memmove(pair + (colon - line) + 1, value, strlen(value) + 1);
	req->resp_headers = xreallocarray(req->resp_headers,
	    req->n_resp_headers + 1, sizeof *req->resp_headers);
	req->resp_headers[req->n_resp_headers++] = pair;
	return len;
}

/* ---------------------------------------------------------------- running */

static void	http_attempt(struct http_req *);

static void
http_set_method(struct http_req *req)
{
	CURL	*e = req->easy;
	bool	 upload = req->has_body || req->source != NULL ||
		    strcmp(req->method, "PUT") == 0 ||
		    strcmp(req->method, "POST") == 0;

	if (strcmp(req->method, "HEAD") == 0)
		curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
	else if (upload) {
		curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(e, CURLOPT_READFUNCTION, http_read_cb);
		curl_easy_setopt(e, CURLOPT_READDATA, req);
		curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, (curl_off_t)
		    (req->source != NULL ? req->source_len :
		    (int64_t)req->body.len));
		if (strcmp(req->method, "PUT") != 0)
			curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, req->method);
	} else if (strcmp(req->method, "GET") != 0)
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, req->method);
}

static void
http_set_limits(struct http_req *req)
{
	CURL			*e = req->easy;
	const struct http_limits *l = &req->limits;

	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)
	    (l->connect_timeout_ms > 0 ? l->connect_timeout_ms : 3000));
	if (l->timeout_ms > 0)
		curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)l->timeout_ms);
	if (l->low_speed_secs > 0) {
		curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, l->low_speed_bytes);
		curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, l->low_speed_secs);
	}
}

static void
http_set_tls_auth(struct http_req *req)
{
	CURL	*e = req->easy;

	if (req->ca_file != NULL)
		curl_easy_setopt(e, CURLOPT_CAINFO, req->ca_file);
	if (req->insecure) {
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (req->sigv4 != NULL) {
		curl_easy_setopt(e, CURLOPT_AWS_SIGV4, req->sigv4);
		curl_easy_setopt(e, CURLOPT_USERNAME, req->access_key);
		curl_easy_setopt(e, CURLOPT_PASSWORD, req->secret_key);
	}
}

static CURL *
http_make_easy(struct http_req *req)
{
	CURL	*e = curl_easy_init();

	if (e == NULL)
		abort();
	req->easy = e;
	curl_easy_setopt(e, CURLOPT_URL, req->url);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, req->errbuf);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, req->headers);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, http_write_cb);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, req);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, http_header_cb);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, req);
	curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, http_xferinfo_cb);
	curl_easy_setopt(e, CURLOPT_XFERINFODATA, req);
	curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(e, CURLOPT_EXPECT_100_TIMEOUT_MS, 1000L);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	if (req->accept_encoding != NULL)
		curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING,
		    req->accept_encoding);
	http_set_method(req);
	http_set_limits(req);
	http_set_tls_auth(req);
	return e;
}

/* The URL without its query string: that is all messages show. */
static char *
http_url_for_message(const char *url)
{
	return xstrndup(url, strcspn(url, "?"));
}

static void
http_describe_error(struct http_req *req)
{
	char		*where = http_url_for_message(req->url);
	const char	*what = req->errbuf[0] != '\0' ? req->errbuf :
			    curl_easy_strerror(req->code);
	long		 os_errno = 0;

	curl_easy_getinfo(req->easy, CURLINFO_OS_ERRNO, &os_errno);
	free(req->error);
	if (req->code == CURLE_COULDNT_CONNECT && os_errno != 0)
		req->error = xasprintf("%s: cannot connect: %s", where,
		    strerror((int)os_errno));
	else if (req->code == CURLE_OPERATION_TIMEDOUT)
		req->error = xasprintf("%s: timed out (%s)", where, what);
	else
		req->error = xasprintf("%s: %s", where, what);
	free(where);
}

static bool
http_retryable(struct http_req *req)
{
	if (!req->idempotent || req->cancelled ||
	    req->attempts > req->limits.retries || req->delivered > 0)
		return false;
	if (req->source != NULL && (req->sent > 0 || req->source_len != 0) &&
	    (req->rewind == NULL || req->rewind(req->source_arg) != 0))
		return false;
	if (req->result == HTTP_TRANSPORT)
		return req->code != CURLE_WRITE_ERROR &&
		    req->code != CURLE_ABORTED_BY_CALLBACK &&
		    req->code != CURLE_READ_ERROR;
	return req->status == 429 || (req->status >= 500 &&
	    req->status != 501);
}

static void
http_finish(struct http_req *req)
{
	http_done_fn	 fn = req->done;

	req->elapsed_ms = util_now_ms() - req->started_ms;
	req->done = NULL;
	if (fn != NULL)
		fn(req, req->done_arg);
}

static void
http_retry_timer(void *arg)
{
	struct http_req	*req = arg;

	req->timer = NULL;
	if (req->cancelled) {
		req->result = HTTP_CANCELLED;
		http_finish(req);
		return;
	}
	http_attempt(req);
}

static void
http_easy_done(CURL *easy, CURLcode code, void *arg)
{
	struct http_req	*req = arg;
	int64_t		 delay;
	int		 i;

	req->running = false;
	req->code = code;
	curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &req->status);
	if (code == CURLE_OK)
		req->result = HTTP_OK;
	else if (req->cancelled || code == CURLE_WRITE_ERROR ||
	    code == CURLE_ABORTED_BY_CALLBACK)
		req->result = HTTP_CANCELLED;
	else
		req->result = HTTP_TRANSPORT;
	if (req->result != HTTP_OK)
		http_describe_error(req);
	if (req->cancelled) {
		free(req->error);
		req->error = xstrdup("cancelled");
	}
	if (http_retryable(req)) {
		delay = req->limits.backoff_ms > 0 ? req->limits.backoff_ms : 200;
		for (i = 1; i < req->attempts && delay < 10000; i++)
			delay *= 2;
		req->timer = loop_timer_add(req->loop, delay, http_retry_timer,
		    req);
		return;
	}
	http_finish(req);
}

static void
http_attempt(struct http_req *req)
{
	if (req->easy != NULL)
		curl_easy_cleanup(req->easy);
	http_clear_response(req);
	req->body_off = 0;
	req->sent = req->received = req->delivered = 0;
	req->result = HTTP_PENDING;
	req->attempts++;
	http_make_easy(req);
	req->running = true;
	loop_add_easy(req->loop, req->easy, http_easy_done, req);
}

int
http_start(struct loop *loop, struct http_req *req, http_done_fn fn, void *arg)
{
	req->loop = loop;
	req->done = fn;
	req->done_arg = arg;
	req->attempts = 0;
	req->cancelled = false;
	req->started_ms = util_now_ms();
	http_attempt(req);
	return 0;
}

static void
http_perform_done(struct http_req *req, void *arg)
{
	*(int *)arg = 1;
}

enum http_result
http_perform(struct loop *loop, struct http_req *req)
{
	int	done = 0;

	http_start(loop, req, http_perform_done, &done);
	loop_run_until(loop, &done);
	return req->result;
}

static void
http_cancel_timer(void *arg)
{
	struct http_req	*req = arg;

	req->timer = NULL;
	req->result = HTTP_CANCELLED;
	http_finish(req);
}

void
http_cancel(struct http_req *req)
{
	if (req->loop == NULL || req->cancelled || req->done == NULL)
		return;
	req->cancelled = true;
	if (req->timer != NULL) {
		loop_timer_cancel(req->loop, req->timer);
		req->timer = NULL;
	}
	if (req->running && !loop_remove_easy(req->loop, req->easy)) {
		/*
		 * Called from inside a libcurl callback: the callbacks now
		 * abort the transfer, and it completes as cancelled.
		 */
		return;
	}
	req->running = false;
	free(req->error);
	req->error = xstrdup("cancelled");
	req->timer = loop_timer_add(req->loop, 0, http_cancel_timer, req);
}

void
http_resume(struct http_req *req)
{
	if (req->running && req->easy != NULL)
		curl_easy_pause(req->easy, CURLPAUSE_CONT);
}

/* ---------------------------------------------------------------- results */

enum http_result
http_result(const struct http_req *req)
{
	return req->result;
}

long
http_status(const struct http_req *req)
{
	return req->status;
}

const char *
http_error(const struct http_req *req)
{
	return req->error != NULL ? req->error : "";
}

CURLcode
http_curl_code(const struct http_req *req)
{
	return req->code;
}

const char *
http_response_header(const struct http_req *req, const char *name)
{
	size_t	i;

	for (i = 0; i < req->n_resp_headers; i++) {
		if (strcasecmp(req->resp_headers[i], name) == 0)
			return req->resp_headers[i] + strlen(name) + 1;
	}
	return NULL;
}

const struct buf *
http_response_body(const struct http_req *req)
{
	return &req->resp;
}

struct buf *
http_response_body_mut(struct http_req *req)
{
	return &req->resp;
}

const char *
http_url(const struct http_req *req)
{
	return req->url;
}

int64_t
http_elapsed_ms(const struct http_req *req)
{
	return req->running ? util_now_ms() - req->started_ms : req->elapsed_ms;
}

int
http_attempts(const struct http_req *req)
{
	return req->attempts;
}
