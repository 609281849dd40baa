/*
 * libFuzzer harness for the exposition parser (prom_text) and the lag model
 * built from what it parses.
 *
 *	clang -fsanitize=fuzzer,address ... tests/fuzz/fuzz_prom_text.c
 *	gcc ... tests/fuzz/fuzz_prom_text.c tests/fuzz/driver.c (replay)
 *
 * Beyond "no crash, no leak": the input fed in chunks of pseudo-random
 * sizes (split anywhere, mid-line, mid-escape) must give the same samples
 * and the same verdict as the whole buffer at once.
 *
 * The input may hold several scrapes separated by a line "---"; they become
 * a lag history two seconds apart and every group is evaluated.
 */

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "lag.h"
#include "lag_eval.h"
#include "prom_text.h"

#define FUZZ_MAX_SCRAPES	6

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct digest {
	uint64_t	n;
	uint64_t	h;
};

static void
fold(struct digest *d, const void *p, size_t len)
{
	const unsigned char	*s = p;
	size_t			 i;

	for (i = 0; i < len; i++)
		d->h = (d->h ^ s[i]) * 1099511628211ULL;
	d->h = (d->h ^ 0xff) * 1099511628211ULL;	/* field separator */
}

static void
fold_str(struct digest *d, const char *s)
{
	fold(d, s, strlen(s));
}

static int
digest_cb(const struct prom_sample *sm, void *arg)
{
	struct digest	*d = arg;
	size_t		 i;

	if (sm->name == NULL || *sm->name == '\0' || sm->family == NULL)
		abort();
	d->n++;
	fold_str(d, sm->family);
	fold_str(d, sm->name);
	fold(d, &sm->type, sizeof sm->type);
	for (i = 0; i < sm->n_labels; i++) {
		fold_str(d, sm->labels[i].name);
		fold_str(d, sm->labels[i].value);
		if (prom_sample_label(sm, sm->labels[i].name) == NULL)
			abort();
	}
	fold(d, &sm->value, sizeof sm->value);
	fold(d, &sm->has_timestamp, sizeof sm->has_timestamp);
	if (sm->has_timestamp)
		fold(d, &sm->timestamp_ms, sizeof sm->timestamp_ms);
	fold(d, &sm->line, sizeof sm->line);
	return 0;
}

static uint64_t
next_rand(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* Whole buffer and chunks must agree. */
static void
check_chunked(const char *data, size_t size)
{
	struct digest		 whole = { 0, 1469598103934665603ULL };
	struct digest		 parts = whole;
	struct prom_parser	*p;
	char			*cause = NULL;
	const char		*err;
	uint64_t		 x = 0x9e3779b97f4a7c15ULL ^ size;
	size_t			 off = 0, n;
	int			 rc1, rc2;

	rc1 = prom_parse_buffer(data, size, digest_cb, &whole, &cause);

	p = prom_parser_new(digest_cb, &parts);
	rc2 = 0;
	while (off < size && rc2 == 0) {
		n = 1 + next_rand(&x) % 64;
		if (n > size - off)
			n = size - off;
		rc2 = prom_parser_feed(p, data + off, n);
		off += n;
	}
	if (rc2 == 0)
		rc2 = prom_parser_finish(p);
	err = prom_parser_error(p);

	if (rc1 != rc2 || whole.n != parts.n || whole.h != parts.h ||
	    (rc1 != 0) != (cause != NULL) || (rc2 != 0) != (err != NULL) ||
	    (cause != NULL && strcmp(cause, err) != 0)) {
		fprintf(stderr, "whole: rc %d, %llu samples, %s\n"
		    "chunks: rc %d, %llu samples, %s\n", rc1,
		    (unsigned long long)whole.n, cause != NULL ? cause : "-",
		    rc2, (unsigned long long)parts.n, err != NULL ? err : "-");
		abort();
	}
	if (prom_parser_samples(p) != parts.n)
		abort();
	/* a reset parser reads the same input the same way */
	prom_parser_reset(p);
	parts.n = 0;
	parts.h = 1469598103934665603ULL;
	if (prom_parser_feed(p, data, size) == 0)
		prom_parser_finish(p);
	if (parts.n != whole.n || parts.h != whole.h)
		abort();
	prom_parser_free(p);
	free(cause);
}

/* The lag model, its history and its evaluation over the scrapes. */
static void
check_lag(const char *data, size_t size)
{
	struct lag_history	*h = lag_history_new(FUZZ_MAX_SCRAPES);
	struct lag_snapshot	*s;
	struct lag_eval_opts	 o;
	struct lag_eval		*all;
	struct buf		 dump = BUF_INIT;
	const char		*end = data + size, *sep;
	char			*cause, d[64];
	size_t			 n, i, k = 0;

	while (k < FUZZ_MAX_SCRAPES) {
		sep = memmem(data, (size_t)(end - data), "\n---\n", 5);
		n = (size_t)((sep != NULL ? sep + 1 : end) - data);
		cause = NULL;
		s = lag_from_exposition(data, n, (int64_t)k * 2000, &cause);
		if (s == NULL) {
			if (cause == NULL)
				abort();
			free(cause);
		} else {
			lag_snapshot_dump(&dump, s);
			lag_history_push(h, s);
		}
		k++;
		if (sep == NULL)
			break;
		data = sep + 5;
	}

	memset(&o, 0, sizeof o);
	o.stall_ms = 2000;	/* so that short histories reach every rule */
	o.stop_ms = 4000;
	all = lag_eval_all(h, &o, &n);
	for (i = 0; i < n; i++) {
		if (all[i].state > LAG_STATE_REWIND ||
		    strlen(all[i].reason) == 0 ||
		    (all[i].lag.known && all[i].n_partitions == 0))
			abort();
		lag_drain_fmt(d, sizeof d, &all[i].drain);
	}
	lag_eval_free_all(all, n);
	lag_history_free(h);
	buf_free(&dump);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	double	v;

	check_chunked((const char *)data, size);
	check_lag((const char *)data, size);
	if (size < 64 && prom_parse_double((const char *)data, size, &v) == 0)
		(void)isnan(v);
	return 0;
}
