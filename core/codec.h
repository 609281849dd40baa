/*
 * Streaming compression for backup objects: zstd (libzstd, optionally
 * multi-threaded), gzip (zlib) or none. A codec takes input in pieces and
 * appends its output to a buffer the caller drains; its own memory is
 * bounded (zstd: a few job buffers per worker; gzip: zlib's window).
 *
 * Decoders reverse it, for verify and restore.
 */
#ifndef CHOPS_CODEC_H
#define CHOPS_CODEC_H

#include <stddef.h>

#include "buf.h"

enum codec_kind {
	CODEC_NONE,
	CODEC_GZIP,
	CODEC_ZSTD,
};

/* "none" "gzip" "zstd"; parse returns 0 or -1. */
const char	*codec_name(enum codec_kind);
int		 codec_parse(const char *, enum codec_kind *);
/* Object name suffix: "", ".gz", ".zst". */
const char	*codec_ext(enum codec_kind);

struct codec;

/*
 * level: zstd 1-19, gzip 1-9; 0 picks 1 (fast: backups are large).
 * workers: zstd threads; 0 runs in the caller's thread. Returns NULL with
 * *cause on failure.
 */
struct codec	*codec_new(enum codec_kind, int level, int workers,
		     char **cause);
/* A decoder for objects written by codec_new(kind, ...). */
struct codec	*codec_decoder_new(enum codec_kind, char **cause);
void		 codec_free(struct codec *);

/*
 * Feeds input; output is appended to out. Returns 0, or -1 with *cause
 * (corrupt input for a decoder).
 */
int		 codec_write(struct codec *, const void *, size_t,
		     struct buf *out, char **cause);
/*
 * Ends the stream: flushes what remains into out. A decoder fails when its
 * input stopped in the middle of a frame. Nothing may be written after.
 */
int		 codec_finish(struct codec *, struct buf *out, char **cause);

#endif
