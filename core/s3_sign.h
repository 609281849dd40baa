/*
 * What libcurl's CURLOPT_AWS_SIGV4 needs from us to produce a correct
 * signature: curl (7.88) signs the path and the query string exactly as
 * written and does not add x-amz-content-sha256, so URLs must already be in
 * AWS canonical form and the payload hash must be supplied as a header.
 *
 * The canonical request / string-to-sign builders reproduce the AWS SigV4
 * algorithm independently of curl, for unit tests against AWS's published
 * examples and against what curl actually sends.
 */
#ifndef CHOPS_S3_SIGN_H
#define CHOPS_S3_SIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define S3_UNSIGNED_PAYLOAD	"UNSIGNED-PAYLOAD"
/* SHA-256 of nothing, the payload hash of a request without a body */
#define S3_EMPTY_SHA256 \
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

#define S3_SHA256_HEX_LEN	64
#define S3_MD5_B64_LEN		24

/*
 * RFC 3986 percent-encoding as AWS defines it: A-Z a-z 0-9 - . _ ~ stay,
 * every other byte becomes %XX with uppercase hex. With keep_slash, '/'
 * stays (object keys in paths); without it '/' is encoded (query values).
 */
void	 s3_uri_encode(struct buf *, const char *, size_t, bool keep_slash);
char	*s3_uri_encode_str(const char *, bool keep_slash);
/* Reverses percent-encoding; -1 on a malformed escape. */
int	 s3_uri_decode(struct buf *, const char *, size_t);

/* One query parameter. value NULL is a value-less key ("uploads"). */
struct s3_param {
	const char	*key;
	const char	*value;
};

/*
 * The canonical query string: keys and values encoded, sorted by key (then
 * value), value-less keys written as "key=". "" when n is 0.
 */
char	*s3_canonical_query(const struct s3_param *, size_t n);

/*
 * A path-style URL: endpoint/bucket/encoded-key?query. key NULL or "" gives
 * the bucket URL; query NULL or "" adds none. A trailing '/' on the endpoint
 * is ignored.
 */
char	*s3_url(const char *endpoint, const char *bucket, const char *key,
	     const char *query);

/* "aws:amz:REGION:s3", the CURLOPT_AWS_SIGV4 provider string. */
char	*s3_provider(const char *region);

/* Hex SHA-256 (64 characters + NUL). */
void	 s3_sha256_hex(const void *, size_t, char out[S3_SHA256_HEX_LEN + 1]);
/* Base64 of the MD5 digest, for Content-MD5 (24 characters + NUL). */
void	 s3_md5_base64(const void *, size_t, char out[S3_MD5_B64_LEN + 1]);
/* Hex MD5 (32 characters + NUL), what S3 puts in simple ETags. */
void	 s3_md5_hex(const void *, size_t, char out[33]);

/* A header for the canonical request builder. */
struct s3_header {
	const char	*name;
	const char	*value;
};

/* A request as SigV4 sees it. path and query as sent (already encoded). */
struct s3_sign_req {
	const char		*method;
	const char		*path;		/* "/bucket/key" */
	const char		*query;		/* canonical, "" when none */
	const struct s3_header	*headers;	/* with host and x-amz-date */
	size_t			 n_headers;
	const char		*payload_hash;	/* hex or UNSIGNED-PAYLOAD */
};

/*
 * The canonical request: method, path, query, lowercase sorted headers with
 * trimmed values, signed header list, payload hash. *signed_headers (may be
 * NULL) receives "host;range;..." (caller frees).
 */
char	*s3_canonical_request(const struct s3_sign_req *,
	     char **signed_headers);
/* "AWS4-HMAC-SHA256\nDATE\nSCOPE\nhash(canonical)"; date yyyymmddThhmmssZ */
char	*s3_string_to_sign(const char *amz_date, const char *region,
	     const char *service, const char *canonical_request);
/* The hex signature of a string-to-sign. */
void	 s3_signature(const char *secret, const char *amz_date,
	     const char *region, const char *service, const char *to_sign,
	     char out[S3_SHA256_HEX_LEN + 1]);
/* The whole Authorization header value, for comparing with curl's. */
char	*s3_authorization(const struct s3_sign_req *, const char *access_key,
	     const char *secret, const char *amz_date, const char *region,
	     const char *service);

#endif
