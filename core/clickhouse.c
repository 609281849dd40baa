/*
 * The ClickHouse client and its requests on the event loop: URLs and
 * credentials, queries, statements, streamed exports and imports, the
 * synchronous forms, and KILL QUERY for requests that end early.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "clickhouse.h"
#include "loop.h"
#include "sql.h"
#include "util.h"
#include "xmalloc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/rand.h>

/* KILL + check rounds before ch_cancel gives up, and the pause between. */
#define CH_KILL_ROUNDS		30
#define CH_KILL_PAUSE_MS	100
/* Default stall limit for exports and imports. */
#define CH_STALL_MS		(300 * 1000)

enum ch_kind {
	CH_KIND_QUERY,
	CH_KIND_EXEC,
	CH_KIND_EXPORT,
	CH_KIND_IMPORT,
};

struct ch_kill;

struct ch_client {
	struct loop		*loop;
	CURLU			*base;		/* NULL: the URL was invalid */
	char			*url;		/* for messages: no credentials */
	char			*url_error;
	char			*user;
	char			*password;
	char			*ca_file;
	bool			 insecure;
	int64_t			 timeout_ms;
	int64_t			 connect_timeout_ms;
	struct ch_caps		*caps;
	struct ch_req		*reqs;		/* in flight */
	struct ch_kill		*kills;		/* KILL QUERY jobs in flight */
};

struct ch_req {
	struct ch_client	*client;
	enum ch_kind		 kind;
	struct http_req		*http;
	char			*query_id;
	ch_done_fn		 done;
	void			*arg;
	struct ch_error		 err;
	struct ch_result	*result;
	bool			 no_kill;	/* a KILL job's own request */
	bool			 finishing;
	struct loop_timer	*timer;		/* deferred failure or drain */

	/* export: the last CH_TAIL_HOLD bytes wait in tail */
	ch_sink_fn		 sink;
	void			*sink_arg;
	struct buf		 tail;
	size_t			 tail_off;	/* already delivered */
	bool			 sink_failed;
	bool			 sink_paused;	/* until ch_req_resume */
	bool			 draining;

	/* import */
	ch_source_fn		 source;
	void			*source_arg;
	bool			 source_failed;

	struct ch_req		*next;
};

/* KILL QUERY ... SYNC, then poll system.processes until the query is gone. */
struct ch_kill {
	struct ch_client	*client;
	char			*query_id;
	int			 rounds;
	struct ch_req		*req;
	struct loop_timer	*timer;
	struct ch_error		 err;
	bool			 detached;	/* frees itself when done */
	int			 finished;
	struct ch_kill		*next;
};

static void	ch_kill_start(struct ch_client *, const char *, bool,
		    struct ch_kill **);

/* ================================================================ client */

static char *
ch_redact_url(const char *url)
{
	const char	*at = strrchr(url, '@'), *scheme = strstr(url, "://");

	if (at == NULL)
		return xstrdup(url);
	if (scheme != NULL && scheme < at)
		return xasprintf("%.*s://***%s", (int)(scheme - url), url, at);
	return xasprintf("***%s", at);
}

/* Keeps scheme, host, port and path; drops user, password, fragment. */
static void
ch_set_url(struct ch_client *c, const char *url)
{
	CURLUcode	 uc;
	char		*s = NULL, *scheme = NULL;

	c->base = curl_url();
	uc = curl_url_set(c->base, CURLUPART_URL, url, CURLU_DEFAULT_SCHEME);
	if (uc == CURLUE_OK)
		uc = curl_url_get(c->base, CURLUPART_SCHEME, &scheme, 0);
	if (uc == CURLUE_OK && strcmp(scheme, "http") != 0 &&
	    strcmp(scheme, "https") != 0)
		uc = CURLUE_UNSUPPORTED_SCHEME;
	curl_free(scheme);
	if (uc == CURLUE_OK) {
		curl_url_set(c->base, CURLUPART_USER, NULL, 0);
		curl_url_set(c->base, CURLUPART_PASSWORD, NULL, 0);
		curl_url_set(c->base, CURLUPART_OPTIONS, NULL, 0);
		curl_url_set(c->base, CURLUPART_FRAGMENT, NULL, 0);
		uc = curl_url_get(c->base, CURLUPART_URL, &s, 0);
	}
	if (uc != CURLUE_OK) {
		c->url = ch_redact_url(url);
		c->url_error = xasprintf("invalid ClickHouse URL %s: %s",
		    c->url, curl_url_strerror(uc));
		curl_url_cleanup(c->base);
		c->base = NULL;
		return;
	}
	c->url = xstrdup(s);
	curl_free(s);
}

struct ch_client *
ch_new(struct loop *loop, const char *url, const char *user,
    const char *password, const struct http_tls *tls, int64_t timeout_ms,
    int64_t connect_timeout_ms)
{
	struct ch_client	*c;

	c = xcalloc(1, sizeof *c);
	c->loop = loop;
	ch_set_url(c, url);
	c->user = xstrdup(user != NULL && *user != '\0' ? user : "default");
	c->password = xstrdup(password != NULL ? password : "");
	if (tls != NULL) {
		c->ca_file = tls->ca_file != NULL ? xstrdup(tls->ca_file) :
		    NULL;
		c->insecure = tls->insecure;
	}
	c->timeout_ms = timeout_ms;
	c->connect_timeout_ms = connect_timeout_ms;
	return c;
}

static void	ch_req_free(struct ch_req *);

static void
ch_kill_free(struct ch_kill *k)
{
	if (k->timer != NULL)
		loop_timer_cancel(k->client->loop, k->timer);
	ch_error_clear(&k->err);
	free(k->query_id);
	free(k);
}

void
ch_free(struct ch_client *c)
{
	struct ch_kill	*k;
	struct ch_req	*req;

	if (c == NULL)
		return;
	while ((k = c->kills) != NULL) {
		c->kills = k->next;
		ch_kill_free(k);	/* its request is in c->reqs */
	}
	while ((req = c->reqs) != NULL) {
		c->reqs = req->next;
		ch_req_free(req);
	}
	ch_caps_free(c->caps);
	if (c->base != NULL)
		curl_url_cleanup(c->base);
	free(c->url);
	free(c->url_error);
	free(c->user);
	util_free_secret(c->password);
	free(c->ca_file);
	free(c);
}

const char *
ch_url(const struct ch_client *c)
{
	return c->url;
}

struct loop *
ch_loop(const struct ch_client *c)
{
	return c->loop;
}

const struct ch_caps *
ch_caps_cached(const struct ch_client *c)
{
	return c->caps;
}

void
ch_caps_store(struct ch_client *c, struct ch_caps *caps)
{
	if (caps == c->caps)
		return;
	ch_caps_free(c->caps);
	c->caps = caps;
}

char *
ch_new_query_id(void)
{
	static unsigned long	 counter;
	unsigned char		 r[6];
	unsigned long		 n;
	int64_t			 t;
	size_t			 i;

	n = __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED);
	if (RAND_bytes(r, sizeof r) != 1) {
		/* unique anyway by pid and counter; this only adds noise */
		t = util_wall_ms() ^ util_now_ms();
		for (i = 0; i < sizeof r; i++)
			r[i] = (unsigned char)(t >> (8 * i));
	}
	return xasprintf("chops-%ld-%lu-%02x%02x%02x%02x%02x%02x",
	    (long)getpid(), n, r[0], r[1], r[2], r[3], r[4], r[5]);
}

/* ================================================================ requests */

static void
ch_url_param(CURLU *u, const char *name, const char *value)
{
	char	*enc, *kv;

	enc = curl_easy_escape(NULL, value, 0);
	if (enc == NULL)
		abort();
	kv = xasprintf("%s=%s", name, enc);
	curl_url_set(u, CURLUPART_QUERY, kv, CURLU_APPENDQUERY);
	free(kv);
	curl_free(enc);
}

/* The request URL with its parameters, or NULL with *cause. */
static char *
ch_request_url(struct ch_req *req, const struct ch_opts *o,
    const char *query, char **cause)
{
	CURLU	*u;
	char	*s = NULL, *url;
	size_t	 i;

	u = curl_url_dup(req->client->base);
	ch_url_param(u, "query_id", req->query_id);
	if (o != NULL && o->database != NULL)
		ch_url_param(u, "database", o->database);
	for (i = 0; o != NULL && i < o->n_settings; i++) {
		if (!sql_ident_valid(o->settings[i].name)) {
			*cause = xstrdup("invalid setting name");
			curl_url_cleanup(u);
			return NULL;
		}
		ch_url_param(u, o->settings[i].name, o->settings[i].value);
	}
	if (query != NULL)
		ch_url_param(u, "query", query);
	if (curl_url_get(u, CURLUPART_URL, &s, 0) != CURLUE_OK)
		abort();
	url = xstrdup(s);
	curl_free(s);
	curl_url_cleanup(u);
	return url;
}

static void
ch_req_unlink(struct ch_req *req)
{
	struct ch_req	**pp;

	for (pp = &req->client->reqs; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == req) {
			*pp = req->next;
			break;
		}
	}
}

static void
ch_req_free(struct ch_req *req)
{
	if (req->timer != NULL)
		loop_timer_cancel(req->client->loop, req->timer);
	http_free(req->http);
	ch_error_clear(&req->err);
	ch_result_free(req->result);
	buf_free(&req->tail);
	free(req->query_id);
	free(req);
}

static void
ch_req_finish(struct ch_req *req)
{
	struct ch_client	*c = req->client;

	ch_req_unlink(req);
	if (req->err.kind != CH_OK) {
		ch_error_scrub(&req->err, c->password);
		if (req->err.query_id == NULL)
			req->err.query_id = xstrdup(req->query_id);
	}
	req->finishing = true;
	if (req->done != NULL)
		req->done(req, req->arg);
	ch_req_free(req);
}

static void
ch_req_fail_timer(void *arg)
{
	struct ch_req	*req = arg;

	req->timer = NULL;
	ch_req_finish(req);
}

/* Fails a request that never started, from the loop (callbacks are async). */
static void
ch_req_fail_later(struct ch_req *req, enum ch_errkind kind, char *message)
{
	ch_error_set(&req->err, kind, 0, message);
	req->timer = loop_timer_add(req->client->loop, 0, ch_req_fail_timer,
	    req);
}

static struct ch_req *
ch_req_new(struct ch_client *c, enum ch_kind kind, const struct ch_opts *o,
    ch_done_fn done, void *arg)
{
	struct ch_req	*req;

	req = xcalloc(1, sizeof *req);
	req->client = c;
	req->kind = kind;
	req->done = done;
	req->arg = arg;
	if (o != NULL && o->query_id != NULL)
		req->query_id = xstrdup(o->query_id);
	else
		req->query_id = ch_new_query_id();
	req->next = c->reqs;
	c->reqs = req;
	return req;
}

/* "sql\nFORMAT fmt", without the statement's trailing ';' and space. */
static char *
ch_with_format(const char *sql, const char *format)
{
	size_t	n = strlen(sql);

	while (n > 0 && (isspace((unsigned char)sql[n - 1]) || sql[n - 1] == ';'))
		n--;
	return xasprintf("%.*s\nFORMAT %s", (int)n, sql, format);
}

/*
 * Delivers what lies before the last `keep` bytes of the tail to the sink.
 * Returns 0 when done, 1 when the sink paused, -1 when it failed.
 */
static int
ch_tail_deliver(struct ch_req *req, size_t keep)
{
	struct buf	*t = &req->tail;
	size_t		 n, r;

	while (t->len - req->tail_off > keep) {
		if (req->sink_paused)
			return 1;
		n = t->len - req->tail_off - keep;
		r = req->sink(req->sink_arg, t->data + req->tail_off, n);
		if (r == HTTP_SINK_PAUSE) {
			req->sink_paused = true;
			return 1;
		}
		if (r != n) {
			req->sink_failed = true;
			return -1;
		}
		req->tail_off += n;
	}
	/* compact once a window's worth went out: each byte moves once */
	if (req->tail_off >= CH_TAIL_HOLD || req->tail_off == t->len) {
		buf_consume(t, req->tail_off);
		req->tail_off = 0;
	}
	return 0;
}

static size_t
ch_sink_cb(void *arg, const char *data, size_t len)
{
	struct ch_req	*req = arg;
	int		 r;

	/*
	 * What a paused sink left over goes first; until the sink takes it,
	 * curl keeps this data and waits for ch_req_resume.
	 */
	if ((r = ch_tail_deliver(req, CH_TAIL_HOLD)) != 0)
		return r > 0 ? HTTP_SINK_PAUSE : 0;
	buf_add(&req->tail, data, len);
	if (ch_tail_deliver(req, CH_TAIL_HOLD) < 0)
		return 0;
	return len;
}

static ssize_t
ch_source_cb(void *arg, char *buf, size_t len)
{
	struct ch_req	*req = arg;
	ssize_t		 r;

	r = req->source(req->source_arg, buf, len);
	if (r < 0 && r != HTTP_SOURCE_PAUSE)
		req->source_failed = true;
	return r;
}

/*
 * The server takes a body that stops early for the end of the data and keeps
 * what it received: an import that did not finish is partial, not absent.
 */
#define CH_PARTIAL_NOTE	" (the rows sent before may have been inserted)"

static void
ch_req_stopped(struct ch_req *req)
{
	const char	*note = req->kind == CH_KIND_IMPORT ? CH_PARTIAL_NOTE : "";

	if (req->sink_failed)
		ch_error_set(&req->err, CH_ECONSUMER, 0,
		    xstrdup("the export was stopped by its consumer"));
	else if (req->source_failed)
		ch_error_set(&req->err, CH_ECONSUMER, 0, xasprintf("the data "
		    "source of the import failed%s", note));
	else
		ch_error_set(&req->err, CH_ECANCELLED, 0, xasprintf("cancelled%s",
		    note));
}

/* Sets the error; returns whether the server may have seen the query. */
static bool
ch_transport_error(struct ch_req *req)
{
	CURLcode	code = http_curl_code(req->http);

	ch_error_set(&req->err, code == CURLE_OPERATION_TIMEDOUT ?
	    CH_ETIMEOUT : CH_ETRANSPORT, 0, xstrdup(http_error(req->http)));
	switch (code) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
		return false;
	default:
		return true;
	}
}

/* Looks for an exception at the end of a 200 body. */
static void
ch_check_body_tail(struct ch_req *req, const char *data, size_t len)
{
	size_t	from = len > CH_TAIL_HOLD ? len - CH_TAIL_HOLD : 0;
	ssize_t	at;

	if (len == 0)
		return;
	at = ch_find_trailing_error(data + from, len - from);
	if (at >= 0)
		ch_error_midstream(&req->err, data + from + at,
		    len - from - (size_t)at);
}

static void
ch_export_complete(struct ch_req *req)
{
	int	r;

	ch_check_body_tail(req, buf_str(&req->tail) + req->tail_off,
	    req->tail.len - req->tail_off);
	if (req->err.kind != CH_OK)
		return;
	r = ch_tail_deliver(req, 0);
	if (r > 0)
		req->draining = true;
	else if (r < 0)
		ch_req_stopped(req);
}

static void
ch_req_succeeded(struct ch_req *req)
{
	const struct buf	*body = http_response_body(req->http);

	switch (req->kind) {
	case CH_KIND_QUERY:
		ch_result_parse(buf_str(body), body->len, &req->result,
		    &req->err);
		break;
	case CH_KIND_EXPORT:
		ch_export_complete(req);
		break;
	case CH_KIND_EXEC:
	case CH_KIND_IMPORT:
		ch_check_body_tail(req, buf_str(body), body->len);
		break;
	}
}

static void
ch_http_done(struct http_req *http, void *arg)
{
	struct ch_req		*req = arg;
	struct ch_client	*c = req->client;
	enum http_result	 r = http_result(http);
	const struct buf	*body;
	bool			 kill = false;

	req->err.http_status = http_status(http);
	if (r == HTTP_OK && req->err.http_status / 100 == 2)
		ch_req_succeeded(req);
	else if (r == HTTP_OK) {
		body = http_response_body(http);
		ch_error_from_answer(&req->err, req->err.http_status,
		    buf_str(body), body->len, c->user, c->password);
	} else if (r == HTTP_CANCELLED) {
		ch_req_stopped(req);
		kill = true;
	} else
		kill = ch_transport_error(req);
	/* a closed connection does not stop a query on the server */
	if (kill && !req->no_kill)
		ch_kill_start(c, req->query_id, true, NULL);
	if (!req->draining)
		ch_req_finish(req);
}

static void
ch_req_limits(struct ch_req *req, const struct ch_opts *o)
{
	struct http_limits	l;
	bool			transfer;
	int64_t			t, stall;

	transfer = req->kind == CH_KIND_EXPORT || req->kind == CH_KIND_IMPORT;
	t = o != NULL ? o->timeout_ms : 0;
	stall = o != NULL ? o->stall_ms : 0;
	if (t == 0)
		t = transfer ? 0 : req->client->timeout_ms;
	if (stall == 0 && transfer)
		stall = CH_STALL_MS;
	memset(&l, 0, sizeof l);
	l.connect_timeout_ms = req->client->connect_timeout_ms;
	l.timeout_ms = t > 0 ? t : 0;
	if (stall > 0) {
		l.low_speed_bytes = 1;
		l.low_speed_secs = (long)((stall + 999) / 1000);
	}
	http_limits(req->http, &l);
}

/* Builds and starts the HTTP request: body is the SQL, or NULL (source). */
static void
ch_req_launch(struct ch_req *req, const struct ch_opts *o, const char *body,
    const char *url_query)
{
	struct ch_client	*c = req->client;
	struct http_tls		 tls;
	char			*url, *cause = NULL;

	if (c->base == NULL) {
		ch_req_fail_later(req, CH_EUSAGE, xstrdup(c->url_error));
		return;
	}
	if ((url = ch_request_url(req, o, url_query, &cause)) == NULL) {
		ch_req_fail_later(req, CH_EUSAGE, cause);
		return;
	}
	req->http = http_new("POST", url);
	free(url);
	http_header(req->http, "X-ClickHouse-User", c->user);
	http_header(req->http, "X-ClickHouse-Key", c->password);
	if (body != NULL)
		http_body(req->http, body, strlen(body));
	else
		http_body_source(req->http, ch_source_cb, NULL, req, -1);
	if (req->kind == CH_KIND_EXPORT)
		http_sink(req->http, ch_sink_cb, req);
	ch_req_limits(req, o);
	tls.ca_file = c->ca_file;
	tls.insecure = c->insecure;
	http_tls(req->http, &tls);
	if (http_start(c->loop, req->http, ch_http_done, req) != 0)
		ch_req_fail_later(req, CH_ETRANSPORT,
		    xasprintf("%s: cannot start the request", c->url));
}

struct ch_req *
ch_query_start(struct ch_client *c, const char *sql, const struct ch_opts *o,
    ch_done_fn done, void *arg)
{
	struct ch_req	*req;
	char		*text;

	req = ch_req_new(c, CH_KIND_QUERY, o, done, arg);
	text = ch_with_format(sql, "JSONCompact");
	ch_req_launch(req, o, text, NULL);
	free(text);
	return req;
}

struct ch_req *
ch_exec_start(struct ch_client *c, const char *sql, const struct ch_opts *o,
    ch_done_fn done, void *arg)
{
	struct ch_req	*req;

	req = ch_req_new(c, CH_KIND_EXEC, o, done, arg);
	ch_req_launch(req, o, sql, NULL);
	return req;
}

struct ch_req *
ch_export_start(struct ch_client *c, const char *sql, const char *format,
    ch_sink_fn sink, void *sink_arg, const struct ch_opts *o,
    ch_done_fn done, void *arg)
{
	struct ch_req	*req;
	char		*text;

	req = ch_req_new(c, CH_KIND_EXPORT, o, done, arg);
	req->sink = sink;
	req->sink_arg = sink_arg;
	if (!sql_ident_valid(format)) {
		ch_req_fail_later(req, CH_EUSAGE,
		    xstrdup("invalid export format name"));
		return req;
	}
	text = ch_with_format(sql, format);
	ch_req_launch(req, o, text, NULL);
	free(text);
	return req;
}

struct ch_req *
ch_import_start(struct ch_client *c, const char *insert_sql,
    ch_source_fn source, void *source_arg, const struct ch_opts *o,
    ch_done_fn done, void *arg)
{
	struct ch_req	*req;

	req = ch_req_new(c, CH_KIND_IMPORT, o, done, arg);
	req->source = source;
	req->source_arg = source_arg;
	ch_req_launch(req, o, NULL, insert_sql);
	return req;
}

void
ch_req_cancel(struct ch_req *req)
{
	if (req->finishing)
		return;
	if (req->draining) {
		req->draining = false;
		if (req->timer != NULL)
			loop_timer_cancel(req->client->loop, req->timer);
		ch_req_fail_later(req, CH_ECANCELLED, xstrdup("cancelled"));
		return;
	}
	if (req->http != NULL && http_result(req->http) == HTTP_PENDING)
		http_cancel(req->http);
}

static void
ch_drain_timer(void *arg)
{
	struct ch_req	*req = arg;
	int		 r;

	req->timer = NULL;
	if ((r = ch_tail_deliver(req, 0)) > 0)
		return;
	req->draining = false;
	if (r < 0)
		ch_req_stopped(req);
	ch_req_finish(req);
}

void
ch_req_resume(struct ch_req *req)
{
	req->sink_paused = false;
	if (req->draining) {
		if (req->timer == NULL)
			req->timer = loop_timer_add(req->client->loop, 0,
			    ch_drain_timer, req);
		return;
	}
	if (req->http != NULL)
		http_resume(req->http);
}

const char *
ch_req_query_id(const struct ch_req *req)
{
	return req->query_id;
}

void
ch_req_progress(const struct ch_req *req, uint64_t *sent, uint64_t *received)
{
	if (req->http != NULL) {
		http_progress(req->http, sent, received);
		return;
	}
	if (sent != NULL)
		*sent = 0;
	if (received != NULL)
		*received = 0;
}

const struct ch_error *
ch_req_error(const struct ch_req *req)
{
	return &req->err;
}

struct ch_result *
ch_req_take_result(struct ch_req *req)
{
	struct ch_result	*res = req->result;

	req->result = NULL;
	return res;
}

/* ================================================================ sync */

struct ch_sync {
	int			 done;
	struct ch_error		 err;
	struct ch_result	*result;
};

static void
ch_sync_done(struct ch_req *req, void *arg)
{
	struct ch_sync	*s = arg;

	s->err = req->err;
	memset(&req->err, 0, sizeof req->err);
	s->result = ch_req_take_result(req);
	s->done = 1;
}

static int
ch_sync_wait(struct ch_client *c, struct ch_sync *s, struct ch_error *err)
{
	int	rc;

	loop_run_until(c->loop, &s->done);
	/* the server is there: let the KILL finish before returning */
	if (s->err.kind == CH_ECANCELLED || s->err.kind == CH_ECONSUMER) {
		while (c->kills != NULL)
			loop_once(c->loop, -1, -1);
	}
	rc = s->err.kind == CH_OK ? 0 : -1;
	if (err != NULL)
		*err = s->err;
	else
		ch_error_clear(&s->err);
	return rc;
}

int
ch_query(struct ch_client *c, const char *sql, struct ch_result **out,
    struct ch_error *err)
{
	struct ch_sync	s;
	int		rc;

	memset(&s, 0, sizeof s);
	ch_query_start(c, sql, NULL, ch_sync_done, &s);
	rc = ch_sync_wait(c, &s, err);
	*out = s.result;
	return rc;
}

int
ch_exec(struct ch_client *c, const char *sql, struct ch_error *err)
{
	struct ch_sync	s;

	memset(&s, 0, sizeof s);
	ch_exec_start(c, sql, NULL, ch_sync_done, &s);
	return ch_sync_wait(c, &s, err);
}

int
ch_export(struct ch_client *c, const char *sql, const char *format,
    ch_sink_fn sink, void *sink_arg, const struct ch_opts *o,
    struct ch_error *err)
{
	struct ch_sync	s;

	memset(&s, 0, sizeof s);
	ch_export_start(c, sql, format, sink, sink_arg, o, ch_sync_done, &s);
	return ch_sync_wait(c, &s, err);
}

int
ch_import(struct ch_client *c, const char *insert_sql, ch_source_fn source,
    void *source_arg, const struct ch_opts *o, struct ch_error *err)
{
	struct ch_sync	s;

	memset(&s, 0, sizeof s);
	ch_import_start(c, insert_sql, source, source_arg, o, ch_sync_done, &s);
	return ch_sync_wait(c, &s, err);
}

/* ================================================================ kill */

static void	ch_kill_step(struct ch_kill *);

static void
ch_kill_finish(struct ch_kill *k)
{
	struct ch_kill	**pp;

	for (pp = &k->client->kills; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == k) {
			*pp = k->next;
			break;
		}
	}
	k->finished = 1;
	if (k->detached)
		ch_kill_free(k);
}

static void
ch_kill_timer(void *arg)
{
	struct ch_kill	*k = arg;

	k->timer = NULL;
	ch_kill_step(k);
}

static void
ch_kill_checked(struct ch_req *req, void *arg)
{
	struct ch_kill	*k = arg;
	uint64_t	 n = 1;

	k->req = NULL;
	if (req->err.kind != CH_OK) {
		k->err = req->err;
		memset(&req->err, 0, sizeof req->err);
		ch_kill_finish(k);
		return;
	}
	ch_result_uint64(req->result, 0, 0, &n);
	if (n == 0) {
		ch_kill_finish(k);
		return;
	}
	if (++k->rounds >= CH_KILL_ROUNDS) {
		ch_error_set(&k->err, CH_ESERVER, 0, xasprintf("query %s is "
		    "still running after KILL QUERY", k->query_id));
		ch_kill_finish(k);
		return;
	}
	k->timer = loop_timer_add(k->client->loop, CH_KILL_PAUSE_MS,
	    ch_kill_timer, k);
}

static void
ch_kill_killed(struct ch_req *req, void *arg)
{
	struct ch_kill	*k = arg;
	struct buf	 sql = BUF_INIT;
	char		*cause = NULL;

	k->req = NULL;
	if (req->err.kind != CH_OK) {
		k->err = req->err;
		memset(&req->err, 0, sizeof req->err);
		ch_kill_finish(k);
		return;
	}
	if (sql_appendf(&sql, &cause, "SELECT count() FROM system.processes "
	    "WHERE query_id = %S", k->query_id) != 0)
		abort();
	k->req = ch_query_start(k->client, buf_str(&sql), NULL,
	    ch_kill_checked, k);
	k->req->no_kill = true;
	buf_free(&sql);
}

static void
ch_kill_step(struct ch_kill *k)
{
	struct buf	sql = BUF_INIT;

	sql_kill_query(&sql, k->query_id);
	k->req = ch_exec_start(k->client, buf_str(&sql), NULL, ch_kill_killed,
	    k);
	k->req->no_kill = true;
	buf_free(&sql);
}

static void
ch_kill_start(struct ch_client *c, const char *query_id, bool detached,
    struct ch_kill **out)
{
	struct ch_kill	*k;

	k = xcalloc(1, sizeof *k);
	k->client = c;
	k->query_id = xstrdup(query_id);
	k->detached = detached;
	k->next = c->kills;
	c->kills = k;
	ch_kill_step(k);
	if (out != NULL)
		*out = k;
}

int
ch_cancel(struct ch_client *c, const char *query_id, struct ch_error *err)
{
	struct ch_kill	*k;
	int		 rc;

	ch_kill_start(c, query_id, false, &k);
	loop_run_until(c->loop, &k->finished);
	rc = k->err.kind == CH_OK ? 0 : -1;
	if (err != NULL) {
		*err = k->err;
		memset(&k->err, 0, sizeof k->err);
	}
	ch_kill_free(k);
	return rc;
}
