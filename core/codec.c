#include "codec.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "xmalloc.h"

/* Output is produced in steps of this size. */
#define CODEC_CHUNK	(128 * 1024)

struct codec {
	enum codec_kind	 kind;
	bool		 decode;
	bool		 finished;
	ZSTD_CCtx	*zc;
	ZSTD_DCtx	*zd;
	size_t		 zd_hint;	/* last ZSTD_decompressStream result */
	z_stream	 z;
	bool		 z_ready;
	bool		 z_end;		/* decoder: the stream ended */
};

static const char *codec_names[] = { "none", "gzip", "zstd" };
static const char *codec_exts[] = { "", ".gz", ".zst" };

const char *
codec_name(enum codec_kind kind)
{
	return (size_t)kind < 3 ? codec_names[kind] : "?";
}

const char *
codec_ext(enum codec_kind kind)
{
	return (size_t)kind < 3 ? codec_exts[kind] : "";
}

int
codec_parse(const char *s, enum codec_kind *kind)
{
	size_t	i;

	for (i = 0; i < 3; i++) {
		if (strcmp(s, codec_names[i]) == 0) {
			*kind = (enum codec_kind)i;
			return 0;
		}
	}
	return -1;
}

static int
codec_zstd_init(struct codec *c, int level, int workers, char **cause)
{
	size_t	r;

	if ((c->zc = ZSTD_createCCtx()) == NULL) {
		*cause = xstrdup("zstd: cannot create a compression context");
		return -1;
	}
	r = ZSTD_CCtx_setParameter(c->zc, ZSTD_c_compressionLevel, level);
	if (!ZSTD_isError(r))
		r = ZSTD_CCtx_setParameter(c->zc, ZSTD_c_checksumFlag, 1);
	if (!ZSTD_isError(r) && workers > 0) {
		r = ZSTD_CCtx_setParameter(c->zc, ZSTD_c_nbWorkers, workers);
		/* a libzstd built without threads: single-threaded then */
		if (ZSTD_isError(r))
			r = 0;
	}
	if (ZSTD_isError(r)) {
		*cause = xasprintf("zstd: %s", ZSTD_getErrorName(r));
		return -1;
	}
	return 0;
}

static int
codec_gzip_init(struct codec *c, int level, char **cause)
{
	int	r;

	memset(&c->z, 0, sizeof c->z);
	if (c->decode)
		r = inflateInit2(&c->z, 15 + 16);
	else
		r = deflateInit2(&c->z, level, Z_DEFLATED, 15 + 16, 8,
		    Z_DEFAULT_STRATEGY);
	if (r != Z_OK) {
		*cause = xasprintf("zlib: cannot initialise (%d)", r);
		return -1;
	}
	c->z_ready = true;
	return 0;
}

static struct codec *
codec_alloc(enum codec_kind kind, bool decode, int level, int workers,
    char **cause)
{
	struct codec	*c;
	int		 r = 0;

	c = xcalloc(1, sizeof *c);
	c->kind = kind;
	c->decode = decode;
	switch (kind) {
	case CODEC_NONE:
		break;
	case CODEC_GZIP:
		r = codec_gzip_init(c, level, cause);
		break;
	case CODEC_ZSTD:
		if (decode && (c->zd = ZSTD_createDCtx()) == NULL) {
			*cause = xstrdup("zstd: cannot create a context");
			r = -1;
		} else if (!decode)
			r = codec_zstd_init(c, level, workers, cause);
		break;
	default:
		*cause = xstrdup("unknown compression");
		r = -1;
	}
	if (r != 0) {
		codec_free(c);
		return NULL;
	}
	return c;
}

struct codec *
codec_new(enum codec_kind kind, int level, int workers, char **cause)
{
	if (level <= 0)
		level = 1;
	if (kind == CODEC_GZIP && level > 9)
		level = 9;
	return codec_alloc(kind, false, level, workers, cause);
}

struct codec *
codec_decoder_new(enum codec_kind kind, char **cause)
{
	return codec_alloc(kind, true, 0, 0, cause);
}

void
codec_free(struct codec *c)
{
	if (c == NULL)
		return;
	ZSTD_freeCCtx(c->zc);
	ZSTD_freeDCtx(c->zd);
	if (c->z_ready) {
		if (c->decode)
			inflateEnd(&c->z);
		else
			deflateEnd(&c->z);
	}
	free(c);
}

/* Compresses (or flushes, at the end) through zstd. */
static int
codec_zstd_enc(struct codec *c, const void *data, size_t len, bool end,
    struct buf *out, char **cause)
{
	ZSTD_inBuffer	in = { data, len, 0 };
	ZSTD_outBuffer	o;
	size_t		r;

	do {
		buf_reserve(out, CODEC_CHUNK);
		o = (ZSTD_outBuffer){ out->data + out->len, CODEC_CHUNK, 0 };
		r = ZSTD_compressStream2(c->zc, &o, &in,
		    end ? ZSTD_e_end : ZSTD_e_continue);
		if (ZSTD_isError(r)) {
			*cause = xasprintf("zstd: %s", ZSTD_getErrorName(r));
			return -1;
		}
		out->len += o.pos;
		out->data[out->len] = '\0';
	} while (in.pos < in.size || (end && r != 0));
	return 0;
}

static int
codec_zstd_dec(struct codec *c, const void *data, size_t len,
    struct buf *out, char **cause)
{
	ZSTD_inBuffer	in = { data, len, 0 };
	ZSTD_outBuffer	o;
	size_t		r;

	do {
		buf_reserve(out, CODEC_CHUNK);
		o = (ZSTD_outBuffer){ out->data + out->len, CODEC_CHUNK, 0 };
		r = ZSTD_decompressStream(c->zd, &o, &in);
		if (ZSTD_isError(r)) {
			*cause = xasprintf("zstd: %s", ZSTD_getErrorName(r));
			return -1;
		}
		out->len += o.pos;
		out->data[out->len] = '\0';
		c->zd_hint = r;
	} while (in.pos < in.size || o.pos == o.size);
	return 0;
}

static int
codec_gzip_run(struct codec *c, const void *data, size_t len, bool end,
    struct buf *out, char **cause)
{
	int	r;

	c->z.next_in = (Bytef *)(uintptr_t)data;
	c->z.avail_in = (uInt)len;
	do {
		if (c->decode && c->z_end && c->z.avail_in > 0) {
			*cause = xstrdup("gzip: data after the end of the "
			    "stream");
			return -1;
		}
		buf_reserve(out, CODEC_CHUNK);
		c->z.next_out = (Bytef *)out->data + out->len;
		c->z.avail_out = CODEC_CHUNK;
		if (c->decode)
			r = inflate(&c->z, Z_NO_FLUSH);
		else
			r = deflate(&c->z, end ? Z_FINISH : Z_NO_FLUSH);
		out->len += CODEC_CHUNK - c->z.avail_out;
		out->data[out->len] = '\0';
		if (r == Z_STREAM_END)
			c->z_end = true;
		else if (r != Z_OK && r != Z_BUF_ERROR) {
			*cause = xasprintf("gzip: %s", c->z.msg != NULL ?
			    c->z.msg : "corrupt data");
			return -1;
		}
	} while (c->z.avail_in > 0 || c->z.avail_out == 0 ||
	    (end && !c->decode && r != Z_STREAM_END));
	return 0;
}

int
codec_write(struct codec *c, const void *data, size_t len, struct buf *out,
    char **cause)
{
	if (c->finished) {
		*cause = xstrdup("write after the end of the stream");
		return -1;
	}
	if (len == 0)
		return 0;
	switch (c->kind) {
	case CODEC_NONE:
		buf_add(out, data, len);
		return 0;
	case CODEC_GZIP:
		return codec_gzip_run(c, data, len, false, out, cause);
	case CODEC_ZSTD:
		if (c->decode)
			return codec_zstd_dec(c, data, len, out, cause);
		return codec_zstd_enc(c, data, len, false, out, cause);
	}
	return -1;
}

int
codec_finish(struct codec *c, struct buf *out, char **cause)
{
	if (c->finished)
		return 0;
	c->finished = true;
	switch (c->kind) {
	case CODEC_NONE:
		return 0;
	case CODEC_GZIP:
		if (!c->decode)
			return codec_gzip_run(c, "", 0, true, out, cause);
		if (!c->z_end) {
			*cause = xstrdup("gzip: the data ends in the middle of "
			    "the stream");
			return -1;
		}
		return 0;
	case CODEC_ZSTD:
		if (!c->decode)
			return codec_zstd_enc(c, "", 0, true, out, cause);
		if (c->zd_hint != 0) {
			*cause = xstrdup("zstd: the data ends in the middle of "
			    "a frame");
			return -1;
		}
		return 0;
	}
	return -1;
}
