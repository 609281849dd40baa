/*
 * Fetching the Kafka lag model: kafka_exporter's /metrics streamed through
 * the exposition parser into a builder, or one instant query to Prometheus.
 */

#include "lag.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "http.h"
#include "loop.h"
#include "prom_api.h"
#include "prom_text.h"
#include "util.h"
#include "xmalloc.h"


struct lag_fetch {
	struct loop		*loop;
	struct http_req		*req;		/* exporter */
	struct prom_parser	*parser;
	struct prom_call	*call;		/* Prometheus */
	struct lag_builder	*builder;
	char			*where;		/* for messages */
	lag_done_fn		 fn;
	void			*arg;
};

static void
lag_fetch_free(struct lag_fetch *f)
{
	http_free(f->req);
	prom_parser_free(f->parser);
	prom_call_cancel(f->call);
	lag_builder_free(f->builder);
	free(f->where);
	free(f);
}

void
lag_fetch_cancel(struct lag_fetch *f)
{
	if (f != NULL)
		lag_fetch_free(f);
}

/* Hands the result over and frees the fetch. */
static void
lag_fetch_end(struct lag_fetch *f, struct lag_snapshot *s, const char *error)
{
	lag_done_fn	 fn = f->fn;
	void		*arg = f->arg;
	char		*msg = error != NULL ? xstrdup(error) : NULL;

	lag_fetch_free(f);
	fn(s, msg, arg);
	free(msg);
}

static size_t
lag_exporter_sink(void *arg, const char *data, size_t len)
{
	struct lag_fetch	*f = arg;

	if (prom_parser_feed(f->parser, data, len) != 0)
		return 0;	/* aborts the transfer */
	return len;
}

static int
lag_parser_cb(const struct prom_sample *sm, void *arg)
{
	lag_builder_add_sample(arg, sm);
	return 0;
}

/* What went wrong with an exporter request, or NULL. */
static char *
lag_exporter_error(struct lag_fetch *f)
{
	const struct buf	*body;
	size_t			 n;

	if (prom_parser_error(f->parser) != NULL)
		return xasprintf("%s: %s", f->where,
		    prom_parser_error(f->parser));
	if (http_result(f->req) != HTTP_OK)
		return xstrdup(http_error(f->req));
	if (http_status(f->req) < 200 || http_status(f->req) > 299) {
		body = http_response_body(f->req);
		n = strcspn(buf_str(body), "\r\n");
		return xasprintf("%s: HTTP %ld%s%.*s", f->where,
		    http_status(f->req), n > 0 ? ": " : "",
		    (int)(n > 200 ? 200 : n), buf_str(body));
	}
	if (prom_parser_finish(f->parser) != 0)
		return xasprintf("%s: %s", f->where,
		    prom_parser_error(f->parser));
	return NULL;
}

static void
lag_exporter_done(struct http_req *req, void *arg)
{
	struct lag_fetch	*f = arg;
	struct lag_snapshot	*s = NULL;
	char			*error;

	if ((error = lag_exporter_error(f)) == NULL) {
		s = lag_builder_finish(f->builder, util_wall_ms());
		f->builder = NULL;
	}
	lag_fetch_end(f, s, error);
	free(error);
}

struct lag_fetch *
lag_fetch_exporter_start(struct loop *loop, const char *url,
    int64_t timeout_ms, const struct http_tls *tls, lag_done_fn fn, void *arg)
{
	struct lag_fetch	*f = xcalloc(1, sizeof *f);
	struct http_limits	 limits;

	f->loop = loop;
	f->fn = fn;
	f->arg = arg;
	f->where = xstrndup(url, strcspn(url, "?"));
	f->builder = lag_builder_new();
	f->parser = prom_parser_new(lag_parser_cb, f->builder);
	f->req = http_new("GET", url);
	memset(&limits, 0, sizeof limits);
	limits.timeout_ms = timeout_ms;
	limits.retries = 1;
	http_limits(f->req, &limits);
	if (tls != NULL)
		http_tls(f->req, tls);
	http_idempotent(f->req, true);
	http_header(f->req, "Accept", "text/plain;version=0.0.4");
	http_accept_encoding(f->req, "");	/* /metrics compresses well */
	http_sink(f->req, lag_exporter_sink, f);
	http_start(loop, f->req, lag_exporter_done, f);
	return f;
}

char *
lag_promql(const char *matchers)
{
	struct buf	b = BUF_INIT;
	enum lag_metric	m;

	buf_addstr(&b, "{__name__=~\"");
	for (m = LAG_M_LAG; m <= LAG_M_LAST; m++) {
		buf_printf(&b, "%s%s", m > LAG_M_LAG ? "|" : "",
		    lag_metric_name(m));
	}
	buf_addc(&b, '"');
	if (matchers != NULL && *matchers != '\0')
		buf_printf(&b, ",%s", matchers);
	buf_addc(&b, '}');
	return buf_detach(&b);
}

static void
lag_prometheus_done(struct prom_reply *r, void *arg)
{
	struct lag_fetch	*f = arg;
	struct lag_snapshot	*s;
	int64_t			 wall;
	size_t			 i;

	f->call = NULL;
	if (r->status != PROM_OK || r->type != PROM_RESULT_VECTOR) {
		lag_fetch_end(f, NULL, r->status != PROM_OK ? r->error :
		    "Prometheus did not answer with an instant vector");
		prom_reply_free(r);
		return;
	}
	wall = util_wall_ms();
	for (i = 0; i < r->n_series; i++) {
		lag_builder_add_series(f->builder, &r->series[i]);
		if (r->series[i].n_points > 0)
			wall = r->series[i].points[0].t_ms;
	}
	prom_reply_free(r);
	s = lag_builder_finish(f->builder, wall);
	f->builder = NULL;
	lag_fetch_end(f, s, NULL);
}

struct lag_fetch *
lag_fetch_prometheus_start(struct prom_client *c, const char *matchers,
    lag_done_fn fn, void *arg)
{
	struct lag_fetch	*f = xcalloc(1, sizeof *f);
	char			*q;

	f->loop = prom_client_loop(c);
	f->fn = fn;
	f->arg = arg;
	f->where = xstrdup(prom_client_url(c));
	f->builder = lag_builder_new();
	q = lag_promql(matchers);
	f->call = prom_query_start(c, q, 0, lag_prometheus_done, f);
	free(q);
	return f;
}

struct lag_sync {
	int			 done;
	struct lag_snapshot	*snap;
	char			*error;
};

static void
lag_sync_done(struct lag_snapshot *s, const char *error, void *arg)
{
	struct lag_sync	*sync = arg;

	sync->snap = s;
	sync->error = error != NULL ? xstrdup(error) : NULL;
	sync->done = 1;
}

static struct lag_snapshot *
lag_sync_wait(struct loop *loop, struct lag_sync *sync, char **cause)
{
	loop_run_until(loop, &sync->done);
	if (sync->snap == NULL && cause != NULL)
		*cause = sync->error;
	else
		free(sync->error);
	return sync->snap;
}

struct lag_snapshot *
lag_fetch_exporter(struct loop *loop, const char *url, int64_t timeout_ms,
    const struct http_tls *tls, char **cause)
{
	struct lag_sync	sync = { 0, NULL, NULL };

	lag_fetch_exporter_start(loop, url, timeout_ms, tls, lag_sync_done,
	    &sync);
	return lag_sync_wait(loop, &sync, cause);
}

struct lag_snapshot *
lag_fetch_prometheus(struct prom_client *c, const char *matchers,
    char **cause)
{
	struct lag_sync	sync = { 0, NULL, NULL };

	lag_fetch_prometheus_start(c, matchers, lag_sync_done, &sync);
	return lag_sync_wait(prom_client_loop(c), &sync, cause);
}
