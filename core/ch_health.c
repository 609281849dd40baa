/*
 * One node's health in one round trip (two the first time, for the caps).
 *
 * Every figure is a scalar subquery that always returns exactly one row (an
 * aggregate without GROUP BY): newer servers refuse an empty scalar subquery
 * of a type that cannot be Nullable, such as a tuple. A figure whose table
 * or column the server lacks is a NULL literal instead, read as unknown.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "ch_health.h"
#include "buf.h"
#include "clickhouse.h"
#include "sql.h"
#include "util.h"
#include "xmalloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

struct ch_health {
	struct ch_client	*client;
	struct ch_health_figs	 figs;		/* last good answer */
	bool			 have_figs;
	struct ch_req		*req;		/* caps or health, in flight */
	int64_t			 started_ms;
	ch_health_fn		 fn;
	void			*arg;
};

/* A figure from one table of database system (and one of its columns). */
struct health_col {
	const char	*alias;
	const char	*table;
	const char	*column;	/* NULL: any version of the table */
	const char	*sql;
};

static const struct health_col health_cols[] = {
	{ "memory", "metrics", NULL,
	  "(SELECT if(count() = 0, NULL, sum(value)) FROM system.metrics "
	  "WHERE metric = 'MemoryTracking')" },
	{ "delayed_inserts", "metrics", NULL,
	  "(SELECT if(count() = 0, NULL, sum(value)) FROM system.metrics "
	  "WHERE metric = 'DelayedInserts')" },
	{ "merges", "merges", NULL, "(SELECT count() FROM system.merges)" },
	{ "parts", "parts", NULL,
	  "(SELECT tuple(max(c), argMax(database, c), argMax(table, c), "
	  "argMax(partition, c)) FROM (SELECT database, table, partition, "
	  "count() AS c FROM system.parts WHERE active "
	  "GROUP BY database, table, partition))" },
	{ "parts_limits", "merge_tree_settings", NULL,
	  "(SELECT tuple(anyIf(value, name = 'parts_to_delay_insert'), "
	  "anyIf(value, name = 'parts_to_throw_insert')) "
	  "FROM system.merge_tree_settings)" },
	{ "replicas", "replicas", NULL,
	  "(SELECT tuple(count(), countIf(is_readonly), max(absolute_delay), "
	  "sum(queue_size)) FROM system.replicas)" },
	{ "mutations", "mutations", NULL,
	  "(SELECT count() FROM system.mutations WHERE is_done = 0)" },
	{ "mutation_failures", "mutations", "latest_fail_reason",
	  "(SELECT tuple(count(), any(concat(database, '.', table, ' ', "
	  "mutation_id, ': ', latest_fail_reason))) FROM system.mutations "
	  "WHERE is_done = 0 AND latest_fail_reason != '')" },
	{ "events", "events", NULL,
	  "(SELECT tuple(sumIf(value, event = 'InsertedRows'), "
	  "sumIf(value, event = 'FailedQuery')) FROM system.events)" },
	{ "disk", "disks", "free_space",
	  "(SELECT tuple(argMin(name, r), argMin(free_space, r), "
	  "argMin(total_space, r), count()) FROM (SELECT name, free_space, "
	  "total_space, free_space / total_space AS r FROM system.disks "
	  "WHERE total_space > 0))" },
	{ "discovered", "clusters", NULL,
	  "(SELECT groupUniqArray(host_name) FROM system.clusters "
	  "WHERE is_local = 0 AND host_address NOT LIKE '127.%' "
	  "AND host_address != '::1')" },
};

/* ---------------------------------------------------------------- sql */

static bool
health_col_ok(const struct ch_caps *caps, const struct health_col *hc)
{
	if (!ch_caps_has_table(caps, hc->table))
		return false;
	return hc->column == NULL ||
	    ch_caps_has_column(caps, hc->table, hc->column);
}

char *
ch_health_sql(const struct ch_caps *caps, const char *query_id)
{
	struct buf			 b = BUF_INIT;
	const struct health_col		*hc;
	size_t				 i;

	buf_addstr(&b, "SELECT version() AS version, "
	    "toInt64(uptime()) AS uptime");
	if (ch_caps_has_table(caps, "processes")) {
		if (sql_appendf(&b, NULL, ", (SELECT count() FROM "
		    "system.processes WHERE query_id != %S) AS queries",
		    query_id) != 0)
			abort();
	} else
		buf_addstr(&b, ", NULL AS queries");
	for (i = 0; i < nitems(health_cols); i++) {
		hc = &health_cols[i];
		buf_printf(&b, ", %s AS %s", health_col_ok(caps, hc) ? hc->sql :
		    "NULL", hc->alias);
	}
	return buf_detach(&b);
}

/* ---------------------------------------------------------------- parse */

static void
num_set(struct ch_num *n, int64_t v)
{
	n->known = true;
	n->v = v;
}

static void
cell_num(const struct ch_result *res, const char *name, struct ch_num *n)
{
	ssize_t	c = ch_result_col(res, name);
	int64_t	v;

	if (c >= 0 && ch_result_int64(res, 0, (size_t)c, &v) == 0)
		num_set(n, v);
}

/* A tuple or array cell, parsed; NULL for NULL, absent or not an array. */
static cJSON *
cell_array(const struct ch_result *res, const char *name)
{
	ssize_t		 c = ch_result_col(res, name);
	const char	*s;
	cJSON		*j;

	if (c < 0 || (s = ch_result_str(res, 0, (size_t)c)) == NULL)
		return NULL;
	if ((j = cJSON_Parse(s)) != NULL && !cJSON_IsArray(j)) {
		cJSON_Delete(j);
		j = NULL;
	}
	return j;
}

/* An item written as a number or, for 64-bit integers, a string. */
static void
item_num(const cJSON *a, int i, struct ch_num *n)
{
	const cJSON	*v = cJSON_GetArrayItem(a, i);
	long long	 ll;

	if (cJSON_IsString(v) && util_strtoll(v->valuestring,
	    strlen(v->valuestring), &ll) == 0)
		num_set(n, ll);
	else if (cJSON_IsNumber(v) && isfinite(v->valuedouble) &&
	    fabs(v->valuedouble) < 9.2e18)
		num_set(n, (int64_t)v->valuedouble);
}

/* A non-empty string item, copied; NULL otherwise. */
static char *
item_str(const cJSON *a, int i)
{
	const cJSON	*v = cJSON_GetArrayItem(a, i);

	if (!cJSON_IsString(v) || *v->valuestring == '\0')
		return NULL;
	return xstrdup(v->valuestring);
}

static void
parse_parts(const struct ch_result *res, struct ch_health_figs *f)
{
	cJSON	*a;

	if ((a = cell_array(res, "parts")) != NULL) {
		item_num(a, 0, &f->parts);
		if (f->parts.known && f->parts.v > 0) {
			f->parts_db = item_str(a, 1);
			f->parts_table = item_str(a, 2);
			f->parts_partition = item_str(a, 3);
		}
		cJSON_Delete(a);
	}
	if ((a = cell_array(res, "parts_limits")) != NULL) {
		item_num(a, 0, &f->parts_delay);
		item_num(a, 1, &f->parts_throw);
		cJSON_Delete(a);
	}
	cell_num(res, "delayed_inserts", &f->delayed_inserts);
}

static void
parse_replicas(const struct ch_result *res, struct ch_health_figs *f)
{
	cJSON	*a;

	if ((a = cell_array(res, "replicas")) == NULL)
		return;
	item_num(a, 0, &f->replicas);
	item_num(a, 1, &f->readonly_replicas);
	/* without replicated tables there is no delay to speak of */
	if (f->replicas.known && f->replicas.v > 0) {
		item_num(a, 2, &f->replica_delay_s);
		item_num(a, 3, &f->replica_queue);
	}
	cJSON_Delete(a);
}

static void
parse_mutations(const struct ch_result *res, struct ch_health_figs *f)
{
	cJSON	*a;

	cell_num(res, "mutations", &f->mutations);
	if ((a = cell_array(res, "mutation_failures")) == NULL)
		return;
	item_num(a, 0, &f->mutations_failed);
	if (f->mutations_failed.known && f->mutations_failed.v > 0)
		f->mutation_error = item_str(a, 1);
	cJSON_Delete(a);
}

static void
parse_disk(const struct ch_result *res, struct ch_health_figs *f)
{
	struct ch_num	 n = { false, 0 };
	cJSON		*a;

	if ((a = cell_array(res, "disk")) == NULL)
		return;
	item_num(a, 3, &n);
	if (n.known && n.v > 0) {
		f->disk_name = item_str(a, 0);
		item_num(a, 1, &f->disk_free);
		item_num(a, 2, &f->disk_total);
	}
	cJSON_Delete(a);
}

static void
parse_misc(const struct ch_result *res, struct ch_health_figs *f)
{
	const cJSON	*v;
	cJSON		*a;

	if ((a = cell_array(res, "events")) != NULL) {
		item_num(a, 0, &f->inserted_rows);
		item_num(a, 1, &f->failed_queries);
		cJSON_Delete(a);
	}
	if ((a = cell_array(res, "discovered")) == NULL)
		return;
	cJSON_ArrayForEach(v, a) {
		if (!cJSON_IsString(v) || *v->valuestring == '\0')
			continue;
		f->discovered = xreallocarray(f->discovered,
		    f->n_discovered + 1, sizeof *f->discovered);
		f->discovered[f->n_discovered++] = xstrdup(v->valuestring);
	}
	cJSON_Delete(a);
}

int
ch_health_parse(const struct ch_result *res, struct ch_health_figs *f,
    char **cause)
{
	ssize_t		 c;
	const char	*version;

	ch_health_figs_clear(f);
	c = ch_result_col(res, "version");
	if (res->nrows != 1 || c < 0 ||
	    (version = ch_result_str(res, 0, (size_t)c)) == NULL) {
		*cause = xstrdup("unexpected answer to the health query");
		return -1;
	}
	f->version = xstrdup(version);
	cell_num(res, "uptime", &f->uptime_s);
	cell_num(res, "queries", &f->queries);
	cell_num(res, "memory", &f->memory);
	cell_num(res, "merges", &f->merges);
	parse_parts(res, f);
	parse_replicas(res, f);
	parse_mutations(res, f);
	parse_disk(res, f);
	parse_misc(res, f);
	return 0;
}

static void
rate(struct ch_rate *r, struct ch_num cur, struct ch_num prev, double secs)
{
	r->known = cur.known && prev.known && secs > 0 && cur.v >= prev.v;
	r->v = r->known ? (double)(cur.v - prev.v) / secs : 0;
}

void
ch_health_rates(struct ch_health_figs *cur, const struct ch_health_figs *prev)
{
	double	secs;

	memset(&cur->inserted_rows_s, 0, sizeof cur->inserted_rows_s);
	memset(&cur->failed_queries_s, 0, sizeof cur->failed_queries_s);
	if (prev == NULL)
		return;
	/* a restart resets the counters */
	if (!cur->uptime_s.known || !prev->uptime_s.known ||
	    cur->uptime_s.v < prev->uptime_s.v)
		return;
	secs = (double)(cur->taken_ms - prev->taken_ms) / 1000.0;
	rate(&cur->inserted_rows_s, cur->inserted_rows, prev->inserted_rows,
	    secs);
	rate(&cur->failed_queries_s, cur->failed_queries, prev->failed_queries,
	    secs);
}

bool
ch_health_parts_ratio(const struct ch_health_figs *f, double *ratio)
{
	if (!f->parts.known || !f->parts_delay.known || f->parts_delay.v <= 0)
		return false;
	*ratio = (double)f->parts.v / (double)f->parts_delay.v;
	return true;
}

void
ch_health_figs_clear(struct ch_health_figs *f)
{
	size_t	i;

	free(f->version);
	free(f->parts_db);
	free(f->parts_table);
	free(f->parts_partition);
	free(f->mutation_error);
	free(f->disk_name);
	for (i = 0; i < f->n_discovered; i++)
		free(f->discovered[i]);
	free(f->discovered);
	memset(f, 0, sizeof *f);
}

/* ---------------------------------------------------------------- probe */

static void
health_finish(struct ch_health *h, const struct ch_error *err)
{
	h->req = NULL;
	if (h->fn != NULL)
		h->fn(h, err, h->arg);
}

/* Takes the answer in; the caps are read again after an upgrade. */
static int
health_take(struct ch_health *h, struct ch_result *res, struct ch_error *e)
{
	struct ch_health_figs	 f;
	const struct ch_caps	*caps = ch_caps_cached(h->client);
	char			*cause = NULL;

	memset(&f, 0, sizeof f);
	if (ch_health_parse(res, &f, &cause) != 0) {
		ch_error_set(e, CH_EPROTOCOL, 0, cause);
		return -1;
	}
	f.taken_ms = util_now_ms();
	num_set(&f.latency_ms, f.taken_ms - h->started_ms);
	ch_health_rates(&f, h->have_figs ? &h->figs : NULL);
	if (caps != NULL && strcmp(caps->version, f.version) != 0)
		ch_caps_store(h->client, NULL);
	ch_health_figs_clear(&h->figs);
	h->figs = f;
	h->have_figs = true;
	return 0;
}

static void
health_done(struct ch_req *req, void *arg)
{
	struct ch_health	*h = arg;
	struct ch_result	*res;
	struct ch_error		 e;

	memset(&e, 0, sizeof e);
	if (ch_req_error(req)->kind != CH_OK) {
		health_finish(h, ch_req_error(req));
		return;
	}
	res = ch_req_take_result(req);
	if (health_take(h, res, &e) != 0)
		health_finish(h, &e);
	else
		health_finish(h, NULL);
	ch_result_free(res);
	ch_error_clear(&e);
}

static void
health_query(struct ch_health *h, const struct ch_caps *caps)
{
	struct ch_opts	 o;
	char		*qid = ch_new_query_id(), *sql;

	memset(&o, 0, sizeof o);
	o.query_id = qid;
	sql = ch_health_sql(caps, qid);
	h->started_ms = util_now_ms();
	h->req = ch_query_start(h->client, sql, &o, health_done, h);
	free(sql);
	free(qid);
}

static void
health_caps_done(struct ch_req *req, void *arg)
{
	struct ch_health	*h = arg;
	const struct ch_caps	*caps;
	struct ch_error		 e;

	memset(&e, 0, sizeof e);
	h->req = NULL;
	if ((caps = ch_caps_loaded(h->client, req, &e)) == NULL)
		health_finish(h, &e);
	else
		health_query(h, caps);
	ch_error_clear(&e);
}

bool
ch_health_refresh(struct ch_health *h, ch_health_fn fn, void *arg)
{
	const struct ch_caps	*caps = ch_caps_cached(h->client);

	if (h->req != NULL)
		return false;
	h->fn = fn;
	h->arg = arg;
	if (caps != NULL)
		health_query(h, caps);
	else
		h->req = ch_query_start(h->client, ch_caps_sql(), NULL,
		    health_caps_done, h);
	return true;
}

struct ch_health *
ch_health_new(struct ch_client *client)
{
	struct ch_health	*h;

	h = xcalloc(1, sizeof *h);
	h->client = client;
	return h;
}

void
ch_health_free(struct ch_health *h)
{
	if (h == NULL)
		return;
	ch_health_figs_clear(&h->figs);
	free(h);
}

bool
ch_health_busy(const struct ch_health *h)
{
	return h->req != NULL;
}

void
ch_health_cancel(struct ch_health *h)
{
	if (h->req != NULL)
		ch_req_cancel(h->req);
}

const struct ch_health_figs *
ch_health_figs(const struct ch_health *h)
{
	return &h->figs;
}
