#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <poll.h>
#include <pthread.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <cmocka.h>

#include "loop.h"
#include "s3.h"
#include "s3_sign.h"
#include "util.h"

/* The credentials of AWS's published SigV4 examples for S3. */
#define EX_ACCESS	"AKIAIOSFODNN7EXAMPLE"
#define EX_SECRET	"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
#define EX_DATE		"20130524T000000Z"
#define EX_HOST		"examplebucket.s3.amazonaws.com"

static void
test_uri_encode(void **state)
{
	char	*s;

	s = s3_uri_encode_str("dir/a b(1)*:+=%~._-\xc3\xbc", true);
	assert_string_equal(s, "dir/a%20b%281%29%2A%3A%2B%3D%25~._-%C3%BC");
	free(s);
	s = s3_uri_encode_str("a/b+c=d", false);
	assert_string_equal(s, "a%2Fb%2Bc%3Dd");
	free(s);
	s = s3_uri_encode_str("", false);
	assert_string_equal(s, "");
	free(s);
	s = s3_uri_encode_str("AZaz09", false);
	assert_string_equal(s, "AZaz09");
	free(s);
}

static void
test_uri_decode(void **state)
{
	struct buf	b = BUF_INIT;

	assert_int_equal(s3_uri_decode(&b, "a%2Fb%20c%c3%BC", 15), 0);
	assert_string_equal(buf_str(&b), "a/b c\xc3\xbc");
	buf_reset(&b);
	assert_int_equal(s3_uri_decode(&b, "bad%2", 5), -1);
	buf_reset(&b);
	assert_int_equal(s3_uri_decode(&b, "bad%zz", 6), -1);
	buf_free(&b);
}

static void
test_canonical_query(void **state)
{
	const struct s3_param	list[] = {
		{ "prefix", "J" }, { "max-keys", "2" },
	};
	const struct s3_param	cont[] = {
		{ "list-type", "2" }, { "continuation-token", "a+b/c==" },
		{ "delimiter", "/" }, { "prefix", "dir/x y" },
	};
	const struct s3_param	bare[] = { { "uploads", NULL } };
	const struct s3_param	part[] = {
		{ "uploadId", "2~abc" }, { "partNumber", "10" },
	};
	char			*q;

	q = s3_canonical_query(list, 2);
	assert_string_equal(q, "max-keys=2&prefix=J");
	free(q);
	q = s3_canonical_query(cont, 4);
	assert_string_equal(q, "continuation-token=a%2Bb%2Fc%3D%3D&"
	    "delimiter=%2F&list-type=2&prefix=dir%2Fx%20y");
	free(q);
	q = s3_canonical_query(bare, 1);
	assert_string_equal(q, "uploads=");
	free(q);
	/* uppercase sorts before lowercase (byte order) */
	q = s3_canonical_query(part, 2);
	assert_string_equal(q, "partNumber=10&uploadId=2~abc");
	free(q);
	q = s3_canonical_query(NULL, 0);
	assert_string_equal(q, "");
	free(q);
}

static void
test_url_and_provider(void **state)
{
	char	*s;

	s = s3_url("http://127.0.0.1:7480/", "bkt", "dir/a b+c", "uploads=");
	assert_string_equal(s,
	    "http://127.0.0.1:7480/bkt/dir/a%20b%2Bc?uploads=");
	free(s);
	s = s3_url("https://s3.example.com", "bkt", NULL, "list-type=2");
	assert_string_equal(s, "https://s3.example.com/bkt?list-type=2");
	free(s);
	s = s3_url("http://h:1", "bkt", "k", NULL);
	assert_string_equal(s, "http://h:1/bkt/k");
	free(s);
	s = s3_provider("us-east-1");
	assert_string_equal(s, "aws:amz:us-east-1:s3");
	free(s);
}

static void
test_digests(void **state)
{
	char	hex[S3_SHA256_HEX_LEN + 1], b64[S3_MD5_B64_LEN + 1], md5[33];

	s3_sha256_hex("", 0, hex);
	assert_string_equal(hex, S3_EMPTY_SHA256);
	s3_sha256_hex("Welcome to Amazon S3.", 21, hex);
	assert_string_equal(hex, "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b"
	    "4b4e99e42034a8b803f8b072");
	s3_md5_base64("", 0, b64);
	assert_string_equal(b64, "1B2M2Y8AsgTpgAmY7PhCfg==");
	s3_md5_base64("hello", 5, b64);
	assert_string_equal(b64, "XUFAKrxLKna5cZ2REBfFkg==");
	s3_md5_hex("hello", 5, md5);
	assert_string_equal(md5, "5d41402abc4b2a76b9719d911017c592");
}

/* AWS example "GET Object": canonical request, string to sign, signature. */
static void
test_aws_get_object(void **state)
{
	const struct s3_header	h[] = {
		{ "Host", EX_HOST },
		{ "Range", "bytes=0-9" },
		{ "x-amz-content-sha256", S3_EMPTY_SHA256 },
		{ "x-amz-date", EX_DATE },
	};
	struct s3_sign_req	r = {
		"GET", "/test.txt", "", h, nitems(h), S3_EMPTY_SHA256
	};
	char			*creq, *sts, *sh, sig[S3_SHA256_HEX_LEN + 1];

	creq = s3_canonical_request(&r, &sh);
	assert_string_equal(creq,
	    "GET\n/test.txt\n\n"
	    "host:examplebucket.s3.amazonaws.com\n"
	    "range:bytes=0-9\n"
	    "x-amz-content-sha256:" S3_EMPTY_SHA256 "\n"
	    "x-amz-date:20130524T000000Z\n\n"
	    "host;range;x-amz-content-sha256;x-amz-date\n"
	    S3_EMPTY_SHA256);
	assert_string_equal(sh, "host;range;x-amz-content-sha256;x-amz-date");
	sts = s3_string_to_sign(EX_DATE, "us-east-1", "s3", creq);
	assert_string_equal(sts, "AWS4-HMAC-SHA256\n20130524T000000Z\n"
	    "20130524/us-east-1/s3/aws4_request\n"
	    "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
	s3_signature(EX_SECRET, EX_DATE, "us-east-1", "s3", sts, sig);
	assert_string_equal(sig, "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170"
	    "aba48dd91039c6036bdb41");
	free(creq);
	free(sts);
	free(sh);
}

/* Signs one of AWS's examples and returns the Authorization value. */
static char *
sign_example(const char *method, const char *path, const char *query,
    const struct s3_header *extra, size_t n_extra, const char *payload)
{
	struct s3_header	h[8];
	struct s3_sign_req	r;
	size_t			i, n = 0;

	h[n++] = (struct s3_header){ "Host", EX_HOST };
	h[n++] = (struct s3_header){ "x-amz-date", EX_DATE };
	h[n++] = (struct s3_header){ "x-amz-content-sha256", payload };
	for (i = 0; i < n_extra; i++)
		h[n++] = extra[i];
	r = (struct s3_sign_req){ method, path, query, h, n, payload };
	return s3_authorization(&r, EX_ACCESS, EX_SECRET, EX_DATE,
	    "us-east-1", "s3");
}

#define EX_CRED "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/" \
	"20130524/us-east-1/s3/aws4_request, "

/* AWS example "PUT Object": a key with '$', extra headers, a body hash. */
static void
test_aws_put_object(void **state)
{
	const struct s3_header	 extra[] = {
		{ "Date", "Fri, 24 May 2013 00:00:00 GMT" },
		{ "x-amz-storage-class", "  REDUCED_REDUNDANCY " },
	};
	char			 hash[S3_SHA256_HEX_LEN + 1], *path, *auth;

	s3_sha256_hex("Welcome to Amazon S3.", 21, hash);
	path = s3_uri_encode_str("/test$file.text", true);
	assert_string_equal(path, "/test%24file.text");
	auth = sign_example("PUT", path, "", extra, nitems(extra), hash);
	assert_string_equal(auth, EX_CRED "SignedHeaders=date;host;"
	    "x-amz-content-sha256;x-amz-date;x-amz-storage-class, Signature="
	    "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
	free(auth);
	free(path);
}

/* AWS examples "GET Bucket Lifecycle" (value-less key) and "List Objects". */
static void
test_aws_bucket_queries(void **state)
{
	const struct s3_param	 lc[] = { { "lifecycle", NULL } };
	const struct s3_param	 ls[] = {
		{ "prefix", "J" }, { "max-keys", "2" },
	};
	char			*q, *auth;

	q = s3_canonical_query(lc, nitems(lc));
	auth = sign_example("GET", "/", q, NULL, 0, S3_EMPTY_SHA256);
	assert_string_equal(auth, EX_CRED "SignedHeaders=host;"
	    "x-amz-content-sha256;x-amz-date, Signature="
	    "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
	free(auth);
	free(q);
	q = s3_canonical_query(ls, nitems(ls));
	auth = sign_example("GET", "/", q, NULL, 0, S3_EMPTY_SHA256);
	assert_string_equal(auth, EX_CRED "SignedHeaders=host;"
	    "x-amz-content-sha256;x-amz-date, Signature="
	    "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
	free(auth);
	free(q);
}

/* A wrong encoding must change the signature (the point of the vectors). */
static void
test_encoding_matters(void **state)
{
	char	*a, *b;

	a = sign_example("GET", "/a%20b", "", NULL, 0, S3_EMPTY_SHA256);
	b = sign_example("GET", "/a+b", "", NULL, 0, S3_EMPTY_SHA256);
	assert_string_not_equal(a, b);
	free(a);
	free(b);
}


/* ------------------------------------------------------------------------
 * What goes on the wire: a tiny HTTP server in a thread records what curl
 * really sends for the S3 client, and answers what each test says.
 */

struct fake_req {
	char		*method;
	char		*path;		/* before '?' */
	char		*query;		/* after '?'; "" when none */
	char		**names;	/* headers as received */
	char		**values;
	size_t		 n;
	struct buf	 body;
};

struct fake_reply {
	int		 status;
	char		*headers;	/* extra "Name: value\r\n" lines */
	char		*body;
	int		 delay_ms;
};

struct fake;
typedef void	(*fake_handler)(struct fake *, const struct fake_req *,
		    struct fake_reply *);

struct fake {
	int		 lfd;
	int		 port;
	int		 stop[2];
	pthread_t	 thread;
	pthread_mutex_t	 mu;
	fake_handler	 handler;
	struct fake_req	*log;		/* every request, in arrival order */
	size_t		 n_log;
	pthread_t	*conns;
	size_t		 n_conns;
	int		 active;
	int		 max_active;
	int		 counter;	/* for handlers */
	const char	*mode;		/* for handlers */
};

struct fake_conn {
	struct fake	*f;
	int		 fd;
};

static const char *
req_header(const struct fake_req *r, const char *name)
{
	size_t	i;

	for (i = 0; i < r->n; i++) {
		if (strcasecmp(r->names[i], name) == 0)
			return r->values[i];
	}
	return NULL;
}

static size_t
req_header_count(const struct fake_req *r, const char *name)
{
	size_t	i, n = 0;

	for (i = 0; i < r->n; i++)
		n += strcasecmp(r->names[i], name) == 0;
	return n;
}

static void
req_free(struct fake_req *r)
{
	size_t	i;

	for (i = 0; i < r->n; i++) {
		free(r->names[i]);
		free(r->values[i]);
	}
	free(r->names);
	free(r->values);
	free(r->method);
	free(r->path);
	free(r->query);
	buf_free(&r->body);
}

/* Parses "METHOD target HTTP/1.1\r\nName: value\r\n...\r\n". */
static void
req_parse(struct fake_req *r, char *head)
{
	char	*line, *save = NULL, *colon, *target, *q;

	memset(r, 0, sizeof *r);
	line = strtok_r(head, "\r\n", &save);
	r->method = xstrndup(line, strcspn(line, " "));
	target = line + strlen(r->method) + 1;
	target[strcspn(target, " ")] = '\0';
	q = strchr(target, '?');
	r->query = xstrdup(q != NULL ? q + 1 : "");
	r->path = xstrndup(target, q != NULL ? (size_t)(q - target) :
	    strlen(target));
	while ((line = strtok_r(NULL, "\r\n", &save)) != NULL) {
		if ((colon = strchr(line, ':')) == NULL)
			continue;
		*colon = '\0';
		r->names = xreallocarray(r->names, r->n + 1, sizeof *r->names);
		r->values = xreallocarray(r->values, r->n + 1,
		    sizeof *r->values);
		r->names[r->n] = xstrdup(line);
		r->values[r->n++] = xstrdup(util_trim(colon + 1));
	}
}

static bool
read_more(int fd, struct buf *in)
{
	char	tmp[65536];
	ssize_t	n = read(fd, tmp, sizeof tmp);

	if (n <= 0)
		return false;
	buf_add(in, tmp, (size_t)n);
	return true;
}

/* Reads one request; false at the end of the connection. */
static bool
fake_read_req(int fd, struct buf *in, struct fake_req *r)
{
	char		*end, *head;
	const char	*v;
	size_t		 hlen, clen = 0;

	while (in->len == 0 ||
	    (end = memmem(in->data, in->len, "\r\n\r\n", 4)) == NULL) {
		if (!read_more(fd, in))
			return false;
	}
	hlen = (size_t)(end - in->data) + 4;
	head = xstrndup(in->data, hlen);
	req_parse(r, head);
	free(head);
	if ((v = req_header(r, "Content-Length")) != NULL)
		clen = strtoul(v, NULL, 10);
	if ((v = req_header(r, "Expect")) != NULL &&
	    strcasecmp(v, "100-continue") == 0)
		(void)!write(fd, "HTTP/1.1 100 Continue\r\n\r\n", 25);
	while (in->len < hlen + clen) {
		if (!read_more(fd, in))
			return false;
	}
	buf_add(&r->body, in->data + hlen, clen);
	buf_consume(in, hlen + clen);
	return true;
}

static void
fake_log(struct fake *f, const struct fake_req *r)
{
	struct fake_req	*c;
	size_t		 i;

	f->log = xreallocarray(f->log, f->n_log + 1, sizeof *f->log);
	c = &f->log[f->n_log++];
	memset(c, 0, sizeof *c);
	c->method = xstrdup(r->method);
	c->path = xstrdup(r->path);
	c->query = xstrdup(r->query);
	c->names = xcalloc(r->n + 1, sizeof *c->names);
	c->values = xcalloc(r->n + 1, sizeof *c->values);
	for (i = 0; i < r->n; i++) {
		c->names[i] = xstrdup(r->names[i]);
		c->values[i] = xstrdup(r->values[i]);
	}
	c->n = r->n;
	buf_add(&c->body, r->body.data, r->body.len);
}

static void
fake_answer(int fd, const struct fake_req *r, struct fake_reply *rep)
{
	struct buf	out = BUF_INIT;
	const char	*body = rep->body != NULL ? rep->body : "";

	buf_printf(&out, "HTTP/1.1 %d X\r\nContent-Length: %zu\r\n%s\r\n",
	    rep->status, strlen(body), rep->headers != NULL ?
	    rep->headers : "");
	if (strcmp(r->method, "HEAD") != 0)
		buf_addstr(&out, body);
	(void)!write(fd, out.data, out.len);
	buf_free(&out);
	free(rep->headers);
	free(rep->body);
}

static void *
fake_conn_main(void *arg)
{
	struct fake_conn	*fc = arg;
	struct fake		*f = fc->f;
	struct buf		 in = BUF_INIT;
	struct fake_req		 r;
	struct fake_reply	 rep;

	while (fake_read_req(fc->fd, &in, &r)) {
		memset(&rep, 0, sizeof rep);
		rep.status = 200;
		pthread_mutex_lock(&f->mu);
		fake_log(f, &r);
		if (++f->active > f->max_active)
			f->max_active = f->active;
		f->handler(f, &r, &rep);
		pthread_mutex_unlock(&f->mu);
		if (rep.delay_ms > 0)
			usleep((useconds_t)rep.delay_ms * 1000);
		pthread_mutex_lock(&f->mu);
		f->active--;
		pthread_mutex_unlock(&f->mu);
		fake_answer(fc->fd, &r, &rep);
		req_free(&r);
	}
	close(fc->fd);
	buf_free(&in);
	free(fc);
	return NULL;
}

static void *
fake_main(void *arg)
{
	struct fake		*f = arg;
	struct pollfd		 pfd[2];
	struct fake_conn	*fc;

	pfd[0] = (struct pollfd){ .fd = f->lfd, .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = f->stop[0], .events = POLLIN };
	while (poll(pfd, 2, -1) >= 0 && pfd[1].revents == 0) {
		if ((pfd[0].revents & POLLIN) == 0)
			continue;
		fc = xcalloc(1, sizeof *fc);
		fc->f = f;
		if ((fc->fd = accept(f->lfd, NULL, NULL)) < 0) {
			free(fc);
			continue;
		}
		pthread_mutex_lock(&f->mu);
		f->conns = xreallocarray(f->conns, f->n_conns + 1,
		    sizeof *f->conns);
		pthread_create(&f->conns[f->n_conns++], NULL, fake_conn_main,
		    fc);
		pthread_mutex_unlock(&f->mu);
	}
	return NULL;
}

static struct fake *
fake_start(fake_handler handler)
{
	struct fake		*f = xcalloc(1, sizeof *f);
	struct sockaddr_in	 sa;
	socklen_t		 len = sizeof sa;

	f->handler = handler;
	pthread_mutex_init(&f->mu, NULL);
	f->lfd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(f->lfd, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(listen(f->lfd, 64), 0);
	getsockname(f->lfd, (struct sockaddr *)&sa, &len);
	f->port = ntohs(sa.sin_port);
	assert_int_equal(pipe(f->stop), 0);
	pthread_create(&f->thread, NULL, fake_main, f);
	return f;
}

/* Call after the client's loop is freed (that closes the connections). */
static void
fake_stop(struct fake *f)
{
	size_t	i;

	(void)!write(f->stop[1], "x", 1);
	pthread_join(f->thread, NULL);
	for (i = 0; i < f->n_conns; i++)
		pthread_join(f->conns[i], NULL);
	close(f->lfd);
	close(f->stop[0]);
	close(f->stop[1]);
	for (i = 0; i < f->n_log; i++)
		req_free(&f->log[i]);
	free(f->log);
	free(f->conns);
	pthread_mutex_destroy(&f->mu);
	free(f);
}

#define FAKE_ACCESS	"AKIDFAKEACCESS"
#define FAKE_SECRET	"fake/secret+key=0123456789"

struct fake_client {
	struct fake		*f;
	struct loop		*loop;
	struct s3_client	*c;
	char			 endpoint[64];
};

static void
fake_client_start(struct fake_client *fc, fake_handler h, uint64_t part,
    int parallel)
{
	struct cfg_s3	cfg;

	fc->f = fake_start(h);
	snprintf(fc->endpoint, sizeof fc->endpoint, "http://127.0.0.1:%d",
	    fc->f->port);
	memset(&cfg, 0, sizeof cfg);
	cfg.endpoint = fc->endpoint;
	cfg.region = (char *)"eu-fake-1";
	cfg.bucket = (char *)"bkt";
	cfg.prefix = (char *)"";
	cfg.access_key = (char *)FAKE_ACCESS;
	cfg.secret_key = (char *)FAKE_SECRET;
	cfg.timeout_ms = 5000;
	cfg.connect_timeout_ms = 1000;
	cfg.part_size = part;
	cfg.parallel = parallel;
	fc->loop = loop_new();
	fc->c = s3_new(fc->loop, &cfg);
	s3_set_retries(fc->c, 1);
}

static void
fake_client_stop(struct fake_client *fc)
{
	s3_free(fc->c);
	loop_free(fc->loop);
	fake_stop(fc->f);
}

static char *
between(const char *s, const char *start, const char *end)
{
	const char	*p = strstr(s, start);

	assert_non_null(p);
	p += strlen(start);
	return xstrndup(p, strcspn(p, end));
}

/*
 * curl's signature must be the one the AWS algorithm gives for what was
 * sent, and what was sent must already be canonical: decoding and
 * re-encoding the path and query changes nothing.
 */
static void
assert_signed_like_aws(const struct fake_req *r)
{
	const char		*auth = req_header(r, "Authorization");
	struct s3_header	 h[32];
	struct s3_sign_req	 sr;
	char			*sh, *name, *save = NULL, *mine;
	size_t			 n = 0;

	assert_non_null(auth);
	sh = between(auth, "SignedHeaders=", ", ");
	for (name = strtok_r(sh, ";", &save); name != NULL && n < 32;
	    name = strtok_r(NULL, ";", &save)) {
		h[n].name = name;
		h[n].value = req_header(r, name);
		assert_non_null(h[n].value);
		n++;
	}
	sr = (struct s3_sign_req){ r->method, r->path, r->query, h, n,
	    req_header(r, "x-amz-content-sha256") };
	assert_non_null(sr.payload_hash);
	mine = s3_authorization(&sr, FAKE_ACCESS, FAKE_SECRET,
	    req_header(r, "x-amz-date"), "eu-fake-1", "s3");
	assert_string_equal(mine, auth);
	free(mine);
	free(sh);
	/* signed, sent once, and nothing empty that curl would not send */
	assert_int_equal(req_header_count(r, "x-amz-date"), 1);
	assert_int_equal(req_header_count(r, "x-amz-content-sha256"), 1);
	assert_true(req_header(r, "Expect") == NULL ||
	    strcmp(req_header(r, "Expect"), "100-continue") == 0);
}

static void
assert_canonical_url(const struct fake_req *r)
{
	struct s3_param	 p[16];
	struct buf	 d[32];
	char		*copy, *kv, *save = NULL, *eq, *enc, *q;
	size_t		 n = 0, i;

	memset(d, 0, sizeof d);
	assert_int_equal(s3_uri_decode(&d[0], r->path, strlen(r->path)), 0);
	enc = s3_uri_encode_str(buf_str(&d[0]), true);
	assert_string_equal(enc, r->path);
	free(enc);
	copy = xstrdup(r->query);
	for (kv = strtok_r(copy, "&", &save); kv != NULL && n < 15;
	    kv = strtok_r(NULL, "&", &save), n++) {
		eq = strchr(kv, '=');
		assert_non_null(eq);	/* "uploads=", never bare "uploads" */
		assert_int_equal(s3_uri_decode(&d[2 * n + 1], kv,
		    (size_t)(eq - kv)), 0);
		assert_int_equal(s3_uri_decode(&d[2 * n + 2], eq + 1,
		    strlen(eq + 1)), 0);
		p[n] = (struct s3_param){ buf_str(&d[2 * n + 1]),
		    buf_str(&d[2 * n + 2]) };
	}
	q = s3_canonical_query(p, n);
	assert_string_equal(q, r->query);
	free(q);
	free(copy);
	for (i = 0; i < nitems(d); i++)
		buf_free(&d[i]);
}

static void
reply_ok(struct fake *f, const struct fake_req *r, struct fake_reply *rep)
{
	rep->headers = xstrdup("ETag: \"0123\"\r\n");
}

static void
test_wire_put(void **state)
{
	static const char	 key[] = "dir/a b(1)*:+=%~\xc3\xbc";
	struct fake_client	 fc;
	const struct fake_req	*r;
	char			 sha[S3_SHA256_HEX_LEN + 1];
	char			 md5[S3_MD5_B64_LEN + 1];

	fake_client_start(&fc, reply_ok, 5 << 20, 2);
	assert_int_equal(s3_put(fc.c, key, "payload", 7, NULL), 0);
	assert_int_equal(fc.f->n_log, 1);
	r = &fc.f->log[0];
	assert_string_equal(r->method, "PUT");
	assert_string_equal(r->path,
	    "/bkt/dir/a%20b%281%29%2A%3A%2B%3D%25~%C3%BC");
	assert_string_equal(buf_str(&r->body), "payload");
	s3_sha256_hex("payload", 7, sha);
	s3_md5_base64("payload", 7, md5);
	assert_string_equal(req_header(r, "x-amz-content-sha256"), sha);
	assert_string_equal(req_header(r, "Content-MD5"), md5);
	assert_non_null(strstr(req_header(r, "Authorization"),
	    "Credential=" FAKE_ACCESS "/"));
	assert_non_null(strstr(req_header(r, "Authorization"),
	    "/eu-fake-1/s3/aws4_request"));
	assert_signed_like_aws(r);
	assert_canonical_url(r);
	fake_client_stop(&fc);
}

static void
reply_list(struct fake *f, const struct fake_req *r, struct fake_reply *rep)
{
	rep->body = xstrdup(f->counter++ == 0 ?
	    "<ListBucketResult><IsTruncated>true</IsTruncated>"
	    "<Contents><Key>a</Key><Size>1</Size></Contents>"
	    "<NextContinuationToken>a+b/c==</NextContinuationToken>"
	    "</ListBucketResult>" :
	    "<ListBucketResult><IsTruncated>false</IsTruncated>"
	    "<Contents><Key>b</Key><Size>2</Size></Contents>"
	    "<CommonPrefixes><Prefix>c/</Prefix></CommonPrefixes>"
	    "</ListBucketResult>");
}

static int
count_items(void *arg, const struct s3_item *it)
{
	(*(int *)arg)++;
	return 0;
}

static void
test_wire_list(void **state)
{
	struct fake_client	fc;
	struct s3_list_opts	o = { "dir/x y+", "/", 1, 0 };
	int			n = 0;

	fake_client_start(&fc, reply_list, 5 << 20, 2);
	assert_int_equal(s3_list(fc.c, &o, count_items, &n, NULL), 0);
	assert_int_equal(n, 3);
	assert_int_equal(fc.f->n_log, 2);
	assert_string_equal(fc.f->log[0].path, "/bkt");
	assert_string_equal(fc.f->log[0].query, "delimiter=%2F&list-type=2&"
	    "max-keys=1&prefix=dir%2Fx%20y%2B");
	assert_string_equal(fc.f->log[1].query, "continuation-token="
	    "a%2Bb%2Fc%3D%3D&delimiter=%2F&list-type=2&max-keys=1&"
	    "prefix=dir%2Fx%20y%2B");
	assert_string_equal(req_header(&fc.f->log[1], "x-amz-content-sha256"),
	    S3_EMPTY_SHA256);
	assert_signed_like_aws(&fc.f->log[0]);
	assert_signed_like_aws(&fc.f->log[1]);
	assert_canonical_url(&fc.f->log[1]);
	fake_client_stop(&fc);
}

static void
reply_delete(struct fake *f, const struct fake_req *r, struct fake_reply *rep)
{
	/* the second batch reports one key it could not delete */
	if (f->counter++ == 1)
		rep->body = xstrdup("<DeleteResult><Error><Key>k1200</Key>"
		    "<Code>AccessDenied</Code><Message>no</Message></Error>"
		    "</DeleteResult>");
	else
		rep->body = xstrdup("<DeleteResult/>");
}

static size_t
count_str(const char *s, const char *what)
{
	size_t	n = 0;

	while ((s = strstr(s, what)) != NULL) {
		n++;
		s++;
	}
	return n;
}

/* AWS requires Content-MD5 on DeleteObjects (radosgw does not check). */
static void
test_wire_delete_objects(void **state)
{
	struct fake_client	 fc;
	struct s3_error		 e;
	const struct fake_req	*r;
	char			*keys[1500], md5[S3_MD5_B64_LEN + 1];
	char			 sha[S3_SHA256_HEX_LEN + 1];
	size_t			 i;

	fake_client_start(&fc, reply_delete, 5 << 20, 2);
	for (i = 0; i < nitems(keys); i++)
		keys[i] = xasprintf("k%04zu", i);
	free(keys[7]);
	keys[7] = xstrdup("a&b<c>\"'");
	memset(&e, 0, sizeof e);
	assert_int_equal(s3_delete_objects(fc.c, (const char *const *)keys,
	    nitems(keys), &e), -1);
	assert_non_null(strstr(e.message, "1 of 1500 keys were not deleted"));
	assert_non_null(strstr(e.message, "'k1200': AccessDenied"));
	assert_string_equal(e.code, "AccessDenied");
	s3_error_clear(&e);
	assert_int_equal(fc.f->n_log, 2);
	for (i = 0; i < 2; i++) {
		r = &fc.f->log[i];
		assert_string_equal(r->method, "POST");
		assert_string_equal(r->query, "delete=");
		s3_md5_base64(r->body.data, r->body.len, md5);
		s3_sha256_hex(r->body.data, r->body.len, sha);
		assert_non_null(req_header(r, "Content-MD5"));
		assert_string_equal(req_header(r, "Content-MD5"), md5);
		assert_string_equal(req_header(r, "x-amz-content-sha256"), sha);
		assert_string_equal(req_header(r, "Content-Type"),
		    "application/xml");
		assert_int_equal(count_str(r->body.data, "<Object>"),
		    i == 0 ? 1000 : 500);
		assert_signed_like_aws(r);
	}
	assert_non_null(strstr(fc.f->log[0].body.data,
	    "<Key>a&amp;b&lt;c&gt;&quot;&apos;</Key>"));
	for (i = 0; i < nitems(keys); i++)
		free(keys[i]);
	fake_client_stop(&fc);
}

/* A byte source of a given length. */
struct counted {
	size_t	left;
	int	fail_after_calls;	/* 0: never */
};

static ssize_t
counted_read(void *arg, char *buf, size_t len)
{
	struct counted	*c = arg;

	if (c->fail_after_calls != 0 && --c->fail_after_calls == 0)
		return -1;
	if (len > c->left)
		len = c->left;
	memset(buf, 'z', len);
	c->left -= len;
	return (ssize_t)len;
}

static bool
query_has(const struct fake_req *r, const char *what)
{
	return strstr(r->query, what) != NULL;
}

/*
 * Multipart as a server sees it. "fail-part" makes part 3 answer 500;
 * "bad-complete" answers the complete with a 200 Error document.
 */
static void
reply_multipart(struct fake *f, const struct fake_req *r,
    struct fake_reply *rep)
{
	const char	*mode = f->mode != NULL ? f->mode : "";
	int		 part;

	if (strcmp(r->method, "POST") == 0 && query_has(r, "uploads=")) {
		rep->body = xstrdup("<InitiateMultipartUploadResult><UploadId>"
		    "U-1</UploadId></InitiateMultipartUploadResult>");
	} else if (strcmp(r->method, "PUT") == 0 &&
	    sscanf(r->query, "partNumber=%d", &part) == 1) {
		rep->delay_ms = 30;
		if (strcmp(mode, "fail-part") == 0 && part == 3)
			rep->status = 500;
		else
			rep->headers = xasprintf("ETag: \"e%d\"\r\n", part);
	} else if (strcmp(r->method, "POST") == 0) {
		rep->body = xstrdup(strcmp(mode, "bad-complete") == 0 ?
		    "<Error><Code>InternalError</Code><Message>boom</Message>"
		    "</Error>" : "<CompleteMultipartUploadResult><ETag>"
		    "\"x-4\"</ETag></CompleteMultipartUploadResult>");
	} else if (strcmp(r->method, "DELETE") == 0)
		rep->status = 204;
	else
		rep->status = 400;
}

static size_t
count_reqs(struct fake *f, const char *method, const char *query_part)
{
	size_t	i, n = 0;

	for (i = 0; i < f->n_log; i++) {
		n += strcmp(f->log[i].method, method) == 0 &&
		    query_has(&f->log[i], query_part);
	}
	return n;
}

static void
test_wire_multipart(void **state)
{
	struct fake_client	 fc;
	struct counted		 src = { 3500, 0 };
	const struct fake_req	*init, *complete;
	size_t			 i;

	fake_client_start(&fc, reply_multipart, 1000, 2);
	assert_int_equal(s3_upload(fc.c, "big", counted_read, &src, NULL), 0);
	assert_int_equal(count_reqs(fc.f, "PUT", "partNumber="), 4);
	assert_true(fc.f->max_active <= 2);
	init = &fc.f->log[0];
	assert_string_equal(init->query, "uploads=");
	assert_string_equal(req_header(init, "Content-Type"),
	    "application/octet-stream");
	complete = &fc.f->log[fc.f->n_log - 1];
	assert_string_equal(complete->method, "POST");
	assert_string_equal(complete->query, "uploadId=U-1");
	assert_non_null(strstr(complete->body.data,
	    "<Part><PartNumber>1</PartNumber><ETag>&quot;e1&quot;</ETag>"
	    "</Part><Part><PartNumber>2</PartNumber><ETag>&quot;e2&quot;"
	    "</ETag></Part><Part><PartNumber>3</PartNumber><ETag>&quot;e3"
	    "&quot;</ETag></Part><Part><PartNumber>4</PartNumber><ETag>"
	    "&quot;e4&quot;</ETag></Part></CompleteMultipartUpload>"));
	for (i = 0; i < fc.f->n_log; i++) {
		assert_signed_like_aws(&fc.f->log[i]);
		assert_canonical_url(&fc.f->log[i]);
		if (strcmp(fc.f->log[i].method, "PUT") == 0)
			assert_int_equal(fc.f->log[i].body.len,
			    strstr(fc.f->log[i].query, "partNumber=4") ?
			    500 : 1000);
	}
	fake_client_stop(&fc);
}

/* Part 3 fails even after its retry: no complete, and an abort. */
static void
test_wire_multipart_part_fails(void **state)
{
	struct fake_client	 fc;
	struct counted		 src = { 10000, 0 };
	struct s3_error		 e;

	fake_client_start(&fc, reply_multipart, 1000, 2);
	fc.f->mode = "fail-part";
	memset(&e, 0, sizeof e);
	assert_int_equal(s3_upload(fc.c, "big", counted_read, &src, &e), -1);
	assert_int_equal(e.kind, S3_ERR_SERVER);
	assert_int_equal(e.status, 500);
	assert_int_equal(count_reqs(fc.f, "PUT", "partNumber=3&"), 2);
	assert_int_equal(count_reqs(fc.f, "POST", "uploadId="), 0);
	assert_int_equal(count_reqs(fc.f, "DELETE", "uploadId=U-1"), 1);
	assert_string_equal(fc.f->log[fc.f->n_log - 1].method, "DELETE");
	assert_true(fc.f->max_active <= 2);
	s3_error_clear(&e);
	fake_client_stop(&fc);
}

/* A 200 answer with an Error document: a failure, then an abort. */
static void
test_wire_multipart_bad_complete(void **state)
{
	struct fake_client	 fc;
	struct counted		 src = { 2500, 0 };
	struct s3_error		 e;

	fake_client_start(&fc, reply_multipart, 1000, 3);
	fc.f->mode = "bad-complete";
	memset(&e, 0, sizeof e);
	assert_int_equal(s3_upload(fc.c, "big", counted_read, &src, &e), -1);
	assert_string_equal(e.code, "InternalError");
	assert_non_null(strstr(e.message, "boom"));
	assert_int_equal(count_reqs(fc.f, "DELETE", "uploadId=U-1"), 1);
	s3_error_clear(&e);
	fake_client_stop(&fc);
}

/* The source fails on its third call: abort, error names the source. */
static void
test_wire_multipart_source_fails(void **state)
{
	struct fake_client	 fc;
	struct counted		 src = { 100000, 3 };
	struct s3_error		 e;

	fake_client_start(&fc, reply_multipart, 1000, 2);
	memset(&e, 0, sizeof e);
	assert_int_equal(s3_upload(fc.c, "big", counted_read, &src, &e), -1);
	assert_int_equal(e.kind, S3_ERR_SOURCE);
	assert_int_equal(count_reqs(fc.f, "POST", "uploadId="), 0);
	assert_int_equal(count_reqs(fc.f, "DELETE", "uploadId=U-1"), 1);
	s3_error_clear(&e);
	fake_client_stop(&fc);
}

static void
reply_unavailable(struct fake *f, const struct fake_req *r,
    struct fake_reply *rep)
{
	/* GET recovers after one 503; everything else stays 503 */
	if (strcmp(r->method, "GET") == 0 && f->counter++ > 0) {
		rep->body = xstrdup("0123456789");
		return;
	}
	rep->status = 503;
	rep->body = xstrdup("<Error><Code>SlowDown</Code><Message>Please "
	    "reduce your request rate.</Message></Error>");
}

/* GET is retried; InitiateMultipartUpload is not (an orphan risk). */
static void
test_wire_retries(void **state)
{
	struct fake_client	 fc;
	struct counted		 src = { 5000, 0 };
	struct buf		 b = BUF_INIT;
	struct s3_error		 e;

	fake_client_start(&fc, reply_unavailable, 1000, 2);
	memset(&e, 0, sizeof e);
	assert_int_equal(s3_get_buf(fc.c, "k", 0, -1, &b, &e), 0);
	assert_string_equal(buf_str(&b), "0123456789");
	assert_int_equal(fc.f->n_log, 2);
	assert_int_equal(s3_upload(fc.c, "big", counted_read, &src, &e), -1);
	assert_int_equal(e.status, 503);
	assert_string_equal(e.code, "SlowDown");
	assert_int_equal(count_reqs(fc.f, "POST", "uploads="), 1);
	assert_int_equal(count_reqs(fc.f, "DELETE", ""), 0);
	s3_error_clear(&e);
	/* callers that do not want the error may pass NULL */
	assert_int_equal(s3_put(fc.c, "k", "v", 1, NULL), -1);
	assert_int_equal(s3_delete(fc.c, "k", NULL), -1);
	assert_int_equal(s3_head(fc.c, "k", NULL, NULL), -1);
	assert_int_equal(s3_upload(fc.c, "big", counted_read, &src, NULL), -1);
	buf_free(&b);
	fake_client_stop(&fc);
}

/* A server that ignores Range must not pass the whole object off. */
static void
test_wire_range_ignored(void **state)
{
	struct fake_client	 fc;
	struct buf		 b = BUF_INIT;
	struct s3_error		 e;

	fake_client_start(&fc, reply_unavailable, 1000, 2);
	fc.f->counter = 1;
	memset(&e, 0, sizeof e);
	assert_int_equal(s3_get_buf(fc.c, "k", 2, 3, &b, &e), -1);
	assert_int_equal(e.kind, S3_ERR_PROTOCOL);
	assert_string_equal(req_header(&fc.f->log[0], "Range"), "bytes=2-4");
	assert_int_equal(b.len, 0);
	s3_error_clear(&e);
	buf_free(&b);
	fake_client_stop(&fc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uri_encode),
		cmocka_unit_test(test_uri_decode),
		cmocka_unit_test(test_canonical_query),
		cmocka_unit_test(test_url_and_provider),
		cmocka_unit_test(test_digests),
		cmocka_unit_test(test_aws_get_object),
		cmocka_unit_test(test_aws_put_object),
		cmocka_unit_test(test_aws_bucket_queries),
		cmocka_unit_test(test_encoding_matters),
		cmocka_unit_test(test_wire_put),
		cmocka_unit_test(test_wire_list),
		cmocka_unit_test(test_wire_delete_objects),
		cmocka_unit_test(test_wire_multipart),
		cmocka_unit_test(test_wire_multipart_part_fails),
		cmocka_unit_test(test_wire_multipart_bad_complete),
		cmocka_unit_test(test_wire_multipart_source_fails),
		cmocka_unit_test(test_wire_retries),
		cmocka_unit_test(test_wire_range_ignored),
	};

	curl_global_init(CURL_GLOBAL_DEFAULT);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
