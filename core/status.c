#include "status.h"
#include "buf.h"
#include "ch_health.h"
#include "config.h"
#include "lag.h"
#include "monitor.h"
#include "prom_api.h"
#include "util.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct verdict {
	enum status_level	 level;
	struct buf		*reasons;
};

const char *
status_level_name(enum status_level level)
{
	switch (level) {
	case STATUS_OK: return "ok";
	case STATUS_WARN: return "warn";
	default: return "crit";
	}
}

static void CHOPS_PRINTFLIKE(3, 4)
raise_to(struct verdict *v, enum status_level level, const char *fmt, ...)
{
	va_list	 ap;
	char	*line;

	if (level > v->level)
		v->level = level;
	if (v->reasons == NULL)
		return;
	va_start(ap, fmt);
	line = xvasprintf(fmt, ap);
	va_end(ap);
	buf_printf(v->reasons, "%s: %s\n", status_level_name(level), line);
	free(line);
}

/* Thresholds on an up node's health figures. */
static void
judge_node_health(const struct config *cfg, const struct mon_node *n,
    struct verdict *v)
{
	const struct ch_health_figs	*f = ch_health_figs(n->health);
	double				 ratio;

	if (ch_health_parts_ratio(f, &ratio) && (ratio >=
	    cfg->ui.parts_crit_ratio || ratio >= cfg->ui.parts_warn_ratio))
		raise_to(v, ratio >= cfg->ui.parts_crit_ratio ? STATUS_CRIT :
		    STATUS_WARN, "clickhouse %s: %lld active parts in %s.%s "
		    "partition %s, %.0f%% of parts_to_delay_insert (%lld)",
		    n->url, (long long)f->parts.v, f->parts_db != NULL ?
		    f->parts_db : "?", f->parts_table != NULL ?
		    f->parts_table : "?", f->parts_partition != NULL ?
		    f->parts_partition : "?", ratio * 100,
		    (long long)f->parts_delay.v);
	if (f->readonly_replicas.known && f->readonly_replicas.v > 0)
		raise_to(v, STATUS_CRIT, "clickhouse %s: %lld read-only "
		    "replicas", n->url, (long long)f->readonly_replicas.v);
	if (f->mutations_failed.known && f->mutations_failed.v > 0)
		raise_to(v, STATUS_WARN, "clickhouse %s: %lld failing "
		    "mutations: %s", n->url, (long long)f->mutations_failed.v,
		    f->mutation_error != NULL ? f->mutation_error : "");
}

static void
judge_nodes(const struct monitor *mon, struct verdict *v)
{
	const struct mon_node	*n;
	size_t			 i;

	for (i = 0; i < mon->n_nodes; i++) {
		n = &mon->nodes[i];
		if (!n->st.ok)
			raise_to(v, STATUS_CRIT, "clickhouse %s is down: %s",
			    n->url, n->st.error != NULL ? n->st.error :
			    "no answer");
		else
			judge_node_health(mon->cfg, n, v);
	}
}

static void
judge_group(const struct config *cfg, const struct lag_group *g,
    struct verdict *v)
{
	const struct lag_totals	*t = &g->totals;

	if (!t->lag.known)
		raise_to(v, STATUS_WARN, "kafka group %s: lag unknown", g->name);
	else if ((double)t->lag.v >= cfg->ui.lag_crit)
		raise_to(v, STATUS_CRIT, "kafka group %s: lag %lld >= %.0f",
		    g->name, (long long)t->lag.v, cfg->ui.lag_crit);
	else if ((double)t->lag.v >= cfg->ui.lag_warn)
		raise_to(v, STATUS_WARN, "kafka group %s: lag %lld >= %.0f",
		    g->name, (long long)t->lag.v, cfg->ui.lag_warn);
	if (t->lag.known && t->partial)
		raise_to(v, STATUS_WARN, "kafka group %s: lag of %zu of %zu "
		    "partitions unknown", g->name,
		    t->n_partitions - t->n_known, t->n_partitions);
	if (g->members.known && g->members.v == 0 && t->lag.known &&
	    t->lag.v > 0)
		raise_to(v, STATUS_WARN, "kafka group %s: no members while "
		    "lag is %lld", g->name, (long long)t->lag.v);
}

static void
judge_kafka(const struct monitor *mon, struct verdict *v)
{
	const struct lag_snapshot	*snap;
	size_t				 i;

	if (!mon->kafka.st.ok) {
		raise_to(v, STATUS_CRIT, "kafka lag unknown: %s",
		    mon->kafka.st.error);
		return;
	}
	snap = lag_history_latest(mon->kafka.history);
	for (i = 0; snap != NULL && i < snap->n_groups; i++)
		judge_group(mon->cfg, &snap->groups[i], v);
}

static void
judge_targets(const struct monitor *mon, struct verdict *v)
{
	const struct prom_reply	*r = mon->targets.reply;
	const struct prom_target	*t;
	size_t			 i;

	if (!mon->targets.st.configured)
		return;
	if (!mon->targets.st.ok) {
		raise_to(v, STATUS_WARN, "prometheus: %s", mon->targets.st.error);
		return;
	}
	for (i = 0; r != NULL && i < r->n_targets; i++) {
		t = &r->targets[i];
		if (t->health != PROM_HEALTH_UP)
			raise_to(v, STATUS_WARN, "prometheus target %s %s is "
			    "%s%s%s", t->job, t->instance,
			    t->health == PROM_HEALTH_DOWN ? "down" : "unknown",
			    *t->last_error != '\0' ? ": " : "", t->last_error);
	}
}

enum status_level
status_evaluate(const struct monitor *mon, struct buf *reasons)
{
	struct verdict	v = { STATUS_OK, reasons };

	judge_nodes(mon, &v);
	if (!mon->s3.st.configured)
		raise_to(&v, STATUS_WARN, "s3: %s", mon->s3.st.error);
	else if (!mon->s3.st.ok)
		raise_to(&v, STATUS_CRIT, "s3 unreachable: %s",
		    mon->s3.st.error);
	judge_kafka(mon, &v);
	judge_targets(mon, &v);
	return v.level;
}

/* ---------------------------------------------------------------- json */

static void
json_add_str(cJSON *o, const char *name, const char *s)
{
	if (s != NULL)
		cJSON_AddStringToObject(o, name, s);
	else
		cJSON_AddNullToObject(o, name);
}

/* A number that may be unknown: unknown is null, never 0. */
static void
json_add_num(cJSON *o, const char *name, bool known, double n)
{
	if (known && isfinite(n))
		cJSON_AddNumberToObject(o, name, n);
	else
		cJSON_AddNullToObject(o, name);
}

static void
json_add_fig(cJSON *o, const char *name, bool up, struct ch_num n)
{
	json_add_num(o, name, up && n.known, (double)n.v);
}

static void
json_add_rate(cJSON *o, const char *name, bool up, struct ch_rate r)
{
	json_add_num(o, name, up && r.known, r.v);
}

/* The health figures of a node; all null while it is down. */
static void
json_node_health(cJSON *o, const struct mon_node *n)
{
	const struct ch_health_figs	*f = ch_health_figs(n->health);
	bool				 up = n->st.ok, known;
	double				 ratio = 0;
	cJSON				*hosts;
	size_t				 i;

	json_add_fig(o, "running_queries", up, f->queries);
	json_add_fig(o, "memory_bytes", up, f->memory);
	json_add_fig(o, "merges", up, f->merges);
	json_add_fig(o, "parts_max", up, f->parts);
	json_add_str(o, "parts_db", up ? f->parts_db : NULL);
	json_add_str(o, "parts_table", up ? f->parts_table : NULL);
	json_add_str(o, "parts_partition", up ? f->parts_partition : NULL);
	json_add_fig(o, "parts_to_delay_insert", up, f->parts_delay);
	json_add_fig(o, "parts_to_throw_insert", up, f->parts_throw);
	known = up && ch_health_parts_ratio(f, &ratio);
	json_add_num(o, "parts_ratio", known, ratio);
	json_add_fig(o, "delayed_inserts", up, f->delayed_inserts);
	json_add_fig(o, "replicas", up, f->replicas);
	json_add_fig(o, "readonly_replicas", up, f->readonly_replicas);
	json_add_fig(o, "replication_delay_s", up, f->replica_delay_s);
	json_add_fig(o, "replication_queue", up, f->replica_queue);
	json_add_fig(o, "mutations_pending", up, f->mutations);
	json_add_fig(o, "mutations_failed", up, f->mutations_failed);
	json_add_str(o, "mutation_error", up ? f->mutation_error : NULL);
	json_add_rate(o, "inserted_rows_per_s", up, f->inserted_rows_s);
	json_add_rate(o, "failed_queries_per_s", up, f->failed_queries_s);
	json_add_str(o, "disk_name", up ? f->disk_name : NULL);
	json_add_fig(o, "disk_free_bytes", up, f->disk_free);
	json_add_fig(o, "disk_total_bytes", up, f->disk_total);
	hosts = cJSON_AddArrayToObject(o, "discovered_hosts");
	for (i = 0; up && i < f->n_discovered; i++)
		cJSON_AddItemToArray(hosts,
		    cJSON_CreateString(f->discovered[i]));
}

static cJSON *
json_nodes(const struct monitor *mon)
{
	cJSON				*arr = cJSON_CreateArray(), *o;
	const struct mon_node		*n;
	const struct ch_health_figs	*f;
	size_t				 i;

	for (i = 0; i < mon->n_nodes; i++) {
		n = &mon->nodes[i];
		f = ch_health_figs(n->health);
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "url", n->url);
		cJSON_AddBoolToObject(o, "up", n->st.ok);
		json_add_str(o, "version", n->version);
		json_add_num(o, "uptime_s", n->st.ok && n->uptime_s >= 0,
		    (double)n->uptime_s);
		if (n->st.ok && f->latency_ms.known)
			json_add_num(o, "latency_ms", true,
			    (double)f->latency_ms.v);
		else
			json_add_num(o, "latency_ms", n->st.fetched,
			    (double)n->st.latency_ms);
		json_add_str(o, "error", n->st.ok ? NULL : n->st.error);
		json_node_health(o, n);
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

static cJSON *
json_s3(const struct monitor *mon)
{
	cJSON			*o = cJSON_CreateObject();
	const struct cfg_s3	*c = &mon->cfg->s3;

	cJSON_AddBoolToObject(o, "reachable", mon->s3.st.ok);
	cJSON_AddStringToObject(o, "endpoint", c->endpoint);
	cJSON_AddStringToObject(o, "bucket", c->bucket);
	cJSON_AddStringToObject(o, "prefix", c->prefix);
	json_add_num(o, "objects", mon->s3.st.ok, (double)mon->s3.objects);
	json_add_num(o, "bytes", mon->s3.st.ok, (double)mon->s3.bytes);
	json_add_str(o, "error", mon->s3.st.ok ? NULL : mon->s3.st.error);
	return o;
}

static void
json_add_totals(cJSON *o, const struct lag_totals *t)
{
	json_add_num(o, "lag", t->lag.known, (double)t->lag.v);
	cJSON_AddBoolToObject(o, "lag_partial", t->partial);
	cJSON_AddNumberToObject(o, "partitions", (double)t->n_partitions);
	cJSON_AddNumberToObject(o, "partitions_no_commit",
	    (double)t->n_no_commit);
	cJSON_AddNumberToObject(o, "partitions_unknown", (double)t->n_unknown);
}

static cJSON *
json_group(const struct lag_group *g)
{
	cJSON	*o = cJSON_CreateObject(), *topics, *t;
	size_t	 i;

	cJSON_AddStringToObject(o, "group", g->name);
	if (*g->cluster != '\0')
		cJSON_AddStringToObject(o, "cluster", g->cluster);
	json_add_totals(o, &g->totals);
	json_add_num(o, "members", g->members.known, (double)g->members.v);
	topics = cJSON_AddArrayToObject(o, "topics");
	for (i = 0; i < g->n_topics; i++) {
		t = cJSON_CreateObject();
		cJSON_AddStringToObject(t, "topic", g->topics[i].name);
		json_add_totals(t, &g->topics[i].totals);
		cJSON_AddItemToArray(topics, t);
	}
	return o;
}

static cJSON *
json_kafka(const struct monitor *mon)
{
	cJSON				*o = cJSON_CreateObject(), *groups;
	const struct cfg_kafka		*k = &mon->cfg->kafka;
	const struct lag_snapshot	*snap;
	size_t				 i;

	cJSON_AddStringToObject(o, "source", k->source ==
	    KAFKA_SOURCE_PROMETHEUS ? "prometheus" : "exporter");
	cJSON_AddBoolToObject(o, "reachable", mon->kafka.st.ok);
	json_add_str(o, "error", mon->kafka.st.ok ? NULL : mon->kafka.st.error);
	groups = cJSON_AddArrayToObject(o, "groups");
	snap = mon->kafka.st.ok ? lag_history_latest(mon->kafka.history) : NULL;
	for (i = 0; snap != NULL && i < snap->n_groups; i++)
		cJSON_AddItemToArray(groups, json_group(&snap->groups[i]));
	return o;
}

static const char *
health_name(enum prom_health h)
{
	return h == PROM_HEALTH_UP ? "up" :
	    h == PROM_HEALTH_DOWN ? "down" : "unknown";
}

static cJSON *
json_targets(const struct monitor *mon)
{
	cJSON			*o = cJSON_CreateObject(), *arr, *t;
	const struct prom_reply	*r = mon->targets.reply;
	const struct prom_target	*pt;
	char			 when[32];
	size_t			 i;

	cJSON_AddBoolToObject(o, "configured", mon->targets.st.configured);
	json_add_str(o, "url", mon->cfg->prometheus.url);
	cJSON_AddBoolToObject(o, "reachable", mon->targets.st.ok);
	json_add_str(o, "error", mon->targets.st.ok ? NULL :
	    mon->targets.st.error);
	arr = cJSON_AddArrayToObject(o, "targets");
	for (i = 0; mon->targets.st.ok && r != NULL && i < r->n_targets; i++) {
		pt = &r->targets[i];
		t = cJSON_CreateObject();
		cJSON_AddStringToObject(t, "job", pt->job);
		cJSON_AddStringToObject(t, "instance", pt->instance);
		cJSON_AddStringToObject(t, "health", health_name(pt->health));
		json_add_str(t, "last_error", *pt->last_error != '\0' ?
		    pt->last_error : NULL);
		util_fmt_iso8601(when, sizeof when, pt->last_scrape_ms);
		json_add_str(t, "last_scrape", pt->last_scrape_ms > 0 ? when :
		    NULL);
		cJSON_AddItemToArray(arr, t);
	}
	return o;
}

static cJSON *
json_reasons(const char *text)
{
	cJSON		*arr = cJSON_CreateArray();
	const char	*p = text, *nl;
	char		*line;

	while ((nl = strchr(p, '\n')) != NULL) {
		line = xstrndup(p, (size_t)(nl - p));
		cJSON_AddItemToArray(arr, cJSON_CreateString(line));
		free(line);
		p = nl + 1;
	}
	return arr;
}

cJSON *
status_json(const struct monitor *mon)
{
	cJSON			*root = cJSON_CreateObject(), *ch;
	struct buf		 reasons = BUF_INIT;
	enum status_level	 level = status_evaluate(mon, &reasons);
	char			 when[32];

	cJSON_AddStringToObject(root, "status", status_level_name(level));
	cJSON_AddItemToObject(root, "reasons", json_reasons(buf_str(&reasons)));
	util_fmt_iso8601(when, sizeof when, util_wall_ms());
	cJSON_AddStringToObject(root, "checked_at", when);
	ch = cJSON_AddObjectToObject(root, "clickhouse");
	cJSON_AddItemToObject(ch, "nodes", json_nodes(mon));
	cJSON_AddItemToObject(root, "s3", json_s3(mon));
	cJSON_AddItemToObject(root, "kafka", json_kafka(mon));
	cJSON_AddItemToObject(root, "prometheus", json_targets(mon));
	buf_free(&reasons);
	return root;
}

/* ---------------------------------------------------------------- text */

/* "12", or "unknown" */
static const char *
fmt_fig(char *s, size_t len, struct ch_num n)
{
	if (!n.known)
		snprintf(s, len, "unknown");
	else
		snprintf(s, len, "%lld", (long long)n.v);
	return s;
}

/* The second line of an up node: what it is doing. */
static void
text_node_health(const struct mon_node *n, struct buf *out)
{
	const struct ch_health_figs	*f = ch_health_figs(n->health);
	char				 q[24], m[32], g[24], p[24], ro[24];
	char				 mu[24];

	if (f->memory.known)
		util_fmt_bytes(m, sizeof m, (double)f->memory.v);
	else
		snprintf(m, sizeof m, "unknown");
	buf_printf(out, "            queries %s, memory %s, merges %s, "
	    "max parts %s", fmt_fig(q, sizeof q, f->queries), m,
	    fmt_fig(g, sizeof g, f->merges), fmt_fig(p, sizeof p, f->parts));
	if (f->parts_table != NULL)
		buf_printf(out, " (%s.%s %s)", f->parts_db, f->parts_table,
		    f->parts_partition != NULL ? f->parts_partition : "");
	buf_printf(out, ", read-only replicas %s, mutations %s\n",
	    fmt_fig(ro, sizeof ro, f->readonly_replicas),
	    fmt_fig(mu, sizeof mu, f->mutations));
}

static void
text_nodes(const struct monitor *mon, struct buf *out)
{
	const struct mon_node	*n;
	char			 up[32];
	size_t			 i;

	for (i = 0; i < mon->n_nodes; i++) {
		n = &mon->nodes[i];
		if (!n->st.ok) {
			buf_printf(out, "clickhouse  %s  DOWN: %s\n", n->url,
			    n->st.error != NULL ? n->st.error : "no answer");
			continue;
		}
		util_fmt_duration(up, sizeof up, n->uptime_s * 1000);
		buf_printf(out, "clickhouse  %s  up, version %s, uptime %s, "
		    "%lld ms\n", n->url, n->version, up,
		    (long long)n->st.latency_ms);
		text_node_health(n, out);
	}
}

static void
text_s3(const struct monitor *mon, struct buf *out)
{
	const struct cfg_s3	*c = &mon->cfg->s3;
	char			 size[32];

	buf_printf(out, "s3          %s bucket %s prefix '%s'  ", c->endpoint,
	    c->bucket, c->prefix);
	if (!mon->s3.st.ok) {
		buf_printf(out, "UNREACHABLE: %s\n", mon->s3.st.error);
		return;
	}
	util_fmt_bytes(size, sizeof size, (double)mon->s3.bytes);
	buf_printf(out, "reachable, %llu objects, %s\n",
	    (unsigned long long)mon->s3.objects, size);
}

static void
fmt_lag(char *s, size_t len, const struct lag_totals *t)
{
	if (!t->lag.known)
		snprintf(s, len, "unknown");
	else
		snprintf(s, len, "%lld%s", (long long)t->lag.v,
		    t->partial ? " (partial)" : "");
}

static void
text_kafka(const struct monitor *mon, struct buf *out)
{
	const struct lag_snapshot	*snap;
	const struct lag_group		*g;
	char				 lag[48], members[24];
	size_t				 i, j;

	buf_printf(out, "kafka       %s  ", mon->cfg->kafka.source ==
	    KAFKA_SOURCE_PROMETHEUS ? "via prometheus" : "via exporter");
	if (!mon->kafka.st.ok) {
		buf_printf(out, "LAG UNKNOWN: %s\n", mon->kafka.st.error);
		return;
	}
	snap = lag_history_latest(mon->kafka.history);
	buf_printf(out, "%zu groups\n", snap != NULL ? snap->n_groups : 0);
	for (i = 0; snap != NULL && i < snap->n_groups; i++) {
		g = &snap->groups[i];
		fmt_lag(lag, sizeof lag, &g->totals);
		if (g->members.known)
			snprintf(members, sizeof members, "%lld",
			    (long long)g->members.v);
		else
			snprintf(members, sizeof members, "unknown");
		buf_printf(out, "  group %s  lag %s  members %s\n", g->name,
		    lag, members);
		for (j = 0; j < g->n_topics; j++) {
			fmt_lag(lag, sizeof lag, &g->topics[j].totals);
			buf_printf(out, "    topic %s  lag %s\n",
			    g->topics[j].name, lag);
		}
	}
}

static void
text_targets(const struct monitor *mon, struct buf *out)
{
	const struct prom_reply		*r = mon->targets.reply;
	const struct prom_target	*t;
	size_t				 i;

	if (!mon->targets.st.configured)
		return;
	buf_printf(out, "prometheus  %s  ", mon->cfg->prometheus.url);
	if (!mon->targets.st.ok) {
		buf_printf(out, "UNREACHABLE: %s\n", mon->targets.st.error);
		return;
	}
	buf_printf(out, "%zu targets\n", r->n_targets);
	for (i = 0; i < r->n_targets; i++) {
		t = &r->targets[i];
		buf_printf(out, "  target %s %s  %s%s%s\n", t->job, t->instance,
		    health_name(t->health), *t->last_error != '\0' ? ": " : "",
		    t->last_error);
	}
}

void
status_text(const struct monitor *mon, struct buf *out)
{
	struct buf		reasons = BUF_INIT;
	enum status_level	level = status_evaluate(mon, &reasons);

	buf_printf(out, "status: %s\n", status_level_name(level));
	text_nodes(mon, out);
	text_s3(mon, out);
	text_kafka(mon, out);
	text_targets(mon, out);
	if (reasons.len > 0)
		buf_printf(out, "reasons:\n%s", buf_str(&reasons));
	buf_free(&reasons);
}
