#include "s3_xml.h"
#include "buf.h"
#include "util.h"
#include "xmalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <expat.h>

/* Separates a namespace URI from the local name (never valid in a URI). */
#define NS_SEP		'\n'
#define DEPTH_MAX	32

enum el {
	EL_OTHER = 0,
	EL_LIST_RESULT, EL_ERROR, EL_INIT_RESULT, EL_COMPLETE_RESULT,
	EL_UPLOADS_RESULT, EL_DELETE_RESULT,
	EL_CONTENTS, EL_COMMON_PREFIXES, EL_UPLOAD, EL_DELETED,
	EL_KEY, EL_SIZE, EL_LAST_MODIFIED, EL_ETAG, EL_PREFIX,
	EL_IS_TRUNCATED, EL_NEXT_TOKEN, EL_KEY_COUNT, EL_CODE, EL_MESSAGE,
	EL_REQUEST_ID, EL_RESOURCE, EL_UPLOAD_ID, EL_LOCATION, EL_INITIATED,
	EL_NEXT_KEY_MARKER, EL_NEXT_UPLOAD_ID_MARKER,
};

static const char *el_names[] = {
	[EL_OTHER] = "",
	[EL_LIST_RESULT] = "ListBucketResult",
	[EL_ERROR] = "Error",
	[EL_INIT_RESULT] = "InitiateMultipartUploadResult",
	[EL_COMPLETE_RESULT] = "CompleteMultipartUploadResult",
	[EL_UPLOADS_RESULT] = "ListMultipartUploadsResult",
	[EL_DELETE_RESULT] = "DeleteResult",
	[EL_CONTENTS] = "Contents",
	[EL_COMMON_PREFIXES] = "CommonPrefixes",
	[EL_UPLOAD] = "Upload",
	[EL_DELETED] = "Deleted",
	[EL_KEY] = "Key",
	[EL_SIZE] = "Size",
	[EL_LAST_MODIFIED] = "LastModified",
	[EL_ETAG] = "ETag",
	[EL_PREFIX] = "Prefix",
	[EL_IS_TRUNCATED] = "IsTruncated",
	[EL_NEXT_TOKEN] = "NextContinuationToken",
	[EL_KEY_COUNT] = "KeyCount",
	[EL_CODE] = "Code",
	[EL_MESSAGE] = "Message",
	[EL_REQUEST_ID] = "RequestId",
	[EL_RESOURCE] = "Resource",
	[EL_UPLOAD_ID] = "UploadId",
	[EL_LOCATION] = "Location",
	[EL_INITIATED] = "Initiated",
	[EL_NEXT_KEY_MARKER] = "NextKeyMarker",
	[EL_NEXT_UPLOAD_ID_MARKER] = "NextUploadIdMarker",
};

/* The root element each document kind expects. */
static const enum el doc_roots[] = {
	[S3_XML_LIST_OBJECTS] = EL_LIST_RESULT,
	[S3_XML_ERROR] = EL_ERROR,
	[S3_XML_INITIATE] = EL_INIT_RESULT,
	[S3_XML_COMPLETE] = EL_COMPLETE_RESULT,
	[S3_XML_LIST_UPLOADS] = EL_UPLOADS_RESULT,
	[S3_XML_DELETE] = EL_DELETE_RESULT,
};

enum dfield {
	DF_CODE, DF_MESSAGE, DF_REQUEST_ID, DF_RESOURCE, DF_TRUNCATED,
	DF_NEXT_TOKEN, DF_NEXT_KEY_MARKER, DF_NEXT_UPLOAD_ID_MARKER,
	DF_KEY_COUNT, DF_UPLOAD_ID, DF_KEY, DF_ETAG, DF_LOCATION,
	DF_COUNT
};

enum ifield {
	IF_KEY, IF_SIZE, IF_ETAG, IF_MTIME, IF_UPLOAD_ID, IF_CODE, IF_MESSAGE,
	IF_COUNT
};

/* Children of the root that hold document-level values. */
static const struct {
	enum s3_xml_doc	doc;
	enum el		el;
	enum dfield	field;
} doc_fields[] = {
	{ S3_XML_ERROR, EL_CODE, DF_CODE },
	{ S3_XML_ERROR, EL_MESSAGE, DF_MESSAGE },
	{ S3_XML_ERROR, EL_REQUEST_ID, DF_REQUEST_ID },
	{ S3_XML_ERROR, EL_RESOURCE, DF_RESOURCE },
	{ S3_XML_LIST_OBJECTS, EL_IS_TRUNCATED, DF_TRUNCATED },
	{ S3_XML_LIST_OBJECTS, EL_NEXT_TOKEN, DF_NEXT_TOKEN },
	{ S3_XML_LIST_OBJECTS, EL_KEY_COUNT, DF_KEY_COUNT },
	{ S3_XML_INITIATE, EL_UPLOAD_ID, DF_UPLOAD_ID },
	{ S3_XML_INITIATE, EL_KEY, DF_KEY },
	{ S3_XML_COMPLETE, EL_ETAG, DF_ETAG },
	{ S3_XML_COMPLETE, EL_LOCATION, DF_LOCATION },
	{ S3_XML_COMPLETE, EL_KEY, DF_KEY },
	{ S3_XML_LIST_UPLOADS, EL_IS_TRUNCATED, DF_TRUNCATED },
	{ S3_XML_LIST_UPLOADS, EL_NEXT_KEY_MARKER, DF_NEXT_KEY_MARKER },
	{ S3_XML_LIST_UPLOADS, EL_NEXT_UPLOAD_ID_MARKER,
	    DF_NEXT_UPLOAD_ID_MARKER },
};

/* Children of the root that are repeated entries. */
static const struct {
	enum s3_xml_doc		doc;
	enum el			el;
	enum s3_item_kind	kind;
} containers[] = {
	{ S3_XML_LIST_OBJECTS, EL_CONTENTS, S3_ITEM_OBJECT },
	{ S3_XML_LIST_OBJECTS, EL_COMMON_PREFIXES, S3_ITEM_PREFIX },
	{ S3_XML_LIST_UPLOADS, EL_UPLOAD, S3_ITEM_UPLOAD },
	{ S3_XML_DELETE, EL_DELETED, S3_ITEM_DELETED },
	{ S3_XML_DELETE, EL_ERROR, S3_ITEM_DELETE_ERROR },
};

/* The values inside an entry. */
static const struct {
	enum s3_item_kind	kind;
	enum el			el;
	enum ifield		field;
} item_fields[] = {
	{ S3_ITEM_OBJECT, EL_KEY, IF_KEY },
	{ S3_ITEM_OBJECT, EL_SIZE, IF_SIZE },
	{ S3_ITEM_OBJECT, EL_ETAG, IF_ETAG },
	{ S3_ITEM_OBJECT, EL_LAST_MODIFIED, IF_MTIME },
	{ S3_ITEM_PREFIX, EL_PREFIX, IF_KEY },
	{ S3_ITEM_UPLOAD, EL_KEY, IF_KEY },
	{ S3_ITEM_UPLOAD, EL_UPLOAD_ID, IF_UPLOAD_ID },
	{ S3_ITEM_UPLOAD, EL_INITIATED, IF_MTIME },
	{ S3_ITEM_DELETED, EL_KEY, IF_KEY },
	{ S3_ITEM_DELETE_ERROR, EL_KEY, IF_KEY },
	{ S3_ITEM_DELETE_ERROR, EL_CODE, IF_CODE },
	{ S3_ITEM_DELETE_ERROR, EL_MESSAGE, IF_MESSAGE },
};

struct s3_xml {
	XML_Parser		 p;
	enum s3_xml_doc		 doc;
	s3_item_fn		 fn;
	void			*arg;

	int			 depth;
	bool			 root_seen;
	bool			 is_error;
	bool			 in_item;
	enum s3_item_kind	 kind;
	struct buf		 dfields[DF_COUNT];
	struct buf		 ifields[IF_COUNT];
	struct buf		*cur;		/* collecting text into */
	enum el			 cur_el;
	int			 cur_depth;
	enum dfield		 cur_df;
	bool			 cur_is_doc;

	size_t			 total;
	bool			 stopped;
	bool			 finished;
	char			*error;
	struct s3_xml_result	 res;
};

static enum el
el_lookup(const char *name)
{
	const char	*local = strrchr(name, NS_SEP);
	size_t		 i;

	local = local != NULL ? local + 1 : name;
	for (i = 1; i < nitems(el_names); i++) {
		if (strcmp(local, el_names[i]) == 0)
			return (enum el)i;
	}
	return EL_OTHER;
}

static void s3_xml_fail(struct s3_xml *, const char *, ...)
    CHOPS_PRINTFLIKE(2, 3);

/* Records the first error with its position and stops the parser. */
static void
s3_xml_fail(struct s3_xml *x, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	if (x->error != NULL)
		return;
	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	x->error = xasprintf("line %lu, column %lu: %s",
	    (unsigned long)XML_GetCurrentLineNumber(x->p),
	    (unsigned long)XML_GetCurrentColumnNumber(x->p) + 1, msg);
	free(msg);
	XML_StopParser(x->p, XML_FALSE);
}

static void
collect(struct s3_xml *x, struct buf *b, enum el el, bool is_doc)
{
	buf_reset(b);
	x->cur = b;
	x->cur_el = el;
	x->cur_depth = x->depth;
	x->cur_is_doc = is_doc;
}

static void
start_root(struct s3_xml *x, enum el el, const char *name)
{
	const char	*local = strrchr(name, NS_SEP);

	x->root_seen = true;
	if (el == EL_ERROR) {
		x->is_error = true;
		return;
	}
	if (el != doc_roots[x->doc]) {
		s3_xml_fail(x, "unexpected document <%.64s>, expected <%s>",
		    local != NULL ? local + 1 : name,
		    el_names[doc_roots[x->doc]]);
	}
}

static void
start_child(struct s3_xml *x, enum el el)
{
	enum s3_xml_doc	doc = x->is_error ? S3_XML_ERROR : x->doc;
	size_t		i, j;

	for (i = 0; i < nitems(doc_fields); i++) {
		if (doc_fields[i].doc == doc && doc_fields[i].el == el) {
			x->cur_df = doc_fields[i].field;
			collect(x, &x->dfields[x->cur_df], el, true);
			return;
		}
	}
	for (i = 0; i < nitems(containers); i++) {
		if (containers[i].doc == doc && containers[i].el == el) {
			x->in_item = true;
			x->kind = containers[i].kind;
			for (j = 0; j < IF_COUNT; j++)
				buf_reset(&x->ifields[j]);
			return;
		}
	}
}

static void
start_item_field(struct s3_xml *x, enum el el)
{
	size_t	i;

	for (i = 0; i < nitems(item_fields); i++) {
		if (item_fields[i].kind == x->kind && item_fields[i].el == el) {
			collect(x, &x->ifields[item_fields[i].field], el,
			    false);
			return;
		}
	}
}

static void
on_start(void *arg, const XML_Char *name, const XML_Char **attrs)
{
	struct s3_xml	*x = arg;
	enum el		 el = el_lookup(name);

	if (x->error != NULL || x->stopped)
		return;
	if (++x->depth > DEPTH_MAX) {
		s3_xml_fail(x, "elements nested deeper than %d", DEPTH_MAX);
		return;
	}
	if (x->depth == 1)
		start_root(x, el, name);
	else if (x->depth == 2)
		start_child(x, el);
	else if (x->depth == 3 && x->in_item)
		start_item_field(x, el);
}

static void
on_text(void *arg, const XML_Char *s, int len)
{
	struct s3_xml	*x = arg;

	if (x->error != NULL || x->stopped || x->cur == NULL ||
	    x->depth != x->cur_depth)
		return;
	if (x->cur->len + (size_t)len > S3_XML_TEXT_MAX) {
		s3_xml_fail(x, "<%s> is longer than %d bytes",
		    el_names[x->cur_el], S3_XML_TEXT_MAX);
		return;
	}
	buf_add(x->cur, s, (size_t)len);
}

static void
end_doc_field(struct s3_xml *x)
{
	const char	*v = buf_str(&x->dfields[x->cur_df]);
	long long	 n;

	switch (x->cur_df) {
	case DF_TRUNCATED:
		if (strcmp(v, "true") != 0 && strcmp(v, "false") != 0)
			s3_xml_fail(x, "IsTruncated '%.32s' is not a boolean",
			    v);
		x->res.truncated = strcmp(v, "true") == 0;
		break;
	case DF_KEY_COUNT:
		if (util_strtoll(v, strlen(v), &n) != 0 || n < 0)
			s3_xml_fail(x, "KeyCount '%.32s' is not a count", v);
		else
			x->res.key_count = (long)n;
		break;
	default:
		break;
	}
}

/* Removes the double quotes S3 puts around ETags, in place. */
static void
unquote(struct buf *b)
{
	if (b->len >= 2 && b->data[0] == '"' && b->data[b->len - 1] == '"') {
		b->len--;
		buf_consume(b, 1);
		b->data[b->len] = '\0';
	}
}

static void
emit_item(struct s3_xml *x)
{
	struct s3_item		 it;
	unsigned long long	 size = 0;
	struct buf		*f = x->ifields;

	memset(&it, 0, sizeof it);
	it.kind = x->kind;
	if (f[IF_KEY].len == 0 && x->kind != S3_ITEM_DELETE_ERROR) {
		s3_xml_fail(x, "an entry without a key");
		return;
	}
	if (f[IF_SIZE].len != 0 &&
	    util_strtoull(f[IF_SIZE].data, f[IF_SIZE].len, &size) != 0) {
		s3_xml_fail(x, "Size '%.32s' is not a number", f[IF_SIZE].data);
		return;
	}
	unquote(&f[IF_ETAG]);
	it.key = buf_str(&f[IF_KEY]);
	it.size = size;
	it.etag = buf_str(&f[IF_ETAG]);
	it.last_modified = buf_str(&f[IF_MTIME]);
	it.mtime_ms = s3_xml_parse_time(it.last_modified);
	it.upload_id = buf_str(&f[IF_UPLOAD_ID]);
	it.code = buf_str(&f[IF_CODE]);
	it.message = buf_str(&f[IF_MESSAGE]);
	x->res.n_items++;
	if (x->fn != NULL && x->fn(x->arg, &it) != 0) {
		x->stopped = true;
		XML_StopParser(x->p, XML_FALSE);
	}
}

static void
on_end(void *arg, const XML_Char *name)
{
	struct s3_xml	*x = arg;

	if (x->error != NULL || x->stopped)
		return;
	if (x->cur != NULL && x->depth == x->cur_depth) {
		x->cur = NULL;
		if (x->cur_is_doc)
			end_doc_field(x);
	} else if (x->depth == 2 && x->in_item) {
		x->in_item = false;
		emit_item(x);
	}
	x->depth--;
}

static void
on_doctype(void *arg, const XML_Char *name, const XML_Char *sysid,
    const XML_Char *pubid, int has_internal_subset)
{
	s3_xml_fail(arg, "a DOCTYPE is not allowed in an S3 response");
}

static void
on_entity_decl(void *arg, const XML_Char *name, int is_param,
    const XML_Char *value, int value_len, const XML_Char *base,
    const XML_Char *sysid, const XML_Char *pubid, const XML_Char *notation)
{
	s3_xml_fail(arg, "entity declarations are not allowed");
}

struct s3_xml *
s3_xml_new(enum s3_xml_doc doc, s3_item_fn fn, void *arg)
{
	struct s3_xml	*x;

	x = xcalloc(1, sizeof *x);
	x->doc = doc;
	x->fn = fn;
	x->arg = arg;
	x->res.key_count = -1;
	x->p = XML_ParserCreateNS(NULL, NS_SEP);
	if (x->p == NULL)
		abort();
	XML_SetUserData(x->p, x);
	XML_SetElementHandler(x->p, on_start, on_end);
	XML_SetCharacterDataHandler(x->p, on_text);
	XML_SetStartDoctypeDeclHandler(x->p, on_doctype);
	XML_SetEntityDeclHandler(x->p, on_entity_decl);
	XML_SetParamEntityParsing(x->p, XML_PARAM_ENTITY_PARSING_NEVER);
	return x;
}

void
s3_xml_free(struct s3_xml *x)
{
	size_t	i;

	if (x == NULL)
		return;
	XML_ParserFree(x->p);
	for (i = 0; i < DF_COUNT; i++)
		buf_free(&x->dfields[i]);
	for (i = 0; i < IF_COUNT; i++)
		buf_free(&x->ifields[i]);
	free(x->error);
	free(x);
}

/* Runs expat on a piece; maps its outcome to 0, 1 (stopped) or -1. */
static int
s3_xml_run(struct s3_xml *x, const void *data, size_t len, bool final)
{
	enum XML_Error	code;

	if (x->error != NULL)
		return -1;
	if (x->stopped)
		return 1;
	if (XML_Parse(x->p, data, (int)len, final) == XML_STATUS_OK)
		return 0;
	if (x->error != NULL)
		return -1;
	if (x->stopped)
		return 1;
	code = XML_GetErrorCode(x->p);
	x->error = xasprintf("line %lu, column %lu: %s",
	    (unsigned long)XML_GetCurrentLineNumber(x->p),
	    (unsigned long)XML_GetCurrentColumnNumber(x->p) + 1,
	    XML_ErrorString(code));
	return -1;
}

int
s3_xml_feed(struct s3_xml *x, const void *data, size_t len)
{
	const char	*p = data;
	size_t		 n;
	int		 r = 0;

	if (x->error == NULL && x->total + len > S3_XML_DOC_MAX) {
		x->error = xasprintf("document larger than %d bytes",
		    S3_XML_DOC_MAX);
	}
	x->total += len;
	do {
		/* XML_Parse takes an int length */
		n = len > (1U << 30) ? (1U << 30) : len;
		r = s3_xml_run(x, p, n, false);
		p += n;
		len -= n;
	} while (r == 0 && len > 0);
	return r;
}

int
s3_xml_finish(struct s3_xml *x)
{
	int	r;

	if (x->finished)
		return x->error != NULL ? -1 : (x->stopped ? 1 : 0);
	x->finished = true;
	r = s3_xml_run(x, NULL, 0, true);
	if (r == 0 && !x->root_seen)
		x->error = xstrdup("empty document");
	return x->error != NULL ? -1 : r;
}

const char *
s3_xml_error(const struct s3_xml *x)
{
	return x->error;
}

bool
s3_xml_stopped(const struct s3_xml *x)
{
	return x->stopped;
}

const struct s3_xml_result *
s3_xml_result(struct s3_xml *x)
{
	struct s3_xml_result	*r = &x->res;
	struct buf		*d = x->dfields;

	unquote(&d[DF_ETAG]);
	r->is_error = x->is_error;
	r->code = buf_str(&d[DF_CODE]);
	r->message = buf_str(&d[DF_MESSAGE]);
	r->request_id = buf_str(&d[DF_REQUEST_ID]);
	r->resource = buf_str(&d[DF_RESOURCE]);
	r->next_token = buf_str(&d[DF_NEXT_TOKEN]);
	r->next_key_marker = buf_str(&d[DF_NEXT_KEY_MARKER]);
	r->next_upload_id_marker = buf_str(&d[DF_NEXT_UPLOAD_ID_MARKER]);
	r->upload_id = buf_str(&d[DF_UPLOAD_ID]);
	r->key = buf_str(&d[DF_KEY]);
	r->etag = buf_str(&d[DF_ETAG]);
	r->location = buf_str(&d[DF_LOCATION]);
	return r;
}

struct s3_xml *
s3_xml_parse(enum s3_xml_doc doc, const void *data, size_t len,
    s3_item_fn fn, void *arg)
{
	struct s3_xml	*x = s3_xml_new(doc, fn, arg);

	if (s3_xml_feed(x, data, len) == 0)
		s3_xml_finish(x);
	return x;
}

/* Reads exactly n digits. */
static int
digits(const char **pp, int n, int *out)
{
	const char	*p = *pp;
	int		 v = 0, i;

	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	*pp = p + n;
	*out = v;
	return 0;
}

/* Reads one fixed character. */
static int
expect(const char **pp, char c)
{
	if (**pp != c)
		return -1;
	(*pp)++;
	return 0;
}

int64_t
s3_xml_parse_time(const char *s)
{
	struct tm	 tm;
	const char	*p = s;
	int		 ms = 0, scale = 100;
	time_t		 t;

	memset(&tm, 0, sizeof tm);
	if (digits(&p, 4, &tm.tm_year) || expect(&p, '-') ||
	    digits(&p, 2, &tm.tm_mon) || expect(&p, '-') ||
	    digits(&p, 2, &tm.tm_mday) || expect(&p, 'T') ||
	    digits(&p, 2, &tm.tm_hour) || expect(&p, ':') ||
	    digits(&p, 2, &tm.tm_min) || expect(&p, ':') ||
	    digits(&p, 2, &tm.tm_sec))
		return -1;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++) {
			ms += (*p - '0') * scale;
			scale /= 10;
		}
	}
	if (strcmp(p, "Z") != 0 && strcmp(p, "+00:00") != 0)
		return -1;
	if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 ||
	    tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
	    tm.tm_sec > 60)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	t = timegm(&tm);
	return (int64_t)t * 1000 + ms;
}
