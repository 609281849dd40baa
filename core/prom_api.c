/*
 * Prometheus HTTP API client: requests on the loop, JSON envelopes with
 * cJSON. Parsing is kept apart from transport so recorded bodies can be
 * unit-tested.
 */

#include "prom_api.h"

#include <sys/queue.h>

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "config.h"
#include "http.h"
#include "loop.h"
#include "prom_text.h"
#include "util.h"
#include "xmalloc.h"

enum prom_kind {
	PROM_CALL_QUERY,
	PROM_CALL_TARGETS,
};

struct prom_call {
	struct prom_client	*client;
	struct http_req		*req;
	enum prom_kind		 kind;
	prom_done_fn		 fn;
	void			*arg;
	TAILQ_ENTRY(prom_call)	 entry;
};

struct prom_client {
	struct loop		*loop;
	char			*url;		/* no trailing '/' */
	struct http_limits	 limits;
	char			*ca_file;
	bool			 insecure;
	TAILQ_HEAD(, prom_call)	 calls;
};

static void	prom_reply_fail(struct prom_reply *, enum prom_status,
		    const char *, ...) CHOPS_PRINTFLIKE(3, 4);

/* ------------------------------------------------------------ replies */

static void
prom_reply_fail(struct prom_reply *r, enum prom_status st, const char *fmt,
    ...)
{
	va_list	ap;

	r->status = st;
	free(r->error);
	va_start(ap, fmt);
	r->error = xvasprintf(fmt, ap);
	va_end(ap);
}

static void
prom_kv_free(struct prom_kv *kv, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		free(kv[i].name);
		free(kv[i].value);
	}
	free(kv);
}

static void
prom_target_free(struct prom_target *t)
{
	free(t->job);
	free(t->instance);
	free(t->scrape_pool);
	free(t->scrape_url);
	free(t->last_error);
	prom_kv_free(t->labels, t->n_labels);
}

void
prom_reply_free(struct prom_reply *r)
{
	size_t	i;

	if (r == NULL)
		return;
	free(r->error_type);
	free(r->error);
	for (i = 0; i < r->n_warnings; i++)
		free(r->warnings[i]);
	free(r->warnings);
	for (i = 0; i < r->n_series; i++) {
		prom_kv_free(r->series[i].labels, r->series[i].n_labels);
		free(r->series[i].points);
	}
	free(r->series);
	free(r->string);
	for (i = 0; i < r->n_targets; i++)
		prom_target_free(&r->targets[i]);
	free(r->targets);
	free(r);
}

const char *
prom_status_name(enum prom_status st)
{
	switch (st) {
	case PROM_OK:
		return "ok";
	case PROM_ERR_TRANSPORT:
		return "transport error";
	case PROM_ERR_HTTP:
		return "HTTP error";
	case PROM_ERR_API:
		return "Prometheus error";
	case PROM_ERR_JSON:
		return "malformed response";
	case PROM_ERR_CANCELLED:
		return "cancelled";
	}
	return "?";
}

static const char *
prom_kv_get(const struct prom_kv *kv, size_t n, const char *name)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		if (strcmp(kv[i].name, name) == 0)
			return kv[i].value;
	}
	return NULL;
}

const char *
prom_series_label(const struct prom_series *s, const char *name)
{
	return prom_kv_get(s->labels, s->n_labels, name);
}

const char *
prom_target_label(const struct prom_target *t, const char *name)
{
	return prom_kv_get(t->labels, t->n_labels, name);
}

/* ------------------------------------------------------------ envelope */

static const char *
prom_json_str(const cJSON *obj, const char *key)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The first line of a non-JSON error body, shortened, for messages. */
static char *
prom_body_excerpt(const char *body, size_t len)
{
	size_t	n = 0;

	while (n < len && n < 200 && body[n] != '\n' && body[n] != '\r' &&
	    body[n] != '\0')
		n++;
	return n == 0 ? xstrdup("(empty body)") : xstrndup(body, n);
}

static void
prom_warnings(struct prom_reply *r, const cJSON *root)
{
	const cJSON	*w, *it;

	w = cJSON_GetObjectItemCaseSensitive(root, "warnings");
	if (!cJSON_IsArray(w))
		return;
	cJSON_ArrayForEach(it, w) {
		if (!cJSON_IsString(it))
			continue;
		r->warnings = xreallocarray(r->warnings, r->n_warnings + 1,
		    sizeof *r->warnings);
		r->warnings[r->n_warnings++] = xstrdup(it->valuestring);
	}
}

/* An error envelope: "status":"error" with errorType and error. */
static void
prom_api_error(struct prom_reply *r, const cJSON *root)
{
	const char	*type = prom_json_str(root, "errorType");
	const char	*msg = prom_json_str(root, "error");

	r->error_type = xstrdup(type != NULL ? type : "unknown");
	prom_reply_fail(r, PROM_ERR_API, "%s: %s", r->error_type,
	    msg != NULL ? msg : "(no message)");
}

/*
 * Checks the envelope; returns the parsed root (caller deletes) with
 * r->status PROM_OK and *data set, or NULL with the error in r.
 */
static cJSON *
prom_envelope(struct prom_reply *r, long http_status, const char *body,
    size_t len, const cJSON **data)
{
	cJSON		*root;
	const char	*st;
	char		*ex;
	bool		 ok = http_status >= 200 && http_status <= 299;

	r->http_status = http_status;
	root = cJSON_ParseWithLength(body, len);
	st = root != NULL ? prom_json_str(root, "status") : NULL;
	if (st != NULL && strcmp(st, "error") == 0) {
		prom_warnings(r, root);
		prom_api_error(r, root);
	} else if (!ok) {
		ex = prom_body_excerpt(body, len);
		prom_reply_fail(r, PROM_ERR_HTTP, "HTTP %ld: %s", http_status,
		    ex);
		free(ex);
	} else if (root == NULL) {
		prom_reply_fail(r, PROM_ERR_JSON, "malformed JSON in the "
		    "response (near byte %zu of %zu)", (size_t)
		    (cJSON_GetErrorPtr() != NULL ? cJSON_GetErrorPtr() - body :
		    0), len);
	} else if (st == NULL || strcmp(st, "success") != 0) {
		prom_reply_fail(r, PROM_ERR_JSON, "the response has no "
		    "\"status\":\"success\" or \"error\"");
	} else if (!cJSON_IsObject(*data =
	    cJSON_GetObjectItemCaseSensitive(root, "data"))) {
		prom_reply_fail(r, PROM_ERR_JSON, "the response has no "
		    "\"data\" object");
	} else {
		prom_warnings(r, root);
		r->status = PROM_OK;
		return root;
	}
	cJSON_Delete(root);
	return NULL;
}

/* ------------------------------------------------------------ queries */

/* {"name":"value",...} into a label array. */
static int
prom_labels_from(const cJSON *obj, struct prom_kv **kv, size_t *n)
{
	const cJSON	*it;
	size_t		 i = 0;

	*kv = NULL;
	*n = 0;
	if (obj == NULL)
		return 0;
	if (!cJSON_IsObject(obj))
		return -1;
	*n = (size_t)cJSON_GetArraySize(obj);
	*kv = xcalloc(*n == 0 ? 1 : *n, sizeof **kv);
	cJSON_ArrayForEach(it, obj) {
		if (!cJSON_IsString(it) || it->string == NULL)
			return -1;
		(*kv)[i].name = xstrdup(it->string);
		(*kv)[i].value = xstrdup(it->valuestring);
		i++;
	}
	return 0;
}

/* [1700000000.123, "42"] */
static int
prom_point_from(const cJSON *pair, struct prom_point *p)
{
	const cJSON	*t, *v;

	if (!cJSON_IsArray(pair) || cJSON_GetArraySize(pair) != 2)
		return -1;
	t = cJSON_GetArrayItem(pair, 0);
	v = cJSON_GetArrayItem(pair, 1);
	if (!cJSON_IsNumber(t) || !cJSON_IsString(v))
		return -1;
	p->t_ms = llround(t->valuedouble * 1000.0);
	return prom_parse_double(v->valuestring, strlen(v->valuestring),
	    &p->v);
}

static int
prom_points_from(const cJSON *values, struct prom_series *s)
{
	const cJSON	*it;

	if (!cJSON_IsArray(values))
		return -1;
	s->points = xcalloc((size_t)cJSON_GetArraySize(values) + 1,
	    sizeof *s->points);
	cJSON_ArrayForEach(it, values) {
		if (prom_point_from(it, &s->points[s->n_points]) != 0)
			return -1;
		s->n_points++;
	}
	return 0;
}

/* One element of a vector or matrix result. */
static int
prom_series_from(const cJSON *el, enum prom_result_type type,
    struct prom_series *s)
{
	const cJSON	*v;

	if (prom_labels_from(cJSON_GetObjectItemCaseSensitive(el, "metric"),
	    &s->labels, &s->n_labels) != 0)
		return -1;
	if (type == PROM_RESULT_MATRIX) {
		v = cJSON_GetObjectItemCaseSensitive(el, "values");
		if (v == NULL && cJSON_HasObjectItem(el, "histograms"))
			return 0;	/* native histograms: no float points */
		return prom_points_from(v, s);
	}
	v = cJSON_GetObjectItemCaseSensitive(el, "value");
	if (v == NULL && cJSON_HasObjectItem(el, "histogram"))
		return 0;
	s->points = xcalloc(1, sizeof *s->points);
	if (prom_point_from(v, s->points) != 0)
		return -1;
	s->n_points = 1;
	return 0;
}

static int
prom_result_list(struct prom_reply *r, const cJSON *result)
{
	const cJSON	*el;
	size_t		 n;

	if (!cJSON_IsArray(result))
		return -1;
	n = (size_t)cJSON_GetArraySize(result);
	r->series = xcalloc(n + 1, sizeof *r->series);
	cJSON_ArrayForEach(el, result) {
		if (!cJSON_IsObject(el))
			return -1;
		/* counted first so that a failure frees what was built */
		r->n_series++;
		if (prom_series_from(el, r->type,
		    &r->series[r->n_series - 1]) != 0)
			return -1;
	}
	return 0;
}

static int
prom_result_scalar(struct prom_reply *r, const cJSON *result)
{
	const cJSON	*s;

	if (r->type == PROM_RESULT_STRING) {
		s = cJSON_GetArrayItem(result, 1);
		if (!cJSON_IsArray(result) || !cJSON_IsString(s))
			return -1;
		r->string = xstrdup(s->valuestring);
		return 0;
	}
	r->series = xcalloc(1, sizeof *r->series);
	r->n_series = 1;
	r->series[0].points = xcalloc(1, sizeof *r->series[0].points);
	r->series[0].n_points = 1;
	return prom_point_from(result, r->series[0].points);
}

static int
prom_result_type_of(const char *s, enum prom_result_type *t)
{
	if (s == NULL)
		return -1;
	if (strcmp(s, "vector") == 0)
		*t = PROM_RESULT_VECTOR;
	else if (strcmp(s, "matrix") == 0)
		*t = PROM_RESULT_MATRIX;
	else if (strcmp(s, "scalar") == 0)
		*t = PROM_RESULT_SCALAR;
	else if (strcmp(s, "string") == 0)
		*t = PROM_RESULT_STRING;
	else
		return -1;
	return 0;
}

int
prom_reply_parse_query(struct prom_reply *r, long http_status,
    const char *body, size_t len)
{
	cJSON		*root;
	const cJSON	*data = NULL, *result;
	const char	*rt;
	int		 rc;

	if ((root = prom_envelope(r, http_status, body, len, &data)) == NULL)
		return -1;
	rt = prom_json_str(data, "resultType");
	if (prom_result_type_of(rt, &r->type) != 0) {
		prom_reply_fail(r, PROM_ERR_JSON, "unknown resultType \"%s\"",
		    rt != NULL ? rt : "(none)");
		cJSON_Delete(root);
		return -1;
	}
	result = cJSON_GetObjectItemCaseSensitive(data, "result");
	if (r->type == PROM_RESULT_VECTOR || r->type == PROM_RESULT_MATRIX)
		rc = prom_result_list(r, result);
	else
		rc = prom_result_scalar(r, result);
	if (rc != 0) {
		prom_reply_fail(r, PROM_ERR_JSON, "malformed %s result in the "
		    "response", rt);
	}
	cJSON_Delete(root);
	return rc;
}

/* ------------------------------------------------------------ targets */

/* RFC 3339 as Go writes it: 2024-01-15T10:23:45.123456789+01:00. */
static int
prom_parse_time(const char *s, int64_t *ms)
{
	struct tm	tm;
	int		n = 0, frac_ms = 0, digits = 0, oh = 0, om = 0, sign;
	int64_t		t;

	memset(&tm, 0, sizeof tm);
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon,
	    &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 6)
		return -1;
	s += n;
	if (*s == '.') {
		for (s++; *s >= '0' && *s <= '9'; s++) {
			if (digits++ < 3)
				frac_ms = frac_ms * 10 + (*s - '0');
		}
		for (; digits < 3; digits++)
			frac_ms *= 10;
	}
	if (*s == 'Z' && s[1] == '\0')
		sign = 0;
	else if ((*s == '+' || *s == '-') &&
	    sscanf(s + 1, "%2d:%2d%n", &oh, &om, &n) == 2 && s[1 + n] == '\0')
		sign = *s == '+' ? 1 : -1;
	else
		return -1;
	if (tm.tm_year < 1970) {
		*ms = 0;	/* Go's zero time: never */
		return 0;
	}
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	t = (int64_t)timegm(&tm) - sign * (oh * 3600 + om * 60);
	*ms = t * 1000 + frac_ms;
	return 0;
}

static char *
prom_json_dup(const cJSON *obj, const char *key)
{
	const char	*v = prom_json_str(obj, key);

	return xstrdup(v != NULL ? v : "");
}

static int
prom_target_from(const cJSON *el, struct prom_target *t)
{
	const char	*health, *last;
	const cJSON	*d;

	if (!cJSON_IsObject(el) ||
	    prom_labels_from(cJSON_GetObjectItemCaseSensitive(el, "labels"),
	    &t->labels, &t->n_labels) != 0)
		return -1;
	t->job = xstrdup(prom_target_label(t, "job") != NULL ?
	    prom_target_label(t, "job") : "");
	t->instance = xstrdup(prom_target_label(t, "instance") != NULL ?
	    prom_target_label(t, "instance") : "");
	t->scrape_pool = prom_json_dup(el, "scrapePool");
	t->scrape_url = prom_json_dup(el, "scrapeUrl");
	t->last_error = prom_json_dup(el, "lastError");
	health = prom_json_str(el, "health");
	if (health != NULL && strcmp(health, "up") == 0)
		t->health = PROM_HEALTH_UP;
	else if (health != NULL && strcmp(health, "down") == 0)
		t->health = PROM_HEALTH_DOWN;
	last = prom_json_str(el, "lastScrape");
	if (last != NULL && prom_parse_time(last, &t->last_scrape_ms) != 0)
		return -1;
	d = cJSON_GetObjectItemCaseSensitive(el, "lastScrapeDuration");
	t->last_scrape_duration_s = cJSON_IsNumber(d) ? d->valuedouble : NAN;
	return 0;
}

int
prom_reply_parse_targets(struct prom_reply *r, long http_status,
    const char *body, size_t len)
{
	cJSON		*root;
	const cJSON	*data = NULL, *active, *el;

	if ((root = prom_envelope(r, http_status, body, len, &data)) == NULL)
		return -1;
	active = cJSON_GetObjectItemCaseSensitive(data, "activeTargets");
	if (!cJSON_IsArray(active)) {
		prom_reply_fail(r, PROM_ERR_JSON, "the response has no "
		    "\"activeTargets\" list");
		cJSON_Delete(root);
		return -1;
	}
	r->targets = xcalloc((size_t)cJSON_GetArraySize(active) + 1,
	    sizeof *r->targets);
	cJSON_ArrayForEach(el, active) {
		if (prom_target_from(el, &r->targets[r->n_targets++]) != 0) {
			prom_reply_fail(r, PROM_ERR_JSON, "malformed target %zu "
			    "in the response", r->n_targets);
			cJSON_Delete(root);
			return -1;
		}
	}
	cJSON_Delete(root);
	return 0;
}

/* ------------------------------------------------------------ client */

void
prom_form_escape(struct buf *b, const char *s)
{
	static const char	hex[] = "0123456789ABCDEF";
	unsigned char		c;

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~')
			buf_addc(b, (char)c);
		else {
			buf_addc(b, '%');
			buf_addc(b, hex[c >> 4]);
			buf_addc(b, hex[c & 15]);
		}
	}
}

struct prom_client *
prom_client_new(struct loop *loop, const char *url, int64_t timeout_ms,
    const struct http_tls *tls)
{
	struct prom_client	*c;
	size_t			 len = strlen(url);

	c = xcalloc(1, sizeof *c);
	c->loop = loop;
	while (len > 0 && url[len - 1] == '/')
		len--;
	c->url = xstrndup(url, len);
	c->limits.timeout_ms = timeout_ms;
	c->limits.retries = 1;
	if (tls != NULL) {
		c->ca_file = tls->ca_file != NULL ? xstrdup(tls->ca_file) :
		    NULL;
		c->insecure = tls->insecure;
	}
	TAILQ_INIT(&c->calls);
	return c;
}

struct prom_client *
prom_client_from_config(struct loop *loop, const struct cfg_prometheus *cfg)
{
	struct http_tls	tls;

	tls.ca_file = cfg->tls.ca_file;
	tls.insecure = cfg->tls.insecure;
	return prom_client_new(loop, cfg->url, cfg->timeout_ms, &tls);
}

static void
prom_call_free(struct prom_call *call)
{
	TAILQ_REMOVE(&call->client->calls, call, entry);
	http_free(call->req);
	free(call);
}

void
prom_client_free(struct prom_client *c)
{
	if (c == NULL)
		return;
	while (!TAILQ_EMPTY(&c->calls))
		prom_call_free(TAILQ_FIRST(&c->calls));
	free(c->url);
	free(c->ca_file);
	free(c);
}

const char *
prom_client_url(const struct prom_client *c)
{
	return c->url;
}

struct loop *
prom_client_loop(const struct prom_client *c)
{
	return c->loop;
}

void
prom_call_cancel(struct prom_call *call)
{
	if (call != NULL)
		prom_call_free(call);
}

/* Turns a finished request into a reply. */
static struct prom_reply *
prom_reply_of(struct prom_call *call)
{
	struct prom_reply	*r = xcalloc(1, sizeof *r);
	const struct buf	*body = http_response_body(call->req);
	char			*msg;

	r->elapsed_ms = http_elapsed_ms(call->req);
	switch (http_result(call->req)) {
	case HTTP_OK:
		if (call->kind == PROM_CALL_QUERY)
			prom_reply_parse_query(r, http_status(call->req),
			    buf_str(body), body->len);
		else
			prom_reply_parse_targets(r, http_status(call->req),
			    buf_str(body), body->len);
		break;
	case HTTP_CANCELLED:
		prom_reply_fail(r, PROM_ERR_CANCELLED, "cancelled");
		return r;
	default:
		prom_reply_fail(r, PROM_ERR_TRANSPORT, "%s",
		    http_error(call->req));
		return r;
	}
	if (r->status != PROM_OK) {
		msg = r->error;
		r->error = xasprintf("Prometheus %s: %s", call->client->url,
		    msg);
		free(msg);
	}
	return r;
}

static void
prom_call_done(struct http_req *req, void *arg)
{
	struct prom_call	*call = arg;
	struct prom_reply	*r;
	prom_done_fn		 fn = call->fn;
	void			*fn_arg = call->arg;

	r = prom_reply_of(call);
	prom_call_free(call);
	fn(r, fn_arg);
}

static struct prom_call *
prom_call_start(struct prom_client *c, enum prom_kind kind,
    struct http_req *req, prom_done_fn fn, void *arg)
{
	struct prom_call	*call;
	struct http_tls		 tls;

	call = xcalloc(1, sizeof *call);
	call->client = c;
	call->req = req;
	call->kind = kind;
	call->fn = fn;
	call->arg = arg;
	tls.ca_file = c->ca_file;
	tls.insecure = c->insecure;
	http_tls(req, &tls);
	http_limits(req, &c->limits);
	http_idempotent(req, true);
	http_header(req, "Accept", "application/json");
	http_accept_encoding(req, "");
	TAILQ_INSERT_TAIL(&c->calls, call, entry);
	http_start(c->loop, req, prom_call_done, call);
	return call;
}

/* Epoch ms as the API's decimal seconds. */
static void
prom_form_time(struct buf *b, const char *key, int64_t ms)
{
	buf_printf(b, "&%s=%s%lld.%03lld", key, ms < 0 ? "-" : "",
	    (long long)(llabs(ms) / 1000), (long long)(llabs(ms) % 1000));
}

static struct prom_call *
prom_post_query(struct prom_client *c, const char *path, struct buf *form,
    prom_done_fn fn, void *arg)
{
	struct http_req	*req;
	char		*url;

	url = xasprintf("%s%s", c->url, path);
	req = http_new("POST", url);
	free(url);
	http_header(req, "Content-Type", "application/x-www-form-urlencoded");
	http_body(req, form->data, form->len);
	buf_free(form);
	return prom_call_start(c, PROM_CALL_QUERY, req, fn, arg);
}

struct prom_call *
prom_query_start(struct prom_client *c, const char *expr, int64_t at_ms,
    prom_done_fn fn, void *arg)
{
	struct buf	form = BUF_INIT;

	buf_addstr(&form, "query=");
	prom_form_escape(&form, expr);
	if (at_ms != 0)
		prom_form_time(&form, "time", at_ms);
	return prom_post_query(c, "/api/v1/query", &form, fn, arg);
}

struct prom_call *
prom_query_range_start(struct prom_client *c, const char *expr,
    int64_t start_ms, int64_t end_ms, int64_t step_ms, prom_done_fn fn,
    void *arg)
{
	struct buf	form = BUF_INIT;

	buf_addstr(&form, "query=");
	prom_form_escape(&form, expr);
	prom_form_time(&form, "start", start_ms);
	prom_form_time(&form, "end", end_ms);
	prom_form_time(&form, "step", step_ms);
	return prom_post_query(c, "/api/v1/query_range", &form, fn, arg);
}

struct prom_call *
prom_targets_start(struct prom_client *c, prom_done_fn fn, void *arg)
{
	struct http_req	*req;
	char		*url;

	url = xasprintf("%s/api/v1/targets?state=active", c->url);
	req = http_new("GET", url);
	free(url);
	return prom_call_start(c, PROM_CALL_TARGETS, req, fn, arg);
}

/* ------------------------------------------------------------ sync */

struct prom_sync {
	int			 done;
	struct prom_reply	*reply;
};

static void
prom_sync_done(struct prom_reply *r, void *arg)
{
	struct prom_sync	*s = arg;

	s->reply = r;
	s->done = 1;
}

static struct prom_reply *
prom_sync_wait(struct prom_client *c, struct prom_sync *s)
{
	loop_run_until(c->loop, &s->done);
	return s->reply;
}

struct prom_reply *
prom_query(struct prom_client *c, const char *expr, int64_t at_ms)
{
	struct prom_sync	s = { 0, NULL };

	prom_query_start(c, expr, at_ms, prom_sync_done, &s);
	return prom_sync_wait(c, &s);
}

struct prom_reply *
prom_query_range(struct prom_client *c, const char *expr, int64_t start_ms,
    int64_t end_ms, int64_t step_ms)
{
	struct prom_sync	s = { 0, NULL };

	prom_query_range_start(c, expr, start_ms, end_ms, step_ms,
	    prom_sync_done, &s);
	return prom_sync_wait(c, &s);
}

struct prom_reply *
prom_targets(struct prom_client *c)
{
	struct prom_sync	s = { 0, NULL };

	prom_targets_start(c, prom_sync_done, &s);
	return prom_sync_wait(c, &s);
}
