/*
 * The status verdict and its JSON, from monitor states set by hand and a lag
 * snapshot parsed from a recorded kafka_exporter exposition.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "lag.h"
#include "loop.h"
#include "monitor.h"
#include "status.h"
#include "xmalloc.h"

struct fixture {
	struct loop	*loop;
	struct config	*cfg;
	struct monitor	*mon;
};

static char *
read_fixture(const char *name, size_t *len)
{
	char	*path = xasprintf("%s/%s", TEST_FIXTURES, name);
	FILE	*f = fopen(path, "rb");
	char	*data = xmalloc(1 << 20);

	assert_non_null(f);
	*len = fread(data, 1, (1 << 20) - 1, f);
	fclose(f);
	free(path);
	return data;
}

static int
setup(void **state)
{
	struct fixture	*fx = xcalloc(1, sizeof *fx);
	char		*cause = NULL;
	const char	*ini =
	    "[clickhouse]\nurls = http://127.0.0.1:1, http://127.0.0.1:2\n"
	    "[s3]\naccess_key_env = TEST_STATUS_AK\n"
	    "secret_key_env = TEST_STATUS_SK\n"
	    "[ui]\nlag_warn = 20000\nlag_crit = 1000000\n";

	setenv("TEST_STATUS_AK", "ak", 1);
	setenv("TEST_STATUS_SK", "sk", 1);
	unsetenv("CLICKHOUSE_URL");
	unsetenv("AWS_ACCESS_KEY_ID");
	unsetenv("AWS_SECRET_ACCESS_KEY");
	if (config_load_string(ini, "t.ini", &fx->cfg, &cause) != 0)
		fail_msg("config: %s", cause);
	fx->loop = loop_new();
	fx->mon = monitor_new(fx->loop, fx->cfg, NULL, NULL);
	*state = fx;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture	*fx = *state;

	monitor_free(fx->mon);
	config_free(fx->cfg);
	loop_free(fx->loop);
	free(fx);
	return 0;
}

static void
set_ok(struct mon_state *st)
{
	st->fetched = st->ok = true;
	free(st->error);
	st->error = NULL;
}

static void
push_fixture(struct monitor *mon, const char *name)
{
	char			*data, *cause = NULL;
	size_t			 len;
	struct lag_snapshot	*snap;

	data = read_fixture(name, &len);
	snap = lag_from_exposition(data, len, 1000, &cause);
	assert_non_null(snap);
	lag_history_push(mon->kafka.history, snap);
	set_ok(&mon->kafka.st);
	free(data);
}

static void
all_up(struct monitor *mon)
{
	size_t	i;

	for (i = 0; i < mon->n_nodes; i++) {
		set_ok(&mon->nodes[i].st);
		mon->nodes[i].version = xstrdup("18.16.1");
		mon->nodes[i].uptime_s = 42;
	}
	set_ok(&mon->s3.st);
	mon->s3.objects = 7;
}

static void
test_lagging_group_is_crit(void **state)
{
	struct fixture	*fx = *state;
	struct buf	 reasons = BUF_INIT;

	all_up(fx->mon);
	push_fixture(fx->mon, "kafka_exporter/sample_t0.prom");
	/* audit_sink lags ~7e6 >= crit; clickhouse_posting 23300 >= warn */
	assert_int_equal(status_evaluate(fx->mon, &reasons), STATUS_CRIT);
	assert_non_null(strstr(buf_str(&reasons),
	    "crit: kafka group audit_sink: lag"));
	assert_non_null(strstr(buf_str(&reasons),
	    "warn: kafka group clickhouse_posting: lag 23300 >= 20000"));
	buf_free(&reasons);
}

static void
test_node_down_is_crit_and_named(void **state)
{
	struct fixture	*fx = *state;
	struct buf	 reasons = BUF_INIT;
	struct mon_state *st = &fx->mon->nodes[1].st;

	all_up(fx->mon);
	push_fixture(fx->mon, "kafka_exporter/sample_t0.prom");
	st->ok = false;
	st->error = xstrdup("connection refused");
	status_evaluate(fx->mon, &reasons);
	assert_non_null(strstr(buf_str(&reasons),
	    "crit: clickhouse http://127.0.0.1:2 is down: connection refused"));
	assert_null(strstr(buf_str(&reasons), "127.0.0.1:1 is down"));
	buf_free(&reasons);
}

static void
test_unknown_lag_is_not_zero(void **state)
{
	struct fixture	*fx = *state;
	cJSON		*json, *kafka;

	all_up(fx->mon);
	fx->mon->kafka.st.fetched = true;
	fx->mon->kafka.st.ok = false;
	fx->mon->kafka.st.error = xstrdup("exporter down");
	assert_int_equal(status_evaluate(fx->mon, NULL), STATUS_CRIT);
	json = status_json(fx->mon);
	kafka = cJSON_GetObjectItem(json, "kafka");
	assert_false(cJSON_IsTrue(cJSON_GetObjectItem(kafka, "reachable")));
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(kafka,
	    "groups")), 0);
	assert_string_equal(cJSON_GetObjectItem(kafka, "error")->valuestring,
	    "exporter down");
	cJSON_Delete(json);
}

static void
test_json_shape(void **state)
{
	struct fixture	*fx = *state;
	cJSON		*json, *nodes, *node, *s3, *groups, *g, *topics;

	all_up(fx->mon);
	push_fixture(fx->mon, "kafka_exporter/sample_t0.prom");
	json = status_json(fx->mon);
	assert_string_equal(cJSON_GetObjectItem(json, "status")->valuestring,
	    "crit");
	nodes = cJSON_GetObjectItem(cJSON_GetObjectItem(json, "clickhouse"),
	    "nodes");
	assert_int_equal(cJSON_GetArraySize(nodes), 2);
	node = cJSON_GetArrayItem(nodes, 0);
	assert_string_equal(cJSON_GetObjectItem(node, "url")->valuestring,
	    "http://127.0.0.1:1");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(node, "up")));
	assert_int_equal(cJSON_GetObjectItem(node, "uptime_s")->valueint, 42);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(node, "error")));
	s3 = cJSON_GetObjectItem(json, "s3");
	assert_int_equal(cJSON_GetObjectItem(s3, "objects")->valueint, 7);
	groups = cJSON_GetObjectItem(cJSON_GetObjectItem(json, "kafka"),
	    "groups");
	assert_int_equal(cJSON_GetArraySize(groups), 2);
	g = cJSON_GetArrayItem(groups, 1);
	assert_string_equal(cJSON_GetObjectItem(g, "group")->valuestring,
	    "clickhouse_posting");
	assert_int_equal(cJSON_GetObjectItem(g, "lag")->valueint, 23300);
	assert_int_equal(cJSON_GetObjectItem(g, "members")->valueint, 3);
	topics = cJSON_GetObjectItem(g, "topics");
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(topics, 0),
	    "topic")->valuestring, "posting_data");
	cJSON_Delete(json);
}

static void
test_missing_credentials_warns(void **state)
{
	struct config	*cfg;
	struct monitor	*mon;
	struct loop	*loop = loop_new();
	char		*cause = NULL;
	struct buf	 reasons = BUF_INIT;

	unsetenv("AWS_ACCESS_KEY_ID");
	assert_int_equal(config_load_string("", "empty.ini", &cfg, &cause), 0);
	mon = monitor_new(loop, cfg, NULL, NULL);
	assert_false(mon->s3.st.configured);
	assert_false(mon->targets.st.configured);
	set_ok(&mon->nodes[0].st);
	set_ok(&mon->kafka.st);
	assert_int_equal(status_evaluate(mon, &reasons), STATUS_WARN);
	assert_non_null(strstr(buf_str(&reasons), "no S3 credentials"));
	buf_free(&reasons);
	monitor_free(mon);
	config_free(cfg);
	loop_free(loop);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_lagging_group_is_crit,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_node_down_is_crit_and_named,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_lag_is_not_zero,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_shape, setup,
		    teardown),
		cmocka_unit_test(test_missing_credentials_warns),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
