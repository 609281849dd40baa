/*
 * A streaming parser for the Prometheus text exposition format (0.0.4), the
 * format of every /metrics endpoint (kafka_exporter's among them).
 *
 * Bytes are fed in chunks of any size, split anywhere (mid-line, mid-escape);
 * each complete sample is handed to a callback. Memory stays constant: the
 * only buffers are one partial line and per-line scratch, reused.
 *
 * Like a Prometheus scrape, one malformed line fails the whole input: the
 * parser stops at the first error and reports "line N: what was expected".
 * Compared with Prometheus 2.42's scrape parser this one is more lenient
 * where the meaning is unambiguous (CRLF line ends, blanks before the
 * metric name, negative timestamps) and stricter where it is not (label
 * value escapes other than \\, \" and \n are errors; Prometheus keeps
 * them verbatim).
 *
 * Families: a sample belongs to the family of the preceding # TYPE (or
 * # HELP) line when its name equals the family name, or when the family is a
 * summary (_sum, _count) or histogram (_sum, _count, _bucket) and its name is
 * the family name plus that suffix. Otherwise it is its own untyped family:
 * kafka_exporter's gauge kafka_consumergroup_lag_sum is a family of its own.
 */
#ifndef CHOPS_PROM_TEXT_H
#define CHOPS_PROM_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROM_MAX_LINE	(1024 * 1024)	/* longer lines are an error */

enum prom_type {
	PROM_UNTYPED = 0,
	PROM_COUNTER,
	PROM_GAUGE,
	PROM_SUMMARY,
	PROM_HISTOGRAM,
};

struct prom_label {
	const char	*name;
	const char	*value;		/* unescaped, NUL-terminated */
};

/* Everything points into parser buffers valid only during the callback. */
struct prom_sample {
	const char		*family;
	const char		*name;
	enum prom_type		 type;		/* the family's type */
	const struct prom_label	*labels;	/* in input order */
	size_t			 n_labels;
	double			 value;
	bool			 has_timestamp;
	int64_t			 timestamp_ms;
	uint64_t		 line;		/* 1-based */
};

/* Returns 0 to go on; anything else stops the parse (an error). */
typedef int (*prom_sample_fn)(const struct prom_sample *, void *arg);

struct prom_parser;

struct prom_parser *prom_parser_new(prom_sample_fn, void *arg);
void		 prom_parser_free(struct prom_parser *);
/* Forgets all state so the parser can read another input. */
void		 prom_parser_reset(struct prom_parser *);

/*
 * Feeds bytes; 0 on success, -1 once an error happened (then every further
 * call returns -1 and prom_parser_error says why).
 */
int		 prom_parser_feed(struct prom_parser *, const char *, size_t);
/* Ends the input (a last line without newline is parsed); 0 or -1. */
int		 prom_parser_finish(struct prom_parser *);
/* "line 12: expected '=' after label name \"topic\"", or NULL. */
const char	*prom_parser_error(const struct prom_parser *);
uint64_t	 prom_parser_samples(const struct prom_parser *);
uint64_t	 prom_parser_lines(const struct prom_parser *);

/* One whole buffer; 0, or -1 and *cause (caller frees). */
int		 prom_parse_buffer(const char *, size_t, prom_sample_fn,
		     void *arg, char **cause);

/* The value of a label, NULL when the sample has none by that name. */
const char	*prom_sample_label(const struct prom_sample *, const char *);
const char	*prom_type_name(enum prom_type);

/*
 * Fast locale-independent number parsing as used for sample values: exact
 * (correctly rounded) results; NaN, +Inf, -Inf accepted. 0 or -1.
 */
int		 prom_parse_double(const char *, size_t, double *);

#endif
