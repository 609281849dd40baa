/*
 * A ClickHouse client over the HTTP interface, on the event loop.
 *
 * Credentials travel only in the X-ClickHouse-User / X-ClickHouse-Key
 * headers, never in a URL, a message or a log. The statement is the POST
 * body (or, for an import, the `query` URL parameter in front of the data);
 * settings, query_id and database are URL parameters.
 *
 * Every request gets a query_id (chops-PID-N-RANDOM unless the caller picks
 * one) so it can be found in system.processes and killed: closing the
 * connection does not stop a query on the server, so a request that ends
 * early (cancelled, its consumer gave up, timed out) is followed by
 * KILL QUERY ... SYNC for its query_id.
 *
 * Errors inside a 200 answer. After about 1 MiB has been streamed the server
 * can no longer change the status, so it appends its exception text to the
 * body (right after the last block, no separator) and ends the response
 * normally. Exports therefore hold the last CH_TAIL_HOLD bytes of the stream
 * back from the consumer; when the response ends, those bytes are checked
 * (ch_find_trailing_error) and only then delivered, so a consumer never
 * receives the exception text as data. The check wants, at the very end of
 * the stream, text only (no control bytes but \t \r \n) in one of the
 * server's two exception shapes: "Code: N, e.displayText() = ..., e.what() =
 * NAME\n" (up to 20.x) or "Code: N. DB::... (version X)\n" (later), where
 * nothing but a class name or a version may follow the last ", e.what() = "
 * or "(version ". Native data does not end like that; the one false positive
 * left, a final String value that is itself such an exception text, fails the
 * export instead of corrupting it. Buffered JSONCompact answers get the same
 * check, then must parse as a whole with nothing after the JSON.
 * (wait_end_of_query=1 would turn such errors into a 500, but makes the
 * server buffer the whole result: fine for small queries, wrong for exports.)
 *
 * The synchronous functions run the loop until done and must not be called
 * from a loop callback.
 *
 * One header, four files: clickhouse.c (client and requests), ch_result.c
 * (JSONCompact results), ch_error.c (errors, trailing exceptions) and
 * ch_caps.c (server capabilities).
 */
#ifndef CHOPS_CLICKHOUSE_H
#define CHOPS_CLICKHOUSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "http.h"

struct loop;
struct ch_client;
struct ch_req;

/* Bytes of an export held back to look for a trailing exception. */
#define CH_TAIL_HOLD		(64 * 1024)

enum ch_errkind {
	CH_OK = 0,
	CH_ESERVER,	/* the server reported an exception (code, message) */
	CH_EAUTH,	/* credentials refused (401/403, codes 192-194, 516) */
	CH_ETRANSPORT,	/* no usable answer: refused, reset, TLS, DNS */
	CH_ETIMEOUT,	/* connect or request timeout */
	CH_ECANCELLED,	/* ch_req_cancel() */
	CH_EPROTOCOL,	/* an answer that could not be understood */
	CH_ECONSUMER,	/* the caller's sink or source stopped the transfer */
	CH_EUSAGE,	/* invalid arguments (format, setting name) */
};

struct ch_error {
	enum ch_errkind	 kind;
	int		 code;		/* server exception code; 0: none */
	long		 http_status;	/* 0: no answer */
	bool		 midstream;	/* came after data in a 200 answer */
	char		*message;	/* one line for people; no secrets */
	char		*query_id;	/* the request's, when there was one */
};

void		 ch_error_clear(struct ch_error *);
const char	*ch_errkind_name(enum ch_errkind);
/* Sets kind, code and message (taken over; the old one is freed). */
void		 ch_error_set(struct ch_error *, enum ch_errkind, int code,
		     char *message);

/* A URL parameter; the name must be a plain identifier. */
struct ch_setting {
	const char	*name;
	const char	*value;
};

/* Per-request options; a NULL pointer means all defaults. */
struct ch_opts {
	const char		*query_id;	/* NULL: generated */
	const char		*database;	/* NULL: the user's default */
	const struct ch_setting	*settings;
	size_t			 n_settings;
	int64_t			 timeout_ms;	/* 0: client's for queries,
						   none for transfers; -1 none */
	int64_t			 stall_ms;	/* no progress this long aborts;
						   0: 300 s for transfers */
};

/* ---------------------------------------------------------------- results */

struct ch_column {
	char		*name;
	char		*type;
};

/*
 * A JSONCompact result. Every cell is kept as text: strings as decoded,
 * numbers as printed, arrays and objects as compact JSON, NULL as NULL.
 */
struct ch_result {
	struct ch_column	*cols;
	size_t			 ncols;
	size_t			 nrows;
	struct buf		 text;		/* cell texts, NUL-separated */
	size_t			*cells;		/* nrows * ncols offsets */
	uint64_t		 rows_read;	/* from "statistics" */
	uint64_t		 bytes_read;
	double			 elapsed;	/* seconds, server side */
};

void		 ch_result_free(struct ch_result *);
/* Column index by name, or -1. */
ssize_t		 ch_result_col(const struct ch_result *, const char *name);
bool		 ch_result_is_null(const struct ch_result *, size_t row,
		     size_t col);
/* NULL for a SQL NULL (or a row/column out of range). */
const char	*ch_result_str(const struct ch_result *, size_t row,
		     size_t col);
/* 0 and the value; -1 for NULL, out of range or not that kind of number. */
int		 ch_result_int64(const struct ch_result *, size_t row,
		     size_t col, int64_t *);
int		 ch_result_uint64(const struct ch_result *, size_t row,
		     size_t col, uint64_t *);
/*
 * Also "nan", "inf", "-inf". ClickHouse writes nan and inf as null unless
 * output_format_json_quote_denormals=1; a null in a column whose type is
 * not Nullable therefore reads as NaN.
 */
int		 ch_result_double(const struct ch_result *, size_t row,
		     size_t col, double *);

/*
 * Parses a JSONCompact body (a 200 answer). Returns 0 and *out, or -1 with
 * err filled: CH_ESERVER for exception text at its end, CH_EPROTOCOL when
 * it does not parse.
 */
int		 ch_result_parse(const char *body, size_t len,
		     struct ch_result **out, struct ch_error *err);

/* ---------------------------------------------------------------- errors */

/*
 * Parses exception text: "Code: 60, e.displayText() = DB::Exception: Table
 * default.nope doesn't exist., e.what() = DB::Exception" gives 60 and
 * "Table default.nope doesn't exist.". Returns 0, or -1 when the text is not
 * in an exception shape (then *message is a cleaned first line).
 */
int		 ch_parse_exception(const char *text, size_t len, int *code,
		     char **message);
/*
 * Offset of exception text that runs to the very end of a stream's tail, or
 * -1 when there is none. See the top of this file.
 */
ssize_t		 ch_find_trailing_error(const char *tail, size_t len);
/*
 * Fills err from a non-2xx answer. `user` is named in auth failures;
 * `password` is scrubbed from the message should the server echo it.
 */
void		 ch_error_from_answer(struct ch_error *, long status,
		     const char *body, size_t len, const char *user,
		     const char *password);
/* Fills err from exception text found at the end of a 200 answer. */
void		 ch_error_midstream(struct ch_error *, const char *text,
		     size_t len);
/* Replaces the secret in the message, should the server have echoed it. */
void		 ch_error_scrub(struct ch_error *, const char *secret);

/* ---------------------------------------------------------------- client */

struct ch_client *ch_new(struct loop *, const char *url, const char *user,
		    const char *password, const struct http_tls *,
		    int64_t timeout_ms, int64_t connect_timeout_ms);
/* Drops requests in flight without calling their callbacks. */
void		 ch_free(struct ch_client *);
/* The server URL as shown to people (credentials removed). */
const char	*ch_url(const struct ch_client *);
struct loop	*ch_loop(const struct ch_client *);
/* A fresh "chops-PID-N-RANDOM" (caller frees). */
char		*ch_new_query_id(void);

/* ---------------------------------------------------------------- requests */

/* The sink and source follow http.h (HTTP_SINK_PAUSE, HTTP_SOURCE_PAUSE). */
typedef size_t	(*ch_sink_fn)(void *arg, const char *data, size_t len);
typedef ssize_t	(*ch_source_fn)(void *arg, char *buf, size_t len);
/*
 * Called once per request, from the loop (never from inside a *_start call),
 * also after ch_req_cancel. The request is freed when the callback returns.
 * The *_start functions never return NULL: invalid arguments fail the
 * request through the callback with CH_EUSAGE.
 */
typedef void	(*ch_done_fn)(struct ch_req *, void *arg);

/* sql without FORMAT: JSONCompact is appended. */
struct ch_req	*ch_query_start(struct ch_client *, const char *sql,
		     const struct ch_opts *, ch_done_fn, void *arg);
/* A statement without a result (DDL, INSERT ... SELECT, KILL ...). */
struct ch_req	*ch_exec_start(struct ch_client *, const char *sql,
		     const struct ch_opts *, ch_done_fn, void *arg);
/* Streams `sql FORMAT format` to the sink, never buffering it all. */
struct ch_req	*ch_export_start(struct ch_client *, const char *sql,
		     const char *format, ch_sink_fn, void *sink_arg,
		     const struct ch_opts *, ch_done_fn, void *arg);
/*
 * `insert_sql` ends with FORMAT X; the data comes from the source. An import
 * is not atomic: ClickHouse treats a body cut short (source failure, cancel,
 * lost connection) as the end of the data and keeps the rows it got, and it
 * writes large inserts in blocks anyway. Import into a staging table and
 * check it (count, sum(cityHash64(*))) before moving the data in place.
 */
struct ch_req	*ch_import_start(struct ch_client *, const char *insert_sql,
		     ch_source_fn, void *source_arg, const struct ch_opts *,
		     ch_done_fn, void *arg);

/* Aborts the transfer and kills the query; the callback still runs. */
void		 ch_req_cancel(struct ch_req *);
/*
 * After a sink or source returned a PAUSE value. The sink or source may be
 * called again from inside this call.
 */
void		 ch_req_resume(struct ch_req *);
const char	*ch_req_query_id(const struct ch_req *);
void		 ch_req_progress(const struct ch_req *, uint64_t *sent,
		     uint64_t *received);
/* In the callback: kind CH_OK on success. */
const struct ch_error *ch_req_error(const struct ch_req *);
/* In the callback of a query: the result, now owned by the caller. */
struct ch_result *ch_req_take_result(struct ch_req *);

/*
 * Synchronous forms: 0, or -1 with err filled. err (may be NULL) is
 * overwritten, so pass an empty one and ch_error_clear it afterwards. After
 * a cancel or a consumer's stop they return only once the KILL is done.
 */
int		 ch_query(struct ch_client *, const char *sql,
		     struct ch_result **, struct ch_error *);
int		 ch_exec(struct ch_client *, const char *sql, struct ch_error *);
int		 ch_export(struct ch_client *, const char *sql,
		     const char *format, ch_sink_fn, void *sink_arg,
		     const struct ch_opts *, struct ch_error *);
int		 ch_import(struct ch_client *, const char *insert_sql,
		     ch_source_fn, void *source_arg, const struct ch_opts *,
		     struct ch_error *);
/*
 * KILL QUERY WHERE query_id = '...' SYNC, then polls system.processes until
 * the query is gone (a few seconds at most).
 */
int		 ch_cancel(struct ch_client *, const char *query_id,
		     struct ch_error *);

/* ---------------------------------------------------------------- caps */

/*
 * What the server can do, read once. Callers branch on these, never on the
 * version number (which is for display).
 */
struct ch_caps {
	char		*version;
	int64_t		 uptime_s;	/* when read */
	bool		 has_parquet;	/* format */
	bool		 has_s3;	/* table function */
	bool		 has_disks;	/* system.disks */
	bool		 has_errors;	/* system.errors */
	bool		 has_kafka_consumers;
	bool		 has_backups;	/* system.backups */
	char		**formats;
	size_t		 n_formats;
	char		**functions;	/* table functions */
	size_t		 n_functions;
	char		**tables;	/* in database system */
	size_t		 n_tables;
	char		**columns;	/* "table.column", database system */
	size_t		 n_columns;
};

/* Cached in the client after the first success (synchronous). */
const struct ch_caps *ch_caps(struct ch_client *, struct ch_error *);
/* The client's cached caps, or NULL. */
const struct ch_caps *ch_caps_cached(const struct ch_client *);
/*
 * Replaces the cache (taken over; NULL forgets it, to read them again: the
 * health probe does so when the server's version changed). A pointer from
 * ch_caps or ch_caps_cached is valid until then.
 */
void		 ch_caps_store(struct ch_client *, struct ch_caps *);
/*
 * Loading them asynchronously: start ch_caps_sql() with ch_query_start,
 * then in its callback ch_caps_loaded parses the result into the cache and
 * returns it, or NULL with err (cleared first) filled.
 */
const char	*ch_caps_sql(void);
const struct ch_caps *ch_caps_loaded(struct ch_client *, struct ch_req *,
		    struct ch_error *err);
int		 ch_caps_parse(const struct ch_result *, struct ch_caps **,
		     char **cause);
void		 ch_caps_free(struct ch_caps *);
bool		 ch_caps_has_table(const struct ch_caps *, const char *);
/* A column of a table in database system. */
bool		 ch_caps_has_column(const struct ch_caps *, const char *table,
		     const char *column);
bool		 ch_caps_has_format(const struct ch_caps *, const char *);
bool		 ch_caps_has_function(const struct ch_caps *, const char *);

#endif
