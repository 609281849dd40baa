/*
 * The Prometheus HTTP API on the event loop: instant and range queries
 * (POST, form-encoded) and the active scrape targets.
 *
 * Every call ends in a prom_reply that says exactly what went wrong, if
 * anything: no answer at all (transport), an HTTP error without an API
 * error body, an error envelope from Prometheus (errorType + error, e.g. a
 * PromQL syntax error), or a body that is not the promised JSON.
 *
 * An empty result is an empty result: callers must treat a missing series
 * as unknown, never as zero.
 */
#ifndef CHOPS_PROM_API_H
#define CHOPS_PROM_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf;
struct loop;
struct http_tls;
struct cfg_prometheus;

enum prom_status {
	PROM_OK = 0,
	PROM_ERR_TRANSPORT,	/* no response (refused, timeout, DNS) */
	PROM_ERR_HTTP,		/* HTTP error without an API error body */
	PROM_ERR_API,		/* "status":"error" from Prometheus */
	PROM_ERR_JSON,		/* malformed or unexpected JSON */
	PROM_ERR_CANCELLED,
};

enum prom_result_type {
	PROM_RESULT_NONE = 0,
	PROM_RESULT_VECTOR,	/* instant: one point per series */
	PROM_RESULT_MATRIX,	/* range: many points per series */
	PROM_RESULT_SCALAR,	/* one series, no labels, one point */
	PROM_RESULT_STRING,
};

struct prom_kv {
	char	*name;
	char	*value;
};

struct prom_point {
	int64_t	 t_ms;		/* wall clock, epoch milliseconds */
	double	 v;		/* NaN and +-Inf as Prometheus sent them */
};

struct prom_series {
	struct prom_kv		*labels;	/* __name__ included if sent */
	size_t			 n_labels;
	struct prom_point	*points;
	size_t			 n_points;
};

enum prom_health {
	PROM_HEALTH_UNKNOWN = 0,
	PROM_HEALTH_UP,
	PROM_HEALTH_DOWN,
};

struct prom_target {
	char			*job;		/* "" when absent */
	char			*instance;
	char			*scrape_pool;
	char			*scrape_url;
	char			*last_error;	/* "" when the last scrape worked */
	enum prom_health	 health;
	int64_t			 last_scrape_ms; /* epoch ms; 0: never */
	double			 last_scrape_duration_s;
	struct prom_kv		*labels;
	size_t			 n_labels;
};

struct prom_reply {
	enum prom_status	 status;
	long			 http_status;	/* 0: no response */
	char			*error_type;	/* API errors: "bad_data", ... */
	char			*error;		/* NULL when status is PROM_OK */
	char			**warnings;
	size_t			 n_warnings;
	int64_t			 elapsed_ms;

	/* queries */
	enum prom_result_type	 type;
	struct prom_series	*series;
	size_t			 n_series;
	char			*string;	/* PROM_RESULT_STRING */

	/* targets */
	struct prom_target	*targets;
	size_t			 n_targets;
};

struct prom_client;
struct prom_call;

/* The reply belongs to the callee, which frees it with prom_reply_free. */
typedef void (*prom_done_fn)(struct prom_reply *, void *arg);

/* url: base URL such as http://host:9090 (a path prefix is kept). */
struct prom_client *prom_client_new(struct loop *, const char *url,
		    int64_t timeout_ms, const struct http_tls *);
struct prom_client *prom_client_from_config(struct loop *,
		    const struct cfg_prometheus *);
/* Cancels calls still in flight (their callbacks are not called). */
void		 prom_client_free(struct prom_client *);
const char	*prom_client_url(const struct prom_client *);
struct loop	*prom_client_loop(const struct prom_client *);

/* at_ms: evaluation time, epoch ms; 0 for the server's now. */
struct prom_call *prom_query_start(struct prom_client *, const char *expr,
		    int64_t at_ms, prom_done_fn, void *arg);
struct prom_call *prom_query_range_start(struct prom_client *,
		    const char *expr, int64_t start_ms, int64_t end_ms,
		    int64_t step_ms, prom_done_fn, void *arg);
struct prom_call *prom_targets_start(struct prom_client *, prom_done_fn,
		    void *arg);
/* Stops a call; its callback is not called. */
void		 prom_call_cancel(struct prom_call *);

/* Synchronous forms: run the loop until the reply is there. */
struct prom_reply *prom_query(struct prom_client *, const char *expr,
		    int64_t at_ms);
struct prom_reply *prom_query_range(struct prom_client *, const char *expr,
		    int64_t start_ms, int64_t end_ms, int64_t step_ms);
struct prom_reply *prom_targets(struct prom_client *);

void		 prom_reply_free(struct prom_reply *);

/*
 * Parsing of response bodies, separate for tests: fill an empty reply from
 * the HTTP status and body. Return 0 when the reply is PROM_OK.
 */
int		 prom_reply_parse_query(struct prom_reply *, long http_status,
		     const char *body, size_t len);
int		 prom_reply_parse_targets(struct prom_reply *,
		     long http_status, const char *body, size_t len);

const char	*prom_series_label(const struct prom_series *, const char *);
const char	*prom_target_label(const struct prom_target *, const char *);
const char	*prom_status_name(enum prom_status);
/* Form encoding (application/x-www-form-urlencoded) of one value. */
void		 prom_form_escape(struct buf *, const char *);

#endif
