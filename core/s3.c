#include "s3.h"
#include "s3_sign.h"
#include "loop.h"
#include "util.h"
#include "xmalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S3_DEFAULT_PART_SIZE	(8 * 1024 * 1024)
#define S3_DEFAULT_PARALLEL	4
#define S3_DEFAULT_RETRIES	3
#define S3_MAX_PARTS		10000
#define S3_DELETE_BATCH		1000
/* How much of a server's message goes into ours. */
#define S3_DETAIL_MAX		300

struct s3_client {
	struct loop		*loop;
	char			*endpoint;
	char			*bucket;
	char			*prefix;
	char			*region;
	char			*provider;
	char			*access_key;
	char			*secret_key;
	struct http_limits	 ctl_limits;	/* small requests */
	struct http_limits	 data_limits;	/* transfers: stall timeout */
	char			*ca_file;
	struct http_tls		 tls;
	uint64_t		 part_size;
	int			 parallel;
};

/* A memory body read by curl without copying; rewindable for retries. */
struct membody {
	const char	*data;
	size_t		 len;
	size_t		 off;
};

static ssize_t
membody_read(void *arg, char *dst, size_t len)
{
	struct membody	*m = arg;

	if (len > m->len - m->off)
		len = m->len - m->off;
	if (len != 0)
		memcpy(dst, m->data + m->off, len);
	m->off += len;
	return (ssize_t)len;
}

static int
membody_rewind(void *arg)
{
	struct membody	*m = arg;

	m->off = 0;
	return 0;
}

/* ---------------------------------------------------------------- errors */

void
s3_error_clear(struct s3_error *e)
{
	if (e == NULL)
		return;
	free(e->code);
	free(e->detail);
	free(e->request_id);
	free(e->message);
	memset(e, 0, sizeof *e);
}

bool
s3_error_not_found(const struct s3_error *e)
{
	if (e == NULL || e->kind != S3_ERR_SERVER)
		return false;
	if (e->code == NULL)
		return e->status == 404;
	return strcmp(e->code, "NoSuchKey") == 0 ||
	    strcmp(e->code, "NoSuchUpload") == 0 ||
	    strcmp(e->code, "NotFound") == 0;
}

static char *
dup_or_null(const char *s)
{
	return s != NULL ? xstrdup(s) : NULL;
}

static void
s3_error_copy(struct s3_error *dst, const struct s3_error *src)
{
	if (dst == NULL)
		return;
	s3_error_clear(dst);
	dst->kind = src->kind;
	dst->status = src->status;
	dst->code = dup_or_null(src->code);
	dst->detail = dup_or_null(src->detail);
	dst->request_id = dup_or_null(src->request_id);
	dst->message = dup_or_null(src->message);
}

/* Moves src into dst (dst may be NULL: src is just cleared). */
static void
s3_error_move(struct s3_error *dst, struct s3_error *src)
{
	if (dst != NULL) {
		s3_error_clear(dst);
		*dst = *src;
		memset(src, 0, sizeof *src);
	} else
		s3_error_clear(src);
}

/*
 * Makes text safe to show: control characters (terminal escapes from a
 * hostile server or key) become '?', and the credentials, should a server
 * echo them, become "***".
 */
static void
sanitize(const struct s3_client *c, char *s)
{
	const char	*secrets[] = { c->secret_key, c->access_key };
	char		*p;
	size_t		 i, n;

	for (p = s; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	}
	for (i = 0; i < nitems(secrets); i++) {
		n = strlen(secrets[i]);
		if (n < 4)
			continue;
		while ((p = strstr(s, secrets[i])) != NULL) {
			memcpy(p, "***", 3);
			memmove(p + 3, p + n, strlen(p + n) + 1);
		}
	}
}

static void s3_error_set(const struct s3_client *, struct s3_error *,
    enum s3_err_kind, long, const char *, ...) CHOPS_PRINTFLIKE(5, 6);

static void
s3_error_set(const struct s3_client *c, struct s3_error *e,
    enum s3_err_kind kind, long status, const char *fmt, ...)
{
	va_list	ap;

	if (e == NULL)
		return;
	s3_error_clear(e);
	e->kind = kind;
	e->status = status;
	va_start(ap, fmt);
	e->message = xvasprintf(fmt, ap);
	va_end(ap);
	sanitize(c, e->message);
}

/* What an S3 error code means for the user; NULL when the code says it. */
static char *
s3_hint(const struct s3_client *c, const char *code, const char *key)
{
	static const struct {
		const char	*code;
		const char	*hint;
	} hints[] = {
		{ "SignatureDoesNotMatch", "the secret key does not match the "
		    "access key (check s3.secret_key)" },
		{ "InvalidAccessKeyId", "the access key is not known to the "
		    "server (check s3.access_key)" },
		{ "AccessDenied", "access denied: these credentials may not do "
		    "this" },
		{ "NoSuchUpload", "the multipart upload does not exist "
		    "(aborted or already completed)" },
		{ "RequestTimeTooSkewed", "the local clock differs too much "
		    "from the server's" },
		{ "InvalidRange", "the range is outside the object" },
		{ "EntityTooSmall", "a part is smaller than the server allows "
		    "(raise s3.part_size)" },
		{ "AuthorizationHeaderMalformed", "the request was signed for "
		    "another region (check s3.region)" },
		{ "PermanentRedirect", "the bucket lives at another endpoint "
		    "or region (check s3.endpoint and s3.region)" },
	};
	size_t	i;

	if (strcmp(code, "NoSuchBucket") == 0)
		return xasprintf("bucket '%s' does not exist at %s", c->bucket,
		    c->endpoint);
	if (strcmp(code, "NoSuchKey") == 0)
		return xasprintf("no object '%s'", key != NULL ? key : "");
	for (i = 0; i < nitems(hints); i++) {
		if (strcmp(code, hints[i].code) == 0)
			return xstrdup(hints[i].hint);
	}
	return NULL;
}

/* A short excerpt of a non-XML error body (a proxy's page, say). */
static char *
body_excerpt(const struct buf *body)
{
	size_t	n = strcspn(buf_str(body), "\r\n");

	return xstrndup(buf_str(body), n > 200 ? 200 : n);
}

static void
s3_error_compose(const struct s3_client *c, struct s3_error *e,
    const char *what, const char *key)
{
	char	*hint = NULL;

	if (e->code != NULL)
		hint = s3_hint(c, e->code, key);
	if (hint != NULL)
		e->message = xasprintf("S3 %s: %s (%s, HTTP %ld)", what, hint,
		    e->code, e->status);
	else if (e->code != NULL && e->detail != NULL && *e->detail != '\0')
		e->message = xasprintf("S3 %s: %s: %.*s (HTTP %ld)", what,
		    e->code, S3_DETAIL_MAX, e->detail, e->status);
	else if (e->code != NULL)
		e->message = xasprintf("S3 %s: %s (HTTP %ld)", what, e->code,
		    e->status);
	else if (e->status == 404)
		e->message = xasprintf("S3 %s: not found (HTTP 404)", what);
	else if (e->status == 403)
		e->message = xasprintf("S3 %s: access denied or wrong "
		    "credentials (HTTP 403)", what);
	else if (e->status >= 300 && e->status < 400)
		e->message = xasprintf("S3 %s: redirected (HTTP %ld): check "
		    "s3.endpoint and s3.region", what, e->status);
	else
		e->message = xasprintf("S3 %s: HTTP %ld%s%.*s", what, e->status,
		    e->detail != NULL ? ": " : "", S3_DETAIL_MAX,
		    e->detail != NULL ? e->detail : "");
	free(hint);
	sanitize(c, e->message);
}

/* An error answer (or an Error document in a 200 answer). */
static void
s3_server_error(const struct s3_client *c, struct s3_error *e,
    const char *what, const char *key, long status, const struct buf *body)
{
	struct s3_xml			*x;
	const struct s3_xml_result	*r;

	if (e == NULL)
		return;
	s3_error_clear(e);
	e->kind = S3_ERR_SERVER;
	e->status = status;
	if (body->len != 0) {
		x = s3_xml_parse(S3_XML_ERROR, body->data, body->len, NULL,
		    NULL);
		r = s3_xml_result(x);
		if (s3_xml_error(x) == NULL && *r->code != '\0') {
			e->code = xstrdup(r->code);
			e->detail = xstrdup(r->message);
			if (*r->request_id != '\0')
				e->request_id = xstrdup(r->request_id);
		} else
			e->detail = body_excerpt(body);
		s3_xml_free(x);
	}
	if (e->detail != NULL)
		sanitize(c, e->detail);
	s3_error_compose(c, e, what, key);
}

/* A finished request: 0 for a 2xx answer, else -1 and the error. */
static int
s3_outcome(const struct s3_client *c, struct http_req *req, const char *what,
    const char *key, struct s3_error *e)
{
	long	status;

	switch (http_result(req)) {
	case HTTP_OK:
		break;
	case HTTP_CANCELLED:
		s3_error_set(c, e, S3_ERR_CANCELLED, 0, "S3 %s: cancelled",
		    what);
		return -1;
	default:
		s3_error_set(c, e, S3_ERR_TRANSPORT, 0, "S3 %s: %s", what,
		    http_error(req));
		return -1;
	}
	status = http_status(req);
	if (status >= 200 && status <= 299)
		return 0;
	s3_server_error(c, e, what, key, status, http_response_body(req));
	return -1;
}

/* Parses a 2xx body that may still be an Error document. */
static struct s3_xml *
s3_parse_body(const struct s3_client *c, struct http_req *req,
    enum s3_xml_doc doc, s3_item_fn fn, void *arg, const char *what,
    struct s3_error *e)
{
	const struct buf	*body = http_response_body(req);
	struct s3_xml		*x;

	x = s3_xml_parse(doc, body->data, body->len, fn, arg);
	if (s3_xml_error(x) != NULL) {
		s3_error_set(c, e, S3_ERR_PROTOCOL, http_status(req),
		    "S3 %s: malformed response: %s", what, s3_xml_error(x));
	} else if (s3_xml_result(x)->is_error) {
		s3_server_error(c, e, what, NULL, http_status(req), body);
	} else
		return x;
	s3_xml_free(x);
	return NULL;
}

/* ---------------------------------------------------------------- client */

static void
s3_set_limits(struct s3_client *c, const struct cfg_s3 *cfg)
{
	int64_t	t = cfg->timeout_ms > 0 ? cfg->timeout_ms : 30000;

	memset(&c->ctl_limits, 0, sizeof c->ctl_limits);
	c->ctl_limits.connect_timeout_ms = cfg->connect_timeout_ms;
	c->ctl_limits.timeout_ms = t;
	c->ctl_limits.retries = S3_DEFAULT_RETRIES;
	c->data_limits = c->ctl_limits;
	c->data_limits.timeout_ms = 0;
	c->data_limits.low_speed_bytes = 1;
	c->data_limits.low_speed_secs = t < 1000 ? 1 : (long)(t / 1000);
}

struct s3_client *
s3_new(struct loop *loop, const struct cfg_s3 *cfg)
{
	struct s3_client	*c;
	const char		*bundle = getenv("AWS_CA_BUNDLE");

	c = xcalloc(1, sizeof *c);
	c->loop = loop;
	c->endpoint = xstrdup(cfg->endpoint);
	while (*c->endpoint != '\0' &&
	    c->endpoint[strlen(c->endpoint) - 1] == '/')
		c->endpoint[strlen(c->endpoint) - 1] = '\0';
	c->bucket = xstrdup(cfg->bucket);
	c->prefix = xstrdup(cfg->prefix != NULL ? cfg->prefix : "");
	c->region = xstrdup(cfg->region != NULL && *cfg->region != '\0' ?
	    cfg->region : "us-east-1");
	c->provider = s3_provider(c->region);
	c->access_key = xstrdup(cfg->access_key != NULL ? cfg->access_key : "");
	c->secret_key = xstrdup(cfg->secret_key != NULL ? cfg->secret_key : "");
	s3_set_limits(c, cfg);
	/* AWS tools take AWS_CA_BUNDLE as the CA file: so do we */
	if (cfg->tls.ca_file != NULL)
		c->ca_file = xstrdup(cfg->tls.ca_file);
	else if (bundle != NULL && *bundle != '\0')
		c->ca_file = xstrdup(bundle);
	c->tls.ca_file = c->ca_file;
	c->tls.insecure = cfg->tls.insecure;
	c->part_size = cfg->part_size > 0 ? cfg->part_size :
	    S3_DEFAULT_PART_SIZE;
	c->parallel = cfg->parallel > 0 ? cfg->parallel : S3_DEFAULT_PARALLEL;
	return c;
}

void
s3_free(struct s3_client *c)
{
	if (c == NULL)
		return;
	free(c->endpoint);
	free(c->bucket);
	free(c->prefix);
	free(c->region);
	free(c->provider);
	util_free_secret(c->access_key);
	util_free_secret(c->secret_key);
	free(c->ca_file);
	free(c);
}

const char *
s3_bucket(const struct s3_client *c)
{
	return c->bucket;
}

const char *
s3_endpoint(const struct s3_client *c)
{
	return c->endpoint;
}

char *
s3_key(const struct s3_client *c, const char *rel)
{
	return xasprintf("%s%s", c->prefix, rel);
}

void
s3_set_retries(struct s3_client *c, int n)
{
	c->ctl_limits.retries = c->data_limits.retries = n < 0 ? 0 : n;
}

/* "GET bucket/key" for messages (caller frees). */
static char *
s3_what(const struct s3_client *c, const char *op, const char *key)
{
	if (key == NULL || *key == '\0')
		return xasprintf("%s %s", op, c->bucket);
	return xasprintf("%s %s/%s", op, c->bucket, key);
}

/*
 * A signed request. payload_hash is the body's SHA-256 (hex) or
 * UNSIGNED-PAYLOAD; curl 7.88 does not add x-amz-content-sha256 itself.
 */
static struct http_req *
s3_req_new(const struct s3_client *c, const char *method, const char *key,
    const char *query, const char *payload_hash, bool data)
{
	struct http_req	*req;
	char		*url;

	url = s3_url(c->endpoint, c->bucket, key, query);
	req = http_new(method, url);
	free(url);
	http_sigv4(req, c->provider, c->access_key, c->secret_key);
	http_header(req, "x-amz-content-sha256", payload_hash);
	http_limits(req, data ? &c->data_limits : &c->ctl_limits);
	http_tls(req, &c->tls);
	return req;
}

/* A request with a memory body: its hash, Content-MD5, body from m. */
static struct http_req *
s3_req_body(const struct s3_client *c, const char *method, const char *key,
    const char *query, struct membody *m, const char *content_type)
{
	struct http_req	*req;
	char		 sha[S3_SHA256_HEX_LEN + 1], md5[S3_MD5_B64_LEN + 1];

	s3_sha256_hex(m->data, m->len, sha);
	s3_md5_base64(m->data, m->len, md5);
	req = s3_req_new(c, method, key, query, sha, m->len > 65536);
	http_header(req, "Content-MD5", md5);
	if (content_type != NULL)
		http_header(req, "Content-Type", content_type);
	m->off = 0;
	http_body_source(req, membody_read, membody_rewind, m,
	    (int64_t)m->len);
	return req;
}

/* ---------------------------------------------------------------- objects */

/* Performs a request and judges its answer. */
static int
s3_run(struct s3_client *c, struct http_req *req, const char *op,
    const char *key, struct s3_error *e)
{
	char	*what = s3_what(c, op, key);
	int	 rc;

	http_perform(c->loop, req);
	rc = s3_outcome(c, req, what, key, e);
	free(what);
	return rc;
}

void
s3_head_info_clear(struct s3_head_info *h)
{
	if (h == NULL)
		return;
	free(h->etag);
	free(h->content_type);
	memset(h, 0, sizeof *h);
}

static void
s3_head_fill(struct http_req *req, struct s3_head_info *h)
{
	const char		*v;
	unsigned long long	 n;
	time_t			 t;

	s3_head_info_clear(h);
	h->mtime_ms = -1;
	v = http_response_header(req, "Content-Length");
	if (v != NULL && util_strtoull(v, strlen(v), &n) == 0)
		h->size = n;
	v = http_response_header(req, "ETag");
	if (v != NULL) {
		h->etag = xstrdup(v[0] == '"' ? v + 1 : v);
		h->etag[strcspn(h->etag, "\"")] = '\0';
	}
	v = http_response_header(req, "Last-Modified");
	if (v != NULL && (t = curl_getdate(v, NULL)) != -1)
		h->mtime_ms = (int64_t)t * 1000;
	v = http_response_header(req, "Content-Type");
	if (v != NULL)
		h->content_type = xstrdup(v);
}

/*
 * A HEAD error has no body, so 403 and 404 do not say why (wrong secret?
 * no bucket?). A one-byte GET of the same key asks the server for the
 * reason. Returns 0 for a missing key, -1 with the error otherwise.
 */
static int
s3_head_diagnose(struct s3_client *c, const char *key, long status,
    struct s3_error *e)
{
	struct buf	b = BUF_INIT;
	struct s3_error	ge;
	char		*what;

	memset(&ge, 0, sizeof ge);
	if (s3_get_buf(c, key, 0, 1, &b, &ge) == 0 ||
	    ge.kind != S3_ERR_SERVER) {
		/* no better explanation: report the HEAD status */
		s3_error_clear(&ge);
		ge.kind = S3_ERR_SERVER;
		ge.status = status;
		what = s3_what(c, "HEAD", key);
		s3_error_compose(c, &ge, what, key);
		free(what);
	}
	buf_free(&b);
	if (ge.code != NULL && strcmp(ge.code, "NoSuchKey") == 0) {
		s3_error_clear(&ge);
		return 0;
	}
	s3_error_move(e, &ge);
	return -1;
}

int
s3_head(struct s3_client *c, const char *key, struct s3_head_info *h,
    struct s3_error *e)
{
	struct http_req	*req;
	struct s3_error	 le;
	long		 status;
	int		 rc;

	memset(&le, 0, sizeof le);
	req = s3_req_new(c, "HEAD", key, NULL, S3_EMPTY_SHA256, false);
	http_idempotent(req, true);
	rc = s3_run(c, req, "HEAD", key, &le);
	status = http_status(req);
	if (rc == 0 && h != NULL)
		s3_head_fill(req, h);
	http_free(req);
	if (rc == 0)
		return 1;
	if (le.kind == S3_ERR_SERVER && le.code == NULL && status >= 400 &&
	    status <= 499) {
		s3_error_clear(&le);
		return s3_head_diagnose(c, key, status, e);
	}
	s3_error_move(e, &le);
	return -1;
}

int
s3_put(struct s3_client *c, const char *key, const void *data, size_t len,
    struct s3_error *e)
{
	struct membody	 m = { data, len, 0 };
	struct http_req	*req;
	int		 rc;

	req = s3_req_body(c, "PUT", key, NULL, &m, NULL);
	http_idempotent(req, true);
	rc = s3_run(c, req, "PUT", key, e);
	http_free(req);
	return rc;
}

int
s3_put_source(struct s3_client *c, const char *key, http_source_fn fn,
    http_rewind_fn rw, void *arg, uint64_t len, struct s3_error *e)
{
	struct http_req	*req;
	int		 rc;

	req = s3_req_new(c, "PUT", key, NULL, S3_UNSIGNED_PAYLOAD, true);
	http_body_source(req, fn, rw, arg, (int64_t)len);
	http_idempotent(req, rw != NULL);
	rc = s3_run(c, req, "PUT", key, e);
	if (rc != 0 && http_result(req) == HTTP_CANCELLED) {
		s3_error_set(c, e, S3_ERR_SOURCE, 0, "S3 PUT %s/%s: the data "
		    "source failed", c->bucket, key);
	}
	http_free(req);
	return rc;
}

int
s3_delete(struct s3_client *c, const char *key, struct s3_error *e)
{
	struct http_req	*req;
	int		 rc;

	req = s3_req_new(c, "DELETE", key, NULL, S3_EMPTY_SHA256, false);
	http_idempotent(req, true);
	rc = s3_run(c, req, "DELETE", key, e);
	http_free(req);
	return rc;
}

/* The entity for a character XML text cannot hold as is, or NULL. */
static const char *
xml_entity(char c)
{
	switch (c) {
	case '&':
		return "&amp;";
	case '<':
		return "&lt;";
	case '>':
		return "&gt;";
	case '"':
		return "&quot;";
	case '\'':
		return "&apos;";
	case '\t':
		return "&#9;";
	case '\n':
		return "&#10;";
	case '\r':
		return "&#13;";
	}
	return NULL;
}

/* Escapes a key for XML text; -1 for characters XML 1.0 cannot carry. */
static int
xml_escape(struct buf *b, const char *s)
{
	const char	*ent;

	for (; *s != '\0'; s++) {
		if ((ent = xml_entity(*s)) != NULL)
			buf_addstr(b, ent);
		else if ((unsigned char)*s < 0x20)
			return -1;
		else
			buf_addc(b, *s);
	}
	return 0;
}

/* Per-key failures reported by DeleteObjects. */
struct del_state {
	size_t		 n_failed;
	char		*key;		/* the first failure */
	char		*code;
	char		*message;
};

static int
del_item(void *arg, const struct s3_item *it)
{
	struct del_state	*st = arg;

	if (it->kind != S3_ITEM_DELETE_ERROR)
		return 0;
	if (st->n_failed++ == 0) {
		st->key = xstrdup(it->key);
		st->code = xstrdup(it->code);
		st->message = xstrdup(it->message);
	}
	return 0;
}

/*
 * The request body for one batch. Keys XML 1.0 cannot carry (control
 * characters) are left out and deleted one by one instead.
 */
static size_t
del_body(struct s3_client *c, const char *const *keys, size_t n,
    struct buf *b, struct del_state *st, struct s3_error *e)
{
	size_t	i, mark, added = 0;

	buf_addstr(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Delete "
	    "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
	    "<Quiet>true</Quiet>");
	for (i = 0; i < n; i++) {
		mark = b->len;
		buf_addstr(b, "<Object><Key>");
		if (xml_escape(b, keys[i]) == 0) {
			buf_addstr(b, "</Key></Object>");
			added++;
			continue;
		}
		b->len = mark;
		b->data[mark] = '\0';
		if (s3_delete(c, keys[i], e) != 0 && st->n_failed++ == 0) {
			st->key = xstrdup(keys[i]);
			st->code = xstrdup(e->code != NULL ? e->code : "Error");
			st->message = xstrdup(e->message);
		}
		s3_error_clear(e);
	}
	buf_addstr(b, "</Delete>");
	return added;
}

static int
s3_delete_batch(struct s3_client *c, const char *const *keys, size_t n,
    struct del_state *st, struct s3_error *e)
{
	struct buf	 body = BUF_INIT;
	struct membody	 m;
	struct http_req	*req;
	struct s3_xml	*x;
	char		*what = s3_what(c, "DeleteObjects", NULL);
	int		 rc;

	if (del_body(c, keys, n, &body, st, e) == 0) {
		buf_free(&body);
		free(what);
		return 0;
	}
	m = (struct membody){ body.data, body.len, 0 };
	req = s3_req_body(c, "POST", NULL, "delete=", &m, "application/xml");
	http_idempotent(req, true);
	http_perform(c->loop, req);
	rc = s3_outcome(c, req, what, NULL, e);
	if (rc == 0) {
		x = s3_parse_body(c, req, S3_XML_DELETE, del_item, st, what, e);
		rc = x != NULL ? 0 : -1;
		s3_xml_free(x);
	}
	http_free(req);
	buf_free(&body);
	free(what);
	return rc;
}

int
s3_delete_objects(struct s3_client *c, const char *const *keys, size_t n,
    struct s3_error *e)
{
	struct del_state	st;
	struct s3_error		le;
	size_t			i, chunk;
	int			rc = 0;

	memset(&st, 0, sizeof st);
	memset(&le, 0, sizeof le);
	for (i = 0; i < n && rc == 0; i += chunk) {
		chunk = n - i > S3_DELETE_BATCH ? S3_DELETE_BATCH : n - i;
		rc = s3_delete_batch(c, keys + i, chunk, &st, &le);
	}
	if (rc == 0 && st.n_failed > 0) {
		s3_error_set(c, &le, S3_ERR_SERVER, 200, "S3 DeleteObjects "
		    "%s: %zu of %zu keys were not deleted; the first, '%s': "
		    "%s: %.*s", c->bucket, st.n_failed, n, st.key, st.code,
		    S3_DETAIL_MAX, st.message);
		le.code = xstrdup(st.code);
		rc = -1;
	}
	free(st.key);
	free(st.code);
	free(st.message);
	s3_error_move(rc == 0 ? NULL : e, &le);
	return rc;
}

/* One page of ListMultipartUploads; advances the markers. */
static int
s3_uploads_page(struct s3_client *c, const char *prefix, char **key_marker,
    char **id_marker, s3_item_fn fn, void *arg, struct s3_error *e)
{
	struct s3_param			 p[4];
	struct http_req			*req;
	struct s3_xml			*x = NULL;
	const struct s3_xml_result	*r;
	char				*q, *what;
	size_t				 n = 0;

	what = s3_what(c, "ListUploads", NULL);
	p[n++] = (struct s3_param){ "uploads", NULL };
	if (prefix != NULL && *prefix != '\0')
		p[n++] = (struct s3_param){ "prefix", prefix };
	if (*key_marker != NULL) {
		p[n++] = (struct s3_param){ "key-marker", *key_marker };
		p[n++] = (struct s3_param){ "upload-id-marker", *id_marker };
	}
	q = s3_canonical_query(p, n);
	req = s3_req_new(c, "GET", NULL, q, S3_EMPTY_SHA256, false);
	http_idempotent(req, true);
	http_perform(c->loop, req);
	free(*key_marker);
	free(*id_marker);
	*key_marker = *id_marker = NULL;
	if (s3_outcome(c, req, what, NULL, e) == 0 &&
	    (x = s3_parse_body(c, req, S3_XML_LIST_UPLOADS, fn, arg, what,
	    e)) != NULL) {
		r = s3_xml_result(x);
		if (r->truncated && *r->next_key_marker != '\0' &&
		    !s3_xml_stopped(x)) {
			*key_marker = xstrdup(r->next_key_marker);
			*id_marker = xstrdup(r->next_upload_id_marker);
		}
	}
	http_free(req);
	free(q);
	free(what);
	if (x == NULL)
		return -1;
	s3_xml_free(x);
	return 0;
}

int
s3_list_uploads(struct s3_client *c, const char *prefix, s3_item_fn fn,
    void *arg, struct s3_error *e)
{
	char	*key_marker = NULL, *id_marker = NULL;
	int	 rc;

	do {
		rc = s3_uploads_page(c, prefix, &key_marker, &id_marker, fn,
		    arg, e);
	} while (rc == 0 && key_marker != NULL);
	free(key_marker);
	free(id_marker);
	return rc;
}

int
s3_abort_upload(struct s3_client *c, const char *key, const char *upload_id,
    struct s3_error *e)
{
	const struct s3_param	 p[] = { { "uploadId", upload_id } };
	struct http_req		*req;
	char			*q = s3_canonical_query(p, nitems(p));
	int			 rc;

	req = s3_req_new(c, "DELETE", key, q, S3_EMPTY_SHA256, false);
	http_idempotent(req, true);
	rc = s3_run(c, req, "AbortMultipartUpload", key, e);
	http_free(req);
	free(q);
	return rc;
}

/* ---------------------------------------------------------------- async */

enum op_type {
	OP_LIST,
	OP_GET,
	OP_PUT,
	OP_HEAD,
	OP_DELETE,
};

struct s3_op {
	struct s3_client	*c;
	enum op_type		 type;
	struct http_req		*req;
	s3_op_done_fn		 done;
	void			*arg;
	char			*what;
	bool			 running;
	uint64_t		 count;

	/* list */
	char			*prefix;
	char			*delimiter;
	int			 max_keys;
	int			 max_pages;
	int			 pages;
	s3_item_fn		 each;
	void			*each_arg;
	struct s3_xml		*xml;
	char			*token;

	/* get */
	char			*key;
	bool			 range;
	http_sink_fn		 sink;
	void			*sink_arg;
	bool			 checked;
	bool			 sink_failed;
	bool			 bad_range;

	/* put (a copy of the body), and what a 2xx answer's headers said */
	char			*body;
	struct membody		 mb;
	struct s3_head_info	 info;
};

static struct s3_op *
op_new(struct s3_client *c, enum op_type type, s3_op_done_fn done, void *arg)
{
	struct s3_op	*op;

	op = xcalloc(1, sizeof *op);
	op->c = c;
	op->type = type;
	op->done = done;
	op->arg = arg;
	return op;
}

/* Ends the operation; the callback may free it, so nothing follows. */
static void
op_finish(struct s3_op *op, struct s3_error *e)
{
	long	status;

	op->running = false;
	if (op->req != NULL && http_result(op->req) == HTTP_OK) {
		status = http_status(op->req);
		if (status >= 200 && status <= 299)
			s3_head_fill(op->req, &op->info);
	}
	http_free(op->req);
	op->req = NULL;
	s3_xml_free(op->xml);
	op->xml = NULL;
	op->done(op, e != NULL && e->kind != S3_ERR_NONE ? e : NULL, op->arg);
}

void
s3_op_cancel(struct s3_op *op)
{
	if (op != NULL && op->running && op->req != NULL)
		http_cancel(op->req);
}

void
s3_op_resume(struct s3_op *op)
{
	if (op != NULL && op->running && op->req != NULL)
		http_resume(op->req);
}

void
s3_op_free(struct s3_op *op)
{
	if (op == NULL)
		return;
	http_free(op->req);
	s3_xml_free(op->xml);
	free(op->what);
	free(op->prefix);
	free(op->delimiter);
	free(op->token);
	free(op->key);
	free(op->body);
	s3_head_info_clear(&op->info);
	free(op);
}

uint64_t
s3_op_count(const struct s3_op *op)
{
	return op->count;
}

const struct s3_head_info *
s3_op_info(const struct s3_op *op)
{
	return &op->info;
}

/* Sync wrappers run an operation to its end on the loop. */
struct sync_wait {
	volatile int	 done;
	int		 rc;
	struct s3_error	*e;
};

static void
sync_done(struct s3_op *op, const struct s3_error *e, void *arg)
{
	struct sync_wait	*w = arg;

	w->rc = e != NULL ? -1 : 0;
	if (e != NULL)
		s3_error_copy(w->e, e);
	w->done = 1;
}

static int
sync_wait(struct s3_client *c, struct s3_op *op, struct sync_wait *w)
{
	loop_run_until(c->loop, (const volatile int *)&w->done);
	s3_op_free(op);
	return w->rc;
}

/* ---------------------------------------------------------------- list */

static void	list_page_start(struct s3_op *);

static int
list_item(void *arg, const struct s3_item *it)
{
	struct s3_op	*op = arg;

	op->count++;
	return op->each(op->each_arg, it);
}

static size_t
list_sink(void *arg, const char *data, size_t len)
{
	struct s3_op	*op = arg;

	return s3_xml_feed(op->xml, data, len) == 0 ? len : 0;
}

/* An Error document where a listing was expected (a 200 answer). */
static void
list_error_doc(struct s3_op *op, const struct s3_xml_result *r,
    struct s3_error *e)
{
	s3_error_clear(e);
	e->kind = S3_ERR_SERVER;
	e->status = http_status(op->req);
	e->code = xstrdup(r->code);
	e->detail = xstrdup(r->message);
	sanitize(op->c, e->detail);
	s3_error_compose(op->c, e, op->what, NULL);
}

/* Judges a finished page: 1 for another page, 0 done, -1 error. */
static int
list_page_judge(struct s3_op *op, struct s3_error *e)
{
	const struct s3_xml_result	*r;

	if (s3_xml_stopped(op->xml))
		return 0;
	if (s3_xml_error(op->xml) == NULL &&
	    s3_outcome(op->c, op->req, op->what, NULL, e) != 0)
		return -1;
	if (s3_xml_error(op->xml) != NULL || s3_xml_finish(op->xml) < 0) {
		s3_error_set(op->c, e, S3_ERR_PROTOCOL, http_status(op->req),
		    "S3 %s: malformed response: %s", op->what,
		    s3_xml_error(op->xml));
		return -1;
	}
	r = s3_xml_result(op->xml);
	if (r->is_error) {
		list_error_doc(op, r, e);
		return -1;
	}
	if (s3_xml_stopped(op->xml) || !r->truncated ||
	    (op->max_pages > 0 && op->pages >= op->max_pages))
		return 0;
	if (*r->next_token == '\0') {
		s3_error_set(op->c, e, S3_ERR_PROTOCOL, 0, "S3 %s: truncated "
		    "listing without a continuation token", op->what);
		return -1;
	}
	free(op->token);
	op->token = xstrdup(r->next_token);
	return 1;
}

static void
list_page_done(struct http_req *req, void *arg)
{
	struct s3_op	*op = arg;
	struct s3_error	 e;

	memset(&e, 0, sizeof e);
	if (list_page_judge(op, &e) == 1) {
		http_free(op->req);
		op->req = NULL;
		s3_xml_free(op->xml);
		op->xml = NULL;
		list_page_start(op);
		return;
	}
	op_finish(op, &e);
	s3_error_clear(&e);
}

static char *
list_query(const struct s3_op *op)
{
	struct s3_param	p[5];
	char		max[16];
	size_t		n = 0;

	p[n++] = (struct s3_param){ "list-type", "2" };
	if (op->prefix != NULL)
		p[n++] = (struct s3_param){ "prefix", op->prefix };
	if (op->delimiter != NULL)
		p[n++] = (struct s3_param){ "delimiter", op->delimiter };
	if (op->max_keys > 0) {
		snprintf(max, sizeof max, "%d", op->max_keys);
		p[n++] = (struct s3_param){ "max-keys", max };
	}
	if (op->token != NULL)
		p[n++] = (struct s3_param){ "continuation-token", op->token };
	return s3_canonical_query(p, n);
}

static void
list_page_start(struct s3_op *op)
{
	char	*q = list_query(op);

	op->pages++;
	op->xml = s3_xml_new(S3_XML_LIST_OBJECTS, list_item, op);
	op->req = s3_req_new(op->c, "GET", NULL, q, S3_EMPTY_SHA256, false);
	free(q);
	http_idempotent(op->req, true);
	http_sink(op->req, list_sink, op);
	op->running = true;
	http_start(op->c->loop, op->req, list_page_done, op);
}

struct s3_op *
s3_list_start(struct s3_client *c, const struct s3_list_opts *opts,
    s3_item_fn fn, void *item_arg, s3_op_done_fn done, void *arg)
{
	struct s3_op	*op = op_new(c, OP_LIST, done, arg);

	if (opts->prefix != NULL && *opts->prefix != '\0')
		op->prefix = xstrdup(opts->prefix);
	if (opts->delimiter != NULL && *opts->delimiter != '\0')
		op->delimiter = xstrdup(opts->delimiter);
	op->max_keys = opts->max_keys;
	op->max_pages = opts->max_pages;
	op->each = fn;
	op->each_arg = item_arg;
	op->what = xasprintf("list %s/%s", c->bucket,
	    op->prefix != NULL ? op->prefix : "");
	list_page_start(op);
	return op;
}

int
s3_list(struct s3_client *c, const struct s3_list_opts *opts, s3_item_fn fn,
    void *arg, struct s3_error *e)
{
	struct sync_wait	 w = { 0, 0, e };
	struct s3_op		*op;

	op = s3_list_start(c, opts, fn, arg, sync_done, &w);
	return sync_wait(c, op, &w);
}

/* ---------------------------------------------------------------- get */

static size_t
get_sink(void *arg, const char *data, size_t len)
{
	struct s3_op	*op = arg;
	size_t		 r;

	if (!op->checked) {
		op->checked = true;
		/* a server that ignores Range would send the whole object */
		if (op->range &&
		    http_response_header(op->req, "Content-Range") == NULL) {
			op->bad_range = true;
			return 0;
		}
	}
	r = op->sink(op->sink_arg, data, len);
	if (r == len)
		op->count += len;
	else if (r != HTTP_SINK_PAUSE)
		op->sink_failed = true;
	return r;
}

static void
get_done(struct http_req *req, void *arg)
{
	struct s3_op	*op = arg;
	struct s3_error	 e;

	memset(&e, 0, sizeof e);
	if (op->bad_range)
		s3_error_set(op->c, &e, S3_ERR_PROTOCOL, http_status(req),
		    "S3 %s: the server ignored the Range header", op->what);
	else if (op->sink_failed)
		s3_error_set(op->c, &e, S3_ERR_SOURCE, http_status(req),
		    "S3 %s: the receiver of the data failed", op->what);
	else
		s3_outcome(op->c, req, op->what, op->key, &e);
	op_finish(op, &e);
	s3_error_clear(&e);
}

struct s3_op *
s3_get_start(struct s3_client *c, const char *key, int64_t off, int64_t len,
    http_sink_fn sink, void *sink_arg, s3_op_done_fn done, void *arg)
{
	struct s3_op	*op = op_new(c, OP_GET, done, arg);
	char		*range = NULL;

	op->key = xstrdup(key);
	op->what = s3_what(c, "GET", key);
	op->sink = sink;
	op->sink_arg = sink_arg;
	op->req = s3_req_new(c, "GET", key, NULL, S3_EMPTY_SHA256, true);
	if (len > 0)
		range = xasprintf("bytes=%lld-%lld", (long long)off,
		    (long long)(off + len - 1));
	else if (off > 0)
		range = xasprintf("bytes=%lld-", (long long)off);
	if (range != NULL) {
		op->range = true;
		http_header(op->req, "Range", range);
		free(range);
	}
	http_idempotent(op->req, true);
	http_sink(op->req, get_sink, op);
	op->running = true;
	http_start(c->loop, op->req, get_done, op);
	return op;
}

int
s3_get(struct s3_client *c, const char *key, int64_t off, int64_t len,
    http_sink_fn sink, void *arg, struct s3_error *e)
{
	struct sync_wait	 w = { 0, 0, e };
	struct s3_op		*op;

	op = s3_get_start(c, key, off, len, sink, arg, sync_done, &w);
	return sync_wait(c, op, &w);
}

static size_t
buf_sink(void *arg, const char *data, size_t len)
{
	buf_add(arg, data, len);
	return len;
}

int
s3_get_buf(struct s3_client *c, const char *key, int64_t off, int64_t len,
    struct buf *b, struct s3_error *e)
{
	return s3_get(c, key, off, len, buf_sink, b, e);
}

/* ---------------------------------------------------------------- small ops */

/* Completion of a PUT, HEAD or DELETE started below. */
static void
simple_done(struct http_req *req, void *arg)
{
	struct s3_op	*op = arg;
	struct s3_error	 e;

	memset(&e, 0, sizeof e);
	s3_outcome(op->c, req, op->what, op->key, &e);
	op_finish(op, &e);
	s3_error_clear(&e);
}

static struct s3_op *
simple_start(struct s3_op *op)
{
	op->running = true;
	http_start(op->c->loop, op->req, simple_done, op);
	return op;
}

/*
 * radosgw 16 compares If-Match with the ETag as stored, without quotes, and
 * fails a quoted one; AWS takes either. So it is sent bare.
 */
static void
put_conditions(struct http_req *req, const struct s3_put_cond *cond)
{
	char	*bare;

	if (cond == NULL)
		return;
	if (cond->if_none_match)
		http_header(req, "If-None-Match", "*");
	if (cond->if_match != NULL) {
		bare = xstrdup(cond->if_match + (cond->if_match[0] == '"'));
		bare[strcspn(bare, "\"")] = '\0';
		http_header(req, "If-Match", bare);
		free(bare);
	}
}

struct s3_op *
s3_put_start(struct s3_client *c, const char *key, const void *data,
    size_t len, const struct s3_put_cond *cond, s3_op_done_fn done,
    void *arg)
{
	struct s3_op	*op = op_new(c, OP_PUT, done, arg);

	op->key = xstrdup(key);
	op->what = s3_what(c, "PUT", key);
	op->body = xmalloc(len + 1);
	if (len != 0)
		memcpy(op->body, data, len);
	op->mb.data = op->body;
	op->mb.len = len;
	op->req = s3_req_body(c, "PUT", key, NULL, &op->mb, NULL);
	put_conditions(op->req, cond);
	/* a retry after a lost answer may meet its own object: 412 */
	http_idempotent(op->req, true);
	return simple_start(op);
}

struct s3_op *
s3_head_start(struct s3_client *c, const char *key, s3_op_done_fn done,
    void *arg)
{
	struct s3_op	*op = op_new(c, OP_HEAD, done, arg);

	op->key = xstrdup(key);
	op->what = s3_what(c, "HEAD", key);
	op->req = s3_req_new(c, "HEAD", key, NULL, S3_EMPTY_SHA256, false);
	http_idempotent(op->req, true);
	return simple_start(op);
}

struct s3_op *
s3_delete_start(struct s3_client *c, const char *key, s3_op_done_fn done,
    void *arg)
{
	struct s3_op	*op = op_new(c, OP_DELETE, done, arg);

	op->key = xstrdup(key);
	op->what = s3_what(c, "DELETE", key);
	op->req = s3_req_new(c, "DELETE", key, NULL, S3_EMPTY_SHA256, false);
	http_idempotent(op->req, true);
	return simple_start(op);
}

bool
s3_error_precondition(const struct s3_error *e)
{
	if (e == NULL || e->kind != S3_ERR_SERVER)
		return false;
	return e->status == 412 || (e->code != NULL &&
	    strcmp(e->code, "PreconditionFailed") == 0);
}

struct put_wait {
	struct sync_wait	 w;
	char			**etag;
};

static void
put_cond_done(struct s3_op *op, const struct s3_error *e, void *arg)
{
	struct put_wait	*pw = arg;

	if (e == NULL && pw->etag != NULL && op->info.etag != NULL)
		*pw->etag = xstrdup(op->info.etag);
	sync_done(op, e, &pw->w);
}

int
s3_put_cond(struct s3_client *c, const char *key, const void *data,
    size_t len, const struct s3_put_cond *cond, char **etag,
    struct s3_error *e)
{
	struct put_wait	 pw = { { 0, 0, e }, etag };
	struct s3_op	*op;
	int		 rc;

	if (etag != NULL)
		*etag = NULL;
	op = s3_put_start(c, key, data, len, cond, put_cond_done, &pw);
	rc = sync_wait(c, op, &pw.w);
	if (rc != 0 && s3_error_precondition(e))
		return 1;
	return rc;
}

/* ---------------------------------------------------------------- multipart */

enum up_state {
	UP_FIRST,	/* reading the first part */
	UP_INIT,	/* InitiateMultipartUpload in flight */
	UP_PARTS,	/* reading and sending parts */
	UP_SINGLE,	/* the stream fit in one part: a plain PUT in flight */
	UP_COMPLETE,	/* CompleteMultipartUpload in flight */
	UP_DRAIN,	/* failed: waiting for the parts in flight to stop */
	UP_ABORT,	/* AbortMultipartUpload in flight */
	UP_DONE,	/* the done callback is due or has run */
};

struct s3_part {
	struct s3_upload	*up;
	int			 number;
	struct membody		 body;
	struct http_req		*req;
	struct s3_part		*next;
};

struct s3_upload {
	struct s3_client	*c;
	char			*key;
	char			*what;
	http_source_fn		 source;
	void			*source_arg;
	s3_upload_done_fn	 done;
	void			*arg;

	enum up_state		 state;
	char			*upload_id;
	struct http_req		*ctl;		/* initiate, complete, abort */
	struct buf		 ctl_buf;
	struct membody		 ctl_body;
	struct s3_part		*filling;	/* being read from the source */
	struct s3_part		*single;	/* the plain PUT */
	struct s3_part		*inflight;
	int			 n_inflight;
	char			**spare;	/* part buffers to reuse */
	int			 n_spare;
	char			**etags;	/* by part number - 1 */
	int			 n_parts;
	char			*etag;		/* of the object, when known */
	bool			 eof;
	bool			 paused;
	bool			 in_pump;
	bool			 pump_again;
	bool			 freed;
	struct loop_timer	*timer;
	struct s3_error		 err;		/* the first failure */
	uint64_t		 read;
	uint64_t		 stored;
};

static void	up_pump(struct s3_upload *);
static void	up_stop(struct s3_upload *);

static struct s3_part *
part_new(struct s3_upload *up)
{
	struct s3_part	*p;
	char		*data;

	p = xcalloc(1, sizeof *p);
	p->up = up;
	if (up->n_spare > 0)
		data = up->spare[--up->n_spare];
	else
		data = xmalloc(up->c->part_size);
	p->body.data = data;
	return p;
}

/* Frees a part; its buffer is kept for the next one. */
static void
part_free(struct s3_part *p)
{
	struct s3_upload	*up = p->up;

	http_free(p->req);
	if (up->n_spare < up->c->parallel)
		up->spare[up->n_spare++] = (char *)p->body.data;
	else
		free((char *)p->body.data);
	free(p);
}

static void
part_unlink(struct s3_upload *up, struct s3_part *p)
{
	struct s3_part	**pp;

	for (pp = &up->inflight; *pp != NULL; pp = &(*pp)->next) {
		if (*pp == p) {
			*pp = p->next;
			up->n_inflight--;
			return;
		}
	}
}

static void
up_destroy(struct s3_upload *up)
{
	struct s3_part	*p;
	int		 i;

	while ((p = up->inflight) != NULL) {
		up->inflight = p->next;
		part_free(p);
	}
	if (up->filling != NULL)
		part_free(up->filling);
	if (up->single != NULL)
		part_free(up->single);
	for (i = 0; i < up->n_spare; i++)
		free(up->spare[i]);
	for (i = 0; i < up->n_parts; i++)
		free(up->etags[i]);
	http_free(up->ctl);
	buf_free(&up->ctl_buf);
	s3_error_clear(&up->err);
	free(up->spare);
	free(up->etags);
	free(up->etag);
	free(up->upload_id);
	free(up->what);
	free(up->key);
	free(up);
}

static void
up_finish_timer(void *arg)
{
	struct s3_upload	*up = arg;

	up->timer = NULL;
	if (up->freed) {
		up_destroy(up);
		return;
	}
	up->done(up, up->err.kind != S3_ERR_NONE ? &up->err : NULL, up->arg);
}

/* The end: the callback runs from the loop, never inside our callers. */
static void
up_finish(struct s3_upload *up)
{
	up->state = UP_DONE;
	up->timer = loop_timer_add(up->c->loop, 0, up_finish_timer, up);
}

/* Keeps the first error and stops everything. */
static void
up_fail(struct s3_upload *up, struct s3_error *e)
{
	if (up->err.kind == S3_ERR_NONE)
		s3_error_move(&up->err, e);
	else
		s3_error_clear(e);
	up_stop(up);
}

static void
up_abort_done(struct http_req *req, void *arg)
{
	struct s3_upload	*up = arg;
	struct s3_error		 e;
	char			*msg;

	memset(&e, 0, sizeof e);
	if (s3_outcome(up->c, req, up->what, up->key, &e) != 0 &&
	    !s3_error_not_found(&e)) {
		msg = xasprintf("%s; aborting upload %s also failed: %s",
		    up->err.message, up->upload_id, e.message);
		free(up->err.message);
		up->err.message = msg;
	}
	s3_error_clear(&e);
	http_free(req);
	up->ctl = NULL;
	up_finish(up);
}

static void
up_abort(struct s3_upload *up)
{
	const struct s3_param	 p[] = { { "uploadId", up->upload_id } };
	char			*q = s3_canonical_query(p, nitems(p));

	up->state = UP_ABORT;
	up->ctl = s3_req_new(up->c, "DELETE", up->key, q, S3_EMPTY_SHA256,
	    false);
	free(q);
	http_idempotent(up->ctl, true);
	http_start(up->c->loop, up->ctl, up_abort_done, up);
}

/* After a failure, once no part is in flight: abort, then finish. */
static void
up_drained(struct s3_upload *up)
{
	if (up->state != UP_DRAIN || up->n_inflight > 0)
		return;
	if (up->upload_id != NULL)
		up_abort(up);
	else
		up_finish(up);
}

static void
up_stop(struct s3_upload *up)
{
	struct s3_part	*p;

	for (p = up->inflight; p != NULL; p = p->next)
		http_cancel(p->req);
	if (up->state == UP_FIRST || up->state == UP_PARTS)
		up->state = UP_DRAIN;
	up_drained(up);
}

/* Reads the filling part: 1 when full or at the end, 0 paused, -1 failed. */
static int
up_fill(struct s3_upload *up)
{
	struct s3_part	*p;
	struct s3_error	 e;
	size_t		 room;
	ssize_t		 r;

	if (up->filling == NULL)
		up->filling = part_new(up);
	p = up->filling;
	while (!up->paused && p->body.len < up->c->part_size) {
		room = up->c->part_size - p->body.len;
		r = up->source(up->source_arg, (char *)p->body.data +
		    p->body.len, room);
		if (r == HTTP_SOURCE_PAUSE) {
			up->paused = true;
			break;
		}
		if (r < 0 || (size_t)r > room) {
			memset(&e, 0, sizeof e);
			s3_error_set(up->c, &e, S3_ERR_SOURCE, 0, "S3 %s: the "
			    "data source failed after %llu bytes", up->what,
			    (unsigned long long)up->read);
			up_fail(up, &e);
			return -1;
		}
		if (r == 0) {
			up->eof = true;
			return 1;
		}
		p->body.len += (size_t)r;
		up->read += (uint64_t)r;
	}
	return up->paused ? 0 : 1;
}

static void
up_part_done(struct http_req *req, void *arg)
{
	struct s3_part		*p = arg;
	struct s3_upload	*up = p->up;
	struct s3_error		 e;
	const char		*etag;

	memset(&e, 0, sizeof e);
	part_unlink(up, p);
	if (up->err.kind == S3_ERR_NONE &&
	    s3_outcome(up->c, req, up->what, up->key, &e) == 0) {
		etag = http_response_header(req, "ETag");
		if (etag == NULL || *etag == '\0') {
			s3_error_set(up->c, &e, S3_ERR_PROTOCOL, 0, "S3 %s: "
			    "no ETag for part %d", up->what, p->number);
		} else {
			up->etags[p->number - 1] = xstrdup(etag);
			up->stored += p->body.len;
		}
	}
	part_free(p);
	if (e.kind != S3_ERR_NONE)
		up_fail(up, &e);
	else if (up->state == UP_DRAIN)
		up_drained(up);
	else
		up_pump(up);
}

static int
up_start_part(struct s3_upload *up, struct s3_part *p)
{
	struct s3_param	 params[2];
	struct s3_error	 e;
	char		 num[16], *q;

	if (up->n_parts >= S3_MAX_PARTS) {
		part_free(p);
		memset(&e, 0, sizeof e);
		s3_error_set(up->c, &e, S3_ERR_USAGE, 0, "S3 %s: more than %d "
		    "parts of %llu bytes (raise s3.part_size)", up->what,
		    S3_MAX_PARTS, (unsigned long long)up->c->part_size);
		up_fail(up, &e);
		return -1;
	}
	p->number = ++up->n_parts;
	up->etags = xreallocarray(up->etags, (size_t)up->n_parts,
	    sizeof *up->etags);
	up->etags[p->number - 1] = NULL;
	snprintf(num, sizeof num, "%d", p->number);
	params[0] = (struct s3_param){ "partNumber", num };
	params[1] = (struct s3_param){ "uploadId", up->upload_id };
	q = s3_canonical_query(params, nitems(params));
	/* the part is in memory anyway: sign its hash, send its MD5 */
	p->req = s3_req_body(up->c, "PUT", up->key, q, &p->body, NULL);
	free(q);
	http_idempotent(p->req, true);
	p->next = up->inflight;
	up->inflight = p;
	up->n_inflight++;
	http_start(up->c->loop, p->req, up_part_done, p);
	return 0;
}

static void
up_complete_done(struct http_req *req, void *arg)
{
	struct s3_upload	*up = arg;
	struct s3_error		 e;
	struct s3_xml		*x = NULL;

	memset(&e, 0, sizeof e);
	/* a 200 answer may still carry an Error document */
	if (s3_outcome(up->c, req, up->what, up->key, &e) == 0)
		x = s3_parse_body(up->c, req, S3_XML_COMPLETE, NULL, NULL,
		    up->what, &e);
	if (x != NULL) {
		free(up->etag);
		up->etag = xstrdup(s3_xml_result(x)->etag);
		s3_xml_free(x);
	}
	http_free(req);
	up->ctl = NULL;
	if (e.kind != S3_ERR_NONE) {
		up->state = UP_DRAIN;
		up_fail(up, &e);
		return;
	}
	up_finish(up);
}

static void
up_complete(struct s3_upload *up)
{
	const struct s3_param	 p[] = { { "uploadId", up->upload_id } };
	struct buf		*b = &up->ctl_buf;
	char			*q;
	int			 i;

	up->state = UP_COMPLETE;
	buf_reset(b);
	buf_addstr(b, "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws."
	    "com/doc/2006-03-01/\">");
	for (i = 0; i < up->n_parts; i++) {
		buf_printf(b, "<Part><PartNumber>%d</PartNumber><ETag>", i + 1);
		(void)xml_escape(b, up->etags[i]);
		buf_addstr(b, "</ETag></Part>");
	}
	buf_addstr(b, "</CompleteMultipartUpload>");
	up->ctl_body = (struct membody){ b->data, b->len, 0 };
	q = s3_canonical_query(p, nitems(p));
	up->ctl = s3_req_body(up->c, "POST", up->key, q, &up->ctl_body,
	    "application/xml");
	free(q);
	/* safe to repeat: see s3.h */
	http_idempotent(up->ctl, true);
	http_start(up->c->loop, up->ctl, up_complete_done, up);
}

static void
up_pump_parts(struct s3_upload *up)
{
	struct s3_part	*p;

	while (up->state == UP_PARTS && !up->eof &&
	    up->n_inflight < up->c->parallel) {
		if (up_fill(up) <= 0)
			return;
		p = up->filling;
		up->filling = NULL;
		if (p->body.len == 0) {
			part_free(p);
			break;
		}
		if (up_start_part(up, p) != 0)
			return;
	}
	if (up->state == UP_PARTS && up->eof && up->n_inflight == 0)
		up_complete(up);
}

static void
up_init_done(struct http_req *req, void *arg)
{
	struct s3_upload	*up = arg;
	struct s3_error		 e;
	struct s3_xml		*x = NULL;
	struct s3_part		*first;

	memset(&e, 0, sizeof e);
	if (s3_outcome(up->c, req, up->what, up->key, &e) == 0)
		x = s3_parse_body(up->c, req, S3_XML_INITIATE, NULL, NULL,
		    up->what, &e);
	if (x != NULL && *s3_xml_result(x)->upload_id == '\0')
		s3_error_set(up->c, &e, S3_ERR_PROTOCOL, 0, "S3 %s: no "
		    "UploadId in the answer", up->what);
	else if (x != NULL)
		up->upload_id = xstrdup(s3_xml_result(x)->upload_id);
	s3_xml_free(x);
	http_free(req);
	up->ctl = NULL;
	up->state = UP_PARTS;
	if (e.kind != S3_ERR_NONE || up->err.kind != S3_ERR_NONE) {
		/* failed, or cancelled while initiating: abort if begun */
		up_fail(up, &e);
		return;
	}
	first = up->filling;
	up->filling = NULL;
	if (up_start_part(up, first) == 0)
		up_pump(up);
}

static void
up_initiate(struct s3_upload *up)
{
	up->state = UP_INIT;
	up->ctl_body = (struct membody){ "", 0, 0 };
	up->ctl = s3_req_new(up->c, "POST", up->key, "uploads=",
	    S3_EMPTY_SHA256, false);
	http_header(up->ctl, "Content-Type", "application/octet-stream");
	http_body_source(up->ctl, membody_read, membody_rewind, &up->ctl_body,
	    0);
	/* not retried: a lost answer would leave an upload nobody knows */
	http_start(up->c->loop, up->ctl, up_init_done, up);
}

static void
up_single_done(struct http_req *req, void *arg)
{
	struct s3_upload	*up = arg;
	struct s3_error		 e;
	const char		*etag;

	memset(&e, 0, sizeof e);
	if (s3_outcome(up->c, req, up->what, up->key, &e) == 0) {
		up->stored = up->single->body.len;
		etag = http_response_header(req, "ETag");
		if (etag != NULL) {
			up->etag = xstrdup(etag[0] == '"' ? etag + 1 : etag);
			up->etag[strcspn(up->etag, "\"")] = '\0';
		}
	} else if (up->err.kind == S3_ERR_NONE)
		s3_error_move(&up->err, &e);
	s3_error_clear(&e);
	part_free(up->single);
	up->single = NULL;
	up_finish(up);
}

/* The whole stream fit in one part: a plain PUT does it. */
static void
up_single(struct s3_upload *up)
{
	struct s3_part	*p = up->filling;

	up->filling = NULL;
	up->single = p;
	up->state = UP_SINGLE;
	p->req = s3_req_body(up->c, "PUT", up->key, NULL, &p->body, NULL);
	http_idempotent(p->req, true);
	http_start(up->c->loop, p->req, up_single_done, up);
}

static void
up_pump_first(struct s3_upload *up)
{
	if (up_fill(up) <= 0)
		return;
	if (up->eof)
		up_single(up);
	else
		up_initiate(up);
}

/* Reads and sends what can be; re-entry (a resume from the source) waits. */
static void
up_pump(struct s3_upload *up)
{
	if (up->in_pump) {
		up->pump_again = true;
		return;
	}
	up->in_pump = true;
	do {
		up->pump_again = false;
		if (up->state == UP_FIRST)
			up_pump_first(up);
		else if (up->state == UP_PARTS)
			up_pump_parts(up);
	} while (up->pump_again);
	up->in_pump = false;
}

struct s3_upload *
s3_upload_start(struct s3_client *c, const char *key, http_source_fn source,
    void *source_arg, s3_upload_done_fn done, void *arg)
{
	struct s3_upload	*up;

	up = xcalloc(1, sizeof *up);
	up->c = c;
	up->key = xstrdup(key);
	up->what = s3_what(c, "upload", key);
	up->source = source;
	up->source_arg = source_arg;
	up->done = done;
	up->arg = arg;
	up->spare = xcalloc((size_t)c->parallel, sizeof *up->spare);
	up->state = UP_FIRST;
	up_pump(up);
	return up;
}

void
s3_upload_resume(struct s3_upload *up)
{
	if (!up->paused)
		return;
	up->paused = false;
	up_pump(up);
}

void
s3_upload_cancel(struct s3_upload *up)
{
	struct s3_error	e;

	/* too late once completing, aborting or done */
	if (up->state != UP_FIRST && up->state != UP_INIT &&
	    up->state != UP_PARTS && up->state != UP_SINGLE)
		return;
	memset(&e, 0, sizeof e);
	s3_error_set(up->c, &e, S3_ERR_CANCELLED, 0, "S3 %s: cancelled",
	    up->what);
	if (up->err.kind == S3_ERR_NONE)
		s3_error_move(&up->err, &e);
	s3_error_clear(&e);
	if (up->state == UP_SINGLE)
		http_cancel(up->single->req);
	else if (up->state != UP_INIT)
		up_stop(up);
	/* UP_INIT: the answer decides whether there is an upload to abort */
}

void
s3_upload_free(struct s3_upload *up)
{
	if (up == NULL)
		return;
	if (up->state == UP_DONE) {
		if (up->timer != NULL)
			loop_timer_cancel(up->c->loop, up->timer);
		up_destroy(up);
		return;
	}
	up->freed = true;
	s3_upload_cancel(up);
	/* nothing was in flight and nothing to abort: gone at once */
	if (up->state == UP_DONE) {
		loop_timer_cancel(up->c->loop, up->timer);
		up_destroy(up);
	}
}

void
s3_upload_progress(const struct s3_upload *up, uint64_t *read,
    uint64_t *stored)
{
	if (read != NULL)
		*read = up->read;
	if (stored != NULL)
		*stored = up->stored;
}

int
s3_upload_parts(const struct s3_upload *up)
{
	return up->n_parts;
}

const char *
s3_upload_id(const struct s3_upload *up)
{
	return up->upload_id;
}

const char *
s3_upload_etag(const struct s3_upload *up)
{
	return up->etag;
}

struct up_wait {
	volatile int	 done;
	int		 rc;
	struct s3_error	*e;
};

static void
up_sync_done(struct s3_upload *up, const struct s3_error *e, void *arg)
{
	struct up_wait	*w = arg;

	w->rc = e != NULL ? -1 : 0;
	if (e != NULL)
		s3_error_copy(w->e, e);
	w->done = 1;
}

int
s3_upload(struct s3_client *c, const char *key, http_source_fn source,
    void *source_arg, struct s3_error *e)
{
	struct up_wait		 w = { 0, 0, e };
	struct s3_upload	*up;

	up = s3_upload_start(c, key, source, source_arg, up_sync_done, &w);
	loop_run_until(c->loop, (const volatile int *)&w.done);
	s3_upload_free(up);
	return w.rc;
}
