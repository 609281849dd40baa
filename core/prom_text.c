/*
 * Prometheus text exposition format, streamed.
 *
 * Complete lines found inside a fed chunk are parsed where they lie; only a
 * line split across chunks is copied (into `pending`). Each line's strings
 * are written NUL-terminated into `scratch`, reserved once per line at twice
 * the line's length (escapes only shrink), so the pointers handed to the
 * callback stay put and nothing is allocated per sample once the buffers
 * have grown to the longest line.
 */

#include "prom_text.h"

#include <float.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "util.h"
#include "xmalloc.h"

struct prom_parser {
	prom_sample_fn		 fn;
	void			*arg;

	struct buf		 pending;	/* a line split across feeds */
	struct buf		 scratch;	/* this line's strings */
	struct buf		 family;	/* from the last # TYPE / # HELP */
	enum prom_type		 family_type;

	struct prom_label	*labels;
	size_t			 labels_cap;

	uint64_t		 line;
	uint64_t		 samples;
	char			*error;
};

/* Cursor over one line: [s, end), strings written at out. */
struct prom_line {
	const char	*s;
	const char	*end;
	char		*out;
};

static int	prom_fail(struct prom_parser *, const char *, ...)
		    CHOPS_PRINTFLIKE(2, 3);

static const double prom_pow10[] = {
	1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22
};

static inline int
is_digit(unsigned char c)
{
	return (unsigned)(c - '0') < 10;
}

static inline int
is_lname_start(unsigned char c)
{
	return (unsigned)((c | 0x20) - 'a') < 26 || c == '_';
}

static inline int
is_lname_char(unsigned char c)
{
	return is_lname_start(c) || is_digit(c);
}

static inline int
is_mname_start(unsigned char c)
{
	return is_lname_start(c) || c == ':';
}

static inline int
is_mname_char(unsigned char c)
{
	return is_lname_char(c) || c == ':';
}

static inline int
is_blank(unsigned char c)
{
	return c == ' ' || c == '\t';
}

static inline void
skip_blanks(struct prom_line *l)
{
	while (l->s < l->end && is_blank(*l->s))
		l->s++;
}

/* What the parser found instead of what it expected, for messages. */
static const char *
prom_got(const struct prom_line *l, char *tmp, size_t size)
{
	unsigned char	c;

	if (l->s >= l->end)
		return "end of line";
	c = *l->s;
	if (c >= 0x20 && c < 0x7f)
		snprintf(tmp, size, "'%c'", c);
	else
		snprintf(tmp, size, "byte 0x%02x", c);
	return tmp;
}

static int
prom_fail(struct prom_parser *p, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	free(p->error);
	p->error = xasprintf("line %llu: %s", (unsigned long long)p->line, msg);
	free(msg);
	return -1;
}

struct prom_parser *
prom_parser_new(prom_sample_fn fn, void *arg)
{
	struct prom_parser	*p;

	p = xcalloc(1, sizeof *p);
	p->fn = fn;
	p->arg = arg;
	buf_init(&p->pending);
	buf_init(&p->scratch);
	buf_init(&p->family);
	return p;
}

void
prom_parser_free(struct prom_parser *p)
{
	if (p == NULL)
		return;
	buf_free(&p->pending);
	buf_free(&p->scratch);
	buf_free(&p->family);
	free(p->labels);
	free(p->error);
	free(p);
}

void
prom_parser_reset(struct prom_parser *p)
{
	buf_reset(&p->pending);
	buf_reset(&p->family);
	p->family_type = PROM_UNTYPED;
	p->line = p->samples = 0;
	free(p->error);
	p->error = NULL;
}

const char *
prom_parser_error(const struct prom_parser *p)
{
	return p->error;
}

uint64_t
prom_parser_samples(const struct prom_parser *p)
{
	return p->samples;
}

uint64_t
prom_parser_lines(const struct prom_parser *p)
{
	return p->line;
}

const char *
prom_type_name(enum prom_type t)
{
	switch (t) {
	case PROM_COUNTER:
		return "counter";
	case PROM_GAUGE:
		return "gauge";
	case PROM_SUMMARY:
		return "summary";
	case PROM_HISTOGRAM:
		return "histogram";
	case PROM_UNTYPED:
		break;
	}
	return "untyped";
}

const char *
prom_sample_label(const struct prom_sample *sm, const char *name)
{
	size_t	i;

	for (i = 0; i < sm->n_labels; i++) {
		if (strcmp(sm->labels[i].name, name) == 0)
			return sm->labels[i].value;
	}
	return NULL;
}

/* ------------------------------------------------------------ numbers */

/* Digits into m; returns -1 past 19 significant digits (too many for m). */
static int
prom_digits(const char **pp, const char *end, uint64_t *m, int *ndig,
    int *exp10, int frac, int *any)
{
	const char	*p = *pp;

	for (; p < end && is_digit(*p); p++) {
		*any = 1;
		if (frac)
			(*exp10)--;
		if (*m == 0 && *p == '0')
			continue;
		if (++*ndig > 19)
			return -1;
		*m = *m * 10 + (uint64_t)(*p - '0');
	}
	*pp = p;
	return 0;
}

static int
prom_exponent(const char **pp, const char *end, int *e)
{
	const char	*p = *pp;
	int		 neg = 0, v = 0;

	if (p < end && (*p == '+' || *p == '-'))
		neg = (*p++ == '-');
	if (p == end || !is_digit(*p))
		return -1;
	for (; p < end && is_digit(*p); p++) {
		if (v < 100000)
			v = v * 10 + (*p - '0');
	}
	*e = neg ? -v : v;
	*pp = p;
	return 0;
}

/*
 * Decimal fast path (Clinger): a mantissa below 2^53 times an exact power
 * of ten up to 1e22 is one correctly rounded IEEE operation. Anything else
 * (NaN, Inf, long mantissas, big exponents) goes to strtod in the C locale.
 */
int
prom_parse_double(const char *s, size_t len, double *out)
{
	const char	*p = s, *end = s + len;
	uint64_t	 m = 0;
	int		 neg = 0, ndig = 0, exp10 = 0, e = 0, any = 0;
	double		 d;

	if (p < end && (*p == '+' || *p == '-'))
		neg = (*p++ == '-');
	if (prom_digits(&p, end, &m, &ndig, &exp10, 0, &any) != 0)
		return util_strtod(s, len, out);
	if (p < end && *p == '.') {
		p++;
		if (prom_digits(&p, end, &m, &ndig, &exp10, 1, &any) != 0)
			return util_strtod(s, len, out);
	}
	if (!any)
		return util_strtod(s, len, out);	/* NaN, Inf */
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (prom_exponent(&p, end, &e) != 0)
			return -1;
	}
	if (p != end)
		return -1;
	exp10 += e;
	if (m == 0) {
		*out = neg ? -0.0 : 0.0;
		return 0;
	}
	if (FLT_EVAL_METHOD != 0 || m > (UINT64_C(1) << 53) ||
	    exp10 < -22 || exp10 > 22)
		return util_strtod(s, len, out);
	d = (double)m;
	d = exp10 < 0 ? d / prom_pow10[-exp10] : d * prom_pow10[exp10];
	*out = neg ? -d : d;
	return 0;
}

static int
prom_parse_int64(const char *s, size_t len, int64_t *out)
{
	const char	*p = s, *end = s + len;
	uint64_t	 v = 0, lim;
	int		 neg = 0;

	if (p < end && *p == '-')
		neg = (*p++ == '-');
	if (p == end)
		return -1;
	lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; p < end; p++) {
		if (!is_digit(*p))
			return -1;
		if (v > (lim - (uint64_t)(*p - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 0;
}

/* ------------------------------------------------------------ labels */

static int
prom_utf8_valid(const unsigned char *s, size_t len)
{
	size_t		i = 0, n, k;
	uint32_t	cp;

	while (i < len) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((s[i] & 0xe0) == 0xc0) {
			n = 1;
			cp = s[i] & 0x1f;
		} else if ((s[i] & 0xf0) == 0xe0) {
			n = 2;
			cp = s[i] & 0x0f;
		} else if ((s[i] & 0xf8) == 0xf0) {
			n = 3;
			cp = s[i] & 0x07;
		} else
			return 0;
		if (i + n >= len)
			return 0;
		for (k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
		    (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += n + 1;
	}
	return 1;
}

/* Copies an identifier (already checked to start right) to l->out. */
static const char *
prom_copy_name(struct prom_line *l, int (*ok)(unsigned char))
{
	const char	*start = l->s;
	char		*name = l->out;

	while (l->s < l->end && ok(*l->s))
		l->s++;
	memcpy(l->out, start, (size_t)(l->s - start));
	l->out += l->s - start;
	*l->out++ = '\0';
	return name;
}

/* The quoted value after '"', unescaped into l->out; NULL on error. */
static const char *
prom_label_value(struct prom_parser *p, struct prom_line *l, const char *lname)
{
	char		*value = l->out, tmp[16];
	int		 high = 0;
	unsigned char	 c;

	for (;;) {
		if (l->s >= l->end) {
			prom_fail(p, "unterminated quoted value of label \"%s\"",
			    lname);
			return NULL;
		}
		c = *l->s++;
		if (c == '"')
			break;
		if (c == '\\') {
			if (l->s >= l->end) {
				prom_fail(p, "unterminated escape in the value "
				    "of label \"%s\"", lname);
				return NULL;
			}
			c = *l->s;
			if (c == 'n')
				c = '\n';
			else if (c != '\\' && c != '"') {
				prom_fail(p, "bad escape '\\' then %s in the "
				    "value of label \"%s\" (expected \\\\, "
				    "\\\" or \\n)", prom_got(l, tmp, sizeof tmp),
				    lname);
				return NULL;
			}
			l->s++;
		} else if (c == '\0') {
			prom_fail(p, "NUL byte in the value of label \"%s\"",
			    lname);
			return NULL;
		}
		high |= c & 0x80;
		*l->out++ = (char)c;
	}
	*l->out++ = '\0';
	if (high && !prom_utf8_valid((const unsigned char *)value,
	    (size_t)(l->out - 1 - value))) {
		prom_fail(p, "the value of label \"%s\" is not valid UTF-8",
		    lname);
		return NULL;
	}
	return value;
}

static void
prom_add_label(struct prom_parser *p, size_t n, const char *name,
    const char *value)
{
	if (n == p->labels_cap) {
		p->labels_cap = p->labels_cap == 0 ? 16 : p->labels_cap * 2;
		p->labels = xreallocarray(p->labels, p->labels_cap,
		    sizeof *p->labels);
	}
	p->labels[n].name = name;
	p->labels[n].value = value;
}

/* One name="value" pair; l->s is at the name. */
static int
prom_label_pair(struct prom_parser *p, struct prom_line *l, size_t n,
    const char *metric)
{
	const char	*name, *value;
	char		 tmp[16];
	size_t		 i;

	if (l->s >= l->end || !is_lname_start(*l->s)) {
		return prom_fail(p, "expected a label name or '}' in the "
		    "labels of %s, got %s", metric, prom_got(l, tmp,
		    sizeof tmp));
	}
	name = prom_copy_name(l, is_lname_char);
	skip_blanks(l);
	if (l->s >= l->end || *l->s != '=') {
		return prom_fail(p, "expected '=' after label name \"%s\", "
		    "got %s", name, prom_got(l, tmp, sizeof tmp));
	}
	l->s++;
	skip_blanks(l);
	if (l->s >= l->end || *l->s != '"') {
		return prom_fail(p, "expected '\"' to open the value of label "
		    "\"%s\", got %s", name, prom_got(l, tmp, sizeof tmp));
	}
	l->s++;
	if ((value = prom_label_value(p, l, name)) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		if (strcmp(p->labels[i].name, name) == 0)
			return prom_fail(p, "duplicate label name \"%s\"", name);
	}
	prom_add_label(p, n, name, value);
	return 0;
}

/* The label set; l->s is just after '{'. Returns the count or -1. */
static int
prom_labels(struct prom_parser *p, struct prom_line *l, const char *metric)
{
	char	tmp[16];
	int	n = 0;

	for (;;) {
		skip_blanks(l);
		if (l->s < l->end && *l->s == '}')
			break;
		if (prom_label_pair(p, l, (size_t)n, metric) != 0)
			return -1;
		n++;
		skip_blanks(l);
		if (l->s < l->end && *l->s == ',') {
			l->s++;
			continue;
		}
		if (l->s < l->end && *l->s == '}')
			break;
		return prom_fail(p, "expected ',' or '}' after the value of "
		    "label \"%s\", got %s", p->labels[n - 1].name,
		    prom_got(l, tmp, sizeof tmp));
	}
	l->s++;
	return n;
}

/* ------------------------------------------------------------ lines */

static int
prom_suffix_is(const char *suffix, size_t len, const char *want)
{
	return strlen(want) == len && memcmp(suffix, want, len) == 0;
}

/* The family a sample name belongs to (see prom_text.h). */
static void
prom_family_of(struct prom_parser *p, struct prom_sample *sm, size_t nlen)
{
	const char	*fam = p->family.data, *sfx;
	size_t		 flen = p->family.len, slen;
	enum prom_type	 t = p->family_type;

	sm->family = sm->name;
	sm->type = PROM_UNTYPED;
	if (flen == 0 || nlen < flen || memcmp(sm->name, fam, flen) != 0)
		return;
	sfx = sm->name + flen;
	slen = nlen - flen;
	if (slen == 0 || ((t == PROM_SUMMARY || t == PROM_HISTOGRAM) &&
	    (prom_suffix_is(sfx, slen, "_sum") ||
	    prom_suffix_is(sfx, slen, "_count"))) ||
	    (t == PROM_HISTOGRAM && prom_suffix_is(sfx, slen, "_bucket"))) {
		sm->family = fam;
		sm->type = t;
	}
}

/* A token up to the next blank. */
static size_t
prom_token(struct prom_line *l, const char **tok)
{
	*tok = l->s;
	while (l->s < l->end && !is_blank(*l->s))
		l->s++;
	return (size_t)(l->s - *tok);
}

/* Value and optional timestamp after the name and labels. */
static int
prom_value(struct prom_parser *p, struct prom_line *l, struct prom_sample *sm)
{
	const char	*tok;
	size_t		 len;
	char		 tmp[16];

	skip_blanks(l);
	if ((len = prom_token(l, &tok)) == 0)
		return prom_fail(p, "expected a value for %s", sm->name);
	if (prom_parse_double(tok, len, &sm->value) != 0) {
		return prom_fail(p, "bad number \"%.*s\" as the value of %s",
		    (int)(len > 64 ? 64 : len), tok, sm->name);
	}
	skip_blanks(l);
	sm->has_timestamp = false;
	if (l->s == l->end)
		return 0;
	len = prom_token(l, &tok);
	if (prom_parse_int64(tok, len, &sm->timestamp_ms) != 0) {
		return prom_fail(p, "bad timestamp \"%.*s\" for %s (expected "
		    "integer milliseconds)", (int)(len > 64 ? 64 : len), tok,
		    sm->name);
	}
	sm->has_timestamp = true;
	skip_blanks(l);
	if (l->s != l->end) {
		return prom_fail(p, "expected end of line after the timestamp "
		    "of %s, got %s", sm->name, prom_got(l, tmp, sizeof tmp));
	}
	return 0;
}

static int
prom_sample_line(struct prom_parser *p, struct prom_line *l)
{
	struct prom_sample	 sm;
	char			 tmp[16];
	int			 n = 0;

	if (!is_mname_start(*l->s)) {
		return prom_fail(p, "expected a metric name or '#', got %s",
		    prom_got(l, tmp, sizeof tmp));
	}
	sm.name = prom_copy_name(l, is_mname_char);
	prom_family_of(p, &sm, (size_t)(l->out - 1 - sm.name));
	skip_blanks(l);
	if (l->s < l->end && *l->s == '{') {
		l->s++;
		if ((n = prom_labels(p, l, sm.name)) < 0)
			return -1;
	} else if (l->s < l->end && l->s[-1] != ' ' && l->s[-1] != '\t') {
		return prom_fail(p, "expected '{' or a blank after metric name "
		    "%s, got %s", sm.name, prom_got(l, tmp, sizeof tmp));
	}
	sm.labels = p->labels;
	sm.n_labels = (size_t)n;
	sm.line = p->line;
	if (prom_value(p, l, &sm) != 0)
		return -1;
	p->samples++;
	if (p->fn != NULL && p->fn(&sm, p->arg) != 0)
		return prom_fail(p, "stopped by the caller");
	return 0;
}

static int
prom_type_of(const char *s, size_t len, enum prom_type *t)
{
	static const struct {
		const char	*name;
		enum prom_type	 type;
	} types[] = {
		{ "counter", PROM_COUNTER },
		{ "gauge", PROM_GAUGE },
		{ "summary", PROM_SUMMARY },
		{ "histogram", PROM_HISTOGRAM },
		{ "untyped", PROM_UNTYPED },
	};
	size_t	i;

	for (i = 0; i < nitems(types); i++) {
		if (prom_suffix_is(s, len, types[i].name)) {
			*t = types[i].type;
			return 0;
		}
	}
	return -1;
}

/* # TYPE name type; l->s is after "TYPE". */
static int
prom_type_line(struct prom_parser *p, struct prom_line *l, const char *name,
    size_t nlen)
{
	const char	*tok;
	size_t		 len;
	enum prom_type	 t;
	char		 tmp[16];

	skip_blanks(l);
	len = prom_token(l, &tok);
	if (prom_type_of(tok, len, &t) != 0) {
		return prom_fail(p, "unknown metric type \"%.*s\" for %.*s "
		    "(expected counter, gauge, summary, histogram or untyped)",
		    (int)(len > 64 ? 64 : len), tok, (int)nlen, name);
	}
	skip_blanks(l);
	if (l->s != l->end) {
		return prom_fail(p, "expected end of line after # TYPE %.*s, "
		    "got %s", (int)nlen, name, prom_got(l, tmp, sizeof tmp));
	}
	buf_reset(&p->family);
	buf_add(&p->family, name, nlen);
	p->family_type = t;
	return 0;
}

/* '#' lines: HELP and TYPE are read, other comments ignored. */
static int
prom_comment_line(struct prom_parser *p, struct prom_line *l)
{
	const char	*kw, *name;
	size_t		 kwlen, nlen;
	int		 help;

	l->s++;
	skip_blanks(l);
	kwlen = prom_token(l, &kw);
	if (prom_suffix_is(kw, kwlen, "HELP"))
		help = 1;
	else if (prom_suffix_is(kw, kwlen, "TYPE"))
		help = 0;
	else
		return 0;
	skip_blanks(l);
	name = l->s;
	while (l->s < l->end && is_mname_char(*l->s))
		l->s++;
	nlen = (size_t)(l->s - name);
	if (nlen == 0 || !is_mname_start(*name) ||
	    (l->s < l->end && !is_blank(*l->s))) {
		return prom_fail(p, "expected a metric name after # %s",
		    help ? "HELP" : "TYPE");
	}
	if (!help)
		return prom_type_line(p, l, name, nlen);
	if (p->family.len != nlen || memcmp(p->family.data, name, nlen) != 0) {
		buf_reset(&p->family);
		buf_add(&p->family, name, nlen);
		p->family_type = PROM_UNTYPED;
	}
	return 0;
}

static int
prom_line(struct prom_parser *p, const char *s, size_t len)
{
	struct prom_line	l;

	p->line++;
	if (len > PROM_MAX_LINE)
		return prom_fail(p, "line longer than %d bytes", PROM_MAX_LINE);
	if (len > 0 && s[len - 1] == '\r')
		len--;
	l.s = s;
	l.end = s + len;
	skip_blanks(&l);
	if (l.s == l.end)
		return 0;
	if (*l.s == '#')
		return prom_comment_line(p, &l);
	buf_reset(&p->scratch);
	buf_reserve(&p->scratch, 2 * len + 2);
	l.out = p->scratch.data;
	return prom_sample_line(p, &l);
}

int
prom_parser_feed(struct prom_parser *p, const char *data, size_t len)
{
	const char	*nl;
	size_t		 take;

	if (p->error != NULL)
		return -1;
	while (len > 0) {
		nl = memchr(data, '\n', len);
		take = nl != NULL ? (size_t)(nl - data) : len;
		if (p->pending.len == 0 && nl != NULL) {
			if (prom_line(p, data, take) != 0)
				return -1;
		} else {
			if (p->pending.len + take > PROM_MAX_LINE) {
				p->line++;
				return prom_fail(p, "line longer than %d bytes",
				    PROM_MAX_LINE);
			}
			buf_add(&p->pending, data, take);
			if (nl == NULL)
				return 0;
			if (prom_line(p, p->pending.data, p->pending.len) != 0)
				return -1;
			buf_reset(&p->pending);
		}
		data += take + 1;
		len -= take + 1;
	}
	return 0;
}

int
prom_parser_finish(struct prom_parser *p)
{
	if (p->error != NULL)
		return -1;
	if (p->pending.len > 0) {
		if (prom_line(p, p->pending.data, p->pending.len) != 0)
			return -1;
		buf_reset(&p->pending);
	}
	return 0;
}

int
prom_parse_buffer(const char *data, size_t len, prom_sample_fn fn, void *arg,
    char **cause)
{
	struct prom_parser	*p;
	int			 rc;

	p = prom_parser_new(fn, arg);
	rc = prom_parser_feed(p, data, len);
	if (rc == 0)
		rc = prom_parser_finish(p);
	if (rc != 0 && cause != NULL)
		*cause = xstrdup(p->error);
	prom_parser_free(p);
	return rc;
}
