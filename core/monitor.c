#include "monitor.h"
#include "ch_health.h"
#include "clickhouse.h"
#include "config.h"
#include "http.h"
#include "lag.h"
#include "loop.h"
#include "prom_api.h"
#include "s3.h"
#include "util.h"
#include "xmalloc.h"

#include <stdlib.h>
#include <string.h>

/* Samples of lag history kept: 10 minutes at the default 2 s refresh. */
#define MON_LAG_HISTORY	300

static struct http_tls
tls_of(const struct cfg_tls *t)
{
	struct http_tls	tls = { t->ca_file, t->insecure };

	return tls;
}

/* Returns false when the source is already being fetched. */
static bool
state_begin(struct mon_state *st)
{
	if (!st->configured || st->in_flight)
		return false;
	st->in_flight = true;
	st->started_ms = util_wall_ms();
	return true;
}

/* Records the end of an attempt; error NULL is success. */
static void
state_finish(struct mon_state *st, const char *error)
{
	int64_t	now = util_wall_ms();

	st->in_flight = false;
	st->fetched = true;
	st->ok = error == NULL;
	free(st->error);
	st->error = error != NULL ? xstrdup(error) : NULL;
	st->last_try_ms = now;
	st->latency_ms = now - st->started_ms;
	if (st->ok)
		st->last_ok_ms = now;
	st->generation++;
}

static void
state_init(struct mon_state *st, const char *unconfigured_why)
{
	memset(st, 0, sizeof *st);
	st->configured = unconfigured_why == NULL;
	if (unconfigured_why != NULL)
		st->error = xstrdup(unconfigured_why);
}

static void
notify(struct monitor *mon, unsigned which)
{
	if (mon->changed != NULL)
		mon->changed(mon, which, mon->changed_arg);
}

/* ---------------------------------------------------------------- clickhouse */

/* The probe answered (err NULL) or failed; its figures stay the last good. */
static void
node_done(struct ch_health *h, const struct ch_error *err, void *arg)
{
	struct mon_node			*node = arg;
	const struct ch_health_figs	*f = ch_health_figs(h);

	if (err != NULL) {
		state_finish(&node->st, err->message != NULL ? err->message :
		    ch_errkind_name(err->kind));
	} else {
		free(node->version);
		node->version = xstrdup(f->version);
		node->uptime_s = f->uptime_s.known ? f->uptime_s.v : -1;
		state_finish(&node->st, NULL);
	}
	notify(node->mon, MON_CLICKHOUSE);
}

static void
node_refresh(struct mon_node *node)
{
	if (!state_begin(&node->st))
		return;
	ch_health_refresh(node->health, node_done, node);
}

static void
nodes_init(struct monitor *mon)
{
	const struct cfg_clickhouse	*c = &mon->cfg->clickhouse;
	struct http_tls			 tls = tls_of(&c->tls);
	struct mon_node			*node;
	size_t				 i;

	mon->n_nodes = c->n_urls;
	mon->nodes = xcalloc(c->n_urls, sizeof *mon->nodes);
	for (i = 0; i < c->n_urls; i++) {
		node = &mon->nodes[i];
		node->mon = mon;
		node->url = xstrdup(c->urls[i]);
		node->uptime_s = -1;
		node->ch = ch_new(mon->loop, c->urls[i], c->user, c->password,
		    &tls, c->timeout_ms, c->connect_timeout_ms);
		node->health = ch_health_new(node->ch);
		state_init(&node->st, NULL);
	}
}

/* ---------------------------------------------------------------- kafka */

static void
kafka_done(struct lag_snapshot *snap, const char *error, void *arg)
{
	struct monitor	*mon = arg;

	mon->kafka.fetch = NULL;
	if (snap != NULL)
		lag_history_push(mon->kafka.history, snap);
	state_finish(&mon->kafka.st, snap != NULL ? NULL :
	    (error != NULL ? error : "no lag data"));
	notify(mon, MON_KAFKA);
}

static void
kafka_refresh(struct monitor *mon)
{
	const struct cfg_kafka	*k = &mon->cfg->kafka;
	struct http_tls		 tls = tls_of(&k->tls);

	if (!state_begin(&mon->kafka.st))
		return;
	if (k->source == KAFKA_SOURCE_PROMETHEUS)
		mon->kafka.fetch = lag_fetch_prometheus_start(mon->prom, NULL,
		    kafka_done, mon);
	else
		mon->kafka.fetch = lag_fetch_exporter_start(mon->loop,
		    k->exporter_url, k->timeout_ms, &tls, kafka_done, mon);
}

static void
kafka_init(struct monitor *mon)
{
	const struct cfg_kafka	*k = &mon->cfg->kafka;
	const char		*why = NULL;

	if (k->source == KAFKA_SOURCE_PROMETHEUS && mon->prom == NULL)
		why = "[kafka] source = prometheus but [prometheus] url is "
		    "not set";
	else if (k->source == KAFKA_SOURCE_EXPORTER && k->exporter_url == NULL)
		why = "[kafka] exporter_url is not set";
	state_init(&mon->kafka.st, why);
	mon->kafka.history = lag_history_new(MON_LAG_HISTORY);
}

/* ---------------------------------------------------------------- targets */

static void
targets_done(struct prom_reply *reply, void *arg)
{
	struct monitor	*mon = arg;

	mon->targets.call = NULL;
	if (reply->status != PROM_OK) {
		state_finish(&mon->targets.st, reply->error);
		prom_reply_free(reply);
	} else {
		prom_reply_free(mon->targets.reply);
		mon->targets.reply = reply;
		state_finish(&mon->targets.st, NULL);
	}
	notify(mon, MON_TARGETS);
}

static void
targets_refresh(struct monitor *mon)
{
	if (!state_begin(&mon->targets.st))
		return;
	mon->targets.call = prom_targets_start(mon->prom, targets_done, mon);
}

/* ---------------------------------------------------------------- s3 */

static void	s3_refresh(struct monitor *);

/* What the listing held: every object, and the bytes chops can name. */
static void
s3_count(struct mon_s3 *s3)
{
	const struct inventory	*inv = s3->inventory;
	const struct inv_table	*t;
	size_t			 i, j, k;

	s3->objects = inv->n_objects;
	s3->bytes = 0;
	for (i = 0; i < inv->n_foreign; i++)
		s3->bytes += inv->foreign[i].size;
	for (i = 0; i < inv->n_tables; i++) {
		t = &inv->tables[i];
		for (j = 0; j < t->n_backups; j++) {
			for (k = 0; k < t->backups[j]->n_data; k++)
				s3->bytes += t->backups[j]->objects[k].size;
		}
	}
}

static void
s3_done(struct inventory_op *op, const char *error, void *arg)
{
	struct monitor		*mon = arg;
	struct mon_s3		*s3 = &mon->s3;
	struct inventory	*inv;

	s3->op = NULL;
	if (error == NULL && (inv = inventory_take(op)) != NULL) {
		inventory_free(s3->inventory);
		s3->inventory = inv;
		s3_count(s3);
	}
	state_finish(&s3->st, error);
	inventory_op_free(op);
	notify(mon, MON_S3);
	if (s3->again) {
		s3->again = false;
		s3_refresh(mon);
	}
}

static void
s3_refresh(struct monitor *mon)
{
	struct inventory_opts	opts;

	if (mon->s3.st.configured && mon->s3.st.in_flight) {
		mon->s3.again = true;
		return;
	}
	if (!state_begin(&mon->s3.st))
		return;
	memset(&opts, 0, sizeof opts);
	opts.fetch = mon->s3.fetch;
	mon->s3.op = inventory_start(mon->s3.client, &opts, s3_done, mon);
}

static void
s3_init(struct monitor *mon)
{
	const struct cfg_s3	*c = &mon->cfg->s3;

	if (c->access_key == NULL || *c->access_key == '\0') {
		state_init(&mon->s3.st, "no S3 credentials: set [s3] "
		    "access_key and secret_key (or AWS_ACCESS_KEY_ID and "
		    "AWS_SECRET_ACCESS_KEY)");
		return;
	}
	state_init(&mon->s3.st, NULL);
	mon->s3.client = s3_new(mon->loop, c);
}

/* ---------------------------------------------------------------- monitor */

struct monitor *
monitor_new(struct loop *loop, const struct config *cfg, monitor_fn fn,
    void *arg)
{
	struct monitor	*mon;

	mon = xcalloc(1, sizeof *mon);
	mon->loop = loop;
	mon->cfg = cfg;
	mon->changed = fn;
	mon->changed_arg = arg;
	if (cfg->prometheus.url != NULL)
		mon->prom = prom_client_from_config(loop, &cfg->prometheus);
	nodes_init(mon);
	kafka_init(mon);
	state_init(&mon->targets.st, mon->prom == NULL ?
	    "[prometheus] url is not set" : NULL);
	s3_init(mon);
	return mon;
}

void
monitor_refresh(struct monitor *mon, unsigned which)
{
	size_t	i;

	if (which & MON_CLICKHOUSE) {
		for (i = 0; i < mon->n_nodes; i++)
			node_refresh(&mon->nodes[i]);
	}
	if (which & MON_KAFKA)
		kafka_refresh(mon);
	if (which & MON_TARGETS)
		targets_refresh(mon);
	if (which & MON_S3)
		s3_refresh(mon);
}

static void	monitor_fast_tick(void *);
static void	monitor_slow_tick(void *);

static void
monitor_fast_tick(void *arg)
{
	struct monitor	*mon = arg;

	mon->fast_timer = loop_timer_add(mon->loop, mon->cfg->ui.refresh_ms,
	    monitor_fast_tick, mon);
	monitor_refresh(mon, MON_CLICKHOUSE | MON_KAFKA | MON_TARGETS);
}

static void
monitor_slow_tick(void *arg)
{
	struct monitor	*mon = arg;

	mon->slow_timer = loop_timer_add(mon->loop, mon->cfg->ui.s3_refresh_ms,
	    monitor_slow_tick, mon);
	monitor_refresh(mon, MON_S3);
}

void
monitor_start(struct monitor *mon)
{
	if (mon->fast_timer == NULL)
		monitor_fast_tick(mon);
	if (mon->slow_timer == NULL)
		monitor_slow_tick(mon);
}

bool
monitor_busy(const struct monitor *mon)
{
	size_t	i;

	for (i = 0; i < mon->n_nodes; i++) {
		if (mon->nodes[i].st.in_flight)
			return true;
	}
	return mon->kafka.st.in_flight || mon->targets.st.in_flight ||
	    mon->s3.st.in_flight;
}

void
monitor_wait(struct monitor *mon)
{
	while (monitor_busy(mon))
		loop_once(mon->loop, -1, -1);
}

static void
state_free(struct mon_state *st)
{
	free(st->error);
	st->error = NULL;
}

void
monitor_free(struct monitor *mon)
{
	size_t	i;

	if (mon == NULL)
		return;
	if (mon->fast_timer != NULL)
		loop_timer_cancel(mon->loop, mon->fast_timer);
	if (mon->slow_timer != NULL)
		loop_timer_cancel(mon->loop, mon->slow_timer);
	for (i = 0; i < mon->n_nodes; i++) {
		ch_free(mon->nodes[i].ch);	/* drops requests in flight */
		ch_health_free(mon->nodes[i].health);	/* after its client */
		free(mon->nodes[i].url);
		free(mon->nodes[i].version);
		state_free(&mon->nodes[i].st);
	}
	free(mon->nodes);
	if (mon->kafka.fetch != NULL)
		lag_fetch_cancel(mon->kafka.fetch);
	lag_history_free(mon->kafka.history);
	state_free(&mon->kafka.st);
	if (mon->targets.call != NULL)
		prom_call_cancel(mon->targets.call);
	prom_reply_free(mon->targets.reply);
	state_free(&mon->targets.st);
	inventory_op_free(mon->s3.op);		/* no callback follows */
	inventory_free(mon->s3.inventory);
	s3_free(mon->s3.client);
	state_free(&mon->s3.st);
	prom_client_free(mon->prom);
	free(mon);
}
