#include "s3_sign.h"
#include "xmalloc.h"
#include "util.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

static const char hexdigits[] = "0123456789ABCDEF";

static bool
uri_unreserved(unsigned char c)
{
	return isascii(c) && (isalnum(c) || c == '-' || c == '.' ||
	    c == '_' || c == '~');
}

void
s3_uri_encode(struct buf *b, const char *s, size_t len, bool keep_slash)
{
	unsigned char	c;
	size_t		i;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (uri_unreserved(c) || (keep_slash && c == '/')) {
			buf_addc(b, (char)c);
			continue;
		}
		buf_addc(b, '%');
		buf_addc(b, hexdigits[c >> 4]);
		buf_addc(b, hexdigits[c & 15]);
	}
}

char *
s3_uri_encode_str(const char *s, bool keep_slash)
{
	struct buf	b = BUF_INIT;

	s3_uri_encode(&b, s, strlen(s), keep_slash);
	return buf_detach(&b);
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
s3_uri_decode(struct buf *b, const char *s, size_t len)
{
	size_t	i;
	int	hi, lo;

	for (i = 0; i < len; i++) {
		if (s[i] != '%') {
			buf_addc(b, s[i]);
			continue;
		}
		if (i + 2 >= len)
			return -1;
		hi = hexval(s[i + 1]);
		lo = hexval(s[i + 2]);
		if (hi < 0 || lo < 0)
			return -1;
		buf_addc(b, (char)(hi << 4 | lo));
		i += 2;
	}
	return 0;
}

struct enc_param {
	char	*key;
	char	*value;
};

static int
enc_param_cmp(const void *a, const void *b)
{
	const struct enc_param	*pa = a, *pb = b;
	int			 r;

	r = strcmp(pa->key, pb->key);
	if (r != 0)
		return r;
	return strcmp(pa->value, pb->value);
}

char *
s3_canonical_query(const struct s3_param *params, size_t n)
{
	struct enc_param	*e;
	struct buf		 b = BUF_INIT;
	size_t			 i;

	if (n == 0)
		return xstrdup("");
	e = xcalloc(n, sizeof *e);
	for (i = 0; i < n; i++) {
		e[i].key = s3_uri_encode_str(params[i].key, false);
		e[i].value = s3_uri_encode_str(params[i].value != NULL ?
		    params[i].value : "", false);
	}
	qsort(e, n, sizeof *e, enc_param_cmp);
	for (i = 0; i < n; i++) {
		if (i != 0)
			buf_addc(&b, '&');
		buf_printf(&b, "%s=%s", e[i].key, e[i].value);
		free(e[i].key);
		free(e[i].value);
	}
	free(e);
	return buf_detach(&b);
}

char *
s3_url(const char *endpoint, const char *bucket, const char *key,
    const char *query)
{
	struct buf	b = BUF_INIT;
	size_t		elen = strlen(endpoint);

	while (elen > 0 && endpoint[elen - 1] == '/')
		elen--;
	buf_add(&b, endpoint, elen);
	buf_addc(&b, '/');
	s3_uri_encode(&b, bucket, strlen(bucket), false);
	if (key != NULL && *key != '\0') {
		buf_addc(&b, '/');
		s3_uri_encode(&b, key, strlen(key), true);
	}
	if (query != NULL && *query != '\0') {
		buf_addc(&b, '?');
		buf_addstr(&b, query);
	}
	return buf_detach(&b);
}

char *
s3_provider(const char *region)
{
	return xasprintf("aws:amz:%s:s3", region);
}

static void
digest(const EVP_MD *md, const void *p, size_t len, unsigned char *out,
    unsigned int *outlen)
{
	if (EVP_Digest(p, len, out, outlen, md, NULL) != 1)
		abort();
}

static void
to_hex(const unsigned char *d, size_t n, char *out)
{
	static const char lower[] = "0123456789abcdef";
	size_t		  i;

	for (i = 0; i < n; i++) {
		out[2 * i] = lower[d[i] >> 4];
		out[2 * i + 1] = lower[d[i] & 15];
	}
	out[2 * n] = '\0';
}

void
s3_sha256_hex(const void *p, size_t len, char out[S3_SHA256_HEX_LEN + 1])
{
	unsigned char	d[EVP_MAX_MD_SIZE];
	unsigned int	n;

	digest(EVP_sha256(), p, len, d, &n);
	to_hex(d, n, out);
}

void
s3_md5_base64(const void *p, size_t len, char out[S3_MD5_B64_LEN + 1])
{
	unsigned char	d[EVP_MAX_MD_SIZE];
	unsigned int	n;

	digest(EVP_md5(), p, len, d, &n);
	EVP_EncodeBlock((unsigned char *)out, d, (int)n);
}

void
s3_md5_hex(const void *p, size_t len, char out[33])
{
	unsigned char	d[EVP_MAX_MD_SIZE];
	unsigned int	n;

	digest(EVP_md5(), p, len, d, &n);
	to_hex(d, n, out);
}

/* Header value with leading/trailing space cut and inner runs squeezed. */
static char *
header_trimall(const char *v)
{
	struct buf	 b = BUF_INIT;
	bool		 space = false;

	while (*v == ' ' || *v == '\t')
		v++;
	for (; *v != '\0'; v++) {
		if (*v == ' ' || *v == '\t') {
			space = true;
			continue;
		}
		if (space)
			buf_addc(&b, ' ');
		space = false;
		buf_addc(&b, *v);
	}
	return buf_detach(&b);
}

static int
header_cmp(const void *a, const void *b)
{
	const struct s3_header	*ha = a, *hb = b;

	return strcmp(ha->name, hb->name);
}

/* Lowercased, trimmed, sorted copies of the headers. */
static struct s3_header *
canonical_headers(const struct s3_header *in, size_t n)
{
	struct s3_header	*h;
	char			*name;
	size_t			 i, j;

	h = xcalloc(n ? n : 1, sizeof *h);
	for (i = 0; i < n; i++) {
		name = xstrdup(in[i].name);
		for (j = 0; name[j] != '\0'; j++)
			name[j] = (char)tolower((unsigned char)name[j]);
		h[i].name = name;
		h[i].value = header_trimall(in[i].value);
	}
	qsort(h, n, sizeof *h, header_cmp);
	return h;
}

static void
free_headers(struct s3_header *h, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		free((char *)h[i].name);
		free((char *)h[i].value);
	}
	free(h);
}

char *
s3_canonical_request(const struct s3_sign_req *r, char **signed_headers)
{
	struct s3_header	*h;
	struct buf		 b = BUF_INIT, sh = BUF_INIT;
	size_t			 i;

	h = canonical_headers(r->headers, r->n_headers);
	buf_printf(&b, "%s\n%s\n%s\n", r->method, r->path,
	    r->query != NULL ? r->query : "");
	for (i = 0; i < r->n_headers; i++) {
		if (i > 0 && strcmp(h[i].name, h[i - 1].name) == 0) {
			/* repeated header: values joined with commas */
			b.len--;
			buf_printf(&b, ",%s\n", h[i].value);
			continue;
		}
		buf_printf(&b, "%s:%s\n", h[i].name, h[i].value);
		if (sh.len != 0)
			buf_addc(&sh, ';');
		buf_addstr(&sh, h[i].name);
	}
	buf_printf(&b, "\n%s\n%s", buf_str(&sh), r->payload_hash);
	free_headers(h, r->n_headers);
	if (signed_headers != NULL)
		*signed_headers = xstrdup(buf_str(&sh));
	buf_free(&sh);
	return buf_detach(&b);
}

char *
s3_string_to_sign(const char *amz_date, const char *region,
    const char *service, const char *canonical_request)
{
	char	hash[S3_SHA256_HEX_LEN + 1];

	s3_sha256_hex(canonical_request, strlen(canonical_request), hash);
	return xasprintf("AWS4-HMAC-SHA256\n%s\n%.8s/%s/%s/aws4_request\n%s",
	    amz_date, amz_date, region, service, hash);
}

static void
hmac256(const void *key, size_t klen, const char *msg, unsigned char out[32])
{
	unsigned char	tmp[EVP_MAX_MD_SIZE];
	unsigned int	n = sizeof tmp;

	if (HMAC(EVP_sha256(), key, (int)klen, (const unsigned char *)msg,
	    strlen(msg), tmp, &n) == NULL || n != 32)
		abort();
	memcpy(out, tmp, 32);
	explicit_bzero(tmp, sizeof tmp);
}

void
s3_signature(const char *secret, const char *amz_date, const char *region,
    const char *service, const char *to_sign, char out[S3_SHA256_HEX_LEN + 1])
{
	unsigned char	 k[32];
	char		*k0, date[9];

	snprintf(date, sizeof date, "%.8s", amz_date);
	k0 = xasprintf("AWS4%s", secret);
	hmac256(k0, strlen(k0), date, k);
	util_free_secret(k0);
	hmac256(k, sizeof k, region, k);
	hmac256(k, sizeof k, service, k);
	hmac256(k, sizeof k, "aws4_request", k);
	hmac256(k, sizeof k, to_sign, k);
	to_hex(k, sizeof k, out);
	explicit_bzero(k, sizeof k);
}

char *
s3_authorization(const struct s3_sign_req *r, const char *access_key,
    const char *secret, const char *amz_date, const char *region,
    const char *service)
{
	char	*creq, *sts, *sh, *auth, sig[S3_SHA256_HEX_LEN + 1];

	creq = s3_canonical_request(r, &sh);
	sts = s3_string_to_sign(amz_date, region, service, creq);
	s3_signature(secret, amz_date, region, service, sts, sig);
	auth = xasprintf("AWS4-HMAC-SHA256 Credential=%s/%.8s/%s/%s/"
	    "aws4_request, SignedHeaders=%s, Signature=%s", access_key,
	    amz_date, region, service, sh, sig);
	free(creq);
	free(sts);
	free(sh);
	return auth;
}
